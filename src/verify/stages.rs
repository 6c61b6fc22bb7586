//! The verification stages, one function each.
// A failure carries everything a report needs; it is built once, on the
// cold path, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Per step (in layout order): the verified links, by key id.
pub(super) type StepLinks<T> = Vec<(String, Vec<(String, T)>)>;

use super::sublayouts::DirId;
use super::{
    CountedLink, Failure, ItemReport, LayoutKey, Log, SkippedLink, Stage, Trace, VerifyOptions,
};
use crate::fsio::{self, LoadError};
use crate::keys::{KeyDict, VerifyError, verify_envelope};
use crate::models::{Envelope, Layout, Link, Signed, Step, link_filename, parse_expires};
use crate::policy::Policy;
use crate::record::RecordOptions;
use crate::rules::{ArtifactRule, ItemKind, RuleFailure, Side, apply_rules};
use crate::runner::{RunError, RunOptions};
use crate::step::{self, StepError, StepSpec};

/// Where in the layout tree a (sub)layout is verified.
pub(super) struct Level<'a> {
    /// Its links' directory.
    pub link_dir: &'a Path,
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
    pub fn root(link_dir: &'a Path, entered: &'a [DirId], budget: &'a Cell<usize>) -> Self {
        Level {
            link_dir,
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
    log: &mut dyn Log,
    mut trace: Option<&mut Trace>,
) -> Result<Link, Failure> {
    log.info("Verifying layout signatures...");
    let signers = super::signatures::layout_signatures(env, keys, opts.signatures)?;
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
    log: &mut dyn Log,
    mut trace: Option<&mut Trace>,
) -> Result<Link, Failure> {
    let Level {
        link_dir,
        summary_name,
        depth,
        ..
    } = level;
    let Signed::Layout(layout) = env.signed() else {
        return Err(Failure::new(
            Stage::LayoutFormat,
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
    let loaded = load_links(&layout, &layout.keys, link_dir, &opts.policy)?;
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
            let mut f = Failure::new(Stage::StepRules, rf.to_string()).step(&s.name);
            f.rule = Some(rf);
            f
        })?;
    }
    if !layout.inspect.is_empty() {
        if depth > 0 && !opts.allow_sublayout_inspections {
            let names: Vec<&str> = layout.inspect.iter().map(|i| i.name.as_str()).collect();
            return Err(Failure::new(
                Stage::Inspections,
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
                let mut f =
                    Failure::new(Stage::InspectionRules, rf.to_string()).inspection(&insp.name);
                f.rule = Some(rf);
                f
            })?;
        }
    }
    Ok(summary(&layout, &links, summary_name))
}

/// Stage 2: `expires` must be in the future.
fn expiry(layout: &Layout, now: i64) -> Result<(), Failure> {
    let exp = parse_expires(&layout.expires).ok_or_else(|| {
        Failure::new(
            Stage::LayoutExpiry,
            format!("malformed expiry date {:?}", layout.expires),
        )
    })?;
    if exp <= now {
        return Err(Failure::new(
            Stage::LayoutExpiry,
            format!("the layout expired on {}", layout.expires),
        ));
    }
    Ok(())
}

/// Whether `name` can be a substitution parameter: `[a-zA-Z0-9_-]+`.
pub fn is_param_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Stage 3: replaces `{NAME}` in rules, expected commands and inspection
/// commands (Python `str.format` with plain names; `{{` and `}}` are
/// literal braces).
pub fn substitute(layout: &mut Layout, params: &BTreeMap<String, String>) -> Result<(), Failure> {
    for k in params.keys() {
        if !is_param_name(k) {
            return Err(Failure::new(
                Stage::Substitution,
                format!("parameter name {k:?} must match [a-zA-Z0-9_-]+"),
            ));
        }
    }
    let sub = |where_: &str, s: &mut String| -> Result<(), Failure> {
        *s = format_str(s, params)
            .map_err(|e| Failure::new(Stage::Substitution, format!("{where_}: {e}")))?;
        Ok(())
    };
    // Placeholders stand inside tokens; the rule is parsed again after.
    let sub_rule = |where_: &str, rule: &ArtifactRule| -> Result<ArtifactRule, Failure> {
        let mut tokens = rule.tokens().to_vec();
        for t in &mut tokens {
            sub(where_, t)?;
        }
        ArtifactRule::new(tokens)
            .map_err(|e| Failure::new(Stage::Substitution, format!("{where_}: {e}")))
    };
    for step in &mut layout.steps {
        let w = format!("step '{}'", step.name);
        for rule in step
            .expected_materials
            .iter_mut()
            .chain(step.expected_products.iter_mut())
        {
            *rule = sub_rule(&w, rule)?;
        }
        for t in &mut step.expected_command {
            sub(&w, t)?;
        }
    }
    for insp in &mut layout.inspect {
        let w = format!("inspection '{}'", insp.name);
        for rule in insp
            .expected_materials
            .iter_mut()
            .chain(insp.expected_products.iter_mut())
        {
            *rule = sub_rule(&w, rule)?;
        }
        for t in &mut insp.run {
            sub(&w, t)?;
        }
    }
    Ok(())
}

/// The `{NAME}` placeholders a layout's rules, expected commands and
/// inspection commands use (sorted, once each); `{{` and `}}` are literal
/// braces, and text in braces that cannot be a parameter name is not one.
pub fn placeholders(layout: &Layout) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    let mut scan = |s: &str| {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                }
                '{' => {
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    if is_param_name(&name) {
                        names.insert(name);
                    }
                }
                _ => {}
            }
        }
    };
    for step in &layout.steps {
        step.expected_materials
            .iter()
            .chain(&step.expected_products)
            .flat_map(|r| r.tokens())
            .chain(&step.expected_command)
            .for_each(|t| scan(t));
    }
    for insp in &layout.inspect {
        insp.expected_materials
            .iter()
            .chain(&insp.expected_products)
            .flat_map(|r| r.tokens())
            .chain(&insp.run)
            .for_each(|t| scan(t));
    }
    names.into_iter().collect()
}

