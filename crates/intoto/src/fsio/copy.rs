//! A private copy of a directory tree, for commands that must not change
//! the original: `intoto verify` runs the layout's inspections in one, so
//! the user's directory is left as it was found and two verifications
//! give the same answer.
//!
//! The copy keeps the relative paths (what an inspection records is what
//! it would have recorded in the original), file contents, permission
//! bits (setuid, setgid and sticky bits dropped; directories always
//! owner-writable, so the copy can be removed) and modification times.
//! Regular files are cloned (`FICLONE`: copy-on-write, no data copied)
//! where the file system can, else copied by the kernel
//! (`copy_file_range`, as `std::io::copy` does). Symbolic links are
//! copied as links, never followed; a relative link that leads out of the
//! tree is made absolute (pointing where it pointed), so what it names
//! stays the same. Hard links become separate files. FIFOs, sockets and
//! devices are refused, naming the path (recording refuses them too).
//!
//! Everything is opened relative to its directory's descriptor with
//! `O_NOFOLLOW`, so a tree changed during the copy cannot make it follow
//! a symlink. The copy is bounded ([`CopyLimits`]): entries, depth, and
//! the bytes that are really copied (cloned bytes take no space).

use std::ffi::{CStr, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags, Timestamps};

use super::cleanup::PrivateDir;

/// Bounds of one copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyLimits {
    /// Files, directories and symlinks, together.
    pub max_entries: u64,
    /// Directory levels below the root.
    pub max_depth: usize,
    /// Bytes copied (not those cloned copy-on-write).
    pub max_copied_bytes: u64,
}

impl Default for CopyLimits {
    /// One million entries, 128 levels, 16 GiB copied.
    fn default() -> CopyLimits {
        CopyLimits {
            max_entries: 1_000_000,
            max_depth: 128,
            max_copied_bytes: 16 << 30,
        }
    }
}

/// What a copy did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CopyStats {
    /// Regular files.
    pub files: u64,
    /// Directories (the root not counted).
    pub dirs: u64,
    /// Symbolic links.
    pub symlinks: u64,
    /// Bytes cloned copy-on-write.
    pub cloned_bytes: u64,
    /// Bytes copied.
    pub copied_bytes: u64,
}

/// Why a tree could not be copied. Paths are those of the original.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// Reading the original or writing the copy failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`reading`, `copying`, ...).
        action: &'static str,
        /// The original's path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A FIFO, socket or device.
    #[error("{path} is {kind}, which cannot be copied")]
    Special {
        /// The original's path.
        path: PathBuf,
        /// `a FIFO`, `a socket`, `a device`.
        kind: &'static str,
    },
    /// More entries than [`CopyLimits::max_entries`].
    #[error("{root} holds more than {max} files, directories and symlinks")]
    TooManyEntries {
        /// The tree copied.
        root: PathBuf,
        /// The limit.
        max: u64,
    },
    /// Deeper than [`CopyLimits::max_depth`].
    #[error("{path} is more than {max} directories deep")]
    TooDeep {
        /// The first directory too deep.
        path: PathBuf,
        /// The limit.
        max: usize,
    },
    /// More bytes to copy than [`CopyLimits::max_copied_bytes`].
    #[error("{root} holds more than {} MiB that would have to be copied (no copy-on-write clone)", max >> 20)]
    TooLarge {
        /// The tree copied.
        root: PathBuf,
        /// The limit.
        max: u64,
    },
}

/// A private copy of a directory: `$TMPDIR/<prefix>XXXXXX/<name>` (the
/// outer directory mode 0700), removed with everything in it when
/// dropped, and on SIGINT, SIGTERM and SIGHUP while it exists.
pub struct ScratchCopy {
    root: PathBuf,
    stats: CopyStats,
    // Declared last: removed after `root` is emptied.
    dir: PrivateDir,
}

impl ScratchCopy {
    /// Copies the directory `src` into a new private directory under
    /// `parent` (`None`: `$TMPDIR`).
    pub fn new(
        src: &Path,
        parent: Option<&Path>,
        prefix: &str,
        limits: CopyLimits,
    ) -> Result<ScratchCopy, CopyError> {
        let io_err = |action, path: &Path| {
            let path = path.to_owned();
            move |source| CopyError::Io {
                action,
                path,
                source,
            }
        };
        let dir = PrivateDir::new(parent, prefix)
            .map_err(io_err("making a private directory for a copy of", src))?;
        let name = src
            .file_name()
            .filter(|n| !n.is_empty())
            .unwrap_or(OsStr::new("work"));
        let root = dir.path().join(name);
        let mut copy = ScratchCopy {
            root,
            stats: CopyStats::default(),
            dir,
        };
        copy.stats = copy_tree(src, &copy.root, limits)?;
        Ok(copy)
    }

