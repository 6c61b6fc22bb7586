//! The checked-in man pages and completions must match the command-line
//! definitions, and every example in `--help` must run.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::{Env, bin, expect, repo};

fn files(dir: &Path, ext: &str) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ext))
        .collect();
    v.sort();
    v
}

#[test]
fn man_pages_and_completions_are_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let st = Command::new(bin())
        .args(["generate", "man"])
        .arg(tmp.path())
        .status()
        .unwrap();
    assert!(st.success());
    let man = repo().join("man");
    assert_eq!(
        files(tmp.path(), ".1"),
        files(&man, ".1"),
        "the set of man pages changed: run scripts/gen-docs"
    );
    for f in files(tmp.path(), ".1") {
        assert_eq!(
            fs::read(tmp.path().join(&f)).unwrap(),
            fs::read(man.join(&f)).unwrap(),
            "man/{f} is stale: run scripts/gen-docs"
        );
    }
    for (shell, file) in [
        ("bash", "intoto.bash"),
        ("zsh", "_intoto"),
        ("fish", "intoto.fish"),
    ] {
        let out = Command::new(bin())
            .args(["generate", "completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(
            out.stdout,
            fs::read(man.join("completions").join(file)).unwrap(),
            "man/completions/{file} is stale: run scripts/gen-docs"
        );
    }
}

#[test]
fn man_pages_render() {
    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("skipping: no man program");
        return;
    }
    for f in files(&repo().join("man"), ".1") {
        let out = Command::new("man")
            .arg("-l")
            .arg(repo().join("man").join(&f))
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("NAME"), "{f}");
    }
}

/// Runs every `  $ ` line of the help examples, in the documented order,
/// in one scratch directory with the documented files.
#[test]
fn help_examples_run() {
    let env = Env::new();
    for k in ["alice.pem", "alice.pub", "bob.pem", "bob.pub"] {
        env.key(k);
    }
    env.write(
        "src/hello.c",
        "#include <stdio.h>\nint main(void) { puts(\"hello world\"); return 0; }\n",
    );
    let path = format!(
        "{}:{}",
        bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for cmd in [
        vec![],
        vec!["layout"],
        vec!["sign"],
        vec!["run"],
        vec!["match-products"],
        vec!["record"],
        vec!["mock"],
        vec!["key"],
        vec!["verify"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let help = expect(env.intoto(&args), 0);
        // `  $ ` starts a command; a trailing ` \` continues it.
        let mut examples: Vec<String> = Vec::new();
        let mut open = false;
        for line in help.lines() {
            if line.starts_with("  $ ") || open {
                assert!(
                    line.chars().count() <= 80,
                    "example line over 80 columns: {line}"
                );
            }
            if let Some(cmd) = line.strip_prefix("  $ ") {
                examples.push(cmd.trim_end_matches('\\').trim().to_owned());
                open = line.ends_with('\\');
            } else if open {
                let last = examples.last_mut().unwrap();
                last.push(' ');
                last.push_str(line.trim().trim_end_matches('\\').trim());
                open = line.ends_with('\\');
            }
        }
        assert!(
            !examples.is_empty(),
            "intoto {} --help has no runnable example",
            cmd.join(" ")
        );
        for ex in examples {
            let mut c = Command::new("sh");
            c.args(["-c", ex.as_str()])
                .current_dir(env.work())
                .env("PATH", &path)
                .env("GNUPGHOME", &env.gnupg)
                .env("NO_COLOR", "1");
            let out = c.output().unwrap();
            assert!(
                out.status.success(),
                "example failed: {ex}\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 20, "only {ran} examples ran");
}
