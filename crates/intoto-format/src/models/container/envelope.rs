//! [`Envelope`], a metadata file in either container: read in one strict
//! pass (the top level, `signed` kept as its text), the bytes its
//! signatures cover, and the file bytes written as the reference writes
//! them.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::dsse::dsse_from;
use super::metablock::Canonical;
use super::signed::{SignedParts, SignedSeed, strict_error};
use super::{Dsse, Metablock, Signature, Signed};
use crate::format::MetadataError;
use crate::json::{self, CanonicalError, Object, Value};
use crate::models::{FResult, FormatError};

/// A metadata file: either container.
#[derive(Clone, Debug, PartialEq)]
pub enum Envelope {
    /// `{"signatures", "signed"}`
    Metablock(Metablock),
    /// `{"payload", "payloadType", "signatures"}`
    Dsse(Dsse),
}

impl Envelope {
    /// Parses a metadata file strictly (see [`crate::json`]) in one pass:
    /// `signed` is parsed where it stands. A file that fails, or whose
    /// `signed` must be canonicalised from its text (rare: a layout with
    /// keys out of order), is read again keeping that text, which gives
    /// the result and the error as they stand.
    pub fn from_slice(bytes: &[u8]) -> Result<Envelope, MetadataError> {
        if let Ok(doc) = json::parse_seed(bytes, DocSeed { raw: false })
            && let Ok(Some(env)) = doc.into_envelope_parsed()
        {
            return Ok(env);
        }
        Ok(json::parse_seed(bytes, DocSeed { raw: true })?.into_envelope()?)
    }

    /// The link or layout inside.
    pub fn signed(&self) -> &Signed {
        match self {
            Envelope::Metablock(m) => &m.signed,
            Envelope::Dsse(d) => &d.signed,
        }
    }

    /// Takes the link or layout out.
    pub fn into_signed(self) -> Signed {
        match self {
            Envelope::Metablock(m) => m.signed,
            Envelope::Dsse(d) => d.signed,
        }
    }

    /// The bytes this container's signatures cover.
    pub fn signed_bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Envelope::Metablock(m) => m.canonical_bytes(),
            Envelope::Dsse(d) => Cow::Owned(d.pae()),
        }
    }

    /// Key ids of the signatures, in order.
    pub fn signature_keyids(&self) -> Vec<String> {
        match self {
            Envelope::Metablock(m) => m.signatures.iter().map(|s| s.keyid().to_owned()).collect(),
            Envelope::Dsse(d) => d.signatures.iter().map(|s| s.keyid.clone()).collect(),
        }
    }

    /// True for DSSE.
    pub fn is_dsse(&self) -> bool {
        matches!(self, Envelope::Dsse(_))
    }

    /// A new unsigned container of the given kind around `signed`.
    pub fn new(signed: Signed, dsse: bool) -> Result<Envelope, CanonicalError> {
        if dsse {
            let value = json::parse(&signed.known_fields_json()?)
                .map_err(|e| CanonicalError::new(e.to_string()))?;
            let payload =
                json::to_python_compact(&value).map_err(|e| CanonicalError::new(e.to_string()))?;
            Ok(Envelope::Dsse(Dsse {
                payload,
                signatures: Vec::new(),
                signed,
            }))
        } else {
            Ok(Envelope::Metablock(Metablock::new(signed)?))
        }
    }

    /// Drops all signatures.
    pub fn clear_signatures(&mut self) {
        match self {
            Envelope::Metablock(m) => m.signatures.clear(),
            Envelope::Dsse(d) => d.signatures.clear(),
        }
    }

    /// The file bytes, written as the reference writes them.
    pub fn to_file_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        let mut out = Vec::new();
        self.write_file_bytes(&mut out)
            .map_err(|e| CanonicalError::new(e.to_string()))?;
        Ok(out)
    }

    /// Writes [`Envelope::to_file_bytes`] into `w`; a Metablock is
    /// written piece by piece, never whole in memory.
    pub fn write_file_bytes(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Envelope::Metablock(m) => m.write_file_bytes(w),
            Envelope::Dsse(d) => w.write_all(&json::to_python_compact(d)?),
        }
    }
}

/// The top level of a metadata file; `signed` kept as its JSON text, or
/// parsed where it stands.
struct Doc<'de> {
    signed: Option<SignedField<'de>>,
    other: Object,
}

