//! A picture of a supply chain: the steps and inspections of a layout as
//! nodes (name, functionaries, threshold, command), its MATCH rules as
//! edges labelled with their patterns, what enters from outside the
//! layout and what leaves it as final products; with a verification
//! report (`intoto verify --json`), what passed, what failed and the rule
//! at fault. [`Graph::new`] builds the model once; [`Graph::to_svg`]
//! (placed in-process with `layout-rs`), [`Graph::to_dot`] (Graphviz) and
//! [`Graph::to_mermaid`] (a Markdown block GitHub and GitLab render) draw
//! it. Every text from the layout or the report is shown with control
//! characters escaped and quoted for the format, so no name can break out
//! of its label.

mod dot;
mod mermaid;
mod report;
mod svg;
mod text;

use std::collections::HashMap;

use crate::models::rule::{DestType, Rule};
use crate::models::{Layout, rule::ArtifactRule};
use crate::rules::glob::Glob;

pub use report::{FailedRule, Outcome, REPORT_VERSION, Report, ReportError, ReportFailure};

/// How far a node or an edge got in the verification a report describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// No report, or nothing to judge (the outside, the final products).
    Plain,
    /// Verified.
    Passed,
    /// Where verification failed.
    Failed,
    /// Not judged: verification stopped before it, or the report does not
    /// say.
    NotJudged,
}

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A step, performed by functionaries.
    Step,
    /// An inspection, run by the verifier.
    Inspection,
    /// Where artifacts come from that no MATCH rule accounts for.
    Outside,
    /// The final products: made by a step, matched by no later step.
    Products,
}

/// A line of a node under its name.
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    /// Plain text.
    Text(String),
    /// A command (drawn in a fixed-width font).
    Command(String),
    /// What went wrong here (drawn in the failure colour).
    Failure(String),
}

/// A step, an inspection, the outside or the final products.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Its name (escaped: safe to show).
    pub name: String,
    /// The lines under the name (escaped).
    pub lines: Vec<Line>,
    /// How verification went for it.
    pub status: Status,
}

/// Artifacts flowing from one node to another: the MATCH rules of `to`
/// that name `from`, or what enters from outside or leaves as products.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// The index of the node the artifacts come from.
    pub from: usize,
    /// The index of the node that takes them.
    pub to: usize,
    /// One line per rule or pattern (escaped).
    pub labels: Vec<String>,
    /// With a report: why these rules did not match (escaped).
    pub notes: Vec<String>,
    /// How verification went for these rules.
    pub status: Status,
    /// The rule names a step or inspection that comes later in the layout
    /// (drawn dashed).
    pub backwards: bool,
}

/// The verdict of the report, drawn above the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// Passed, failed or not judged (an error).
    pub status: Status,
    /// The line that says so (escaped).
    pub text: String,
}

/// A report that does not describe the layout given.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The report names a step or inspection the layout does not have.
    #[error(
        "the report names {0:?}, which is neither a step nor an inspection of the layout (is it the report of another layout?)"
    )]
    UnknownItem(String),
    /// Too many steps and MATCH rules to lay out as SVG in reasonable time.
    #[error(
        "too large to lay out as SVG ({size} boxes and edge segments, at most {max}); write it as DOT or Mermaid instead"
    )]
    TooLarge {
        /// Boxes and edge segments to place.
        size: usize,
        /// The most that are placed.
        max: usize,
    },
}

/// The picture of a supply chain, ready to be drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The layout's readme, if any (escaped).
    pub caption: String,
    /// Steps, inspections, then the outside and the final products.
    pub nodes: Vec<Node>,
    /// The flows between them.
    pub edges: Vec<Edge>,
    /// With a report: its verdict.
    pub verdict: Option<Verdict>,
}

/// Functionary names by key id: a user id of an OpenPGP certificate
/// (`Bob <bob@example.org>`); keys without one are shown by short key id.
pub type KeyNames = HashMap<String, String>;

/// How many characters a line of a node has before it wraps.
const WIDTH: usize = 46;

/// At most this many steps get arrows from the outside (or to the final
/// products); with more, each says so in a line.
const MAX_FLOWS: usize = 4;

