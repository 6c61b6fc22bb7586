//! The one key resolver: the keys a user names ([`KeySpec`]s, from the
//! command line) become signers, verifiers and layout key entries here,
//! for every command. File reading, GnuPG lookups, keyring files, the
//! gpg-agent checks and the warnings keys draw all live in this module.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use intoto::fsio;
use intoto::keys::gpg::{Backend, GpgHome, GpgSigner, SignerOptions};
use intoto::keys::openpgp::{CertSet, CertVerifier, cert_to_dict, find_cert, names, read_certs};
use intoto::keys::passphrase::read_passphrase_file;
use intoto::keys::pem::{KeyLoadError, PemSigner, load_public, pem_decode};
use intoto::keys::spec::{KeyPlaces, KeySpec};
use intoto::keys::{KeyDict, Signer, Verifier};
use intoto::policy::Policy;
use intoto::verify::LayoutKey;
use intoto_format::models::is_hex;
use sequoia_openpgp::Cert;

use super::{Ctx, usage};
use crate::cli::{SigningKeyArgs, specs};
use crate::ui;

/// A verifier, where its key came from (for messages) and what it is.
pub struct Resolved {
    /// The key.
    pub verifier: Box<dyn Verifier>,
    /// `keys/alice.pub`, `GnuPG key 1D3E…`, `keyring owners.asc, key …`.
    pub source: String,
    /// The key, described: type and id, and for OpenPGP its first user id.
    pub description: String,
    /// Its type: `rsa`, `ecdsa`, `ed25519` (PEM) or `openpgp`.
    pub kind: String,
    /// Named by the user, not only found in a keyring file.
    pub named: bool,
    /// What the key draws at verification (SHA-1 self-signatures).
    warnings: Vec<String>,
    /// The OpenPGP certificate, for naming its keys (user id).
    pub cert: Option<Cert>,
}

impl Resolved {
    /// The key that made a signature under `keyid`, as people know it:
    /// `PRIMARY (user id)`, `subkey X of PRIMARY (user id)`, or the key id
    /// and the file of a PEM key.
    pub fn who(&self, keyid: &str) -> String {
        match &self.cert {
            Some(c) => names::describe_key(c, keyid),
            None => format!("{keyid} ({})", self.source),
        }
    }
}

/// Turns key specs into keys, for one command.
pub struct Resolver<'a> {
    ctx: &'a Ctx,
    policy: Policy,
    places: KeyPlaces,
    password: OnceCell<Option<String>>,
    purpose: Option<String>,
}

impl<'a> Resolver<'a> {
    /// A resolver that looks keys up in `places`.
    pub fn new(ctx: &'a Ctx, places: KeyPlaces) -> Resolver<'a> {
        Resolver {
            ctx,
            policy: ctx.policy.clone(),
            places,
            password: OnceCell::new(),
            purpose: None,
        }
    }

    /// Names what the signers will sign (a file, a step's link), for
    /// gpg-agent's PIN prompt.
    pub fn for_purpose(mut self, purpose: impl Into<String>) -> Resolver<'a> {
        self.purpose = Some(purpose.into());
        self
    }

