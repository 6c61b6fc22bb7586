//! The graph as SVG, laid out in-process: `layout-rs` places the nodes
//! (a layered drawing, top to bottom, crossings reduced) and routes the
//! edges; this module sizes the boxes, draws them and writes every text
//! XML-escaped. Edge labels are nodes of their own, so the placement keeps
//! them clear of the boxes. Graphviz is never needed (and the picture
//! does not depend on which version is installed).

use std::collections::HashMap;
use std::fmt::Write as _;

use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, Position};
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::dot::colours;
use super::text::{wrap, xml};
use super::{Graph, GraphError, Line, NodeKind, Status};

const FONT: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";
const MONO: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";
/// Font sizes and line heights (px).
const NAME_SIZE: f64 = 15.0;
const TEXT_SIZE: f64 = 12.5;
const LABEL_SIZE: f64 = 11.5;
const NAME_LINE: f64 = 21.0;
const TEXT_LINE: f64 = 17.0;
const LABEL_LINE: f64 = 15.0;
const PAD_X: f64 = 14.0;
const PAD_Y: f64 = 10.0;
const MARGIN: f64 = 16.0;

/// A generous width estimate of `text` at `size` px: the widest common
/// fonts average under 0.62 em a character.
fn width(text: &str, size: f64, bold: bool) -> f64 {
    text.chars().count() as f64 * size * if bold { 0.66 } else { 0.61 }
}

fn node_size(n: &super::Node) -> (f64, f64) {
    let mut w = width(&n.name, NAME_SIZE, true);
    let mut h = NAME_LINE;
    for l in &n.lines {
        let t = match l {
            Line::Text(t) | Line::Command(t) | Line::Failure(t) => t,
        };
        w = w.max(width(t, TEXT_SIZE, false));
        h += TEXT_LINE;
    }
    ((w + 2.0 * PAD_X).max(120.0), h + 2.0 * PAD_Y)
}

fn label_size(e: &super::Edge) -> (f64, f64) {
    let w = e
        .labels
        .iter()
        .chain(&e.notes)
        .map(|l| width(l, LABEL_SIZE, false))
        .fold(0.0, f64::max);
    (
        w + 12.0,
        (e.labels.len() + e.notes.len()) as f64 * LABEL_LINE + 6.0,
    )
}

/// What `layout-rs` drew, by the id each element was given.
#[derive(Default)]
struct Recorder {
    /// Top-left corner and size of each node and label box.
    boxes: HashMap<String, (Point, Point)>,
    /// Each edge half.
    paths: Vec<HalfEdge>,
}

/// One half of an edge, as placed.
struct HalfEdge {
    /// `a3` (to the label) or `b3` (from the label) for edge 3.
    id: String,
    /// The bezier path, in `layout-rs`'s form.
    path: Vec<(Point, Point)>,
    /// Arrowheads at the start and at the end.
    heads: (bool, bool),
}

impl RenderBackend for Recorder {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        if let Some(id) = properties {
            self.boxes.insert(id, (xy, size));
        }
    }
    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}
    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        head: (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        if let Some(id) = properties {
            self.paths.push(HalfEdge {
                id,
                path: path.to_vec(),
                heads: head,
            });
        }
    }
    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

fn element(id: String, (w, h): (f64, f64), halo: f64) -> Element {
    let mut e = Element::create(
        ShapeKind::Box(String::new()),
        StyleAttr::simple(),
        Orientation::TopToBottom,
        Point::new(w, h),
    );
    e.pos = Position::new(
        Point::zero(),
        Point::new(w, h),
        Point::zero(),
        Point::splat(halo),
    );
    e.properties = Some(id);
    e
}

fn arrow(id: String, heads: (bool, bool)) -> Arrow {
    let mut a = Arrow::simple("");
    let end = |head| {
        if head {
            LineEndKind::Arrow
        } else {
            LineEndKind::None
        }
    };
    a.start = end(heads.0);
    a.end = end(heads.1);
    a.properties = Some(id);
    a
}

/// A topological order of the nodes (layout order among equals; a cycle
/// is broken at its first node in layout order): each node's position.
fn order(g: &Graph) -> Vec<usize> {
    let n = g.nodes.len();
    let mut indegree = vec![0usize; n];
    for e in &g.edges {
        indegree[e.to] += 1;
    }
    let mut pos = vec![usize::MAX; n];
    for next in 0..n {
        let pick = (0..n)
            .find(|&i| pos[i] == usize::MAX && indegree[i] == 0)
            .or_else(|| (0..n).find(|&i| pos[i] == usize::MAX))
            .unwrap_or_default();
        pos[pick] = next;
        for e in g.edges.iter().filter(|e| e.from == pick) {
            indegree[e.to] = indegree[e.to].saturating_sub(1);
        }
    }
    pos
}

