//! `intoto layout draft` and `intoto layout check`: the owner's tools
//! before signing.

use std::path::PathBuf;

use clap::Args;

use super::{LayoutKeyArgs, TimeArgs, edit};

/// `intoto layout draft`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).multiple(false).args(["from_links", "from_run"]))]
#[command(mut_args(edit("verification_keys", |a| a.long("key").short('k')
    .help("PEM public keys that may have signed the links: each that did becomes the functionary of its step"))))]
#[command(mut_args(edit("gpg", |a| a.help("GnuPG keys (fingerprint or key id) that may have signed the links"))))]
#[command(mut_args(edit("gpg_home", |a| a.help("GnuPG home holding the --gpg keys"))))]
#[command(mut_args(edit("keyring", |a| a.help("OpenPGP keyring files: with --gpg, where to find those keys (no gpg needed); alone, every key in them"))))]
pub struct DraftArgs {
    /// Draft from the links (*.link) of one run of the supply chain in DIR
    #[arg(long, value_name = "DIR")]
    pub from_links: Option<PathBuf>,
    /// Perform the chain first, in order, in the current directory, as
    /// intoto mock does (the whole directory recorded before and after
    /// each command, unsigned links kept in memory): STEP=COMMAND, the
    /// command split like a shell (never run through one)
    #[arg(long, value_name = "STEP=COMMAND", num_args = 1..)]
    pub from_run: Vec<String>,
    /// Also write the dry run's unsigned links into DIR, as <step>.link
    /// (for intoto layout check --link-dir)
    #[arg(long, value_name = "DIR", requires = "from_run")]
    pub keep_links: Option<PathBuf>,
    /// Write the layout to FILE (default: standard output)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing --output file
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Expiry: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a duration from now
    /// such as 90d, 12w, 6m or 1y (default: 30d, a draft's)
    #[arg(long, value_name = "WHEN")]
    pub expires: Option<String>,
    /// Write ALLOW rules for artifacts no other rule describes (unchanged,
    /// from no earlier step), instead of leaving them to DISALLOW *
    #[arg(long)]
    pub allow_rest: bool,
    /// Write one glob (dir/*) where all the artifacts of a directory go the
    /// same way (created, or taken whole from one earlier step)
    #[arg(long)]
    pub generalize: bool,
    /// Leave out the inspection that checks the final products in the
    /// directory verification runs in
    #[arg(long)]
    pub no_inspection: bool,
    /// Write a DSSE envelope instead of a classic Metablock
    #[arg(long)]
    pub dsse: bool,
    #[command(flatten)]
    pub keys: LayoutKeyArgs,
}

/// `intoto layout check`
#[derive(Debug, Args)]
#[command(mut_args(edit("verification_keys", |a| a.long("key").short('k')
    .help("PEM public keys of the owners who will sign the layout"))))]
#[command(mut_args(edit("gpg", |a| a.help("GnuPG keys of the owners who will sign the layout (their expiry is checked)"))))]
#[command(mut_args(edit("gpg_home", |a| a.help("GnuPG home holding the --gpg keys"))))]
#[command(mut_args(edit("keyring", |a| a.help("OpenPGP keyring files: with --gpg, where to find those keys; alone, every key in them is an owner's"))))]
#[command(mut_args(edit("time", |a| a.help("Judge expiry as of TIME (RFC 3339 or a date), e.g. a release day"))))]
pub struct CheckArgs {
    /// The layout file
    #[arg(value_name = "LAYOUT")]
    pub file: PathBuf,
    /// Also run the steps' rules against the links of a run in DIR
    /// (<step>.<keyid8>.link, or a dry run's <step>.link): which rule took
    /// which artifacts, which took none, which failed
    #[arg(long, value_name = "DIR")]
    pub link_dir: Option<PathBuf>,
    /// Print the findings as one JSON object (see the man page)
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub keys: LayoutKeyArgs,
}
