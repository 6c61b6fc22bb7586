//! `intoto run`: the link it writes, the command's exit status passed
//! through, its usage errors, and the progress line (on a terminal only).
//! Bad input to `run` is in `cli_bad_input.rs`, its keys in `cli_keys.rs`.

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
    // `script` gives the command a terminal.
    let on_a_terminal = |cmd: &str| {
        Command::new("script")
            .args(["-qefc", cmd, "/dev/null"])
            .current_dir(env.work())
            .env("GNUPGHOME", &env.gnupg)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
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
