//! Settings from `IN_TOTO_*` variables and rcfiles: announced on stderr,
//! overridden by the command line, ignored with `--isolated`, refused
//! when unsafe.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::common::{Env, check};

const EXCLUDES: &str = "ARTIFACT_EXCLUDE_PATTERNS=*.secret:*.link*:*.pem";

/// a.txt, b.secret and an rcfile (mode `mode`) that excludes `*.secret`.
fn with_rcfile(mode: u32) -> Env {
    let env = Env::new();
    env.key("carl.pem");
    env.write(".in_totorc", &format!("[in-toto settings]\n{EXCLUDES}\n"));
    let rc = env.work().join(".in_totorc");
    fs::set_permissions(rc, fs::Permissions::from_mode(mode)).unwrap();
    env.write("a.txt", "a");
    env.write("b.secret", "b");
    env
}

/// Records `.` (plus `extra` arguments) with no rcfile in $HOME; returns
/// stderr and the materials.
#[track_caller]
fn materials(env: &Env, extra: &[&str]) -> (String, Value) {
    let mut c = env.cmd(("run -n s -m . -x --signing-key carl.pem", extra));
    c.env("HOME", env.path("home"));
    let err = check(c, 0).stderr;
    (
        err,
        env.json("s.6f44242c.link")["signed"]["materials"].clone(),
    )
}

#[test]
fn rcfile_settings_are_announced_and_applied() {
    let env = with_rcfile(0o644);
    let (err, m) = materials(&env, &[]);
    assert!(
        err.contains(&format!("using {EXCLUDES} from .in_totorc")),
        "{err}"
    );
    assert!(
        m.get("a.txt").is_some() && m.get("b.secret").is_none(),
        "{m}"
    );
}

#[test]
fn isolated_ignores_the_rcfile() {
    let env = with_rcfile(0o644);
    let (err, m) = materials(&env, &["--isolated"]);
    assert!(!err.contains("ARTIFACT_EXCLUDE_PATTERNS"), "{err}");
    assert!(m.get("b.secret").is_some() && m.get(".in_totorc").is_some());
}

#[test]
fn the_command_line_overrides_the_rcfile() {
    let env = with_rcfile(0o644);
    let (err, m) = materials(&env, &["--exclude", "*.txt", "*.link*", "*.pem"]);
    assert!(err.contains("overridden by the command line"), "{err}");
    assert!(m.get("a.txt").is_none() && m.get("b.secret").is_some());
}

#[test]
fn an_rcfile_writable_by_others_is_ignored() {
    let env = with_rcfile(0o666);
    let (err, m) = materials(&env, &[]);
    assert!(err.contains("ignored, writable by others"), "{err}");
    assert!(
        m.get("b.secret").is_some(),
        "an unsafe rcfile must not hide files"
    );
}

#[test]
fn environment_settings_are_announced_and_applied() {
    let env = Env::new();
    env.key("carl.pem");
    env.write("a.txt", "a");
    env.write("sub/c.txt", "c");
    let mut c = env.cmd("run -n s -m . -x --signing-key carl.pem");
    c.env("HOME", env.path("home"))
        .env("IN_TOTO_ARTIFACT_BASE_PATH", "sub");
    let err = check(c, 0).stderr;
    assert!(
        err.contains("ARTIFACT_BASE_PATH=sub from environment variable IN_TOTO_ARTIFACT_BASE_PATH"),
        "{err}"
    );
    let link = env.json("s.6f44242c.link");
    assert_eq!(
        link["signed"]["materials"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["c.txt"]
    );
}
