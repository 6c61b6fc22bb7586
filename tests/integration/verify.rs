//! `intoto verify` on the command line: the `--json` report, usage errors
//! and a missing layout. What verification decides is tested next to the
//! stages (unit tests), in `interop.rs` and in `reference_layouts.rs`.

use std::fs;

use crate::common::{Env, check};

#[test]
fn verify_json_report_names_the_stage() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    let out = env.code(
        1,
        "verify -l root.layout --verification-keys alice.pub --json",
    );
    let v = out.json();
    assert_eq!(v["result"], "failed");
    assert_eq!(v["failure"]["stage"], "link-loading");
    assert_eq!(v["failure"]["step"], "build");
    assert_eq!(v["failure"]["kind"], "too-few-links");
    assert_eq!(v["failure"]["needed"], 1);
    assert_eq!(v["failure"]["found"], 0);
    assert_eq!(v["failure"]["looked_for"].as_array().map(Vec::len), Some(1));
}

#[test]
fn verify_usage_errors_exit_2() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    env.fails(2, "verify -l root.layout", "at least one layout key");
    env.fails(
        2,
        "verify -l root.layout --verification-keys alice.pub --param nope",
        "KEY=VALUE",
    );
}

#[test]
fn verify_names_a_missing_layout() {
    let env = Env::new();
    env.key("alice.pub");
    env.fails(
        1,
        "verify -l missing.layout --verification-keys alice.pub",
        "missing.layout",
    );
}

/// m of n owners: the failure lists who signed and who did not, and how
/// many are needed, without suggesting fewer.
#[test]
fn too_few_owner_signatures_list_who_signed_and_who_did_not() {
    let env = Env::new();
    for k in ["alice.pem", "alice.pub", "bob.pub", "carl.pub"] {
        env.key(k);
    }
    env.ok("layout new root.layout --expires 2099-12-31");
    env.ok("sign -f root.layout -k alice.pem");
    let out = env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub bob.pub carl.pub --signatures 2",
        "needs valid signatures by 2 of the 3 keys given, found 1: signed: ",
    );
    let e = &out.stderr;
    assert!(
        e.contains("(alice.pub); not signed: ")
            && e.contains("(bob.pub): no signature")
            && e.contains("(carl.pub): no signature")
            && !e.contains("--signatures"),
        "{e}"
    );
}

/// A PEM key named beside a keyring must sign; the keyring alone still
/// needs one of its keys, not all.
#[test]
fn a_keyring_beside_a_named_key_still_needs_one_of_its_keys() {
    let env = Env::new();
    env.key("bob.pem");
    env.key("bob.pub");
    env.ok("layout new root.layout --expires 2099-12-31");
    crate::packager::keyring(&env, "owners.asc", &["alice", "carl"]);
    let alice = env.fpr("alice");
    env.ok(format!("sign -f root.layout --gpg {alice}"));
    env.ok("sign -f root.layout -a -k bob.pem");
    env.ok("verify -l root.layout --keyring owners.asc --verification-keys bob.pub");
    env.ok("verify -l root.layout --keyring owners.asc --verification-keys bob.pub --signatures 2");
    env.fails(
        1,
        "verify -l root.layout --keyring owners.asc --verification-keys bob.pub --signatures 3",
        "needs valid signatures by 3 of the 3 keys given, found 2",
    );
}

#[test]
fn verify_names_links_signed_by_keys_the_step_does_not_authorise() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    // After a rotation: carl signed, the step still names bob.
    env.key("carl.pem");
    env.ok("run -n build --signing-key carl.pem -- true");
    let out = env.code(1, "verify -l root.layout --verification-keys alice.pub");
    assert!(
        out.stderr
            .contains("found build.6f44242c.link, signed by a key this step does not authorise"),
        "{}",
        out.stderr
    );
    let v = env
        .code(
            1,
            "verify -l root.layout --verification-keys alice.pub --json",
        )
        .json();
    assert_eq!(v["failure"]["kind"], "too-few-links");
    assert_eq!(v["failure"]["unauthorised"][0], "build.6f44242c.link");
}

/// root.layout signed by rita's Ed25519 signing subkey; her public key
/// exported to rita.asc. Returns rita's primary and subkey fingerprints.
fn signed_by_rita(env: &Env, sub_expires: &str) -> (String, String) {
    let (primary, sub) = env.subkey_owner("rita", "never", sub_expires);
    env.ok("layout new root.layout --expires 2099-01-01");
    env.ok("sign -f root.layout --gpg rita@example.org");
    env.gpg(&["--armor", "--output", "rita.asc", "--export", &primary]);
    (primary, sub)
}

