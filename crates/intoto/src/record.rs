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
//! One pass: the walk and the hashing overlap on every core. Each
//! directory is read once (`getdents`, whose entry types spare a `stat`
//! per file), its entries are handled in parallel, files are opened
//! relative to the directory's descriptor (one path component to
//! resolve, not the whole path), stated once through the open descriptor
//! and read through a fixed 64 KiB per-thread buffer, stopping at the size
//! `fstat` gave; subdirectories recurse inside the same parallel loop.
//! Memory is O(files): names go straight into the artifact map's one
//! buffer, digests stay 32 bytes until the link is written.
//!
//! Every recording reads every file: the products of a step are hashed
//! again even when `stat` says nothing changed since the materials were
//! recorded, since a write through a shared memory mapping changes
//! neither mtime nor ctime (nor, on a page already dirty, anything else
//! `stat` shows).
//!
//! When several paths cannot be recorded, the error reported is the first
//! in walk order (arguments in order, entries by name), whatever order
//! the threads met them in.

use std::cmp::Ordering as Cmp;
use std::fs::{self, File};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use sha2::{Digest, Sha256};

use crate::models::{Artifacts, DuplicatePath};

mod ancestry;
mod hash;
mod paths;

use ancestry::Ancestor;
pub use hash::hash_file;
use hash::hash_open;
pub use paths::normpath;
use paths::{Entries, file_kind, join, join_into, kind};

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
    /// Files found by the walk so far.
    pub files_total: AtomicU64,
    /// Files hashed (or whose digest was reused).
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
    let walk = Walk {
        rec: &rec,
        progress,
        sink: Mutex::new(Artifacts::new()),
        failure: Mutex::new(None),
        failed: AtomicBool::new(false),
    };
    let mut dirs: Vec<(String, PathBuf)> = Vec::new();
    for arg in paths {
        if let Some(("dir", rest)) = arg.split_once(':') {
            dirs.push((normpath(rest), rec.fs_path(&normpath(rest))));
        }
    }
    paths
        .par_iter()
        .enumerate()
        .for_each(|(i, arg)| walk.argument(i, arg));
    if let Some(f) = walk.failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(f.error);
    }
    let mut out = walk.sink.into_inner().unwrap_or_else(|e| e.into_inner());
    for (name, fs_path) in dirs {
        let digest = rec.dir_digest(&fs_path, &name)?;
        rec.push(&mut out, "dir:", &name, digest);
    }
    let strict = !opts.lstrip_paths.is_empty();
    out.sorted(!strict).map_err(|DuplicatePath(dup)| {
        let stripped = dup
            .strip_prefix("dir:")
            .or_else(|| dup.strip_prefix("file:"))
            .unwrap_or(&dup);
        RecordError::Prefix(format!(
            "--lstrip-paths makes two artifacts share the name {stripped:?}"
        ))
    })
}

/// The first error in walk order: argument index, then the path, compared
/// component by component.
struct Failure {
    arg: usize,
    path: String,
    error: RecordError,
}

/// Walk order of two paths within one argument: component by component,
/// each compared by its bytes (as the entries of a directory are sorted).
fn walk_cmp(a: &str, b: &str) -> Cmp {
    let key = |c: u8| if c == b'/' { 0 } else { c };
    a.bytes().map(key).cmp(b.bytes().map(key))
}

/// One recording in progress: shared by every thread.
struct Walk<'a> {
    rec: &'a Recorder<'a>,
    progress: Option<&'a Progress>,
    /// Every artifact found, in no order (one buffer for all names).
    sink: Mutex<Artifacts>,
    failure: Mutex<Option<Failure>>,
    /// Set once `failure` holds something.
    failed: AtomicBool,
}

/// Directories this deep below an argument are read by one thread each.
const SEQUENTIAL_BELOW: usize = 48;

/// The longest path recorded (Linux's `PATH_MAX`, less the NUL).
const PATH_MAX: usize = 4096;

