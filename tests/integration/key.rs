//! `intoto key export|id`: a key's dict (from a GnuPG home or a keyring
//! file, keyed by its id on request) and a key's id. Which keys sign, and
//! how the ones that cannot are named, is in `keys.rs`.

use std::fs;

use crate::common::{Env, check, testdata};

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

#[test]
fn key_id_of_an_openpgp_key_file() {
    let env = Env::new();
    let alice = env.fpr("alice").to_lowercase();
    let asc = testdata().join("keys/alice.asc");
    let out = env.ok(format!("key id {}", asc.display()));
    assert_eq!(out.stdout.trim(), alice);
    // Binary, as gpg --export writes it.
    env.gpg(&["--output", "alice.gpg", "--export", "alice@example.org"]);
    assert_eq!(env.ok("key id alice.gpg").stdout.trim(), alice);
    // Two keys: name the candidates, or pick one with --gpg.
    let both = [
        fs::read(testdata().join("keys/alice.asc")).unwrap(),
        fs::read(testdata().join("keys/bob.asc")).unwrap(),
    ]
    .concat();
    fs::write(env.work().join("both.asc"), both).unwrap();
    env.fails(1, "key id both.asc", "Bob <bob@example.org>");
    let bob = env.ok("key id both.asc --gpg bob@example.org");
    assert_eq!(bob.stdout.trim(), env.fpr("bob").to_lowercase());
}

#[test]
fn key_export_takes_a_user_id() {
    let env = Env::new();
    let by_fpr = env
        .ok(format!("key export --gpg {}", env.fpr("carl")))
        .json_only();
    let by_mail = env.ok("key export --gpg carl@example.org").json_only();
    assert_eq!(by_fpr, by_mail);
    assert_eq!(env.ok("key export --gpg Carl").json_only(), by_fpr);
    // Several keys match: each candidate is named, none is chosen.
    let out = env.fails(1, "key export --gpg example.org", "matches");
    assert!(
        out.stderr.contains("Alice <alice@example.org>"),
        "{}",
        out.stderr
    );
    env.fails(1, "key export --gpg nobody@example.org", "gpg --import");
}