fn format_str(s: &str, params: &BTreeMap<String, String>) -> Result<String, String> {
    if !s.contains(['{', '}']) {
        return Ok(s.to_owned());
    }
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '}' => {
                return Err(format!(
                    "single '}}' in {s:?} (write '}}}}' for a literal brace)"
                ));
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(format!("unclosed '{{' in {s:?}")),
                    }
                }
                let value = params.get(&name).ok_or_else(|| {
                    format!("{{{name}}} in {s:?} has no value (give it with --param {name}=VALUE)")
                })?;
                out.push_str(value);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

fn find_key<'a>(dicts: &'a [(String, KeyDict)], id: &str) -> Option<&'a KeyDict> {
    dicts.iter().find(|(k, _)| k == id).map(|(_, d)| d)
}

struct Loaded<'k> {
    keyid: String,
    file: String,
    env: Envelope,
    /// The layout key that checks this link (None: not authorized).
    key: Option<&'k KeyDict>,
    /// The signature check, done while loading (in parallel).
    checked: Result<(), VerifyError>,
}

/// Which layout key checks a link stored under `keyid` for `step`, by the
/// reference's rules: the key itself, the main key of an authorized
/// subkey, or an authorized key that has `keyid` as a subkey.
fn choose_key<'k>(
    step: &Step,
    keyid: &str,
    dicts: &'k [(String, KeyDict)],
    main_of_subkey: &HashMap<&str, &'k KeyDict>,
) -> Option<&'k KeyDict> {
    step.pubkeys.iter().find_map(|auth| {
        let direct = find_key(dicts, auth);
        let main = main_of_subkey.get(auth.as_str()).copied();
        if direct.is_some() && keyid == auth {
            direct
        } else if main.is_some() && keyid == auth {
            main
        } else if direct.is_some_and(|k| k.subkey_ids().contains(&keyid)) {
            direct
        } else {
            None
        }
    })
}

