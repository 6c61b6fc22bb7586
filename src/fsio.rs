//! Reading metadata safely and writing outputs atomically.
//!
//! Metadata is opened only if it is a regular file (opening is
//! non-blocking, so a FIFO planted under a link's name cannot hang the
//! verifier) and only up to [`MAX_METADATA_BYTES`]. Every output goes to a
//! temporary file in the destination directory and is renamed into place,
//! so a failed or interrupted command never leaves half a file behind and
//! never touches the previous version. Two exceptions skip `fsync`: files
//! in a private temporary directory that is removed after use
//! ([`write_new_private`]) and caches ([`write_atomic_unsynced`]).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

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

/// Where a write to `path` really goes: the final target of a chain of
/// symlinks (the target need not exist yet). Writing through keeps the
/// link a link, as editors and `cp` do.
pub fn resolve_target(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let t = fs::read_link(&p)?;
                p = if t.is_absolute() {
                    t
                } else {
                    p.parent().unwrap_or(Path::new("")).join(t)
                };
            }
            Ok(_) => return Ok(p),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from_raw_os_error(libc::ELOOP))
}

fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Checks, before any work is done, that a new file can be created in
/// `dir`: creates and removes a temporary file there.
pub fn check_writable_dir(dir: &Path) -> io::Result<()> {
    let t = create_temp(dir, ".intoto-check.")?;
    t.file.close()
}

/// A temporary file, registered for removal on signals (dropped after
/// the file, so it is registered for as long as the file exists).
struct Temp {
    file: tempfile::NamedTempFile,
    _guard: TempGuard,
}

/// Creates `<dir>/<prefix>XXXXXX.tmp` (mode 0600), registered *before* it
/// is created, so that a signal at any moment leaves nothing behind.
fn create_temp(dir: &Path, prefix: &str) -> io::Result<Temp> {
    let mut guard = None;
    let file = tempfile::Builder::new()
        .prefix(prefix)
        .suffix(".tmp")
        .make_in(dir, |p| {
            let g = register_temp(p);
            let f = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_CLOEXEC)
                .open(p)?;
            guard = Some(g);
            Ok(f)
        })?;
    Ok(Temp {
        file,
        _guard: guard.unwrap_or(TempGuard(None)),
    })
}

/// Writes `bytes` to `path` through a temporary file in the same
/// directory and an atomic rename. A symlink is written through: the
/// temporary file is made beside its final target, which is replaced.
/// An existing file keeps its permissions (and, when run as root, its
/// owner) and must be writable (as the reference, which opens it for
/// writing); a new one gets 0644 (less the umask). The temporary file is
/// removed on failure and on SIGINT/SIGTERM/SIGHUP.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = resolve_target(path)?;
    let via = |e: io::Error| {
        if target != path {
            io::Error::new(
                e.kind(),
                format!(
                    "{} is a symlink to {}: {e}",
                    path.display(),
                    target.display()
                ),
            )
        } else {
            e
        }
    };
    write_resolved(&target)
        .and_then(|w| w.finish(&mut |f: &mut dyn Write| f.write_all(bytes)))
        .map_err(via)
}

/// [`write_atomic`] of what `write` writes (through a buffer), for output
/// too big to hold in memory twice. Nothing is at `path` until `write`
/// has succeeded.
pub fn write_atomic_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let target = resolve_target(path)?;
    write_resolved(&target)
        .and_then(|w| w.finish(write))
        .map_err(|e| {
            if target != path {
                io::Error::new(
                    e.kind(),
                    format!(
                        "{} is a symlink to {}: {e}",
                        path.display(),
                        target.display()
                    ),
                )
            } else {
                e
            }
        })
}

/// As [`write_atomic`] (a reader sees the old file or the new one, never
/// half of one) but without `fsync`: for caches, which a crash may lose.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_resolved(&resolve_target(path)?)
        .and_then(|w| w.finish_with(&mut |f: &mut dyn Write| f.write_all(bytes), false))
}

/// Creates `path` exclusively (never through a symlink, never over an
/// existing file: that is [`io::ErrorKind::AlreadyExists`]), mode 0600, and
/// writes `bytes` to it, without `fsync`: for files in a private temporary
/// directory that is removed when the work is done.
pub fn write_new_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
        .open(path)?;
    f.write_all(bytes).inspect_err(|_| {
        let _ = fs::remove_file(path);
    })
}

