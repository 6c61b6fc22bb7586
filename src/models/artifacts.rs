//! Artifact maps, stored compactly and parsed strictly in one pass.
//!
//! Links can list hundreds of thousands of artifacts, so a digest set that
//! is exactly `{"sha256": <64 lower-case hex>}` (what every in-toto tool
//! records) is kept as 32 raw bytes, and a map is a sorted vector. Any
//! other digest set is kept verbatim, so canonical bytes never change.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::is_hex;

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
            && hex.len() == 64
            && !hex.bytes().any(|b| b.is_ascii_uppercase())
        {
            let mut d = [0u8; 32];
            hex::decode_to_slice(hex, &mut d).ok()?;
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
            HashDict::Sha256(d) => vec![("sha256".into(), hex::encode(d))],
            HashDict::Other(p) => p
                .iter()
                .map(|(a, h)| (a.to_string(), h.to_string()))
                .collect(),
        }
    }

    /// The hex digest for `algo`.
    pub fn get(&self, algo: &str) -> Option<String> {
        self.pairs()
            .into_iter()
            .find(|(a, _)| a == algo)
            .map(|(_, h)| h)
    }
}

impl fmt::Debug for HashDict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.pairs()).finish()
    }
}

impl Serialize for HashDict {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            HashDict::Sha256(d) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("sha256", &hex::encode(d))?;
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

/// Artifact path → digests, sorted by path (code-point order).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Artifacts(Vec<(Box<str>, HashDict)>);

impl Artifacts {
    /// An empty map.
    pub fn new() -> Artifacts {
        Artifacts(Vec::new())
    }

    /// Builds a map; `Err(path)` names a path given twice.
    pub fn from_entries(mut entries: Vec<(Box<str>, HashDict)>) -> Result<Artifacts, String> {
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(w[0].0.to_string());
        }
        Ok(Artifacts(entries))
    }

    fn index(&self, path: &str) -> Option<usize> {
        self.0.binary_search_by(|(p, _)| p.as_ref().cmp(path)).ok()
    }

    /// Digests of `path`.
    pub fn get(&self, path: &str) -> Option<&HashDict> {
        self.index(path).map(|i| &self.0[i].1)
    }

    /// True when `path` is listed.
    pub fn contains_key(&self, path: &str) -> bool {
        self.index(path).is_some()
    }

    /// Inserts or replaces.
    pub fn insert(&mut self, path: impl Into<Box<str>>, digests: HashDict) {
        let path = path.into();
        match self.0.binary_search_by(|(p, _)| p.as_ref().cmp(&path)) {
            Ok(i) => self.0[i].1 = digests,
            Err(i) => self.0.insert(i, (path, digests)),
        }
    }

    /// Paths, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(p, _)| p.as_ref())
    }

    /// Entries, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &HashDict)> {
        self.0.iter().map(|(p, d)| (p.as_ref(), d))
    }

    /// Number of artifacts.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<S: Into<Box<str>>> FromIterator<(S, HashDict)> for Artifacts {
    /// Collects entries; a repeated path keeps its last digests.
    fn from_iter<I: IntoIterator<Item = (S, HashDict)>>(iter: I) -> Artifacts {
        let mut entries: Vec<(Box<str>, HashDict)> =
            iter.into_iter().map(|(p, d)| (p.into(), d)).collect();
        // Stable sort keeps insertion order among equal paths; keep the last.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Box<str>, HashDict)> = Vec::with_capacity(entries.len());
        for e in entries {
            match out.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => out.push(e),
            }
        }
        Artifacts(out)
    }
}

impl fmt::Debug for Artifacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Artifacts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (p, d) in &self.0 {
            m.serialize_entry(p.as_ref(), d)?;
        }
        m.end()
    }
}

/// Strict streaming parser for an artifact map at `path` (for messages).
pub struct ArtifactsSeed<'a>(pub &'a str);

impl<'de> DeserializeSeed<'de> for ArtifactsSeed<'_> {
    type Value = Artifacts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Artifacts, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArtifactsSeed<'_> {
    type Value = Artifacts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: an object of artifacts", self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Artifacts, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1 << 20));
        while let Some(name) = map.next_key::<String>()? {
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
            entries.push((name.into_boxed_str(), digests));
        }
        Artifacts::from_entries(entries).map_err(|dup| {
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
        d.deserialize_any(self)
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
        let mut pairs = Vec::with_capacity(1);
        while let Some(algo) = map.next_key::<String>()? {
            let hex = map.next_value::<crate::json::Value>()?;
            match hex {
                crate::json::Value::String(h) if is_hex(&h) => pairs.push((algo, h)),
                other => {
                    return Err(de::Error::custom(format_args!(
                        "{}[{:?}].{algo}: expected a hex digest, got {}",
                        self.path,
                        self.name,
                        match other {
                            crate::json::Value::String(s) => format!("{s:?}"),
                            o => o.kind().to_owned(),
                        }
                    )));
                }
            }
        }
        HashDict::from_pairs(pairs).ok_or_else(|| {
            de::Error::custom(format_args!(
                "{}[{:?}]: duplicate key in an object",
                self.path, self.name
            ))
        })
    }
}
