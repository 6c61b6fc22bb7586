//! Certificates from keyrings and GnuPG homes: reading and finding them,
//! and their layout key dicts as valid at a time (judged by the one check
//! in [`crate::keys::validity`]).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openpgp::Fingerprint;
use openpgp::cert::prelude::*;
use openpgp::cert::raw::RawCertParser;
use openpgp::packet::Key;
use openpgp::packet::key::{PublicParts, UnspecifiedRole};
use openpgp::parse::Parse;
use sequoia_openpgp as openpgp;
use sha2::{Digest, Sha256};

use super::noninteroperable;
use crate::format::is_hex;
use crate::keys::validity::{self, ProblemKind};
use crate::models::keydict::GpgKey;
use crate::models::keydict::gpg::GpgKeyError;
use crate::policy::Policy;

/// Why certificates could not be read, found or turned into a key dict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The bytes are not an OpenPGP keyring (sequoia's reason).
    #[error("not an OpenPGP keyring: {0}")]
    NotKeyring(anyhow::Error),
    /// A certificate in the keyring does not parse (sequoia's reason).
    #[error("malformed certificate: {0}")]
    Malformed(anyhow::Error),
    /// Two copies of the certificate with this fingerprint cannot be merged.
    #[error("certificate {fingerprint}: {cause}")]
    Merge {
        /// The primary fingerprint.
        fingerprint: Fingerprint,
        /// sequoia's reason.
        cause: anyhow::Error,
    },
    /// The text given is not a fingerprint or key id.
    #[error("{0:?} is not a key id or fingerprint (need at least 16 hex digits)")]
    NotAnId(String),
    /// No certificate has a key with this id.
    #[error("no OpenPGP key {0}")]
    NotFound(String),
    /// No certificate has a user id matching this text.
    #[error("no OpenPGP key with a user id matching {0:?}")]
    NoUserId(String),
    /// Several certificates have user ids matching this text.
    #[error(
        "{id:?} matches {count} OpenPGP keys ({candidates}); give the fingerprint of the one meant"
    )]
    UserIdAmbiguous {
        /// The text given.
        id: String,
        /// How many certificates.
        count: usize,
        /// Each one's fingerprint and user id.
        candidates: String,
    },
    /// The subkey fingerprint `id` is a subkey of several certificates.
    #[error(
        "{id} is a subkey of {count} certificates ({primaries}); give the primary fingerprint of the one meant"
    )]
    SubkeyOfSeveral {
        /// The fingerprint given.
        id: String,
        /// How many certificates.
        count: usize,
        /// Their primary fingerprints, comma-separated.
        primaries: String,
    },
    /// The key id `id` matches keys of several certificates.
    #[error("{id} matches keys of {count} certificates ({primaries}); give the full fingerprint")]
    Ambiguous {
        /// The key id given.
        id: String,
        /// How many certificates.
        count: usize,
        /// Their primary fingerprints, comma-separated.
        primaries: String,
    },
    /// The certificate is not valid at the policy's time, or is revoked.
    #[error("{0}")]
    Unusable(validity::KeyProblem),
    /// The primary key (this fingerprint) cannot be held in in-toto's
    /// OpenPGP format.
    #[error("key {fingerprint}: {cause}")]
    Format {
        /// The primary fingerprint.
        fingerprint: Fingerprint,
        /// Why.
        cause: GpgKeyError,
    },
    /// A key dict cannot be built.
    #[error(transparent)]
    Dict(#[from] GpgKeyError),
    /// The key is of a kind the Python reference cannot verify, and the
    /// policy does not allow such keys (the message names the key).
    #[error("{0}")]
    NonInteroperable(String),
}

/// Reads every certificate in `bytes` (armored or binary keyring), the
/// copies of one certificate merged into one (see [`CertSet`]).
pub fn read_certs(bytes: &[u8]) -> Result<Vec<Cert>, CertError> {
    let mut set = CertSet::default();
    set.read(bytes)?;
    Ok(set.into_certs())
}

