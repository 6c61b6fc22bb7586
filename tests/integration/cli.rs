//! The binary's behaviour on good and bad input: one clear line, the
//! right exit status, never a panic, nothing half-written.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::common::{Env, expect, run};

/// Runs and checks: exit status, a single `intoto: error:` line naming
/// `needle`, no panic, no backtrace.
#[track_caller]
fn fails(env: &Env, args: &[&str], code: i32, needle: &str) {
    let (rc, out, err) = run(env.intoto(args));
    assert_eq!(rc, code, "intoto {args:?}\nstdout: {out}\nstderr: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("intoto: error:") || l.starts_with("error:"))
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "expected one error line for {args:?}, got: {err}"
    );
    assert!(
        errors[0].contains(needle),
        "error for {args:?} should mention {needle:?}: {}",
        errors[0]
    );
}

fn links_in(env: &Env) -> Vec<String> {
    fs::read_dir(env.work())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".link"))
        .collect()
}

#[test]
fn run_writes_the_link_and_passes_the_exit_status_through() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    env.write("src/a.txt", "a\n");
    expect(
        env.intoto([
            "run",
            "-n",
            "ok",
            "--signing-key",
            k,
            "-m",
            "src",
            "--",
            "true",
        ]),
        0,
    );
    expect(
        env.intoto([
            "run",
            "-n",
            "bad",
            "--signing-key",
            k,
            "--",
            "sh",
            "-c",
            "exit 7",
        ]),
        7,
    );
    let names = links_in(&env);
    assert!(
        names.iter().any(|n| n.starts_with("ok.6f44242c"))
            && names.iter().any(|n| n.starts_with("bad.")),
        "{names:?}"
    );
    let link: serde_json::Value = serde_json::from_slice(
        &fs::read(
            env.work()
                .join(names.iter().find(|n| n.starts_with("bad.")).unwrap()),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(link["signed"]["byproducts"]["return-value"], 7);
    // Usage errors: 2.
    fails(
        &env,
        &["run", "-n", "x", "--signing-key", k],
        2,
        "no command",
    );
    let (rc, _, _) = run(env.intoto(["run", "-n", "x", "--", "true"]));
    assert_eq!(rc, 2);
    let (rc, _, _) = run(env.intoto(["run", "-n", "x", "--signing-key", k, "--gpg", "--", "true"]));
    assert_eq!(rc, 2);
}

#[test]
fn bad_recording_input_is_a_clear_error_and_writes_nothing() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    env.write("src/a.txt", "a\n");
    fails(
        &env,
        &["run", "-n", "m", "--signing-key", k, "-m", "nope", "-x"],
        1,
        "nope: no such file",
    );
    std::os::unix::fs::symlink("gone", env.work().join("src/dangling")).unwrap();
    fails(
        &env,
        &["run", "-n", "m", "--signing-key", k, "-m", "src", "-x"],
        1,
        "src/dangling: dangling symlink",
    );
    fs::remove_file(env.work().join("src/dangling")).unwrap();
    std::os::unix::fs::symlink("..", env.work().join("src/up")).unwrap();
    fails(
        &env,
        &["run", "-n", "m", "--signing-key", k, "-m", "src", "-x"],
        1,
        "symlink loop",
    );
    fs::remove_file(env.work().join("src/up")).unwrap();
    let bad = {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::OsStr::from_bytes(b"src/\xff.txt")
    };
    fs::write(env.work().join(bad), "x").unwrap();
    fails(
        &env,
        &["run", "-n", "m", "--signing-key", k, "-m", "src", "-x"],
        1,
        "not valid UTF-8",
    );
    fs::remove_file(env.work().join(bad)).unwrap();
    fs::write(env.work().join("src/secret"), "x").unwrap();
    fs::set_permissions(
        env.work().join("src/secret"),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    if unsafe_is_root() {
        // root reads anything; make it a FIFO instead.
        fs::remove_file(env.work().join("src/secret")).unwrap();
        let p = std::ffi::CString::new(env.work().join("src/secret").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o644) }, 0);
        fails(
            &env,
            &["run", "-n", "m", "--signing-key", k, "-m", "src", "-x"],
            1,
            "src/secret: cannot record a FIFO",
        );
    } else {
        fails(
            &env,
            &["run", "-n", "m", "--signing-key", k, "-m", "src", "-x"],
            1,
            "src/secret",
        );
    }
    fs::remove_file(env.work().join("src/secret")).unwrap();
    fails(
        &env,
        &[
            "run",
            "-n",
            "m",
            "--signing-key",
            k,
            "-x",
            "-d",
            "no-such-dir",
        ],
        1,
        "no-such-dir",
    );
    fails(
        &env,
        &[
            "run",
            "-n",
            "m",
            "--signing-key",
            k,
            "--",
            "intoto-no-such-command",
        ],
        1,
        "'intoto-no-such-command' not found",
    );
    assert!(
        links_in(&env).is_empty(),
        "no link may be left behind: {:?}",
        links_in(&env)
    );
}

