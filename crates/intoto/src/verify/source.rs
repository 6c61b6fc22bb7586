//! Where verification takes its links from: a [`LinkSource`] answers the
//! link-loading stage's questions (the link of step S signed by key K, and
//! where a sublayout's links are). [`DirSource`] reads the files of a
//! directory, as `intoto verify` does; [`MemorySource`] holds links
//! already read or fetched (a rebuilder's answers).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::sublayouts::DirId;
use crate::fsio::{self, LoadError};
use crate::models::{Envelope, link_filename};

/// The links of one (sub)layout.
pub trait LinkSource: Send + Sync + std::fmt::Debug {
    /// The link of `step` signed by `keyid` (today's
    /// `<dir>/<step>.<keyid8>.link`): `Ok(None)` when there is none; an
    /// error when it is there but cannot be used (not a regular file, too
    /// large, unreadable, malformed).
    fn link(&self, step: &str, keyid: &str) -> Result<Option<Envelope>, LoadError>;

    /// The source of the links of the sublayout that `keyid` signed for
    /// `step` (today's `<dir>/<step>.<keyid8>/`).
    fn sublayout(&self, step: &str, keyid: &str) -> Box<dyn LinkSource>;

    /// The directory's identity, for sources that are directories: a
    /// sublayout whose links are in a directory already entered on the way
    /// there (a symlink loop) fails. `None` (default): not a directory.
    fn dir_id(&self) -> Option<DirId> {
        None
    }

    /// Where the links are, for messages (a directory's path).
    fn describe(&self) -> String;

    /// Whether links are read in parallel threads (directories: yes; links
    /// in memory need no reading).
    fn parallel(&self) -> bool {
        false
    }

    /// The names of the link files of `step` the source holds, whoever
    /// signed them (`<step>.<keyid8>.link`), sorted; for messages about
    /// links by keys a step does not authorise. Default: none known.
    fn link_files(&self, _step: &str) -> Vec<String> {
        Vec::new()
    }
}

/// True when `name` is a link file name of `step`: `<step>.<8 hex>.link`.
fn is_link_of(name: &str, step: &str) -> bool {
    name.strip_prefix(step)
        .and_then(|r| r.strip_prefix('.'))
        .and_then(|r| r.strip_suffix(".link"))
        .is_some_and(|id| id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The name of a sublayout's link source: `<step>.<keyid8>`.
pub fn sublayout_name(step: &str, keyid: &str) -> String {
    format!("{step}.{}", keyid.chars().take(8).collect::<String>())
}

/// Links as files `<step>.<keyid8>.link` in a directory, sublayouts' in
/// its subdirectories `<step>.<keyid8>/`.
#[derive(Clone, Debug)]
pub struct DirSource {
    dir: PathBuf,
}

impl DirSource {
    /// The links in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> DirSource {
        DirSource { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl LinkSource for DirSource {
    fn link(&self, step: &str, keyid: &str) -> Result<Option<Envelope>, LoadError> {
        match fsio::load_metadata(&self.dir.join(link_filename(step, keyid))) {
            Ok(env) => Ok(Some(env)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn sublayout(&self, step: &str, keyid: &str) -> Box<dyn LinkSource> {
        Box::new(DirSource::new(self.dir.join(sublayout_name(step, keyid))))
    }

    fn dir_id(&self) -> Option<DirId> {
        DirId::of(&self.dir)
    }

    fn describe(&self) -> String {
        self.dir.display().to_string()
    }

    fn parallel(&self) -> bool {
        true
    }

    fn link_files(&self, step: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| is_link_of(n, step))
            .collect();
        names.sort();
        names
    }
}

/// Links held in memory, by the name a directory would give them
/// (`<step>.<keyid8>.link`, so a link is found by the same key ids as in
/// a directory); sublayouts' links in nested sources.
#[derive(Clone, Debug, Default)]
pub struct MemorySource {
    name: String,
    links: BTreeMap<String, Envelope>,
    sublayouts: BTreeMap<String, MemorySource>,
}

impl MemorySource {
    /// An empty source; `name` says where its links came from, for
    /// messages (e.g. `the rebuilders' answers`).
    pub fn new(name: impl Into<String>) -> MemorySource {
        MemorySource {
            name: name.into(),
            ..MemorySource::default()
        }
    }

    /// Adds the link of `step` signed by `keyid`. Returns false, and keeps
    /// the first, when one is there already under that name.
    pub fn insert(&mut self, step: &str, keyid: &str, env: Envelope) -> bool {
        let file = link_filename(step, keyid);
        if self.links.contains_key(&file) {
            return false;
        }
        self.links.insert(file, env);
        true
    }

    /// Adds the link of `step` signed by `keyid` from its bytes: a
    /// malformed one is refused as a file would be.
    pub fn insert_bytes(
        &mut self,
        step: &str,
        keyid: &str,
        bytes: &[u8],
    ) -> Result<bool, LoadError> {
        if bytes.len() as u64 > fsio::MAX_METADATA_BYTES {
            return Err(LoadError::TooLarge(link_filename(step, keyid).into()));
        }
        let env = Envelope::from_slice(bytes)
            .map_err(|e| LoadError::Malformed(link_filename(step, keyid).into(), e))?;
        Ok(self.insert(step, keyid, env))
    }

    /// Sets the source of the sublayout that `keyid` signed for `step`.
    pub fn set_sublayout(&mut self, step: &str, keyid: &str, source: MemorySource) {
        self.sublayouts.insert(sublayout_name(step, keyid), source);
    }

    /// True when it holds no link.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

impl LinkSource for MemorySource {
    fn link(&self, step: &str, keyid: &str) -> Result<Option<Envelope>, LoadError> {
        Ok(self.links.get(&link_filename(step, keyid)).cloned())
    }

    fn sublayout(&self, step: &str, keyid: &str) -> Box<dyn LinkSource> {
        let name = sublayout_name(step, keyid);
        Box::new(
            self.sublayouts
                .get(&name)
                .cloned()
                .unwrap_or_else(|| MemorySource::new(format!("{}: {name}", self.name))),
        )
    }

    fn describe(&self) -> String {
        self.name.clone()
    }

    fn link_files(&self, step: &str) -> Vec<String> {
        self.links
            .keys()
            .filter(|n| is_link_of(n, step))
            .cloned()
            .collect()
    }
}
