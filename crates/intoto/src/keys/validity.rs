//! When an OpenPGP certificate may sign: the one policy intoto judges
//! certificates with, the one answer to "is this (sub)key usable for
//! signing at time t, and if not, why" (used by signing, verification
//! and export alike), and the warnings a usable certificate still draws.
//!
//! Two clocks are involved. *Validity* (expiry, revocation, which
//! self-signatures are in force) is judged at the verification time `t`,
//! which `intoto verify --time` may set into the past. *Algorithm
//! strength* is judged by today's standards (sequoia's standard policy at
//! the real current time): an archive audit must not make RSA-1024 or MD5
//! acceptable again.
//!
//! Revocations follow RFC 9580 and sequoia: a key revoked as compromised,
//! with no reason, or with a reason intoto does not know, is invalid at
//! every time (a compromised key may have made signatures dated before
//! the revocation); a key revoked as superseded or retired, or a user id
//! revoked as no longer valid, counts as revoked only from the
//! revocation's creation time on.

use std::fmt;

use openpgp::Cert;
use openpgp::cert::amalgamation::key::ValidErasedKeyAmalgamation;
use openpgp::cert::prelude::*;
use openpgp::packet::Signature;
use openpgp::packet::key::{PublicParts, UnspecifiedRole};
use openpgp::types::{HashAlgorithm, ReasonForRevocation, RevocationStatus, RevocationType};
use sequoia_openpgp as openpgp;

use super::VerifyError;
use super::openpgp::{system_time, unix};
use crate::models::layout_time;
pub use crate::policy::CertPolicy;

/// What kind of problem makes a key unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// Revoked (at this time, or for good).
    Revoked,
    /// Expired at this time.
    Expired,
    /// Created (or bound) only after this time.
    NotYetValid,
    /// No valid self-signature binds it.
    NotBound,
    /// Its algorithm, key size or self-signature hash is refused.
    Weak,
    /// Its key flags do not allow signing.
    NotSigningCapable,
    /// Not a key of this certificate.
    Unknown,
}

/// Why a (sub)key cannot sign at a given time, in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyProblem {
    /// The kind.
    pub kind: ProblemKind,
    /// Fingerprint (upper-case hex) of the key the problem is about: the
    /// primary when the whole certificate is affected.
    pub fpr: String,
    /// The explanation, starting with the key ("OpenPGP key FPR …").
    pub message: String,
}

impl fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl KeyProblem {
    fn new(kind: ProblemKind, fpr: &str, message: String) -> KeyProblem {
        KeyProblem {
            kind,
            fpr: fpr.to_owned(),
            message,
        }
    }

    /// As a verification error.
    pub fn into_verify_error(self) -> VerifyError {
        match self.kind {
            ProblemKind::Revoked => VerifyError::Revoked(self.message),
            ProblemKind::Expired => VerifyError::Expired(self.message),
            _ => VerifyError::Unusable(self.message),
        }
    }
}

fn fpr_of(key: &openpgp::packet::Key<PublicParts, UnspecifiedRole>) -> String {
    key.fingerprint().to_hex()
}

/// The certificate as valid at `t` (seconds since the epoch): its primary
/// key bound by a self-signature in force at `t`. Revocation and expiry are
/// not judged here (see [`primary_problem`]).
pub fn certificate_at<'a>(
    cert: &'a Cert,
    policy: &'a CertPolicy,
    t: i64,
) -> Result<ValidCert<'a>, KeyProblem> {
    cert.with_policy(policy.policy(), system_time(t))
        .map_err(|_| unbound(cert, None, policy, t))
}

/// Why the certificate as a whole cannot sign at `t` (revoked or expired
/// primary key), if it cannot.
pub fn primary_problem(vc: &ValidCert<'_>, t: i64) -> Option<KeyProblem> {
    let fpr = vc.fingerprint().to_hex();
    let who = owner(vc.cert());
    if let RevocationStatus::Revoked(sigs) = vc.revocation_status() {
        return Some(revoked(&fpr, &who, "OpenPGP key", &sigs, t));
    }
    if vc.alive().is_err() {
        let on = vc.primary_key().key_expiration_time();
        return Some(expired(&fpr, &who, "OpenPGP key", on.map(unix), None));
    }
    None
}

