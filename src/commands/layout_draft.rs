//! `intoto layout draft`: an unsigned layout from the links of one run
//! (`--from-links DIR`), or of a dry run performed first (`--from-run
//! STEP=COMMAND…`, as `intoto mock` performs a step).

use anyhow::{Result, anyhow};
use intoto::layout_tools::draft::{self, DraftOptions, LinkFile};
use intoto::record::{DEFAULT_EXCLUDES, RecordOptions};
use intoto::runner::RunOptions;
use intoto::step::{self, StepError, StepSpec};
use intoto_format::models::{Envelope, Signed, expires_from, rule::shell_split};

use super::resolver::Resolver;
use super::run::check_step_name;
use super::{Ctx, Outcome, UiObserver, usage, write_file, write_link};
use crate::cli::layout_tools::DraftArgs;
use crate::cli::specs;
use crate::ui;

/// How long a draft is valid when `--expires` is not given.
const DRAFT_EXPIRY: &str = "30d";

/// `intoto layout draft`
pub fn draft(a: DraftArgs, ctx: &Ctx) -> Result<Outcome> {
    if let Some(out) = &a.output
        && out.exists()
        && !a.force
    {
        return Err(anyhow!(
            "{} already exists (use --force to replace it)",
            out.display()
        ));
    }
    let given = a.expires.as_deref().unwrap_or(DRAFT_EXPIRY);
    let when = expires_from(given, ctx.policy.time(), "--expires")?;
    // Everything that can fail on the command line before anything runs.
    let runs = a
        .from_run
        .iter()
        .map(|r| parse_run(r))
        .collect::<Result<Vec<_>>>()?;
    for (i, (name, _)) in runs.iter().enumerate() {
        if runs[..i].iter().any(|(n, _)| n == name) {
            return usage(format!("--from-run: step '{name}' is given twice"));
        }
    }
    if let Some(dir) = &a.keep_links
        && !dir.is_dir()
    {
        return Err(anyhow!("--keep-links {}: not a directory", dir.display()));
    }
    let (specs, places) = specs::layout_keys(&a.keys);
    let keys = Resolver::new(ctx, places).key_dicts(&specs)?;

    let links = match &a.from_links {
        Some(dir) => draft::read_link_dir(dir).map_err(|e| anyhow!("--from-links {e}"))?,
        None => dry_run(&runs)?,
    };
    let opts = DraftOptions {
        expires: when.expires.clone(),
        keys,
        policy: ctx.policy.clone(),
        allow_rest: a.allow_rest,
        generalize: a.generalize,
        inspection: !a.no_inspection,
    };
    let d = draft::draft(&links, &opts)?;
    if let Some(dir) = &a.keep_links {
        for l in &links {
            if let Signed::Link(link) = l.envelope.signed() {
                write_link(&dir.join(format!("{}.link", link.name)), &l.envelope)?;
            }
        }
    }
    for n in &d.notes {
        if n.is_warning() {
            ui::warn(&n.to_string());
        } else {
            ui::notice(&n.to_string());
        }
    }
    if when.in_the_past {
        ui::warn(&format!(
            "--expires {given}: {} is in the past, so the layout is expired already",
            when.expires
        ));
    } else if a.expires.is_none() {
        ui::notice(&format!(
            "the draft expires {} ({DRAFT_EXPIRY} from now; --expires sets another)",
            when.expires
        ));
    }
    let steps: Vec<String> = d.layout.steps.iter().map(|s| s.name.clone()).collect();
    let env = Envelope::new(Signed::Layout(d.layout), a.dsse)?;
    let bytes = env.to_file_bytes()?;
    match &a.output {
        Some(out) => {
            write_file(out, &bytes)?;
            ui::notice(&format!(
                "wrote unsigned layout {} ({} step{}: {}); review it, check it with \
                 intoto layout check, then sign it with intoto sign",
                out.display(),
                steps.len(),
                if steps.len() == 1 { "" } else { "s" },
                steps.join(", ")
            ));
        }
        None => ui::print_bytes(&bytes)?,
    }
    Ok(Outcome::Success)
}

/// `STEP=COMMAND`: the step's name and its command, split like a shell.
fn parse_run(r: &str) -> Result<(String, Vec<String>)> {
    let Some((name, command)) = r.split_once('=') else {
        return usage(format!(
            "--from-run {r:?}: expected STEP=COMMAND, e.g. 'build=make all'"
        ));
    };
    check_step_name(name).map_err(|e| anyhow!(super::Usage(format!("--from-run {r:?}: {e}"))))?;
    let Some(argv) = shell_split(command).filter(|a| !a.is_empty()) else {
        return usage(format!(
            "--from-run {r:?}: the command is empty or has unbalanced quotes"
        ));
    };
    Ok((name.to_owned(), argv))
}

/// Performs each step in order in the current directory, as `intoto
/// mock` does; the unsigned links stay in memory. A command that fails
/// stops the run.
fn dry_run(runs: &[(String, Vec<String>)]) -> Result<Vec<LinkFile>> {
    let mut links = Vec::new();
    for (name, command) in runs {
        let dot = vec![".".to_owned()];
        let spec = StepSpec {
            name: name.clone(),
            materials: dot.clone(),
            command: command.clone(),
            products: dot,
            record: RecordOptions {
                exclude_patterns: DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect(),
                base_path: None,
                lstrip_paths: Vec::new(),
            },
            run: RunOptions {
                record_streams: true,
                ..Default::default()
            },
        };
        let link = step::perform(&spec, &mut UiObserver::new(name)).map_err(|e| match e {
            StepError::Run(e) => anyhow!("--from-run '{name}': {e}"),
            other => anyhow!("--from-run '{name}': {other}"),
        })?;
        let rv = link.return_value().unwrap_or(0);
        if rv != 0 {
            return Err(anyhow!(
                "--from-run '{name}': the command exited with {rv}; no layout was written"
            ));
        }
        links.push(LinkFile {
            file: format!("the dry run of '{name}'"),
            envelope: Envelope::new(Signed::Link(link), false)?,
        });
    }
    Ok(links)
}
