//! Checking a layout before anyone signs it (`intoto layout check`): the
//! mistakes that otherwise show only when a verification fails, or never
//! (a step whose rules allow everything). Each [`Finding`] has a severity,
//! a check name, and where it is (the step or inspection, the side and
//! the rule's position, from 1).
//!
//! With the links of a run ([`RunLinks`]) the rules are also run against
//! them, by the rule engine verification uses ([`crate::rules::trace_rules`]):
//! which rule took which artifacts, which took none, which failed.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::fsio::{self, LoadError};
use crate::keys::KeyDict;
use crate::models::rule::{ArtifactRule, DestType, Rule};
use crate::models::{Envelope, Layout, Link, Signed, layout_time, link_filename, parse_expires};
use crate::rules::glob::Glob;
use crate::rules::{ItemKind, Side, trace_rules};
use crate::verify::placeholders;

use super::draft::escape_glob;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Verification will fail, or the layout cannot mean what it says.
    Error,
    /// Probably a mistake, or a weakness.
    Warning,
    /// For information.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// One thing found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// Which check found it (`match-unknown-step`, `no-functionary`…).
    pub check: &'static str,
    /// The step or inspection, if it is about one.
    pub item: Option<String>,
    /// `step` or `inspection`.
    pub item_kind: Option<ItemKind>,
    /// The side of the rule, if it is about a rule.
    pub side: Option<Side>,
    /// The rule's position in its list, from 1.
    pub rule: Option<usize>,
    /// The rule, as written.
    pub rule_text: Option<String>,
    /// The key, if it is about a key.
    pub key: Option<String>,
    /// What is wrong, or what happened.
    pub message: String,
    /// The artifacts (the rules run against links).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<String>,
}

impl Finding {
    fn new(severity: Severity, check: &'static str, message: String) -> Finding {
        Finding {
            severity,
            check,
            item: None,
            item_kind: None,
            side: None,
            rule: None,
            rule_text: None,
            key: None,
            message,
            artifacts: Vec::new(),
        }
    }

    fn item(mut self, kind: ItemKind, name: &str) -> Finding {
        self.item_kind = Some(kind);
        self.item = Some(name.to_owned());
        self
    }

    fn rule(mut self, side: Side, index: usize, rule: &ArtifactRule) -> Finding {
        self.side = Some(side);
        self.rule = Some(index + 1);
        self.rule_text = Some(rule.to_string());
        self
    }

    fn key(mut self, keyid: &str) -> Finding {
        self.key = Some(keyid.to_owned());
        self
    }

    /// Where: `step 'build', material rule 2 (MATCH …)`, `key ID`, or
    /// `layout`.
    pub fn place(&self) -> String {
        let mut out = match (&self.item_kind, &self.item) {
            (Some(k), Some(n)) => format!("{k} '{n}'"),
            _ => match &self.key {
                Some(k) => format!("key {k}"),
                None => "layout".to_owned(),
            },
        };
        if let (Some(side), Some(i)) = (self.side, self.rule) {
            let s = match side {
                Side::Materials => "material",
                Side::Products => "product",
            };
            out.push_str(&format!(", {s} rule {i}"));
            if let Some(t) = &self.rule_text {
                out.push_str(&format!(" ({t})"));
            }
        }
        out
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.severity, self.place(), self.message)
    }
}

/// The links of one run, by step, as `--link-dir` gives them.
#[derive(Clone, Debug, Default)]
pub struct RunLinks {
    /// Where they are, for messages.
    pub dir: String,
    /// Step name → (file, link).
    pub links: BTreeMap<String, (String, Link)>,
}

/// Why the links could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A link file that cannot be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A layout where a link should be.
    #[error("{0} is a layout, not a link")]
    NotALink(PathBuf),
}

impl RunLinks {
    /// For each step of `layout`, its link in `dir`: the first of
    /// `<step>.<keyid8>.link` by its functionaries (and their subkeys),
    /// else the unsigned `<step>.link` of a dry run. Signatures are not
    /// checked (that is verification's part).
    pub fn read(layout: &Layout, dir: &Path) -> Result<RunLinks, CheckError> {
        let mut links = BTreeMap::new();
        for step in &layout.steps {
            let mut names: Vec<String> = Vec::new();
            for id in &step.pubkeys {
                names.push(link_filename(&step.name, id));
                if let Some(k) = layout.key(id) {
                    names.extend(k.subkey_ids().iter().map(|s| link_filename(&step.name, s)));
                }
            }
            names.push(format!("{}.link", step.name));
            for n in names {
                let path = dir.join(&n);
                let env = match fsio::load_metadata(&path) {
                    Ok(env) => env,
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => return Err(e.into()),
                };
                let Signed::Link(link) = Envelope::into_signed(env) else {
                    return Err(CheckError::NotALink(path));
                };
                links.insert(step.name.clone(), (n, link));
                break;
            }
        }
        Ok(RunLinks {
            dir: dir.display().to_string(),
            links,
        })
    }
}

