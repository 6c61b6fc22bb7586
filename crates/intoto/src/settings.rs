//! `ARTIFACT_EXCLUDE_PATTERNS` and `ARTIFACT_BASE_PATH` from `IN_TOTO_*`
//! environment variables and rcfiles, made safe.
//!
//! Sources, lowest precedence first: environment variables, then the
//! rcfiles `/etc/in_toto/config`, `/etc/in_totorc`,
//! `~/.config/in_toto/config`, `~/.config/in_toto`, `~/.in_toto/config`
//! and `~/.in_totorc` (a later file overrides an earlier one), then a file
//! the user names with `--rcfile`. Command-line flags beat all of them.
//! Values with `:` are lists.
//!
//! The Python reference removed these settings after CVE-2023-32076: a
//! `.in_totorc` planted in a cloned repository could silently change what
//! an honest functionary signs. Here no rcfile is ever read from the
//! working directory or from inside the tree being recorded (a clone is
//! the user's own, so ownership proves nothing there) unless the user
//! names it with `--rcfile`; the others count only if they are owned by
//! the user (or root) and not writable by others; each is read bounded
//! (regular files of at most [`MAX_RCFILE_BYTES`], never blocking on a
//! FIFO); every applied setting is announced with its source, and
//! `--isolated` ignores them all.

use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Largest rcfile read (the settings are two short lines).
pub const MAX_RCFILE_BYTES: u64 = 64 * 1024;

/// One applied setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// `ARTIFACT_EXCLUDE_PATTERNS` or `ARTIFACT_BASE_PATH`.
    pub name: &'static str,
    /// The raw value.
    pub value: String,
    /// Where it came from (a file path or an environment variable).
    pub source: String,
}

/// The settings in effect, and what should be said about them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// Exclude patterns, if set.
    pub exclude_patterns: Option<Vec<String>>,
    /// Base path, if set.
    pub base_path: Option<String>,
    /// Settings applied, with their sources.
    pub applied: Vec<Applied>,
    /// rcfiles that were ignored, and why.
    pub ignored: Vec<String>,
}

const NAMES: [&str; 2] = ["ARTIFACT_EXCLUDE_PATTERNS", "ARTIFACT_BASE_PATH"];

/// Where settings are looked for.
#[derive(Clone, Debug)]
pub struct Sources {
    /// Environment variables (name, value).
    pub env: Vec<(String, String)>,
    /// The user's and the system's rcfiles, lowest precedence first.
    pub rcfiles: Vec<PathBuf>,
    /// An rcfile the user named (`--rcfile`): read wherever it is, last.
    pub named: Option<PathBuf>,
    /// Directories no implicit rcfile may come from: the working
    /// directory (its own entries) and the trees being recorded (their
    /// whole depth).
    pub untrusted: Untrusted,
    /// The effective user id (owner check).
    pub uid: u32,
}

/// Where an rcfile is never taken from unless the user names it.
#[derive(Clone, Debug, Default)]
pub struct Untrusted {
    /// The working directory: no rcfile directly in it.
    pub cwd: Option<PathBuf>,
    /// The trees being recorded: no rcfile anywhere below them.
    pub trees: Vec<PathBuf>,
}

impl Untrusted {
    /// The working directory and the trees `paths` (artifact paths, as
    /// given, resolved from `base` or the working directory), canonical.
    pub fn for_recording(base: Option<&Path>, paths: &[String]) -> Untrusted {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        // Both readings of each path (from the base and from the working
        // directory): ignoring a file too many is safe.
        let roots = [Some(cwd.clone()), base.map(|b| cwd.join(b))];
        let trees = paths
            .iter()
            .flat_map(|p| roots.iter().flatten().map(move |r| r.join(p)))
            .filter_map(|p| fs::canonicalize(p).ok())
            .collect();
        let cwd = Some(cwd);
        Untrusted {
            cwd: cwd.and_then(|c| fs::canonicalize(c).ok()),
            trees,
        }
    }

    /// Why `path` (canonical) may not be read implicitly, if it may not.
    fn reason(&self, path: &Path) -> Option<String> {
        if let Some(t) = self.trees.iter().find(|t| path.starts_with(t)) {
            return Some(format!(
                "it is inside {}, which is being recorded",
                t.display()
            ));
        }
        if self
            .cwd
            .as_deref()
            .is_some_and(|c| path.parent() == Some(c))
        {
            return Some("it is in the working directory".into());
        }
        None
    }
}

