//! The DSSE envelope: the payload bytes as signed, its signatures
//! (base64, decoded), the pre-authentication encoding they cover, and
//! reading an envelope's members.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::Signed;
use super::signed::{SignedSeed, strict_error};
use crate::json::{self, Object, Value};
use crate::models::{FResult, Fields, FormatError};

/// The DSSE payload type of in-toto link and layout payloads.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// One DSSE signature, with its signature bytes decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct DsseSignature {
    /// The signing key's id.
    pub keyid: String,
    /// The signature bytes (for OpenPGP keys: a binary v4 signature packet).
    pub sig: Vec<u8>,
    /// Other fields, kept as they were.
    pub extra: Object,
}

/// A DSSE envelope holding an in-toto payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Dsse {
    /// The exact payload bytes that were signed.
    pub payload: Vec<u8>,
    /// Signatures over [`pae`] of the payload.
    pub signatures: Vec<DsseSignature>,
    /// The payload, parsed.
    pub signed: Signed,
}

impl Dsse {
    /// The bytes DSSE signatures cover.
    pub fn pae(&self) -> Vec<u8> {
        pae(PAYLOAD_TYPE, &self.payload)
    }
}

/// DSSE's pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

impl Serialize for Dsse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("payload", &B64.encode(&self.payload))?;
        m.serialize_entry("payloadType", PAYLOAD_TYPE)?;
        let sigs: Vec<Object> = self
            .signatures
            .iter()
            .map(|sig| {
                let mut o = sig.extra.clone();
                o.insert("keyid", sig.keyid.as_str().into());
                o.insert("sig", B64.encode(&sig.sig).into());
                o
            })
            .collect();
        m.serialize_entry("signatures", &sigs)?;
        m.end()
    }
}

/// Standard base64 with padding, and nothing else (no whitespace, no
/// URL-safe alphabet, canonical trailing bits).
fn strict_b64(path: &str, s: &str) -> FResult<Vec<u8>> {
    B64.decode(s)
        .map_err(|e| FormatError::new(path, format!("is not strict base64: {e}")))
}

pub(super) fn dsse_from(obj: &Object) -> FResult<Dsse> {
    let f = Fields { path: "", obj };
    let ptype = f.string("payloadType")?;
    if ptype != PAYLOAD_TYPE {
        return Err(FormatError::new(
            "payloadType",
            format!("expected {PAYLOAD_TYPE:?}, got {ptype:?}"),
        ));
    }
    let payload = strict_b64("payload", &f.string("payload")?)?;
    let mut signatures = Vec::new();
    match f.get("signatures") {
        // in-toto-golang writes a nil list of signatures as `null`.
        Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            for (i, s) in a.iter().enumerate() {
                let path = format!("signatures[{i}]");
                let sf = Fields::of(&path, s)?;
                let keyid = sf.string("keyid")?;
                let sig = strict_b64(&sf.sub("sig"), &sf.string("sig")?)?;
                if signatures.iter().any(|s: &DsseSignature| s.keyid == keyid) {
                    return Err(FormatError::new(
                        &path,
                        format!("a second signature for key id {keyid}"),
                    ));
                }
                let mut extra = sf.obj.clone();
                extra.remove("keyid");
                extra.remove("sig");
                signatures.push(DsseSignature { keyid, sig, extra });
            }
        }
        Some(other) => {
            return Err(FormatError::new(
                "signatures",
                format!("expected an array, got {}", other.kind()),
            ));
        }
        None => return Err(FormatError::new("signatures", "missing")),
    }
    let parts = json::parse_seed(&payload, SignedSeed("payload"))
        .map_err(|e| strict_error("payload", e))?;
    let signed = parts.into_signed("payload")?;
    Ok(Dsse {
        payload,
        signatures,
        signed,
    })
}
