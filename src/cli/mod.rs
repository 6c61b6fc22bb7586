//! Command-line definitions (clap derive only: no I/O, no crypto).
//!
//! Flag names follow the Python reference (`in-toto-run`, `in-toto-record`,
//! `in-toto-verify`, `in-toto-sign`, `in-toto-mock`,
//! `in-toto-match-products`) so scripts and tutorials carry over: `intoto
//! verify` takes exactly `in-toto-verify`'s arguments. Every subcommand has an EXAMPLES section; the examples are
//! executed by the test suite.

mod apt_check;
pub mod examples;
mod generate;
mod key;
mod keyargs;
mod layout;
mod layout_graph;
pub mod layout_tools;
pub mod manual;
pub mod markup;
mod match_products;
mod mock;
mod pacman_fetch;
mod record;
mod run;
mod sign;
mod verify;
mod verify_archive;
mod verify_summary;

#[cfg(test)]
mod tests;

use clap::{Args, Parser, Subcommand};

pub use apt_check::AptCheckArgs;
pub use generate::GenerateCommand;
pub use key::{KeyCommand, KeyExportArgs};
use keyargs::edit;
pub use keyargs::{
    CertStoreArgs, InteropArgs, LayoutKeyArgs, PolicyArgs, PublicKeyArgs, RecordArgs,
    SigningKeyArgs, TimeArgs, specs,
};
pub use layout::{LayoutArgs, LayoutCommand, RebuildersArgs};
pub use layout_graph::{GraphArgs, GraphFormat};
pub use match_products::MatchProductsArgs;
pub use mock::MockArgs;
pub use pacman_fetch::PacmanFetchArgs;
pub use record::{RecordCommand, StartArgs, StopArgs};
pub use run::RunArgs;
pub use sign::SignArgs;
pub use verify::VerifyArgs;
pub use verify_archive::VerifyArchiveArgs;
pub use verify_summary::{SummaryArgs, SummaryType, VerifySummaryArgs};

const ABOUT: &str = "Record, sign and verify software supply chains with in-toto";

/// The `intoto` command line.
#[derive(Debug, Parser)]
#[command(name = "intoto", version, about = ABOUT, long_about = manual::help(""), propagate_version = true)]
#[command(after_help = manual::after_help(""))]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
    /// Verbosity.
    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// `-v` / `-q`, accepted before or after the subcommand.
// A fixed place in every subcommand's help (left to clap, it moves when a
// subcommand is added).
#[derive(Debug, Args)]
pub struct Verbosity {
    /// Show what is being done, step by step
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "quiet",
        display_order = 8
    )]
    pub verbose: bool,
    /// Show errors only
    #[arg(short, long, global = true, display_order = 9)]
    pub quiet: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a step's command and write a signed link
    #[command(long_about = manual::help("run"), after_help = manual::after_help("run"))]
    Run(RunArgs),
    /// Record a step in two parts (start, then stop)
    #[command(subcommand, long_about = manual::help("record"), after_help = manual::after_help("record"))]
    Record(RecordCommand),
    /// Verify a final product against its layout and links
    #[command(long_about = manual::help("verify"), after_help = manual::after_help("verify"))]
    Verify(VerifyArgs),
    /// Check a signed verification summary as its consumer would
    #[command(long_about = manual::help("verify-summary"), after_help = manual::after_help("verify-summary"))]
    VerifySummary(VerifySummaryArgs),
    /// Sign link or layout metadata, co-sign layouts, or check signatures
    #[command(long_about = manual::help("sign"), after_help = manual::after_help("sign"))]
    Sign(SignArgs),
    /// Write an unsigned link for a command (to try out a layout)
    #[command(long_about = manual::help("mock"), after_help = manual::after_help("mock"))]
    Mock(MockArgs),
    /// Show key ids and export keys as layout key entries
    #[command(subcommand, long_about = manual::help("key"), after_help = manual::after_help("key"))]
    Key(KeyCommand),
    /// Write and inspect layouts
    #[command(long_about = manual::help("layout"), after_help = manual::after_help("layout"))]
    Layout(LayoutArgs),
    /// Check local files against a link's products
    #[command(long_about = manual::help("match-products"), after_help = manual::after_help("match-products"))]
    MatchProducts(MatchProductsArgs),
    /// Verify every package of a Debian archive index against rebuilders' links
    #[command(long_about = manual::help("verify-archive"), after_help = manual::after_help("verify-archive"))]
    VerifyArchive(VerifyArchiveArgs),
    /// Check .deb files as the apt method would, with apt's configuration
    #[command(long_about = manual::help("apt-check"), after_help = manual::after_help("apt-check"))]
    AptCheck(AptCheckArgs),
    /// Download for pacman (XferCommand), verifying packages against rebuilds
    #[command(long_about = manual::help("pacman-fetch"), after_help = manual::after_help("pacman-fetch"))]
    PacmanFetch(PacmanFetchArgs),
    /// Generate man pages or shell completions
    #[command(subcommand, hide = true)]
    Generate(GenerateCommand),
}
