//! Recording artifacts: walk the given paths, hash every file.
//!
//! Paths are treated as the reference treats them (`os.path.normpath`,
//! gitignore-style excludes checked on the normalised path and on every
//! directory while walking, symlinked files and directories followed,
//! `--base-path` resolution, first-match `--lstrip-paths`), with three
//! differences that fail closed instead of silently recording less: a
//! missing path, a dangling symlink, a file that is not a regular file
//! (FIFO, socket, device) and a name that is not UTF-8 are errors, and a
//! symlink loop is detected instead of recursing until the OS gives up.
//! Backslashes in names are recorded as `/`, as the reference does.
//!
//! The walk is sequential and cheap; hashing runs on all cores, each file
//! streamed through a fixed buffer, so memory is O(files), not O(bytes).

use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::models::{Artifacts, HashDict};

/// The reference's default exclude patterns.
pub const DEFAULT_EXCLUDES: [&str; 4] = ["*.link*", ".git", "*.pyc", "*~"];

/// How to record.
#[derive(Clone, Debug, Default)]
pub struct RecordOptions {
    /// gitignore-style patterns of paths not to record.
    pub exclude_patterns: Vec<String>,
    /// Directory the paths are relative to (not part of recorded names).
    pub base_path: Option<PathBuf>,
    /// Prefixes stripped from recorded names (the first that matches).
    pub lstrip_paths: Vec<String>,
}

/// Why recording failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A path given to record does not exist.
    #[error("{0}: no such file or directory")]
    Missing(String),
    /// A symlink points nowhere.
    #[error("{0}: dangling symlink (its target does not exist)")]
    Dangling(String),
    /// A symlinked directory leads back to one of its ancestors.
    #[error("{0}: symlink loop (leads back to {1})")]
    Loop(String, String),
    /// Not a regular file or directory.
    #[error("{0}: cannot record a {1}")]
    Special(String, &'static str),
    /// A file name that is not UTF-8 cannot be written into metadata.
    #[error("{0}: file name is not valid UTF-8")]
    NotUtf8(String),
    /// Reading failed.
    #[error("{0}: {1}")]
    Io(String, io::Error),
    /// `--lstrip-paths` problems.
    #[error("{0}")]
    Prefix(String),
    /// A bad exclude pattern.
    #[error("exclude pattern {0:?}: {1}")]
    Pattern(String, String),
    /// An artifact scheme that is not supported.
    #[error("{0}: the {1}: artifact scheme is not supported")]
    Scheme(String, String),
}

/// Live counters for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files found by the walk.
    pub files_total: AtomicU64,
    /// Files hashed.
    pub files_done: AtomicU64,
    /// Bytes hashed.
    pub bytes_done: AtomicU64,
}

/// Records `paths` (as given on the command line).
pub fn record(
    paths: &[String],
    opts: &RecordOptions,
    progress: Option<&Progress>,
) -> Result<Artifacts, RecordError> {
    let rec = Recorder::new(opts)?;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut dirs: Vec<(String, PathBuf)> = Vec::new();
    for arg in paths {
        let (scheme, path) = match arg.split_once(':') {
            Some(("file", rest)) => ("file:", rest),
            Some(("dir", rest)) => ("dir:", rest),
            Some(("ostree", _)) => return Err(RecordError::Scheme(arg.clone(), "ostree".into())),
            _ => ("", arg.as_str()),
        };
        if scheme == "dir:" {
            dirs.push((normpath(path), rec.fs_path(&normpath(path))));
        } else {
            rec.collect(path, scheme, &mut files)?;
        }
    }
    if let Some(p) = progress {
        p.files_total.store(files.len() as u64, Ordering::Relaxed);
    }
    let hashed: Vec<(String, [u8; 32])> = files
        .par_iter()
        .map(|(name, fs_path)| {
            hash_file(fs_path, progress)
                .map(|d| (name.clone(), d))
                .map_err(|e| RecordError::Io(name.clone(), e))
        })
        .collect::<Result<_, _>>()?;
    let mut out: Vec<(String, HashDict)> = Vec::with_capacity(hashed.len() + dirs.len());
    let mut seen = std::collections::HashSet::new();
    for (name, digest) in hashed {
        let name = rec.mangle(&name, &mut seen)?;
        out.push((name, HashDict::sha256(digest)));
    }
    for (name, fs_path) in dirs {
        let digest = rec.dir_digest(&fs_path, &name)?;
        let name = rec.mangle(&format!("dir:{name}"), &mut seen)?;
        out.push((name, HashDict::sha256(digest)));
    }
    Ok(out.into_iter().collect())
}

