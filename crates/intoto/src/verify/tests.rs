//! Each stage of the pipeline, with an injected clock and PEM test keys.
#![allow(clippy::result_large_err)]

use std::fs;
use std::path::PathBuf;

use super::*;
use crate::json::Value;
use crate::keys::pem::PemSigner;
use crate::keys::{KeyDict, Signer, sign_envelope};
use crate::models::{
    Artifacts, Envelope, HashDict, Inspection, Layout, Link, Signed, Step, link_filename,
};
use crate::observe::Collect;
use crate::policy::Policy;

const NOW: i64 = 1_800_000_000;

fn signer(name: &str) -> PemSigner {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys");
    PemSigner::from_file(format!("{keys}/{name}.pem"), None).unwrap()
}

fn arts(items: &[(&str, u8)]) -> Artifacts {
    items
        .iter()
        .map(|(p, b)| (p.to_string(), HashDict::sha256([*b; 32])))
        .collect()
}

fn rule(s: &str) -> crate::models::rule::ArtifactRule {
    crate::models::rule::ArtifactRule::from_str_rule(s).unwrap()
}

fn step(
    name: &str,
    keys: &[&PemSigner],
    threshold: i64,
    materials: &[&str],
    products: &[&str],
) -> Step {
    Step {
        nulls: Default::default(),
        name: name.into(),
        pubkeys: keys.iter().map(|k| k.keyid().to_owned()).collect(),
        threshold,
        expected_command: vec![],
        expected_materials: materials.iter().map(|r| rule(r)).collect(),
        expected_products: products.iter().map(|r| rule(r)).collect(),
    }
}

fn layout(keys: &[&PemSigner], steps: Vec<Step>, inspect: Vec<Inspection>) -> Layout {
    Layout {
        nulls: Default::default(),
        expires: "2030-01-01T00:00:00Z".into(),
        readme: String::new(),
        keys: keys
            .iter()
            .map(|k| (k.keyid().to_owned(), k.public_key().clone()))
            .collect(),
        steps,
        inspect,
    }
}

fn signed(s: Signed, by: &[&PemSigner]) -> Envelope {
    let mut env = Envelope::new(s, false).unwrap();
    for k in by {
        sign_envelope(&mut env, *k).unwrap();
    }
    env
}

struct Chain {
    dir: tempfile::TempDir,
}

impl Chain {
    fn new() -> Chain {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("links")).unwrap();
        fs::create_dir_all(dir.path().join("work")).unwrap();
        Chain { dir }
    }
    fn links(&self) -> PathBuf {
        self.dir.path().join("links")
    }
    fn add_link(&self, step: &str, by: &PemSigner, materials: Artifacts, products: Artifacts) {
        let link = Link {
            name: step.into(),
            materials,
            products,
            ..Default::default()
        };
        let env = signed(Signed::Link(link), &[by]);
        fs::write(
            self.links().join(link_filename(step, by.keyid())),
            env.to_file_bytes().unwrap(),
        )
        .unwrap();
    }
    fn opts(&self, now: i64) -> VerifyOptions {
        VerifyOptions::new(self.links())
            .policy(Policy::at(now))
            .work_dir(self.dir.path().join("work"))
    }
    fn verify(&self, l: &Envelope, owners: &[&PemSigner], now: i64) -> Result<Link, Failure> {
        self.verify_with(l, owners, &self.opts(now))
    }
    fn verify_with(
        &self,
        l: &Envelope,
        owners: &[&PemSigner],
        opts: &VerifyOptions,
    ) -> Result<Link, Failure> {
        let keys: Vec<LayoutKey> = owners
            .iter()
            .map(|k| {
                LayoutKey::required(
                    crate::keys::verifier(k.public_key(), &Policy::at(NOW)),
                    "test",
                )
            })
            .collect();
        verify(l, &keys, opts, &mut Collect::default())
    }
}

fn stage(r: Result<Link, Failure>) -> Stage {
    r.expect_err("verification should fail").stage
}

