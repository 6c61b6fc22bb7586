//! Signature verification: with a key dict from a layout
//! ([`GpgDictVerifier`]) or a certificate from a keyring
//! ([`CertVerifier`]), both down to one triple check ([`verify_triple`]).

use openpgp::Cert;
use sequoia_openpgp as openpgp;

use super::cert::{CertError, cert_to_dict_lenient};
use super::packet::{parse_headers, parse_packet, signature_mpis, signed_digest_written};
use crate::keys::validity::{self, KeyProblem};
use crate::keys::{Payload, Verifier, VerifyError};
use crate::models::keydict::{GpgKey, GpgParams};
use crate::models::{DsseSignature, Signature};
use crate::policy::Policy;

/// Verifies signatures with a GPG key dict from a layout, judging expiry
/// at `now`. An expired primary makes its subkeys unusable too.
pub struct GpgDictVerifier {
    key: GpgKey,
    now: i64,
    allow_noninteroperable: bool,
}

/// The refusal for a key type the reference cannot verify.
pub fn noninteroperable(keyid: &str, params: &GpgParams) -> String {
    format!(
        "OpenPGP key {keyid} is {}, which the Python in-toto reference cannot verify; \
         pass --allow-noninteroperable to use it anyway",
        params.names().1
    )
}

impl GpgDictVerifier {
    /// Verifies with `key`, at the policy's time; key types the Python
    /// reference cannot verify (NIST ECDSA) only if the policy allows them.
    pub fn new(key: GpgKey, policy: &Policy) -> GpgDictVerifier {
        GpgDictVerifier {
            key,
            now: policy.time(),
            allow_noninteroperable: policy.allow_noninteroperable(),
        }
    }

    pub(crate) fn signing_key(&self, keyid: &str) -> Result<&GpgKey, VerifyError> {
        let k = self
            .key
            .find(keyid)
            .ok_or_else(|| VerifyError::NoSignature(self.key.keyid.clone()))?;
        for key in [&self.key, k] {
            if key.expired_at(self.now) {
                return Err(VerifyError::Expired(expired_message(key)));
            }
        }
        if !k.params.interoperable() && !self.allow_noninteroperable {
            return Err(VerifyError::Unusable(noninteroperable(&k.keyid, &k.params)));
        }
        if k.params.is_weak() {
            return Err(VerifyError::Unusable(format!(
                "OpenPGP key {} is too weak ({} bits)",
                k.keyid,
                k.params.bits()
            )));
        }
        Ok(k)
    }
}

fn expired_message(k: &GpgKey) -> String {
    let exp = k.expires_at().unwrap_or(0);
    format!(
        "OpenPGP key {} created on {} expired on {}",
        k.keyid,
        crate::models::layout_time(k.creation_time.unwrap_or(0)),
        crate::models::layout_time(exp)
    )
}

impl Verifier for GpgDictVerifier {
    fn keyid(&self) -> &str {
        &self.key.keyid
    }
    fn owns(&self, keyid: &str) -> bool {
        self.key.find(keyid).is_some()
    }
    fn verify(&self, payload: &[u8], sig: &Signature) -> Result<(), VerifyError> {
        self.verify_written(&|w| w.write_all(payload), sig)
    }
    fn verify_written(&self, payload: &Payload<'_>, sig: &Signature) -> Result<(), VerifyError> {
        check_metablock(&self.key.keyid, sig, payload, self.now, |id| {
            self.signing_key(id)
        })
    }
    fn verify_dsse(&self, pae: &[u8], sig: &DsseSignature) -> Result<(), VerifyError> {
        check_dsse(sig, pae, self.now, |id| self.signing_key(id))
    }
}

/// Checks a Metablock's OpenPGP triple with the (sub)key `select` picks
/// for its key id (`owner` names the key when the signature is not one).
fn check_metablock<'k>(
    owner: &str,
    sig: &Signature,
    payload: &Payload<'_>,
    now: i64,
    select: impl FnOnce(&str) -> Result<&'k GpgKey, VerifyError>,
) -> Result<(), VerifyError> {
    let Signature::Gpg {
        keyid,
        other_headers,
        signature,
        ..
    } = sig
    else {
        return Err(VerifyError::Malformed {
            keyid: owner.to_owned(),
            why: "not an OpenPGP signature".into(),
        });
    };
    let k = select(keyid)?;
    let malformed = |why: &str| VerifyError::Malformed {
        keyid: keyid.clone(),
        why: why.into(),
    };
    let oh = hex::decode(other_headers).map_err(|_| malformed("other_headers is not hex"))?;
    let sv = hex::decode(signature).map_err(|_| malformed("signature is not hex"))?;
    verify_triple_written(k, keyid, &oh, &sv, payload, now)
}

/// Checks a DSSE signature (a binary OpenPGP packet over the PAE).
fn check_dsse<'k>(
    sig: &DsseSignature,
    pae: &[u8],
    now: i64,
    select: impl FnOnce(&str) -> Result<&'k GpgKey, VerifyError>,
) -> Result<(), VerifyError> {
    let k = select(&sig.keyid)?;
    let parsed = parse_packet(&sig.sig).map_err(|why| VerifyError::Malformed {
        keyid: sig.keyid.clone(),
        why: why.to_string(),
    })?;
    verify_triple(
        k,
        &sig.keyid,
        &parsed.other_headers,
        &parsed.signature,
        pae,
        now,
    )
}

