//! `intoto layout check`: one test per finding, on a layout written with
//! `intoto layout` and then given the mistake; the rules run against the
//! links of a run (`--link-dir`); `--json`.

use serde_json::{Value, json};

use crate::common::{Env, Out};

/// `root.layout`, with no finding: bob clones (creates src/*) and builds
/// (takes src/* from clone, creates hello). Returns bob's key id.
fn good(env: &Env) -> String {
    env.key("bob.pub");
    env.ok("layout new root.layout --expires 2099-01-01");
    let bob = env.ok("layout add-key root.layout --key bob.pub");
    let bob = bob.stdout.trim().to_owned();
    env.ok((
        format!("layout add-step root.layout --name clone --functionary {bob}"),
        ["--material", "DISALLOW *", "--product", "CREATE src/*"],
        ["--product", "DISALLOW *"],
    ));
    env.ok((
        format!("layout add-step root.layout --name build --functionary {bob}"),
        [
            "--material",
            "MATCH src/* WITH PRODUCTS FROM clone",
            "--material",
            "DISALLOW *",
        ],
        ["--product", "CREATE hello", "--product", "DISALLOW *"],
    ));
    bob
}

/// Changes the (unsigned) layout's `signed` part.
fn edit(env: &Env, f: impl FnOnce(&mut Value)) {
    let mut v = env.json("root.layout");
    f(&mut v["signed"]);
    env.write("root.layout", &serde_json::to_string_pretty(&v).unwrap());
}

