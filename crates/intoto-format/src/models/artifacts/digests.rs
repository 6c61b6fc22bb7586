//! [`HashDict`], the digests of one artifact (32 raw bytes for the usual
//! lone SHA-256, anything else verbatim), and `HashDict::matches`, the one
//! digest equality: a shared accepted algorithm, every shared one agreeing.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::models::is_hex;

/// The digest algorithms two digest sets may be judged equal on: SHA-256
/// and stronger (names as securesystemslib, in-toto-golang, in-toto-rs and
/// rebuilderd write them). MD5, SHA-1 and SHA-224 are not among them: they
/// are compared where both sets have them, but never make a match alone.
pub const ACCEPTED_DIGEST_ALGORITHMS: [&str; 16] = [
    "sha256",
    "sha384",
    "sha512",
    "sha512_256",
    "sha512-256",
    "sha3_256",
    "sha3_384",
    "sha3_512",
    "sha3-256",
    "sha3-384",
    "sha3-512",
    "blake2b",
    "blake2b-256",
    "blake2b-512",
    "blake2s",
    "blake3",
];

/// Digests of one artifact: algorithm → hex.
#[derive(Clone, PartialEq, Eq)]
pub enum HashDict {
    /// `{"sha256": "<64 lower-case hex>"}`.
    Sha256([u8; 32]),
    /// Anything else, sorted by algorithm, hex exactly as written.
    Other(Box<[(Box<str>, Box<str>)]>),
}

impl HashDict {
    /// `{"sha256": hex(digest)}`.
    pub fn sha256(digest: [u8; 32]) -> HashDict {
        HashDict::Sha256(digest)
    }

    /// Builds a digest set; `None` when a value is not hex or an
    /// algorithm repeats.
    pub fn from_pairs(mut pairs: Vec<(String, String)>) -> Option<HashDict> {
        if pairs.iter().any(|(_, h)| !is_hex(h)) {
            return None;
        }
        pairs.sort();
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        if let [(algo, hex)] = pairs.as_slice()
            && algo == "sha256"
            && let Some(d) = unhex32(hex)
        {
            return Some(HashDict::Sha256(d));
        }
        Some(HashDict::Other(
            pairs
                .into_iter()
                .map(|(a, h)| (a.into_boxed_str(), h.into_boxed_str()))
                .collect(),
        ))
    }

    /// The (algorithm, hex) pairs, sorted.
    pub fn pairs(&self) -> Vec<(String, String)> {
        match self {
            HashDict::Sha256(d) => vec![(
                "sha256".into(),
                String::from_utf8_lossy(&hex32(d)).into_owned(),
            )],
            HashDict::Other(p) => p
                .iter()
                .map(|(a, h)| (a.to_string(), h.to_string()))
                .collect(),
        }
    }

    /// Whether two digest sets describe the same content: they share at
    /// least one algorithm of [`ACCEPTED_DIGEST_ALGORITHMS`] and agree on
    /// every algorithm they share. So a rebuilder's `{sha256, sha512}`
    /// matches a locally recorded `{sha256}`, and a set with no accepted
    /// algorithm matches nothing (not even itself). Hex is compared as
    /// written, as the reference compares it. This is an intoto
    /// extension: the reference compares whole digest dicts.
    pub fn matches(&self, other: &HashDict) -> bool {
        if let (HashDict::Sha256(a), HashDict::Sha256(b)) = (self, other) {
            return a == b;
        }
        let (a, b) = (self.pairs(), other.pairs());
        let (mut i, mut j) = (0, 0);
        let mut accepted = false;
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if a[i].1 != b[j].1 {
                        return false;
                    }
                    accepted |= ACCEPTED_DIGEST_ALGORITHMS.contains(&a[i].0.as_str());
                    i += 1;
                    j += 1;
                }
            }
        }
        accepted
    }

    /// Whether the content changed between two digest sets, for MODIFY:
    /// they are not the same dict and do not [`match`](HashDict::matches)
    /// (a set recorded twice with only weak algorithms is unchanged when
    /// the dicts are equal, as the reference judges it).
    pub fn differs(&self, other: &HashDict) -> bool {
        self != other && !self.matches(other)
    }

    /// The hex digest for `algo`.
    pub fn get(&self, algo: &str) -> Option<String> {
        match self {
            HashDict::Sha256(d) => {
                (algo == "sha256").then(|| String::from_utf8_lossy(&hex32(d)).into_owned())
            }
            HashDict::Other(p) => p
                .iter()
                .find(|(a, _)| &**a == algo)
                .map(|(_, h)| h.to_string()),
        }
    }
}

impl fmt::Debug for HashDict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.pairs()).finish()
    }
}

/// Lower-case hex of a digest, without allocating.
pub(super) fn hex32(d: &[u8; 32]) -> [u8; 64] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in d.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 15) as usize];
    }
    out
}

/// Decodes exactly 64 lower-case hex digits.
pub(super) fn unhex32(s: &str) -> Option<[u8; 32]> {
    // A table (0xff: not a lower-case hex digit) and one check at the
    // end, instead of a branch per digit: links hold 100k of these.
    const NIB: [u8; 256] = {
        let mut t = [0xffu8; 256];
        let mut i = 0;
        while i < 10 {
            t[b'0' as usize + i] = i as u8;
            i += 1;
        }
        let mut i = 0;
        while i < 6 {
            t[b'a' as usize + i] = 10 + i as u8;
            i += 1;
        }
        t
    };
    let b: &[u8; 64] = s.as_bytes().try_into().ok()?;
    let mut out = [0u8; 32];
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
        let (hi, lo) = (NIB[pair[0] as usize], NIB[pair[1] as usize]);
        bad |= (hi | lo) & 0xf0;
        *o = (hi << 4) | (lo & 0x0f);
    }
    (bad == 0).then_some(out)
}

impl HashDict {
    /// Writes the digests' canonical JSON into `w`.
    pub(crate) fn write_canonical(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        match self {
            HashDict::Sha256(d) => {
                w.write_all(b"{\"sha256\":\"")?;
                w.write_all(&hex32(d))?;
                w.write_all(b"\"}")
            }
            HashDict::Other(p) => {
                w.write_all(b"{")?;
                for (i, (a, h)) in p.iter().enumerate() {
                    if i > 0 {
                        w.write_all(b",")?;
                    }
                    crate::json::write_canonical_str_to(w, a)?;
                    w.write_all(b":")?;
                    crate::json::write_canonical_str_to(w, h)?;
                }
                w.write_all(b"}")
            }
        }
    }
}

impl Serialize for HashDict {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            HashDict::Sha256(d) => {
                let hex = hex32(d);
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("sha256", std::str::from_utf8(&hex).expect("hex is ASCII"))?;
                m.end()
            }
            HashDict::Other(p) => {
                let mut m = s.serialize_map(Some(p.len()))?;
                for (a, h) in p.iter() {
                    m.serialize_entry(a.as_ref(), h.as_ref())?;
                }
                m.end()
            }
        }
    }
}
