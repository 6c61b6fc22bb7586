//! Temporary files and private directories removed on SIGINT, SIGTERM
//! and SIGHUP, and the process group of a running child that these
//! signals are forwarded to.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

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

impl TempGuard {
    /// A guard that registered nothing.
    pub(super) fn none() -> TempGuard {
        TempGuard(None)
    }
}

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

/// Children being started by [`spawn_in_group`], and a signal that came
/// meanwhile (held until the child's group is known).
static SPAWNING: AtomicI32 = AtomicI32::new(0);
static DEFERRED: AtomicI32 = AtomicI32::new(0);

/// The registration of a child's process group; dropped when the child is
/// done.
pub struct ChildGroup(());

impl Drop for ChildGroup {
    fn drop(&mut self) {
        CHILD_GROUP.store(0, Ordering::SeqCst);
    }
}

/// Starts `cmd` in a process group of its own and registers that group,
/// so that SIGINT, SIGTERM and SIGHUP to intoto reach the child and all it
/// starts. A signal that arrives while the child is being started (before
/// its group is known) is held and acted on as soon as it is: the child
/// never outlives intoto because of when the signal came.
pub fn spawn_in_group(
    cmd: &mut std::process::Command,
) -> io::Result<(std::process::Child, ChildGroup)> {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    SPAWNING.fetch_add(1, Ordering::SeqCst);
    let child = cmd.spawn();
    if let Ok(c) = &child {
        CHILD_GROUP.store(i32::try_from(c.id()).unwrap_or(0), Ordering::SeqCst);
    }
    SPAWNING.fetch_sub(1, Ordering::SeqCst);
    let group = ChildGroup(());
    let sig = DEFERRED.swap(0, Ordering::SeqCst);
    if sig != 0 {
        end_of_signal(sig);
    }
    child.map(|c| (c, group))
}

extern "C" fn on_signal(sig: libc::c_int) {
    if SPAWNING.load(Ordering::SeqCst) > 0 && CHILD_GROUP.load(Ordering::SeqCst) == 0 {
        DEFERRED.store(sig, Ordering::SeqCst);
        return;
    }
    end_of_signal(sig);
}

/// What a signal that ends intoto does: pass it on to the child's group,
/// remove the temporary files and directories, die of it.
fn end_of_signal(sig: libc::c_int) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

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
}