/// ` (user id)` of `cert`, for messages; empty without one.
fn owner(cert: &Cert) -> String {
    super::openpgp::names::primary_user_id(cert)
        .map(|u| format!(" ({u})"))
        .unwrap_or_default()
}

/// Is the (sub)key `fpr` (any case) of `cert` usable for signing at `t`
/// (seconds since the epoch), and if not, why. The one check behind
/// signing, verification and export: the certificate must be valid at
/// `t` (a self-signature in force, primary neither revoked nor expired),
/// the key bound to it, neither revoked nor expired, allowed to sign by
/// its key flags, and of an algorithm and size that are not refused.
pub fn signing_key_at<'a>(
    cert: &'a Cert,
    policy: &'a CertPolicy,
    fpr: &str,
    t: i64,
) -> Result<ValidErasedKeyAmalgamation<'a, PublicParts>, KeyProblem> {
    let Some(key) = cert
        .keys()
        .find(|k| k.key().fingerprint().to_hex().eq_ignore_ascii_case(fpr))
    else {
        return Err(KeyProblem::new(
            ProblemKind::Unknown,
            &cert.fingerprint().to_hex(),
            format!(
                "key {} is not a key of OpenPGP certificate {}",
                fpr.to_uppercase(),
                cert.fingerprint().to_hex()
            ),
        ));
    };
    let vc = certificate_at(cert, policy, t)?;
    if let Some(p) = primary_problem(&vc, t) {
        return Err(p);
    }
    let is_primary = key.primary();
    let what = if is_primary {
        "OpenPGP key"
    } else {
        "OpenPGP subkey"
    };
    let kfpr = fpr_of(key.key());
    let ka = vc
        .keys()
        .find(|k| k.key().fingerprint() == key.key().fingerprint())
        .ok_or_else(|| {
            let k = key.key().clone().role_into_unspecified();
            unbound(cert, Some(&k), policy, t)
        })?;
    if !is_primary {
        if let RevocationStatus::Revoked(sigs) = ka.revocation_status() {
            let who = format!(" of {}{}", cert.fingerprint().to_hex(), owner(cert));
            return Err(revoked(&kfpr, &who, what, &sigs, t));
        }
        if ka.alive().is_err() {
            let primary = cert.fingerprint().to_hex();
            let who = format!(" of {primary}{}", owner(cert));
            return Err(expired(
                &kfpr,
                &who,
                what,
                ka.key_expiration_time().map(unix),
                Some(&primary),
            ));
        }
    }
    if !ka.for_signing() {
        return Err(KeyProblem::new(
            ProblemKind::NotSigningCapable,
            &kfpr,
            format!("{what} {kfpr} is not a signing key (its key flags do not allow signing)"),
        ));
    }
    let pkey = ka.key().clone().role_into_unspecified();
    if let Some(p) = size_problem(&pkey, what) {
        return Err(p);
    }
    Ok(ka)
}

/// The reason a certificate without any signing-capable key gives.
pub fn no_signing_key(primary: &str, why: &[KeyProblem]) -> String {
    if why.is_empty() {
        return format!("OpenPGP key {primary} has no signing-capable key");
    }
    let parts: Vec<&str> = why.iter().map(|p| p.message.as_str()).collect();
    format!(
        "OpenPGP key {primary} has no signing-capable key: {}",
        parts.join("; ")
    )
}

