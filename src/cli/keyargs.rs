//! Argument groups shared by several subcommands.

use std::path::PathBuf;

use clap::Args;

/// How a functionary signs: a PEM key file or a GnuPG key.
#[derive(Debug, Args, Clone)]
#[command(group = clap::ArgGroup::new("signer").required(true).multiple(false).args(["signing_key", "gpg"]))]
pub struct SigningKeyArgs {
    /// Sign with this PEM private key (PKCS#8: rsa, ecdsa, ed25519)
    #[arg(long, value_name = "PATH")]
    pub signing_key: Option<PathBuf>,
    /// Sign with this GnuPG key (fingerprint, key id or user id); without
    /// KEYID, gpg's default key
    #[arg(short = 'g', long, value_name = "KEYID", num_args = 0..=1, default_missing_value = "")]
    pub gpg: Option<String>,
    /// GnuPG home directory (default: $GNUPGHOME or ~/.gnupg)
    #[arg(long, value_name = "DIR")]
    pub gpg_home: Option<PathBuf>,
    /// Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)
    #[arg(long)]
    pub allow_noninteroperable: bool,
    /// Password of an encrypted --signing-key; -P alone asks for it
    #[arg(short = 'P', long, value_name = "PASSWORD", num_args = 0..=1, default_missing_value = "")]
    pub password: Option<String>,
}

/// How artifacts are recorded.
#[derive(Debug, Args, Clone)]
pub struct RecordArgs {
    /// gitignore-style patterns of paths not to record; replaces the
    /// defaults '*.link*' '.git' '*.pyc' '*~'
    #[arg(long, value_name = "PATTERN", num_args = 1..)]
    pub exclude: Option<Vec<String>>,
    /// Resolve material and product paths from this directory (it is not
    /// part of the recorded names)
    #[arg(long, value_name = "DIR")]
    pub base_path: Option<PathBuf>,
    /// Strip these prefixes from recorded names (the first that matches)
    #[arg(long, value_name = "PREFIX", num_args = 1..)]
    pub lstrip_paths: Vec<String>,
    /// Ignore IN_TOTO_* environment variables and .in_totorc files
    #[arg(long)]
    pub isolated: bool,
}
