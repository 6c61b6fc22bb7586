//! Each layout edit (`models::Layout`'s edit methods): what it changes, and
//! each refusal with its message (the commands print them as they are).
//! Here, beside the keys, rather than in the format crate.

use crate::keys::Signer;
use crate::keys::pem::PemSigner;
use crate::models::*;
use intoto_format::time::format_expires;

const NOW: i64 = 1_800_000_000; // 2027-01-15T08:00:00Z

fn signer(name: &str) -> PemSigner {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys");
    PemSigner::from_file(format!("{keys}/{name}.pem"), None).unwrap()
}

fn id(name: &str) -> String {
    signer(name).keyid().to_owned()
}

/// A layout with alice's and bob's keys, and no steps.
fn layout() -> Layout {
    let mut l = Layout {
        expires: "2030-01-01T00:00:00Z".into(),
        readme: String::new(),
        keys: Vec::new(),
        steps: Vec::new(),
        inspect: Vec::new(),
        nulls: Nulls::default(),
    };
    l.set_key(signer("alice").public_key().clone());
    l.set_key(signer("bob").public_key().clone());
    l
}

fn step(name: &str, keys: &[&str], threshold: i64) -> NewStep {
    NewStep {
        name: name.into(),
        functionaries: keys.iter().map(|k| id(k)[..8].to_owned()).collect(),
        threshold,
        ..NewStep::default()
    }
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

/// A layout with steps `build` (alice and bob, threshold 1) and
/// `package` (bob), whose materials MATCH build's products.
fn two_steps() -> Layout {
    let mut l = layout();
    l.add_step(step("build", &["alice", "bob"], 1)).unwrap();
    l.add_step(NewStep {
        materials: strings(&["MATCH * WITH PRODUCTS FROM build"]),
        ..step("package", &["bob"], 1)
    })
    .unwrap();
    l
}

#[test]
fn add_step_resolves_prefixes_splits_the_command_and_parses_rules() {
    let mut l = layout();
    l.add_step(NewStep {
        expected_command: Some("make 'all tests'".into()),
        products: strings(&["CREATE out", "DISALLOW *"]),
        ..step("build", &["alice", "bob"], 2)
    })
    .unwrap();
    let s = &l.steps[0];
    assert_eq!(s.name, "build");
    assert_eq!(s.pubkeys, [id("alice"), id("bob")]);
    assert_eq!(s.threshold, 2);
    assert_eq!(s.expected_command, ["make", "all tests"]);
    assert_eq!(s.expected_products.len(), 2);
}

#[test]
fn add_step_refusals_say_what_to_fix() {
    let mut l = two_steps();
    let before = l.clone();
    let err = |l: &mut Layout, n: NewStep| l.add_step(n).unwrap_err().to_string();
    assert_eq!(
        err(&mut l, step("build", &["alice"], 1)),
        "the layout already has a step or inspection named 'build'"
    );
    assert!(matches!(
        l.add_step(step("", &["alice"], 1)),
        Err(LayoutEditError::BadName(_))
    ));
    assert_eq!(
        err(&mut l, step("x", &["alice"], 2)),
        "--threshold 2: must be between 1 and the number of functionaries (1)"
    );
    assert_eq!(
        err(&mut l, step("x", &["alice"], 0)),
        "--threshold 0: must be between 1 and the number of functionaries (1)"
    );
    let carl = id("carl");
    let short: Vec<String> = l.keys.iter().map(|(k, _)| k[..16].to_owned()).collect();
    assert_eq!(
        err(
            &mut l,
            NewStep {
                functionaries: vec![carl.clone()],
                ..step("x", &[], 1)
            }
        ),
        format!(
            "--functionary {carl}: no such key in the layout (its keys: {}); \
             add it first with intoto layout add-key",
            short.join(", ")
        )
    );
    let alice = id("alice");
    assert_eq!(
        err(
            &mut l,
            NewStep {
                functionaries: vec![alice[..4].to_owned()],
                ..step("x", &[], 1)
            }
        ),
        format!(
            "--functionary {}: give at least 8 hex digits of the key id",
            &alice[..4]
        )
    );
    assert_eq!(
        err(
            &mut l,
            NewStep {
                expected_command: Some("make 'all".into()),
                ..step("x", &["alice"], 1)
            }
        ),
        "--expected-command: unbalanced quotes"
    );
    assert_eq!(
        err(
            &mut l,
            NewStep {
                materials: strings(&["FROB x"]),
                ..step("x", &["alice"], 1)
            }
        ),
        format!(
            "--material \"FROB x\": {}",
            crate::models::rule::ArtifactRule::from_str_rule("FROB x").unwrap_err()
        )
    );
    assert_eq!(
        err(
            &mut l,
            NewStep {
                products: strings(&["MATCH * WITH PRODUCTS FROM later"]),
                ..step("x", &["alice"], 1)
            }
        ),
        "--product \"MATCH * WITH PRODUCTS FROM later\": MATCH ... FROM 'later' names no \
         step defined so far (build, package)"
    );
    assert_eq!(l, before, "a refused edit changes nothing");
}

#[test]
fn an_empty_prefix_matching_two_keys_is_ambiguous() {
    let l = layout();
    let e = l.resolve_key("", "key ", false).unwrap_err();
    assert_eq!(e.to_string(), "key : matches 2 keys; give more digits");
    let none = Layout {
        keys: Vec::new(),
        ..layout()
    };
    assert_eq!(
        none.resolve_key("abcdef12", "key abcdef12", false)
            .unwrap_err()
            .to_string(),
        "key abcdef12: no such key in the layout (it has none)"
    );
    assert_eq!(
        l.resolve_key(&id("bob")[..10].to_uppercase(), "key", false)
            .unwrap(),
        id("bob")
    );
}

#[test]
fn add_inspection_may_match_steps_and_earlier_inspections() {
    let mut l = two_steps();
    l.add_inspection(
        "untar",
        "tar xf 'foo bar.tgz'",
        &strings(&["MATCH * WITH PRODUCTS FROM package"]),
        &[],
    )
    .unwrap();
    l.add_inspection(
        "check",
        "true",
        &strings(&["MATCH * WITH PRODUCTS FROM untar"]),
        &[],
    )
    .unwrap();
    assert_eq!(l.inspect[0].run, ["tar", "xf", "foo bar.tgz"]);
    assert_eq!(l.inspect.len(), 2);
}

#[test]
fn add_inspection_refusals() {
    let mut l = two_steps();
    let err = |l: &mut Layout, name: &str, run: &str| {
        l.add_inspection(name, run, &[], &[])
            .unwrap_err()
            .to_string()
    };
    assert_eq!(err(&mut l, "x", "tar 'x"), "--run: unbalanced quotes");
    assert_eq!(
        err(&mut l, "x", "  "),
        "--run: an inspection needs a command"
    );
    assert_eq!(
        err(&mut l, "package", "true"),
        "the layout already has a step or inspection named 'package'"
    );
    assert!(l.inspect.is_empty());
}

#[test]
fn remove_step_and_inspection() {
    let mut l = two_steps();
    l.add_inspection("check", "true", &[], &[]).unwrap();
    l.remove_step("package").unwrap();
    l.remove_inspection("check").unwrap();
    let names: Vec<&str> = l.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["build"]);
    assert!(l.inspect.is_empty());
}