impl Graph {
    /// The graph of `layout`, functionaries named from `names`, coloured
    /// from `report` when one is given.
    pub fn new(
        layout: &Layout,
        names: &KeyNames,
        report: Option<&Report>,
    ) -> Result<Graph, GraphError> {
        let mut nodes: Vec<Node> = Vec::new();
        let item_names: Vec<&str> = layout
            .steps
            .iter()
            .map(|s| s.name.as_str())
            .chain(layout.inspect.iter().map(|i| i.name.as_str()))
            .collect();
        for s in &layout.steps {
            let mut lines = Vec::new();
            if s.pubkeys.is_empty() {
                lines.push(Line::Text("no functionary".into()));
            }
            const MAX_SHOWN: usize = 5;
            for k in s.pubkeys.iter().take(MAX_SHOWN) {
                lines.push(Line::Text(text::truncate(&functionary(k, names), WIDTH)));
            }
            if s.pubkeys.len() > MAX_SHOWN {
                lines.push(Line::Text(format!(
                    "and {} more",
                    s.pubkeys.len() - MAX_SHOWN
                )));
            }
            lines.push(Line::Text(format!(
                "threshold {} of {}",
                s.threshold,
                s.pubkeys.len()
            )));
            command_lines(&mut lines, &s.expected_command);
            nodes.push(Node {
                kind: NodeKind::Step,
                name: text::visible(&s.name),
                lines,
                status: Status::Plain,
            });
        }
        for i in &layout.inspect {
            let mut lines = vec![Line::Text("inspection, run by the verifier".into())];
            command_lines(&mut lines, &i.run);
            nodes.push(Node {
                kind: NodeKind::Inspection,
                name: text::visible(&i.name),
                lines,
                status: Status::Plain,
            });
        }
        let rules: Vec<[&[ArtifactRule]; 2]> = layout
            .steps
            .iter()
            .map(|s| [&s.expected_materials[..], &s.expected_products[..]])
            .chain(
                layout
                    .inspect
                    .iter()
                    .map(|i| [&i.expected_materials[..], &i.expected_products[..]]),
            )
            .collect();
        let index: HashMap<&str, usize> = item_names
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, i))
            .collect();
        // MATCH rules: one edge per (from, to), a label per rule.
        let mut edges: Vec<Edge> = Vec::new();
        let mut edge_rules: Vec<Vec<(usize, String)>> = Vec::new();
        for (to, sides) in rules.iter().enumerate() {
            for (side, list) in sides.iter().enumerate() {
                for r in list.iter() {
                    let Rule::Match {
                        dest_name, pattern, ..
                    } = r.rule()
                    else {
                        continue;
                    };
                    let label = match_label(r.rule(), side == 1);
                    match index.get(dest_name.as_str()) {
                        Some(&from) if from == to => nodes[to].lines.push(Line::Text(
                            text::truncate(&format!("matches its own {}", label), WIDTH),
                        )),
                        Some(&from) => {
                            let at = match edges.iter().position(|e| e.from == from && e.to == to) {
                                Some(at) => at,
                                None => {
                                    edges.push(Edge {
                                        from,
                                        to,
                                        labels: Vec::new(),
                                        notes: Vec::new(),
                                        status: Status::Plain,
                                        backwards: from > to,
                                    });
                                    edge_rules.push(Vec::new());
                                    edges.len() - 1
                                }
                            };
                            edges[at].labels.push(label);
                            edge_rules[at].push((side, r.rule().to_string()));
                        }
                        None => nodes[to].lines.push(Line::Failure(text::truncate(
                            &text::visible(&format!(
                                "MATCH {pattern} FROM {dest_name}: no such step"
                            )),
                            WIDTH,
                        ))),
                    }
                }
            }
        }
        // What steps take from outside the layout, and what they make that
        // no other step takes.
        let outside = nodes.len();
        let products = outside + 1;
        let mut entries = Vec::new();
        let mut finals = Vec::new();
        for (i, s) in layout.steps.iter().enumerate() {
            let entering = entering(&s.expected_materials);
            if !entering.is_empty() {
                entries.push((i, entering));
            }
            let left = final_products(i, &s.name, &s.expected_products, layout);
            if !left.is_empty() {
                finals.push((i, left));
            }
        }
        // A few arrows from the outside and to the products read at a
        // glance; many would fan out across the picture, so then each
        // step says it in a line of its own.
        let mut extra: Vec<Edge> = Vec::new();
        for (list, node, prefix) in [
            (entries, outside, "from outside: "),
            (finals, products, "final products: "),
        ] {
            let arrows = list.len() <= MAX_FLOWS;
            for (i, labels) in list {
                if arrows {
                    extra.push(if node == outside {
                        flow(outside, i, labels)
                    } else {
                        flow(i, products, labels)
                    });
                } else {
                    nodes[i].lines.push(Line::Text(text::truncate(
                        &format!("{prefix}{}", labels.join(", ")),
                        WIDTH,
                    )));
                }
            }
        }
        for (kind, name) in [
            (NodeKind::Outside, "outside the layout"),
            (NodeKind::Products, "final products"),
        ] {
            nodes.push(Node {
                kind,
                name: name.into(),
                lines: Vec::new(),
                status: Status::Plain,
            });
        }
        let mut graph = Graph {
            caption: text::truncate(&text::visible(&layout.readme), 120),
            nodes,
            edges,
            verdict: None,
        };
        if let Some(report) = report {
            graph.colour(report, &index, &rules, &edge_rules)?;
        }
        // What enters and leaves is judged with the step it enters or
        // leaves.
        for mut e in extra {
            let step = if e.from == outside { e.to } else { e.from };
            if graph.nodes[step].status == Status::Passed {
                e.status = Status::Passed;
            }
            graph.edges.push(e);
        }
        // The outside and the products only when something flows there.
        for node in [products, outside] {
            if !graph.edges.iter().any(|e| e.from == node || e.to == node) {
                graph.nodes.remove(node);
                for e in &mut graph.edges {
                    e.from -= usize::from(e.from > node);
                    e.to -= usize::from(e.to > node);
                }
            }
        }
        Ok(graph)
    }

    /// Colours nodes and edges from the report: see [`Status`].
    fn colour(
        &mut self,
        report: &Report,
        index: &HashMap<&str, usize>,
        rules: &[[&[ArtifactRule]; 2]],
        edge_rules: &[Vec<(usize, String)>],
    ) -> Result<(), GraphError> {
        for name in &report.reached {
            if !index.contains_key(name.as_str()) {
                return Err(GraphError::UnknownItem(text::visible(name)));
            }
        }
        let items = rules.len();
        let steps = self
            .nodes
            .iter()
            .take(items)
            .filter(|n| n.kind == NodeKind::Step)
            .count();
        let set = |g: &mut Graph, i: usize, s: Status| g.nodes[i].status = s;
        match &report.outcome {
            Outcome::Passed => {
                for i in 0..items {
                    set(self, i, Status::Passed);
                }
                for e in &mut self.edges {
                    e.status = Status::Passed;
                }
                self.verdict = Some(Verdict {
                    status: Status::Passed,
                    text: "verification passed".into(),
                });
            }
            Outcome::Error { message } => {
                for i in 0..items {
                    set(self, i, Status::NotJudged);
                }
                self.verdict = Some(Verdict {
                    status: Status::NotJudged,
                    text: text::visible(&format!(
                        "verification could not be carried out: {message}"
                    )),
                });
            }
            Outcome::Failed(f) => {
                let at = match &f.item {
                    Some(name) => Some(
                        *index
                            .get(name.as_str())
                            .ok_or_else(|| GraphError::UnknownItem(text::visible(name)))?,
                    ),
                    None => None,
                };
                // Steps' rules are all checked before any inspection runs,
                // and the first failure in layout order is reported: what
                // comes before the item at fault passed those checks.
                let judged_before = match f.stage.as_str() {
                    "step-rules" => steps,
                    "inspections" => steps,
                    "inspection-rules" => items,
                    _ => 0,
                };
                for i in 0..items {
                    let s = match at {
                        Some(a) if i == a => Status::Failed,
                        Some(a) if i < a && i < judged_before => Status::Passed,
                        None if i < judged_before => Status::Passed,
                        _ => Status::NotJudged,
                    };
                    set(self, i, s);
                }
                for (e, rules_of) in self.edges.iter_mut().zip(edge_rules) {
                    e.status = match self.nodes[e.to].status {
                        Status::Passed => Status::Passed,
                        _ => Status::NotJudged,
                    };
                    let Some(a) = at else { continue };
                    let Some(rule) = &f.rule else { continue };
                    if e.to != a {
                        continue;
                    }
                    let side = usize::from(rule.side == "products");
                    for (r, artifact, why) in &rule.near_misses {
                        if rules_of.iter().any(|(s, text)| *s == side && text == r) {
                            e.status = Status::Failed;
                            e.notes.extend(text::wrap(
                                &text::visible(&format!("✗ {artifact}: {why}")),
                                WIDTH,
                                3,
                            ));
                        }
                    }
                }
                let stage = f.stage.replace('-', " ");
                let verdict = match at {
                    Some(a) => {
                        let node = &mut self.nodes[a];
                        let what = match node.kind {
                            NodeKind::Inspection => "inspection",
                            _ => "step",
                        };
                        let verdict =
                            format!("verification failed at {what} '{}' ({stage})", node.name);
                        match &f.rule {
                            // The rule, what it refused; the MATCH rules
                            // that missed say why on their edges.
                            Some(rule) => {
                                node.lines.push(Line::Failure(text::truncate(
                                    &text::visible(&format!(
                                        "✗ {} ({}) refused:",
                                        rule.rule, rule.side
                                    )),
                                    WIDTH,
                                )));
                                const SHOWN: usize = 3;
                                for artifact in rule.artifacts.iter().take(SHOWN) {
                                    node.lines.push(Line::Failure(text::truncate(
                                        &text::visible(artifact),
                                        WIDTH,
                                    )));
                                }
                                if rule.artifacts.len() > SHOWN {
                                    node.lines.push(Line::Failure(format!(
                                        "and {} more",
                                        rule.artifacts.len() - SHOWN
                                    )));
                                }
                            }
                            None => {
                                for l in text::wrap(&text::visible(&f.message), WIDTH, 4) {
                                    node.lines.push(Line::Failure(l));
                                }
                            }
                        }
                        verdict
                    }
                    None => format!(
                        "verification failed ({stage}): {}",
                        text::visible(&f.message)
                    ),
                };
                self.verdict = Some(Verdict {
                    status: Status::Failed,
                    text: verdict,
                });
            }
        }
        Ok(())
    }

    /// The SVG picture, laid out in-process; refused for a graph too
    /// large to place in reasonable time ([`GraphError::TooLarge`]).
    pub fn to_svg(&self) -> Result<String, GraphError> {
        svg::render(self)
    }

    /// The Graphviz DOT source.
    pub fn to_dot(&self) -> String {
        dot::render(self)
    }

    /// A Markdown ```` ```mermaid ```` block, as GitHub and GitLab render it.
    pub fn to_mermaid(&self) -> String {
        mermaid::render(self)
    }
}

