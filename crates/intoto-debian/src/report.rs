//! An archive audit as one self-contained HTML page.
//!
//! [`render_html`] writes a page with nothing to fetch: inline CSS and an
//! inline SVG chart, no script, and a Content-Security-Policy that forbids
//! loading anything (`default-src 'none'`). It shows the counts and a
//! stacked bar per component and architecture (verified, failed, missing
//! evidence, allowed, denied), the packages that did not verify first
//! (failed, denied, missing evidence, allowed, then verified), each with
//! the rule and the verification stage that decided it and the reason,
//! and, per rebuilder, how it answered and how fast (answers taken from
//! the run's cache are counted apart and not timed). Every text from the
//! archive, the rebuilders or the layout is HTML-escaped ([`escape_html`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use super::policy::Outcome;

/// One package's row.
#[derive(Clone, Debug)]
pub struct PackageRow {
    /// Package name.
    pub package: String,
    /// Its version.
    pub version: String,
    /// Its architecture.
    pub architecture: String,
    /// Its source package.
    pub source: String,
    /// The archive component (`main`), or `-` when the archive has none.
    pub component: String,
    /// What happened to it.
    pub outcome: Outcome,
    /// The rule that decided (`layout`, `allow PATTERN`, `deny PATTERN`).
    pub rule: String,
    /// The verification stage that decided, when one did.
    pub stage: Option<String>,
    /// Why, unless verified.
    pub reason: Option<String>,
}

/// How a rebuilder answered one question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerKind {
    /// A link.
    Link,
    /// No link for the package.
    NotFound,
    /// Unreachable, too slow or a bad answer.
    Error,
}

/// One answer of one rebuilder.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The rebuilder entry.
    pub rebuilder: String,
    /// What it answered.
    pub kind: AnswerKind,
    /// How long it took.
    pub elapsed: Duration,
    /// Taken from the run's cache (not asked again).
    pub cached: bool,
}

/// Everything on the page.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The release file checked.
    pub release: String,
    /// The index it vouches for (`main/binary-amd64/Packages`).
    pub index: String,
    /// When the run ended (RFC 3339).
    pub generated: String,
    /// How long the run took.
    pub seconds: f64,
    /// The packages, in index order.
    pub packages: Vec<PackageRow>,
    /// Every rebuilder answer.
    pub answers: Vec<Answer>,
}

/// The five outcomes in the chart's order, with their class names, labels
/// and colours.
pub const CATEGORIES: [(Outcome, &str, &str, &str); 5] = [
    (Outcome::Verified, "verified", "verified", "#2e7d32"),
    (Outcome::Failed, "failed", "failed", "#c62828"),
    (
        Outcome::MissingEvidence,
        "missing",
        "missing evidence",
        "#f9a825",
    ),
    (Outcome::Allowed, "allowed", "allowed", "#1565c0"),
    (Outcome::Denied, "denied", "denied", "#6a1b9a"),
];

/// Text as HTML: `&`, `<`, `>`, `"` and `'` escaped, control characters
/// shown as `\u{..}`.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The component of a package: from the index path
/// (`main/binary-amd64/Packages`), else from its pool path
/// (`pool/main/h/hello/…`), else `-`.
pub fn component(index: &str, filename: &str) -> String {
    let parts: Vec<&str> = index.split('/').collect();
    if let Some(i) = parts.iter().position(|p| p.starts_with("binary-"))
        && i > 0
    {
        return parts[i - 1].to_owned();
    }
    let parts: Vec<&str> = filename.split('/').collect();
    if parts.len() >= 4 && parts[0] == "pool" {
        return parts[1].to_owned();
    }
    "-".to_owned()
}

fn rank(o: Outcome) -> usize {
    match o {
        Outcome::Failed => 0,
        Outcome::Denied => 1,
        Outcome::MissingEvidence => 2,
        Outcome::Allowed => 3,
        _ => 4,
    }
}

fn class(o: Outcome) -> &'static str {
    CATEGORIES
        .iter()
        .find(|c| c.0 == o)
        .map_or("verified", |c| c.1)
}

const CSS: &str = "body{font-family:sans-serif;margin:1.5em;color:#212121;background:#fff}\
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}\
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #bdbdbd;padding:.2em .5em;text-align:left;vertical-align:top}\
th{background:#eeeeee}td.n{text-align:right}.reason{font-family:monospace;white-space:pre-wrap;word-break:break-word;max-width:60em}\
.sw{display:inline-block;width:12px;height:12px;margin-right:.3em;vertical-align:middle}\
tr.failed td.r,tr.denied td.r{color:#b71c1c;font-weight:bold}";