    /// The same, judging keys by `policy` instead of the command's.
    pub fn with_policy(mut self, policy: Policy) -> Resolver<'a> {
        self.policy = policy;
        self
    }

    /// The password of encrypted PEM keys: from `--passphrase-file`,
    /// given, or asked for once.
    fn password(&self) -> Result<Option<&str>> {
        if self.password.get().is_none() {
            let value = match (&self.places.passphrase_file, &self.places.password) {
                (Some(file), _) => Some(read_passphrase_file(file)?),
                (None, Some(p)) => match &p.value {
                    Some(v) => Some(v.clone()),
                    None => self.ctx.prompter.passphrase(&p.prompt),
                },
                (None, None) => None,
            };
            let _ = self.password.set(value);
        }
        Ok(self.password.get().and_then(Option::as_deref))
    }

    /// A signer for `spec` (a PEM private key or a GnuPG key).
    pub fn signer(&self, spec: &KeySpec) -> Result<Box<dyn Signer + 'a>> {
        match spec {
            KeySpec::Pem(path) => {
                let text =
                    fsio::read_regular(path, 1 << 20).map_err(|e| anyhow!("signing key {e}"))?;
                let key = PemSigner::from_pem(&text, self.password()?.map(str::as_bytes)).map_err(
                    |e| match (&e, self.places.password_flag) {
                        (KeyLoadError::NeedsPassword, Some(flag)) => {
                            anyhow!("signing key {}: {e}: give {flag}", path.display())
                        }
                        _ => anyhow!("signing key {}: {e}", path.display()),
                    },
                )?;
                let described = format!("key {} ({})", key.keyid(), path.display());
                Ok(Box::new(Named {
                    inner: Box::new(key),
                    described,
                }))
            }
            KeySpec::Gpg(id) => {
                if let Some(p) = &self.places.password {
                    ui::warn(&format!(
                        "{} is for PEM keys; gpg-agent asks for GnuPG passphrases itself (or give --passphrase-file FILE)",
                        p.flag
                    ));
                }
                let home = GpgHome::new(self.places.gpg_home.as_deref())?;
                let opts = SignerOptions {
                    policy: self.policy.clone(),
                    backend: Backend::default_for_build(),
                    purpose: self.purpose.clone(),
                };
                let passphrase = match &self.places.passphrase_file {
                    Some(file) => self.password()?.map(|secret| {
                        (
                            secret.to_owned(),
                            format!("passphrase file {}", file.display()),
                        )
                    }),
                    None => None,
                };
                gpg_signer(
                    &home,
                    self.places.gpg_home.as_deref(),
                    id.as_deref().filter(|i| !i.is_empty()),
                    (opts, passphrase),
                    self.ctx,
                )
            }
            KeySpec::Keyring(p) | KeySpec::PublicFile(p) => {
                usage(format!("{} holds public keys: it cannot sign", p.display()))
            }
        }
    }

    /// Signers for `specs`, all loaded before anything is signed (a wrong
    /// password or a missing key changes nothing).
    pub fn signers(&self, specs: &[KeySpec]) -> Result<Vec<Box<dyn Signer + 'a>>> {
        specs.iter().map(|s| self.signer(s)).collect()
    }

    /// The layout's owner keys for `specs`: [`verifiers`](Self::verifiers),
    /// one per key id (the first source that gave it), each required
    /// when it was named.
    pub fn layout_keys(&self, specs: &[KeySpec]) -> Result<Vec<LayoutKey>> {
        let mut keys: Vec<LayoutKey> = Vec::new();
        for r in self.verifiers(specs)? {
            if !keys
                .iter()
                .any(|k| k.verifier.keyid() == r.verifier.keyid())
            {
                keys.push(LayoutKey {
                    verifier: r.verifier,
                    source: r.source,
                    required: r.named,
                    kind: r.kind,
                });
            }
        }
        Ok(keys)
    }

    /// Verifiers for `specs`: OpenPGP keys first (each `--gpg` key, or
    /// every key of the keyrings), then PEM public keys.
    pub fn verifiers(&self, specs: &[KeySpec]) -> Result<Vec<Resolved>> {
        let mut out = Vec::new();
        let ids: Vec<&str> = specs
            .iter()
            .filter_map(|s| match s {
                KeySpec::Gpg(Some(id)) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        let rings: Vec<&PathBuf> = specs
            .iter()
            .filter_map(|s| match s {
                KeySpec::Keyring(p) => Some(p),
                _ => None,
            })
            .collect();
        if !ids.is_empty() {
            if self.places.keyrings.is_empty() {
                for id in &ids {
                    let (cert, source) = self.home_or_store_cert(id)?;
                    out.push(self.cert(cert, source.clone(), &source, true)?);
                }
            } else {
                let (certs, source) = read_keyrings(self.places.keyrings.iter())?;
                for id in &ids {
                    let c = find_cert(&certs, id)
                        .map_err(|e| anyhow!("{e} in {source}"))?
                        .clone();
                    out.push(self.cert(c, format!("{source}, key {id}"), &source, true)?);
                }
            }
        }
        if !rings.is_empty() {
            let (certs, source) = read_keyrings(rings.into_iter())?;
            if certs.is_empty() {
                return Err(anyhow!("{source} holds no keys"));
            }
            for c in certs {
                out.push(self.cert(c, source.clone(), &source, false)?);
            }
        }
        warn_about_certs(&out);
        for s in specs {
            match s {
                KeySpec::Pem(p) => out.push(pem_resolved(load_public_key(p)?, p)),
                KeySpec::PublicFile(p) => out.extend(self.public_file(p)?),
                _ => {}
            }
        }
        Ok(out)
    }

    fn cert(&self, cert: Cert, source: String, context: &str, named: bool) -> Result<Resolved> {
        let v = CertVerifier::new(cert, &self.policy).map_err(|e| anyhow!("{context}: {e}"))?;
        Ok(Resolved {
            description: describe_cert(&v),
            kind: "openpgp".into(),
            named,
            warnings: v.warnings(),
            cert: Some(v.cert().clone()),
            verifier: Box::new(v),
            source,
        })
    }

    /// A file of public keys: PEM, or else an OpenPGP keyring.
    fn public_file(&self, p: &Path) -> Result<Vec<Resolved>> {
        let bytes = fsio::read_regular(p, fsio::MAX_METADATA_BYTES)
            .map_err(|e| anyhow!("--signed-by {e}"))?;
        if bytes.starts_with(b"-----BEGIN PUBLIC KEY")
            || bytes.starts_with(b"-----BEGIN RSA PUBLIC KEY")
        {
            let k =
                load_public(p, &bytes).map_err(|e| anyhow!("public key {}: {e}", p.display()))?;
            return Ok(vec![pem_resolved(k, p)]);
        }
        let source = p.display().to_string();
        read_certs(&bytes)
            .map_err(|e| anyhow!("--signed-by {}: {e}", p.display()))?
            .into_iter()
            .map(|c| {
                let v = CertVerifier::new(c, &self.policy).map_err(|e| anyhow!(e))?;
                Ok(Resolved {
                    description: describe_cert(&v),
                    kind: "openpgp".into(),
                    named: true,
                    warnings: v.warnings(),
                    cert: Some(v.cert().clone()),
                    verifier: Box::new(v),
                    source: source.clone(),
                })
            })
            .collect()
    }

    /// The layout key entry for `spec`: a PEM public (or unencrypted
    /// private) key, or a GnuPG key with its subkeys and expiry.
    pub fn key_dict(&self, spec: &KeySpec) -> Result<KeyDict> {
        self.key_entry(spec).map(|(dict, _)| dict)
    }

    /// [`key_dict`](Self::key_dict), and who the key is: an OpenPGP key's
    /// fingerprint and user id, a PEM key's file.
    pub fn key_entry(&self, spec: &KeySpec) -> Result<(KeyDict, String)> {
        let (cert, context) = match spec {
            KeySpec::Pem(path) => return Ok((pem_dict(path)?, path.display().to_string())),
            KeySpec::Gpg(Some(id)) => self.openpgp_cert(id)?,
            KeySpec::Keyring(path) => (
                one_cert_of_file(path, None)?,
                format!("keyring {}", path.display()),
            ),
            other => return usage(format!("{other:?} does not name one key")),
        };
        let who = names::describe_cert(&cert);
        Ok((self.cert_dict(cert, &context)?, who))
    }

    /// The layout key dict of `cert`: usable at the policy's time, or
    /// refused saying why (`context` names where it came from).
    fn cert_dict(&self, cert: Cert, context: &str) -> Result<KeyDict> {
        let v = CertVerifier::new(cert, &self.policy).map_err(|e| anyhow!("{context}: {e}"))?;
        for w in v.warnings() {
            ui::warn(&w);
        }
        Ok(KeyDict::Gpg(
            cert_to_dict(v.cert(), &self.policy).map_err(|e| anyhow!(e))?,
        ))
    }

    /// The key dict of the key in `path`: a PEM key, or the one OpenPGP
    /// key of a key file (armored or binary), `pick` choosing among several.
    pub fn file_key_dict(&self, path: &Path, pick: Option<&str>) -> Result<KeyDict> {
        let bytes =
            fsio::read_regular(path, fsio::MAX_METADATA_BYTES).map_err(|e| anyhow!("key {e}"))?;
        if is_pem(&bytes) {
            if pick.is_some() {
                return usage(format!(
                    "{} is a PEM key: --gpg picks a key of an OpenPGP key file",
                    path.display()
                ));
            }
            return pem_dict(path);
        }
        let cert = one_cert_of_file(path, pick)?;
        self.cert_dict(cert, &path.display().to_string())
    }

    /// The keys of the GnuPG home (only) that made signatures under `ids`
    /// (OpenPGP fingerprints); the others, and any error, are left out.
    pub fn home_keys(&self, ids: &[String]) -> Vec<Resolved> {
        let Ok(home) = GpgHome::new(self.places.gpg_home.as_deref()) else {
            return Vec::new();
        };
        if home.check_available().is_err() {
            return Vec::new();
        }
        let mut out: Vec<Resolved> = Vec::new();
        for id in ids.iter().filter(|i| i.len() == 40 && is_hex(i)) {
            if out.iter().any(|r| r.verifier.owns(id)) {
                continue;
            }
            if let Ok(cert) = home.public_cert(id)
                && let Ok(r) = self.cert(cert, format!("GnuPG key {id}"), &home.describe(), true)
            {
                out.push(r);
            }
        }
        out
    }

    /// The certificate of GnuPG key `id`, from the keyrings or the home,
    /// and where it came from (for messages).
    fn openpgp_cert(&self, id: &str) -> Result<(Cert, String)> {
        if self.places.keyrings.is_empty() {
            return self.home_or_store_cert(id);
        }
        let (certs, source) = read_keyrings(self.places.keyrings.iter())?;
        let cert = find_cert(&certs, id)
            .map_err(|e| anyhow!("{e} in {source}"))?
            .clone();
        Ok((cert, source))
    }
}

/// The signer `--signing-key` or `--gpg` names (`run`, `record`), to sign
/// `purpose` (for the PIN prompt).
pub fn signer<'a>(
    args: &SigningKeyArgs,
    ctx: &'a Ctx,
    purpose: String,
) -> Result<Box<dyn Signer + 'a>> {
    use std::io::IsTerminal as _;
    if args.password.as_deref().is_some_and(|p| !p.is_empty()) && std::io::stderr().is_terminal() {
        ui::warn(
            "-P/--password PASSWORD puts the password in the shell history and the process list: \
             prefer --passphrase-file FILE (or -P alone, to be asked)",
        );
    }
    let (spec, places) = specs::signer(args);
    Resolver::new(ctx, places)
        .for_purpose(purpose)
        .signer(&spec)
}

