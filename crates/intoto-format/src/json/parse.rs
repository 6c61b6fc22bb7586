//! The strict parser. Metadata is read from files an attacker may have
//! written, so every document goes through [`parse_seed`], which refuses a
//! byte-order mark and trailing data, and the seeds refuse duplicate keys
//! at any level; serde_json refuses the rest (escapes, surrogates, depth).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Object, Value};

/// Deepest nesting accepted in metadata (serde_json's own recursion limit).
pub const MAX_DEPTH: usize = 128;

/// Why a document is not acceptable JSON.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The document starts with a UTF-8 byte-order mark.
    #[error("starts with a byte-order mark")]
    Bom,
    /// Some object has the same key twice.
    #[error("duplicate key {0:?} in an object")]
    DuplicateKey(String),
    /// Anything serde_json rejects (syntax, escapes, surrogates, depth, ...).
    #[error("{0}")]
    Syntax(String),
}

/// Parses a whole document strictly.
pub fn parse(bytes: &[u8]) -> Result<Value, ParseError> {
    parse_seed(bytes, std::marker::PhantomData::<Value>).map_err(|e| match e {
        StrictError::Bom => ParseError::Bom,
        StrictError::Json(e) => {
            let msg = e.to_string();
            match msg.strip_prefix(DUP_PREFIX) {
                Some(rest) => {
                    // serde_json appends " at line L column C"; keep the key only.
                    let key = rest.rsplit_once(" at line ").map_or(rest, |(k, _)| k);
                    ParseError::DuplicateKey(key.trim_matches('"').to_owned())
                }
                None => ParseError::Syntax(msg),
            }
        }
    })
}

/// Why [`parse_seed`] rejected a document.
#[derive(Debug)]
pub(crate) enum StrictError {
    /// It starts with a UTF-8 byte-order mark.
    Bom,
    /// serde_json (or the seed) rejected it.
    Json(serde_json::Error),
}

/// Runs `seed` over a whole document: no byte-order mark before the value
/// and nothing but whitespace after it. Every strict parse goes through
/// here; the seeds reject duplicate keys.
pub(crate) fn parse_seed<'de, S: de::DeserializeSeed<'de>>(
    bytes: &'de [u8],
    seed: S,
) -> Result<S::Value, StrictError> {
    if bytes.starts_with(b"\xef\xbb\xbf") {
        return Err(StrictError::Bom);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = seed.deserialize(&mut de).map_err(StrictError::Json)?;
    de.end().map_err(StrictError::Json)?;
    Ok(value)
}

pub(super) const DUP_PREFIX: &str = "duplicate key ";

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i.into()))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Int(u.into()))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        if !f.is_finite() {
            return Err(E::custom("number out of range"));
        }
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value()?;
            out.push((key, value));
        }
        if let Some(dup) = first_duplicate(&out) {
            return Err(de::Error::custom(format_args!("{DUP_PREFIX}{dup:?}")));
        }
        Ok(Value::Object(Object(out)))
    }
}

fn first_duplicate(entries: &[(String, Value)]) -> Option<&str> {
    if entries.len() <= 16 {
        for (i, (k, _)) in entries.iter().enumerate() {
            if entries[..i].iter().any(|(o, _)| o == k) {
                return Some(k);
            }
        }
        return None;
    }
    let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}
