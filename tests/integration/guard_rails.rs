//! Where users stall or lose work: co-signing that says what it drops or
//! adds, the password flag a command really has, hints when verification
//! fails (placeholders without `--param`, a failed inspection's stderr, the
//! keys that did sign), one exit status table for every command, and
//! verify's progress line while an inspection records a large tree. Those
//! of the layout editing subcommands (past expiry dates, removals that
//! would break the layout) are in `layout.rs`.

use std::fs;
use std::process::Command;

use crate::common::{Env, bin};

pub(crate) fn keyid(env: &Env, key: &str) -> String {
    env.ok(format!("key id {key}")).stdout.trim().to_owned()
}

fn signatures(env: &Env, file: &str) -> Vec<String> {
    env.json(file)["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["keyid"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) fn bytes(env: &Env, file: &str) -> Vec<u8> {
    fs::read(env.work().join(file)).unwrap()
}

#[test]
fn signing_without_append_names_the_signatures_it_drops() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    for k in ["bob.pem", "carl.pem"] {
        env.key(k);
    }
    let (alice, bob) = (keyid(&env, "alice.pub"), keyid(&env, "bob.pub"));
    // Re-signing with the key that signed replaces its own signature:
    // nothing is lost, nothing to say.
    let out = env.ok("sign -f root.layout -k alice.pem");
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    env.ok("sign -f root.layout -a -k bob.pem --signed-by alice.pub");
    // Carl without -a drops alice's and bob's: both are named, and how to
    // keep them.
    let out = env.ok("sign -f root.layout -k carl.pem");
    let warning = out
        .stderr
        .lines()
        .find(|l| l.starts_with("intoto: warning:"))
        .unwrap_or_else(|| panic!("no warning: {}", out.stderr));
    assert!(
        warning.contains(&alice) && warning.contains(&bob) && warning.contains("-a/--append"),
        "{warning}"
    );
    assert_eq!(signatures(&env, "root.layout"), [keyid(&env, "carl.pem")]);
}

#[test]
fn append_on_an_unsigned_layout_says_it_adds_the_first() {
    let env = Env::new();
    env.demo_layout(&["build"]);
    let out = env.ok("sign -f root.layout -a -k alice.pem");
    assert!(
        out.stderr
            .contains("root.layout carries no signature yet: --append adds the first"),
        "{}",
        out.stderr
    );
    assert_eq!(signatures(&env, "root.layout"), [keyid(&env, "alice.pub")]);
    // On a signed layout it says nothing of the kind.
    env.key("bob.pem");
    let out = env.ok("sign -f root.layout -a -k bob.pem --signed-by alice.pub");
    assert!(!out.stderr.contains("no signature yet"), "{}", out.stderr);
    assert_eq!(signatures(&env, "root.layout").len(), 2);
}

#[test]
fn a_signed_by_key_that_matches_no_signature_is_an_error() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    env.key("bob.pem");
    env.key("carl.pub");
    let alice = keyid(&env, "alice.pub");
    let before = bytes(&env, "root.layout");
    let out = env.fails(
        1,
        "sign -f root.layout -a -k bob.pem --signed-by carl.pub",
        "--signed-by carl.pub",
    );
    assert!(
        out.stderr.contains(&keyid(&env, "carl.pub")) && out.stderr.contains(&alice),
        "names carl's key and the key that did sign: {}",
        out.stderr
    );
    assert_eq!(bytes(&env, "root.layout"), before, "nothing written");
    // One good and one wrong file: still refused.
    env.fails(
        1,
        "sign -f root.layout -a -k bob.pem --signed-by alice.pub carl.pub",
        "--signed-by carl.pub",
    );
    assert_eq!(bytes(&env, "root.layout"), before);
    // --signed-by without --append has nothing to check: a usage error.
    env.fails(
        2,
        "sign -f root.layout -k bob.pem --signed-by alice.pub",
        "--signed-by is for --append",
    );
    assert_eq!(bytes(&env, "root.layout"), before);
    env.ok("sign -f root.layout -a -k bob.pem --signed-by alice.pub");
}

