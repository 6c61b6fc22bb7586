//! `intoto generate`: the man pages (from the clap definitions and the
//! manual, `cli::manual`) and the shell completions.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow};
use clap::CommandFactory as _;
use intoto::fsio;

use super::Outcome;
use crate::cli::manual::{self, Page};
use crate::cli::markup::{inline_roff, plain_roff, to_roff};
use crate::cli::{Cli, GenerateCommand};
use crate::ui;

/// `intoto generate man DIR` / `intoto generate completions SHELL`.
pub fn generate(g: GenerateCommand) -> Result<Outcome> {
    match g {
        GenerateCommand::Man { dir } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (name, text) in man_pages()? {
                write(&dir, &name, &text)?;
            }
        }
        GenerateCommand::Completions { shell } => {
            let mut cmd = Cli::command();
            // Into a buffer: clap_complete panics on a failing writer.
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "intoto", &mut buf);
            ui::print_bytes(&buf)?;
        }
    }
    Ok(Outcome::Success)
}

fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    let path = dir.join(name);
    fsio::write_atomic(&path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// Every man page: (file name, roff).
pub fn man_pages() -> Result<Vec<(String, String)>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    command_pages(&cmd, "", &mut pages)?;
    for d in manual::DOCUMENTS {
        let mut out = header(d.name, d.section);
        out.push_str(&to_roff(d.text).map_err(|e| anyhow!("{}({}): {e}", d.name, d.section))?);
        pages.push((format!("{}.{}", d.name, d.section), out));
    }
    Ok(pages)
}

fn header(name: &str, section: u8) -> String {
    format!(
        ".TH {} {section} \"\" \"intoto {}\" \"intoto manual\"\n.nh\n.ad l\n",
        plain_roff(&name.to_uppercase()),
        env!("CARGO_PKG_VERSION")
    )
}

/// `intoto-layout-add-step`
fn page_name(path: &str) -> String {
    if path.is_empty() {
        "intoto".to_owned()
    } else {
        format!("intoto-{}", path.replace(' ', "-"))
    }
}

fn command_pages(cmd: &clap::Command, path: &str, pages: &mut Vec<(String, String)>) -> Result<()> {
    let name = page_name(path);
    let page = manual::page(path)
        .ok_or_else(|| anyhow!("`intoto {path}` has no page in cli/manual.rs"))?;
    let text = command_page(cmd, path, page).map_err(|e| anyhow!("{name}(1): {e}"))?;
    pages.push((format!("{name}.1"), text));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let sub_path = if path.is_empty() {
            sub.get_name().to_owned()
        } else {
            format!("{path} {}", sub.get_name())
        };
        command_pages(sub, &sub_path, pages)?;
    }
    Ok(())
}

