//! `intoto pacman-fetch`.

use std::path::PathBuf;

use clap::Args;

/// `intoto pacman-fetch [FLAGS] URL OUTPUT`, pacman's `XferCommand`.
/// Every list flag takes one value (repeat it): the two operands follow.
#[derive(Debug, Args)]
pub struct PacmanFetchArgs {
    /// Settings file: one NAME = VALUE a line, the names of these flags
    /// (default /etc/intoto/pacman.conf, ignored when missing); a flag
    /// given replaces the file's setting
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The root layout packages are verified with
    #[arg(short = 'l', long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
    /// PEM public key that must have signed the layout (repeatable)
    #[arg(long, value_name = "PEM")]
    pub verification_key: Vec<PathBuf>,
    /// GnuPG key (fingerprint) that must have signed the layout (repeatable)
    #[arg(short = 'g', long, value_name = "KEYID")]
    pub gpg: Vec<String>,
    /// GnuPG home holding the --gpg keys
    #[arg(long, value_name = "DIR")]
    pub gpg_home: Option<PathBuf>,
    /// OpenPGP keyring file: with --gpg, where to find those keys; alone,
    /// one valid layout signature by any key in it suffices (repeatable)
    #[arg(long, value_name = "FILE")]
    pub keyring: Vec<PathBuf>,
    /// A rebuilder: rebuilderd:URL (rebuilderd's v1 API) or URL (the
    /// legacy path API); repeatable
    #[arg(long, value_name = "URL")]
    pub rebuilder: Vec<String>,
    /// Tolerate missing evidence for packages whose pkgbase matches
    /// PATTERN, with a warning (repeatable)
    #[arg(long, value_name = "PATTERN")]
    pub allow: Vec<String>,
    /// Refuse packages whose pkgbase matches PATTERN (repeatable)
    #[arg(long, value_name = "PATTERN")]
    pub deny: Vec<String>,
    /// Seconds each rebuilder has to answer for one package (default 30)
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// What to download (pacman's %u)
    #[arg(value_name = "URL")]
    pub url: String,
    /// Where pacman wants it (pacman's %o, its .part file)
    #[arg(value_name = "OUTPUT")]
    pub output: PathBuf,
}
