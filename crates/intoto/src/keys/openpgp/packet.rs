//! The GPG signature triple: `other_headers` (version byte through the
//! hashed subpackets), the signature value in in-toto's encoding, and the
//! binary packet they come from; building a v4 signature the way gpg
//! does, and parsing one strictly.

use openpgp::crypto::mpi;
use openpgp::types::HashAlgorithm;
use sequoia_openpgp as openpgp;

use crate::format::der;
use crate::models::keydict::{GpgParams, mpi_bits};

/// A signature as the in-toto triple plus the full packet.
#[derive(Clone, Debug)]
pub struct PgpSignature {
    /// Fingerprint of the signing (sub)key, lower-case hex.
    pub keyid: String,
    /// Version byte through the hashed subpackets.
    pub other_headers: Vec<u8>,
    /// The signature value in in-toto's encoding.
    pub signature: Vec<u8>,
    /// The complete binary signature packet (for DSSE and gpg --verify).
    pub packet: Vec<u8>,
}

/// The v4 digest: `H(data || other_headers || 0x04 0xff || be32(len))`.
pub fn signed_digest(hash: HashAlgorithm, payload: &[u8], other_headers: &[u8]) -> Vec<u8> {
    signed_digest_written(hash, &|w| w.write_all(payload), other_headers)
        .expect("hashing bytes in memory does not fail")
}

