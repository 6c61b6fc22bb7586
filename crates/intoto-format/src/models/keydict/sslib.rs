//! The PEM key dict (securesystemslib's format) for file keys: Ed25519, ECDSA (P-256, P-384) and RSA (PSS or
//! PKCS#1 v1.5 with SHA-2), as securesystemslib uses them.
//!
//! Private keys are PKCS#8 (optionally encrypted with PBES2) or PKCS#1
//! RSA; public keys are SubjectPublicKeyInfo. Key dicts are byte-identical
//! to securesystemslib's: RSA and ECDSA public keys are stored as the PEM
//! text pyca/cryptography writes (64-column base64, LF, trailing LF),
//! Ed25519 as 64 hex digits, and the key id is the sha256 of the
//! canonical `{"keytype", "scheme", "keyval"}`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::keyid::{LEGACY_KEYID_HASH_ALGORITHMS, id_fields, keyid_derivations, sslib_keyid};
use crate::format::der;
use crate::format::{FResult, Fields, FormatError, is_hex};
use crate::json::{Object, Value};

/// The RSA signature schemes securesystemslib names (the verifiers are
/// in `intoto::keys::pem`).
pub const RSA_SCHEMES: [&str; 6] = [
    "rsassa-pss-sha256",
    "rsassa-pss-sha384",
    "rsassa-pss-sha512",
    "rsa-pkcs1v15-sha256",
    "rsa-pkcs1v15-sha384",
    "rsa-pkcs1v15-sha512",
];

/// DER body of the OID rsaEncryption.
pub const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// DER body of the OID id-ecPublicKey.
pub const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// DER body of the OID prime256v1 (P-256).
pub const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER body of the OID secp384r1 (P-384).
pub const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// DER body of the OID id-Ed25519.
pub const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// The public material of a file key.
#[derive(Clone, Debug, PartialEq)]
pub enum Public {
    /// 32 raw bytes.
    Ed25519(Vec<u8>),
    /// Uncompressed point on P-256 or P-384.
    Ecdsa {
        /// `true` for P-384.
        p384: bool,
        /// `04 || x || y`.
        point: Vec<u8>,
    },
    /// DER `RSAPublicKey`.
    Rsa(Vec<u8>),
}

impl Public {
    /// SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> Vec<u8> {
        let (alg, key) = match self {
            Public::Ed25519(k) => (der::tlv(0x30, &der::tlv(0x06, OID_ED25519)), k.clone()),
            Public::Ecdsa { p384, point } => {
                let mut a = der::tlv(0x06, OID_EC);
                a.extend(der::tlv(0x06, if *p384 { OID_P384 } else { OID_P256 }));
                (der::tlv(0x30, &a), point.clone())
            }
            Public::Rsa(k) => {
                let mut a = der::tlv(0x06, OID_RSA);
                a.extend([0x05, 0x00]);
                (der::tlv(0x30, &a), k.clone())
            }
        };
        let mut bits = vec![0u8];
        bits.extend(key);
        let mut body = alg;
        body.extend(der::tlv(0x03, &bits));
        der::tlv(0x30, &body)
    }

    /// The PEM text pyca/cryptography writes for this key.
    pub fn spki_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.spki_der())
    }

    /// securesystemslib's `(keytype, default scheme, keyval.public)`.
    pub(crate) fn sslib_parts(&self) -> (&'static str, &'static str, String) {
        match self {
            Public::Ed25519(k) => ("ed25519", "ed25519", hex::encode(k)),
            Public::Ecdsa { p384: false, .. } => ("ecdsa", "ecdsa-sha2-nistp256", self.spki_pem()),
            Public::Ecdsa { p384: true, .. } => ("ecdsa", "ecdsa-sha2-nistp384", self.spki_pem()),
            Public::Rsa(_) => ("rsa", "rsassa-pss-sha256", self.spki_pem()),
        }
    }
}

/// PEM with 64-column lines and a trailing newline.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = B64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Why PEM text or the DER key material in it cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyMaterialError {
    /// The text is not UTF-8.
    #[error("not PEM text (not UTF-8)")]
    NotUtf8,
    /// No `-----BEGIN` line.
    #[error("not PEM (no -----BEGIN line)")]
    NoBegin,
    /// The `-----BEGIN` line does not end.
    #[error("malformed PEM header")]
    MalformedHeader,
    /// The block with this label has no `-----END` line.
    #[error("PEM block {0:?} has no END line")]
    NoEnd(String),
    /// A second block follows the first.
    #[error("holds more than one PEM block ({first:?} and {second:?}): give one key per file")]
    SeveralBlocks {
        /// The first block's label.
        first: String,
        /// The start of the second block's label.
        second: String,
    },
    /// The body is not base64.
    #[error("PEM body is not base64: {0}")]
    Base64(base64::DecodeError),
    /// Not a DER SubjectPublicKeyInfo.
    #[error("malformed SubjectPublicKeyInfo")]
    MalformedSpki,
    /// An elliptic curve other than P-256 and P-384.
    #[error("unsupported elliptic curve (supported: P-256, P-384)")]
    UnsupportedCurve,
    /// An ECDSA point that is not uncompressed or has the wrong size.
    #[error("ECDSA key is not an uncompressed point")]
    CompressedPoint,
    /// Not a DER `RSAPublicKey`.
    #[error("malformed RSA public key")]
    MalformedRsa,
    /// A key algorithm other than RSA, ECDSA and Ed25519.
    #[error("unsupported key type (supported: rsa, ecdsa P-256/P-384, ed25519)")]
    UnsupportedKeyType,
}

