//! Artifact rules: a pure, fast rule engine over the rule language of
//! [`crate::models::rule`] (the grammar, part of the layout format).
//!
//! Each rule filters the artifacts still queued (Python `fnmatch`, where
//! `*` also matches `/`) and consumes what it authorises; `DISALLOW`
//! fails on anything still queued that it matches and `REQUIRE` fails
//! when its literal file is no longer queued. Nothing is disallowed
//! implicitly. This is the reference's `verify_item_rules`.

mod engine;
pub mod glob;

pub use engine::{
    ItemKind, RuleFailure, RuleFailureKind, RuleTrace, Side, apply_rules, trace_rules,
};