/// Warnings a usable certificate still draws at `t`: self-signatures
/// that use SHA-1 (accepted, as gpg does, but on their way out).
pub fn cert_warnings(cert: &Cert, policy: &CertPolicy, t: i64) -> Vec<String> {
    let Ok(vc) = certificate_at(cert, policy, t) else {
        return Vec::new();
    };
    let sha1 = |s: &Signature| s.hash_algo() == HashAlgorithm::SHA1;
    let mut weak = sha1(vc.primary_key().binding_signature());
    for u in vc.userids() {
        weak |= sha1(u.binding_signature());
    }
    // (A signing subkey's back-signature is not counted: gpg keeps the
    // old one when it renews a binding, so the owner could not fix it.)
    for ka in vc.keys().subkeys() {
        weak |= sha1(ka.binding_signature());
    }
    if !weak {
        return Vec::new();
    }
    let fpr = cert.fingerprint().to_hex();
    vec![format!(
        "OpenPGP key {fpr} binds its user ids or subkeys with SHA-1 self-signatures \
         (GnuPG 1.x era); intoto accepts them, as gpg does, but SHA-1 is being phased out. \
         The owner can refresh them: gpg --quick-set-expire {fpr} 2y \
         (and gpg --quick-set-expire {fpr} 2y '*' for the subkeys), then re-export the key"
    )]
}

/// `who`: what follows the fingerprint in the message (` (user id)`, or
/// ` of PRIMARY (user id)` for a subkey).
fn revoked(fpr: &str, who: &str, what: &str, sigs: &[&Signature], t: i64) -> KeyProblem {
    let sig = sigs.first();
    let on = sig
        .and_then(|s| s.signature_creation_time())
        .map(|c| layout_time(unix(c)));
    let date = on.map(|d| format!(" on {d}")).unwrap_or_default();
    let reason = sig.and_then(|s| s.reason_for_revocation());
    let why = match reason.as_ref().map(|(r, _)| r) {
        Some(ReasonForRevocation::KeyCompromised) => {
            format!("was revoked as compromised{date}; it is invalid at any time")
        }
        Some(r @ (ReasonForRevocation::KeySuperseded | ReasonForRevocation::KeyRetired))
            if r.revocation_type() == RevocationType::Soft =>
        {
            let word = if *r == ReasonForRevocation::KeySuperseded {
                "superseded"
            } else {
                "retired"
            };
            format!(
                "was revoked ({word}){date}, before the time it is judged at ({})",
                layout_time(t)
            )
        }
        Some(ReasonForRevocation::UIDRetired) => {
            format!("was revoked (user id no longer valid){date}")
        }
        Some(ReasonForRevocation::Unspecified) | None => {
            format!("was revoked{date} without a reason; it is invalid at any time")
        }
        Some(other) => {
            format!("was revoked{date} for an unknown reason ({other}); it is invalid at any time")
        }
    };
    let text = reason
        .map(|(_, m)| String::from_utf8_lossy(m).trim().to_owned())
        .filter(|m| !m.is_empty())
        .map(|m| format!(" (\"{m}\")"))
        .unwrap_or_default();
    KeyProblem::new(
        ProblemKind::Revoked,
        fpr,
        format!("{what} {fpr}{who} {why}{text}"),
    )
}

/// The (sub)key `fpr` expired on `on`; `primary` is the certificate's
/// fingerprint when `fpr` is a subkey (gpg extends a subkey through its
/// primary: `gpg --quick-set-expire PRIMARY 2y SUBKEY`).
fn expired(fpr: &str, who: &str, what: &str, on: Option<i64>, primary: Option<&str>) -> KeyProblem {
    let fix = match primary {
        Some(p) => format!("gpg --quick-set-expire {p} 2y {fpr}"),
        None => format!("gpg --quick-set-expire {fpr} 2y"),
    };
    let msg = match on {
        Some(d) => format!(
            "{what} {fpr}{who} expired on {}; the owner can extend it with {fix}",
            layout_time(d)
        ),
        None => format!("{what} {fpr}{who} has expired"),
    };
    KeyProblem::new(ProblemKind::Expired, fpr, msg)
}