/// Decodes the first PEM block: (label, DER).
pub fn pem_decode(text: &[u8]) -> Result<(String, Vec<u8>), KeyMaterialError> {
    let text = std::str::from_utf8(text).map_err(|_| KeyMaterialError::NotUtf8)?;
    let start = text.find("-----BEGIN ").ok_or(KeyMaterialError::NoBegin)?;
    let rest = &text[start + 11..];
    let end_label = rest
        .find("-----")
        .ok_or(KeyMaterialError::MalformedHeader)?;
    let label = &rest[..end_label];
    let body_start = &rest[end_label + 5..];
    let footer = format!("-----END {label}-----");
    let body_end = body_start
        .find(&footer)
        .ok_or_else(|| KeyMaterialError::NoEnd(label.to_owned()))?;
    // A second key in the file is an error, not "the first one wins".
    if let Some(i) = body_start[body_end..].find("-----BEGIN ") {
        let second = &body_start[body_end + i + 11..];
        let second = &second[..second.find("-----").unwrap_or(second.len()).min(40)];
        return Err(KeyMaterialError::SeveralBlocks {
            first: label.to_owned(),
            second: second.to_owned(),
        });
    }
    let body: String = body_start[..body_end].split_whitespace().collect();
    let der = B64
        .decode(body.as_bytes())
        .map_err(KeyMaterialError::Base64)?;
    Ok((label.to_owned(), der))
}

/// Parses SubjectPublicKeyInfo DER.
pub fn parse_spki(spki: &[u8]) -> Result<Public, KeyMaterialError> {
    let bad = || KeyMaterialError::MalformedSpki;
    let body = der::read_only(spki, 0x30).ok_or_else(bad)?;
    let (alg, rest) = der::read(body).ok_or_else(bad)?;
    let (bits, rest) = der::read(rest).ok_or_else(bad)?;
    if alg.tag != 0x30 || bits.tag != 0x03 || !rest.is_empty() || bits.body.first() != Some(&0) {
        return Err(bad());
    }
    let key = &bits.body[1..];
    let (oid, params) = der::read(alg.body).ok_or_else(bad)?;
    if oid.tag != 0x06 {
        return Err(bad());
    }
    match oid.body {
        OID_ED25519 if key.len() == 32 => Ok(Public::Ed25519(key.to_vec())),
        OID_EC => {
            let curve = der::read_only(params, 0x06).ok_or_else(bad)?;
            let p384 = match curve {
                OID_P256 => false,
                OID_P384 => true,
                _ => return Err(KeyMaterialError::UnsupportedCurve),
            };
            let want = if p384 { 97 } else { 65 };
            if key.len() != want || key[0] != 0x04 {
                return Err(KeyMaterialError::CompressedPoint);
            }
            Ok(Public::Ecdsa {
                p384,
                point: key.to_vec(),
            })
        }
        OID_RSA => Ok(Public::Rsa(normalise_rsa(key)?)),
        _ => Err(KeyMaterialError::UnsupportedKeyType),
    }
}

/// Re-encodes a DER `RSAPublicKey` canonically.
pub fn normalise_rsa(der_key: &[u8]) -> Result<Vec<u8>, KeyMaterialError> {
    let (n, e) = der::read_int_pair(der_key).ok_or(KeyMaterialError::MalformedRsa)?;
    Ok(der::int_pair(n, e))
}

/// A PEM key as layouts store it.
#[derive(Clone, Debug, PartialEq)]
pub struct SslibKey {
    /// The dict's (verified) key id.
    pub keyid: String,
    /// `rsa`, `ecdsa` or `ed25519`.
    pub keytype: String,
    /// Signature scheme.
    pub scheme: String,
    /// `keyval.public` exactly as stored.
    pub public_text: String,
    /// Parsed key material.
    pub public: Public,
    /// The dict as written (extra fields are kept).
    raw: Object,
    /// The default key id of the material (what thresholds count).
    material_id: String,
    /// Every id a documented scheme gives this key (the dict's own id
    /// first): signatures under any of them are this key's.
    keyids: Vec<String>,
}

impl SslibKey {
    /// The dict securesystemslib builds for a public key.
    pub fn from_public(public: Public) -> SslibKey {
        let (keytype, scheme, text) = public.sslib_parts();
        let mut raw = id_fields(keytype, scheme, &text);
        let keyid = sslib_keyid(&raw);
        raw.insert("keyid", keyid.clone().into());
        let keyids = keyid_derivations(keytype, scheme, &public, None, None);
        SslibKey {
            material_id: keyid.clone(),
            keyids,
            keyid,
            keytype: keytype.into(),
            scheme: scheme.into(),
            public_text: text,
            public,
            raw,
        }
    }