enum SignedField<'de> {
    Raw(&'de RawValue),
    Parsed(SignedParts),
}

/// `raw`: keep `signed` as its text (parsed afterwards).
struct DocSeed {
    raw: bool,
}

impl<'de> DeserializeSeed<'de> for DocSeed {
    type Value = Doc<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Doc<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocSeed {
    type Value = Doc<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an in-toto metadata object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc<'de>, A::Error> {
        let mut doc = Doc {
            signed: None,
            other: Object::default(),
        };
        while let Some(key) = map.next_key::<String>()? {
            if doc.other.contains_key(&key) || (key == "signed" && doc.signed.is_some()) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key {key:?} in an object"
                )));
            }
            if key == "signed" {
                doc.signed = Some(if self.raw {
                    SignedField::Raw(map.next_value()?)
                } else {
                    SignedField::Parsed(map.next_value_seed(SignedSeed("signed"))?)
                });
            } else {
                let v: Value = map.next_value()?;
                doc.other.0.push((key, v));
            }
        }
        Ok(doc)
    }
}

impl Doc<'_> {
    /// The envelope of a Metablock whose `signed` was parsed where it
    /// stood; `None` when its canonical bytes need its text (or it is not
    /// a plain Metablock).
    fn into_envelope_parsed(self) -> FResult<Option<Envelope>> {
        let Some(SignedField::Parsed(parts)) = self.signed else {
            return Ok(None);
        };
        if self.other.contains_key("payload") {
            return Ok(None);
        }
        let Some(canonical) = parts
            .link_canonical()
            .or_else(|| json::to_canonical_direct(&parts).map(Canonical::Bytes))
        else {
            return Ok(None);
        };
        let signatures = signatures_of(&self.other)?;
        let signed = parts.into_signed("signed")?;
        Ok(Some(Envelope::Metablock(Metablock {
            signatures,
            signed,
            canonical,
        })))
    }

    fn into_envelope(self) -> FResult<Envelope> {
        let has_payload = self.other.contains_key("payload");
        let signed = match self.signed {
            Some(SignedField::Raw(raw)) => Some(raw),
            Some(SignedField::Parsed(_)) => {
                return Err(FormatError::new("signed", "read without its text"));
            }
            None => None,
        };
        match (has_payload, signed) {
            (true, Some(_)) => Err(FormatError::new(
                "document",
                "has both \"payload\" (DSSE) and \"signed\" (Metablock); refusing an ambiguous container",
            )),
            (true, None) => Ok(Envelope::Dsse(dsse_from(&self.other)?)),
            (false, Some(raw)) => {
                let signatures = signatures_of(&self.other)?;
                let text = raw.get().as_bytes();
                let parts = json::parse_seed(text, SignedSeed("signed"))
                    .map_err(|e| strict_error("signed", e))?;
                // A link's canonical bytes are kept as its parts (written
                // when a signature is checked, never whole); a layout's
                // come from what was just parsed (no second parse of the
                // text), and from the text only when that is not
                // canonical as it stands (a float: `canonicalize` says why).
                let lazy = parts.link_canonical();
                let direct = match lazy {
                    Some(_) => None,
                    None => json::to_canonical_direct_sized(&parts, text.len()),
                };
                let signed = parts.into_signed("signed")?;
                let canonical = match (lazy, direct) {
                    (Some(c), _) => c,
                    (None, Some(c)) => Canonical::Bytes(c),
                    (None, None) => Canonical::Bytes(
                        json::canonicalize(text)
                            .map_err(|e| FormatError::new("signed", e.to_string()))?,
                    ),
                };
                Ok(Envelope::Metablock(Metablock {
                    signatures,
                    signed,
                    canonical,
                }))
            }
            (false, None) => Err(FormatError::new(
                "document",
                "is not in-toto metadata (no \"signed\" and no \"payload\")",
            )),
        }
    }
}

/// A Metablock's signatures (`null` is what in-toto-golang writes for
/// none).
fn signatures_of(top: &Object) -> FResult<Vec<Signature>> {
    match top.get("signatures") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, s)| Signature::from_value(&format!("signatures[{i}]"), s))
            .collect(),
        Some(other) => Err(FormatError::new(
            "signatures",
            format!("expected an array, got {}", other.kind()),
        )),
    }
}
