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
//! `APT::Intoto::Keyring` (OpenPGP keyring files, read without gpg);
//! `APT::Intoto::Allow` and `APT::Intoto::Deny` (lists of source-package
//! globs: `intoto_debian::policy`); `APT::Intoto::Timeout` (seconds each
//! rebuilder has for one package, all its requests, default 30).
//!
//! Started as root, the method reads the layout and its keys, then drops
//! to `APT::Sandbox::User` (default `_apt`; `root` stays) as apt's own
//! methods do, before it fetches anything or starts apt's http method.

use std::path::{Path, PathBuf};
use std::time::Duration;

use intoto::keys::spec::{KeyPlaces, KeySpec};
use intoto::verify::LayoutKey;
use intoto_debian::check::{Checker, CheckerError, Target};
use intoto_debian::deb::read_deb;
use intoto_debian::method::{self, AptConfig, Decision, Judge};
use intoto_debian::policy::{Outcome, PackagePolicy, Rule};
use intoto_debian::rebuilder::{FetchOptions, Rebuilder, fetch_links};
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

/// Runs the method on stdin/stdout; the exit status (0 when apt closed
/// the pipe, 100 as apt's methods on a failure).
pub fn main(scheme: &str) -> u8 {
    ui::init(ui::Verbosity::Quiet);
    let mut judge = AptJudge {
        setup: Err("no configuration from apt yet".into()),
        ctx: None,
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

/// What the configuration gave.
struct Setup {
    checker: Checker,
    rebuilders: Vec<Rebuilder>,
    policy: PackagePolicy,
    timeout: Duration,
}

struct AptJudge {
    setup: Result<Setup, String>,
    ctx: Option<Ctx>,
}

const KEY_HELP: &str = "set APT::Intoto::Keyring (an OpenPGP keyring file) or APT::Intoto::Keyids (GnuPG key ids, with APT::Intoto::GPGHomedir)";

impl AptJudge {
    fn setup(&mut self, c: &AptConfig) -> Result<Setup, String> {
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
        let checker = Checker::new(Path::new(layout), keys, &ctx.policy).map_err(|e| match e {
            CheckerError::Load(m) => format!("APT::Intoto::Layout: {m}"),
            CheckerError::Refused { .. } => format!(
                "APT::Intoto::Layout: {e}; the layout must be signed by the keys of APT::Intoto::Keyring or APT::Intoto::Keyids"
            ),
        })?;
        self.ctx = Some(ctx);
        Ok(Setup {
            checker,
            rebuilders,
            policy,
            timeout,
        })
    }
}

impl Judge for AptJudge {
    fn configure(&mut self, config: &AptConfig) {
        // The layout and the keys are read as root (they need not be
        // readable by the sandbox user); then the method becomes that
        // user before it fetches anything or starts apt's http method.
        self.setup = self.setup(config);
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

    fn judge(&mut self, file: &Path, _uri: &str) -> Decision {
        let decision = self.decide(file);
        match decision {
            Decision::Pass => Decision::Pass,
            Decision::Warn(w) => Decision::Warn(ui::escape(&w).into_owned()),
            Decision::Refuse(w) => Decision::Refuse(ui::escape(&w).into_owned()),
        }
    }
}

impl AptJudge {
    fn decide(&mut self, file: &Path) -> Decision {
        let setup = match &mut self.setup {
            Ok(s) => s,
            Err(e) => {
                return Decision::Refuse(format!(
                    "intoto: the configuration is broken, no package can be verified: {e}"
                ));
            }
        };
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
                cache: None,
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
        if let Some(ctx) = &self.ctx {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            setup.checker.set_policy(&ctx.policy.clone().with_time(now));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("; {}", notes.join("; "))
        };
        let verdict = setup
            .checker
            .check(&deb, Target::File(file.to_owned()), &links);
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
        password: None,
        password_flag: None,
    };
    Resolver::new(ctx, places)
        .layout_keys(&specs)
        .map_err(|e| format!("{what}: {e:#}"))
}
