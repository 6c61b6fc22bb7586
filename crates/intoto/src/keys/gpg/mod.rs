//! Signing with the user's GnuPG keys, and reading their public keys.
//!
//! The secret key never leaves gpg-agent (or the OpenPGP card behind it).
//! We choose the signing (sub)key ourselves, like gpg does (a valid,
//! unexpired, unrevoked, signing-capable key with its secret available,
//! the newest subkey first), compute the SHA-256 digest of the v4
//! signature ourselves, and have the agent sign that digest through
//! gpgme's Assuan channel (`SIGKEY`/`SETHASH`/`PKSIGN`); the agent runs
//! pinentry and forwards card keys to scdaemon. That is the only way to
//! get the SHA-256 signature the in-toto format requires from gpgme, which
//! has no per-call digest setting.
//!
//! Without the `gpgme` feature (or with `INTOTO_GPG_BACKEND=cli`) the gpg
//! command line is used instead: `gpg --detach-sign --digest-algo SHA256
//! --local-user FPR!`, as the reference does, but without its 10 s limit.
//! `$GNUPG` names the gpg program, as for securesystemslib.

mod cli;
#[cfg(feature = "gpgme")]
mod gpgme_backend;

use std::path::{Path, PathBuf};
use std::process::Command;

use openpgp::Cert;
use openpgp::cert::prelude::*;
use openpgp::packet::Key;
use openpgp::packet::key::{PublicParts, UnspecifiedRole};
use sequoia_openpgp as openpgp;

#[cfg(feature = "gpgme")]
use super::openpgp::build_signature;
use super::openpgp::{
    GpgKey, PgpSignature, cert_to_dict, find_cert, read_certs, unix, verify_triple,
};
use super::prompt::Prompter;
use super::validity::{self, KeyProblem, ProblemKind};
use super::{KeyDict, RawSignature, SignError, Signer};
use crate::policy::Policy;

/// Errors from GnuPG, worded for the user.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GpgError(pub String);

impl From<super::openpgp::packet::PacketError> for GpgError {
    fn from(e: super::openpgp::packet::PacketError) -> Self {
        GpgError(e.to_string())
    }
}

fn err(s: impl Into<String>) -> GpgError {
    GpgError(s.into())
}

/// A GnuPG home directory (`--gpg-home`, else `$GNUPGHOME`, else gpg's
/// default).
#[derive(Clone, Debug, Default)]
pub struct GpgHome {
    dir: Option<PathBuf>,
}

/// What gpg knows about one secret (sub)key.
#[derive(Clone, Debug)]
pub struct SecretKeyInfo {
    /// Fingerprint, upper-case hex.
    pub fpr: String,
    /// The agent's keygrip.
    pub keygrip: Option<String>,
    /// The secret is available (in the agent or on a card).
    pub available: bool,
    /// Serial number of the card holding it.
    pub card: Option<String>,
}

/// Which implementation talks to GnuPG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// gpgme (key listing, export, Assuan to gpg-agent).
    Gpgme,
    /// The gpg command line.
    Cli,
}

impl Backend {
    /// gpgme when built in, unless `INTOTO_GPG_BACKEND=cli`.
    pub fn default_for_build() -> Backend {
        if cfg!(feature = "gpgme") && std::env::var("INTOTO_GPG_BACKEND").as_deref() != Ok("cli") {
            Backend::Gpgme
        } else {
            Backend::Cli
        }
    }
}

impl GpgHome {
    /// `dir` from `--gpg-home`, if given.
    pub fn new(dir: Option<&Path>) -> Result<GpgHome, GpgError> {
        if let Some(d) = dir
            && !d.is_dir()
        {
            return Err(err(format!(
                "GnuPG home {} is not a directory",
                d.display()
            )));
        }
        let home = GpgHome {
            dir: dir.map(Path::to_path_buf),
        };
        home.check_files()?;
        Ok(home)
    }

    /// The directory gpg will use: `--gpg-home`, else `$GNUPGHOME`, else
    /// `~/.gnupg`.
    fn effective_dir(&self) -> Option<PathBuf> {
        self.dir
            .clone()
            .or_else(|| {
                std::env::var_os("GNUPGHOME")
                    .filter(|h| !h.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".gnupg")))
    }

