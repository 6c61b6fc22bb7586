//! The graph as Graphviz DOT: node ids are generated (`n0`, `n1`...), every
//! text is inside a double-quoted string with `\` and `"` escaped.

use std::fmt::Write as _;

use super::text::dot as q;
use super::{Graph, Line, NodeKind, Status};

/// Fill and line colours of a status.
pub(super) fn colours(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Plain => ("#f8f9fa", "#5f6368"),
        Status::Passed => ("#e6f4ea", "#188038"),
        Status::Failed => ("#fce8e6", "#c5221f"),
        Status::NotJudged => ("#f1f3f4", "#9aa0a6"),
    }
}

pub(super) fn render(g: &Graph) -> String {
    let mut out = String::from("digraph supply_chain {\n");
    out.push_str("  graph [rankdir=TB, nodesep=0.4, ranksep=0.5, fontname=\"Helvetica\"");
    let mut title = Vec::new();
    if let Some(v) = &g.verdict {
        title.push(v.text.clone());
    }
    if !g.caption.is_empty() {
        title.push(g.caption.clone());
    }
    if !title.is_empty() {
        let t: Vec<String> = title.iter().map(|t| q(t)).collect();
        let _ = write!(out, ", labelloc=t, label=\"{}\"", t.join("\\n"));
    }
    out.push_str("];\n");
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n",
    );
    out.push_str("  edge [fontname=\"Courier\", fontsize=10];\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let mut lines = vec![q(&n.name)];
        for l in &n.lines {
            lines.push(q(match l {
                Line::Text(t) | Line::Command(t) | Line::Failure(t) => t,
            }));
        }
        let (fill, line) = colours(n.status);
        let shape = match n.kind {
            NodeKind::Step => "box",
            NodeKind::Inspection => "box, peripheries=2",
            NodeKind::Outside => "ellipse, style=\"dashed,filled\"",
            NodeKind::Products => "note",
        };
        let _ = writeln!(
            out,
            "  n{i} [shape={shape}, label=\"{}\", fillcolor=\"{fill}\", color=\"{line}\"{}];",
            lines.join("\\n"),
            if n.status == Status::Failed {
                ", penwidth=2"
            } else {
                ""
            }
        );
    }
    for e in &g.edges {
        let labels: Vec<String> = e.labels.iter().chain(&e.notes).map(|l| q(l)).collect();
        let (_, line) = colours(e.status);
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\", color=\"{line}\", fontcolor=\"{line}\"{}];",
            e.from,
            e.to,
            labels.join("\\n"),
            match (e.status, e.backwards) {
                (Status::Failed, _) => ", penwidth=2",
                (_, true) => ", style=dashed",
                _ => "",
            }
        );
    }
    out.push_str("}\n");
    out
}
