use std::fs;

use sha2::{Digest as _, Sha256};

use super::*;
use intoto::keys::pem::PemSigner;
use intoto::keys::{Signer, sign_envelope, verifier};
use intoto_format::models::rule::ArtifactRule;
use intoto_format::models::{Envelope, Inspection, Layout, Link, Step};

const NOW: i64 = 1_800_000_000;

fn signer(name: &str) -> PemSigner {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys");
    PemSigner::from_file(format!("{keys}/{name}.pem"), None).unwrap()
}

fn rules(rs: &[&str]) -> Vec<ArtifactRule> {
    rs.iter()
        .map(|r| ArtifactRule::from_str_rule(r).unwrap())
        .collect()
}

fn hello() -> DebInfo {
    DebInfo {
        package: "hello".into(),
        version: "1:2.10-3".into(),
        architecture: "amd64".into(),
        source: "hello".into(),
        source_version: "1:2.10-3".into(),
    }
}

/// A layout as a distribution writes it: rebuilders bob and carl, the
/// given threshold, and an inspection matching the package with what
/// they rebuilt.
struct Setup {
    dir: tempfile::TempDir,
    bob: PemSigner,
    carl: PemSigner,
}

impl Setup {
    fn new(threshold: i64, inspect_run: &[&str]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
        let layout = Layout {
            expires: "2030-01-01T00:00:00Z".into(),
            readme: String::new(),
            keys: [&bob, &carl]
                .iter()
                .map(|k| (k.keyid().to_owned(), k.public_key().clone()))
                .collect(),
            steps: vec![Step {
                name: "rebuild".into(),
                pubkeys: vec![bob.keyid().to_owned(), carl.keyid().to_owned()],
                threshold,
                expected_command: vec![],
                expected_materials: vec![],
                expected_products: rules(&["CREATE {DEB}", "DISALLOW *"]),
                nulls: Default::default(),
            }],
            inspect: vec![Inspection {
                name: "verify-reprobuilds".into(),
                run: inspect_run.iter().map(|s| s.to_string()).collect(),
                expected_materials: rules(&[
                    "MATCH {PACKAGE}_*_{ARCHITECTURE}.deb WITH PRODUCTS FROM rebuild",
                    "DISALLOW *",
                ]),
                expected_products: rules(&["ALLOW *"]),
                nulls: Default::default(),
            }],
            nulls: Default::default(),
        };
        let mut env = Envelope::new(Signed::Layout(layout), false).unwrap();
        sign_envelope(&mut env, &alice).unwrap();
        fs::write(dir.path().join("root.layout"), env.to_file_bytes().unwrap()).unwrap();
        fs::write(dir.path().join("hello.deb"), b"the package bytes").unwrap();
        Setup { dir, bob, carl }
    }

    fn checker(&self) -> Checker {
        self.checker_signed_by("alice").unwrap()
    }

    fn checker_signed_by(&self, owner: &str) -> Result<Checker, CheckerError> {
        let k = signer(owner);
        let keys = vec![LayoutKey::required(
            verifier(k.public_key(), &Policy::at(NOW)),
            format!("{owner}.pub"),
        )];
        Ok(
            Checker::new(&self.dir.path().join("root.layout"), keys, &Policy::at(NOW))?
                .with_temp_dir(self.dir.path().to_owned()),
        )
    }

    fn deb(&self) -> Target {
        Target::File(self.dir.path().join("hello.deb"))
    }

    /// A rebuilder's link: it rebuilt `bytes` as the package.
    fn link(&self, by: &PemSigner, bytes: &[u8]) -> (String, Vec<u8>) {
        self.named_link(by, bytes, "rebuild")
    }

    /// The same, its step named `name`.
    fn named_link(&self, by: &PemSigner, bytes: &[u8], name: &str) -> (String, Vec<u8>) {
        let products = [(
            "hello_2.10-3_amd64.deb",
            HashDict::sha256(Sha256::digest(bytes).into()),
        )]
        .into_iter()
        .collect();
        let link = Link {
            name: name.into(),
            products,
            ..Default::default()
        };
        let mut env = Envelope::new(Signed::Link(link), false).unwrap();
        sign_envelope(&mut env, by).unwrap();
        (
            format!("https://{}", by.keyid()),
            env.to_file_bytes().unwrap(),
        )
    }

