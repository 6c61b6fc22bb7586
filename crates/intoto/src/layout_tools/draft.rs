//! Drafting a layout from the links of one run of a supply chain
//! (`intoto layout draft`): one step per link name, in the order the
//! artifacts flow; the keys that validly signed each link; the command
//! each link recorded; rules that describe what each step did with its
//! artifacts, ending in `DISALLOW *`.
//!
//! The draft is a starting point, unsigned: it says what happened, and
//! [`Note`]s say where it had to guess or could not say (a signer whose
//! key was not given, an unsigned link, artifacts that came from outside
//! the chain). It verifies the links it was drawn from once signed (when
//! no artifact was left over), and fails when any of their products
//! changes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::fsio::{self, LoadError};
use crate::keys::{KeyDict, verifier, verify_signature_by};
use crate::models::rule::ArtifactRule;
use crate::models::{
    Artifacts, Envelope, HashDict, Inspection, Layout, LayoutEditError, Link, Nulls, Signed, Step,
};
use crate::policy::Policy;

mod note;

pub use note::Note;

/// One link, and the file (or step of a dry run) it came from.
#[derive(Clone, Debug)]
pub struct LinkFile {
    /// For messages: the file name, or `dry run of STEP`.
    pub file: String,
    /// The link, with its signatures (none for a mock link).
    pub envelope: Envelope,
}

/// How to draft.
#[derive(Clone, Debug)]
pub struct DraftOptions {
    /// The layout's expiry, `YYYY-MM-DDTHH:MM:SSZ`.
    pub expires: String,
    /// Public keys that may have signed the links.
    pub keys: Vec<KeyDict>,
    /// Judges signatures (and OpenPGP key validity at its time).
    pub policy: Policy,
    /// `ALLOW` each artifact no other rule describes (instead of leaving
    /// it to `DISALLOW *`, with a [`Note::LeftOver`]).
    pub allow_rest: bool,
    /// One glob (`dir/*`) where a whole directory goes the same way.
    pub generalize: bool,
    /// Add the inspection [`FINAL_PRODUCTS`]: the final products, found
    /// where verification runs, must be those of the links.
    pub inspection: bool,
}

/// The name of the inspection that checks the final products (a number
/// is added when a step has the name).
pub const FINAL_PRODUCTS: &str = "final-products";

/// A layout drafted, and what the owner should know about it.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The layout (unsigned).
    pub layout: Layout,
    /// Where the draft guessed or could not say.
    pub notes: Vec<Note>,
}

/// Why no draft could be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DraftError {
    /// No links to draft from.
    #[error("{0}: no link files (*.link) there")]
    NoLinks(PathBuf),
    /// The directory cannot be listed.
    #[error("{0}: {1}")]
    ReadDir(PathBuf, std::io::Error),
    /// A link file that cannot be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A `.link` file holding a layout.
    #[error("{0} is a layout, not a link")]
    NotALink(String),
    /// A link whose name cannot be a step's.
    #[error("{file}: {error}")]
    BadName {
        /// The link.
        file: String,
        /// Why.
        error: LayoutEditError,
    },
    /// A rule that could not be written (a path the rule language cannot
    /// hold).
    #[error("step '{step}': cannot write a rule for {path:?}: {why}")]
    Rule {
        /// The step.
        step: String,
        /// The artifact.
        path: String,
        /// Why.
        why: String,
    },
}

/// The link files (`*.link`, regular files) of `dir`, sorted by name.
pub fn read_link_dir(dir: &Path) -> Result<Vec<LinkFile>, DraftError> {
    let entries = std::fs::read_dir(dir).map_err(|e| DraftError::ReadDir(dir.to_owned(), e))?;
    let mut names = Vec::new();
    for e in entries {
        let e = e.map_err(|e| DraftError::ReadDir(dir.to_owned(), e))?;
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_file = e.file_type().is_ok_and(|t| t.is_file());
        if is_file && name.ends_with(".link") && !name.starts_with('.') {
            names.push(name.to_owned());
        }
    }
    names.sort();
    if names.is_empty() {
        return Err(DraftError::NoLinks(dir.to_owned()));
    }
    names
        .into_iter()
        .map(|n| {
            let envelope = fsio::load_metadata(&dir.join(&n))?;
            Ok(LinkFile { file: n, envelope })
        })
        .collect()
}

