//! `intoto record start|stop`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use intoto::fsio;
use intoto::keys::{KeyDict, sign_envelope, verify_envelope};
use intoto::step::{self, StepSpec};
use intoto_format::models::{Envelope, Signed, link_filename, unfinished_filename};

use super::resolver::signer;
use super::run::{check_dir, check_step_name};
use super::{
    Ctx, Outcome, UiObserver, link_attestation, record_options, write_attestation, write_link,
};
use crate::cli::{RecordCommand, StartArgs, StopArgs};
use crate::ui;

/// `intoto record ...`
pub fn record(cmd: RecordCommand, ctx: &Ctx) -> Result<Outcome> {
    match cmd {
        RecordCommand::Start(a) => start(a, ctx),
        RecordCommand::Stop(a) => stop(a, ctx),
    }
}

fn start(a: StartArgs, ctx: &Ctx) -> Result<Outcome> {
    let ctx = &a.key.policy.apply(ctx);
    check_step_name(&a.step_name)?;
    check_dir(None)?;
    let signer = signer(&a.key, ctx, format!("the start of step '{}'", a.step_name))?;
    let spec = StepSpec {
        name: a.step_name.clone(),
        materials: a.materials.clone(),
        record: record_options(&a.record, &a.materials)?,
        ..Default::default()
    };
    let link = step::begin(&spec, &mut UiObserver::new(&a.step_name))?;
    let mut env = Envelope::new(Signed::Link(link), a.use_dsse)?;
    let raw = sign_envelope(&mut env, signer.as_ref())?;
    let path = PathBuf::from(unfinished_filename(&a.step_name, raw.keyid()));
    write_link(&path, &env)?;
    super::resolver::wrote(&path, signer.as_ref());
    super::hazards::warn_signing(signer.as_ref(), None, ctx.policy.time());
    Ok(Outcome::Success)
}

fn stop(a: StopArgs, ctx: &Ctx) -> Result<Outcome> {
    let ctx = &a.key.policy.apply(ctx);
    check_step_name(&a.step_name)?;
    check_dir(a.metadata_directory.as_deref())?;
    if a.attestation && a.products.is_empty() {
        return super::run::no_products_usage(&a.step_name);
    }
    // With a PEM key the unfinished file is named after it; with gpg the
    // reference looks for the only `.<name>.*.link-unfinished`.
    let load = |unfinished: &PathBuf| {
        fsio::load_metadata(unfinished).map_err(|e| {
            if e.is_not_found() {
                anyhow!(
                    "no unfinished link for step '{}' signed by this key ({} not found); run `intoto record start` first",
                    a.step_name,
                    unfinished.display()
                )
            } else {
                anyhow!("unfinished link {e}")
            }
        })
    };
    let (signer, unfinished, env) = if a.key.gpg.is_some() {
        let unfinished = find_unfinished(&a.step_name)?;
        let env = load(&unfinished)?;
        // Bare --gpg: stop with the key that started (the reference checks
        // that key, but would sign with gpg's default key).
        let mut key = a.key.clone();
        if key.gpg.as_deref() == Some("") {
            key.gpg = env.signature_keyids().into_iter().next();
        }
        let purpose = format!("the link of step '{}'", a.step_name);
        (signer(&key, ctx, purpose)?, unfinished, env)
    } else {
        let purpose = format!("the link of step '{}'", a.step_name);
        let signer = signer(&a.key, ctx, purpose)?;
        let unfinished = PathBuf::from(unfinished_filename(&a.step_name, signer.keyid()));
        let env = load(&unfinished)?;
        (signer, unfinished, env)
    };
    let public = signer.public_key().clone();
    // The key that signed start may be one only --allow-noninteroperable
    // accepts (NIST ECDSA GnuPG keys): the same flag applies here.
    let verifier = intoto::keys::verifier(&public, &ctx.policy);
    verify_envelope(&env, verifier.as_ref()).map_err(|e| {
        anyhow!(
            "unfinished link {} is not signed by the key given to stop: {e}",
            unfinished.display()
        )
    })?;
    let first_sig_keyid = env
        .signature_keyids()
        .into_iter()
        .next()
        .unwrap_or_default();
    let dsse = env.is_dsse();
    if a.use_dsse && !dsse && !a.attestation {
        ui::warn("--use-dsse is ignored: the link keeps the format of its unfinished part");
    }
    let Signed::Link(mut link) = env.into_signed() else {
        return Err(anyhow!(
            "{} holds a layout, not a link",
            unfinished.display()
        ));
    };
    let spec = StepSpec {
        name: a.step_name.clone(),
        products: a.products.clone(),
        record: record_options(&a.record, &a.products)?,
        ..Default::default()
    };
    step::finish(&spec, &mut link, &mut UiObserver::new(&a.step_name))?;
    // File name as the reference chooses it: the PEM key's id; for gpg the
    // primary key's fingerprint when a key id was given, else the key id of
    // the unfinished link's signature.
    let keyid = match (&public, a.key.gpg.as_deref()) {
        (KeyDict::Gpg(k), Some(id)) if !id.is_empty() => k.keyid.clone(),
        (KeyDict::Gpg(_), _) => first_sig_keyid,
        (KeyDict::Sslib(k), _) => k.keyid.clone(),
    };
    let file = link_filename(&a.step_name, &keyid);
    let path = a
        .metadata_directory
        .as_deref()
        .map_or_else(|| PathBuf::from(&file), |d| d.join(&file));
    if a.attestation {
        let (env, _) = link_attestation(&link, Some(signer.as_ref()))?;
        write_attestation(&path, &env)?;
    } else {
        let mut env = Envelope::new(Signed::Link(link), dsse)?;
        sign_envelope(&mut env, signer.as_ref())?;
        write_link(&path, &env)?;
    }
    std::fs::remove_file(&unfinished)
        .with_context(|| format!("removing {}", unfinished.display()))?;
    super::resolver::wrote(&path, signer.as_ref());
    super::hazards::warn_signing(signer.as_ref(), None, ctx.policy.time());
    Ok(Outcome::Success)
}

fn find_unfinished(step: &str) -> Result<PathBuf> {
    let prefix = format!(".{step}.");
    let mut found: Vec<PathBuf> = std::fs::read_dir(".")
        .context("reading the current directory")?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| {
            n.starts_with(&prefix)
                && n.ends_with(".link-unfinished")
                && n.len() > prefix.len() + ".link-unfinished".len()
        })
        .map(|n| Path::new(&n).to_path_buf())
        .collect();
    found.sort();
    match found.len() {
        0 => Err(anyhow!(
            "no unfinished link for step '{step}' in the current directory; run `intoto record start` first"
        )),
        1 => Ok(found.remove(0)),
        _ => Err(anyhow!(
            "more than one unfinished link for step '{step}' ({}); remove the stale ones",
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
