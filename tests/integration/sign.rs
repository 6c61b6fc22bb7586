//! `intoto sign`: signing layouts and links, co-signing that cannot lose
//! signatures, checking (`--verify`), and inputs never damaged. Writing
//! and editing layouts (`intoto layout`) is in `layout.rs`.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::common::{Env, expect, run};

pub(crate) fn layout(env: &Env) {
    expect(
        env.intoto([
            "layout",
            "new",
            "root.layout",
            "--expires",
            "2099-12-31",
            "--readme",
            "r",
        ]),
        0,
    );
}

pub(crate) fn sigs(env: &Env, file: &str) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(env.work().join(file)).unwrap()).unwrap();
    v["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["keyid"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn co_signing_keeps_signatures_and_refuses_stale_or_repeated_ones() {
    let env = Env::new();
    let (alice, bob, carl) = (
        env.key("alice.pem"),
        env.key("bob.pem"),
        env.key("carl.pem"),
    );
    let (alice_pub, bob_pub) = (env.key("alice.pub"), env.key("bob.pub"));
    layout(&env);
    expect(
        env.intoto(["sign", "-f", "root.layout", "-k", alice.to_str().unwrap()]),
        0,
    );
    let before = fs::read(env.work().join("root.layout")).unwrap();
    // Appending with the key that already signed: refused, file untouched.
    let (rc, _, err) = run(env.intoto([
        "sign",
        "-f",
        "root.layout",
        "-a",
        "-k",
        alice.to_str().unwrap(),
    ]));
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("already signed"), "{err}");
    assert_eq!(fs::read(env.work().join("root.layout")).unwrap(), before);
    // A co-signature; the owner's stays.
    expect(
        env.intoto([
            "sign",
            "-f",
            "root.layout",
            "-a",
            "-k",
            bob.to_str().unwrap(),
            "--signed-by",
            alice_pub.to_str().unwrap(),
        ]),
        0,
    );
    assert_eq!(sigs(&env, "root.layout").len(), 2);
    let out = expect(
        env.intoto([
            "sign",
            "-f",
            "root.layout",
            "--verify",
            "-k",
            alice_pub.to_str().unwrap(),
            bob_pub.to_str().unwrap(),
        ]),
        0,
    );
    assert!(
        out.contains("good signature by") && out.contains("rsa") && out.contains("ecdsa"),
        "{out}"
    );
    // Edited after signing: --append names the stale signatures, exit 1.
    let text = fs::read_to_string(env.work().join("root.layout"))
        .unwrap()
        .replace("\"readme\": \"r\"", "\"readme\": \"edited\"");
    fs::write(env.work().join("root.layout"), &text).unwrap();
    let (rc, _, err) = run(env.intoto([
        "sign",
        "-f",
        "root.layout",
        "-a",
        "-k",
        carl.to_str().unwrap(),
        "--signed-by",
        alice_pub.to_str().unwrap(),
        bob_pub.to_str().unwrap(),
    ]));
    assert_eq!(rc, 1, "{err}");
    assert!(
        err.contains("do not verify") && err.contains(&sigs(&env, "root.layout")[0]),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(env.work().join("root.layout")).unwrap(),
        text
    );
    // Without -a the signatures are replaced.
    expect(
        env.intoto(["sign", "-f", "root.layout", "-k", carl.to_str().unwrap()]),
        0,
    );
    assert_eq!(sigs(&env, "root.layout").len(), 1);
    // --verify: a key that did not sign is exit 1.
    let (rc, _, err) = run(env.intoto([
        "sign",
        "-f",
        "root.layout",
        "--verify",
        "-k",
        alice_pub.to_str().unwrap(),
    ]));
    assert_eq!(rc, 1, "{err}");
}

