//! `intoto verify-archive`.

use std::path::PathBuf;

use clap::Args;

/// `intoto verify-archive`
#[derive(Debug, Args)]
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
    /// PEM public keys; each must have signed the layout
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub verification_keys: Vec<PathBuf>,
    /// GnuPG keys (fingerprint or key id); each must have signed the layout
    #[arg(short = 'g', long, value_name = "KEYID", num_args = 1..)]
    pub gpg: Vec<String>,
    /// GnuPG home holding the --gpg keys
    #[arg(long, value_name = "DIR")]
    pub gpg_home: Option<PathBuf>,
    /// OpenPGP keyring files for the layout: with --gpg, where to find
    /// those keys; alone, one valid signature by any key in them suffices
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub keyring: Vec<PathBuf>,
    /// The shared OpenPGP certificate store (pgp.cert.d) to find --gpg keys in
    #[arg(long, value_name = "DIR")]
    pub cert_store: Option<PathBuf>,
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
    pub shard: Option<intoto::distro::archive::Shard>,
    /// Seconds each rebuilder has to answer for one package (all its
    /// requests)
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Keep the rebuilders' answers in DIR, which only you may write
    /// (default: a temporary directory removed at the end of the run)
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Judge the layout, keys and inspections as of this time (RFC 3339 or
    /// YYYY-MM-DD); also InRelease's Valid-Until
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub time: Option<i64>,
}

fn parse_time(s: &str) -> Result<i64, intoto::time::TimeError> {
    intoto::time::parse_time(s)
}
