//! `intoto layout ...`: write layouts from the command line and show them.
//!
//! Layouts are written unsigned (editing a signed layout drops its
//! signatures, with a warning); `intoto sign` signs them.

use std::path::Path;

use anyhow::{Result, anyhow};
use intoto::fsio;
use intoto::keys::{Verifier, verify_envelope};
use intoto::models::{
    Envelope, Inspection, Layout, Nulls, Signed, Step, check_item_name, format_expires,
    parse_expires,
};
use intoto::rules::{ArtifactRule, Rule, shell_split};

use super::keys::Resolver;
use super::{Ctx, Outcome, write_file};
use crate::cli::{LayoutArgs, LayoutCommand, specs};
use crate::ui;

/// `intoto layout ...`
pub fn layout(a: LayoutArgs, ctx: &Ctx) -> Result<Outcome> {
    match a.command {
        LayoutCommand::New {
            file,
            expires,
            readme,
            dsse,
            force,
        } => {
            if file.exists() && !force {
                return Err(anyhow!(
                    "{} already exists (use --force to replace it)",
                    file.display()
                ));
            }
            let expires = parse_when(&expires, ctx.policy.time())?;
            let layout = Layout {
                expires,
                readme,
                keys: Vec::new(),
                steps: Vec::new(),
                inspect: Vec::new(),
                nulls: Nulls::default(),
            };
            save(&file, Envelope::new(Signed::Layout(layout), dsse)?)?;
            ui::notice(&format!("wrote unsigned layout {}", file.display()));
            Ok(Outcome::Success)
        }
        LayoutCommand::AddKey {
            file,
            gpg,
            gpg_home,
            keyring,
            cert_store,
            key,
            // Read into the policy by `Ctx::for_command`.
            allow_noninteroperable: _,
            legacy_keyid,
        } => {
            let (mut layout, dsse, locked) = load(&file)?;
            let (spec, mut places) = specs::one_key(
                key.as_deref(),
                gpg.as_deref(),
                gpg_home.as_deref(),
                keyring.as_deref(),
            );
            places.cert_store = cert_store;
            let dict = Resolver::new(ctx, places).key_dict(&spec)?;
            let dict = if legacy_keyid {
                super::key::legacy(&dict)?
            } else {
                dict
            };
            let id = dict.keyid().to_owned();
            let description = dict.describe();
            layout.set_key(dict);
            save_locked(&locked, &file, Envelope::new(Signed::Layout(layout), dsse)?)?;
            ui::notice(&format!("added key {id} ({description})"));
            ui::println(&ui::escape(&id))?;
            Ok(Outcome::Success)
        }
        LayoutCommand::AddStep {
            file,
            name,
            functionary,
            threshold,
            expected_command,
            material,
            product,
        } => {
            let (mut layout, dsse, locked) = load(&file)?;
            check_new_name(&layout, &name)?;
            let pubkeys = functionary
                .iter()
                .map(|f| resolve_key(&layout, f))
                .collect::<Result<Vec<_>>>()?;
            if threshold < 1 || threshold as usize > pubkeys.len() {
                return Err(anyhow!(
                    "--threshold {threshold}: must be between 1 and the number of functionaries ({})",
                    pubkeys.len()
                ));
            }
            let steps: Vec<String> = layout.steps.iter().map(|s| s.name.clone()).collect();
            let step = Step {
                name,
                pubkeys,
                threshold,
                expected_command: match expected_command {
                    Some(c) => shell_split(&c)
                        .ok_or_else(|| anyhow!("--expected-command: unbalanced quotes"))?,
                    None => Vec::new(),
                },
                expected_materials: rules(&material, &steps, "material")?,
                expected_products: rules(&product, &steps, "product")?,
                nulls: Nulls::default(),
            };
            ui::notice(&format!("added step '{}'", step.name));
            layout.steps.push(step);
            save_locked(&locked, &file, Envelope::new(Signed::Layout(layout), dsse)?)?;
            Ok(Outcome::Success)
        }
        LayoutCommand::AddInspection {
            file,
            name,
            run,
            material,
            product,
        } => {
            let (mut layout, dsse, locked) = load(&file)?;
            check_new_name(&layout, &name)?;
            let run = shell_split(&run).ok_or_else(|| anyhow!("--run: unbalanced quotes"))?;
            if run.is_empty() {
                return Err(anyhow!("--run: an inspection needs a command"));
            }
            let items: Vec<String> = layout
                .steps
                .iter()
                .map(|s| s.name.clone())
                .chain(layout.inspect.iter().map(|i| i.name.clone()))
                .collect();
            let insp = Inspection {
                name,
                run,
                expected_materials: rules(&material, &items, "material")?,
                expected_products: rules(&product, &items, "product")?,
                nulls: Nulls::default(),
            };
            ui::notice(&format!("added inspection '{}'", insp.name));
            layout.inspect.push(insp);
            save_locked(&locked, &file, Envelope::new(Signed::Layout(layout), dsse)?)?;
            Ok(Outcome::Success)
        }
        LayoutCommand::Show {
            file,
            verification_keys,
            gpg,
            gpg_home,
            keyring,
        } => show(
            &file,
            &verification_keys,
            &gpg,
            gpg_home.as_deref(),
            &keyring,
            ctx,
        ),
    }
}

