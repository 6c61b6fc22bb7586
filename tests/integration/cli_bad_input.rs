//! Bad input to the commands: artifacts that cannot be recorded, places
//! that cannot be written, metadata that is not what it claims. Each is
//! one clear line with the right exit status, never a panic, and nothing
//! half-written. Keys that cannot sign are in `keys.rs`.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;

use crate::common::{Env, is_root};

/// Recording src/ with carl's key and no command.
const RECORD_SRC: &str = "run -n m --signing-key carl.pem -m src -x";

#[test]
fn bad_recording_input_is_a_clear_error_and_writes_nothing() {
    let env = Env::new();
    env.key("carl.pem");
    env.write("src/a.txt", "a\n");
    let src = env.work().join("src");
    env.fails(
        1,
        "run -n m --signing-key carl.pem -m nope -x",
        "nope: no such file",
    );

    std::os::unix::fs::symlink("gone", src.join("dangling")).unwrap();
    env.fails(1, RECORD_SRC, "src/dangling: dangling symlink");
    fs::remove_file(src.join("dangling")).unwrap();

    std::os::unix::fs::symlink("..", src.join("up")).unwrap();
    env.fails(1, RECORD_SRC, "symlink loop");
    fs::remove_file(src.join("up")).unwrap();

    let bad = env.work().join(OsStr::from_bytes(b"src/\xff.txt"));
    fs::write(&bad, "x").unwrap();
    env.fails(1, RECORD_SRC, "not valid UTF-8");
    fs::remove_file(&bad).unwrap();

    let secret = src.join("secret");
    fs::write(&secret, "x").unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    if is_root() {
        // root reads anything; make it a FIFO instead.
        fs::remove_file(&secret).unwrap();
        let p = std::ffi::CString::new(secret.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string; mkfifo has no other preconditions.
        assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o644) }, 0);
        env.fails(1, RECORD_SRC, "src/secret: cannot record a FIFO");
    } else {
        env.fails(1, RECORD_SRC, "src/secret");
    }
    fs::remove_file(&secret).unwrap();

    env.fails(
        1,
        "run -n m --signing-key carl.pem -x -d no-such-dir",
        "no-such-dir",
    );
    env.fails(
        1,
        "run -n m --signing-key carl.pem -- intoto-no-such-command",
        "'intoto-no-such-command' not found",
    );
    assert!(
        env.links().is_empty(),
        "no link may be left behind: {:?}",
        env.links()
    );
}

#[test]
fn unwritable_metadata_directory_is_reported() {
    let env = Env::new();
    env.key("carl.pem");
    // /proc: a directory not even root (which CI runs as) can create
    // files in. A 0555 directory stops everyone else.
    env.fails(
        1,
        "run -n s -x --signing-key carl.pem -d /proc",
        "cannot write",
    );
    if is_root() {
        return;
    }
    fs::create_dir(env.work().join("ro")).unwrap();
    fs::set_permissions(env.work().join("ro"), fs::Permissions::from_mode(0o555)).unwrap();
    env.fails(
        1,
        "run -n s -x --signing-key carl.pem -d ro",
        "cannot write",
    );
}

#[test]
fn hostile_metadata_fails_closed() {
    let env = Env::new();
    env.signed_demo_layout(&[]);
    let verify =
        |layout: &str| env.run(format!("verify -l {layout} --verification-keys alice.pub"));
    env.ok("verify -l root.layout --verification-keys alice.pub");
    let good = fs::read_to_string(env.work().join("root.layout")).unwrap();
    let readme = |to: &str| good.replacen("\"readme\": \"\"", to, 1);
    let expires = |to: &str| good.replacen("2099-01-01T00:00:00Z", to, 1);
    let cases: Vec<(&str, String)> = vec![
        (
            "duplicate key",
            readme("\"readme\": \"\",\n  \"readme\": \"x\""),
        ),
        ("byte-order mark", format!("\u{feff}{good}")),
        ("trailing", format!("{good} {{}}")),
        ("NaN", readme("\"readme\": NaN")),
        ("escape", readme("\"readme\": \"\\q\"")),
        ("surrogate", readme("\"readme\": \"\\ud800\"")),
        ("expires", expires("2099-02-30T00:00:00Z")),
        ("expires", expires("2099-01-01")),
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
        let out = verify("bad.layout");
        let err = &out.stderr;
        assert_eq!(out.code, 1, "{what}: {err}");
        assert!(
            err.contains("bad.layout") && !err.contains("panicked"),
            "{what}: {err}"
        );
    }
    let mut nonutf8 = good.clone().into_bytes();
    let i = good.find("\"readme\": \"").unwrap() + 11;
    nonutf8.insert(i, 0xff);
    fs::write(env.work().join("bad.layout"), &nonutf8).unwrap();
    env.code(1, "verify -l bad.layout --verification-keys alice.pub");
}

#[test]
fn hostile_layout_fields_are_rejected() {
    let env = Env::new();
    let bob_id = env.demo_layout(&["build"]);
    let good = fs::read_to_string(env.work().join("root.layout")).unwrap();
    let other_id = "a".repeat(64);
    let threshold = |to: &str| good.replace("\"threshold\": 1", to);
    let cases: Vec<(&str, String)> = vec![
        ("threshold 0", threshold("\"threshold\": 0")),
        ("threshold string", threshold("\"threshold\": \"1\"")),
        ("threshold float", threshold("\"threshold\": 1.0")),
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
        // Signing must refuse it too (it is not valid metadata), with the
        // same status as verify.
        let out = env.run("sign -f bad.layout -k alice.pem");
        assert_eq!(out.code, 1, "{what}: {}", out.stderr);
        assert!(out.stderr.contains("bad.layout"), "{what}: {}", out.stderr);
        let out = env.run("verify -l bad.layout --verification-keys alice.pub");
        assert_eq!(out.code, 1, "{what}: {}", out.stderr);
    }
}
