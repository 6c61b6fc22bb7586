//! Artifact maps, stored compactly and parsed strictly in one pass.
//!
//! Links can list hundreds of thousands of artifacts, so a digest set that
//! is exactly `{"sha256": <64 lower-case hex>}` (what every in-toto tool
//! records) is kept as 32 raw bytes, and a map is a sorted vector. Any
//! other digest set is kept verbatim, so canonical bytes never change.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::{DuplicatePath, is_hex};

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
fn hex32(d: &[u8; 32]) -> [u8; 64] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in d.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 15) as usize];
    }
    out
}

/// Decodes exactly 64 lower-case hex digits.
fn unhex32(s: &str) -> Option<[u8; 32]> {
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

/// Artifact path → digests, sorted by path (code-point order). All paths
/// live in one buffer: a link of 100k artifacts is two allocations, not
/// 200k.
#[derive(Clone, Default)]
pub struct Artifacts {
    text: String,
    entries: Vec<Entry>,
}

#[derive(Clone)]
struct Entry {
    start: u32,
    len: u32,
    digests: HashDict,
}

impl Artifacts {
    /// An empty map.
    pub fn new() -> Artifacts {
        Artifacts::default()
    }

    fn path(&self, e: &Entry) -> &str {
        &self.text[e.start as usize..(e.start + e.len) as usize]
    }

    /// Appends an entry (order and uniqueness are fixed by `finish`).
    fn push(&mut self, path: &str, digests: HashDict) {
        let start = u32::try_from(self.text.len()).expect("metadata is smaller than 4 GiB");
        self.text.push_str(path);
        self.entries.push(Entry {
            start,
            len: path.len() as u32,
            digests,
        });
    }

    /// Appends `{"sha256": digest}` for `path`, out of order: for
    /// builders, which end with [`Artifacts::sorted`].
    pub(crate) fn push_sha256(&mut self, path: &str, digest: [u8; 32]) {
        self.push(path, HashDict::Sha256(digest));
    }

    /// Appends the entries of `other` (a builder), out of order.
    pub(crate) fn append(&mut self, other: Artifacts) {
        if self.entries.is_empty() {
            *self = other;
            return;
        }
        let base = u32::try_from(self.text.len()).expect("metadata is smaller than 4 GiB");
        self.text.push_str(&other.text);
        self.entries.extend(other.entries.into_iter().map(|mut e| {
            e.start += base;
            e
        }));
    }

    /// Number of entries pushed so far (a builder's size).
    pub(crate) fn pushed(&self) -> usize {
        self.entries.len()
    }

    /// Sorts a builder by path. A path given twice is kept once when
    /// `merge` (equal paths, equal files), else it is an error naming it.
    pub(crate) fn sorted(mut self, merge: bool) -> Result<Artifacts, DuplicatePath> {
        if !merge {
            return self.finish();
        }
        let text = std::mem::take(&mut self.text);
        let key = |e: &Entry| &text[e.start as usize..(e.start + e.len) as usize];
        self.entries.sort_unstable_by(|a, b| key(a).cmp(key(b)));
        self.entries.dedup_by(|a, b| key(a) == key(b));
        self.entries.shrink_to_fit();
        self.text = text;
        Ok(self)
    }

    /// Sorts by path; the error names a path given twice.
    fn finish(mut self) -> Result<Artifacts, DuplicatePath> {
        let text = std::mem::take(&mut self.text);
        let key = |e: &Entry| &text[e.start as usize..(e.start + e.len) as usize];
        self.entries.sort_unstable_by(|a, b| key(a).cmp(key(b)));
        if let Some(w) = self.entries.windows(2).find(|w| key(&w[0]) == key(&w[1])) {
            return Err(DuplicatePath(key(&w[0]).to_owned()));
        }
        self.text = text;
        Ok(self)
    }

    fn index(&self, path: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|e| self.path(e).cmp(path))
            .ok()
    }

    /// Digests of `path`.
    pub fn get(&self, path: &str) -> Option<&HashDict> {
        self.index(path).map(|i| &self.entries[i].digests)
    }

    /// Digests of `path`, searching forward from `*cursor` (which moves to
    /// where `path` is or would be). For lookups in increasing path order:
    /// a merge over both lists instead of a binary search per lookup.
    pub fn seek(&self, path: &str, cursor: &mut usize) -> Option<&HashDict> {
        let v = &self.entries;
        let mut lo = (*cursor).min(v.len());
        if lo > 0 && self.path(&v[lo - 1]) >= path {
            // Out of order: search from the start.
            lo = 0;
        }
        let mut step = 1;
        let mut hi = lo;
        while hi < v.len() && self.path(&v[hi]) < path {
            lo = hi + 1;
            hi = lo + step;
            step *= 2;
        }
        let hi = hi.min(v.len());
        let i = lo + v[lo..hi].partition_point(|e| self.path(e) < path);
        *cursor = i;
        v.get(i)
            .filter(|e| self.path(e) == path)
            .map(|e| &e.digests)
    }

    /// True when `path` is listed.
    pub fn contains_key(&self, path: &str) -> bool {
        self.index(path).is_some()
    }

    /// Paths, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| self.path(e))
    }

    /// Entries, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &HashDict)> {
        self.entries.iter().map(|e| (self.path(e), &e.digests))
    }

    /// Number of artifacts.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How `actual` differs from these (expected) artifacts, as the
    /// reference's `in_toto_match_products` computes it: paths only here,
    /// paths only in `actual`, and paths in both whose digest sets do not
    /// [`match`](HashDict::matches) (the reference compares whole dicts).
    /// One merge over both sorted lists; each list is sorted.
    pub fn differences(&self, actual: &Artifacts) -> Differences {
        let mut d = Differences::default();
        let (mut a, mut b) = (self.iter().peekable(), actual.iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some((p, _)), None) => {
                    d.only_expected.push((*p).to_owned());
                    a.next();
                }
                (None, Some((p, _))) => {
                    d.only_actual.push((*p).to_owned());
                    b.next();
                }
                (Some((pa, da)), Some((pb, db))) => match pa.cmp(pb) {
                    std::cmp::Ordering::Less => {
                        d.only_expected.push((*pa).to_owned());
                        a.next();
                    }
                    std::cmp::Ordering::Greater => {
                        d.only_actual.push((*pb).to_owned());
                        b.next();
                    }
                    std::cmp::Ordering::Equal => {
                        if !da.matches(db) {
                            d.differ.push((*pa).to_owned());
                        }
                        a.next();
                        b.next();
                    }
                },
            }
        }
        d
    }
}

