//! File keys in PEM: Ed25519, ECDSA (P-256, P-384) and RSA (PSS or
//! PKCS#1 v1.5 with SHA-2), as securesystemslib uses them.
//!
//! Private keys are PKCS#8 (optionally encrypted with PBES2) or PKCS#1
//! RSA; public keys are SubjectPublicKeyInfo. Key dicts are byte-identical
//! to securesystemslib's: RSA and ECDSA public keys are stored as the PEM
//! text pyca/cryptography writes (64-column base64, LF, trailing LF),
//! Ed25519 as 64 hex digits, and the key id is the sha256 of the
//! canonical `{"keytype", "scheme", "keyval"}`.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::rand::SystemRandom;
use ring::signature::{self as rsig, KeyPair as _};

use super::{KeyDict, RawSignature, SignError, Signer, Verifier, VerifyError, sslib_keyid};
use crate::format::der;
use crate::json::{Object, Value};
use crate::models::{DsseSignature, FResult, Fields, FormatError, Signature, is_hex};

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

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
    fn sslib_parts(&self) -> (&'static str, &'static str, String) {
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

/// Decodes the first PEM block: (label, DER).
pub fn pem_decode(text: &[u8]) -> Result<(String, Vec<u8>), String> {
    let text = std::str::from_utf8(text).map_err(|_| "not PEM text (not UTF-8)".to_owned())?;
    let start = text
        .find("-----BEGIN ")
        .ok_or("not PEM (no -----BEGIN line)")?;
    let rest = &text[start + 11..];
    let end_label = rest.find("-----").ok_or("malformed PEM header")?;
    let label = &rest[..end_label];
    let body_start = &rest[end_label + 5..];
    let footer = format!("-----END {label}-----");
    let body_end = body_start
        .find(&footer)
        .ok_or_else(|| format!("PEM block {label:?} has no END line"))?;
    // A second key in the file is an error, not "the first one wins".
    if let Some(i) = body_start[body_end..].find("-----BEGIN ") {
        let second = &body_start[body_end + i + 11..];
        let second = &second[..second.find("-----").unwrap_or(second.len()).min(40)];
        return Err(format!(
            "holds more than one PEM block ({label:?} and {second:?}): give one key per file"
        ));
    }
    let body: String = body_start[..body_end].split_whitespace().collect();
    let der = B64
        .decode(body.as_bytes())
        .map_err(|e| format!("PEM body is not base64: {e}"))?;
    Ok((label.to_owned(), der))
}

/// Parses SubjectPublicKeyInfo DER.
pub fn parse_spki(spki: &[u8]) -> Result<Public, String> {
    let bad = || "malformed SubjectPublicKeyInfo".to_owned();
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
                _ => return Err("unsupported elliptic curve (supported: P-256, P-384)".into()),
            };
            let want = if p384 { 97 } else { 65 };
            if key.len() != want || key[0] != 0x04 {
                return Err("ECDSA key is not an uncompressed point".into());
            }
            Ok(Public::Ecdsa {
                p384,
                point: key.to_vec(),
            })
        }
        OID_RSA => Ok(Public::Rsa(normalise_rsa(key)?)),
        _ => Err("unsupported key type (supported: rsa, ecdsa P-256/P-384, ed25519)".into()),
    }
}

/// Re-encodes a DER `RSAPublicKey` canonically.
fn normalise_rsa(der_key: &[u8]) -> Result<Vec<u8>, String> {
    let (n, e) = der::read_int_pair(der_key).ok_or("malformed RSA public key")?;
    Ok(der::int_pair(n, e))
}