fn unsafe_is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn unusable_keys_are_named() {
    let env = Env::new();
    env.write("x", "x");
    let enc = env.key("dan.pem");
    let public = env.key("carl.pub");
    fails(
        &env,
        &[
            "run",
            "-n",
            "s",
            "-x",
            "--signing-key",
            enc.to_str().unwrap(),
        ],
        1,
        "encrypted",
    );
    fails(
        &env,
        &[
            "run",
            "-n",
            "s",
            "-x",
            "--signing-key",
            enc.to_str().unwrap(),
            "-P",
            "wrong",
        ],
        1,
        "wrong password",
    );
    expect(
        env.intoto([
            "run",
            "-n",
            "s",
            "-x",
            "--signing-key",
            enc.to_str().unwrap(),
            "-P",
            "hunter2",
        ]),
        0,
    );
    fails(
        &env,
        &[
            "run",
            "-n",
            "s",
            "-x",
            "--signing-key",
            public.to_str().unwrap(),
        ],
        1,
        "public key",
    );
    fails(
        &env,
        &["run", "-n", "s", "-x", "--signing-key", "missing.pem"],
        1,
        "missing.pem",
    );
    fs::write(
        env.work().join("dsa.pem"),
        "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n",
    )
    .unwrap();
    fails(
        &env,
        &["run", "-n", "s", "-x", "--signing-key", "dsa.pem"],
        1,
        "unsupported",
    );
    fails(
        &env,
        &[
            "run",
            "-n",
            "s",
            "-x",
            "--gpg",
            "00000000000000000000000000000000DEADBEEF",
        ],
        1,
        "no OpenPGP key",
    );
    let erin = env.fpr("erin");
    fails(
        &env,
        &["run", "-n", "s", "-x", "--gpg", &erin],
        1,
        "expired",
    );
    let frank = env.fpr("frank");
    fails(
        &env,
        &["run", "-n", "s", "-x", "--gpg", &frank],
        1,
        "revoked",
    );
    // A user id works when it names exactly one secret key.
    expect(
        env.intoto(["run", "-n", "byname", "-x", "--gpg", "carl@example.org"]),
        0,
    );
    fails(
        &env,
        &["run", "-n", "s", "-x", "--gpg", "example.org"],
        1,
        "matches 7 secret keys",
    );
}

#[test]
fn unwritable_metadata_directory_is_reported() {
    let env = Env::new();
    let key = env.key("carl.pem");
    // /proc: a directory not even root (which CI runs as) can create
    // files in. A 0555 directory stops everyone else.
    fails(
        &env,
        &[
            "run",
            "-n",
            "s",
            "-x",
            "--signing-key",
            key.to_str().unwrap(),
            "-d",
            "/proc",
        ],
        1,
        "cannot write",
    );
    if unsafe_is_root() {
        return;
    }
    fs::create_dir(env.work().join("ro")).unwrap();
    fs::set_permissions(env.work().join("ro"), fs::Permissions::from_mode(0o555)).unwrap();
    fails(
        &env,
        &[
            "run",
            "-n",
            "s",
            "-x",
            "--signing-key",
            key.to_str().unwrap(),
            "-d",
            "ro",
        ],
        1,
        "cannot write",
    );
}