/// What [`Artifacts::differences`] found; every list sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Differences {
    /// Expected (e.g. a link's products) but not there.
    pub only_expected: Vec<String>,
    /// There but not expected.
    pub only_actual: Vec<String>,
    /// In both, with different digests.
    pub differ: Vec<String>,
}

impl Differences {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.only_expected.is_empty() && self.only_actual.is_empty() && self.differ.is_empty()
    }
}

impl Artifacts {
    /// The same paths, each with [matching](HashDict::matches) digests.
    pub fn matches(&self, other: &Artifacts) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((p, a), (q, b))| p == q && a.matches(b))
    }
}

impl PartialEq for Artifacts {
    fn eq(&self, other: &Artifacts) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Artifacts {}

impl<S: AsRef<str>> FromIterator<(S, HashDict)> for Artifacts {
    /// Collects entries; a repeated path keeps its last digests.
    fn from_iter<I: IntoIterator<Item = (S, HashDict)>>(iter: I) -> Artifacts {
        let mut a = Artifacts::new();
        for (p, d) in iter {
            a.push(p.as_ref(), d);
        }
        let text = std::mem::take(&mut a.text);
        let key = |e: &Entry| &text[e.start as usize..(e.start + e.len) as usize];
        // A stable sort keeps insertion order among equal paths; keep the last.
        a.entries.sort_by(|x, y| key(x).cmp(key(y)));
        let mut out: Vec<Entry> = Vec::with_capacity(a.entries.len());
        for e in a.entries {
            match out.last_mut() {
                Some(last) if key(last) == key(&e) => *last = e,
                _ => out.push(e),
            }
        }
        a.entries = out;
        a.text = text;
        a
    }
}

impl fmt::Debug for Artifacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Artifacts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.len()))?;
        for (p, d) in self.iter() {
            m.serialize_entry(p, d)?;
        }
        m.end()
    }
}

/// Strict streaming parser for an artifact map at `path` (for messages);
/// `None` for `null` (which in-toto-golang writes for a nil map).
pub struct ArtifactsSeed<'a>(pub &'a str);

impl<'de> DeserializeSeed<'de> for ArtifactsSeed<'_> {
    type Value = Option<Artifacts>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Artifacts>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArtifactsSeed<'_> {
    type Value = Option<Artifacts>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: an object of artifacts", self.0)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Artifacts>, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Artifacts>, A::Error> {
        let mut out = Artifacts::new();
        while let Some(name) = map.next_key_seed(StrSeed)? {
            if name.contains('\0') {
                return Err(de::Error::custom(format_args!(
                    "{}: artifact name {name:?} contains NUL",
                    self.0
                )));
            }
            let digests = map.next_value_seed(HashDictSeed {
                path: self.0,
                name: &name,
            })?;
            out.push(&name, digests);
        }
        out.finish().map(Some).map_err(|DuplicatePath(dup)| {
            de::Error::custom(format_args!(
                "{}: duplicate key {dup:?} in an object",
                self.0
            ))
        })
    }
}

