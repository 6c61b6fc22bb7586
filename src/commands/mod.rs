//! Subcommands: resolve files and keys, call the library, report.

mod key;
mod layout;
mod record;
mod run;
mod sign;
mod verify;

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use intoto::fsio;
use intoto::keys::gpg::{Backend, GpgHome, GpgSigner, SignerOptions};
use intoto::keys::openpgp::{CertVerifier, cert_to_dict, find_cert, read_certs};
use intoto::keys::pem::{PemSigner, load_public};
use intoto::keys::prompt::{Prompter, TerminalPrompter};
use intoto::keys::{KeyDict, Signer, SslibKey};
use intoto::policy::Policy;
use intoto::record::{DEFAULT_EXCLUDES, Progress, RecordOptions};
use intoto::settings;
use std::rc::Rc;

use crate::cli::{
    Command, GenerateCommand, KeyCommand, LayoutArgs, LayoutCommand, RecordArgs, RecordCommand,
    SigningKeyArgs,
};
use crate::ui;

/// State every command gets: the policy (with the reference time) and
/// the prompter.
pub struct Ctx {
    /// The reference time, the OpenPGP policy and the interop switches;
    /// see [`Ctx::for_command`].
    pub policy: Policy,
    /// Asks for passphrases.
    pub prompter: Rc<dyn Prompter>,
}

impl Ctx {
    /// The real clock and the terminal (when there is one).
    pub fn from_system(quiet: bool) -> Ctx {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        // Passphrases are read from the terminal (none without one); notices
        // go to stderr either way.
        Ctx {
            policy: Policy::at(now),
            prompter: Rc::new(TerminalPrompter { quiet }),
        }
    }

    /// The context `cmd` runs in: the one place the policy is built from
    /// the command line (`verify --time` sets the reference time,
    /// `--allow-noninteroperable` the interop switch).
    fn for_command(&self, cmd: &Command) -> Ctx {
        let (time, allow_noninteroperable) = match cmd {
            Command::Run(a) => (None, a.key.allow_noninteroperable),
            Command::Record(RecordCommand::Start(a)) => (None, a.key.allow_noninteroperable),
            Command::Record(RecordCommand::Stop(a)) => (None, a.key.allow_noninteroperable),
            Command::Verify(a) => (a.time, a.allow_noninteroperable),
            Command::Sign(a) => (None, a.allow_noninteroperable),
            Command::Key(KeyCommand::Export(a)) => (None, a.allow_noninteroperable),
            Command::Layout(LayoutArgs {
                command:
                    LayoutCommand::AddKey {
                        allow_noninteroperable,
                        ..
                    },
                ..
            }) => (None, *allow_noninteroperable),
            Command::Mock(_) | Command::Key(_) | Command::Layout(_) | Command::Generate(_) => {
                (None, false)
            }
        };
        let policy = self
            .policy
            .clone()
            .allowing_noninteroperable(allow_noninteroperable);
        Ctx {
            policy: match time {
                Some(t) => policy.with_time(t),
                None => policy,
            },
            prompter: self.prompter.clone(),
        }
    }
}

/// A command-line usage error (exit status 2).
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// How a command ended; `main` maps it (and errors) to the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked (exit 0).
    Success,
    /// A check failed, and the failure was reported (exit 1): a
    /// verification, a signature, a co-signature refused.
    Failed,
    /// The command `run` wrapped failed with this return value (an exit
    /// status, or minus a signal number).
    CommandStatus(i64),
}

/// Returns a usage error.
pub fn usage<T>(msg: impl Into<String>) -> Result<T> {
    Err(Usage(msg.into()).into())
}

/// Runs a subcommand; returns the exit status.
pub fn dispatch(cmd: Command, ctx: &Ctx) -> Result<Outcome> {
    let ctx = &ctx.for_command(&cmd);
    match cmd {
        Command::Run(a) => run::run(a, ctx),
        Command::Mock(a) => run::mock(a, ctx),
        Command::Record(a) => record::record(a, ctx),
        Command::Verify(a) => verify::verify(a, ctx),
        Command::Sign(a) => sign::sign(a, ctx),
        Command::Key(a) => key::key(a, ctx),
        Command::Layout(a) => layout::layout(a, ctx),
        Command::Generate(g) => generate(g),
    }
}

fn generate(g: GenerateCommand) -> Result<Outcome> {
    use clap::CommandFactory;
    match g {
        GenerateCommand::Man { dir } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let mut cmd = crate::cli::Cli::command().disable_help_subcommand(true);
            cmd.build();
            write_man_pages(cmd, &dir)
                .with_context(|| format!("writing man pages to {}", dir.display()))?;
        }
        GenerateCommand::Completions { shell } => {
            let mut cmd = crate::cli::Cli::command();
            // Into a buffer: clap_complete panics on a failing writer.
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "intoto", &mut buf);
            ui::print_bytes(&buf)?;
        }
    }
    Ok(Outcome::Success)
}

