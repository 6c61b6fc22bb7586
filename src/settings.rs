//! `ARTIFACT_EXCLUDE_PATTERNS` and `ARTIFACT_BASE_PATH` from `IN_TOTO_*`
//! environment variables and rcfiles, made safe.
//!
//! Sources, lowest precedence first: environment variables, then the
//! rcfiles `/etc/in_toto/config`, `/etc/in_totorc`,
//! `~/.config/in_toto/config`, `~/.config/in_toto`, `~/.in_toto/config`,
//! `~/.in_totorc` and `./.in_totorc` (a later file overrides an earlier
//! one). Command-line flags beat all of them. Values with `:` are lists.
//!
//! The Python reference removed these settings after CVE-2023-32076: a
//! planted `.in_totorc` could silently hide artifacts. Here an rcfile
//! counts only if it is owned by the user (or root) and not writable by
//! others, every applied setting is announced with its source, and
//! `--isolated` ignores them all.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

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
    /// rcfiles, lowest precedence first.
    pub rcfiles: Vec<PathBuf>,
    /// The effective user id (owner check).
    pub uid: u32,
}

impl Sources {
    /// The real environment, home directory and working directory.
    pub fn from_system() -> Sources {
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
        rcfiles.push(PathBuf::from(".in_totorc"));
        Sources {
            env: std::env::vars()
                .filter(|(k, _)| k.starts_with("IN_TOTO_"))
                .collect(),
            rcfiles,
            uid: effective_uid(),
        }
    }
}

/// The effective user id.
#[allow(unsafe_code)]
pub(crate) fn effective_uid() -> u32 {
    // SAFETY: geteuid(2) cannot fail and has no preconditions.
    unsafe { libc::geteuid() }
}

/// Reads the settings from `sources`.
pub fn load(sources: &Sources) -> Settings {
    let mut s = Settings::default();
    for name in NAMES {
        let var = format!("IN_TOTO_{name}");
        if let Some((_, v)) = sources.env.iter().find(|(k, _)| *k == var) {
            s.set(name, v, &format!("environment variable {var}"));
        }
    }
    for path in &sources.rcfiles {
        let Ok(meta) = fs::metadata(path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        if let Some(why) = unsafe_reason(&meta, sources.uid) {
            s.ignored
                .push(format!("{}: ignored, {why}", path.display()));
            continue;
        }
        let Ok(text) = fs::read_to_string(path) else {
            s.ignored.push(format!(
                "{}: ignored, not readable as UTF-8 text",
                path.display()
            ));
            continue;
        };
        for (name, value) in parse_rc(&text) {
            s.set(name, &value, &path.display().to_string());
        }
    }
    s
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
        if let Some(name) = NAMES.iter().find(|n| **n == k.trim()) {
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
            uid: effective_uid(),
        };
        let s = load(&src);
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
        let s = load(&src);
        assert_eq!(s.base_path.as_deref(), Some("from-home"));
        assert!(s.ignored[0].contains("writable by others"));
        let s = load(&Sources {
            env: vec![("IN_TOTO_ARTIFACT_BASE_PATH".into(), "e".into())],
            rcfiles: vec![],
            uid: 0,
        });
        assert_eq!(s.base_path.as_deref(), Some("e"));
    }
}
