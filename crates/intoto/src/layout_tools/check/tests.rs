use super::*;
use crate::keys::Signer;
use crate::keys::pem::PemSigner;
use crate::models::{HashDict, Inspection, Nulls, Step};

const NOW: i64 = 1_700_000_000;

fn bob() -> KeyDict {
    let k = format!("{}/../../testdata/keys/bob.pem", env!("CARGO_MANIFEST_DIR"));
    PemSigner::from_file(k, None).unwrap().public_key().clone()
}

fn rules(rs: &[&str]) -> Vec<ArtifactRule> {
    rs.iter()
        .map(|r| ArtifactRule::from_str_rule(r).unwrap())
        .collect()
}

fn step(name: &str, keys: &[&str], m: &[&str], p: &[&str]) -> Step {
    Step {
        name: name.into(),
        pubkeys: keys.iter().map(|k| k.to_string()).collect(),
        threshold: 1,
        expected_command: Vec::new(),
        expected_materials: rules(m),
        expected_products: rules(p),
        nulls: Nulls::default(),
    }
}

/// A layout with no finding: bob performs clone and build.
fn good() -> Layout {
    let mut l = Layout::new("2030-01-01T00:00:00Z");
    let b = bob();
    let id = b.keyid().to_owned();
    l.set_key(b);
    l.steps.push(step(
        "clone",
        &[&id],
        &["DISALLOW *"],
        &["CREATE src/*", "DISALLOW *"],
    ));
    l.steps.push(step(
        "build",
        &[&id],
        &["MATCH src/* WITH PRODUCTS FROM clone", "DISALLOW *"],
        &["CREATE hello", "DISALLOW *"],
    ));
    l
}

fn found(l: &Layout) -> Vec<(Severity, &'static str, String)> {
    let opts = CheckOptions {
        now: NOW,
        ..CheckOptions::default()
    };
    check(l, &opts)
        .into_iter()
        .map(|f| (f.severity, f.check, f.place()))
        .collect()
}

fn only(l: &Layout, check: &str) -> (Severity, String) {
    let f = found(l);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].1, check, "{f:?}");
    (f[0].0, f[0].2.clone())
}

#[test]
fn a_good_layout_has_no_finding() {
    assert!(found(&good()).is_empty(), "{:?}", found(&good()));
}

#[test]
fn match_naming_no_step_or_a_later_one() {
    let mut l = good();
    l.steps[1].expected_materials = rules(&["MATCH src/* WITH PRODUCTS FROM clnoe", "DISALLOW *"]);
    assert_eq!(
        only(&l, "match-unknown-step"),
        (
            Severity::Error,
            "step 'build', material rule 1 (MATCH src/* WITH PRODUCTS FROM clnoe)".into()
        )
    );
    let mut l = good();
    l.steps.swap(0, 1);
    assert_eq!(only(&l, "match-later-step").0, Severity::Warning);
    // Step rules see no inspection's link.
    let mut l = good();
    l.inspect.push(Inspection {
        name: "look".into(),
        run: vec!["true".into()],
        expected_materials: Vec::new(),
        expected_products: Vec::new(),
        nulls: Nulls::default(),
    });
    l.steps[1].expected_materials = rules(&["MATCH src/* WITH PRODUCTS FROM look", "DISALLOW *"]);
    let f = check(
        &l,
        &CheckOptions {
            now: NOW,
            ..CheckOptions::default()
        },
    );
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("'look' is an inspection"), "{}", f[0]);
}

#[test]
fn steps_without_keys_or_with_too_high_a_threshold() {
    let mut l = good();
    l.steps[0].pubkeys.clear();
    assert_eq!(
        only(&l, "no-functionary"),
        (Severity::Error, "step 'clone'".into())
    );
    let mut l = good();
    l.steps[0].threshold = 2;
    assert_eq!(only(&l, "threshold").0, Severity::Error);
    let mut l = good();
    l.steps[0].pubkeys.push("ab".repeat(32));
    assert_eq!(only(&l, "unknown-functionary").0, Severity::Error);
}

#[test]
fn keys_that_authorise_nothing() {
    let mut l = good();
    let id = l.keys[0].0.clone();
    for s in &mut l.steps {
        s.pubkeys.retain(|k| *k != id);
        s.pubkeys.push(id[..8].to_owned());
    }
    let f = found(&l);
    assert!(f.iter().any(|(s, c, p)| *s == Severity::Warning
        && *c == "unused-key"
        && *p == format!("key {id}")));
}

