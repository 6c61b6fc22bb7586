//! `intoto record start|stop`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{RecordArgs, SigningKeyArgs, manual};

/// `intoto record ...`
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Record the materials and write .<NAME>.<keyid prefix>.link-unfinished
    #[command(long_about = manual::help("record start"), after_help = manual::after_help("record start"))]
    Start(StartArgs),
    /// Record the products and turn the unfinished link into <NAME>.<keyid prefix>.link
    #[command(long_about = manual::help("record stop"), after_help = manual::after_help("record stop"))]
    Stop(StopArgs),
}

/// `intoto record start`
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Step name
    #[arg(short = 'n', long, value_name = "NAME")]
    pub step_name: String,
    #[command(flatten)]
    pub key: SigningKeyArgs,
    /// Files or directories to record as materials
    #[arg(short = 'm', long, value_name = "PATH", num_args = 1..)]
    pub materials: Vec<String>,
    #[command(flatten)]
    pub record: RecordArgs,
    /// Write a DSSE envelope instead of a classic Metablock
    #[arg(long)]
    pub use_dsse: bool,
}

/// `intoto record stop`
#[derive(Debug, Args)]
pub struct StopArgs {
    /// Step name
    #[arg(short = 'n', long, value_name = "NAME")]
    pub step_name: String,
    #[command(flatten)]
    pub key: SigningKeyArgs,
    /// Files or directories to record as products
    #[arg(short = 'p', long, value_name = "PATH", num_args = 1..)]
    pub products: Vec<String>,
    #[command(flatten)]
    pub record: RecordArgs,
    /// Directory to write the link to (default: current directory)
    #[arg(short = 'd', long, value_name = "DIR")]
    pub metadata_directory: Option<PathBuf>,
    /// Accepted for compatibility; the format follows the unfinished link
    #[arg(long, hide = true)]
    pub use_dsse: bool,
    /// Write a link attestation (an in-toto Statement v1 with the link predicate v0.3, in DSSE) whatever the unfinished link's format; needs products
    #[arg(long)]
    pub attestation: bool,
}
