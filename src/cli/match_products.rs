//! `intoto match-products`.

use std::path::PathBuf;

use clap::Args;

/// `intoto match-products`
#[derive(Debug, Args)]
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
    /// First check the link's signature with these PEM public keys
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub verification_keys: Vec<PathBuf>,
    /// First check the link's signature with these GnuPG keys
    /// (fingerprint or key id)
    #[arg(short = 'g', long, value_name = "KEYID", num_args = 1..)]
    pub gpg: Vec<String>,
    /// GnuPG home holding the --gpg keys
    #[arg(long, value_name = "DIR")]
    pub gpg_home: Option<PathBuf>,
    /// OpenPGP keyring files (armored or binary): with --gpg, where to find
    /// those keys (no gpg needed); alone, every key in them must have signed
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub keyring: Vec<PathBuf>,
    /// Accept GnuPG keys the Python reference cannot verify (NIST ECDSA)
    #[arg(long)]
    pub allow_noninteroperable: bool,
}