impl Resolver<'_> {
    /// The certificate of `id` from the GnuPG home, else from the shared
    /// certificate store (read without gpg), and where it came from.
    fn home_or_store_cert(&self, id: &str) -> Result<(Cert, String)> {
        let from_home =
            GpgHome::new(self.places.gpg_home.as_deref()).and_then(|home| home.public_cert(id));
        let home_err = match from_home {
            Ok(cert) => return Ok((cert, format!("GnuPG key {id}"))),
            Err(e) => e,
        };
        let Some(dir) = self.cert_store() else {
            return Err(home_err.into());
        };
        match store_cert(&dir, id) {
            Ok(Some(cert)) => Ok((
                cert,
                format!("certificate store {}, key {id}", dir.display()),
            )),
            Ok(None) => Err(anyhow!(
                "{home_err}; nor is it in the certificate store {}",
                dir.display()
            )),
            Err(e) => Err(anyhow!(
                "{home_err}; certificate store {}: {e}",
                dir.display()
            )),
        }
    }

    /// `--cert-store`, else `$PGP_CERT_D`, else the default store when it
    /// exists.
    fn cert_store(&self) -> Option<PathBuf> {
        if let Some(d) = &self.places.cert_store {
            return Some(d.clone());
        }
        let d = openpgp_cert_d::CertD::user_configured_store_path().ok()?;
        (std::env::var_os("PGP_CERT_D").is_some() || d.is_dir()).then_some(d)
    }
}