/// What to check a layout with.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// The time to judge expiry at.
    pub now: i64,
    /// The keys that will sign the layout.
    pub owner_keys: Vec<KeyDict>,
    /// The links of a run, to run the rules against.
    pub links: Option<RunLinks>,
}

/// Everything found in `layout`, in the order: layout, keys, steps,
/// inspections, then the rules run against the links.
pub fn check(layout: &Layout, opts: &CheckOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    expiry(layout, opts, &mut out);
    keys(layout, &mut out);
    for (i, step) in layout.steps.iter().enumerate() {
        let kind = ItemKind::Step;
        if step.pubkeys.is_empty() {
            out.push(
                Finding::new(
                    Severity::Error,
                    "no-functionary",
                    "names no functionary key: no link of it can count, so verification fails there".into(),
                )
                .item(kind, &step.name),
            );
        } else if step.threshold as usize > step.pubkeys.len() {
            out.push(
                Finding::new(
                    Severity::Error,
                    "threshold",
                    format!(
                        "threshold {} is above its number of functionary keys ({}): verification cannot pass",
                        step.threshold,
                        step.pubkeys.len()
                    ),
                )
                .item(kind, &step.name),
            );
        }
        for id in &step.pubkeys {
            if layout.key(id).is_none()
                && !layout
                    .keys
                    .iter()
                    .any(|(_, d)| d.subkey_ids().contains(&id.as_str()))
            {
                out.push(
                    Finding::new(
                        Severity::Error,
                        "unknown-functionary",
                        format!(
                            "functionary {id} is not a key of the layout: its links cannot count"
                        ),
                    )
                    .item(kind, &step.name)
                    .key(id),
                );
            }
        }
        for (side, rules) in [
            (Side::Materials, &step.expected_materials),
            (Side::Products, &step.expected_products),
        ] {
            let last_disallows = rules
                .last()
                .is_some_and(|r| matches!(r.rule(), Rule::Disallow(_)));
            if !last_disallows {
                out.push(
                    Finding::new(
                        Severity::Warning,
                        "no-final-disallow",
                        format!("its {side} rules do not end in DISALLOW: any other {side} pass unchecked"),
                    )
                    .item(kind, &step.name),
                );
            }
            matches_rules(layout, kind, i, side, rules, &mut out);
        }
        params(
            &step.name,
            kind,
            step.expected_command.iter(),
            [&step.expected_materials, &step.expected_products],
            &mut out,
        );
    }
    for (i, insp) in layout.inspect.iter().enumerate() {
        let kind = ItemKind::Inspection;
        if insp.run.is_empty() || insp.run.iter().all(|a| a.trim().is_empty()) {
            out.push(
                Finding::new(
                    Severity::Error,
                    "empty-command",
                    "its command is empty: the verifier has nothing to run".into(),
                )
                .item(kind, &insp.name),
            );
        }
        for (side, rules) in [
            (Side::Materials, &insp.expected_materials),
            (Side::Products, &insp.expected_products),
        ] {
            matches_rules(layout, kind, i, side, rules, &mut out);
        }
        params(
            &insp.name,
            kind,
            insp.run.iter(),
            [&insp.expected_materials, &insp.expected_products],
            &mut out,
        );
    }
    if let Some(links) = &opts.links {
        run_against(layout, links, &mut out);
    }
    out
}

/// The layout's expiry: past, or beyond the expiry of a key that signs
/// the layout or its links.
fn expiry(layout: &Layout, opts: &CheckOptions, out: &mut Vec<Finding>) {
    let Some(exp) = parse_expires(&layout.expires) else {
        return;
    };
    if exp <= opts.now {
        out.push(Finding::new(
            Severity::Error,
            "expired",
            format!(
                "it expired on {}: verification refuses it (intoto layout set-expires)",
                layout.expires
            ),
        ));
    }
    let owners = opts.owner_keys.iter().map(|k| ("owner", k));
    let functionaries = layout.keys.iter().map(|(_, k)| ("functionary", k));
    for (role, k) in owners.chain(functionaries) {
        let KeyDict::Gpg(g) = k else { continue };
        let Some(t) = g.expires_at() else { continue };
        if t <= opts.now {
            out.push(
                Finding::new(
                    Severity::Error,
                    "key-expired",
                    format!(
                        "the {role} key expired on {}: its signatures no longer verify",
                        layout_time(t)
                    ),
                )
                .key(k.keyid()),
            );
        } else if t < exp {
            out.push(
                Finding::new(
                    Severity::Warning,
                    "expires-after-key",
                    format!(
                        "the layout expires {}, after this {role} key ({}): its signatures stop verifying first",
                        layout.expires,
                        layout_time(t)
                    ),
                )
                .key(k.keyid()),
            );
        }
    }
}