/// What a step did with one artifact.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fate {
    /// Equal to a product of this earlier step.
    Match(String),
    Create,
    Delete,
    Modify,
    /// None of the above.
    Rest,
}

/// One step's links, the one its rules follow first.
struct Group<'a> {
    name: String,
    links: Vec<&'a LinkFile>,
    link: &'a Link,
}

impl Group<'_> {
    /// Products the step created or changed.
    fn made(&self, path: &str) -> bool {
        let Some(p) = self.link.products.get(path) else {
            return false;
        };
        self.link.materials.get(path).is_none_or(|m| m.differs(p))
    }
}

/// Drafts a layout from `links` (one run of the supply chain).
pub fn draft(links: &[LinkFile], opts: &DraftOptions) -> Result<Draft, DraftError> {
    let mut groups: BTreeMap<String, Vec<(&LinkFile, &Link)>> = BTreeMap::new();
    for l in links {
        let Signed::Link(link) = l.envelope.signed() else {
            return Err(DraftError::NotALink(l.file.clone()));
        };
        groups.entry(link.name.clone()).or_default().push((l, link));
    }
    let mut notes = Vec::new();
    let groups: Vec<Group> = groups
        .into_iter()
        .filter_map(|(name, links)| {
            let (first, link) = *links.first()?;
            for (other, o) in &links[1..] {
                if o.materials != link.materials || o.products != link.products {
                    notes.push(Note::LinksDiffer {
                        step: name.clone(),
                        used: first.file.clone(),
                        other: other.file.clone(),
                    });
                }
            }
            let links = links.into_iter().map(|(f, _)| f).collect();
            Some(Group { name, links, link })
        })
        .collect();
    let order = flow_order(&groups, &mut notes);
    let mut layout = Layout::new(opts.expires.clone());
    for (pos, &gi) in order.iter().enumerate() {
        let g = &groups[gi];
        layout
            .check_new_name(&g.name)
            .map_err(|error| DraftError::BadName {
                file: g.links[0].file.clone(),
                error,
            })?;
        let earlier: Vec<&Group> = order[..pos].iter().map(|&i| &groups[i]).collect();
        let before = notes.len();
        let pubkeys = signers(g, opts, &mut layout, &mut notes);
        if pubkeys.is_empty() {
            // One warning for a step of unsigned links, not one per link.
            let mine = notes.split_off(before);
            let unsigned = mine.iter().any(|n| matches!(n, Note::Unsigned { .. }));
            notes.extend(
                mine.into_iter()
                    .filter(|n| !matches!(n, Note::Unsigned { .. })),
            );
            notes.push(Note::NoFunctionary {
                step: g.name.clone(),
                unsigned,
            });
        }
        let materials = side_rules(g, &earlier, Side::Materials, opts, &mut notes)?;
        let products = side_rules(g, &earlier, Side::Products, opts, &mut notes)?;
        layout.steps.push(Step {
            name: g.name.clone(),
            pubkeys,
            threshold: 1,
            expected_command: g.link.command.clone(),
            expected_materials: materials,
            expected_products: products,
            nulls: Nulls::default(),
        });
    }
    if opts.inspection {
        let ordered: Vec<&Group> = order.iter().map(|&i| &groups[i]).collect();
        final_products(&ordered, &mut layout, &mut notes, opts.generalize)?;
    }
    Ok(Draft { layout, notes })
}

