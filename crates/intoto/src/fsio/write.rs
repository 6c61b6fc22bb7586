//! Atomic writes: a temporary file beside the target, renamed into place.
//!
//! Two kinds of target:
//! - A file the user named (`sign -f`, `layout … FILE`; [`write_atomic`]):
//!   a symlink is written through (its final target is replaced, keeping
//!   its mode, and the link stays a link), as editors and `cp` do, except
//!   a symlink the kernel's `fs.protected_symlinks` would not follow: one
//!   in a sticky world-writable directory (`/tmp`) owned by neither the
//!   user nor the directory's owner. The resolution happens here, in user
//!   space, so the kernel's rule would never apply by itself.
//! - A name intoto makes (the links of `run`, `record`, `mock` and
//!   inspections, caches; [`replace_atomic`]): the directory entry itself
//!   is replaced, never followed, whatever it was (a symlink planted under
//!   a link's name in a shared directory is replaced by the link).
//!
//! Caches skip `fsync` ([`write_atomic_unsynced`]).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::cleanup::{TempGuard, register_temp};

/// Longest part of a target's name that goes into its temporary file's
/// name (`.<name>.XXXXXX.tmp`).
pub const TEMP_PREFIX_MAX: usize = 48;

/// Where a write to the user-named `path` really goes: the final target of
/// a chain of symlinks (the target need not exist yet). Writing through
/// keeps the link a link, as editors and `cp` do. A symlink owned by
/// another user in a sticky world-writable directory is not followed (the
/// kernel's `protected_symlinks` rule): that is an error.
pub fn resolve_target(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                check_protected(&p, &m)?;
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

/// The kernel's `protected_symlinks` rule for the symlink `link` (whose
/// own metadata is `m`): in a sticky world-writable directory it is
/// followed only when it belongs to the user or to the directory's owner.
fn check_protected(link: &Path, m: &fs::Metadata) -> io::Result<()> {
    let dir = dir_of(link);
    let Ok(d) = fs::metadata(&dir) else {
        return Ok(());
    };
    let sticky_shared = d.mode() & 0o1002 == 0o1002;
    if sticky_shared && m.uid() != effective_uid() && m.uid() != d.uid() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is a symlink owned by uid {} in the sticky world-writable directory {}; \
                 not followed (as the kernel's protected_symlinks rule)",
                link.display(),
                m.uid(),
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// The effective user id (whose files, whose symlinks).
#[allow(unsafe_code)]
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid(2) cannot fail and has no preconditions.
    unsafe { libc::geteuid() }
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
/// `prefix` is cut to [`TEMP_PREFIX_MAX`] bytes (at a character boundary),
/// so the temporary name fits wherever the final name does.
fn create_temp(dir: &Path, prefix: &str) -> io::Result<Temp> {
    let mut cut = prefix.len().min(TEMP_PREFIX_MAX);
    while !prefix.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut guard = None;
    let file = tempfile::Builder::new()
        .prefix(&prefix[..cut])
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
        _guard: guard.unwrap_or_else(TempGuard::none),
    })
}

/// Writes `bytes` to the user-named `path` through a temporary file in the
/// same directory and an atomic rename. A symlink is written through (see
/// [`resolve_target`]): the temporary file is made beside its final
/// target, which is replaced. An existing file keeps its permissions (and,
/// when run as root, its owner) and must be writable (as the reference,
/// which opens it for writing); a new one gets 0644 (less the umask). The
/// temporary file is removed on failure and on SIGINT/SIGTERM/SIGHUP.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, &mut |f: &mut dyn Write| f.write_all(bytes))
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

/// Writes `bytes` under a name intoto made (a link, an inspection's link):
/// as [`write_atomic`], but the directory entry `path` itself is replaced,
/// never followed or opened: a symlink (or a FIFO, a socket, a device)
/// there is replaced by the file, its target untouched.
pub fn replace_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_atomic_with(path, &mut |f: &mut dyn Write| f.write_all(bytes))
}

/// [`replace_atomic`] of what `write` writes, streamed.
pub fn replace_atomic_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    write_entry(path)?.finish(write)
}

/// As [`replace_atomic`] (a reader sees the old file or the new one, never
/// half of one; a symlink is replaced, never followed) but without
/// `fsync`: for caches, which a crash may lose.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_entry(path)?.finish_with(&mut |f: &mut dyn Write| f.write_all(bytes), false)
}

/// An output file whose target is resolved and checked.
pub(super) struct Pending {
    target: PathBuf,
    dir: PathBuf,
    existing: Option<fs::Metadata>,
}

/// The checks for writing the (resolved) user-named `target`.
pub(super) fn write_resolved(target: &Path) -> io::Result<Pending> {
    if target.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        ));
    }
    let existing = match fs::metadata(target) {
        Ok(m) => Some(check_existing(target, m)?),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    Ok(Pending {
        target: target.to_owned(),
        dir: dir_of(target),
        existing,
    })
}

/// The checks for replacing the entry `path`, never following or opening
/// it: a symlink, FIFO, socket or device there is replaced as if nothing
/// were there; a regular file keeps its mode and must be writable; a
/// directory is an error.
fn write_entry(path: &Path) -> io::Result<Pending> {
    if path.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        ));
    }
    let existing = match fs::symlink_metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => None,
        Ok(m) => Some(check_existing(path, m)?),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    Ok(Pending {
        target: path.to_owned(),
        dir: dir_of(path),
        existing,
    })
}

/// An existing file about to be replaced: a regular file this user may
/// write (opened for writing without truncating, never through a
/// symlink, never blocking: the kernel says; root passes, except on
/// immutable files or read-only file systems).
fn check_existing(path: &Path, m: fs::Metadata) -> io::Result<fs::Metadata> {
    if m.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        ));
    }
    if !m.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file; refusing to replace it",
        ));
    }
    OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("not writable: {e}")))?;
    Ok(m)
}

impl Pending {
    pub(super) fn finish(
        self,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
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
        // The name only helps a person tell what a leftover was for.
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
    use crate::fsio::{LoadError, read_regular};

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
    fn made_names_replace_a_symlink_instead_of_following_it() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"keep").unwrap();
        let link = dir.path().join("build.12345678.link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        replace_atomic(&link, b"link").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
        assert!(fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(fs::read(&link).unwrap(), b"link");
        // A name the user gave is still written through.
        let named = dir.path().join("named");
        std::os::unix::fs::symlink(&victim, &named).unwrap();
        write_atomic(&named, b"new").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"new");
        assert!(
            fs::symlink_metadata(&named)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn temporary_names_fit_beside_long_names() {
        let dir = tempfile::tempdir().unwrap();
        let long = dir.path().join("s".repeat(250));
        replace_atomic(&long, b"x").unwrap();
        assert_eq!(fs::read(&long).unwrap(), b"x");
    }
}
