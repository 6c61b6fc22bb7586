//! `intoto run`: the link it writes, the command's exit status passed
//! through, its usage errors, the progress line (on a terminal only), and
//! signing without a terminal (`--passphrase-file`, a preset passphrase).
//! Bad input to `run` is in `cli_bad_input.rs`, its keys in `keys.rs`.

use std::fs;
use std::process::Command;

use crate::common::{Env, bin};

#[test]
fn run_writes_the_link_named_after_step_and_key() {
    let env = Env::new();
    env.key("carl.pem");
    env.write("src/a.txt", "a\n");
    env.ok("run -n ok --signing-key carl.pem -m src -- true");
    let names = env.links();
    assert!(
        names.iter().any(|n| n.starts_with("ok.6f44242c")),
        "{names:?}"
    );
}

#[test]
fn run_passes_the_exit_status_through() {
    let env = Env::new();
    env.key("carl.pem");
    env.write("src/a.txt", "a\n");
    env.code(
        7,
        (
            "run -n bad --signing-key carl.pem --",
            ["sh", "-c", "exit 7"],
        ),
    );
    let link = env.json(env.link("bad"));
    assert_eq!(link["signed"]["byproducts"]["return-value"], 7);
}

#[test]
fn run_usage_errors_exit_2() {
    let env = Env::new();
    env.key("carl.pem");
    env.fails(2, "run -n x --signing-key carl.pem", "no command");
    // No key, and two keys.
    env.code(2, "run -n x -- true");
    env.code(2, "run -n x --signing-key carl.pem --gpg -- true");
}

