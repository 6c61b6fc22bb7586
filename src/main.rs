//! The `intoto` binary: parse the command line, run the subcommand, map
//! the outcome to an exit status (0 success, 1 a failed check or an
//! error, 2 usage error; `run` passes a failed command's status through).

mod cli;
mod commands;
mod progress;
mod ui;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    intoto::fsio::install_signal_handlers();
    let threads = intoto::threads::init();
    // Started by apt as its method `intoto+http` (or `+https`): speak the
    // method protocol, not the command line; started by a person (on a
    // terminal, or with --help, which apt never passes): say what it is.
    if let Some(scheme) = std::env::args_os()
        .next()
        .and_then(|a0| commands::apt_method::scheme_of(&a0))
    {
        if commands::apt_method::wants_help() {
            return ExitCode::from(commands::apt_method::print_help(scheme));
        }
        if let Some(w) = &threads.warning {
            ui::warn(w);
        }
        return ExitCode::from(commands::apt_method::main(scheme));
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `verify --json` reports usage errors as JSON too (stdout),
            // besides clap's message (stderr).
            use clap::error::ErrorKind;
            let args: Vec<String> = std::env::args().collect();
            let verify_json = args.iter().skip(1).find(|a| !a.starts_with('-'))
                == Some(&"verify".to_owned())
                && args.iter().any(|a| a == "--json");
            if verify_json
                && !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
            {
                let first = e.to_string();
                let first = first.lines().next().unwrap_or_default();
                let message = first.strip_prefix("error: ").unwrap_or(first);
                let _ = ui::println(&commands::verify_usage_report(message));
            }
            e.exit()
        }
    };
    ui::init(if cli.verbosity.quiet {
        ui::Verbosity::Quiet
    } else if cli.verbosity.verbose {
        ui::Verbosity::Verbose
    } else {
        ui::Verbosity::Normal
    });
    if let Some(w) = &threads.warning {
        ui::warn(w);
    }
    let ctx = match commands::Ctx::from_system(cli.verbosity.quiet) {
        Ok(ctx) => ctx,
        Err(e) => {
            ui::error(&format!("{e:#}"));
            return ExitCode::from(1);
        }
    };
    ExitCode::from(exit_status(commands::dispatch(cli.command, &ctx)))
}

/// The one place an outcome becomes an exit status, the same table for
/// every command (stated in every page of `cli/manual.rs`, so in the man
/// pages and `--help`): 0 success; 1 a check failed, or the command could
/// not be carried out (an unreadable or invalid file, a key that is
/// missing or cannot be used, a write that failed); 2 a usage error (the
/// command line itself is wrong); and `run`'s failed command's own status.
fn exit_status(result: anyhow::Result<commands::Outcome>) -> u8 {
    use commands::Outcome;
    match result {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::Failed) => 1,
        Ok(Outcome::CommandStatus(v)) => {
            // Python's sys.exit(n) semantics: the low 8 bits, never 0.
            match (v & 0xff) as u8 {
                0 => 1,
                code => code,
            }
        }
        Err(e) => {
            // A reader that went away (`| head`) is not a failure; any
            // other error writing stdout is.
            if let Some(s) = e.downcast_ref::<ui::StdoutError>() {
                if s.is_closed_pipe() {
                    return 0;
                }
                ui::error(&s.to_string());
                return 1;
            }
            if let Some(u) = e.downcast_ref::<commands::Usage>() {
                ui::error(&u.0);
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "Try 'intoto --help' for more information."
                );
                return 2;
            }
            ui::error(&format!("{e:#}"));
            1
        }
    }
}