#[test]
fn gpg_co_signature_on_a_pem_signed_layout() {
    let env = Env::new();
    let alice = env.key("alice.pem");
    let alice_pub = env.key("alice.pub");
    layout(&env);
    expect(
        env.intoto(["sign", "-f", "root.layout", "-k", alice.to_str().unwrap()]),
        0,
    );
    let gina = env.fpr("gina");
    // The PEM signer's key is unknown here: a warning, not a refusal.
    let out = expect(
        env.intoto(["sign", "-f", "root.layout", "-a", "--gpg", &gina]),
        0,
    );
    assert!(out.contains("cannot check the existing signature"), "{out}");
    expect(
        env.intoto(["sign", "-f", "root.layout", "--verify", "--gpg", &gina]),
        0,
    );
    expect(
        env.intoto([
            "verify",
            "-l",
            "root.layout",
            "--verification-keys",
            alice_pub.to_str().unwrap(),
            "--gpg",
            &gina,
        ]),
        0,
    );
    // A keyring file instead of the GnuPG home.
    let asc = crate::common::testdata().join("keys/gina.asc");
    expect(
        env.intoto([
            "verify",
            "-l",
            "root.layout",
            "--keyring",
            asc.to_str().unwrap(),
        ]),
        0,
    );
    expect(
        env.intoto([
            "verify",
            "-l",
            "root.layout",
            "--keyring",
            asc.to_str().unwrap(),
            "--gpg",
            &gina,
        ]),
        0,
    );
}

#[test]
fn links_are_signed_by_one_key_and_named_after_it() {
    let env = Env::new();
    let (bob, carl) = (env.key("bob.pem"), env.key("carl.pem"));
    expect(env.intoto(["mock", "-n", "m", "--", "true"]), 0);
    let (rc, _, _) = run(env.intoto([
        "sign",
        "-f",
        "m.link",
        "-k",
        bob.to_str().unwrap(),
        carl.to_str().unwrap(),
    ]));
    assert_eq!(rc, 2);
    let (rc, _, _) = run(env.intoto(["sign", "-f", "m.link", "-a", "-k", bob.to_str().unwrap()]));
    assert_eq!(rc, 2);
    expect(
        env.intoto(["sign", "-f", "m.link", "-k", bob.to_str().unwrap()]),
        0,
    );
    assert!(env.work().join("m.f0d61b92.link").exists());
    // DSSE links too.
    expect(
        env.intoto(["mock", "-n", "d", "--use-dsse", "--", "true"]),
        0,
    );
    expect(
        env.intoto(["sign", "-f", "d.link", "-k", carl.to_str().unwrap()]),
        0,
    );
    let carl_pub = env.key("carl.pub");
    expect(
        env.intoto([
            "sign",
            "-f",
            "d.6f44242c.link",
            "--verify",
            "-k",
            carl_pub.to_str().unwrap(),
        ]),
        0,
    );
}

