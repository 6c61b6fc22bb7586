//! `intoto` as the apt method `intoto+http` / `intoto+https` (its name is
//! argv\[0\]'s file name): the protocol and the relay are
//! `intoto_debian::method`; here apt's configuration becomes a layout
//! checker, rebuilders and keys (through the one key resolver), and each
//! downloaded `.deb` a decision.
//!
//! Configuration (compatible with apt-transport-in-toto's
//! `/etc/apt/apt.conf.d/intoto`): `APT::Intoto::Layout`,
//! `APT::Intoto::Rebuilders` (list), `APT::Intoto::NoFail`,
//! `APT::Intoto::Keyids` (list) with `APT::Intoto::GPGHomedir`, and
//! `APT::Intoto::Keyring` (OpenPGP keyring files, read without gpg),
//! `APT::Intoto::Signatures` (N: at least N distinct keys among those
//! given must have signed the layout, as `--signatures`);
//! `APT::Intoto::Allow` and `APT::Intoto::Deny` (lists of source-package
//! globs: `intoto_debian::policy`); `APT::Intoto::Timeout` (seconds each
//! rebuilder has for one package, all its requests, default 30).
//!
//! Started as root, the method reads the layout and its keys, then drops
//! to `APT::Sandbox::User` (default `_apt`; `root` stays) as apt's own
//! methods do, before it fetches anything or starts apt's http method.
//!
//! Packages are judged on several threads at once (`method::JUDGES`),
//! each at the time it arrives, with the one [`Setup`].
//!
//! Started by a person (on a terminal, or with `--help`, which apt never
//! passes) it prints its manual, `intoto-apt`(8), instead. [`Setup`] is
//! also what `intoto apt-check` judges packages with.

use std::path::{Path, PathBuf};
use std::time::Duration;

use intoto::keys::spec::{KeyPlaces, KeySpec};
use intoto::policy::Policy;
use intoto::verify::LayoutKey;
use intoto_debian::check::{Checker, CheckerError, Target};
use intoto_debian::deb::read_deb;
use intoto_debian::method::{self, AptConfig, Decision, Judge};
use intoto_debian::policy::{Outcome, PackagePolicy, Rule};
use intoto_debian::rebuilder::{AnswerCache, FetchOptions, Rebuilder, fetch_links};
use intoto_debian::sandbox::{Sandbox, drop_privileges};

use super::Ctx;
use super::resolver::Resolver;
use crate::ui;

/// The method names `intoto` answers to.
pub const SCHEMES: [&str; 2] = ["intoto+http", "intoto+https"];

/// The method name when argv\[0\]'s file name is one of [`SCHEMES`].
pub fn scheme_of(argv0: &std::ffi::OsStr) -> Option<&'static str> {
    let name = Path::new(argv0).file_name()?.to_str()?;
    SCHEMES.into_iter().find(|s| *s == name)
}

/// Whether the method was started by a person rather than by apt: with
/// `--help` or `-h`, or on a terminal (apt starts its methods with pipes
/// and no arguments).
pub fn wants_help() -> bool {
    use std::io::IsTerminal as _;
    std::env::args_os()
        .skip(1)
        .any(|a| a == "--help" || a == "-h")
        || std::io::stdin().is_terminal()
}

/// Prints the method's manual page, `intoto-apt`(8), as text; the exit
/// status.
pub fn print_help(scheme: &str) -> u8 {
    let page = crate::cli::manual::DOCUMENTS
        .iter()
        .find(|d| d.name == "intoto-apt")
        .map_or_else(String::new, |d| crate::cli::markup::to_plain(d.text));
    let text = format!(
        "{scheme}: the intoto apt method. apt starts it and speaks to it on a pipe; \
         this is its manual (man 8 intoto-apt).\n\n{page}\n"
    );
    match ui::print(&text) {
        Ok(()) => 0,
        Err(e) if e.is_closed_pipe() => 0,
        Err(e) => {
            ui::error(&e.to_string());
            1
        }
    }
}

/// Runs the method on stdin/stdout; the exit status (0 when apt closed
/// the pipe, 100 as apt's methods on a failure).
pub fn main(scheme: &str) -> u8 {
    ui::init(ui::Verbosity::Quiet);
    let mut judge = AptJudge {
        setup: Err("no configuration from apt yet".into()),
    };
    match method::run(
        scheme,
        std::io::stdin(),
        std::io::stdout().lock(),
        &mut judge,
    ) {
        Ok(()) => 0,
        Err(e) => {
            ui::error(&format!("{scheme}: {e}"));
            100
        }
    }
}

/// What the configuration gave: the method's settings, read once.
pub struct Setup {
    layout: String,
    checker: Checker,
    rebuilders: Vec<Rebuilder>,
    policy: PackagePolicy,
    timeout: Duration,
    /// The OpenPGP policy; each package is judged at the time it arrives.
    crypto: Policy,
    /// The rebuilders' answers so far (links, "not found"): the binary
    /// packages of one source version share its link (legacy API).
    answers: AnswerCache,
}