/// Reads the layout under an exclusive lock, held until it is written
/// back with [`save_locked`] (two edits at once do not lose one).
fn load(file: &Path) -> Result<(Layout, bool, fsio::LockedFile)> {
    let mut on_wait = || {
        ui::notice(&format!(
            "waiting for {}: another process holds its lock...",
            file.display()
        ))
    };
    let locked = fsio::lock_for_update(file, fsio::MAX_METADATA_BYTES, &mut on_wait)
        .map_err(|e| anyhow!("layout {e}"))?;
    let env = locked.envelope(file).map_err(|e| anyhow!("layout {e}"))?;
    let dsse = env.is_dsse();
    let n = env.signature_keyids().len();
    let Signed::Layout(layout) = env.into_signed() else {
        return Err(anyhow!("{} is a link, not a layout", file.display()));
    };
    if n > 0 {
        ui::warn(&format!(
            "{} was signed; the change removes its {n} signature(s): sign it again",
            file.display()
        ));
    }
    Ok((layout, dsse, locked))
}

fn save(file: &Path, env: Envelope) -> Result<()> {
    write_file(file, &env.to_file_bytes()?)
}

fn save_locked(locked: &fsio::LockedFile, file: &Path, env: Envelope) -> Result<()> {
    locked
        .replace(&env.to_file_bytes()?)
        .map_err(|e| anyhow!("cannot write {}: {e}", file.display()))
}

fn check_new_name(layout: &Layout, name: &str) -> Result<()> {
    check_item_name("name", name).map_err(|e| anyhow!("{e}"))?;
    if layout.steps.iter().any(|s| s.name == name) || layout.inspect.iter().any(|i| i.name == name)
    {
        return Err(anyhow!(
            "the layout already has a step or inspection named '{name}'"
        ));
    }
    Ok(())
}

/// A key id, or a unique prefix of one (8+ hex digits), among the layout's keys.
fn resolve_key(layout: &Layout, given: &str) -> Result<String> {
    let g = given.to_lowercase();
    let mut hits: Vec<&String> = layout
        .keys
        .iter()
        .map(|(k, _)| k)
        .filter(|k| k.to_lowercase().starts_with(&g))
        .collect();
    // A subkey fingerprint names its primary key's entry.
    if hits.is_empty() {
        for (k, d) in &layout.keys {
            if d.subkey_ids().iter().any(|s| s.eq_ignore_ascii_case(&g)) {
                hits.push(k);
            }
        }
    }
    match hits.as_slice() {
        [one] if g.len() >= 8 => Ok((*one).clone()),
        [_] => Err(anyhow!(
            "--functionary {given}: give at least 8 hex digits of the key id"
        )),
        [] => Err(anyhow!(
            "--functionary {given}: no such key in the layout; add it first with `intoto layout add-key`"
        )),
        _ => Err(anyhow!(
            "--functionary {given}: matches {} keys; give more digits",
            hits.len()
        )),
    }
}

fn rules(texts: &[String], known: &[String], side: &str) -> Result<Vec<ArtifactRule>> {
    texts
        .iter()
        .map(|t| {
            let rule =
                ArtifactRule::from_str_rule(t).map_err(|e| anyhow!("--{side} {t:?}: {e}"))?;
            if let Rule::Match { dest_name, .. } = rule.rule()
                && !known.contains(dest_name) {
                    return Err(anyhow!(
                        "--{side} {t:?}: MATCH ... FROM '{dest_name}' names no step defined so far ({})",
                        if known.is_empty() { "none yet".to_owned() } else { known.join(", ") }
                    ));
                }
            Ok(rule)
        })
        .collect()
}

