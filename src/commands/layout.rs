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
            let expires = parse_when(&expires, ctx.policy.time(), "--expires")?;
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
            let (mut layout, edit) = load(&file)?;
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
            edit.save(layout)?;
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
            let (mut layout, edit) = load(&file)?;
            check_new_name(&layout, &name)?;
            let pubkeys = functionary
                .iter()
                .map(|f| resolve_key(&layout, f, &format!("--functionary {f}"), true))
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
            let added = format!("added step '{}'", step.name);
            layout.steps.push(step);
            edit.save(layout)?;
            ui::notice(&added);
            Ok(Outcome::Success)
        }
        LayoutCommand::AddInspection {
            file,
            name,
            run,
            material,
            product,
        } => {
            let (mut layout, edit) = load(&file)?;
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
            let added = format!("added inspection '{}'", insp.name);
            layout.inspect.push(insp);
            edit.save(layout)?;
            ui::notice(&added);
            Ok(Outcome::Success)
        }
        LayoutCommand::RemoveStep { file, name } => {
            let (mut layout, edit) = load(&file)?;
            let Some(i) = layout.steps.iter().position(|s| s.name == name) else {
                return Err(no_such_item(&layout, &name, "step"));
            };
            check_unreferenced(&layout, &name, "step")?;
            layout.steps.remove(i);
            edit.save(layout)?;
            ui::notice(&format!("removed step '{name}'"));
            Ok(Outcome::Success)
        }
        LayoutCommand::RemoveInspection { file, name } => {
            let (mut layout, edit) = load(&file)?;
            let Some(i) = layout.inspect.iter().position(|s| s.name == name) else {
                return Err(no_such_item(&layout, &name, "inspection"));
            };
            check_unreferenced(&layout, &name, "inspection")?;
            layout.inspect.remove(i);
            edit.save(layout)?;
            ui::notice(&format!("removed inspection '{name}'"));
            Ok(Outcome::Success)
        }
        LayoutCommand::RemoveKey { file, keyid } => {
            let (mut layout, edit) = load(&file)?;
            let id = resolve_key(&layout, &keyid, &format!("key {keyid}"), false)?;
            // All or nothing: no step may be left below its threshold.
            for step in &layout.steps {
                let left = step.pubkeys.iter().filter(|k| **k != id).count();
                if left < step.pubkeys.len() && (left as i64) < step.threshold {
                    return Err(anyhow!(
                        "key {id} is {} of step '{}', which needs {} (threshold {}); \
                         remove the step first (intoto layout remove-step)",
                        if left == 0 {
                            "the only functionary key".to_owned()
                        } else {
                            "one of the functionary keys".to_owned()
                        },
                        step.name,
                        if step.threshold == 1 {
                            "one key".to_owned()
                        } else {
                            format!("{} keys", step.threshold)
                        },
                        step.threshold
                    ));
                }
            }
            let mut steps = Vec::new();
            for step in &mut layout.steps {
                let before = step.pubkeys.len();
                step.pubkeys.retain(|k| *k != id);
                if step.pubkeys.len() < before {
                    steps.push(format!("'{}'", step.name));
                }
            }
            layout.keys.retain(|(k, _)| *k != id);
            edit.save(layout)?;
            ui::notice(&format!(
                "removed key {id}{}",
                if steps.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (no longer a functionary of step{} {})",
                        if steps.len() == 1 { "" } else { "s" },
                        steps.join(", ")
                    )
                }
            ));
            Ok(Outcome::Success)
        }
        LayoutCommand::SetExpires { file, expires } => {
            let (mut layout, edit) = load(&file)?;
            layout.expires = parse_when(&expires, ctx.policy.time(), "WHEN")?;
            let shown = layout.expires.clone();
            edit.save(layout)?;
            ui::notice(&format!("the layout now expires {shown}"));
            Ok(Outcome::Success)
        }
        LayoutCommand::SetReadme { file, readme } => {
            let (mut layout, edit) = load(&file)?;
            layout.readme = readme;
            edit.save(layout)?;
            ui::notice("changed the readme");
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

/// No step (or inspection) `name`: names what there is, and whether it is
/// the other kind.
fn no_such_item(layout: &Layout, name: &str, kind: &str) -> anyhow::Error {
    let (names, other): (Vec<&str>, bool) = if kind == "step" {
        (
            layout.steps.iter().map(|s| s.name.as_str()).collect(),
            layout.inspect.iter().any(|i| i.name == name),
        )
    } else {
        (
            layout.inspect.iter().map(|i| i.name.as_str()).collect(),
            layout.steps.iter().any(|s| s.name == name),
        )
    };
    if other {
        let (is, cmd) = if kind == "step" {
            ("an inspection", "remove-inspection")
        } else {
            ("a step", "remove-step")
        };
        return anyhow!("'{name}' is {is}, not a {kind}: use intoto layout {cmd}");
    }
    anyhow!(
        "the layout has no {kind} named '{name}' ({kind}s: {})",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    )
}

/// Refuses to remove `name` while a MATCH rule of another step or
/// inspection takes artifacts from it (the rule would silently stop
/// matching).
fn check_unreferenced(layout: &Layout, name: &str, kind: &str) -> Result<()> {
    let items = layout
        .steps
        .iter()
        .map(|s| (&s.name, &s.expected_materials, &s.expected_products))
        .chain(
            layout
                .inspect
                .iter()
                .map(|i| (&i.name, &i.expected_materials, &i.expected_products)),
        );
    let users: Vec<String> = items
        .filter(|(n, ..)| n.as_str() != name)
        .filter(|(_, m, p)| {
            m.iter().chain(p.iter()).any(
                |r| matches!(r.rule(), Rule::Match { dest_name, .. } if dest_name.as_str() == name),
            )
        })
        .map(|(n, ..)| format!("'{n}'"))
        .collect();
    if users.is_empty() {
        return Ok(());
    }
    Err(anyhow!(
        "{kind} '{name}' is named by MATCH rules of {}: remove those first",
        users.join(", ")
    ))
}

/// Reads the layout under an exclusive lock, held until it is written
/// back with [`Edit::save`] (two edits at once do not lose one).
fn load(file: &Path) -> Result<(Layout, Edit)> {
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
    let signatures = env.signature_keyids();
    let Signed::Layout(layout) = env.into_signed() else {
        return Err(anyhow!("{} is a link, not a layout", file.display()));
    };
    let edit = Edit {
        file: file.to_path_buf(),
        dsse,
        locked,
        signatures,
    };
    Ok((layout, edit))
}

/// A layout being edited: where it goes back, locked, and the signatures
/// the edit drops.
struct Edit {
    file: std::path::PathBuf,
    dsse: bool,
    locked: fsio::LockedFile,
    signatures: Vec<String>,
}

impl Edit {
    /// Writes `layout` back (atomically, under the lock), unsigned; says
    /// which signatures that dropped.
    fn save(self, layout: Layout) -> Result<()> {
        let env = Envelope::new(Signed::Layout(layout), self.dsse)?;
        self.locked
            .replace(&env.to_file_bytes()?)
            .map_err(|e| anyhow!("cannot write {}: {e}", self.file.display()))?;
        let ids = &self.signatures;
        if !ids.is_empty() {
            ui::warn(&format!(
                "{} was signed by key {}; the change dropped {}: sign it again",
                self.file.display(),
                ids.join(", key "),
                if ids.len() == 1 {
                    "that signature"
                } else {
                    "those signatures"
                }
            ));
        }
        Ok(())
    }
}

fn save(file: &Path, env: Envelope) -> Result<()> {
    write_file(file, &env.to_file_bytes()?)
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

/// A key id, or a unique prefix of one (8+ hex digits), among the layout's
/// keys; `what` names the argument in messages.
fn resolve_key(layout: &Layout, given: &str, what: &str, add_hint: bool) -> Result<String> {
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
        [_] => Err(anyhow!("{what}: give at least 8 hex digits of the key id")),
        [] => Err(anyhow!(
            "{what}: no such key in the layout ({}){}",
            if layout.keys.is_empty() {
                "it has none".to_owned()
            } else {
                let ids: Vec<String> = layout.keys.iter().map(|(k, _)| short(k)).collect();
                format!("its keys: {}", ids.join(", "))
            },
            if add_hint {
                "; add it first with intoto layout add-key"
            } else {
                ""
            }
        )),
        _ => Err(anyhow!(
            "{what}: matches {} keys; give more digits",
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

/// `YYYY-MM-DD`, the full format, or `N` followed by d, w, m or y (`what`
/// names the argument in messages). A date in the past is taken, with a
/// warning; a duration must reach into the future.
fn parse_when(s: &str, now: i64, what: &str) -> Result<String> {
    let past = |t: i64, text: String| {
        if t <= now {
            ui::warn(&format!(
                "{what} {s}: {text} is in the past, so the layout is expired already and \
                 verification will refuse it (change it with intoto layout set-expires)"
            ));
        }
        Ok(text)
    };
    if let Some(t) = parse_expires(s) {
        return past(t, s.to_owned());
    }
    if let Some(t) = parse_expires(&format!("{s}T00:00:00Z")) {
        return past(t, format_expires(t));
    }
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| anyhow!("{what} {s:?}: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or a duration like 90d, 12w, 6m, 1y"))?;
    let t = match unit {
        "d" => now + n * 86400,
        "w" => now + n * 7 * 86400,
        "m" | "y" => {
            let months = if unit == "y" { n * 12 } else { n };
            add_months(now, months)
        }
        _ => {
            return Err(anyhow!(
                "{what} {s:?}: unknown unit {unit:?} (d, w, m or y)"
            ));
        }
    };
    if t <= now {
        return Err(anyhow!("{what} {s:?} is not in the future"));
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
