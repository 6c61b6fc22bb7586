use super::*;
use crate::keys::pem::{PemSigner, read_public};
use crate::keys::{Signer, sign_envelope};
use crate::models::{HashDict, link_filename};
use crate::observe::Collect;
use crate::verify::{self, LayoutKey, MemorySource, VerifyOptions};

fn key(name: &str) -> String {
    format!("{}/../../testdata/keys/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn arts(items: &[(&str, u8)]) -> Artifacts {
    items
        .iter()
        .map(|(p, h)| (p.to_string(), HashDict::sha256([*h; 32])))
        .collect()
}

fn link(name: &str, cmd: &[&str], m: &[(&str, u8)], p: &[(&str, u8)]) -> Link {
    Link {
        name: name.into(),
        command: cmd.iter().map(|s| s.to_string()).collect(),
        materials: arts(m),
        products: arts(p),
        ..Link::default()
    }
}

fn unsigned(l: Link) -> LinkFile {
    LinkFile {
        file: format!("{}.link", l.name),
        envelope: Envelope::new(Signed::Link(l), false).unwrap(),
    }
}

fn signed(l: Link, by: &PemSigner) -> LinkFile {
    let mut env = Envelope::new(Signed::Link(l.clone()), false).unwrap();
    sign_envelope(&mut env, by).unwrap();
    LinkFile {
        file: link_filename(&l.name, by.keyid()),
        envelope: env,
    }
}

fn opts(keys: Vec<KeyDict>) -> DraftOptions {
    DraftOptions {
        expires: "2100-01-01T00:00:00Z".into(),
        keys,
        policy: Policy::at(4_000_000_000),
        allow_rest: false,
        generalize: false,
        inspection: false,
    }
}

fn rules(r: &[ArtifactRule]) -> Vec<String> {
    r.iter().map(|r| r.to_string()).collect()
}

/// The demo's chain: clone creates foo.py, update-version changes it,
/// package makes the tarball of it.
fn demo() -> Vec<Link> {
    vec![
        link(
            "package",
            &["tar", "czf", "foo.tar.gz", "foo.py"],
            &[("foo.py", 2)],
            &[("foo.py", 2), ("foo.tar.gz", 3)],
        ),
        link("clone", &["git", "clone"], &[], &[("foo.py", 1)]),
        link(
            "update-version",
            &["vi", "foo.py"],
            &[("foo.py", 1)],
            &[("foo.py", 2)],
        ),
    ]
}

#[test]
fn steps_follow_the_artifacts_with_the_rules_of_what_each_did() {
    let links: Vec<LinkFile> = demo().into_iter().map(unsigned).collect();
    let d = draft(&links, &opts(vec![])).unwrap();
    let names: Vec<&str> = d.layout.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["clone", "update-version", "package"]);
    let s = &d.layout.steps;
    assert_eq!(rules(&s[0].expected_materials), ["DISALLOW *"]);
    assert_eq!(
        rules(&s[0].expected_products),
        ["CREATE foo.py", "DISALLOW *"]
    );
    assert_eq!(
        rules(&s[1].expected_materials),
        ["MATCH foo.py WITH PRODUCTS FROM clone", "DISALLOW *"]
    );
    assert_eq!(
        rules(&s[1].expected_products),
        ["MODIFY foo.py", "DISALLOW *"]
    );
    assert_eq!(
        rules(&s[2].expected_materials),
        [
            "MATCH foo.py WITH PRODUCTS FROM update-version",
            "DISALLOW *"
        ]
    );
    assert_eq!(
        rules(&s[2].expected_products),
        [
            "MATCH foo.py WITH PRODUCTS FROM update-version",
            "CREATE foo.tar.gz",
            "DISALLOW *"
        ]
    );
    assert_eq!(
        s[2].expected_command,
        ["tar", "czf", "foo.tar.gz", "foo.py"]
    );
    // Unsigned links: no functionaries, and said so.
    assert!(s.iter().all(|s| s.pubkeys.is_empty() && s.threshold == 1));
    assert!(d.notes.contains(&Note::NoFunctionary {
        step: "package".into(),
        unsigned: true
    }));
    assert!(!d.notes.iter().any(|n| matches!(n, Note::Unsigned { .. })));
}