#[test]
fn record_start_stop_and_their_errors() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    let other = env.key("alice.pem");
    env.write("src/a.txt", "a\n");
    fails(
        &env,
        &[
            "record",
            "stop",
            "-n",
            "edit",
            "--signing-key",
            k,
            "-p",
            "src",
        ],
        1,
        "record start",
    );
    expect(
        env.intoto([
            "record",
            "start",
            "-n",
            "edit",
            "--signing-key",
            k,
            "-m",
            "src",
        ]),
        0,
    );
    assert!(env.work().join(".edit.6f44242c.link-unfinished").exists());
    // The unfinished link must be signed by the key that stops it: with
    // another key it is simply not found (it is named after the key).
    fails(
        &env,
        &[
            "record",
            "stop",
            "-n",
            "edit",
            "--signing-key",
            other.to_str().unwrap(),
            "-p",
            "src",
        ],
        1,
        "record start",
    );
    // A tampered unfinished link is refused.
    let p = env.work().join(".edit.6f44242c.link-unfinished");
    let orig = fs::read_to_string(&p).unwrap();
    fs::write(&p, orig.replace("src/a.txt", "src/b.txt")).unwrap();
    fails(
        &env,
        &[
            "record",
            "stop",
            "-n",
            "edit",
            "--signing-key",
            k,
            "-p",
            "src",
        ],
        1,
        "not signed by the key",
    );
    fs::write(&p, &orig).unwrap();
    env.write("src/a.txt", "changed\n");
    expect(
        env.intoto([
            "record",
            "stop",
            "-n",
            "edit",
            "--signing-key",
            k,
            "-p",
            "src",
        ]),
        0,
    );
    assert!(!p.exists(), "the unfinished link is removed");
    let link: serde_json::Value =
        serde_json::from_slice(&fs::read(env.work().join("edit.6f44242c.link")).unwrap()).unwrap();
    assert_ne!(
        link["signed"]["materials"]["src/a.txt"],
        link["signed"]["products"]["src/a.txt"]
    );
    // gpg: bare --gpg finds the only unfinished link.
    let carl = env.fpr("carl");
    expect(
        env.intoto(["record", "start", "-n", "g", "--gpg", &carl, "-m", "src"]),
        0,
    );
    expect(
        env.intoto(["record", "stop", "-n", "g", "--gpg", "-p", "src"]),
        0,
    );
}

