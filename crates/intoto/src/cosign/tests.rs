//! Each co-signing decision, with the PEM test keys.

use std::path::Path;

use super::*;
use crate::keys::KeyDict;
use crate::keys::pem::PemSigner;
use crate::keys::{RawSignature, verifier, verify_envelope};
use crate::models::{Layout, Nulls};

const NOW: i64 = 1_800_000_000;
const FILE: &str = "root.layout";

fn signer(name: &str) -> PemSigner {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys");
    PemSigner::from_file(format!("{keys}/{name}.pem"), None).unwrap()
}

fn id(s: &PemSigner) -> String {
    s.keyid().to_owned()
}

fn layout(readme: &str, keys: &[&PemSigner]) -> Layout {
    let mut l = Layout {
        expires: "2030-01-01T00:00:00Z".into(),
        readme: readme.into(),
        keys: Vec::new(),
        steps: Vec::new(),
        inspect: Vec::new(),
        nulls: Nulls::default(),
    };
    for k in keys {
        l.set_key(k.public_key().clone());
    }
    l
}

fn envelope(l: Layout, dsse: bool) -> Envelope {
    Envelope::new(Signed::Layout(l), dsse).unwrap()
}

/// An unsigned layout (Metablock, or DSSE).
fn unsigned(dsse: bool) -> Envelope {
    envelope(layout("", &[]), dsse)
}

fn policy() -> Policy {
    Policy::at(NOW)
}

fn replace(env: &mut Envelope, signers: &[&dyn Signer]) -> Result<Report, CoSignError> {
    CoSign::replace(Path::new(FILE), &policy()).sign(env, signers)
}

/// The keys of `s`, as a `--signed-by` file.
fn signed_by(name: &str, s: &PemSigner) -> SignedBy {
    SignedBy::new(name, vec![verifier(s.public_key(), &policy())])
}

#[test]
fn the_first_signature_on_an_unsigned_layout() {
    let alice = signer("alice");
    let mut env = unsigned(false);
    let r = replace(&mut env, &[&alice]).unwrap();
    assert_eq!(
        r,
        Report {
            signed: vec![id(&alice)],
            ..Report::default()
        }
    );
    verify_envelope(&env, verifier(alice.public_key(), &policy()).as_ref()).unwrap();
}

#[test]
fn replacing_drops_other_keys_signatures_and_says_which() {
    let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
    let mut env = unsigned(false);
    replace(&mut env, &[&alice, &bob]).unwrap();
    let r = replace(&mut env, &[&carl, &bob]).unwrap();
    // Bob's signature is replaced by his new one, not lost.
    assert_eq!(r.dropped, [id(&alice)]);
    assert_eq!(r.signed, [id(&carl), id(&bob)]);
    assert!(r.kept.is_empty() && !r.first);
    assert_eq!(env.signature_keyids(), [id(&carl), id(&bob)]);
}

#[test]
fn appending_to_an_unsigned_layout_adds_the_first() {
    let alice = signer("alice");
    let mut env = unsigned(false);
    let r = CoSign::append(Path::new(FILE), &policy())
        .sign(&mut env, &[&alice])
        .unwrap();
    assert!(r.first);
    assert!(r.kept.is_empty() && r.dropped.is_empty());
    assert_eq!(env.signature_keyids(), [id(&alice)]);
}

#[test]
fn appending_keeps_what_verifies_with_the_signed_by_key() {
    for dsse in [false, true] {
        let (alice, bob) = (signer("alice"), signer("bob"));
        let mut env = unsigned(dsse);
        replace(&mut env, &[&alice]).unwrap();
        let r = CoSign::append(Path::new(FILE), &policy())
            .signed_by(signed_by("alice.pub", &alice))
            .sign(&mut env, &[&bob])
            .unwrap();
        assert_eq!(r.kept, [id(&alice)]);
        assert!(r.unchecked.is_empty() && r.dropped.is_empty() && !r.first);
        assert_eq!(env.signature_keyids(), [id(&alice), id(&bob)]);
        for k in [&alice, &bob] {
            verify_envelope(&env, verifier(k.public_key(), &policy()).as_ref()).unwrap();
        }
    }
}

#[test]
fn appending_checks_with_known_keys_and_the_layouts_own() {
    let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
    // Alice is a functionary of the layout she signs: her key is in it.
    let mut env = envelope(layout("", &[&alice]), false);
    replace(&mut env, &[&alice, &carl]).unwrap();
    let r = CoSign::append(Path::new(FILE), &policy())
        .known([verifier(carl.public_key(), &policy())])
        .sign(&mut env, &[&bob])
        .unwrap();
    assert!(r.unchecked.is_empty());
    assert_eq!(r.kept, [id(&alice), id(&carl)]);
}