/// The page.
pub fn render_html(r: &Report) -> String {
    let e = escape_html;
    let mut h = String::new();
    let title = format!("intoto verify-archive: {} ({})", r.release, r.index);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>{}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n",
        e(&title),
        e(&title)
    );
    // Counts overall and per component and architecture.
    let mut groups: BTreeMap<(String, String), [u64; 5]> = BTreeMap::new();
    let mut total = [0u64; 5];
    for p in &r.packages {
        let i = CATEGORIES
            .iter()
            .position(|c| c.0 == p.outcome)
            .unwrap_or(0);
        total[i] += 1;
        groups
            .entry((p.component.clone(), p.architecture.clone()))
            .or_default()[i] += 1;
    }
    h.push_str(&chart(&total, &groups));
    let _ = write!(
        h,
        "<p id=\"run\">{} packages, judged in {:.1} s; written {}.</p>\n<table id=\"counts\"><tr><th>component</th><th>architecture</th>",
        r.packages.len(),
        r.seconds,
        e(&r.generated)
    );
    for (_, cls, label, colour) in CATEGORIES {
        let _ = write!(
            h,
            "<th class=\"{cls}\"><span class=\"sw\" style=\"background:{colour}\"></span>{label}</th>"
        );
    }
    h.push_str("</tr>\n");
    let row = |h: &mut String, comp: &str, arch: &str, counts: &[u64; 5], id: &str| {
        let _ = write!(
            h,
            "<tr id=\"{id}\"><td>{}</td><td>{}</td>",
            e(comp),
            e(arch)
        );
        for (i, (_, cls, _, _)) in CATEGORIES.iter().enumerate() {
            let _ = write!(h, "<td class=\"n {cls}\">{}</td>", counts[i]);
        }
        h.push_str("</tr>\n");
    };
    row(&mut h, "all", "all", &total, "count-all");
    for (i, ((comp, arch), counts)) in groups.iter().enumerate() {
        row(&mut h, comp, arch, counts, &format!("count-{i}"));
    }
    h.push_str("</table>\n");

    // Packages, the ones that did not verify first.
    let mut rows: Vec<&PackageRow> = r.packages.iter().collect();
    rows.sort_by_key(|p| rank(p.outcome));
    h.push_str(
        "<h2>Packages</h2>\n<table id=\"packages\"><tr><th>package</th><th>version</th>\
         <th>architecture</th><th>component</th><th>source</th><th>result</th><th>rule</th>\
         <th>stage</th><th>reason</th></tr>\n",
    );
    for p in rows {
        let cls = class(p.outcome);
        let label = CATEGORIES
            .iter()
            .find(|c| c.0 == p.outcome)
            .map_or("", |c| c.2);
        let _ = writeln!(
            h,
            "<tr class=\"{cls}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"r\">{label}</td><td>{}</td><td>{}</td><td class=\"reason\">{}</td></tr>",
            e(&p.package),
            e(&p.version),
            e(&p.architecture),
            e(&p.component),
            e(&p.source),
            e(&p.rule),
            e(p.stage.as_deref().unwrap_or("")),
            e(p.reason.as_deref().unwrap_or("")),
        );
    }
    h.push_str("</table>\n");
    h.push_str(&rebuilders(&r.answers));
    h.push_str("</body></html>\n");
    h
}

/// The SVG chart: one stacked bar for all packages, then one per
/// component and architecture.
fn chart(total: &[u64; 5], groups: &BTreeMap<(String, String), [u64; 5]>) -> String {
    const LABEL: u32 = 220;
    const BAR: u32 = 600;
    const ROW: u32 = 26;
    const HEIGHT: u32 = 18;
    let bars: Vec<(String, &[u64; 5])> = std::iter::once(("all".to_owned(), total))
        .chain(groups.iter().map(|((c, a), n)| (format!("{c} / {a}"), n)))
        .collect();
    let height = ROW * bars.len() as u32 + 30;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"verdicts per component and architecture\">",
        LABEL + BAR + 10
    );
    for (row, (label, counts)) in bars.iter().enumerate() {
        let y = row as u32 * ROW + 4;
        let sum: u64 = counts.iter().sum();
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"13\" font-family=\"sans-serif\">{}</text>",
            y + 14,
            escape_html(label)
        );
        let mut x = 0u32;
        for (i, (_, cls, label, colour)) in CATEGORIES.iter().enumerate() {
            if counts[i] == 0 || sum == 0 {
                continue;
            }
            // The last segment ends at the bar's end (no rounding gap).
            let rest: u64 = counts[i + 1..].iter().sum();
            let w = if rest == 0 {
                BAR - x
            } else {
                ((counts[i] * u64::from(BAR)) / sum) as u32
            };
            let _ = write!(
                s,
                "<rect class=\"seg {cls}\" data-count=\"{}\" x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"{HEIGHT}\" fill=\"{colour}\" shape-rendering=\"crispEdges\"><title>{}: {}</title></rect>",
                counts[i],
                LABEL + x,
                label,
                counts[i]
            );
            x += w;
        }
        s.push('\n');
    }
    // The legend.
    let y = ROW * bars.len() as u32 + 10;
    let mut x = LABEL;
    for (_, cls, label, colour) in CATEGORIES {
        let _ = write!(
            s,
            "<rect class=\"key {cls}\" x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" font-family=\"sans-serif\">{label}</text>",
            x + 16,
            y + 11
        );
        x += 140;
    }
    s.push_str("\n</svg>\n");
    s
}