struct AptJudge {
    setup: Result<Setup, String>,
}

const KEY_HELP: &str = "set APT::Intoto::Keyring (an OpenPGP keyring file) or APT::Intoto::Keyids (GnuPG key ids, with APT::Intoto::GPGHomedir)";

impl Setup {
    /// Reads the method's settings (`APT::Intoto::*`) from apt's
    /// configuration, loads the layout and checks its signatures: one
    /// line naming the setting to fix when that fails.
    pub fn from_config(c: &AptConfig) -> Result<Setup, String> {
        let ctx = Ctx::from_system(true).map_err(|e| format!("{e:#}"))?;
        let layout = c
            .find("APT::Intoto::Layout")
            .filter(|l| !l.is_empty())
            .ok_or("APT::Intoto::Layout is not set: give the root layout's path")?;
        let rebuilders = c
            .list("APT::Intoto::Rebuilders")
            .into_iter()
            .map(|r| Rebuilder::parse(r).map_err(|e| format!("APT::Intoto::Rebuilders: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        if rebuilders.is_empty() {
            return Err("APT::Intoto::Rebuilders lists no rebuilder".into());
        }
        let policy = PackagePolicy::from_apt(c).map_err(|e| e.to_string())?;
        let timeout = match c.find("APT::Intoto::Timeout") {
            None => Duration::from_secs(30),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|s| *s > 0)
                .map(Duration::from_secs)
                .ok_or_else(|| format!("APT::Intoto::Timeout {v:?}: expected seconds"))?,
        };
        let keys = layout_keys(c, &ctx)?;
        let signatures = match c.find("APT::Intoto::Signatures") {
            None => None,
            Some(v) => {
                let n = v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        format!(
                            "APT::Intoto::Signatures {v:?}: expected a number of keys, 1 or more"
                        )
                    })?;
                if n > keys.len() {
                    return Err(format!(
                        "APT::Intoto::Signatures {n}: only {} distinct key{} given",
                        keys.len(),
                        if keys.len() == 1 { " is" } else { "s are" }
                    ));
                }
                Some(n)
            }
        };
        let checker = Checker::with_signatures(Path::new(layout), keys, signatures, &ctx.policy)
            .map_err(|e| match e {
            CheckerError::Load(m) => format!("APT::Intoto::Layout: {m}"),
            CheckerError::Refused { .. } => format!(
                "APT::Intoto::Layout: {e}; the layout must be signed by the keys of APT::Intoto::Keyring or APT::Intoto::Keyids"
            ),
        })?;
        Ok(Setup {
            layout: layout.to_owned(),
            checker,
            rebuilders,
            policy,
            timeout,
            crypto: ctx.policy,
            answers: AnswerCache::memory(),
        })
    }
}

impl Judge for AptJudge {
    fn configure(&mut self, config: &AptConfig) {
        // The layout and the keys are read as root (they need not be
        // readable by the sandbox user); then the method becomes that
        // user before it fetches anything or starts apt's http method.
        self.setup = Setup::from_config(config);
        match drop_privileges(config) {
            Ok(Sandbox::Stayed | Sandbox::Dropped { .. }) => {}
            Ok(Sandbox::NoSuchUser(user)) => ui::always(&format!(
                "warning: no sandbox user {user:?} on the system (APT::Sandbox::User), can not drop privileges"
            )),
            Err(e) => {
                self.setup = Err(e.to_string());
            }
        }
    }

    fn judge(&self, file: &Path, _uri: &str) -> Decision {
        let decision = self.decide(file);
        match decision {
            Decision::Pass => Decision::Pass,
            Decision::Warn(w) => Decision::Warn(ui::escape(&w).into_owned()),
            Decision::Refuse(w) => Decision::Refuse(ui::escape(&w).into_owned()),
        }
    }
}

impl AptJudge {
    fn decide(&self, file: &Path) -> Decision {
        match &self.setup {
            Ok(s) => s.decide(file),
            Err(e) => Decision::Refuse(format!(
                "intoto: the configuration is broken, no package can be verified: {e}"
            )),
        }
    }
}

impl Setup {
    /// One line: the layout, who signed it, the rebuilders.
    pub fn describe(&self) -> String {
        let signers: Vec<String> = self
            .checker
            .signers()
            .iter()
            .map(|s| format!("{} ({})", s.keyid, s.source))
            .collect();
        let rebuilders: Vec<String> = self.rebuilders.iter().map(|r| r.to_string()).collect();
        format!(
            "layout {} signed by {}; rebuilders {}; {}; Timeout {}s",
            self.layout,
            signers.join(", "),
            rebuilders.join(", "),
            self.policy.describe(),
            self.timeout.as_secs()
        )
    }

