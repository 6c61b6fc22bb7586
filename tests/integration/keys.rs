//! Keys from older tools: GnuPG 1.x-era keys with SHA-1 self-signatures
//! (testdata/keys/generate-sha1.sh).

use std::process::Command;

use crate::common::Env;

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
