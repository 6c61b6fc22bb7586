//! `intoto sign`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{CertStoreArgs, InteropArgs};

/// `intoto sign`
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The link or layout to sign or check
    #[arg(
        short = 'f',
        long,
        value_name = "PATH",
        required_unless_present = "merge"
    )]
    pub file: Option<PathBuf>,
    /// Merge the signatures of copies of one layout signed on different
    /// machines into the first (or into -o PATH); refused when their signed
    /// content differs; every signature whose key is known is checked
    #[arg(long, value_name = "PATH", num_args = 2.., conflicts_with_all = ["file", "key", "gpg", "append", "verify", "prompt", "signatures"])]
    pub merge: Vec<PathBuf>,
    /// PEM keys: private keys to sign, public keys with --verify
    #[arg(short = 'k', long, value_name = "PATH", num_args = 1..)]
    pub key: Option<Vec<PathBuf>>,
    /// Ask for the password of encrypted signing keys
    #[arg(short = 'p', long)]
    pub prompt: bool,
    /// GnuPG keys; without KEYID, gpg's default key (signing only)
    #[arg(short = 'g', long, value_name = "KEYID", num_args = 0..)]
    pub gpg: Option<Vec<String>>,
    /// GnuPG home directory
    #[arg(long, value_name = "DIR")]
    pub gpg_home: Option<PathBuf>,
    /// OpenPGP keyring files (armored or binary). With --verify: where to
    /// find the --gpg keys (no gpg needed), or without --gpg, one valid
    /// signature by any key in them suffices (as gpgv). With --append: keys
    /// to check the existing signatures with
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub keyring: Vec<PathBuf>,
    #[command(flatten)]
    pub cert_store: CertStoreArgs,
    /// With --append or --merge: public keys (PEM) or OpenPGP keyrings of
    /// the existing signers, to check their signatures
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub signed_by: Vec<PathBuf>,
    #[command(flatten)]
    pub policy: InteropArgs,
    /// Where to write (default: a layout in place, a link to <name>.<keyid prefix>.link)
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Add signatures instead of replacing them (layouts only)
    #[arg(short = 'a', long)]
    pub append: bool,
    /// With --append: a key that signed already replaces its own signature
    /// (for OpenPGP, one by any subkey of the same primary key)
    #[arg(long, requires = "append")]
    pub replace: bool,
    /// Check the signatures instead of signing: each --key and --gpg key
    /// must have signed, one key of a --keyring given alone suffices
    #[arg(long)]
    pub verify: bool,
    /// With --verify: at least N distinct keys among those given must have
    /// validly signed
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub signatures: Option<u32>,
}

impl SignArgs {
    /// `-f PATH` (empty with `--merge`, which clap requires otherwise).
    pub fn file(&self) -> &Path {
        self.file.as_deref().unwrap_or(Path::new(""))
    }
}
