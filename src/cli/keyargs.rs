//! Argument groups shared by several subcommands.

use std::path::PathBuf;

use clap::{Arg, Args};

/// Changes the argument `id` of a command in place, for a command whose
/// flags from a shared group say something else (`#[command(mut_args(edit(
/// "gpg", |a| a.help("…"))))]`): clap's `mut_arg` would move the argument
/// to the end, and the man pages and completions list arguments in their
/// order.
pub(crate) fn edit(id: &'static str, f: impl Fn(Arg) -> Arg) -> impl FnMut(Arg) -> Arg {
    move |a| if a.get_id() == id { f(a) } else { a }
}

/// The keys a layout (or a link) must be signed by: `verify`,
/// `verify-archive`, `match-products` and `layout show`. The help texts
/// are `verify`'s; a command whose flags say something else sets its own
/// with `mut_arg`.
#[derive(Debug, Args, Clone)]
pub struct LayoutKeyArgs {
    /// PEM public keys; each must have signed the layout
    #[arg(long, value_name = "PATH", num_args = 1..)]
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
}

impl LayoutKeyArgs {
    /// Whether any key flag was given.
    pub fn is_empty(&self) -> bool {
        self.verification_keys.is_empty() && self.gpg.is_empty() && self.keyring.is_empty()
    }
}

/// `--cert-store`: where `--gpg` keys are looked up after the GnuPG home
/// (`verify`, `verify-archive`, `sign`, `layout add-key`, `key export`).
#[derive(Debug, Args, Clone)]
pub struct CertStoreArgs {
    /// The shared OpenPGP certificate store (pgp.cert.d) to find --gpg keys
    /// in when the GnuPG home does not have them (default: $PGP_CERT_D,
    /// else ~/.local/share/pgp.cert.d when it exists); read without gpg
    #[arg(long, value_name = "DIR")]
    pub cert_store: Option<PathBuf>,
}

/// One public key, a PEM file or a GnuPG key: `layout add-key` and `key
/// export` (each says which of the two is required, and its help texts).
#[derive(Debug, Args, Clone)]
pub struct PublicKeyArgs {
    /// GnuPG key: fingerprint, long key id or subkey fingerprint
    #[arg(short = 'g', long, value_name = "KEYID")]
    pub gpg: Option<String>,
    /// GnuPG home to read --gpg from
    #[arg(long, value_name = "DIR")]
    pub gpg_home: Option<PathBuf>,
    /// OpenPGP keyring file to read --gpg from (instead of a GnuPG home)
    #[arg(long, value_name = "FILE", requires = "gpg")]
    pub keyring: Option<PathBuf>,
    #[command(flatten)]
    pub cert_store: CertStoreArgs,
    /// PEM public key file
    #[arg(short = 'k', long, value_name = "PEM", conflicts_with_all = ["gpg", "keyring"])]
    pub key: Option<PathBuf>,
}

/// `--allow-noninteroperable`, the interop switch of the policy.
#[derive(Debug, Args, Clone, Default)]
pub struct InteropArgs {
    /// Accept GnuPG keys the Python reference cannot verify (NIST ECDSA)
    #[arg(long)]
    pub allow_noninteroperable: bool,
}

/// `--time`, the policy's reference time (`verify-archive`; with
/// `--allow-noninteroperable` in [`PolicyArgs`] for `verify`).
#[derive(Debug, Args, Clone, Default)]
pub struct TimeArgs {
    /// Verify as of TIME (RFC 3339 or a date): layout expiry, key expiry
    /// and revocation are judged then, for auditing an archived release
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub time: Option<i64>,
}

/// The flags that set the policy: `--time` and `--allow-noninteroperable`.
#[derive(Debug, Args, Clone, Default)]
pub struct PolicyArgs {
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub interop: InteropArgs,
}

fn parse_time(s: &str) -> Result<i64, intoto_format::time::TimeError> {
    intoto_format::time::parse_time(s)
}

/// How a functionary signs: a PEM key file or a GnuPG key.
#[derive(Debug, Args, Clone)]
#[command(group = clap::ArgGroup::new("signer").required(true).multiple(false).args(["signing_key", "gpg"]))]
#[command(mut_args(edit("allow_noninteroperable", |a| a.help("Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)"))))]
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
    #[command(flatten)]
    pub policy: InteropArgs,
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
    /// Ignore IN_TOTO_* environment variables and rcfiles
    #[arg(long, conflicts_with = "rcfile")]
    pub isolated: bool,
    /// Also read settings from this rcfile (read last; rcfiles in the
    /// working directory or in the recorded tree are read only this way)
    #[arg(long, value_name = "FILE")]
    pub rcfile: Option<PathBuf>,
}

/// The keys a command line names, as [`KeySpec`]s, and where to look them
/// up: every command's key flags end here, and one resolver in the command
/// layer turns them into keys.
pub mod specs {
    use std::path::{Path, PathBuf};

    use intoto::keys::spec::{KeyPlaces, KeySpec, Password};

    use super::{LayoutKeyArgs, PublicKeyArgs, SigningKeyArgs};
    use crate::cli::SignArgs;