/// Reads a public key file (SubjectPublicKeyInfo or PKCS#1 `RSA PUBLIC
/// KEY` PEM) into its layout dict.
pub fn load_public(path: &Path, text: &[u8]) -> Result<SslibKey, String> {
    let (label, der_bytes) = pem_decode(text)?;
    let public = match label.as_str() {
        "PUBLIC KEY" => parse_spki(&der_bytes)?,
        "RSA PUBLIC KEY" => Public::Rsa(normalise_rsa(&der_bytes)?),
        l if l.contains("PRIVATE") => {
            return Err(format!(
                "{} holds a private key; give the public key (openssl pkey -pubout)",
                path.display()
            ));
        }
        other => {
            return Err(format!(
                "unexpected PEM block {other:?} (expected PUBLIC KEY)"
            ));
        }
    };
    Ok(SslibKey::from_public(public))
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

/// The `keyid_hash_algorithms` that securesystemslib before 1.0 and
/// in-toto-golang put into key dicts (and into the hashed key id).
const LEGACY_KEYID_HASH_ALGORITHMS: [&str; 2] = ["sha256", "sha512"];

/// Every key id the documented schemes give one key, the default first:
///
/// * securesystemslib ≥ 1.0 (in-toto 3.x): sha256 of the canonical
///   `{"keytype", "scheme", "keyval": {"public"}}`, the public key as
///   pyca/cryptography writes it (PEM with a trailing newline);
/// * securesystemslib < 1.0 (in-toto ≤ 2.x): the same fields plus
///   `"keyid_hash_algorithms": ["sha256", "sha512"]`, with the PEM cut
///   after its END line (`extract_pem`: no trailing newline), and ECDSA
///   keys typed by their scheme (`"keytype": "ecdsa-sha2-nistp256"`);
/// * in-toto-golang: the same fields as old securesystemslib, the PEM
///   from Go's `pem.EncodeToMemory` with surrounding space trimmed (no
///   trailing newline).
///
/// Each is also computed over `stored` (the text a dict holds, when it is
/// not one of these) and with `dict_algos` (a dict's own
/// `keyid_hash_algorithms`, when it is not the usual list). All ids are
/// hashes of the same key material, so accepting any of them never
/// accepts a signature the key did not make.
pub fn keyid_derivations(
    keytype: &str,
    scheme: &str,
    public: &Public,
    stored: Option<&str>,
    dict_algos: Option<&Value>,
) -> Vec<String> {
    let (_, _, canonical) = public.sslib_parts();
    let mut texts = vec![canonical.clone()];
    if !matches!(public, Public::Ed25519(_)) {
        texts.push(canonical.trim_end().to_owned());
    }
    if let Some(s) = stored
        && !texts.iter().any(|t| t == s)
    {
        texts.insert(0, s.to_owned());
    }
    let mut keytypes = vec![keytype.to_owned()];
    if let Public::Ecdsa { .. } = public {
        for t in ["ecdsa", scheme] {
            if !keytypes.iter().any(|k| k == t) {
                keytypes.push(t.to_owned());
            }
        }
    }
    let legacy = Value::Array(
        LEGACY_KEYID_HASH_ALGORITHMS
            .iter()
            .map(|a| (*a).into())
            .collect(),
    );
    let mut algos = vec![None, Some(&legacy)];
    if let Some(a) = dict_algos
        && *a != legacy
    {
        algos.push(Some(a));
    }
    let mut out: Vec<String> = Vec::new();
    for algo in &algos {
        for keytype in &keytypes {
            for text in &texts {
                let mut fields = id_fields(keytype, scheme, text);
                if let Some(a) = algo {
                    fields.insert("keyid_hash_algorithms", (*a).clone());
                }
                let id = sslib_keyid(&fields);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
    out
}

/// The fields securesystemslib hashes into a default key id.
fn id_fields(keytype: &str, scheme: &str, public_text: &str) -> Object {
    Object(vec![
        ("keytype".into(), keytype.into()),
        ("scheme".into(), scheme.into()),
        (
            "keyval".into(),
            Value::Object(Object(vec![("public".into(), public_text.into())])),
        ),
    ])
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
                let (label, der_bytes) = pem_decode(public_text.as_bytes()).map_err(bad)?;
                if label != "PUBLIC KEY" {
                    return Err(bad(format!(
                        "expected a PUBLIC KEY PEM block, got {label:?}"
                    )));
                }
                parse_spki(&der_bytes).map_err(bad)?
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
            (Public::Rsa(_), s) => RSA_SCHEMES.iter().any(|(n, ..)| *n == s),
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

    /// The dict as stored.
    pub fn to_value(&self) -> Value {
        Value::Object(self.raw.clone())
    }

    fn check(&self, payload: &[u8], sig: &[u8]) -> Result<(), VerifyError> {
        let alg: &'static dyn rsig::VerificationAlgorithm;
        let key: &[u8];
        match (&self.public, self.scheme.as_str()) {
            (Public::Ed25519(k), _) => {
                alg = &rsig::ED25519;
                key = k;
            }
            (Public::Ecdsa { p384: false, point }, _) => {
                alg = &rsig::ECDSA_P256_SHA256_ASN1;
                key = point;
            }
            (Public::Ecdsa { p384: true, point }, _) => {
                alg = &rsig::ECDSA_P384_SHA384_ASN1;
                key = point;
            }
            (Public::Rsa(k), scheme) => {
                alg = RSA_SCHEMES
                    .iter()
                    .find(|(n, ..)| *n == scheme)
                    .map(|(_, v, _)| *v)
                    .ok_or_else(|| {
                        VerifyError::Unusable(format!("unsupported RSA scheme {scheme}"))
                    })?;
                key = k;
            }
        }
        rsig::UnparsedPublicKey::new(alg, key)
            .verify(payload, sig)
            .map_err(|_| VerifyError::Invalid(self.keyid.clone()))
    }
}

type RsaScheme = (
    &'static str,
    &'static dyn rsig::VerificationAlgorithm,
    &'static dyn rsig::RsaEncoding,
);

static RSA_SCHEMES: [RsaScheme; 6] = [
    (
        "rsassa-pss-sha256",
        &rsig::RSA_PSS_2048_8192_SHA256,
        &rsig::RSA_PSS_SHA256,
    ),
    (
        "rsassa-pss-sha384",
        &rsig::RSA_PSS_2048_8192_SHA384,
        &rsig::RSA_PSS_SHA384,
    ),
    (
        "rsassa-pss-sha512",
        &rsig::RSA_PSS_2048_8192_SHA512,
        &rsig::RSA_PSS_SHA512,
    ),
    (
        "rsa-pkcs1v15-sha256",
        &rsig::RSA_PKCS1_2048_8192_SHA256,
        &rsig::RSA_PKCS1_SHA256,
    ),
    (
        "rsa-pkcs1v15-sha384",
        &rsig::RSA_PKCS1_2048_8192_SHA384,
        &rsig::RSA_PKCS1_SHA384,
    ),
    (
        "rsa-pkcs1v15-sha512",
        &rsig::RSA_PKCS1_2048_8192_SHA512,
        &rsig::RSA_PKCS1_SHA512,
    ),
];

impl Verifier for SslibKey {
    fn keyid(&self) -> &str {
        &self.keyid
    }
    fn owns(&self, keyid: &str) -> bool {
        self.keyids.iter().any(|k| k == keyid)
    }
    fn verify(&self, payload: &[u8], sig: &Signature) -> Result<(), VerifyError> {
        match sig {
            Signature::Plain { sig, .. } => {
                let bytes = hex::decode(sig).map_err(|_| VerifyError::Malformed {
                    keyid: self.keyid.clone(),
                    why: "signature is not hex".into(),
                })?;
                self.check(payload, &bytes)
            }
            Signature::Gpg { .. } => Err(VerifyError::Malformed {
                keyid: self.keyid.clone(),
                why: "an OpenPGP signature cannot be checked with a PEM key".into(),
            }),
        }
    }
    fn verify_dsse(&self, pae: &[u8], sig: &DsseSignature) -> Result<(), VerifyError> {
        self.check(pae, &sig.sig)
    }
}

/// A private key loaded from a PEM file.
pub struct PemSigner {
    pair: Pair,
    public: KeyDict,
}

enum Pair {
    Ed25519(rsig::Ed25519KeyPair),
    Ecdsa(rsig::EcdsaKeyPair),
    Rsa(rsig::RsaKeyPair),
}

/// Why a private key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyLoadError {
    /// The key is encrypted and no password was given.
    #[error("the key is encrypted; give its password with -P/--password (or -P alone to be asked)")]
    NeedsPassword,
    /// Decryption failed.
    #[error("wrong password, or the encrypted key is damaged")]
    BadPassword,
    /// A password was given for a key that is not encrypted.
    #[error("a password was given but the key is not encrypted")]
    NotEncrypted,
    /// Anything else.
    #[error("{0}")]
    Invalid(String),
}

impl PemSigner {
    /// Loads a private key from PEM text.
    pub fn from_pem(text: &[u8], password: Option<&[u8]>) -> Result<PemSigner, KeyLoadError> {
        let (label, der_bytes) = pem_decode(text).map_err(KeyLoadError::Invalid)?;
        let pkcs8 = match label.as_str() {
            "ENCRYPTED PRIVATE KEY" => {
                let pw = password.ok_or(KeyLoadError::NeedsPassword)?;
                let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der_bytes.as_slice())
                    .map_err(|e| KeyLoadError::Invalid(format!("malformed encrypted key: {e}")))?;
                let doc = info.decrypt(pw).map_err(|_| KeyLoadError::BadPassword)?;
                doc.as_bytes().to_vec()
            }
            "PRIVATE KEY" => {
                if password.is_some() {
                    return Err(KeyLoadError::NotEncrypted);
                }
                der_bytes
            }
            "RSA PRIVATE KEY" => {
                if password.is_some() {
                    return Err(KeyLoadError::NotEncrypted);
                }
                let kp = rsig::RsaKeyPair::from_der(&der_bytes)
                    .map_err(|e| KeyLoadError::Invalid(format!("unusable RSA key: {e}")))?;
                return Ok(PemSigner::rsa(kp));
            }
            "PUBLIC KEY" => {
                return Err(KeyLoadError::Invalid(
                    "this is a public key; signing needs the private key".into(),
                ));
            }
            other => {
                return Err(KeyLoadError::Invalid(format!(
                    "unsupported PEM block {other:?} (expected a PKCS#8 PRIVATE KEY; convert with `openssl pkcs8 -topk8`)"
                )));
            }
        };
        PemSigner::from_pkcs8(&pkcs8)
    }

    fn from_pkcs8(pkcs8: &[u8]) -> Result<PemSigner, KeyLoadError> {
        let invalid = |m: &str| KeyLoadError::Invalid(m.to_owned());
        let body = der::read_only(pkcs8, 0x30).ok_or_else(|| invalid("malformed PKCS#8 key"))?;
        let (_version, rest) = der::read(body).ok_or_else(|| invalid("malformed PKCS#8 key"))?;
        let (alg, _) = der::read(rest).ok_or_else(|| invalid("malformed PKCS#8 key"))?;
        let (oid, params) = der::read(alg.body).ok_or_else(|| invalid("malformed PKCS#8 key"))?;
        let rng = SystemRandom::new();
        match oid.body {
            OID_ED25519 => {
                let kp = rsig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
                    .map_err(|e| KeyLoadError::Invalid(format!("unusable ed25519 key: {e}")))?;
                let public = Public::Ed25519(kp.public_key().as_ref().to_vec());
                Ok(PemSigner {
                    pair: Pair::Ed25519(kp),
                    public: KeyDict::Sslib(SslibKey::from_public(public)),
                })
            }
            OID_EC => {
                let curve = der::read_only(params, 0x06).unwrap_or_default();
                let (alg, p384) = match curve {
                    OID_P256 => (&rsig::ECDSA_P256_SHA256_ASN1_SIGNING, false),
                    OID_P384 => (&rsig::ECDSA_P384_SHA384_ASN1_SIGNING, true),
                    _ => {
                        return Err(invalid(
                            "unsupported elliptic curve (supported: P-256, P-384)",
                        ));
                    }
                };
                let kp = rsig::EcdsaKeyPair::from_pkcs8(alg, pkcs8, &rng)
                    .map_err(|e| KeyLoadError::Invalid(format!("unusable ECDSA key: {e}")))?;
                let public = Public::Ecdsa {
                    p384,
                    point: kp.public_key().as_ref().to_vec(),
                };
                Ok(PemSigner {
                    pair: Pair::Ecdsa(kp),
                    public: KeyDict::Sslib(SslibKey::from_public(public)),
                })
            }
            OID_RSA => {
                let kp = rsig::RsaKeyPair::from_pkcs8(pkcs8)
                    .map_err(|e| KeyLoadError::Invalid(format!("unusable RSA key: {e}")))?;
                Ok(PemSigner::rsa(kp))
            }
            _ => Err(invalid(
                "unsupported key type (supported: rsa, ecdsa P-256/P-384, ed25519)",
            )),
        }
    }

    fn rsa(kp: rsig::RsaKeyPair) -> PemSigner {
        let public = Public::Rsa(kp.public().as_ref().to_vec());
        PemSigner {
            pair: Pair::Rsa(kp),
            public: KeyDict::Sslib(SslibKey::from_public(public)),
        }
    }
}

impl Signer for PemSigner {
    fn keyid(&self) -> &str {
        self.public.keyid()
    }
    fn public_key(&self) -> &KeyDict {
        &self.public
    }
    fn sign(&self, payload: &[u8]) -> Result<RawSignature, SignError> {
        let rng = SystemRandom::new();
        let fail = |_| SignError::Backend("signing failed".into());
        let sig = match &self.pair {
            Pair::Ed25519(kp) => kp.sign(payload).as_ref().to_vec(),
            Pair::Ecdsa(kp) => kp.sign(&rng, payload).map_err(fail)?.as_ref().to_vec(),
            Pair::Rsa(kp) => {
                let mut sig = vec![0u8; kp.public().modulus_len()];
                kp.sign(&rsig::RSA_PSS_SHA256, &rng, payload, &mut sig)
                    .map_err(fail)?;
                sig
            }
        };
        Ok(RawSignature::Plain {
            keyid: self.keyid().to_owned(),
            sig,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A fixed ed25519 key (RFC 8032 test 1 secret) in PKCS#8 v1.
    const ED_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";

    #[test]
    fn ed25519_dict_matches_securesystemslib() {
        let s = PemSigner::from_pem(ED_PEM.as_bytes(), None).unwrap();
        let KeyDict::Sslib(k) = s.public_key() else {
            panic!()
        };
        assert_eq!(
            k.public_text,
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        // The id is sha256 of {"keytype":"ed25519","keyval":{"public":"d75a…"},"scheme":"ed25519"}.
        let canon = format!(
            r#"{{"keytype":"ed25519","keyval":{{"public":"{}"}},"scheme":"ed25519"}}"#,
            k.public_text
        );
        use sha2::Digest;
        assert_eq!(k.keyid, hex::encode(sha2::Sha256::digest(canon.as_bytes())));
        let RawSignature::Plain { sig, .. } = s.sign(b"abc").unwrap() else {
            panic!()
        };
        assert!(k.check(b"abc", &sig).is_ok());
        assert!(k.check(b"abd", &sig).is_err());
        // The SPKI PEM round-trips through the public loader.
        let reparsed = load_public(Path::new("x"), k.public.spki_pem().as_bytes()).unwrap();
        assert_eq!(reparsed.keyid, k.keyid);
    }

    #[test]
    fn layout_dicts_must_carry_their_own_id() {
        let s = PemSigner::from_pem(ED_PEM.as_bytes(), None).unwrap();
        let mut v = s.public_key().to_value();
        assert!(KeyDict::from_value("k", s.keyid(), &v).is_ok());
        if let Value::Object(o) = &mut v {
            o.insert("keyid", "00".repeat(32).into());
        }
        assert!(KeyDict::from_value("k", &"00".repeat(32), &v).is_err());
        assert!(KeyDict::from_value("k", &"11".repeat(32), &s.public_key().to_value()).is_err());
    }

    // Public keys from in-toto-golang's test/data (alice.pub, carol.pub,
    // grace.pub) with the key ids its keylib_test.go publishes, which
    // hash `keyid_hash_algorithms` and the PEM without its last newline.
    const GO_ALICE: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr2u+1EN9NMIAtqYZ2pqF\n3ov4omRpdgEorv1L4sBMaFN+2EPyqeMTF838/W4V/1fHLr5jaqIVY0VjcpAmCRJ6\noRhxw/6o7dgiIPsrTCWQHFAkXcElgb+2JUXWZO3azX90fxFliucPPj0IrLgK3u5O\nD+XgaT773Za2JJSe7A0Iacjb23Elm2T05ydtrWHy5zVMmg+Yj64iaXRxoLUhFpdp\nNOw/rVIUSiFItip+SAZjIsjqQDILzy4RcNUJqBFHG2N/cEwnO+ozb1G9sCtGSya6\nBkCQGhmX64xgehpSUomDod2q3ZmNlS2+9aUMpNq4TksLL08mhQkZi7atNoG4rq4p\nnwIDAQAB\n-----END PUBLIC KEY-----\n";
    const GO_CAROL: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAOT5nGyAPlkxJCD00qGf12YnsHGnfe2Z1j+RxyFkbE5w=\n-----END PUBLIC KEY-----\n";
    const GO_GRACE: &str = "-----BEGIN PUBLIC KEY-----\nMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEP8KQHqKA3QhiGQS6jlfoTXJlGTGcXxd2\nItmmqU/y8uryUNsXnV0nWloCsObK0XAMrMD1iWvHYMSDV14PP0vawLN+jfV7lrc5\nIJwy1aFhPlerISgwe3OgrKJdFkn8LGu2\n-----END PUBLIC KEY-----\n";

    #[test]
    fn legacy_key_ids_are_the_same_key() {
        // (file, securesystemslib >= 1.0 id, in-toto-golang / securesystemslib < 1.0 id);
        // the 3.x ids were computed with securesystemslib's encode_canonical.
        let cases = [
            (
                GO_ALICE,
                "84f7dd43d6a3c167807839134bab8c0f46cf1ddd57d7c5331e2fb3cfe0687574",
                "70ca5750c2eda80b18f41f4ec5f92146789b5d68dd09577be422a0159bd13680",
            ),
            (
                GO_CAROL,
                "4b14284670182934c5043942231d5c6d2c429f376dbb3b03fb2fb89320f49aca",
                "be6371bc627318218191ce0780fd3183cce6c36da02938a477d2e4dfae1804a6",
            ),
            (
                GO_GRACE,
                "",
                "a5522ebccd492f64e6ec0bbcb5eb782708f6e26709a3712e64fff108b98e5142",
            ),
        ];
        for (pem, new_id, old_id) in cases {
            let k = load_public(Path::new("k.pub"), pem.as_bytes()).unwrap();
            if !new_id.is_empty() {
                assert_eq!(k.keyid, new_id);
            }
            // A verifier given the PEM file owns signatures under either id.
            assert!(k.owns(&k.keyid) && k.owns(old_id), "{old_id}");
            assert!(!k.owns(&"ab".repeat(32)));
        }
    }

    #[test]
    fn legacy_dicts_parse_with_or_without_their_algorithm_list() {
        let k = load_public(Path::new("k.pub"), GO_ALICE.as_bytes()).unwrap();
        let old_id = "70ca5750c2eda80b18f41f4ec5f92146789b5d68dd09577be422a0159bd13680";
        let dict = |with_algos: bool, text: &str, id: &str| {
            let algos = if with_algos {
                r#""keyid_hash_algorithms": ["sha256", "sha512"], "#
            } else {
                ""
            };
            let text = serde_json::to_string(text).unwrap();
            let json = format!(
                r#"{{"keyid": "{id}", {algos}"keytype": "rsa", "scheme": "rsassa-pss-sha256", "keyval": {{"public": {text}, "private": ""}}}}"#
            );
            crate::json::parse(json.as_bytes()).unwrap()
        };
        let trimmed = GO_ALICE.trim_end();
        // As in-toto-golang and in-toto 0.x wrote it.
        let go = dict(true, trimmed, old_id);
        let parsed = KeyDict::from_value("k", old_id, &go).unwrap();
        let KeyDict::Sslib(p) = &parsed else { panic!() };
        assert_eq!(p.keyid, old_id);
        assert!(p.owns(&k.keyid), "the 3.x id of the same key");
        assert_eq!(
            parsed.material_id(),
            k.keyid,
            "thresholds count the key once"
        );
        assert_eq!(parsed.to_value(), go, "the dict is kept as written");
        // The legacy id without the field in the dict, and the 3.x id with it.
        assert!(KeyDict::from_value("k", old_id, &dict(false, trimmed, old_id)).is_ok());
        assert!(KeyDict::from_value("k", &k.keyid, &dict(true, GO_ALICE, &k.keyid)).is_ok());
        // Still refused: an id no scheme derives from this key.
        let bogus = "12".repeat(32);
        let err = KeyDict::from_value("k", &bogus, &dict(true, trimmed, &bogus)).unwrap_err();
        assert!(err.to_string().contains("not the id of this key"), "{err}");
    }

    #[test]
    fn password_errors_are_distinct() {
        assert!(matches!(
            PemSigner::from_pem(ED_PEM.as_bytes(), Some(b"pw")),
            Err(KeyLoadError::NotEncrypted)
        ));
        assert!(PemSigner::from_pem(b"garbage", None).is_err());
    }
}
