//! Changing a layout in place: `intoto layout replace-key`, `set-step`
//! and `set-inspection`. Each change keeps the order of keys, steps and
//! inspections, and the rules of other items that name the one changed;
//! it is checked as a whole before anything changes (an error leaves the
//! layout as it was).

use super::Layout;
use super::edit::{LayoutEditError, parse_rules};
use crate::models::KeyDict;
use crate::models::rule::{ArtifactRule, shell_split};

/// What [`Layout::replace_key`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplacedKey {
    /// The full id of the key replaced.
    pub old: String,
    /// The id of the key in its place.
    pub new: String,
    /// The steps whose functionary it was (now the new key).
    pub steps: Vec<String>,
}

/// How a list changes: given values replace it, or are added after it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ListChange {
    /// Left as it is.
    #[default]
    Keep,
    /// Replaced by these (may be empty: cleared).
    Replace(Vec<String>),
    /// These added at the end.
    Append(Vec<String>),
}

impl ListChange {
    /// `clear`: the list replaced by `values`, whatever `append` says;
    /// else `values` replacing the list, or (`append`) added to it, and
    /// no values keep it.
    pub fn from_flags(values: Vec<String>, append: bool, clear: bool) -> ListChange {
        if clear {
            ListChange::Replace(values)
        } else if values.is_empty() {
            ListChange::Keep
        } else if append {
            ListChange::Append(values)
        } else {
            ListChange::Replace(values)
        }
    }
}

/// Changes to one step ([`Layout::set_step`]); what is not given stays.
#[derive(Clone, Debug, Default)]
pub struct StepChange {
    /// Functionaries, named as for [`Layout::add_step`].
    pub functionaries: ListChange,
    /// Distinct functionaries required.
    pub threshold: Option<i64>,
    /// The expected command, split as a shell would (empty: none).
    pub expected_command: Option<String>,
    /// Material rules, one string each.
    pub materials: ListChange,
    /// Product rules, one string each.
    pub products: ListChange,
}

/// Changes to one inspection ([`Layout::set_inspection`]).
#[derive(Clone, Debug, Default)]
pub struct InspectionChange {
    /// The command, split as a shell would (never empty).
    pub run: Option<String>,
    /// Material rules, one string each.
    pub materials: ListChange,
    /// Product rules, one string each.
    pub products: ListChange,
}

impl Layout {
    /// Puts `new` in the place of the key `old` names
    /// ([`Layout::resolve_key`]): in the key list and in every step it is
    /// a functionary of, at the same positions, thresholds kept. `new`
    /// may be the same key (its id) with new subkeys or expiry; another
    /// key the layout holds already is refused.
    pub fn replace_key(&mut self, old: &str, new: KeyDict) -> Result<ReplacedKey, LayoutEditError> {
        let old_id = self.resolve_key(old, &format!("key {old}"), false)?;
        let new_id = new.keyid().to_owned();
        if new_id != old_id && self.keys.iter().any(|(k, _)| *k == new_id) {
            return Err(LayoutEditError::KeyPresent { keyid: new_id });
        }
        let mut steps = Vec::new();
        for step in &mut self.steps {
            let mut named = false;
            for k in step.pubkeys.iter_mut().filter(|k| **k == old_id) {
                k.clone_from(&new_id);
                named = true;
            }
            if named {
                steps.push(step.name.clone());
            }
        }
        if let Some(entry) = self.keys.iter_mut().find(|(k, _)| *k == old_id) {
            *entry = (new_id.clone(), new);
        }
        Ok(ReplacedKey {
            old: old_id,
            new: new_id,
            steps,
        })
    }

