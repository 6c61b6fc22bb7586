//! `intoto verify`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use intoto::fsio;
use intoto::verify::{LayoutKey, Trace, VerifyOptions, verify_traced};
use serde::Serialize;

use super::resolver::Resolver;
use intoto::observe::Observer as _;

use super::{Ctx, Outcome, UiObserver, Usage, signatures_usage, usage};
use crate::cli::{VerifyArgs, specs};
use crate::ui;
use intoto::keys::spec::KeySpec;

/// Version of the `--json` report (docs/verify-report.schema.json).
pub const REPORT_VERSION: u32 = 2;

/// The `--json` report: the same shape for every outcome.
#[derive(Serialize)]
pub struct JsonReport<'a> {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// `passed`, `failed` or `error`.
    pub result: &'static str,
    /// The layout file, as given.
    pub layout: String,
    /// The moment expiry and revocation were judged at.
    pub time: String,
    /// True when that moment was given with `--time`.
    pub time_given: bool,
    /// Keys that validly signed the layout.
    pub signers: &'a [intoto::verify::SignerReport],
    /// Each step and inspection reached: the links that counted, those
    /// skipped and why.
    pub steps: &'a [intoto::verify::ItemReport],
    /// Warnings, in order.
    pub warnings: &'a [String],
    /// Why verification failed (`result: failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<&'a intoto::verify::Failure>,
    /// Why it could not be carried out (`result: error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<JsonError>,
}

/// An error that stopped verification before a verdict.
#[derive(Serialize)]
pub struct JsonError {
    /// `usage` (exit 2) or `input` (an unreadable or invalid input, exit 1).
    pub kind: &'static str,
    /// One line.
    pub message: String,
}

