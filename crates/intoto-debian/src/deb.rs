//! What a `.deb` says it is, and the deb822 paragraph format.
//!
//! A `.deb` is an ar archive: `debian-binary` (`2.0`), then
//! `control.tar` (uncompressed, `.gz`, `.xz` or `.zst`) whose `./control`
//! file is one deb822 paragraph, then the data. Only the control member is
//! read, within size limits. The same paragraph parser reads `Packages`
//! and `Release` files ([`paragraphs`]).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

/// Largest decompressed `control.tar` read.
pub const MAX_CONTROL_TAR: u64 = 64 << 20;
/// Largest `control` file read.
pub const MAX_CONTROL: u64 = 4 << 20;

/// Why a package or a paragraph could not be read. The message names the
/// file (or the line).
#[derive(Debug, thiserror::Error)]
pub enum DebError {
    /// The file could not be read.
    #[error("{0}: {1}")]
    Io(String, io::Error),
    /// The file is not a Debian binary package, or its control data is
    /// damaged.
    #[error("{0}: {1}")]
    Format(String, String),
    /// A deb822 paragraph is malformed (the line is named).
    #[error("line {0}: {1}")]
    Syntax(usize, String),
    /// A field is missing or invalid.
    #[error("{0}")]
    Field(String),
}

/// Why the control data of a `.deb` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// Not an ar archive.
    #[error("not a Debian package (ar archive): {0}")]
    NotAr(String),
    /// No `debian-binary` 2.x member first.
    #[error("not a Debian binary package (no debian-binary 2.x member)")]
    NotBinary,
    /// A member could not be read (its name, and why).
    #[error("{member}: {why}")]
    Member {
        /// The ar member.
        member: String,
        /// What is wrong with it.
        why: String,
    },
    /// No `control.tar` member before the data.
    #[error("no control.tar member")]
    NoControl,
}

/// One deb822 paragraph: its fields in order. Names compare ignoring
/// case, as in Debian policy (5.1). A multi-line value keeps its lines:
/// the first line, then each continuation line without its leading space
/// (a line `.` stands for an empty line and stays as it is).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Control {
    fields: Vec<(String, String)>,
}

impl Control {
    /// Parses exactly one paragraph (blank lines around it allowed).
    pub fn parse(text: &str) -> Result<Control, DebError> {
        let mut ps = paragraphs(text)?;
        match ps.len() {
            1 => Ok(ps.remove(0)),
            0 => Err(DebError::Field("the control data is empty".into())),
            n => Err(DebError::Field(format!(
                "the control data holds {n} paragraphs, expected one"
            ))),
        }
    }