/// Keys that authorise nothing.
fn keys(layout: &Layout, out: &mut Vec<Finding>) {
    for (id, k) in &layout.keys {
        let used = layout.steps.iter().any(|s| {
            s.pubkeys
                .iter()
                .any(|p| p == id || k.subkey_ids().contains(&p.as_str()))
        });
        if !used {
            out.push(
                Finding::new(
                    Severity::Warning,
                    "unused-key",
                    "the layout lists this key, but no step names it as a functionary".into(),
                )
                .key(id),
            );
        }
    }
}

/// `{NAME}` placeholders of one item.
fn params<'a>(
    name: &str,
    kind: ItemKind,
    command: impl Iterator<Item = &'a String>,
    rules: [&Vec<ArtifactRule>; 2],
    out: &mut Vec<Finding>,
) {
    let mut one = Layout::new("");
    one.steps.push(crate::models::Step {
        name: name.to_owned(),
        pubkeys: Vec::new(),
        threshold: 1,
        expected_command: command.cloned().collect(),
        expected_materials: rules[0].clone(),
        expected_products: rules[1].clone(),
        nulls: Default::default(),
    });
    for p in placeholders(&one) {
        out.push(
            Finding::new(
                Severity::Warning,
                "parameter",
                format!("uses the parameter {{{p}}}: verification needs --param {p}=VALUE, or takes it literally"),
            )
            .item(kind, name),
        );
    }
}

/// MATCH rules: the item they name must exist and come before; step
/// rules see only steps' links; a destination whose rules end in
/// `DISALLOW *` must let through something the pattern could name.
fn matches_rules(
    layout: &Layout,
    kind: ItemKind,
    index: usize,
    side: Side,
    rules: &[ArtifactRule],
    out: &mut Vec<Finding>,
) {
    let name = match kind {
        ItemKind::Step => &layout.steps[index].name,
        ItemKind::Inspection => &layout.inspect[index].name,
    };
    for (ri, r) in rules.iter().enumerate() {
        let Rule::Match {
            pattern,
            dest_type,
            dest_prefix,
            dest_name,
            ..
        } = r.rule()
        else {
            continue;
        };
        let at = |sev, check, msg: String| {
            Finding::new(sev, check, msg)
                .item(kind, name)
                .rule(side, ri, r)
        };
        let step = layout.steps.iter().position(|s| &s.name == dest_name);
        let insp = layout.inspect.iter().position(|s| &s.name == dest_name);
        let dest_rules = match (kind, step, insp) {
            (_, None, None) => {
                out.push(at(
                    Severity::Error,
                    "match-unknown-step",
                    format!("'{dest_name}' is no step of the layout: the rule takes nothing"),
                ));
                continue;
            }
            (ItemKind::Step, None, Some(_)) => {
                out.push(at(
                    Severity::Error,
                    "match-unknown-step",
                    format!("'{dest_name}' is an inspection: step rules only see the steps' links, so the rule takes nothing"),
                ));
                continue;
            }
            (ItemKind::Step, Some(s), _) => {
                if s > index {
                    out.push(at(
                        Severity::Warning,
                        "match-later-step",
                        format!("'{dest_name}' comes later in the layout than this step"),
                    ));
                }
                let d = &layout.steps[s];
                (&d.expected_materials, &d.expected_products)
            }
            (ItemKind::Inspection, Some(s), _) => {
                let d = &layout.steps[s];
                (&d.expected_materials, &d.expected_products)
            }
            (ItemKind::Inspection, None, Some(s)) => {
                if s > index {
                    out.push(at(
                        Severity::Warning,
                        "match-later-step",
                        format!("'{dest_name}' is an inspection that runs after this one"),
                    ));
                }
                let d = &layout.inspect[s];
                (&d.expected_materials, &d.expected_products)
            }
        };
        let dest_rules = match dest_type {
            DestType::Materials => dest_rules.0,
            DestType::Products => dest_rules.1,
        };
        let wanted = if dest_prefix.is_empty() {
            pattern.clone()
        } else {
            format!("{}{pattern}", escape_glob(&dir_prefix(dest_prefix)))
        };
        if !could_pass(dest_rules, &wanted) {
            out.push(at(
                Severity::Warning,
                "never-matches",
                format!(
                    "can never match: the {} rules of '{dest_name}' end in DISALLOW * and let through nothing '{wanted}' names",
                    dest_type.name()
                ),
            ));
        }
    }
}