/// Stage 4: reads `<step>.<keyid8>.link` for each authorized key and
/// each of its subkeys; fewer files than the threshold fail here.
fn load_links<'k>(
    layout: &Layout,
    dicts: &'k [(String, KeyDict)],
    link_dir: &Path,
    policy: &Policy,
) -> Result<Vec<(String, Vec<Loaded<'k>>)>, Failure> {
    let main_of_subkey: HashMap<&str, &KeyDict> = dicts
        .iter()
        .flat_map(|(_, k)| k.subkey_ids().into_iter().map(move |s| (s, k)))
        .collect();
    let mut wanted: Vec<(usize, String, PathBuf, String)> = Vec::new();
    for (si, step) in layout.steps.iter().enumerate() {
        let mut ids: Vec<String> = Vec::new();
        for authorized in &step.pubkeys {
            let subs = find_key(dicts, authorized)
                .map(|k| k.subkey_ids())
                .unwrap_or_default();
            for id in std::iter::once(authorized.as_str()).chain(subs) {
                if !ids.iter().any(|x| x == id) {
                    ids.push(id.to_owned());
                }
            }
        }
        for id in ids {
            let file = link_filename(&step.name, &id);
            wanted.push((si, id, link_dir.join(&file), file));
        }
    }
    let results: Vec<Result<Option<Loaded>, LoadError>> = wanted
        .par_iter()
        .map(|(si, id, path, file)| match fsio::load_metadata(path) {
            Ok(env) => {
                let key = choose_key(&layout.steps[*si], id, dicts, &main_of_subkey);
                let checked = match key {
                    Some(k) => verify_envelope(&env, crate::keys::verifier(k, policy).as_ref()),
                    None => Ok(()),
                };
                Ok(Some(Loaded {
                    keyid: id.clone(),
                    file: file.clone(),
                    env,
                    key,
                    checked,
                }))
            }
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        })
        .collect();
    let mut out: Vec<(String, Vec<Loaded>)> = layout
        .steps
        .iter()
        .map(|s| (s.name.clone(), Vec::new()))
        .collect();
    for ((si, ..), r) in wanted.iter().zip(results) {
        match r {
            Ok(Some(l)) => out[*si].1.push(l),
            Ok(None) => {}
            Err(e) => {
                let step = &layout.steps[*si].name;
                return Err(
                    Failure::new(Stage::LinkLoading, format!("step '{step}': {e}"))
                        .step(step)
                        .file(error_path(&e)),
                );
            }
        }
    }
    for (step, (_, found)) in layout.steps.iter().zip(&out) {
        if (found.len() as i64) < step.threshold {
            let looked: Vec<String> = wanted
                .iter()
                .filter(|(si, ..)| layout.steps[*si].name == step.name)
                .map(|(.., f)| f.clone())
                .collect();
            let msg = format!(
                "step '{}' needs {} link file{}, found {} in {} (looked for {})",
                step.name,
                step.threshold,
                if step.threshold == 1 { "" } else { "s" },
                found.len(),
                link_dir.display(),
                if looked.is_empty() {
                    "nothing: the step names no keys".to_owned()
                } else {
                    looked.join(", ")
                }
            );
            return Err(Failure::new(Stage::LinkLoading, msg).step(&step.name));
        }
    }
    Ok(out)
}

fn error_path(e: &LoadError) -> String {
    match e {
        LoadError::NotFound(p)
        | LoadError::NotRegular(p)
        | LoadError::TooLarge(p)
        | LoadError::Io(p, _)
        | LoadError::Malformed(p, _) => p.display().to_string(),
    }
}