    /// The copy's root (same name as the original's last component).
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// What the copy did.
    pub fn stats(&self) -> CopyStats {
        self.stats
    }
}

impl Drop for ScratchCopy {
    fn drop(&mut self) {
        // A command run in the copy may have left directories without
        // write permission (a Go module cache, an unpacked archive).
        if std::fs::remove_dir_all(&self.root).is_err() {
            make_dirs_writable(&self.root, 0);
            let _ = std::fs::remove_dir_all(&self.root);
        }
        let _ = &self.dir;
    }
}

/// Gives every directory under `dir` (symlinks not followed) owner
/// rwx, so that its entries can be removed.
fn make_dirs_writable(dir: &Path, depth: usize) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return;
    };
    if !meta.is_dir() || depth > 4096 {
        return;
    }
    let mode = meta.permissions().mode();
    if mode & 0o700 != 0o700 {
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o700));
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                make_dirs_writable(&e.path(), depth + 1);
            }
        }
    }
}

/// Copies the directory `src` to `dst` (which must not exist; its parent
/// must), as the module says.
pub fn copy_tree(src: &Path, dst: &Path, limits: CopyLimits) -> Result<CopyStats, CopyError> {
    let io_err = |action, path: &Path| {
        let path = path.to_owned();
        move |e: rustix::io::Errno| CopyError::Io {
            action,
            path,
            source: e.into(),
        }
    };
    let src_fd = rustix::fs::open(
        src,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io_err("opening", src))?;
    let st = rustix::fs::fstat(&src_fd).map_err(io_err("reading", src))?;
    let dst_parent = dst.parent().unwrap_or(Path::new("/"));
    let dst_name = dst.file_name().unwrap_or(OsStr::new("."));
    let parent_fd = rustix::fs::open(
        dst_parent,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io_err("opening the copy's directory for", src))?;
    rustix::fs::mkdirat(&parent_fd, dst_name, Mode::RWXU).map_err(io_err("copying", src))?;
    let dst_fd = open_dir_at(&parent_fd, dst_name).map_err(io_err("copying", src))?;
    let mut walk = Walk {
        root: src.to_owned(),
        limits,
        stats: CopyStats::default(),
        entries: 0,
    };
    walk.dir(&src_fd, &dst_fd, Path::new(""), 0)?;
    finish_dir(&dst_fd, &st).map_err(io_err("copying", src))?;
    Ok(walk.stats)
}