#[test]
fn progress_shows_on_a_terminal_only() {
    if Command::new("script").arg("--version").output().is_err() {
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
        bin().display(),
        key.display()
    );
    let on_a_terminal = |cmd: &str| env.on_a_terminal(cmd);
    let out = on_a_terminal(&cmd);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("hashing materials:") && text.contains("files"),
        "no progress on a terminal: {text:?}"
    );
    // Not a terminal: nothing.
    let err = env.run("run -n p -m tree -x --signing-key carl.pem").stderr;
    assert!(!err.contains("hashing"), "{err}");
    // Quiet on a terminal: nothing either.
    let out = on_a_terminal(&format!("{cmd} -q"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hashing"));
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `run -m . -p .` where the command changes `f` (same size) by `script`:
/// the materials hold the old digest, the products the new one, whether
/// the product's digest is reused from the materials pass or not.
fn materials_and_products_after(prepare: &[(&str, &str)], script: &str) -> (String, String) {
    let env = Env::new();
    env.key("carl.pem");
    for (name, text) in prepare {
        env.write(name, text);
    }
    // Old enough to be past the racy window: only identity can tell.
    std::thread::sleep(std::time::Duration::from_millis(100));
    env.ok((
        "run -n s --signing-key carl.pem -m f -p f --",
        ["sh", "-c", script],
    ));
    let link = env.json(env.link("s"));
    let digest = |side: &str| {
        link["signed"][side]["f"]["sha256"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    (digest("materials"), digest("products"))
}

#[test]
fn a_product_rewritten_in_place_with_the_same_size_is_hashed_again() {
    let (m, p) = materials_and_products_after(&[("f", "old\n")], "sleep 0.05; printf 'new\\n' > f");
    assert_eq!(m, sha256(b"old\n"));
    assert_eq!(p, sha256(b"new\n"));
}

#[test]
fn a_product_replaced_by_a_rename_with_the_same_size_is_hashed_again() {
    let (m, p) = materials_and_products_after(&[("f", "old\n"), ("g", "rnm\n")], "mv g f");
    assert_eq!(m, sha256(b"old\n"));
    assert_eq!(p, sha256(b"rnm\n"));
}

#[test]
fn a_product_changed_within_the_same_clock_tick_is_hashed_again() {
    // Written and rewritten within milliseconds of the run: the racy
    // window, where equal time stamps prove nothing.
    let env = Env::new();
    env.key("carl.pem");
    env.write("f", "old\n");
    env.ok((
        "run -n s --signing-key carl.pem -m f -p f --",
        ["sh", "-c", "printf 'new\\n' > f"],
    ));
    let link = env.json(env.link("s"));
    assert_eq!(link["signed"]["materials"]["f"]["sha256"], sha256(b"old\n"));
    assert_eq!(link["signed"]["products"]["f"]["sha256"], sha256(b"new\n"));
}

#[test]
fn run_says_what_it_wrote_and_who_signed() {
    let env = Env::new();
    env.key("carl.pem");
    let out = env.ok("run -n ok --signing-key carl.pem -- true");
    assert!(
        out.stderr
            .contains("wrote ok.6f44242c.link, signed by key 6f44242c"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("(carl.pem)"), "{}", out.stderr);
    let bob = env.fprs("bob");
    let out = env.ok("run -n gpg --gpg bob@example.org -- true");
    assert!(
        out.stderr.contains(&format!(
            "signed by subkey {} of {} (Bob <bob@example.org>)",
            bob[1], bob[0]
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("warning: the Python reference"),
        "{}",
        out.stderr
    );
    let out = env.ok("run -q -n quiet --signing-key carl.pem -- true");
    assert!(!out.stderr.contains("wrote"), "{}", out.stderr);
}

/// `run --gpg pat@example.org` as in CI: no terminal (stdin /dev/null),
/// no GPG_TTY, no display.
fn headless(env: &Env, extra: &str, backend: &str) -> Command {
    let mut c = env.cmd(format!("run -n s --gpg pat@example.org -x{extra}"));
    c.env_remove("GPG_TTY")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("INTOTO_GPG_BACKEND", backend);
    c
}

#[test]
fn run_signs_without_a_terminal_with_a_passphrase_file_or_a_preset() {
    use crate::common::check;
    let env = Env::new();
    let grip = env.passphrase_key("correct horse");
    env.write("pass", "correct horse\n");
    env.write("wrong", "battery staple\n");
    env.write("empty", "\n");
    for backend in ["gpgme", "cli"] {
        env.stop_agent();
        // No way to ask: a sentence that says what to do.
        let out = check(headless(&env, "", backend), 1);
        assert!(
            out.stderr.contains("no terminal") && out.stderr.contains("--passphrase-file FILE"),
            "{backend}: {}",
            out.stderr
        );
        let out = check(headless(&env, " --passphrase-file wrong", backend), 1);
        assert!(
            out.stderr
                .contains("the passphrase from passphrase file wrong is wrong"),
            "{backend}: {}",
            out.stderr
        );
        let out = check(headless(&env, " --passphrase-file empty", backend), 1);
        assert!(out.stderr.contains("is empty"), "{}", out.stderr);
        let out = check(headless(&env, " --passphrase-file missing", backend), 1);
        assert!(
            out.stderr.contains("passphrase file missing"),
            "{}",
            out.stderr
        );
        check(headless(&env, " --passphrase-file pass", backend), 0);
        let link = env.link("s");
        fs::remove_file(&link).unwrap();
    }
    // The agent's preset: allow-preset-passphrase, then
    // gpg-preset-passphrase with the keygrip.
    let preset = std::path::Path::new("/usr/lib/gnupg/gpg-preset-passphrase");
    if !preset.exists() {
        eprintln!("skipped the preset: no {}", preset.display());
        return;
    }
    env.stop_agent();
    fs::write(
        env.gnupg.join("gpg-agent.conf"),
        "allow-preset-passphrase\n",
    )
    .unwrap();
    let launched = Command::new("gpgconf")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--launch", "gpg-agent"])
        .status()
        .unwrap();
    assert!(launched.success());
    let mut p = Command::new(preset);
    p.args(["--preset", &grip])
        .env("GNUPGHOME", &env.gnupg)
        .stdin(std::process::Stdio::piped());
    let mut child = p.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"correct horse").unwrap();
    }
    assert!(child.wait().unwrap().success());
    check(headless(&env, "", "gpgme"), 0);
    env.link("s");
}

#[test]
fn run_takes_a_pem_keys_password_from_a_file() {
    let env = Env::new();
    env.key("dan.pem"); // encrypted, password hunter2
    env.write("pass", "hunter2\n");
    env.write("wrong", "hunter3\n");
    env.fails(
        1,
        "run -n s -x --signing-key dan.pem",
        "--passphrase-file FILE",
    );
    env.fails(
        1,
        "run -n s -x --signing-key dan.pem --passphrase-file wrong",
        "wrong password",
    );
    env.ok("run -n s -x --signing-key dan.pem --passphrase-file pass");
    env.fails(
        2,
        "run -n s -x --signing-key dan.pem --passphrase-file pass -P hunter2",
        "--passphrase-file",
    );
    // The password on the command line: a warning on a terminal only.
    let out = env.ok("run -n s -x --signing-key dan.pem -P hunter2");
    assert!(!out.stderr.contains("shell history"), "{}", out.stderr);
    let out = env.on_a_terminal(&format!(
        "{} run -n s -x --signing-key dan.pem -P hunter2",
        bin().display()
    ));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("shell history"), "{text}");
}