fn flow(from: usize, to: usize, labels: Vec<String>) -> Edge {
    Edge {
        from,
        to,
        labels,
        notes: Vec::new(),
        status: Status::Plain,
        backwards: false,
    }
}

/// A functionary: the user id when known, else the short key id.
fn functionary(keyid: &str, names: &KeyNames) -> String {
    match names.get(keyid) {
        Some(name) => text::visible(name),
        None => format!(
            "key {}",
            text::visible(&keyid.chars().take(8).collect::<String>())
        ),
    }
}

fn command_lines(lines: &mut Vec<Line>, argv: &[String]) {
    if argv.is_empty() {
        return;
    }
    let cmd = text::visible(&format!("$ {}", text::command_line(argv)));
    for l in text::wrap(&cmd, WIDTH, 3) {
        lines.push(Line::Command(l));
    }
}

/// An edge label for a MATCH rule: its pattern, and what differs from a
/// plain match of products into materials.
fn match_label(rule: &Rule, as_products: bool) -> String {
    let Rule::Match {
        pattern,
        source_prefix,
        dest_type,
        dest_prefix,
        ..
    } = rule
    else {
        return String::new();
    };
    let mut s = pattern.clone();
    if !source_prefix.is_empty() {
        s.push_str(&format!(" in {source_prefix}"));
    }
    if !dest_prefix.is_empty() {
        s.push_str(&format!(" from {dest_prefix}"));
    }
    if *dest_type == DestType::Materials {
        s.push_str(" (its materials)");
    }
    if as_products {
        s.push_str(" (as products)");
    }
    text::truncate(&text::visible(&s), WIDTH)
}