#[test]
fn deleted_materials_and_artifacts_from_outside() {
    let l = link(
        "clean",
        &[],
        &[("tmp.o", 1), ("README", 2), ("x", 3)],
        &[("README", 2), ("x", 4)],
    );
    let d = draft(&[unsigned(l.clone())], &opts(vec![])).unwrap();
    let s = &d.layout.steps[0];
    assert_eq!(
        rules(&s.expected_materials),
        ["DELETE tmp.o", "MODIFY x", "DISALLOW *"]
    );
    assert_eq!(rules(&s.expected_products), ["MODIFY x", "DISALLOW *"]);
    let left: Vec<&Note> = d
        .notes
        .iter()
        .filter(|n| matches!(n, Note::LeftOver { .. }))
        .collect();
    assert_eq!(left.len(), 2);
    assert!(left[0].to_string().contains("'README'"), "{}", left[0]);
    let mut o = opts(vec![]);
    o.allow_rest = true;
    let d = draft(&[unsigned(l)], &o).unwrap();
    let s = &d.layout.steps[0];
    assert_eq!(
        rules(&s.expected_materials),
        ["DELETE tmp.o", "MODIFY x", "ALLOW README", "DISALLOW *"]
    );
    assert!(!d.notes.iter().any(|n| matches!(n, Note::LeftOver { .. })));
}

#[test]
fn signers_given_become_functionaries_others_are_named() {
    let bob = PemSigner::from_file(key("bob.pem"), None).unwrap();
    let carl = PemSigner::from_file(key("carl.pem"), None).unwrap();
    let links: Vec<LinkFile> = demo()
        .into_iter()
        .map(|l| {
            if l.name == "package" {
                signed(l, &carl)
            } else {
                signed(l, &bob)
            }
        })
        .collect();
    let d = draft(&links, &opts(vec![bob.public_key().clone()])).unwrap();
    assert_eq!(d.layout.keys.len(), 1);
    assert_eq!(d.layout.steps[0].pubkeys, [bob.keyid()]);
    assert!(d.layout.steps[2].pubkeys.is_empty());
    let unknown = d
        .notes
        .iter()
        .find(|n| matches!(n, Note::UnknownSigner { .. }))
        .unwrap();
    assert!(unknown.to_string().contains(carl.keyid()), "{unknown}");
    // A signature the key does not verify is not taken.
    let mut tampered = links[1].clone();
    if let Envelope::Metablock(m) = &mut tampered.envelope
        && let crate::models::Signature::Plain { sig, .. } = &mut m.signatures[0]
    {
        *sig = "00".repeat(sig.len() / 2);
    }
    let d = draft(&[tampered], &opts(vec![bob.public_key().clone()])).unwrap();
    assert!(d.layout.steps[0].pubkeys.is_empty());
    assert!(
        d.notes
            .iter()
            .any(|n| matches!(n, Note::BadSignature { .. }))
    );
}

#[test]
fn a_signed_draft_verifies_its_links_and_fails_on_a_changed_product() {
    let alice = PemSigner::from_file(key("alice.pem"), None).unwrap();
    let bob = PemSigner::from_file(key("bob.pem"), None).unwrap();
    let run = |links: Vec<Link>| -> (Vec<LinkFile>, MemorySource) {
        let files: Vec<LinkFile> = links.into_iter().map(|l| signed(l, &bob)).collect();
        let mut src = MemorySource::new("the links");
        for f in &files {
            let Signed::Link(l) = f.envelope.signed() else {
                unreachable!()
            };
            src.insert(&l.name, bob.keyid(), f.envelope.clone());
        }
        (files, src)
    };
    let (files, src) = run(demo());
    let mut o = opts(vec![bob.public_key().clone()]);
    o.inspection = true;
    let d = draft(&files, &o).unwrap();
    assert_eq!(
        d.notes,
        [Note::FinalProducts {
            name: "final-products".into(),
            artifacts: vec!["foo.py".into(), "foo.tar.gz".into()]
        }]
    );
    assert_eq!(
        rules(&d.layout.inspect[0].expected_materials)[..3],
        [
            "REQUIRE foo.py",
            "MATCH foo.py WITH PRODUCTS FROM update-version",
            "DISALLOW foo.py"
        ]
    );
    let mut layout = Envelope::new(Signed::Layout(d.layout), false).unwrap();
    sign_envelope(&mut layout, &alice).unwrap();
    let owner = || {
        vec![LayoutKey::required(
            Box::new(read_public(key("alice.pub")).unwrap()),
            "alice.pub",
        )]
    };
    // The final products as the verifier finds them (the inspection runs
    // `true`: judged from these).
    let verify_with = |src: MemorySource, found: &[(&str, u8)]| {
        let o = VerifyOptions::with_source(src)
            .policy(Policy::at(1_000_000_000))
            .inspection_artifacts(Some(arts(found)));
        verify::verify(&layout, &owner(), &o, &mut Collect::default()).map_err(Box::new)
    };
    let fine = [("foo.py", 2), ("foo.tar.gz", 3), ("other", 7)];
    verify_with(src, &fine).unwrap();
    // A tampered or missing final product fails.
    for found in [&[("foo.py", 2), ("foo.tar.gz", 9)][..], &[("foo.py", 2)]] {
        let (_, src) = run(demo());
        assert!(verify_with(src, found).is_err(), "{found:?}");
    }
    // Each product of the run changed in turn: verification fails.
    for (step, path) in [
        ("clone", "foo.py"),
        ("update-version", "foo.py"),
        ("package", "foo.tar.gz"),
        ("package", "foo.py"),
    ] {
        let mut links = demo();
        let l = links.iter_mut().find(|l| l.name == step).unwrap();
        let mut p: Vec<(String, HashDict)> = l
            .products
            .iter()
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect();
        p.iter_mut().find(|(k, _)| k == path).unwrap().1 = HashDict::sha256([9; 32]);
        l.products = p.into_iter().collect();
        let (_, src) = run(links);
        assert!(verify_with(src, &fine).is_err(), "{step} {path}");
    }
}

