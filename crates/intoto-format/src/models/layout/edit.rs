//! Editing a layout: the changes `intoto layout add-*`, `remove-*` and
//! `set-*` make, each checked as a whole before anything changes.
//!
//! Messages name the command-line argument a value came from (`--functionary`,
//! `--material`…), since that is where a person fixes it.

use super::{Inspection, Layout, Step};
use crate::format::FormatError;
use crate::models::rule::{ArtifactRule, Rule, RuleSyntaxError, shell_split};
use crate::models::{Nulls, check_item_name};
use crate::time::{format_expires, parse_expires};

/// Why a layout edit was refused (the layout is left as it was).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutEditError {
    /// A new step or inspection name is not a valid name.
    #[error("{0}")]
    BadName(FormatError),
    /// A step or inspection of that name exists already.
    #[error("the layout already has a step or inspection named '{0}'")]
    NameTaken(String),
    /// A key id prefix shorter than 8 hex digits.
    #[error("{what}: give at least 8 hex digits of the key id")]
    KeyIdTooShort {
        /// The argument, e.g. `--functionary ID`.
        what: String,
    },
    /// No key of the layout has that id (or a subkey of that id).
    #[error(
        "{what}: no such key in the layout ({}){}",
        if keys.is_empty() { "it has none".to_owned() } else { format!("its keys: {}", keys.join(", ")) },
        if *add_hint { "; add it first with intoto layout add-key" } else { "" }
    )]
    NoSuchKey {
        /// The argument, e.g. `--functionary ID`.
        what: String,
        /// The layout's key ids, shortened to 16 digits.
        keys: Vec<String>,
        /// Whether to point at `intoto layout add-key`.
        add_hint: bool,
    },
    /// A key id prefix that matches more than one key.
    #[error("{what}: matches {count} keys; give more digits")]
    AmbiguousKey {
        /// The argument, e.g. `key ID`.
        what: String,
        /// How many keys it matches.
        count: usize,
    },
    /// A threshold below 1 or above the number of functionaries.
    #[error(
        "--threshold {threshold}: must be between 1 and the number of functionaries ({functionaries})"
    )]
    Threshold {
        /// The threshold given.
        threshold: i64,
        /// The number of functionary keys given.
        functionaries: usize,
    },
    /// A command with unbalanced quotes.
    #[error("{what}: unbalanced quotes")]
    UnbalancedQuotes {
        /// The argument: `--expected-command` or `--run`.
        what: &'static str,
    },
    /// An inspection without a command.
    #[error("--run: an inspection needs a command")]
    NoCommand,
    /// An artifact rule that does not parse.
    #[error("--{side} {text:?}: {error}")]
    Rule {
        /// `material` or `product`.
        side: &'static str,
        /// The rule as given.
        text: String,
        /// Why it does not parse.
        error: RuleSyntaxError,
    },
    /// A MATCH rule naming no step (or inspection) before this one.
    #[error(
        "--{side} {text:?}: MATCH ... FROM '{source_name}' names no step defined so far ({})",
        if known.is_empty() { "none yet".to_owned() } else { known.join(", ") }
    )]
    UnknownMatchSource {
        /// `material` or `product`.
        side: &'static str,
        /// The rule as given.
        text: String,
        /// The item it names.
        source_name: String,
        /// The items it could name.
        known: Vec<String>,
    },
    /// No item of that kind and name.
    #[error(
        "the layout has no {kind} named '{name}' ({kind}s: {})",
        if names.is_empty() { "none".to_owned() } else { names.join(", ") }
    )]
    NoSuchItem {
        /// `step` or `inspection`.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The names of that kind there are.
        names: Vec<String>,
    },
    /// The name is the other kind's (a step given to remove-inspection…).
    #[error(
        "'{name}' is {}, not a {kind}: use intoto layout {verb}-{}",
        if *kind == "step" { "an inspection" } else { "a step" },
        if *kind == "step" { "inspection" } else { "step" }
    )]
    WrongKind {
        /// The kind asked for: `step` or `inspection`.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The command's verb: `remove` or `set`.
        verb: &'static str,
    },
    /// The new key of a replacement is in the layout already.
    #[error(
        "key {keyid} is in the layout already: give a key it does not hold \
         (or change the steps with intoto layout set-step --functionary)"
    )]
    KeyPresent {
        /// The new key's id.
        keyid: String,
    },
    /// New functionaries, fewer than the threshold the step keeps.
    #[error(
        "step '{step}' keeps threshold {threshold}, more than its {functionaries} \
         functionar{}: give --threshold too",
        if *functionaries == 1 { "y" } else { "ies" }
    )]
    KeptThreshold {
        /// The step.
        step: String,
        /// Its threshold, unchanged.
        threshold: i64,
        /// Its functionary keys after the change.
        functionaries: usize,
    },
    /// MATCH rules of other items take artifacts from the item.
    #[error(
        "{kind} '{name}' is named by MATCH rules of {}: remove those first",
        quoted(users)
    )]
    Referenced {
        /// `step` or `inspection`.
        kind: &'static str,
        /// The item to remove.
        name: String,
        /// The items whose MATCH rules name it.
        users: Vec<String>,
    },
    /// Removing the key would leave a step below its threshold.
    #[error(
        "key {keyid} is {} of step '{step}', which needs {} (threshold {threshold}); \
         remove the step first (intoto layout remove-step)",
        if *left == 0 { "the only functionary key" } else { "one of the functionary keys" },
        if *threshold == 1 { "one key".to_owned() } else { format!("{threshold} keys") }
    )]
    BelowThreshold {
        /// The key to remove.
        keyid: String,
        /// The step.
        step: String,
        /// Its threshold.
        threshold: i64,
        /// Its keys left without this one.
        left: usize,
    },
    /// An expiry that is neither a date nor a duration.
    #[error(
        "{what} {text:?}: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or a duration like 90d, 12w, 6m, 1y"
    )]
    BadExpires {
        /// The argument: `--expires` or `WHEN`.
        what: String,
        /// The value given.
        text: String,
    },
    /// A duration with an unknown unit.
    #[error("{what} {text:?}: unknown unit {unit:?} (d, w, m or y)")]
    ExpiresUnit {
        /// The argument: `--expires` or `WHEN`.
        what: String,
        /// The value given.
        text: String,
        /// The unit given.
        unit: String,
    },
    /// A duration that does not reach into the future.
    #[error("{what} {text:?} is not in the future")]
    ExpiresNotFuture {
        /// The argument: `--expires` or `WHEN`.
        what: String,
        /// The value given.
        text: String,
    },
}

