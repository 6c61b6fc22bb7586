//! `intoto verify`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use intoto::fsio;
use intoto::verify::{LayoutKey, Log, VerifyOptions, verify as verify_chain};
use serde::Serialize;

use super::keys::Resolver;
use super::{Ctx, Outcome, usage};
use crate::cli::{VerifyArgs, specs};
use crate::ui;
use intoto::keys::spec::KeySpec;

#[derive(Serialize)]
struct JsonReport<'a> {
    verified: bool,
    layout: String,
    /// The moment verification judged expiry and revocation at.
    time: String,
    /// True when that moment was given with `--time`.
    time_given: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<&'a intoto::verify::Failure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    warnings: Vec<String>,
}

/// `intoto verify`: 0 verified, 1 failed, 2 usage.
pub fn verify(a: VerifyArgs, ctx: &Ctx) -> Result<Outcome> {
    if a.verification_keys.is_empty() && a.gpg.is_empty() && a.keyring.is_empty() {
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
    let mut log = TeeLog::default();
    let now = ctx.policy.time();
    if a.time.is_some() {
        log.warn(&format!(
            "verifying as of {} (--time): the result shows what held then, not now",
            intoto::time::format_expires(now)
        ));
    }
    let result = (|| -> Result<std::result::Result<(), intoto::verify::Failure>> {
        if !a.link_dir.is_dir() {
            return Err(anyhow!(
                "link directory {} does not exist or is not a directory",
                a.link_dir.display()
            ));
        }
        ui::info("Loading layout...");
        let layout = fsio::load_metadata(&a.layout).map_err(|e| anyhow!("layout {e}"))?;
        let keys = layout_keys(&a, ctx)?;
        let opts = VerifyOptions {
            link_dir: a.link_dir.clone(),
            params: params.clone(),
            inspection_timeout: a.inspection_timeout.map(Duration::from_secs),
            policy: ctx.policy.clone(),
            allow_sublayout_inspections: a.allow_sublayout_inspections,
            work_dir: std::env::current_dir().context("reading the current directory")?,
            write_inspection_links: a.write_inspection_links,
        };
        Ok(verify_chain(&layout, &keys, &opts, &mut log).map(|_| ()))
    })();
    let warnings = log.warnings;
    let layout_name = a.layout.display().to_string();
    match result {
        Ok(Ok(())) => {
            if a.json {
                print_json(&JsonReport {
                    verified: true,
                    layout: layout_name.clone(),
                    time: intoto::time::format_expires(now),
                    time_given: a.time.is_some(),
                    failure: None,
                    error: None,
                    warnings,
                })?;
            }
            ui::ok("verification passed: the software product passed all verification");
            Ok(Outcome::Success)
        }
        Ok(Err(f)) => {
            if a.json {
                // A failure stays a failure even if stdout is gone.
                let _ = print_json(&JsonReport {
                    verified: false,
                    layout: layout_name.clone(),
                    time: intoto::time::format_expires(now),
                    time_given: a.time.is_some(),
                    failure: Some(&f),
                    error: None,
                    warnings,
                });
            }
            ui::error(&format!("verification failed ({}): {f}", f.stage.name()));
            Ok(Outcome::Failed)
        }
        Err(e) => {
            if a.json {
                let _ = print_json(&JsonReport {
                    verified: false,
                    layout: layout_name.clone(),
                    time: intoto::time::format_expires(now),
                    time_given: a.time.is_some(),
                    failure: None,
                    error: Some(format!("{e:#}")),
                    warnings,
                });
            }
            Err(e)
        }
    }
}

/// Shows narration and warnings, and keeps the warnings for `--json`.
#[derive(Default)]
struct TeeLog {
    warnings: Vec<String>,
}

impl Log for TeeLog {
    fn info(&mut self, msg: &str) {
        ui::info(msg);
    }
    fn warn(&mut self, msg: &str) {
        ui::warn(msg);
        self.warnings.push(msg.to_owned());
    }
}

fn print_json<T: Serialize>(v: &T) -> Result<()> {
    let s = serde_json::to_string_pretty(v)?;
    ui::println(&s)?;
    Ok(())
}

fn layout_keys(a: &VerifyArgs, ctx: &Ctx) -> Result<Vec<LayoutKey>> {
    let (specs, places) = specs::verify(a);
    if specs
        .iter()
        .any(|s| matches!(s, KeySpec::Gpg(_) | KeySpec::Keyring(_)))
    {
        ui::info("Loading layout OpenPGP key(s)...");
    }
    let mut keys: Vec<LayoutKey> = Vec::new();
    for r in Resolver::new(ctx, places).verifiers(&specs)? {
        if !keys
            .iter()
            .any(|x| x.verifier.keyid() == r.verifier.keyid())
        {
            keys.push(LayoutKey {
                verifier: r.verifier,
                source: r.source,
            });
        }
    }
    Ok(keys)
}
