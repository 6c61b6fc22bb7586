//! Asking rebuilders for a package's in-toto links.
//!
//! Two APIs, told apart by the configuration entry:
//!
//! - a bare URL is the legacy path API (apt-transport-in-toto's):
//!   `GET {url}/sources/{source}/{source version}/metadata` answers one
//!   link;
//! - `rebuilderd:{url}` is rebuilderd's v1 API:
//!   `GET {url}/api/v1/packages/binary?name=&version=&architecture=` lists
//!   the package's builds, and
//!   `GET {url}/api/v1/builds/{build}/artifacts/{artifact}/attestation`
//!   answers the link (zstd-compressed or not).
//!
//! Every rebuilder is asked at the same time (the first on the caller's
//! thread, each other on a thread of its own), with one
//! deadline for all the requests made for one package (a rebuilderd
//! listing many builds tries at most [`MAX_BUILDS`] of them, newest first,
//! before the same deadline). Answers can be cached on disk for a run
//! ([`AnswerCache`], in a directory no other user can write).

use std::collections::HashMap;
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use super::deb::DebInfo;
use intoto::fsio;

/// Largest answer read from a rebuilder (compressed or not).
pub const MAX_ANSWER: u64 = 32 << 20;
/// Largest link accepted after decompression.
pub const MAX_LINK: u64 = 64 << 20;
/// Most builds of one package tried on a rebuilderd (its newest first).
pub const MAX_BUILDS: usize = 8;

/// Which API a rebuilder speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// `GET {url}/sources/{source}/{version}/metadata`.
    Legacy,
    /// rebuilderd's `/api/v1/…`.
    RebuilderdV1,
}

/// A rebuilder, as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rebuilder {
    /// The API.
    pub api: Api,
    /// The base URL, without a trailing slash.
    pub url: String,
    /// The entry as given (for messages).
    pub entry: String,
}

impl Rebuilder {
    /// Parses a configuration entry: `https://host/path` (legacy API) or
    /// `rebuilderd:https://host` (rebuilderd v1).
    pub fn parse(entry: &str) -> Result<Rebuilder, BadRebuilder> {
        let e = entry.trim();
        let (api, url) = match e.strip_prefix("rebuilderd:") {
            Some(rest) => (Api::RebuilderdV1, rest),
            None => (Api::Legacy, e),
        };
        let url = url.trim_end_matches('/');
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"));
        match rest {
            Some(r) if !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace) => {
                Ok(Rebuilder {
                    api,
                    url: url.to_owned(),
                    entry: e.to_owned(),
                })
            }
            _ => Err(BadRebuilder(e.to_owned())),
        }
    }
}

/// A rebuilder entry that is not one (the entry as given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "rebuilder {0:?}: expected an http:// or https:// URL (legacy API) or rebuilderd:URL (rebuilderd's v1 API)"
)]
pub struct BadRebuilder(pub String);

impl std::str::FromStr for Rebuilder {
    type Err = BadRebuilder;
    fn from_str(s: &str) -> Result<Rebuilder, BadRebuilder> {
        Rebuilder::parse(s)
    }
}

impl std::fmt::Display for Rebuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.entry)
    }
}

/// How to fetch.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Time limit for one package: every request to a rebuilder for it
    /// (a rebuilderd's list, then its attestations) ends by then, and the
    /// rebuilders are asked in parallel.
    pub timeout: Duration,
    /// Where answers (links and "not found") are kept, for the run: the
    /// same question is asked once.
    pub cache: Option<AnswerCache>,
}

/// A directory of rebuilders' answers (a link, or "not found"), kept so
/// that the same question is asked once.
///
/// An answer found there stands for the rebuilder's, so the directory is
/// trusted only when no other user can write to it: [`AnswerCache::open`]
/// refuses one owned by another user (root excepted) or writable by its
/// group or by others. Its entries are read as metadata is (regular files
/// only, bounded, without blocking, no symlink followed) and only when
/// they are owned by this user (or root) and not writable by others;
/// anything else there is ignored and replaced by a new answer.
///
/// [`AnswerCache::memory`] keeps them in memory instead, for one process.
#[derive(Clone, Debug)]
pub struct AnswerCache {
    store: Store,
}

