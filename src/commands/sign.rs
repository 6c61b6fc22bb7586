//! `intoto sign`: sign, co-sign, or check signatures of metadata.
//!
//! Exit status as the reference: 0 done, 1 a signature does not verify,
//! 2 any other error (including usage errors).

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use intoto::fsio;
use intoto::keys::gpg::{Backend, GpgHome};
use intoto::keys::openpgp::CertVerifier;
use intoto::keys::spec::{KeyPlaces, KeySpec};
use intoto::keys::{Signer, Verifier, sign_envelope, verify_envelope, verify_signature_by};
use intoto::models::{Envelope, Signed, link_filename};

use super::keys::Resolver;
use super::{Ctx, Outcome, usage, write_file};
use crate::cli::{SignArgs, specs};
use crate::ui;

/// `intoto sign`
pub fn sign(a: SignArgs, ctx: &Ctx) -> Result<Outcome> {
    if a.verify && (a.append || a.output.is_some()) {
        return usage("--verify cannot be combined with --append or --output");
    }
    let pgp = a.gpg.is_some() || (a.verify && !a.keyring.is_empty());
    if a.key.is_some() == pgp {
        return usage("give either --key PATH... or --gpg [KEYID...]");
    }
    if a.verify && a.gpg.as_ref().is_some_and(Vec::is_empty) && a.keyring.is_empty() {
        return usage("--verify needs the key ids: --gpg KEYID...");
    }
    // Signing reads, changes and writes the file back: under an exclusive
    // lock, so that two co-signers at once both get their signature in.
    let locked = if a.verify {
        None
    } else {
        let mut on_wait = || {
            ui::notice(&format!(
                "waiting for {}: another process holds its lock (another intoto sign?)...",
                a.file.display()
            ))
        };
        Some(
            fsio::lock_for_update(&a.file, fsio::MAX_METADATA_BYTES, &mut on_wait)
                .map_err(|e| anyhow!("cannot load {e}"))?,
        )
    };
    let mut env = match &locked {
        Some(l) => l.envelope(&a.file),
        None => fsio::load_metadata(&a.file),
    }
    .map_err(|e| anyhow!("cannot load {e}"))?;
    let is_link = matches!(env.signed(), Signed::Link(_));
    if is_link {
        let many = a.key.as_ref().is_some_and(|k| k.len() > 1)
            || a.gpg.as_ref().is_some_and(|g| g.len() > 1);
        if many && !a.verify {
            return usage(
                "a link is signed by a single functionary (and named <name>.<keyid prefix>.link): give one key",
            );
        }
        if a.append {
            return usage(
                "--append is for layouts only: a link carries a single functionary's signature",
            );
        }
    }
    if a.verify {
        return verify(&a, &env, ctx);
    }

    // Signers first: a wrong password or missing key changes nothing.
    let (specs, places) = specs::sign_signers(&a);
    let signers = Resolver::new(ctx, places).signers(&specs)?;
    if env.is_dsse() && specs.iter().any(|s| matches!(s, KeySpec::Gpg(_))) {
        ui::warn(
            "OpenPGP signatures in DSSE envelopes are an intoto extension: the Python reference cannot verify them",
        );
    }

    let nulls = env.signed().null_fields();
    if !nulls.is_empty() {
        ui::warn(&format!(
            "{} writes {} as null (as in-toto-rs and in-toto-golang do); intoto reads null as empty \
             and signs it as it stands, but the Python reference refuses such metadata",
            a.file.display(),
            nulls.join(", ")
        ));
    }
    if let Envelope::Metablock(m) = &env
        && !m.matches_model()
    {
        ui::warn(&format!(
            "{} holds fields intoto does not know (or leaves out defaults); they are signed as they stand, \
             and the Python reference, which drops them before checking, will not verify this signature",
            a.file.display()
        ));
    }
    if a.append {
        if check_existing(&a, &env, &signers, ctx)? == Outcome::Failed {
            return Ok(Outcome::Failed);
        }
    } else {
        env.clear_signatures();
    }
    let mut last_keyid = String::new();
    for s in &signers {
        let raw = sign_envelope(&mut env, s.as_ref())?;
        ui::info(&format!("Signed with key {}", raw.keyid()));
        last_keyid = raw.keyid().to_owned();
    }
    let out = match (&a.output, env.signed()) {
        (Some(o), _) => o.clone(),
        (None, Signed::Link(l)) => PathBuf::from(link_filename(&l.name, &last_keyid)),
        (None, Signed::Layout(_)) => a.file.clone(),
    };
    match &locked {
        Some(l) if l.is_same_file(&out) => l
            .replace(&env.to_file_bytes()?)
            .map_err(|e| anyhow!("cannot write {}: {e}", out.display()))?,
        _ => write_file(&out, &env.to_file_bytes()?)?,
    }
    ui::notice(&format!("wrote {}", out.display()));
    Ok(Outcome::Success)
}

