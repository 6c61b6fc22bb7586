//! `intoto key export|id`: a key's dict (from a GnuPG home or a keyring
//! file, keyed by its id on request) and a key's id. Which keys sign, and
//! how the ones that cannot are named, is in `keys.rs`.

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
