use super::*;

/// The demo's layout (scripts/demo), keys left out.
pub(super) const DEMO: &str = r#"{"_type": "layout", "expires": "2099-01-01T00:00:00Z",
  "readme": "in-toto demo", "keys": {},
  "steps": [
    {"_type": "step", "name": "clone", "pubkeys": ["aaaaaaaaaaaaaaaa"], "threshold": 1,
     "expected_command": ["cp", "-R", "upstream/demo-project", "demo-project"],
     "expected_materials": [],
     "expected_products": [["CREATE", "demo-project/foo.py"], ["DISALLOW", "*"]]},
    {"_type": "step", "name": "update-version", "pubkeys": ["aaaaaaaaaaaaaaaa"], "threshold": 1,
     "expected_command": [],
     "expected_materials": [["MATCH", "demo-project/*", "WITH", "PRODUCTS", "FROM", "clone"], ["DISALLOW", "*"]],
     "expected_products": [["ALLOW", "demo-project/foo.py"], ["DISALLOW", "*"]]},
    {"_type": "step", "name": "package", "pubkeys": ["bbbbbbbbbbbbbbbb"], "threshold": 1,
     "expected_command": ["tar", "--exclude", ".git", "-zcf", "demo-project.tar.gz", "demo-project"],
     "expected_materials": [["MATCH", "demo-project/*", "WITH", "PRODUCTS", "FROM", "update-version"], ["DISALLOW", "*"]],
     "expected_products": [["CREATE", "demo-project.tar.gz"], ["DISALLOW", "*"]]}],
  "inspect": [
    {"_type": "inspection", "name": "untar", "run": ["tar", "xzf", "demo-project.tar.gz"],
     "expected_materials": [["MATCH", "demo-project.tar.gz", "WITH", "PRODUCTS", "FROM", "package"], ["DISALLOW", "*"]],
     "expected_products": [["MATCH", "demo-project.tar.gz", "WITH", "PRODUCTS", "FROM", "package"],
       ["MATCH", "demo-project/foo.py", "WITH", "PRODUCTS", "FROM", "update-version"], ["DISALLOW", "*"]]}]}"#;

pub(super) fn layout(text: &str) -> Layout {
    let v = crate::json::parse(text.as_bytes()).unwrap();
    Layout::from_value("signed", &v).unwrap()
}

fn names() -> KeyNames {
    [(
        "aaaaaaaaaaaaaaaa".to_owned(),
        "Bob <bob@example.org>".to_owned(),
    )]
    .into_iter()
    .collect()
}

fn labels(g: &Graph, from: &str, to: &str) -> Vec<String> {
    let i = |n: &str| g.nodes.iter().position(|x| x.name == n).unwrap();
    g.edges
        .iter()
        .find(|e| e.from == i(from) && e.to == i(to))
        .map(|e| e.labels.clone())
        .unwrap_or_default()
}

#[test]
fn the_demo_flows_from_outside_through_the_steps_to_its_product() {
    let g = Graph::new(&layout(DEMO), &names(), None).unwrap();
    let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "clone",
            "update-version",
            "package",
            "untar",
            "outside the layout",
            "final products"
        ]
    );
    assert_eq!(labels(&g, "clone", "update-version"), ["demo-project/*"]);
    assert_eq!(
        labels(&g, "update-version", "untar"),
        ["demo-project/foo.py (as products)"]
    );
    assert_eq!(
        labels(&g, "outside the layout", "clone"),
        ["any materials (no rules)"]
    );
    assert_eq!(
        labels(&g, "package", "final products"),
        ["demo-project.tar.gz"]
    );
    assert!(labels(&g, "clone", "final products").is_empty());
    let clone = &g.nodes[0];
    assert_eq!(
        clone.lines,
        [
            Line::Text("Bob <bob@example.org>".into()),
            Line::Text("threshold 1 of 1".into()),
            Line::Command("$ cp -R upstream/demo-project demo-project".into()),
        ]
    );
    assert_eq!(g.nodes[2].lines[0], Line::Text("key bbbbbbbb".into()));
}

