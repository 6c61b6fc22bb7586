//! Keys as a user names them: what the command line gives, before any file
//! is read. The command layer turns specs into signers, verifiers and
//! layout key entries in one place.

use std::path::PathBuf;

/// One key (or set of keys) named by the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySpec {
    /// A PEM key file: a private key to sign; to verify or export, a
    /// public key (or, for key ids and exports, an unencrypted private key).
    Pem(PathBuf),
    /// A GnuPG key: fingerprint, key id or a user id naming one key; `None`
    /// is gpg's default key (signing only). Found in [`KeyPlaces::keyrings`]
    /// when given, else in the GnuPG home.
    Gpg(Option<String>),
    /// Every key in an OpenPGP keyring file (verifying only).
    Keyring(PathBuf),
    /// A public key file of either kind, told apart by its contents: PEM
    /// or an OpenPGP keyring (`sign --signed-by`).
    PublicFile(PathBuf),
}

/// Where [`KeySpec::Gpg`] keys are looked up, and how encrypted PEM keys
/// are unlocked.
#[derive(Clone, Debug, Default)]
pub struct KeyPlaces {
    /// The GnuPG home (default: `$GNUPGHOME`, else `~/.gnupg`).
    pub gpg_home: Option<PathBuf>,
    /// OpenPGP keyring files to find `--gpg` keys in, instead of the home.
    pub keyrings: Vec<PathBuf>,
    /// The shared OpenPGP certificate store (pgp.cert.d) to find `--gpg`
    /// keys in when the GnuPG home does not have them; `None`:
    /// `$PGP_CERT_D`, else `~/.local/share/pgp.cert.d` when it exists.
    pub cert_store: Option<PathBuf>,
    /// The password of encrypted PEM signing keys.
    pub password: Option<Password>,
    /// How the command is given a PEM key's password (`-P/--password`,
    /// `-p/--prompt`), named when an encrypted key comes without one;
    /// `None`: the command has no such flag.
    pub password_flag: Option<&'static str>,
    /// `--passphrase-file`: the passphrase of encrypted PEM keys and of
    /// GnuPG keys (given to gpg-agent with loopback pinentry), read from
    /// the first line of this file
    /// ([`read_passphrase_file`](crate::keys::passphrase::read_passphrase_file)).
    pub passphrase_file: Option<PathBuf>,
}

/// Where a PEM key's password comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Password {
    /// The flag that gave it, for messages (`-P/--password`, `-p/--prompt`).
    pub flag: &'static str,
    /// Given on the command line, or `None`: ask (once) with this prompt.
    pub value: Option<String>,
    /// What to ask, when asking.
    pub prompt: String,
}
