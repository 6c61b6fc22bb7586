//! `intoto verify-archive`: every package of a Debian archive index judged
//! against rebuilders' links, without downloading it (or, with `--files`,
//! the downloaded `.deb` files).
//!
//! The archive side is `intoto_debian::archive` (InRelease, Packages,
//! shards); each package is judged by `intoto_debian::check::Checker`
//! with the links `intoto_debian::rebuilder` fetches. Packages of one
//! source version are judged by one worker, one after the other, so a
//! link the legacy API gives per source version is fetched once (the
//! answers are cached on disk for the run) and shared by its binaries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use intoto::fsio;
use intoto::keys::openpgp::cert::read_certs;
use intoto::verify::LayoutKey;
use intoto_debian::archive::{PackageEntry, parse_packages, verify_inrelease};
use intoto_debian::check::{Checker, CheckerError, Target};
use intoto_debian::deb::read_deb;
use intoto_debian::policy::{Outcome as Ruled, PackagePolicy};
use intoto_debian::rebuilder::{AnswerCache, FetchError, FetchOptions, Rebuilder, fetch_links};
use intoto_debian::report::{self, AnswerKind};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::resolver::Resolver;
use super::{Ctx, Outcome, signatures_usage, usage};
use crate::cli::{VerifyArchiveArgs, specs};
use crate::ui;

/// Largest InRelease or keyring file read.
const MAX_SMALL: u64 = 64 << 20;
/// Largest Packages file read (compressed or not).
const MAX_PACKAGES: u64 = 1 << 30;

/// The judgement on one package, as printed.
struct Judged {
    line: Value,
    kind: Kind,
    /// The verification stage that decided, for the report.
    stage: Option<&'static str>,
    /// The rebuilders' answers, timed, for the report.
    timings: Vec<report::Answer>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Verified,
    Failed,
    Missing,
    Allowed,
    Denied,
    Skipped,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Verified => "verified",
            Kind::Failed => "failed",
            Kind::Missing => "missing-evidence",
            Kind::Allowed => "allowed",
            Kind::Denied => "denied",
            Kind::Skipped => "skipped",
        }
    }
}