fn quoted(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    q.join(", ")
}

/// A step to add with [`Layout::add_step`], as given on the command line.
#[derive(Clone, Debug, Default)]
pub struct NewStep {
    /// Its name.
    pub name: String,
    /// Its functionaries: key ids, unique prefixes of 8+ digits, or
    /// subkey fingerprints of the layout's keys.
    pub functionaries: Vec<String>,
    /// Distinct functionaries required.
    pub threshold: i64,
    /// The expected command, split as a shell would.
    pub expected_command: Option<String>,
    /// Material rules, one string each.
    pub materials: Vec<String>,
    /// Product rules, one string each.
    pub products: Vec<String>,
}

/// What [`Layout::remove_key`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedKey {
    /// The full key id removed.
    pub keyid: String,
    /// The steps it was a functionary of (it is no longer).
    pub steps: Vec<String>,
}

/// An expiry time as the layout stores it, from [`expires_from`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expires {
    /// `YYYY-MM-DDTHH:MM:SSZ` as given, or computed.
    pub expires: String,
    /// A date that is not after `now`: the layout is expired already.
    pub in_the_past: bool,
}

impl Layout {
    /// Adds a step at the end. Its name must be new, its functionaries
    /// keys of the layout, its threshold within their number, and a MATCH
    /// rule may only name a step before it.
    pub fn add_step(&mut self, new: NewStep) -> Result<(), LayoutEditError> {
        self.check_new_name(&new.name)?;
        let pubkeys = new
            .functionaries
            .iter()
            .map(|f| self.resolve_key(f, &format!("--functionary {f}"), true))
            .collect::<Result<Vec<_>, _>>()?;
        if new.threshold < 1 || new.threshold as usize > pubkeys.len() {
            return Err(LayoutEditError::Threshold {
                threshold: new.threshold,
                functionaries: pubkeys.len(),
            });
        }
        let steps: Vec<String> = self.steps.iter().map(|s| s.name.clone()).collect();
        let step = Step {
            name: new.name,
            pubkeys,
            threshold: new.threshold,
            expected_command: match new.expected_command {
                Some(c) => shell_split(&c).ok_or(LayoutEditError::UnbalancedQuotes {
                    what: "--expected-command",
                })?,
                None => Vec::new(),
            },
            expected_materials: parse_rules(&new.materials, &steps, "material")?,
            expected_products: parse_rules(&new.products, &steps, "product")?,
            nulls: Nulls::default(),
        };
        self.steps.push(step);
        Ok(())
    }