/// `YYYY-MM-DD`, the full format, or `N` followed by d, w, m or y.
fn parse_when(s: &str, now: i64) -> Result<String> {
    if parse_expires(s).is_some() {
        return Ok(s.to_owned());
    }
    if let Some(t) = parse_expires(&format!("{s}T00:00:00Z")) {
        return Ok(format_expires(t));
    }
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| anyhow!("--expires {s:?}: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or a duration like 90d, 12w, 6m, 1y"))?;
    let t = match unit {
        "d" => now + n * 86400,
        "w" => now + n * 7 * 86400,
        "m" | "y" => {
            let months = if unit == "y" { n * 12 } else { n };
            add_months(now, months)
        }
        _ => {
            return Err(anyhow!(
                "--expires {s:?}: unknown unit {unit:?} (d, w, m or y)"
            ));
        }
    };
    if t <= now {
        return Err(anyhow!("--expires {s:?} is not in the future"));
    }
    Ok(format_expires(t))
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

fn show(
    file: &Path,
    pem: &[std::path::PathBuf],
    gpg: &[String],
    gpg_home: Option<&Path>,
    keyring: &[std::path::PathBuf],
    ctx: &Ctx,
) -> Result<Outcome> {
    let env = fsio::load_metadata(file).map_err(|e| anyhow!("layout {e}"))?;
    let Signed::Layout(layout) = env.signed() else {
        return Err(anyhow!("{} is a link, not a layout", file.display()));
    };
    let mut out: Vec<String> = Vec::new();
    let exp = parse_expires(&layout.expires).unwrap_or(0);
    let state = if exp <= ctx.policy.time() {
        "EXPIRED"
    } else {
        "valid"
    };
    out.push(format!(
        "Layout {} ({})",
        file.display(),
        if env.is_dsse() { "DSSE" } else { "Metablock" }
    ));
    out.push(format!("  expires: {} ({state})", layout.expires));
    if !layout.readme.is_empty() {
        out.push(format!("  readme:  {}", layout.readme));
    }
    out.push(String::new());
    out.push("Functionary keys:".to_owned());
    if layout.keys.is_empty() {
        out.push("  (none)".to_owned());
    }
    for (id, k) in &layout.keys {
        out.push(format!("  {id}  {}", k.describe()));
        for s in k.subkey_ids() {
            out.push(format!("    subkey {s}"));
        }
    }
    out.push(String::new());
    out.push("Steps:".to_owned());
    if layout.steps.is_empty() {
        out.push("  (none)".to_owned());
    }
    for (i, s) in layout.steps.iter().enumerate() {
        out.push(format!(
            "  {}. {} (threshold {}, signed by {})",
            i + 1,
            s.name,
            s.threshold,
            s.pubkeys
                .iter()
                .map(|k| short(k))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if !s.expected_command.is_empty() {
            out.push(format!("     command:   {}", s.expected_command.join(" ")));
        }
        for r in &s.expected_materials {
            out.push(format!("     material:  {}", r.tokens().join(" ")));
        }
        for r in &s.expected_products {
            out.push(format!("     product:   {}", r.tokens().join(" ")));
        }
    }
    out.push(String::new());
    out.push("Inspections:".to_owned());
    if layout.inspect.is_empty() {
        out.push("  (none)".to_owned());
    }
    for i in &layout.inspect {
        out.push(format!("  - {}: runs {}", i.name, i.run.join(" ")));
        for r in &i.expected_materials {
            out.push(format!("     material:  {}", r.tokens().join(" ")));
        }
        for r in &i.expected_products {
            out.push(format!("     product:   {}", r.tokens().join(" ")));
        }
    }
    out.push(String::new());
    out.push("Signatures:".to_owned());
    // Showing is not trusting: any key the layout could name is checked.
    let (specs, places) = specs::verifiers(pem, gpg, keyring, gpg_home);
    let verifiers: Vec<Box<dyn Verifier>> = Resolver::new(ctx, places)
        .with_policy(ctx.policy.clone().allowing_noninteroperable(true))
        .verifiers(&specs)?
        .into_iter()
        .map(|r| r.verifier)
        .collect();
    let ids = env.signature_keyids();
    if ids.is_empty() {
        out.push("  (unsigned)".to_owned());
    }
    for id in &ids {
        let status = match verifiers.iter().find(|v| v.owns(id)) {
            None => {
                "not checked (give its key with --verification-keys, --gpg or --keyring)".to_owned()
            }
            Some(v) => match verify_envelope(&env, v.as_ref()) {
                Ok(()) => "valid".to_owned(),
                Err(e) => format!("INVALID: {e}"),
            },
        };
        out.push(format!("  {id}: {status}"));
    }
    // Names, rules, user ids and the readme come from the file: shown
    // escaped, one line each.
    let mut text = String::new();
    for l in &out {
        text.push_str(&ui::escape(l));
        text.push('\n');
    }
    ui::print(&text)?;
    Ok(Outcome::Success)
}

fn short(k: &str) -> String {
    k.chars().take(16).collect()
}
