//! `intoto layout ...`: write layouts from the command line and show them.
//!
//! Layouts are written unsigned (editing a signed layout drops its
//! signatures, with a warning); `intoto sign` signs them.

use std::path::Path;

use anyhow::{Result, anyhow};
use intoto::fsio;
use intoto::keys::verify_envelope;
use intoto_format::models::{
    Envelope, Expires, InspectionChange, Layout, ListChange, NewStep, Nulls, Signed, StepChange,
    expires_from, parse_expires,
};

use super::resolver::Resolver;
use super::{Ctx, Outcome, write_file};
use crate::cli::{LayoutArgs, LayoutCommand, LayoutKeyArgs, specs};
use crate::ui;
use intoto::keys::spec::KeyPlaces;

/// `intoto layout ...`
pub fn layout(a: LayoutArgs, ctx: &Ctx) -> Result<Outcome> {
    match a.command {
        LayoutCommand::New {
            file,
            expires,
            readme,
            dsse,
            force,
            rebuilders,
        } => {
            if file.exists() && !force {
                return Err(anyhow!(
                    "{} already exists (use --force to replace it)",
                    file.display()
                ));
            }
            let when = expires_from(&expires, ctx.policy.time(), "--expires")?;
            warn_past(&when, &expires, "--expires");
            let mut layout = Layout {
                expires: when.expires,
                readme,
                keys: Vec::new(),
                steps: Vec::new(),
                inspect: Vec::new(),
                nulls: Nulls::default(),
            };
            let standard =
                !rebuilders.rebuilders.is_empty() || rebuilders.rebuilders_from.is_some();
            let entries = if standard {
                super::layout_rebuilders::standard_layout(&mut layout, &rebuilders)?
            } else {
                Vec::new()
            };
            save(&file, Envelope::new(Signed::Layout(layout), dsse)?)?;
            ui::notice(&format!("wrote unsigned layout {}", file.display()));
            if standard {
                super::layout_rebuilders::next_steps(&file, &entries);
            }
            Ok(Outcome::Success)
        }
        LayoutCommand::AddKey {
            file,
            public,
            policy,
            legacy_keyid,
            rebuilder,
        } => {
            let ctx = &policy.apply(ctx);
            // Asked before the layout is locked.
            let fetched = rebuilder
                .map(|url| super::layout_rebuilders::fetch_key(&url, "--rebuilder"))
                .transpose()?;
            let (mut layout, edit) = load(&file)?;
            let (dict, who) = match fetched {
                Some(f) => (f.dict, f.entry),
                None => {
                    let (spec, places) = specs::one_key(&public);
                    let (dict, who) = Resolver::new(ctx, places).key_entry(&spec)?;
                    let dict = if legacy_keyid {
                        super::key::legacy(&dict)?
                    } else {
                        dict
                    };
                    (dict, who)
                }
            };
            let id = dict.keyid().to_owned();
            let description = dict.describe();
            super::hazards::warn_added_key(&dict, &layout, ctx.policy.time());
            layout.set_key(dict);
            edit.save(layout)?;
            ui::notice(&format!("added key {id}: {who}, {description}"));
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
            layout.add_step(NewStep {
                name: name.clone(),
                functionaries: functionary,
                threshold,
                expected_command,
                materials: material,
                products: product,
            })?;
            edit.save(layout)?;
            ui::notice(&format!("added step '{name}'"));
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
            layout.add_inspection(&name, &run, &material, &product)?;
            edit.save(layout)?;
            ui::notice(&format!("added inspection '{name}'"));
            Ok(Outcome::Success)
        }
        LayoutCommand::RemoveStep { file, name } => {
            let (mut layout, edit) = load(&file)?;
            layout.remove_step(&name)?;
            edit.save(layout)?;
            ui::notice(&format!("removed step '{name}'"));
            Ok(Outcome::Success)
        }
        LayoutCommand::RemoveInspection { file, name } => {
            let (mut layout, edit) = load(&file)?;
            layout.remove_inspection(&name)?;
            edit.save(layout)?;
            ui::notice(&format!("removed inspection '{name}'"));
            Ok(Outcome::Success)
        }
        LayoutCommand::RemoveKey { file, keyid } => {
            let (mut layout, edit) = load(&file)?;
            let removed = layout.remove_key(&keyid)?;
            edit.save(layout)?;
            let steps: Vec<String> = removed.steps.iter().map(|s| format!("'{s}'")).collect();
            ui::notice(&format!(
                "removed key {}{}",
                removed.keyid,
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
        LayoutCommand::ReplaceKey {
            file,
            old,
            public,
            policy,
            legacy_keyid,
        } => {
            let ctx = &policy.apply(ctx);
            let (mut layout, edit) = load(&file)?;
            let (spec, places) = specs::one_key(&public);
            let dict = Resolver::new(ctx, places).key_dict(&spec)?;
            let dict = if legacy_keyid {
                super::key::legacy(&dict)?
            } else {
                dict
            };
            let description = dict.describe();
            let done = layout.replace_key(&old, dict)?;
            edit.save(layout)?;
            ui::notice(&format!(
                "replaced key {} by {} ({description}){}",
                done.old,
                done.new,
                if done.steps.is_empty() {
                    String::new()
                } else {
                    format!(
                        " as functionary of step{} {}",
                        if done.steps.len() == 1 { "" } else { "s" },
                        quoted(&done.steps)
                    )
                }
            ));
            ui::println(&ui::escape(&done.new))?;
            Ok(Outcome::Success)
        }
        LayoutCommand::SetStep {
            file,
            name,
            functionary,
            threshold,
            expected_command,
            material,
            product,
            append,
            clear_materials,
            clear_products,
        } => {
            if functionary.is_empty()
                && threshold.is_none()
                && expected_command.is_none()
                && material.is_empty()
                && product.is_empty()
                && !clear_materials
                && !clear_products
            {
                return super::usage(
                    "layout set-step: nothing to change: give --functionary, --threshold, \
                     --expected-command, --material, --product, --clear-materials or --clear-products",
                );
            }
            let (mut layout, edit) = load(&file)?;
            layout.set_step(
                &name,
                StepChange {
                    functionaries: ListChange::from_flags(functionary, append, false),
                    threshold,
                    expected_command,
                    materials: ListChange::from_flags(material, append, clear_materials),
                    products: ListChange::from_flags(product, append, clear_products),
                },
            )?;
            edit.save(layout)?;
            ui::notice(&format!("changed step '{name}'"));
            Ok(Outcome::Success)
        }
        LayoutCommand::SetInspection {
            file,
            name,
            run,
            material,
            product,
            append,
            clear_materials,
            clear_products,
        } => {
            if run.is_none()
                && material.is_empty()
                && product.is_empty()
                && !clear_materials
                && !clear_products
            {
                return super::usage(
                    "layout set-inspection: nothing to change: give --run, --material, --product, \
                     --clear-materials or --clear-products",
                );
            }
            let (mut layout, edit) = load(&file)?;
            layout.set_inspection(
                &name,
                InspectionChange {
                    run,
                    materials: ListChange::from_flags(material, append, clear_materials),
                    products: ListChange::from_flags(product, append, clear_products),
                },
            )?;
            edit.save(layout)?;
            ui::notice(&format!("changed inspection '{name}'"));
            Ok(Outcome::Success)
        }
        LayoutCommand::SetExpires { file, expires } => {
            let (mut layout, edit) = load(&file)?;
            let set = layout.set_expires(&expires, ctx.policy.time())?;
            warn_past(&set, &expires, "WHEN");
            edit.save(layout)?;
            ui::notice(&format!("the layout now expires {}", set.expires));
            Ok(Outcome::Success)
        }
        LayoutCommand::SetReadme { file, readme } => {
            let (mut layout, edit) = load(&file)?;
            layout.set_readme(readme);
            edit.save(layout)?;
            ui::notice("changed the readme");
            Ok(Outcome::Success)
        }
        LayoutCommand::Draft(a) => super::layout_draft::draft(a, ctx),
        LayoutCommand::Check(a) => super::layout_check::check(a, ctx),
        LayoutCommand::Show { file, keys } => show(&file, &keys, ctx),
        LayoutCommand::Graph(args) => super::layout_graph::graph(args),
    }
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

/// Says so when the expiry given is in the past (taken: the layout is
/// expired already).
fn warn_past(e: &Expires, given: &str, what: &str) {
    if e.in_the_past {
        ui::warn(&format!(
            "{what} {given}: {} is in the past, so the layout is expired already and \
             verification will refuse it (change it with intoto layout set-expires)",
            e.expires
        ));
    }
}

fn show(file: &Path, keys: &LayoutKeyArgs, ctx: &Ctx) -> Result<Outcome> {
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
    for m in super::hazards::marks(layout, ctx.policy.time()) {
        out.push(format!("  WARNING: {m}"));
    }
    if !layout.readme.is_empty() {
        out.push(format!("  readme:  {}", layout.readme));
    }
    out.push(String::new());
    out.push("Functionary keys:".to_owned());
    if layout.keys.is_empty() {
        out.push("  (none)".to_owned());
    }
    // Who the functionaries are, where the GnuPG home knows them.
    let ids: Vec<String> = layout.keys.iter().map(|(id, _)| id.clone()).collect();
    let known = Resolver::new(ctx, KeyPlaces::default())
        .with_policy(ctx.policy.clone().allowing_noninteroperable(true))
        .home_keys(&ids);
    for (id, k) in &layout.keys {
        let who = known
            .iter()
            .find(|r| r.verifier.owns(id))
            .and_then(|r| r.verifier.user_id())
            .map(|u| format!("{u}, "))
            .unwrap_or_default();
        out.push(format!("  {id}  {who}{}", k.describe()));
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
    let (specs, places) = specs::layout_keys(keys);
    let resolver =
        Resolver::new(ctx, places).with_policy(ctx.policy.clone().allowing_noninteroperable(true));
    let ids = env.signature_keyids();
    let verifiers = if specs.is_empty() {
        // No keys given: the signers' keys from the default GnuPG home,
        // where it has them.
        resolver.home_keys(&ids)
    } else {
        resolver.verifiers(&specs)?
    };
    if ids.is_empty() {
        out.push("  (unsigned)".to_owned());
    }
    for id in &ids {
        let Some(r) = verifiers.iter().find(|r| r.verifier.owns(id)) else {
            out.push(format!(
                "  {id}: not checked (give its key with --verification-keys, --gpg or --keyring)"
            ));
            continue;
        };
        let status = match verify_envelope(&env, r.verifier.as_ref()) {
            Ok(()) => "valid".to_owned(),
            Err(e) => format!("INVALID: {e}"),
        };
        out.push(format!("  {}: {status}", r.who(id)));
        for m in super::hazards::signature_marks(r, id, layout, &ctx.policy) {
            out.push(format!("    WARNING: {m}"));
        }
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

/// Names as `'a', 'b'`.
fn quoted(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    q.join(", ")
}

fn short(k: &str) -> String {
    k.chars().take(16).collect()
}