#[test]
fn layout_signatures_need_every_given_key() {
    let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
    let c = Chain::new();
    let l = signed(Signed::Layout(layout(&[], vec![], vec![])), &[&alice]);
    assert!(c.verify(&l, &[&alice], NOW).is_ok());
    assert_eq!(
        stage(c.verify(&l, &[&alice, &bob], NOW)),
        Stage::LayoutSignatures
    );
    assert_eq!(stage(c.verify(&l, &[], NOW)), Stage::LayoutSignatures);
    let both = signed(Signed::Layout(layout(&[], vec![], vec![])), &[&alice, &bob]);
    assert!(c.verify(&both, &[&alice, &bob], NOW).is_ok());
    assert!(c.verify(&both, &[&bob], NOW).is_ok());
    // A tampered layout fails for its signer.
    let Envelope::Metablock(m) = &both else {
        panic!("a Metablock")
    };
    let Signed::Layout(mut l) = m.signed().clone() else {
        panic!("a layout")
    };
    l.readme = "changed".into();
    let mut t = crate::models::Metablock::new(Signed::Layout(l)).unwrap();
    t.signatures = m.signatures.clone();
    let tampered = Envelope::Metablock(t);
    assert_eq!(
        stage(c.verify(&tampered, &[&carl], NOW)),
        Stage::LayoutSignatures
    );
    assert_eq!(
        stage(c.verify(&tampered, &[&alice], NOW)),
        Stage::LayoutSignatures
    );
}

#[test]
fn expiry_is_judged_at_the_injected_time() {
    let alice = signer("alice");
    let c = Chain::new();
    let l = signed(Signed::Layout(layout(&[], vec![], vec![])), &[&alice]);
    let exp = crate::models::parse_expires("2030-01-01T00:00:00Z").unwrap();
    assert!(c.verify(&l, &[&alice], exp - 1).is_ok());
    assert_eq!(stage(c.verify(&l, &[&alice], exp)), Stage::LayoutExpiry);
}

#[test]
fn links_are_found_by_file_name_and_counted_by_key_material() {
    let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
    let c = Chain::new();
    let l = signed(
        Signed::Layout(layout(
            &[&bob, &carl],
            vec![step("build", &[&bob, &carl], 2, &[], &[])],
            vec![],
        )),
        &[&alice],
    );
    assert_eq!(stage(c.verify(&l, &[&alice], NOW)), Stage::LinkLoading);
    c.add_link("build", &bob, arts(&[]), arts(&[("a", 1)]));
    // One file for a threshold of two: fails before any signature check.
    assert_eq!(stage(c.verify(&l, &[&alice], NOW)), Stage::LinkLoading);
    // carl's file signed by bob: skipped (no signature by carl), 1 of 2.
    let link = Link {
        name: "build".into(),
        products: arts(&[("a", 1)]),
        ..Default::default()
    };
    fs::write(
        c.links().join(link_filename("build", carl.keyid())),
        signed(Signed::Link(link), &[&bob]).to_file_bytes().unwrap(),
    )
    .unwrap();
    let f = c.verify(&l, &[&alice], NOW).unwrap_err();
    assert_eq!(f.stage, Stage::LinkSignatures);
    assert_eq!(f.skipped_links.len(), 1, "{f}");
    c.add_link("build", &carl, arts(&[]), arts(&[("a", 1)]));
    assert!(c.verify(&l, &[&alice], NOW).is_ok());
    // Different artifacts with threshold 2.
    c.add_link("build", &carl, arts(&[]), arts(&[("a", 2)]));
    assert_eq!(
        stage(c.verify(&l, &[&alice], NOW)),
        Stage::ThresholdArtifacts
    );
}

#[test]
fn the_same_key_under_two_ids_counts_once() {
    let (alice, bob) = (signer("alice"), signer("bob"));
    // bob's key again, under its legacy id (keyid_hash_algorithms hashed in).
    let KeyDict::Sslib(k) = bob.public_key() else {
        panic!()
    };
    let mut legacy = match k.to_value() {
        Value::Object(o) => o,
        _ => unreachable!(),
    };
    legacy.remove("keyid");
    legacy.insert(
        "keyid_hash_algorithms",
        Value::Array(vec!["sha256".into(), "sha512".into()]),
    );
    let legacy_id = crate::keys::sslib_keyid(&legacy);
    legacy.insert("keyid", legacy_id.clone().into());
    let mut lay = layout(&[&bob], vec![], vec![]);
    let legacy_key = KeyDict::from_value("keys", &legacy_id, &Value::Object(legacy)).unwrap();
    lay.set_key(legacy_key);
    let mut s = step("build", &[&bob], 2, &[], &[]);
    s.pubkeys.push(legacy_id.clone());
    lay.steps.push(s);
    let c = Chain::new();
    let l = signed(Signed::Layout(lay), &[&alice]);
    c.add_link("build", &bob, arts(&[]), arts(&[]));
    // The same link under the legacy id's file name: two files, one key.
    fs::copy(
        c.links().join(link_filename("build", bob.keyid())),
        c.links().join(link_filename("build", &legacy_id)),
    )
    .unwrap();
    let f = c.verify(&l, &[&alice], NOW).unwrap_err();
    assert_eq!(f.stage, Stage::LinkSignatures, "{f}");
}

