//! OpenPGP in pure Rust (sequoia): in-toto's GPG signature triple, the GPG
//! key dicts layouts carry, and certificates read from keyrings.
//!
//! The in-toto triple (securesystemslib's format) is
//! `{"keyid", "other_headers", "signature"}`:
//!
//! * `keyid`: fingerprint of the (sub)key that signed, lower-case hex;
//! * `other_headers`: hex of the v4 signature packet body from the version
//!   byte to the end of the hashed subpackets;
//! * `signature`: RSA: the MPI bytes; DSA: DER `SEQUENCE { r, s }`;
//!   EdDSA: `r || s`, each padded to 32 bytes.
//!
//! and the signed digest is
//! `H(data || other_headers || 0x04 0xff || be32(len(other_headers)))`.
//!
//! Verification here is stricter than the reference's: v4 binary
//! signatures only, the algorithm byte must match the key, SHA-256 or
//! stronger, the hashed issuer fingerprint must equal `keyid`, a signature
//! expiration is honoured and unknown critical subpackets invalidate the
//! signature. Key dicts are recomputed from their key material: the
//! fingerprint must equal the dict's id.

//!
//! By concern: [`packet`] (the triple, building and parsing), [`cert`]
//! (certificates and their dicts at a time), [`params`] (sequoia keys and
//! dict parameters), [`verify`] (checking signatures). The key dict format itself is [`crate::models::keydict`].

pub mod cert;
pub mod names;
pub mod packet;
pub mod params;
pub mod verify;

pub use crate::models::keydict::{GpgKey, GpgParams};
pub use cert::{CertSet, cert_to_dict, find_cert, read_certs, system_time, unix};
pub use packet::{
    Headers, PgpSignature, build_signature, parse_headers, parse_packet, signed_digest,
};
pub use params::{params_of, sequoia_key};
pub use verify::{CertVerifier, GpgDictVerifier, noninteroperable, verify_triple};

#[cfg(test)]
mod tests;

/// The signing key pair of a test certificate's primary key (generated
/// with its secret).
#[cfg(test)]
pub(crate) fn primary_keypair(cert: &sequoia_openpgp::Cert) -> sequoia_openpgp::crypto::KeyPair {
    cert.primary_key()
        .key()
        .clone()
        .parts_into_secret()
        .unwrap()
        .into_keypair()
        .unwrap()
}
