//! Where verification takes its links from: a [`LinkSource`] answers the
//! link-loading stage's questions (the link of step S signed by key K, and
//! where a sublayout's links are). [`DirSource`] reads the files of a
//! directory, as `intoto verify` does; [`MemorySource`] holds links
//! already read or fetched (a rebuilder's answers).
//!
//! A link is a classic one (a Metablock or DSSE envelope holding a link,
//! or a sublayout) or a link attestation: a DSSE envelope holding an
//! in-toto Statement, kept unparsed ([`LinkContent::Attestation`]) until
//! its signature has been checked. [`read_link`] tells them apart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::sublayouts::DirId;
use crate::fsio::{self, LoadError};
use crate::models::attestation::{AttestationEnvelope, looks_like_statement};
use crate::models::{Envelope, link_filename};

/// What a link file holds.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LinkContent {
    /// Classic metadata: a link (or a sublayout) in a Metablock or DSSE.
    Metadata(Envelope),
    /// A DSSE envelope whose payload is an in-toto Statement, not parsed
    /// yet.
    Attestation(AttestationEnvelope),
}

/// A link file a source found: its name and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundLink {
    /// The file name (`<step>.<keyid8>.link` or `.json`).
    pub file: String,
    /// Its content.
    pub content: LinkContent,
}

/// Why a source could not give the link of a step.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The file is there but cannot be used.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// One key has both a `.link` and a `.json` file for one step.
    #[error("both {link} and {json} are there for one key; keep one of them")]
    TwoFiles {
        /// The `.link` file.
        link: String,
        /// The `.json` file.
        json: String,
    },
}

/// Reads a link file's bytes (`name` for messages): classic metadata as
/// before; a DSSE envelope that classic reading refuses and whose payload
/// is meant as a Statement ([`looks_like_statement`]) is an attestation,
/// its payload kept as bytes.
pub fn read_link(name: &Path, bytes: &[u8]) -> Result<LinkContent, LoadError> {
    match Envelope::from_slice(bytes) {
        Ok(env) => Ok(LinkContent::Metadata(env)),
        Err(e) => match AttestationEnvelope::from_slice(bytes) {
            Ok(a) if looks_like_statement(&a.payload) => Ok(LinkContent::Attestation(a)),
            _ => Err(LoadError::Malformed(name.to_owned(), e)),
        },
    }
}

/// `<step>.<first 8 characters of keyid>.json`, the attestation
/// framework's name for a link attestation.
pub fn attestation_filename(step: &str, keyid: &str) -> String {
    let prefix: String = keyid.chars().take(8).collect();
    format!("{step}.{prefix}.json")
}

/// The links of one (sub)layout.
pub trait LinkSource: Send + Sync + std::fmt::Debug {
    /// The link of `step` signed by `keyid` (`<dir>/<step>.<keyid8>.link`
    /// or `.json`): `Ok(None)` when there is none; an error when it is
    /// there but cannot be used (not a regular file, too large,
    /// unreadable, malformed), or when both files are there.
    fn link(&self, step: &str, keyid: &str) -> Result<Option<FoundLink>, SourceError>;

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

impl DirSource {
    fn read(&self, file: &str) -> Result<Option<FoundLink>, LoadError> {
        let path = self.dir.join(file);
        match fsio::read_regular(&path, fsio::MAX_METADATA_BYTES) {
            Ok(bytes) => Ok(Some(FoundLink {
                file: file.to_owned(),
                content: read_link(&path, &bytes)?,
            })),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl LinkSource for DirSource {
    fn link(&self, step: &str, keyid: &str) -> Result<Option<FoundLink>, SourceError> {
        let (link, json) = (
            link_filename(step, keyid),
            attestation_filename(step, keyid),
        );
        let json_there = std::fs::symlink_metadata(self.dir.join(&json)).is_ok();
        if json_there && std::fs::symlink_metadata(self.dir.join(&link)).is_ok() {
            return Err(SourceError::TwoFiles {
                link: self.dir.join(link).display().to_string(),
                json: self.dir.join(json).display().to_string(),
            });
        }
        Ok(if json_there {
            self.read(&json)?
        } else {
            self.read(&link)?
        })
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
    links: BTreeMap<String, LinkContent>,
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
        self.insert_content(step, keyid, LinkContent::Metadata(env))
    }

    /// Like [`MemorySource::insert`], for any [`LinkContent`].
    pub fn insert_content(&mut self, step: &str, keyid: &str, content: LinkContent) -> bool {
        let file = link_filename(step, keyid);
        if self.links.contains_key(&file) {
            return false;
        }
        self.links.insert(file, content);
        true
    }

    /// Adds the link of `step` signed by `keyid` from its bytes (classic
    /// or an attestation, see [`read_link`]): a malformed one is refused
    /// as a file would be.
    pub fn insert_bytes(
        &mut self,
        step: &str,
        keyid: &str,
        bytes: &[u8],
    ) -> Result<bool, LoadError> {
        if bytes.len() as u64 > fsio::MAX_METADATA_BYTES {
            return Err(LoadError::TooLarge(link_filename(step, keyid).into()));
        }
        let content = read_link(Path::new(&link_filename(step, keyid)), bytes)?;
        Ok(self.insert_content(step, keyid, content))
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
    fn link(&self, step: &str, keyid: &str) -> Result<Option<FoundLink>, SourceError> {
        let file = link_filename(step, keyid);
        Ok(self.links.get(&file).map(|content| FoundLink {
            file,
            content: content.clone(),
        }))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dsse(payload: &str) -> Vec<u8> {
        AttestationEnvelope {
            payload_type: crate::models::PAYLOAD_TYPE.into(),
            payload: payload.as_bytes().to_vec(),
            signatures: Vec::new(),
        }
        .to_file_bytes()
        .unwrap()
    }

    #[test]
    fn statements_are_attestations_and_everything_else_reads_as_before() {
        let name = Path::new("s.link");
        let statement = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[]}"#;
        assert!(matches!(
            read_link(name, &dsse(statement)),
            Ok(LinkContent::Attestation(_))
        ));
        // Not parsed yet: even an invalid Statement is kept for after the
        // signature check.
        let v01 = r#"{"_type":"https://in-toto.io/Statement/v0.1"}"#;
        assert!(matches!(
            read_link(name, &dsse(v01)),
            Ok(LinkContent::Attestation(_))
        ));
        let link = r#"{"_type":"link","name":"s"}"#;
        assert!(matches!(
            read_link(name, &dsse(link)),
            Ok(LinkContent::Metadata(_))
        ));
        for bad in [r#"{"_type":"other"}"#, "not json"] {
            let e = read_link(name, &dsse(bad)).unwrap_err().to_string();
            assert!(e.contains("s.link"), "{e}");
        }
    }

    #[test]
    fn a_key_with_both_names_is_refused_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        let src = DirSource::new(dir.path());
        assert!(src.link("s", "abcdef0123").unwrap().is_none());
        std::fs::write(dir.path().join("s.abcdef01.json"), dsse("{\"subject\":[]}")).unwrap();
        let found = src.link("s", "abcdef0123").unwrap().unwrap();
        assert_eq!(found.file, "s.abcdef01.json");
        std::fs::write(dir.path().join("s.abcdef01.link"), b"{}").unwrap();
        let e = src.link("s", "abcdef0123").unwrap_err().to_string();
        assert!(
            e.contains("s.abcdef01.link") && e.contains("s.abcdef01.json"),
            "{e}"
        );
    }
}
