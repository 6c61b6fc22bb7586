//! `intoto layout`: `new`, `add-key`, `add-step`, `add-inspection`,
//! `remove-*`, `set-*` and `show`. What they refuse to write (and then leave
//! the file as it was), the signatures an edit drops (with a warning to
//! sign again), past expiry dates (written, with a warning), and a link
//! that is not edited as a layout. Signing layouts is in `sign.rs`.

use crate::common::{Env, expect, run};
use crate::guard_rails::{bytes, keyid};
use crate::sign::{layout, sigs};

#[test]
fn layout_authoring_validates_what_it_writes() {
    let env = Env::new();
    let bob_pub = env.key("bob.pub");
    layout(&env);
    let (rc, _, _) = run(env.intoto(["layout", "new", "root.layout", "--expires", "1y"]));
    assert_eq!(rc, 1, "an existing layout is not replaced without --force");
    let id = expect(
        env.intoto([
            "layout",
            "add-key",
            "root.layout",
            "--key",
            bob_pub.to_str().unwrap(),
        ]),
        0,
    );
    let id = id.lines().last().unwrap().trim().to_owned();
    for (args, needle) in [
        (
            vec!["--name", "b", "--functionary", "ffffffff"],
            "no such key",
        ),
        (
            vec!["--name", "b", "--functionary", &id[..4]],
            "8 hex digits",
        ),
        (
            vec!["--name", "b", "--functionary", &id, "--product", "CREAT *"],
            "unknown rule keyword",
        ),
        (
            vec![
                "--name",
                "b",
                "--functionary",
                &id,
                "--material",
                "MATCH * WITH PRODUCTS FROM nowhere",
            ],
            "names no step",
        ),
        (
            vec![
                "--name",
                "b",
                "--functionary",
                &id,
                "--material",
                "MATCH * WITH FROM x",
            ],
            "MATCH",
        ),
        (
            vec!["--name", "a/b", "--functionary", &id],
            "cannot name a link file",
        ),
        (
            vec!["--name", "b", "--functionary", &id, "--threshold", "2"],
            "threshold",
        ),
    ] {
        let mut full = vec!["layout", "add-step", "root.layout"];
        full.extend(args.iter().copied());
        let (rc, _, err) = run(env.intoto(&full));
        assert_eq!(rc, 1, "{full:?}: {err}");
        assert!(err.contains(needle), "{full:?}: {err}");
    }
    expect(
        env.intoto([
            "layout",
            "add-step",
            "root.layout",
            "--name",
            "clone",
            "--functionary",
            &id[..8],
            "--product",
            "CREATE *",
        ]),
        0,
    );
    expect(
        env.intoto([
            "layout",
            "add-step",
            "root.layout",
            "--name",
            "build",
            "--functionary",
            &id,
            "--material",
            "MATCH * WITH PRODUCTS FROM clone",
        ]),
        0,
    );
    let (rc, _, _) = run(env.intoto([
        "layout",
        "add-step",
        "root.layout",
        "--name",
        "build",
        "--functionary",
        &id,
    ]));
    assert_eq!(rc, 1, "duplicate names are refused");
    let show = expect(env.intoto(["layout", "show", "root.layout"]), 0);
    assert!(
        show.contains("clone")
            && show.contains("MATCH * WITH PRODUCTS FROM clone")
            && show.contains("unsigned"),
        "{show}"
    );
    // Editing a signed layout drops its signatures, with a warning.
    let alice = env.key("alice.pem");
    expect(
        env.intoto(["sign", "-f", "root.layout", "-k", alice.to_str().unwrap()]),
        0,
    );
    let out = expect(
        env.intoto([
            "layout",
            "add-inspection",
            "root.layout",
            "--name",
            "check",
            "--run",
            "true",
        ]),
        0,
    );
    assert!(out.contains("sign it again"), "{out}");
    assert!(sigs(&env, "root.layout").is_empty());
}

