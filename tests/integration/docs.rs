//! The documentation is true: the checked-in man pages and completions
//! match the command-line definitions and render clean, their ENVIRONMENT
//! names what the code reads, every example in `--help` and README.md
//! runs, `scripts/demo` runs, and `scripts/install` installs pages that
//! `man` finds.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::{Env, bin, check, expect, repo, testdata};

/// The files in `dir` whose names end with one of `exts`, sorted.
fn files(dir: &Path, exts: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| exts.iter().any(|e| n.ends_with(e)))
        .collect();
    v.sort();
    v
}

const PAGES: &[&str] = &[".1", ".5", ".7", ".8"];

fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
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
        files(tmp.path(), PAGES),
        files(&man, PAGES),
        "the set of man pages changed: run scripts/gen-docs"
    );
    for f in files(tmp.path(), PAGES) {
        assert!(
            fs::read(tmp.path().join(&f)).unwrap() == fs::read(man.join(&f)).unwrap(),
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
        assert!(
            out.stdout == fs::read(man.join("completions").join(file)).unwrap(),
            "man/completions/{file} is stale: run scripts/gen-docs"
        );
    }
}

/// What a rendered page must not show: markup and roff escapes that did
/// not become formatting.
fn residue(line: &str) -> Option<&'static str> {
    if line.contains('`') {
        return Some("a backquote");
    }
    if line.contains("**") {
        return Some("**");
    }
    // `*word*` (a glob such as `*.link*` or `src/*` is not emphasis).
    let b = line.as_bytes();
    for (i, _) in line.match_indices('*') {
        let before = i.checked_sub(1).map(|j| b[j]);
        let after = b.get(i + 1);
        if before.is_none_or(|c| c == b' ' || c == b'(')
            && after.is_some_and(|c| c.is_ascii_alphabetic())
            && let Some(end) = line[i + 1..].find('*')
        {
            let inner = &line[i + 1..i + 1 + end];
            if inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
                && line[i + 2 + end..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '.' && c != '*')
            {
                return Some("*emphasis*");
            }
        }
    }
    for esc in ["\\f", "\\e", "\\-", "\\(", "\\&", "\\*"] {
        if line.contains(esc) {
            return Some("a roff escape");
        }
    }
    if line.starts_with('.') {
        return Some("a roff request");
    }
    None
}

#[test]
fn residue_is_recognised() {
    for bad in [
        "a *layout* here",
        "`intoto run`",
        "(*name*)",
        "x \\fBy",
        "**bold**",
    ] {
        assert!(residue(bad).is_some(), "{bad}");
    }
    for good in [
        "every file there except *.link* files",
        "--material 'ALLOW src/*' --product 'DISALLOW *'",
        "'*.link*' '.git' '*.pyc' '*~'",
    ] {
        assert_eq!(residue(good), None, "{good}");
    }
}