#[test]
fn hostile_metadata_fails_closed() {
    let env = Env::new();
    let alice = env.key("alice.pem");
    let alice_pub = env.key("alice.pub");
    expect(
        env.intoto(["layout", "new", "root.layout", "--expires", "2099-01-01"]),
        0,
    );
    expect(
        env.intoto(["sign", "-f", "root.layout", "-k", alice.to_str().unwrap()]),
        0,
    );
    expect(
        env.intoto([
            "verify",
            "-l",
            "root.layout",
            "--verification-keys",
            alice_pub.to_str().unwrap(),
        ]),
        0,
    );
    let good = fs::read_to_string(env.work().join("root.layout")).unwrap();
    let cases: Vec<(&str, String)> = vec![
        (
            "duplicate key",
            good.replacen(
                "\"readme\": \"\",",
                "\"readme\": \"\",\n  \"readme\": \"x\",",
                1,
            ),
        ),
        ("byte-order mark", format!("\u{feff}{good}")),
        ("trailing", format!("{good} {{}}")),
        (
            "NaN",
            good.replacen("\"readme\": \"\"", "\"readme\": NaN", 1),
        ),
        (
            "escape",
            good.replacen("\"readme\": \"\"", "\"readme\": \"\\q\"", 1),
        ),
        (
            "surrogate",
            good.replacen("\"readme\": \"\"", "\"readme\": \"\\ud800\"", 1),
        ),
        (
            "expires",
            good.replacen("2099-01-01T00:00:00Z", "2099-02-30T00:00:00Z", 1),
        ),
        (
            "expires",
            good.replacen("2099-01-01T00:00:00Z", "2099-01-01", 1),
        ),
        (
            "both",
            good.replacen(
                "{",
                "{\"payload\": \"e30=\", \"payloadType\": \"application/vnd.in-toto+json\",",
                1,
            ),
        ),
        (
            "depth",
            format!(
                "{{\"signed\": {}{}, \"signatures\": []}}",
                "[".repeat(200),
                "]".repeat(200)
            ),
        ),
    ];
    for (what, text) in cases {
        fs::write(env.work().join("bad.layout"), &text).unwrap();
        let (rc, _, err) = run(env.intoto([
            "verify",
            "-l",
            "bad.layout",
            "--verification-keys",
            alice_pub.to_str().unwrap(),
        ]));
        assert_eq!(rc, 1, "{what}: {err}");
        assert!(
            err.contains("bad.layout") && !err.contains("panicked"),
            "{what}: {err}"
        );
    }
    let mut nonutf8 = good.clone().into_bytes();
    let i = good.find("\"readme\": \"").unwrap() + 11;
    nonutf8.insert(i, 0xff);
    fs::write(env.work().join("bad.layout"), &nonutf8).unwrap();
    expect(
        env.intoto([
            "verify",
            "-l",
            "bad.layout",
            "--verification-keys",
            alice_pub.to_str().unwrap(),
        ]),
        1,
    );
}

/// root.layout: bob's PEM key and a step "build" he may perform.
fn layout_with_build_step(env: &Env, bob_pub: &std::path::Path) -> String {
    expect(
        env.intoto(["layout", "new", "root.layout", "--expires", "2099-01-01"]),
        0,
    );
    let out = expect(
        env.intoto([
            "layout",
            "add-key",
            "root.layout",
            "--key",
            bob_pub.to_str().unwrap(),
        ]),
        0,
    );
    let bob_id = out.lines().last().unwrap().trim().to_owned();
    expect(
        env.intoto([
            "layout",
            "add-step",
            "root.layout",
            "--name",
            "build",
            "--functionary",
            &bob_id,
        ]),
        0,
    );
    bob_id
}

#[test]
fn hostile_layout_fields_are_rejected() {
    let env = Env::new();
    let alice = env.key("alice.pem");
    let alice_pub = env.key("alice.pub");
    let bob_pub = env.key("bob.pub");
    let bob_id = layout_with_build_step(&env, &bob_pub);
    let good = fs::read_to_string(env.work().join("root.layout")).unwrap();
    let other_id = "a".repeat(64);
    let cases: Vec<(&str, String)> = vec![
        (
            "threshold 0",
            good.replace("\"threshold\": 1", "\"threshold\": 0"),
        ),
        (
            "threshold string",
            good.replace("\"threshold\": 1", "\"threshold\": \"1\""),
        ),
        (
            "threshold float",
            good.replace("\"threshold\": 1", "\"threshold\": 1.0"),
        ),
        (
            "step type",
            good.replace("\"_type\": \"step\"", "\"_type\": \"inspection\""),
        ),
        (
            "name slash",
            good.replace("\"name\": \"build\"", "\"name\": \"../build\""),
        ),
        (
            "key id",
            good.replacen(
                &format!("\"{bob_id}\": {{"),
                &format!("\"{other_id}\": {{"),
                1,
            ),
        ),
        (
            "bad rule",
            good.replace(
                "\"expected_products\": []",
                "\"expected_products\": [[\"FROB\", \"*\"]]",
            ),
        ),
    ];
    for (what, text) in cases {
        assert_ne!(text, good, "{what}: the substitution did nothing");
        fs::write(env.work().join("bad.layout"), &text).unwrap();
        // Signing must refuse it too (it is not valid metadata).
        let (rc, _, err) =
            run(env.intoto(["sign", "-f", "bad.layout", "-k", alice.to_str().unwrap()]));
        assert_eq!(rc, 2, "{what}: {err}");
        assert!(err.contains("bad.layout"), "{what}: {err}");
        let (rc, _, err) = run(env.intoto([
            "verify",
            "-l",
            "bad.layout",
            "--verification-keys",
            alice_pub.to_str().unwrap(),
        ]));
        assert_eq!(rc, 1, "{what}: {err}");
    }
}

