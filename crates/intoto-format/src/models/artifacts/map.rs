//! [`Artifacts`], the artifact map: path → digests in one sorted vector
//! with every path in one buffer; lookups, builders (out of order, sorted
//! once) and [`Differences`] between two maps.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::HashDict;
use crate::models::DuplicatePath;

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
    pub(super) fn push(&mut self, path: &str, digests: HashDict) {
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
    pub fn push_sha256(&mut self, path: &str, digest: [u8; 32]) {
        self.push(path, HashDict::Sha256(digest));
    }

    /// Appends the entries of `other` (a builder), out of order.
    pub fn append(&mut self, other: Artifacts) {
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
    pub fn pushed(&self) -> usize {
        self.entries.len()
    }

    /// Sorts a builder by path. A path given twice is kept once when
    /// `merge` (equal paths, equal files), else it is an error naming it.
    pub fn sorted(mut self, merge: bool) -> Result<Artifacts, DuplicatePath> {
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
    pub(super) fn finish(mut self) -> Result<Artifacts, DuplicatePath> {
        let text = std::mem::take(&mut self.text);
        let key = |e: &Entry| &text[e.start as usize..(e.start + e.len) as usize];
        // Files written with sorted keys (the reference's, intoto's) are
        // in order already: one comparison per entry says so.
        if self.entries.windows(2).all(|w| key(&w[0]) < key(&w[1])) {
            self.text = text;
            return Ok(self);
        }
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

impl Artifacts {
    /// Writes the map's canonical JSON into `w` (entries are sorted and
    /// unique, digests sorted by algorithm): what `Serialize` writes
    /// through [`crate::json::write_canonical_direct`], without a
    /// serializer call per string.
    pub(crate) fn write_canonical(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        w.write_all(b"{")?;
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            crate::json::write_canonical_str_to(w, self.path(e))?;
            w.write_all(b":")?;
            e.digests.write_canonical(w)?;
        }
        w.write_all(b"}")
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