/// `--verify`: every given key must have a valid signature.
fn verify(a: &SignArgs, env: &Envelope, ctx: &Ctx) -> Result<Outcome> {
    let (specs, places) = specs::sign_verifiers(a);
    let keys: Vec<(Box<dyn Verifier>, String)> = Resolver::new(ctx, places)
        .verifiers(&specs)?
        .into_iter()
        .map(|r| (r.verifier, r.description))
        .collect();
    for (k, _) in &keys {
        if let Err(e) = verify_envelope(env, k.as_ref()) {
            ui::error(&format!(
                "signature verification failed for {}: {e}",
                a.file.display()
            ));
            return Ok(Outcome::Failed);
        }
    }
    if ui::verbosity() != ui::Verbosity::Quiet {
        for (k, d) in &keys {
            ui::println(&ui::escape(&format!(
                "good signature by {} ({d})",
                k.keyid()
            )))?;
        }
    }
    Ok(Outcome::Success)
}

/// Before appending: no second signature by the same key, and no existing
/// signature that is known not to verify over the current content (keys
/// come from --signed-by, --keyring, the GnuPG home or the layout; a
/// signature whose key is not found is reported, not checked).
fn check_existing(
    a: &SignArgs,
    env: &Envelope,
    signers: &[Box<dyn Signer + '_>],
    ctx: &Ctx,
) -> Result<Outcome> {
    let existing = env.signature_keyids();
    for s in signers {
        let owned = |id: &str| {
            id == s.keyid()
                || s.public_key().keyid() == id
                || s.public_key().subkey_ids().contains(&id)
        };
        if let Some(id) = existing.iter().find(|id| owned(id)) {
            return Err(anyhow!(
                "{} is already signed by key {id}; a key signs a layout once",
                a.file.display()
            ));
        }
    }
    let candidates = existing_signer_keys(a, env, ctx)?;
    let mut stale = Vec::new();
    for id in &existing {
        let Some(v) = candidates.iter().find(|v| v.owns(id)) else {
            ui::warn(&format!(
                "cannot check the existing signature by key {id} (its public key is unknown here); \
                 give it with --signed-by to make sure you co-sign what {id} signed"
            ));
            continue;
        };
        if let Err(e) = verify_signature_by(env, v.as_ref(), id) {
            stale.push(format!("{id} ({e})"));
        }
    }
    if !stale.is_empty() {
        ui::error(&format!(
            "{}: the existing signature(s) by {} do not verify over the current content (edited after signing?); \
             refusing to append. Ask the signers to sign again, or sign without --append to replace all signatures",
            a.file.display(),
            stale.join(", ")
        ));
        return Ok(Outcome::Failed);
    }
    Ok(Outcome::Success)
}

fn existing_signer_keys(a: &SignArgs, env: &Envelope, ctx: &Ctx) -> Result<Vec<Box<dyn Verifier>>> {
    let places = KeyPlaces {
        gpg_home: a.gpg_home.clone(),
        ..Default::default()
    };
    let mut out: Vec<Box<dyn Verifier>> = Resolver::new(ctx, places)
        .verifiers(&specs::sign_signed_by(a))?
        .into_iter()
        .map(|r| r.verifier)
        .collect();
    // OpenPGP signers the user's GnuPG home knows.
    let home = GpgHome::new(a.gpg_home.as_deref())?;
    for id in env.signature_keyids() {
        if out.iter().any(|v| v.owns(&id)) || id.len() != 40 {
            continue;
        }
        if let Ok(cert) = home.public_cert(&id, Backend::default_for_build())
            && let Ok(v) = CertVerifier::new(cert, &ctx.policy)
        {
            out.push(Box::new(v));
        }
    }
    // Owners who are also functionaries of this layout.
    if let Signed::Layout(l) = env.signed() {
        for (_, k) in &l.keys {
            out.push(intoto::keys::verifier(k, &ctx.policy));
        }
    }
    Ok(out)
}