/// Per rebuilder: questions, links, not found, errors, answer times.
fn rebuilders(answers: &[Answer]) -> String {
    #[derive(Default)]
    struct Stats {
        asked: u64,
        cached: u64,
        links: u64,
        not_found: u64,
        errors: u64,
        times: Vec<Duration>,
    }
    let mut by: BTreeMap<&str, Stats> = BTreeMap::new();
    for a in answers {
        let s = by.entry(a.rebuilder.as_str()).or_default();
        if a.cached {
            s.cached += 1;
        } else {
            s.asked += 1;
            s.times.push(a.elapsed);
        }
        match a.kind {
            AnswerKind::Link => s.links += 1,
            AnswerKind::NotFound => s.not_found += 1,
            _ => s.errors += 1,
        }
    }
    let mut h = String::from(
        "<h2>Rebuilders</h2>\n<table id=\"rebuilders\"><tr><th>rebuilder</th><th>asked</th>\
         <th>from the run's cache</th><th>links</th><th>not found</th><th>errors</th>\
         <th>median ms</th><th>slowest ms</th></tr>\n",
    );
    for (name, mut s) in by {
        s.times.sort();
        let ms = |d: Option<&Duration>| d.map_or("-".to_owned(), |d| d.as_millis().to_string());
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape_html(name),
            s.asked,
            s.cached,
            s.links,
            s.not_found,
            s.errors,
            ms(s.times.get(s.times.len() / 2)),
            ms(s.times.last()),
        );
    }
    h.push_str("</table>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, outcome: Outcome, reason: Option<&str>) -> PackageRow {
        PackageRow {
            package: name.into(),
            version: "1.0".into(),
            architecture: "amd64".into(),
            source: name.into(),
            component: "main".into(),
            outcome,
            rule: "layout".into(),
            stage: reason.map(|_| "inspection rules".into()),
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn escapes_and_orders() {
        assert_eq!(
            escape_html("<a href=\"x\">&'\u{1b}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\u{1b}"
        );
        let r = Report {
            release: "InRelease".into(),
            index: "main/binary-amd64/Packages".into(),
            packages: vec![
                row("ok", Outcome::Verified, None),
                row(
                    "<script>alert(1)</script>",
                    Outcome::Failed,
                    Some("digest <differs>"),
                ),
            ],
            answers: vec![Answer {
                rebuilder: "https://r.example".into(),
                kind: AnswerKind::Link,
                elapsed: Duration::from_millis(12),
                cached: false,
            }],
            ..Default::default()
        };
        let h = render_html(&r);
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(h.contains("digest &lt;differs&gt;"));
        let failed = h.find("<tr class=\"failed\">").unwrap();
        let verified = h.find("<tr class=\"verified\">").unwrap();
        assert!(failed < verified);
        // One bar for all, one for main/amd64: each half verified, half failed.
        assert_eq!(h.matches("class=\"seg verified\"").count(), 2);
        assert!(
            h.contains("data-count=\"1\" x=\"220\" y=\"4\" width=\"300\""),
            "{h}"
        );
        assert!(h.contains("<td class=\"n\">12</td>"));
        assert!(!h.contains("src=") && !h.contains("<link") && !h.contains("<script"));
    }

    #[test]
    fn components() {
        assert_eq!(component("main/binary-amd64/Packages.xz", "pool/x"), "main");
        assert_eq!(
            component("Packages", "pool/contrib/h/hello/h.deb"),
            "contrib"
        );
        assert_eq!(component("Packages", "pool/h.deb"), "-");
    }
}