/// [`signed_digest`] over the bytes `payload` writes, hashed as they come.
pub fn signed_digest_written(
    hash: HashAlgorithm,
    payload: &crate::keys::Payload<'_>,
    other_headers: &[u8],
) -> std::io::Result<Vec<u8>> {
    let mut trailer = vec![0x04, 0xff];
    trailer.extend_from_slice(&(other_headers.len() as u32).to_be_bytes());
    /// Hands what is written to the hash.
    struct Feed<D>(D);
    impl<D: sha2::Digest> std::io::Write for Feed<D> {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.update(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    fn run<D: sha2::Digest>(
        payload: &crate::keys::Payload<'_>,
        tail: [&[u8]; 2],
    ) -> std::io::Result<Vec<u8>> {
        let mut h = Feed(D::new());
        payload(&mut h)?;
        for p in tail {
            h.0.update(p);
        }
        Ok(h.0.finalize().to_vec())
    }
    let tail = [other_headers, &trailer[..]];
    match hash {
        HashAlgorithm::SHA384 => run::<sha2::Sha384>(payload, tail),
        HashAlgorithm::SHA512 => run::<sha2::Sha512>(payload, tail),
        _ => run::<sha2::Sha256>(payload, tail),
    }
}

/// What the hashed part of a signature says.
#[derive(Debug)]
pub struct Headers {
    /// Public-key algorithm byte.
    pub pk_algo: u8,
    /// Hash algorithm.
    pub hash: HashAlgorithm,
    /// Signature creation time.
    pub created: i64,
    /// Signature expiration (seconds after creation), if any.
    pub expires_after: Option<i64>,
    /// Hashed issuer fingerprint, lower-case hex.
    pub issuer_fpr: String,
}

/// Why a signature packet or in-toto's signature fields are refused, or
/// a signature could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PacketError {
    /// Malformed in a way one phrase says (truncated, too short, ...).
    #[error("{0}")]
    Malformed(&'static str),
    /// A signature version other than 4.
    #[error("signature version {0} (only v4 is accepted)")]
    Version(u8),
    /// A signature type other than binary document (0x00).
    #[error("signature type 0x{0:02x} (only binary-document signatures, 0x00, are accepted)")]
    SignatureType(u8),
    /// A SHA-1 signature.
    #[error("SHA-1 signatures are not accepted")]
    Sha1,
    /// An MD5 signature.
    #[error("MD5 signatures are not accepted")]
    Md5,
    /// Another hash algorithm (its OpenPGP number).
    #[error("hash algorithm {0} is not accepted (SHA-256, SHA-384 or SHA-512)")]
    Hash(u8),
    /// A known subpacket (this type) with a body of the wrong shape.
    #[error("malformed subpacket {0}")]
    Subpacket(u8),
    /// A critical subpacket of a type not understood.
    #[error("unknown critical subpacket {0}")]
    CriticalSubpacket(u8),
    /// MPIs that do not fit the public-key algorithm (its number).
    #[error("unsupported or malformed signature (algorithm {0})")]
    Algorithm(u8),
    /// A packet that is not a signature (its tag).
    #[error("packet tag {0} is not a signature")]
    NotSignature(u8),
}

impl From<&'static str> for PacketError {
    fn from(what: &'static str) -> Self {
        PacketError::Malformed(what)
    }
}

/// Parses `other_headers` (version through hashed subpackets) strictly.
pub fn parse_headers(oh: &[u8]) -> Result<Headers, PacketError> {
    if oh.len() < 6 {
        return Err("other_headers is too short".into());
    }
    if oh[0] != 4 {
        return Err(PacketError::Version(oh[0]));
    }
    if oh[1] != 0 {
        return Err(PacketError::SignatureType(oh[1]));
    }
    let hash = match oh[3] {
        8 => HashAlgorithm::SHA256,
        9 => HashAlgorithm::SHA384,
        10 => HashAlgorithm::SHA512,
        2 => return Err(PacketError::Sha1),
        1 => return Err(PacketError::Md5),
        other => return Err(PacketError::Hash(other)),
    };
    let hashed_len = u16::from_be_bytes([oh[4], oh[5]]) as usize;
    if oh.len() != 6 + hashed_len {
        return Err("other_headers length does not match its hashed-area length".into());
    }
    let mut created = None;
    let mut expires_after = None;
    let mut issuer_fpr = None;
    let mut issuer_id = None;
    for (typ, critical, body) in subpackets(&oh[6..])? {
        match typ {
            2 if body.len() == 4 => {
                created = Some(u32::from_be_bytes(body.try_into().expect("4 bytes")) as i64)
            }
            3 if body.len() == 4 => {
                let v = u32::from_be_bytes(body.try_into().expect("4 bytes")) as i64;
                expires_after = (v != 0).then_some(v);
            }
            16 if body.len() == 8 => issuer_id = Some(hex::encode(body)),
            33 if body.len() == 21 && body[0] == 4 => issuer_fpr = Some(hex::encode(&body[1..])),
            2 | 3 | 16 | 33 => return Err(PacketError::Subpacket(typ)),
            _ if critical => return Err(PacketError::CriticalSubpacket(typ)),
            _ => {}
        }
    }
    let issuer_fpr = issuer_fpr.ok_or("no hashed issuer-fingerprint subpacket")?;
    if issuer_id.is_some_and(|id| !issuer_fpr.ends_with(&id)) {
        return Err("issuer key id and issuer fingerprint disagree".into());
    }
    Ok(Headers {
        pk_algo: oh[2],
        hash,
        created: created.ok_or("no signature-creation-time subpacket")?,
        expires_after,
        issuer_fpr,
    })
}

/// Splits a subpacket area into (type, critical, body).
/// A subpacket: type, critical bit, body.
type Subpacket<'a> = (u8, bool, &'a [u8]);

fn subpackets(mut area: &[u8]) -> Result<Vec<Subpacket<'_>>, PacketError> {
    let mut out = Vec::new();
    while !area.is_empty() {
        let (len, hdr) = match area[0] {
            0..=191 => (area[0] as usize, 1),
            192..=254 if area.len() >= 2 => (
                (((area[0] as usize) - 192) << 8) + area[1] as usize + 192,
                2,
            ),
            255 if area.len() >= 5 => (
                u32::from_be_bytes([area[1], area[2], area[3], area[4]]) as usize,
                5,
            ),
            _ => return Err("truncated subpacket".into()),
        };
        if len == 0 || area.len() < hdr + len {
            return Err("truncated subpacket".into());
        }
        let body = &area[hdr..hdr + len];
        out.push((body[0] & 0x7f, body[0] & 0x80 != 0, &body[1..]));
        area = &area[hdr + len..];
    }
    Ok(out)
}

