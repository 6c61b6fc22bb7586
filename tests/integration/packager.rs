//! The packager's verifier: owner keyrings that behave like gpgv and sqv
//! (one valid signature by a keyring key; `--signatures N` for m-of-n),
//! hints when the layout's signatures do not satisfy, and the `--json`
//! report as a contract (validated against docs/verify-report.schema.json).

use serde_json::Value;

use crate::common::{Env, Reference, repo};

/// A signed layout with no steps, owned by whoever signs it.
fn empty_layout(env: &Env) {
    env.ok("layout new root.layout --expires 2099-12-31");
}

/// An armored keyring holding the public keys of the demo users `names`.
pub(crate) fn keyring(env: &Env, file: &str, names: &[&str]) {
    let mut c = std::process::Command::new("gpg");
    c.arg("--homedir")
        .arg(&env.gnupg)
        .args(["--armor", "--export"]);
    for n in names {
        c.arg(env.fpr(n));
    }
    let out = c.output().unwrap();
    assert!(out.status.success());
    std::fs::write(env.work().join(file), out.stdout).unwrap();
}

#[test]
fn a_two_maintainer_keyring_needs_one_signature_unless_told_otherwise() {
    let env = Env::new();
    empty_layout(&env);
    keyring(&env, "maintainers.asc", &["alice", "carl"]);
    let alice = env.fpr("alice");
    let carl = env.fpr("carl");
    env.ok(format!("sign -f root.layout --gpg {alice}"));
    // gpgv's rule: a keyring alone needs one valid signature by a key in it.
    env.ok("verify -l root.layout --keyring maintainers.asc");
    // sqv's flag: both maintainers must have signed.
    let out = env.fails(
        1,
        "verify -l root.layout --keyring maintainers.asc --signatures 2",
        "needs valid signatures by 2 of the 2 keys given, found 1",
    );
    assert!(out.stderr.contains(&alice.to_lowercase()), "{}", out.stderr);
    env.ok(format!("sign -f root.layout -a --gpg {carl}"));
    env.ok("verify -l root.layout --keyring maintainers.asc --signatures 2");
    // More signatures than keys given is a usage error.
    env.fails(
        2,
        "verify -l root.layout --keyring maintainers.asc --signatures 3",
        "only 2 distinct keys are given",
    );
    env.fails(
        2,
        "verify -l root.layout --keyring maintainers.asc --signatures 0",
        "--signatures",
    );
    // Named keys keep the reference's rule: each must have signed.
    env.ok(format!(
        "verify -l root.layout --keyring maintainers.asc --gpg {alice} {carl}"
    ));
}

#[test]
fn a_keyring_no_key_of_which_signed_fails_saying_who_did() {
    let env = Env::new();
    empty_layout(&env);
    keyring(&env, "others.asc", &["carl"]);
    let alice = env.fpr("alice");
    env.ok(format!("sign -f root.layout --gpg {alice}"));
    let out = env.fails(
        1,
        "verify -l root.layout --keyring others.asc",
        "no key of keyring others.asc validly signed the layout",
    );
    assert!(
        out.stderr
            .contains(&format!("signed by key {}", alice.to_lowercase())),
        "{}",
        out.stderr
    );
}

