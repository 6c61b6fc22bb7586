use super::*;
use crate::models::keydict::{Public, SslibKey};
use crate::models::layout::edit::NewStep;

fn key(byte: u8) -> KeyDict {
    KeyDict::Sslib(SslibKey::from_public(Public::Ed25519(vec![byte; 32])))
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// Keys a, b, c; steps clone (a), build (a and b, threshold 2, MATCHing
/// clone), package (b); inspection untar MATCHing package.
fn layout() -> (Layout, [String; 3]) {
    let mut l = Layout::new("2099-01-01T00:00:00Z");
    let ids = [1, 2, 3].map(|b| {
        let k = key(b);
        let id = k.keyid().to_owned();
        l.set_key(k);
        id
    });
    let [a, b, _] = &ids;
    for (name, fs, threshold, materials) in [
        ("clone", vec![a.clone()], 1, vec![]),
        (
            "build",
            vec![a.clone(), b.clone()],
            2,
            strs(&["MATCH * WITH PRODUCTS FROM clone"]),
        ),
        ("package", vec![b.clone()], 1, vec![]),
    ] {
        l.add_step(NewStep {
            name: name.into(),
            functionaries: fs,
            threshold,
            expected_command: Some("make all".into()),
            materials,
            products: strs(&["CREATE *"]),
        })
        .unwrap();
    }
    l.add_inspection(
        "untar",
        "tar xf pkg.tar",
        &strs(&["MATCH * WITH PRODUCTS FROM package"]),
        &[],
    )
    .unwrap();
    (l, ids)
}

fn tokens(rules: &[ArtifactRule]) -> Vec<String> {
    rules.iter().map(|r| r.tokens().join(" ")).collect()
}

#[test]
fn replace_key_everywhere_in_place_thresholds_kept() {
    let (mut l, [a, b, c]) = layout();
    let new = key(9);
    let new_id = new.keyid().to_owned();
    let done = l.replace_key(&a[..10], new).unwrap();
    assert_eq!(done.old, a);
    assert_eq!(done.new, new_id);
    assert_eq!(done.steps, ["clone", "build"]);
    let ids: Vec<&str> = l.keys.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(ids, [new_id.as_str(), b.as_str(), c.as_str()]);
    assert_eq!(l.steps[0].pubkeys, std::slice::from_ref(&new_id));
    assert_eq!(l.steps[1].pubkeys, [new_id.clone(), b.clone()]);
    assert_eq!(l.steps[1].threshold, 2);
    assert_eq!(l.steps[2].pubkeys, [b]);
    assert_eq!(l.key(&new_id), Some(&key(9)));
}

#[test]
fn replace_key_refuses_and_changes_nothing() {
    let (mut l, [a, b, _]) = layout();
    let before = l.clone();
    // The new key is another key of the layout.
    let e = l.replace_key(&a, key(2)).unwrap_err();
    assert!(
        matches!(&e, LayoutEditError::KeyPresent { keyid } if *keyid == b),
        "{e}"
    );
    // Unknown, short or ambiguous old keys.
    for old in ["ffffffffff", &a[..4]] {
        assert!(l.replace_key(old, key(9)).is_err(), "{old}");
    }
    assert_eq!(l, before);
    // The same key again (a refreshed dict): in place.
    let done = l.replace_key(&a, key(1)).unwrap();
    assert_eq!((done.old, done.new.clone()), (a.clone(), a));
    assert_eq!(l, before);
}

#[test]
fn set_step_replaces_or_appends_keeping_position_and_references() {
    let (mut l, [a, b, c]) = layout();
    l.set_step(
        "build",
        StepChange {
            functionaries: ListChange::Replace(vec![c[..8].to_owned()]),
            threshold: Some(1),
            expected_command: Some("make 'release build'".into()),
            materials: ListChange::Append(strs(&["ALLOW README"])),
            ..StepChange::default()
        },
    )
    .unwrap();
    let names: Vec<&str> = l.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["clone", "build", "package"]);
    let s = &l.steps[1];
    assert_eq!(s.pubkeys, std::slice::from_ref(&c));
    assert_eq!(s.threshold, 1);
    assert_eq!(s.expected_command, ["make", "release build"]);
    assert_eq!(
        tokens(&s.expected_materials),
        ["MATCH * WITH PRODUCTS FROM clone", "ALLOW README"]
    );
    assert_eq!(tokens(&s.expected_products), ["CREATE *"]);
    // Appending functionaries; a key named twice counts once.
    l.set_step(
        "build",
        StepChange {
            functionaries: ListChange::Append(vec![a.clone(), c.clone(), b.clone()]),
            threshold: Some(3),
            products: ListChange::Replace(Vec::new()),
            expected_command: Some(String::new()),
            ..StepChange::default()
        },
    )
    .unwrap();
    let s = &l.steps[1];
    assert_eq!(s.pubkeys, [c, a, b]);
    assert!(s.expected_products.is_empty() && s.expected_command.is_empty());
    // The inspection still MATCHes package, untouched.
    assert_eq!(
        tokens(&l.inspect[0].expected_materials),
        ["MATCH * WITH PRODUCTS FROM package"]
    );
}