/// Every page renders with groff without a warning and, through man at
/// 80 columns, shows no markup or roff residue, no line over 80 columns,
/// and the sections a man page has.
#[test]
fn man_pages_render_clean() {
    if !have("groff") || !have("man") {
        eprintln!("skipping: groff or man is not installed (scripts/setup --tests installs them)");
        return;
    }
    let dir = repo().join("man");
    let pages = files(&dir, PAGES);
    assert!(pages.len() >= 20, "{pages:?}");
    for f in &pages {
        let path = dir.join(f);
        let out = Command::new("groff")
            .args(["-ww", "-man", "-Tutf8", "-z"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "groff warns about {f}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(&path)
            .env("MANWIDTH", "80")
            .env("MAN_KEEP_FORMATTING", "")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "man -l {f}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in text.lines() {
            if let Some(what) = residue(line) {
                panic!("{f} shows {what}: {line:?}");
            }
            assert!(
                line.chars().count() <= 80,
                "{f} has a line over 80 columns: {line:?}"
            );
        }
        let sections: Vec<&str> = text
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            .collect();
        let mut want = vec!["NAME", "DESCRIPTION", "EXAMPLES", "SEE ALSO"];
        if f.ends_with(".1") {
            want.extend(["SYNOPSIS", "OPTIONS", "EXIT STATUS"]);
        }
        if f == "intoto.1" {
            want.extend(["ENVIRONMENT", "FILES", "COMMANDS"]);
        }
        for s in want {
            assert!(
                sections.contains(&s),
                "{f} has no {s} section: {sections:?}"
            );
        }
        // whatis/apropos read the NAME line: `name - what it is`.
        let stem = f.rsplit_once('.').unwrap().0;
        assert!(
            text.contains(&format!("\n       {stem} - ")),
            "{f}: NAME is not '{stem} - ...'"
        );
    }
}

/// `--help` shows no markup either.
#[test]
fn help_shows_no_markup() {
    for cmd in [
        vec![],
        vec!["run"],
        vec!["record", "start"],
        vec!["verify"],
        vec!["sign"],
        vec!["layout", "add-step"],
        vec!["key", "export"],
        vec!["match-products"],
        vec!["verify-summary"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let out = Command::new(bin()).args(&args).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success() && text.contains("Exit status: 0 "),
            "{text}"
        );
        for line in text.lines() {
            // (A line of help may start with a dot.)
            if let Some(what) = residue(line).filter(|w| *w != "a roff request") {
                panic!("intoto {} --help shows {what}: {line:?}", cmd.join(" "));
            }
        }
    }
}

/// The environment variables the code reads by name are the ones the
/// manual documents (ENVIRONMENT of intoto(1)).
#[test]
fn environment_section_names_what_the_code_reads() {
    let mut read = BTreeSet::new();
    let mut stack = vec![repo().join("src"), repo().join("crates")];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let text = fs::read_to_string(&p).unwrap();
            for pat in ["env::var(\"", "env::var_os(\""] {
                for (i, _) in text.match_indices(pat) {
                    let rest = &text[i + pat.len()..];
                    let name = &rest[..rest.find('"').unwrap()];
                    read.insert(name.to_owned());
                }
            }
        }
    }
    // Read through their crates or built from a prefix.
    read.extend(
        [
            "SEQUOIA_CRYPTO_POLICY",
            "PGP_CERT_D",
            "XDG_DATA_HOME",
            "IN_TOTO_ARTIFACT_EXCLUDE_PATTERNS",
            "IN_TOTO_ARTIFACT_BASE_PATH",
            "TERM",
            "DISPLAY",
        ]
        .map(str::to_owned),
    );
    assert!(read.len() >= 12, "{read:?}");
    let page = fs::read_to_string(repo().join("man/intoto.1")).unwrap();
    let env = page
        .split(".SH ENVIRONMENT\n")
        .nth(1)
        .and_then(|s| s.split("\n.SH ").next())
        .expect("intoto.1 has an ENVIRONMENT section");
    let env = env.replace("\\-", "-");
    for name in &read {
        assert!(
            env.contains(name.as_str()),
            "the code reads ${name}, which intoto(1) ENVIRONMENT does not document"
        );
    }
}

/// The directory the examples of `--help` run in (see src/cli/examples.rs).
fn example_env() -> Env {
    let env = Env::new();
    for k in [
        "alice.pem",
        "alice.pub",
        "alice.asc",
        "bob.pem",
        "bob.pub",
        "carl.pem",
        "carl.pub",
    ] {
        env.key(k);
    }
    env.write(
        "src/hello.c",
        "#include <stdio.h>\nint main(void) { puts(\"hello world\"); return 0; }\n",
    );
    env
}

/// A shell in the scratch directory, with this build's intoto on PATH.
fn shell(env: &Env, script: &str) -> Command {
    let path = format!(
        "{}:{}",
        bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new("bash");
    c.args(["-euo", "pipefail", "-c", script])
        .current_dir(env.work())
        .env("PATH", &path)
        .env("GNUPGHOME", &env.gnupg)
        .env("NO_COLOR", "1")
        .env_remove("GNUPG")
        .stdin(std::process::Stdio::null());
    c
}

/// The commands of `intoto --help` (recursively), as argument lists.
fn all_commands(env: &Env) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    while let Some(cmd) = todo.pop() {
        let mut args = cmd.clone();
        args.push("--help".to_owned());
        let help = expect(env.intoto(&args), 0);
        let mut in_commands = false;
        for line in help.lines() {
            if line == "Commands:" {
                in_commands = true;
            } else if line.is_empty() {
                in_commands = false;
            } else if in_commands
                && let Some(name) = line.strip_prefix("  ").and_then(|l| l.split(' ').next())
                && name != "help"
            {
                let mut sub = cmd.clone();
                sub.push(name.to_owned());
                todo.push(sub);
            }
        }
        out.push(cmd);
    }
    out
}

