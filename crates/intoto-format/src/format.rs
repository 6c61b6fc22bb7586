//! Format primitives shared by the metadata model and the key formats:
//! the error that names where a document is wrong, field access that
//! produces it, hex checks, and (in [`der`]) the few DER structures key
//! formats use. Depends on nothing in the crate but [`crate::json`]'s
//! value type.

pub mod der;

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

/// Why bytes are not an in-toto metadata file: not strict JSON, or JSON
/// without the shape of a Metablock or DSSE envelope.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// The document starts with a UTF-8 byte-order mark.
    #[error("starts with a byte-order mark")]
    Bom,
    /// Not strict JSON (syntax, duplicate keys, depth, ...), as serde_json
    /// words it.
    #[error(transparent)]
    Json(serde_json::Error),
    /// JSON, but not metadata; names the path.
    #[error(transparent)]
    Format(#[from] FormatError),
}

impl From<crate::json::StrictError> for MetadataError {
    fn from(e: crate::json::StrictError) -> Self {
        match e {
            crate::json::StrictError::Bom => MetadataError::Bom,
            crate::json::StrictError::Json(e) => MetadataError::Json(e),
        }
    }
}

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

    /// The string at `key`; `default` when it is absent or `null`.
    pub fn string_or(&self, key: &str, default: &str) -> FResult<String> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(default.to_owned()),
            Some(_) => self.string(key),
        }
    }

    /// The strings at `key`; empty when it is absent or `null`.
    pub fn string_list(&self, key: &str) -> FResult<Vec<String>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(v) => string_list(&self.sub(key), v),
        }
    }

    /// The object at `key`; empty when it is absent or `null`.
    pub fn object_or_empty(&self, key: &str) -> FResult<Object> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(Object::default()),
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

/// True for a non-empty string of ASCII hex digits (the reference's
/// `_check_hex`).
pub fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}