/// One page per (visible) command, with the help's examples as an
/// EXAMPLES section.
fn write_man_pages(cmd: clap::Command, dir: &Path) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
        write_man_pages(sub, dir)?;
    }
    let examples = cmd.get_after_help().map(|h| h.to_string());
    let has_args = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_subs = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let man = clap_mangen::Man::new(cmd);
    let mut out: Vec<u8> = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if has_args {
        man.render_options_section(&mut out)?;
    }
    if has_subs {
        man.render_subcommands_section(&mut out)?;
    }
    if let Some(ex) = examples {
        out.extend_from_slice(b".SH EXAMPLES\n.nf\n");
        for line in ex.lines().skip_while(|l| l.trim() == "Examples:") {
            let esc = line.replace('\\', "\\e");
            if esc.starts_with('.') || esc.starts_with('\'') {
                out.extend_from_slice(b"\\&");
            }
            out.extend_from_slice(esc.as_bytes());
            out.push(b'\n');
        }
        out.extend_from_slice(b".fi\n");
    }
    man.render_version_section(&mut out)?;
    std::fs::write(dir.join(man.get_filename()), out)
}

/// A signer for `--signing-key` or `--gpg`.
pub fn signer<'a>(args: &SigningKeyArgs, ctx: &'a Ctx) -> Result<Box<dyn Signer + 'a>> {
    if let Some(path) = &args.signing_key {
        if args.gpg.is_some() {
            return usage("give either --signing-key or --gpg, not both");
        }
        let password = match args.password.as_deref() {
            None => None,
            Some("") => ctx
                .prompter
                .passphrase(&format!("Password for {}: ", path.display())),
            Some(p) => Some(p.to_owned()),
        };
        return Ok(Box::new(load_signing_key(path, password.as_deref())?));
    }
    let Some(id) = &args.gpg else {
        return usage("give either --signing-key <path> or --gpg [<keyid>]");
    };
    if args.password.is_some() {
        ui::warn("-P/--password is for --signing-key; gpg-agent asks for GnuPG passphrases itself");
    }
    let home = GpgHome::new(args.gpg_home.as_deref())?;
    let opts = SignerOptions {
        policy: ctx.policy.clone(),
        backend: Backend::default_for_build(),
    };
    let id = if id.is_empty() {
        None
    } else {
        Some(id.as_str())
    };
    gpg_signer(&home, args.gpg_home.as_deref(), id, opts, ctx)
}

/// How long gpg-agent may take to greet a new connection.
const AGENT_ANSWER: std::time::Duration = std::time::Duration::from_secs(10);
/// After this long, say what a wait with no time limit is waiting for.
const AGENT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// A GnuPG signer, after checking that gpg-agent answers at all (bounded),
/// that says on stderr what it waits for when signing takes long (the PIN
/// or the card touch have no time limit).
pub fn gpg_signer<'a>(
    home: &GpgHome,
    gpg_home: Option<&Path>,
    id: Option<&str>,
    opts: SignerOptions,
    ctx: &'a Ctx,
) -> Result<Box<dyn Signer + 'a>> {
    probe_gpg_agent(gpg_home)?;
    let signer = {
        let _w = ui::watchdog(
            AGENT_PATIENCE,
            "waiting for gpg and gpg-agent to list the keys...".into(),
        );
        GpgSigner::new(home, id, opts, ctx.prompter.as_ref())?
    };
    for w in signer.warnings() {
        ui::warn(&w);
    }
    Ok(Box::new(Watched(Box::new(signer))))
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

/// A signer that says what it waits for when signing takes a while.
struct Watched<'a>(Box<dyn Signer + 'a>);

impl Signer for Watched<'_> {
    fn keyid(&self) -> &str {
        self.0.keyid()
    }
    fn public_key(&self) -> &KeyDict {
        self.0.public_key()
    }
    fn sign(
        &self,
        payload: &[u8],
    ) -> std::result::Result<intoto::keys::RawSignature, intoto::keys::SignError> {
        let _w = ui::watchdog(
            AGENT_PATIENCE,
            "waiting for gpg-agent (PIN entry or card touch?)...".into(),
        );
        self.0.sign(payload)
    }
}

/// Loads a PEM private key.
pub fn load_signing_key(path: &Path, password: Option<&str>) -> Result<PemSigner> {
    let text = fsio::read_regular(path, 1 << 20).map_err(|e| anyhow!("signing key {e}"))?;
    PemSigner::from_pem(&text, password.map(str::as_bytes))
        .map_err(|e| anyhow!("signing key {}: {e}", path.display()))
}

/// Loads a PEM public key.
pub fn load_public_key(path: &Path) -> Result<SslibKey> {
    let text = fsio::read_regular(path, 1 << 20).map_err(|e| anyhow!("public key {e}"))?;
    load_public(path, &text).map_err(|e| anyhow!("public key {}: {e}", path.display()))
}

