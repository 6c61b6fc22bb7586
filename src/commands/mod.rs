//! Subcommands: resolve files and keys, call the library, report.

mod apt_check;
pub mod apt_method;
mod generate;
mod hazards;
mod key;
mod layout;
mod layout_check;
mod layout_draft;
mod layout_graph;
mod layout_rebuilders;
mod match_products;
mod mock;
mod pacman_fetch;
mod record;
mod resolver;
mod run;
mod sign;
mod verify;
mod verify_archive;
mod verify_summary;

pub use verify::usage_report as verify_usage_report;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use intoto::fsio;
use intoto::keys::prompt::{Prompter, TerminalPrompter};
use intoto::policy::Policy;
use intoto::record::{DEFAULT_EXCLUDES, Progress, RecordOptions};
use intoto::settings;
use std::rc::Rc;

use crate::cli::{Command, InteropArgs, PolicyArgs, RecordArgs, TimeArgs};
use crate::ui;

/// State every command gets: the policy (with the reference time) and
/// the prompter.
pub struct Ctx {
    /// The reference time, the OpenPGP policy and the interop switches;
    /// a command sets the first and the last from its flags
    /// ([`PolicyArgs::apply`], [`TimeArgs::apply`], [`InteropArgs::apply`]).
    pub policy: Policy,
    /// Asks for passphrases.
    pub prompter: Rc<dyn Prompter>,
}

impl Ctx {
    /// The real clock and the terminal (when there is one).
    /// Fails when the system's crypto policy cannot be read.
    pub fn from_system(quiet: bool) -> Result<Ctx> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let openpgp = intoto::policy::CertPolicy::from_system().map_err(|e| anyhow::anyhow!(e))?;
        // Passphrases are read from the terminal (none without one); notices
        // go to stderr either way.
        Ok(Ctx {
            policy: Policy::at(now).with_openpgp(openpgp),
            prompter: Rc::new(TerminalPrompter { quiet }),
        })
    }
}

// Each command builds its policy from its own flags: `--time` sets the
// reference time, `--allow-noninteroperable` the interop switch.

impl TimeArgs {
    /// `ctx` with the reference time `--time` gives, if any.
    pub fn apply(&self, ctx: &Ctx) -> Ctx {
        Ctx {
            policy: match self.time {
                Some(t) => ctx.policy.clone().with_time(t),
                None => ctx.policy.clone(),
            },
            prompter: ctx.prompter.clone(),
        }
    }
}

impl InteropArgs {
    /// `ctx` with the interop switch `--allow-noninteroperable` sets.
    pub fn apply(&self, ctx: &Ctx) -> Ctx {
        Ctx {
            policy: ctx
                .policy
                .clone()
                .allowing_noninteroperable(self.allow_noninteroperable),
            prompter: ctx.prompter.clone(),
        }
    }
}