fn open_dir_at<Fd: AsFd>(dir: Fd, name: &OsStr) -> rustix::io::Result<OwnedFd> {
    rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// A directory's mode (always owner rwx) and times, once it is filled.
fn finish_dir(fd: &OwnedFd, st: &rustix::fs::Stat) -> rustix::io::Result<()> {
    rustix::fs::fchmod(fd, Mode::from_raw_mode(st.st_mode & 0o777) | Mode::RWXU)?;
    set_times(fd, st)
}

#[allow(clippy::unnecessary_cast)]
fn set_times(fd: &OwnedFd, st: &rustix::fs::Stat) -> rustix::io::Result<()> {
    let ts = |sec: i64, nsec: i64| rustix::fs::Timespec {
        tv_sec: sec,
        tv_nsec: nsec as _,
    };
    rustix::fs::futimens(
        fd,
        &Timestamps {
            last_access: ts(st.st_atime as i64, st.st_atime_nsec as i64),
            last_modification: ts(st.st_mtime as i64, st.st_mtime_nsec as i64),
        },
    )
}

struct Walk {
    root: PathBuf,
    limits: CopyLimits,
    stats: CopyStats,
    entries: u64,
}

impl Walk {
    fn path(&self, rel: &Path) -> PathBuf {
        self.root.join(rel)
    }

    fn io(&self, action: &'static str, rel: &Path, e: impl Into<io::Error>) -> CopyError {
        CopyError::Io {
            action,
            path: self.path(rel),
            source: e.into(),
        }
    }

    /// Copies the entries of `src` into `dst` (`rel`: where, for messages).
    fn dir(
        &mut self,
        src: &OwnedFd,
        dst: &OwnedFd,
        rel: &Path,
        depth: usize,
    ) -> Result<(), CopyError> {
        // The names first, so that one descriptor per level stays open.
        let mut names: Vec<Vec<u8>> = Vec::new();
        let mut listing = Dir::read_from(src).map_err(|e| self.io("reading", rel, e))?;
        while let Some(entry) = listing.read() {
            let entry = entry.map_err(|e| self.io("reading", rel, e))?;
            let name: &CStr = entry.file_name();
            let bytes = name.to_bytes();
            if bytes != b"." && bytes != b".." {
                names.push(bytes.to_vec());
            }
        }
        drop(listing);
        names.sort();
        for name in names {
            let name = OsStr::from_bytes(&name);
            let child = rel.join(name);
            self.entries += 1;
            if self.entries > self.limits.max_entries {
                return Err(CopyError::TooManyEntries {
                    root: self.root.clone(),
                    max: self.limits.max_entries,
                });
            }
            let st = rustix::fs::statat(src, name, AtFlags::SYMLINK_NOFOLLOW)
                .map_err(|e| self.io("reading", &child, e))?;
            match FileType::from_raw_mode(st.st_mode) {
                FileType::Directory => {
                    if depth + 1 > self.limits.max_depth {
                        return Err(CopyError::TooDeep {
                            path: self.path(&child),
                            max: self.limits.max_depth,
                        });
                    }
                    let s = open_dir_at(src, name).map_err(|e| self.io("reading", &child, e))?;
                    rustix::fs::mkdirat(dst, name, Mode::RWXU)
                        .map_err(|e| self.io("copying", &child, e))?;
                    let d = open_dir_at(dst, name).map_err(|e| self.io("copying", &child, e))?;
                    self.dir(&s, &d, &child, depth + 1)?;
                    finish_dir(&d, &st).map_err(|e| self.io("copying", &child, e))?;
                    self.stats.dirs += 1;
                }
                FileType::RegularFile => self.file(src, dst, name, &child)?,
                FileType::Symlink => {
                    let target = rustix::fs::readlinkat(src, name, Vec::new())
                        .map_err(|e| self.io("reading", &child, e))?;
                    let target = PathBuf::from(OsStr::from_bytes(target.to_bytes()));
                    let target = kept_target(&self.root, rel, &target);
                    rustix::fs::symlinkat(&target, dst, name)
                        .map_err(|e| self.io("copying", &child, e))?;
                    self.stats.symlinks += 1;
                }
                other => {
                    return Err(CopyError::Special {
                        path: self.path(&child),
                        kind: match other {
                            FileType::Fifo => "a FIFO",
                            FileType::Socket => "a socket",
                            FileType::CharacterDevice | FileType::BlockDevice => "a device",
                            _ => "an unknown kind of file",
                        },
                    });
                }
            }
        }
        Ok(())
    }

    /// Clones or copies one regular file.
    fn file(
        &mut self,
        src: &OwnedFd,
        dst: &OwnedFd,
        name: &OsStr,
        rel: &Path,
    ) -> Result<(), CopyError> {
        // Non-blocking: a FIFO swapped in since the stat cannot hang us.
        let from = rustix::fs::openat(
            src,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| self.io("reading", rel, e))?;
        let st = rustix::fs::fstat(&from).map_err(|e| self.io("reading", rel, e))?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            return Err(self.io(
                "reading",
                rel,
                io::Error::other("it was replaced while being copied"),
            ));
        }
        let to = rustix::fs::openat(
            dst,
            name,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::RUSR | Mode::WUSR,
        )
        .map_err(|e| self.io("copying", rel, e))?;
        let size = u64::try_from(st.st_size).unwrap_or(0);
        if size > 0 && rustix::fs::ioctl_ficlone(&to, &from).is_ok() {
            self.stats.cloned_bytes += size;
        } else {
            if self.stats.copied_bytes.saturating_add(size) > self.limits.max_copied_bytes {
                return Err(CopyError::TooLarge {
                    root: self.root.clone(),
                    max: self.limits.max_copied_bytes,
                });
            }
            // Blocking again for the copy (a regular file never blocks).
            let mut from = File::from(from);
            let mut to = File::from(to);
            let n = io::copy(&mut from, &mut to).map_err(|e| self.io("copying", rel, e))?;
            self.stats.copied_bytes += n;
            return self.finish_file(&OwnedFd::from(to), &st, rel);
        }
        self.finish_file(&to, &st, rel)
    }

    fn finish_file(
        &mut self,
        fd: &OwnedFd,
        st: &rustix::fs::Stat,
        rel: &Path,
    ) -> Result<(), CopyError> {
        rustix::fs::fchmod(fd, Mode::from_raw_mode(st.st_mode & 0o777))
            .and_then(|()| set_times(fd, st))
            .map_err(|e| self.io("copying", rel, e))?;
        self.stats.files += 1;
        Ok(())
    }
}