/// Certificates gathered from keyrings, one per primary fingerprint: a
/// certificate met again (in the same file or another) is merged into the
/// first one, as gpg and sequoia do on import (`Cert::merge_public`: the
/// union of its user ids, subkeys and signatures; the later copies' secret
/// key material is ignored). A copy that brings no packet the certificate
/// does not have already (the same certificate, armored or not, or an
/// older export of it) is only framed and hashed, never parsed, so a
/// keyring of many copies costs about what one copy does. The order is
/// that of first appearance.
#[derive(Default)]
pub struct CertSet {
    certs: Vec<Cert>,
    index: HashMap<Fingerprint, Entry>,
}

/// Where a certificate is in [`CertSet::certs`], and the SHA-256 of each
/// of its packets (as framed) read so far.
struct Entry {
    at: usize,
    packets: HashSet<[u8; 32]>,
}

impl CertSet {
    /// Adds every certificate in `bytes` (armored or binary keyring).
    pub fn read(&mut self, bytes: &[u8]) -> Result<(), CertError> {
        // Framing first (cheap); input it cannot frame is parsed whole, so
        // that what is accepted or refused, and why, is the parser's.
        let Ok(raws) = RawCertParser::from_bytes(bytes) else {
            return self.parse_all(bytes);
        };
        for raw in raws {
            let Ok(raw) = raw else {
                return self.parse_all(bytes);
            };
            // Each packet as framed (header and body): sequoia's
            // `RawPacket::body` panics on a header that claims more than
            // the packet holds. The same packet framed otherwise only
            // costs a parse and a merge.
            let digests: Vec<[u8; 32]> = raw
                .packets()
                .map(|p| Sha256::digest(p.as_bytes()).into())
                .collect();
            if let Some(e) = self.index.get(&raw.fingerprint())
                && digests.iter().all(|d| e.packets.contains(d))
            {
                continue;
            }
            let cert = Cert::from_bytes(raw.as_bytes()).map_err(CertError::Malformed)?;
            self.add_packets(cert, digests)?;
        }
        Ok(())
    }

    /// Adds every certificate in `bytes`, each parsed.
    fn parse_all(&mut self, bytes: &[u8]) -> Result<(), CertError> {
        for c in CertParser::from_bytes(bytes).map_err(CertError::NotKeyring)? {
            self.add(c.map_err(CertError::Malformed)?)?;
        }
        Ok(())
    }

    /// Adds `cert`, merged into the one with its fingerprint if any.
    pub fn add(&mut self, cert: Cert) -> Result<(), CertError> {
        self.add_packets(cert, Vec::new())
    }

    /// [`add`](Self::add), noting the digests of the packets it came in.
    fn add_packets(&mut self, cert: Cert, digests: Vec<[u8; 32]>) -> Result<(), CertError> {
        let fpr = cert.fingerprint();
        let Some(e) = self.index.get_mut(&fpr) else {
            self.index.insert(
                fpr,
                Entry {
                    at: self.certs.len(),
                    packets: digests.into_iter().collect(),
                },
            );
            self.certs.push(cert);
            return Ok(());
        };
        e.packets.extend(digests);
        let first = &mut self.certs[e.at];
        if *first == cert {
            return Ok(());
        }
        *first = first
            .clone()
            .merge_public(cert)
            .map_err(|cause| CertError::Merge {
                fingerprint: fpr,
                cause,
            })?;
        Ok(())
    }

    /// The certificates, in order of first appearance.
    pub fn into_certs(self) -> Vec<Cert> {
        self.certs
    }
}

