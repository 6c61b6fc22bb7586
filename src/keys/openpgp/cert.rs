//! Certificates from keyrings and GnuPG homes: reading and finding them,
//! and their layout key dicts as valid at a time (judged by the one check
//! in [`crate::keys::validity`]).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openpgp::cert::prelude::*;
use openpgp::packet::Key;
use openpgp::packet::key::{PublicParts, UnspecifiedRole};
use openpgp::parse::Parse;
use sequoia_openpgp as openpgp;

use super::noninteroperable;
use crate::format::is_hex;
use crate::keys::validity::{self, ProblemKind};
use crate::models::keydict::{GpgKey, GpgParams};
use crate::policy::Policy;

/// Reads every certificate in `bytes` (armored or binary keyring).
pub fn read_certs(bytes: &[u8]) -> Result<Vec<Cert>, String> {
    let mut out = Vec::new();
    for c in CertParser::from_bytes(bytes).map_err(|e| format!("not an OpenPGP keyring: {e}"))? {
        out.push(c.map_err(|e| format!("malformed certificate: {e}"))?);
    }
    Ok(out)
}

/// Finds the certificate for `id` (fingerprint, long key id or subkey
/// fingerprint, any case), matching by suffix as gpg and the reference do.
pub fn find_cert<'a>(certs: &'a [Cert], id: &str) -> Result<&'a Cert, String> {
    let want = id.trim_start_matches("0x").to_lowercase();
    if want.len() < 16 || !is_hex(&want) {
        return Err(format!(
            "{id:?} is not a key id or fingerprint (need at least 16 hex digits)"
        ));
    }
    let hits: Vec<&Cert> = certs
        .iter()
        .filter(|c| {
            c.keys().any(|k| {
                k.key()
                    .fingerprint()
                    .to_hex()
                    .to_lowercase()
                    .ends_with(&want)
            })
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("no OpenPGP key {id}")),
        _ => Err(format!(
            "{id} matches {} keys; give the full fingerprint",
            hits.len()
        )),
    }
}

/// Time as `SystemTime`.
pub fn system_time(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64)
}

/// The layout key dict for `cert`, as securesystemslib exports it, but
/// read correctly: subkeys and expiry of Ed25519 keys are kept, revoked
/// subkeys are left out. Subkeys of algorithms in-toto cannot use (e.g.
/// Curve25519 encryption keys) are skipped, like the reference does.
///
/// Keys the reference cannot verify (NIST ECDSA) are refused, and such
/// subkeys left out, unless the policy allows them. A revoked key is
/// refused (an expired one is exported: its dict says when it expired).
pub fn cert_to_dict(cert: &Cert, policy: &Policy) -> Result<GpgKey, String> {
    let now = policy.time();
    let vc = validity::certificate_at(cert, policy.openpgp(), now).map_err(|p| p.message)?;
    if let Some(p) = validity::primary_problem(&vc, now)
        && p.kind == ProblemKind::Revoked
    {
        return Err(p.message);
    }
    dict_of_valid(cert, &vc, policy)
}

fn dict_of_valid(cert: &Cert, vc: &ValidCert<'_>, policy: &Policy) -> Result<GpgKey, String> {
    let allow_noninteroperable = policy.allow_noninteroperable();
    let primary = vc.primary_key();
    let pkey: Key<PublicParts, UnspecifiedRole> = primary.key().clone().role_into_unspecified();
    let params =
        GpgParams::from_key(&pkey).map_err(|e| format!("key {}: {e}", cert.fingerprint()))?;
    if !params.interoperable() && !allow_noninteroperable {
        return Err(noninteroperable(&cert.fingerprint().to_hex(), &params));
    }
    let validity = primary.key_validity_period().map(|d| d.as_secs() as i64);
    let mut subkeys = Vec::new();
    for ka in vc.keys().subkeys() {
        let fpr = ka.key().fingerprint().to_hex();
        // The same verdict as for signing; expired and encryption-only
        // subkeys stay in (as in the reference's export), revoked, unbound
        // and weak ones are left out.
        match validity::signing_key_at(cert, policy.openpgp(), &fpr, policy.time()) {
            Ok(_) => {}
            Err(p)
                if matches!(
                    p.kind,
                    ProblemKind::Expired | ProblemKind::NotSigningCapable
                ) => {}
            Err(_) => continue,
        }
        let skey: Key<PublicParts, UnspecifiedRole> = ka.key().clone().role_into_unspecified();
        let Ok(sparams) = GpgParams::from_key(&skey) else {
            continue;
        };
        if !sparams.interoperable() && !allow_noninteroperable {
            continue;
        }
        let svalidity = ka.key_validity_period().map(|d| d.as_secs() as i64);
        subkeys.push(GpgKey::new(
            sparams,
            unix(skey.creation_time()),
            svalidity,
            Vec::new(),
        )?);
    }
    GpgKey::new(params, unix(pkey.creation_time()), validity, subkeys)
}

/// Seconds since the epoch.
pub fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Like [`cert_to_dict`], but for certificates that are revoked or not
/// valid at `now` (their dict is still needed to say why they fail).
pub(crate) fn cert_to_dict_lenient(cert: &Cert, policy: &Policy) -> Result<GpgKey, String> {
    if let Ok(vc) = validity::certificate_at(cert, policy.openpgp(), policy.time()) {
        return dict_of_valid(cert, &vc, policy);
    }
    let pkey: Key<PublicParts, UnspecifiedRole> =
        cert.primary_key().key().clone().role_into_unspecified();
    let params =
        GpgParams::from_key(&pkey).map_err(|e| format!("key {}: {e}", cert.fingerprint()))?;
    GpgKey::new(params, unix(pkey.creation_time()), None, Vec::new())
}
