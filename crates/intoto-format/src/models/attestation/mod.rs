//! ITE-6 attestations: the in-toto Statement v1 and its resource
//! descriptors ([`Statement`], [`ResourceDescriptor`]), the link predicate
//! v0.3 turned into a [`Link`](super::Link) and back (`link.rs`), and the
//! DSSE envelope that carries them, read without trusting anything in it
//! (`envelope.rs`: [`AttestationEnvelope`]).
//!
//! A Statement is parsed only from the payload bytes a signature was
//! checked over, and never serialised again to be checked: what intoto
//! writes is serialised once, then signed. Consumers must ignore unknown
//! members of a Statement, so they are; anything in a known member that
//! does not have the spec's shape is refused, naming its path.

mod envelope;
mod link;
mod summary;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::json::{self, Object, Value};
use crate::models::{FResult, Fields, FormatError};

pub use envelope::{AttestationEnvelope, decode_base64, looks_like_statement};
pub use link::{NoSubject, link_from_statement, link_statement};
pub use summary::{FAILED, SVR_V02, Summary, Svr, VSA_V1, Vsa};

/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `predicateType` of the link predicate v0.3.
pub const LINK_PREDICATE_V03: &str = "https://in-toto.io/attestation/link/v0.3";

/// A DigestSet: algorithm → lower-case hex, sorted by algorithm.
pub type DigestSet = BTreeMap<String, String>;

/// A ResourceDescriptor: what a subject, a material or a policy names.
/// `name`, `uri` and `digest` are typed; `content`, `downloadLocation`,
/// `mediaType`, `annotations` and members the spec may add later are
/// kept in `other` as they stood.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceDescriptor {
    /// `name`, e.g. a file's path.
    pub name: Option<String>,
    /// `uri`.
    pub uri: Option<String>,
    /// `digest` (empty when absent).
    pub digest: DigestSet,
    /// Every other member.
    pub other: Object,
}

impl ResourceDescriptor {
    /// A descriptor with a name and one digest.
    pub fn named(name: impl Into<String>, algo: &str, hex: impl Into<String>) -> Self {
        ResourceDescriptor {
            name: Some(name.into()),
            digest: [(algo.to_owned(), hex.into())].into_iter().collect(),
            ..ResourceDescriptor::default()
        }
    }

    /// Reads a descriptor at `path`: an object whose `name` and `uri` are
    /// strings when present, whose `digest` maps algorithms to lower-case
    /// hex, and that has at least one of `uri`, `digest` and `content`.
    pub fn from_value(path: &str, v: &Value) -> FResult<ResourceDescriptor> {
        let f = Fields::of(path, v)?;
        let opt_string = |key: &str| -> FResult<Option<String>> {
            match f.get(key) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(FormatError::new(
                    f.sub(key),
                    format!("expected a string, got {}", other.kind()),
                )),
            }
        };
        let name = opt_string("name")?;
        let uri = opt_string("uri")?;
        let digest = match f.get("digest") {
            None => DigestSet::new(),
            Some(v) => digest_set(&f.sub("digest"), v)?,
        };
        if uri.is_none() && digest.is_empty() && f.get("content").is_none() {
            return Err(FormatError::new(
                path,
                "has none of \"uri\", \"digest\" and \"content\" (a resource descriptor needs one)",
            ));
        }
        let mut other = f.obj.clone();
        for k in ["name", "uri", "digest"] {
            other.remove(k);
        }
        Ok(ResourceDescriptor {
            name,
            uri,
            digest,
            other,
        })
    }

    /// As a JSON value (members sorted when written).
    pub fn to_value(&self) -> Value {
        let mut o = self.other.clone();
        if let Some(n) = &self.name {
            o.insert("name", n.as_str().into());
        }
        if let Some(u) = &self.uri {
            o.insert("uri", u.as_str().into());
        }
        if !self.digest.is_empty() {
            o.insert(
                "digest",
                Value::Object(Object(
                    self.digest
                        .iter()
                        .map(|(a, h)| (a.clone(), h.as_str().into()))
                        .collect(),
                )),
            );
        }
        Value::Object(o)
    }
}

