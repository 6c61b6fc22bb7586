//! Keys: the backend seam, the key dicts layouts carry, and signature
//! checks over both containers.
//!
//! Backends implement two small traits that only ever see bytes:
//! [`Signer`] (PEM files, gpg-agent through gpgme, the gpg command line)
//! and [`Verifier`] (layout key dicts, OpenPGP certificates from a
//! keyring). Metadata code canonicalises once and hands the bytes over;
//! no backend knows about links or layouts.

mod ed25519;
pub mod gpg;
pub mod hazards;
pub mod openpgp;
pub mod passphrase;
pub mod pem;
pub mod prompt;
pub mod spec;
pub mod validity;

use crate::json::Object;
use crate::models::{DsseSignature, Envelope, Signature};
use crate::policy::Policy;

pub use crate::models::keydict::keyid::sslib_keyid;
pub use crate::models::keydict::{GpgKey, KeyDict, SslibKey};

/// A signature as a backend produced it, before it is stored in a
/// container.
#[derive(Clone, Debug)]
pub enum RawSignature {
    /// Plain signature bytes (PEM keys).
    Plain {
        /// Key id of the signing key.
        keyid: String,
        /// The signature.
        sig: Vec<u8>,
    },
    /// An OpenPGP v4 signature.
    OpenPgp(openpgp::PgpSignature),
}

impl RawSignature {
    /// The key id recorded with the signature.
    pub fn keyid(&self) -> &str {
        match self {
            RawSignature::Plain { keyid, .. } => keyid,
            RawSignature::OpenPgp(s) => &s.keyid,
        }
    }

    /// As stored in a Metablock.
    pub fn to_metablock(&self) -> Signature {
        match self {
            RawSignature::Plain { keyid, sig } => Signature::Plain {
                keyid: keyid.clone(),
                sig: hex::encode(sig),
                extra: Object::default(),
            },
            RawSignature::OpenPgp(s) => Signature::Gpg {
                keyid: s.keyid.clone(),
                other_headers: hex::encode(&s.other_headers),
                signature: hex::encode(&s.signature),
                extra: Object::default(),
            },
        }
    }

    /// As stored in a DSSE envelope (OpenPGP: the binary signature packet).
    pub fn to_dsse(&self) -> DsseSignature {
        match self {
            RawSignature::Plain { keyid, sig } => DsseSignature {
                keyid: keyid.clone(),
                sig: sig.clone(),
                extra: Object::default(),
            },
            RawSignature::OpenPgp(s) => DsseSignature {
                keyid: s.keyid.clone(),
                sig: s.packet.clone(),
                extra: Object::default(),
            },
        }
    }
}

/// Why a signature could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// Anything the backend reports, already worded for the user.
    #[error("{0}")]
    Backend(String),
}

/// Makes signatures over bytes.
pub trait Signer {
    /// The key id signatures will carry (for OpenPGP: the fingerprint of
    /// the (sub)key that signs).
    fn keyid(&self) -> &str;
    /// The layout key dict of the signing key (for OpenPGP: the primary
    /// key with its subkeys).
    fn public_key(&self) -> &KeyDict;
    /// Signs `payload`.
    fn sign(&self, payload: &[u8]) -> Result<RawSignature, SignError>;
    /// Warnings verifiers will give about this key (for OpenPGP: SHA-1
    /// self-signatures), for the signing commands to show.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// The signing key as people know it: for OpenPGP the primary
    /// fingerprint and user id (`subkey X of PRIMARY (user id)` for a
    /// subkey); else `key ID`.
    fn describe(&self) -> String {
        format!("key {}", self.keyid())
    }
}

/// Why a signature did not verify.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum VerifyError {
    /// No signature carries this key's id (or a subkey's).
    #[error("no signature by key {0}")]
    NoSignature(String),
    /// The signature does not match the data.
    #[error("invalid signature by key {0}")]
    Invalid(String),
    /// The signature is malformed.
    #[error("malformed signature by key {keyid}: {why}")]
    Malformed {
        /// Key id.
        keyid: String,
        /// What is wrong.
        why: String,
    },
    /// The key has expired.
    #[error("{0}")]
    Expired(String),
    /// The key is revoked.
    #[error("{0}")]
    Revoked(String),
    /// The key cannot make this kind of signature, or cannot be used.
    #[error("{0}")]
    Unusable(String),
}