#[test]
fn the_password_hint_names_the_flag_the_command_has() {
    let env = Env::new();
    env.demo_layout(&[]);
    env.key("dan.pem"); // encrypted
    let out = env.fails(1, "sign -f root.layout -k dan.pem", "encrypted");
    assert!(
        out.stderr.contains("-p/--prompt") && !out.stderr.contains("-P"),
        "sign has -p/--prompt: {}",
        out.stderr
    );
    let out = env.fails(1, "run -n s --signing-key dan.pem -x", "encrypted");
    assert!(out.stderr.contains("-P/--password"), "{}", out.stderr);
    // The flag named works (no terminal: -p cannot ask, run's -P takes
    // the password).
    env.ok("run -n s --signing-key dan.pem -x -P hunter2");
}

/// A signed layout with one step by bob whose product rule is `rule`, and
/// bob's link for it (he made `hello`).
fn layout_with_product_rule(env: &Env, rule: &str) {
    env.key("bob.pem");
    env.demo_layout(&[]);
    let bob = env.ok("layout add-key root.layout --key bob.pub").stdout;
    let bob = bob.trim();
    env.ok((
        format!("layout add-step root.layout --name build --functionary {bob} --product"),
        [rule],
        ["--product", "DISALLOW *"],
    ));
    env.ok("sign -f root.layout -k alice.pem");
    env.write("hello", "hi\n");
    env.ok("run -n build --signing-key bob.pem -p hello -x");
}

#[test]
fn placeholders_without_param_are_named() {
    let env = Env::new();
    layout_with_product_rule(&env, "CREATE {NAME}");
    let out = env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "DISALLOW",
    );
    assert!(
        out.stderr.lines().any(|l| l.starts_with("intoto: warning:")
            && l.contains("{NAME}")
            && l.contains("--param NAME=VALUE")),
        "{}",
        out.stderr
    );
    // In the --json report's warnings too.
    let report = env
        .code(
            1,
            "verify -l root.layout --verification-keys alice.pub --json",
        )
        .json();
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("--param NAME=VALUE")),
        "{report}"
    );
    // Given, it verifies and says nothing about parameters.
    let out = env.ok("verify -l root.layout --verification-keys alice.pub --param NAME=hello");
    assert!(!out.stderr.contains("--param"), "{}", out.stderr);
}

#[test]
fn literal_braces_are_not_placeholders() {
    let env = Env::new();
    layout_with_product_rule(&env, "CREATE {{hello}}");
    let out = env.code(1, "verify -l root.layout --verification-keys alice.pub");
    assert!(!out.stderr.contains("--param"), "{}", out.stderr);
}

#[test]
fn a_failed_inspection_shows_the_end_of_its_stderr() {
    let env = Env::new();
    env.demo_layout(&[]);
    // Eight lines, the last with an escape sequence; then exit 3.
    let script = "for i in 1 2 3 4 5 6 7; do echo \"line $i\" >&2; done; \
                  printf \"last \\033[2J\\n\" >&2; echo out; exit 3";
    env.ok((
        "layout add-inspection root.layout --name check --run",
        [format!("sh -c '{script}'").as_str()],
    ));
    env.ok("sign -f root.layout -k alice.pem");
    let out = env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "inspection 'check'",
    );
    let err = &out.stderr;
    assert!(
        err.contains("stderr of inspection 'check' (last 5 lines):"),
        "{err}"
    );
    for shown in ["  | line 4", "  | line 7", "  | last \\x1b[2J"] {
        assert!(err.contains(shown), "{shown:?} missing: {err}");
    }
    assert!(!err.contains("line 3") && !err.contains('\x1b'), "{err}");
    assert!(!err.contains("| out"), "stdout is not shown: {err}");
    // Shown with -q too: it is part of the error.
    let quiet = env.code(1, "verify -l root.layout --verification-keys alice.pub -q");
    assert!(quiet.stderr.contains("  | line 7"), "{}", quiet.stderr);
    // In the report, exact.
    let report = env
        .code(
            1,
            "verify -l root.layout --verification-keys alice.pub --json",
        )
        .json();
    assert_eq!(
        report["failure"]["stderr_tail"],
        serde_json::json!(["line 4", "line 5", "line 6", "line 7", "last \u{1b}[2J"])
    );
    // An inspection that fails silently shows no tail.
    let env = Env::new();
    env.demo_layout(&[]);
    env.ok("layout add-inspection root.layout --name quiet --run false");
    env.ok("sign -f root.layout -k alice.pem");
    let out = env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "exited with 1",
    );
    assert!(!out.stderr.contains("stderr of"), "{}", out.stderr);
}