/// The target a copied symlink gets: `target` itself, unless it is
/// relative and leads out of the tree from the link's directory `rel`;
/// then the absolute path it names (from the original `root`), so the
/// link names the same file from the copy.
fn kept_target(root: &Path, rel: &Path, target: &Path) -> PathBuf {
    if target.is_absolute() {
        return target.to_owned();
    }
    let mut depth = rel.components().count() as i64;
    for c in target.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return std::path::absolute(root.join(rel).join(target))
                .unwrap_or_else(|_| root.join(rel).join(target));
        }
    }
    target.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn copies_files_dirs_symlinks_and_modes() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        fs::create_dir_all(src.join("a/b")).unwrap();
        fs::write(src.join("a/b/f"), b"hello").unwrap();
        fs::write(src.join("x.sh"), b"#!/bin/sh\n").unwrap();
        fs::set_permissions(src.join("x.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(t.path().join("outside"), b"o").unwrap();
        symlink("a/b/f", src.join("in")).unwrap();
        symlink("../outside", src.join("out")).unwrap();
        symlink("/etc/hostname", src.join("abs")).unwrap();
        symlink("missing", src.join("dangling")).unwrap();
        let dst = t.path().join("dst");
        let stats = copy_tree(&src, &dst, CopyLimits::default()).unwrap();
        assert_eq!((stats.files, stats.dirs, stats.symlinks), (2, 2, 4));
        assert_eq!(fs::read(dst.join("a/b/f")).unwrap(), b"hello");
        assert_eq!(
            fs::metadata(dst.join("x.sh")).unwrap().permissions().mode() & 0o777,
            0o755
        );
        assert_eq!(fs::read_link(dst.join("in")).unwrap(), Path::new("a/b/f"));
        assert!(fs::read_link(dst.join("out")).unwrap().is_absolute());
        assert_eq!(fs::read(dst.join("out")).unwrap(), b"o");
        assert_eq!(
            fs::read_link(dst.join("abs")).unwrap(),
            Path::new("/etc/hostname")
        );
        assert_eq!(
            fs::read_link(dst.join("dangling")).unwrap(),
            Path::new("missing")
        );
        assert_eq!(
            fs::metadata(src.join("a/b/f")).unwrap().modified().unwrap(),
            fs::metadata(dst.join("a/b/f")).unwrap().modified().unwrap()
        );
    }

    #[test]
    fn refuses_fifos_and_keeps_its_bounds() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        fs::create_dir_all(src.join("d/e")).unwrap();
        fs::write(src.join("d/e/f"), vec![7u8; 4096]).unwrap();
        let limits = CopyLimits {
            max_depth: 1,
            ..CopyLimits::default()
        };
        let e = copy_tree(&src, &t.path().join("c1"), limits).unwrap_err();
        assert!(matches!(e, CopyError::TooDeep { .. }), "{e}");
        let limits = CopyLimits {
            max_entries: 2,
            ..CopyLimits::default()
        };
        let e = copy_tree(&src, &t.path().join("c2"), limits).unwrap_err();
        assert!(matches!(e, CopyError::TooManyEntries { .. }), "{e}");
        let fifo = src.join("pipe");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            FileType::Fifo,
            Mode::RUSR | Mode::WUSR,
            0,
        )
        .unwrap();
        let e = copy_tree(&src, &t.path().join("c3"), CopyLimits::default()).unwrap_err();
        assert!(e.to_string().contains("pipe is a FIFO"), "{e}");
    }

    #[test]
    fn scratch_copies_are_removed_even_when_made_read_only() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("proj");
        fs::create_dir_all(&src).unwrap();
        fs::write(src.join("f"), b"x").unwrap();
        let copy =
            ScratchCopy::new(&src, Some(t.path()), "scratch.", CopyLimits::default()).unwrap();
        assert_eq!(copy.path().file_name().unwrap(), "proj");
        let ro = copy.path().join("ro");
        fs::create_dir(&ro).unwrap();
        fs::write(ro.join("g"), b"y").unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o500)).unwrap();
        let outer = copy.path().parent().unwrap().to_owned();
        drop(copy);
        assert!(!outer.exists());
        assert!(src.join("f").exists());
    }

    #[test]
    fn symlink_targets_that_leave_the_tree_become_absolute() {
        let root = Path::new("/w/proj");
        let k = |rel: &str, t: &str| kept_target(root, Path::new(rel), Path::new(t));
        assert_eq!(k("", "a/../b"), Path::new("a/../b"));
        assert_eq!(k("sub", "../x"), Path::new("../x"));
        assert_eq!(k("sub", "../../x"), Path::new("/w/proj/sub/../../x"));
        assert_eq!(k("", "../y"), Path::new("/w/proj/../y"));
    }
}
