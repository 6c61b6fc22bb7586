//! `intoto pacman-fetch URL OUTPUT`: pacman's `XferCommand`
//! (`XferCommand = /usr/bin/intoto pacman-fetch %u %o`).
//!
//! The file at `URL` is downloaded (bounded in size and time) into a new
//! file next to `OUTPUT`; a package (`.pkg.tar.zst`, …, not its `.sig`)
//! is then judged as the apt method judges a `.deb`: its `.PKGINFO` names
//! it (`intoto_debian::pacman`), the rebuilders are asked for its links,
//! the layout verifies it under its own file name (`{DEB}`), and the
//! deny and allow patterns (on `pkgbase`) apply. Only a file that passes
//! is renamed to `OUTPUT`; a refused one leaves nothing, not even the
//! `.part` file pacman named. Databases and signatures pass through.
//!
//! Settings come from the flags, else from `--config FILE` (default
//! `/etc/intoto/pacman.conf`, ignored when that one is missing): one
//! `name = value` a line (`#` comments), named as the flags
//! (`layout`, `keyring`, `verification-key`, `gpg`, `gpg-home`,
//! `rebuilder`, `allow`, `deny`, `timeout`), lists by repeating the line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use intoto::fsio;
use intoto_debian::check::{Checker, CheckerError, Target};
use intoto_debian::pacman::{download, is_package, read_pkginfo};
use intoto_debian::policy::{Outcome as Ruled, PackagePolicy, Rule};
use intoto_debian::rebuilder::{FetchOptions, Rebuilder, fetch_links};

use super::resolver::Resolver;
use super::{Ctx, Outcome};
use crate::cli::{PacmanFetchArgs, specs};
use crate::ui;

/// The default settings file.
const DEFAULT_CONFIG: &str = "/etc/intoto/pacman.conf";
/// Largest settings file read.
const MAX_CONFIG: u64 = 1 << 20;

/// Settings, from the flags and the file.
#[derive(Default)]
struct Settings {
    layout: Option<PathBuf>,
    verification_key: Vec<PathBuf>,
    gpg: Vec<String>,
    gpg_home: Option<PathBuf>,
    keyring: Vec<PathBuf>,
    rebuilder: Vec<String>,
    allow: Vec<String>,
    deny: Vec<String>,
    timeout: Option<u64>,
}

