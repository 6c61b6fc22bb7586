//! Reading metadata safely and writing outputs atomically.
//!
//! Metadata is opened only if it is a regular file (opening is
//! non-blocking, so a FIFO planted under a link's name cannot hang the
//! verifier) and only up to [`MAX_METADATA_BYTES`]. Every output goes to a
//! temporary file in the destination directory and is renamed into place,
//! so a failed or interrupted command never leaves half a file behind and
//! never touches the previous version.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::models::Envelope;

/// Largest metadata file accepted (links of a million artifacts stay well
/// below this).
pub const MAX_METADATA_BYTES: u64 = 1 << 30;

/// Why a metadata file could not be read.
#[derive(Debug, thiserror::Error)]
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
    Malformed(PathBuf, String),
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
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
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
    Ok(buf)
}

/// Loads a Metablock or DSSE metadata file.
pub fn load_metadata(path: &Path) -> Result<Envelope, LoadError> {
    let bytes = read_regular(path, MAX_METADATA_BYTES)?;
    Envelope::from_slice(&bytes).map_err(|e| LoadError::Malformed(path.to_owned(), e))
}

/// Writes `bytes` to `path` through a temporary file in the same
/// directory and an atomic rename. An existing file keeps its
/// permissions; a new one gets 0644 (less the umask).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        ));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    let mode = match fs::metadata(path) {
        Ok(m) => m.permissions().mode() & 0o7777,
        Err(_) => 0o666 & !current_umask(),
    };
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The process umask, from /proc (reading it with umask(2) would change
/// it for a moment, racing with other threads).
fn current_umask() -> u32 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:").map(|v| v.trim().to_owned()))
        })
        .and_then(|v| u32::from_str_radix(&v, 8).ok())
        .unwrap_or(0o022)
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

    #[test]
    fn atomic_write_replaces_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.link");
        write_atomic(&p, b"one").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        let big = read_regular(&p, 2);
        assert!(matches!(big, Err(LoadError::TooLarge(_))));
    }
}