/// Stage 5: keeps links signed by an authorized key (skipping bad ones,
/// as the reference does) and requires `threshold` distinct keys.
fn link_signatures<'k>(
    layout: &Layout,
    loaded: Vec<(String, Vec<Loaded<'k>>)>,
    log: &mut dyn Log,
    mut trace: Option<&mut Trace>,
) -> Result<StepLinks<(&'k KeyDict, Envelope)>, Failure> {
    let mut out = Vec::new();
    for (step, (name, links)) in layout.steps.iter().zip(loaded) {
        let mut used: Vec<&str> = Vec::new();
        let mut kept = Vec::new();
        let mut skipped = Vec::new();
        let mut counted = Vec::new();
        for l in links {
            let Some(k) = l.key else {
                let reason = format!("key {} is not authorized for step '{}'", l.keyid, step.name);
                log.info(&format!("Skipping link {}: {reason}", l.file));
                skipped.push(SkippedLink {
                    file: l.file,
                    reason,
                });
                continue;
            };
            if let Err(e) = &l.checked {
                let reason = e.to_string();
                log.info(&format!("Skipping link {}: {reason}", l.file));
                skipped.push(SkippedLink {
                    file: l.file,
                    reason,
                });
                continue;
            }
            let material = k.material_id();
            if used.contains(&material) {
                log.warn(&format!(
                    "step '{}': links {} and another are signed by the same key {} (or its subkeys); it counts once",
                    step.name,
                    l.file,
                    k.keyid()
                ));
            } else {
                used.push(material);
            }
            if let Signed::Link(link) = l.env.signed()
                && link.name != step.name
            {
                log.warn(&format!(
                    "link {} reports name '{}' but is used for step '{}'",
                    l.file, link.name, step.name
                ));
            }
            counted.push(CountedLink {
                file: l.file.clone(),
                signer: k.keyid().to_owned(),
            });
            kept.push((l.keyid, (k, l.env)));
        }
        if let Some(t) = trace.as_deref_mut() {
            t.steps.push(ItemReport {
                name: step.name.clone(),
                kind: "step",
                links: std::mem::take(&mut counted),
                skipped: skipped.clone(),
            });
        }
        if (used.len() as i64) < step.threshold {
            let detail = if skipped.is_empty() {
                String::new()
            } else {
                let parts: Vec<String> = skipped
                    .iter()
                    .map(|s| format!("{}: {}", s.file, s.reason))
                    .collect();
                format!(" ({})", parts.join("; "))
            };
            let mut f = Failure::new(
                Stage::LinkSignatures,
                format!(
                    "step '{}' needs {} link{} validly signed by distinct authorized functionaries, found {}{detail}",
                    step.name,
                    step.threshold,
                    if step.threshold == 1 { "" } else { "s" },
                    used.len()
                ),
            )
            .step(&step.name);
            f.skipped_links = skipped;
            return Err(f);
        }
        out.push((name, kept));
    }
    Ok(out)
}