/// The certificate holding `id` in the pgp.cert.d store at `dir` (by its
/// fingerprint directly, else by looking through the store). The store
/// is shared and writable by others: what it holds is only a candidate,
/// checked like any key (it must hold `id` and make valid signatures).
fn store_cert(dir: &Path, id: &str) -> std::result::Result<Option<Cert>, String> {
    let store = openpgp_cert_d::CertD::with_base_dir(dir).map_err(|e| e.to_string())?;
    let lower = id.to_lowercase();
    if lower.len() == 40
        && let Some((_, bytes)) = store.get(&lower).map_err(|e| e.to_string())?
    {
        let certs = read_certs(&bytes).map_err(|e| e.to_string())?;
        if let Ok(c) = find_cert(&certs, id) {
            return Ok(Some(c.clone()));
        }
    }
    for fpr in store.fingerprints() {
        let fpr = fpr.map_err(|e| e.to_string())?;
        let Some((_, bytes)) = store.get(&fpr).map_err(|e| e.to_string())? else {
            continue;
        };
        let Ok(certs) = read_certs(&bytes) else {
            continue;
        };
        if let Ok(c) = find_cert(&certs, id) {
            return Ok(Some(c.clone()));
        }
    }
    Ok(None)
}

/// A PEM public key read from `path`.
fn pem_resolved(k: intoto::keys::SslibKey, path: &Path) -> Resolved {
    Resolved {
        description: KeyDict::Sslib(k.clone()).describe(),
        kind: k.keytype.clone(),
        named: true,
        warnings: Vec::new(),
        cert: None,
        verifier: Box::new(k),
        source: path.display().to_string(),
    }
}