/// The example commands of a `--help` text (`  $ ` starts one, a trailing
/// ` \` continues it), after checking every line of its Examples: within
/// 73 columns, and either a command or prose that introduces one.
fn help_examples(what: &str, help: &str) -> Vec<String> {
    let mut examples: Vec<String> = Vec::new();
    let mut open = false;
    let mut in_examples = false;
    for line in help.lines() {
        if line == "Examples:" {
            in_examples = true;
            continue;
        }
        if !in_examples || line.is_empty() {
            in_examples &= !line.is_empty();
            continue;
        }
        assert!(
            line.chars().count() <= 73,
            "{what}: example line over 73 columns (80 in the man page): {line}"
        );
        if let Some(cmd) = line.strip_prefix("  $ ") {
            examples.push(cmd.trim_end_matches('\\').trim().to_owned());
            open = line.ends_with('\\');
        } else if open {
            let last = examples.last_mut().unwrap();
            last.push(' ');
            last.push_str(line.trim().trim_end_matches('\\').trim());
            open = line.ends_with('\\');
        } else {
            // Prose: it introduces the commands that follow.
            assert!(
                line.starts_with("  ") && !line.trim_start().starts_with("intoto "),
                "{what}: an example that is not a `  $ ` line (so not run): {line}"
            );
        }
    }
    examples
}

/// The commands whose examples are not run, and why: they need a signed
/// archive index and rebuilders, apt's configuration for intoto, or
/// pacman's files. Each is still checked to parse (run with `--help`
/// added, which clap answers only after every flag and value before it
/// was accepted); `verify_archive.rs`, `apt_check.rs` and `pacman.rs` run
/// the commands on loopback.
const NOT_RUN: &[&str] = &["apt-check", "verify-archive", "pacman-fetch"];

/// Runs every `  $ ` line of the help examples, in the documented order,
/// in one scratch directory with the documented files; then checks that
/// no command shows an example that was neither run nor is in `NOT_RUN`.
#[test]
fn help_examples_run() {
    let env = example_env();
    let mut ran = BTreeSet::new();
    let mut runs = 0;
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
        vec!["verify-summary"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let what = format!("intoto {} --help", cmd.join(" "));
        let examples = help_examples(&what, &expect(env.intoto(&args), 0));
        assert!(!examples.is_empty(), "{what} has no runnable example");
        for ex in examples {
            let out = shell(&env, &ex).output().unwrap();
            assert!(
                out.status.success(),
                "example failed: {ex}\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            ran.insert(ex);
            runs += 1;
        }
    }
    assert!(runs >= 29, "only {runs} examples ran");

    let mut parsed = BTreeSet::new();
    for cmd in NOT_RUN {
        let what = format!("intoto {cmd} --help");
        let examples = help_examples(&what, &expect(env.intoto([cmd, "--help"]), 0));
        assert!(!examples.is_empty(), "{what} has no example");
        for ex in examples {
            assert!(
                ex.starts_with(&format!("intoto {cmd} ")),
                "{what}: an example of another command: {ex}"
            );
            let out = shell(&env, &format!("{ex} --help")).output().unwrap();
            assert!(
                out.status.success(),
                "example does not parse: {ex}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            parsed.insert(ex);
        }
    }

    let commands = all_commands(&env);
    assert!(commands.len() >= 20, "{commands:?}");
    for cmd in commands {
        let mut args = cmd.clone();
        args.push("--help".to_owned());
        let what = format!("intoto {} --help", cmd.join(" "));
        for ex in help_examples(&what, &expect(env.intoto(&args), 0)) {
            assert!(
                ran.contains(&ex) || parsed.contains(&ex),
                "{what} shows an example that is not run: {ex}"
            );
        }
    }
}

/// The ```sh blocks of README.md, in order (those marked `sh norun`
/// left out).
fn readme_blocks() -> Vec<String> {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    // None: outside a block; Some(None): in a block not run; Some(Some):
    // in a block that runs.
    let mut cur: Option<Option<String>> = None;
    for line in readme.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut cur, fence) {
            (None, Some(info)) => {
                let words: Vec<&str> = info.split_whitespace().collect();
                let runs = words.first() == Some(&"sh") && !words.contains(&"norun");
                cur = Some(runs.then(String::new));
            }
            (None, None) => {}
            (Some(b), Some(_)) => {
                if let Some(b) = b.take() {
                    blocks.push(b);
                }
                cur = None;
            }
            (Some(Some(b)), None) => {
                b.push_str(line);
                b.push('\n');
            }
            (Some(None), None) => {}
        }
    }
    assert!(cur.is_none(), "README.md has an unclosed code block");
    blocks
}

