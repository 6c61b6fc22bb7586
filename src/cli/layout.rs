//! `intoto layout ...`: writing layouts from the command line.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::manual;

/// `intoto layout`
#[derive(Debug, Args)]
pub struct LayoutArgs {
    /// What to do
    #[command(subcommand)]
    pub command: LayoutCommand,
}

/// `intoto layout ...`
#[derive(Debug, Subcommand)]
pub enum LayoutCommand {
    /// Create a new, empty, unsigned layout
    #[command(long_about = manual::help("layout new"), after_help = manual::after_help("layout new"))]
    New {
        /// The layout file to create
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// Expiry: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a duration from now
        /// such as 90d, 12w, 6m or 1y (a date in the past is written, with
        /// a warning)
        #[arg(long, value_name = "WHEN")]
        expires: String,
        /// Free-text description of the supply chain
        #[arg(long, value_name = "TEXT", default_value = "")]
        readme: String,
        /// Write a DSSE envelope instead of a classic Metablock
        #[arg(long)]
        dsse: bool,
        /// Replace an existing file
        #[arg(long)]
        force: bool,
    },
    /// Add a functionary key (GnuPG or PEM public key)
    #[command(long_about = manual::help("layout add-key"), after_help = manual::after_help("layout add-key"))]
    AddKey {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// GnuPG key: fingerprint, long key id or subkey fingerprint
        #[arg(
            short = 'g',
            long,
            value_name = "KEYID",
            required_unless_present = "key"
        )]
        gpg: Option<String>,
        /// GnuPG home to read --gpg from
        #[arg(long, value_name = "DIR")]
        gpg_home: Option<PathBuf>,
        /// OpenPGP keyring file to read --gpg from (instead of a GnuPG home)
        #[arg(long, value_name = "FILE", requires = "gpg")]
        keyring: Option<PathBuf>,
        /// The shared OpenPGP certificate store (pgp.cert.d) to find --gpg
        /// in when the GnuPG home does not have it (default: $PGP_CERT_D,
        /// else ~/.local/share/pgp.cert.d when it exists)
        #[arg(long, value_name = "DIR")]
        cert_store: Option<PathBuf>,
        /// PEM public key file
        #[arg(short = 'k', long, value_name = "PEM", conflicts_with_all = ["gpg", "keyring"])]
        key: Option<PathBuf>,
        /// Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)
        #[arg(long)]
        allow_noninteroperable: bool,
        /// Add a PEM key under its legacy key id (securesystemslib before
        /// 1.0, in-toto-rs, in-toto-golang), as rebuilderd's links name it
        #[arg(long)]
        legacy_keyid: bool,
    },
    /// Add a step at the end
    #[command(long_about = manual::help("layout add-step"), after_help = manual::after_help("layout add-step"))]
    AddStep {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// Step name (links are <name>.<keyid prefix>.link)
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Key id allowed to perform the step (repeatable; a unique prefix of 8+ hex digits is enough)
        #[arg(long, value_name = "KEYID", required = true)]
        functionary: Vec<String>,
        /// How many distinct functionaries must agree
        #[arg(long, value_name = "N", default_value_t = 1)]
        threshold: i64,
        /// The command functionaries are expected to run (split like a shell)
        #[arg(long, value_name = "COMMAND")]
        expected_command: Option<String>,
        /// Material rule, e.g. "MATCH * WITH PRODUCTS FROM clone" (repeatable, in order)
        #[arg(long, value_name = "RULE")]
        material: Vec<String>,
        /// Product rule, e.g. "CREATE *" (repeatable, in order)
        #[arg(long, value_name = "RULE")]
        product: Vec<String>,
    },
    /// Add an inspection at the end
    #[command(long_about = manual::help("layout add-inspection"), after_help = manual::after_help("layout add-inspection"))]
    AddInspection {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// Inspection name
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The command the verifier runs (split like a shell; never run through a shell)
        #[arg(long, value_name = "COMMAND")]
        run: String,
        /// Material rule (repeatable, in order)
        #[arg(long, value_name = "RULE")]
        material: Vec<String>,
        /// Product rule (repeatable, in order)
        #[arg(long, value_name = "RULE")]
        product: Vec<String>,
    },
    /// Remove a step; rules of other steps and inspections must not name it
    #[command(long_about = manual::help("layout remove-step"), after_help = manual::after_help("layout remove-step"))]
    RemoveStep {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// The step to remove
        #[arg(long, value_name = "NAME")]
        name: String,
    },
    /// Remove an inspection; rules of other inspections must not name it
    #[command(long_about = manual::help("layout remove-inspection"), after_help = manual::after_help("layout remove-inspection"))]
    RemoveInspection {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// The inspection to remove
        #[arg(long, value_name = "NAME")]
        name: String,
    },
    /// Remove a functionary key, also from the steps it may perform
    #[command(long_about = manual::help("layout remove-key"), after_help = manual::after_help("layout remove-key"))]
    RemoveKey {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// The key id (a unique prefix of 8+ hex digits is enough; a
        /// subkey fingerprint names its primary key)
        #[arg(value_name = "KEYID")]
        keyid: String,
    },
    /// Change when the layout expires
    #[command(long_about = manual::help("layout set-expires"), after_help = manual::after_help("layout set-expires"))]
    SetExpires {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a duration from now such as
        /// 90d, 12w, 6m or 1y (a date in the past is written, with a
        /// warning)
        #[arg(value_name = "WHEN")]
        expires: String,
    },
    /// Change the layout's free-text description
    #[command(long_about = manual::help("layout set-readme"), after_help = manual::after_help("layout set-readme"))]
    SetReadme {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// The new description (may be empty)
        #[arg(value_name = "TEXT")]
        readme: String,
    },
    /// Show a layout: steps, who may sign them, rules, expiry, signatures
    #[command(long_about = manual::help("layout show"), after_help = manual::after_help("layout show"))]
    Show {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// PEM public keys to check the signatures with
        #[arg(long, value_name = "PATH", num_args = 1..)]
        verification_keys: Vec<PathBuf>,
        /// GnuPG keys to check the signatures with
        #[arg(short = 'g', long, value_name = "KEYID", num_args = 1..)]
        gpg: Vec<String>,
        /// GnuPG home for --gpg
        #[arg(long, value_name = "DIR")]
        gpg_home: Option<PathBuf>,
        /// OpenPGP keyring files for --gpg
        #[arg(long, value_name = "FILE", num_args = 1..)]
        keyring: Vec<PathBuf>,
    },
}
