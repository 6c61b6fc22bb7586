//! Stages 7 and 8, across a step's links: the recorded command against
//! the expected one (a warning), and, for thresholds above one, the same
//! artifacts in every link.

use super::StepLinks;
use crate::models::{Layout, Link, link_filename};
use crate::observe::Observer;
use crate::verify::{Failure, FailureKind, Stage};

/// Stage 7: the recorded command should be the expected one (a warning).
pub(super) fn command_alignment(layout: &Layout, chain: &StepLinks<Link>, log: &mut dyn Observer) {
    for (step, (_, links)) in layout.steps.iter().zip(chain) {
        for (keyid, link) in links {
            if link.command != step.expected_command {
                log.warn(&format!(
                    "step '{}': {} ran {:?}, the layout expects {:?}",
                    step.name,
                    link_filename(&step.name, keyid),
                    link.command.join(" "),
                    step.expected_command.join(" ")
                ));
            }
        }
    }
}

/// Stage 8: with a threshold above one, every link must report the same
/// artifacts, with matching digests ([`crate::models::HashDict::matches`]:
/// a rebuilder's `{sha256, sha512}` agrees with another's `{sha256}`).
pub(super) fn threshold_artifacts(layout: &Layout, chain: &StepLinks<Link>) -> Result<(), Failure> {
    for (step, (_, links)) in layout.steps.iter().zip(chain) {
        if step.threshold <= 1 {
            continue;
        }
        if (links.len() as i64) < step.threshold {
            return Err(Failure::new(
                Stage::ThresholdArtifacts,
                FailureKind::NotEnoughFunctionaries,
                format!(
                    "step '{}' was not performed by enough functionaries",
                    step.name
                ),
            )
            .step(&step.name));
        }
        let (first_id, first) = &links[0];
        for (id, l) in &links[1..] {
            if !l.materials.matches(&first.materials) || !l.products.matches(&first.products) {
                return Err(Failure::new(
                    Stage::ThresholdArtifacts,
                    FailureKind::ThresholdDisagreement {
                        first: link_filename(&step.name, first_id),
                        other: link_filename(&step.name, id),
                    },
                    format!(
                        "step '{}': links {} and {} report different artifacts{}",
                        step.name,
                        link_filename(&step.name, first_id),
                        link_filename(&step.name, id),
                        first_difference(first, l)
                            .map(|d| format!(" ({d})"))
                            .unwrap_or_default()
                    ),
                )
                .step(&step.name));
            }
        }
    }
    Ok(())
}

fn first_difference(a: &Link, b: &Link) -> Option<String> {
    for (side, x, y) in [
        ("material", &a.materials, &b.materials),
        ("product", &a.products, &b.products),
    ] {
        for (p, d) in x.iter() {
            match y.get(p) {
                None => return Some(format!("{side} '{p}' is only in the first")),
                Some(e) if !e.matches(d) => return Some(format!("{side} '{p}' differs")),
                _ => {}
            }
        }
        if let Some(p) = y.keys().find(|p| !x.contains_key(p)) {
            return Some(format!("{side} '{p}' is only in the second"));
        }
    }
    None
}
