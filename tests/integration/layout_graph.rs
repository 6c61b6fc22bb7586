//! `intoto layout graph`: the SVG is well-formed XML naming every step and
//! renders with `rsvg-convert` without a warning, the DOT parses with
//! Graphviz, the Mermaid block keeps to its labels; hostile names stay
//! text; a report colours what passed and marks what failed; the demo's
//! pictures in docs/ are what `scripts/demo-graphs` draws today. The
//! renderers are skipped when missing, except on CI (`$CI` set), where
//! that fails: `scripts/setup --tests` installs librsvg2-bin and graphviz.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::{Env, bin, repo};

/// Whether `tool` can be run; on CI, a missing tool fails the test.
fn have(tool: &str) -> bool {
    // (Graphviz knows -V only.)
    let found = Command::new(tool)
        .arg(if tool == "dot" { "-V" } else { "--version" })
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("CI").is_some() {
        panic!("{tool} is missing on CI: scripts/setup --tests installs it");
    }
    if !found {
        eprintln!("skipping the {tool} check: {tool} is not installed (scripts/setup --tests)");
    }
    found
}

/// The text of every `<text>` element of the SVG at `path`, parsed by
/// Python's XML parser (which refuses a document that is not well-formed).
fn svg_texts(path: &Path) -> Vec<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, xml.etree.ElementTree as ET\n\
             root = ET.parse(sys.argv[1]).getroot()\n\
             assert root.tag == '{http://www.w3.org/2000/svg}svg', root.tag\n\
             print(json.dumps([t.text or '' for t in root.iter('{http://www.w3.org/2000/svg}text')]))",
        ])
        .arg(path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{} is not well-formed SVG: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Renders the SVG at `path` to PNG with rsvg-convert: no warning, a PNG.
fn renders(path: &Path) {
    if !have("rsvg-convert") {
        return;
    }
    let png = path.with_extension("png");
    let out = Command::new("rsvg-convert")
        .arg(path)
        .arg("-o")
        .arg(&png)
        .output()
        .unwrap();
    succeeded_quietly(&out, "rsvg-convert");
    assert!(fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

/// `tool` succeeded and said nothing on stderr.
#[track_caller]
fn succeeded_quietly(out: &std::process::Output, tool: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{tool} failed: {err}");
    assert!(err.is_empty(), "{tool} warned: {err}");
}

/// Graphviz reads the DOT at `path` without a warning.
fn dot_parses(path: &Path) {
    if !have("dot") {
        return;
    }
    let out = Command::new("dot").arg("-Tsvg").arg(path).output().unwrap();
    succeeded_quietly(&out, "dot");
}

/// An unsigned layout of `steps` steps, each matching the one before, every
/// third also the one three before, and an inspection of the last.
fn chain_layout(env: &Env, file: &str, steps: usize) -> Vec<String> {
    let names: Vec<String> = (0..steps).map(|i| format!("step-{i:02}")).collect();
    let mut items = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let mut materials = Vec::new();
        if i > 0 {
            materials.push(serde_json::json!([
                "MATCH",
                "src/*",
                "WITH",
                "PRODUCTS",
                "FROM",
                names[i - 1]
            ]));
        }
        if i >= 3 && i % 3 == 0 {
            materials.push(serde_json::json!([
                "MATCH",
                "build/*",
                "WITH",
                "PRODUCTS",
                "FROM",
                names[i - 3]
            ]));
        }
        materials.push(serde_json::json!(["DISALLOW", "*"]));
        items.push(serde_json::json!({
            "_type": "step", "name": n, "pubkeys": [format!("{:016x}", i % 3 + 1)],
            "threshold": 1, "expected_command": ["make", n],
            "expected_materials": materials,
            "expected_products": [["CREATE", format!("build/{n}.o")], ["ALLOW", "src/*"], ["DISALLOW", "*"]],
        }));
    }
    let last = names.last().cloned().unwrap_or_default();
    let layout = serde_json::json!({
        "signed": {
            "_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "a chain", "keys": {},
            "steps": items,
            "inspect": [{"_type": "inspection", "name": "check", "run": ["test", "-d", "build"],
                "expected_materials": [["MATCH", "build/*", "WITH", "PRODUCTS", "FROM", last]],
                "expected_products": []}],
        },
        "signatures": [],
    });
    env.write(file, &serde_json::to_string_pretty(&layout).unwrap());
    names
}

#[test]
fn svg_names_every_step_and_renders() {
    let env = Env::new();
    let names = chain_layout(&env, "chain.layout", 20);
    env.ok("layout graph chain.layout -o chain.svg");
    let texts = svg_texts(&env.work().join("chain.svg"));
    for n in names.iter().map(String::as_str).chain(["check"]) {
        assert!(texts.iter().any(|t| t == n), "{n} is not drawn: {texts:?}");
    }
    renders(&env.work().join("chain.svg"));
    // Readable at a glance: one column of boxes, not a wide fan.
    let svg = fs::read_to_string(env.work().join("chain.svg")).unwrap();
    let width: f64 = svg
        .split("width=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|w| w.parse().ok())
        .unwrap();
    assert!(width < 1000.0, "the 20-step chain is {width} px wide");
    // Standard output without -o, the same picture.
    let out = env.ok("layout graph chain.layout");
    assert_eq!(out.stdout, svg);
}

#[test]
fn dot_parses_and_mermaid_is_a_markdown_block() {
    let env = Env::new();
    chain_layout(&env, "chain.layout", 5);
    env.ok("layout graph chain.layout --format dot -o chain.dot");
    let dot = fs::read_to_string(env.work().join("chain.dot")).unwrap();
    assert!(dot.starts_with("digraph supply_chain {"), "{dot}");
    assert!(dot.contains("label=\"src/*\""), "{dot}");
    dot_parses(&env.work().join("chain.dot"));
    let md = env.ok("layout graph chain.layout --format mermaid").stdout;
    assert!(md.starts_with("```mermaid\nflowchart TD\n"), "{md}");
    assert!(md.ends_with("```\n"), "{md}");
    assert!(md.contains("n0 -->|\"src/*\"| n1"), "{md}");
}

#[test]
fn hostile_names_stay_text_in_every_format() {
    let env = Env::new();
    let bob = env.demo_layout(&[]);
    assert!(bob.is_empty());
    let bob = env.ok("layout add-key root.layout --key bob.pub").stdout;
    let bob = bob.trim();
    let evil = r#"<script>alert(1)<\script>"]; n9 [label="x\l %%{init}%% #35; `b` | &amp; ']"#;
    let argv = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<String>>();
    // Each character escaped for the shell-like splitting of rules and
    // commands.
    let quoted: String = evil.chars().map(|c| format!("\\{c}")).collect();
    let command = format!("echo {quoted}");
    env.ok(argv(&[
        "layout",
        "add-step",
        "root.layout",
        "--functionary",
        bob,
        "--name",
        evil,
        "--expected-command",
        &command,
    ]));
    let rule = format!("MATCH {quoted} WITH PRODUCTS FROM {quoted}");
    env.ok(argv(&[
        "layout",
        "add-step",
        "root.layout",
        "--functionary",
        bob,
        "--name",
        "next",
        "--material",
        &rule,
    ]));
    env.ok("layout graph root.layout -o evil.svg");
    let texts = svg_texts(&env.work().join("evil.svg"));
    assert!(texts.iter().any(|t| t == evil), "{texts:?}");
    renders(&env.work().join("evil.svg"));

    env.ok("layout graph root.layout --format dot -o evil.dot");
    let dot = fs::read_to_string(env.work().join("evil.dot")).unwrap();
    assert!(dot.contains("n0 -> n1"), "{dot}");
    dot_parses(&env.work().join("evil.dot"));
    if have("dot") {
        // Graphviz reads the name back as it is: its own SVG shows it.
        let out = Command::new("dot")
            .args(["-Tsvg", "-o"])
            .arg(env.work().join("evil-dot.svg"))
            .arg(env.work().join("evil.dot"))
            .output()
            .unwrap();
        assert!(out.status.success());
        let texts = svg_texts(&env.work().join("evil-dot.svg"));
        assert!(texts.iter().any(|t| t == evil), "{texts:?}");
    }

    let md = env.ok("layout graph root.layout --format mermaid").stdout;
    for line in md.lines().filter(|l| l.contains('"')) {
        assert_eq!(line.matches('"').count(), 2, "{line}");
        assert!(
            !line.contains("<script") && !line.contains("<\\script"),
            "{line}"
        );
        assert!(!line.contains("%%") && !line.contains('`'), "{line}");
    }
}

#[test]
fn a_report_colours_what_passed_and_marks_the_failure() {
    let env = Env::new();
    env.signed_demo_layout(&["build", "test"]);
    env.key("bob.pem");
    env.ok("run -n build --signing-key bob.pem -- true");
    let out = env.code(
        1,
        "verify -l root.layout --verification-keys alice.pub --json",
    );
    env.write("failed.json", &out.stdout);
    env.ok("layout graph root.layout --report failed.json -o failed.svg");
    let texts = svg_texts(&env.work().join("failed.svg"));
    assert!(
        texts.contains(&"verification failed at step 'test' (link loading)".to_owned()),
        "{texts:?}"
    );
    renders(&env.work().join("failed.svg"));
    let svg = fs::read_to_string(env.work().join("failed.svg")).unwrap();
    assert_eq!(svg.matches("<g class=\"failed\">").count(), 1, "{svg}");

    env.ok("run -n test --signing-key bob.pem -- true");
    let out = env.ok("verify -l root.layout --verification-keys alice.pub --json");
    env.write("passed.json", &out.stdout);
    let svg = env
        .ok("layout graph root.layout --report passed.json")
        .stdout;
    assert_eq!(svg.matches("<g class=\"passed\">").count(), 2, "{svg}");
    assert!(svg.contains(">verification passed</text>"), "{svg}");
    let dot = env
        .ok("layout graph root.layout --report passed.json --format dot")
        .stdout;
    assert!(dot.contains("label=\"verification passed"), "{dot}");
}

#[test]
fn refuses_what_it_cannot_draw_in_one_line() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    env.write(
        "other.json",
        r#"{"version": 2, "result": "passed", "steps": [{"name": "deploy"}]}"#,
    );
    env.fails(
        1,
        "layout graph root.layout --report other.json",
        "\"deploy\"",
    );
    env.write("v3.json", r#"{"version": 3, "result": "passed"}"#);
    env.fails(
        1,
        "layout graph root.layout --report v3.json",
        "report version 3",
    );
    env.write("junk.json", "not json");
    env.fails(
        1,
        "layout graph root.layout --report junk.json",
        "junk.json",
    );
    env.fails(
        1,
        "layout graph root.layout --report missing.json",
        "missing.json",
    );
    env.fails(1, "layout graph missing.layout", "missing.layout");
    env.fails(
        1,
        "layout graph root.layout -o no/such/dir/x.svg",
        "no/such/dir/x.svg",
    );
    env.fails(2, "layout graph root.layout --format png", "png");
    // Every step matching every earlier one: no SVG (placing it would take
    // minutes), the DOT still.
    let steps: Vec<serde_json::Value> = (0..40)
        .map(|i| {
            let rules: Vec<serde_json::Value> = (0..i)
                .map(|j| {
                    serde_json::json!(["MATCH", "*", "WITH", "PRODUCTS", "FROM", format!("s{j}")])
                })
                .collect();
            serde_json::json!({"_type": "step", "name": format!("s{i}"), "pubkeys": [],
                "threshold": 1, "expected_materials": rules, "expected_products": []})
        })
        .collect();
    let dense = serde_json::json!({"signed": {"_type": "layout", "expires": "2099-01-01T00:00:00Z",
        "keys": {}, "steps": steps, "inspect": []}, "signatures": []});
    env.write("dense.layout", &dense.to_string());
    env.fails(
        1,
        "layout graph dense.layout",
        "too large to lay out as SVG",
    );
    env.ok("layout graph dense.layout --format dot");
    env.key("bob.pem");
    env.ok("run -n build --signing-key bob.pem -- true");
    let link = env.link("build");
    env.fails(
        1,
        ("layout graph", link.to_str().unwrap()),
        "is a link, not a layout",
    );
}

#[test]
fn functionaries_are_named_by_user_id_from_gnupg() {
    let env = Env::new();
    env.ok("layout new root.layout --expires 2099-01-01");
    let bob = env.fpr("bob");
    env.ok(("layout add-key root.layout --gpg", bob.as_str()));
    env.ok((
        "layout add-step root.layout --name build --functionary",
        bob.as_str(),
    ));
    let svg = env.ok("layout graph root.layout").stdout;
    assert!(svg.contains("bob@example.org"), "{svg}");
    // Without the certificate: the short key id.
    let empty = env.work().join("empty-home");
    fs::create_dir(&empty).unwrap();
    let svg = env
        .ok((
            "layout graph root.layout --keyring",
            env.key("carl.asc").to_str().unwrap(),
        ))
        .stdout;
    assert!(
        svg.contains(&format!("key {}", &bob[..8].to_lowercase())),
        "{svg}"
    );
}

/// docs/demo-layout.svg and docs/demo-failed.svg (README.md shows them)
/// are what scripts/demo-graphs draws with this build.
#[test]
fn the_demo_pictures_in_docs_are_fresh() {
    let env = Env::new();
    let out = env.work().join("docs");
    let st = Command::new(repo().join("scripts/demo-graphs"))
        .arg(&out)
        .env("INTOTO", bin())
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    for f in ["demo-layout.svg", "demo-failed.svg"] {
        let now = fs::read_to_string(out.join(f)).unwrap();
        let checked_in = fs::read_to_string(repo().join("docs").join(f)).unwrap();
        assert!(
            now == checked_in,
            "docs/{f} is stale: run scripts/gen-docs and commit it"
        );
        svg_texts(&out.join(f));
        renders(&out.join(f));
    }
    let failed = fs::read_to_string(out.join("demo-failed.svg")).unwrap();
    assert!(failed.contains("verification failed at inspection &apos;untar&apos;"));
}
