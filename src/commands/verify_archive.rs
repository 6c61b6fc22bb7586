//! `intoto verify-archive`: every package of a Debian archive index judged
//! against rebuilders' links, without downloading it (or, with `--files`,
//! the downloaded `.deb` files).
//!
//! The archive side is `intoto_debian::archive` (InRelease, Packages,
//! shards); each package is judged by `intoto_debian::check::Checker`
//! with the links `intoto_debian::rebuilder` fetches. The index is read
//! as a stream, twice (checked and counted, then judged), so memory does
//! not grow with the archive: only the index file as given is held.
//! Consecutive packages of one source version are judged by one worker,
//! one after the other, so a link the legacy API gives per source version
//! is fetched once for them (the answers are cached on disk for the run);
//! its other binaries usually find it in the cache.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use intoto::fsio;
use intoto::keys::openpgp::cert::read_certs;
use intoto::verify::LayoutKey;
use intoto_debian::archive::{ArchiveError, PackageEntry, read_packages, verify_inrelease};
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
    // Read twice, nothing decompressed kept: first checked whole and
    // counted (a damaged entry refuses the index before anything is
    // judged), then judged entry after entry.
    let mut entries = 0usize;
    let mut selected = 0usize;
    let mut sources: HashSet<[u8; 16]> = HashSet::new();
    let listed = release.read_index(&packages_name, &bytes, &mut |e| {
        entries += 1;
        if a.shard.is_none_or(|s| s.takes(&e.info.source)) {
            selected += 1;
            sources.insert(source_key(&e));
        }
        Ok(())
    })?;
    let sources = sources.len();
    ui::info(&format!(
        "{release_name}: signed by {}; {packages_name} is its {listed} ({entries} packages)",
        release.signers.join(", "),
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

    let fetch = FetchOptions {
        timeout: Duration::from_secs(a.timeout.max(1)),
        cache: Some(cache),
    };

    // This runner's packages, streamed: a reader hands out batches of
    // consecutive entries (about BATCH, a source version's run of
    // consecutive entries never split: one worker judges them one after
    // the other, so that the link the legacy API gives per source version
    // is fetched once, then found in the cache) through a bounded queue,
    // never more than WINDOW entries ahead of the line printed last;
    // judgements are printed in index order.
    const BATCH: usize = 32;
    const WINDOW: usize = 4096;
    let mut report = a.report.as_ref().map(|_| report::Report::default());
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let workers = jobs.min(sources).max(1);
    let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Vec<PackageEntry>)>(workers * 2);
    let work_rx = std::sync::Arc::new(Mutex::new(work_rx));
    let (tx, rx) = mpsc::channel::<(usize, Vec<Judged>)>();
    let window = Window::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .stack_size(intoto::threads::STACK_BYTES)
        .thread_name(|i| format!("judge-{i}"))
        .build()
        .context("starting the workers")?;
    let printed: Result<()> = std::thread::scope(|s| {
        let reader = {
            let (window, bytes, packages_name, shard) = (&window, &bytes, &packages_name, a.shard);
            s.spawn(move || -> Result<(), ArchiveError> {
                let mut batch: Vec<PackageEntry> = Vec::with_capacity(BATCH);
                let mut first = 0usize;
                let mut next = 0usize;
                let send = |first: usize, batch: Vec<PackageEntry>| {
                    if !window.wait_for(first, WINDOW) || work_tx.send((first, batch)).is_err() {
                        return Err(ArchiveError("stopped".into()));
                    }
                    Ok(())
                };
                let read = read_packages(packages_name, bytes, &mut |e| {
                    if !shard.is_none_or(|s| s.takes(&e.info.source)) {
                        return Ok(());
                    }
                    if batch.len() >= BATCH
                        && batch.last().is_some_and(|l| {
                            (&l.info.source, &l.info.source_version)
                                != (&e.info.source, &e.info.source_version)
                        })
                    {
                        send(
                            first,
                            std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                        )?;
                        first = next;
                    }
                    batch.push(e);
                    next += 1;
                    Ok(())
                });
                if window.stopped() {
                    return Ok(());
                }
                read?;
                if !batch.is_empty() {
                    let _ = send(first, batch);
                }
                Ok(())
            })
        };
        {
            let tx = tx.clone();
            let work_rx = std::sync::Arc::clone(&work_rx);
            let (checker, rebuilders, fetch, files) =
                (&checker, &rebuilders, &fetch, a.files.as_deref());
            let policy = &policy;
            let pool = &pool;
            // One loop on each thread of the pool (a broadcast: no thread
            // takes another's loop while it waits), so that the parallel
            // parts of a verification run on the thread that asked.
            s.spawn(move || {
                pool.broadcast(|_| {
                    loop {
                        let next = work_rx.lock().map(|r| r.recv());
                        let Ok(Ok((first, batch))) = next else { break };
                        let judged = batch
                            .iter()
                            .map(|e| judge(e, checker, policy, rebuilders, fetch, files))
                            .collect();
                        if tx.send((first, judged)).is_err() {
                            return;
                        }
                    }
                });
            });
        }
        drop(tx);
        drop(work_rx);
        let mut print = || -> Result<()> {
            let mut pending: HashMap<usize, Vec<Judged>> = HashMap::new();
            let mut at = 0;
            let mut out = String::new();
            for (i, js) in &rx {
                pending.insert(i, js);
                while let Some(js) = pending.remove(&at) {
                    at += js.len();
                    for j in js {
                        *counts.entry(j.kind.name()).or_default() += 1;
                        if j.kind != Kind::Skipped {
                            out.push_str(&j.line.to_string());
                            out.push('\n');
                            if let Some(r) = report.as_mut() {
                                r.packages.push(report_row(&j, &listed));
                                r.answers.extend(j.timings);
                            }
                        }
                    }
                    if out.len() >= 1 << 16 {
                        ui::print(&out)?;
                        out.clear();
                    }
                }
                if !out.is_empty() {
                    ui::print(&out)?;
                    out.clear();
                }
                window.advance(at);
            }
            Ok(())
        };
        let printed = print();
        // Whatever happened, the reader and the workers stop.
        window.stop();
        drop(rx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(ArchiveError("the index reader failed".into())));
        printed?;
        read?;
        Ok(())
    });
    printed?;
    let count = |k: &str| counts.get(k).copied().unwrap_or(0);
    let mut summary = json!({
        "release": release_name,
        "index": listed,
        "entries": entries,
        "selected": selected,
        "sources": sources,
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

/// A source version, as a key taking little room: the first 16 bytes of
/// the SHA-256 of its name and version.
fn source_key(e: &PackageEntry) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(e.info.source.as_bytes());
    h.update(b"\n");
    h.update(e.info.source_version.as_bytes());
    let d = h.finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

/// How far the printing got, for the index reader to stay within a
/// window of it; or that everything stops.
#[derive(Default)]
struct Window {
    /// Entries printed, and whether to stop.
    state: Mutex<(usize, bool)>,
    moved: Condvar,
}

impl Window {
    /// Waits until entry `i` is fewer than `width` entries past the last
    /// printed; `false` when everything stops.
    fn wait_for(&self, i: usize, width: usize) -> bool {
        let mut g = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while !g.1 && i >= g.0 + width {
            g = self.moved.wait(g).unwrap_or_else(PoisonError::into_inner);
        }
        !g.1
    }

    /// `printed` entries are printed.
    fn advance(&self, printed: usize) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0 = printed;
        self.moved.notify_all();
    }

    /// Everything stops.
    fn stop(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
        self.moved.notify_all();
    }

    fn stopped(&self) -> bool {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1
    }
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
