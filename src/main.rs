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
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            if let Some(u) = e.downcast_ref::<commands::Usage>() {
                ui::error(&u.0);
                eprintln!("Try 'intoto --help' for more information.");
                return ExitCode::from(2);
            }
            ui::error(&format!("{e:#}"));
            ExitCode::from(1)
        }
    }
}