    /// Adds an inspection at the end, running `run` (split as a shell
    /// would, never run through one); a MATCH rule may name any step or an
    /// inspection before it.
    pub fn add_inspection(
        &mut self,
        name: &str,
        run: &str,
        materials: &[String],
        products: &[String],
    ) -> Result<(), LayoutEditError> {
        self.check_new_name(name)?;
        let run = shell_split(run).ok_or(LayoutEditError::UnbalancedQuotes { what: "--run" })?;
        if run.is_empty() {
            return Err(LayoutEditError::NoCommand);
        }
        let items: Vec<String> = self
            .steps
            .iter()
            .map(|s| s.name.clone())
            .chain(self.inspect.iter().map(|i| i.name.clone()))
            .collect();
        let insp = Inspection {
            name: name.to_owned(),
            run,
            expected_materials: parse_rules(materials, &items, "material")?,
            expected_products: parse_rules(products, &items, "product")?,
            nulls: Nulls::default(),
        };
        self.inspect.push(insp);
        Ok(())
    }

    /// Removes step `name`, refused while a MATCH rule of another step or
    /// inspection takes artifacts from it.
    pub fn remove_step(&mut self, name: &str) -> Result<(), LayoutEditError> {
        let Some(i) = self.steps.iter().position(|s| s.name == name) else {
            return Err(self.no_such_item(name, "step", "remove"));
        };
        self.check_unreferenced(name, "step")?;
        self.steps.remove(i);
        Ok(())
    }

    /// Removes inspection `name`, refused while a MATCH rule of another
    /// inspection takes artifacts from it.
    pub fn remove_inspection(&mut self, name: &str) -> Result<(), LayoutEditError> {
        let Some(i) = self.inspect.iter().position(|s| s.name == name) else {
            return Err(self.no_such_item(name, "inspection", "remove"));
        };
        self.check_unreferenced(name, "inspection")?;
        self.inspect.remove(i);
        Ok(())
    }

    /// Removes the key `given` names ([`Layout::resolve_key`]) from the
    /// layout and from every step; all or nothing: refused when a step
    /// would be left with fewer keys than its threshold.
    pub fn remove_key(&mut self, given: &str) -> Result<RemovedKey, LayoutEditError> {
        let id = self.resolve_key(given, &format!("key {given}"), false)?;
        for step in &self.steps {
            let left = step.pubkeys.iter().filter(|k| **k != id).count();
            if left < step.pubkeys.len() && (left as i64) < step.threshold {
                return Err(LayoutEditError::BelowThreshold {
                    keyid: id,
                    step: step.name.clone(),
                    threshold: step.threshold,
                    left,
                });
            }
        }
        let mut steps = Vec::new();
        for step in &mut self.steps {
            let before = step.pubkeys.len();
            step.pubkeys.retain(|k| *k != id);
            if step.pubkeys.len() < before {
                steps.push(step.name.clone());
            }
        }
        self.keys.retain(|(k, _)| *k != id);
        Ok(RemovedKey { keyid: id, steps })
    }

