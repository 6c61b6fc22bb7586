//! The in-toto metadata model: links, layouts and the two containers that
//! carry signatures over them (classic Metablock and DSSE).
//!
//! Only serde and in-memory conversion live here; reading files is
//! [`crate::fsio`]'s job. Parsing goes through the strict
//! [`crate::json::Value`] and then into typed structs, rejecting anything
//! that does not have the type the reference requires. Fields the model
//! does not know are kept in the signed bytes: a Metablock's signatures
//! cover the canonical JSON of the whole `signed` value as it stands in the
//! file (see [`Metablock`]), a DSSE envelope's the payload bytes. What
//! intoto writes itself holds only the fields the model knows, so the
//! reference, which drops unknown fields before checking, verifies it.

mod artifacts;
mod container;
mod layout;
mod link;
pub mod rule;

pub use crate::time::{format_expires, parse_expires};
pub use artifacts::{Artifacts, HashDict};
pub use container::{
    Dsse, DsseSignature, Envelope, Metablock, PAYLOAD_TYPE, Signature, Signed, pae,
};
pub use layout::{Inspection, Layout, Step, check_expires};
pub use link::Link;

use crate::json::{Object, Value};

/// A document that does not have the shape in-toto metadata must have.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FormatError {
    /// Where in the document, e.g. `signed.steps[2].threshold`.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl FormatError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FormatError {
            path: path.into(),
            message: message.into(),
        }
    }
}

pub(crate) type FResult<T> = Result<T, FormatError>;

/// Field access with error messages that name the path.
pub(crate) struct Fields<'a> {
    pub path: &'a str,
    pub obj: &'a Object,
}

impl<'a> Fields<'a> {
    pub fn of(path: &'a str, v: &'a Value) -> FResult<Self> {
        match v {
            Value::Object(obj) => Ok(Fields { path, obj }),
            other => Err(FormatError::new(
                path,
                format!("expected an object, got {}", other.kind()),
            )),
        }
    }

    pub fn sub(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key)
    }

    pub fn string(&self, key: &str) -> FResult<String> {
        match self.obj.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(FormatError::new(
                self.sub(key),
                format!("expected a string, got {}", other.kind()),
            )),
            None => Err(FormatError::new(self.sub(key), "missing")),
        }
    }

    pub fn string_or(&self, key: &str, default: &str) -> FResult<String> {
        if self.obj.contains_key(key) {
            self.string(key)
        } else {
            Ok(default.to_owned())
        }
    }

    pub fn string_list(&self, key: &str) -> FResult<Vec<String>> {
        match self.obj.get(key) {
            None => Ok(Vec::new()),
            Some(v) => string_list(&self.sub(key), v),
        }
    }

    pub fn object_or_empty(&self, key: &str) -> FResult<Object> {
        match self.obj.get(key) {
            None => Ok(Object::default()),
            Some(Value::Object(o)) => Ok(o.clone()),
            Some(other) => Err(FormatError::new(
                self.sub(key),
                format!("expected an object, got {}", other.kind()),
            )),
        }
    }

    /// `_type` must be present and equal `want`.
    pub fn expect_type(&self, want: &str) -> FResult<()> {
        match self.obj.get("_type") {
            Some(Value::String(s)) if s == want => Ok(()),
            Some(Value::String(s)) => Err(FormatError::new(
                self.sub("_type"),
                format!("expected {want:?}, got {s:?}"),
            )),
            Some(other) => Err(FormatError::new(
                self.sub("_type"),
                format!("expected {want:?}, got {}", other.kind()),
            )),
            None => Err(FormatError::new(
                self.sub("_type"),
                format!("missing (must be {want:?})"),
            )),
        }
    }
}

pub(crate) fn string_list(path: &str, v: &Value) -> FResult<Vec<String>> {
    let arr = v.as_array().ok_or_else(|| {
        FormatError::new(
            path,
            format!("expected an array of strings, got {}", v.kind()),
        )
    })?;
    arr.iter()
        .enumerate()
        .map(|(i, e)| match e {
            Value::String(s) => Ok(s.clone()),
            other => Err(FormatError::new(
                format!("{path}[{i}]"),
                format!("expected a string, got {}", other.kind()),
            )),
        })
        .collect()
}

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

/// True for a non-empty string of ASCII hex digits (the reference's
/// `_check_hex`).
pub fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
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
