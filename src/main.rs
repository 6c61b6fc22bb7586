//! The `intoto` binary: parse the command line, run the subcommand, map
//! the outcome to an exit status (0 success, 1 failure, 2 usage error;
//! `run` passes a failed command's status through).

mod cli;
mod commands;
mod progress;
mod ui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    intoto::fsio::install_signal_handlers();
    let cli = cli::Cli::parse();
    ui::init(if cli.verbosity.quiet {
        ui::Verbosity::Quiet
    } else if cli.verbosity.verbose {
        ui::Verbosity::Verbose
    } else {
        ui::Verbosity::Normal
    });
    let ctx = commands::Ctx::from_system(cli.verbosity.quiet);
    match commands::dispatch(cli.command, &ctx) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if let Some(commands::Exit(code)) = e.downcast_ref::<commands::Exit>() {
                return ExitCode::from(*code);
            }
            // A reader that went away (`| head`) is not a failure; any
            // other error writing stdout is.
            if let Some(s) = e.downcast_ref::<ui::StdoutError>() {
                if s.is_closed_pipe() {
                    return ExitCode::SUCCESS;
                }
                ui::error(&s.to_string());
                return ExitCode::from(1);
            }
            if let Some(u) = e.downcast_ref::<commands::Usage>() {
                ui::error(&u.0);
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "Try 'intoto --help' for more information."
                );
                return ExitCode::from(2);
            }
            ui::error(&format!("{e:#}"));
            ExitCode::from(1)
        }
    }
}