#[test]
fn an_expiry_in_the_past_is_written_with_a_warning() {
    let env = Env::new();
    env.key("alice.pem");
    env.key("alice.pub");
    let out = env.ok("layout new root.layout --expires 2020-01-01");
    assert!(
        out.stderr.contains("warning: --expires 2020-01-01")
            && out.stderr.contains("in the past")
            && out.stderr.contains("set-expires"),
        "{}",
        out.stderr
    );
    assert_eq!(
        env.json("root.layout")["signed"]["expires"],
        "2020-01-01T00:00:00Z"
    );
    env.ok("sign -f root.layout -k alice.pem");
    env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "layout expiry",
    );
    // A future date says nothing; a duration must reach into the future.
    let out = env.ok("layout new other.layout --expires 2099-01-01");
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    env.fails(
        1,
        ["layout", "new", "third.layout", "--expires=-5d"],
        "not in the future",
    );
    assert!(!env.work().join("third.layout").exists());
}

#[test]
fn set_expires_and_set_readme_edit_and_say_to_sign_again() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    let alice = keyid(&env, "alice.pub");
    let out = env.ok("layout set-expires root.layout 2098-05-06");
    assert!(
        out.stderr.contains(&format!("signed by key {alice}"))
            && out.stderr.contains("sign it again"),
        "{}",
        out.stderr
    );
    let v = env.json("root.layout");
    assert_eq!(v["signed"]["expires"], "2098-05-06T00:00:00Z");
    assert!(v["signatures"].as_array().unwrap().is_empty());
    env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "no signature",
    );
    // An unsigned layout: nothing to say about signatures.
    let out = env.ok(["layout", "set-readme", "root.layout", "release pipeline"]);
    assert!(!out.stderr.contains("sign it again"), "{}", out.stderr);
    assert_eq!(
        env.json("root.layout")["signed"]["readme"],
        "release pipeline"
    );
    // A past date: written, with the warning.
    let out = env.ok("layout set-expires root.layout 2001-02-03");
    assert!(out.stderr.contains("in the past"), "{}", out.stderr);
    // Durations count from now.
    env.ok("layout set-expires root.layout 2y");
    let exp = env.json("root.layout")["signed"]["expires"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(exp.as_str() > "2026" && exp.ends_with('Z'), "{exp}");
    // The rest of the layout is kept; signed again, it verifies as far as
    // the missing link.
    assert_eq!(
        env.json("root.layout")["signed"]["steps"][0]["name"],
        "build"
    );
    env.ok("sign -f root.layout -k alice.pem");
    env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "link loading",
    );
    // Bad input changes nothing.
    let before = bytes(&env, "root.layout");
    env.fails(1, "layout set-expires root.layout soon", "WHEN \"soon\"");
    assert_eq!(bytes(&env, "root.layout"), before);
}

#[test]
fn remove_step_and_remove_inspection() {
    let env = Env::new();
    let bob = env.demo_layout(&["build", "test"]);
    env.ok((
        format!("layout add-step root.layout --name package --functionary {bob} --material"),
        ["MATCH * WITH PRODUCTS FROM build"],
    ));
    env.ok((
        "layout add-inspection root.layout --name check --run true --material",
        ["MATCH * WITH PRODUCTS FROM package"],
    ));
    env.ok("sign -f root.layout -k alice.pem");
    let before = bytes(&env, "root.layout");
    // A step another rule takes artifacts from stays, and so do the
    // signatures.
    env.fails(
        1,
        "layout remove-step root.layout --name build",
        "step 'build' is named by MATCH rules of 'package'",
    );
    env.fails(
        1,
        "layout remove-step root.layout --name package",
        "'check'",
    );
    assert_eq!(bytes(&env, "root.layout"), before);
    // Wrong names and kinds are named.
    env.fails(
        1,
        "layout remove-step root.layout --name nope",
        "no step named 'nope' (steps: build, test, package)",
    );
    env.fails(
        1,
        "layout remove-step root.layout --name check",
        "use intoto layout remove-inspection",
    );
    env.fails(
        1,
        "layout remove-inspection root.layout --name build",
        "use intoto layout remove-step",
    );
    assert_eq!(bytes(&env, "root.layout"), before);
    // Removing what nothing depends on works, dropping the signature.
    let out = env.ok("layout remove-step root.layout --name test");
    assert!(out.stderr.contains("sign it again"), "{}", out.stderr);
    env.ok("layout remove-inspection root.layout --name check");
    env.ok("layout remove-step root.layout --name package");
    let v = env.json("root.layout");
    let names: Vec<&str> = v["signed"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["build"]);
    assert!(v["signed"]["inspect"].as_array().unwrap().is_empty());
    assert!(v["signatures"].as_array().unwrap().is_empty());
}