/// `layout check root.layout ARGS`: exit `code`, and one finding line
/// that contains `line`; returns the output.
#[track_caller]
fn finds(env: &Env, args: &str, code: i32, line: &str) -> Out {
    let out = env.code(code, format!("layout check root.layout {args}"));
    let hits: Vec<&str> = out.stdout.lines().filter(|l| l.contains(line)).collect();
    assert_eq!(hits.len(), 1, "{line:?} in:\n{}{}", out.stdout, out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

#[test]
fn a_good_layout_has_no_finding() {
    let env = Env::new();
    good(&env);
    let out = env.ok("layout check root.layout");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("root.layout: 0 errors, 0 warnings, 0 notes"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_match_naming_no_step() {
    let env = Env::new();
    good(&env);
    edit(&env, |s| {
        s["steps"][1]["expected_materials"][0] =
            json!(["MATCH", "src/*", "WITH", "PRODUCTS", "FROM", "clnoe"]);
    });
    finds(
        &env,
        "",
        1,
        "error: step 'build', material rule 1 (MATCH src/* WITH PRODUCTS FROM clnoe): 'clnoe' is no step of the layout",
    );
}

#[test]
fn a_match_naming_a_later_step() {
    let env = Env::new();
    good(&env);
    edit(&env, |s| {
        let steps = s["steps"].as_array_mut().unwrap();
        steps.swap(0, 1);
    });
    finds(&env, "", 0, "warning: step 'build', material rule 1");
}

#[test]
fn a_step_without_a_functionary_key() {
    let env = Env::new();
    good(&env);
    edit(&env, |s| s["steps"][0]["pubkeys"] = json!([]));
    finds(&env, "", 1, "error: step 'clone': names no functionary key");
}

#[test]
fn a_threshold_above_the_number_of_keys() {
    let env = Env::new();
    good(&env);
    edit(&env, |s| s["steps"][1]["threshold"] = json!(2));
    finds(
        &env,
        "",
        1,
        "error: step 'build': threshold 2 is above its number of functionary keys (1)",
    );
}

#[test]
fn a_functionary_that_is_no_key_of_the_layout() {
    let env = Env::new();
    good(&env);
    let other = "ab".repeat(32);
    edit(&env, |s| s["steps"][0]["pubkeys"] = json!([other]));
    finds(
        &env,
        "",
        1,
        &format!("error: step 'clone': functionary {other} is not a key of the layout"),
    );
}

#[test]
fn a_key_that_authorises_nothing() {
    let env = Env::new();
    good(&env);
    env.key("carl.pub");
    let carl = env.ok("layout add-key root.layout --key carl.pub");
    let carl = carl.stdout.trim().to_owned();
    finds(
        &env,
        "",
        0,
        &format!("warning: key {carl}: the layout lists this key, but no step names it"),
    );
}

#[test]
fn rules_that_do_not_end_in_disallow() {
    let env = Env::new();
    good(&env);
    edit(&env, |s| {
        s["steps"][1]["expected_products"] = json!([["CREATE", "hello"]])
    });
    finds(
        &env,
        "",
        0,
        "warning: step 'build': its products rules do not end in DISALLOW",
    );
}

#[test]
fn a_rule_that_can_never_match() {
    let env = Env::new();
    good(&env);
    edit(&env, |s| {
        s["steps"][1]["expected_materials"][0] =
            json!(["MATCH", "lib/*", "WITH", "PRODUCTS", "FROM", "clone"]);
    });
    finds(
        &env,
        "",
        0,
        "warning: step 'build', material rule 1 (MATCH lib/* WITH PRODUCTS FROM clone): can never match",
    );
}

#[test]
fn an_inspection_with_an_empty_command() {
    let env = Env::new();
    good(&env);
    edit(&env, |s| {
        s["inspect"] = json!([{"_type": "inspection", "name": "look", "run": [],
            "expected_materials": [], "expected_products": []}]);
    });
    finds(
        &env,
        "",
        1,
        "error: inspection 'look': its command is empty",
    );
}

#[test]
fn a_parameter() {
    let env = Env::new();
    good(&env);
    edit(&env, |s| {
        s["steps"][1]["expected_products"][0] = json!(["CREATE", "hello-{VERSION}"])
    });
    finds(
        &env,
        "",
        0,
        "warning: step 'build': uses the parameter {VERSION}: verification needs --param VERSION=VALUE",
    );
}

#[test]
fn an_expiry_in_the_past() {
    let env = Env::new();
    good(&env);
    edit(&env, |s| s["expires"] = json!("2020-01-01T00:00:00Z"));
    finds(
        &env,
        "",
        1,
        "error: layout: it expired on 2020-01-01T00:00:00Z",
    );
    // Or as of --time.
    edit(&env, |s| s["expires"] = json!("2030-01-01T00:00:00Z"));
    finds(
        &env,
        "--time 2031-01-01",
        1,
        "error: layout: it expired on 2030-01-01T00:00:00Z",
    );
}

/// A GnuPG signing key made now, expiring in a year (`name@example.org`);
/// its fingerprint.
fn expiring_key(env: &Env, name: &str) -> String {
    let st = std::process::Command::new("gpg")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
        .args([
            "--quick-gen-key",
            &format!("{name} <{name}@example.org>"),
            "ed25519",
            "sign",
            "1y",
        ])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    env.fpr(name)
}

#[test]
fn an_expiry_beyond_a_functionary_or_owner_key() {
    let env = Env::new();
    good(&env);
    let fpr = expiring_key(&env, "yves");
    let id = env.ok(format!("layout add-key root.layout --gpg {fpr}"));
    let id = id.stdout.trim().to_owned();
    edit(&env, |s| {
        s["steps"][0]["pubkeys"]
            .as_array_mut()
            .unwrap()
            .push(json!(id))
    });
    finds(
        &env,
        "",
        0,
        &format!(
            "warning: key {id}: the layout expires 2099-01-01T00:00:00Z, after this functionary key"
        ),
    );
    // Expired by then.
    finds(
        &env,
        "--time 2090-01-01",
        1,
        &format!("error: key {id}: the functionary key expired on"),
    );
    // An owner's key.
    let out = finds(
        &env,
        &format!("--gpg {fpr}"),
        0,
        &format!(
            "warning: key {id}: the layout expires 2099-01-01T00:00:00Z, after this owner key"
        ),
    );
    assert!(
        out.stdout.contains("this functionary key"),
        "{}",
        out.stdout
    );
}

/// The links of a run of `good`'s layout, by bob, in `links/`: clone
/// makes src/a.c and src/b.c, build makes hello and junk.
fn run_links(env: &Env) {
    env.key("bob.pem");
    std::fs::create_dir_all(env.work().join("links")).unwrap();
    env.ok((
        "run -n clone -p src -d links --signing-key bob.pem --",
        [
            "sh",
            "-c",
            "mkdir src && echo a > src/a.c && echo b > src/b.c",
        ],
    ));
    env.ok((
        "run -n build -m src -p hello junk -d links --signing-key bob.pem --",
        ["sh", "-c", "echo h > hello && echo j > junk"],
    ));
}

#[test]
fn with_link_dir_which_rule_took_what_and_which_failed() {
    let env = Env::new();
    good(&env);
    run_links(&env);
    let out = env.code(1, "layout check root.layout --link-dir links");
    let o = &out.stdout;
    assert!(
        o.contains("note: step 'clone', product rule 1 (CREATE src/*): took 2 artifacts of clone."),
        "{o}"
    );
    assert!(o.contains("note: step 'build', material rule 1 (MATCH src/* WITH PRODUCTS FROM clone): took 2 artifacts of build."), "{o}");
    assert!(o.contains("error: step 'build', product rule 2 (DISALLOW *): step 'build': product 'junk' matched no rule and DISALLOW * forbids it"), "{o}");
    // A rule that took nothing.
    edit(&env, |s| {
        let m = s["steps"][0]["expected_materials"].as_array_mut().unwrap();
        m.insert(0, json!(["ALLOW", "README"]));
    });
    let out = env.code(1, "layout check root.layout --link-dir links");
    assert!(
        out.stdout.contains(
            "warning: step 'clone', material rule 1 (ALLOW README): took no artifact of clone."
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn with_link_dir_a_step_without_a_link() {
    let env = Env::new();
    good(&env);
    std::fs::create_dir_all(env.work().join("links")).unwrap();
    let out = finds(
        &env,
        "--link-dir links",
        0,
        "warning: step 'clone': no link of it in links",
    );
    assert!(
        out.stdout
            .contains("warning: step 'build': no link of it in links"),
        "{}",
        out.stdout
    );
}

#[test]
fn json_has_the_documented_shape() {
    let env = Env::new();
    good(&env);
    run_links(&env);
    edit(&env, |s| s["steps"][1]["threshold"] = json!(2));
    let v = env
        .code(1, "layout check root.layout --link-dir links --json")
        .json();
    assert_eq!(v["layout"], "root.layout");
    assert_eq!(v["errors"], 2);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(
        f[0],
        json!({"severity": "error", "check": "threshold", "item": "build", "item_kind": "step",
            "side": null, "rule": null, "rule_text": null, "key": null,
            "message": "threshold 2 is above its number of functionary keys (1): verification cannot pass"})
    );
    let fail = f.iter().find(|f| f["check"] == "rule-fails").unwrap();
    assert_eq!(fail["side"], "products");
    assert_eq!(fail["rule"], 2);
    assert_eq!(fail["rule_text"], "DISALLOW *");
    assert_eq!(fail["artifacts"], json!(["junk"]));
    // Errors that stop the check are one line, not JSON findings.
    env.fails(1, "layout check nowhere.layout", "nowhere.layout");
    env.fails(
        1,
        "layout check root.layout --link-dir nowhere",
        "--link-dir nowhere: not a directory",
    );
}
