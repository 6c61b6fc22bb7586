//! The two signature containers: the classic Metablock and DSSE.
//!
//! [`Signed`], the link or layout either one carries, lives here; each
//! container has its file, [`Envelope`] reads and writes either, and
//! `signed.rs` gathers the parts of `signed` (or a DSSE payload) in the one
//! parse that also yields the canonical bytes Metablock signatures cover.

use serde::ser::{Serialize, Serializer};

use super::{Layout, Link};
use crate::json::{self, CanonicalError};

mod dsse;
mod envelope;
mod metablock;
mod signed;

#[cfg(test)]
mod tests;

pub use dsse::{Dsse, DsseSignature, PAYLOAD_TYPE, pae};
pub use envelope::Envelope;
pub use metablock::{Metablock, Signature};

/// What is signed: a link or a layout.
#[derive(Clone, Debug, PartialEq)]
pub enum Signed {
    /// Link metadata.
    Link(Link),
    /// Layout metadata.
    Layout(Layout),
}

impl Signed {
    /// The fields the document wrote as `null` (read as empty), as paths
    /// such as `environment` or `steps[0].expected_command`.
    pub fn null_fields(&self) -> Vec<String> {
        let own = |n: &super::Nulls, prefix: &str| {
            n.fields()
                .iter()
                .map(|f| format!("{prefix}{f}"))
                .collect::<Vec<_>>()
        };
        match self {
            Signed::Link(l) => own(&l.nulls, ""),
            Signed::Layout(l) => {
                let mut out = own(&l.nulls, "");
                for (i, s) in l.steps.iter().enumerate() {
                    out.extend(own(&s.nulls, &format!("steps[{i}].")));
                }
                for (i, s) in l.inspect.iter().enumerate() {
                    out.extend(own(&s.nulls, &format!("inspect[{i}].")));
                }
                out
            }
        }
    }

    /// The fields the model knows, as compact JSON text. Member order is
    /// not significant: every writer goes through [`Value`](json::Value) or
    /// [`json::canonicalize`], which sort.
    fn known_fields_json(&self) -> Result<Vec<u8>, CanonicalError> {
        let r = match self {
            Signed::Link(l) => json::to_python_compact(l),
            Signed::Layout(l) => json::to_python_compact(l),
        };
        r.map_err(|e| CanonicalError::new(e.to_string()))
    }
}

impl Serialize for Signed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Signed::Link(l) => l.serialize(s),
            Signed::Layout(l) => l.serialize(s),
        }
    }
}