#[test]
fn remove_key_also_from_the_steps_but_not_below_a_threshold() {
    let env = Env::new();
    let bob = env.demo_layout(&["build"]);
    env.key("carl.pub");
    let carl = env.ok("layout add-key root.layout --key carl.pub").stdout;
    let carl = carl.trim();
    env.ok(format!(
        "layout add-step root.layout --name review --functionary {bob} --functionary {carl}"
    ));
    env.ok("sign -f root.layout -k alice.pem");
    let before = bytes(&env, "root.layout");
    // bob is build's only key: refused, nothing written.
    env.fails(
        1,
        format!("layout remove-key root.layout {}", &bob[..8]),
        "the only functionary key of step 'build'",
    );
    assert_eq!(bytes(&env, "root.layout"), before);
    env.fails(1, "layout remove-key root.layout 0123456789", "no such key");
    env.fails(
        1,
        "layout remove-key root.layout f0d6",
        "at least 8 hex digits",
    );
    // carl goes, from the keys and from review (threshold 1, bob stays).
    let out = env.ok(format!("layout remove-key root.layout {}", &carl[..12]));
    assert!(
        out.stderr.contains(&format!("removed key {carl}"))
            && out.stderr.contains("step 'review'")
            && out.stderr.contains("sign it again"),
        "{}",
        out.stderr
    );
    let v = env.json("root.layout");
    assert!(v["signed"]["keys"].get(carl).is_none());
    assert!(v["signed"]["keys"].get(&bob).is_some());
    assert_eq!(v["signed"]["steps"][1]["pubkeys"], serde_json::json!([bob]));
    assert!(v["signatures"].as_array().unwrap().is_empty());
}

#[test]
fn a_link_is_not_edited_as_a_layout() {
    let env = Env::new();
    env.ok("mock -n m -- true");
    let before = bytes(&env, "m.link");
    env.fails(1, "layout set-readme m.link x", "is a link, not a layout");
    assert_eq!(bytes(&env, "m.link"), before);
}

/// The names and functionaries of the steps of `root.layout`, in order.
fn steps(env: &Env) -> Vec<(String, serde_json::Value)> {
    env.json("root.layout")["signed"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_owned(), s["pubkeys"].clone()))
        .collect()
}

/// clone, build and package by bob, package MATCHing build, an
/// inspection MATCHing package; signed by alice.
fn chain(env: &Env) -> String {
    let bob = env.demo_layout(&["clone", "build"]);
    env.ok((
        format!("layout add-step root.layout --name package --functionary {bob} --material"),
        ["MATCH * WITH PRODUCTS FROM build"],
    ));
    env.ok((
        "layout add-inspection root.layout --name check --run true --material",
        ["MATCH * WITH PRODUCTS FROM package"],
    ));
    env.ok("sign -f root.layout -k alice.pem");
    bob
}

