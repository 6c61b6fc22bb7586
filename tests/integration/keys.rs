//! Keys from older tools: GnuPG 1.x-era keys with SHA-1 self-signatures
//! (testdata/keys/generate-sha1.sh).

use std::process::Command;

use crate::common::{Env, expect};

const OWEN: &str = "D1E2F7C84A197C2DE03218B07764FD618046F3A2";

#[test]
fn sha1_self_signed_keys_verify_and_sign_with_a_warning() {
    let env = Env::new();
    let keyring = env.key("owen-sha1.asc");
    let layout = env.key("owen-sha1.layout");
    let out = expect(
        env.intoto([
            "verify".as_ref(),
            "-l".as_ref(),
            layout.as_os_str(),
            "--keyring".as_ref(),
            keyring.as_os_str(),
            "--gpg".as_ref(),
            OWEN.as_ref(),
        ]),
        0,
    );
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
    let out = expect(env.intoto(["run", "-n", "old", "-x", "--gpg", OWEN]), 0);
    assert!(out.contains("SHA-1 self-signatures"), "{out}");
    // The link (named after the signing subkey) verifies with the key.
    let link = std::fs::read_dir(env.work())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("old.") && n.ends_with(".link"))
        .expect("a link");
    expect(
        env.intoto([
            "sign".as_ref(),
            "-f".as_ref(),
            link.as_ref(),
            "--verify".as_ref(),
            "--keyring".as_ref(),
            keyring.as_os_str(),
            "--gpg".as_ref(),
            OWEN.as_ref(),
        ]),
        0,
    );
}