/// Adds the inspection that checks the final products: for each, the
/// version of the step that made it last, when no later step took it and
/// changed or removed it (`REQUIRE` it, `MATCH` it, `DISALLOW` it when
/// the MATCH did not take it; with `generalize`, `MATCH` and `DISALLOW`
/// `dir/*` for a directory the step made whole).
fn final_products(
    ordered: &[&Group],
    layout: &mut Layout,
    notes: &mut Vec<Note>,
    generalize: bool,
) -> Result<(), DraftError> {
    let mut current: BTreeMap<&str, (&str, &HashDict)> = BTreeMap::new();
    for g in ordered {
        for (path, digest) in g.link.materials.iter() {
            let taken = current.get(path).is_some_and(|(_, d)| d.matches(digest));
            let kept = g
                .link
                .products
                .get(path)
                .is_some_and(|p| !p.differs(digest));
            if taken && !kept {
                current.remove(path);
            }
        }
        for (path, digest) in g.link.products.iter() {
            if g.made(path) {
                current.insert(path, (&g.name, digest));
            }
        }
    }
    if current.is_empty() {
        return Ok(());
    }
    let mut name = FINAL_PRODUCTS.to_owned();
    let mut n = 1;
    while layout.check_new_name(&name).is_err() {
        n += 1;
        name = format!("{FINAL_PRODUCTS}-{n}");
    }
    let fates: BTreeMap<&str, Fate> = current
        .iter()
        .map(|(p, (step, _))| (*p, Fate::Match((*step).to_owned())))
        .collect();
    let patterns: Vec<(String, Fate)> = if generalize {
        self::generalize(&fates, ordered)
    } else {
        fates
            .iter()
            .map(|(p, f)| (escape_glob(p), f.clone()))
            .collect()
    };
    let literal: BTreeMap<String, &str> = fates.keys().map(|p| (escape_glob(p), *p)).collect();
    let mut materials = Vec::new();
    for (p, fate) in &patterns {
        let Fate::Match(step) = fate else { continue };
        let rule = |tokens: &[&str]| {
            ArtifactRule::new(tokens.iter().map(|t| t.to_string()).collect()).map_err(|e| {
                DraftError::Rule {
                    step: name.clone(),
                    path: p.clone(),
                    why: e.to_string(),
                }
            })
        };
        // A directory's glob cannot require each file.
        if let Some(path) = literal.get(p).filter(|_| !p.ends_with("/*")) {
            materials.push(rule(&["REQUIRE", path])?);
        }
        materials.push(rule(&["MATCH", p, "WITH", "PRODUCTS", "FROM", step])?);
        materials.push(rule(&["DISALLOW", p])?);
    }
    layout.inspect.push(Inspection {
        name: name.clone(),
        run: vec!["true".into()],
        expected_materials: materials,
        expected_products: Vec::new(),
        nulls: Nulls::default(),
    });
    notes.push(Note::FinalProducts {
        name,
        artifacts: current.keys().map(|p| p.to_string()).collect(),
    });
    Ok(())
}

/// The steps in the order artifacts flow: a step comes after the steps
/// that made (created or changed) artifacts it takes as materials, with
/// those digests; otherwise by name. A cycle is broken by name.
fn flow_order(groups: &[Group], notes: &mut Vec<Note>) -> Vec<usize> {
    let n = groups.len();
    let mut before: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for (b, gb) in groups.iter().enumerate() {
        for (path, digest) in gb.link.materials.iter() {
            for (a, ga) in groups.iter().enumerate() {
                if a != b
                    && ga.made(path)
                    && ga
                        .link
                        .products
                        .get(path)
                        .is_some_and(|p| p.matches(digest))
                {
                    before[b].insert(a);
                }
            }
        }
    }
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut cycle = Vec::new();
    while order.len() < n {
        // Groups are sorted by name: the first ready one is the next.
        let ready = (0..n).find(|&i| !done[i] && before[i].iter().all(|&a| done[a]));
        let next = match ready {
            Some(i) => i,
            None => {
                let i = (0..n).find(|&i| !done[i]).unwrap_or(0);
                cycle.push(groups[i].name.clone());
                i
            }
        };
        done[next] = true;
        order.push(next);
    }
    if !cycle.is_empty() {
        notes.push(Note::Cycle { steps: cycle });
    }
    order
}

