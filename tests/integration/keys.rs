//! Keys on the command line, whatever the command: which ones sign (PEM
//! files, GnuPG keys by fingerprint or user id, signing subkeys), which
//! ones cannot and how that is said, and keys from older tools (GnuPG
//! 1.x-era keys with SHA-1 self-signatures, testdata/keys/generate-sha1.sh).

use std::fs;
use std::process::Command;

use crate::common::{Env, testdata};

const OWEN: &str = "D1E2F7C84A197C2DE03218B07764FD618046F3A2";

#[test]
fn sha1_self_signed_keys_verify_and_sign_with_a_warning() {
    let env = Env::new();
    env.key("owen-sha1.asc");
    env.key("owen-sha1.layout");
    let out = env
        .ok(format!(
            "verify -l owen-sha1.layout --keyring owen-sha1.asc --gpg {OWEN}"
        ))
        .text();
    assert!(
        out.contains("warning: OpenPGP key D1E2F7C8") && out.contains("SHA-1 self-signatures"),
        "{out}"
    );
    assert!(
        out.contains(&format!("gpg --quick-set-expire {OWEN} 2y")),
        "{out}"
    );

    // Signing with it (its secret in the GnuPG home) warns before it signs.
    let secret = env.key("owen-sha1.sec.asc");
    let st = Command::new("gpg")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--batch", "--import"])
        .arg(&secret)
        .output()
        .unwrap();
    assert!(st.status.success(), "{st:?}");
    let out = env.ok(format!("run -n old -x --gpg {OWEN}")).text();
    assert!(out.contains("SHA-1 self-signatures"), "{out}");
    // The link (named after the signing subkey) verifies with the key.
    let link = env.link("old");
    env.ok(format!(
        "sign -f {} --verify --keyring owen-sha1.asc --gpg {OWEN}",
        link.display()
    ));
}

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