/// An output file whose target is resolved and checked.
struct Pending {
    target: PathBuf,
    dir: PathBuf,
    existing: Option<fs::Metadata>,
}

fn write_resolved(target: &Path) -> io::Result<Pending> {
    if target.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        ));
    }
    let existing = match fs::metadata(target) {
        Ok(m) if m.is_dir() => {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        }
        Ok(m) if !m.is_file() => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file; refusing to replace it",
            ));
        }
        Ok(m) => {
            // Opening for writing (without truncating) asks the kernel
            // whether this user may write the file: a read-only file is an
            // error (root passes, except on immutable files or read-only
            // file systems).
            OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
                .open(target)
                .map_err(|e| io::Error::new(e.kind(), format!("not writable: {e}")))?;
            Some(m)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    Ok(Pending {
        target: target.to_owned(),
        dir: dir_of(target),
        existing,
    })
}

impl Pending {
    fn finish(self, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        self.finish_with(write, true)
    }

    /// Writes the temporary file and renames it into place; `durable`:
    /// `fsync` the file before and its directory after.
    fn finish_with(
        self,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
        durable: bool,
    ) -> io::Result<()> {
        let name = self.target.file_name().unwrap_or_default();
        let t = create_temp(&self.dir, &format!(".{}.", name.to_string_lossy()))?;
        let Temp {
            file: mut tmp,
            _guard,
        } = t;
        {
            let mut w = io::BufWriter::with_capacity(128 * 1024, &mut tmp);
            write(&mut w)?;
            w.flush()?;
        }
        let mode = match &self.existing {
            Some(m) => m.permissions().mode() & 0o7777,
            None => 0o666 & !current_umask(),
        };
        if let Some(m) = &self.existing {
            use std::os::unix::fs::MetadataExt;
            // Only root can give a file away; others keep their own.
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(m.uid()), Some(m.gid()));
        }
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))?;
        if durable {
            tmp.as_file().sync_all()?;
        }
        tmp.persist(&self.target).map_err(|e| e.error)?;
        if durable && let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

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
    /// [`write_atomic`]), still under the lock, unless it changed since it
    /// was read (written by a program that does not take the lock): then
    /// nothing is written.
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

// Temporary files and directories are registered here while they exist,
// so that a signal handler can remove them. The handler only reads these
// slots and calls unlink(2), openat(2), getdents64(2), lseek(2),
// unlinkat(2), close(2), kill(2), signal(2) and raise(3), all
// async-signal-safe (no allocation, no lock). A path's memory is never
// freed (a few bytes per file written or directory made), so the handler
// never reads freed memory.
const TEMP_SLOTS: usize = 64;
static TEMPS: [AtomicPtr<libc::c_char>; TEMP_SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; TEMP_SLOTS];
static TEMP_DIRS: [AtomicPtr<libc::c_char>; TEMP_SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; TEMP_SLOTS];
static CHILD_GROUP: AtomicI32 = AtomicI32::new(0);

/// Unregisters a temporary path when dropped.
pub struct TempGuard(Option<(&'static [AtomicPtr<libc::c_char>], usize)>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some((slots, i)) = self.0 {
            slots[i].store(std::ptr::null_mut(), Ordering::SeqCst);
        }
    }
}

/// Registers `path` for removal should the process be killed by SIGINT,
/// SIGTERM or SIGHUP while the returned guard lives.
pub fn register_temp(path: &Path) -> TempGuard {
    register_in(&TEMPS, path)
}

/// Registers the directory `path` for removal, with everything in it,
/// should the process be killed by SIGINT, SIGTERM or SIGHUP while the
/// returned guard lives (symlinks in it are removed, never followed).
pub fn register_temp_dir(path: &Path) -> TempGuard {
    register_in(&TEMP_DIRS, path)
}

