//! Read-modify-write under an exclusive lock (`sign -a`, `layout` edits).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::LoadError;
use super::write::{resolve_target, write_resolved};
use crate::models::Envelope;

/// A metadata file read under an exclusive advisory lock (`flock` on the
/// file itself), held until this value is dropped, so that two
/// read-modify-write commands (`sign --append` twice at once) run one
/// after the other instead of one losing the other's change.
pub struct LockedFile {
    file: File,
    target: PathBuf,
    bytes: Vec<u8>,
    stamp: Stamp,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: i64,
    mtime_nsec: i64,
}

impl Stamp {
    fn of(m: &fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: m.mtime(),
            mtime_nsec: m.mtime_nsec(),
        }
    }
}

/// Opens `path` (through symlinks), takes an exclusive lock on it and
/// reads it (a regular file of at most `max` bytes). When another process
/// holds the lock, `on_wait` is called once and the lock is waited for.
pub fn lock_for_update(
    path: &Path,
    max: u64,
    on_wait: &mut dyn FnMut(),
) -> Result<LockedFile, LoadError> {
    let io_err = |e: io::Error| LoadError::Io(path.to_owned(), e);
    let target = resolve_target(path).map_err(io_err)?;
    let mut waited = false;
    for _ in 0..100 {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(&target)
            .map_err(|e| match e.kind() {
                io::ErrorKind::NotFound => LoadError::NotFound(path.to_owned()),
                _ => io_err(e),
            })?;
        let meta = file.metadata().map_err(io_err)?;
        if !meta.is_file() {
            return Err(LoadError::NotRegular(path.to_owned()));
        }
        if !flock(&file, libc::LOCK_EX | libc::LOCK_NB).map_err(io_err)? {
            if !waited {
                waited = true;
                on_wait();
            }
            flock(&file, libc::LOCK_EX).map_err(io_err)?;
        }
        // The holder may have replaced the file (rename): lock the new one.
        let now = fs::metadata(&target).map_err(io_err)?;
        let locked = file.metadata().map_err(io_err)?;
        if Stamp::of(&now).ino != Stamp::of(&locked).ino
            || Stamp::of(&now).dev != Stamp::of(&locked).dev
        {
            continue;
        }
        if locked.len() > max {
            return Err(LoadError::TooLarge(path.to_owned()));
        }
        let mut bytes = Vec::with_capacity(locked.len() as usize);
        (&file)
            .take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(io_err)?;
        if bytes.len() as u64 > max {
            return Err(LoadError::TooLarge(path.to_owned()));
        }
        return Ok(LockedFile {
            file,
            target,
            bytes,
            stamp: Stamp::of(&locked),
        });
    }
    Err(io_err(io::Error::other(
        "the file keeps being replaced by another process",
    )))
}

/// `flock(2)`: Ok(false) when `LOCK_NB` was given and the lock is held.
fn flock(file: &File, op: libc::c_int) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    loop {
        #[allow(unsafe_code)]
        // SAFETY: a valid open file descriptor.
        let rc = unsafe { libc::flock(file.as_raw_fd(), op) };
        if rc == 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) if op & libc::LOCK_NB != 0 => return Ok(false),
            // No locking on this file system: go on, the check before the
            // rename still catches concurrent changes.
            Some(libc::ENOLCK) | Some(libc::EOPNOTSUPP) => return Ok(true),
            _ => return Err(e),
        }
    }
}

impl LockedFile {
    /// The bytes read under the lock.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// True when `path` (through symlinks) is the locked file.
    pub fn is_same_file(&self, path: &Path) -> bool {
        match (fs::metadata(path), self.file.metadata()) {
            (Ok(a), Ok(b)) => {
                let (a, b) = (Stamp::of(&a), Stamp::of(&b));
                a.dev == b.dev && a.ino == b.ino
            }
            _ => false,
        }
    }

    /// The bytes as metadata.
    pub fn envelope(&self, path: &Path) -> Result<Envelope, LoadError> {
        Envelope::from_slice(&self.bytes).map_err(|e| LoadError::Malformed(path.to_owned(), e))
    }

    /// Replaces the file with `bytes` (temporary file and rename, as
    /// [`write_atomic`](super::write_atomic)), still under the lock, unless
    /// it changed since it was read (written by a program that does not
    /// take the lock): then nothing is written.
    pub fn replace(&self, bytes: &[u8]) -> io::Result<()> {
        let pending = write_resolved(&self.target)?;
        let now = fs::metadata(&self.target).map(|m| Stamp::of(&m)).ok();
        let held = self.file.metadata().map(|m| Stamp::of(&m)).ok();
        if now != Some(self.stamp) || held != Some(self.stamp) {
            return Err(io::Error::other(format!(
                "{} changed while this command ran (another program wrote it without taking the lock); \
                 nothing was written: run the command again",
                self.target.display()
            )));
        }
        pending.finish(&mut |f: &mut dyn Write| f.write_all(bytes))
    }
}