#[test]
fn a_failed_report_marks_the_item_and_the_rule() {
    let report = Report::from_slice(
        br#"{"version": 2, "result": "failed", "steps": [{"name": "clone"},
        {"name": "update-version"}, {"name": "package"}, {"name": "untar"}],
        "failure": {"stage": "inspection-rules", "kind": "rule-failed",
          "message": "inspection 'untar': material 'demo-project.tar.gz' was not matched",
          "inspection": "untar", "rule": {"item_kind": "inspection", "item": "untar",
          "side": "materials", "rule": "DISALLOW *", "kind": {"type": "disallowed",
          "artifacts": ["demo-project.tar.gz"], "near_misses": [{"artifact": "demo-project.tar.gz",
          "rule": "MATCH demo-project.tar.gz WITH PRODUCTS FROM package",
          "reason": "its digest differs"}]}}}}"#,
    )
    .unwrap();
    let g = Graph::new(&layout(DEMO), &names(), Some(&report)).unwrap();
    let status: Vec<Status> = g.nodes.iter().map(|n| n.status).collect();
    assert_eq!(
        status,
        [
            Status::Passed,
            Status::Passed,
            Status::Passed,
            Status::Failed,
            Status::Plain,
            Status::Plain
        ]
    );
    let bad: Vec<&Edge> = g
        .edges
        .iter()
        .filter(|e| e.status == Status::Failed)
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(g.nodes[bad[0].from].name, "package");
    assert!(
        bad[0].notes.concat().contains("its digest differs"),
        "{:?}",
        bad[0].notes
    );
    assert!(
        g.nodes[3]
            .lines
            .contains(&Line::Failure("✗ DISALLOW * (materials) refused:".into()))
    );
    assert!(
        g.nodes[3]
            .lines
            .contains(&Line::Failure("demo-project.tar.gz".into()))
    );
    assert_eq!(
        g.verdict.as_ref().unwrap().text,
        "verification failed at inspection 'untar' (inspection rules)"
    );
    assert_eq!(g.verdict.as_ref().unwrap().status, Status::Failed);
}

