//! `intoto match-products`.

use std::path::PathBuf;

use clap::Args;

use super::{InteropArgs, LayoutKeyArgs, edit};

/// `intoto match-products`
#[derive(Debug, Args)]
#[command(mut_args(edit("verification_keys", |a| a.help("First check the link's signature with these PEM public keys"))))]
#[command(mut_args(edit("gpg", |a| a.help("First check the link's signature with these GnuPG keys \
    (fingerprint or key id)"))))]
#[command(mut_args(edit("keyring", |a| a.help("OpenPGP keyring files (armored or binary): with --gpg, where to find \
    those keys (no gpg needed); alone, a valid signature by any key in them suffices"))))]
pub struct MatchProductsArgs {
    /// The link whose products the local files are compared with
    #[arg(short = 'l', long, value_name = "PATH")]
    pub link: PathBuf,
    /// Files or directories to record and compare (default: .)
    #[arg(short = 'p', long, value_name = "PATH", num_args = 1..)]
    pub paths: Vec<String>,
    /// gitignore-style patterns of paths not to compare; replaces the
    /// defaults '*.link*' '.git' '*.pyc' '*~'
    #[arg(short = 'e', long, value_name = "PATTERN", num_args = 1..)]
    pub exclude: Option<Vec<String>>,
    /// Strip these prefixes from local paths (the first that matches), as
    /// the step did when it recorded its products
    #[arg(long, value_name = "PREFIX", num_args = 1..)]
    pub lstrip_paths: Vec<String>,
    #[command(flatten)]
    pub keys: LayoutKeyArgs,
    #[command(flatten)]
    pub policy: InteropArgs,
}
