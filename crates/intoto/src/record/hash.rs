//! Hashing a file: SHA-256 through a fixed per-thread buffer.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::Ordering;

use sha2::{Digest, Sha256};

use super::Progress;

/// The read buffer: small enough that what `read` copies is still in the
/// core's cache when SHA-256 reads it (a 256 KiB buffer made the kernel's
/// copy several times slower here).
const BUF_SIZE: usize = 64 * 1024;

thread_local! {
    static BUF: RefCell<Vec<u8>> = RefCell::new(vec![0u8; BUF_SIZE]);
}

/// sha256 of a file, streamed through a fixed per-thread buffer.
pub fn hash_file(path: &Path, progress: Option<&Progress>) -> io::Result<[u8; 32]> {
    let f = File::open(path)?;
    let size = f.metadata()?.len();
    hash_open(f, size, progress)
}

/// sha256 of an open file whose `fstat` said `size` bytes: read until
/// `size` bytes are in (no last `read` to see the end, the common case of
/// a file nobody is writing) or the end comes first. A file that claims
/// no size (procfs and the like) is read to its end.
pub(super) fn hash_open(
    mut f: File,
    size: u64,
    progress: Option<&Progress>,
) -> io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    BUF.with(|b| -> io::Result<()> {
        let mut buf = b.borrow_mut();
        let mut total = 0u64;
        while size == 0 || total < size {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            h.update(&buf[..n]);
            total += n as u64;
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
