//! Stages 4 and 5: loading each step's link files by the keys the layout
//! authorizes (their signatures checked in parallel while loading), then
//! keeping the validly signed ones and requiring each step's threshold.
//!
//! A link attestation is read as a link only once its signature verified
//! with the key the step authorizes (`attestation.rs`); one that verified
//! but is not a valid link attestation for this step fails the step.

use crate::observe::Observer;
use std::collections::HashMap;

use rayon::prelude::*;

use super::StepLinks;
use crate::fsio::LoadError;
use crate::keys::{KeyDict, VerifyError, verify_attestation, verify_envelope};
use crate::models::{Layout, Signed, Step, link_filename};
use crate::policy::Policy;
use crate::verify::attestation::{Evidence, read_attestation};
use crate::verify::{
    CountedLink, Failure, FailureKind, ItemReport, LinkContent, LinkSource, SkippedLink,
    SourceError, Stage, Trace,
};

fn find_key<'a>(dicts: &'a [(String, KeyDict)], id: &str) -> Option<&'a KeyDict> {
    dicts.iter().find(|(k, _)| k == id).map(|(_, d)| d)
}

pub(super) struct Loaded<'k> {
    keyid: String,
    file: String,
    /// What the file holds: classic metadata, or an attestation read (or
    /// refused) once its signature verified.
    evidence: Result<Evidence, String>,
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

/// Stage 4: asks `source` for the link of each step by each authorized
/// key and each of its subkeys (`<step>.<keyid8>.link`), in parallel for a
/// directory; fewer links than the threshold fail here.
pub(super) fn load_links<'k>(
    layout: &Layout,
    dicts: &'k [(String, KeyDict)],
    source: &dyn LinkSource,
    policy: &Policy,
) -> Result<Vec<(String, Vec<Loaded<'k>>)>, Failure> {
    let main_of_subkey: HashMap<&str, &KeyDict> = dicts
        .iter()
        .flat_map(|(_, k)| k.subkey_ids().into_iter().map(move |s| (s, k)))
        .collect();
    let mut wanted: Vec<(usize, String, String)> = Vec::new();
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
            wanted.push((si, id, file));
        }
    }
    let load = |(si, id, _): &(usize, String, String)| -> Result<Option<Loaded>, SourceError> {
        let step = &layout.steps[*si];
        let Some(found) = source.link(&step.name, id)? else {
            return Ok(None);
        };
        let key = choose_key(step, id, dicts, &main_of_subkey);
        let verifier = key.map(|k| crate::keys::verifier(k, policy));
        let (checked, evidence) = match found.content {
            LinkContent::Metadata(env) => (
                verifier.map_or(Ok(()), |v| verify_envelope(&env, v.as_ref())),
                Ok(Evidence::Metadata(env)),
            ),
            LinkContent::Attestation(a) => match verifier {
                Some(v) => {
                    let checked = verify_attestation(&a, v.as_ref());
                    let evidence = match &checked {
                        Ok(()) => read_attestation(&a, &step.name).map(Evidence::Attestation),
                        Err(_) => Err(String::new()),
                    };
                    (checked, evidence)
                }
                None => (Ok(()), Err(String::new())),
            },
        };
        Ok(Some(Loaded {
            keyid: id.clone(),
            file: found.file,
            evidence,
            key,
            checked,
        }))
    };
    let results: Vec<Result<Option<Loaded>, SourceError>> = if source.parallel() {
        wanted.par_iter().map(load).collect()
    } else {
        wanted.iter().map(load).collect()
    };
    let mut out: Vec<(String, Vec<Loaded>)> = layout
        .steps
        .iter()
        .map(|s| (s.name.clone(), Vec::new()))
        .collect();
    for ((si, ..), r) in wanted.iter().zip(results) {
        match r {
            Ok(Some(l)) => out[*si].1.push(l),
            Ok(None) => {}
            Err(SourceError::Load(e)) => {
                let step = &layout.steps[*si].name;
                return Err(Failure::new(
                    Stage::LinkLoading,
                    FailureKind::LinkUnreadable {
                        file: error_path(&e),
                        why: e.to_string(),
                    },
                    format!("step '{step}': {e}"),
                )
                .step(step));
            }
            Err(SourceError::TwoFiles { link, json }) => {
                let step = &layout.steps[*si].name;
                let msg = format!(
                    "step '{step}': both {link} and {json} are there for one key; keep one of them"
                );
                return Err(Failure::new(
                    Stage::LinkLoading,
                    FailureKind::TwoLinkFiles { link, json },
                    msg,
                )
                .step(step));
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
            // The commonest mistake after a key rotation: the link is
            // there, signed by a key the step does not (or no longer)
            // authorise.
            let unauthorised: Vec<String> = source
                .link_files(&step.name)
                .into_iter()
                .filter(|f| !looked.contains(f))
                .collect();
            let others = match unauthorised.as_slice() {
                [] => String::new(),
                [one] => format!(
                    "; found {one}, signed by a key this step does not authorise \
                     (after a key rotation: add the new key to the step, or sign with an authorised one)"
                ),
                many => format!(
                    "; found {}, signed by keys this step does not authorise \
                     (after a key rotation: add the new key to the step, or sign with an authorised one)",
                    many.join(", ")
                ),
            };
            let msg = format!(
                "step '{}' needs {} link file{}, found {} in {} (looked for {}){others}",
                step.name,
                step.threshold,
                if step.threshold == 1 { "" } else { "s" },
                found.len(),
                source.describe(),
                if looked.is_empty() {
                    "nothing: the step names no keys".to_owned()
                } else {
                    format!("{}, or those names ending in .json", looked.join(", "))
                }
            );
            let kind = FailureKind::TooFewLinks {
                needed: step.threshold,
                found: found.len(),
                looked_for: looked,
                unauthorised,
            };
            return Err(Failure::new(Stage::LinkLoading, kind, msg).step(&step.name));
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
pub(super) fn link_signatures<'k>(
    layout: &Layout,
    loaded: Vec<(String, Vec<Loaded<'k>>)>,
    log: &mut dyn Observer,
    mut trace: Option<&mut Trace>,
) -> Result<StepLinks<(&'k KeyDict, Evidence)>, Failure> {
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
            let evidence = match l.evidence {
                Ok(e) => e,
                Err(why) => {
                    let msg = format!(
                        "step '{}': link attestation {} is not valid: {why}",
                        step.name, l.file
                    );
                    return Err(Failure::new(
                        Stage::LinkSignatures,
                        FailureKind::InvalidAttestation { file: l.file, why },
                        msg,
                    )
                    .step(&step.name));
                }
            };
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
            if let Evidence::Metadata(env) = &evidence
                && let Signed::Link(link) = env.signed()
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
            kept.push((l.keyid, (k, evidence)));
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
                FailureKind::TooFewSignedLinks {
                    needed: step.threshold,
                    found: used.len(),
                },
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