/// The key ids of the given keys that validly signed the step's links
/// (their dicts added to the layout).
fn signers(
    g: &Group,
    opts: &DraftOptions,
    layout: &mut Layout,
    notes: &mut Vec<Note>,
) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for l in &g.links {
        let sigs = l.envelope.signature_keyids();
        if sigs.is_empty() {
            notes.push(Note::Unsigned {
                step: g.name.clone(),
                file: l.file.clone(),
            });
        }
        for keyid in sigs {
            let found = opts.keys.iter().find_map(|k| {
                let v = verifier(k, &opts.policy);
                v.owns(&keyid).then_some((k, v))
            });
            let Some((dict, v)) = found else {
                notes.push(Note::UnknownSigner {
                    step: g.name.clone(),
                    file: l.file.clone(),
                    keyid,
                });
                continue;
            };
            if let Err(e) = verify_signature_by(&l.envelope, v.as_ref(), &keyid) {
                notes.push(Note::BadSignature {
                    step: g.name.clone(),
                    file: l.file.clone(),
                    keyid,
                    why: e.to_string(),
                });
                continue;
            }
            let id = dict.keyid().to_owned();
            if !ids.contains(&id) {
                layout.set_key(dict.clone());
                ids.push(id);
            }
        }
    }
    ids
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Materials,
    Products,
}

/// The rules of one side of a step.
fn side_rules(
    g: &Group,
    earlier: &[&Group],
    side: Side,
    opts: &DraftOptions,
    notes: &mut Vec<Note>,
) -> Result<Vec<ArtifactRule>, DraftError> {
    let (mine, other) = match side {
        Side::Materials => (&g.link.materials, &g.link.products),
        Side::Products => (&g.link.products, &g.link.materials),
    };
    let fates: BTreeMap<&str, Fate> = mine
        .iter()
        .map(|(path, digest)| (path, fate(path, digest, other, side, earlier)))
        .collect();
    let patterns = if opts.generalize {
        generalize(&fates, earlier)
    } else {
        fates
            .iter()
            .map(|(p, f)| (escape_glob(p), f.clone()))
            .collect()
    };
    let mut by_fate: BTreeMap<Fate, Vec<String>> = BTreeMap::new();
    for (pattern, fate) in patterns {
        by_fate.entry(fate).or_default().push(pattern);
    }
    by_fate.values_mut().for_each(|v| v.sort());
    let mut rules = Vec::new();
    let rule = |tokens: Vec<String>, path: &str| {
        ArtifactRule::new(tokens).map_err(|e| DraftError::Rule {
            step: g.name.clone(),
            path: path.to_owned(),
            why: e.to_string(),
        })
    };
    for (fate, patterns) in by_fate {
        if fate == Fate::Rest && !opts.allow_rest {
            let rest: Vec<String> = fates
                .iter()
                .filter(|(_, f)| **f == Fate::Rest)
                .map(|(p, _)| (*p).to_owned())
                .collect();
            notes.push(Note::LeftOver {
                step: g.name.clone(),
                side: match side {
                    Side::Materials => "materials",
                    Side::Products => "products",
                },
                artifacts: rest,
            });
            continue;
        }
        for p in patterns {
            let tokens: Vec<String> = match &fate {
                Fate::Match(from) => ["MATCH", &p, "WITH", "PRODUCTS", "FROM", from]
                    .map(str::to_owned)
                    .to_vec(),
                Fate::Create => vec!["CREATE".into(), p.clone()],
                Fate::Delete => vec!["DELETE".into(), p.clone()],
                Fate::Modify => vec!["MODIFY".into(), p.clone()],
                Fate::Rest => vec!["ALLOW".into(), p.clone()],
            };
            rules.push(rule(tokens, &p)?);
        }
    }
    rules.push(rule(vec!["DISALLOW".into(), "*".into()], "*")?);
    Ok(rules)
}

