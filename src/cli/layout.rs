//! `intoto layout ...`: writing layouts from the command line.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{GraphArgs, InteropArgs, LayoutKeyArgs, PublicKeyArgs, edit, manual};

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
    #[command(mut_args(edit("gpg", |a| a.required_unless_present("key"))))]
    #[command(mut_args(edit("cert_store", |a| a.help("The shared OpenPGP certificate store (pgp.cert.d) to find --gpg \
        in when the GnuPG home does not have it (default: $PGP_CERT_D, \
        else ~/.local/share/pgp.cert.d when it exists)"))))]
    #[command(mut_args(edit("allow_noninteroperable", |a| a.help("Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)"))))]
    AddKey {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        #[command(flatten)]
        public: PublicKeyArgs,
        #[command(flatten)]
        policy: InteropArgs,
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
    #[command(mut_args(edit("verification_keys", |a| a.help("PEM public keys to check the signatures with"))))]
    #[command(mut_args(edit("gpg", |a| a.help("GnuPG keys to check the signatures with"))))]
    #[command(mut_args(edit("gpg_home", |a| a.help("GnuPG home for --gpg"))))]
    #[command(mut_args(edit("keyring", |a| a.help("OpenPGP keyring files for --gpg"))))]
    Show {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        #[command(flatten)]
        keys: LayoutKeyArgs,
    },
    /// Draw the supply chain: steps, who performs them, how artifacts flow
    #[command(long_about = manual::help("layout graph"), after_help = manual::after_help("layout graph"))]
    Graph(GraphArgs),
}