#[test]
fn a_report_of_another_layout_is_refused() {
    let report =
        Report::from_slice(br#"{"version": 2, "result": "passed", "steps": [{"name": "deploy"}]}"#)
            .unwrap();
    let e = Graph::new(&layout(DEMO), &names(), Some(&report)).unwrap_err();
    assert!(e.to_string().contains("\"deploy\""), "{e}");
}

#[test]
fn hostile_text_stays_inside_its_label_in_every_format() {
    let evil = r#"x</text><script>alert(1)</script>\"]; n9 [label=\"pwned\l%%{init}%%#amp;`a`|"#;
    let mut doc = layout(DEMO);
    let name = format!("clone{evil}");
    doc.steps[0].name = name.clone();
    doc.steps[0].expected_command = vec![format!("cp\n{evil}\u{1b}[31m\u{202e}")];
    doc.steps[1].expected_materials = vec![
        ArtifactRule::new(
            [
                "MATCH",
                &format!("a\"]--> b<i>\u{1b}{evil}"),
                "WITH",
                "PRODUCTS",
                "FROM",
                &name,
            ]
            .map(str::to_owned)
            .to_vec(),
        )
        .unwrap(),
    ];
    let g = Graph::new(&doc, &names(), None).unwrap();
    let svg = g.to_svg().unwrap();
    assert!(
        !svg.contains("<script>") && !svg.contains("<i>") && !svg.contains('\u{1b}'),
        "{svg}"
    );
    assert!(svg.contains("&lt;script&gt;"));
    let dot = g.to_dot();
    assert!(!dot.contains("[label=\"pwned"), "{dot}");
    for line in dot.lines().filter(|l| l.contains("label=")) {
        // Every quote inside a label is escaped: the unescaped ones are
        // the label's own and the attributes'.
        let unescaped = line.replace("\\\\", "").replace("\\\"", "");
        assert_eq!(unescaped.matches('"').count() % 2, 0, "{line}");
        assert!(!unescaped.contains("pwned\""), "{line}");
    }
    let md = g.to_mermaid();
    for line in md
        .lines()
        .filter(|l| l.contains("[\"") || l.contains("|\""))
    {
        assert!(
            !line.contains("<script>") && !line.contains("%%") && !line.contains('`'),
            "{line}"
        );
        assert_eq!(line.matches('"').count(), 2, "{line}");
    }
}

#[test]
fn odd_layouts_draw_without_panicking() {
    let empty = r#"{"_type": "layout", "expires": "2099-01-01T00:00:00Z", "keys": {}, "steps": [], "inspect": []}"#;
    // A cycle, a rule naming its own step, one naming a missing step,
    // a step matching a later one.
    let odd = r#"{"_type": "layout", "expires": "2099-01-01T00:00:00Z", "keys": {}, "inspect": [],
      "steps": [
        {"_type": "step", "name": "a", "pubkeys": [], "threshold": 1,
         "expected_materials": [["MATCH", "*", "WITH", "PRODUCTS", "FROM", "b"], ["MATCH", "*", "WITH", "PRODUCTS", "FROM", "a"],
           ["MATCH", "x", "WITH", "MATERIALS", "FROM", "nobody"]], "expected_products": []},
        {"_type": "step", "name": "b", "pubkeys": [], "threshold": 1,
         "expected_materials": [["MATCH", "*", "WITH", "PRODUCTS", "FROM", "a"], ["MATCH", "y", "IN", "p", "WITH", "PRODUCTS", "IN", "q", "FROM", "a"]],
         "expected_products": [["CREATE", "out"]]}]}"#;
    for doc in [empty, odd, DEMO] {
        let g = Graph::new(&layout(doc), &names(), None).unwrap();
        assert!(g.to_svg().unwrap().ends_with("</svg>\n"));
        g.to_dot();
        g.to_mermaid();
    }
    let g = Graph::new(&layout(odd), &names(), None).unwrap();
    assert!(g.edges.iter().any(|e| e.backwards));
    assert!(
        g.nodes[0]
            .lines
            .iter()
            .any(|l| matches!(l, Line::Failure(t) if t.contains("nobody")))
    );
}

/// `steps` steps, each matching every earlier one (`dense`) or the one
/// before and the one three before.
fn chain(steps: usize, dense: bool) -> Layout {
    let mut items = Vec::new();
    for i in 0..steps {
        let from: Vec<usize> = if dense {
            (0..i).collect()
        } else {
            [i.checked_sub(1), i.checked_sub(3).filter(|_| i % 3 == 0)]
                .into_iter()
                .flatten()
                .collect()
        };
        let rules: Vec<String> = from
            .iter()
            .map(|j| format!(r#"["MATCH", "x{j}/*", "WITH", "PRODUCTS", "FROM", "s{j}"]"#))
            .collect();
        items.push(format!(
            r#"{{"_type": "step", "name": "s{i}", "pubkeys": [], "threshold": 1,
              "expected_materials": [{}], "expected_products": [["CREATE", "o{i}"]]}}"#,
            rules.join(", ")
        ));
    }
    layout(&format!(
        r#"{{"_type": "layout", "expires": "2099-01-01T00:00:00Z", "keys": {{}}, "inspect": [],
           "steps": [{}]}}"#,
        items.join(", ")
    ))
}

#[test]
fn long_chains_are_drawn_and_dense_ones_refused_quickly() {
    let start = std::time::Instant::now();
    let g = Graph::new(&chain(300, false), &names(), None).unwrap();
    assert!(g.to_svg().unwrap().contains(">s299</text>"));
    let g = Graph::new(&chain(40, true), &names(), None).unwrap();
    let e = g.to_svg().unwrap_err();
    assert!(
        e.to_string().starts_with("too large to lay out as SVG"),
        "{e}"
    );
    assert!(g.to_dot().contains("n0 -> n39"));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}
