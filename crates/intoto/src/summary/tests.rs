use intoto_format::models::attestation::{FAILED, Svr, Vsa};

use super::*;
use crate::keys::pem::{PemSigner, SslibKey, read_public};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys");

fn signer(name: &str) -> PemSigner {
    PemSigner::from_file(format!("{KEYS}/{name}.pem"), None).unwrap()
}

fn public(name: &str) -> SslibKey {
    read_public(format!("{KEYS}/{name}.pub")).unwrap()
}

const FOO: &str = "706abe3c90152075e656b661079730facf323f3ebccda7547ee1935c90845a09";
const LAYOUT: &str = "91193433e324b0a1e525cfecac51f43ca0f6bd882e1c34292510c9740115bf5c";

fn svr() -> SummaryFacts {
    SummaryFacts {
        subjects: vec![("foo".into(), FOO.into())],
        summary: Summary::Svr(Svr {
            verifier_id: "pkg:generic/intoto@0".into(),
            policies: vec![ResourceDescriptor::named("root.layout", "sha256", LAYOUT)],
            time_created: "2027-01-15T08:00:00Z".into(),
            properties: vec![LAYOUT_VERIFIED.into(), "REVIEWED".into()],
        }),
    }
}

fn vsa(passed: bool) -> SummaryFacts {
    SummaryFacts {
        subjects: vec![("foo".into(), FOO.into())],
        summary: Summary::Vsa(Vsa {
            verifier_id: "pkg:generic/intoto@0".into(),
            verifier_version: Vec::new(),
            time_verified: Some("2027-01-15T08:00:00Z".into()),
            resource_uri: "https://example.org/foo".into(),
            policy: ResourceDescriptor::named("root.layout", "sha256", LAYOUT),
            input_attestations: Vec::new(),
            passed,
            verified_levels: vec![if passed { LAYOUT_VERIFIED } else { FAILED }.into()],
        }),
    }
}

fn bytes(facts: &SummaryFacts, key: &str) -> Vec<u8> {
    sign_summary(facts, &signer(key))
        .unwrap()
        .to_file_bytes()
        .unwrap()
}

fn foo() -> Vec<(String, String)> {
    vec![("foo".into(), FOO.into())]
}

#[test]
fn a_summary_holds_for_its_key_artifact_policy_and_properties() {
    let alice = public("alice");
    let bob = public("bob");
    let keys: [&dyn Verifier; 2] = [&bob, &alice];
    let expected = Expected {
        policy_digest: Some(LAYOUT.into()),
        properties: vec!["REVIEWED".into()],
        resource_uri: None,
    };
    let ok = check_summary(&bytes(&svr(), "alice"), &keys, &foo(), &expected).unwrap();
    assert_eq!(ok.key, 1);
    assert_eq!(ok.summary.verifier_id(), "pkg:generic/intoto@0");
    let ok = check_summary(
        &bytes(&vsa(true), "alice"),
        &keys,
        &foo(),
        &Expected::default(),
    );
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn each_fault_is_refused_in_the_consumers_order() {
    let alice = public("alice");
    let keys: [&dyn Verifier; 1] = [&alice];
    let none = Expected::default();
    let good = bytes(&svr(), "alice");
    // Another key.
    let e = check_summary(&bytes(&svr(), "bob"), &keys, &foo(), &none).unwrap_err();
    assert!(matches!(e, CheckError::Signature(_)), "{e}");
    // Altered payload: the signature no longer holds.
    let mut env = AttestationEnvelope::from_slice(&good).unwrap();
    let altered = String::from_utf8(env.payload.clone())
        .unwrap()
        .replace(FOO, &"0".repeat(64));
    env.payload = altered.into_bytes();
    let altered = env.to_file_bytes().unwrap();
    let e = check_summary(&altered, &keys, &foo(), &none).unwrap_err();
    assert!(matches!(e, CheckError::Signature(_)), "{e}");
    // Another artifact.
    let other = vec![("bar".to_owned(), "1".repeat(64))];
    let e = check_summary(&good, &keys, &other, &none).unwrap_err();
    assert!(e.to_string().contains("artifact bar"), "{e}");
    // A failed VSA.
    let e = check_summary(&bytes(&vsa(false), "alice"), &keys, &foo(), &none).unwrap_err();
    assert!(matches!(e, CheckError::Failed), "{e}");
    // Another layout, a property not named.
    let e = check_summary(
        &good,
        &keys,
        &foo(),
        &Expected {
            policy_digest: Some("2".repeat(64)),
            ..Expected::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, CheckError::Policy(_)), "{e}");
    let e = check_summary(
        &good,
        &keys,
        &foo(),
        &Expected {
            properties: vec!["SLSA_BUILD_LEVEL_3".into()],
            ..Expected::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("SLSA_BUILD_LEVEL_3"), "{e}");
    // Another resource; an SVR names none.
    let other = Expected {
        resource_uri: Some("https://example.org/bar".into()),
        ..Expected::default()
    };
    let e = check_summary(&bytes(&vsa(true), "alice"), &keys, &foo(), &other).unwrap_err();
    assert!(e.to_string().contains("https://example.org/foo"), "{e}");
    let e = check_summary(&good, &keys, &foo(), &other).unwrap_err();
    assert!(matches!(e, CheckError::Resource { .. }), "{e}");
    let foo_uri = Expected {
        resource_uri: Some("https://example.org/foo".into()),
        ..Expected::default()
    };
    assert!(check_summary(&bytes(&vsa(true), "alice"), &keys, &foo(), &foo_uri).is_ok());
    // Not an envelope.
    let e = check_summary(b"{}", &keys, &foo(), &none).unwrap_err();
    assert!(matches!(e, CheckError::Envelope(_)), "{e}");
}

#[test]
fn a_summary_without_subjects_is_not_written() {
    let mut f = svr();
    f.subjects.clear();
    assert!(matches!(
        sign_summary(&f, &signer("alice")),
        Err(SummaryError::NoSubject)
    ));
}

#[test]
fn files_hash_to_their_sha256() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("foo");
    std::fs::write(&p, "print(\"Hello in-toto\")\n").unwrap();
    assert_eq!(file_sha256(&p).unwrap().len(), 64);
    let e = file_sha256(&d.path().join("missing")).unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
}
