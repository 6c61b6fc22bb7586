//! The graph as a Markdown ```` ```mermaid ```` block (a flowchart): node
//! ids are generated (`n0`, `n1`...), every text is a `"..."` label with
//! what Mermaid or HTML would read as markup written as `#code;`.

use std::fmt::Write as _;

use super::dot::colours;
use super::text::mermaid as q;
use super::{Graph, Line, NodeKind, Status};

pub(super) fn render(g: &Graph) -> String {
    let mut out = String::from("```mermaid\nflowchart TD\n");
    let mut title = Vec::new();
    if let Some(v) = &g.verdict {
        title.push(q(&v.text));
    }
    if !g.caption.is_empty() {
        title.push(q(&g.caption));
    }
    if !title.is_empty() {
        let status = g.verdict.as_ref().map_or(Status::Plain, |v| v.status);
        let _ = writeln!(out, "  verdict[\"{}\"]", title.join("<br>"));
        let _ = writeln!(out, "  class verdict {}", class(status));
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let mut lines = vec![format!("<b>{}</b>", q(&n.name))];
        for l in &n.lines {
            lines.push(match l {
                Line::Text(t) | Line::Command(t) | Line::Failure(t) => q(t),
            });
        }
        let label = lines.join("<br>");
        let _ = match n.kind {
            NodeKind::Step => writeln!(out, "  n{i}[\"{label}\"]"),
            NodeKind::Inspection => writeln!(out, "  n{i}[[\"{label}\"]]"),
            NodeKind::Outside | NodeKind::Products => writeln!(out, "  n{i}([\"{label}\"])"),
        };
        let _ = writeln!(out, "  class n{i} {}", class(n.status));
    }
    for e in &g.edges {
        let labels: Vec<String> = e.labels.iter().chain(&e.notes).map(|l| q(l)).collect();
        let arrow = if e.backwards { "-.->" } else { "-->" };
        let _ = writeln!(
            out,
            "  n{} {arrow}|\"{}\"| n{}",
            e.from,
            labels.join("<br>"),
            e.to
        );
    }
    for s in [
        Status::Plain,
        Status::Passed,
        Status::Failed,
        Status::NotJudged,
    ] {
        let (fill, line) = colours(s);
        let _ = writeln!(
            out,
            "  classDef {} fill:{fill},stroke:{line},color:#202124{}",
            class(s),
            if s == Status::Failed {
                ",stroke-width:3px"
            } else {
                ""
            }
        );
    }
    for (i, e) in g.edges.iter().enumerate() {
        let (_, line) = colours(e.status);
        let _ = writeln!(
            out,
            "  linkStyle {i} stroke:{line}{}",
            if e.status == Status::Failed {
                ",stroke-width:3px"
            } else {
                ""
            }
        );
    }
    out.push_str("```\n");
    out
}

fn class(s: Status) -> &'static str {
    match s {
        Status::Plain => "plain",
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::NotJudged => "notjudged",
    }
}