/// Places the graph: every node and label box, every edge half.
///
/// `layout-rs` turns back edges around by asking, edge by edge, whether
/// the target reaches the source, with a search that walks every path
/// (exponential on a long chain with shortcuts). So it is given a graph
/// already acyclic, its edges in topological order of their sources: the
/// target of each new edge has no edges out yet, and each search ends at
/// once. An edge against that order is given reversed, its arrowhead at
/// its start. Its self-check (that the graph has no cycle, by the same
/// search from every edge) is off: the order above makes sure of that.
fn place(g: &Graph, pos: &[usize], size: usize) -> Recorder {
    let mut vg = VisualGraph::new(Orientation::TopToBottom);
    vg.dag.set_validate(false);
    let handles: Vec<_> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| vg.add_node(element(format!("n{i}"), node_size(n), 22.0)))
        .collect();
    let mut edges: Vec<usize> = (0..g.edges.len()).collect();
    edges.sort_by_key(|&i| pos[g.edges[i].from].min(pos[g.edges[i].to]));
    for i in edges {
        let e = &g.edges[i];
        // The label is a node in the middle of the edge: the edge is drawn
        // in two halves, the arrowhead on the target's side.
        let label = vg.add_node(element(format!("l{i}"), label_size(e), 6.0));
        if pos[e.from] < pos[e.to] {
            vg.add_edge(
                arrow(format!("a{i}"), (false, false)),
                handles[e.from],
                label,
            );
            vg.add_edge(arrow(format!("b{i}"), (false, true)), label, handles[e.to]);
        } else {
            vg.add_edge(arrow(format!("b{i}"), (true, false)), handles[e.to], label);
            vg.add_edge(
                arrow(format!("a{i}"), (false, false)),
                label,
                handles[e.from],
            );
        }
    }
    let mut rec = Recorder::default();
    if g.nodes.is_empty() {
        return rec;
    }
    // Crossing reduction is worth its time on a picture one can read;
    // beyond, the nodes keep their order.
    vg.do_it(false, size > OPTIMIZE_UP_TO, false, &mut rec);
    rec
}

/// How many boxes and edge segments `layout-rs` would place for `g`, its
/// nodes in the order `pos`: nodes, edge labels, and a segment for each
/// layer an edge crosses (ranks by longest path, two layers an edge).
fn size(g: &Graph, pos: &[usize]) -> usize {
    let mut by_pos: Vec<usize> = (0..g.nodes.len()).collect();
    by_pos.sort_by_key(|&i| pos[i]);
    let mut rank = vec![0usize; g.nodes.len()];
    let ends = |e: &super::Edge| {
        if pos[e.from] < pos[e.to] {
            (e.from, e.to)
        } else {
            (e.to, e.from)
        }
    };
    for &v in &by_pos {
        for e in &g.edges {
            let (a, b) = ends(e);
            if a == v {
                rank[b] = rank[b].max(rank[a] + 2);
            }
        }
    }
    g.nodes.len()
        + g.edges
            .iter()
            .map(|e| {
                let (a, b) = ends(e);
                rank[b] - rank[a]
            })
            .sum::<usize>()
}

/// Above this many boxes and segments, crossings are not reduced (that
/// takes seconds, then minutes).
const OPTIMIZE_UP_TO: usize = 300;

/// Above this many, no SVG is drawn (placing it would take minutes): a
/// layout whose every step matches every earlier one, for instance.
pub(super) const MAX_SIZE: usize = 1500;