/// `intoto verify-archive …`
pub fn verify_archive(a: VerifyArchiveArgs, ctx: &Ctx) -> Result<Outcome> {
    let ctx = &a.policy.apply(ctx);
    let started = Instant::now();
    let rebuilders = a
        .rebuilder
        .iter()
        .map(|r| Rebuilder::parse(r))
        .collect::<Result<Vec<_>, _>>();
    let rebuilders = match rebuilders {
        Ok(r) => r,
        Err(e) => return usage(format!("--rebuilder {e}")),
    };
    let jobs = match a.jobs {
        Some(0) => return usage("--jobs 0: give at least 1"),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let policy = match PackagePolicy::new(
        a.deny.iter().map(String::as_str),
        "--deny",
        a.allow.iter().map(String::as_str),
        "--allow",
        false,
    ) {
        Ok(p) => p,
        Err(e) => return usage(e.to_string()),
    };
    if let Some(d) = &a.files
        && !d.is_dir()
    {
        bail!("--files {}: not a directory", d.display());
    }
    // Rebuilders' answers, kept where no other user can plant one.
    let temp_cache;
    let cache = match &a.cache_dir {
        Some(d) => AnswerCache::open(d).map_err(|e| anyhow!("--cache-dir {e}"))?,
        None => {
            temp_cache = tempfile::Builder::new()
                .prefix("intoto-archive-cache.")
                .tempdir()
                .context("making the run's cache directory")?;
            AnswerCache::open(temp_cache.path()).map_err(|e| anyhow!("{e}"))?
        }
    };

    // The archive's index: InRelease, then Packages against it.
    let mut certs = Vec::new();
    for k in &a.archive_keyring {
        let bytes = fsio::read_regular(k, MAX_SMALL)
            .with_context(|| format!("--archive-keyring {}", k.display()))?;
        certs.extend(
            read_certs(&bytes).map_err(|e| anyhow!("--archive-keyring {}: {e}", k.display()))?,
        );
    }
    let release_name = a.release.display().to_string();
    let bytes = fsio::read_regular(&a.release, MAX_SMALL)
        .with_context(|| format!("--release {release_name}"))?;
    let release = verify_inrelease(&release_name, &bytes, &certs, &ctx.policy)?;
    let packages_name = a.packages.display().to_string();
    let bytes = fsio::read_regular(&a.packages, MAX_PACKAGES)
        .with_context(|| format!("--packages {packages_name}"))?;
    let (listed, text) = release.check_index(&packages_name, &bytes)?;
    let entries = parse_packages(&packages_name, &text)?;
    ui::info(&format!(
        "{release_name}: signed by {}; {packages_name} is its {listed} ({} packages)",
        release.signers.join(", "),
        entries.len()
    ));

    // The layout, checked once.
    let keys = layout_keys(&a, ctx)?;
    let signatures = signatures_usage(a.signatures, keys.len())?;
    let checker = Checker::with_signatures(&a.layout, keys, signatures, &ctx.policy).map_err(
        |e| match e {
            CheckerError::Load(m) => anyhow!("--layout {m}"),
            refused @ CheckerError::Refused { .. } => anyhow!("{refused}"),
        },
    )?;
    if a.files.is_none()
        && let Some(why) = checker.digest_unjudgeable()
    {
        bail!(
            "{}: {why}; verify downloaded packages with --files DIR instead",
            a.layout.display()
        );
    }

    // This runner's packages, grouped by source version.
    let selected: Vec<&PackageEntry> = entries
        .iter()
        .filter(|e| a.shard.is_none_or(|s| s.takes(&e.info.source)))
        .collect();
    let mut group_of: HashMap<(&str, &str), usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, e) in selected.iter().enumerate() {
        let key = (e.info.source.as_str(), e.info.source_version.as_str());
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }

    let fetch = FetchOptions {
        timeout: Duration::from_secs(a.timeout.max(1)),
        cache: Some(cache),
    };

    // Judge in parallel; print in index order.
    let mut report = a.report.as_ref().map(|_| report::Report::default());
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, Judged)>();
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let workers = jobs.min(groups.len()).max(1);
    let printed: Result<()> = std::thread::scope(|s| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, groups, selected) = (&next, &groups, &selected);
            let (checker, rebuilders, fetch, files) =
                (&checker, &rebuilders, &fetch, a.files.as_deref());
            let policy = &policy;
            s.spawn(move || {
                loop {
                    let g = next.fetch_add(1, Ordering::Relaxed);
                    let Some(members) = groups.get(g) else { break };
                    for &i in members {
                        let j = judge(selected[i], checker, policy, rebuilders, fetch, files);
                        if tx.send((i, j)).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        drop(tx);
        let mut pending: HashMap<usize, Judged> = HashMap::new();
        let mut at = 0;
        for (i, j) in rx {
            pending.insert(i, j);
            while let Some(j) = pending.remove(&at) {
                *counts.entry(j.kind.name()).or_default() += 1;
                if j.kind != Kind::Skipped {
                    ui::println(&j.line.to_string())?;
                    if let Some(r) = report.as_mut() {
                        r.packages.push(report_row(&j, &listed));
                        r.answers.extend(j.timings);
                    }
                }
                at += 1;
            }
        }
        Ok(())
    });
    printed?;
    let count = |k: &str| counts.get(k).copied().unwrap_or(0);
    let mut summary = json!({
        "release": release_name,
        "index": listed,
        "entries": entries.len(),
        "selected": selected.len(),
        "sources": groups.len(),
        "verified": count("verified"),
        "failed": count("failed"),
        "missing-evidence": count("missing-evidence"),
        "allowed": count("allowed"),
        "denied": count("denied"),
        "shard": a.shard.map(|s| s.to_string()),
        "jobs": workers,
        "seconds": (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    });
    if a.files.is_some() {
        summary["not-downloaded"] = json!(count("skipped"));
    }
    if let (Some(path), Some(mut r)) = (&a.report, report) {
        r.release = release_name.clone();
        r.index = listed.to_string();
        r.seconds = started.elapsed().as_secs_f64();
        r.generated = intoto_format::time::format_expires(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        );
        super::write_file(path, report::render_html(&r).as_bytes())
            .with_context(|| format!("--report {}", path.display()))?;
    }
    ui::println(&json!({ "summary": summary }).to_string())?;
    Ok(if count("failed") + count("denied") > 0 {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// Judges one entry: fetches its links, then checks its digest (or, with
/// `files`, its downloaded file).
fn judge(
    e: &PackageEntry,
    checker: &Checker,
    policy: &PackagePolicy,
    rebuilders: &[Rebuilder],
    fetch: &FetchOptions,
    files: Option<&Path>,
) -> Judged {
    let d = &e.info;
    let mut line = json!({
        "package": d.package,
        "version": d.version,
        "architecture": d.architecture,
        "source": d.source,
        "source_version": d.source_version,
        "filename": e.filename,
        "sha256": e.sha256,
    });
    let done = |mut line: Value, kind: Kind, reason: Option<String>| {
        line["result"] = json!(kind.name());
        if line.get("rule").is_none() {
            line["rule"] = json!("layout");
        }
        if let Some(r) = reason {
            line["reason"] = json!(r);
        }
        Judged {
            line,
            kind,
            stage: None,
            timings: Vec::new(),
        }
    };
    // With --files, the file is copied first: its digest, its control data
    // and the verification all read that copy, which nobody else can
    // change (the original may be replaced while the rebuilders answer).
    let copy;
    let target = match files {
        None => Target::Digest {
            sha256: e.sha256.clone(),
            file_name: d.pool_file_name(),
        },
        Some(dir) => {
            let base = e.filename.rsplit('/').next().unwrap_or("");
            if base.is_empty() {
                return done(line, Kind::Skipped, None);
            }
            let path: PathBuf = dir.join(base);
            line["file"] = json!(path.display().to_string());
            copy = match snapshot(&path) {
                Ok(Some(c)) => c,
                Ok(None) => return done(line, Kind::Skipped, None),
                Err(why) => return staged(done(line, Kind::Failed, Some(why)), "download"),
            };
            match file_matches(&path, &copy, e) {
                Ok(()) => Target::File(copy.file.clone()),
                Err(why) => return staged(done(line, Kind::Failed, Some(why)), "download"),
            }
        }
    };
    // Denied: refused before any rebuilder is asked.
    if let Some(denied) = policy.denied(&d.source) {
        line["rule"] = json!(denied.rule.kind());
        line["pattern"] = json!(denied.rule.pattern());
        return staged(done(line, Kind::Denied, denied.reason), "policy");
    }
    let mut links = Vec::new();
    let mut answers = Vec::new();
    let mut timings = Vec::new();
    for f in fetch_links(rebuilders, d, fetch) {
        let (answer, kind) = match &f.result {
            Ok(_) => ("link".to_owned(), AnswerKind::Link),
            Err(FetchError::NotFound) => ("not found".to_owned(), AnswerKind::NotFound),
            Err(e) => (e.to_string(), AnswerKind::Error),
        };
        timings.push(report::Answer {
            rebuilder: f.rebuilder.clone(),
            kind,
            elapsed: f.elapsed,
            cached: f.cached,
        });
        answers.push(json!({"rebuilder": f.rebuilder, "answer": answer}));
        if let Ok(bytes) = f.result {
            links.push((f.rebuilder, bytes));
        }
    }
    line["rebuilders"] = Value::Array(answers);
    let judgement = checker.judge(d, target, &links);
    let ruling = policy.rule(&d.source, judgement.verdict);
    line["rule"] = json!(ruling.rule.kind());
    if let Some(p) = ruling.rule.pattern() {
        line["pattern"] = json!(p);
    }
    let kind = match ruling.outcome {
        Ruled::Verified => Kind::Verified,
        Ruled::MissingEvidence => Kind::Missing,
        Ruled::Allowed => Kind::Allowed,
        Ruled::Denied => Kind::Denied,
        _ => Kind::Failed,
    };
    let mut j = done(line, kind, ruling.reason);
    j.stage = judgement.stage;
    j.timings = timings;
    j
}

/// The report's row for a printed line.
fn report_row(j: &Judged, index: &str) -> report::PackageRow {
    let text = |k: &str| j.line[k].as_str().unwrap_or_default().to_owned();
    let rule = match j.line["pattern"].as_str() {
        Some(p) => format!("{} {p}", text("rule")),
        None => text("rule"),
    };
    report::PackageRow {
        package: text("package"),
        version: text("version"),
        architecture: text("architecture"),
        source: text("source"),
        component: report::component(index, &text("filename")),
        outcome: match j.kind {
            Kind::Verified => Ruled::Verified,
            Kind::Missing => Ruled::MissingEvidence,
            Kind::Allowed => Ruled::Allowed,
            Kind::Denied => Ruled::Denied,
            Kind::Failed | Kind::Skipped => Ruled::Failed,
        },
        rule,
        stage: j.stage.map(str::to_owned),
        reason: j.line["reason"].as_str().map(str::to_owned),
    }
}

/// `j`, decided at `stage`.
fn staged(mut j: Judged, stage: &'static str) -> Judged {
    j.stage = Some(stage);
    j
}

/// A private copy of a downloaded file, and its SHA-256.
struct Snapshot {
    /// The copy (in its private directory).
    file: PathBuf,
    sha256: String,
    _dir: fsio::PrivateDir,
}

/// Copies the regular file at `path` into a private directory, hashing
/// it on the way (opened once, without blocking: a FIFO is no file);
/// `Ok(None)` when there is no regular file there.
fn snapshot(path: &Path) -> Result<Option<Snapshot>, String> {
    use std::io::{Read as _, Write as _};
    use std::os::unix::fs::OpenOptionsExt as _;
    let shown = |err: std::io::Error| format!("{}: {err}", path.display());
    let mut src = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
    {
        Ok(f) => f,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(shown(err)),
    };
    if !src.metadata().map_err(shown)?.is_file() {
        return Ok(None);
    }
    let dir = fsio::PrivateDir::new(None, "intoto-file.")
        .map_err(|err| format!("making a temporary directory: {err}"))?;
    let file = dir.path().join("package.deb");
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&file)
        .map_err(|err| format!("{}: {err}", file.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = src.read(&mut buf).map_err(shown)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        dst.write_all(&buf[..n])
            .map_err(|err| format!("copying {}: {err}", path.display()))?;
    }
    Ok(Some(Snapshot {
        file,
        sha256: hex::encode(h.finalize()),
        _dir: dir,
    }))
}

/// A downloaded file (`path`, read through its `copy`) must be the one
/// the index names: same SHA-256, same identity in its control data.
fn file_matches(path: &Path, copy: &Snapshot, e: &PackageEntry) -> Result<(), String> {
    if copy.sha256 != e.sha256 {
        return Err(format!(
            "{}: its SHA256 {} differs from the index's {}",
            path.display(),
            copy.sha256,
            e.sha256
        ));
    }
    let info = read_deb(&copy.file).map_err(|err| {
        err.to_string().replace(
            &copy.file.display().to_string(),
            &path.display().to_string(),
        )
    })?;
    if info != e.info {
        return Err(format!(
            "{}: its control data says {} {} ({}), the index {} {} ({})",
            path.display(),
            info.package,
            info.version,
            info.architecture,
            e.info.package,
            e.info.version,
            e.info.architecture
        ));
    }
    Ok(())
}

/// The layout keys, as `verify` takes them.
fn layout_keys(a: &VerifyArchiveArgs, ctx: &Ctx) -> Result<Vec<LayoutKey>> {
    let (specs, mut places) = specs::layout_keys(&a.keys);
    places.cert_store = a.cert_store.cert_store.clone();
    Resolver::new(ctx, places).layout_keys(&specs)
}
