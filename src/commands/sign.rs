//! `intoto sign`: sign, co-sign, or check signatures of metadata.
//!
//! Exit status as every command's: 0 done, 1 a signature does not verify
//! or the command could not be carried out, 2 a usage error. (The
//! reference's `in-toto-sign` exits 2 on any error.)

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use intoto::cosign::{self, CoSign, CoSignError, SignedBy};
use intoto::fsio;
use intoto::keys::gpg::GpgHome;
use intoto::keys::openpgp::CertVerifier;
use intoto::keys::spec::{KeyPlaces, KeySpec};
use intoto::keys::{Signer, Verifier};
use intoto::verify::{LayoutKey, check_owners};
use intoto_format::models::{Envelope, Signed, link_filename};

use super::resolver::Resolver;
use super::{Ctx, Outcome, signatures_usage, usage, write_file};
use crate::cli::{SignArgs, specs};
use crate::ui;

/// `intoto sign`
pub fn sign(a: SignArgs, ctx: &Ctx) -> Result<Outcome> {
    let ctx = &a.policy.apply(ctx);
    if !a.merge.is_empty() {
        return merge(&a, ctx);
    }
    if a.verify && (a.append || a.output.is_some()) {
        return usage("--verify cannot be combined with --append or --output");
    }
    if a.verify {
        if a.key.is_none() && a.gpg.is_none() && a.keyring.is_empty() {
            return usage(
                "--verify needs keys: --key PUBKEY..., --gpg KEYID... and/or --keyring FILE...",
            );
        }
        if a.gpg.as_ref().is_some_and(Vec::is_empty) && a.keyring.is_empty() {
            return usage("--verify needs the key ids: --gpg KEYID...");
        }
    } else if a.key.is_some() == a.gpg.is_some() {
        return usage("give either --key PATH... or --gpg [KEYID...]");
    }
    if a.signatures.is_some() && !a.verify {
        return usage("--signatures is for --verify: it counts the keys that must have signed");
    }
    if !a.signed_by.is_empty() && !a.append {
        return usage(
            "--signed-by is for --append: it names the keys of the signatures a co-signature joins",
        );
    }
    // Signing reads, changes and writes the file back: under an exclusive
    // lock, so that two co-signers at once both get their signature in.
    let locked = if a.verify {
        None
    } else {
        let mut on_wait = || {
            ui::notice(&format!(
                "waiting for {}: another process holds its lock (another intoto sign?)...",
                a.file().display()
            ))
        };
        Some(
            fsio::lock_for_update(a.file(), fsio::MAX_METADATA_BYTES, &mut on_wait)
                .map_err(|e| anyhow!("cannot load {e}"))?,
        )
    };
    let mut env = match &locked {
        Some(l) => l.envelope(a.file()),
        None => fsio::load_metadata(a.file()),
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
    let signers = Resolver::new(ctx, places)
        .for_purpose(a.file().display().to_string())
        .signers(&specs)?;
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
            a.file().display(),
            nulls.join(", ")
        ));
    }
    if let Envelope::Metablock(m) = &env
        && !m.matches_model()
    {
        ui::warn(&format!(
            "{} holds fields intoto does not know (or leaves out defaults); they are signed as they stand, \
             and the Python reference, which drops them before checking, will not verify this signature",
            a.file().display()
        ));
    }
    let signers: Vec<&dyn Signer> = signers.iter().map(|s| s.as_ref() as &dyn Signer).collect();
    let cosign = if a.append {
        existing_signer_keys(&a, &env, ctx)?.replace_own(a.replace)
    } else {
        CoSign::replace(a.file(), &ctx.policy)
    };
    let report = match cosign.sign(&mut env, &signers) {
        Ok(r) => r,
        // A failed check, not an error of the command: exit status 1.
        Err(e) => {
            if let CoSignError::AlreadySigned { .. } = &e {
                return Err(anyhow!(
                    "{e}; to replace that signature with a new one by the same key, add --replace"
                ));
            }
            let CoSignError::Stale { unchecked, .. } = &e else {
                return Err(e.into());
            };
            warn_unchecked(unchecked);
            ui::error(&e.to_string());
            return Ok(Outcome::Failed);
        }
    };
    for id in &report.replaced {
        ui::notice(&format!(
            "{}: the signature by key {id} is replaced (--replace)",
            a.file().display()
        ));
    }
    if report.first {
        ui::notice(&format!(
            "{} carries no signature yet: --append adds the first",
            a.file().display()
        ));
    }
    warn_unchecked(&report.unchecked);
    // Signatures by other keys are lost, so say which, and how to keep
    // them (a link is one functionary's: re-signing replaces it).
    if !is_link && !report.dropped.is_empty() {
        let ids = &report.dropped;
        ui::warn(&format!(
            "{} carries {} by key {}, which signing without --append drops; \
             to keep {} and add yours, sign with -a/--append",
            a.file().display(),
            if ids.len() == 1 {
                "a signature"
            } else {
                "signatures"
            },
            ids.join(", key "),
            if ids.len() == 1 { "it" } else { "them" }
        ));
    }
    for id in &report.signed {
        ui::info(&format!("Signed with key {id}"));
    }
    let last_keyid = report.signed.last().cloned().unwrap_or_default();
    let out = match (&a.output, env.signed()) {
        (Some(o), _) => o.clone(),
        (None, Signed::Link(l)) => PathBuf::from(link_filename(&l.name, &last_keyid)),
        (None, Signed::Layout(_)) => a.file().to_path_buf(),
    };
    match &locked {
        Some(l) if l.is_same_file(&out) => l
            .replace(&env.to_file_bytes()?)
            .map_err(|e| anyhow!("cannot write {}: {e}", out.display()))?,
        _ => write_file(&out, &env.to_file_bytes()?)?,
    }
    let layout = match env.signed() {
        Signed::Layout(l) => Some(l),
        _ => None,
    };
    super::hazards::warn_signers(&signers, layout, ctx.policy.time());
    let who: Vec<String> = signers.iter().map(|s| s.describe()).collect();
    ui::notice(&format!(
        "wrote {}, signed by {}",
        out.display(),
        who.join(" and ")
    ));
    Ok(Outcome::Success)
}

