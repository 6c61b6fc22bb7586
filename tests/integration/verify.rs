//! `intoto verify` on the command line: the `--json` report, usage errors
//! and a missing layout. What verification decides is tested next to the
//! stages (unit tests), in `interop.rs` and in `reference_layouts.rs`.

use crate::common::Env;

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
