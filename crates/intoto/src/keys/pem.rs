//! File keys in PEM: Ed25519, ECDSA (P-256, P-384) and RSA (PSS or
//! PKCS#1 v1.5 with SHA-2), as securesystemslib uses them.
//!
//! Private keys are PKCS#8 (optionally encrypted with PBES2) or PKCS#1
//! RSA; public keys are SubjectPublicKeyInfo. Key dicts are byte-identical
//! to securesystemslib's: RSA and ECDSA public keys are stored as the PEM
//! text pyca/cryptography writes (64-column base64, LF, trailing LF),
//! Ed25519 as 64 hex digits, and the key id is the sha256 of the
//! canonical `{"keytype", "scheme", "keyval"}`.

//!
//! The dict format (parsing, key ids) is [`crate::models::keydict`]; here
//! are the signature checks and the private keys.

use std::path::{Path, PathBuf};

use ring::rand::SystemRandom;
use ring::signature::{self as rsig, KeyPair as _};

use super::{KeyDict, Payload, RawSignature, SignError, Signer, Verifier, VerifyError, ed25519};
use crate::format::der;
use crate::models::keydict::sslib::{KeyMaterialError, normalise_rsa};
use crate::models::keydict::sslib::{OID_EC, OID_ED25519, OID_P256, OID_P384, OID_RSA};
use crate::models::{DsseSignature, Signature};

pub use crate::models::keydict::keyid::keyid_derivations;
pub use crate::models::keydict::sslib::{Public, SslibKey, parse_spki, pem_decode, pem_encode};

/// Why a public key file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublicKeyError {
    /// The PEM text or the key in it cannot be read.
    #[error(transparent)]
    Material(#[from] KeyMaterialError),
    /// The file (this path) holds a private key.
    #[error("{} holds a private key; give the public key (openssl pkey -pubout)", .0.display())]
    Private(PathBuf),
    /// A PEM block of another kind (this label).
    #[error("unexpected PEM block {0:?} (expected PUBLIC KEY)")]
    UnexpectedBlock(String),
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] crate::fsio::LoadError),
}

/// Reads a public key file (SubjectPublicKeyInfo or PKCS#1 `RSA PUBLIC
/// KEY` PEM) into its layout dict.
pub fn load_public(path: &Path, text: &[u8]) -> Result<SslibKey, PublicKeyError> {
    let (label, der_bytes) = pem_decode(text)?;
    let public = match label.as_str() {
        "PUBLIC KEY" => parse_spki(&der_bytes)?,
        "RSA PUBLIC KEY" => Public::Rsa(normalise_rsa(&der_bytes)?),
        l if l.contains("PRIVATE") => return Err(PublicKeyError::Private(path.to_owned())),
        other => return Err(PublicKeyError::UnexpectedBlock(other.to_owned())),
    };
    Ok(SslibKey::from_public(public))
}

/// Reads the public key file at `path` (as [`load_public`]): a key that
/// checks signatures, and the layout's dict for it.
pub fn read_public(path: impl AsRef<Path>) -> Result<SslibKey, PublicKeyError> {
    let path = path.as_ref();
    load_public(path, &crate::fsio::read_regular(path, MAX_KEY_FILE_BYTES)?)
}

/// The largest key file read.
const MAX_KEY_FILE_BYTES: u64 = 1 << 20;