/// Writes a signed payload into what checks it.
pub type Payload<'a> = dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()> + 'a;

/// The signed bytes could not be written (they have no canonical form
/// after all): no signature verifies.
fn payload_error(keyid: &str, e: &std::io::Error) -> VerifyError {
    VerifyError::Malformed {
        keyid: keyid.to_owned(),
        why: format!("the signed bytes cannot be formed: {e}"),
    }
}

/// [`Verifier::verify`] over what `payload` writes, gathered whole first.
fn verify_gathered<V: Verifier + ?Sized>(
    key: &V,
    payload: &Payload<'_>,
    sig: &Signature,
) -> Result<(), VerifyError> {
    let mut whole = Vec::new();
    payload(&mut whole).map_err(|e| payload_error(key.keyid(), &e))?;
    key.verify(&whole, sig)
}

/// Checks signatures made by one key.
pub trait Verifier: Send + Sync {
    /// The key's id (for OpenPGP the primary fingerprint).
    fn keyid(&self) -> &str;
    /// True when a signature carrying `keyid` is this key's (the key
    /// itself or one of its subkeys).
    fn owns(&self, keyid: &str) -> bool;
    /// Checks a classic signature over `payload`.
    fn verify(&self, payload: &[u8], sig: &Signature) -> Result<(), VerifyError>;
    /// Checks a classic signature over the bytes `payload` writes, for a
    /// payload that is not held whole (a link read from a file). Keys
    /// whose algorithm hashes the message in one pass (Ed25519) take it
    /// in pieces; the others (default) gather it first.
    fn verify_written(&self, payload: &Payload<'_>, sig: &Signature) -> Result<(), VerifyError> {
        verify_gathered(self, payload, sig)
    }
    /// Checks a DSSE signature over the PAE bytes.
    fn verify_dsse(&self, pae: &[u8], sig: &DsseSignature) -> Result<(), VerifyError>;
    /// The key's owner as its certificate names them (an OpenPGP primary
    /// user id), for reports; `None` when the key names nobody.
    fn user_id(&self) -> Option<String> {
        None
    }
}

/// Checks that `envelope` carries a valid signature by `key`, with the
/// reference's rules: in a Metablock only the *first* signature whose key
/// id is the key's (or a subkey's) is checked; in DSSE any signature with
/// such a key id may verify.
pub fn verify_envelope(envelope: &Envelope, key: &dyn Verifier) -> Result<(), VerifyError> {
    verify_signatures(envelope, key, |id| key.owns(id))
}

/// Like [`verify_envelope`], for the signature made under exactly `keyid`
/// (which `key` must own).
pub fn verify_signature_by(
    envelope: &Envelope,
    key: &dyn Verifier,
    keyid: &str,
) -> Result<(), VerifyError> {
    verify_signatures(envelope, key, |id| id == keyid)
}

fn verify_signatures(
    envelope: &Envelope,
    key: &dyn Verifier,
    select: impl Fn(&str) -> bool,
) -> Result<(), VerifyError> {
    match envelope {
        Envelope::Metablock(m) => {
            let sig = m
                .signatures
                .iter()
                .find(|s| select(s.keyid()))
                .ok_or_else(|| VerifyError::NoSignature(key.keyid().to_owned()))?;
            key.verify_written(&|w| m.write_canonical(w), sig)
        }
        Envelope::Dsse(d) => {
            let pae = d.pae();
            let mut last = VerifyError::NoSignature(key.keyid().to_owned());
            for sig in d.signatures.iter().filter(|s| select(&s.keyid)) {
                match key.verify_dsse(&pae, sig) {
                    Ok(()) => return Ok(()),
                    Err(e) => last = e,
                }
            }
            Err(last)
        }
    }
}

