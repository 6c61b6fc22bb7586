//! The classic container, `{"signatures": [...], "signed": {...}}`, and
//! its signatures (plain or the OpenPGP triple): the canonical bytes of
//! `signed` are what is signed, verified and written back.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::Signed;
use super::signed::{ArtifactMember, PartsView};
use crate::json::{self, CanonicalError, Object, Value};
use crate::models::{Artifacts, FResult, Fields, FormatError, Link};

/// One signature in a Metablock (or a DSSE envelope, decoded).
#[derive(Clone, Debug, PartialEq)]
pub enum Signature {
    /// securesystemslib's `{"keyid", "sig"}`; `sig` is hex in a Metablock.
    Plain {
        /// The signing key's id.
        keyid: String,
        /// The signature, as stored (hex in Metablocks); may be malformed.
        sig: String,
        /// Other fields, kept as they were.
        extra: Object,
    },
    /// The OpenPGP triple `{"keyid", "other_headers", "signature"}`.
    Gpg {
        /// Fingerprint of the (sub)key that signed, lower-case hex.
        keyid: String,
        /// Hex of the v4 signature packet up to the end of the hashed area.
        other_headers: String,
        /// Hex of the signature value (see `intoto::keys::openpgp`).
        signature: String,
        /// Other fields, kept as they were.
        extra: Object,
    },
}

impl Signature {
    /// The `keyid` field.
    pub fn keyid(&self) -> &str {
        match self {
            Signature::Plain { keyid, .. } | Signature::Gpg { keyid, .. } => keyid,
        }
    }

    pub(super) fn from_value(path: &str, v: &Value) -> FResult<Signature> {
        let f = Fields::of(path, v)?;
        let keyid = f.string("keyid")?;
        let mut extra = f.obj.clone();
        for k in ["keyid", "sig", "signature", "other_headers"] {
            extra.remove(k);
        }
        if f.obj.contains_key("signature") && f.obj.contains_key("other_headers") {
            Ok(Signature::Gpg {
                keyid,
                other_headers: f.string("other_headers")?,
                signature: f.string("signature")?,
                extra,
            })
        } else if f.obj.contains_key("sig") {
            Ok(Signature::Plain {
                keyid,
                sig: f.string("sig")?,
                extra,
            })
        } else {
            Err(FormatError::new(
                path,
                "not a signature: needs \"sig\", or \"signature\" and \"other_headers\"",
            ))
        }
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut obj = match self {
            Signature::Plain { extra, .. } | Signature::Gpg { extra, .. } => extra.clone(),
        };
        match self {
            Signature::Plain { keyid, sig, .. } => {
                obj.insert("keyid", keyid.as_str().into());
                obj.insert("sig", sig.as_str().into());
            }
            Signature::Gpg {
                keyid,
                other_headers,
                signature,
                ..
            } => {
                obj.insert("keyid", keyid.as_str().into());
                obj.insert("other_headers", other_headers.as_str().into());
                obj.insert("signature", signature.as_str().into());
            }
        }
        obj.serialize(s)
    }
}

/// The classic container: `{"signatures": [...], "signed": {...}}`.
///
/// Signatures cover the canonical JSON of the whole `signed` value as it
/// stands in the file, fields the model does not know included, so nobody
/// can add fields to a signed file without breaking its signatures. The
/// typed model is a view for reading; the canonical bytes are what is
/// signed, verified and written back. A link read from a file keeps them
/// as its parts (the model's artifact maps and the other members as they
/// stood) and writes them on demand ([`Metablock::write_canonical`]), so a
/// link of many artifacts is not held twice.
#[derive(Clone, Debug)]
pub struct Metablock {
    /// Signatures over [`Metablock::canonical_bytes`].
    pub signatures: Vec<Signature>,
    pub(super) signed: Signed,
    pub(super) canonical: Canonical,
}

/// Where a Metablock's canonical bytes come from.
#[derive(Clone, Debug)]
pub(super) enum Canonical {
    /// Held whole: layouts, and what intoto builds to sign.
    Bytes(Vec<u8>),
    /// A link read from a file: its members other than the artifact maps
    /// as they stood (keys sorted, checked to have a canonical form), and
    /// how each artifact map stood; the maps are the model's.
    Link {
        rest: Object,
        materials: Stood,
        products: Stood,
    },
}

/// How an artifact map stood in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stood {
    Absent,
    Null,
    Map,
}

impl PartialEq for Metablock {
    fn eq(&self, other: &Metablock) -> bool {
        self.signatures == other.signatures
            && self.signed == other.signed
            && self.canonical_bytes() == other.canonical_bytes()
    }
}

impl Metablock {
    /// An unsigned Metablock around `signed` (only the fields the model
    /// knows, so the reference verifies what is written).
    pub fn new(signed: Signed) -> Result<Metablock, CanonicalError> {
        // Straight from the model (no JSON text in between, which for a
        // link of many artifacts would double the memory); through the
        // text when the model's output is not canonical as it stands.
        let direct = match &signed {
            Signed::Link(link) => model_link_canonical(link),
            Signed::Layout(_) => json::to_canonical_direct(&signed),
        };
        let canonical = match direct {
            Some(c) => c,
            None => json::canonicalize(&signed.known_fields_json()?)?,
        };
        Ok(Metablock {
            signatures: Vec::new(),
            signed,
            canonical: Canonical::Bytes(canonical),
        })
    }