#[test]
fn generalize_offers_a_glob_where_a_whole_directory_moves() {
    let clone = link(
        "clone",
        &[],
        &[],
        &[
            ("src/a.c", 1),
            ("src/b.c", 2),
            ("src/lib/c.c", 3),
            ("README", 4),
        ],
    );
    let build = link(
        "build",
        &[],
        &[("src/a.c", 1), ("src/b.c", 2), ("src/lib/c.c", 3)],
        &[("out/x", 5), ("out/y", 6)],
    );
    let mut o = opts(vec![]);
    o.generalize = true;
    o.inspection = true;
    let d = draft(&[unsigned(clone.clone()), unsigned(build.clone())], &o).unwrap();
    // The final products too: a glob for the directory, each file else.
    assert_eq!(
        rules(&d.layout.inspect[0].expected_materials),
        [
            "MATCH out/* WITH PRODUCTS FROM build",
            "DISALLOW out/*",
            "REQUIRE README",
            "MATCH README WITH PRODUCTS FROM clone",
            "DISALLOW README"
        ]
    );
    let s = &d.layout.steps;
    assert_eq!(
        rules(&s[0].expected_products),
        ["CREATE README", "CREATE src/*", "DISALLOW *"]
    );
    assert_eq!(
        rules(&s[1].expected_materials),
        ["MATCH src/* WITH PRODUCTS FROM clone", "DISALLOW *"]
    );
    assert_eq!(
        rules(&s[1].expected_products),
        ["CREATE out/*", "DISALLOW *"]
    );
    // Not where the earlier step's directory holds more than was taken.
    let mut partial = build;
    partial.materials = arts(&[("src/a.c", 1), ("src/lib/c.c", 3)]);
    let d = draft(&[unsigned(clone), unsigned(partial)], &o).unwrap();
    assert_eq!(
        rules(&d.layout.steps[1].expected_materials),
        [
            "MATCH src/a.c WITH PRODUCTS FROM clone",
            "MATCH src/lib/c.c WITH PRODUCTS FROM clone",
            "DISALLOW *"
        ]
    );
}

#[test]
fn literal_paths_are_escaped_and_odd_inputs_refused() {
    assert_eq!(escape_glob("a[1]*?.c"), "a[[]1][*][?].c");
    let l = link("s", &[], &[], &[("we?rd*", 1)]);
    let d = draft(&[unsigned(l)], &opts(vec![])).unwrap();
    assert_eq!(
        rules(&d.layout.steps[0].expected_products),
        ["CREATE we[?]rd[*]", "DISALLOW *"]
    );
    let bad = link("a/b", &[], &[], &[]);
    let e = draft(&[unsigned(bad)], &opts(vec![])).unwrap_err();
    assert!(e.to_string().starts_with("a/b.link: "), "{e}");
    let layout = LinkFile {
        file: "x.link".into(),
        envelope: Envelope::new(Signed::Layout(Layout::new("2100-01-01T00:00:00Z")), false)
            .unwrap(),
    };
    assert_eq!(
        draft(&[layout], &opts(vec![])).unwrap_err().to_string(),
        "x.link is a layout, not a link"
    );
}

#[test]
fn a_cycle_is_ordered_by_name_and_said() {
    let a = link("a", &[], &[("x", 2)], &[("x", 1)]);
    let b = link("b", &[], &[("x", 1)], &[("x", 2)]);
    let d = draft(&[unsigned(b), unsigned(a)], &opts(vec![])).unwrap();
    assert_eq!(d.layout.steps[0].name, "a");
    assert!(d.notes.iter().any(|n| matches!(n, Note::Cycle { .. })));
}