#[test]
fn step_rules_name_the_artifact() {
    let (alice, bob) = (signer("alice"), signer("bob"));
    let c = Chain::new();
    let steps = vec![
        step("clone", &[&bob], 1, &[], &["CREATE src/*", "DISALLOW *"]),
        step(
            "build",
            &[&bob],
            1,
            &["MATCH src/* WITH PRODUCTS FROM clone", "DISALLOW *"],
            &[],
        ),
    ];
    let l = signed(Signed::Layout(layout(&[&bob], steps, vec![])), &[&alice]);
    c.add_link("clone", &bob, arts(&[]), arts(&[("src/a.c", 1)]));
    c.add_link("build", &bob, arts(&[("src/a.c", 1)]), arts(&[]));
    assert!(c.verify(&l, &[&alice], NOW).is_ok());
    c.add_link("build", &bob, arts(&[("src/a.c", 9)]), arts(&[]));
    let f = c.verify(&l, &[&alice], NOW).unwrap_err();
    assert_eq!(f.stage, Stage::StepRules);
    assert_eq!(f.step.as_deref(), Some("build"));
    assert!(
        f.message.contains("src/a.c") && f.message.contains("digest differs"),
        "{f}"
    );
}

#[test]
fn substitution_fills_placeholders_only_when_asked() {
    let (alice, bob) = (signer("alice"), signer("bob"));
    let c = Chain::new();
    let steps = vec![step(
        "clone",
        &[&bob],
        1,
        &[],
        &["CREATE {P}/*", "DISALLOW *"],
    )];
    let l = signed(Signed::Layout(layout(&[&bob], steps, vec![])), &[&alice]);
    c.add_link("clone", &bob, arts(&[]), arts(&[("proj/a", 1)]));
    assert_eq!(stage(c.verify(&l, &[&alice], NOW)), Stage::StepRules);
    let o = c.opts(NOW).params([("P", "proj")]);
    assert!(c.verify_with(&l, &[&alice], &o).is_ok());
    let o = c.opts(NOW).params([("Q", "proj")]);
    assert_eq!(stage(c.verify_with(&l, &[&alice], &o)), Stage::Substitution);
}

#[test]
fn inspections_run_in_the_work_dir_and_fail_on_bad_exits() {
    let alice = signer("alice");
    let c = Chain::new();
    fs::write(c.dir.path().join("work/product.txt"), "p").unwrap();
    let insp = |run: &[&str], products: &[&str]| Inspection {
        nulls: Default::default(),
        name: "check".into(),
        run: run.iter().map(|s| s.to_string()).collect(),
        expected_materials: vec![rule("ALLOW product.txt"), rule("DISALLOW *")],
        expected_products: products.iter().map(|r| rule(r)).collect(),
    };
    let ok = signed(
        Signed::Layout(layout(
            &[],
            vec![],
            vec![insp(
                &["touch", "new.txt"],
                &["CREATE new.txt", "ALLOW product.txt", "DISALLOW *"],
            )],
        )),
        &[&alice],
    );
    assert!(c.verify(&ok, &[&alice], NOW).is_ok());
    let fails = signed(
        Signed::Layout(layout(&[], vec![], vec![insp(&["false"], &[])])),
        &[&alice],
    );
    let f = c.verify(&fails, &[&alice], NOW).unwrap_err();
    assert_eq!(
        (f.stage, f.inspection.as_deref()),
        (Stage::Inspections, Some("check"))
    );
    let missing = signed(
        Signed::Layout(layout(
            &[],
            vec![],
            vec![insp(&["intoto-no-such-program"], &[])],
        )),
        &[&alice],
    );
    assert!(
        c.verify(&missing, &[&alice], NOW)
            .unwrap_err()
            .message
            .contains("not found")
    );
    // Link files in the work dir are not recorded; other files are.
    fs::write(c.dir.path().join("work/x.link"), "{}").unwrap();
    let mut strict = insp(
        &["true"],
        &["ALLOW product.txt", "ALLOW new.txt", "DISALLOW *"],
    );
    strict.expected_materials = strict.expected_products.clone();
    let strict = signed(Signed::Layout(layout(&[], vec![], vec![strict])), &[&alice]);
    assert!(c.verify(&strict, &[&alice], NOW).is_ok());
    fs::write(c.dir.path().join("work/.hidden~"), "smuggled").unwrap();
    assert_eq!(
        stage(c.verify(&strict, &[&alice], NOW)),
        Stage::InspectionRules
    );
}