/// README.md's command blocks are one session: run in order, in a scratch
/// project (a Makefile building `app` from src/app.c, carl's PEM keys,
/// alice's and gina's exported OpenPGP keys), with the demo GnuPG home.
#[test]
fn readme_examples_run() {
    if !have("jq") || !have("make") || !have("cc") {
        eprintln!("skipping: jq, make or cc is missing (scripts/setup --tests installs them)");
        return;
    }
    let blocks = readme_blocks();
    assert!(blocks.len() >= 4, "{blocks:?}");
    let env = Env::new();
    for k in ["carl.pem", "carl.pub", "alice.asc"] {
        env.key(k);
    }
    let signing_key = [
        fs::read_to_string(testdata().join("keys/alice.asc")).unwrap(),
        fs::read_to_string(testdata().join("keys/gina.asc")).unwrap(),
    ]
    .concat();
    env.write("signing-key.asc", &signing_key);
    env.write(
        "src/app.c",
        "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
    );
    env.write("Makefile", "app: src/app.c\n\tcc -o app src/app.c\n");
    let script = blocks.join("\n");
    let out = shell(&env, &script).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "README.md's commands failed:\n{text}");
    // The session got where it says: verified, by the documented keys.
    assert!(text.contains("verified; signed by: "), "{text}");
    assert!(text.matches("verification passed").count() >= 3, "{text}");
}

/// README's first command, `scripts/demo`, plays the demo to its end (the
/// tampered package rejected).
#[test]
fn the_demo_runs() {
    let mut c = Command::new(repo().join("scripts/demo"));
    c.arg("--no-setup")
        .env("INTOTO", bin())
        .env("NO_COLOR", "1")
        .env_remove("GNUPGHOME")
        .stdin(std::process::Stdio::null());
    let out = check(c, 0);
    assert!(
        out.stdout
            .contains("Verification failed (exit 1), as it must"),
        "{}",
        out.text()
    );
}