#[test]
fn rules_that_do_not_end_in_disallow() {
    let mut l = good();
    l.steps[1].expected_products = rules(&["CREATE hello"]);
    assert_eq!(only(&l, "no-final-disallow").0, Severity::Warning);
}

#[test]
fn match_that_can_never_match() {
    let mut l = good();
    l.steps[0].expected_products = rules(&["CREATE src/a.c", "DISALLOW *"]);
    l.steps[1].expected_materials = rules(&["MATCH lib/* WITH PRODUCTS FROM clone", "DISALLOW *"]);
    assert_eq!(only(&l, "never-matches").0, Severity::Warning);
    // A prefix on the destination side is taken into account.
    l.steps[1].expected_materials =
        rules(&["MATCH *.c WITH PRODUCTS IN src FROM clone", "DISALLOW *"]);
    assert!(found(&l).is_empty());
    // Two globs with different literal beginnings never meet.
    l.steps[0].expected_products = rules(&["CREATE src/*", "DISALLOW *"]);
    l.steps[1].expected_materials = rules(&["MATCH lib/* WITH PRODUCTS FROM clone", "DISALLOW *"]);
    assert_eq!(only(&l, "never-matches").0, Severity::Warning);
    l.steps[1].expected_materials = rules(&["MATCH s* WITH PRODUCTS FROM clone", "DISALLOW *"]);
    assert!(found(&l).is_empty());
}

#[test]
fn inspections_with_an_empty_command() {
    let mut l = good();
    l.inspect.push(Inspection {
        name: "check".into(),
        run: Vec::new(),
        expected_materials: Vec::new(),
        expected_products: Vec::new(),
        nulls: Nulls::default(),
    });
    assert_eq!(
        only(&l, "empty-command"),
        (Severity::Error, "inspection 'check'".into())
    );
}

#[test]
fn parameters_are_named() {
    let mut l = good();
    l.steps[1].expected_products = rules(&["CREATE hello-{VERSION}", "DISALLOW *"]);
    let f = check(
        &l,
        &CheckOptions {
            now: NOW,
            ..CheckOptions::default()
        },
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].check, "parameter");
    assert!(f[0].message.contains("--param VERSION=VALUE"), "{}", f[0]);
}

#[test]
fn expiry_in_the_past() {
    let mut l = good();
    l.expires = "2020-01-01T00:00:00Z".into();
    assert_eq!(only(&l, "expired"), (Severity::Error, "layout".into()));
}

#[test]
fn rules_run_against_links() {
    let l = good();
    let arts = |items: &[&str]| -> crate::models::Artifacts {
        items
            .iter()
            .map(|p| (p.to_string(), HashDict::sha256([1; 32])))
            .collect()
    };
    let link = |name: &str, m: &[&str], p: &[&str]| Link {
        name: name.into(),
        materials: arts(m),
        products: arts(p),
        ..Link::default()
    };
    let mut run = RunLinks {
        dir: "links".into(),
        ..RunLinks::default()
    };
    run.links.insert(
        "clone".into(),
        (
            "clone.link".into(),
            link("clone", &[], &["src/a.c", "src/b.c"]),
        ),
    );
    run.links.insert(
        "build".into(),
        (
            "build.link".into(),
            link("build", &["src/a.c", "src/b.c"], &["hello", "junk"]),
        ),
    );
    let opts = CheckOptions {
        now: NOW,
        links: Some(run),
        ..CheckOptions::default()
    };
    let f = check(&l, &opts);
    let lines: Vec<String> = f.iter().map(|f| f.to_string()).collect();
    assert!(lines.contains(&"note: step 'build', material rule 1 (MATCH src/* WITH PRODUCTS FROM clone): took 2 artifacts of build.link: 'src/a.c', 'src/b.c'".to_string()), "{lines:#?}");
    let fail = f.iter().find(|f| f.check == "rule-fails").unwrap();
    assert_eq!(fail.severity, Severity::Error);
    assert_eq!(fail.rule, Some(2));
    assert_eq!(fail.artifacts, ["junk"]);
    // The clone step's materials: its DISALLOW * took nothing, and says
    // nothing; a rule that took nothing is named.
    let mut l = good();
    l.steps[0].expected_materials = rules(&["ALLOW README", "DISALLOW *"]);
    let f = check(&l, &opts);
    assert!(f.iter().any(|f| f.check == "matched-nothing"
        && f.place() == "step 'clone', material rule 1 (ALLOW README)"));
}