/// `--verify`: the signatures by the rule of every command
/// ([`check_owners`]): each `--key`/`--gpg` key must have signed, one key
/// of a `--keyring` given alone suffices, `--signatures N` counts
/// distinct keys over all of them.
fn verify(a: &SignArgs, env: &Envelope, ctx: &Ctx) -> Result<Outcome> {
    let (specs, places) = specs::sign_verifiers(a);
    let mut keys: Vec<LayoutKey> = Vec::new();
    let mut described: Vec<(String, String)> = Vec::new();
    for r in Resolver::new(ctx, places).verifiers(&specs)? {
        let id = r.verifier.keyid().to_owned();
        if described.iter().any(|(k, _)| *k == id) {
            continue;
        }
        described.push((id, r.description));
        keys.push(LayoutKey {
            verifier: r.verifier,
            source: r.source,
            required: r.named,
            kind: r.kind,
        });
    }
    let n = signatures_usage(a.signatures, keys.len())?;
    let valid = match check_owners(env, &keys, n) {
        Ok(v) => v,
        Err(e) => {
            ui::error(&format!(
                "signature verification failed for {}: {e}",
                a.file().display()
            ));
            return Ok(Outcome::Failed);
        }
    };
    if ui::verbosity() != ui::Verbosity::Quiet {
        for v in &valid {
            let d = described
                .iter()
                .find(|(k, _)| *k == v.keyid)
                .map_or("", |(_, d)| d.as_str());
            ui::println(&ui::escape(&format!(
                "good signature by {} ({d}; {})",
                v.keyid, v.source
            )))?;
        }
    }
    for id in env.signature_keyids() {
        if !keys.iter().any(|k| k.verifier.owns(&id)) {
            ui::info(&format!(
                "the signature by key {id} was not checked: no key given for it"
            ));
        }
    }
    Ok(Outcome::Success)
}

fn warn_unchecked(ids: &[String]) {
    for id in ids {
        ui::warn(&format!(
            "cannot check the existing signature by key {id} (its public key is unknown here); \
             give it with --signed-by to make sure you co-sign what {id} signed"
        ));
    }
}

