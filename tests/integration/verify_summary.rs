//! Signed verification summaries: `verify --summary` writes an in-toto
//! Simple Verification Result or a SLSA VSA (PEM and GnuPG keys) that
//! `verify-summary` accepts and the attestation framework's
//! `Statement.validate()` passes; summaries altered, signed by another key
//! or checked against another artifact are refused; `--summary-on-failure`
//! writes a VSA saying FAILED; `--policy-digest` and `--property`.

use std::fs;

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::common::{Env, Reference, check, payload};

/// bob's `build` step (hello made by `sh`), the layout signed by alice;
/// copies carl's keys for signing summaries.
fn chain(env: &Env) {
    env.signed_demo_layout(&["build"]);
    for k in ["bob.pem", "carl.pem", "carl.pub", "dave.asc"] {
        env.key(k);
    }
    env.ok((
        "run -n build --signing-key bob.pem -p hello --",
        ["sh", "-c", "echo hello > hello"],
    ));
}

fn sha256(env: &Env, rel: &str) -> String {
    hex::encode(Sha256::digest(fs::read(env.work().join(rel)).unwrap()))
}

/// The attestation framework's validator on a summary's Statement.
const VALIDATE: &str = r#"
import sys, json, base64
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
for f in sys.argv[1:]:
    env = json.load(open(f))
    assert env["payloadType"] == "application/vnd.in-toto+json", f
    payload = base64.b64decode(env["payload"])
    Statement.copy_from_pb(json_format.Parse(payload, statement_pb2.Statement())).validate()
    print("valid", f)
"#;

fn validate(env: &Env, files: &[&str]) {
    let Some(rf) = Reference::find() else { return };
    let mut c = rf.python(VALIDATE);
    c.args(files.iter().map(|f| env.work().join(f)));
    let out = check(c, 0).text();
    assert_eq!(out.matches("valid ").count(), files.len(), "{out}");
}

#[test]
fn an_svr_signed_with_a_pem_key_names_the_product_layout_and_properties() {
    let env = Env::new();
    chain(&env);
    env.ok(
        "verify -l root.layout --verification-keys alice.pub --summary s.json \
         --summary-signing-key carl.pem --summary-property REVIEWED",
    );
    let (dsse, st) = payload(&env.work().join("s.json"));
    assert!(dsse);
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        st["predicateType"],
        "https://in-toto.io/attestation/svr/v0.2"
    );
    assert_eq!(st["subject"][0]["name"], "hello");
    assert_eq!(st["subject"][0]["digest"]["sha256"], sha256(&env, "hello"));
    let p = &st["predicate"];
    assert!(
        p["verifier"]["id"]
            .as_str()
            .unwrap()
            .starts_with("pkg:generic/intoto@"),
        "{p}"
    );
    let layout = sha256(&env, "root.layout");
    assert_eq!(p["verifier"]["policies"][0]["digest"]["sha256"], layout);
    assert_eq!(
        p["properties"],
        serde_json::json!(["INTOTO_LAYOUT_VERIFIED", "REVIEWED"])
    );
    assert!(p["timeCreated"].as_str().unwrap().ends_with('Z'));
    validate(&env, &["s.json"]);

    let out = env.ok(format!(
        "verify-summary s.json --artifact hello --verification-keys carl.pub \
         --policy-digest {layout} --property REVIEWED --property INTOTO_LAYOUT_VERIFIED"
    ));
    assert!(out.stderr.contains("pkg:generic/intoto@"), "{}", out.stderr);
    assert!(out.stderr.contains("subject hello"), "{}", out.stderr);
    env.fails(
        1,
        "verify-summary s.json --artifact hello --verification-keys carl.pub \
         --property SLSA_BUILD_LEVEL_3",
        "SLSA_BUILD_LEVEL_3",
    );
    env.fails(
        1,
        format!(
            "verify-summary s.json --artifact hello --verification-keys carl.pub \
             --policy-digest {}",
            "0".repeat(64)
        ),
        "no policy",
    );
    env.fails(
        2,
        "verify-summary s.json --artifact hello --verification-keys carl.pub \
         --policy-digest abc",
        "--policy-digest",
    );
    env.fails(
        2,
        "verify-summary s.json --artifact hello",
        "verifier's key",
    );
}

#[test]
fn a_summary_altered_signed_by_another_key_or_for_another_artifact_is_refused() {
    let env = Env::new();
    chain(&env);
    env.ok(
        "verify -l root.layout --verification-keys alice.pub --summary s.json \
         --summary-signing-key carl.pem",
    );
    env.ok("verify-summary s.json --artifact hello --verification-keys carl.pub");
    // Another key.
    env.fails(
        1,
        "verify-summary s.json --artifact hello --verification-keys bob.pub",
        "signature",
    );
    // Another artifact.
    env.write("other", "not hello\n");
    env.fails(
        1,
        "verify-summary s.json --artifact hello other --verification-keys carl.pub",
        "artifact other",
    );
    env.fails(
        1,
        "verify-summary s.json --artifact missing --verification-keys carl.pub",
        "artifact missing",
    );
    // Altered: the subject's digest changed in the payload.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut e: Value =
        serde_json::from_slice(&fs::read(env.work().join("s.json")).unwrap()).unwrap();
    let text = String::from_utf8(b64.decode(e["payload"].as_str().unwrap()).unwrap()).unwrap();
    let other = sha256(&env, "other");
    let text = text.replace(&sha256(&env, "hello"), &other);
    e["payload"] = b64.encode(text).into();
    fs::write(env.work().join("t.json"), e.to_string()).unwrap();
    env.fails(
        1,
        "verify-summary t.json --artifact other --verification-keys carl.pub",
        "signature",
    );
    // A link is not a summary.
    let link = env.link("build");
    let link = link.file_name().unwrap().to_str().unwrap();
    env.fails(
        1,
        format!("verify-summary {link} --artifact hello --verification-keys bob.pub"),
        "DSSE",
    );
}

