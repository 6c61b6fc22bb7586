//! `intoto layout check`: the mistakes in a layout, before anyone signs
//! it; one line per finding on stdout (or one JSON object), exit 1 when
//! one is an error.

use anyhow::{Result, anyhow};
use intoto::fsio;
use intoto::layout_tools::check::{self, CheckOptions, Finding, RunLinks, Severity};
use intoto_format::models::Signed;
use serde::Serialize;

use super::resolver::Resolver;
use super::{Ctx, Outcome};
use crate::cli::layout_tools::CheckArgs;
use crate::cli::specs;
use crate::ui;

/// The `--json` report (its shape is documented in the man page).
#[derive(Serialize)]
struct Report<'a> {
    /// The layout file.
    layout: String,
    /// How many findings of each severity.
    errors: usize,
    warnings: usize,
    notes: usize,
    /// Every finding, in order.
    findings: &'a [Finding],
}

/// `intoto layout check`
pub fn check(a: CheckArgs, ctx: &Ctx) -> Result<Outcome> {
    let env = fsio::load_metadata(&a.file).map_err(|e| anyhow!("layout {e}"))?;
    let Signed::Layout(layout) = env.signed() else {
        return Err(anyhow!("{} is a link, not a layout", a.file.display()));
    };
    let (specs, places) = specs::layout_keys(&a.keys);
    let owner_keys = Resolver::new(ctx, places).key_dicts(&specs)?;
    let links = match &a.link_dir {
        Some(dir) if !dir.is_dir() => {
            return Err(anyhow!("--link-dir {}: not a directory", dir.display()));
        }
        Some(dir) => Some(RunLinks::read(layout, dir).map_err(|e| anyhow!("--link-dir {e}"))?),
        None => None,
    };
    let opts = CheckOptions {
        now: a.time.apply(ctx).policy.time(),
        owner_keys,
        links,
    };
    let findings = check::check(layout, &opts);
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    if a.json {
        let report = Report {
            layout: a.file.display().to_string(),
            errors,
            warnings,
            notes,
            findings: &findings,
        };
        ui::println(&serde_json::to_string_pretty(&report)?)?;
    } else {
        let mut text = String::new();
        for f in &findings {
            // Names, rules and paths come from the files: escaped.
            text.push_str(&ui::escape(&f.to_string()));
            text.push('\n');
        }
        ui::print(&text)?;
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    ui::notice(&format!(
        "{}: {}, {}, {}",
        a.file.display(),
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(notes, "note")
    ));
    Ok(if errors > 0 {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}