/// `--merge A B …`: the signatures of copies of one layout, in the first
/// (or `-o`), each copy read under its lock and the output written
/// atomically (under the lock when it is one of the copies).
fn merge(a: &SignArgs, ctx: &Ctx) -> Result<Outcome> {
    use std::os::unix::fs::MetadataExt as _;
    let mut seen: Vec<(u64, u64, &PathBuf)> = Vec::new();
    for f in &a.merge {
        let m = std::fs::metadata(f).map_err(|e| anyhow!("cannot load {}: {e}", f.display()))?;
        if let Some((_, _, g)) = seen.iter().find(|(d, i, _)| *d == m.dev() && *i == m.ino()) {
            return usage(format!(
                "--merge {}: the same file as {}",
                f.display(),
                g.display()
            ));
        }
        seen.push((m.dev(), m.ino(), f));
    }
    let mut locks = Vec::new();
    let mut copies = Vec::new();
    for f in &a.merge {
        let mut on_wait = || {
            ui::notice(&format!(
                "waiting for {}: another process holds its lock (another intoto sign?)...",
                f.display()
            ))
        };
        let l = fsio::lock_for_update(f, fsio::MAX_METADATA_BYTES, &mut on_wait)
            .map_err(|e| anyhow!("cannot load {e}"))?;
        copies.push((
            f.clone(),
            l.envelope(f).map_err(|e| anyhow!("cannot load {e}"))?,
        ));
        locks.push(l);
    }
    let ids: Vec<String> = copies
        .iter()
        .flat_map(|(_, e)| e.signature_keyids())
        .collect();
    let keys = known_keys(a, &ids, ctx)?;
    let (merged, report) = cosign::merge(copies, &keys, &ctx.policy)?;
    warn_unchecked(&report.unchecked);
    for l in &report.duplicates {
        ui::info(&format!(
            "{}: the signature by key {} is already there",
            l.file.display(),
            l.keyid
        ));
    }
    for l in &report.same_key {
        ui::warn(&format!(
            "{}: another signature by the key of {} ({}) is left out: a key signs a layout once, \
             the first one given is kept",
            l.file.display(),
            l.kept,
            l.keyid
        ));
    }
    let out = a.output.clone().unwrap_or_else(|| a.merge[0].clone());
    let bytes = merged.to_file_bytes()?;
    match locks.iter().find(|l| l.is_same_file(&out)) {
        Some(l) => l
            .replace(&bytes)
            .map_err(|e| anyhow!("cannot write {}: {e}", out.display()))?,
        None => write_file(&out, &bytes)?,
    }
    ui::notice(&format!(
        "wrote {}: {} signature{} ({} added)",
        out.display(),
        report.signatures.len(),
        if report.signatures.len() == 1 {
            ""
        } else {
            "s"
        },
        report.added.len()
    ));
    Ok(Outcome::Success)
}

/// Keys that may check existing signatures `ids`: `--signed-by` and
/// `--keyring` files, then the GnuPG home's keys for OpenPGP ids (the
/// layout's own keys are the library's).
fn known_keys(a: &SignArgs, ids: &[String], ctx: &Ctx) -> Result<Vec<Box<dyn Verifier>>> {
    let places = KeyPlaces {
        gpg_home: a.gpg_home.clone(),
        ..Default::default()
    };
    let mut found: Vec<Box<dyn Verifier>> = Resolver::new(ctx, places)
        .verifiers(&specs::sign_signed_by(a))?
        .into_iter()
        .map(|r| r.verifier)
        .collect();
    let home = GpgHome::new(a.gpg_home.as_deref())?;
    for id in ids {
        if found.iter().any(|v| v.owns(id)) || id.len() != 40 {
            continue;
        }
        if let Ok(cert) = home.public_cert(id)
            && let Ok(v) = CertVerifier::new(cert, &ctx.policy)
        {
            found.push(Box::new(v));
        }
    }
    Ok(found)
}

/// Appending: the keys that check the existing signatures (--signed-by,
/// --keyring, the GnuPG home; the layout's own keys are the library's).
fn existing_signer_keys<'a>(a: &'a SignArgs, env: &Envelope, ctx: &'a Ctx) -> Result<CoSign<'a>> {
    let places = KeyPlaces {
        gpg_home: a.gpg_home.clone(),
        ..Default::default()
    };
    let resolver = Resolver::new(ctx, places);
    let mut cosign = CoSign::append(a.file(), &ctx.policy);
    let existing = env.signature_keyids();
    let mut found: Vec<Box<dyn Verifier>> = Vec::new();
    // The existing signatures a --signed-by key checks.
    let mut covered: Vec<&String> = Vec::new();
    for spec in specs::sign_signed_by(a) {
        let keys: Vec<Box<dyn Verifier>> = resolver
            .verifiers(std::slice::from_ref(&spec))?
            .into_iter()
            .map(|r| r.verifier)
            .collect();
        match &spec {
            KeySpec::PublicFile(path) if a.signed_by.contains(path) => {
                covered.extend(existing.iter().filter(|id| keys.iter().any(|k| k.owns(id))));
                cosign = cosign.signed_by(SignedBy::new(path.clone(), keys));
            }
            _ => found.extend(keys),
        }
    }
    // OpenPGP signers the user's GnuPG home knows.
    let home = GpgHome::new(a.gpg_home.as_deref())?;
    for id in &existing {
        if covered.contains(&id) || found.iter().any(|v| v.owns(id)) || id.len() != 40 {
            continue;
        }
        if let Ok(cert) = home.public_cert(id)
            && let Ok(v) = CertVerifier::new(cert, &ctx.policy)
        {
            found.push(Box::new(v));
        }
    }
    Ok(cosign.known(found))
}