/// The `--json` report of a usage error clap found before `verify` ran.
pub fn usage_report(message: &str) -> String {
    let report = JsonReport {
        version: REPORT_VERSION,
        result: "error",
        layout: String::new(),
        time: String::new(),
        time_given: false,
        signers: &[],
        steps: &[],
        warnings: &[],
        failure: None,
        error: Some(JsonError {
            kind: "usage",
            message: message.to_owned(),
        }),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// `intoto verify`: 0 verified, 1 failed, 2 usage.
pub fn verify(a: VerifyArgs, ctx: &Ctx) -> Result<Outcome> {
    let ctx = &a.policy.apply(ctx);
    let mut log = UiObserver::default();
    let now = ctx.policy.time();
    if a.policy.time.time.is_some() {
        log.warn(&format!(
            "verifying as of {} (--time): the result shows what held then, not now",
            intoto_format::time::format_expires(now)
        ));
    }
    let mut trace = Trace::default();
    let result = run(&a, ctx, &mut log, &mut trace);
    let report = |result: &'static str, failure, error| JsonReport {
        version: REPORT_VERSION,
        result,
        layout: a.layout.display().to_string(),
        time: intoto_format::time::format_expires(now),
        time_given: a.policy.time.time.is_some(),
        signers: &trace.signers,
        steps: &trace.steps,
        warnings: &log.warnings,
        failure,
        error,
    };
    match result {
        Ok(Ok(())) => {
            if a.json {
                print_json(&report("passed", None, None))?;
            }
            for s in &trace.signers {
                let who = s
                    .user_id
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default();
                ui::notice(&format!("layout signed by {}{who} ({})", s.keyid, s.source));
            }
            ui::ok("verification passed: the software product passed all verification");
            Ok(Outcome::Success)
        }
        Ok(Err(f)) => {
            if a.json {
                // A failure stays a failure even if stdout is gone.
                let _ = print_json(&report("failed", Some(&f), None));
            }
            ui::error(&format!("verification failed ({}): {f}", f.stage.name()));
            if f.stage == intoto::verify::Stage::InspectionRules
                && let Some(here) = metadata_here(&a)
            {
                ui::notice(&format!(
                    "inspections see every file in the current directory, {here} included: \
                     verify in a directory holding only the final product (-l and --link-dir \
                     can point elsewhere)"
                ));
            }
            if !f.stderr_tail().is_empty() {
                // Part of the error (shown with -q too), escaped line by line.
                let n = f.stderr_tail().len();
                ui::always(&format!(
                    "stderr of inspection '{}' (last {n} line{}):",
                    f.inspection.as_deref().unwrap_or_default(),
                    if n == 1 { "" } else { "s" }
                ));
                for l in f.stderr_tail() {
                    ui::always(&format!("  | {l}"));
                }
            }
            Ok(Outcome::Failed)
        }
        Err(e) => {
            if a.json {
                let kind = if e.is::<Usage>() { "usage" } else { "input" };
                let error = JsonError {
                    kind,
                    message: format!("{e:#}"),
                };
                let _ = print_json(&report("error", None, Some(error)));
            }
            Err(e)
        }
    }
}

/// Checks the arguments, loads the layout and keys, and verifies.
fn run(
    a: &VerifyArgs,
    ctx: &Ctx,
    log: &mut UiObserver,
    trace: &mut Trace,
) -> Result<std::result::Result<(), intoto::verify::Failure>> {
    if a.keys.is_empty() {
        return usage(
            "give at least one layout key: --verification-keys PATH..., --gpg KEYID... and/or --keyring FILE...",
        );
    }
    let params = if a.param.is_empty() {
        None
    } else {
        let mut m = BTreeMap::new();
        for p in &a.param {
            let Some((k, v)) = p.split_once('=') else {
                return usage(format!("--param {p:?}: expected KEY=VALUE"));
            };
            if !intoto::verify::is_param_name(k) {
                return usage(format!("--param {p:?}: the name must match [a-zA-Z0-9_-]+"));
            }
            if m.insert(k.to_owned(), v.to_owned()).is_some() {
                return usage(format!("--param {k} is given more than once"));
            }
        }
        Some(m)
    };
    if !a.link_dir.is_dir() {
        return Err(anyhow!(
            "link directory {} does not exist or is not a directory",
            a.link_dir.display()
        ));
    }
    ui::info("Loading layout...");
    let layout = fsio::load_metadata(&a.layout).map_err(|e| anyhow!("layout {e}"))?;
    let keys = layout_keys(a, ctx)?;
    signatures_usage(a.signatures, keys.len())?;
    let opts = VerifyOptions::new(&a.link_dir)
        .params_opt(params)
        .inspection_timeout(a.inspection_timeout.map(Duration::from_secs))
        .policy(ctx.policy.clone())
        .allow_sublayout_inspections(a.allow_sublayout_inspections)
        .work_dir(std::env::current_dir().context("reading the current directory")?)
        .write_inspection_links(a.write_inspection_links)
        .inspect_in_place(a.inspect_in_place)
        .signatures(a.signatures.map(|n| n as usize));
    let summary = super::verify_summary::prepare(&a.summary, ctx)?;
    let result = verify_traced(&layout, &keys, &opts, log, trace);
    if let Some(plan) = summary {
        plan.write(&super::verify_summary::Verified {
            layout: &a.layout,
            link_dir: &a.link_dir,
            trace,
            result: result.as_ref(),
            now: ctx.policy.time(),
        })?;
    }
    Ok(result.map(|_| ()))
}

/// What of the verification's own files lies in the current directory
/// (where inspections look): `the layout`, `the links`, both, or `None`.
fn metadata_here(a: &VerifyArgs) -> Option<&'static str> {
    let cwd = std::env::current_dir().ok()?.canonicalize().ok()?;
    let same = |dir: &std::path::Path| {
        let dir = if dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            dir
        };
        dir.canonicalize().is_ok_and(|d| d == cwd)
    };
    let layout = a.layout.parent().is_some_and(same);
    let links = same(&a.link_dir);
    match (layout, links) {
        (true, true) => Some("the layout and the links"),
        (true, false) => Some("the layout"),
        (false, true) => Some("the links"),
        (false, false) => None,
    }
}

fn print_json<T: Serialize>(v: &T) -> Result<()> {
    let s = serde_json::to_string_pretty(v)?;
    ui::println(&s)?;
    Ok(())
}

fn layout_keys(a: &VerifyArgs, ctx: &Ctx) -> Result<Vec<LayoutKey>> {
    let (specs, mut places) = specs::layout_keys(&a.keys);
    places.cert_store = a.cert_store.cert_store.clone();
    if specs
        .iter()
        .any(|s| matches!(s, KeySpec::Gpg(_) | KeySpec::Keyring(_)))
    {
        ui::info("Loading layout OpenPGP key(s)...");
    }
    Resolver::new(ctx, places).layout_keys(&specs)
}