fn dir_prefix(p: &str) -> String {
    if p.ends_with('/') {
        p.to_owned()
    } else {
        format!("{p}/")
    }
}

fn is_literal(glob: &str) -> bool {
    !glob.contains(['*', '?', '['])
}

/// Whether `rules`, ending in `DISALLOW *`, could let an artifact that
/// `wanted` names through (when it cannot be told: yes).
fn could_pass(rules: &[ArtifactRule], wanted: &str) -> bool {
    if !rules
        .last()
        .is_some_and(|r| matches!(r.rule(), Rule::Disallow(p) if p == "*"))
    {
        return true;
    }
    rules.iter().any(|r| {
        let theirs = match r.rule() {
            Rule::Create(p) | Rule::Modify(p) | Rule::Delete(p) | Rule::Allow(p) => p.clone(),
            Rule::Match {
                pattern,
                source_prefix,
                ..
            } if source_prefix.is_empty() => pattern.clone(),
            Rule::Match {
                pattern,
                source_prefix,
                ..
            } => format!("{}{pattern}", escape_glob(&dir_prefix(source_prefix))),
            Rule::Disallow(_) | Rule::Require(_) => return false,
        };
        if is_literal(&theirs) {
            Glob::new(wanted).matches(&theirs)
        } else if is_literal(wanted) {
            Glob::new(&theirs).matches(wanted)
        } else {
            // Two globs: they cannot meet when their literal beginnings
            // differ before either one's first wildcard.
            let (a, b) = (literal_start(wanted), literal_start(&theirs));
            a.starts_with(b) || b.starts_with(a)
        }
    })
}

/// The text of `glob` before its first wildcard.
fn literal_start(glob: &str) -> &str {
    &glob[..glob.find(['*', '?', '[']).unwrap_or(glob.len())]
}

/// The steps' rules run against the links of a run.
fn run_against(layout: &Layout, run: &RunLinks, out: &mut Vec<Finding>) {
    let links: HashMap<&str, &Link> = run
        .links
        .iter()
        .map(|(n, (_, l))| (n.as_str(), l))
        .collect();
    for step in &layout.steps {
        let kind = ItemKind::Step;
        let Some((file, _)) = run.links.get(&step.name) else {
            out.push(
                Finding::new(
                    Severity::Warning,
                    "no-link",
                    format!("no link of it in {}: its rules were not run", run.dir),
                )
                .item(kind, &step.name),
            );
            continue;
        };
        for (side, rules) in [
            (Side::Materials, &step.expected_materials),
            (Side::Products, &step.expected_products),
        ] {
            let t = trace_rules(kind, &step.name, side, rules, &links);
            for (ri, r) in rules.iter().enumerate() {
                if !t.ran[ri] {
                    continue;
                }
                let took = &t.matched[ri];
                let at = |sev, check, msg: String| {
                    Finding::new(sev, check, msg)
                        .item(kind, &step.name)
                        .rule(side, ri, r)
                };
                if matches!(r.rule(), Rule::Disallow(_)) {
                    continue;
                }
                if took.is_empty() {
                    out.push(at(
                        Severity::Warning,
                        "matched-nothing",
                        format!("took no artifact of {file}"),
                    ));
                } else {
                    let mut f = at(
                        Severity::Note,
                        "matched",
                        format!(
                            "took {} artifact{} of {file}: {}",
                            took.len(),
                            if took.len() == 1 { "" } else { "s" },
                            preview(took)
                        ),
                    );
                    f.artifacts = took.clone();
                    out.push(f);
                }
            }
            if let Some(fail) = t.failure {
                let ri = t.ran.iter().rposition(|r| *r);
                let mut f =
                    Finding::new(Severity::Error, "rule-fails", format!("{fail} (in {file})"))
                        .item(kind, &step.name);
                if let Some(ri) = ri {
                    f = f.rule(side, ri, &rules[ri]);
                }
                if let crate::rules::RuleFailureKind::Disallowed { artifacts, .. } = &fail.kind {
                    f.artifacts = artifacts.clone();
                }
                out.push(f);
            }
        }
    }
}

fn preview(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(5).map(|s| format!("'{s}'")).collect();
    if items.len() > 5 {
        format!("{}, ...", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests;