    /// The value of field `name` (any case), if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every field, in order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// A paragraph built from fields (tests, tools).
    pub fn from_fields<K: Into<String>, V: Into<String>>(
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Control {
        Control {
            fields: fields
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

/// Parses deb822 text into paragraphs (separated by blank lines; lines
/// starting with `#` are comments). A field given twice in a paragraph, a
/// line without a colon, or a continuation line with no field before it is
/// an error naming the line.
pub fn paragraphs(text: &str) -> Result<Vec<Control>, DebError> {
    let mut out = Vec::new();
    let mut p = ParagraphParser::default();
    for raw in text.split('\n') {
        if let Some(c) = p.line(raw)? {
            out.push(c);
        }
    }
    out.extend(p.finish());
    Ok(out)
}

/// [`paragraphs`] one line at a time, for text read as a stream: each
/// line (without its `\n`) in turn, then [`ParagraphParser::finish`].
#[derive(Debug, Default)]
pub struct ParagraphParser {
    cur: Control,
    /// Lines seen so far.
    n: usize,
}

impl ParagraphParser {
    /// Takes the next line; returns the paragraph a blank line ends.
    pub fn line(&mut self, raw: &str) -> Result<Option<Control>, DebError> {
        self.n += 1;
        let n = self.n;
        let cur = &mut self.cur;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if !cur.fields.is_empty() {
                return Ok(Some(std::mem::take(cur)));
            }
            return Ok(None);
        }
        if line.starts_with('#') {
            return Ok(None);
        }
        if line.starts_with([' ', '\t']) {
            let Some((_, v)) = cur.fields.last_mut() else {
                return Err(DebError::Syntax(
                    n,
                    "a continuation line with no field before it".into(),
                ));
            };
            v.push('\n');
            v.push_str(line[1..].trim_end());
            return Ok(None);
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(DebError::Syntax(
                n,
                format!("expected 'Field: value', found {:?}", clip(line)),
            ));
        };
        if name.is_empty()
            || name.starts_with('-')
            || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
        {
            return Err(DebError::Syntax(
                n,
                format!("invalid field name {:?}", clip(name)),
            ));
        }
        if cur.get(name).is_some() {
            return Err(DebError::Syntax(
                n,
                format!("field {name} is given twice in one paragraph"),
            ));
        }
        cur.fields.push((name.to_owned(), value.trim().to_owned()));
        Ok(None)
    }

    /// The last paragraph, when the text does not end with a blank line.
    pub fn finish(&mut self) -> Option<Control> {
        (!self.cur.fields.is_empty()).then(|| std::mem::take(&mut self.cur))
    }
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

/// What a binary package says it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DebInfo {
    /// `Package`.
    pub package: String,
    /// `Version`, epoch included (`1:2.3-4`).
    pub version: String,
    /// `Architecture` (`amd64`, `all`).
    pub architecture: String,
    /// The source package: `Source`'s name, else the package name.
    pub source: String,
    /// The source version: `Source: name (version)`, else `Version`.
    pub source_version: String,
}

impl DebInfo {
    /// Reads the identity from a control paragraph (a `.deb`'s `control`
    /// or a `Packages` entry). Names and versions are checked against
    /// Debian policy's characters: they end up in file names and URLs.
    pub fn from_control(c: &Control) -> Result<DebInfo, DebError> {
        let field = |name: &str| {
            c.get(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| DebError::Field(format!("the control data has no {name} field")))
        };
        let package = field("Package")?.to_owned();
        let version = field("Version")?.to_owned();
        let architecture = field("Architecture")?.to_owned();
        let (source, source_version) = match c.get("Source").filter(|s| !s.is_empty()) {
            None => (package.clone(), version.clone()),
            Some(s) => match s.split_once('(') {
                None => (s.trim().to_owned(), version.clone()),
                Some((name, rest)) => {
                    let Some(v) = rest.trim().strip_suffix(')') else {
                        return Err(DebError::Field(format!(
                            "Source {:?}: expected 'name (version)'",
                            clip(s)
                        )));
                    };
                    (name.trim().to_owned(), v.trim().to_owned())
                }
            },
        };
        check_name("Package", &package)?;
        check_name("Source", &source)?;
        check_version("Version", &version)?;
        check_version("Source version", &source_version)?;
        if architecture.is_empty()
            || !architecture
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(DebError::Field(format!(
                "Architecture {:?} is not an architecture name",
                clip(&architecture)
            )));
        }
        Ok(DebInfo {
            package,
            version,
            architecture,
            source,
            source_version,
        })
    }

    /// The version without its epoch (`1:2.3-4` → `2.3-4`).
    pub fn version_without_epoch(&self) -> &str {
        strip_epoch(&self.version)
    }

    /// The archive's file name: `{package}_{version without epoch}_{arch}.deb`.
    pub fn pool_file_name(&self) -> String {
        format!(
            "{}_{}_{}.deb",
            self.package,
            self.version_without_epoch(),
            self.architecture
        )
    }
}

/// `1:2.3-4` → `2.3-4`.
pub fn strip_epoch(version: &str) -> &str {
    match version.split_once(':') {
        Some((e, rest)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => version,
    }
}

fn check_name(what: &str, s: &str) -> Result<(), DebError> {
    let ok = s.len() >= 2
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')
        });
    if ok {
        Ok(())
    } else {
        Err(DebError::Field(format!(
            "{what} {:?} is not a Debian package name",
            clip(s)
        )))
    }
}

fn check_version(what: &str, s: &str) -> Result<(), DebError> {
    let upstream = strip_epoch(s);
    let ok = !upstream.is_empty()
        && upstream.as_bytes()[0].is_ascii_digit()
        && upstream
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'~' | b'-' | b':'));
    if ok {
        Ok(())
    } else {
        Err(DebError::Field(format!(
            "{what} {:?} is not a Debian version",
            clip(s)
        )))
    }
}

