//! Dropping root privileges to apt's sandbox user, as apt's own methods do
//! (apt's `DropPrivileges` in `apt-pkg/contrib/fileutl.cc`).
//!
//! apt starts its methods as root; each method, once configured, becomes
//! `APT::Sandbox::User` (default `_apt`): supplementary groups set to the
//! user's group alone, then the group ids, then the user ids (real,
//! effective and saved), and `HOME`, `USER`, `LOGNAME` set to the user's.
//! An empty value or `root` keeps root, as does `Debug::NoDropPrivs`; a
//! process that is not root has nothing to drop. When the user does not
//! exist, apt warns and goes on as root; so does [`drop_privileges`].

use std::ffi::{CStr, CString};

use super::method::AptConfig;

/// What [`drop_privileges`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sandbox {
    /// Nothing to drop: not root, or the configuration keeps root.
    Stayed,
    /// Now running as `user` (`uid`, `gid`).
    Dropped {
        /// The user's name.
        user: String,
        /// Its user id.
        uid: u32,
        /// Its primary group id.
        gid: u32,
    },
    /// The sandbox user does not exist: still root (apt warns and goes on).
    NoSuchUser(String),
}

/// The user apt's configuration names (`APT::Sandbox::User`, default
/// `_apt`), or `None` when privileges are kept.
pub fn sandbox_user(config: &AptConfig) -> Option<String> {
    let keep = config
        .find("Debug::NoDropPrivs")
        .is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes" | "on"));
    let user = config.find("APT::Sandbox::User").unwrap_or("_apt").trim();
    (!keep && !user.is_empty() && user != "root").then(|| user.to_owned())
}

/// Why privileges could not be dropped to apt's sandbox user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// A system call failed.
    #[error("dropping privileges to APT::Sandbox::User {user:?}: {call}: {cause}")]
    Call {
        /// The sandbox user.
        user: String,
        /// The call (`setgroups`, `setresgid`, `setresuid`).
        call: &'static str,
        /// Its error.
        cause: std::io::Error,
    },
    /// The calls succeeded but the ids are not the user's.
    #[error("dropping privileges to APT::Sandbox::User {user:?}: the ids did not change")]
    Unchanged {
        /// The sandbox user.
        user: String,
    },
    /// Root could be regained afterwards.
    #[error("dropping privileges to APT::Sandbox::User {user:?}: root could be regained")]
    RootRegained {
        /// The sandbox user.
        user: String,
    },
    /// The user database could not be read.
    #[error("{0}")]
    Lookup(String),
}

/// Becomes apt's sandbox user when running as root (see the module
/// documentation). An error is a one-line reason; the process may then
/// be half-way (call it before anything that relies on either identity).
pub fn drop_privileges(config: &AptConfig) -> Result<Sandbox, SandboxError> {
    let Some(user) = sandbox_user(config) else {
        return Ok(Sandbox::Stayed);
    };
    #[allow(unsafe_code)]
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        return Ok(Sandbox::Stayed);
    }
    let Some((uid, gid, home)) = lookup(&user).map_err(SandboxError::Lookup)? else {
        return Ok(Sandbox::NoSuchUser(user));
    };
    let fail = |what: &'static str| SandboxError::Call {
        user: user.clone(),
        call: what,
        cause: std::io::Error::last_os_error(),
    };
    #[allow(unsafe_code)]
    // SAFETY: plain system calls on integers and a one-element array.
    unsafe {
        if libc::setgroups(1, &gid) != 0 {
            return Err(fail("setgroups"));
        }
        if libc::setresgid(gid, gid, gid) != 0 {
            return Err(fail("setresgid"));
        }
        if libc::setresuid(uid, uid, uid) != 0 {
            return Err(fail("setresuid"));
        }
        if libc::getuid() != uid
            || libc::geteuid() != uid
            || libc::getgid() != gid
            || libc::getegid() != gid
        {
            return Err(SandboxError::Unchanged { user });
        }
        if uid != 0 && libc::setuid(0) == 0 {
            return Err(SandboxError::RootRegained { user });
        }
    }
    #[allow(unsafe_code)]
    // SAFETY: setenv while the only other thread of the method (the one
    // reading apt's pipe) reads no environment variable; nothing else runs
    // yet (the http method and the rebuilder requests start after this).
    unsafe {
        std::env::set_var("HOME", &home);
        std::env::set_var("USER", &user);
        std::env::set_var("LOGNAME", &user);
    }
    Ok(Sandbox::Dropped { user, uid, gid })
}

/// The user's uid, gid and home directory, or `None` when there is no
/// such user.
fn lookup(user: &str) -> Result<Option<(u32, u32, String)>, String> {
    let name =
        CString::new(user).map_err(|_| format!("APT::Sandbox::User {user:?}: not a user name"))?;
    let mut buf = vec![0 as libc::c_char; 16 << 10];
    loop {
        #[allow(unsafe_code)]
        // SAFETY: getpwnam_r with a valid name, a zeroed passwd, a buffer
        // of the length given and a result pointer; the strings it points
        // to live in `buf`, read before `buf` changes.
        unsafe {
            let mut pw: libc::passwd = std::mem::zeroed();
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = libc::getpwnam_r(
                name.as_ptr(),
                &mut pw,
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            );
            if rc == libc::ERANGE && buf.len() < 1 << 20 {
                buf.resize(buf.len() * 4, 0);
                continue;
            }
            if rc != 0 {
                return Err(format!(
                    "looking up APT::Sandbox::User {user:?}: {}",
                    std::io::Error::from_raw_os_error(rc)
                ));
            }
            if result.is_null() {
                return Ok(None);
            }
            let home = if pw.pw_dir.is_null() {
                "/".to_owned()
            } else {
                CStr::from_ptr(pw.pw_dir).to_string_lossy().into_owned()
            };
            return Ok(Some((pw.pw_uid, pw.pw_gid, home)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_apt_would_drop_to() {
        let c = |items: &[(&str, &str)]| AptConfig::from_items(items.iter().copied());
        assert_eq!(sandbox_user(&c(&[])).as_deref(), Some("_apt"));
        assert_eq!(
            sandbox_user(&c(&[("APT::Sandbox::User", "nobody")])).as_deref(),
            Some("nobody")
        );
        assert_eq!(sandbox_user(&c(&[("APT::Sandbox::User", "root")])), None);
        assert_eq!(sandbox_user(&c(&[("APT::Sandbox::User", "")])), None);
        assert_eq!(sandbox_user(&c(&[("Debug::NoDropPrivs", "true")])), None);
    }

    #[test]
    fn users_are_looked_up() {
        assert_eq!(
            lookup("root").unwrap().map(|(u, g, _)| (u, g)),
            Some((0, 0))
        );
        assert_eq!(lookup("no-such-user-here").unwrap(), None);
        assert!(lookup("a\0b").is_err());
    }

    #[test]
    fn not_root_or_kept_root_stays() {
        let keep = AptConfig::from_items([("APT::Sandbox::User", "root")]);
        assert_eq!(drop_privileges(&keep).unwrap(), Sandbox::Stayed);
        #[allow(unsafe_code)]
        // SAFETY: getuid has no preconditions.
        if unsafe { libc::getuid() } != 0 {
            let c = AptConfig::from_items([("APT::Sandbox::User", "_apt")]);
            assert_eq!(drop_privileges(&c).unwrap(), Sandbox::Stayed);
        }
    }
}
