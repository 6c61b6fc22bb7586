//! `intoto run`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, anyhow};
use intoto::keys::sign_envelope;
use intoto::runner::RunOptions;
use intoto::step::{self, StepError, StepSpec};
use intoto_format::models::{Envelope, Signed, link_filename, unfinished_filename};

use super::resolver::signer;
use super::{
    Ctx, Outcome, UiObserver, link_attestation, record_options, usage, write_attestation,
    write_link,
};
use crate::cli::RunArgs;
use crate::ui;

/// `intoto run`: returns the command's exit status when it failed (the
/// link is still written, as the reference does).
pub fn run(a: RunArgs, ctx: &Ctx) -> Result<Outcome> {
    let ctx = &a.key.policy.apply(ctx);
    let command = if a.no_command {
        if !a.command.is_empty() {
            ui::warn(&format!(
                "--no-command given: '{}' is not run",
                a.command.join(" ")
            ));
        }
        Vec::new()
    } else if a.command.is_empty() {
        return usage("no command given: put it after `--`, or use --no-command (-x)");
    } else {
        a.command.clone()
    };
    check_step_name(&a.step_name)?;
    check_dir(a.metadata_directory.as_deref())?;
    if a.attestation && a.products.is_empty() {
        return no_products_usage(&a.step_name);
    }
    let signer = signer(&a.key, ctx, format!("the link of step '{}'", a.step_name))?;
    let spec = StepSpec {
        name: a.step_name.clone(),
        materials: a.materials.clone(),
        command,
        products: a.products.clone(),
        record: record_options(&a.record, &[&a.materials[..], &a.products[..]].concat())?,
        run: RunOptions {
            record_streams: a.record_streams,
            timeout: a.run_timeout.map(Duration::from_secs),
            quiet: false,
            cwd: None,
            keep_stderr_tail: false,
        },
    };
    // A failed command may not have made its products: the link still
    // records the failure (and what is there), with a warning for each
    // product that is missing.
    let link = step::perform(&spec, &mut UiObserver::new(&a.step_name)).map_err(|e| match e {
        StepError::Run(e) => anyhow!("step '{}': {e}; no link was written", a.step_name),
        other => anyhow!(other),
    })?;
    warn_truncated(&a.step_name, &link);
    let return_value = link.return_value().unwrap_or(0);
    let path = |keyid: &str| {
        let file = link_filename(&a.step_name, keyid);
        a.metadata_directory
            .as_deref()
            .map_or_else(|| PathBuf::from(&file), |d| d.join(&file))
    };
    let path = if a.attestation {
        let (env, raw) = link_attestation(&link, Some(signer.as_ref()))?;
        let path = path(raw.as_ref().map_or("", |r| r.keyid()));
        write_attestation(&path, &env)?;
        path
    } else {
        let mut env = Envelope::new(Signed::Link(link), a.use_dsse)?;
        let raw = sign_envelope(&mut env, signer.as_ref())?;
        let path = path(raw.keyid());
        write_link(&path, &env)?;
        path
    };
    super::resolver::wrote(&path, signer.as_ref());
    super::hazards::warn_signing(signer.as_ref(), None, ctx.policy.time());
    if return_value != 0 {
        ui::warn(&format!(
            "step '{}': the command exited with {return_value}; the link records it",
            a.step_name
        ));
        return Ok(Outcome::CommandStatus(return_value as i64));
    }
    Ok(Outcome::Success)
}

/// `--attestation` without products: refused before anything runs.
pub(super) fn no_products_usage(step: &str) -> Result<Outcome> {
    usage(format!(
        "step '{step}': --attestation needs products (--products): a Statement needs at least \
         one subject; without products, write the classic link format (drop --attestation)"
    ))
}

/// Says which recorded streams the link holds only the start of.
pub(super) fn warn_truncated(step: &str, link: &intoto_format::models::Link) {
    for (stream, recorded, written) in step::truncated_streams(link) {
        ui::warn(&format!(
            "step '{step}': the command wrote {written} bytes to {stream}, more than \
             the {} MiB recorded: the link holds the first {recorded} (truncated; its \
             byproduct \"{}\" says so)",
            intoto::runner::RECORD_CAP >> 20,
            step::truncated_key(stream),
        ));
    }
}

/// The output directory must exist, and a file must be creatable there,
/// before any work is done (the command is not run for nothing).
pub fn check_dir(dir: Option<&Path>) -> Result<()> {
    if let Some(d) = dir
        && !d.is_dir()
    {
        return Err(anyhow!(
            "metadata directory {} does not exist or is not a directory",
            d.display()
        ));
    }
    let d = dir.unwrap_or(Path::new("."));
    intoto::fsio::check_writable_dir(d).map_err(|e| {
        anyhow!(
            "cannot write {}: {e}; nothing was run or recorded",
            if dir.is_some() {
                format!("to metadata directory {}", d.display())
            } else {
                "to the current directory".to_owned()
            }
        )
    })
}

/// Step names follow the layout's rules: not empty, no '/', '..', NUL or
/// control characters (the link file must be in the directory and
/// matchable by a layout), and every file name made from them
/// (`.<name>.<keyid8>.link-unfinished` the longest) fits the file
/// system's limit of 255 bytes: checked before anything is run.
pub fn check_step_name(name: &str) -> Result<()> {
    intoto_format::models::check_item_name("--step-name", name)
        .map_err(|e| super::Usage(e.to_string()))?;
    let longest = unfinished_filename(name, "00000000").len();
    if longest > NAME_MAX {
        return usage(format!(
            "--step-name is {} bytes long: its link files would have names longer than the \
             {NAME_MAX} bytes a file name may have (at most {} bytes)",
            name.len(),
            NAME_MAX - (longest - name.len())
        ));
    }
    Ok(())
}

/// Longest file name on Linux file systems.
const NAME_MAX: usize = 255;