/// Checks `sig` over `payload` with `key`.
fn check(dict: &SslibKey, payload: &[u8], sig: &[u8]) -> Result<(), VerifyError> {
    let alg: &'static dyn rsig::VerificationAlgorithm;
    let key: &[u8];
    match (&dict.public, dict.scheme.as_str()) {
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
                .ok_or_else(|| VerifyError::Unusable(format!("unsupported RSA scheme {scheme}")))?;
            key = k;
        }
    }
    rsig::UnparsedPublicKey::new(alg, key)
        .verify(payload, sig)
        .map_err(|_| VerifyError::Invalid(dict.keyid.clone()))
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
        self.keyids().iter().any(|k| k == keyid)
    }
    fn verify(&self, payload: &[u8], sig: &Signature) -> Result<(), VerifyError> {
        match sig {
            Signature::Plain { sig, .. } => {
                let bytes = hex::decode(sig).map_err(|_| VerifyError::Malformed {
                    keyid: self.keyid.clone(),
                    why: "signature is not hex".into(),
                })?;
                check(self, payload, &bytes)
            }
            Signature::Gpg { .. } => Err(VerifyError::Malformed {
                keyid: self.keyid.clone(),
                why: "an OpenPGP signature cannot be checked with a PEM key".into(),
            }),
        }
    }
    fn verify_written(&self, payload: &Payload<'_>, sig: &Signature) -> Result<(), VerifyError> {
        match (&self.public, sig) {
            (Public::Ed25519(k), Signature::Plain { sig, .. }) => {
                let bytes = hex::decode(sig).map_err(|_| VerifyError::Malformed {
                    keyid: self.keyid.clone(),
                    why: "signature is not hex".into(),
                })?;
                ed25519::verify_written(&self.keyid, k, &bytes, payload)
            }
            _ => super::verify_gathered(self, payload, sig),
        }
    }
    fn verify_dsse(&self, pae: &[u8], sig: &DsseSignature) -> Result<(), VerifyError> {
        check(self, pae, &sig.sig)
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
#[non_exhaustive]
pub enum KeyLoadError {
    /// The key is encrypted and no password was given.
    #[error("the key is encrypted and no password was given")]
    NeedsPassword,
    /// Decryption failed.
    #[error("wrong password, or the encrypted key is damaged")]
    BadPassword,
    /// A password was given for a key that is not encrypted.
    #[error("a password was given but the key is not encrypted")]
    NotEncrypted,
    /// The PEM text or the key in it cannot be read.
    #[error(transparent)]
    Material(#[from] KeyMaterialError),
    /// Anything else.
    #[error("{0}")]
    Invalid(String),
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] crate::fsio::LoadError),
}

impl PemSigner {
    /// Loads the private key in the PEM file at `path` (`password` for an
    /// encrypted one).
    pub fn from_file(
        path: impl AsRef<Path>,
        password: Option<&[u8]>,
    ) -> Result<PemSigner, KeyLoadError> {
        let text = crate::fsio::read_regular(path.as_ref(), MAX_KEY_FILE_BYTES)?;
        PemSigner::from_pem(&text, password)
    }

    /// Loads a private key from PEM text.
    pub fn from_pem(text: &[u8], password: Option<&[u8]>) -> Result<PemSigner, KeyLoadError> {
        let signer = PemSigner::from_pem_unchecked(text, password)?;
        signer.self_check()?;
        Ok(signer)
    }

    /// An RSA key whose private values do not fit together can load and
    /// then fail to sign: sign and verify a probe now, so a damaged key is
    /// refused when it is read, saying so.
    fn self_check(&self) -> Result<(), KeyLoadError> {
        let (Pair::Rsa(_), KeyDict::Sslib(public)) = (&self.pair, &self.public) else {
            return Ok(());
        };
        let damaged = || {
            KeyLoadError::Invalid(
                "its private and public parts do not match (a damaged RSA key?)".into(),
            )
        };
        let probe = b"intoto: key self-check";
        let raw = self.sign(probe).map_err(|_| damaged())?;
        crate::keys::Verifier::verify(public, probe, &raw.to_metablock()).map_err(|_| damaged())
    }

    fn from_pem_unchecked(text: &[u8], password: Option<&[u8]>) -> Result<PemSigner, KeyLoadError> {
        let (label, der_bytes) = pem_decode(text)?;
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

    #[test]
    fn a_damaged_rsa_key_is_refused_when_read() {
        // Found by fuzzing: private values that do not fit together.
        let text =
            include_bytes!("../../../../testdata/fuzz/pem_keys/rsa-inconsistent-private-parts");
        let e = PemSigner::from_pem(text, None).err().expect("refused");
        assert!(e.to_string().contains("do not match"), "{e}");
    }
    use crate::json::Value;

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
        assert!(check(k, b"abc", &sig).is_ok());
        assert!(check(k, b"abd", &sig).is_err());
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
    fn every_rsa_scheme_the_dict_format_accepts_has_a_verifier() {
        let names: Vec<&str> = RSA_SCHEMES.iter().map(|(n, ..)| *n).collect();
        assert_eq!(names, crate::models::keydict::sslib::RSA_SCHEMES);
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
