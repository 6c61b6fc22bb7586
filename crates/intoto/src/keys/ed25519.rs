//! Ed25519 signatures checked over a message written in pieces: the message
//! is hashed (SHA-512, after the signature's R and the key) as it is
//! written, so a link of many artifacts is checked without its canonical
//! bytes whole in memory and each piece is hashed while it is still in the
//! cache. The arithmetic is ed25519-dalek's ([`VerifyingKey::verify_stream`],
//! cofactorless, S below the group order, as ring and OpenSSL check);
//! ring, which checks every other signature, takes the message whole only.

use std::io::{self, Write};

use ed25519_dalek::{Signature, StreamVerifier, VerifyingKey};

use super::{Payload, VerifyError, payload_error};

/// Checks the Ed25519 signature `sig` by the public key `public` (32
/// bytes) over what `payload` writes.
pub(super) fn verify_written(
    keyid: &str,
    public: &[u8],
    sig: &[u8],
    payload: &Payload<'_>,
) -> Result<(), VerifyError> {
    let invalid = || VerifyError::Invalid(keyid.to_owned());
    let key = <[u8; 32]>::try_from(public).map_err(|_| invalid())?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| invalid())?;
    let sig = Signature::from_slice(sig).map_err(|_| invalid())?;
    let mut verifier = key.verify_stream(&sig).map_err(|_| invalid())?;
    payload(&mut Feed(&mut verifier)).map_err(|e| payload_error(keyid, &e))?;
    verifier.finalize_and_verify().map_err(|_| invalid())
}

/// Hands what is written to the verifier's hash.
struct Feed<'a>(&'a mut StreamVerifier);

impl Write for Feed<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

    use super::verify_written;

    /// The message written in pieces of `step` bytes.
    fn check(public: &[u8], sig: &[u8], msg: &[u8], step: usize) -> bool {
        let write =
            |w: &mut dyn std::io::Write| msg.chunks(step.max(1)).try_for_each(|c| w.write_all(c));
        verify_written("k", public, sig, &write).is_ok()
    }

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc8032_vectors_verify() {
        // RFC 8032, 7.1, tests 1 and 2.
        let cases = [
            (
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
            (
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            ),
        ];
        for (public, msg, sig) in cases {
            let (public, msg, sig) = (hex(public), hex(msg), hex(sig));
            assert!(check(&public, &sig, &msg, 1));
            let mut bad = msg.clone();
            bad.push(0);
            assert!(!check(&public, &sig, &bad, 1));
        }
    }

    #[test]
    fn agrees_with_ring_whatever_the_pieces() {
        let rng = ring::rand::SystemRandom::new();
        for n in [0usize, 1, 63, 64, 127, 128, 1000, 70_000] {
            let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
            let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
            let public = pair.public_key().as_ref().to_vec();
            let msg: Vec<u8> = (0..n).map(|i| (i * 7 + n) as u8).collect();
            let sig = pair.sign(&msg).as_ref().to_vec();
            let ring_ok = |m: &[u8], s: &[u8]| {
                UnparsedPublicKey::new(&ED25519, &public)
                    .verify(m, s)
                    .is_ok()
            };
            for step in [1, 3, 64, 65_536] {
                assert!(check(&public, &sig, &msg, step), "{n} bytes in {step}");
            }
            // Tampered message, signature (R, then S) and S out of range:
            // both refuse.
            let mut m2 = msg.clone();
            m2.push(1);
            let mut r2 = sig.clone();
            r2[0] ^= 1;
            let mut s2 = sig.clone();
            s2[40] ^= 1;
            let mut high = sig.clone();
            high[63] |= 0xf0;
            for (m, s) in [(&m2, &sig), (&msg, &r2), (&msg, &s2), (&msg, &high)] {
                assert_eq!(check(&public, s, m, 64), ring_ok(m, s));
                assert!(!check(&public, s, m, 64));
            }
            assert!(!check(&public[..31], &sig, &msg, 64));
            assert!(!check(&public, &sig[..63], &msg, 64));
        }
    }
}