fn command_page(cmd: &clap::Command, path: &str, page: &Page) -> Result<String, String> {
    let name = page_name(path);
    let full = if path.is_empty() {
        "intoto".to_owned()
    } else {
        format!("intoto {path}")
    };
    let mut out = header(&name, 1);
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let mut about_chars = about.chars();
    let about = match about_chars.next() {
        Some(c) => c.to_lowercase().chain(about_chars).collect(),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        ".SH NAME\n{} \\- {}",
        plain_roff(&name),
        plain_roff(&about)
    );

    out.push_str(".SH SYNOPSIS\n");
    out.push_str(&synopsis(cmd, &full));
    out.push_str(".SH DESCRIPTION\n");
    out.push_str(&to_roff(page.description)?);

    let args: Vec<&clap::Arg> = cmd.get_arguments().filter(|a| !a.is_hide_set()).collect();
    if !args.is_empty() {
        out.push_str(".SH OPTIONS\n");
        for a in args {
            out.push_str(".TP\n");
            out.push_str(&arg_head(a));
            out.push('\n');
            let help = a
                .get_long_help()
                .or_else(|| a.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default();
            let mut text = help.split_whitespace().collect::<Vec<_>>().join(" ");
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if !defaults.is_empty() && a.get_action().takes_values() {
                let _ = write!(text, " (default: {})", defaults.join(", "));
            }
            out.push_str(&plain_roff(&text));
            out.push('\n');
        }
    }

    let subs: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    if !subs.is_empty() {
        out.push_str(".SH COMMANDS\n");
        for s in &subs {
            let sub_path = format!("{full} {}", s.get_name());
            let _ = writeln!(
                out,
                ".TP\n\\fB{}\\fR(1)\n{}",
                plain_roff(&page_name(sub_path.trim_start_matches("intoto").trim())),
                plain_roff(&s.get_about().map(|a| a.to_string()).unwrap_or_default())
            );
        }
    }

    out.push_str(".SH EXIT STATUS\n");
    for (code, meaning) in page.exit_status {
        let _ = writeln!(
            out,
            ".TP\n.B {}\n{}",
            plain_roff(code),
            inline_roff(meaning)?
        );
    }

    for (title, entries) in [
        ("ENVIRONMENT", manual::ENVIRONMENT),
        ("FILES", manual::FILES),
    ] {
        let entries: Vec<_> = entries
            .iter()
            .filter(|e| manual::applies(e, path))
            .collect();
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, ".SH {title}");
        for e in entries {
            let _ = writeln!(
                out,
                ".TP\n\\fB{}\\fR\n{}",
                inline_roff(e.name)?,
                inline_roff(e.text)?
            );
        }
    }

    if let Some(ex) = manual::examples_of(path) {
        out.push_str(".SH EXAMPLES\n");
        out.push_str(&examples(&ex));
    }

    let mut see: Vec<String> = Vec::new();
    if let Some((parent, _)) = full.rsplit_once(' ') {
        see.push(format!(
            "`{}`(1)",
            page_name(parent.trim_start_matches("intoto").trim())
        ));
    }
    if path.is_empty() {
        for p in manual::PAGES.iter().filter(|p| !p.command.is_empty()) {
            see.push(format!("`{}`(1)", page_name(p.command)));
        }
    } else {
        for s in &subs {
            see.push(format!(
                "`{}`(1)",
                page_name(&format!("{path} {}", s.get_name()))
            ));
        }
    }
    for d in manual::DOCUMENTS {
        see.push(format!("`{}`({})", d.name, d.section));
    }
    for s in page.see_also {
        let (n, sec) = s.split_once('(').unwrap_or((s, ""));
        let item = format!("`{n}`({sec}");
        if !see.contains(&item) {
            see.push(item);
        }
    }
    see.dedup();
    out.push_str(".SH SEE ALSO\n");
    out.push_str(&inline_roff(&see.join(", "))?);
    out.push('\n');
    Ok(out)
}

/// `\fB-l\fR, \fB--layout\fR \fIPATH\fR`
fn arg_head(a: &clap::Arg) -> String {
    let mut names = Vec::new();
    if let Some(s) = a.get_short() {
        names.push(format!("\\fB\\-{s}\\fR"));
    }
    if let Some(l) = a.get_long() {
        names.push(format!("\\fB\\-\\-{}\\fR", plain_roff(l)));
    }
    for l in a.get_visible_aliases().unwrap_or_default() {
        names.push(format!("\\fB\\-\\-{}\\fR", plain_roff(l)));
    }
    let value = value_of(a);
    if a.is_positional() {
        return value;
    }
    if value.is_empty() {
        names.join(", ")
    } else {
        format!("{} {value}", names.join(", "))
    }
}

/// The value part of an argument: `\fIPATH\fR`, `\fIPATH\fR...`,
/// `[\fIKEYID\fR]`.
fn value_of(a: &clap::Arg) -> String {
    if !a.get_action().takes_values() {
        return String::new();
    }
    let names: Vec<String> = a
        .get_value_names()
        .map(|v| v.iter().map(|n| n.to_string()).collect())
        .unwrap_or_else(|| vec![a.get_id().to_string().to_uppercase()]);
    let v = names
        .iter()
        .map(|n| format!("\\fI{}\\fR", plain_roff(n)))
        .collect::<Vec<_>>()
        .join(" ");
    let range = a.get_num_args().unwrap_or_default();
    let many = range.max_values() > 1;
    let v = if many { format!("{v}...") } else { v };
    if range.min_values() == 0 {
        format!("[{v}]")
    } else {
        v
    }
}

