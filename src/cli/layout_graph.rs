//! `intoto layout graph`: the flags.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// `intoto layout graph`
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The layout file
    #[arg(value_name = "LAYOUT")]
    pub file: PathBuf,
    /// svg (a picture), dot (Graphviz source) or mermaid (a Markdown block
    /// GitHub and GitLab draw)
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = GraphFormat::Svg, hide_possible_values = true)]
    pub format: GraphFormat,
    /// Write to FILE instead of standard output
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A report of intoto verify --json for this layout: colour what
    /// passed and mark where verification failed
    #[arg(long, value_name = "REPORT")]
    pub report: Option<PathBuf>,
    /// GnuPG home to name OpenPGP functionaries from, by user id (default:
    /// $GNUPGHOME or ~/.gnupg)
    #[arg(long, value_name = "DIR")]
    pub gpg_home: Option<PathBuf>,
    /// OpenPGP keyring files to name functionaries from, instead of the
    /// GnuPG home
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub keyring: Vec<PathBuf>,
}

/// `--format`
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// An SVG picture, laid out in-process
    Svg,
    /// Graphviz DOT source
    Dot,
    /// A Markdown ```mermaid block
    Mermaid,
}