/// True for a PEM file (not an ASCII-armored OpenPGP one).
fn is_pem(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let text = text.trim_start();
    text.starts_with("-----BEGIN ") && !text.starts_with("-----BEGIN PGP")
}

/// The one OpenPGP key in the key file `path` (`pick`: the one it names,
/// as `--gpg` does), or an error listing the keys it holds.
fn one_cert_of_file(path: &Path, pick: Option<&str>) -> Result<Cert> {
    let (certs, source) = read_keyrings(std::iter::once(&path.to_path_buf()))?;
    if let Some(id) = pick {
        return find_cert(&certs, id)
            .cloned()
            .map_err(|e| anyhow!("{e} in {source}"));
    }
    match certs.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(anyhow!("{source} holds no keys")),
        many => Err(anyhow!(
            "{source} holds {} keys ({}): pick one with --gpg KEYID",
            many.len(),
            names::candidates(&many.iter().collect::<Vec<_>>())
        )),
    }
}

/// Every certificate in `paths` (the copies of one certificate, in one
/// file or several, merged into one), and how to name them in messages.
fn read_keyrings<'p>(paths: impl Iterator<Item = &'p PathBuf>) -> Result<(Vec<Cert>, String)> {
    let mut certs = CertSet::default();
    let mut names = Vec::new();
    for k in paths {
        let bytes =
            fsio::read_regular(k, fsio::MAX_METADATA_BYTES).map_err(|e| anyhow!("keyring {e}"))?;
        certs
            .read(&bytes)
            .map_err(|e| anyhow!("keyring {}: {e}", k.display()))?;
        names.push(k.display().to_string());
    }
    Ok((certs.into_certs(), format!("keyring {}", names.join(", "))))
}