/// Finds the certificate for `id` (fingerprint, long key id or subkey
/// fingerprint, any case), matching by suffix as gpg and the reference do;
/// or, for anything not written as a key id, the one certificate with a
/// user id matching it by gpg's rules ([`super::names::user_id_matches`]).
///
/// A full fingerprint names the certificate whose primary key it is, even
/// when another certificate carries the same key as a subkey; else the one
/// certificate holding a (sub)key of exactly that fingerprint. Only a key
/// id (a suffix) that several certificates' keys end with is ambiguous.
pub fn find_cert<'a>(certs: &'a [Cert], id: &str) -> Result<&'a Cert, CertError> {
    if !super::names::looks_like_key_id(id) {
        let hits: Vec<&Cert> = certs
            .iter()
            .filter(|c| super::names::user_id_matches(c, id))
            .collect();
        return match hits.as_slice() {
            [one] => Ok(one),
            [] => Err(CertError::NoUserId(id.to_owned())),
            _ => Err(CertError::UserIdAmbiguous {
                id: id.to_owned(),
                count: hits.len(),
                candidates: super::names::candidates(&hits),
            }),
        };
    }
    let want = id.trim().trim_start_matches("0x").to_lowercase();
    if want.len() < 16 || !is_hex(&want) {
        return Err(CertError::NotAnId(id.to_owned()));
    }
    let hex = |f: Fingerprint| f.to_hex().to_lowercase();
    if let Some(c) = one_of(certs.iter().filter(|c| hex(c.fingerprint()) == want)) {
        return Ok(c);
    }
    let exact: Vec<&Cert> = certs
        .iter()
        .filter(|c| c.keys().any(|k| hex(k.key().fingerprint()) == want))
        .collect();
    match exact.as_slice() {
        [one] => return Ok(one),
        [] => {}
        many => {
            return Err(CertError::SubkeyOfSeveral {
                id: id.to_owned(),
                count: many.len(),
                primaries: primaries(many),
            });
        }
    }
    let hits: Vec<&Cert> = certs
        .iter()
        .filter(|c| {
            c.keys()
                .any(|k| hex(k.key().fingerprint()).ends_with(&want))
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(CertError::NotFound(id.to_owned())),
        _ => Err(CertError::Ambiguous {
            id: id.to_owned(),
            count: hits.len(),
            primaries: primaries(&hits),
        }),
    }
}

/// The first of `certs` when they are all the same certificate (one
/// primary fingerprint), else `None`.
fn one_of<'a>(mut certs: impl Iterator<Item = &'a Cert>) -> Option<&'a Cert> {
    let first = certs.next()?;
    certs
        .all(|c| c.fingerprint() == first.fingerprint())
        .then_some(first)
}

/// The primary fingerprints of `certs`, for messages.
fn primaries(certs: &[&Cert]) -> String {
    certs
        .iter()
        .map(|c| c.fingerprint().to_hex())
        .collect::<Vec<_>>()
        .join(", ")
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
pub fn cert_to_dict(cert: &Cert, policy: &Policy) -> Result<GpgKey, CertError> {
    let now = policy.time();
    let vc = validity::certificate_at(cert, policy.openpgp(), now).map_err(CertError::Unusable)?;
    if let Some(p) = validity::primary_problem(&vc, now)
        && p.kind == ProblemKind::Revoked
    {
        return Err(CertError::Unusable(p));
    }
    dict_of_valid(cert, &vc, policy)
}

fn dict_of_valid(cert: &Cert, vc: &ValidCert<'_>, policy: &Policy) -> Result<GpgKey, CertError> {
    let allow_noninteroperable = policy.allow_noninteroperable();
    let primary = vc.primary_key();
    let pkey: Key<PublicParts, UnspecifiedRole> = primary.key().clone().role_into_unspecified();
    let params = super::params_of(&pkey).map_err(|cause| CertError::Format {
        fingerprint: cert.fingerprint(),
        cause,
    })?;
    if !params.interoperable() && !allow_noninteroperable {
        return Err(CertError::NonInteroperable(noninteroperable(
            &cert.fingerprint().to_hex(),
            &params,
        )));
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
        let Ok(sparams) = super::params_of(&skey) else {
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
    Ok(GpgKey::new(
        params,
        unix(pkey.creation_time()),
        validity,
        subkeys,
    )?)
}

/// Seconds since the epoch.
pub fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Like [`cert_to_dict`], but for certificates that are revoked or not
/// valid at `now` (their dict is still needed to say why they fail).
pub(crate) fn cert_to_dict_lenient(cert: &Cert, policy: &Policy) -> Result<GpgKey, CertError> {
    if let Ok(vc) = validity::certificate_at(cert, policy.openpgp(), policy.time()) {
        return dict_of_valid(cert, &vc, policy);
    }
    let pkey: Key<PublicParts, UnspecifiedRole> =
        cert.primary_key().key().clone().role_into_unspecified();
    let params = super::params_of(&pkey).map_err(|cause| CertError::Format {
        fingerprint: cert.fingerprint(),
        cause,
    })?;
    Ok(GpgKey::new(
        params,
        unix(pkey.creation_time()),
        None,
        Vec::new(),
    )?)
}