#[test]
fn remove_is_refused_while_a_match_rule_names_the_item() {
    let mut l = two_steps();
    l.add_inspection(
        "check",
        "true",
        &[],
        &strings(&["MATCH * WITH PRODUCTS FROM build"]),
    )
    .unwrap();
    l.add_inspection(
        "again",
        "true",
        &strings(&["MATCH * WITH MATERIALS FROM check"]),
        &[],
    )
    .unwrap();
    let before = l.clone();
    assert_eq!(
        l.remove_step("build").unwrap_err().to_string(),
        "step 'build' is named by MATCH rules of 'package', 'check': remove those first"
    );
    assert_eq!(
        l.remove_inspection("check").unwrap_err().to_string(),
        "inspection 'check' is named by MATCH rules of 'again': remove those first"
    );
    assert_eq!(l, before);
}

#[test]
fn remove_names_what_there_is_and_the_other_kind() {
    let mut l = two_steps();
    l.add_inspection("check", "true", &[], &[]).unwrap();
    assert_eq!(
        l.remove_step("nope").unwrap_err().to_string(),
        "the layout has no step named 'nope' (steps: build, package)"
    );
    assert_eq!(
        l.remove_step("check").unwrap_err().to_string(),
        "'check' is an inspection, not a step: use intoto layout remove-inspection"
    );
    assert_eq!(
        l.remove_inspection("build").unwrap_err().to_string(),
        "'build' is a step, not a inspection: use intoto layout remove-step"
    );
    assert_eq!(
        layout().remove_inspection("x").unwrap_err().to_string(),
        "the layout has no inspection named 'x' (inspections: none)"
    );
}