    /// Refuses a home whose keyrings, trust database or configuration
    /// are there but are not regular files (a FIFO, a device, a socket):
    /// gpg would open them and wait forever, with no time limit, and so
    /// would intoto reading `gpg.conf`. A missing file is gpg's business.
    fn check_files(&self) -> Result<(), GpgError> {
        let Some(dir) = self.effective_dir() else {
            return Ok(());
        };
        for name in HOME_FILES {
            let path = dir.join(name);
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if let Some(kind) = not_regular(&meta.file_type()) {
                return Err(err(format!(
                    "GnuPG home {}: {name} is {kind}, not a regular file (gpg would wait on it forever)",
                    dir.display()
                )));
            }
        }
        Ok(())
    }

    /// The directory passed to gpg, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// For messages.
    pub fn describe(&self) -> String {
        match &self.dir {
            Some(d) => d.display().to_string(),
            None => match std::env::var_os("GNUPGHOME") {
                Some(h) => PathBuf::from(h).display().to_string(),
                None => "the default GnuPG home".into(),
            },
        }
    }

    /// `gpg` (or `$GNUPG`) with `--homedir` when set.
    pub(crate) fn gpg(&self) -> Command {
        let prog = std::env::var_os("GNUPG")
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "gpg".into());
        let mut c = Command::new(prog);
        if let Some(d) = &self.dir {
            c.arg("--homedir").arg(d);
        }
        c
    }

    /// `gpgconf` with `--homedir` when set.
    #[cfg(feature = "gpgme")]
    pub(crate) fn gpgconf(&self) -> Command {
        let mut c = Command::new("gpgconf");
        if let Some(d) = &self.dir {
            c.arg("--homedir").arg(d);
        }
        c
    }

    /// Exports the public keys matching `id` (binary), as `gpg --export`.
    pub fn export(&self, id: &str, backend: Backend) -> Result<Vec<u8>, GpgError> {
        match backend {
            #[cfg(feature = "gpgme")]
            Backend::Gpgme => gpgme_backend::export(self, id),
            _ => cli::export(self, id),
        }
    }

    /// The certificate for `id` (fingerprint in either case, long key id,
    /// a subkey fingerprint: the whole key bundle is returned; or a user
    /// id or e-mail address naming exactly one key, as gpg takes them).
    /// Read with one `gpg --export` whatever the backend: a public key
    /// needs no agent, and gpgme would first start gpgconf, gpg and gpgsm
    /// to learn their versions (some 30 ms, paid by every apt run).
    pub fn public_cert(&self, id: &str) -> Result<Cert, GpgError> {
        let clean = id.trim().trim_start_matches("0x");
        let by_user_id = !super::openpgp::names::looks_like_key_id(id);
        if !by_user_id && clean.len() < 16 {
            return Err(err(format!(
                "{id:?} is a short key id: give a fingerprint, a 16-digit key id, a user id or an e-mail address"
            )));
        }
        self.check_available()?;
        let pattern = if by_user_id { id.trim() } else { clean };
        let bytes = self.export(pattern, Backend::Cli)?;
        if bytes.is_empty() {
            return Err(err(format!(
                "no OpenPGP key {id} in {}: import it (gpg --import FILE) or give its file with --keyring FILE",
                self.describe()
            )));
        }
        let certs = read_certs(&bytes)
            .map_err(|e| err(format!("reading key {id} from {}: {e}", self.describe())))?;
        find_cert(&certs, pattern)
            .cloned()
            .map_err(|e| err(format!("{e} in {}", self.describe())))
    }

    /// Refuses, saying what to do instead, when GnuPG cannot be used: no
    /// gpg program (`$GNUPG`, else `gpg` on `PATH`), or no GnuPG home.
    pub fn check_available(&self) -> Result<(), GpgError> {
        let prog = std::env::var_os("GNUPG")
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "gpg".into());
        if !program_exists(Path::new(&prog)) {
            return Err(err(format!(
                "GnuPG is not available (no {} program on PATH): give the key's file with --keyring FILE",
                Path::new(&prog).display()
            )));
        }
        if let Some(d) = self.effective_dir()
            && !d.exists()
        {
            return Err(err(format!(
                "GnuPG is not set up here (no GnuPG home {}): import the key (gpg --import FILE), \
                 or give the key's file with --keyring FILE",
                d.display()
            )));
        }
        Ok(())
    }

    /// Secret-key information for the key bundle `fpr`, or for all
    /// secret keys when `fpr` is `None` (in keyring order).
    pub fn secret_keys(
        &self,
        fpr: Option<&str>,
        backend: Backend,
    ) -> Result<Vec<Vec<SecretKeyInfo>>, GpgError> {
        match backend {
            #[cfg(feature = "gpgme")]
            Backend::Gpgme => gpgme_backend::secret_keys(self, fpr),
            _ => cli::secret_keys(self, fpr),
        }
    }

    /// A key given by name or e-mail (as gpg.conf's `default-key` may be)
    /// becomes the fingerprint of the one secret key gpg finds for it;
    /// hex ids are returned as they are.
    pub fn resolve_secret(&self, id: &str, backend: Backend) -> Result<String, GpgError> {
        let clean = id.trim_start_matches("0x");
        if clean.len() >= 16 && crate::models::is_hex(clean) {
            return Ok(id.to_owned());
        }
        let found = self.secret_keys(Some(id), backend)?;
        match found.as_slice() {
            [one] if !one.is_empty() => Ok(one[0].fpr.clone()),
            [] => Err(err(format!(
                "no secret key matches {id:?} in {}",
                self.describe()
            ))),
            many => Err(err(format!(
                "{id:?} matches {} secret keys in {} ({}); give the fingerprint of the one meant",
                many.len(),
                self.describe(),
                many.iter()
                    .filter_map(|b| b.first().map(|k| k.fpr.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// gpg's default signing key: `default-key` from gpg.conf, else the
    /// first secret key in the keyring.
    pub fn default_key(&self, backend: Backend) -> Result<String, GpgError> {
        let conf = self.effective_dir().map(|d| d.join("gpg.conf"));
        if let Some(text) = conf.and_then(|c| std::fs::read_to_string(c).ok()) {
            let chosen = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("default-key"))
                .filter_map(|rest| rest.split_whitespace().next())
                .next_back();
            if let Some(k) = chosen {
                return Ok(k.trim_end_matches('!').to_owned());
            }
        }
        let all = self.secret_keys(None, backend)?;
        all.iter()
            .find_map(|bundle| bundle.first().filter(|_| bundle.iter().any(|k| k.available)).map(|k| k.fpr.clone()))
            .ok_or_else(|| err(format!("no secret key in {}: give one with --gpg KEYID, or create one (gpg --quick-gen-key)", self.describe())))
    }
}

/// Why gpg-agent could not get the passphrase or PIN, or reach the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PinProblem {
    /// pinentry has no terminal (gpg's "Inappropriate ioctl for device").
    NoTerminal,
    /// No pinentry could be started.
    PinentryFailed,
    /// No gpg-agent.
    AgentDown,
    /// The OpenPGP card is not there.
    CardAbsent,
}

/// What to do about `p`, as a sentence.
pub(crate) fn advice(p: PinProblem) -> Option<&'static str> {
    Some(match p {
        PinProblem::NoTerminal => {
            "pinentry has no terminal to ask for the passphrase or PIN on: give \
             --passphrase-file FILE, run export GPG_TTY=$(tty) in the terminal you sign \
             from, or unlock the key first \
             (gpg-preset-passphrase with allow-preset-passphrase in gpg-agent.conf, or one \
             gpg --sign on a terminal)"
        }
        PinProblem::PinentryFailed => {
            "no pinentry could be started to ask for the passphrase or PIN: set GPG_TTY \
             (export GPG_TTY=$(tty)), install a pinentry, or unlock the key first \
             (gpg-preset-passphrase)"
        }
        PinProblem::AgentDown => {
            "gpg-agent is not running and could not be started: start it with \
             gpgconf --launch gpg-agent (is GnuPG's agent installed?)"
        }
        PinProblem::CardAbsent => {
            "the OpenPGP card is not present: insert it and try again (gpg --card-status shows it)"
        }
    })
}

/// The problem gpg's own words (`gpg: signing failed: …`) name, if one
/// of those [`advice`] knows.
pub(crate) fn pin_problem(text: &str) -> Option<PinProblem> {
    let t = text.to_lowercase();
    if t.contains("inappropriate ioctl") {
        Some(PinProblem::NoTerminal)
    } else if t.contains("no pinentry") || (t.contains("pinentry") && t.contains("fail")) {
        Some(PinProblem::PinentryFailed)
    } else if t.contains("no agent") || (t.contains("agent") && t.contains("connect")) {
        Some(PinProblem::AgentDown)
    } else if t.contains("card not present") || t.contains("card removed") {
        Some(PinProblem::CardAbsent)
    } else {
        None
    }
}

/// True when `prog` (a path, or a name looked up in `PATH`) is an
/// executable file.
fn program_exists(prog: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let runnable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if prog.components().count() > 1 {
        return runnable(prog);
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| runnable(&d.join(prog))))
}

/// The files of a GnuPG home gpg (or intoto) reads while looking keys up.
const HOME_FILES: [&str; 7] = [
    "pubring.kbx",
    "pubring.gpg",
    "secring.gpg",
    "trustdb.gpg",
    "tofu.db",
    "gpg.conf",
    "common.conf",
];

/// What a file that is not a regular one is (symlinks followed), for
/// messages; `None` for a regular file.
fn not_regular(t: &std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if t.is_file() {
        None
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_char_device() || t.is_block_device() {
        Some("a device")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_dir() {
        Some("a directory")
    } else {
        Some("an unknown kind of file")
    }
}

/// Options for choosing a signing key.
#[derive(Clone, Debug)]
pub struct SignerOptions {
    /// Signature time (the policy's time; keys are judged at it too), the
    /// OpenPGP policy, and whether key types the Python reference cannot
    /// verify (NIST ECDSA) may sign.
    pub policy: Policy,
    /// Which backend to use.
    pub backend: Backend,
    /// What is being signed (`root.layout`, `the link of step 'build'`),
    /// for the PIN prompt, beside the key's user id.
    pub purpose: Option<String>,
}

/// A GnuPG key ready to sign.
pub struct GpgSigner<'p> {
    home: GpgHome,
    dict: KeyDict,
    signing: GpgKey,
    // The agent signs a digest over these (gpgme backend only).
    #[cfg_attr(not(feature = "gpgme"), allow(dead_code))]
    fpr_bytes: [u8; 20],
    #[cfg_attr(not(feature = "gpgme"), allow(dead_code))]
    keygrip: Option<String>,
    card: Option<String>,
    primary_fpr: String,
    /// `subkey X of PRIMARY (user id)`, or `key PRIMARY (user id)`.
    described: String,
    /// The primary user id, if any.
    user_id: Option<String>,
    opts: SignerOptions,
    prompter: &'p dyn Prompter,
    warnings: Vec<String>,
    passphrase: Option<Passphrase>,
}

/// A passphrase given to gpg-agent through loopback pinentry instead of
/// pinentry asking, and where it came from (for messages).
#[derive(Clone)]
pub(crate) struct Passphrase {
    pub(crate) secret: String,
    pub(crate) source: String,
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Passphrase(from {})", self.source)
    }
}

impl<'p> GpgSigner<'p> {
    /// Chooses the key to sign with for `id` (or gpg's default key).
    pub fn new(
        home: &GpgHome,
        id: Option<&str>,
        opts: SignerOptions,
        prompter: &'p dyn Prompter,
    ) -> Result<GpgSigner<'p>, GpgError> {
        home.check_available()?;
        let id = match id {
            Some(i) if !i.trim().is_empty() => i.trim().to_owned(),
            _ => home.default_key(opts.backend)?,
        };
        let id = home.resolve_secret(&id, opts.backend)?;
        let cert = home.public_cert(&id)?;
        let primary_fpr = cert.fingerprint().to_hex();
        let secrets: Vec<SecretKeyInfo> = home
            .secret_keys(Some(&primary_fpr), opts.backend)?
            .into_iter()
            .flatten()
            .collect();
        // The one usability check (keys::validity), for every candidate.
        let policy = opts.policy.openpgp();
        let now = opts.policy.time();
        let vc = validity::certificate_at(&cert, policy, now).map_err(|p| err(p.message))?;
        if let Some(p) = validity::primary_problem(&vc, now) {
            let tail = if p.kind == ProblemKind::Revoked {
                "; it cannot sign"
            } else {
                ""
            };
            return Err(err(format!("{}{tail}", p.message)));
        }
        let want_exact = id.len() == 40 && !id.eq_ignore_ascii_case(&primary_fpr);
        let mut why_not = Vec::new();
        let mut best: Option<(Key<PublicParts, UnspecifiedRole>, &SecretKeyInfo)> = None;
        for k in cert.keys() {
            let fpr = k.key().fingerprint().to_hex();
            if want_exact && !fpr.eq_ignore_ascii_case(&id) {
                continue;
            }
            let ka = match validity::signing_key_at(&cert, policy, &fpr, now) {
                Ok(ka) => ka,
                // Encryption subkeys are not candidates; say nothing of them
                // unless they were asked for.
                Err(p)
                    if p.kind == ProblemKind::NotSigningCapable && !want_exact && !k.primary() =>
                {
                    continue;
                }
                Err(p) => {
                    why_not.push(p);
                    continue;
                }
            };
            let Some(secret) = secrets
                .iter()
                .find(|s| s.fpr.eq_ignore_ascii_case(&fpr) && s.available)
            else {
                why_not.push(KeyProblem {
                    kind: ProblemKind::Unknown,
                    fpr: fpr.clone(),
                    message: format!("{fpr} has no secret key here"),
                });
                continue;
            };
            let key: Key<PublicParts, UnspecifiedRole> = ka.key().clone().role_into_unspecified();
            // Prefer subkeys, then the newest, as gpg does.
            let better = match &best {
                None => true,
                Some((b, _)) => {
                    let b_primary = b.fingerprint() == cert.fingerprint();
                    let k_primary = ka.primary();
                    (b_primary && !k_primary)
                        || (b_primary == k_primary && key.creation_time() > b.creation_time())
                }
            };
            if better {
                best = Some((key, secret));
            }
        }
        let Some((key, secret)) = best else {
            let detail = if why_not.is_empty() {
                "no signing-capable key matches".to_owned()
            } else {
                why_not
                    .iter()
                    .map(|p| p.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let card_hint = if secrets.iter().any(|s| s.card.is_some()) {
                " (if the key lives on a smartcard, is the card inserted? check with gpg --card-status)"
            } else {
                ""
            };
            return Err(err(format!(
                "OpenPGP key {primary_fpr} cannot sign: {detail}{card_hint}"
            )));
        };
        let params = super::openpgp::params_of(&key).map_err(|e| {
            err(format!(
                "OpenPGP key {}: {e}; the in-toto reference can only verify RSA, DSA and EdDSA (Ed25519) v4 keys",
                key.fingerprint()
            ))
        })?;
        if !params.interoperable() {
            let msg = super::openpgp::noninteroperable(&key.fingerprint().to_hex(), &params);
            if !opts.policy.allow_noninteroperable() {
                return Err(err(msg));
            }
            prompter.notice(&format!(
                "warning: {}",
                msg.split(';').next().unwrap_or(&msg)
            ));
        }
        let dict = cert_to_dict(&cert, &opts.policy).map_err(|e| err(e.to_string()))?;
        let fpr_hex = key.fingerprint().to_hex().to_lowercase();
        let fpr_bytes: [u8; 20] = hex::decode(&fpr_hex)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                err("only v4 OpenPGP keys (20-byte fingerprints) can sign in-toto metadata")
            })?;
        let signing = GpgKey::new(params, unix(key.creation_time()), None, Vec::new())
            .map_err(|e| err(e.to_string()))?;
        // What verifiers will warn about, said now, while the owner can act.
        let warnings = validity::cert_warnings(&cert, policy, now);
        let described = match super::openpgp::names::describe_key(&cert, &fpr_hex) {
            d if d.starts_with("subkey ") => d,
            d => format!("key {d}"),
        };
        let user_id = super::openpgp::names::primary_user_id(&cert);
        Ok(GpgSigner {
            warnings,
            described,
            user_id,
            home: home.clone(),
            dict: KeyDict::Gpg(dict),
            signing,
            fpr_bytes,
            keygrip: secret.keygrip.clone(),
            card: secret.card.clone(),
            primary_fpr: primary_fpr.to_lowercase(),
            opts,
            prompter,
            passphrase: None,
        })
    }

    /// Gives gpg-agent the key's passphrase `secret` (from `source`, named
    /// in messages: `passphrase file ci.pass`) with loopback pinentry
    /// (`pinentry-mode loopback`, which gpg-agent allows by default)
    /// instead of running pinentry: for signing without a terminal. A key
    /// without a passphrase, or one the agent has cached, signs as before.
    pub fn with_passphrase(mut self, secret: String, source: impl Into<String>) -> GpgSigner<'p> {
        self.passphrase = Some(Passphrase {
            secret,
            source: source.into(),
        });
        self
    }

    /// Fingerprint of the primary key (lower-case).
    pub fn primary_fpr(&self) -> &str {
        &self.primary_fpr
    }

    /// What pinentry shows (gpg-agent's `SETKEYDESC`): what is signed, by
    /// whom (the user id), with which key, on which card.
    pub fn pin_description(&self) -> String {
        let what = self
            .opts
            .purpose
            .as_deref()
            .map(|p| format!("Sign {p} (in-toto)"))
            .unwrap_or_else(|| "Sign in-toto metadata".to_owned());
        let who = self
            .user_id
            .as_deref()
            .map(|u| format!(" as \"{u}\""))
            .unwrap_or_default();
        let card = self
            .card
            .as_ref()
            .map(|c| format!(" on card {c}"))
            .unwrap_or_default();
        format!(
            "{what}{who}\nwith key {}{card}",
            self.signing.keyid.to_uppercase()
        )
    }

    fn sign_packet(&self, payload: &[u8]) -> Result<PgpSignature, GpgError> {
        if let Some(card) = &self.card {
            self.prompter.notice(&format!(
                "signing with the OpenPGP card {card}: enter its PIN (or touch it) when asked"
            ));
        }
        let sig = match self.opts.backend {
            #[cfg(feature = "gpgme")]
            Backend::Gpgme => {
                let created = u32::try_from(self.opts.policy.time())
                    .map_err(|_| err("clock is outside the OpenPGP time range"))?;
                let grip = self
                    .keygrip
                    .as_deref()
                    .ok_or_else(|| err("gpg did not report a keygrip for the signing key"))?;
                let desc = self.pin_description();
                build_signature(
                    &self.fpr_bytes,
                    &self.signing.params,
                    created,
                    payload,
                    |digest| {
                        gpgme_backend::agent_sign(&self.home, grip, digest, &desc, self.passphrase.as_ref()).map_err(|e| match &self.card {
                        Some(card) if e.0.contains("cancelled") => err(format!(
                            "signing with the OpenPGP card {card} failed: {}; if the card was not inserted, \
                             insert it and try again (gpg --card-status shows it)",
                            e.0
                        )),
                        Some(card) => err(format!("signing with the OpenPGP card {card} failed: {}", e.0)),
                        None => err(e.0),
                    })
                    },
                )?
            }
            _ => cli::detach_sign(
                &self.home,
                &self.signing.keyid,
                payload,
                self.passphrase.as_ref(),
            )?,
        };
        // Never hand out a signature we could not verify ourselves.
        verify_triple(
            &self.signing,
            &sig.keyid,
            &sig.other_headers,
            &sig.signature,
            payload,
            self.opts.policy.time(),
        )
        .map_err(|e| {
            err(format!(
                "GnuPG returned a signature that does not verify ({e}); nothing was written"
            ))
        })?;
        Ok(sig)
    }
}

impl Signer for GpgSigner<'_> {
    fn keyid(&self) -> &str {
        &self.signing.keyid
    }
    fn public_key(&self) -> &KeyDict {
        &self.dict
    }
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }
    fn describe(&self) -> String {
        self.described.clone()
    }
    fn sign(&self, payload: &[u8]) -> Result<RawSignature, SignError> {
        self.sign_packet(payload)
            .map(RawSignature::OpenPgp)
            .map_err(|e| SignError::Backend(e.0))
    }
}