struct Recorder<'a> {
    opts: &'a RecordOptions,
    excludes: Gitignore,
}

impl<'a> Recorder<'a> {
    fn new(opts: &'a RecordOptions) -> Result<Recorder<'a>, RecordError> {
        for (i, a) in opts.lstrip_paths.iter().enumerate() {
            for b in &opts.lstrip_paths[i + 1..] {
                if a.starts_with(b.as_str()) || b.starts_with(a.as_str()) {
                    return Err(RecordError::Prefix(format!(
                        "--lstrip-paths {a:?} and {b:?}: one is a prefix of the other"
                    )));
                }
            }
        }
        let mut b = GitignoreBuilder::new("");
        for p in &opts.exclude_patterns {
            b.add_line(None, p)
                .map_err(|e| RecordError::Pattern(p.clone(), e.to_string()))?;
        }
        let excludes = b
            .build()
            .map_err(|e| RecordError::Pattern(String::new(), e.to_string()))?;
        Ok(Recorder { opts, excludes })
    }

    /// True when the normalised `path` is excluded (pathspec treats
    /// paths as relative: a leading `/` or `./` is ignored).
    fn excluded(&self, path: &str, is_dir: bool) -> bool {
        if self.opts.exclude_patterns.is_empty() {
            return false;
        }
        let rel = path
            .strip_prefix('/')
            .or_else(|| path.strip_prefix("./"))
            .unwrap_or(path);
        let rel = rel.trim_start_matches('/');
        if rel.is_empty() || rel == "." {
            return false;
        }
        self.excludes
            .matched_path_or_any_parents(rel, is_dir)
            .is_ignore()
    }

    fn fs_path(&self, norm: &str) -> PathBuf {
        match &self.opts.base_path {
            Some(b) => b.join(norm),
            None => PathBuf::from(norm),
        }
    }

    fn collect(
        &self,
        arg: &str,
        scheme: &str,
        out: &mut Vec<(String, PathBuf)>,
    ) -> Result<(), RecordError> {
        let norm = normpath(arg);
        let fs_path = self.fs_path(&norm);
        let meta = match fs::metadata(&fs_path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if self.excluded(&norm, false) {
                    return Ok(());
                }
                return Err(if fs::symlink_metadata(&fs_path).is_ok() {
                    RecordError::Dangling(norm)
                } else {
                    RecordError::Missing(norm)
                });
            }
            Err(e) => return Err(RecordError::Io(norm, e)),
        };
        if self.excluded(&norm, meta.is_dir()) {
            return Ok(());
        }
        if meta.is_file() {
            out.push((format!("{scheme}{norm}"), fs_path));
        } else if meta.is_dir() {
            let mut ancestors = vec![(meta.dev(), meta.ino(), norm.clone())];
            self.walk(&norm, &fs_path, scheme, &mut ancestors, out)?;
        } else {
            return Err(RecordError::Special(norm, kind(&meta)));
        }
        Ok(())
    }

