//! The public attestations among the third-party cases (testdata/thirdparty,
//! `attestation-*`, `dsse-*` and `gittuf-*`; `thirdparty.rs` runs them as
//! it runs every case): each real DSSE signature checked on its own
//! through `keys::verify_attestation` with the key the case's layout
//! lists, and `verify` refusing each envelope at the stage, and for the
//! reason, its shape calls for: a Statement that is not a link attestation
//! only after its signature verified, a signature that does not verify
//! before its payload is read, a foreign payload type when the file is
//! loaded.

use std::fs;
use std::path::{Path, PathBuf};

use intoto::keys::{verifier, verify_attestation};
use intoto::policy::Policy;
use intoto_format::models::attestation::AttestationEnvelope;
use intoto_format::models::{Envelope, Signed};

use crate::common::{bin, run_in_case_copy, testdata};

/// 2026-01-01: after every key here was made (none expires).
const NOW: i64 = 1_767_225_600;

/// attestation-verifier's test data, signed by its Ed25519 key: the step
/// each case's layout names and what `verify` must say of it.
const ATTESTATION_VERIFIER: [(&str, &str, &str); 5] = [
    (
        "attestation-verifier-clone-type-member",
        "clone",
        "the statement has \"type\", which is not the Statement v1 \"_type\"",
    ),
    (
        "attestation-verifier-test-result",
        "test",
        "got \"https://in-toto.io/attestation/test-result/v0.1\"",
    ),
    (
        "attestation-verifier-slsa-provenance",
        "build",
        "got \"https://slsa.dev/provenance/v1\"",
    ),
    (
        "attestation-verifier-npm-statement-v01",
        "publish",
        "got \"https://in-toto.io/Statement/v0.1\"",
    ),
    (
        "attestation-verifier-npm-provenance-v01",
        "build",
        "got \"https://in-toto.io/Statement/v0.1\"",
    ),
];

fn case(id: &str) -> PathBuf {
    let dir = testdata().join("thirdparty").join(id);
    assert!(dir.join("case.json").is_file(), "{id}: case missing");
    dir
}