#[test]
fn replace_key_rotates_a_functionary_in_every_step() {
    let env = Env::new();
    let bob = chain(&env);
    env.key("bob.pem");
    env.key("carl.pem");
    env.key("carl.pub");
    // Rotating bob's key is one command: every step, thresholds and
    // rules kept, the signature dropped with a warning.
    let out = env.ok(format!(
        "layout replace-key root.layout {} --key carl.pub",
        &bob[..8]
    ));
    let carl = out.stdout.trim().to_owned();
    assert_eq!(carl, keyid(&env, "carl.pub"));
    assert!(
        out.stderr
            .contains(&format!("replaced key {bob} by {carl}"))
            && out.stderr.contains("steps 'clone', 'build', 'package'")
            && out.stderr.contains("sign it again"),
        "{}",
        out.stderr
    );
    let v = env.json("root.layout");
    assert!(v["signed"]["keys"].get(&bob).is_none());
    assert!(v["signed"]["keys"].get(&carl).is_some());
    let want = serde_json::json!([carl]);
    assert_eq!(
        steps(&env),
        [
            ("clone".to_owned(), want.clone()),
            ("build".to_owned(), want.clone()),
            ("package".to_owned(), want.clone())
        ]
    );
    assert_eq!(
        v["signed"]["steps"][2]["expected_materials"],
        serde_json::json!([["MATCH", "*", "WITH", "PRODUCTS", "FROM", "build"]])
    );
    assert_eq!(v["signed"]["inspect"][0]["name"], "check");
    // Signed again, carl's links verify and bob's no longer count.
    env.ok("sign -f root.layout -k alice.pem");
    for step in ["clone", "build", "package"] {
        env.ok(format!("run -n {step} --signing-key bob.pem -- true"));
    }
    env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "step 'clone'",
    );
    for step in ["clone", "build", "package"] {
        env.ok(format!("run -n {step} --signing-key carl.pem -- true"));
    }
    env.ok("verify -l root.layout --verification-keys alice.pub");
}

#[test]
fn replace_key_takes_gnupg_keys_and_refuses_without_writing() {
    let env = Env::new();
    let bob = chain(&env);
    env.key("carl.pub");
    let before = bytes(&env, "root.layout");
    // OLD must name one key of the layout; NEW must not be another one.
    env.fails(
        1,
        "layout replace-key root.layout 0123456789 --key carl.pub",
        "key 0123456789: no such key in the layout",
    );
    env.fails(
        1,
        format!(
            "layout replace-key root.layout {} --key carl.pub",
            &bob[..4]
        ),
        "at least 8 hex digits",
    );
    env.ok("layout add-key root.layout --key carl.pub");
    let before_carl = bytes(&env, "root.layout");
    let carl = keyid(&env, "carl.pub");
    env.fails(
        1,
        format!("layout replace-key root.layout {bob} --key carl.pub"),
        &format!("key {carl} is in the layout already"),
    );
    env.fails(
        2,
        format!("layout replace-key root.layout {bob}"),
        "required arguments",
    );
    assert_eq!(bytes(&env, "root.layout"), before_carl);
    assert_ne!(before, before_carl);
    // A GnuPG key from the home, named by fingerprint.
    let alice = env.fpr("alice");
    env.ok(format!(
        "layout replace-key root.layout {bob} --gpg {alice}"
    ));
    let id = alice.to_lowercase();
    assert_eq!(steps(&env)[1].1, serde_json::json!([id]));
    // And from a keyring file, replacing the GnuPG key by another.
    env.key("bob.asc");
    let gbob = env.fpr("bob");
    env.ok(format!(
        "layout replace-key root.layout {} --gpg {gbob} --keyring bob.asc",
        &id[..8]
    ));
    assert_eq!(steps(&env)[0].1, serde_json::json!([gbob.to_lowercase()]));
}