/// Converts in-toto's signature encoding into sequoia MPIs.
pub(crate) fn signature_mpis(
    params: &GpgParams,
    sig: &[u8],
) -> Result<mpi::Signature, PacketError> {
    match params {
        GpgParams::Rsa { .. } => Ok(mpi::Signature::RSA {
            s: mpi::MPI::new(der::strip_zeros(sig)),
        }),
        GpgParams::Dsa { .. } => {
            let (r, s) = der::read_int_pair(sig).ok_or("DSA signature is not DER (r, s)")?;
            Ok(mpi::Signature::DSA {
                r: mpi::MPI::new(r),
                s: mpi::MPI::new(s),
            })
        }
        GpgParams::Ecdsa { .. } => {
            let (r, s) = der::read_int_pair(sig).ok_or("ECDSA signature is not DER (r, s)")?;
            Ok(mpi::Signature::ECDSA {
                r: mpi::MPI::new(r),
                s: mpi::MPI::new(s),
            })
        }
        GpgParams::EdDsa { .. } => {
            if sig.len() != 64 {
                return Err("EdDSA signature must be 64 bytes".into());
            }
            Ok(mpi::Signature::EdDSA {
                r: mpi::MPI::new(der::strip_zeros(&sig[..32])),
                s: mpi::MPI::new(der::strip_zeros(&sig[32..])),
            })
        }
    }
}

/// Splits a binary signature packet into in-toto's fields.
pub fn parse_packet(packet: &[u8]) -> Result<PgpSignature, PacketError> {
    let body = packet_body(packet)?;
    if body.len() < 6 {
        return Err("signature packet is too short".into());
    }
    let hashed_len = u16::from_be_bytes([body[4], body[5]]) as usize;
    let oh_end = 6 + hashed_len;
    if body.len() < oh_end + 2 {
        return Err("truncated signature packet".into());
    }
    let other_headers = body[..oh_end].to_vec();
    let hdr = parse_headers(&other_headers)?;
    let unhashed_len = u16::from_be_bytes([body[oh_end], body[oh_end + 1]]) as usize;
    let mut rest = body
        .get(oh_end + 2 + unhashed_len + 2..)
        .ok_or("truncated signature packet")?;
    let mut mpis = Vec::new();
    while !rest.is_empty() {
        if rest.len() < 2 {
            return Err("truncated MPI".into());
        }
        let bits = u16::from_be_bytes([rest[0], rest[1]]) as usize;
        let n = bits.div_ceil(8);
        let v = rest.get(2..2 + n).ok_or("truncated MPI")?;
        mpis.push(v.to_vec());
        rest = &rest[2 + n..];
    }
    let signature = match (hdr.pk_algo, mpis.as_slice()) {
        (1 | 3, [s]) => s.clone(),
        (17 | 19, [r, s]) => der::int_pair(r, s),
        (22, [r, s]) => {
            eddsa_rs(r, s).ok_or("unsupported or malformed signature (algorithm 22)")?
        }
        (algo, _) => return Err(PacketError::Algorithm(algo)),
    };
    Ok(PgpSignature {
        keyid: hdr.issuer_fpr,
        other_headers,
        signature,
        packet: packet.to_vec(),
    })
}

/// The body of the first packet, which must be a signature (tag 2).
fn packet_body(p: &[u8]) -> Result<&[u8], PacketError> {
    let ctb = *p.first().ok_or("empty signature")?;
    if ctb & 0x80 == 0 {
        return Err("not an OpenPGP packet".into());
    }
    let (tag, len, hdr) = if ctb & 0x40 != 0 {
        let tag = ctb & 0x3f;
        let b = p.get(1..).ok_or("truncated packet")?;
        match b.first().copied().ok_or("truncated packet")? {
            l @ 0..=191 => (tag, l as usize, 2),
            l @ 192..=223 => (
                tag,
                (((l as usize) - 192) << 8) + *b.get(1).ok_or("truncated packet")? as usize + 192,
                3,
            ),
            255 => {
                let l = b.get(1..5).ok_or("truncated packet")?;
                (
                    tag,
                    u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize,
                    6,
                )
            }
            _ => return Err("partial-length signature packets are not accepted".into()),
        }
    } else {
        let tag = (ctb >> 2) & 0x0f;
        match ctb & 3 {
            0 => (tag, *p.get(1).ok_or("truncated packet")? as usize, 2),
            1 => {
                let l = p.get(1..3).ok_or("truncated packet")?;
                (tag, u16::from_be_bytes([l[0], l[1]]) as usize, 3)
            }
            2 => {
                let l = p.get(1..5).ok_or("truncated packet")?;
                (
                    tag,
                    u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize,
                    5,
                )
            }
            _ => return Err("indeterminate-length packets are not accepted".into()),
        }
    };
    if tag != 2 {
        return Err(PacketError::NotSignature(tag));
    }
    let body = p.get(hdr..hdr + len).ok_or("truncated packet")?;
    if p.len() != hdr + len {
        return Err("trailing data after the signature packet".into());
    }
    Ok(body)
}