/// Where an [`AnswerCache`] keeps its answers.
#[derive(Clone, Debug)]
enum Store {
    Dir(PathBuf),
    /// Question → the link, or `None` for "not found".
    Memory(Arc<Mutex<HashMap<String, Option<Vec<u8>>>>>),
}

impl AnswerCache {
    /// Opens the directory `dir`, making it (mode 0700) when it does not
    /// exist; refused (saying why) when another user could write to it.
    pub fn open(dir: &Path) -> Result<AnswerCache, CacheError> {
        let err = |why: String| CacheError {
            dir: dir.to_owned(),
            why,
        };
        match std::fs::DirBuilder::new().mode(0o700).create(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(err(format!("cannot make it: {e}"))),
        }
        let meta = std::fs::metadata(dir).map_err(|e| err(e.to_string()))?;
        if !meta.is_dir() {
            return Err(err("not a directory".into()));
        }
        if let Some(why) = untrusted(&meta) {
            return Err(err(format!(
                "{why}: another user could plant answers there, which would stand for the rebuilders'; give a directory only you can write"
            )));
        }
        Ok(AnswerCache {
            store: Store::Dir(dir.to_owned()),
        })
    }

    /// A cache in memory, for this process (and its clones): a source's
    /// binary packages judged one after the other share its link.
    pub fn memory() -> AnswerCache {
        AnswerCache {
            store: Store::Memory(Arc::default()),
        }
    }

    fn path(dir: &Path, question: &str, ext: &str) -> PathBuf {
        dir.join(hex::encode(Sha256::digest(question.as_bytes())))
            .with_extension(ext)
    }

    /// The answer kept for `question`, if one can be trusted.
    fn get(&self, question: &str) -> Option<Result<Vec<u8>, FetchError>> {
        let dir = match &self.store {
            Store::Dir(dir) => dir,
            Store::Memory(m) => {
                let answer = m.lock().ok()?.get(question).cloned()?;
                return Some(answer.ok_or(FetchError::NotFound));
            }
        };
        let entry = |ext: &str, max: u64| {
            let (bytes, meta) =
                fsio::read_regular_no_follow(&Self::path(dir, question, ext), max).ok()?;
            untrusted(&meta).is_none().then_some(bytes)
        };
        if let Some(link) = entry("link", MAX_LINK) {
            return Some(Ok(link));
        }
        entry("none", 0).map(|_| Err(FetchError::NotFound))
    }

    /// Keeps the answer to `question` (a link, or "not found"). The cache
    /// only saves asking again: failing to write it changes nothing, and
    /// losing it in a crash too (no fsync). A new file renamed into place
    /// (never written through what is there): runs sharing the directory
    /// never read half an answer.
    fn put(&self, question: &str, result: &Result<Vec<u8>, FetchError>) {
        let (ext, bytes) = match result {
            Ok(bytes) => ("link", bytes.as_slice()),
            Err(FetchError::NotFound) => ("none", &b""[..]),
            Err(_) => return,
        };
        match &self.store {
            Store::Dir(dir) => {
                let _ = fsio::write_atomic_unsynced(&Self::path(dir, question, ext), bytes);
            }
            Store::Memory(m) => {
                if let Ok(mut m) = m.lock() {
                    m.insert(question.to_owned(), result.as_ref().ok().cloned());
                }
            }
        }
    }
}

/// Why a cache directory or entry with this metadata cannot be trusted:
/// another user (not root) owns it, or its group or others may write it.
fn untrusted(meta: &std::fs::Metadata) -> Option<String> {
    let me = intoto::fsio::effective_uid();
    if meta.uid() != me && meta.uid() != 0 {
        return Some(format!("owned by uid {}, not by you or root", meta.uid()));
    }
    if meta.mode() & 0o022 != 0 {
        return Some(format!(
            "writable by its group or by others (mode {:o})",
            meta.mode() & 0o7777
        ));
    }
    None
}