#[test]
fn sublayouts_recurse_and_their_inspections_need_permission() {
    let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
    let c = Chain::new();
    // bob signs a sublayout for step "build", whose own step is done by carl.
    let inner_insp = Inspection {
        nulls: Default::default(),
        name: "peek".into(),
        run: vec!["true".into()],
        expected_materials: vec![],
        expected_products: vec![],
    };
    let inner = |insp: Vec<Inspection>| {
        signed(
            Signed::Layout(layout(
                &[&carl],
                vec![step("compile", &[&carl], 1, &[], &[])],
                insp,
            )),
            &[&bob],
        )
    };
    let root = signed(
        Signed::Layout(layout(
            &[&bob],
            vec![step(
                "build",
                &[&bob],
                1,
                &[],
                &["CREATE out", "DISALLOW *"],
            )],
            vec![],
        )),
        &[&alice],
    );
    fs::write(
        c.links().join(link_filename("build", bob.keyid())),
        inner(vec![]).to_file_bytes().unwrap(),
    )
    .unwrap();
    let sub_dir = c.links().join(format!("build.{}", &bob.keyid()[..8]));
    fs::create_dir_all(&sub_dir).unwrap();
    let link = Link {
        name: "compile".into(),
        products: arts(&[("out", 3)]),
        ..Default::default()
    };
    fs::write(
        sub_dir.join(link_filename("compile", carl.keyid())),
        signed(Signed::Link(link), &[&carl])
            .to_file_bytes()
            .unwrap(),
    )
    .unwrap();
    let summary = c.verify(&root, &[&alice], NOW).unwrap();
    assert!(summary.materials.is_empty());
    fs::write(
        c.links().join(link_filename("build", bob.keyid())),
        inner(vec![inner_insp]).to_file_bytes().unwrap(),
    )
    .unwrap();
    let f = c.verify(&root, &[&alice], NOW).unwrap_err();
    assert_eq!(f.stage, Stage::Inspections);
    assert!(
        f.message.contains("--allow-sublayout-inspections") && !f.sublayouts.is_empty(),
        "{f}"
    );
    let o = c.opts(NOW).allow_sublayout_inspections(true);
    assert!(c.verify_with(&root, &[&alice], &o).is_ok());
}

#[test]
fn sublayout_nesting_is_bounded() {
    let bob = signer("bob");
    let alice = signer("alice");
    let c = Chain::new();
    // A sublayout that names itself: every level finds the same file one
    // directory deeper.
    let me = signed(
        Signed::Layout(layout(
            &[&bob],
            vec![step("s", &[&bob], 1, &[], &[])],
            vec![],
        )),
        &[&bob],
    );
    let mut dir = c.links();
    for _ in 0..=MAX_SUBLAYOUT_DEPTH + 1 {
        fs::write(
            dir.join(link_filename("s", bob.keyid())),
            me.to_file_bytes().unwrap(),
        )
        .unwrap();
        dir = dir.join(format!("s.{}", &bob.keyid()[..8]));
        fs::create_dir_all(&dir).unwrap();
    }
    let f = c
        .verify(&root_of_s(&alice, &bob), &[&alice], NOW)
        .unwrap_err();
    assert_eq!(f.stage, Stage::Sublayouts, "{f}");
}