#[test]
fn gpg_keys_sign_dsse_envelopes_too() {
    let env = Env::new();
    expect(
        env.intoto(["layout", "new", "d.layout", "--expires", "1y", "--dsse"]),
        0,
    );
    let bob = env.fprs("bob");
    let out = expect(env.intoto(["sign", "-f", "d.layout", "--gpg", &bob[0]]), 0);
    assert!(out.contains("Python reference cannot verify"), "{out}");
    expect(
        env.intoto(["sign", "-f", "d.layout", "--verify", "--gpg", &bob[0]]),
        0,
    );
    expect(
        env.intoto(["verify", "-l", "d.layout", "--gpg", &bob[0]]),
        0,
    );
    // The signature is a standard OpenPGP packet over the PAE: gpg agrees.
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(env.work().join("d.layout")).unwrap()).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = b64.decode(v["payload"].as_str().unwrap()).unwrap();
    let sig = b64
        .decode(v["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    let mut pae = format!("DSSEv1 28 application/vnd.in-toto+json {} ", payload.len()).into_bytes();
    pae.extend(payload);
    fs::write(env.work().join("pae"), pae).unwrap();
    fs::write(env.work().join("pae.sig"), sig).unwrap();
    let st = std::process::Command::new("gpg")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--verify", "pae.sig", "pae"])
        .current_dir(env.work())
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert_eq!(
        v["signatures"][0]["keyid"].as_str().unwrap(),
        bob[1].to_lowercase()
    );
}

#[test]
fn signing_never_damages_the_input() {
    let env = Env::new();
    let bob = env.key("bob.pem");
    fs::write(env.work().join("notes.txt"), "not metadata").unwrap();
    // Inputs that cannot be used are exit 1, as for every command.
    let (rc, _, err) = run(env.intoto(["sign", "-f", "notes.txt", "-k", bob.to_str().unwrap()]));
    assert_eq!(rc, 1);
    assert!(err.contains("notes.txt"), "{err}");
    assert_eq!(
        fs::read_to_string(env.work().join("notes.txt")).unwrap(),
        "not metadata"
    );
    layout(&env);
    let before = fs::read(env.work().join("root.layout")).unwrap();
    let (rc, _, _) = run(env.intoto(["sign", "-f", "root.layout", "-k", "nope.pem"]));
    assert_eq!(rc, 1);
    assert_eq!(fs::read(env.work().join("root.layout")).unwrap(), before);
    if unsafe { libc::geteuid() } != 0 {
        fs::create_dir(env.work().join("ro")).unwrap();
        fs::set_permissions(env.work().join("ro"), fs::Permissions::from_mode(0o555)).unwrap();
        let (rc, _, err) = run(env.intoto([
            "sign",
            "-f",
            "root.layout",
            "-k",
            bob.to_str().unwrap(),
            "-o",
            "ro/out.layout",
        ]));
        assert_eq!(rc, 1, "{err}");
    }
    // Usage errors are exit 2.
    for args in [
        vec!["sign", "-f", "root.layout"],
        vec!["sign", "-f", "root.layout", "--verify", "-a", "-k", "x"],
        vec!["sign", "-f", "root.layout", "--verify", "--gpg"],
    ] {
        let (rc, _, err) = run(env.intoto(&args));
        assert_eq!(rc, 2, "{args:?}: {err}");
    }
    assert_eq!(fs::read(env.work().join("root.layout")).unwrap(), before);
}

#[test]
fn nist_ecdsa_gpg_keys_need_allow_noninteroperable() {
    let env = Env::new();
    let fpr = env.nist_key();
    let (rc, _, err) = run(env.intoto(["run", "-n", "n", "-x", "--gpg", &fpr]));
    assert_eq!(rc, 1, "{err}");
    assert!(
        err.contains("--allow-noninteroperable") && err.contains("cannot verify"),
        "{err}"
    );
    let out = expect(
        env.intoto([
            "run",
            "-n",
            "n",
            "-x",
            "--gpg",
            &fpr,
            "--allow-noninteroperable",
        ]),
        0,
    );
    assert!(out.contains("warning"), "{out}");
    let link = format!("n.{}.link", fpr[..8].to_lowercase());
    let (rc, _, _) = run(env.intoto(["sign", "--verify", "--gpg", &fpr, "-f", &link]));
    // As `verify` refuses the key (the same exit status).
    assert_eq!(rc, 1, "refused without the flag");
    expect(
        env.intoto([
            "sign",
            "--verify",
            "--gpg",
            &fpr,
            "-f",
            &link,
            "--allow-noninteroperable",
        ]),
        0,
    );
    let (rc, _, _) = run(env.intoto(["key", "export", "--gpg", &fpr]));
    assert_eq!(rc, 1);
    let dict = expect(
        env.intoto(["key", "export", "--gpg", &fpr, "--allow-noninteroperable"]),
        0,
    );
    assert!(
        dict.contains("\"type\": \"ecdsa\"") && dict.contains("nistp256"),
        "{dict}"
    );
    // A layout with an ECDSA functionary verifies only with the flag.
    let alice = env.key("alice.pem");
    let alice_pub = env.key("alice.pub");
    layout(&env);
    expect(
        env.intoto([
            "layout",
            "add-key",
            "root.layout",
            "--gpg",
            &fpr,
            "--allow-noninteroperable",
        ]),
        0,
    );
    expect(
        env.intoto([
            "layout",
            "add-step",
            "root.layout",
            "--name",
            "n",
            "--functionary",
            &fpr[..16],
        ]),
        0,
    );
    expect(
        env.intoto(["sign", "-f", "root.layout", "-k", alice.to_str().unwrap()]),
        0,
    );
    let (rc, _, err) = run(env.intoto([
        "verify",
        "-l",
        "root.layout",
        "--verification-keys",
        alice_pub.to_str().unwrap(),
    ]));
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("--allow-noninteroperable"), "{err}");
    expect(
        env.intoto([
            "verify",
            "-l",
            "root.layout",
            "--verification-keys",
            alice_pub.to_str().unwrap(),
            "--allow-noninteroperable",
        ]),
        0,
    );
}