/// A subdirectory the walk is to enter (at `child`): opened, not yet read.
struct Sub {
    child: String,
    fd: OwnedFd,
    dev: u64,
    ino: u64,
    /// Reached through a symlink.
    followed: bool,
}

/// A directory's descriptor while its entries are handled.
enum Open {
    /// As it was read.
    Read(rustix::fs::Dir),
    /// Opened again ([`Ancestor::reopen`]).
    Again(OwnedFd),
}

impl Open {
    fn fd(&self) -> io::Result<BorrowedFd<'_>> {
        match self {
            Open::Read(d) => d.fd().map_err(io::Error::from),
            Open::Again(fd) => Ok(fd.as_fd()),
        }
    }
}

/// Where a file is: a name in an open directory, or a path.
#[derive(Clone, Copy)]
enum At<'a> {
    Dir(BorrowedFd<'a>, &'a str),
    Path(&'a Path),
}

impl Walk<'_> {
    fn fail(&self, arg: usize, path: &str, error: RecordError) {
        let mut f = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        let earlier = match &*f {
            None => true,
            Some(g) => arg.cmp(&g.arg).then_with(|| walk_cmp(path, &g.path)) == Cmp::Less,
        };
        if earlier {
            *f = Some(Failure {
                arg,
                path: path.to_owned(),
                error,
            });
        }
        self.failed.store(true, Ordering::Release);
    }

    /// True when an error earlier in walk order than `path` is known:
    /// nothing after it needs doing.
    fn doomed(&self, arg: usize, path: &str) -> bool {
        if !self.failed.load(Ordering::Acquire) {
            return false;
        }
        let f = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        f.as_ref()
            .is_some_and(|g| g.arg < arg || (g.arg == arg && walk_cmp(&g.path, path) == Cmp::Less))
    }

    /// Records one command-line argument.
    fn argument(&self, i: usize, arg: &str) {
        let (scheme, path) = match arg.split_once(':') {
            Some(("file", rest)) => ("file:", rest),
            Some(("dir", _)) => return,
            Some(("ostree", _)) => {
                return self.fail(i, "", RecordError::Scheme(arg.into(), "ostree".into()));
            }
            _ => ("", arg),
        };
        let norm = normpath(path);
        let fs_path = self.rec.fs_path(&norm);
        let meta = match fs::metadata(&fs_path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if self.rec.excluded(&norm, false) {
                    return;
                }
                let e = if fs::symlink_metadata(&fs_path).is_ok() {
                    RecordError::Dangling(norm)
                } else {
                    RecordError::Missing(norm)
                };
                return self.fail(i, "", e);
            }
            Err(e) => return self.fail(i, "", RecordError::Io(norm, e)),
        };
        if self.rec.excluded(&norm, meta.is_dir()) {
            return;
        }
        if meta.is_file() {
            let mut batch = Artifacts::new();
            match self.file(At::Path(&fs_path)) {
                Ok(d) => self.rec.push(&mut batch, scheme, &norm, d),
                Err(e) => return self.fail(i, "", RecordError::Io(norm, e)),
            }
            self.found(1);
            self.merge(batch);
        } else if meta.is_dir() {
            let fd = match rustix::fs::open(
                &fs_path,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            ) {
                Ok(fd) => fd,
                Err(e) => return self.fail(i, "", RecordError::Io(norm, e.into())),
            };
            let root = Ancestor {
                dev: meta.dev(),
                ino: meta.ino(),
                depth: 0,
                rel: &norm,
                name: "",
                followed: false,
                fd: None,
                up: None,
            };
            self.directory(i, scheme, &norm, fd, &root);
        } else {
            self.fail(i, "", RecordError::Special(norm, kind(meta.file_type())));
        }
    }

    /// Reads directory `fd` (`this`, at `rel`) and records its entries,
    /// in parallel.
    fn directory(&self, i: usize, scheme: &str, rel: &str, fd: OwnedFd, this: &Ancestor<'_>) {
        let mut entries = Entries::default();
        let mut reader = match rustix::fs::Dir::new(fd) {
            Ok(d) => d,
            Err(e) => return self.fail(i, rel, RecordError::Io(rel.to_owned(), e.into())),
        };
        let read = (|| -> rustix::io::Result<()> {
            for e in &mut reader {
                let e = e?;
                let name = e.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                match std::str::from_utf8(name) {
                    Ok(n) => entries.push(n, e.file_type()),
                    Err(_) => {
                        let lossy = String::from_utf8_lossy(name);
                        let path = join(rel, &lossy);
                        self.fail(i, &path, RecordError::NotUtf8(path.clone()));
                    }
                }
            }
            Ok(())
        })();
        if let Err(e) = read {
            return self.fail(i, rel, RecordError::Io(rel.to_owned(), e.into()));
        }
        if !this.keeps() {
            return self.releasing(i, scheme, rel, Open::Read(reader), this, &entries);
        }
        // Reading is done; the descriptor stays open for `openat`.
        let dir = match reader.fd() {
            Ok(fd) => fd,
            Err(e) => return self.fail(i, rel, RecordError::Io(rel.to_owned(), e.into())),
        };
        let this = Ancestor {
            fd: Some(dir),
            ..*this
        };
        let this = &this;
        if this.depth >= SEQUENTIAL_BELOW {
            // Deep down, one thread per subtree is parallel enough, and
            // the stack grows by less per level.
            let mut batch = Artifacts::new();
            let mut child = String::new();
            for k in 0..entries.len() {
                let (name, ft) = entries.get(k);
                let at = Place { rel, dir, up: this };
                if let Some(sub) = self.entry(i, scheme, &at, name, ft, &mut batch, &mut child) {
                    self.descend(i, scheme, name, sub, this);
                }
            }
            return self.merge(batch);
        }
        // Entries go to threads in runs of 16 (a batch per run keeps the
        // merging cheap), but a directory of a few entries is split one
        // by one: they may be big files, each worth a core.
        let run = if entries.len() < 64 { 1 } else { 16 };
        (0..entries.len())
            .into_par_iter()
            .with_min_len(run)
            .fold(
                || (Artifacts::new(), String::new()),
                |(mut batch, mut child), k| {
                    let (name, ft) = entries.get(k);
                    let at = Place { rel, dir, up: this };
                    if let Some(sub) = self.entry(i, scheme, &at, name, ft, &mut batch, &mut child)
                    {
                        self.descend(i, scheme, name, sub, this);
                    }
                    (batch, child)
                },
            )
            .for_each(|(batch, _)| self.merge(batch));
    }

    /// Records the `entries` of a directory that does not keep its
    /// descriptor while its subdirectories are walked
    /// ([`Ancestor::keeps`]): it is closed before each, and opened again
    /// ([`Ancestor::reopen`]) when entries are left.
    fn releasing(
        &self,
        i: usize,
        scheme: &str,
        rel: &str,
        reader: Open,
        this: &Ancestor<'_>,
        entries: &Entries,
    ) {
        let mut batch = Artifacts::new();
        let mut child = String::new();
        let mut open = Some(reader);
        for k in 0..entries.len() {
            let (name, ft) = entries.get(k);
            let o = match open.take() {
                Some(o) => o,
                None => match this.reopen() {
                    Ok(fd) => Open::Again(fd),
                    Err(e) => {
                        self.merge(batch);
                        return self.fail(i, rel, RecordError::Io(rel.to_owned(), e));
                    }
                },
            };
            let dir = match open.insert(o).fd() {
                Ok(fd) => fd,
                Err(e) => {
                    self.merge(batch);
                    return self.fail(i, rel, RecordError::Io(rel.to_owned(), e));
                }
            };
            let at = Place { rel, dir, up: this };
            if let Some(sub) = self.entry(i, scheme, &at, name, ft, &mut batch, &mut child) {
                // Closed while below is walked.
                open = None;
                self.descend(i, scheme, name, sub, this);
            }
        }
        self.merge(batch);
    }

    /// Walks the subdirectory `sub`, named `name` in `up`.
    fn descend(&self, i: usize, scheme: &str, name: &str, sub: Sub, up: &Ancestor<'_>) {
        let Sub {
            child,
            fd,
            dev,
            ino,
            followed,
        } = sub;
        let here = Ancestor {
            dev,
            ino,
            depth: up.depth + 1,
            rel: &child,
            name,
            followed,
            fd: None,
            up: Some(up),
        };
        self.directory(i, scheme, &child, fd, &here);
    }

    #[allow(clippy::too_many_arguments)]
    #[allow(clippy::too_many_arguments)] // the walk's state, passed down
    fn entry(
        &self,
        i: usize,
        scheme: &str,
        at: &Place<'_, '_>,
        name: &str,
        ft: FileType,
        batch: &mut Artifacts,
        child: &mut String,
    ) -> Option<Sub> {
        let Place { rel, dir, up } = *at;
        // The path in a buffer reused for every entry of a batch.
        join_into(child, rel, name);
        let child: &str = child.as_str();
        if self.doomed(i, child) {
            return None;
        }
        if child.len() >= PATH_MAX {
            // As when opening by the whole path (and the stack stays bounded).
            let e = io::Error::from_raw_os_error(libc::ENAMETOOLONG);
            return self.failed(i, child, RecordError::Io(child.to_owned(), e));
        }
        let mut ft = ft;
        if ft == FileType::Unknown {
            // The file system did not say: ask without following.
            match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => ft = FileType::from_raw_mode(st.st_mode),
                Err(e) => {
                    return self.failed(i, child, RecordError::Io(child.to_owned(), e.into()));
                }
            }
        }
        // A symlink is followed: what it points to decides.
        let followed = ft == FileType::Symlink;
        if followed {
            match rustix::fs::statat(dir, name, AtFlags::empty()) {
                Ok(st) => ft = FileType::from_raw_mode(st.st_mode),
                Err(rustix::io::Errno::NOENT) => {
                    if !self.rec.excluded_entry(child, false) {
                        self.fail(i, child, RecordError::Dangling(child.to_owned()));
                    }
                    return None;
                }
                Err(rustix::io::Errno::LOOP) => {
                    return self.failed(
                        i,
                        child,
                        RecordError::Loop(child.to_owned(), "itself".into()),
                    );
                }
                Err(e) => {
                    return self.failed(i, child, RecordError::Io(child.to_owned(), e.into()));
                }
            }
        }
        let is_dir = ft == FileType::Directory;
        if self.rec.excluded_entry(child, is_dir) {
            return None;
        }
        match ft {
            FileType::RegularFile => {
                self.found(1);
                match self.file(At::Dir(dir, name)) {
                    Ok(d) => self.rec.push(batch, scheme, child, d),
                    Err(e) => self.fail(i, child, RecordError::Io(child.to_owned(), e)),
                }
                None
            }
            FileType::Directory => {
                let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
                let sub = match rustix::fs::openat(dir, name, flags, Mode::empty()) {
                    Ok(fd) => fd,
                    Err(e) => {
                        return self.failed(i, child, RecordError::Io(child.to_owned(), e.into()));
                    }
                };
                let st = match rustix::fs::fstat(&sub) {
                    Ok(st) => st,
                    Err(e) => {
                        return self.failed(i, child, RecordError::Io(child.to_owned(), e.into()));
                    }
                };
                #[allow(clippy::unnecessary_cast)] // the field types differ between targets
                let (dev, ino) = (st.st_dev as u64, st.st_ino as u64);
                if let Some(seen) = up.find(dev, ino) {
                    return self.failed(
                        i,
                        child,
                        RecordError::Loop(child.to_owned(), seen.to_owned()),
                    );
                }
                Some(Sub {
                    child: child.to_owned(),
                    fd: sub,
                    dev,
                    ino,
                    followed,
                })
            }
            other => self.failed(
                i,
                child,
                RecordError::Special(child.to_owned(), file_kind(other)),
            ),
        }
    }

    /// [`Walk::fail`], for a function that returns what it found.
    fn failed<T>(&self, arg: usize, path: &str, error: RecordError) -> Option<T> {
        self.fail(arg, path, error);
        None
    }

    /// The digest of a regular file, read in full.
    fn file(&self, at: At<'_>) -> io::Result<[u8; 32]> {
        // Non-blocking: a file swapped for a FIFO since the walk saw it
        // must not hang the open (reads of regular files ignore it).
        let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOCTTY | OFlags::NONBLOCK;
        let fd = match at {
            At::Dir(dir, name) => rustix::fs::openat(dir, name, flags, Mode::empty())?,
            At::Path(p) => rustix::fs::open(p, flags, Mode::empty())?,
        };
        let st = rustix::fs::fstat(&fd)?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            // Replaced since the walk saw it.
            return Err(io::Error::other("is no longer a regular file"));
        }
        hash_open(File::from(fd), st.st_size as u64, self.progress)
    }

    fn found(&self, n: u64) {
        if let Some(p) = self.progress {
            p.files_total.fetch_add(n, Ordering::Relaxed);
        }
    }

    fn merge(&self, batch: Artifacts) {
        if batch.pushed() > 0 {
            self.sink
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .append(batch);
        }
    }
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
        self.excluded_in(path, is_dir, false)
    }

    /// [`Recorder::excluded`] for an entry of a directory the walk entered,
    /// so not excluded itself: only `path`'s own match can exclude it
    /// (gitignore's "path or any parent": every parent gave no match, or
    /// a re-include, when the walk checked it).
    fn excluded_entry(&self, path: &str, is_dir: bool) -> bool {
        self.excluded_in(path, is_dir, true)
    }

    fn excluded_in(&self, path: &str, is_dir: bool, parents_checked: bool) -> bool {
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
        if parents_checked {
            self.excludes.matched(rel, is_dir).is_ignore()
        } else {
            self.excludes
                .matched_path_or_any_parents(rel, is_dir)
                .is_ignore()
        }
    }

    fn fs_path(&self, norm: &str) -> PathBuf {
        match &self.opts.base_path {
            Some(b) => b.join(norm),
            None => PathBuf::from(norm),
        }
    }

    /// Pushes the artifact `scheme` + `path` with `--lstrip-paths`
    /// applied (the first prefix that matches); names made equal by it
    /// are an error when the map is sorted, as in the reference.
    fn push(&self, batch: &mut Artifacts, scheme: &str, path: &str, digest: [u8; 32]) {
        // The reference turns backslashes into slashes (in-toto#565); the
        // recorded names must be the same, so this does too.
        let path: std::borrow::Cow<'_, str> = if path.contains('\\') {
            path.replace('\\', "/").into()
        } else {
            path.into()
        };
        let stripped = self
            .opts
            .lstrip_paths
            .iter()
            .find(|p| path.starts_with(p.as_str()))
            .map_or(&*path, |p| &path[p.len()..]);
        if scheme.is_empty() {
            batch.push_sha256(stripped, digest);
        } else {
            batch.push_sha256(&format!("{scheme}{stripped}"), digest);
        }
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

/// Where an entry is: its directory's path, descriptor and ancestry.
#[derive(Clone, Copy)]
struct Place<'a, 'u> {
    rel: &'a str,
    dir: BorrowedFd<'a>,
    up: &'a Ancestor<'u>,
}

#[cfg(test)]
mod tests;