/// A root layout, signed by `owner`, of one step "s" performed by `by`.
fn root_of_s(owner: &PemSigner, by: &PemSigner) -> Envelope {
    signed(
        Signed::Layout(layout(&[by], vec![step("s", &[by], 1, &[], &[])], vec![])),
        &[owner],
    )
}

/// Sublayouts in distinct directories (no loop): four steps each, five
/// levels, 341 in all, more than one verification may verify.
#[test]
fn sublayouts_are_bounded_per_verification() {
    let (alice, bob) = (signer("alice"), signer("bob"));
    let c = Chain::new();
    let names = ["a", "b", "c", "d"];
    let sub = signed(
        Signed::Layout(layout(
            &[&bob],
            names
                .iter()
                .map(|n| step(n, &[&bob], 1, &[], &[]))
                .collect(),
            vec![],
        )),
        &[&bob],
    )
    .to_file_bytes()
    .unwrap();
    let plain = |n: &str| {
        let link = Link {
            name: n.into(),
            ..Default::default()
        };
        signed(Signed::Link(link), &[&bob]).to_file_bytes().unwrap()
    };
    let kid = &bob.keyid()[..8];
    // Level 1 is the root's step "s"; levels 2 to 5 the four steps of each.
    fs::write(c.links().join(link_filename("s", bob.keyid())), &sub).unwrap();
    let mut dirs = vec![c.links().join(format!("s.{kid}"))];
    for depth in 2..=6 {
        let mut next = Vec::new();
        for d in &dirs {
            fs::create_dir_all(d).unwrap();
            for n in names {
                let bytes = if depth <= 5 { sub.clone() } else { plain(n) };
                fs::write(d.join(link_filename(n, bob.keyid())), bytes).unwrap();
                next.push(d.join(format!("{n}.{kid}")));
            }
        }
        dirs = next;
    }
    let f = c
        .verify(&root_of_s(&alice, &bob), &[&alice], NOW)
        .unwrap_err();
    assert_eq!(f.stage, Stage::Sublayouts, "{f}");
    assert!(f.message.contains("more than 256 sublayouts"), "{f}");
}

#[test]
fn a_fifo_under_a_link_name_fails_instead_of_hanging() {
    let (alice, bob) = (signer("alice"), signer("bob"));
    let c = Chain::new();
    let l = signed(
        Signed::Layout(layout(
            &[&bob],
            vec![step("s", &[&bob], 1, &[], &[])],
            vec![],
        )),
        &[&alice],
    );
    let fifo = c.links().join(link_filename("s", bob.keyid()));
    let cpath = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    #[allow(unsafe_code)]
    // SAFETY: a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(cpath.as_ptr(), 0o644) };
    assert_eq!(rc, 0);
    let f = c.verify(&l, &[&alice], NOW).unwrap_err();
    assert_eq!(f.stage, Stage::LinkLoading);
    assert!(f.message.contains("not a regular file"), "{f}");
}

#[test]
fn inspections_fail_on_products_that_cannot_be_hashed() {
    let alice = signer("alice");
    let c = Chain::new();
    let insp = Inspection {
        nulls: Default::default(),
        name: "mkfifo".into(),
        run: vec!["mkfifo".into(), "pipe".into()],
        expected_materials: vec![],
        expected_products: vec![rule("ALLOW *")],
    };
    let l = signed(Signed::Layout(layout(&[], vec![], vec![insp])), &[&alice]);
    let f = c.verify(&l, &[&alice], NOW).unwrap_err();
    assert_eq!(
        (f.stage, f.inspection.as_deref()),
        (Stage::Inspections, Some("mkfifo"))
    );
    assert!(
        f.message.contains("pipe") && f.message.contains("FIFO"),
        "{f}"
    );
}