/// What the step did with `path` (`digest` on this side, `other` the
/// other side of its link).
fn fate(path: &str, digest: &HashDict, other: &Artifacts, side: Side, earlier: &[&Group]) -> Fate {
    let from = || matched_from(path, digest, earlier).map(Fate::Match);
    let changed = other.get(path).map(|o| o.differs(digest));
    match side {
        // A material taken from an earlier step says the most: where it
        // came from.
        Side::Materials => from().unwrap_or(match changed {
            None => Fate::Delete,
            Some(true) => Fate::Modify,
            Some(false) => Fate::Rest,
        }),
        // A product says what the step did with it.
        Side::Products => match changed {
            None => Fate::Create,
            Some(true) => Fate::Modify,
            Some(false) => from().unwrap_or(Fate::Rest),
        },
    }
}

/// The earlier step whose products hold `path` with `digest`: the latest
/// that made it, else the latest that has it.
fn matched_from(path: &str, digest: &HashDict, earlier: &[&Group]) -> Option<String> {
    let has = |g: &&&Group| g.link.products.get(path).is_some_and(|p| p.matches(digest));
    earlier
        .iter()
        .rev()
        .filter(has)
        .find(|g| g.made(path))
        .or_else(|| earlier.iter().rev().find(has))
        .map(|g| g.name.clone())
}

/// Patterns for the artifacts of one side: `dir/*` for each outermost
/// directory of two or more artifacts that all went the same way (for a
/// MATCH: the earlier step's products in that directory are exactly
/// these), the escaped path for the others.
fn generalize(fates: &BTreeMap<&str, Fate>, earlier: &[&Group]) -> Vec<(String, Fate)> {
    let mut dirs: BTreeSet<&str> = BTreeSet::new();
    for p in fates.keys() {
        dirs.extend(parents(p));
    }
    // Outermost first; a directory inside a chosen one is skipped.
    let mut dirs: Vec<&str> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| (d.matches('/').count(), *d));
    let mut chosen: BTreeMap<&str, Fate> = BTreeMap::new();
    // The earlier steps' product paths, sorted, looked up by range.
    let mut products: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for d in dirs {
        if parents(d).any(|p| p != d && chosen.contains_key(p)) {
            continue;
        }
        let mut members = fates.range(d..).take_while(|(p, _)| p.starts_with(d));
        let Some((_, first)) = members.next() else {
            continue;
        };
        let mut count = 1;
        if !members.all(|(_, f)| {
            count += 1;
            f == first
        }) || count < 2
        {
            continue;
        }
        if let Fate::Match(from) = first {
            let Some(src) = earlier.iter().find(|g| &g.name == from) else {
                continue;
            };
            let keys = products
                .entry(src.name.as_str())
                .or_insert_with(|| src.link.products.keys().collect());
            let start = keys.partition_point(|k| *k < d);
            let theirs = keys[start..]
                .iter()
                .take_while(|k| k.starts_with(d))
                .count();
            if theirs != count {
                continue;
            }
        }
        chosen.insert(d, first.clone());
    }
    let mut out: Vec<(String, Fate)> = chosen
        .iter()
        .map(|(d, f)| (format!("{}*", escape_glob(d)), f.clone()))
        .collect();
    for (p, f) in fates {
        if !parents(p).any(|d| chosen.contains_key(d)) {
            out.push((escape_glob(p), f.clone()));
        }
    }
    out
}

/// The directories `path` is in, as prefixes ending in `/`, outermost
/// first (a leading `/` is not one).
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.char_indices()
        .filter(|&(i, c)| c == '/' && i > 0)
        .map(move |(i, _)| &path[..=i])
}

/// `path` as a glob that matches exactly it (Python's `glob.escape`).
pub fn escape_glob(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '*' | '?' | '[' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