/// Why a directory cannot hold the answer cache.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {why}", dir.display())]
pub struct CacheError {
    /// The directory.
    pub dir: std::path::PathBuf,
    /// What is wrong with it.
    pub why: String,
}

/// Why a rebuilder gave no link.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// It has no link for this package (HTTP 404, or no attested build).
    #[error("no link for this package")]
    NotFound,
    /// It could not be reached or did not answer in time (or answered a
    /// server error).
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// It answered something that is not a link (or an unexpected status).
    #[error("bad answer: {0}")]
    Bad(String),
}

/// One rebuilder's answer.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The rebuilder's entry, as configured.
    pub rebuilder: String,
    /// The link's bytes (decompressed), or why there is none.
    pub result: Result<Vec<u8>, FetchError>,
    /// How long it took to answer (all its requests).
    pub elapsed: Duration,
    /// The answer came from the [`AnswerCache`], not from the rebuilder.
    pub cached: bool,
}

/// Asks every rebuilder for the links of `deb`, in parallel, each within
/// `opts.timeout` from now; the answers come in the order of `rebuilders`.
pub fn fetch_links(rebuilders: &[Rebuilder], deb: &DebInfo, opts: &FetchOptions) -> Vec<Fetched> {
    let deadline = Instant::now() + opts.timeout;
    let ask = |r: &Rebuilder| {
        let started = Instant::now();
        let (result, cached) = fetch_one(r, deb, opts, deadline);
        (result, cached, started.elapsed())
    };
    let answers: Vec<_> = match rebuilders {
        [] => Vec::new(),
        // The first rebuilder is asked on this thread, the others on
        // threads of their own, at the same time.
        [first, rest @ ..] => std::thread::scope(|s| {
            let handles: Vec<_> = rest.iter().map(|r| s.spawn(move || ask(r))).collect();
            let mut answers = vec![ask(first)];
            answers.extend(handles.into_iter().map(|h| {
                h.join().unwrap_or_else(|_| {
                    (
                        Err(FetchError::Bad("the fetch failed".into())),
                        false,
                        Duration::ZERO,
                    )
                })
            }));
            answers
        }),
    };
    answers
        .into_iter()
        .zip(rebuilders)
        .map(|((result, cached, elapsed), r)| Fetched {
            rebuilder: r.entry.clone(),
            result,
            elapsed,
            cached,
        })
        .collect()
}

/// One rebuilder's answer, and whether it came from the cache.
fn fetch_one(
    r: &Rebuilder,
    deb: &DebInfo,
    opts: &FetchOptions,
    deadline: Instant,
) -> (Result<Vec<u8>, FetchError>, bool) {
    let question = match r.api {
        Api::Legacy => format!("{}\nlegacy\n{}\n{}", r.url, deb.source, deb.source_version),
        Api::RebuilderdV1 => format!(
            "{}\nv1\n{}\n{}\n{}",
            r.url, deb.package, deb.version, deb.architecture
        ),
    };
    if let Some(answer) = opts.cache.as_ref().and_then(|c| c.get(&question)) {
        return (answer, true);
    }
    let client = Client {
        agent: agent(),
        deadline,
    };
    let result = match r.api {
        Api::Legacy => {
            let url = format!(
                "{}/sources/{}/{}/metadata",
                r.url,
                path_segment(&deb.source),
                path_segment(&deb.source_version)
            );
            client.get(&url, &[])
        }
        Api::RebuilderdV1 => rebuilderd_v1(&client, r, deb),
    };
    if let Some(c) = &opts.cache {
        c.put(&question, &result);
    }
    (result, false)
}

/// The process's one agent: its TLS setup is made once, and its
/// connections are kept open for the next package's questions (every
/// request has its own time limit).
fn agent() -> &'static ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(concat!("intoto/", env!("CARGO_PKG_VERSION")))
            .build()
            .into()
    })
}