impl PolicyArgs {
    /// `ctx` with the reference time and the interop switch the flags set.
    pub fn apply(&self, ctx: &Ctx) -> Ctx {
        self.interop.apply(&self.time.apply(ctx))
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

/// `--signatures N` against the number of distinct keys given: more than
/// there are is a usage error (the library would refuse it too, as a
/// failure).
pub fn signatures_usage(n: Option<u32>, keys: usize) -> Result<Option<usize>> {
    match n {
        Some(n) if n as usize > keys => usage(format!(
            "--signatures {n}: only {keys} distinct key{} given",
            if keys == 1 { " is" } else { "s are" }
        )),
        n => Ok(n.map(|n| n as usize)),
    }
}

/// Runs a subcommand; returns the exit status.
pub fn dispatch(cmd: Command, ctx: &Ctx) -> Result<Outcome> {
    match cmd {
        Command::Run(a) => run::run(a, ctx),
        Command::Mock(a) => mock::mock(a, ctx),
        Command::Record(a) => record::record(a, ctx),
        Command::Verify(a) => verify::verify(a, ctx),
        Command::VerifySummary(a) => verify_summary::verify_summary(a, ctx),
        Command::Sign(a) => sign::sign(a, ctx),
        Command::Key(a) => key::key(a, ctx),
        Command::Layout(a) => layout::layout(a, ctx),
        Command::MatchProducts(a) => match_products::match_products(a, ctx),
        Command::VerifyArchive(a) => verify_archive::verify_archive(a, ctx),
        Command::AptCheck(a) => apt_check::apt_check(a, ctx),
        Command::PacmanFetch(a) => pacman_fetch::pacman_fetch(a, ctx),
        Command::Generate(g) => generate::generate(g),
    }
}

/// Recording options from the flags and (unless `--isolated`) settings;
/// `paths` are the artifact paths to be recorded, whose trees no implicit
/// rcfile may come from.
pub fn record_options(args: &RecordArgs, paths: &[String]) -> Result<RecordOptions> {
    let s = if args.isolated {
        settings::Settings::default()
    } else {
        let untrusted = settings::Untrusted::for_recording(args.base_path.as_deref(), paths);
        settings::load(&settings::Sources::from_system(
            args.rcfile.clone(),
            untrusted,
        ))?
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
    Ok(RecordOptions {
        exclude_patterns,
        base_path,
        lstrip_paths: args.lstrip_paths.clone(),
    })
}

/// Shows what the library reports: narration and warnings (kept for
/// `--json`), what a step records (with a progress line on a terminal),
/// what runs, which products a failed command did not make.
#[derive(Default)]
pub struct UiObserver {
    step: String,
    bar: Option<crate::progress::Bar>,
    /// The warnings shown, in order.
    pub warnings: Vec<String>,
}

impl UiObserver {
    /// For the step `step`.
    pub fn new(step: &str) -> UiObserver {
        UiObserver {
            step: step.to_owned(),
            ..UiObserver::default()
        }
    }
}

impl intoto::observe::Observer for UiObserver {
    fn info(&mut self, msg: &str) {
        ui::info(msg);
    }
    fn warn(&mut self, msg: &str) {
        ui::warn(msg);
        self.warnings.push(msg.to_owned());
    }
    fn recording(&mut self, what: &str, paths: &[String]) -> Option<std::sync::Arc<Progress>> {
        if !paths.is_empty() {
            ui::info(&format!("Recording {what} {}...", paths.join(", ")));
        }
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

/// Writes a link under the name intoto made for it, atomically and
/// streamed (links of many artifacts are never whole in memory twice),
/// never bigger than intoto loads; a symlink at that name is replaced,
/// never written through.
pub fn write_link(path: &Path, env: &intoto_format::models::Envelope) -> Result<()> {
    // Never a file intoto would refuse to load: the write stops (and
    // nothing is left at `path`) once it passes the limit.
    fsio::replace_atomic_with(path, &mut |w| {
        env.write_file_bytes(&mut Bounded {
            inner: w,
            left: fsio::MAX_METADATA_BYTES,
        })
    })
    .with_context(|| format!("cannot write {}", path.display()))
}

/// `link` as a link attestation (a Statement v1 with the link predicate
/// v0.3 in DSSE), signed by `signer` when one is given; the signature made
/// (its key id names the file) with it.
pub fn link_attestation(
    link: &intoto_format::models::Link,
    signer: Option<&dyn intoto::keys::Signer>,
) -> Result<(
    intoto_format::models::attestation::AttestationEnvelope,
    Option<intoto::keys::RawSignature>,
)> {
    use intoto_format::models::attestation::{AttestationEnvelope, link_statement};
    let statement = link_statement(link)?;
    let mut env = AttestationEnvelope {
        payload_type: intoto_format::models::PAYLOAD_TYPE.to_owned(),
        payload: statement.to_payload()?,
        signatures: Vec::new(),
    };
    let raw = match signer {
        Some(s) => Some(intoto::keys::sign_attestation(&mut env, s)?),
        None => None,
    };
    Ok((env, raw))
}

/// Writes a link attestation as [`write_link`] writes a link.
pub fn write_attestation(
    path: &Path,
    env: &intoto_format::models::attestation::AttestationEnvelope,
) -> Result<()> {
    let bytes = env.to_file_bytes()?;
    fsio::replace_atomic_with(path, &mut |w| {
        io::Write::write_all(
            &mut Bounded {
                inner: w,
                left: fsio::MAX_METADATA_BYTES,
            },
            &bytes,
        )
    })
    .with_context(|| format!("cannot write {}", path.display()))
}

/// The error of a [`Bounded`] writer that reached its limit.
#[derive(Debug, thiserror::Error)]
#[error(
    "it would be more than {} MiB, the most intoto loads; nothing was written",
    fsio::MAX_METADATA_BYTES >> 20
)]
struct TooBig;

/// A writer that fails once more than `left` bytes are written.
struct Bounded<'a> {
    inner: &'a mut dyn io::Write,
    left: u64,
}

impl io::Write for Bounded<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        if b.len() as u64 > self.left {
            return Err(io::Error::other(TooBig));
        }
        let n = self.inner.write(b)?;
        self.left -= n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_writer_stops_at_its_limit() {
        let mut out = Vec::new();
        let mut b = Bounded {
            inner: &mut out,
            left: 5,
        };
        io::Write::write_all(&mut b, b"abc").unwrap();
        let e = io::Write::write_all(&mut b, b"def").unwrap_err();
        assert!(e.to_string().contains("the most intoto loads"), "{e}");
        assert_eq!(out, b"abc");
    }
}
