//! `intoto verify-summary`, and `verify`'s `--summary` flags.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{LayoutKeyArgs, edit};

/// Which verification summary `verify --summary` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryType {
    /// in-toto's Simple Verification Result v0.2 (a pass only)
    Svr,
    /// SLSA's Verification Summary v1 (needs --summary-resource)
    Vsa,
}

/// `verify --summary FILE` and how it is signed.
#[derive(Debug, Args, Clone)]
pub struct SummaryArgs {
    /// After a passing verification, write a signed summary of it to FILE
    /// (an in-toto Statement v1 in DSSE whose subjects are the final
    /// products)
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// The summary's predicate: svr or vsa
    #[arg(long, value_name = "TYPE", value_enum, default_value_t = SummaryType::Svr)]
    pub summary_type: SummaryType,
    /// Sign the summary with this PEM private key
    #[arg(
        long,
        value_name = "PATH",
        requires = "summary",
        conflicts_with = "summary_gpg"
    )]
    pub summary_signing_key: Option<PathBuf>,
    /// Sign the summary with this GnuPG key (fingerprint, key id or user id)
    #[arg(long, value_name = "KEYID", requires = "summary")]
    pub summary_gpg: Option<String>,
    /// GnuPG home holding the --summary-gpg key
    #[arg(long, value_name = "DIR", requires = "summary_gpg")]
    pub summary_gpg_home: Option<PathBuf>,
    /// A further property that held, named in the summary (repeatable)
    #[arg(long, value_name = "NAME", requires = "summary")]
    pub summary_property: Vec<String>,
    /// The resource the VSA is about (its resourceUri; required with
    /// --summary-type vsa)
    #[arg(long, value_name = "URI", requires = "summary")]
    pub summary_resource: Option<String>,
    /// Name these files as the subjects instead of the final products
    /// (required with --summary-on-failure)
    #[arg(long, value_name = "PATH", num_args = 1.., requires = "summary")]
    pub summary_subject: Vec<PathBuf>,
    /// With --summary-type vsa, also write a summary when verification
    /// fails, saying FAILED
    #[arg(long, requires = "summary")]
    pub summary_on_failure: bool,
}

/// `intoto verify-summary`
#[derive(Debug, Args)]
#[command(mut_args(edit("verification_keys", |a| a.help("PEM public keys of the verifiers trusted to sign summaries"))))]
#[command(mut_args(edit("gpg", |a| a.help("GnuPG keys (fingerprint or key id) trusted to sign summaries"))))]
pub struct VerifySummaryArgs {
    /// The summary (a DSSE envelope)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// An artifact that must be one of the summary's subjects (by sha256)
    #[arg(long, value_name = "PATH", num_args = 1.., required = true)]
    pub artifact: Vec<PathBuf>,
    #[command(flatten)]
    pub keys: LayoutKeyArgs,
    /// The sha256 of the layout (policy) the summary must name
    #[arg(long, value_name = "SHA256")]
    pub policy_digest: Option<String>,
    /// A property (SVR) or verified level (VSA) the summary must name
    /// (repeatable)
    #[arg(long, value_name = "NAME")]
    pub property: Vec<String>,
    /// The resource a VSA must be about (its resourceUri)
    #[arg(long, value_name = "URI")]
    pub resource: Option<String>,
}