#[test]
fn set_step_refusals_change_nothing() {
    let (mut l, [a, ..]) = layout();
    let before = l.clone();
    let cases: Vec<(&str, StepChange, &str)> = vec![
        ("nope", StepChange::default(), "no step named 'nope'"),
        (
            "untar",
            StepChange::default(),
            "use intoto layout set-inspection",
        ),
        (
            "build",
            StepChange {
                functionaries: ListChange::Replace(vec![a.clone()]),
                ..StepChange::default()
            },
            "keeps threshold 2, more than its 1 functionary: give --threshold",
        ),
        (
            "build",
            StepChange {
                threshold: Some(3),
                ..StepChange::default()
            },
            "--threshold 3: must be between 1 and the number of functionaries (2)",
        ),
        (
            "clone",
            StepChange {
                functionaries: ListChange::Append(strs(&["0123456789"])),
                ..StepChange::default()
            },
            "--functionary 0123456789: no such key",
        ),
        (
            "clone",
            StepChange {
                materials: ListChange::Replace(strs(&["MATCH * WITH PRODUCTS FROM untar"])),
                ..StepChange::default()
            },
            "names no step",
        ),
        (
            "clone",
            StepChange {
                expected_command: Some("make 'x".into()),
                ..StepChange::default()
            },
            "--expected-command: unbalanced quotes",
        ),
    ];
    for (name, change, needle) in cases {
        let e = l.set_step(name, change).unwrap_err().to_string();
        assert!(e.contains(needle), "{name}: {e}");
        assert_eq!(l, before, "{name}");
    }
}

#[test]
fn set_inspection_in_place() {
    let (mut l, _) = layout();
    l.add_inspection("check", "true", &[], &[]).unwrap();
    // A MATCH may name a step or an earlier inspection, not a later one.
    let e = l
        .set_inspection(
            "untar",
            InspectionChange {
                materials: ListChange::Append(strs(&["MATCH * WITH PRODUCTS FROM check"])),
                ..InspectionChange::default()
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("names no step"), "{e}");
    for (run, needle) in [("", "needs a command"), ("tar 'x", "unbalanced")] {
        let change = InspectionChange {
            run: Some(run.into()),
            ..InspectionChange::default()
        };
        let e = l.set_inspection("untar", change).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }
    let e = l
        .set_inspection("build", InspectionChange::default())
        .unwrap_err();
    assert!(e.to_string().contains("use intoto layout set-step"), "{e}");
    l.set_inspection(
        "check",
        InspectionChange {
            run: Some("tar tf pkg.tar".into()),
            materials: ListChange::Replace(strs(&["MATCH * WITH PRODUCTS FROM untar"])),
            products: ListChange::Append(strs(&["DISALLOW *"])),
        },
    )
    .unwrap();
    let i = &l.inspect[1];
    assert_eq!(
        (i.name.as_str(), i.run.join(" ")),
        ("check", "tar tf pkg.tar".into())
    );
    assert_eq!(
        tokens(&i.expected_materials),
        ["MATCH * WITH PRODUCTS FROM untar"]
    );
    assert_eq!(tokens(&i.expected_products), ["DISALLOW *"]);
    assert_eq!(l.inspect[0].run, ["tar", "xf", "pkg.tar"]);
}

#[test]
fn list_change_from_flags() {
    assert_eq!(
        ListChange::from_flags(vec![], false, false),
        ListChange::Keep
    );
    assert_eq!(
        ListChange::from_flags(vec![], true, false),
        ListChange::Keep
    );
    assert_eq!(
        ListChange::from_flags(vec![], false, true),
        ListChange::Replace(vec![])
    );
    assert_eq!(
        ListChange::from_flags(strs(&["x"]), true, false),
        ListChange::Append(strs(&["x"]))
    );
    assert_eq!(
        ListChange::from_flags(strs(&["x"]), false, false),
        ListChange::Replace(strs(&["x"]))
    );
}