#[test]
fn a_signature_without_a_known_key_is_kept_unchecked() {
    let (alice, bob) = (signer("alice"), signer("bob"));
    let mut env = unsigned(false);
    replace(&mut env, &[&alice]).unwrap();
    let r = CoSign::append(Path::new(FILE), &policy())
        .sign(&mut env, &[&bob])
        .unwrap();
    assert_eq!(r.unchecked, [id(&alice)]);
    assert_eq!(env.signature_keyids(), [id(&alice), id(&bob)]);
}

#[test]
fn a_key_signs_a_layout_once() {
    let (alice, bob) = (signer("alice"), signer("bob"));
    let mut env = unsigned(false);
    replace(&mut env, &[&alice]).unwrap();
    let before = env.to_file_bytes().unwrap();
    let e = CoSign::append(Path::new(FILE), &policy())
        .sign(&mut env, &[&bob, &alice])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "root.layout is already signed by key {}; a key signs a layout once",
            id(&alice)
        )
    );
    assert_eq!(env.to_file_bytes().unwrap(), before, "nothing signed");
}

#[test]
fn a_signed_by_key_that_made_no_signature_is_an_error() {
    let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
    let mut env = unsigned(false);
    replace(&mut env, &[&alice]).unwrap();
    let by_carl = |env: &mut Envelope| {
        CoSign::append(Path::new(FILE), &policy())
            .signed_by(signed_by("carl.pub", &carl))
            .sign(env, &[&bob])
            .unwrap_err()
    };
    let e = by_carl(&mut env);
    assert_eq!(
        e.to_string(),
        format!(
            "--signed-by carl.pub: no signature on root.layout is by its key {} \
             (it is signed by key {})",
            id(&carl),
            id(&alice)
        )
    );
    // On an unsigned layout it can be no one's.
    let mut env = unsigned(false);
    let e = by_carl(&mut env);
    assert_eq!(
        e.to_string(),
        format!(
            "--signed-by carl.pub: no signature on root.layout is by its key {} (it carries none yet)",
            id(&carl)
        )
    );
    assert!(env.signature_keyids().is_empty());
}

#[test]
fn appending_is_refused_when_a_signature_no_longer_verifies() {
    let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
    let mut signed = unsigned(false);
    replace(&mut signed, &[&alice, &carl]).unwrap();
    // Edited after signing: the old signatures over new content.
    let mut env = envelope(layout("edited", &[]), false);
    let (Envelope::Metablock(old), Envelope::Metablock(new)) = (&signed, &mut env) else {
        unreachable!()
    };
    new.signatures = old.signatures.clone();
    let before = env.to_file_bytes().unwrap();
    let e = CoSign::append(Path::new(FILE), &policy())
        .signed_by(signed_by("alice.pub", &alice))
        .sign(&mut env, &[&bob])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "root.layout: the existing signature(s) by {a} (invalid signature by key {a}) do not \
             verify over the current content (edited after signing?); refusing to append. Ask the \
             signers to sign again, or sign without --append to replace all signatures",
            a = id(&alice)
        )
    );
    let CoSignError::Stale { unchecked, .. } = e else {
        unreachable!()
    };
    assert_eq!(unchecked, [id(&carl)], "carl's key is not known here");
    assert_eq!(env.to_file_bytes().unwrap(), before);
    // Replacing is the way out.
    let r = replace(&mut env, &[&bob]).unwrap();
    assert_eq!(r.dropped, [id(&alice), id(&carl)]);
}

/// A signer whose backend fails.
struct Broken(KeyDict);

impl Signer for Broken {
    fn keyid(&self) -> &str {
        self.0.keyid()
    }
    fn public_key(&self) -> &KeyDict {
        &self.0
    }
    fn sign(&self, _: &[u8]) -> Result<RawSignature, SignError> {
        Err(SignError::Backend("the card was removed".into()))
    }
}

#[test]
fn a_failing_signer_is_the_backends_error() {
    let broken = Broken(signer("carl").public_key().clone());
    let mut env = unsigned(false);
    let e = replace(&mut env, &[&broken]).unwrap_err();
    assert!(matches!(e, CoSignError::Sign(_)));
    assert_eq!(e.to_string(), "the card was removed");
}