/// Warnings the keys draw (SHA-1 self-signatures), once each.
fn warn_about_certs(keys: &[Resolved]) {
    let mut seen = Vec::new();
    for w in keys.iter().flat_map(|r| &r.warnings) {
        if !seen.contains(&w) {
            ui::warn(w);
            seen.push(w);
        }
    }
}

fn describe_cert(v: &CertVerifier) -> String {
    let uid = v
        .cert()
        .userids()
        .next()
        .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned())
        .map(|u| format!("{u}, "))
        .unwrap_or_default();
    format!("{uid}{}", v.dict().describe())
}

/// Loads a PEM public key.
fn load_public_key(path: &Path) -> Result<intoto::keys::SslibKey> {
    let text = fsio::read_regular(path, 1 << 20).map_err(|e| anyhow!("public key {e}"))?;
    load_public(path, &text).map_err(|e| anyhow!("public key {}: {e}", path.display()))
}

/// The layout dict of a PEM public or (unencrypted) private key.
fn pem_dict(path: &Path) -> Result<KeyDict> {
    let text = fsio::read_regular(path, 1 << 20).map_err(|e| anyhow!("key {e}"))?;
    let (label, _) = pem_decode(&text).map_err(|e| anyhow!("key {}: {e}", path.display()))?;
    if label.contains("PRIVATE") {
        let s =
            PemSigner::from_pem(&text, None).map_err(|e| anyhow!("key {}: {e}", path.display()))?;
        return Ok(s.public_key().clone());
    }
    Ok(KeyDict::Sslib(
        load_public(path, &text).map_err(|e| anyhow!("key {}: {e}", path.display()))?,
    ))
}

/// How long gpg-agent may take to greet a new connection.
const AGENT_ANSWER: std::time::Duration = std::time::Duration::from_secs(10);
/// After this long, say what a wait with no time limit is waiting for.
const AGENT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// A GnuPG signer, after checking that gpg-agent answers at all (bounded),
/// that says on stderr what it waits for when signing takes long (the PIN
/// or the card touch have no time limit).
/// With `passphrase` (the secret, and where it came from): given to
/// gpg-agent through loopback pinentry.
fn gpg_signer<'a>(
    home: &GpgHome,
    gpg_home: Option<&Path>,
    id: Option<&str>,
    (opts, passphrase): (SignerOptions, Option<(String, String)>),
    ctx: &'a Ctx,
) -> Result<Box<dyn Signer + 'a>> {
    probe_gpg_agent(gpg_home)?;
    let mut signer = {
        let _w = ui::watchdog(
            AGENT_PATIENCE,
            "waiting for gpg and gpg-agent to list the keys...".into(),
        );
        GpgSigner::new(home, id, opts, ctx.prompter.as_ref())?
    };
    let waiting = if passphrase.is_some() {
        "waiting for gpg-agent to sign..."
    } else {
        "waiting for gpg-agent (PIN entry or card touch?)..."
    };
    if let Some((secret, source)) = passphrase {
        signer = signer.with_passphrase(secret, source);
    }
    for w in signer.warnings() {
        ui::warn(&w);
    }
    Ok(Box::new(Watched(Box::new(signer), waiting)))
}