/// A DigestSet at `path`: a non-empty object whose values are non-empty
/// lower-case hex strings.
fn digest_set(path: &str, v: &Value) -> FResult<DigestSet> {
    let Value::Object(o) = v else {
        return Err(FormatError::new(
            path,
            format!("expected an object of digests, got {}", v.kind()),
        ));
    };
    if o.is_empty() {
        return Err(FormatError::new(
            path,
            "is empty (a digest set needs a digest)",
        ));
    }
    let mut out = DigestSet::new();
    for (algo, hex) in o.iter() {
        let at = format!("{path}.{algo}");
        let Value::String(hex) = hex else {
            return Err(FormatError::new(
                at,
                format!("expected a hex string, got {}", hex.kind()),
            ));
        };
        if algo.is_empty() {
            return Err(FormatError::new(path, "has an empty algorithm name"));
        }
        if hex.is_empty()
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(FormatError::new(
                at,
                format!("{hex:?} is not lower-case hex"),
            ));
        }
        out.insert(algo.clone(), hex.clone());
    }
    Ok(out)
}

/// An in-toto Statement v1.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// What the statement is about (never empty).
    pub subject: Vec<ResourceDescriptor>,
    /// The predicate's type URI.
    pub predicate_type: String,
    /// The predicate (`None` when absent).
    pub predicate: Option<Object>,
}

impl Statement {
    /// Parses payload bytes strictly (duplicate keys, a byte-order mark,
    /// trailing data refused): `_type` exactly [`STATEMENT_V1`], a
    /// non-empty `subject` whose descriptors all carry a digest, a string
    /// `predicateType`, an object `predicate` when present. Other members
    /// are ignored, as the spec requires. Errors name the path from
    /// `payload`.
    pub fn from_payload(bytes: &[u8]) -> FResult<Statement> {
        let v = json::parse(bytes)
            .map_err(|e| FormatError::new("payload", format!("is not strict JSON: {e}")))?;
        Statement::from_value("payload", &v)
    }

    /// Like [`Statement::from_payload`], from a parsed value at `path`.
    pub fn from_value(path: &str, v: &Value) -> FResult<Statement> {
        let f = Fields::of(path, v)?;
        match f.get("_type") {
            Some(Value::String(s)) if s == STATEMENT_V1 => {}
            Some(Value::String(s)) => {
                return Err(FormatError::new(
                    f.sub("_type"),
                    format!("expected {STATEMENT_V1:?}, got {s:?}"),
                ));
            }
            Some(other) => {
                return Err(FormatError::new(
                    f.sub("_type"),
                    format!("expected {STATEMENT_V1:?}, got {}", other.kind()),
                ));
            }
            None if f.get("type").is_some() => {
                return Err(FormatError::new(
                    f.sub("_type"),
                    "missing; the statement has \"type\", which is not the Statement v1 \"_type\"",
                ));
            }
            None => {
                return Err(FormatError::new(
                    f.sub("_type"),
                    format!("missing (must be {STATEMENT_V1:?})"),
                ));
            }
        }
        let subject = match f.get("subject") {
            Some(Value::Array(a)) if a.is_empty() => {
                return Err(FormatError::new(
                    f.sub("subject"),
                    "is empty (a statement needs at least one subject)",
                ));
            }
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let at = format!("{}[{i}]", f.sub("subject"));
                    let rd = ResourceDescriptor::from_value(&at, s)?;
                    if rd.digest.is_empty() {
                        return Err(FormatError::new(
                            at,
                            "has no digest (every subject needs one)",
                        ));
                    }
                    Ok(rd)
                })
                .collect::<FResult<Vec<_>>>()?,
            Some(other) => {
                return Err(FormatError::new(
                    f.sub("subject"),
                    format!("expected an array, got {}", other.kind()),
                ));
            }
            None => return Err(FormatError::new(f.sub("subject"), "missing")),
        };
        let predicate_type = f.string("predicateType")?;
        let predicate = match f.get("predicate") {
            None => None,
            Some(Value::Object(o)) => Some(o.clone()),
            Some(other) => {
                return Err(FormatError::new(
                    f.sub("predicate"),
                    format!("expected an object, got {}", other.kind()),
                ));
            }
        };
        Ok(Statement {
            subject,
            predicate_type,
            predicate,
        })
    }

    /// As a JSON value (members sorted when written).
    pub fn to_value(&self) -> Value {
        let mut o = Object::default();
        o.insert("_type", STATEMENT_V1.into());
        o.insert(
            "subject",
            Value::Array(
                self.subject
                    .iter()
                    .map(ResourceDescriptor::to_value)
                    .collect(),
            ),
        );
        o.insert("predicateType", self.predicate_type.as_str().into());
        if let Some(p) = &self.predicate {
            o.insert("predicate", Value::Object(p.clone()));
        }
        Value::Object(o)
    }

    /// The payload bytes to sign: compact JSON with sorted keys, as the
    /// reference writes DSSE payloads.
    pub fn to_payload(&self) -> Result<Vec<u8>, serde_json::Error> {
        json::to_python_compact(&self.to_value())
    }
}