/// `scripts/install --prefix` puts the binary, the man pages of every
/// section and the completions there, where man finds them.
#[test]
fn install_puts_binary_pages_and_completions_under_the_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("usr");
    let mut c = Command::new(repo().join("scripts/install"));
    c.arg("--bin").arg(bin()).arg("--prefix").arg(&prefix);
    let installed = check(c, 0);
    let mut c = Command::new(prefix.join("bin/intoto"));
    c.arg("--version");
    let out = check(c, 0);
    assert!(out.stdout.starts_with("intoto "), "{}", out.stdout);
    // The apt methods: symlinks to the installed binary under
    // PREFIX/lib/apt/methods, which answer as apt methods; apt does not
    // read that directory, so the settings that point it there are shown.
    for scheme in ["intoto+http", "intoto+https"] {
        let link = prefix.join("lib/apt/methods").join(scheme);
        assert_eq!(fs::read_link(&link).unwrap(), prefix.join("bin/intoto"));
        let mut c = Command::new(&link);
        c.stdin(std::process::Stdio::null());
        let out = check(c, 0);
        assert!(
            out.stdout.starts_with("100 Capabilities\n"),
            "{scheme}: {}",
            out.stdout
        );
        let setting = format!("Dir::Bin::Methods::{scheme} \"{}\";", link.display());
        assert!(installed.stderr.contains(&setting), "{}", installed.stderr);
    }
    for (sec, exts) in [("1", ".1"), ("5", ".5"), ("7", ".7")] {
        assert_eq!(
            files(&prefix.join(format!("share/man/man{sec}")), &[exts]),
            files(&repo().join("man"), &[exts])
        );
    }
    for f in [
        "share/bash-completion/completions/intoto",
        "share/zsh/site-functions/_intoto",
        "share/fish/vendor_completions.d/intoto.fish",
    ] {
        assert!(prefix.join(f).is_file(), "{f}");
    }
    let mut c = Command::new("bash");
    c.arg("-c").arg(format!(
        "source {} && complete -p intoto",
        prefix
            .join("share/bash-completion/completions/intoto")
            .display()
    ));
    let out = check(c, 0);
    assert!(out.stdout.contains("intoto"), "{}", out.stdout);
    if have("man") {
        let manpath = prefix.join("share/man");
        for (args, page) in [
            (vec!["-w", "intoto"], "man1/intoto.1"),
            (vec!["-w", "intoto-verify"], "man1/intoto-verify.1"),
            (vec!["-w", "5", "intoto-layout"], "man5/intoto-layout.5"),
            (vec!["-w", "7", "intoto-rules"], "man7/intoto-rules.7"),
            (vec!["-w", "8", "intoto-apt"], "man8/intoto-apt.8"),
        ] {
            let mut c = Command::new("man");
            c.args(&args).env("MANPATH", &manpath);
            let out = check(c, 0);
            assert_eq!(out.stdout.trim(), manpath.join(page).display().to_string());
        }
        let mut c = Command::new("man");
        c.arg("intoto")
            .env("MANPATH", &manpath)
            .env("MANWIDTH", "80");
        assert!(check(c, 0).stdout.contains("EXIT STATUS"));
    }
    // DESTDIR stages the same tree below it.
    let stage = tmp.path().join("stage");
    let mut c = Command::new(repo().join("scripts/install"));
    c.arg("--bin")
        .arg(bin())
        .args(["--prefix", "/opt/intoto"])
        .env("DESTDIR", &stage);
    check(c, 0);
    assert!(stage.join("opt/intoto/bin/intoto").is_file());
    assert!(
        stage
            .join("opt/intoto/share/man/man7/intoto-rules.7")
            .is_file()
    );
    assert_eq!(
        fs::read_link(stage.join("opt/intoto/lib/apt/methods/intoto+https")).unwrap(),
        Path::new("/opt/intoto/bin/intoto")
    );
    // --apt-methods puts the links where apt looks (staged here), and then
    // apt needs no setting; --no-apt-methods leaves them out.
    let stage = tmp.path().join("stage2");
    let mut c = Command::new(repo().join("scripts/install"));
    c.arg("--bin")
        .arg(bin())
        .args([
            "--prefix",
            "/opt/intoto",
            "--apt-methods",
            "/usr/lib/apt/methods",
        ])
        .env("DESTDIR", &stage);
    let out = check(c, 0);
    for scheme in ["intoto+http", "intoto+https"] {
        assert_eq!(
            fs::read_link(stage.join("usr/lib/apt/methods").join(scheme)).unwrap(),
            Path::new("/opt/intoto/bin/intoto")
        );
    }
    assert!(!stage.join("opt/intoto/lib").exists());
    assert!(!out.stderr.contains("Dir::Bin::Methods"), "{}", out.stderr);
    let stage = tmp.path().join("stage3");
    let mut c = Command::new(repo().join("scripts/install"));
    c.arg("--bin")
        .arg(bin())
        .args(["--prefix", "/opt/intoto", "--no-apt-methods"])
        .env("DESTDIR", &stage);
    check(c, 0);
    assert!(stage.join("opt/intoto/bin/intoto").is_file());
    assert!(!stage.join("opt/intoto/lib").exists());
    // A relative prefix is a usage error.
    let mut c = Command::new(repo().join("scripts/install"));
    c.arg("--bin").arg(bin()).args(["--prefix", "usr"]);
    check(c, 2);
}

/// The example apt configuration the package ships is one apt reads, with
/// the settings the method takes.
#[test]
fn example_apt_configuration_parses() {
    if !have("apt-config") {
        eprintln!("skipping: apt-config is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut c = Command::new("apt-config");
    c.arg("dump")
        .env("APT_CONFIG", repo().join("docs/examples/apt.conf.d-intoto"))
        .current_dir(tmp.path());
    let out = check(c, 0);
    for line in [
        "APT::Intoto::Layout \"/etc/intoto/root.layout\";",
        "APT::Intoto::Rebuilders:: \"rebuilderd:https://reproduce.example.org\";",
        "APT::Intoto::Keyring \"/etc/intoto/layout-owners.gpg\";",
        "APT::Intoto::NoFail \"false\";",
    ] {
        assert!(
            out.stdout.lines().any(|l| l == line),
            "{line}: {}",
            out.stdout
        );
    }
}
