//! `intoto run`.

use std::path::PathBuf;

use clap::Args;

use super::{RecordArgs, SigningKeyArgs};

/// `intoto run`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Step name; the link is written to <NAME>.<keyid prefix>.link
    #[arg(short = 'n', long, value_name = "NAME")]
    pub step_name: String,
    #[command(flatten)]
    pub key: SigningKeyArgs,
    /// Files or directories to record before the command runs
    #[arg(short = 'm', long, value_name = "PATH", num_args = 1..)]
    pub materials: Vec<String>,
    /// Files or directories to record after the command ran
    #[arg(short = 'p', long, value_name = "PATH", num_args = 1..)]
    pub products: Vec<String>,
    /// Show and record the command's stdout and stderr
    #[arg(short = 's', long)]
    pub record_streams: bool,
    /// Record without running a command (e.g. a sign-off step)
    #[arg(short = 'x', long)]
    pub no_command: bool,
    #[command(flatten)]
    pub record: RecordArgs,
    /// Directory to write the link to (default: current directory)
    #[arg(short = 'd', long, value_name = "DIR")]
    pub metadata_directory: Option<PathBuf>,
    /// Write a DSSE envelope instead of a classic Metablock
    #[arg(long)]
    pub use_dsse: bool,
    /// Write a link attestation (an in-toto Statement v1 with the link predicate v0.3, in DSSE); needs products
    #[arg(long, conflicts_with = "use_dsse")]
    pub attestation: bool,
    /// Kill the command (and everything it started) after this many seconds (default: no time limit)
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub run_timeout: Option<u64>,
    /// The command to run, after --
    // No allow_hyphen_values: a mistyped option before `--` is a usage
    // error with a suggestion, not the command. Everything after the
    // first word of the command is the command's (trailing_var_arg).
    #[arg(value_name = "COMMAND", trailing_var_arg = true)]
    pub command: Vec<String>,
}
