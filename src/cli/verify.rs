//! `intoto verify`.

use std::path::PathBuf;

use clap::Args;

fn parse_time(s: &str) -> Result<i64, intoto::time::TimeError> {
    intoto::time::parse_time(s)
}

/// `intoto verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The root layout
    #[arg(short = 'l', long, value_name = "PATH")]
    pub layout: PathBuf,
    /// PEM public keys; each must have signed the layout
    #[arg(long, visible_alias = "layout-keys", value_name = "PATH", num_args = 1..)]
    pub verification_keys: Vec<PathBuf>,
    /// GnuPG keys (fingerprint or key id); each must have signed the layout
    #[arg(short = 'g', long, value_name = "KEYID", num_args = 1..)]
    pub gpg: Vec<String>,
    /// GnuPG home holding the --gpg keys
    #[arg(long, value_name = "DIR")]
    pub gpg_home: Option<PathBuf>,
    /// OpenPGP keyring files (armored or binary): with --gpg, where to find
    /// those keys (no gpg needed); alone, one valid signature by any key in
    /// them suffices (as gpgv)
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub keyring: Vec<PathBuf>,
    /// The shared OpenPGP certificate store (pgp.cert.d) to find --gpg keys
    /// in when the GnuPG home does not have them (default: $PGP_CERT_D,
    /// else ~/.local/share/pgp.cert.d when it exists); read without gpg
    #[arg(long, value_name = "DIR")]
    pub cert_store: Option<PathBuf>,
    /// Directory holding the link files
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub link_dir: PathBuf,
    /// Kill an inspection after this many seconds (default: no time limit)
    #[arg(long, value_name = "SECONDS")]
    pub inspection_timeout: Option<u64>,
    /// Substitute {KEY} in the layout's rules and commands (repeatable)
    #[arg(long, value_name = "KEY=VALUE")]
    pub param: Vec<String>,
    /// Verify as of TIME (RFC 3339 or a date): layout expiry, key expiry
    /// and revocation are judged then, for auditing an archived release
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub time: Option<i64>,
    /// At least N distinct keys among those given must have validly signed
    /// the layout (default: every --verification-keys and --gpg key; one
    /// key of a --keyring given alone)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub signatures: Option<u32>,
    /// Print the report as JSON on stdout (docs/verify-report.schema.json),
    /// for every outcome
    #[arg(long)]
    pub json: bool,
    /// Run inspections that a (functionary-signed) sublayout defines
    #[arg(long)]
    pub allow_sublayout_inspections: bool,
    /// Accept GnuPG keys the Python reference cannot verify (NIST ECDSA)
    #[arg(long)]
    pub allow_noninteroperable: bool,
    /// Write <inspection>.link files into the current directory, as the
    /// Python reference does
    #[arg(long)]
    pub write_inspection_links: bool,
}