/// Signs a DSSE envelope holding an attestation (its PAE) with `signer`
/// and adds the signature (for OpenPGP: the binary signature packet,
/// `keyid` the fingerprint of the (sub)key that signed), replacing an
/// older one by the same key id.
pub fn sign_attestation(
    env: &mut crate::models::attestation::AttestationEnvelope,
    signer: &dyn Signer,
) -> Result<RawSignature, SignError> {
    let raw = signer.sign(&env.pae())?;
    env.signatures.retain(|s| s.keyid != raw.keyid());
    env.signatures.push(raw.to_dsse());
    Ok(raw)
}

/// Checks that a DSSE envelope read as an attestation carries a valid
/// signature by `key` over PAE(payloadType, payload). Every signature is
/// tried: `keyid` is only a hint (the DSSE spec: never trusted, may be
/// absent). An OpenPGP signature may be a binary packet or ASCII-armored
/// (as gittuf writes it); it is checked with the (sub)key its hashed
/// issuer fingerprint names, which must be `key` or one of its subkeys.
pub fn verify_attestation(
    env: &crate::models::attestation::AttestationEnvelope,
    key: &dyn Verifier,
) -> Result<(), VerifyError> {
    let pae = env.pae();
    let mut best: Option<VerifyError> = None;
    for sig in &env.signatures {
        let bytes = dearmor_signature(&sig.sig).unwrap_or_else(|| sig.sig.clone());
        let mut hints: Vec<String> = Vec::with_capacity(3);
        if let Ok(p) = openpgp::parse_packet(&bytes) {
            hints.push(p.keyid);
        }
        hints.push(sig.keyid.clone());
        hints.push(key.keyid().to_owned());
        hints.dedup();
        for id in hints.into_iter().filter(|id| key.owns(id)) {
            let one = DsseSignature {
                keyid: id,
                sig: bytes.clone(),
                extra: Object::default(),
            };
            match key.verify_dsse(&pae, &one) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    if best.is_none() {
                        best = Some(e);
                    }
                }
            }
        }
    }
    Err(best.unwrap_or_else(|| VerifyError::NoSignature(key.keyid().to_owned())))
}

/// An ASCII-armored OpenPGP signature as its binary packets; `None` when
/// `bytes` are not armor.
fn dearmor_signature(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let text = bytes.trim_ascii_start();
    if !text.starts_with(b"-----BEGIN PGP SIGNATURE-----") {
        return None;
    }
    let mut r = sequoia_openpgp::armor::Reader::from_bytes(
        text,
        sequoia_openpgp::armor::ReaderMode::Tolerant(Some(sequoia_openpgp::armor::Kind::Signature)),
    );
    let mut out = Vec::new();
    r.read_to_end(&mut out).ok()?;
    Some(out)
}

/// A verifier for `dict`, judging OpenPGP expiry at the policy's time;
/// OpenPGP key types the Python reference cannot verify (NIST ECDSA) are
/// accepted only if the policy allows them.
pub fn verifier(dict: &KeyDict, policy: &Policy) -> Box<dyn Verifier> {
    match dict {
        KeyDict::Sslib(k) => Box::new(k.clone()),
        KeyDict::Gpg(k) => Box::new(openpgp::GpgDictVerifier::new(k.clone(), policy)),
    }
}

/// Signs the container's signed bytes (canonical JSON, or DSSE's PAE)
/// with `signer` and adds the signature. A DSSE envelope holds one
/// signature per key id, so an older one by the same key is replaced.
pub fn sign_envelope(env: &mut Envelope, signer: &dyn Signer) -> Result<RawSignature, SignError> {
    let raw = signer.sign(&env.signed_bytes())?;
    match env {
        Envelope::Metablock(m) => m.signatures.push(raw.to_metablock()),
        Envelope::Dsse(d) => {
            d.signatures.retain(|s| s.keyid != raw.keyid());
            d.signatures.push(raw.to_dsse());
        }
    }
    Ok(raw)
}