/// The one link file of a case and the one key its layout lists.
fn envelope_and_key(dir: &Path) -> (AttestationEnvelope, intoto_format::models::KeyDict) {
    let links: Vec<PathBuf> = fs::read_dir(dir.join("links"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(links.len(), 1, "{}: one link expected", dir.display());
    let env = AttestationEnvelope::from_slice(&fs::read(&links[0]).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", links[0].display()));
    let layout = Envelope::from_slice(&fs::read(dir.join("root.layout")).unwrap()).unwrap();
    let Signed::Layout(layout) = layout.signed() else {
        panic!("{}: root.layout is not a layout", dir.display())
    };
    assert_eq!(layout.keys.len(), 1);
    let key = layout.keys[0].1.clone();
    (env, key)
}

/// Runs the case's `intoto verify` in a scratch copy; its stderr.
fn verify_fails(id: &str) -> String {
    let dir = case(id);
    let meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
    let argv: Vec<String> = serde_json::from_value(meta["command"].clone()).unwrap();
    assert_eq!(argv[0], "in-toto-verify");
    let mut args = vec!["verify".to_owned()];
    args.extend(argv[1..].iter().cloned());
    let out = run_in_case_copy(&dir, &meta, &bin(), &args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{id}: {stderr}");
    assert!(!stderr.contains("panicked"), "{id}: {stderr}");
    stderr
}

#[test]
fn attestation_verifier_signatures_verify_as_written() {
    let policy = Policy::at(NOW);
    for (id, _, _) in ATTESTATION_VERIFIER {
        let (env, key) = envelope_and_key(&case(id));
        assert_eq!(env.payload_type, "application/vnd.in-toto+json", "{id}");
        verify_attestation(&env, verifier(&key, &policy).as_ref())
            .unwrap_or_else(|e| panic!("{id}: attestation-verifier's signature: {e}"));
    }
    let (env, key) = envelope_and_key(&case("attestation-verifier-clone-bad-signature"));
    assert!(verify_attestation(&env, verifier(&key, &policy).as_ref()).is_err());
}

#[test]
fn attestation_verifier_statements_are_refused_after_their_signature() {
    for (id, step, why) in ATTESTATION_VERIFIER {
        let stderr = verify_fails(id);
        let file = format!("{step}.fe1c6281.json");
        assert!(
            stderr.contains("(link signatures)")
                && stderr.contains(&format!("link attestation {file} is not valid"))
                && stderr.contains(why),
            "{id}: {stderr}"
        );
    }
    let stderr = verify_fails("attestation-verifier-clone-bad-signature");
    assert!(
        stderr.contains("clone.fe1c6281.json: invalid signature by key fe1c6281"),
        "{stderr}"
    );
    assert!(!stderr.contains("\"type\""), "payload read: {stderr}");
}

#[test]
fn attestation_spec_example_is_a_statement_but_not_a_link() {
    let id = "attestation-spec-test-result-example";
    let (env, key) = envelope_and_key(&case(id));
    verify_attestation(&env, verifier(&key, &Policy::at(NOW)).as_ref()).unwrap();
    let stderr = verify_fails(id);
    assert!(
        stderr.contains("test.f0d61b92.json is not valid")
            && stderr.contains("got \"https://in-toto.io/attestation/test-result/v0.1\""),
        "{stderr}"
    );
}

/// The DSSE spec's vector: `verify` refuses its payload type while loading
/// it; its ECDSA signature is raw r||s, which intoto's
/// `ecdsa-sha2-nistp256` (DER, as securesystemslib signs) does not read.
#[test]
fn dsse_spec_vector_is_refused_for_its_payload_type() {
    let id = "dsse-spec-test-vector";
    let (env, key) = envelope_and_key(&case(id));
    assert_eq!(env.payload, b"hello world");
    assert_eq!(env.payload_type, "http://example.com/HelloWorld");
    assert_eq!(
        env.pae(),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
    assert_eq!(env.signatures[0].sig.len(), 64, "raw r||s");
    let v = verifier(&key, &Policy::at(NOW));
    assert!(verify_attestation(&env, v.as_ref()).is_err());
    // The same r and s in DER: the key and the PAE are right.
    let mut der_env = env.clone();
    der_env.signatures[0].sig = der_ecdsa(&env.signatures[0].sig);
    verify_attestation(&der_env, v.as_ref()).unwrap();
    let stderr = verify_fails(id);
    assert!(
        stderr.contains("(link loading)")
            && stderr.contains("payloadType: expected \"application/vnd.in-toto+json\""),
        "{stderr}"
    );
}

/// A raw r||s ECDSA signature (two 32-byte integers) as a DER
/// `SEQUENCE { INTEGER r, INTEGER s }`.
fn der_ecdsa(raw: &[u8]) -> Vec<u8> {
    let int = |x: &[u8]| {
        let mut v: Vec<u8> = x.iter().copied().skip_while(|&b| b == 0).collect();
        if v.first().is_none_or(|&b| b & 0x80 != 0) {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    };
    let body = [int(&raw[..32]), int(&raw[32..])].concat();
    [vec![0x30, body.len() as u8], body].concat()
}

/// gittuf's own root metadata (its dogfooding policy ref): the RSA-PSS
/// signature verifies, and `verify` refuses the gittuf payload type.
#[test]
fn gittuf_root_metadata_verifies_and_is_refused_as_a_link() {
    let id = "gittuf-dogfood-root-metadata";
    let (env, key) = envelope_and_key(&case(id));
    assert_eq!(env.payload_type, "application/vnd.gittuf+json");
    verify_attestation(&env, verifier(&key, &Policy::at(NOW)).as_ref())
        .unwrap_or_else(|e| panic!("gittuf's signature: {e}"));
    let stderr = verify_fails(id);
    assert!(
        stderr.contains("(link loading)") && stderr.contains("got \"application/vnd.gittuf+json\""),
        "{stderr}"
    );
}

#[test]
fn attestation_verifier_yaml_layout_is_refused() {
    let stderr = verify_fails("attestation-verifier-yaml-layout");
    assert!(
        stderr.contains("layout ../layout.yml: not valid in-toto metadata"),
        "{stderr}"
    );
}