    fn walk(
        &self,
        rel: &str,
        dir: &Path,
        scheme: &str,
        ancestors: &mut Vec<(u64, u64, String)>,
        out: &mut Vec<(String, PathBuf)>,
    ) -> Result<(), RecordError> {
        let mut entries: Vec<fs::DirEntry> = fs::read_dir(dir)
            .map_err(|e| RecordError::Io(rel.to_owned(), e))?
            .collect::<Result<_, _>>()
            .map_err(|e| RecordError::Io(rel.to_owned(), e))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let os_name = entry.file_name();
            let child_rel = {
                let name = os_name.to_str().ok_or_else(|| {
                    RecordError::NotUtf8(format!("{rel}/{}", os_name.to_string_lossy()))
                })?;
                join(rel, name)
            };
            let ft = entry
                .file_type()
                .map_err(|e| RecordError::Io(child_rel.clone(), e))?;
            let path = entry.path();
            let (is_dir, is_file, meta) = if ft.is_symlink() {
                match fs::metadata(&path) {
                    Ok(m) => (m.is_dir(), m.is_file(), Some(m)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        if self.excluded(&child_rel, false) {
                            continue;
                        }
                        return Err(RecordError::Dangling(child_rel));
                    }
                    Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                        return Err(RecordError::Loop(child_rel, "itself".into()));
                    }
                    Err(e) => return Err(RecordError::Io(child_rel, e)),
                }
            } else {
                (ft.is_dir(), ft.is_file(), None)
            };
            if self.excluded(&child_rel, is_dir) {
                continue;
            }
            if is_file {
                out.push((format!("{scheme}{child_rel}"), path));
            } else if is_dir {
                let m = match meta {
                    Some(m) => m,
                    None => {
                        fs::metadata(&path).map_err(|e| RecordError::Io(child_rel.clone(), e))?
                    }
                };
                if let Some((_, _, seen)) = ancestors
                    .iter()
                    .find(|(d, i, _)| *d == m.dev() && *i == m.ino())
                {
                    return Err(RecordError::Loop(child_rel, seen.clone()));
                }
                ancestors.push((m.dev(), m.ino(), child_rel.clone()));
                self.walk(&child_rel, &path, scheme, ancestors, out)?;
                ancestors.pop();
            } else {
                let m = fs::metadata(&path).map_err(|e| RecordError::Io(child_rel.clone(), e))?;
                return Err(RecordError::Special(child_rel, kind(&m)));
            }
        }
        Ok(())
    }

    /// Applies `--lstrip-paths`; with prefixes, two artifacts ending up
    /// with the same name is an error (as in the reference).
    fn mangle(
        &self,
        name: &str,
        seen: &mut std::collections::HashSet<String>,
    ) -> Result<String, RecordError> {
        let (scheme, path) = match name.split_once(':') {
            Some((s @ ("file" | "dir"), rest)) => (format!("{s}:"), rest),
            _ => (String::new(), name),
        };
        // The reference turns backslashes into slashes (in-toto#565); the
        // recorded names must be the same, so this does too.
        let path = path.replace('\\', "/");
        let stripped = self
            .opts
            .lstrip_paths
            .iter()
            .find(|p| path.starts_with(p.as_str()))
            .map_or(path.as_str(), |p| &path[p.len()..]);
        let out = format!("{scheme}{stripped}");
        if !self.opts.lstrip_paths.is_empty() && !seen.insert(out.clone()) {
            return Err(RecordError::Prefix(format!(
                "--lstrip-paths makes two artifacts share the name {stripped:?}"
            )));
        }
        Ok(out)
    }

    /// The `dir:` digest: sha256 over "<sha256>  <relpath>\n" lines sorted
    /// by path (ITE-4, as the reference's DirectoryResolver).
    fn dir_digest(&self, fs_path: &Path, name: &str) -> Result<[u8; 32], RecordError> {
        if !fs_path.is_dir() {
            return Err(RecordError::Special(
                name.to_owned(),
                "non-directory with the dir: scheme",
            ));
        }
        let inner = RecordOptions {
            exclude_patterns: self.opts.exclude_patterns.clone(),
            base_path: Some(fs_path.to_owned()),
            lstrip_paths: Vec::new(),
        };
        let files = record(&[".".to_owned()], &inner, None)?;
        let mut text = String::new();
        for (p, d) in files.iter() {
            text.push_str(&format!("{}  {p}\n", d.get("sha256").unwrap_or_default()));
        }
        Ok(Sha256::digest(text.as_bytes()).into())
    }
}

fn kind(m: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_block_device() || t.is_char_device() {
        "device"
    } else {
        "special file"
    }
}

fn join(base: &str, name: &str) -> String {
    if base == "." {
        name.to_owned()
    } else if base.ends_with('/') {
        format!("{base}{name}")
    } else {
        format!("{base}/{name}")
    }
}