struct HashDictSeed<'a> {
    path: &'a str,
    name: &'a str,
}

impl<'de> DeserializeSeed<'de> for HashDictSeed<'_> {
    type Value = HashDict;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<HashDict, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HashDictSeed<'_> {
    type Value = HashDict;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}[{:?}]: an object of hex digests",
            self.path, self.name
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HashDict, A::Error> {
        // The common case, {"sha256": <64 lower-case hex>}, without
        // allocating; anything else goes through the general path.
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut fast: Option<[u8; 32]> = None;
        while let Some(algo) = map.next_key_seed(StrSeed)? {
            let hex = map.next_value_seed(HexSeed {
                path: self.path,
                name: self.name,
                algo: &algo,
            })?;
            if pairs.is_empty()
                && fast.is_none()
                && algo == "sha256"
                && let Some(d) = unhex32(&hex)
            {
                fast = Some(d);
                continue;
            }
            if !is_hex(&hex) {
                return Err(de::Error::custom(format_args!(
                    "{}[{:?}].{algo}: expected a hex digest, got {hex:?}",
                    self.path, self.name
                )));
            }
            if let Some(d) = fast.take() {
                pairs.push((
                    "sha256".into(),
                    String::from_utf8_lossy(&hex32(&d)).into_owned(),
                ));
            }
            pairs.push((algo.into_owned(), hex.into_owned()));
        }
        if let Some(d) = fast {
            return Ok(HashDict::Sha256(d));
        }
        HashDict::from_pairs(pairs).ok_or_else(|| {
            de::Error::custom(format_args!(
                "{}[{:?}]: duplicate key in an object",
                self.path, self.name
            ))
        })
    }
}

/// A string, borrowed from the input when it has no escapes.
struct StrSeed;

impl<'de> DeserializeSeed<'de> for StrSeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for StrSeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// A digest value: must be a hex string.
struct HexSeed<'a> {
    path: &'a str,
    name: &'a str,
    algo: &'a str,
}