/// Material patterns a step admits without a MATCH: from outside the
/// layout. Rules that do not end in `DISALLOW *` admit anything else.
fn entering(rules: &[ArtifactRule]) -> Vec<String> {
    let mut out = Vec::new();
    for r in rules {
        match r.rule() {
            Rule::Allow(p) | Rule::Create(p) | Rule::Modify(p) | Rule::Delete(p) => {
                out.push(text::truncate(&text::visible(p), WIDTH))
            }
            Rule::Require(p) => out.push(text::truncate(
                &text::visible(&format!("{p} (required)")),
                WIDTH,
            )),
            _ => {}
        }
    }
    if rules.is_empty() {
        out.push("any materials (no rules)".into());
    } else if !matches!(rules.last().map(ArtifactRule::rule), Some(Rule::Disallow(p)) if p == "*") {
        out.push("anything else (no DISALLOW *)".into());
    }
    out
}

/// Product patterns of step `i` that no other step's MATCH takes.
fn final_products(i: usize, name: &str, rules: &[ArtifactRule], layout: &Layout) -> Vec<String> {
    let takers: Vec<Glob> = layout
        .steps
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .flat_map(|(_, s)| s.expected_materials.iter().chain(&s.expected_products))
        .filter_map(|r| match r.rule() {
            Rule::Match {
                pattern,
                dest_type: DestType::Products,
                dest_prefix,
                dest_name,
                ..
            } if dest_name == name => Some(Glob::new(&if dest_prefix.is_empty() {
                pattern.clone()
            } else {
                format!("{}/{pattern}", dest_prefix.trim_end_matches('/'))
            })),
            _ => None,
        })
        .collect();
    rules
        .iter()
        .filter_map(|r| match r.rule() {
            Rule::Create(p) | Rule::Modify(p) | Rule::Allow(p) => Some(p),
            _ => None,
        })
        .filter(|p| !takers.iter().any(|g| g.matches(p)))
        .map(|p| text::truncate(&text::visible(p), WIDTH))
        .collect()
}

#[cfg(test)]
mod tests;
