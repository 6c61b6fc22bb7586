//! Safe file I/O, split by concern: reads (here), atomic writes
//! ([`write`](mod@write)), locks for read-modify-write ([`lock`]) and the
//! registry of temporary files and directories removed on signals
//! ([`cleanup`]), private copies of a directory tree ([`copy`]).
//!
//! Metadata is opened only if it is a regular file (opening is
//! non-blocking, so a FIFO planted under a link's name cannot hang the
//! verifier) and only up to [`MAX_METADATA_BYTES`]. Every output goes to a
//! temporary file in the destination directory and is renamed into place,
//! so a failed or interrupted command never leaves half a file behind and
//! never touches the previous version.

use std::fs::{self, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::format::MetadataError;
use crate::models::Envelope;

pub mod cleanup;
pub mod copy;
pub mod lock;
pub mod write;

pub use cleanup::{
    ChildGroup, PrivateDir, TempGuard, install_signal_handlers, register_temp, register_temp_dir,
    spawn_in_group,
};
pub use copy::{CopyError, CopyLimits, CopyStats, ScratchCopy, copy_tree};
pub use lock::{LockedFile, lock_for_update};
pub use write::{
    check_writable_dir, effective_uid, replace_atomic, replace_atomic_with, resolve_target,
    write_atomic, write_atomic_unsynced, write_atomic_with,
};

/// Largest metadata file accepted (links of a million artifacts stay well
/// below this).
pub const MAX_METADATA_BYTES: u64 = 1 << 30;

/// Why a metadata file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file does not exist.
    #[error("{0}: no such file")]
    NotFound(PathBuf),
    /// It exists but is not a regular file.
    #[error("{0}: not a regular file")]
    NotRegular(PathBuf),
    /// It is larger than [`MAX_METADATA_BYTES`].
    #[error("{0}: larger than {MAX_METADATA_BYTES} bytes")]
    TooLarge(PathBuf),
    /// Reading failed.
    #[error("{0}: {1}")]
    Io(PathBuf, io::Error),
    /// It is not (acceptable) in-toto metadata.
    #[error("{0}: not valid in-toto metadata: {1}")]
    Malformed(PathBuf, MetadataError),
}

impl LoadError {
    /// True for a missing file.
    pub fn is_not_found(&self) -> bool {
        matches!(self, LoadError::NotFound(_))
    }
}

/// Reads a regular file of at most `max` bytes without blocking on
/// FIFOs or devices.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, LoadError> {
    read_regular_with(path, max, 0).map(|(bytes, _)| bytes)
}

/// As [`read_regular`], but a symlink at `path` is not followed (it is
/// [`LoadError::NotRegular`]); also gives the file's metadata, as it was
/// when opened, for the callers that check its owner and mode (caches).
pub fn read_regular_no_follow(path: &Path, max: u64) -> Result<(Vec<u8>, fs::Metadata), LoadError> {
    read_regular_with(path, max, libc::O_NOFOLLOW).map_err(|e| match e {
        LoadError::Io(p, e) if e.raw_os_error() == Some(libc::ELOOP) => LoadError::NotRegular(p),
        e => e,
    })
}

fn read_regular_with(
    path: &Path,
    max: u64,
    flags: libc::c_int,
) -> Result<(Vec<u8>, fs::Metadata), LoadError> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | flags)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => LoadError::NotFound(path.to_owned()),
            _ => LoadError::Io(path.to_owned(), e),
        })?;
    let meta = file
        .metadata()
        .map_err(|e| LoadError::Io(path.to_owned(), e))?;
    if !meta.is_file() {
        return Err(LoadError::NotRegular(path.to_owned()));
    }
    if meta.len() > max {
        return Err(LoadError::TooLarge(path.to_owned()));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1)
        .read_to_end(&mut buf)
        .map_err(|e| LoadError::Io(path.to_owned(), e))?;
    if buf.len() as u64 > max {
        return Err(LoadError::TooLarge(path.to_owned()));
    }
    Ok((buf, meta))
}

/// Loads a Metablock or DSSE metadata file.
pub fn load_metadata(path: &Path) -> Result<Envelope, LoadError> {
    let bytes = read_regular(path, MAX_METADATA_BYTES)?;
    Envelope::from_slice(&bytes).map_err(|e| LoadError::Malformed(path.to_owned(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.link");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        #[allow(unsafe_code)]
        // SAFETY: valid NUL-terminated path.
        let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
        assert_eq!(rc, 0);
        assert!(matches!(
            read_regular(&fifo, 10),
            Err(LoadError::NotRegular(_))
        ));
        assert!(matches!(
            read_regular(&dir.path().join("nope"), 10),
            Err(LoadError::NotFound(_))
        ));
        assert!(matches!(
            read_regular(dir.path(), 10),
            Err(LoadError::NotRegular(_))
        ));
    }
}