#[test]
fn two_of_three_pem_owners() {
    let env = Env::new();
    for k in ["alice.pem", "alice.pub", "bob.pem", "bob.pub", "carl.pub"] {
        env.key(k);
    }
    empty_layout(&env);
    env.ok("sign -f root.layout -k alice.pem");
    env.ok("sign -f root.layout -a -k bob.pem --signed-by alice.pub");
    let three = "verify -l root.layout --verification-keys alice.pub bob.pub carl.pub";
    // Default: every named key must have signed; carl did not.
    let out = env.fails(1, three, "no signature by key");
    // It names who did not sign and who did, and never suggests asking
    // for fewer signatures.
    assert!(
        out.stderr.contains("(carl.pub)")
            && out.stderr.contains("it is signed by key")
            && !out.stderr.contains("--signatures"),
        "{}",
        out.stderr
    );
    let out = env.ok(format!("{three} --signatures 2 --json")).json();
    let signers: Vec<&str> = out["signers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(signers, ["alice.pub", "bob.pub"]);
    assert_eq!(out["signers"][0]["type"], "rsa");
    assert_eq!(out["signers"][1]["type"], "ecdsa");
    env.fails(1, format!("{three} --signatures 3"), "found 2");
    env.fails(2, format!("{three} --signatures 4"), "only 3 distinct keys");
}

/// Validates each report against docs/verify-report.schema.json with the
/// `jsonschema` package in the reference's venv.
fn validate(rf: &Reference, reports: &[Value]) {
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        jsonschema.Draft202012Validator.check_schema(schema)\n\
        v = jsonschema.Draft202012Validator(schema)\n\
        for i, line in enumerate(sys.stdin):\n    \
            errs = [e.message for e in v.iter_errors(json.loads(line))]\n    \
            if errs: print(i, errs); sys.exit(1)\n";
    let schema = repo().join("docs/verify-report.schema.json");
    rf.python_lines(script, &[schema.as_path()], reports);
}

#[test]
fn every_json_report_follows_the_schema() {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    env.key("carl.pub");
    let base = "verify -l root.layout --verification-keys alice.pub --json";
    let mut reports = Vec::new();
    // Failed: the link is missing.
    let failed = env.code(1, base).json();
    assert_eq!(failed["result"], "failed");
    assert_eq!(failed["failure"]["stage"], "link-loading");
    assert_eq!(failed["signers"][0]["source"], "alice.pub");
    reports.push(failed);
    // Passed, with the link that counted.
    env.key("bob.pem");
    env.ok((
        "run -n build --signing-key bob.pem -p out --",
        ["sh", "-c", "echo x > out"],
    ));
    let passed = env.ok(base).json();
    assert_eq!(passed["result"], "passed");
    assert_eq!(passed["version"], 2);
    assert_eq!(passed["steps"][0]["name"], "build");
    assert_eq!(passed["steps"][0]["kind"], "step");
    let file = passed["steps"][0]["links"][0]["file"].as_str().unwrap();
    assert!(
        file.starts_with("build.") && file.ends_with(".link"),
        "{file}"
    );
    reports.push(passed);
    // Usage errors, ours and clap's: JSON on stdout too, exit 2.
    let ours = env.code(2, "verify -l root.layout --json").json();
    assert_eq!(ours["error"]["kind"], "usage");
    reports.push(ours);
    let clap = env.code(2, "verify --json --no-such-flag").json();
    assert_eq!(clap["error"]["kind"], "usage");
    reports.push(clap);
    // An input that cannot be read, and a wrong owner key.
    let input = env
        .code(
            1,
            "verify -l missing.layout --verification-keys alice.pub --json",
        )
        .json();
    assert_eq!(input["error"]["kind"], "input");
    reports.push(input);
    let wrong = env
        .code(
            1,
            "verify -l root.layout --verification-keys carl.pub --json",
        )
        .json();
    assert_eq!(wrong["failure"]["stage"], "layout-signatures");
    assert_eq!(wrong["signers"], serde_json::json!([]));
    reports.push(wrong);
    validate(&rf, &reports);
}

/// A pgp.cert.d store at `dir`, written by openpgp-cert-d, holding the
/// demo user `name`'s certificate.
fn store_with(env: &Env, dir: &std::path::Path, name: &str) {
    let data = export_binary(env, name);
    std::fs::create_dir_all(dir).unwrap();
    openpgp_cert_d::CertD::with_base_dir(dir)
        .unwrap()
        .insert_data(&data, false, |new, _old| {
            Ok(openpgp_cert_d::MergeResult::DataRef(new))
        })
        .unwrap();
}

/// `gpg --export` (binary) of the demo user `name`.
fn export_binary(env: &Env, name: &str) -> Vec<u8> {
    let out = std::process::Command::new("gpg")
        .arg("--homedir")
        .arg(&env.gnupg)
        .arg("--export")
        .arg(env.fpr(name))
        .output()
        .unwrap();
    assert!(out.status.success() && !out.stdout.is_empty());
    out.stdout
}

#[test]
fn gpg_keys_are_found_in_a_shared_certificate_store() {
    let env = Env::new();
    empty_layout(&env);
    let alice = env.fpr("alice");
    env.ok(format!("sign -f root.layout --gpg {alice}"));
    // A store written by openpgp-cert-d itself, and a GnuPG home without
    // the key.
    let store = env.path("pgp.cert.d");
    store_with(&env, &store, "alice");
    let empty = env.path("empty-home");
    std::fs::create_dir(&empty).unwrap();
    std::fs::set_permissions(&empty, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let home = format!("--gpg-home {}", empty.display());
    env.fails(
        1,
        format!("verify -l root.layout --gpg {alice} {home}"),
        &alice,
    );
    let out = env
        .ok(format!(
            "verify -l root.layout --gpg {alice} {home} --cert-store {} --json",
            store.display()
        ))
        .json();
    assert!(
        out["signers"][0]["source"]
            .as_str()
            .unwrap()
            .starts_with("certificate store"),
        "{out}"
    );
    // $PGP_CERT_D names the store too, and a key id is enough.
    let mut c = env.cmd(format!(
        "verify -l root.layout --gpg {} {home}",
        &alice[24..]
    ));
    c.env("PGP_CERT_D", &store);
    crate::common::check(c, 0);
    // A store that holds another key does not help.
    let other = env.path("other.d");
    store_with(&env, &other, "carl");
    env.fails(
        1,
        format!(
            "verify -l root.layout --gpg {alice} {home} --cert-store {}",
            other.display()
        ),
        "nor is it in the certificate store",
    );
}

#[test]
fn a_configured_crypto_policy_can_refuse_what_the_default_accepts() {
    let env = Env::new();
    empty_layout(&env);
    let alice = env.fpr("alice");
    env.ok(format!("sign -f root.layout --gpg {alice}"));
    let verify = format!("verify -l root.layout --gpg {alice}");
    env.ok(verify.as_str());
    // A policy file that refuses RSA keys (alice's is RSA 3072).
    env.write(
        "no-rsa.toml",
        "[asymmetric_algorithms]\nrsa2048 = \"never\"\nrsa3072 = \"never\"\nrsa4096 = \"never\"\n",
    );
    let mut c = env.cmd(verify.as_str());
    c.env("SEQUOIA_CRYPTO_POLICY", env.work().join("no-rsa.toml"));
    let out = crate::common::check(c, 1);
    assert!(
        out.stderr
            .contains("uses RSA3072, which the crypto policy in")
            && out.stderr.contains("no-rsa.toml"),
        "{}",
        out.stderr
    );
    // SHA-1 self-signatures: accepted by default (with a warning), refused
    // by a policy that says so.
    env.key("owen-sha1.asc");
    env.key("owen-sha1.layout");
    let owen = "D1E2F7C84A197C2DE03218B07764FD618046F3A2";
    let sha1 = format!("verify -l owen-sha1.layout --keyring owen-sha1.asc --gpg {owen}");
    env.ok(sha1.as_str());
    env.write("no-sha1.toml", "[hash_algorithms]\nsha1 = \"never\"\n");
    let mut c = env.cmd(sha1.as_str());
    c.env("SEQUOIA_CRYPTO_POLICY", env.work().join("no-sha1.toml"));
    let out = crate::common::check(c, 1);
    assert!(
        out.stderr
            .contains("SHA-1 self-signatures, a weak algorithm that the crypto policy in"),
        "{}",
        out.stderr
    );
    // A policy file that cannot be read is an error, before anything runs.
    env.write("broken.toml", "not toml\n");
    let mut c = env.cmd(verify.as_str());
    c.env("SEQUOIA_CRYPTO_POLICY", env.work().join("broken.toml"));
    let out = crate::common::check(c, 1);
    assert!(out.stderr.contains("crypto policy"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}