/// `intoto pacman-fetch …`
pub fn pacman_fetch(a: PacmanFetchArgs, ctx: &Ctx) -> Result<Outcome> {
    let s = settings(&a)?;
    let name = file_name(&a.url)?;
    // Whatever happens, pacman's .part is not left behind by a refusal.
    let dir = a
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !is_package(&name) {
        let tmp = download(&a.url, dir)?;
        tmp.persist(&a.output)
            .map_err(|e| anyhow!("{}: {}", a.output.display(), e.error))?;
        return Ok(Outcome::Success);
    }
    // The configuration is checked before anything is downloaded.
    let layout = s
        .layout
        .clone()
        .ok_or_else(|| anyhow!("no layout: give --layout or layout = FILE in the settings"))?;
    if s.rebuilder.is_empty() {
        bail!("no rebuilder: give --rebuilder or rebuilder = URL in the settings");
    }
    let rebuilders = s
        .rebuilder
        .iter()
        .map(|r| Rebuilder::parse(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!("rebuilder {e}"))?;
    let policy = PackagePolicy::new(
        s.deny.iter().map(String::as_str),
        "deny",
        s.allow.iter().map(String::as_str),
        "allow",
        false,
    )?;
    let (key_specs, places) = specs::verifiers(
        &s.verification_key,
        &s.gpg,
        &s.keyring,
        s.gpg_home.as_deref(),
    );
    if key_specs.is_empty() {
        bail!("no layout keys: give --keyring, --gpg or --verification-key (or the settings)");
    }
    let keys = Resolver::new(ctx, places).layout_keys(&key_specs)?;
    let checker = Checker::new(&layout, keys, &ctx.policy).map_err(|e| match e {
        CheckerError::Load(m) => anyhow!("layout {m}"),
        refused @ CheckerError::Refused { .. } => anyhow!("{refused}"),
    })?;

    let tmp = download(&a.url, dir)?;
    let refuse = |why: String| -> Result<Outcome> {
        let _ = std::fs::remove_file(&a.output);
        ui::error(&why);
        Ok(Outcome::Failed)
    };
    let info = match read_pkginfo(tmp.path()) {
        Ok(i) => i,
        Err(e) => {
            let why = e
                .to_string()
                .replace(&tmp.path().display().to_string(), &name);
            return refuse(format!("{why} (refused)"));
        }
    };
    let who = format!("{} {} ({})", info.name, info.version, info.arch);
    if let Some(d) = policy.denied(&info.base) {
        return refuse(format!(
            "{who} refused: its pkgbase {:?} matches the deny pattern {:?}",
            info.base,
            d.rule.pattern().unwrap_or_default()
        ));
    }
    let deb = info.as_deb_info();
    let fetched = fetch_links(
        &rebuilders,
        &deb,
        &FetchOptions {
            timeout: Duration::from_secs(s.timeout.unwrap_or(30).max(1)),
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
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!("; {}", notes.join("; "))
    };
    let target = Target::Named {
        path: tmp.path().to_owned(),
        file_name: name.clone(),
    };
    let ruling = policy.rule(&info.base, checker.check(&deb, target, &links));
    let why = ruling.reason.clone().unwrap_or_default();
    match ruling.outcome {
        Ruled::Verified => ui::notice(&format!("{who}: verified")),
        Ruled::Allowed => {
            let by = match &ruling.rule {
                Rule::Allow(p) => format!("the allow pattern {p:?} matches its pkgbase"),
                _ => "allowed".to_owned(),
            };
            ui::warn(&format!(
                "{who}: not enough evidence: {why}{notes} (allowed: {by})"
            ));
        }
        Ruled::MissingEvidence => {
            return refuse(format!("{who}: not enough evidence: {why}{notes}"));
        }
        _ => return refuse(format!("{who} failed verification: {why}{notes}")),
    }
    tmp.persist(&a.output)
        .map_err(|e| anyhow!("{}: {}", a.output.display(), e.error))?;
    Ok(Outcome::Success)
}

/// The flags, then the settings file for what they leave unset.
fn settings(a: &PacmanFetchArgs) -> Result<Settings> {
    let mut f = Settings::default();
    let (path, must) = match &a.config {
        Some(p) => (p.clone(), true),
        None => (PathBuf::from(DEFAULT_CONFIG), false),
    };
    match fsio::read_regular(&path, MAX_CONFIG) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow!("--config {}: not UTF-8 text", path.display()))?;
            parse_settings(&path, &text, &mut f)?;
        }
        Err(e) if must || path.exists() => return Err(anyhow!("--config {e}")),
        Err(_) => {}
    }
    fn or<T: Clone>(flag: &[T], file: Vec<T>) -> Vec<T> {
        if flag.is_empty() { file } else { flag.to_vec() }
    }
    Ok(Settings {
        layout: a.layout.clone().or(f.layout),
        verification_key: or(&a.verification_key, f.verification_key),
        gpg: or(&a.gpg, f.gpg),
        gpg_home: a.gpg_home.clone().or(f.gpg_home),
        keyring: or(&a.keyring, f.keyring),
        rebuilder: or(&a.rebuilder, f.rebuilder),
        allow: or(&a.allow, f.allow),
        deny: or(&a.deny, f.deny),
        timeout: a.timeout.or(f.timeout),
    })
}

fn parse_settings(path: &Path, text: &str, s: &mut Settings) -> Result<()> {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("{}, line {}", path.display(), i + 1);
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| anyhow!("{}: expected name = value", at()))?;
        let v = v.trim().to_owned();
        match k.trim() {
            "layout" => s.layout = Some(v.into()),
            "verification-key" => s.verification_key.push(v.into()),
            "gpg" => s.gpg.push(v),
            "gpg-home" => s.gpg_home = Some(v.into()),
            "keyring" => s.keyring.push(v.into()),
            "rebuilder" => s.rebuilder.push(v),
            "allow" => s.allow.push(v),
            "deny" => s.deny.push(v),
            "timeout" => {
                s.timeout = Some(
                    v.parse()
                        .ok()
                        .filter(|t| *t > 0)
                        .ok_or_else(|| anyhow!("{}: timeout {v:?}: expected seconds", at()))?,
                );
            }
            other => bail!("{}: unknown setting {other:?}", at()),
        }
    }
    Ok(())
}

/// The file name a URL ends with (percent-decoded).
fn file_name(url: &str) -> Result<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    let name = intoto_debian::method::dequote(last);
    if name.is_empty() || name.starts_with('.') || name.contains(['/', '\0']) {
        bail!("{url}: names no file to download");
    }
    Ok(name)
}