/// Stage 7: the recorded command should be the expected one (a warning).
fn command_alignment(layout: &Layout, chain: &StepLinks<Link>, log: &mut dyn Log) {
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
fn threshold_artifacts(layout: &Layout, chain: &StepLinks<Link>) -> Result<(), Failure> {
    for (step, (_, links)) in layout.steps.iter().zip(chain) {
        if step.threshold <= 1 {
            continue;
        }
        if (links.len() as i64) < step.threshold {
            return Err(Failure::new(
                Stage::ThresholdArtifacts,
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

/// Stage 10: runs each inspection in the working directory, recording
/// it before and after (everything except link files).
fn inspections(
    layout: &Layout,
    opts: &VerifyOptions,
    log: &mut dyn Log,
) -> Result<Vec<(String, Link)>, Failure> {
    let mut out = Vec::new();
    let rec_opts = RecordOptions {
        exclude_patterns: vec!["*.link*".into()],
        base_path: Some(opts.work_dir.clone()),
        lstrip_paths: Vec::new(),
    };
    for insp in &layout.inspect {
        let fail = |m: String| {
            Failure::new(
                Stage::Inspections,
                format!("inspection '{}': {m}", insp.name),
            )
            .inspection(&insp.name)
        };
        if insp.run.is_empty() {
            return Err(fail("has no command to run (\"run\" is empty)".into()));
        }
        if let Some(artifacts) = &opts.inspection_artifacts {
            if !super::is_true_command(&insp.run) {
                return Err(fail(format!(
                    "runs '{}', which cannot be judged from recorded digests (only an inspection whose command is `true` can)",
                    insp.run.join(" ")
                )));
            }
            log.info(&format!(
                "Inspection '{}' runs `true`: its materials and products are the given artifacts",
                insp.name
            ));
            out.push((
                insp.name.clone(),
                Link {
                    name: insp.name.clone(),
                    command: insp.run.clone(),
                    materials: artifacts.clone(),
                    products: artifacts.clone(),
                    byproducts: Link::byproducts_of("", "", 0),
                    ..Default::default()
                },
            ));
            continue;
        }
        log.info(&format!(
            "Running inspection '{}': {}",
            insp.name,
            insp.run.join(" ")
        ));
        let spec = StepSpec {
            name: insp.name.clone(),
            materials: vec![".".into()],
            command: insp.run.clone(),
            products: vec![".".into()],
            record: rec_opts.clone(),
            run: RunOptions {
                record_streams: false,
                timeout: opts.inspection_timeout,
                quiet: true,
                cwd: Some(opts.work_dir.clone()),
                // Not recorded (as the reference), but shown when it fails.
                keep_stderr_tail: true,
            },
        };
        let mut watch = InspectionWatch {
            log: &mut *log,
            name: &insp.name,
            stderr_tail: String::new(),
        };
        let performed = step::perform(&spec, &mut watch);
        let stderr_tail = last_lines(&watch.stderr_tail, super::STDERR_TAIL_LINES);
        let link = performed.map_err(|e| match e {
            StepError::Run(RunError::NotFound(c)) => fail(format!("command '{c}' not found")),
            other => fail(other.to_string()),
        })?;
        let return_value = link.return_value().unwrap_or(0);
        if return_value != 0 {
            let mut f = fail(format!(
                "command '{}' exited with {return_value}",
                insp.run.join(" "),
            ));
            f.stderr_tail = stderr_tail;
            return Err(f);
        }
        if opts.write_inspection_links {
            let path = opts.work_dir.join(format!("{}.link", insp.name));
            let bytes = Envelope::new(Signed::Link(link.clone()), false)
                .and_then(|env| env.to_file_bytes())
                .map_err(|e| fail(format!("writing {}: {e}", path.display())))?;
            fsio::replace_atomic(&path, &bytes)
                .map_err(|e| fail(format!("writing {}: {e}", path.display())))?;
        }
        out.push((insp.name.clone(), link));
    }
    Ok(out)
}

/// What an inspection tells: progress of its recordings (to the log) and
/// the end of its stderr.
struct InspectionWatch<'a> {
    log: &'a mut dyn Log,
    name: &'a str,
    stderr_tail: String,
}

impl step::Watch for InspectionWatch<'_> {
    fn recording(
        &mut self,
        what: &str,
        _paths: &[String],
    ) -> Option<std::sync::Arc<crate::record::Progress>> {
        self.log
            .recording(&format!("{what} of inspection '{}'", self.name))
    }
    fn recorded(&mut self, _what: &str) {
        self.log.recorded();
    }
    fn ran(&mut self, result: &crate::runner::RunResult) {
        self.stderr_tail = result.stderr_tail.clone();
    }
}

/// The last `n` lines of `text` (trailing blank lines left out).
fn last_lines(text: &str, n: usize) -> Vec<String> {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| (*l).to_owned())
        .collect()
}

/// The summary of a (sub)layout: the first step's materials and the last
/// step's products, byproducts and command.
fn summary(layout: &Layout, links: &HashMap<&str, &Link>, name: &str) -> Link {
    let mut s = Link {
        name: name.to_owned(),
        ..Default::default()
    };
    if let (Some(first), Some(last)) = (layout.steps.first(), layout.steps.last())
        && let (Some(f), Some(l)) = (
            links.get(first.name.as_str()),
            links.get(last.name.as_str()),
        )
    {
        s.materials = f.materials.clone();
        s.products = l.products.clone();
        s.byproducts = l.byproducts.clone();
        s.command = l.command.clone();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_lines_of_stderr() {
        assert_eq!(last_lines("a\nb\nc\n\n", 2), ["b", "c"]);
        assert_eq!(last_lines("only", 5), ["only"]);
        assert!(last_lines("\n\n", 5).is_empty());
    }

    #[test]
    fn python_format_subset() {
        let p: BTreeMap<String, String> = [("P".to_string(), "demo".to_string())].into();
        assert_eq!(format_str("{P}/*", &p).unwrap(), "demo/*");
        assert_eq!(format_str("{{P}}", &p).unwrap(), "{P}");
        assert!(format_str("{Q}", &p).is_err());
        assert!(format_str("a}b", &p).is_err());
        assert!(format_str("{P", &p).is_err());
        assert_eq!(format_str("plain", &p).unwrap(), "plain");
    }
}