/// `sign --verify` takes keys as `verify` does: a keyring alone needs one
/// valid signature by any of its keys, a PEM key given beside it must
/// have signed, and `--signatures N` counts distinct keys over all.
#[test]
fn verify_mixes_a_keyring_and_pem_keys_and_counts_signatures() {
    let env = Env::new();
    layout(&env);
    crate::packager::keyring(&env, "owners.asc", &["alice", "carl"]);
    env.key("bob.pem");
    env.key("bob.pub");
    let alice = env.fpr("alice");
    env.ok(format!("sign -f root.layout --gpg {alice}"));
    env.ok("sign -f root.layout -a -k bob.pem");
    let out = env.ok("sign -f root.layout --verify --keyring owners.asc");
    assert!(out.stdout.contains(&alice.to_lowercase()), "{}", out.stdout);
    env.ok("sign -f root.layout --verify --keyring owners.asc -k bob.pub");
    env.ok("sign -f root.layout --verify --keyring owners.asc -k bob.pub --signatures 2");
    // Three keys given, two signed: the failure says who did and who did
    // not, and never suggests asking for fewer.
    let carl = env.fpr("carl").to_lowercase();
    let out = env.fails(
        1,
        "sign -f root.layout --verify --keyring owners.asc -k bob.pub --signatures 3",
        "needs valid signatures by 3 of the 3 keys given, found 2: signed: ",
    );
    assert!(
        out.stderr.contains(&format!(
            "not signed: {carl} (keyring owners.asc): no signature"
        )) && !out.stderr.contains("--signatures"),
        "{}",
        out.stderr
    );
    env.fails(
        2,
        "sign -f root.layout --verify -k bob.pub --signatures 2",
        "--signatures 2: only 1 distinct key is given",
    );
    env.fails(
        2,
        "sign -f root.layout -k bob.pem --signatures 1",
        "--signatures is for --verify",
    );
}

#[test]
fn sign_says_who_signed_and_warns_of_hazards() {
    let env = Env::new();
    layout(&env);
    let bob = env.fprs("bob");
    let (rc, _, err) = run(env.intoto(["sign", "-f", "root.layout", "--gpg", "bob@example.org"]));
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains(&format!(
            "wrote root.layout, signed by subkey {} of {} (Bob <bob@example.org>)",
            bob[1], bob[0]
        )),
        "{err}"
    );
    assert!(err.contains("warning: the Python reference"), "{err}");
    // An owner subkey that expires before the layout does.
    let (primary, sub) = env.subkey_owner("rita", "never", "1y");
    let (rc, _, err) = run(env.intoto(["sign", "-f", "root.layout", "--gpg", "rita@example.org"]));
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains(&format!("subkey {sub} of {primary} expires on"))
            && err.contains(&format!("gpg --quick-set-expire {primary} 2y {sub}")),
        "{err}"
    );
    // A layout past its expiry.
    expect(
        env.intoto(["layout", "set-expires", "root.layout", "2020-01-01"]),
        0,
    );
    let (rc, _, err) = run(env.intoto(["sign", "-f", "root.layout", "--gpg", "alice@example.org"]));
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains("warning: the layout expired on 2020-01-01"),
        "{err}"
    );
    // -q: nothing.
    let (rc, _, err) = run(env.intoto([
        "sign",
        "-q",
        "-f",
        "root.layout",
        "--gpg",
        "alice@example.org",
    ]));
    assert_eq!(rc, 0);
    assert!(!err.contains("wrote"), "{err}");
}

