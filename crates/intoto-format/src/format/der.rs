//! The few DER structures PEM keys need: SubjectPublicKeyInfo,
//! RSAPublicKey and ECDSA/DSA signature pairs. Reading is strict DER
//! (definite, minimal lengths); writing is canonical, so key ids computed
//! from re-encoded keys equal the ones pyca/cryptography produces.

/// A DER element: tag and contents.
pub struct Tlv<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The contents.
    pub body: &'a [u8],
}

/// Reads one element from the front of `input`, returning it and the rest.
pub fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&l0, rest) = rest.split_first()?;
    let (len, rest) = if l0 < 0x80 {
        (l0 as usize, rest)
    } else {
        let n = (l0 & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n || rest[0] == 0 {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        if len < 0x80 {
            return None;
        }
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((
        Tlv {
            tag,
            body: &rest[..len],
        },
        &rest[len..],
    ))
}

/// Reads exactly one element of `tag` filling `input`.
pub fn read_only(input: &[u8], tag: u8) -> Option<&[u8]> {
    let (t, rest) = read(input)?;
    (t.tag == tag && rest.is_empty()).then_some(t.body)
}

/// Appends a DER length.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Encodes one element.
pub fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    push_len(&mut out, body.len());
    out.extend_from_slice(body);
    out
}

/// Encodes a non-negative INTEGER from big-endian magnitude bytes.
pub fn uint(mag: &[u8]) -> Vec<u8> {
    let mag = strip_zeros(mag);
    let mut body = Vec::with_capacity(mag.len() + 1);
    if mag.is_empty() || mag[0] & 0x80 != 0 {
        body.push(0);
    }
    body.extend_from_slice(mag);
    tlv(0x02, &body)
}

/// Decodes a non-negative INTEGER body into magnitude bytes.
pub fn uint_body(body: &[u8]) -> Option<&[u8]> {
    match body {
        [] => None,
        [b, ..] if b & 0x80 != 0 => None,
        [0, b, ..] if b & 0x80 == 0 => None,
        _ => Some(strip_zeros(body)),
    }
}

/// Leading zero bytes removed.
pub fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    &b[n..]
}

/// `SEQUENCE { INTEGER a, INTEGER b }` → the two magnitudes.
pub fn read_int_pair(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = read_only(der, 0x30)?;
    let (a, rest) = read(body)?;
    let (b, rest) = read(rest)?;
    if a.tag != 0x02 || b.tag != 0x02 || !rest.is_empty() {
        return None;
    }
    Some((uint_body(a.body)?, uint_body(b.body)?))
}

/// `SEQUENCE { INTEGER a, INTEGER b }` from two magnitudes.
pub fn int_pair(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut body = uint(a);
    body.extend(uint(b));
    tlv(0x30, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(uint(&[0x00, 0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0x7f]), [0x02, 0x01, 0x7f]);
        assert_eq!(uint(&[]), [0x02, 0x01, 0x00]);
        assert!(uint_body(&[0x00, 0x01]).is_none());
        assert!(uint_body(&[0x80]).is_none());
        let pair = int_pair(&[1, 2, 3], &[0xff]);
        assert_eq!(
            read_int_pair(&pair),
            Some((&[1u8, 2, 3][..], &[0xffu8][..]))
        );
    }

    #[test]
    fn long_lengths_round_trip_and_non_minimal_ones_fail() {
        let body = vec![7u8; 300];
        let enc = tlv(0x04, &body);
        assert_eq!(read_only(&enc, 0x04), Some(&body[..]));
        assert!(read(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]).is_none());
    }
}