#[test]
fn a_vsa_signed_with_gnupg_lists_the_links_used_and_verifies() {
    let env = Env::new();
    chain(&env);
    let dave = env.fpr("dave");
    env.fails(
        2,
        format!(
            "verify -l root.layout --verification-keys alice.pub --summary v.json \
             --summary-gpg {dave} --summary-type vsa"
        ),
        "--summary-resource",
    );
    env.ok(format!(
        "verify -l root.layout --verification-keys alice.pub --summary v.json \
         --summary-gpg {dave} --summary-type vsa --summary-resource https://example.org/hello \
         --summary-property ACME_REVIEWED"
    ));
    let (_, st) = payload(&env.work().join("v.json"));
    assert_eq!(
        st["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    let p = &st["predicate"];
    assert_eq!(p["resourceUri"], "https://example.org/hello");
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(p["policy"]["digest"]["sha256"], sha256(&env, "root.layout"));
    assert!(
        p["policy"]["uri"].as_str().unwrap().starts_with("file:///"),
        "{p}"
    );
    let link = env.link("build");
    let name = link.file_name().unwrap().to_str().unwrap();
    assert_eq!(p["inputAttestations"][0]["name"], name);
    assert_eq!(
        p["inputAttestations"][0]["digest"]["sha256"],
        sha256(&env, name)
    );
    let levels: Vec<&str> = p["verifiedLevels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(levels, ["INTOTO_LAYOUT_VERIFIED", "ACME_REVIEWED"]);
    assert!(p["timeVerified"].as_str().unwrap().ends_with('Z'));
    validate(&env, &["v.json"]);

    env.ok(format!(
        "verify-summary v.json --artifact hello --gpg {dave} --property ACME_REVIEWED"
    ));
    env.ok("verify-summary v.json --artifact hello --keyring dave.asc \
         --resource https://example.org/hello");
    env.fails(
        1,
        "verify-summary v.json --artifact hello --keyring dave.asc \
         --resource https://example.org/other",
        "resource",
    );
    env.fails(
        1,
        "verify-summary v.json --artifact hello --verification-keys carl.pub",
        "signature",
    );

    // An SVR by the same GnuPG key.
    env.ok(format!(
        "verify -l root.layout --verification-keys alice.pub --summary s.json \
         --summary-gpg {dave}"
    ));
    env.ok("verify-summary s.json --artifact hello --keyring dave.asc");
    validate(&env, &["s.json"]);
}

#[test]
fn a_failed_verification_writes_a_vsa_saying_failed_only_when_asked() {
    let env = Env::new();
    chain(&env);
    let link = env.link("build");
    fs::remove_file(&link).unwrap();
    // No summary without --summary-on-failure.
    env.code(
        1,
        "verify -l root.layout --verification-keys alice.pub --summary v.json \
         --summary-signing-key carl.pem --summary-type vsa --summary-resource https://example.org/hello",
    );
    assert!(!env.work().join("v.json").exists());
    // An SVR has no failed form; a failed one needs its subjects.
    env.fails(
        2,
        "verify -l root.layout --verification-keys alice.pub --summary v.json \
         --summary-signing-key carl.pem --summary-on-failure --summary-subject hello",
        "--summary-type vsa",
    );
    env.fails(
        2,
        "verify -l root.layout --verification-keys alice.pub --summary v.json \
         --summary-signing-key carl.pem --summary-type vsa --summary-resource https://example.org/hello \
         --summary-on-failure",
        "--summary-subject",
    );
    env.code(
        1,
        "verify -l root.layout --verification-keys alice.pub --summary v.json \
         --summary-signing-key carl.pem --summary-type vsa --summary-resource https://example.org/hello \
         --summary-on-failure --summary-subject hello --summary-property ACME_REVIEWED",
    );
    let (_, st) = payload(&env.work().join("v.json"));
    let p = &st["predicate"];
    assert_eq!(p["verificationResult"], "FAILED");
    assert_eq!(p["verifiedLevels"], serde_json::json!(["FAILED"]));
    assert_eq!(st["subject"][0]["digest"]["sha256"], sha256(&env, "hello"));
    validate(&env, &["v.json"]);
    env.fails(
        1,
        "verify-summary v.json --artifact hello --verification-keys carl.pub",
        "FAILED",
    );
}
