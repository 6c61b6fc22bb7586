//! Keys on the command line: which ones sign (PEM files, GnuPG keys by
//! fingerprint or user id, signing subkeys), which ones cannot and how
//! that is said, and `intoto key export|id`.

use std::fs;
use std::process::Command;

use crate::common::{Env, check, testdata};

#[test]
fn unusable_pem_keys_are_named() {
    let env = Env::new();
    env.write("x", "x");
    env.key("dan.pem"); // encrypted, password hunter2
    env.key("carl.pub");
    let sign_with = |key: &str| format!("run -n s -x --signing-key {key}");
    env.fails(1, sign_with("dan.pem"), "encrypted");
    env.fails(1, sign_with("dan.pem -P wrong"), "wrong password");
    env.ok(sign_with("dan.pem -P hunter2"));
    env.fails(1, sign_with("carl.pub"), "public key");
    env.fails(1, sign_with("missing.pem"), "missing.pem");
    env.write(
        "dsa.pem",
        "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n",
    );
    env.fails(1, sign_with("dsa.pem"), "unsupported");
}

#[test]
fn unusable_gpg_keys_are_named() {
    let env = Env::new();
    env.write("x", "x");
    env.fails(
        1,
        "run -n s -x --gpg 00000000000000000000000000000000DEADBEEF",
        "no OpenPGP key",
    );
    let erin = env.fpr("erin");
    env.fails(1, format!("run -n s -x --gpg {erin}"), "expired");
    let frank = env.fpr("frank");
    env.fails(1, format!("run -n s -x --gpg {frank}"), "revoked");
}

#[test]
fn a_gpg_user_id_signs_when_it_names_exactly_one_secret_key() {
    let env = Env::new();
    env.write("x", "x");
    env.ok("run -n byname -x --gpg carl@example.org");
    env.fails(1, "run -n s -x --gpg example.org", "matches 7 secret keys");
}

#[test]
fn a_gpg_public_key_without_its_secret_cannot_sign() {
    let env = Env::new();
    // A public key only: found, but it cannot sign.
    let case = testdata().join("interop/cases/demo-gpg");
    let st = Command::new("gpg")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--batch", "--import"])
        .arg(case.join("keys/alice.asc"))
        .output()
        .unwrap();
    assert!(st.status.success());
    let meta: serde_json::Value =
        serde_json::from_slice(&fs::read(case.join("case.json")).unwrap()).unwrap();
    let fpr = meta["command"][4].as_str().unwrap();
    env.fails(1, format!("run -n s -x --gpg {fpr}"), "no secret key");
}

#[test]
fn a_gpg_signing_subkey_signs_and_names_the_link() {
    let env = Env::new();
    env.write("src/x.txt", "x\n");
    // bob signs with his Ed25519 subkey; the link is named after it.
    let bob = env.fprs("bob");
    env.ok(format!("run -n bobstep -m src -x --gpg {}", bob[0]));
    let name = format!("bobstep.{}.link", &bob[1][..8].to_lowercase());
    assert!(env.work().join(&name).exists(), "expected {name}");
    env.ok(format!("sign --verify --gpg {} -f {name}", bob[0]));
}

#[test]
fn key_export_from_a_keyring_file_equals_the_gnupg_home() {
    let env = Env::new();
    // Export from a keyring file, without a GnuPG home.
    let asc = testdata().join("keys/carl.asc");
    let carl = env.fpr("carl");
    let mut c = env.cmd(format!(
        "key export --gpg {carl} --keyring {}",
        asc.display()
    ));
    c.env("GNUPGHOME", env.path("nowhere"));
    let from_file = check(c, 0).json_only();
    let from_home = env.ok(format!("key export --gpg {carl}")).json_only();
    assert_eq!(from_file, from_home);
    assert_eq!(
        from_file["subkeys"].as_object().unwrap().len(),
        1,
        "carl's signing subkey"
    );
}

#[test]
fn key_export_with_id_keys_the_dict_by_fingerprint() {
    let env = Env::new();
    let carl = env.fpr("carl");
    let with_id = env
        .ok(format!("key export --gpg {carl} --with-id"))
        .json_only();
    assert!(with_id.get(carl.to_lowercase()).is_some());
}

#[test]
fn key_id_of_a_pem_key() {
    let env = Env::new();
    env.key("carl.pub");
    let id = env.ok("key id carl.pub").text();
    assert_eq!(
        id.trim(),
        "6f44242c0eb51fa9b7e0aee593da7b92a887401d2224cbda8b1e01d2c9819bb2"
    );
}