    /// Changes step `name` in place: its functionaries (each a key of the
    /// layout; a key named twice counts once), threshold, expected command
    /// and rules (a MATCH rule may name any step). Its position and name
    /// stay, so the rules of other items that name it still do.
    pub fn set_step(&mut self, name: &str, change: StepChange) -> Result<(), LayoutEditError> {
        let Some(i) = self.steps.iter().position(|s| s.name == name) else {
            return Err(self.no_such_item(name, "step", "set"));
        };
        let known: Vec<String> = self.steps.iter().map(|s| s.name.clone()).collect();
        let step = &self.steps[i];
        let resolve = |fs: &[String]| -> Result<Vec<String>, LayoutEditError> {
            fs.iter()
                .map(|f| self.resolve_key(f, &format!("--functionary {f}"), true))
                .collect()
        };
        let mut pubkeys = match &change.functionaries {
            ListChange::Keep => step.pubkeys.clone(),
            ListChange::Replace(fs) => resolve(fs)?,
            ListChange::Append(fs) => [step.pubkeys.clone(), resolve(fs)?].concat(),
        };
        let mut seen = std::collections::HashSet::new();
        pubkeys.retain(|k| seen.insert(k.clone()));
        let threshold = change.threshold.unwrap_or(step.threshold);
        if threshold < 1 || threshold as usize > pubkeys.len() {
            return Err(match change.threshold {
                Some(_) => LayoutEditError::Threshold {
                    threshold,
                    functionaries: pubkeys.len(),
                },
                None => LayoutEditError::KeptThreshold {
                    step: name.to_owned(),
                    threshold,
                    functionaries: pubkeys.len(),
                },
            });
        }
        let expected_command = match &change.expected_command {
            Some(c) => Some(shell_split(c).ok_or(LayoutEditError::UnbalancedQuotes {
                what: "--expected-command",
            })?),
            None => None,
        };
        let materials = changed_rules(
            &step.expected_materials,
            &change.materials,
            &known,
            "material",
        )?;
        let products = changed_rules(&step.expected_products, &change.products, &known, "product")?;
        let step = &mut self.steps[i];
        step.pubkeys = pubkeys;
        step.threshold = threshold;
        if let Some(c) = expected_command {
            step.expected_command = c;
        }
        step.expected_materials = materials;
        step.expected_products = products;
        Ok(())
    }

    /// Changes inspection `name` in place: its command and rules (a MATCH
    /// rule may name any step, or an inspection before this one).
    pub fn set_inspection(
        &mut self,
        name: &str,
        change: InspectionChange,
    ) -> Result<(), LayoutEditError> {
        let Some(i) = self.inspect.iter().position(|s| s.name == name) else {
            return Err(self.no_such_item(name, "inspection", "set"));
        };
        let known: Vec<String> = self
            .steps
            .iter()
            .map(|s| s.name.clone())
            .chain(self.inspect[..i].iter().map(|s| s.name.clone()))
            .collect();
        let insp = &self.inspect[i];
        let run = match &change.run {
            Some(r) => {
                let run =
                    shell_split(r).ok_or(LayoutEditError::UnbalancedQuotes { what: "--run" })?;
                if run.is_empty() {
                    return Err(LayoutEditError::NoCommand);
                }
                Some(run)
            }
            None => None,
        };
        let materials = changed_rules(
            &insp.expected_materials,
            &change.materials,
            &known,
            "material",
        )?;
        let products = changed_rules(&insp.expected_products, &change.products, &known, "product")?;
        let insp = &mut self.inspect[i];
        if let Some(r) = run {
            insp.run = r;
        }
        insp.expected_materials = materials;
        insp.expected_products = products;
        Ok(())
    }
}

/// One side's rules after `change`; new rules are parsed and checked
/// against `known` (rules kept are not checked again).
fn changed_rules(
    old: &[ArtifactRule],
    change: &ListChange,
    known: &[String],
    side: &'static str,
) -> Result<Vec<ArtifactRule>, LayoutEditError> {
    Ok(match change {
        ListChange::Keep => old.to_vec(),
        ListChange::Replace(r) => parse_rules(r, known, side)?,
        ListChange::Append(r) => [old.to_vec(), parse_rules(r, known, side)?].concat(),
    })
}

#[cfg(test)]
mod tests;