impl<'de> DeserializeSeed<'de> for HexSeed<'_> {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for HexSeed<'_> {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}[{:?}].{}: a hex digest",
            self.path, self.name, self.algo
        )
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        // A lower-case sha256 digest is checked again, more cheaply, when
        // it is decoded; anything else must be hex here.
        if (v.len() == 64 && self.algo == "sha256") || is_hex(v) {
            Ok(Cow::Borrowed(v))
        } else {
            Err(self.bad(&format!("{v:?}")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        if is_hex(v) {
            Ok(Cow::Owned(v.to_owned()))
        } else {
            Err(self.bad(&format!("{v:?}")))
        }
    }
}

impl HexSeed<'_> {
    fn bad<E: de::Error>(&self, got: &str) -> E {
        E::custom(format_args!(
            "{}[{:?}].{}: expected a hex digest, got {got}",
            self.path, self.name, self.algo
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seek_finds_in_increasing_order_and_misses_cleanly() {
        let a: Artifacts = (0..1000)
            .map(|i| (format!("p{i:04}"), HashDict::sha256([0; 32])))
            .collect();
        let mut c = 0;
        assert!(a.seek("a", &mut c).is_none());
        for i in (0..1000).step_by(7) {
            assert!(a.seek(&format!("p{i:04}"), &mut c).is_some(), "{i}");
            assert!(a.seek(&format!("p{i:04}x"), &mut c).is_none());
        }
        assert!(a.seek("z", &mut c).is_none());
        assert_eq!(c, 1000);
        // Going backwards still finds entries.
        assert!(a.seek("p0003", &mut c).is_some());
        assert!(a.seek("p0001", &mut c).is_some());
    }

    fn dict(pairs: &[(&str, &str)]) -> HashDict {
        HashDict::from_pairs(
            pairs
                .iter()
                .map(|(a, h)| ((*a).to_owned(), (*h).to_owned()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn digests_match_on_shared_accepted_algorithms() {
        let s256 = "ab".repeat(32);
        let other256 = "cd".repeat(32);
        let s512 = "ef".repeat(64);
        let local = dict(&[("sha256", &s256)]);
        let rebuilder = dict(&[("sha256", &s256), ("sha512", &s512)]);
        assert!(matches!(local, HashDict::Sha256(_)));
        assert!(local.matches(&rebuilder) && rebuilder.matches(&local));
        assert!(rebuilder.matches(&rebuilder));
        // A shared algorithm that disagrees: no match, whatever else agrees.
        let bad512 = dict(&[("sha256", &s256), ("sha512", &"00".repeat(64))]);
        assert!(!bad512.matches(&rebuilder));
        assert!(!dict(&[("sha256", &other256)]).matches(&rebuilder));
        assert!(
            !dict(&[("md5", "00"), ("sha256", &s256)])
                .matches(&dict(&[("md5", "01"), ("sha256", &s256)]))
        );
        // Nothing shared, or only weak algorithms shared: no match.
        assert!(!dict(&[("sha512", &s512)]).matches(&local));
        let weak = dict(&[("md5", "00"), ("sha1", "11")]);
        assert!(!weak.matches(&weak));
        assert!(
            !dict(&[("md5", "00"), ("sha512", &s512)])
                .matches(&dict(&[("md5", "00"), ("sha256", &s256)]))
        );
        assert!(dict(&[("sha3-256", "01")]).matches(&dict(&[("sha3-256", "01"), ("sha1", "99")])));
        // Hex is compared as written.
        assert!(!dict(&[("sha512", &s512.to_uppercase())]).matches(&rebuilder));
        // MODIFY: changed unless equal or matching.
        assert!(!local.differs(&rebuilder) && !weak.differs(&weak));
        assert!(dict(&[("md5", "01")]).differs(&dict(&[("md5", "00")])));
        assert!(dict(&[("sha512", &s512)]).differs(&local));
    }

    #[test]
    fn differences_are_sorted_and_compare_digest_sets() {
        let h = |b: u8| HashDict::sha256([b; 32]);
        let expected: Artifacts = [("b", h(1)), ("a", h(1)), ("d", h(2)), ("e", h(3))]
            .into_iter()
            .collect();
        let actual: Artifacts = [("d", h(9)), ("c", h(1)), ("a", h(1)), ("f", h(3))]
            .into_iter()
            .collect();
        let d = expected.differences(&actual);
        assert_eq!(d.only_expected, ["b", "e"]);
        assert_eq!(d.only_actual, ["c", "f"]);
        assert_eq!(d.differ, ["d"]);
        assert!(expected.differences(&expected).is_empty());
        // An extra algorithm that is not shared does not make a difference;
        // upper-case hex, or only another algorithm, does.
        let a: Artifacts = [("a", h(0xab))].into_iter().collect();
        let two: Artifacts = [("a", dict(&[("sha256", &"ab".repeat(32)), ("sha512", "00")]))]
            .into_iter()
            .collect();
        assert!(two.differences(&a).is_empty());
        for other in [
            dict(&[("sha256", &"ab".repeat(32).to_uppercase())]),
            dict(&[("sha512", "00")]),
        ] {
            let e: Artifacts = [("a", other)].into_iter().collect();
            assert_eq!(e.differences(&a).differ, ["a"]);
        }
    }
}

#[cfg(test)]
mod parse_tests {
    use crate::models::{Envelope, Signed};

    fn link(materials: &str) -> Result<Envelope, crate::format::MetadataError> {
        Envelope::from_slice(format!(r#"{{"signed": {{"_type": "link", "name": "x", "materials": {materials}}}, "signatures": []}}"#).as_bytes())
    }

    #[test]
    fn artifact_maps_are_parsed_strictly() {
        let ok = link(r#"{"a": {"sha256": "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"}, "b": {"sha512": "AB", "md5": "cd"}}"#).unwrap();
        let Signed::Link(l) = ok.signed() else {
            panic!()
        };
        assert_eq!(l.materials.len(), 2);
        // Upper-case and non-sha256 digests are kept verbatim (canonical bytes unchanged).
        let canon = String::from_utf8(ok.signed_bytes().to_vec()).unwrap();
        assert!(
            canon.contains(r#""b":{"md5":"cd","sha512":"AB"}"#),
            "{canon}"
        );
        for bad in [
            r#"{"a\u0000b": {"sha256": "00"}}"#,
            r#"{"a": {"sha256": "xyz"}}"#,
            r#"{"a": {"sha256": 5}}"#,
            r#"{"a": {"sha256": "00", "sha256": "01"}}"#,
            r#"{"a": {"sha256": "00"}, "a": {"sha256": "00"}}"#,
            r#"{"a": "00"}"#,
            r#"[]"#,
        ] {
            assert!(link(bad).is_err(), "accepted {bad}");
        }
    }
}