/// Checks one triple against one (sub)key.
pub fn verify_triple(
    k: &GpgKey,
    keyid: &str,
    other_headers: &[u8],
    signature: &[u8],
    payload: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let payload = |w: &mut dyn std::io::Write| w.write_all(payload);
    verify_triple_written(k, keyid, other_headers, signature, &payload, now)
}

/// [`verify_triple`] over the bytes `payload` writes, hashed as they come.
fn verify_triple_written(
    k: &GpgKey,
    keyid: &str,
    other_headers: &[u8],
    signature: &[u8],
    payload: &Payload<'_>,
    now: i64,
) -> Result<(), VerifyError> {
    let malformed = |why: String| VerifyError::Malformed {
        keyid: keyid.to_owned(),
        why,
    };
    let hdr = parse_headers(other_headers).map_err(|e| malformed(e.to_string()))?;
    let want_algo: &[u8] = match k.params {
        GpgParams::Rsa { .. } => &[1, 3],
        GpgParams::Dsa { .. } => &[17],
        GpgParams::EdDsa { .. } => &[22],
        GpgParams::Ecdsa { .. } => &[19],
    };
    if !want_algo.contains(&hdr.pk_algo) {
        return Err(malformed(format!(
            "algorithm byte {} does not match the {} key",
            hdr.pk_algo,
            k.params.names().0
        )));
    }
    if !hdr.issuer_fpr.eq_ignore_ascii_case(keyid) || !k.keyid.eq_ignore_ascii_case(keyid) {
        return Err(malformed(format!(
            "the hashed issuer fingerprint {} is not the key id {keyid}",
            hdr.issuer_fpr
        )));
    }
    if let Some(exp) = hdr.expires_after
        && hdr.created + exp <= now
    {
        return Err(VerifyError::Expired(format!(
            "the signature by {keyid} expired"
        )));
    }
    let mpis = signature_mpis(&k.params, signature).map_err(|e| malformed(e.to_string()))?;
    let digest = signed_digest_written(hdr.hash, payload, other_headers)
        .map_err(|e| malformed(format!("the signed bytes cannot be formed: {e}")))?;
    let key = super::sequoia_key(k).map_err(|e| VerifyError::Unusable(e.to_string()))?;
    key.verify(&mpis, hdr.hash, &digest)
        .map_err(|_| VerifyError::Invalid(keyid.to_owned()))
}

/// Verifies with a certificate from a keyring or gpg home, honouring its
/// revocations and expiry at `now` and requiring a signing-capable key.
pub struct CertVerifier {
    cert: Cert,
    dict: GpgKey,
    policy: Policy,
    now: i64,
}

impl CertVerifier {
    /// Wraps `cert`, which must be an RSA, DSA or EdDSA key (or, with
    /// a policy that allows them, NIST ECDSA), judged by `policy` at its
    /// time.
    pub fn new(cert: Cert, policy: &Policy) -> Result<CertVerifier, CertError> {
        let dict = cert_to_dict_lenient(&cert, policy)?;
        Ok(CertVerifier {
            cert,
            dict,
            now: policy.time(),
            policy: policy.clone(),
        })
    }

    /// The key dict (as `intoto key export` would write it).
    pub fn dict(&self) -> &GpgKey {
        &self.dict
    }

    /// The certificate.
    pub fn cert(&self) -> &Cert {
        &self.cert
    }

    fn check_usable(&self, keyid: &str) -> Result<&GpgKey, VerifyError> {
        validity::signing_key_at(&self.cert, self.policy.openpgp(), keyid, self.now)
            .map_err(KeyProblem::into_verify_error)?;
        self.dict.find(keyid).ok_or_else(|| {
            VerifyError::Unusable(format!(
                "OpenPGP key {} cannot be used in in-toto's OpenPGP format",
                keyid.to_uppercase()
            ))
        })
    }

    /// Warnings the certificate draws at the verification time (SHA-1
    /// self-signatures).
    pub fn warnings(&self) -> Vec<String> {
        validity::cert_warnings(&self.cert, self.policy.openpgp(), self.now)
    }
}

impl Verifier for CertVerifier {
    fn keyid(&self) -> &str {
        &self.dict.keyid
    }
    fn user_id(&self) -> Option<String> {
        super::names::primary_user_id(&self.cert)
    }
    fn owns(&self, keyid: &str) -> bool {
        self.cert
            .keys()
            .any(|k| k.key().fingerprint().to_hex().eq_ignore_ascii_case(keyid))
    }
    fn verify(&self, payload: &[u8], sig: &Signature) -> Result<(), VerifyError> {
        self.verify_written(&|w| w.write_all(payload), sig)
    }
    fn verify_written(&self, payload: &Payload<'_>, sig: &Signature) -> Result<(), VerifyError> {
        check_metablock(&self.dict.keyid, sig, payload, self.now, |id| {
            self.check_usable(id)
        })
    }
    fn verify_dsse(&self, pae: &[u8], sig: &DsseSignature) -> Result<(), VerifyError> {
        check_dsse(sig, pae, self.now, |id| self.check_usable(id))
    }
}