/// The synopsis: the command, `[options]`, then the required arguments
/// (groups of which one is required as `(a | b)`) and the positionals.
fn synopsis(cmd: &clap::Command, full: &str) -> String {
    let mut parts = vec![format!("\\fB{}\\fR", plain_roff(full))];
    let is_meta = |a: &clap::Arg| matches!(a.get_id().as_str(), "help" | "version");
    let in_required_group: Vec<&clap::ArgGroup> =
        cmd.get_groups().filter(|g| g.is_required_set()).collect();
    let grouped = |a: &clap::Arg| {
        in_required_group
            .iter()
            .any(|g| g.get_args().any(|id| id == a.get_id()))
    };
    let has_optional = cmd.get_arguments().any(|a| {
        !a.is_hide_set() && !a.is_positional() && !a.is_required_set() && !is_meta(a) && !grouped(a)
    });
    if cmd.has_subcommands() {
        parts.push("[\\fIoptions\\fR]".into());
        parts.push("\\fIcommand\\fR".into());
        return format!("{}\n", parts.join(" "));
    }
    if has_optional {
        parts.push("[\\fIoptions\\fR]".into());
    }
    // One argument (flag and value) is never broken across lines.
    let flag = |a: &clap::Arg| {
        let name = match (a.get_short(), a.get_long()) {
            (_, Some(l)) if grouped(a) => format!("\\fB\\-\\-{}\\fR", plain_roff(l)),
            (Some(s), _) => format!("\\fB\\-{s}\\fR"),
            (None, Some(l)) => format!("\\fB\\-\\-{}\\fR", plain_roff(l)),
            (None, None) => String::new(),
        };
        let v = value_of(a);
        if v.is_empty() {
            name
        } else {
            format!("{name}\\ {v}")
        }
    };
    for a in cmd.get_arguments() {
        if a.is_required_set() && !a.is_positional() && !a.is_hide_set() {
            parts.push(flag(a));
        }
    }
    for g in &in_required_group {
        let alts: Vec<String> = g
            .get_args()
            .filter_map(|id| cmd.get_arguments().find(|a| a.get_id() == id))
            .map(flag)
            .collect();
        parts.push(format!("({})", alts.join(" | ")));
    }
    for a in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let mut v = value_of(a);
        if a.is_trailing_var_arg_set() {
            v = format!("\\fB\\-\\-\\fR\\ {v}");
        }
        if !a.is_required_set() {
            v = format!("[{v}]");
        }
        parts.push(v);
    }
    format!("{}\n", parts.join(" "))
}

/// The examples of `--help` as roff: prose as paragraphs, commands
/// (`  $ ` and their continuation lines) as literal blocks.
fn examples(text: &str) -> String {
    let mut out = String::new();
    let mut prose: Vec<&str> = Vec::new();
    let mut code: Vec<&str> = Vec::new();
    let mut open = false;
    let flush_prose = |out: &mut String, prose: &mut Vec<&str>| {
        if !prose.is_empty() {
            let _ = writeln!(out, ".PP\n{}", plain_roff(&prose.join(" ")));
            prose.clear();
        }
    };
    let flush_code = |out: &mut String, code: &mut Vec<&str>| {
        if !code.is_empty() {
            out.push_str(".PP\n.RS 2\n.nf\n");
            for l in code.iter() {
                let _ = writeln!(out, "{}", plain_roff(l));
            }
            out.push_str(".fi\n.RE\n");
            code.clear();
        }
    };
    for line in text.lines().skip_while(|l| l.trim() == "Examples:") {
        if line.starts_with("  $ ") || open {
            flush_prose(&mut out, &mut prose);
            code.push(line.strip_prefix("  ").unwrap_or(line));
            open = line.ends_with('\\');
        } else if line.trim().is_empty() {
            flush_prose(&mut out, &mut prose);
            flush_code(&mut out, &mut code);
        } else {
            flush_code(&mut out, &mut code);
            prose.push(line.trim());
        }
    }
    flush_prose(&mut out, &mut prose);
    flush_code(&mut out, &mut code);
    out
}