    fn leftovers(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

const GOOD: &[u8] = b"the package bytes";

#[test]
fn both_rebuilders_agree_with_the_package() {
    let s = Setup::new(2, &["true"]);
    let c = s.checker();
    assert_eq!(c.signers().len(), 1);
    let links = [s.link(&s.bob, GOOD), s.link(&s.carl, GOOD)];
    assert_eq!(c.check(&hello(), s.deb(), &links), Verdict::Verified);
    // The private directories are gone.
    assert_eq!(s.leftovers(), ["hello.deb", "root.layout"]);
    // The same, by digest (no file), as a package index gives it.
    let digest = Target::Digest {
        sha256: hex::encode(Sha256::digest(GOOD)),
        file_name: "hello_2.10-3_amd64.deb".into(),
    };
    assert_eq!(c.digest_unjudgeable(), None);
    assert_eq!(c.check(&hello(), digest, &links), Verdict::Verified);
}

#[test]
fn a_package_that_differs_from_the_rebuilds_fails() {
    let s = Setup::new(2, &["/usr/bin/true"]);
    let c = s.checker();
    let links = [s.link(&s.bob, b"other"), s.link(&s.carl, b"other")];
    let Verdict::Failed(why) = c.check(&hello(), s.deb(), &links) else {
        panic!()
    };
    assert!(why.contains("hello_2.10-3_amd64.deb"), "{why}");
    assert!(why.contains("(inspection rules)"), "{why}");
    let digest = Target::Digest {
        sha256: hex::encode(Sha256::digest(GOOD)),
        file_name: "hello_2.10-3_amd64.deb".into(),
    };
    assert!(matches!(
        c.check(&hello(), digest, &links),
        Verdict::Failed(_)
    ));
    // Rebuilders that disagree with each other: contradicting too.
    let links = [s.link(&s.bob, GOOD), s.link(&s.carl, b"other")];
    let Verdict::Failed(why) = c.check(&hello(), s.deb(), &links) else {
        panic!()
    };
    assert!(why.contains("(threshold agreement)"), "{why}");
}

#[test]
fn too_few_links_is_missing_evidence() {
    let s = Setup::new(2, &["true"]);
    let c = s.checker();
    let Verdict::MissingEvidence(why) = c.check(&hello(), s.deb(), &[s.link(&s.bob, GOOD)]) else {
        panic!()
    };
    assert!(
        why.contains("step 'rebuild' needs 2 link files, found 1"),
        "{why}"
    );
    assert!(matches!(
        c.check(&hello(), s.deb(), &[]),
        Verdict::MissingEvidence(_)
    ));
    // What is not a link is no evidence, and the reason says so.
    let junk = ("https://junk".to_owned(), b"<html>".to_vec());
    let Verdict::MissingEvidence(why) = c.check(&hello(), s.deb(), &[s.link(&s.bob, GOOD), junk])
    else {
        panic!()
    };
    assert!(
        why.contains("rebuilder https://junk: not in-toto metadata"),
        "{why}"
    );
    // A link by a key the layout does not know: not looked for.
    let alice = signer("alice");
    assert!(matches!(
        c.check(
            &hello(),
            s.deb(),
            &[s.link(&s.bob, GOOD), s.link(&alice, GOOD)]
        ),
        Verdict::MissingEvidence(_)
    ));
}

#[test]
fn a_bad_signature_contradicts() {
    let s = Setup::new(1, &["true"]);
    let c = s.checker();
    let (r, bytes) = s.link(&s.bob, GOOD);
    let forged = String::from_utf8(bytes).unwrap().replacen(
        "\"_type\": \"link\"",
        "\"_type\": \"link\", \"added\": 1",
        1,
    );
    assert!(forged.contains("added"));
    let Verdict::Failed(why) = c.check(&hello(), s.deb(), &[(r, forged.into_bytes())]) else {
        panic!()
    };
    assert!(why.contains("(link signatures)"), "{why}");
}

#[test]
fn a_layout_not_signed_by_the_key_is_refused_once() {
    let s = Setup::new(1, &["true"]);
    let Err(e) = s.checker_signed_by("bob") else {
        panic!()
    };
    assert!(matches!(e, CheckerError::Refused { .. }), "{e}");
    assert!(e.to_string().contains("(layout signatures)"), "{e}");
    let keys = vec![LayoutKey::required(
        verifier(signer("alice").public_key(), &Policy::at(NOW)),
        "alice.pub",
    )];
    let Err(e) = Checker::new(&s.dir.path().join("nope.layout"), keys, &Policy::at(NOW)) else {
        panic!()
    };
    assert!(e.to_string().starts_with("layout "), "{e}");
}

#[test]
fn an_expired_layout_fails_every_package() {
    let s = Setup::new(1, &["true"]);
    let mut c = s.checker();
    c.set_policy(&Policy::at(2_000_000_000));
    let Verdict::Failed(why) = c.check(&hello(), s.deb(), &[s.link(&s.bob, GOOD)]) else {
        panic!()
    };
    assert!(why.contains("(layout expiry)"), "{why}");
}

#[test]
fn a_digest_cannot_be_judged_by_a_real_inspection() {
    let s = Setup::new(1, &["sh", "-c", "exit 0"]);
    let c = s.checker();
    assert!(
        c.digest_unjudgeable()
            .is_some_and(|w| w.contains("runs 'sh -c exit 0'"))
    );
    let digest = Target::Digest {
        sha256: hex::encode(Sha256::digest(GOOD)),
        file_name: "hello_2.10-3_amd64.deb".into(),
    };
    assert!(matches!(
        c.check(&hello(), digest, &[s.link(&s.bob, GOOD)]),
        Verdict::Failed(_)
    ));
    // The file itself: the inspection runs.
    assert_eq!(
        c.check(&hello(), s.deb(), &[s.link(&s.bob, GOOD)]),
        Verdict::Verified
    );
}

/// rebuilderd names the step of its links `rebuild <artifact>`: they count
/// for the step `rebuild`; a name that merely starts with a step's does not.
#[test]
fn rebuilderds_step_names_count_for_their_step() {
    let s = Setup::new(2, &["true"]);
    let c = s.checker();
    let links = [
        s.named_link(&s.bob, GOOD, "rebuild hello_2.10-3_amd64.deb"),
        s.named_link(&s.carl, GOOD, "rebuild hello_2.10-3_amd64.deb"),
    ];
    assert_eq!(c.check(&hello(), s.deb(), &links), Verdict::Verified);
    let links = [
        s.named_link(&s.bob, GOOD, "rebuilder"),
        s.named_link(&s.carl, GOOD, "rebuild"),
    ];
    assert!(matches!(
        c.check(&hello(), s.deb(), &links),
        Verdict::MissingEvidence(_)
    ));
}

/// A layout whose inspections are all `true` judges a file from its
/// digest (no directory, no process): the same verdicts, stage for
/// stage, as a real command that does nothing; a name the recording
/// leaves out (`*.link*`) is still placed and recorded.
#[test]
fn a_true_inspection_judges_as_running_one_would() {
    let t = Setup::new(2, &["true"]);
    let r = Setup::new(2, &["sh", "-c", "exit 0"]);
    let (tc, rc) = (t.checker(), r.checker());
    let cases = [
        [GOOD, GOOD],
        [b"other".as_slice(), b"other".as_slice()],
        [GOOD, b"other".as_slice()],
    ];
    for [a, b] in cases {
        for n in [1, 2] {
            let links = |s: &Setup| [s.link(&s.bob, a), s.link(&s.carl, b)][..n].to_vec();
            let fast = tc.judge(&hello(), t.deb(), &links(&t));
            let slow = rc.judge(&hello(), r.deb(), &links(&r));
            assert_eq!(fast.stage, slow.stage, "{fast:?} {slow:?}");
            assert_eq!(
                std::mem::discriminant(&fast.verdict),
                std::mem::discriminant(&slow.verdict),
                "{fast:?} {slow:?}"
            );
        }
    }
    assert_eq!(t.leftovers(), ["hello.deb", "root.layout"]);
    // Named `….link.deb`: placed and recorded as for a real command (the
    // recording leaves such a name out either way).
    let named = |s: &Setup| Target::Named {
        path: s.dir.path().join("hello.deb"),
        file_name: "hello_2.10-3_amd64.link.deb".into(),
    };
    let named_link = |by: &PemSigner| {
        let products = [(
            "hello_2.10-3_amd64.link.deb",
            HashDict::sha256(Sha256::digest(GOOD).into()),
        )]
        .into_iter()
        .collect();
        let link = Link {
            name: "rebuild".into(),
            products,
            ..Default::default()
        };
        let mut env = Envelope::new(Signed::Link(link), false).unwrap();
        sign_envelope(&mut env, by).unwrap();
        (
            format!("https://{}", by.keyid()),
            env.to_file_bytes().unwrap(),
        )
    };
    let fast = tc.judge(
        &hello(),
        named(&t),
        &[named_link(&t.bob), named_link(&t.carl)],
    );
    let slow = rc.judge(
        &hello(),
        named(&r),
        &[named_link(&r.bob), named_link(&r.carl)],
    );
    assert_eq!(fast, slow);
}
