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
//! Every rebuilder is asked at the same time (one thread each), with one
//! time limit for all its requests. Answers can be cached on disk for a
//! run ([`FetchOptions::cache_dir`]).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::deb::DebInfo;
use crate::fsio;

/// Largest answer read from a rebuilder (compressed or not).
pub const MAX_ANSWER: u64 = 32 << 20;
/// Largest link accepted after decompression.
pub const MAX_LINK: u64 = 64 << 20;

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
    pub fn parse(entry: &str) -> Result<Rebuilder, String> {
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
            _ => Err(format!(
                "rebuilder {e:?}: expected an http:// or https:// URL (legacy API) or rebuilderd:URL (rebuilderd's v1 API)"
            )),
        }
    }
}

impl std::str::FromStr for Rebuilder {
    type Err = String;
    fn from_str(s: &str) -> Result<Rebuilder, String> {
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
    /// Time limit for all requests to one rebuilder (they run in parallel).
    pub timeout: Duration,
    /// Where answers (links and "not found") are kept, for the run: the
    /// same question is asked once.
    pub cache_dir: Option<PathBuf>,
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
}

/// Asks every rebuilder for the links of `deb`, in parallel; the answers
/// come in the order of `rebuilders`.
pub fn fetch_links(rebuilders: &[Rebuilder], deb: &DebInfo, opts: &FetchOptions) -> Vec<Fetched> {
    std::thread::scope(|s| {
        let handles: Vec<_> = rebuilders
            .iter()
            .map(|r| s.spawn(move || fetch_one(r, deb, opts)))
            .collect();
        handles
            .into_iter()
            .zip(rebuilders)
            .map(|(h, r)| Fetched {
                rebuilder: r.entry.clone(),
                result: h
                    .join()
                    .unwrap_or_else(|_| Err(FetchError::Bad("the fetch failed".into()))),
            })
            .collect()
    })
}

fn fetch_one(r: &Rebuilder, deb: &DebInfo, opts: &FetchOptions) -> Result<Vec<u8>, FetchError> {
    let question = match r.api {
        Api::Legacy => format!("{}\nlegacy\n{}\n{}", r.url, deb.source, deb.source_version),
        Api::RebuilderdV1 => format!(
            "{}\nv1\n{}\n{}\n{}",
            r.url, deb.package, deb.version, deb.architecture
        ),
    };
    let cached = opts.cache_dir.as_deref().map(|d| cache_path(d, &question));
    if let Some(p) = &cached {
        if let Ok(bytes) = std::fs::read(p.with_extension("link")) {
            return Ok(bytes);
        }
        if p.with_extension("none").exists() {
            return Err(FetchError::NotFound);
        }
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("intoto/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let result = match r.api {
        Api::Legacy => {
            let url = format!(
                "{}/sources/{}/{}/metadata",
                r.url,
                path_segment(&deb.source),
                path_segment(&deb.source_version)
            );
            get(&agent, &url, &[])
        }
        Api::RebuilderdV1 => rebuilderd_v1(&agent, r, deb),
    };
    if let Some(p) = &cached {
        // The cache only saves asking again: failing to write it changes
        // nothing, and losing it in a crash too (no fsync). The rename
        // stays: runs sharing the directory never read half an answer.
        let _ = std::fs::create_dir_all(p.parent().unwrap_or(Path::new(".")));
        match &result {
            Ok(bytes) => {
                let _ = fsio::write_atomic_unsynced(&p.with_extension("link"), bytes);
            }
            Err(FetchError::NotFound) => {
                let _ = fsio::write_atomic_unsynced(&p.with_extension("none"), b"");
            }
            Err(_) => {}
        }
    }
    result
}

fn cache_path(dir: &Path, question: &str) -> PathBuf {
    dir.join(hex::encode(Sha256::digest(question.as_bytes())))
}

/// rebuilderd v1: find the package's build, then its attestation.
fn rebuilderd_v1(agent: &ureq::Agent, r: &Rebuilder, deb: &DebInfo) -> Result<Vec<u8>, FetchError> {
    let list = get(
        agent,
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
    let mut last = FetchError::NotFound;
    for rec in records {
        let s = |k: &str| rec.get(k).and_then(|x| x.as_str());
        if s("name") != Some(&deb.package)
            || s("version") != Some(&deb.version)
            || s("architecture") != Some(&deb.architecture)
        {
            continue;
        }
        let id = |k: &str| rec.get(k).and_then(|x| x.as_i64());
        let (Some(build), Some(artifact)) = (id("build_id"), id("artifact_id")) else {
            continue;
        };
        match get(
            agent,
            &format!(
                "{}/api/v1/builds/{build}/artifacts/{artifact}/attestation",
                r.url
            ),
            &[],
        ) {
            Ok(bytes) => return Ok(bytes),
            Err(FetchError::NotFound) => {}
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// One GET: 200 → the body (zstd decoded), 404/410 → not found, 5xx and
/// network errors → unreachable, anything else → bad.
fn get(agent: &ureq::Agent, url: &str, query: &[(&str, &str)]) -> Result<Vec<u8>, FetchError> {
    let mut req = agent.get(url).header("Accept-Encoding", "zstd");
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
        return unzstd(&body).map_err(|e| FetchError::Bad(format!("{url}: zstd: {e}")));
    }
    Ok(body)
}

/// Decompresses zstd data, up to [`MAX_LINK`] bytes.
pub fn unzstd(data: &[u8]) -> Result<Vec<u8>, String> {
    let d = ruzstd::decoding::StreamingDecoder::new(data).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    d.take(MAX_LINK + 1)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    if out.len() as u64 > MAX_LINK {
        return Err(format!("larger than {} MiB", MAX_LINK >> 20));
    }
    Ok(out)
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
mod tests;