#[test]
fn owns_knows_the_key_id() {
    let alice = signer("alice");
    assert!(owns(&alice, &id(&alice)));
    assert!(!owns(&alice, &id(&signer("bob"))));
}

#[test]
fn replacing_its_own_signature_keeps_the_others() {
    let (alice, bob) = (signer("alice"), signer("bob"));
    let mut env = unsigned(false);
    replace(&mut env, &[&alice, &bob]).unwrap();
    let r = CoSign::append(Path::new(FILE), &policy())
        .signed_by(signed_by("bob.pub", &bob))
        .replace_own(true)
        .sign(&mut env, &[&alice])
        .unwrap();
    assert_eq!(r.replaced, [id(&alice)]);
    assert_eq!(r.kept, [id(&bob)]);
    assert_eq!(env.signature_keyids(), [id(&bob), id(&alice)]);
    for k in [&alice, &bob] {
        verify_envelope(&env, verifier(k.public_key(), &policy()).as_ref()).unwrap();
    }
}

/// Copies of one layout, each signed by one of `signers`.
fn copies(dsse: bool, signers: &[&PemSigner]) -> Vec<(std::path::PathBuf, Envelope)> {
    signers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut env = unsigned(dsse);
            replace(&mut env, &[*s]).unwrap();
            (format!("{i}.layout").into(), env)
        })
        .collect()
}

#[test]
fn merging_appends_in_order_and_drops_duplicates() {
    for dsse in [false, true] {
        let (alice, bob) = (signer("alice"), signer("bob"));
        let mut c = copies(dsse, &[&alice, &bob]);
        c.push(c[0].clone());
        c[2].0 = "2.layout".into();
        let keys = vec![verifier(alice.public_key(), &policy())];
        let (env, r) = merge(c, &keys, &policy()).unwrap();
        assert_eq!(env.signature_keyids(), [id(&alice), id(&bob)]);
        assert_eq!(r.added, [id(&bob)]);
        assert_eq!(r.duplicates.len(), 1);
        assert_eq!(r.unchecked, [id(&bob)]);
        for k in [&alice, &bob] {
            verify_envelope(&env, verifier(k.public_key(), &policy()).as_ref()).unwrap();
        }
    }
}

#[test]
fn merging_keeps_one_signature_per_key() {
    let alice = signer("alice");
    let mut c = copies(false, &[&alice, &alice]);
    // A second, different signature by the same key.
    if let Envelope::Metablock(m) = &mut c[1].1
        && let crate::models::Signature::Plain { extra, .. } = &mut m.signatures[0]
    {
        extra.insert("note", crate::json::Value::String("x".to_owned()));
    }
    let (env, r) = merge(c, &[], &policy()).unwrap();
    assert_eq!(env.signature_keyids(), [id(&alice)]);
    assert_eq!(r.same_key.len(), 1);
    assert_eq!(r.same_key[0].file, Path::new("1.layout"));
}

#[test]
fn merging_refuses_other_content_containers_and_bad_signatures() {
    let (alice, bob) = (signer("alice"), signer("bob"));
    let mut c = copies(false, &[&alice]);
    let mut other = envelope(layout("other", &[]), false);
    replace(&mut other, &[&bob]).unwrap();
    c.push(("other.layout".into(), other));
    let e = merge(c, &[], &policy()).unwrap_err();
    assert!(
        matches!(&e, MergeError::Differs { file, .. } if file == Path::new("other.layout")),
        "{e}"
    );

    let mut c = copies(false, &[&alice]);
    c.extend(copies(true, &[&bob]));
    let e = merge(c, &[], &policy()).unwrap_err();
    assert!(matches!(e, MergeError::Container { dsse: true, .. }), "{e}");

    // Bob's signature, moved onto a copy it was not made for.
    let mut c = copies(false, &[&alice, &bob]);
    let mut forged = envelope(layout("other", &[]), false);
    replace(&mut forged, &[&bob]).unwrap();
    if let (Envelope::Metablock(m), Envelope::Metablock(f)) = (&mut c[1].1, &forged) {
        m.signatures = f.signatures.clone();
    }
    let keys = vec![verifier(bob.public_key(), &policy())];
    let e = merge(c, &keys, &policy()).unwrap_err();
    assert!(
        matches!(&e, MergeError::Stale { file, keyid, .. } if file == Path::new("1.layout") && *keyid == id(&bob)),
        "{e}"
    );
    assert!(matches!(
        merge(copies(false, &[&alice]), &[], &policy()),
        Err(MergeError::TooFew)
    ));
}
