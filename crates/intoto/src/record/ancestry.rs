//! The directories from an argument down to the one being read: to tell a
//! symlink loop, and to open a directory again after its descriptor was
//! closed.
//!
//! A walk holds one descriptor per directory level it is inside, and a
//! process may hold only so many (often 1,024): a tree deeper than that
//! would fail with EMFILE. So below [`KEEP_ALL_ABOVE`] levels only every
//! [`KEEP_EVERY`]th level keeps its descriptor while its subdirectories
//! are walked; the others close theirs first and, when entries are left,
//! open it again from the nearest kept ancestor, one name at a time. Each
//! step of that path is opened as the walk first opened it (`O_NOFOLLOW`
//! unless the walk had followed a symlink there) and must be the very
//! directory the walk saw (device and inode), or recording fails: a
//! directory moved or replaced meanwhile cannot make the walk read
//! somewhere else.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::fs::{Mode, OFlags};

/// Every level above this keeps its descriptor (the parallel part of the
/// walk, see `SEQUENTIAL_BELOW` in `record`).
pub(super) const KEEP_ALL_ABOVE: usize = super::SEQUENTIAL_BELOW;

/// Below [`KEEP_ALL_ABOVE`], the levels that keep their descriptor: so a
/// path of `PATH_MAX` bytes (2,048 levels at most) holds 80 descriptors.
pub(super) const KEEP_EVERY: usize = 64;

/// One directory on the way down.
#[derive(Clone, Copy)]
pub(super) struct Ancestor<'a> {
    pub dev: u64,
    pub ino: u64,
    /// How deep below the argument (0: the argument itself).
    pub depth: usize,
    /// Its path as recorded.
    pub rel: &'a str,
    /// Its name in its parent (empty for the argument).
    pub name: &'a str,
    /// Reached through a symlink, which the walk followed.
    pub followed: bool,
    /// Its descriptor, while open and kept for those below.
    pub fd: Option<BorrowedFd<'a>>,
    pub up: Option<&'a Ancestor<'a>>,
}

impl<'a> Ancestor<'a> {
    /// The ancestor (or `self`) that is `dev`/`ino`.
    pub fn find(&self, dev: u64, ino: u64) -> Option<&str> {
        let mut a = Some(self);
        while let Some(x) = a {
            if x.dev == dev && x.ino == ino {
                return Some(x.rel);
            }
            a = x.up;
        }
        None
    }

    /// True when this level keeps its descriptor while below it is walked.
    pub fn keeps(&self) -> bool {
        self.depth < KEEP_ALL_ABOVE || self.depth.is_multiple_of(KEEP_EVERY)
    }

    /// Opens this directory again, from the nearest ancestor whose
    /// descriptor is open, checking each step is what the walk saw.
    pub fn reopen(&self) -> io::Result<OwnedFd> {
        let mut path: Vec<&Ancestor<'_>> = Vec::new();
        let mut a = self;
        let base = loop {
            if let Some(fd) = a.fd {
                break fd;
            }
            path.push(a);
            a = a.up.ok_or_else(|| io::Error::other("no open ancestor"))?;
        };
        let mut here: Option<OwnedFd> = None;
        for step in path.into_iter().rev() {
            let mut flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            if !step.followed {
                flags |= OFlags::NOFOLLOW;
            }
            let at = here.as_ref().map_or(base, |f| f.as_fd());
            let fd = rustix::fs::openat(at, step.name, flags, Mode::empty())?;
            let st = rustix::fs::fstat(&fd)?;
            #[allow(clippy::unnecessary_cast)] // the field types differ between targets
            if (st.st_dev as u64, st.st_ino as u64) != (step.dev, step.ino) {
                return Err(io::Error::other(format!(
                    "{} was moved or replaced while it was being recorded",
                    step.rel
                )));
            }
            here = Some(fd);
        }
        here.ok_or_else(|| io::Error::other("nothing to open"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn a_directory_is_reopened_only_if_it_is_the_same() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a/b")).unwrap();
        let root =
            rustix::fs::open(d.path(), OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty()).unwrap();
        let m = |p: &str| std::fs::metadata(d.path().join(p)).unwrap();
        let top = Ancestor {
            dev: m(".").dev(),
            ino: m(".").ino(),
            depth: 0,
            rel: ".",
            name: "",
            followed: false,
            fd: Some(root.as_fd()),
            up: None,
        };
        let a = Ancestor {
            dev: m("a").dev(),
            ino: m("a").ino(),
            depth: 1,
            rel: "a",
            name: "a",
            fd: None,
            up: Some(&top),
            ..top
        };
        let b = Ancestor {
            dev: m("a/b").dev(),
            ino: m("a/b").ino(),
            depth: 2,
            rel: "a/b",
            name: "b",
            up: Some(&a),
            ..a
        };
        let fd = b.reopen().unwrap();
        assert_eq!(rustix::fs::fstat(&fd).unwrap().st_ino, m("a/b").ino());
        // Replaced by a symlink to the same directory: not followed.
        std::fs::rename(d.path().join("a"), d.path().join("x")).unwrap();
        std::os::unix::fs::symlink("x", d.path().join("a")).unwrap();
        assert!(b.reopen().is_err());
        // Replaced by another directory: not the same.
        std::fs::remove_file(d.path().join("a")).unwrap();
        std::fs::create_dir_all(d.path().join("a/b")).unwrap();
        assert!(
            b.reopen()
                .unwrap_err()
                .to_string()
                .contains("moved or replaced")
        );
    }
}