pub(super) fn render(g: &Graph) -> Result<String, GraphError> {
    let pos = order(g);
    let size = size(g, &pos);
    if size > MAX_SIZE {
        return Err(GraphError::TooLarge {
            size,
            max: MAX_SIZE,
        });
    }
    let rec = place(g, &pos, size);
    // The drawing's extent.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut grow = |p: Point| {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    };
    for (xy, size) in rec.boxes.values() {
        grow(*xy);
        grow(xy.add(*size));
    }
    for h in &rec.paths {
        for (a, b) in &h.path {
            grow(*a);
            grow(*b);
        }
    }
    if x0 > x1 {
        (x0, y0, x1, y1) = (0.0, 0.0, 200.0, 0.0);
    }
    let graph_w = x1 - x0;
    // Above the graph: the verdict and the readme; below: the legend.
    let mut head: Vec<(String, &str)> = Vec::new();
    let chars = ((graph_w.max(460.0)) / (TEXT_SIZE * 0.62)) as usize;
    if let Some(v) = &g.verdict {
        for l in wrap(&v.text, chars, 4) {
            head.push((l, "verdict"));
        }
    }
    if !g.caption.is_empty() {
        for l in wrap(&g.caption, chars, 2) {
            head.push((l, "caption"));
        }
    }
    let verdict_lines = head.iter().filter(|(_, k)| *k == "verdict").count() as f64;
    let head_h = if head.is_empty() {
        0.0
    } else {
        head.len() as f64 * (TEXT_LINE + 2.0) + 14.0 + if verdict_lines > 0.0 { 8.0 } else { 0.0 }
    };
    let legend_h = if g.verdict.is_some() { 30.0 } else { 0.0 };
    let width_px = (graph_w + 2.0 * MARGIN).max(if head.is_empty() { 0.0 } else { 492.0 });
    let dx = (width_px - graph_w) / 2.0 - x0;
    let dy = MARGIN + head_h - y0;
    let height_px = (y1 - y0) + 2.0 * MARGIN + head_h + legend_h;
    let at = |p: Point| Point::new(p.x + dx, p.y + dy);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"{FONT}\" font-size=\"{TEXT_SIZE}\">",
        w = width_px.ceil(),
        h = height_px.ceil()
    );
    out.push_str("<title>supply chain</title>\n<defs>\n");
    for s in [
        Status::Plain,
        Status::Passed,
        Status::Failed,
        Status::NotJudged,
    ] {
        let (_, line) = colours(s);
        let _ = writeln!(
            out,
            "<marker id=\"head-{}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
             markerUnits=\"userSpaceOnUse\" markerWidth=\"11\" markerHeight=\"11\" orient=\"auto-start-reverse\">\
             <path d=\"M0,0 L10,5 L0,10 z\" fill=\"{line}\"/></marker>",
            class(s)
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    // The verdict and the caption.
    let mut y = MARGIN + TEXT_LINE - 4.0;
    if let Some(v) = &g.verdict {
        let n = verdict_lines;
        let (fill, line) = colours(v.status);
        let _ = writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"4\" \
             fill=\"{fill}\" stroke=\"{line}\"/>",
            MARGIN / 2.0,
            MARGIN - 6.0,
            width_px - MARGIN,
            n * (TEXT_LINE + 2.0) + 8.0
        );
    }
    let mut after_verdict = false;
    for (l, kind) in &head {
        if *kind == "caption" && verdict_lines > 0.0 && !after_verdict {
            after_verdict = true;
            y += 8.0;
        }
        let (weight, colour, style) = match *kind {
            "verdict" => (
                "bold",
                colours(g.verdict.as_ref().map_or(Status::Plain, |v| v.status)).1,
                "normal",
            ),
            _ => ("normal", "#5f6368", "italic"),
        };
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" font-weight=\"{weight}\" \
             font-style=\"{style}\" fill=\"{colour}\">{}</text>",
            width_px / 2.0,
            xml(l)
        );
        y += TEXT_LINE + 2.0;
    }
    // Edges under the boxes.
    for HalfEdge { id, path, heads } in &rec.paths {
        let Some(e) = id.get(1..).and_then(|n| n.parse::<usize>().ok()) else {
            continue;
        };
        let Some(edge) = g.edges.get(e) else { continue };
        if path.len() < 2 {
            continue;
        }
        let (_, line) = colours(edge.status);
        let mut d = String::new();
        let p = |i: usize, second: bool| {
            let q = if second { path[i].1 } else { path[i].0 };
            at(q)
        };
        let (a, b, c, e2) = (p(0, false), p(0, true), p(1, false), p(1, true));
        let _ = write!(
            d,
            "M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
            a.x, a.y, b.x, b.y, c.x, c.y, e2.x, e2.y
        );
        for i in 2..path.len() {
            let (c, e) = (p(i, false), p(i, true));
            let _ = write!(d, " S {:.1} {:.1}, {:.1} {:.1}", c.x, c.y, e.x, e.y);
        }
        let marker = format!("url(#head-{})", class(edge.status));
        let _ = writeln!(
            out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{line}\" stroke-width=\"{}\"{}{}{}/>",
            if edge.status == Status::Failed {
                2.5
            } else {
                1.5
            },
            if edge.backwards {
                " stroke-dasharray=\"6,4\""
            } else {
                ""
            },
            if heads.0 {
                format!(" marker-start=\"{marker}\"")
            } else {
                String::new()
            },
            if heads.1 {
                format!(" marker-end=\"{marker}\"")
            } else {
                String::new()
            },
        );
    }
    // Edge labels.
    for (i, e) in g.edges.iter().enumerate() {
        let Some((xy, size)) = rec.boxes.get(&format!("l{i}")) else {
            continue;
        };
        let xy = at(*xy);
        let (_, line) = colours(e.status);
        let _ = writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" \
             fill=\"#ffffff\" stroke=\"{line}\" stroke-width=\"0.6\"/>",
            xy.x, xy.y, size.x, size.y
        );
        let cx = xy.x + size.x / 2.0;
        let fail_from = e.labels.len();
        for (k, l) in e.labels.iter().chain(&e.notes).enumerate() {
            let fail = k >= fail_from;
            let _ = writeln!(
                out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"{MONO}\" \
                 font-size=\"{LABEL_SIZE}\" fill=\"{}\">{}</text>",
                xy.y + 3.0 + LABEL_LINE * (k as f64 + 1.0) - 4.0,
                if fail {
                    colours(Status::Failed).1
                } else {
                    "#202124"
                },
                xml(l)
            );
        }
    }
    // Nodes.
    for (i, n) in g.nodes.iter().enumerate() {
        let Some((xy, size)) = rec.boxes.get(&format!("n{i}")) else {
            continue;
        };
        let xy = at(*xy);
        let (fill, line) = colours(n.status);
        let (rx, dash, stroke) = match n.kind {
            NodeKind::Step => (6.0, "", 1.5),
            NodeKind::Inspection => (14.0, "", 1.5),
            NodeKind::Outside => (18.0, " stroke-dasharray=\"5,4\"", 1.2),
            NodeKind::Products => (2.0, "", 2.2),
        };
        let stroke = if n.status == Status::Failed {
            3.0
        } else {
            stroke
        };
        let _ = writeln!(
            out,
            "<g class=\"{}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
             rx=\"{rx}\" fill=\"{fill}\" stroke=\"{line}\" stroke-width=\"{stroke}\"{dash}/>",
            class(n.status),
            xy.x,
            xy.y,
            size.x,
            size.y
        );
        let cx = xy.x + size.x / 2.0;
        let mut y = xy.y + PAD_Y + NAME_LINE - 6.0;
        let _ = writeln!(
            out,
            "<text x=\"{cx:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" font-weight=\"bold\" \
             font-size=\"{NAME_SIZE}\" fill=\"#202124\">{}</text>",
            xml(&n.name)
        );
        for l in &n.lines {
            y += TEXT_LINE;
            let (t, font, colour) = match l {
                Line::Text(t) => (t, FONT, "#3c4043"),
                Line::Command(t) => (t, MONO, "#3c4043"),
                Line::Failure(t) => (t, FONT, colours(Status::Failed).1),
            };
            let _ = writeln!(
                out,
                "<text x=\"{cx:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" font-family=\"{font}\" \
                 fill=\"{colour}\">{}</text>",
                xml(t)
            );
        }
        out.push_str("</g>\n");
    }
    if g.verdict.is_some() {
        let mut x = MARGIN;
        let y = height_px - MARGIN - 4.0;
        for (s, name) in [
            (Status::Passed, "passed"),
            (Status::Failed, "failed here"),
            (Status::NotJudged, "not judged"),
        ] {
            let (fill, line) = colours(s);
            let _ = writeln!(
                out,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"12\" rx=\"2\" fill=\"{fill}\" \
                 stroke=\"{line}\"/><text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"11.5\" \
                 fill=\"#3c4043\">{name}</text>",
                y - 10.0,
                x + 19.0
            );
            x += 24.0 + width(name, 11.5, false);
        }
    }
    out.push_str("</svg>\n");
    Ok(out)
}

fn class(s: Status) -> &'static str {
    match s {
        Status::Plain => "plain",
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::NotJudged => "not-judged",
    }
}