/// RSA and DSA under 2048 bits, or a key in-toto's format cannot hold.
fn size_problem(
    key: &openpgp::packet::Key<PublicParts, UnspecifiedRole>,
    what: &str,
) -> Option<KeyProblem> {
    let fpr = fpr_of(key);
    match super::openpgp::params_of(key) {
        Ok(p) if p.is_weak() => Some(KeyProblem::new(
            ProblemKind::Weak,
            &fpr,
            format!(
                "{what} {fpr} is too short: {} {} bits (at least 2048 needed)",
                p.algorithm_name(),
                p.bits()
            ),
        )),
        Ok(_) => None,
        Err(e) => Some(KeyProblem::new(
            ProblemKind::Weak,
            &fpr,
            format!("{what} {fpr}: {e}"),
        )),
    }
}

/// Why `key` (the primary when `None`) is not valid at `t` under `policy`.
fn unbound(
    cert: &Cert,
    key: Option<&openpgp::packet::Key<PublicParts, UnspecifiedRole>>,
    policy: &CertPolicy,
    t: i64,
) -> KeyProblem {
    let primary = cert.primary_key().key().clone().role_into_unspecified();
    let key = key.unwrap_or(&primary);
    let is_primary = key.fingerprint() == primary.fingerprint();
    let what = if is_primary {
        "OpenPGP key"
    } else {
        "OpenPGP subkey"
    };
    let fpr = fpr_of(key);
    let created = unix(key.creation_time());
    if created > t {
        return KeyProblem::new(
            ProblemKind::NotYetValid,
            &fpr,
            format!(
                "{what} {fpr} was created on {}, after {}",
                layout_time(created),
                layout_time(t)
            ),
        );
    }
    if let Some(p) = size_problem(key, what) {
        return p;
    }
    if let Some(alg) = refused_algorithm(key, policy) {
        return KeyProblem::new(
            ProblemKind::Weak,
            &fpr,
            format!("{what} {fpr} uses {alg}, which {} refuses", policy.who()),
        );
    }
    // The self-signatures that could bind it.
    let sigs: Vec<&Signature> = if is_primary {
        cert.primary_key()
            .self_signatures()
            .chain(cert.userids().flat_map(|u| u.self_signatures()))
            .collect()
    } else {
        cert.keys()
            .subkeys()
            .filter(|k| k.key().fingerprint() == key.fingerprint())
            .flat_map(|k| k.self_signatures())
            .collect()
    };
    if sigs.is_empty() {
        let msg = if is_primary {
            format!(
                "{what} {fpr} has no self-signature (no user id or direct-key signature binds it)"
            )
        } else {
            format!("{what} {fpr} has no binding signature from its primary key")
        };
        return KeyProblem::new(ProblemKind::NotBound, &fpr, msg);
    }
    if sigs
        .iter()
        .all(|s| s.signature_creation_time().is_some_and(|c| unix(c) > t))
    {
        return KeyProblem::new(
            ProblemKind::NotYetValid,
            &fpr,
            format!(
                "{what} {fpr} was bound only after {} (its self-signatures are newer)",
                layout_time(t)
            ),
        );
    }
    let refused = |h: HashAlgorithm| match h {
        HashAlgorithm::MD5 | HashAlgorithm::RipeMD => true,
        h => policy.refuses_self_signature_hash(h),
    };
    if let Some(h) = sigs.first().map(|s| s.hash_algo())
        && sigs.iter().all(|s| refused(s.hash_algo()))
    {
        return KeyProblem::new(
            ProblemKind::Weak,
            &fpr,
            format!(
                "{what} {fpr} is bound only by {} self-signatures, a weak algorithm that {} refuses",
                hash_name(h),
                policy.who()
            ),
        );
    }
    // Signing subkeys need a valid back-signature (embedded 0x19).
    if !is_primary
        && sigs.iter().any(|s| {
            s.key_flags().is_some_and(|f| f.for_signing())
                && s.embedded_signatures().next().is_none()
        })
    {
        return KeyProblem::new(
            ProblemKind::NotBound,
            &fpr,
            format!(
                "{what} {fpr} is a signing subkey without a back-signature (it does not confirm its primary key)"
            ),
        );
    }
    let expired_sig = sigs
        .iter()
        .all(|s| s.signature_alive(system_time(t), None).is_err());
    let msg = if expired_sig {
        format!(
            "{what} {fpr} has no self-signature in force at {} (they expired or do not verify)",
            layout_time(t)
        )
    } else {
        format!(
            "{what} {fpr} has no valid self-signature at {} (its user ids and binding signatures do not verify)",
            layout_time(t)
        )
    };
    KeyProblem::new(ProblemKind::NotBound, &fpr, msg)
}

