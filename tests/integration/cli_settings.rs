//! Settings from `IN_TOTO_*` variables and rcfiles: announced on stderr,
//! overridden by the command line, ignored with `--isolated`, refused
//! when unsafe, never taken from the working directory or the recorded
//! tree unless named with `--rcfile`, read bounded.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::common::{Env, check};

const EXCLUDES: &str = "ARTIFACT_EXCLUDE_PATTERNS=*.secret:*.link*:*.pem";

/// a.txt, b.secret and an rcfile in $HOME (mode `mode`) that excludes
/// `*.secret`.
fn with_rcfile(mode: u32) -> Env {
    let env = Env::new();
    env.key("carl.pem");
    let rc = env.path("home/.in_totorc");
    fs::create_dir_all(rc.parent().unwrap()).unwrap();
    fs::write(&rc, format!("[in-toto settings]\n{EXCLUDES}\n")).unwrap();
    fs::set_permissions(rc, fs::Permissions::from_mode(mode)).unwrap();
    env.write("a.txt", "a");
    env.write("b.secret", "b");
    env
}

/// Records `.` (plus `extra` arguments) with $HOME in the scratch
/// directory; returns stderr and the materials.
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
        err.contains(&format!(
            "using {EXCLUDES} from {}",
            env.path("home/.in_totorc").display()
        )),
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
    assert!(m.get("b.secret").is_some());
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

/// A cloned repository's planted `.in_totorc` (the scenario of
/// CVE-2023-32076) must not change what is signed: the base path it sets
/// would sign the digest of the attacker's `.evil/hello`.
#[test]
fn a_planted_rcfile_in_the_working_directory_is_ignored() {
    let env = Env::new();
    env.key("carl.pem");
    env.write(
        ".in_totorc",
        "[in-toto settings]\nARTIFACT_BASE_PATH=.evil\nARTIFACT_EXCLUDE_PATTERNS=evil*\n",
    );
    env.write(".evil/hello", "attacker's");
    env.write("evil.o", "o");
    let mut c = env.cmd((
        "run -n build --signing-key carl.pem -p hello evil.o --",
        ["sh", "-c", "echo built > hello"],
    ));
    c.env("HOME", env.path("home"));
    let err = check(c, 0).stderr;
    assert!(
        err.contains(".in_totorc: ignored, it is in the working directory"),
        "{err}"
    );
    let p = &env.json("build.6f44242c.link")["signed"]["products"];
    assert_eq!(p["hello"]["sha256"], sha256(b"built\n").as_str(), "{p}");
    assert!(p.get("evil.o").is_some(), "{p}");
}

/// The same file named with `--rcfile` is the user's choice, announced.
#[test]
fn an_rcfile_named_with_rcfile_is_read() {
    let env = Env::new();
    env.key("carl.pem");
    env.write(
        "conf/rc",
        "[in-toto settings]\nartifact_exclude_patterns=*.secret\n",
    );
    env.write("a.txt", "a");
    env.write("b.secret", "b");
    let (err, m) = materials(&env, &["--rcfile", "conf/rc"]);
    assert!(err.contains("from conf/rc"), "{err}");
    assert!(
        m.get("a.txt").is_some() && m.get("b.secret").is_none(),
        "{m}"
    );
    let mut c = env.cmd("run -n s -m . -x --signing-key carl.pem --rcfile nowhere");
    c.env("HOME", env.path("home"));
    assert!(
        check(c, 1)
            .stderr
            .contains("--rcfile nowhere: no such file")
    );
}

/// Recording the home directory itself: the user's own rcfile is then in
/// the tree being recorded, and is not read.
#[test]
fn an_rcfile_inside_the_recorded_tree_is_ignored() {
    let env = with_rcfile(0o644);
    fs::write(env.path("home/x.secret"), "x").unwrap();
    let mut c = env.cmd("run -n s -m ../home -x --signing-key carl.pem");
    c.env("HOME", env.path("home"));
    let err = check(c, 0).stderr;
    assert!(err.contains("which is being recorded"), "{err}");
    let m = &env.json("s.6f44242c.link")["signed"]["materials"];
    assert!(m.get("../home/x.secret").is_some(), "{m}");
}

/// A huge (sparse) rcfile is refused without reading it.
#[test]
fn a_huge_rcfile_is_not_read() {
    let env = Env::new();
    env.key("carl.pem");
    let rc = env.path("home/.in_totorc");
    fs::create_dir_all(rc.parent().unwrap()).unwrap();
    fs::File::create(&rc).unwrap().set_len(2 << 30).unwrap();
    env.write("a.txt", "a");
    let t = std::time::Instant::now();
    let (err, _) = materials(&env, &[]);
    assert!(err.contains("ignored, larger than"), "{err}");
    assert!(t.elapsed().as_secs() < 5);
}

fn sha256(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}