    /// The method's decision on the `.deb` at `file`, now: its links
    /// fetched from the rebuilders and verified (messages start with
    /// `intoto: `, as apt shows them).
    pub fn decide(&self, file: &Path) -> Decision {
        let setup = self;
        let deb = match read_deb(file) {
            Ok(d) => d,
            Err(e) => return Decision::Refuse(format!("intoto: {e}")),
        };
        let who = format!("{} {} ({})", deb.package, deb.version, deb.architecture);
        if let Some(denied) = setup.policy.denied(&deb.source) {
            return refuse_denied(&who, &deb.source, &denied.rule);
        }
        let fetched = fetch_links(
            &setup.rebuilders,
            &deb,
            &FetchOptions {
                timeout: setup.timeout,
                cache: Some(setup.answers.clone()),
            },
        );
        let mut links = Vec::new();
        let mut notes = Vec::new();
        for f in fetched {
            match f.result {
                Ok(bytes) => links.push((f.rebuilder, bytes)),
                Err(e) => notes.push(format!("rebuilder {}: {e}", f.rebuilder)),
            }
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let crypto = setup.crypto.clone().with_time(now);
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("; {}", notes.join("; "))
        };
        let verdict = setup
            .checker
            .judge_at(&deb, Target::File(file.to_owned()), &links, &crypto)
            .verdict;
        let ruling = setup.policy.rule(&deb.source, verdict);
        let why = ruling.reason.unwrap_or_default();
        match (ruling.outcome, &ruling.rule) {
            (Outcome::Verified, _) => Decision::Pass,
            (Outcome::Denied, rule) => refuse_denied(&who, &deb.source, rule),
            (Outcome::Allowed, rule) => {
                let by = match rule {
                    Rule::Allow(p) => format!(
                        "APT::Intoto::Allow {p:?} matches its source {:?}",
                        deb.source
                    ),
                    _ => "APT::Intoto::NoFail is set".to_owned(),
                };
                Decision::Warn(format!(
                    "intoto: {who}: not enough evidence: {why}{notes} (allowed: {by})"
                ))
            }
            (Outcome::MissingEvidence, _) => {
                Decision::Refuse(format!("intoto: {who}: not enough evidence: {why}{notes}"))
            }
            _ => Decision::Refuse(format!("intoto: {who} failed verification: {why}{notes}")),
        }
    }
}

/// A package a deny pattern refuses, before any rebuilder is asked.
fn refuse_denied(who: &str, source: &str, rule: &Rule) -> Decision {
    Decision::Refuse(format!(
        "intoto: {who} refused: its source {source:?} matches APT::Intoto::Deny {:?}",
        rule.pattern().unwrap_or_default()
    ))
}

/// The layout keys the configuration names: `Keyids` (from `Keyring`
/// files when given, else from the GnuPG home `GPGHomedir`), or every key
/// of the `Keyring` files (one valid signature by any of them suffices).
fn layout_keys(c: &AptConfig, ctx: &Ctx) -> Result<Vec<LayoutKey>, String> {
    let keyids: Vec<String> = c
        .list("APT::Intoto::Keyids")
        .into_iter()
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect();
    let keyrings: Vec<PathBuf> = c
        .list("APT::Intoto::Keyring")
        .into_iter()
        .filter(|k| !k.is_empty())
        .map(PathBuf::from)
        .collect();
    let home = c
        .find("APT::Intoto::GPGHomedir")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let (specs, what): (Vec<KeySpec>, &str) = if !keyids.is_empty() {
        let what = if !keyrings.is_empty() {
            "APT::Intoto::Keyids in APT::Intoto::Keyring"
        } else if home.is_some() {
            "APT::Intoto::Keyids in APT::Intoto::GPGHomedir"
        } else {
            "APT::Intoto::Keyids (in the default GnuPG home: APT::Intoto::GPGHomedir is not set)"
        };
        (
            keyids.into_iter().map(|k| KeySpec::Gpg(Some(k))).collect(),
            what,
        )
    } else if !keyrings.is_empty() {
        (
            keyrings.iter().cloned().map(KeySpec::Keyring).collect(),
            "APT::Intoto::Keyring",
        )
    } else {
        return Err(format!("no layout keys: {KEY_HELP}"));
    };
    let places = KeyPlaces {
        gpg_home: home,
        keyrings: if matches!(specs.first(), Some(KeySpec::Gpg(_))) {
            keyrings
        } else {
            Vec::new()
        },
        cert_store: None,
        passphrase_file: None,
        password: None,
        password_flag: None,
    };
    Resolver::new(ctx, places)
        .layout_keys(&specs)
        .map_err(|e| format!("{what}: {e:#}"))
}