fn register_in(slots: &'static [AtomicPtr<libc::c_char>], path: &Path) -> TempGuard {
    use std::os::unix::ffi::OsStrExt;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let Ok(c) = std::ffi::CString::new(abs.as_os_str().as_bytes()) else {
        return TempGuard(None);
    };
    let ptr = c.into_raw();
    for (i, slot) in slots.iter().enumerate() {
        if slot
            .compare_exchange(
                std::ptr::null_mut(),
                ptr,
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok()
        {
            return TempGuard(Some((slots, i)));
        }
    }
    TempGuard(None)
}

/// A private temporary directory (mode 0700), removed with its contents
/// when dropped and, while it exists, when the process is killed by
/// SIGINT, SIGTERM or SIGHUP ([`install_signal_handlers`]).
pub struct PrivateDir {
    path: PathBuf,
    _guard: TempGuard,
}

impl PrivateDir {
    /// Makes `<parent>/<prefix>XXXXXX` (`parent`: `$TMPDIR` when `None`),
    /// registered before it is made.
    pub fn new(parent: Option<&Path>, prefix: &str) -> io::Result<PrivateDir> {
        use std::os::unix::fs::DirBuilderExt;
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_owned);
        let mut guard = None;
        let named = tempfile::Builder::new()
            .prefix(prefix)
            .make_in(&parent, |p| {
                let g = register_temp_dir(p);
                fs::DirBuilder::new().mode(0o700).create(p)?;
                guard = Some(g);
                Ok(())
            })?;
        // Only the name is kept: the directory is this value's to remove.
        let ((), path) = named.keep().map_err(|e| e.error)?;
        Ok(PrivateDir {
            path,
            _guard: guard.unwrap_or(TempGuard(None)),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        // Then the guard unregisters it.
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Removes the directory `path` and everything in it, as the signal
/// handler does: only async-signal-safe system calls, no allocation, no
/// symlink followed, at most 16 levels deep.
#[cfg(test)]
#[allow(unsafe_code)]
fn remove_tree_signal_safe(path: &std::ffi::CStr) {
    // SAFETY: a valid NUL-terminated path.
    unsafe { remove_tree_at(libc::AT_FDCWD, path.as_ptr(), 0) }
}

/// Empties and removes the directory `name` (relative to `parent`).
#[allow(unsafe_code)]
unsafe fn remove_tree_at(parent: libc::c_int, name: *const libc::c_char, depth: u32) {
    // SAFETY (whole body): `name` is NUL-terminated; the descriptor is
    // ours and closed here.
    unsafe {
        let fd = libc::openat(
            parent,
            name,
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        );
        if fd >= 0 {
            if depth < 16 {
                empty_dir(fd, depth);
            }
            libc::close(fd);
        }
        libc::unlinkat(parent, name, libc::AT_REMOVEDIR);
    }
}

/// Removes every entry of the open directory `fd`: files and symlinks are
/// unlinked, directories emptied and removed. The listing is read again
/// until a pass removes nothing (entries removed while reading may be
/// skipped by some file systems).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
unsafe fn empty_dir(fd: libc::c_int, depth: u32) {
    // linux_dirent64: d_ino u64, d_off i64, d_reclen u16, d_type u8, name.
    let mut buf = [0u64; 256];
    for _ in 0..8 {
        let mut removed = false;
        // SAFETY (loop body): the kernel fills `buf` with whole records of
        // `d_reclen` bytes, each name NUL-terminated within its record.
        unsafe {
            libc::lseek(fd, 0, libc::SEEK_SET);
            loop {
                let n = libc::syscall(
                    libc::SYS_getdents64,
                    fd,
                    buf.as_mut_ptr(),
                    std::mem::size_of_val(&buf),
                );
                if n <= 0 {
                    break;
                }
                let base = buf.as_ptr().cast::<u8>();
                let mut off = 0usize;
                while off + 19 < n as usize {
                    let reclen =
                        std::ptr::read_unaligned(base.add(off + 16).cast::<u16>()) as usize;
                    let kind = *base.add(off + 18);
                    let name = base.add(off + 19).cast::<libc::c_char>();
                    let dot = *name == b'.' as libc::c_char
                        && (*name.add(1) == 0
                            || (*name.add(1) == b'.' as libc::c_char && *name.add(2) == 0));
                    if !dot {
                        if kind == libc::DT_DIR || libc::unlinkat(fd, name, 0) != 0 {
                            remove_tree_at(fd, name, depth + 1);
                        }
                        removed = true;
                    }
                    if reclen == 0 {
                        break;
                    }
                    off += reclen;
                }
            }
        }
        if !removed {
            break;
        }
    }
}

#[cfg(not(target_os = "linux"))]
#[allow(unsafe_code)]
unsafe fn empty_dir(_fd: libc::c_int, _depth: u32) {}

/// While a child runs in its own process group, the signals that end
/// intoto are passed on to that group (0: none).
pub fn set_child_group(pgid: i32) {
    CHILD_GROUP.store(pgid, Ordering::SeqCst);
}

extern "C" fn on_signal(sig: libc::c_int) {
    #[allow(unsafe_code)]
    // SAFETY: only async-signal-safe calls on valid NUL-terminated paths
    // that are never freed.
    unsafe {
        let pg = CHILD_GROUP.load(Ordering::SeqCst);
        if pg > 0 {
            libc::kill(-pg, sig);
        }
        for slot in &TEMPS {
            let p = slot.load(Ordering::SeqCst);
            if !p.is_null() {
                libc::unlink(p);
            }
        }
        for slot in &TEMP_DIRS {
            let p = slot.load(Ordering::SeqCst);
            if !p.is_null() {
                remove_tree_at(libc::AT_FDCWD, p, 0);
            }
        }
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// Installs the handler for SIGINT, SIGTERM and SIGHUP (unless ignored,
/// e.g. under `nohup`): pass the signal on to a running child's group,
/// remove the temporary files and directories, then die of the signal as
/// before.
pub fn install_signal_handlers() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        #[allow(unsafe_code)]
        // SAFETY: plain sigaction calls with a handler that is
        // async-signal-safe.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
                || old.sa_sigaction == libc::SIG_IGN
            {
                continue;
            }
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
            act.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(sig, &act, std::ptr::null_mut());
        }
    }
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
        write_atomic_unsynced(&p, b"three").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"three");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn private_dirs_are_0700_and_removed_with_their_contents() {
        let parent = tempfile::tempdir().unwrap();
        let d = PrivateDir::new(Some(parent.path()), "intoto-t.").unwrap();
        assert!(d.path().starts_with(parent.path()));
        assert!(
            d.path()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("intoto-t.")
        );
        assert_eq!(
            fs::metadata(d.path()).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let registered = |p: &Path| {
            TEMP_DIRS.iter().any(|s| {
                let q = s.load(Ordering::SeqCst);
                #[allow(unsafe_code)]
                // SAFETY: registered paths are never freed.
                let c = (!q.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(q) });
                c.is_some_and(|c| c.to_bytes() == p.as_os_str().as_encoded_bytes())
            })
        };
        let path = d.path().to_owned();
        assert!(registered(&path));
        fs::write(path.join("f"), b"x").unwrap();
        drop(d);
        assert!(!path.exists());
        assert!(!registered(&path));
    }

    #[test]
    fn signal_safe_removal_empties_trees_and_follows_no_symlink() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("keep"), b"k").unwrap();
        let root = tmp.path().join("tree");
        let mut deep = root.clone();
        for i in 0..4 {
            deep = deep.join(format!("d{i}"));
            fs::create_dir_all(&deep).unwrap();
            for j in 0..200 {
                // Enough names to take several getdents64 reads.
                fs::write(deep.join(format!("file-with-a-long-name-{j:04}")), b"x").unwrap();
            }
        }
        std::os::unix::fs::symlink(&outside, root.join("link-to-outside")).unwrap();
        std::os::unix::fs::symlink(&outside, deep.join("link")).unwrap();
        fs::set_permissions(
            deep.join("file-with-a-long-name-0000"),
            fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        let c = std::ffi::CString::new(root.as_os_str().as_encoded_bytes()).unwrap();
        remove_tree_signal_safe(&c);
        assert!(!root.exists());
        assert_eq!(fs::read(outside.join("keep")).unwrap(), b"k");
    }

    #[test]
    fn private_files_are_new_0600_and_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.link");
        write_new_private(&p, b"one").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let again = write_new_private(&p, b"two").unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).unwrap(), b"one");
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, dir.path().join("b.link")).unwrap();
        assert!(write_new_private(&dir.path().join("b.link"), b"x").is_err());
        assert!(!target.exists());
    }
}