/// Connects to gpg-agent's socket (where gpgconf says it is) and waits at
/// most [`AGENT_ANSWER`] for its greeting. No socket, or nobody listening:
/// fine, gpg starts an agent itself.
fn probe_gpg_agent(gpg_home: Option<&Path>) -> Result<()> {
    use std::io::{Read as _, Write as _};
    let mut c = std::process::Command::new("gpgconf");
    if let Some(h) = gpg_home {
        c.arg("--homedir").arg(h);
    }
    c.args(["--list-dirs", "agent-socket"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let Ok(out) = c.output() else {
        return Ok(());
    };
    let path = String::from_utf8_lossy(&out.stdout)
        .trim()
        .replace("%3a", ":");
    if path.is_empty() {
        return Ok(());
    }
    let Ok(mut s) = std::os::unix::net::UnixStream::connect(&path) else {
        return Ok(());
    };
    let _ = s.set_read_timeout(Some(AGENT_ANSWER));
    let mut buf = [0u8; 256];
    match s.read(&mut buf) {
        Ok(n) => {
            if n > 0 {
                let _ = s.write_all(b"BYE\n");
            }
            Ok(())
        }
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Err(anyhow!(
                "gpg-agent ({path}) accepted the connection but did not answer within {} seconds; \
                 is it hung? `gpgconf --kill gpg-agent` stops it (gpg starts a new one)",
                AGENT_ANSWER.as_secs()
            ))
        }
        Err(_) => Ok(()),
    }
}

/// Says on stderr what was written and who signed it (one line; nothing
/// with `-q`).
pub fn wrote(path: &Path, signer: &dyn Signer) {
    ui::notice(&format!(
        "wrote {}, signed by {}",
        path.display(),
        signer.describe()
    ));
}

/// A PEM signer, described with its file.
struct Named<'a> {
    inner: Box<dyn Signer + 'a>,
    described: String,
}

impl Signer for Named<'_> {
    fn keyid(&self) -> &str {
        self.inner.keyid()
    }
    fn public_key(&self) -> &KeyDict {
        self.inner.public_key()
    }
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings()
    }
    fn describe(&self) -> String {
        self.described.clone()
    }
    fn sign(
        &self,
        payload: &[u8],
    ) -> std::result::Result<intoto::keys::RawSignature, intoto::keys::SignError> {
        self.inner.sign(payload)
    }
}

/// A signer that says what it waits for when signing takes a while.
struct Watched<'a>(Box<dyn Signer + 'a>, &'static str);

impl Signer for Watched<'_> {
    fn keyid(&self) -> &str {
        self.0.keyid()
    }
    fn public_key(&self) -> &KeyDict {
        self.0.public_key()
    }
    fn warnings(&self) -> Vec<String> {
        self.0.warnings()
    }
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn sign(
        &self,
        payload: &[u8],
    ) -> std::result::Result<intoto::keys::RawSignature, intoto::keys::SignError> {
        let _w = ui::watchdog(AGENT_PATIENCE, self.1.into());
        self.0.sign(payload)
    }
}

impl Resolver<'_> {
    /// The layout key entries of `specs`: each PEM key and `--gpg` key
    /// ([`key_dict`](Self::key_dict)), and every key of a keyring file
    /// given alone (`layout draft`, `layout check`).
    pub fn key_dicts(&self, specs: &[KeySpec]) -> Result<Vec<KeyDict>> {
        let mut out = Vec::new();
        for spec in specs {
            let KeySpec::Keyring(p) = spec else {
                out.push(self.key_dict(spec)?);
                continue;
            };
            let (certs, source) = read_keyrings(std::iter::once(p))?;
            if certs.is_empty() {
                return Err(anyhow!("{source} holds no keys"));
            }
            for c in certs {
                let v = CertVerifier::new(c, &self.policy).map_err(|e| anyhow!("{source}: {e}"))?;
                for w in v.warnings() {
                    ui::warn(&w);
                }
                out.push(KeyDict::Gpg(
                    cert_to_dict(v.cert(), &self.policy).map_err(|e| anyhow!("{source}: {e}"))?,
                ));
            }
        }
        Ok(out)
    }
}
