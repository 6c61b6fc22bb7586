//! `intoto verify`.

use std::path::PathBuf;

use clap::Args;

use super::{CertStoreArgs, LayoutKeyArgs, PolicyArgs, SummaryArgs, edit};

/// `intoto verify`
#[derive(Debug, Args)]
#[command(mut_args(edit("verification_keys", |a| a.visible_alias("layout-keys"))))]
pub struct VerifyArgs {
    /// The root layout
    #[arg(short = 'l', long, value_name = "PATH")]
    pub layout: PathBuf,
    #[command(flatten)]
    pub keys: LayoutKeyArgs,
    #[command(flatten)]
    pub cert_store: CertStoreArgs,
    /// Directory holding the link files
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub link_dir: PathBuf,
    /// Kill an inspection after this many seconds (default: no time limit)
    #[arg(long, value_name = "SECONDS")]
    pub inspection_timeout: Option<u64>,
    /// Substitute {KEY} in the layout's rules and commands (repeatable)
    #[arg(long, value_name = "KEY=VALUE")]
    pub param: Vec<String>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// At least N distinct keys among those given must have validly signed
    /// the layout (default: every --verification-keys and --gpg key; one
    /// key of a --keyring given alone)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub signatures: Option<u32>,
    /// Print the report as JSON on stdout (docs/verify-report.schema.json),
    /// for every outcome
    #[arg(long)]
    pub json: bool,
    /// Run inspections that a (functionary-signed) sublayout defines
    #[arg(long)]
    pub allow_sublayout_inspections: bool,
    /// Write <inspection>.link files into the current directory, as the
    /// Python reference does
    #[arg(long)]
    pub write_inspection_links: bool,
    /// Run inspections in the current directory itself, which they may
    /// change, as the Python reference does (default: in a private copy of
    /// it, removed afterwards)
    #[arg(long)]
    pub inspect_in_place: bool,
    #[command(flatten, next_help_heading = "Verification summary")]
    pub summary: SummaryArgs,
}