    /// The link or layout, as the model reads it.
    pub fn signed(&self) -> &Signed {
        &self.signed
    }

    /// The canonical JSON of `signed`: the bytes its signatures cover
    /// (made whole for a link read from a file; see
    /// [`Metablock::write_canonical`]).
    pub fn canonical_bytes(&self) -> Cow<'_, [u8]> {
        match &self.canonical {
            Canonical::Bytes(b) => Cow::Borrowed(b),
            Canonical::Link { .. } => {
                let mut out = Vec::new();
                // Writing into memory fails only if the parts are not
                // canonical after all, which parsing ruled out; then no
                // signature verifies over the bytes written so far.
                let _ = self.write_canonical(&mut out);
                Cow::Owned(out)
            }
        }
    }

    /// Writes [`Metablock::canonical_bytes`] into `w` in pieces (64 KiB
    /// at a time for a link read from a file): for checking a signature
    /// without the whole in memory.
    pub fn write_canonical(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match (&self.canonical, &self.signed) {
            (Canonical::Bytes(b), _) => w.write_all(b),
            (
                Canonical::Link {
                    rest,
                    materials,
                    products,
                },
                Signed::Link(link),
            ) => {
                let member = |stood: Stood, map| match stood {
                    Stood::Absent => ArtifactMember::Absent,
                    Stood::Null => ArtifactMember::Null,
                    Stood::Map => ArtifactMember::Map(map),
                };
                PartsView {
                    rest,
                    materials: member(*materials, &link.materials),
                    products: member(*products, &link.products),
                }
                .write_canonical(w)
            }
            (Canonical::Link { .. }, Signed::Layout(_)) => Err(std::io::Error::other(
                "a layout kept as the parts of a link",
            )),
        }
    }

    /// Writes the file bytes, as the reference writes them
    /// (`json.dumps(indent=1, sort_keys=True)`), straight from the
    /// canonical bytes: no value tree.
    pub(super) fn write_file_bytes(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let sigs = json::to_python_pretty(&self.signatures)?;
        let mut head = Vec::with_capacity(sigs.len() + 64);
        head.extend_from_slice(b"{\n \"signatures\": ");
        // One level deeper; pretty JSON has no raw newline inside strings.
        for &c in &sigs {
            head.push(c);
            if c == b'\n' {
                head.push(b' ');
            }
        }
        head.extend_from_slice(b",\n \"signed\": ");
        w.write_all(&head)?;
        json::write_canonical_as_python_pretty(&self.canonical_bytes(), 1, w)?;
        w.write_all(b"\n}")
    }

    /// True when `signed` holds exactly what the model knows, so the
    /// Python reference (which rebuilds the object from known fields and
    /// defaults before checking) checks these same bytes.
    pub fn matches_model(&self) -> bool {
        Metablock::new(self.signed.clone())
            .is_ok_and(|m| m.canonical_bytes() == self.canonical_bytes())
    }
}

/// The canonical bytes of a link built from the model: its artifact maps by
/// their own writer, its other members sorted first (a run's byproducts,
/// `stdout`, `stderr`, `return-value`, are not in order as built). `None`
/// when those have no canonical form.
fn model_link_canonical(link: &Link) -> Option<Vec<u8>> {
    let n = &link.nulls;
    let or_null = |field: &str, value: Value, empty: bool| {
        if empty && n.contains(field) {
            Value::Null
        } else {
            value
        }
    };
    let command = link.command.iter().cloned().map(Value::String).collect();
    let mut rest = Object(vec![
        ("_type".into(), Value::String("link".into())),
        (
            "byproducts".into(),
            or_null(
                "byproducts",
                Value::Object(link.byproducts.clone()),
                link.byproducts.is_empty(),
            ),
        ),
        (
            "command".into(),
            or_null("command", Value::Array(command), link.command.is_empty()),
        ),
        (
            "environment".into(),
            or_null(
                "environment",
                Value::Object(link.environment.clone()),
                link.environment.is_empty(),
            ),
        ),
        ("name".into(), Value::String(link.name.clone())),
    ]);
    rest.sort_keys();
    fn member<'a>(n: &crate::models::Nulls, field: &str, map: &'a Artifacts) -> ArtifactMember<'a> {
        if map.is_empty() && n.contains(field) {
            ArtifactMember::Null
        } else {
            ArtifactMember::Map(map)
        }
    }
    let mut out = Vec::new();
    PartsView {
        rest: &rest,
        materials: member(n, "materials", &link.materials),
        products: member(n, "products", &link.products),
    }
    .write_canonical(&mut out)
    .ok()?;
    Some(out)
}

impl Serialize for Metablock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let signed =
            json::parse_canonical(&self.canonical_bytes()).map_err(serde::ser::Error::custom)?;
        let mut st = s.serialize_struct("Metablock", 2)?;
        st.serialize_field("signatures", &self.signatures)?;
        st.serialize_field("signed", &signed)?;
        st.end()
    }
}