/// Builds a v4 binary signature the way gpg 2.2 does (hashed: issuer
/// fingerprint, creation time; unhashed: issuer key id), asking `sign`
/// for the signature over the digest; `sign`'s error is returned as it
/// is, and an unusable answer from it as a [`PacketError`] turned into `E`.
pub fn build_signature<E: From<PacketError>>(
    signer_fpr: &[u8; 20],
    params: &GpgParams,
    created: u32,
    payload: &[u8],
    sign: impl FnOnce(&[u8]) -> Result<mpi::Signature, E>,
) -> Result<PgpSignature, E> {
    let pk_algo = match params {
        GpgParams::Rsa { .. } => 1u8,
        GpgParams::Dsa { .. } => 17,
        GpgParams::EdDsa { .. } => 22,
        GpgParams::Ecdsa { .. } => 19,
    };
    let mut hashed = vec![22, 33, 4];
    hashed.extend_from_slice(signer_fpr);
    hashed.extend([5, 2]);
    hashed.extend(created.to_be_bytes());
    let mut oh = vec![4, 0, pk_algo, 8];
    oh.extend((hashed.len() as u16).to_be_bytes());
    oh.extend(&hashed);
    let digest = signed_digest(HashAlgorithm::SHA256, payload, &oh);
    let mpis = sign(&digest)?;
    let mut body = oh.clone();
    let mut unhashed = vec![9, 16];
    unhashed.extend_from_slice(&signer_fpr[12..]);
    body.extend((unhashed.len() as u16).to_be_bytes());
    body.extend(unhashed);
    body.extend_from_slice(&digest[..2]);
    let push_mpi = |body: &mut Vec<u8>, v: &[u8]| {
        let v = der::strip_zeros(v);
        body.extend((mpi_bits(v) as u16).to_be_bytes());
        body.extend_from_slice(v);
    };
    let signature = match &mpis {
        mpi::Signature::RSA { s } => {
            push_mpi(&mut body, s.value());
            s.value().to_vec()
        }
        mpi::Signature::DSA { r, s } | mpi::Signature::ECDSA { r, s } => {
            push_mpi(&mut body, r.value());
            push_mpi(&mut body, s.value());
            der::int_pair(r.value(), s.value())
        }
        mpi::Signature::EdDSA { r, s } => {
            push_mpi(&mut body, r.value());
            push_mpi(&mut body, s.value());
            eddsa_rs(der::strip_zeros(r.value()), der::strip_zeros(s.value())).ok_or(
                PacketError::Malformed("malformed EdDSA signature from the agent"),
            )?
        }
        _ => return Err(PacketError::Malformed("unexpected signature type from the agent").into()),
    };
    let mut packet = vec![0xc2];
    let len = body.len();
    if len < 192 {
        packet.push(len as u8);
    } else if len < 8384 {
        let l = len - 192;
        packet.push(((l >> 8) + 192) as u8);
        packet.push((l & 0xff) as u8);
    } else {
        packet.push(255);
        packet.extend((len as u32).to_be_bytes());
    }
    packet.extend(&body);
    Ok(PgpSignature {
        keyid: hex::encode(signer_fpr),
        other_headers: oh,
        signature,
        packet,
    })
}

/// An Ed25519 signature (`R || S`, 32 bytes each) from its two MPIs;
/// `None` when one is longer than 32 bytes.
pub(crate) fn eddsa_rs(r: &[u8], s: &[u8]) -> Option<Vec<u8>> {
    if r.len() > 32 || s.len() > 32 {
        return None;
    }
    let mut out = vec![0u8; 64];
    out[32 - r.len()..32].copy_from_slice(r);
    out[64 - s.len()..].copy_from_slice(s);
    Some(out)
}
