//! The verification pipeline of one (sub)layout: [`verify_layout`] and
//! [`verify_signed_layout`] run the stages in the reference's order. The
//! stages live by group in the files beside this one; step and inspection
//! rules, which are one call each, are applied here.
// A failure carries everything a report needs; it is built once, on the
// cold path, so its size does not matter.
#![allow(clippy::result_large_err)]

mod inspections;
mod layout;
mod links;
mod signatures;
mod summary;
mod threshold;

use crate::observe::Observer;
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;

use rayon::prelude::*;

/// Per step (in layout order): the verified links, by key id.
pub(super) type StepLinks<T> = Vec<(String, Vec<(String, T)>)>;

use super::sublayouts::DirId;
use super::{Failure, FailureKind, ItemReport, LayoutKey, LinkSource, Stage, Trace, VerifyOptions};
use crate::models::rule::ArtifactRule;
use crate::models::{Envelope, Link, Signed, Step};
use crate::rules::{ItemKind, RuleFailure, Side, apply_rules};
use inspections::inspections;
use layout::expiry;
pub use layout::{is_param_name, placeholders, substitute};
use links::{link_signatures, load_links};
pub(super) use signatures::layout_signatures;
use summary::summary;
use threshold::{command_alignment, threshold_artifacts};

/// Where in the layout tree a (sub)layout is verified.
pub(super) struct Level<'a> {
    /// Where its links come from.
    pub source: &'a dyn LinkSource,
    /// The name its summary link gets (the step it stands for).
    pub summary_name: &'a str,
    /// 0 for the root layout.
    pub depth: usize,
    /// The link directories entered on the way here, this one's included.
    pub entered: &'a [DirId],
    /// Sublayout verifications left for the whole verification.
    pub budget: &'a Cell<usize>,
}

impl<'a> Level<'a> {
    /// The root layout's level, its links in `link_dir`.
    pub fn root(source: &'a dyn LinkSource, entered: &'a [DirId], budget: &'a Cell<usize>) -> Self {
        Level {
            source,
            summary_name: "",
            depth: 0,
            entered,
            budget,
        }
    }
}

pub(super) fn verify_layout(
    env: &Envelope,
    keys: &[LayoutKey],
    opts: &VerifyOptions,
    level: Level,
    log: &mut dyn Observer,
    mut trace: Option<&mut Trace>,
) -> Result<Link, Failure> {
    log.info("Verifying layout signatures...");
    let signers = layout_signatures(env, keys, opts.signatures)?;
    if let Some(t) = trace.as_deref_mut() {
        t.signers = signers;
    }
    verify_signed_layout(env, opts, level, log, trace)
}

/// Stages 2 to 11, for a layout whose signatures were checked.
pub(super) fn verify_signed_layout(
    env: &Envelope,
    opts: &VerifyOptions,
    level: Level,
    log: &mut dyn Observer,
    mut trace: Option<&mut Trace>,
) -> Result<Link, Failure> {
    let Level {
        source,
        summary_name,
        depth,
        ..
    } = level;
    let Signed::Layout(layout) = env.signed() else {
        return Err(Failure::new(
            Stage::LayoutFormat,
            FailureKind::NotALayout,
            "the file given as layout is a link, not a layout",
        ));
    };
    log.info("Verifying layout expiration...");
    expiry(layout, opts.policy.time())?;
    if opts.params.is_none() {
        let names = placeholders(layout);
        if !names.is_empty() {
            let braced: Vec<String> = names.iter().map(|n| format!("{{{n}}}")).collect();
            let give: Vec<String> = names.iter().map(|n| format!("--param {n}=VALUE")).collect();
            log.warn(&format!(
                "{} uses {} in its rules or commands, left as written without --param: give {}",
                if depth == 0 {
                    "the layout".to_owned()
                } else {
                    format!("the sublayout for step '{summary_name}'")
                },
                braced.join(", "),
                give.join(" ")
            ));
        }
    }
    let layout = match &opts.params {
        Some(params) => {
            log.info("Substituting parameters...");
            let mut layout = layout.clone();
            substitute(&mut layout, params)?;
            Cow::Owned(layout)
        }
        None => Cow::Borrowed(layout),
    };
    log.info("Reading link metadata files...");
    let loaded = load_links(&layout, &layout.keys, source, &opts.policy)?;
    log.info("Verifying link metadata signatures...");
    let verified = link_signatures(&layout, loaded, log, trace.as_deref_mut())?;
    log.info("Verifying sublayouts...");
    let chain = super::sublayouts::verify(verified, opts, &level, log)?;
    log.info("Verifying alignment of reported commands...");
    command_alignment(&layout, &chain, log);
    log.info("Verifying threshold constraints...");
    threshold_artifacts(&layout, &chain)?;
    let mut links: HashMap<&str, &Link> = HashMap::new();
    for (step, entries) in &chain {
        if let Some((_, link)) = entries.first() {
            links.insert(step.as_str(), link);
        }
    }
    log.info("Verifying step rules...");
    let tasks: Vec<(&Step, Side, &Vec<ArtifactRule>)> = layout
        .steps
        .iter()
        .flat_map(|s| {
            [
                (s, Side::Materials, &s.expected_materials),
                (s, Side::Products, &s.expected_products),
            ]
        })
        .collect();
    // Independent checks, run in parallel; the first failure in layout
    // order is reported, as if they had run one after another.
    let results: Vec<Result<(), RuleFailure>> = tasks
        .par_iter()
        .map(|(s, side, rules)| apply_rules(ItemKind::Step, &s.name, *side, rules, &links))
        .collect();
    for ((s, ..), r) in tasks.iter().zip(results) {
        r.map_err(|rf| {
            let msg = rf.to_string();
            Failure::new(Stage::StepRules, FailureKind::RuleFailed { rule: rf }, msg).step(&s.name)
        })?;
    }
    if !layout.inspect.is_empty() {
        if depth > 0 && !opts.allow_sublayout_inspections {
            let names: Vec<&str> = layout.inspect.iter().map(|i| i.name.as_str()).collect();
            return Err(Failure::new(
                Stage::Inspections,
                FailureKind::SublayoutInspections {
                    inspections: names.iter().map(|n| n.to_string()).collect(),
                },
                format!(
                    "the sublayout defines inspections ({}), commands chosen by a functionary rather than the layout owner; \
                     they run only with --allow-sublayout-inspections",
                    names.join(", ")
                ),
            ));
        }
        log.info("Executing inspection commands...");
    }
    let inspection_links = inspections(&layout, opts, log)?;
    if let Some(t) = trace {
        t.steps.extend(layout.inspect.iter().map(|i| ItemReport {
            name: i.name.clone(),
            kind: "inspection",
            links: Vec::new(),
            skipped: Vec::new(),
        }));
    }
    for (name, link) in &inspection_links {
        links.insert(name.as_str(), link);
    }
    log.info("Verifying inspection rules...");
    for insp in &layout.inspect {
        for (side, rules) in [
            (Side::Materials, &insp.expected_materials),
            (Side::Products, &insp.expected_products),
        ] {
            apply_rules(ItemKind::Inspection, &insp.name, side, rules, &links).map_err(|rf| {
                let msg = rf.to_string();
                Failure::new(
                    Stage::InspectionRules,
                    FailureKind::RuleFailed { rule: rf },
                    msg,
                )
                .inspection(&insp.name)
            })?;
        }
    }
    Ok(summary(&layout, &links, summary_name))
}