#[test]
fn verify_json_report_names_the_stage() {
    let env = Env::new();
    let alice = env.key("alice.pem");
    let alice_pub = env.key("alice.pub");
    let bob_pub = env.key("bob.pub");
    layout_with_build_step(&env, &bob_pub);
    expect(
        env.intoto(["sign", "-f", "root.layout", "-k", alice.to_str().unwrap()]),
        0,
    );
    let (rc, out, _) = run(env.intoto([
        "verify",
        "-l",
        "root.layout",
        "--verification-keys",
        alice_pub.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(rc, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["failure"]["stage"], "link-loading");
    assert_eq!(v["failure"]["step"], "build");
    fails(
        &env,
        &["verify", "-l", "root.layout"],
        2,
        "at least one layout key",
    );
    fails(
        &env,
        &[
            "verify",
            "-l",
            "root.layout",
            "--verification-keys",
            "alice.pub",
            "--param",
            "nope",
        ],
        2,
        "KEY=VALUE",
    );
    fails(
        &env,
        &[
            "verify",
            "-l",
            "missing.layout",
            "--verification-keys",
            alice_pub.to_str().unwrap(),
        ],
        1,
        "missing.layout",
    );
}

#[test]
fn settings_are_announced_overridable_and_refused_when_unsafe() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    env.write(
        ".in_totorc",
        "[in-toto settings]\nARTIFACT_EXCLUDE_PATTERNS=*.secret:*.link*:*.pem\n",
    );
    fs::set_permissions(
        env.work().join(".in_totorc"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    env.write("a.txt", "a");
    env.write("b.secret", "b");
    let materials = |extra: &[&str]| -> (String, serde_json::Value) {
        let mut args = vec!["run", "-n", "s", "-m", ".", "-x", "--signing-key", k];
        args.extend_from_slice(extra);
        let mut c = env.intoto(&args);
        c.env("HOME", env.path("home"));
        let (rc, _, err) = run(c);
        assert_eq!(rc, 0, "{err}");
        let link: serde_json::Value =
            serde_json::from_slice(&fs::read(env.work().join("s.6f44242c.link")).unwrap()).unwrap();
        (err, link["signed"]["materials"].clone())
    };
    let (err, m) = materials(&[]);
    assert!(
        err.contains("using ARTIFACT_EXCLUDE_PATTERNS=*.secret:*.link*:*.pem from .in_totorc"),
        "{err}"
    );
    assert!(
        m.get("a.txt").is_some() && m.get("b.secret").is_none(),
        "{m}"
    );
    let (err, m) = materials(&["--isolated"]);
    assert!(!err.contains("ARTIFACT_EXCLUDE_PATTERNS"), "{err}");
    assert!(m.get("b.secret").is_some() && m.get(".in_totorc").is_some());
    let (err, m) = materials(&["--exclude", "*.txt", "*.link*", "*.pem"]);
    assert!(err.contains("overridden by the command line"), "{err}");
    assert!(m.get("a.txt").is_none() && m.get("b.secret").is_some());
    fs::set_permissions(
        env.work().join(".in_totorc"),
        fs::Permissions::from_mode(0o666),
    )
    .unwrap();
    let (err, m) = materials(&[]);
    assert!(err.contains("ignored, writable by others"), "{err}");
    assert!(
        m.get("b.secret").is_some(),
        "an unsafe rcfile must not hide files"
    );
    fs::remove_file(env.work().join(".in_totorc")).unwrap();
    // Environment variables count too, and are announced.
    env.write("sub/c.txt", "c");
    let mut c = env.intoto(["run", "-n", "s", "-m", ".", "-x", "--signing-key", k]);
    c.env("HOME", env.path("home"))
        .env("IN_TOTO_ARTIFACT_BASE_PATH", "sub");
    let (rc, _, err) = run(c);
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains("ARTIFACT_BASE_PATH=sub from environment variable IN_TOTO_ARTIFACT_BASE_PATH"),
        "{err}"
    );
    let link: serde_json::Value =
        serde_json::from_slice(&fs::read(env.work().join("s.6f44242c.link")).unwrap()).unwrap();
    assert_eq!(
        link["signed"]["materials"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["c.txt"]
    );
}

#[test]
fn progress_shows_on_a_terminal_only() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping: no `script` to make a terminal");
        return;
    }
    let env = Env::new();
    let key = env.key("carl.pem");
    // Enough files to be worth a progress line; slow enough to see it.
    let blob = vec![7u8; 64 << 10];
    for i in 0..4000 {
        let p = env.work().join(format!("tree/d{}/f{i}", i % 40));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, &blob).unwrap();
    }
    let cmd = format!(
        "{} run -n p -m tree -x --signing-key {}",
        crate::common::bin().display(),
        key.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qefc", &cmd, "/dev/null"])
        .current_dir(env.work())
        .env("GNUPGHOME", &env.gnupg)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("hashing materials:") && text.contains("files"),
        "no progress on a terminal: {text:?}"
    );
    // Not a terminal: nothing.
    let (_, _, err) = run(env.intoto([
        "run",
        "-n",
        "p",
        "-m",
        "tree",
        "-x",
        "--signing-key",
        key.to_str().unwrap(),
    ]));
    assert!(!err.contains("hashing"), "{err}");
    let quiet = format!("{cmd} -q");
    let out = std::process::Command::new("script")
        .args(["-qefc", &quiet, "/dev/null"])
        .current_dir(env.work())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hashing"));
}

#[test]
fn gpg_keys_without_their_secret_or_from_keyring_files() {
    let env = Env::new();
    // A public key only: found, but it cannot sign.
    let other = crate::common::testdata().join("interop/cases/demo-gpg/keys/alice.asc");
    let st = std::process::Command::new("gpg")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--batch", "--import"])
        .arg(&other)
        .output()
        .unwrap();
    assert!(st.status.success());
    let meta: serde_json::Value = serde_json::from_slice(
        &fs::read(crate::common::testdata().join("interop/cases/demo-gpg/case.json")).unwrap(),
    )
    .unwrap();
    let fpr = meta["command"][4].as_str().unwrap().to_owned();
    fails(
        &env,
        &["run", "-n", "s", "-x", "--gpg", &fpr],
        1,
        "no secret key",
    );
    // Export from a keyring file, without a GnuPG home.
    let asc = crate::common::testdata().join("keys/carl.asc");
    let carl = env.fpr("carl");
    let mut c = env.intoto([
        "key",
        "export",
        "--gpg",
        &carl,
        "--keyring",
        asc.to_str().unwrap(),
    ]);
    c.env("GNUPGHOME", env.path("nowhere"));
    let from_file: serde_json::Value = serde_json::from_str(&expect(c, 0)).unwrap();
    let from_home: serde_json::Value =
        serde_json::from_str(&expect(env.intoto(["key", "export", "--gpg", &carl]), 0)).unwrap();
    assert_eq!(from_file, from_home);
    assert_eq!(
        from_file["subkeys"].as_object().unwrap().len(),
        1,
        "carl's signing subkey"
    );
    let with_id: serde_json::Value = serde_json::from_str(&expect(
        env.intoto(["key", "export", "--gpg", &carl, "--with-id"]),
        0,
    ))
    .unwrap();
    assert!(with_id.get(carl.to_lowercase()).is_some());
    // PEM: key id and key dict.
    let public = env.key("carl.pub");
    let id = expect(env.intoto(["key", "id", public.to_str().unwrap()]), 0);
    assert_eq!(
        id.trim(),
        "6f44242c0eb51fa9b7e0aee593da7b92a887401d2224cbda8b1e01d2c9819bb2"
    );
}
