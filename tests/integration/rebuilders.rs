//! Real rebuilder links (rebuilderd's attestations from reproduce.debian.net,
//! in `testdata/thirdparty/rebuilderd-*`): the legacy key id they are
//! signed under (`key export|id --legacy-keyid`, `layout add-key
//! --legacy-keyid`), a layout written with the command line that verifies
//! the real `.deb`, `match-products` over their `{sha256, sha512}`
//! digests, and their `"environment": null` kept through re-signing.

use std::fs;

use crate::common::{Env, testdata};

const DEB: &str = "librust-as-slice-dev_0.2.1-1+b2_amd64.deb";
const KEY: &str = "reproduce-debian-net-amd64.pub";
const LEGACY_ID: &str = "2980aa6249ad89ce0ef0f0f5e6d0896214301b2818aad33443444cf460df6ed6";
const DEFAULT_ID: &str = "41fd42b5b76ee2dc0e70a7d0eb0a8274c5116f53e9f37a3108ca70ca9b47837e";
const LINK: &str = "rebuild.2980aa62.link";

/// The case's key, link and `.deb` in the working directory (the `.deb`
/// under `final/`).
fn rebuilderd_files(env: &Env) {
    let case = testdata().join("thirdparty/rebuilderd-debian-deb");
    fs::copy(case.join("keys").join(KEY), env.work().join(KEY)).unwrap();
    fs::create_dir_all(env.work().join("links")).unwrap();
    fs::copy(
        case.join("links").join(LINK),
        env.work().join("links").join(LINK),
    )
    .unwrap();
    fs::create_dir_all(env.work().join("final")).unwrap();
    fs::copy(
        case.join("final").join(DEB),
        env.work().join("final").join(DEB),
    )
    .unwrap();
}

fn tamper(env: &Env) {
    let p = env.work().join("final").join(DEB);
    let mut b = fs::read(&p).unwrap();
    b[100] ^= 0x20;
    fs::write(&p, b).unwrap();
}

#[test]
fn the_legacy_key_id_is_the_one_rebuilderd_signs_under() {
    let env = Env::new();
    rebuilderd_files(&env);
    assert_eq!(env.ok(format!("key id {KEY}")).stdout.trim(), DEFAULT_ID);
    assert_eq!(
        env.ok(format!("key id {KEY} --legacy-keyid")).stdout.trim(),
        LEGACY_ID
    );
    // The entry equals the one tools/build.py computed (in Python, from
    // the DER) for the case's layout.
    let exported = env
        .ok(format!("key export --key {KEY} --legacy-keyid --with-id"))
        .json_only();
    let layout = env.json(testdata().join("thirdparty/rebuilderd-debian-deb/root.layout"));
    assert_eq!(exported, layout["signed"]["keys"]);
    assert_eq!(exported[LEGACY_ID]["keyid"], LEGACY_ID);
    // The link names its signature by that id.
    let link = env.json(env.work().join("links").join(LINK));
    assert!(
        link["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["keyid"] == LEGACY_ID)
    );
    // OpenPGP keys are named by their fingerprint; the flag needs a PEM key.
    let carl = env.fpr("carl");
    env.fails(
        1,
        format!("key export --gpg {carl} --legacy-keyid"),
        "PEM keys only",
    );
}

/// `layout new`, `add-key --legacy-keyid`, `add-step`, `add-inspection`,
/// `sign`: the layout README.md shows for a rebuilder.
fn cli_layout(env: &Env, legacy: bool) {
    env.key("alice.pem");
    env.key("alice.pub");
    env.ok("layout new root.layout --expires 1y");
    let added = env.ok(format!(
        "layout add-key root.layout --key {KEY}{}",
        if legacy { " --legacy-keyid" } else { "" }
    ));
    let id = added.stdout.trim().to_owned();
    assert_eq!(id, if legacy { LEGACY_ID } else { DEFAULT_ID });
    env.ok((
        format!("layout add-step root.layout --name rebuild --functionary {id}"),
        [
            "--material",
            "ALLOW *.buildinfo",
            "--material",
            "DISALLOW *",
            "--product",
            "CREATE *.deb",
            "--product",
            "DISALLOW *",
        ],
    ));
    env.ok((
        "layout add-inspection root.layout --name check --run true",
        [
            "--material",
            "MATCH *.deb WITH PRODUCTS FROM rebuild",
            "--material",
            "DISALLOW *.deb",
        ],
    ));
    env.ok("sign -f root.layout -k alice.pem");
}

fn verify(env: &Env) -> std::process::Command {
    let mut c =
        env.cmd("verify -l ../root.layout --verification-keys ../alice.pub --link-dir ../links");
    c.current_dir(env.work().join("final"));
    c
}

#[test]
fn a_layout_written_on_the_command_line_verifies_the_real_deb() {
    let env = Env::new();
    rebuilderd_files(&env);
    cli_layout(&env, true);
    let out = crate::common::check(verify(&env), 0);
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
    tamper(&env);
    let out = crate::common::check(verify(&env), 1);
    assert!(
        out.stderr.contains(DEB) && out.stderr.contains("digest differs"),
        "{}",
        out.stderr
    );
}

#[test]
fn under_its_default_id_the_rebuilders_link_is_not_found() {
    let env = Env::new();
    rebuilderd_files(&env);
    cli_layout(&env, false);
    let out = crate::common::check(verify(&env), 1);
    assert!(
        out.stderr.contains("rebuild.41fd42b5.link"),
        "{}",
        out.stderr
    );
}

#[test]
fn match_products_compares_sha256_with_the_rebuilders_sha256_and_sha512() {
    let env = Env::new();
    rebuilderd_files(&env);
    let cmd = format!(
        "match-products -l links/{LINK} -p final --lstrip-paths final/ --verification-keys {KEY}"
    );
    let out = env.ok(cmd.as_str());
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    tamper(&env);
    let out = env.code(1, cmd.as_str());
    assert!(
        out.stdout.contains(&format!("Hashes differ: {DEB}")),
        "{}",
        out.stdout
    );
}

#[test]
fn a_resigned_rebuilderd_link_keeps_its_null_environment() {
    let env = Env::new();
    rebuilderd_files(&env);
    env.key("alice.pem");
    env.key("alice.pub");
    let out = env.ok(format!(
        "sign -f links/{LINK} -k alice.pem -o resigned.link"
    ));
    assert!(
        out.stderr.contains("environment as null") && out.stderr.contains("reference refuses"),
        "{}",
        out.stderr
    );
    let resigned = env.json(env.work().join("resigned.link"));
    assert!(resigned["signed"]["environment"].is_null());
    let original = env.json(env.work().join("links").join(LINK));
    assert_eq!(resigned["signed"], original["signed"]);
    env.ok("sign -f resigned.link -k alice.pub --verify");
    env.ok(format!("sign -f links/{LINK} -k {KEY} --verify"));
}