/// Python's `posixpath.normpath`.
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut comps: Vec<&str> = Vec::new();
    for c in path.split('/') {
        if c.is_empty() || c == "." {
            continue;
        }
        if c != ".." || (initial == 0 && comps.is_empty()) || comps.last() == Some(&"..") {
            comps.push(c);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let joined = comps.join("/");
    let out = format!("{}{joined}", "/".repeat(initial));
    if out.is_empty() { ".".into() } else { out }
}

thread_local! {
    static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 256 * 1024]);
}

/// sha256 of a file, streamed through a fixed per-thread buffer.
pub fn hash_file(path: &Path, progress: Option<&Progress>) -> io::Result<[u8; 32]> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    BUF.with(|b| -> io::Result<()> {
        let mut buf = b.borrow_mut();
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            h.update(&buf[..n]);
            if let Some(p) = progress {
                p.bytes_done.fetch_add(n as u64, Ordering::Relaxed);
            }
        }
        Ok(())
    })?;
    if let Some(p) = progress {
        p.files_done.fetch_add(1, Ordering::Relaxed);
    }
    Ok(h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_matches_python() {
        for (i, o) in [
            ("", "."),
            (".", "."),
            ("./a", "a"),
            ("a/./b/", "a/b"),
            ("a/../b", "b"),
            ("../a", "../a"),
            ("a/../../b", "../b"),
            ("/../a", "/a"),
            ("//a//b", "//a/b"),
            ("///a", "/a"),
            ("a//b", "a/b"),
            ("/", "/"),
        ] {
            assert_eq!(normpath(i), o, "{i}");
        }
    }

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        fs::create_dir_all(p.join("src/sub")).unwrap();
        fs::create_dir_all(p.join(".git")).unwrap();
        fs::write(p.join("src/a.txt"), "a\n").unwrap();
        fs::write(p.join("src/sub/b.txt"), "b\n").unwrap();
        fs::write(p.join(".git/config"), "x").unwrap();
        fs::write(p.join("x.pyc"), "x").unwrap();
        fs::write(p.join("old.abc.link"), "{}").unwrap();
        d
    }

    fn opts(base: &Path, excludes: &[&str], lstrip: &[&str]) -> RecordOptions {
        RecordOptions {
            exclude_patterns: excludes.iter().map(|s| s.to_string()).collect(),
            base_path: Some(base.to_owned()),
            lstrip_paths: lstrip.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn records_with_default_excludes_and_lstrip() {
        let d = tree();
        let a = record(&[".".into()], &opts(d.path(), &DEFAULT_EXCLUDES, &[]), None).unwrap();
        let names: Vec<&str> = a.keys().collect();
        assert_eq!(names, ["src/a.txt", "src/sub/b.txt"]);
        assert_eq!(
            a.get("src/a.txt").unwrap().get("sha256").unwrap(),
            "87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7"
        );
        let s = record(&["src".into()], &opts(d.path(), &[], &["src/"]), None).unwrap();
        assert_eq!(s.keys().collect::<Vec<_>>(), ["a.txt", "sub/b.txt"]);
        assert!(
            record(
                &["src".into()],
                &opts(d.path(), &[], &["src", "src/sub"]),
                None
            )
            .is_err()
        );
    }

    #[test]
    fn missing_dangling_special_and_loops_are_errors() {
        let d = tree();
        let o = opts(d.path(), &[], &[]);
        assert!(matches!(
            record(&["nope".into()], &o, None),
            Err(RecordError::Missing(_))
        ));
        std::os::unix::fs::symlink("nowhere", d.path().join("src/dangling")).unwrap();
        assert!(
            matches!(record(&["src".into()], &o, None), Err(RecordError::Dangling(p)) if p == "src/dangling")
        );
        fs::remove_file(d.path().join("src/dangling")).unwrap();
        std::os::unix::fs::symlink("..", d.path().join("src/sub/up")).unwrap();
        assert!(
            matches!(record(&["src".into()], &o, None), Err(RecordError::Loop(p, _)) if p == "src/sub/up")
        );
        fs::remove_file(d.path().join("src/sub/up")).unwrap();
        // A symlinked directory that is not an ancestor is followed.
        std::os::unix::fs::symlink("sub", d.path().join("src/alias")).unwrap();
        let a = record(&["src".into()], &o, None).unwrap();
        assert!(a.contains_key("src/alias/b.txt"));
    }
}