#[test]
fn sign_asks_for_the_passphrase_naming_the_user_id_and_the_file() {
    let env = Env::new();
    layout(&env);
    // pat's key has a passphrase; the agent asks a pinentry that logs
    // what it is told and answers.
    env.passphrase_key("pw");
    let log = env.path("pinentry.log");
    let script = env.path("pinentry");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\necho 'OK ready'\nwhile IFS= read -r line; do\n  echo \"$line\" >> {}\n  \
             case \"$line\" in\n    GETPIN*) echo 'D pw'; echo OK ;;\n    BYE*) echo OK; exit 0 ;;\n    \
             *) echo OK ;;\n  esac\ndone\n",
            log.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o700)).unwrap();
    fs::write(
        env.gnupg.join("gpg-agent.conf"),
        format!("pinentry-program {}\n", script.display()),
    )
    .unwrap();
    env.stop_agent();
    expect(
        env.intoto(["sign", "-f", "root.layout", "--gpg", "pat@example.org"]),
        0,
    );
    let told = fs::read_to_string(&log).unwrap_or_default();
    let desc = told
        .lines()
        .find(|l| l.starts_with("SETDESC"))
        .unwrap_or_else(|| panic!("no SETDESC: {told}"));
    assert!(
        desc.contains("root.layout") && desc.contains("pat@example.org"),
        "{desc}"
    );
}

#[test]
fn sign_without_a_terminal_for_pinentry_says_to_set_gpg_tty() {
    let env = Env::new();
    layout(&env);
    env.passphrase_key("pw");
    for backend in ["gpgme", "cli"] {
        let mut c = env.cmd("sign -f root.layout --gpg pat@example.org");
        c.env_remove("GPG_TTY")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("INTOTO_GPG_BACKEND", backend);
        let out = crate::common::check(c, 1);
        assert!(
            out.stderr.contains("GPG_TTY") && out.stderr.contains("unlock the key first"),
            "{backend}: {}",
            out.stderr
        );
    }
}

#[test]
fn sign_takes_passphrases_from_a_file_for_pem_and_gnupg_keys() {
    let env = Env::new();
    env.demo_layout(&[]);
    env.key("dan.pem"); // encrypted, password hunter2
    env.write("dan.pass", "hunter2\n");
    env.ok("sign -f root.layout -k dan.pem --passphrase-file dan.pass");
    env.passphrase_key("correct horse");
    env.write("pat.pass", "correct horse\n");
    let mut c = env.cmd("sign -f root.layout -a --gpg pat@example.org");
    c.env_remove("GPG_TTY").env_remove("DISPLAY");
    let out = crate::common::check(c, 1);
    assert!(out.stderr.contains("--passphrase-file"), "{}", out.stderr);
    let mut c = env.cmd("sign -f root.layout -a --gpg pat@example.org --passphrase-file pat.pass");
    c.env_remove("GPG_TTY").env_remove("DISPLAY");
    crate::common::check(c, 0);
    assert_eq!(
        env.json("root.layout")["signatures"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    env.fails(
        2,
        "sign -f root.layout -k dan.pem -p --passphrase-file dan.pass",
        "--passphrase-file",
    );
}
