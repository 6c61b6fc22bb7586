//! Argument groups shared by several subcommands.

use std::path::PathBuf;

use clap::Args;

/// How a functionary signs: a PEM key file or a GnuPG key.
#[derive(Debug, Args, Clone)]
#[command(group = clap::ArgGroup::new("signer").required(true).multiple(false).args(["signing_key", "gpg"]))]
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
    /// Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)
    #[arg(long)]
    pub allow_noninteroperable: bool,
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

    use super::SigningKeyArgs;
    use crate::cli::{KeyExportArgs, MatchProductsArgs, SignArgs, VerifyArgs};

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

    /// `sign --verify`: `-k` public keys, or `--gpg` keys (from
    /// `--keyring` files when given; `--keyring` alone: all their keys).
    pub fn sign_verifiers(a: &SignArgs) -> (Vec<KeySpec>, KeyPlaces) {
        let (specs, mut pl) = match (&a.key, &a.gpg) {
            (Some(paths), _) => (
                paths.iter().cloned().map(KeySpec::Pem).collect(),
                places(a.gpg_home.as_deref(), &[]),
            ),
            (None, ids) => gpg_or_keyrings(
                ids.as_deref().unwrap_or_default(),
                &a.keyring,
                a.gpg_home.as_deref(),
            ),
        };
        pl.cert_store = a.cert_store.clone();
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

    /// `verify`: `--gpg` keys (from `--keyring` files when given;
    /// `--keyring` alone: all their keys) and `--verification-keys`.
    pub fn verify(a: &VerifyArgs) -> (Vec<KeySpec>, KeyPlaces) {
        let (specs, mut pl) = verifiers(
            &a.verification_keys,
            &a.gpg,
            &a.keyring,
            a.gpg_home.as_deref(),
        );
        pl.cert_store = a.cert_store.clone();
        (specs, pl)
    }

    /// `match-products`: the keys to check the link's signature with, as
    /// `verify`'s layout keys (none: the signature is not checked).
    pub fn match_products(a: &MatchProductsArgs) -> (Vec<KeySpec>, KeyPlaces) {
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
    pub fn one_key(
        key: Option<&Path>,
        gpg: Option<&str>,
        gpg_home: Option<&Path>,
        keyring: Option<&Path>,
    ) -> (KeySpec, KeyPlaces) {
        let keyrings: Vec<PathBuf> = keyring.map(Path::to_path_buf).into_iter().collect();
        let spec = match key {
            Some(p) => KeySpec::Pem(p.to_path_buf()),
            None => KeySpec::Gpg(gpg.map(str::to_owned)),
        };
        (spec, places(gpg_home, &keyrings))
    }

    /// `key export`.
    pub fn export(a: &KeyExportArgs) -> (KeySpec, KeyPlaces) {
        let (spec, mut pl) = one_key(
            a.key.as_deref(),
            a.gpg.as_deref(),
            a.gpg_home.as_deref(),
            a.keyring.as_deref(),
        );
        pl.cert_store = a.cert_store.clone();
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