impl Sources {
    /// The real environment and the rcfiles of `/etc` and the home
    /// directory. `./.in_totorc` is listed only to be refused, with a
    /// warning that says how to use it.
    pub fn from_system(named: Option<PathBuf>, untrusted: Untrusted) -> Sources {
        let mut rcfiles = vec![
            PathBuf::from("/etc/in_toto/config"),
            PathBuf::from("/etc/in_totorc"),
        ];
        if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
            for rel in [
                ".config/in_toto/config",
                ".config/in_toto",
                ".in_toto/config",
                ".in_totorc",
            ] {
                rcfiles.push(home.join(rel));
            }
        }
        // Never read (the working directory is untrusted), but said to be
        // ignored, with how to use it.
        rcfiles.push(PathBuf::from(".in_totorc"));
        Sources {
            env: std::env::vars()
                .filter(|(k, _)| k.starts_with("IN_TOTO_"))
                .collect(),
            rcfiles,
            named,
            untrusted,
            uid: effective_uid(),
        }
    }
}

use crate::fsio::effective_uid;

/// Why settings could not be read from a file the user named.
#[derive(Debug, thiserror::Error)]
#[error("--rcfile {}: {why}", path.display())]
pub struct NamedRcfileError {
    /// The file named.
    pub path: PathBuf,
    /// What is wrong with it.
    pub why: String,
}

/// Reads the settings from `sources`. A file named with `--rcfile` that
/// cannot be read is an error; the implicit ones are skipped, with a
/// reason in [`Settings::ignored`] when they exist.
pub fn load(sources: &Sources) -> Result<Settings, NamedRcfileError> {
    let mut s = Settings::default();
    for name in NAMES {
        let var = format!("IN_TOTO_{name}");
        if let Some((_, v)) = sources.env.iter().find(|(k, _)| *k == var) {
            s.set(name, v, &format!("environment variable {var}"));
        }
    }
    for path in &sources.rcfiles {
        match read_rcfile(path, Some(sources)) {
            Ok(Some(text)) => {
                for (name, value) in parse_rc(&text) {
                    s.set(name, &value, &path.display().to_string());
                }
            }
            Ok(None) => {}
            Err(why) => s
                .ignored
                .push(format!("{}: ignored, {why}", path.display())),
        }
    }
    if let Some(path) = &sources.named {
        let text = read_rcfile(path, None)
            .and_then(|t| t.ok_or_else(|| "no such file".to_owned()))
            .map_err(|why| NamedRcfileError {
                path: path.clone(),
                why,
            })?;
        for (name, value) in parse_rc(&text) {
            s.set(name, &value, &path.display().to_string());
        }
    }
    Ok(s)
}

/// Reads an rcfile: `Ok(None)` when there is none. Only a regular file of
/// at most [`MAX_RCFILE_BYTES`] in UTF-8, opened without blocking; an
/// implicit one (`checks` given) also only outside the untrusted places,
/// owned by the user or root and not writable by others.
fn read_rcfile(path: &Path, checks: Option<&Sources>) -> Result<Option<String>, String> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot be opened: {e}")),
    };
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if let Some(src) = checks {
        if let Some(why) = fs::canonicalize(path)
            .ok()
            .and_then(|c| src.untrusted.reason(&c))
        {
            return Err(format!("{why} (name it with --rcfile to use it)"));
        }
        if let Some(why) = unsafe_reason(&meta, src.uid) {
            return Err(why);
        }
    }
    if meta.len() > MAX_RCFILE_BYTES {
        return Err(format!("larger than {MAX_RCFILE_BYTES} bytes"));
    }
    let mut buf = Vec::new();
    file.take(MAX_RCFILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if buf.len() as u64 > MAX_RCFILE_BYTES {
        return Err(format!("larger than {MAX_RCFILE_BYTES} bytes"));
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| "not UTF-8 text".into())
}

fn unsafe_reason(meta: &fs::Metadata, uid: u32) -> Option<String> {
    if meta.uid() != uid && meta.uid() != 0 {
        return Some(format!("owned by uid {}, not by you or root", meta.uid()));
    }
    if meta.mode() & 0o002 != 0 {
        return Some("writable by others".into());
    }
    None
}

/// The `[in-toto settings]` section of an INI file.
fn parse_rc(text: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            in_section = line[1..line.len() - 1].trim() == "in-toto settings";
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((k, v)) = line.split_once('=').or_else(|| line.split_once(':')) else {
            continue;
        };
        if let Some(name) = NAMES.iter().find(|n| n.eq_ignore_ascii_case(k.trim())) {
            out.push((*name, v.trim().to_owned()));
        }
    }
    out
}

