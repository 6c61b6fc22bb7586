//! `intoto layout ...`: writing layouts from the command line.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::layout_tools::{CheckArgs, DraftArgs};
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
        #[command(flatten)]
        rebuilders: RebuildersArgs,
    },
    /// Add a functionary key (GnuPG or PEM public key)
    #[command(long_about = manual::help("layout add-key"), after_help = manual::after_help("layout add-key"))]
    #[command(mut_args(edit("gpg", |a| a.required_unless_present_any(["key", "keyring", "rebuilder"]))))]
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
        /// Fetch the signing key of the rebuilderd at URL
        /// (URL/api/v0/public-keys, over HTTPS unless URL says http://) and
        /// add it under the key id its attestations carry (trust on first
        /// use)
        #[arg(long, value_name = "URL", conflicts_with_all = ["gpg", "key", "legacy_keyid"])]
        rebuilder: Option<String>,
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
    /// Replace a functionary key everywhere it appears (keys and steps)
    #[command(long_about = manual::help("layout replace-key"), after_help = manual::after_help("layout replace-key"))]
    #[command(mut_args(edit("gpg", |a| a.required_unless_present_any(["key", "keyring"])
        .help("The new key: a GnuPG key, named as layout add-key's --gpg names it"))))]
    #[command(mut_args(edit("key", |a| a.help("The new key: a PEM public key file"))))]
    #[command(mut_args(edit("cert_store", |a| a.help("The shared OpenPGP certificate store (pgp.cert.d) to find --gpg \
        in when the GnuPG home does not have it (default: $PGP_CERT_D, \
        else ~/.local/share/pgp.cert.d when it exists)"))))]
    #[command(mut_args(edit("allow_noninteroperable", |a| a.help("Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)"))))]
    ReplaceKey {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// The key to replace: its key id as intoto layout show prints it
        /// (a unique prefix of 8+ hex digits is enough; a subkey
        /// fingerprint names its primary key)
        #[arg(value_name = "OLD")]
        old: String,
        #[command(flatten)]
        public: PublicKeyArgs,
        #[command(flatten)]
        policy: InteropArgs,
        /// Add a PEM key under its legacy key id (securesystemslib before
        /// 1.0, in-toto-rs, in-toto-golang), as rebuilderd's links name it
        #[arg(long)]
        legacy_keyid: bool,
    },
    /// Change a step in place: functionaries, threshold, command, rules
    #[command(long_about = manual::help("layout set-step"), after_help = manual::after_help("layout set-step"))]
    SetStep {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// The step to change
        #[arg(value_name = "NAME")]
        name: String,
        /// Key id allowed to perform the step (repeatable; a unique prefix
        /// of 8+ hex digits is enough): replaces the step's functionaries
        /// (with --append, adds to them)
        #[arg(long, value_name = "KEYID")]
        functionary: Vec<String>,
        /// How many distinct functionaries must agree (default: kept)
        #[arg(long, value_name = "N")]
        threshold: Option<i64>,
        /// The command functionaries are expected to run (split like a
        /// shell; "" for none)
        #[arg(long, value_name = "COMMAND")]
        expected_command: Option<String>,
        /// Material rule (repeatable, in order): replaces the step's
        /// material rules (with --append, follows them)
        #[arg(long, value_name = "RULE")]
        material: Vec<String>,
        /// Product rule (repeatable, in order): replaces the step's product
        /// rules (with --append, follows them)
        #[arg(long, value_name = "RULE")]
        product: Vec<String>,
        /// Add the --functionary keys and the rules given after the step's
        /// own instead of replacing them
        #[arg(long)]
        append: bool,
        /// Remove every material rule of the step
        #[arg(long, conflicts_with = "material")]
        clear_materials: bool,
        /// Remove every product rule of the step
        #[arg(long, conflicts_with = "product")]
        clear_products: bool,
    },
    /// Change an inspection in place: its command, rules
    #[command(long_about = manual::help("layout set-inspection"), after_help = manual::after_help("layout set-inspection"))]
    SetInspection {
        /// The layout file
        #[arg(value_name = "LAYOUT")]
        file: PathBuf,
        /// The inspection to change
        #[arg(value_name = "NAME")]
        name: String,
        /// The command the verifier runs (split like a shell; never run
        /// through a shell)
        #[arg(long, value_name = "COMMAND")]
        run: Option<String>,
        /// Material rule (repeatable, in order): replaces the inspection's
        /// material rules (with --append, follows them)
        #[arg(long, value_name = "RULE")]
        material: Vec<String>,
        /// Product rule (repeatable, in order): replaces the inspection's
        /// product rules (with --append, follows them)
        #[arg(long, value_name = "RULE")]
        product: Vec<String>,
        /// Add the rules given after the inspection's own instead of
        /// replacing them
        #[arg(long)]
        append: bool,
        /// Remove every material rule of the inspection
        #[arg(long, conflicts_with = "material")]
        clear_materials: bool,
        /// Remove every product rule of the inspection
        #[arg(long, conflicts_with = "product")]
        clear_products: bool,
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
    /// Draft an unsigned layout from the links of one run (or a dry run)
    #[command(long_about = manual::help("layout draft"), after_help = manual::after_help("layout draft"))]
    Draft(DraftArgs),
    /// Check a layout for mistakes before signing it
    #[command(long_about = manual::help("layout check"), after_help = manual::after_help("layout check"))]
    Check(CheckArgs),
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

/// `layout new --rebuilders`: the standard rebuild layout.
#[derive(Debug, Args, Clone, Default)]
#[command(group = clap::ArgGroup::new("rebuilder_source").multiple(true)
    .args(["rebuilders", "rebuilders_from"]))]
pub struct RebuildersArgs {
    /// Write the standard rebuild layout for these rebuilderd instances
    /// (their keys fetched from URL/api/v0/public-keys, trusted on first
    /// use): step rebuild, an inspection matching {DEB} against its
    /// products (repeatable; several URLs may follow one flag)
    #[arg(long, value_name = "URL", num_args = 1.., requires = "threshold")]
    pub rebuilders: Vec<String>,
    /// Take the rebuilders from FILE, kpcyrd/rebuilderd-community's list
    /// ([[rebuilder]] entries in TOML, or the README holding them), those
    /// serving --distribution
    #[arg(long, value_name = "FILE", requires = "threshold")]
    pub rebuilders_from: Option<PathBuf>,
    /// With --rebuilders-from: the distribution the rebuilders must serve
    #[arg(
        long,
        value_name = "NAME",
        default_value = "debian",
        requires = "rebuilders_from"
    )]
    pub distribution: String,
    /// How many of the rebuilders must have reproduced a package
    #[arg(long, value_name = "K", requires = "rebuilder_source")]
    pub threshold: Option<i64>,
}