    /// Sets the expiry from `when` ([`expires_from`], named `WHEN` in
    /// messages); a date in the past is taken and said so.
    pub fn set_expires(&mut self, when: &str, now: i64) -> Result<Expires, LayoutEditError> {
        let e = expires_from(when, now, "WHEN")?;
        self.expires = e.expires.clone();
        Ok(e)
    }

    /// Sets the readme.
    pub fn set_readme(&mut self, readme: String) {
        self.readme = readme;
    }

    /// Checks that `name` is a valid name no step or inspection has yet.
    pub fn check_new_name(&self, name: &str) -> Result<(), LayoutEditError> {
        check_item_name("name", name).map_err(LayoutEditError::BadName)?;
        if self.steps.iter().any(|s| s.name == name) || self.inspect.iter().any(|i| i.name == name)
        {
            return Err(LayoutEditError::NameTaken(name.to_owned()));
        }
        Ok(())
    }

    /// The full id of the layout's key that `given` names: a key id or a
    /// unique prefix of one (8+ hex digits, any case), or one of its
    /// subkeys' fingerprints. `what` names the argument in messages;
    /// `add_hint` points at `intoto layout add-key` when there is none.
    pub fn resolve_key(
        &self,
        given: &str,
        what: &str,
        add_hint: bool,
    ) -> Result<String, LayoutEditError> {
        let g = given.to_lowercase();
        let mut hits: Vec<&String> = self
            .keys
            .iter()
            .map(|(k, _)| k)
            .filter(|k| k.to_lowercase().starts_with(&g))
            .collect();
        // A subkey fingerprint names its primary key's entry.
        if hits.is_empty() {
            for (k, d) in &self.keys {
                if d.subkey_ids().iter().any(|s| s.eq_ignore_ascii_case(&g)) {
                    hits.push(k);
                }
            }
        }
        match hits.as_slice() {
            [one] if g.len() >= 8 => Ok((*one).clone()),
            [_] => Err(LayoutEditError::KeyIdTooShort { what: what.into() }),
            [] => Err(LayoutEditError::NoSuchKey {
                what: what.into(),
                keys: self
                    .keys
                    .iter()
                    .map(|(k, _)| k.chars().take(16).collect())
                    .collect(),
                add_hint,
            }),
            _ => Err(LayoutEditError::AmbiguousKey {
                what: what.into(),
                count: hits.len(),
            }),
        }
    }

    /// No step (or inspection) `name`: names what there is, and whether
    /// it is the other kind.
    pub(super) fn no_such_item(
        &self,
        name: &str,
        kind: &'static str,
        verb: &'static str,
    ) -> LayoutEditError {
        let (names, other): (Vec<String>, bool) = if kind == "step" {
            (
                self.steps.iter().map(|s| s.name.clone()).collect(),
                self.inspect.iter().any(|i| i.name == name),
            )
        } else {
            (
                self.inspect.iter().map(|i| i.name.clone()).collect(),
                self.steps.iter().any(|s| s.name == name),
            )
        };
        if other {
            return LayoutEditError::WrongKind {
                kind,
                name: name.to_owned(),
                verb,
            };
        }
        LayoutEditError::NoSuchItem {
            kind,
            name: name.to_owned(),
            names,
        }
    }