#[test]
fn verify_with_a_keyring_alone_says_the_owner_key_was_revoked() {
    let env = Env::new();
    let (primary, _) = signed_by_rita(&env, "never");
    // gpg's own revocation certificate, imported: a hard revocation.
    let rev = fs::read_to_string(env.gnupg.join(format!("openpgp-revocs.d/{primary}.rev")))
        .unwrap()
        .replace(":-----BEGIN", "-----BEGIN");
    fs::write(env.work().join("rita.rev"), rev).unwrap();
    env.gpg(&["--import", "rita.rev"]);
    env.gpg(&["--armor", "--output", "revoked.asc", "--export", &primary]);
    let out = env.fails(
        1,
        "verify -l root.layout --keyring revoked.asc",
        "was revoked",
    );
    assert!(
        out.stderr
            .contains(&format!("{primary} (Rita <rita@example.org>) was revoked")),
        "{}",
        out.stderr
    );
    let v = env
        .code(1, "verify -l root.layout --keyring revoked.asc --json")
        .json();
    let msg = v["failure"]["message"].as_str().unwrap();
    assert!(msg.contains("was revoked"), "{msg}");
}

#[test]
fn verify_names_the_gpg_command_that_extends_an_expired_subkey() {
    let env = Env::new();
    let (primary, sub) = signed_by_rita(&env, "1y");
    let fix = format!("gpg --quick-set-expire {primary} 2y {sub}");
    for keys in ["--keyring rita.asc", "--gpg rita@example.org"] {
        let out = env.fails(
            1,
            format!("verify -l root.layout {keys} --time 2035-01-01"),
            "expired on",
        );
        assert!(out.stderr.contains(&fix), "{keys}: {}", out.stderr);
    }
    let v = env
        .code(
            1,
            "verify -l root.layout --keyring rita.asc --time 2035-01-01 --json",
        )
        .json();
    let msg = v["failure"]["message"].as_str().unwrap();
    assert!(msg.contains(&fix), "{msg}");
}

#[test]
fn verify_takes_a_user_id_and_says_where_else_to_find_keys() {
    let env = Env::new();
    env.ok("layout new root.layout --expires 2099-01-01");
    env.ok("sign -f root.layout --gpg alice@example.org");
    env.ok("verify -l root.layout --gpg alice@example.org");
    env.ok("verify -l root.layout --gpg Alice");
    env.fails(
        1,
        "verify -l root.layout --gpg nobody@example.org",
        "gpg --import",
    );
    // No gpg at all: say so, and name --keyring.
    let empty = env.path("empty-bin");
    fs::create_dir_all(&empty).unwrap();
    let mut c = env.cmd("verify -l root.layout --gpg alice@example.org");
    c.env("PATH", &empty);
    let out = check(c, 1);
    assert!(
        out.stderr.contains("GnuPG is not available") && out.stderr.contains("--keyring"),
        "{}",
        out.stderr
    );
    // No GnuPG home: the same.
    let mut c = env.cmd("verify -l root.layout --gpg alice@example.org");
    c.env("GNUPGHOME", env.path("nowhere"));
    let out = check(c, 1);
    assert!(
        out.stderr.contains("GnuPG is not set up") && out.stderr.contains("--keyring"),
        "{}",
        out.stderr
    );
}

#[test]
fn verify_says_who_signed_the_layout() {
    let env = Env::new();
    env.ok("layout new root.layout --expires 2099-01-01");
    env.ok("sign -f root.layout --gpg alice@example.org");
    let asc = crate::common::testdata().join("keys/alice.asc");
    let out = env.ok(format!("verify -l root.layout --keyring {}", asc.display()));
    let alice = env.fpr("alice").to_lowercase();
    assert!(
        out.stderr.contains(&format!(
            "layout signed by {alice} Alice <alice@example.org> (keyring"
        )),
        "{}",
        out.stderr
    );
    let v = env
        .ok(format!(
            "verify -l root.layout --keyring {} --json",
            asc.display()
        ))
        .json();
    assert_eq!(v["signers"][0]["user_id"], "Alice <alice@example.org>");
}
