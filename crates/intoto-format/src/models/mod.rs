//! The in-toto metadata model: links, layouts and the two containers that
//! carry signatures over them (classic Metablock and DSSE).
//!
//! Only serde and in-memory conversion live here; reading files is
//! `intoto::fsio`'s job. Parsing goes through the strict
//! [`crate::json::Value`] and then into typed structs, rejecting anything
//! that does not have the type the reference requires. Fields the model
//! does not know are kept in the signed bytes: a Metablock's signatures
//! cover the canonical JSON of the whole `signed` value as it stands in the
//! file (see [`Metablock`]), a DSSE envelope's the payload bytes. What
//! intoto writes itself holds only the fields the model knows, so the
//! reference, which drops unknown fields before checking, verifies it.

mod artifacts;
mod container;
pub mod keydict;
mod layout;
mod link;
mod nulls;
pub mod rule;

pub use crate::time::{format_expires, parse_expires};
pub use artifacts::{ACCEPTED_DIGEST_ALGORITHMS, Artifacts, Differences, HashDict};
pub use container::{
    Dsse, DsseSignature, Envelope, Metablock, PAYLOAD_TYPE, Signature, Signed, pae,
};
pub use keydict::KeyDict;
pub use layout::{
    Expires, Inspection, InspectionChange, Layout, LayoutEditError, ListChange, NewStep,
    RemovedKey, ReplacedKey, Step, StepChange, check_expires, expires_from, parse_rules,
};
pub use link::Link;
pub use nulls::Nulls;

pub(crate) use crate::format::{FResult, Fields, string_list};
pub use crate::format::{FormatError, is_hex};

/// A path given twice to a builder of [`Artifacts`] that may not merge
/// them (the path, with its `file:` or `dir:` prefix while recording).
#[derive(Debug, thiserror::Error)]
#[error("artifact {0:?} given twice")]
pub struct DuplicatePath(pub String);

/// `<step>.<first 8 characters of keyid>.link`.
pub fn link_filename(step: &str, keyid: &str) -> String {
    let prefix: String = keyid.chars().take(8).collect();
    format!("{step}.{prefix}.link")
}

/// `.<step>.<first 8 characters of keyid>.link-unfinished`.
pub fn unfinished_filename(step: &str, keyid: &str) -> String {
    format!(".{}-unfinished", link_filename(step, keyid))
}

/// A time for messages: `YYYY-MM-DD HH:MM UTC`.
pub fn layout_time(secs: i64) -> String {
    let s = format_expires(secs);
    format!("{} {} UTC", &s[..10], &s[11..16])
}

/// Step and inspection names become file names: refuse the ones that
/// would reach outside the link directory or could never be a file name.
pub fn check_item_name(path: &str, name: &str) -> FResult<()> {
    if name.is_empty() {
        return Err(FormatError::new(path, "name is empty"));
    }
    if name.contains('/')
        || name.contains('\0')
        || name == "."
        || name == ".."
        || name.contains("..")
    {
        return Err(FormatError::new(
            path,
            format!("name {name:?} contains '/', '..' or NUL and cannot name a link file"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FormatError::new(
            path,
            format!("name {name:?} contains a control character (newline, escape, ...)"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_names_use_the_first_eight_characters() {
        assert_eq!(
            super::link_filename("build", "0123456789abcdef"),
            "build.01234567.link"
        );
        assert_eq!(super::link_filename("build", "abc"), "build.abc.link");
        assert_eq!(
            super::unfinished_filename("b", "0123456789"),
            ".b.01234567.link-unfinished"
        );
    }
}
