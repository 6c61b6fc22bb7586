//! Loopback HTTP servers for the apt method and `verify-archive` tests: a
//! mirror serving files, a redirector, rebuilders speaking the legacy path
//! API (files) and rebuilderd's v1 API (with its public-keys endpoint,
//! [`public_keys`]); a test can give its own handler
//! (a slow rebuilder, one that acts when asked).

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What a loopback server answers for a path (with its query).
pub enum Answer {
    Body(Vec<u8>),
    Redirect(String),
    NotFound,
}

pub type Handler = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

/// An HTTP/1.1 server on 127.0.0.1 (one thread per connection, each
/// answer closes the connection); it records the paths it was asked for.
/// Its threads end with the test process.
pub struct Server {
    pub url: String,
    pub seen: Arc<Mutex<Vec<String>>>,
}

pub fn serve(handler: Handler) -> Server {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        for c in l.incoming() {
            let Ok(mut c) = c else { return };
            let h = handler.clone();
            let seen = seen2.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(c.try_clone().unwrap());
                let mut line = String::new();
                if r.read_line(&mut line).is_err() {
                    return;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("").to_owned();
                let path = parts.next().unwrap_or("").to_owned();
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                }
                seen.lock().unwrap().push(path.clone());
                let (status, extra, body) = match h(&path) {
                    Answer::Body(b) => ("200 OK", String::new(), b),
                    Answer::Redirect(to) => {
                        ("302 Found", format!("Location: {to}\r\n"), Vec::new())
                    }
                    Answer::NotFound => ("404 Not Found", String::new(), b"not here".to_vec()),
                };
                let _ = write!(
                    c,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
                    body.len()
                );
                if method != "HEAD" {
                    let _ = c.write_all(&body);
                }
            });
        }
    });
    Server { url, seen }
}

/// Serves the files under `root` (no directory listings, no `..`).
pub fn files(root: PathBuf) -> Handler {
    Arc::new(move |path: &str| {
        let p = path.split('?').next().unwrap_or("");
        if p.split('/').any(|s| s == "..") {
            return Answer::NotFound;
        }
        match fs::read(root.join(p.trim_start_matches('/'))) {
            Ok(b) => Answer::Body(b),
            Err(_) => Answer::NotFound,
        }
    })
}

/// Redirects every request to the same path at `to`.
pub fn redirect_all(to: String) -> Handler {
    Arc::new(move |path: &str| Answer::Redirect(format!("{to}{path}")))
}

/// rebuilderd's v1 API over `links` (package → link bytes), version 1.0,
/// architecture all: build i, artifact i+100.
pub fn rebuilderd(links: Vec<(String, Vec<u8>)>) -> Handler {
    rebuilderd_for(
        links
            .into_iter()
            .map(|(name, link)| (name, "1.0".to_owned(), "all".to_owned(), link))
            .collect(),
    )
}

/// A package's link as a rebuilderd serves it: name, version,
/// architecture, link bytes.
pub type BuiltLink = (String, String, String, Vec<u8>);

/// rebuilderd's v1 API over `links` (name, version, architecture → link
/// bytes): build i, artifact i+100.
pub fn rebuilderd_for(links: Vec<BuiltLink>) -> Handler {
    Arc::new(move |path: &str| {
        let (p, q) = path.split_once('?').unwrap_or((path, ""));
        let query: HashMap<&str, &str> = q.split('&').filter_map(|kv| kv.split_once('=')).collect();
        if p == "/api/v1/packages/binary" {
            let decoded = |k: &str| query.get(k).map(|v| v.replace("%3A", ":"));
            let records: Vec<serde_json::Value> = links
                .iter()
                .enumerate()
                .filter(|(_, (name, version, arch, _))| {
                    decoded("name").as_deref() == Some(name.as_str())
                        && decoded("version").as_deref() == Some(version.as_str())
                        && decoded("architecture").as_deref() == Some(arch.as_str())
                })
                .map(|(i, (name, version, arch, _))| {
                    serde_json::json!({"id": i, "name": name, "version": version, "architecture": arch,
                        "status": "GOOD", "build_id": i, "artifact_id": i + 100})
                })
                .collect();
            let total = records.len();
            return Answer::Body(
                serde_json::json!({"total": total, "records": records})
                    .to_string()
                    .into_bytes(),
            );
        }
        for (i, (_, _, _, link)) in links.iter().enumerate() {
            if p == format!("/api/v1/builds/{i}/artifacts/{}/attestation", i + 100) {
                return Answer::Body(link.clone());
            }
        }
        Answer::NotFound
    })
}

/// rebuilderd's `/api/v0/public-keys` (under any base path) answering
/// `pem` (the server's current key), every other path left to `inner`.
pub fn public_keys(pem: Vec<u8>, inner: Handler) -> Handler {
    Arc::new(move |path: &str| {
        let p = path.split('?').next().unwrap_or("");
        if p.ends_with("/api/v0/public-keys") {
            let current = String::from_utf8_lossy(&pem).into_owned();
            return Answer::Body(
                serde_json::json!({ "current": [current] })
                    .to_string()
                    .into_bytes(),
            );
        }
        inner(path)
    })
}
