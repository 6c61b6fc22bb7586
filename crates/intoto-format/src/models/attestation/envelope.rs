//! [`AttestationEnvelope`]: a DSSE envelope read as the DSSE spec asks of
//! verifiers (payload and signatures in standard or URL-safe base64, with
//! or without padding; `keyid` optional and only a hint), its payload kept
//! as bytes and not parsed until a signature over it has been checked.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use crate::json::{self, Object, Value};
use crate::models::{DsseSignature, FResult, Fields, FormatError, pae};

/// A DSSE envelope whose payload has not been parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct AttestationEnvelope {
    /// `payloadType`, as written (the PAE covers it).
    pub payload_type: String,
    /// The payload bytes, decoded.
    pub payload: Vec<u8>,
    /// The signatures, decoded (`keyid` empty when absent).
    pub signatures: Vec<DsseSignature>,
}

/// Decodes base64 in either alphabet, padded or not (DSSE verifiers must
/// accept both encodings); `None` when it is neither.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

impl AttestationEnvelope {
    /// Reads an envelope strictly (strict JSON; `payloadType`, `payload`
    /// and `signatures` required, each signature with a `sig`; a `signed`
    /// member, which would make it a Metablock too, refused). The payload
    /// is only decoded.
    pub fn from_slice(bytes: &[u8]) -> FResult<AttestationEnvelope> {
        let v = json::parse(bytes)
            .map_err(|e| FormatError::new("document", format!("is not strict JSON: {e}")))?;
        let f = Fields::of("document", &v)?;
        if f.get("signed").is_some() {
            return Err(FormatError::new(
                "document",
                "has both \"payload\" (DSSE) and \"signed\" (Metablock); refusing an ambiguous container",
            ));
        }
        let f = Fields {
            path: "",
            obj: f.obj,
        };
        let payload_type = f.string("payloadType")?;
        let payload = decode_base64(&f.string("payload")?)
            .ok_or_else(|| FormatError::new("payload", "is not base64"))?;
        let list = match f.get("signatures") {
            Some(Value::Array(a)) => a,
            Some(other) => {
                return Err(FormatError::new(
                    "signatures",
                    format!("expected an array, got {}", other.kind()),
                ));
            }
            None => return Err(FormatError::new("signatures", "missing")),
        };
        let mut signatures = Vec::with_capacity(list.len());
        for (i, s) in list.iter().enumerate() {
            let path = format!("signatures[{i}]");
            let sf = Fields::of(&path, s)?;
            let keyid = match sf.get("keyid") {
                None | Some(Value::Null) => String::new(),
                Some(_) => sf.string("keyid")?,
            };
            let sig = decode_base64(&sf.string("sig")?)
                .ok_or_else(|| FormatError::new(sf.sub("sig"), "is not base64"))?;
            let mut extra = sf.obj.clone();
            extra.remove("keyid");
            extra.remove("sig");
            signatures.push(DsseSignature { keyid, sig, extra });
        }
        Ok(AttestationEnvelope {
            payload_type,
            payload,
            signatures,
        })
    }

    /// The bytes the signatures cover: PAE(payloadType, payload).
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// The envelope as written: compact JSON, sorted keys, standard
    /// base64, as intoto writes DSSE.
    pub fn to_file_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        use base64::engine::general_purpose::STANDARD as B64;
        let sigs: Vec<Value> = self
            .signatures
            .iter()
            .map(|s| {
                let mut o = s.extra.clone();
                o.insert("keyid", s.keyid.as_str().into());
                o.insert("sig", B64.encode(&s.sig).into());
                Value::Object(o)
            })
            .collect();
        let mut o = Object::default();
        o.insert("payload", B64.encode(&self.payload).into());
        o.insert("payloadType", self.payload_type.as_str().into());
        o.insert("signatures", Value::Array(sigs));
        json::to_python_compact(&Value::Object(o))
    }
}

/// Whether a DSSE payload is meant as an in-toto Statement: its top level
/// has `subject` or `predicateType`, or a `_type` (or `type`) naming a
/// Statement. Only that is looked at, leniently, to choose how the file is
/// read; the Statement itself is parsed from the payload once a signature
/// over it has been checked.
pub fn looks_like_statement(payload: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Peek {
        #[serde(rename = "_type")]
        type_: Option<serde::de::IgnoredAny>,
        #[serde(rename = "type")]
        alt_type: Option<serde::de::IgnoredAny>,
        subject: Option<serde::de::IgnoredAny>,
        #[serde(rename = "predicateType")]
        predicate_type: Option<serde::de::IgnoredAny>,
    }
    #[derive(serde::Deserialize)]
    struct Types {
        #[serde(rename = "_type")]
        type_: Option<String>,
        #[serde(rename = "type")]
        alt_type: Option<String>,
    }
    let Ok(p) = serde_json::from_slice::<Peek>(payload) else {
        return false;
    };
    if p.subject.is_some() || p.predicate_type.is_some() {
        return true;
    }
    if p.type_.is_none() && p.alt_type.is_none() {
        return false;
    }
    let statement = |t: &Option<String>| {
        t.as_deref()
            .is_some_and(|t| t.starts_with("https://in-toto.io/Statement/"))
    };
    serde_json::from_slice::<Types>(payload)
        .is_ok_and(|t| statement(&t.type_) || statement(&t.alt_type))
}
