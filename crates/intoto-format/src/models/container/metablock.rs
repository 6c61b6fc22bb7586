//! The classic container, `{"signatures": [...], "signed": {...}}`, and
//! its signatures (plain or the OpenPGP triple): the canonical bytes of
//! `signed` are what is signed, verified and written back.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::Signed;
use crate::json::{self, CanonicalError, Object, Value};
use crate::models::{FResult, Fields, FormatError};

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
/// signed, verified and written back.
#[derive(Clone, Debug, PartialEq)]
pub struct Metablock {
    /// Signatures over [`Metablock::canonical_bytes`].
    pub signatures: Vec<Signature>,
    pub(super) signed: Signed,
    pub(super) canonical: Vec<u8>,
}

impl Metablock {
    /// An unsigned Metablock around `signed` (only the fields the model
    /// knows, so the reference verifies what is written).
    pub fn new(signed: Signed) -> Result<Metablock, CanonicalError> {
        // Straight from the model (no JSON text in between, which for a
        // link of many artifacts would double the memory); through the
        // text when the model's output is not canonical as it stands.
        let canonical = match json::to_canonical_direct(&signed) {
            Some(c) => c,
            None => json::canonicalize(&signed.known_fields_json()?)?,
        };
        Ok(Metablock {
            signatures: Vec::new(),
            signed,
            canonical,
        })
    }

    /// The link or layout, as the model reads it.
    pub fn signed(&self) -> &Signed {
        &self.signed
    }

    /// The canonical JSON of `signed`: the bytes its signatures cover.
    pub fn canonical_bytes(&self) -> &[u8] {
        &self.canonical
    }

    /// Writes the file bytes, as the reference writes them
    /// (`json.dumps(indent=1, sort_keys=True)`), straight from the
    /// canonical bytes: no value tree and no whole copy, however many
    /// artifacts.
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
        json::write_canonical_as_python_pretty(&self.canonical, 1, w)?;
        w.write_all(b"\n}")
    }

    /// True when `signed` holds exactly what the model knows, so the
    /// Python reference (which rebuilds the object from known fields and
    /// defaults before checking) checks these same bytes.
    pub fn matches_model(&self) -> bool {
        Metablock::new(self.signed.clone()).is_ok_and(|m| m.canonical == self.canonical)
    }
}

impl Serialize for Metablock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let signed = json::parse_canonical(&self.canonical).map_err(serde::ser::Error::custom)?;
        let mut st = s.serialize_struct("Metablock", 2)?;
        st.serialize_field("signatures", &self.signatures)?;
        st.serialize_field("signed", &signed)?;
        st.end()
    }
}
