//! `intoto`: the in-toto supply-chain framework, GnuPG-first.
//!
//! The library records and signs link metadata, signs layouts, and
//! verifies a supply chain against its layout, byte-compatible with the
//! Python reference implementation (in-toto 3.1). It never sees command
//! line parsing; the `intoto` binary is a thin layer over it.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod cosign;
pub mod distro;
pub mod format;
pub mod fsio;
pub mod json;
pub mod keys;
pub mod models;
pub mod policy;
pub mod record;
pub mod rules;
pub mod runner;
pub mod settings;
pub mod step;
pub mod threads;
pub mod time;
pub mod verify;