#[test]
fn remove_key_drops_it_from_the_steps_too() {
    let mut l = two_steps();
    l.add_step(step("test", &["alice"], 1)).unwrap();
    l.remove_step("test").unwrap();
    let removed = l.remove_key(&id("alice")[..8]).unwrap();
    assert_eq!(
        removed,
        RemovedKey {
            keyid: id("alice"),
            steps: vec!["build".into()],
        }
    );
    assert_eq!(l.steps[0].pubkeys, [id("bob")]);
    assert_eq!(l.keys.len(), 1);
    // A key no step names.
    l.set_key(signer("carl").public_key().clone());
    let removed = l.remove_key(&id("carl")).unwrap();
    assert!(removed.steps.is_empty());
}

#[test]
fn remove_key_is_refused_below_a_threshold() {
    let mut l = two_steps();
    let before = l.clone();
    assert_eq!(
        l.remove_key(&id("bob")).unwrap_err().to_string(),
        format!(
            "key {} is the only functionary key of step 'package', which needs one key \
             (threshold 1); remove the step first (intoto layout remove-step)",
            id("bob")
        )
    );
    let mut two = layout();
    two.add_step(step("build", &["alice", "bob"], 2)).unwrap();
    assert_eq!(
        two.remove_key(&id("alice")).unwrap_err().to_string(),
        format!(
            "key {} is one of the functionary keys of step 'build', which needs 2 keys \
             (threshold 2); remove the step first (intoto layout remove-step)",
            id("alice")
        )
    );
    assert_eq!(l, before);
}

#[test]
fn set_expires_takes_dates_and_durations() {
    let mut l = layout();
    let e = l.set_expires("2031-02-03", NOW).unwrap();
    assert_eq!(e.expires, "2031-02-03T00:00:00Z");
    assert!(!e.in_the_past);
    assert_eq!(l.expires, "2031-02-03T00:00:00Z");
    let e = l.set_expires("2020-01-01T00:00:00Z", NOW).unwrap();
    assert!(e.in_the_past, "a past date is taken, and said so");
    assert_eq!(
        l.set_expires("1d", NOW).unwrap().expires,
        format_expires(NOW + 86400)
    );
    assert_eq!(
        l.set_expires("2w", NOW).unwrap().expires,
        format_expires(NOW + 14 * 86400)
    );
    assert_eq!(
        l.set_expires("1y", NOW).unwrap().expires,
        "2028-01-15T08:00:00Z"
    );
    assert_eq!(
        l.set_expires("6m", NOW).unwrap().expires,
        "2027-07-15T08:00:00Z"
    );
}

#[test]
fn set_expires_refusals() {
    let mut l = layout();
    let err = |l: &mut Layout, s: &str| l.set_expires(s, NOW).unwrap_err().to_string();
    assert_eq!(
        err(&mut l, "soon"),
        "WHEN \"soon\": expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or a duration like 90d, 12w, 6m, 1y"
    );
    assert_eq!(
        err(&mut l, "3x"),
        "WHEN \"3x\": unknown unit \"x\" (d, w, m or y)"
    );
    assert_eq!(err(&mut l, "0d"), "WHEN \"0d\" is not in the future");
    assert_eq!(l.expires, "2030-01-01T00:00:00Z");
    assert_eq!(
        expires_from("-1w", NOW, "--expires")
            .unwrap_err()
            .to_string(),
        "--expires \"-1w\" is not in the future"
    );
}

#[test]
fn set_readme() {
    let mut l = layout();
    l.set_readme("the demo".into());
    assert_eq!(l.readme, "the demo");
}
