//! `intoto sign --merge`: co-signatures gathered offline, from copies of
//! one layout signed on different machines, and `sign -a --replace`, an
//! owner replacing their own signature.

use std::fs;

use crate::common::Env;
use crate::sign::{layout, sigs};

/// root.layout, and copies a.layout (signed by alice), b.layout (bob).
fn two_copies(env: &Env) -> (String, String) {
    for k in ["alice.pem", "alice.pub", "bob.pem", "bob.pub"] {
        env.key(k);
    }
    layout(env);
    for c in ["a.layout", "b.layout"] {
        fs::copy(env.work().join("root.layout"), env.work().join(c)).unwrap();
    }
    env.ok("sign -f a.layout -k alice.pem");
    env.ok("sign -f b.layout -k bob.pem");
    (
        sigs(env, "a.layout")[0].clone(),
        sigs(env, "b.layout")[0].clone(),
    )
}

#[test]
fn merge_combines_copies_and_drops_exact_duplicates() {
    let env = Env::new();
    let (alice, bob) = two_copies(&env);
    fs::copy(env.work().join("a.layout"), env.work().join("c.layout")).unwrap();
    let before = fs::read(env.work().join("a.layout")).unwrap();
    let out = env.ok("sign --merge a.layout b.layout c.layout -o all.layout");
    assert!(
        out.stderr
            .contains("wrote all.layout: 2 signatures (1 added)"),
        "{}",
        out.stderr
    );
    assert_eq!(sigs(&env, "all.layout"), [alice.clone(), bob.clone()]);
    assert_eq!(fs::read(env.work().join("a.layout")).unwrap(), before);
    env.ok("sign -f all.layout --verify -k alice.pub bob.pub");
    env.ok("verify -l all.layout --verification-keys alice.pub bob.pub");
    // Without -o: into the first copy.
    env.ok("sign --merge b.layout a.layout");
    assert_eq!(sigs(&env, "b.layout"), [bob, alice]);
    env.ok("sign -f b.layout --verify -k alice.pub bob.pub --signatures 2");
}

#[test]
fn merge_refuses_copies_whose_signed_content_differs() {
    let env = Env::new();
    two_copies(&env);
    // Bob signed a layout with another readme.
    env.ok("layout new other.layout --expires 2099-12-31 --readme other");
    env.ok("sign -f other.layout -k bob.pem");
    let before = fs::read(env.work().join("a.layout")).unwrap();
    env.fails(
        1,
        "sign --merge a.layout other.layout",
        "other.layout: its signed content differs from a.layout's",
    );
    assert_eq!(fs::read(env.work().join("a.layout")).unwrap(), before);
    // The same content written out differently (compact JSON) is the same.
    let mut v = env.json("b.layout");
    let signed = v["signed"].as_object().unwrap().clone();
    let reversed: serde_json::Map<String, serde_json::Value> = signed.into_iter().rev().collect();
    v["signed"] = serde_json::Value::Object(reversed);
    fs::write(env.work().join("b.layout"), serde_json::to_vec(&v).unwrap()).unwrap();
    env.ok("sign --merge a.layout b.layout -o all.layout");
    env.ok("sign -f all.layout --verify -k alice.pub bob.pub");
}

#[test]
fn merge_checks_every_signature_it_can() {
    let env = Env::new();
    let (_, bob) = two_copies(&env);
    // A signature altered by hand no longer verifies.
    let mut v = env.json("b.layout");
    let sig = v["signatures"][0]["sig"].as_str().unwrap().to_owned();
    let flipped = if sig.starts_with('0') { "1" } else { "0" };
    v["signatures"][0]["sig"] = format!("{flipped}{}", &sig[1..]).into();
    fs::write(env.work().join("b.layout"), serde_json::to_vec(&v).unwrap()).unwrap();
    env.fails(
        1,
        "sign --merge a.layout b.layout --signed-by bob.pub",
        &format!("b.layout: the signature by key {bob} does not verify"),
    );
    // Without bob's key it cannot be checked: merged, with a warning.
    let out = env.ok("sign --merge a.layout b.layout -o all.layout");
    assert!(
        out.stderr
            .contains(&format!("cannot check the existing signature by key {bob}")),
        "{}",
        out.stderr
    );
    // Usage: one file, the same file twice.
    env.code(2, "sign --merge a.layout");
    env.fails(
        2,
        "sign --merge a.layout ./a.layout",
        "the same file as a.layout",
    );
}

#[test]
fn append_replace_swaps_the_signers_own_signature_only() {
    let env = Env::new();
    let (alice, bob) = two_copies(&env);
    env.ok("sign -f a.layout -a -k bob.pem --signed-by alice.pub");
    let out = env.fails(
        1,
        "sign -f a.layout -a -k alice.pem",
        "a key signs a layout once; to replace that signature with a new one by the same key, add --replace",
    );
    assert_eq!(out.stdout, "");
    let out = env.ok("sign -f a.layout -a --replace -k alice.pem --signed-by bob.pub");
    assert!(
        out.stderr
            .contains(&format!("the signature by key {alice} is replaced")),
        "{}",
        out.stderr
    );
    assert_eq!(sigs(&env, "a.layout"), [bob, alice]);
    env.ok("sign -f a.layout --verify -k alice.pub bob.pub");
    env.code(2, "sign -f a.layout --replace -k alice.pem");
}

/// gpg in the scratch home, with `stdin`.
fn gpg(env: &Env, args: &[&str], stdin: &str) {
    use std::io::Write as _;
    let mut c = std::process::Command::new("gpg")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "gpg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// After moving to a new subkey (the old one revoked), the owner replaces
/// the signature of the old subkey: the same primary key is the same key.
#[test]
fn append_replace_after_moving_to_a_new_subkey() {
    let env = Env::new();
    layout(&env);
    env.key("alice.pem");
    env.key("alice.pub");
    let bob = env.fpr("bob");
    env.ok(format!("sign -f root.layout --gpg {bob}"));
    let old = sigs(&env, "root.layout")[0].clone();
    gpg(
        &env,
        &["--quick-add-key", &bob, "ed25519", "sign", "2y"],
        "",
    );
    gpg(
        &env,
        &["--command-fd", "0", "--edit-key", &bob],
        "key 1\nrevkey\ny\n0\n\ny\nsave\n",
    );
    env.fails(
        1,
        format!("sign -f root.layout -a --gpg {bob}"),
        &format!("already signed by key {old}"),
    );
    env.ok(format!("sign -f root.layout -a --replace --gpg {bob}"));
    let now = sigs(&env, "root.layout");
    assert_eq!(now.len(), 1);
    assert_ne!(now[0], old);
    env.ok("sign -f root.layout -a -k alice.pem");
    env.ok(format!(
        "sign -f root.layout --verify --gpg {bob} -k alice.pub"
    ));
}