impl Settings {
    fn set(&mut self, name: &'static str, value: &str, source: &str) {
        match name {
            "ARTIFACT_EXCLUDE_PATTERNS" => {
                self.exclude_patterns = Some(
                    value
                        .split(':')
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned)
                        .collect(),
                );
            }
            _ => self.base_path = Some(value.to_owned()),
        }
        self.applied.retain(|a| a.name != name);
        self.applied.push(Applied {
            name,
            value: value.to_owned(),
            source: source.to_owned(),
        });
    }

    /// Lines announcing what is in effect, given which settings the
    /// command line overrode.
    pub fn announcements(&self, exclude_overridden: bool, base_overridden: bool) -> Vec<String> {
        let mut out: Vec<String> = self
            .ignored
            .iter()
            .map(|i| format!("warning: settings file {i}"))
            .collect();
        for a in &self.applied {
            let overridden = match a.name {
                "ARTIFACT_EXCLUDE_PATTERNS" => exclude_overridden,
                _ => base_overridden,
            };
            if overridden {
                out.push(format!(
                    "setting {}={} from {} is overridden by the command line",
                    a.name, a.value, a.source
                ));
            } else {
                out.push(format!(
                    "using {}={} from {} (--isolated ignores settings)",
                    a.name, a.value, a.source
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn precedence_and_safety() {
        let d = tempfile::tempdir().unwrap();
        let home_rc = d.path().join("home_rc");
        let cwd_rc = d.path().join("cwd_rc");
        fs::write(&home_rc, "[in-toto settings]\nARTIFACT_BASE_PATH=from-home\nARTIFACT_EXCLUDE_PATTERNS=*.log:tmp\n").unwrap();
        fs::write(&cwd_rc, "[other]\nARTIFACT_BASE_PATH=ignored\n[in-toto settings]\nARTIFACT_BASE_PATH = from-cwd\n").unwrap();
        let src = Sources {
            env: vec![("IN_TOTO_ARTIFACT_BASE_PATH".into(), "from-env".into())],
            rcfiles: vec![home_rc.clone(), cwd_rc.clone()],
            named: None,
            untrusted: Untrusted::default(),
            uid: effective_uid(),
        };
        let s = load(&src).unwrap();
        assert_eq!(s.base_path.as_deref(), Some("from-cwd"));
        assert_eq!(
            s.exclude_patterns,
            Some(vec!["*.log".to_string(), "tmp".to_string()])
        );
        assert_eq!(s.applied.len(), 2);
        assert!(
            s.announcements(false, false)
                .iter()
                .any(|l| l.contains("cwd_rc"))
        );
        fs::set_permissions(&cwd_rc, fs::Permissions::from_mode(0o666)).unwrap();
        let s = load(&src).unwrap();
        assert_eq!(s.base_path.as_deref(), Some("from-home"));
        assert!(s.ignored[0].contains("writable by others"));
        let s = load(&Sources {
            env: vec![("IN_TOTO_ARTIFACT_BASE_PATH".into(), "e".into())],
            rcfiles: vec![],
            named: None,
            untrusted: Untrusted::default(),
            uid: 0,
        })
        .unwrap();
        assert_eq!(s.base_path.as_deref(), Some("e"));
    }

    #[test]
    fn never_from_the_recorded_tree_unless_named() {
        let d = tempfile::tempdir().unwrap();
        let tree = fs::canonicalize(d.path()).unwrap();
        let rc = tree.join("sub").join(".in_totorc");
        fs::create_dir_all(rc.parent().unwrap()).unwrap();
        fs::write(&rc, "[in-toto settings]\nARTIFACT_BASE_PATH=.evil\n").unwrap();
        let mut src = Sources {
            env: vec![],
            rcfiles: vec![rc.clone()],
            named: None,
            untrusted: Untrusted {
                cwd: None,
                trees: vec![tree.clone()],
            },
            uid: effective_uid(),
        };
        let s = load(&src).unwrap();
        assert_eq!(s.base_path, None);
        assert!(s.ignored[0].contains("being recorded"), "{:?}", s.ignored);
        src.untrusted = Untrusted {
            cwd: Some(rc.parent().unwrap().to_owned()),
            trees: vec![],
        };
        assert!(load(&src).unwrap().ignored[0].contains("working directory"));
        src.rcfiles.clear();
        src.named = Some(rc.clone());
        assert_eq!(load(&src).unwrap().base_path.as_deref(), Some(".evil"));
    }

    #[test]
    fn bounded_and_never_blocking() {
        let d = tempfile::tempdir().unwrap();
        let big = d.path().join("big");
        let f = fs::File::create(&big).unwrap();
        f.set_len(2 << 30).unwrap();
        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        #[allow(unsafe_code)]
        // SAFETY: a valid NUL-terminated path.
        let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
        assert_eq!(rc, 0);
        let src = Sources {
            env: vec![],
            rcfiles: vec![big, fifo],
            named: None,
            untrusted: Untrusted::default(),
            uid: effective_uid(),
        };
        let s = load(&src).unwrap();
        assert!(s.ignored[0].contains("larger than"), "{:?}", s.ignored);
        assert!(
            s.ignored[1].contains("not a regular file"),
            "{:?}",
            s.ignored
        );
    }
}