    /// The same key in the form securesystemslib before 1.0, in-toto-rs
    /// (so rebuilderd) and in-toto-golang write it: `keyid_hash_algorithms`
    /// (`["sha256", "sha512"]`) among the hashed fields, a PEM text cut
    /// after its END line; its key id is that scheme's.
    pub fn to_legacy(&self) -> SslibKey {
        let (_, _, canonical) = self.public.sslib_parts();
        let text = match self.public {
            Public::Ed25519(_) => canonical,
            _ => canonical.trim_end().to_owned(),
        };
        let mut raw = id_fields(&self.keytype, &self.scheme, &text);
        raw.insert(
            "keyid_hash_algorithms",
            Value::Array(
                LEGACY_KEYID_HASH_ALGORITHMS
                    .iter()
                    .map(|a| (*a).into())
                    .collect(),
            ),
        );
        let keyid = sslib_keyid(&raw);
        raw.insert("keyid", keyid.into());
        SslibKey::from_value("key", &Value::Object(raw))
            .expect("a legacy dict built from a parsed key is valid")
    }

    /// Parses and checks a dict from a layout.
    pub fn from_value(path: &str, v: &Value) -> FResult<SslibKey> {
        let fields = Fields::of(path, v)?;
        let obj = fields.obj;
        let s = |k: &str| fields.string(k);
        let keytype = s("keytype")?;
        let scheme = s("scheme")?;
        let keyid = s("keyid")?;
        let keyval = obj
            .get("keyval")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                FormatError::new(format!("{path}.keyval"), "missing or not an object")
            })?;
        let public_text = keyval
            .get("public")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                FormatError::new(format!("{path}.keyval.public"), "missing or not a string")
            })?
            .to_owned();
        let bad = |m: String| FormatError::new(format!("{path}.keyval.public"), m);
        let public = match keytype.as_str() {
            "ed25519" => {
                if public_text.len() != 64 || !is_hex(&public_text) {
                    return Err(bad("an ed25519 key must be 64 hex digits".into()));
                }
                Public::Ed25519(hex::decode(&public_text).map_err(|e| bad(e.to_string()))?)
            }
            "rsa" | "ecdsa" | "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" => {
                let (label, der_bytes) =
                    pem_decode(public_text.as_bytes()).map_err(|e| bad(e.to_string()))?;
                if label != "PUBLIC KEY" {
                    return Err(bad(format!(
                        "expected a PUBLIC KEY PEM block, got {label:?}"
                    )));
                }
                parse_spki(&der_bytes).map_err(|e| bad(e.to_string()))?
            }
            other => {
                return Err(FormatError::new(
                    format!("{path}.keytype"),
                    format!("unsupported key type {other:?}"),
                ));
            }
        };
        let scheme_ok = match (&public, scheme.as_str()) {
            (Public::Ed25519(_), "ed25519") => true,
            (Public::Ecdsa { p384: false, .. }, "ecdsa-sha2-nistp256") => true,
            (Public::Ecdsa { p384: true, .. }, "ecdsa-sha2-nistp384") => true,
            (Public::Rsa(_), s) => RSA_SCHEMES.contains(&s),
            _ => false,
        };
        let type_ok = match &public {
            Public::Ed25519(_) => keytype == "ed25519",
            Public::Ecdsa { .. } => keytype == "ecdsa" || keytype == scheme,
            Public::Rsa(_) => keytype == "rsa",
        };
        if !scheme_ok || !type_ok {
            return Err(FormatError::new(
                path,
                format!(
                    "key type {keytype:?} with scheme {scheme:?} does not match its key material"
                ),
            ));
        }
        // The key id must be derived from the key by one of the documented
        // schemes (securesystemslib before and after 1.0, in-toto-golang).
        // The reference (3.x) takes a dict's id as given; intoto checks it.
        let mut keyids = keyid_derivations(
            &keytype,
            &scheme,
            &public,
            Some(&public_text),
            obj.get("keyid_hash_algorithms"),
        );
        let Some(pos) = keyids.iter().position(|k| *k == keyid) else {
            return Err(FormatError::new(
                format!("{path}.keyid"),
                format!(
                    "{keyid} is not the id of this key under any known scheme (expected {})",
                    keyids[0]
                ),
            ));
        };
        let own = keyids.remove(pos);
        keyids.insert(0, own);
        let material_id = SslibKey::from_public(public.clone()).keyid;
        Ok(SslibKey {
            keyid,
            keytype,
            scheme,
            public_text,
            public,
            raw: obj.clone(),
            material_id,
            keyids,
        })
    }

    /// The default key id of the material (what thresholds count).
    pub fn material_id(&self) -> &str {
        &self.material_id
    }

    /// Every id a documented scheme gives this key, the dict's own first.
    pub fn keyids(&self) -> &[String] {
        &self.keyids
    }

    /// The dict as stored.
    pub fn to_value(&self) -> Value {
        Value::Object(self.raw.clone())
    }
}