#[test]
fn links_in_memory_verify_as_files_do() {
    let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
    let c = Chain::new();
    let l = signed(
        Signed::Layout(layout(
            &[&bob, &carl],
            vec![step("build", &[&bob], 1, &[], &["ALLOW a"])],
            vec![],
        )),
        &[&alice],
    );
    let mut source = MemorySource::new("the links given");
    let opts = |s: &MemorySource| {
        VerifyOptions::with_source(s.clone())
            .policy(Policy::at(NOW))
            .work_dir(c.dir.path().join("work"))
    };
    let f = c.verify_with(&l, &[&alice], &opts(&source)).unwrap_err();
    assert_eq!(f.stage, Stage::LinkLoading);
    assert!(f.message.contains("found 0 in the links given"), "{f}");
    let FailureKind::TooFewLinks {
        needed: 1,
        found: 0,
        looked_for,
        ..
    } = &f.kind
    else {
        panic!("too few links: {f:?}")
    };
    assert_eq!(looked_for, &[link_filename("build", bob.keyid())]);
    assert!(f.is_missing_evidence());
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(json["kind"], "too-few-links");
    assert_eq!(json["stage"], "link-loading");
    assert_eq!(json["needed"], 1);
    let link = |by: &PemSigner| {
        let link = Link {
            name: "build".into(),
            products: arts(&[("a", 1)]),
            ..Default::default()
        };
        signed(Signed::Link(link), &[by])
    };
    // Under bob's id but signed by carl: skipped, as a file would be.
    assert!(source.insert("build", bob.keyid(), link(&carl)));
    let f = c.verify_with(&l, &[&alice], &opts(&source)).unwrap_err();
    assert_eq!(f.stage, Stage::LinkSignatures);
    assert_eq!(f.skipped_links.len(), 1, "{f}");
    assert_eq!(
        f.kind,
        FailureKind::TooFewSignedLinks {
            needed: 1,
            found: 0
        }
    );
    assert!(!f.is_missing_evidence());
    let mut source = MemorySource::new("the links given");
    let bytes = link(&bob).to_file_bytes().unwrap();
    assert!(source.insert_bytes("build", bob.keyid(), &bytes).unwrap());
    assert!(!source.insert("build", bob.keyid(), link(&carl)));
    assert!(c.verify_with(&l, &[&alice], &opts(&source)).is_ok());
    assert!(source.insert_bytes("build", carl.keyid(), b"{").is_err());
}

#[test]
fn attestations_in_memory_count_with_classic_links() {
    use crate::models::attestation::{AttestationEnvelope, link_statement};
    let (alice, bob, carl) = (signer("alice"), signer("bob"), signer("carl"));
    let c = Chain::new();
    let l = signed(
        Signed::Layout(layout(
            &[&bob, &carl],
            vec![step("build", &[&bob, &carl], 2, &[], &["ALLOW a"])],
            vec![],
        )),
        &[&alice],
    );
    let link = |name: &str| Link {
        name: name.into(),
        products: arts(&[("a", 1)]),
        ..Default::default()
    };
    let attestation = |name: &str, by: &PemSigner| {
        let mut env = AttestationEnvelope {
            payload_type: crate::models::PAYLOAD_TYPE.into(),
            payload: link_statement(&link(name)).unwrap().to_payload().unwrap(),
            signatures: Vec::new(),
        };
        crate::keys::sign_attestation(&mut env, by).unwrap();
        env.to_file_bytes().unwrap()
    };
    let opts = |s: &MemorySource| {
        VerifyOptions::with_source(s.clone())
            .policy(Policy::at(NOW))
            .work_dir(c.dir.path().join("work"))
    };
    let mut source = MemorySource::new("the links given");
    source.insert(
        "build",
        bob.keyid(),
        signed(Signed::Link(link("build")), &[&bob]),
    );
    let bytes = attestation("build", &carl);
    assert!(source.insert_bytes("build", carl.keyid(), &bytes).unwrap());
    assert!(c.verify_with(&l, &[&alice], &opts(&source)).is_ok());

    let mut source = MemorySource::new("the links given");
    source.insert(
        "build",
        bob.keyid(),
        signed(Signed::Link(link("build")), &[&bob]),
    );
    let bytes = attestation("test", &carl);
    assert!(source.insert_bytes("build", carl.keyid(), &bytes).unwrap());
    let f = c.verify_with(&l, &[&alice], &opts(&source)).unwrap_err();
    assert_eq!(f.stage, Stage::LinkSignatures);
    let FailureKind::InvalidAttestation { file, why } = &f.kind else {
        panic!("an invalid attestation: {f:?}")
    };
    assert_eq!(file, &link_filename("build", carl.keyid()));
    assert!(why.contains("predicate.name"), "{why}");
    assert_eq!(
        serde_json::to_value(&f).unwrap()["kind"],
        "invalid-attestation"
    );
}