    fn places(gpg_home: Option<&Path>, keyrings: &[PathBuf]) -> KeyPlaces {
        KeyPlaces {
            gpg_home: gpg_home.map(Path::to_path_buf),
            keyrings: keyrings.to_vec(),
            cert_store: None,
            password: None,
            password_flag: None,
        }
    }

    /// `--signing-key PATH` or `--gpg [KEYID]` (clap requires exactly one).
    pub fn signer(a: &SigningKeyArgs) -> (KeySpec, KeyPlaces) {
        let spec = match (&a.signing_key, &a.gpg) {
            (Some(p), _) => KeySpec::Pem(p.clone()),
            (None, id) => KeySpec::Gpg(id.clone().filter(|i| !i.is_empty())),
        };
        let mut pl = places(a.gpg_home.as_deref(), &[]);
        pl.password_flag = Some("-P/--password PASSWORD (or -P alone to be asked)");
        pl.password = a.password.as_ref().map(|p| Password {
            flag: "-P/--password",
            value: Some(p.clone()).filter(|p| !p.is_empty()),
            prompt: format!(
                "Password for {}: ",
                a.signing_key
                    .as_deref()
                    .map_or_else(|| "the key".to_owned(), |p| p.display().to_string())
            ),
        });
        (spec, pl)
    }

    /// `sign`: `-k` private keys, or `--gpg` keys (none: gpg's default).
    pub fn sign_signers(a: &SignArgs) -> (Vec<KeySpec>, KeyPlaces) {
        let mut pl = places(a.gpg_home.as_deref(), &[]);
        pl.password_flag = Some("-p/--prompt to be asked for it");
        if a.prompt {
            pl.password = Some(Password {
                flag: "-p/--prompt",
                value: None,
                prompt: "Password for the signing key(s): ".into(),
            });
        }
        let specs = match (&a.key, &a.gpg) {
            (Some(paths), _) => paths.iter().cloned().map(KeySpec::Pem).collect(),
            (None, Some(ids)) if ids.is_empty() => vec![KeySpec::Gpg(None)],
            (None, Some(ids)) => ids.iter().map(|i| KeySpec::Gpg(Some(i.clone()))).collect(),
            (None, None) => Vec::new(),
        };
        (specs, pl)
    }

    /// `sign --verify`: as [`layout_keys`]: `-k` public keys and `--gpg`
    /// keys (from `--keyring` files when given; `--keyring` without
    /// `--gpg`: all their keys).
    pub fn sign_verifiers(a: &SignArgs) -> (Vec<KeySpec>, KeyPlaces) {
        let (specs, mut pl) = verifiers(
            a.key.as_deref().unwrap_or_default(),
            a.gpg.as_deref().unwrap_or_default(),
            &a.keyring,
            a.gpg_home.as_deref(),
        );
        pl.cert_store = a.cert_store.cert_store.clone();
        (specs, pl)
    }

    /// `sign --append --signed-by`: PEM public keys or keyrings, told apart
    /// by their contents, and `--keyring` files.
    pub fn sign_signed_by(a: &SignArgs) -> Vec<KeySpec> {
        a.signed_by
            .iter()
            .chain(&a.keyring)
            .cloned()
            .map(KeySpec::PublicFile)
            .collect()
    }

    /// `verify`, `verify-archive`, `match-products`, `layout show`: `--gpg`
    /// keys (from `--keyring` files when given; `--keyring` alone: all
    /// their keys) and `--verification-keys`.
    pub fn layout_keys(a: &LayoutKeyArgs) -> (Vec<KeySpec>, KeyPlaces) {
        verifiers(
            &a.verification_keys,
            &a.gpg,
            &a.keyring,
            a.gpg_home.as_deref(),
        )
    }

    /// PEM public keys, and `--gpg` keys (from keyring files when given;
    /// keyring files alone: all their keys).
    pub fn verifiers(
        pem: &[PathBuf],
        gpg: &[String],
        keyrings: &[PathBuf],
        gpg_home: Option<&Path>,
    ) -> (Vec<KeySpec>, KeyPlaces) {
        let (mut specs, pl) = gpg_or_keyrings(gpg, keyrings, gpg_home);
        specs.extend(pem.iter().cloned().map(KeySpec::Pem));
        (specs, pl)
    }

    /// `layout add-key` and `key export`: one PEM key or one GnuPG key.
    pub fn one_key(a: &PublicKeyArgs) -> (KeySpec, KeyPlaces) {
        let keyrings: Vec<PathBuf> = a.keyring.iter().cloned().collect();
        let spec = match &a.key {
            Some(p) => KeySpec::Pem(p.clone()),
            None => KeySpec::Gpg(a.gpg.clone()),
        };
        let mut pl = places(a.gpg_home.as_deref(), &keyrings);
        pl.cert_store = a.cert_store.cert_store.clone();
        (spec, pl)
    }

    fn gpg_or_keyrings(
        ids: &[String],
        keyrings: &[PathBuf],
        gpg_home: Option<&Path>,
    ) -> (Vec<KeySpec>, KeyPlaces) {
        if ids.is_empty() {
            (
                keyrings.iter().cloned().map(KeySpec::Keyring).collect(),
                places(gpg_home, &[]),
            )
        } else {
            (
                ids.iter().map(|i| KeySpec::Gpg(Some(i.clone()))).collect(),
                places(gpg_home, keyrings),
            )
        }
    }
}