/// The key's algorithm, when the policy refuses it today (a configured
/// crypto policy may refuse what sequoia's default accepts).
fn refused_algorithm(
    key: &openpgp::packet::Key<PublicParts, UnspecifiedRole>,
    policy: &CertPolicy,
) -> Option<String> {
    use openpgp::policy::AsymmetricAlgorithm as A;
    use openpgp::types::{Curve, PublicKeyAlgorithm as P};
    #[allow(deprecated)]
    let bits = key.mpis().bits().unwrap_or(0);
    #[allow(deprecated)]
    let a = match key.pk_algo() {
        P::RSAEncryptSign | P::RSASign | P::RSAEncrypt => match bits {
            b if b < 2048 => A::RSA1024,
            b if b < 3072 => A::RSA2048,
            b if b < 4096 => A::RSA3072,
            _ => A::RSA4096,
        },
        P::DSA => match bits {
            b if b < 2048 => A::DSA1024,
            b if b < 3072 => A::DSA2048,
            b if b < 4096 => A::DSA3072,
            _ => A::DSA4096,
        },
        P::EdDSA => A::EdDSA,
        P::Ed25519 => A::Ed25519,
        P::ECDSA | P::ECDH => match key.mpis() {
            openpgp::crypto::mpi::PublicKey::ECDSA { curve, .. }
            | openpgp::crypto::mpi::PublicKey::ECDH { curve, .. } => match curve {
                Curve::NistP256 => A::NistP256,
                Curve::NistP384 => A::NistP384,
                Curve::NistP521 => A::NistP521,
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    let refused = policy
        .sequoia_standard()
        .asymmetric_algo_cutoff(a)
        .is_some_and(|c| c <= std::time::SystemTime::now());
    refused.then(|| format!("{a}"))
}

fn hash_name(h: HashAlgorithm) -> &'static str {
    match h {
        HashAlgorithm::MD5 => "MD5",
        HashAlgorithm::SHA1 => "SHA-1",
        HashAlgorithm::RipeMD => "RIPEMD-160",
        HashAlgorithm::SHA224 => "SHA-224",
        HashAlgorithm::SHA256 => "SHA-256",
        HashAlgorithm::SHA384 => "SHA-384",
        HashAlgorithm::SHA512 => "SHA-512",
        _ => "an unknown hash",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openpgp::cert::CertBuilder;
    use openpgp::cert::{CertRevocationBuilder, SubkeyRevocationBuilder};
    use openpgp::packet::signature::SignatureBuilder;
    use openpgp::parse::Parse;
    use openpgp::types::SignatureType;
    use std::time::Duration;

    /// A GnuPG 1.x-era style key: SHA-1 user-id and subkey self-signatures
    /// (testdata/keys/generate-sha1.sh).
    const OWEN: &[u8] = include_bytes!("../../../../testdata/keys/owen-sha1.asc");
    const OWEN_LAYOUT: &[u8] = include_bytes!("../../../../testdata/keys/owen-sha1.layout");
    const OWEN_FPR: &str = "D1E2F7C84A197C2DE03218B07764FD618046F3A2";

    const T0: i64 = 1_600_000_000; // key creation
    const T1: i64 = 1_700_000_000; // revocation
    const DAY: i64 = 86_400;

    fn owen() -> Cert {
        Cert::from_bytes(OWEN).unwrap()
    }

    #[test]
    fn sha1_self_signatures_are_accepted_with_a_warning() {
        let cert = owen();
        let now = 1_800_000_000;
        let policy = CertPolicy::standard();
        let signing = cert.keys().subkeys().next().unwrap().key().fingerprint();
        let ka = signing_key_at(&cert, &policy, &signing.to_hex(), now).unwrap();
        assert!(!ka.primary());
        // The certify-only primary cannot sign, and says so plainly.
        let p = signing_key_at(&cert, &policy, OWEN_FPR, now).unwrap_err();
        assert_eq!(p.kind, ProblemKind::NotSigningCapable);
        assert!(p.message.contains("not a signing key"), "{p}");
        // sequoia's own policy refuses the key, in our words.
        let strict = CertPolicy::strict();
        let p = signing_key_at(&cert, &strict, &signing.to_hex(), now).unwrap_err();
        assert_eq!(p.kind, ProblemKind::Weak);
        assert!(
            p.message.contains("SHA-1") && p.message.contains(OWEN_FPR),
            "{p}"
        );
        assert!(!p.message.contains("No binding signature"), "{p}");
        // The warning names the key, SHA-1 and the fix.
        let w = cert_warnings(&cert, &policy, now);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains(OWEN_FPR) && w[0].contains("SHA-1"),
            "{}",
            w[0]
        );
        assert!(w[0].contains(&format!("gpg --quick-set-expire {OWEN_FPR} 2y")));
        // A key with SHA-256 self-signatures draws none.
        let (fresh, _) = CertBuilder::general_purpose(Some("x")).generate().unwrap();
        assert!(cert_warnings(&fresh, &policy, unix(std::time::SystemTime::now())).is_empty());
    }

    #[test]
    fn a_layout_signed_by_the_sha1_key_verifies_at_its_time_only() {
        use crate::keys::{Verifier as _, openpgp::CertVerifier, verify_envelope};
        let env = crate::models::Envelope::from_slice(OWEN_LAYOUT).unwrap();
        let v = CertVerifier::new(owen(), &crate::policy::Policy::at(1_800_000_000)).unwrap();
        assert!(v.owns(OWEN_FPR));
        verify_envelope(&env, &v).unwrap();
        // Before the key existed (2014) it could not have signed.
        let early = CertVerifier::new(owen(), &crate::policy::Policy::at(1_400_000_000)).unwrap();
        let e = verify_envelope(&env, &early).unwrap_err().to_string();
        assert!(e.contains("was created on 2015-03-01"), "{e}");
    }

    /// A signing-capable key created at T0 with a signing subkey, and its
    /// primary's signer.
    fn fresh(validity: Option<i64>) -> (Cert, openpgp::crypto::KeyPair) {
        let mut b = CertBuilder::new()
            .add_userid("t")
            .set_creation_time(system_time(T0))
            .set_primary_key_flags(
                openpgp::types::KeyFlags::empty()
                    .set_certification()
                    .set_signing(),
            )
            .add_signing_subkey();
        if let Some(v) = validity {
            b = b.set_validity_period(Duration::from_secs(v as u64));
        }
        let (cert, _) = b.generate().unwrap();
        let signer = crate::keys::openpgp::primary_keypair(&cert);
        (cert.strip_secret_key_material(), signer)
    }

    fn revoke(reason: Option<ReasonForRevocation>, subkey: bool) -> Cert {
        let (cert, mut signer) = fresh(None);
        let at = system_time(T1);
        let sig = match (reason, subkey) {
            (Some(r), false) => CertRevocationBuilder::new()
                .set_reason_for_revocation(r, b"")
                .unwrap()
                .set_signature_creation_time(at)
                .unwrap()
                .build(&mut signer, &cert, None)
                .unwrap(),
            (Some(r), true) => {
                let sub = cert.keys().subkeys().next().unwrap().key().clone();
                SubkeyRevocationBuilder::new()
                    .set_reason_for_revocation(r, b"moved on")
                    .unwrap()
                    .set_signature_creation_time(at)
                    .unwrap()
                    .build(&mut signer, &cert, &sub, None)
                    .unwrap()
            }
            (None, _) => SignatureBuilder::new(SignatureType::KeyRevocation)
                .set_signature_creation_time(at)
                .unwrap()
                .sign_direct_key(&mut signer, cert.primary_key().key())
                .unwrap(),
        };
        cert.insert_packets(sig).unwrap().0
    }

    fn verdict(cert: &Cert, sub: bool, t: i64) -> Result<(), KeyProblem> {
        let policy = CertPolicy::standard();
        let fpr = if sub {
            cert.keys().subkeys().next().unwrap().key().fingerprint()
        } else {
            cert.fingerprint()
        };
        signing_key_at(cert, &policy, &fpr.to_hex(), t).map(|_| ())
    }

    #[test]
    fn hard_revocations_hold_at_every_time_soft_ones_from_their_date() {
        let before = T1 - DAY;
        let after = T1 + DAY;
        for (reason, hard) in [
            (Some(ReasonForRevocation::KeyCompromised), true),
            (Some(ReasonForRevocation::Unspecified), true),
            (Some(ReasonForRevocation::Unknown(99)), true),
            (None, true),
            (Some(ReasonForRevocation::KeySuperseded), false),
            (Some(ReasonForRevocation::KeyRetired), false),
        ] {
            let cert = revoke(reason, false);
            for sub in [false, true] {
                let late = verdict(&cert, sub, after).unwrap_err();
                assert_eq!(late.kind, ProblemKind::Revoked, "{reason:?}");
                assert!(late.message.contains("was revoked"), "{late}");
                assert!(late.message.contains("2023-11-14"), "{late}");
                let early = verdict(&cert, sub, before);
                if hard {
                    let e = early.unwrap_err();
                    assert_eq!(e.kind, ProblemKind::Revoked, "{reason:?}");
                    assert!(e.message.contains("invalid at any time"), "{e}");
                } else {
                    assert_eq!(early, Ok(()), "{reason:?} before its date");
                }
            }
        }
        let compromised = verdict(
            &revoke(Some(ReasonForRevocation::KeyCompromised), false),
            false,
            before,
        );
        assert!(compromised.unwrap_err().message.contains("compromised"));
    }

    #[test]
    fn subkey_revocations_and_expiry_are_judged_at_the_time() {
        let cert = revoke(Some(ReasonForRevocation::KeyRetired), true);
        assert_eq!(verdict(&cert, true, T1 - DAY), Ok(()));
        let e = verdict(&cert, true, T1 + DAY).unwrap_err();
        assert_eq!(e.kind, ProblemKind::Revoked);
        assert!(
            e.message.starts_with("OpenPGP subkey") && e.message.contains("retired"),
            "{e}"
        );
        assert!(e.message.contains("moved on"), "{e}");
        // The primary is untouched.
        assert_eq!(verdict(&cert, false, T1 + DAY), Ok(()));
        let cert = revoke(Some(ReasonForRevocation::KeyCompromised), true);
        assert_eq!(
            verdict(&cert, true, T1 - DAY).unwrap_err().kind,
            ProblemKind::Revoked
        );

        // Expiry: valid within the period, expired (with the date) after,
        // not yet valid before creation.
        let (cert, _) = fresh(Some(10 * DAY));
        assert_eq!(verdict(&cert, true, T0 + DAY), Ok(()));
        let e = verdict(&cert, true, T0 + 11 * DAY).unwrap_err();
        assert_eq!(e.kind, ProblemKind::Expired);
        assert!(e.message.contains("expired on 2020-09-23"), "{e}");
        assert!(e.message.contains("gpg --quick-set-expire"), "{e}");
        let e = verdict(&cert, false, T0 - DAY).unwrap_err();
        assert_eq!(e.kind, ProblemKind::NotYetValid);
        assert!(e.message.contains("was created on 2020-09-13"), "{e}");
    }
}
