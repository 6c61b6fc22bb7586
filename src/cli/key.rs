//! `intoto key id|export`.

use clap::{Args, Subcommand};

use super::{InteropArgs, PublicKeyArgs, edit, manual};

/// `intoto key ...`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Print the in-toto key id of a PEM key or an OpenPGP key file
    #[command(long_about = manual::help("key id"), after_help = manual::after_help("key id"))]
    Id {
        /// PEM file (SubjectPublicKeyInfo or PKCS#8), or an OpenPGP key
        /// file (armored or binary)
        #[arg(value_name = "FILE")]
        path: std::path::PathBuf,
        /// The key of the OpenPGP key file to print, when it holds several:
        /// fingerprint, key id, user id or e-mail address
        #[arg(short = 'g', long, value_name = "KEYID")]
        gpg: Option<String>,
        /// Print the legacy key id (securesystemslib before 1.0,
        /// in-toto-rs, in-toto-golang, rebuilderd)
        #[arg(long)]
        legacy_keyid: bool,
    },
    /// Print the layout key entry (JSON) for a GnuPG or PEM key
    #[command(long_about = manual::help("key export"), after_help = manual::after_help("key export"))]
    Export(KeyExportArgs),
}

/// `intoto key export`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).multiple(true).args(["gpg", "key", "keyring"]))]
#[command(mut_args(edit("gpg", |a| a.help("OpenPGP key: fingerprint, key id, subkey fingerprint, user id or e-mail address"))))]
#[command(mut_args(edit("gpg_home", |a| a.help("GnuPG home to export from"))))]
#[command(mut_args(edit("keyring", |a| a.help("Read the OpenPGP key from this key file (armored or binary) instead of a GnuPG home; alone, its one key"))))]
#[command(mut_args(edit("allow_noninteroperable", |a| a.help("Allow key types the Python reference cannot verify (NIST ECDSA)"))))]
pub struct KeyExportArgs {
    #[command(flatten)]
    pub public: PublicKeyArgs,
    #[command(flatten)]
    pub policy: InteropArgs,
    /// Print {"<keyid>": {...}}, ready to merge into a layout's keys
    #[arg(long)]
    pub with_id: bool,
    /// Export a PEM key under its legacy key id, as securesystemslib
    /// before 1.0, in-toto-rs and in-toto-golang compute it (the id
    /// rebuilderd signs its attestations under)
    #[arg(long)]
    pub legacy_keyid: bool,
}