    /// Refuses to remove `name` while a MATCH rule of another step or
    /// inspection takes artifacts from it (the rule would silently stop
    /// matching).
    fn check_unreferenced(&self, name: &str, kind: &'static str) -> Result<(), LayoutEditError> {
        let items = self
            .steps
            .iter()
            .map(|s| (&s.name, &s.expected_materials, &s.expected_products))
            .chain(
                self.inspect
                    .iter()
                    .map(|i| (&i.name, &i.expected_materials, &i.expected_products)),
            );
        let users: Vec<String> = items
            .filter(|(n, ..)| n.as_str() != name)
            .filter(|(_, m, p)| {
                m.iter().chain(p.iter()).any(|r| {
                    matches!(r.rule(), Rule::Match { dest_name, .. } if dest_name.as_str() == name)
                })
            })
            .map(|(n, ..)| n.clone())
            .collect();
        if users.is_empty() {
            return Ok(());
        }
        Err(LayoutEditError::Referenced {
            kind,
            name: name.to_owned(),
            users,
        })
    }
}

/// Parses the rules given for one side (`material` or `product`); a MATCH
/// rule must name one of `known`.
pub fn parse_rules(
    texts: &[String],
    known: &[String],
    side: &'static str,
) -> Result<Vec<ArtifactRule>, LayoutEditError> {
    texts
        .iter()
        .map(|t| {
            let rule = ArtifactRule::from_str_rule(t).map_err(|error| LayoutEditError::Rule {
                side,
                text: t.clone(),
                error,
            })?;
            if let Rule::Match { dest_name, .. } = rule.rule()
                && !known.contains(dest_name)
            {
                return Err(LayoutEditError::UnknownMatchSource {
                    side,
                    text: t.clone(),
                    source_name: dest_name.clone(),
                    known: known.to_vec(),
                });
            }
            Ok(rule)
        })
        .collect()
}

/// An expiry from `YYYY-MM-DD`, the full format, or `N` followed by d, w,
/// m or y (`what` names the argument in messages). A date in the past is
/// taken ([`Expires::in_the_past`]); a duration must reach into the future.
pub fn expires_from(s: &str, now: i64, what: &str) -> Result<Expires, LayoutEditError> {
    let taken = |t: i64, expires: String| Expires {
        expires,
        in_the_past: t <= now,
    };
    if let Some(t) = parse_expires(s) {
        return Ok(taken(t, s.to_owned()));
    }
    if let Some(t) = parse_expires(&format!("{s}T00:00:00Z")) {
        return Ok(taken(t, format_expires(t)));
    }
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| LayoutEditError::BadExpires {
        what: what.into(),
        text: s.into(),
    })?;
    let t = match unit {
        "d" => now + n * 86400,
        "w" => now + n * 7 * 86400,
        "m" | "y" => {
            let months = if unit == "y" { n * 12 } else { n };
            add_months(now, months)
        }
        _ => {
            return Err(LayoutEditError::ExpiresUnit {
                what: what.into(),
                text: s.into(),
                unit: unit.into(),
            });
        }
    };
    if t <= now {
        return Err(LayoutEditError::ExpiresNotFuture {
            what: what.into(),
            text: s.into(),
        });
    }
    Ok(Expires {
        expires: format_expires(t),
        in_the_past: false,
    })
}

fn add_months(now: i64, months: i64) -> i64 {
    let s = format_expires(now);
    let y: i64 = s[0..4].parse().unwrap_or(1970);
    let m: i64 = s[5..7].parse().unwrap_or(1);
    let d: i64 = s[8..10].parse().unwrap_or(1);
    let total = y * 12 + (m - 1) + months;
    let (ny, nm) = (total / 12, total % 12 + 1);
    let mut day = d;
    loop {
        let cand = format!("{ny:04}-{nm:02}-{day:02}{}", &s[10..]);
        if let Some(t) = parse_expires(&cand) {
            return t;
        }
        day -= 1;
        if day < 28 {
            return now + months * 30 * 86400;
        }
    }
}
