//! Between sequoia's keys and the key dict's parameters: which OpenPGP
//! keys in-toto's format can hold, and the sequoia key that checks a
//! signature by a dict. The format crate writes the v4 packet (and so the
//! fingerprint) on its own; a unit test holds the two to each other.

use std::time::{Duration, UNIX_EPOCH};

use openpgp::crypto::mpi;
use openpgp::packet::Key;
use openpgp::packet::key::{Key4, PublicParts, UnspecifiedRole};
use openpgp::types::{Curve, PublicKeyAlgorithm};
use sequoia_openpgp as openpgp;

use crate::models::keydict::gpg::{GpgKey, GpgKeyError, GpgParams};

/// Parameters of a public key, if in-toto's OpenPGP format can hold them
/// (v4 RSA, DSA, EdDSA/Ed25519, or ECDSA on a NIST curve).
#[allow(deprecated)]
pub fn params_of(key: &Key<PublicParts, UnspecifiedRole>) -> Result<GpgParams, GpgKeyError> {
    if key.version() != 4 {
        return Err(GpgKeyError::Version(key.version()));
    }
    match (key.pk_algo(), key.mpis()) {
        (PublicKeyAlgorithm::RSAEncryptSign, mpi::PublicKey::RSA { e, n }) => Ok(GpgParams::Rsa {
            e: e.value().to_vec(),
            n: n.value().to_vec(),
        }),
        (PublicKeyAlgorithm::DSA, mpi::PublicKey::DSA { p, q, g, y }) => Ok(GpgParams::Dsa {
            p: p.value().to_vec(),
            q: q.value().to_vec(),
            g: g.value().to_vec(),
            y: y.value().to_vec(),
        }),
        (
            PublicKeyAlgorithm::EdDSA,
            mpi::PublicKey::EdDSA {
                curve: Curve::Ed25519,
                q,
            },
        ) => {
            let v = q.value();
            if v.len() != 33 || v[0] != 0x40 {
                return Err(GpgKeyError::MalformedEd25519);
            }
            Ok(GpgParams::EdDsa { q: v[1..].to_vec() })
        }
        (PublicKeyAlgorithm::ECDSA, mpi::PublicKey::ECDSA { curve, q }) => {
            match GpgParams::nist_curve(curve.oid()) {
                Some(name) => Ok(GpgParams::Ecdsa {
                    curve: name,
                    q: q.value().to_vec(),
                }),
                None => Err(GpgKeyError::Curve(curve.to_string())),
            }
        }
        (algo, _) => Err(GpgKeyError::Algorithm(algo.to_string())),
    }
}

/// The sequoia key for a dict's parameters. The creation time only
/// enters the fingerprint, not the signature check, so a legacy dict
/// without one still verifies.
pub fn sequoia_key(k: &GpgKey) -> Result<Key<PublicParts, UnspecifiedRole>, GpgKeyError> {
    let t = UNIX_EPOCH + Duration::from_secs(k.creation_time.unwrap_or(0).max(0) as u64);
    let k4 = Key4::new(t, pk_algo(&k.params), mpis(&k.params))
        .map_err(|e| GpgKeyError::Algorithm(e.to_string()))?;
    Ok(Key::V4(k4))
}

#[allow(deprecated)]
fn pk_algo(p: &GpgParams) -> PublicKeyAlgorithm {
    match p {
        GpgParams::Rsa { .. } => PublicKeyAlgorithm::RSAEncryptSign,
        GpgParams::Dsa { .. } => PublicKeyAlgorithm::DSA,
        GpgParams::EdDsa { .. } => PublicKeyAlgorithm::EdDSA,
        GpgParams::Ecdsa { .. } => PublicKeyAlgorithm::ECDSA,
    }
}

fn mpis(p: &GpgParams) -> mpi::PublicKey {
    match p {
        GpgParams::Rsa { e, n } => mpi::PublicKey::RSA {
            e: mpi::MPI::new(e),
            n: mpi::MPI::new(n),
        },
        GpgParams::Dsa { p, q, g, y } => mpi::PublicKey::DSA {
            p: mpi::MPI::new(p),
            q: mpi::MPI::new(q),
            g: mpi::MPI::new(g),
            y: mpi::MPI::new(y),
        },
        GpgParams::EdDsa { q } => {
            let mut point = vec![0x40];
            point.extend_from_slice(q);
            mpi::PublicKey::EdDSA {
                curve: Curve::Ed25519,
                q: mpi::MPI::new(&point),
            }
        }
        GpgParams::Ecdsa { q, .. } => mpi::PublicKey::ECDSA {
            curve: Curve::from_oid(p.curve_oid().unwrap_or_default()),
            q: mpi::MPI::new(q),
        },
    }
}

#[cfg(test)]
mod tests {
    use openpgp::cert::{CertBuilder, CipherSuite};

    use super::*;
    use crate::keys::openpgp::unix;

    /// The format crate's hand-written v4 fingerprint is sequoia's, for
    /// every algorithm the dicts hold, primary keys and subkeys alike.
    #[test]
    fn fingerprints_agree_with_sequoia() {
        for suite in [
            CipherSuite::Cv25519,
            CipherSuite::RSA2k,
            CipherSuite::P256,
            CipherSuite::P384,
            CipherSuite::P521,
        ] {
            let (cert, _) = CertBuilder::new()
                .set_cipher_suite(suite)
                .add_signing_subkey()
                .generate()
                .unwrap();
            for ka in cert.keys() {
                let key = ka.key().clone().role_into_unspecified();
                let params = match params_of(&key) {
                    Ok(p) => p,
                    // Cv25519's encryption subkey is X25519: not held.
                    Err(GpgKeyError::Algorithm(_)) => continue,
                    Err(e) => panic!("{suite:?}: {e}"),
                };
                let dict =
                    GpgKey::new(params, unix(key.creation_time()), None, Vec::new()).unwrap();
                assert_eq!(
                    dict.keyid,
                    key.fingerprint().to_hex().to_lowercase(),
                    "{suite:?}"
                );
                let back = sequoia_key(&dict).unwrap();
                assert_eq!(back.fingerprint(), key.fingerprint(), "{suite:?}");
            }
        }
    }
}
