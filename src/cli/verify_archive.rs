//! `intoto verify-archive`.

use std::path::PathBuf;

use clap::Args;

use super::{CertStoreArgs, LayoutKeyArgs, TimeArgs, edit};

/// `intoto verify-archive`
#[derive(Debug, Args)]
#[command(mut_args(edit("keyring", |a| a.help("OpenPGP keyring files for the layout: with --gpg, where to find \
    those keys; alone, one valid signature by any key in them suffices"))))]
#[command(mut_args(edit("cert_store", |a| a.help("The shared OpenPGP certificate store (pgp.cert.d) to find --gpg keys in"))))]
#[command(mut_args(edit("time", |a| a.help("Judge the layout, keys and inspections as of this time (RFC 3339 or \
    YYYY-MM-DD); also InRelease's Valid-Until"))))]
#[command(group = clap::ArgGroup::new("owner").required(true).multiple(true)
    .args(["verification_keys", "gpg", "keyring"]))]
pub struct VerifyArchiveArgs {
    /// The archive's Packages index (plain, .xz, .gz or .zst)
    #[arg(long, value_name = "FILE")]
    pub packages: PathBuf,
    /// The archive's InRelease file, which must list the Packages index
    #[arg(long, value_name = "FILE")]
    pub release: PathBuf,
    /// OpenPGP keyring (armored or binary) the InRelease file must be
    /// signed by, as apt's trusted.gpg.d (repeatable)
    #[arg(long, value_name = "FILE", required = true)]
    pub archive_keyring: Vec<PathBuf>,
    /// The root layout every package is verified with
    #[arg(short = 'l', long, value_name = "FILE")]
    pub layout: PathBuf,
    #[command(flatten)]
    pub keys: LayoutKeyArgs,
    #[command(flatten)]
    pub cert_store: CertStoreArgs,
    /// At least N distinct keys among those given must have validly signed
    /// the layout (default: every --verification-keys and --gpg key; one
    /// key of a --keyring given alone)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub signatures: Option<u32>,
    /// A rebuilder: URL (legacy API, GET URL/sources/SOURCE/VERSION/metadata)
    /// or rebuilderd:URL (rebuilderd's v1 API); repeatable
    #[arg(long, value_name = "URL", required = true)]
    pub rebuilder: Vec<String>,
    /// Verify the .deb files in DIR (named as in the pool) instead of the
    /// index's digests; entries without a file there are skipped
    #[arg(long, value_name = "DIR")]
    pub files: Option<PathBuf>,
    /// Packages verified at the same time (default: the number of CPUs)
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Verify only the packages whose source name hashes to K modulo N
    /// (first 8 bytes of SHA-256, big-endian), 0 <= K < N
    #[arg(long, value_name = "K/N")]
    pub shard: Option<intoto_debian::archive::Shard>,
    /// Seconds each rebuilder has to answer for one package (all its
    /// requests)
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Keep the rebuilders' answers in DIR, which only you may write
    /// (default: a temporary directory removed at the end of the run)
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Tolerate missing evidence for packages whose source matches
    /// PATTERN (a glob: *, ?, [...]), reported as allowed; contradicting
    /// evidence still fails (repeatable; APT::Intoto::Allow)
    #[arg(long, value_name = "PATTERN")]
    pub allow: Vec<String>,
    /// Refuse packages whose source matches PATTERN outright, reported as
    /// denied, without asking the rebuilders (repeatable; APT::Intoto::Deny)
    #[arg(long, value_name = "PATTERN")]
    pub deny: Vec<String>,
    /// Also write FILE: one self-contained HTML page (no script, nothing
    /// fetched) with the counts, a chart per component and architecture,
    /// the packages that did not verify first, and the rebuilders' answer
    /// times
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub policy: TimeArgs,
}