/// Reads the identity of the `.deb` at `path`.
pub fn read_deb(path: &Path) -> Result<DebInfo, DebError> {
    let c = read_control(path)?;
    DebInfo::from_control(&c)
        .map_err(|e| DebError::Format(path.display().to_string(), e.to_string()))
}

/// Reads the control paragraph of the `.deb` at `path`.
pub fn read_control(path: &Path) -> Result<Control, DebError> {
    let name = path.display().to_string();
    let f = File::open(path).map_err(|e| DebError::Io(name.clone(), e))?;
    let text = control_text(BufReader::new(f))
        .map_err(|e| DebError::Format(name.clone(), e.to_string()))?;
    Control::parse(&text).map_err(|e| DebError::Format(name, format!("control file: {e}")))
}

/// The text of `./control` from a `.deb` read from `r`.
pub fn control_text(r: impl Read) -> Result<String, ControlError> {
    let mut ar = ar::Archive::new(r);
    let mut first = true;
    while let Some(entry) = ar.next_entry() {
        let mut entry = entry.map_err(|e| ControlError::NotAr(e.to_string()))?;
        let id = String::from_utf8_lossy(entry.header().identifier()).into_owned();
        let id = id.trim_end_matches('/');
        if first {
            first = false;
            let mut v = Vec::new();
            (&mut entry)
                .take(64)
                .read_to_end(&mut v)
                .map_err(|e| ControlError::Member {
                    member: id.to_owned(),
                    why: e.to_string(),
                })?;
            if id != "debian-binary" || !v.starts_with(b"2.") {
                return Err(ControlError::NotBinary);
            }
            continue;
        }
        let Some(ext) = id.strip_prefix("control.tar") else {
            if id.starts_with("data.tar") {
                break;
            }
            continue;
        };
        let tar: Box<dyn Read + '_> = match ext {
            "" => Box::new(entry),
            ".gz" => Box::new(flate2::read::GzDecoder::new(entry)),
            ".xz" => Box::new(xz2::read::XzDecoder::new(entry)),
            ".zst" => Box::new(ruzstd::decoding::StreamingDecoder::new(entry).map_err(|e| {
                ControlError::Member {
                    member: id.to_owned(),
                    why: e.to_string(),
                }
            })?),
            other => {
                return Err(ControlError::Member {
                    member: id.to_owned(),
                    why: format!("unknown compression {other:?}"),
                });
            }
        };
        return control_from_tar(tar.take(MAX_CONTROL_TAR)).map_err(|e| ControlError::Member {
            member: id.to_owned(),
            why: e.to_string(),
        });
    }
    Err(ControlError::NoControl)
}

fn control_from_tar(r: impl Read) -> Result<String, String> {
    let mut tar = tar::Archive::new(r);
    for entry in tar.entries().map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path_bytes().into_owned();
        if (path == b"./control" || path == b"control")
            && entry.header().entry_type() == tar::EntryType::Regular
        {
            let mut bytes = Vec::new();
            entry
                .take(MAX_CONTROL + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| e.to_string())?;
            if bytes.len() as u64 > MAX_CONTROL {
                return Err(format!(
                    "the control file is larger than {} MiB",
                    MAX_CONTROL >> 20
                ));
            }
            return String::from_utf8(bytes).map_err(|_| "the control file is not UTF-8".into());
        }
    }
    Err("no ./control file".into())
}

#[cfg(test)]
mod tests;