/// OpenPGP certificates for `ids`, from keyring files when given, else
/// from the GnuPG home; with no ids, every certificate in the keyrings.
pub fn openpgp_verifiers(
    ids: &[String],
    keyrings: &[PathBuf],
    gpg_home: Option<&Path>,
    policy: &Policy,
) -> Result<Vec<(CertVerifier, String)>> {
    let mut out = Vec::new();
    if !keyrings.is_empty() {
        let mut certs = Vec::new();
        for k in keyrings {
            let bytes = fsio::read_regular(k, fsio::MAX_METADATA_BYTES)
                .map_err(|e| anyhow!("keyring {e}"))?;
            certs.extend(read_certs(&bytes).map_err(|e| anyhow!("keyring {}: {e}", k.display()))?);
        }
        let names: Vec<String> = keyrings.iter().map(|k| k.display().to_string()).collect();
        let source = format!("keyring {}", names.join(", "));
        if ids.is_empty() {
            if certs.is_empty() {
                return Err(anyhow!("{source} holds no keys"));
            }
            for c in certs {
                out.push((
                    CertVerifier::new(c, policy).map_err(|e| anyhow!("{source}: {e}"))?,
                    source.clone(),
                ));
            }
        } else {
            for id in ids {
                let c = find_cert(&certs, id)
                    .map_err(|e| anyhow!("{e} in {source}"))?
                    .clone();
                out.push((
                    CertVerifier::new(c, policy).map_err(|e| anyhow!("{source}: {e}"))?,
                    format!("{source}, key {id}"),
                ));
            }
        }
        warn_about_certs(&out);
        return Ok(out);
    }
    let home = GpgHome::new(gpg_home)?;
    for id in ids {
        let cert = home.public_cert(id, Backend::default_for_build())?;
        out.push((
            CertVerifier::new(cert, policy).map_err(|e| anyhow!("GnuPG key {id}: {e}"))?,
            format!("GnuPG key {id}"),
        ));
    }
    warn_about_certs(&out);
    Ok(out)
}

/// Warnings the certificates draw (SHA-1 self-signatures), once each.
fn warn_about_certs(certs: &[(CertVerifier, String)]) {
    let mut seen = Vec::new();
    for w in certs.iter().flat_map(|(v, _)| v.warnings()) {
        if !seen.contains(&w) {
            ui::warn(&w);
            seen.push(w);
        }
    }
}

/// The layout key dict of OpenPGP key `id`, from `keyrings` when given,
/// else from the GnuPG home.
pub fn gpg_key_dict(
    id: &str,
    keyrings: &[PathBuf],
    gpg_home: Option<&Path>,
    policy: &Policy,
) -> Result<KeyDict> {
    let (v, _) = openpgp_verifiers(&[id.to_owned()], keyrings, gpg_home, policy)?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("no OpenPGP key {id}"))?;
    Ok(KeyDict::Gpg(
        cert_to_dict(v.cert(), policy).map_err(|e| anyhow!(e))?,
    ))
}

/// Recording options from the flags and (unless `--isolated`) settings.
pub fn record_options(args: &RecordArgs) -> RecordOptions {
    let s = if args.isolated {
        settings::Settings::default()
    } else {
        settings::load(&settings::Sources::from_system())
    };
    for line in s.announcements(args.exclude.is_some(), args.base_path.is_some()) {
        // Settings change what is recorded: always say so (even with -q).
        ui::always(&line);
    }
    let exclude_patterns = match (&args.exclude, &s.exclude_patterns) {
        (Some(e), _) => e.clone(),
        (None, Some(e)) => e.clone(),
        (None, None) => DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect(),
    };
    let base_path = args
        .base_path
        .clone()
        .or_else(|| s.base_path.as_ref().map(PathBuf::from));
    RecordOptions {
        exclude_patterns,
        base_path,
        lstrip_paths: args.lstrip_paths.clone(),
    }
}

/// Shows a step as it is performed: what is recorded (with a progress
/// line on a terminal), what runs, which products a failed command did not
/// make.
pub struct UiWatch {
    step: String,
    bar: Option<crate::progress::Bar>,
}

impl UiWatch {
    /// For the step `step`.
    pub fn new(step: &str) -> UiWatch {
        UiWatch {
            step: step.to_owned(),
            bar: None,
        }
    }
}

impl intoto::step::Watch for UiWatch {
    fn recording(&mut self, what: &str, paths: &[String]) -> Option<std::sync::Arc<Progress>> {
        ui::info(&format!("Recording {what} {}...", paths.join(", ")));
        let progress = std::sync::Arc::new(Progress::default());
        self.bar = Some(crate::progress::Bar::start(what, progress.clone()));
        Some(progress)
    }
    fn recorded(&mut self, _what: &str) {
        if let Some(b) = self.bar.take() {
            b.finish();
        }
    }
    fn running(&mut self, command: &[String]) {
        ui::info(&format!("Running '{}'...", command.join(" ")));
    }
    fn missing_product(&mut self, path: &str) {
        ui::warn(&format!(
            "step '{}': product {path} does not exist (the command failed); not recorded",
            self.step
        ));
    }
}

/// Writes `bytes` to `path` atomically, naming the file on failure.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    fsio::write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