#[test]
fn set_step_changes_a_step_in_place() {
    let env = Env::new();
    let bob = chain(&env);
    env.key("carl.pub");
    let carl = env
        .ok("layout add-key root.layout --key carl.pub")
        .stdout
        .trim()
        .to_owned();
    // build sits in the middle and package's rules name it: it is changed
    // where it is, and they still do.
    let out = env.ok((
        format!(
            "layout set-step root.layout build --functionary {} --threshold 2 \
             --append --functionary {bob} --expected-command",
            &carl[..8]
        ),
        ["make 'all targets'", "--product", "CREATE hello"],
    ));
    assert!(
        out.stderr.contains("changed step 'build'") && !out.stderr.contains("sign it again"),
        "{}",
        out.stderr
    );
    let names: Vec<String> = steps(&env).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["clone", "build", "package"]);
    let v = env.json("root.layout");
    let build = &v["signed"]["steps"][1];
    assert_eq!(build["pubkeys"], serde_json::json!([bob, carl]));
    assert_eq!(build["threshold"], 2);
    assert_eq!(
        build["expected_command"],
        serde_json::json!(["make", "all targets"])
    );
    assert_eq!(
        build["expected_products"],
        serde_json::json!([["CREATE", "hello"]])
    );
    assert_eq!(
        v["signed"]["steps"][2]["expected_materials"],
        serde_json::json!([["MATCH", "*", "WITH", "PRODUCTS", "FROM", "build"]])
    );
    // Without --append, given rules and functionaries replace the step's.
    env.ok((
        format!("layout set-step root.layout build --threshold 1 --functionary {carl} --product"),
        ["DISALLOW *"],
    ));
    let build = &env.json("root.layout")["signed"]["steps"][1];
    assert_eq!(build["pubkeys"], serde_json::json!([carl]));
    assert_eq!(
        build["expected_products"],
        serde_json::json!([["DISALLOW", "*"]])
    );
    env.ok("layout set-step root.layout build --clear-products");
    assert!(
        env.json("root.layout")["signed"]["steps"][1]["expected_products"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Refusals name what is wrong and change nothing.
    env.ok("sign -f root.layout -k alice.pem");
    let before = bytes(&env, "root.layout");
    env.fails(
        1,
        format!("layout set-step root.layout build --functionary {bob} --functionary {carl} --threshold 3"),
        "--threshold 3: must be between 1 and the number of functionaries (2)",
    );
    env.ok(format!(
        "layout set-step root.layout build --functionary {bob} --functionary {carl} --threshold 2"
    ));
    env.ok("sign -f root.layout -k alice.pem");
    let before2 = bytes(&env, "root.layout");
    assert_ne!(before, before2);
    env.fails(
        1,
        format!("layout set-step root.layout build --functionary {bob}"),
        "step 'build' keeps threshold 2, more than its 1 functionary: give --threshold too",
    );
    env.fails(
        1,
        "layout set-step root.layout nope --threshold 1",
        "no step named 'nope' (steps: clone, build, package)",
    );
    env.fails(
        1,
        "layout set-step root.layout check --threshold 1",
        "use intoto layout set-inspection",
    );
    env.fails(
        1,
        (
            "layout set-step root.layout clone --material",
            ["MATCH * WITH PRODUCTS FROM check"],
        ),
        "names no step",
    );
    env.fails(2, "layout set-step root.layout build", "nothing to change");
    assert_eq!(bytes(&env, "root.layout"), before2);
}

#[test]
fn set_inspection_changes_an_inspection_in_place() {
    let env = Env::new();
    chain(&env);
    env.ok("layout add-inspection root.layout --name list --run ls");
    let out = env.ok((
        "layout set-inspection root.layout check --run",
        ["test -d .", "--append", "--material", "DISALLOW *"],
    ));
    assert!(
        out.stderr.contains("changed inspection 'check'"),
        "{}",
        out.stderr
    );
    let v = env.json("root.layout");
    let check = &v["signed"]["inspect"][0];
    assert_eq!(check["name"], "check");
    assert_eq!(check["run"], serde_json::json!(["test", "-d", "."]));
    assert_eq!(
        check["expected_materials"],
        serde_json::json!([
            ["MATCH", "*", "WITH", "PRODUCTS", "FROM", "package"],
            ["DISALLOW", "*"]
        ])
    );
    assert_eq!(v["signed"]["inspect"][1]["name"], "list");
    // A rule may name an earlier inspection, not a later one.
    env.fails(
        1,
        (
            "layout set-inspection root.layout check --material",
            ["MATCH * WITH PRODUCTS FROM list"],
        ),
        "names no step",
    );
    env.ok((
        "layout set-inspection root.layout list --material",
        ["MATCH * WITH PRODUCTS FROM check"],
    ));
    let before = bytes(&env, "root.layout");
    env.fails(
        1,
        [
            "layout",
            "set-inspection",
            "root.layout",
            "check",
            "--run",
            "",
        ],
        "needs a command",
    );
    env.fails(
        1,
        "layout set-inspection root.layout build --run true",
        "use intoto layout set-step",
    );
    env.fails(
        2,
        "layout set-inspection root.layout check --append",
        "nothing to change",
    );
    assert_eq!(bytes(&env, "root.layout"), before);
}