/// An agent and the deadline of every request it makes.
struct Client<'a> {
    agent: &'a ureq::Agent,
    deadline: Instant,
}

/// rebuilderd v1: find the package's builds, then an attestation (the
/// newest build's first, at most [`MAX_BUILDS`] of them).
fn rebuilderd_v1(client: &Client, r: &Rebuilder, deb: &DebInfo) -> Result<Vec<u8>, FetchError> {
    let list = client.get(
        &format!("{}/api/v1/packages/binary", r.url),
        &[
            ("name", &deb.package),
            ("version", &deb.version),
            ("architecture", &deb.architecture),
        ],
    )?;
    let v: serde_json::Value = serde_json::from_slice(&list)
        .map_err(|e| FetchError::Bad(format!("the package list is not JSON: {e}")))?;
    let records = v
        .get("records")
        .and_then(|r| r.as_array())
        .ok_or_else(|| FetchError::Bad("the package list has no \"records\" array".into()))?;
    let mut builds: Vec<(i64, i64)> = records
        .iter()
        .filter(|rec| {
            let s = |k: &str| rec.get(k).and_then(|x| x.as_str());
            s("name") == Some(&deb.package)
                && s("version") == Some(&deb.version)
                && s("architecture") == Some(&deb.architecture)
        })
        .filter_map(|rec| {
            let id = |k: &str| rec.get(k).and_then(|x| x.as_i64());
            Some((id("build_id")?, id("artifact_id")?))
        })
        .collect();
    builds.sort_unstable_by(|a, b| b.cmp(a));
    builds.dedup();
    let mut last = FetchError::NotFound;
    for (build, artifact) in builds.into_iter().take(MAX_BUILDS) {
        match client.get(
            &format!(
                "{}/api/v1/builds/{build}/artifacts/{artifact}/attestation",
                r.url
            ),
            &[],
        ) {
            Ok(bytes) => return Ok(bytes),
            Err(FetchError::NotFound) => {}
            Err(e @ FetchError::Unreachable(_)) if Instant::now() >= client.deadline => {
                return Err(e);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

impl Client<'_> {
    /// One GET, ended by the deadline: 200 → the body (zstd decoded),
    /// 404/410 → not found, 5xx and network errors (and the deadline) →
    /// unreachable, anything else → bad.
    fn get(&self, url: &str, query: &[(&str, &str)]) -> Result<Vec<u8>, FetchError> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(FetchError::Unreachable(format!(
                "{url}: not asked, the time limit was reached"
            )));
        }
        let mut req = self
            .agent
            .get(url)
            .config()
            .timeout_global(Some(left))
            .build()
            .header("Accept-Encoding", "zstd");
        for (k, v) in query {
            req = req.query(*k, *v);
        }
        let mut resp = req
            .call()
            .map_err(|e| FetchError::Unreachable(format!("{url}: {e}")))?;
        let status = resp.status().as_u16();
        match status {
            200 => {}
            404 | 410 => return Err(FetchError::NotFound),
            500..=599 => return Err(FetchError::Unreachable(format!("{url}: HTTP {status}"))),
            _ => return Err(FetchError::Bad(format!("{url}: HTTP {status}"))),
        }
        let zstd_encoded = resp
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("zstd"));
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::Timeout(_) | ureq::Error::Io(_) => {
                    FetchError::Unreachable(format!("{url}: {e}"))
                }
                other => FetchError::Bad(format!("{url}: {other}")),
            })?;
        if zstd_encoded || body.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            return unzstd(&body).map_err(|e| FetchError::Bad(format!("{url}: {e}")));
        }
        Ok(body)
    }
}

/// Decompresses zstd data (every frame), up to [`MAX_LINK`] bytes.
pub fn unzstd(data: &[u8]) -> Result<Vec<u8>, super::compressed::Error> {
    super::compressed::unzstd(data, MAX_LINK)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn path_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;