#[test]
fn a_wrong_key_says_which_keys_did_sign() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    let alice = keyid(&env, "alice.pub");
    let out = env.fails(
        1,
        "verify -l root.layout --verification-keys bob.pub",
        "layout signatures",
    );
    assert!(
        out.stderr.contains(&format!("signed by key {alice}")),
        "{}",
        out.stderr
    );
    let out = env.fails(
        1,
        "sign -f root.layout --verify -k bob.pub",
        "signature verification failed",
    );
    assert!(
        out.stderr.contains(&format!("it is signed by key {alice}")),
        "{}",
        out.stderr
    );
}

#[test]
fn sign_and_verify_share_one_exit_status_table() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    env.key("dan.pem");
    // 1: a check failed.
    env.fails(1, "sign -f root.layout --verify -k bob.pub", "bob");
    env.fails(
        1,
        "verify -l root.layout --verification-keys bob.pub",
        "bob",
    );
    // 1: an input is missing or invalid.
    env.fails(1, "sign -f missing.layout -k alice.pem", "missing.layout");
    env.fails(
        1,
        "verify -l missing.layout --verification-keys alice.pub",
        "missing.layout",
    );
    env.write("junk.layout", "{ not json");
    env.fails(1, "sign -f junk.layout -k alice.pem", "junk.layout");
    env.fails(
        1,
        "verify -l junk.layout --verification-keys alice.pub",
        "junk.layout",
    );
    // 1: a key cannot be found or used.
    env.fails(1, "sign -f root.layout -k nope.pem", "nope.pem");
    env.fails(
        1,
        "verify -l root.layout --verification-keys nope.pub",
        "nope.pub",
    );
    env.fails(1, "sign -f root.layout -k dan.pem", "encrypted");
    // 2: the command line itself is wrong.
    env.fails(2, "sign -f root.layout", "--key");
    env.fails(2, "verify -l root.layout", "at least one layout key");
    env.code(2, "sign -f root.layout -k alice.pem --no-such-flag");
    env.code(2, "verify -l root.layout --no-such-flag");
    // The help of every command (and so its man page) ends with the same
    // table: what 0 means differs, 1 and 2 do not.
    let table = |cmd: &str| {
        let help = env.ok(cmd).stdout;
        let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
        let at = flat
            .find("Exit status: 0 ")
            .unwrap_or_else(|| panic!("intoto {cmd} has no exit status: {help}"));
        let from_1 = flat[at..]
            .find("; 1 ")
            .unwrap_or_else(|| panic!("intoto {cmd}: no status 1: {help}"));
        flat[at + from_1..].to_owned()
    };
    let sign = table("sign --help");
    assert!(
        sign.starts_with("; 1 a check failed (a signature")
            && sign.contains("or the command could not be carried out (a file missing or invalid, a key not found")
            && sign.contains("; 2 a usage error: the command line itself is wrong"),
        "{sign}"
    );
    for cmd in [
        "--help",
        "verify --help",
        "layout set-expires --help",
        "key id --help",
    ] {
        let t = table(cmd);
        assert!(
            t.starts_with(&sign[..sign.find('.').unwrap()]),
            "intoto {cmd}: {t}"
        );
    }
}

#[test]
fn verify_shows_progress_while_an_inspection_records_a_large_tree() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipping: no `script` to make a terminal");
        return;
    }
    let env = Env::new();
    env.demo_layout(&[]);
    env.ok("layout add-inspection root.layout --name scan --run true");
    env.ok("sign -f root.layout -k alice.pem");
    // Enough files to be worth a progress line; slow enough to see it.
    let blob = vec![7u8; 64 << 10];
    for i in 0..4000 {
        let p = env.work().join(format!("tree/d{}/f{i}", i % 40));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, &blob).unwrap();
    }
    let cmd = format!(
        "{} verify -l root.layout --verification-keys alice.pub",
        bin().display()
    );
    let on_a_terminal = |cmd: &str| env.on_a_terminal(cmd);
    let out = on_a_terminal(&cmd);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("hashing materials of inspection 'scan':") && text.contains("files"),
        "no progress on a terminal: {text:?}"
    );
    assert!(text.contains("verification passed"), "{text:?}");
    // Not a terminal: nothing.
    let err = env
        .ok("verify -l root.layout --verification-keys alice.pub")
        .stderr;
    assert!(!err.contains("hashing"), "{err}");
    // Quiet on a terminal: nothing either.
    let out = on_a_terminal(&format!("{cmd} -q"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hashing"));
}
