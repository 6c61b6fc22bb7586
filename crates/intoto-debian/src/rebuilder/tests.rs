use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use super::*;

/// A loopback HTTP server answering `routes` (path with query → status,
/// extra header, body); it records the requests it got. A path routed to
/// status 0 is never answered.
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

fn serve(routes: Vec<(&str, u16, &str, Vec<u8>)>) -> Server {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let routes: HashMap<String, (u16, String, Vec<u8>)> = routes
        .into_iter()
        .map(|(p, s, h, b)| (p.to_owned(), (s, h.to_owned(), b)))
        .collect();
    let routes = Arc::new(routes);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        for c in l.incoming() {
            let Ok(mut c) = c else { return };
            let routes = routes.clone();
            let seen = seen2.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(c.try_clone().unwrap());
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                let mut accept = String::new();
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    if h.to_lowercase().starts_with("accept-encoding:") {
                        accept = h.trim().to_owned();
                    }
                }
                seen.lock().unwrap().push(format!("{path} {accept}"));
                let (status, header, body) =
                    routes
                        .get(&path)
                        .cloned()
                        .unwrap_or((404, String::new(), b"nope".to_vec()));
                if status == 0 {
                    std::thread::sleep(Duration::from_secs(30));
                    return;
                }
                let extra = if header.is_empty() {
                    String::new()
                } else {
                    format!("{header}\r\n")
                };
                let _ = write!(
                    c,
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
                    body.len()
                );
                let _ = c.write_all(&body);
            });
        }
    });
    Server { url, seen }
}

/// The package the tests judge (also `deb`'s tests' package).
pub(crate) fn hello() -> DebInfo {
    DebInfo {
        package: "hello-tool".into(),
        version: "1:2.10-3".into(),
        architecture: "amd64".into(),
        source: "hello".into(),
        source_version: "1:2.10-2".into(),
    }
}

fn opts() -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_secs(5),
        cache: None,
    }
}

#[test]
fn entries() {
    let r = Rebuilder::parse("https://r.example.org/").unwrap();
    assert_eq!(
        (r.api, r.url.as_str()),
        (Api::Legacy, "https://r.example.org")
    );
    let r = Rebuilder::parse("rebuilderd:https://reproduce.debian.net").unwrap();
    assert_eq!(
        (r.api, r.url.as_str(), r.entry.as_str()),
        (
            Api::RebuilderdV1,
            "https://reproduce.debian.net",
            "rebuilderd:https://reproduce.debian.net"
        )
    );
    for bad in [
        "",
        "ftp://x",
        "rebuilderd:",
        "http://",
        "r.example.org",
        "http:// x",
    ] {
        let e = Rebuilder::parse(bad).unwrap_err();
        assert!(
            e.to_string()
                .contains("expected an http:// or https:// URL"),
            "{e}"
        );
    }
}

#[test]
fn legacy_api_one_link_per_source_version() {
    let s = serve(vec![(
        "/r/sources/hello/1%3A2.10-2/metadata",
        200,
        "",
        b"{\"link\": 1}".to_vec(),
    )]);
    let r = Rebuilder::parse(&format!("{}/r/", s.url)).unwrap();
    let got = fetch_links(std::slice::from_ref(&r), &hello(), &opts());
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rebuilder, r.entry);
    assert_eq!(got[0].result.as_deref().unwrap(), b"{\"link\": 1}");
    // Another source version: 404.
    let mut other = hello();
    other.source_version = "2.11-1".into();
    let got = fetch_links(&[r], &other, &opts());
    assert_eq!(got[0].result, Err(FetchError::NotFound));
}

#[test]
fn rebuilderd_v1_finds_the_build_and_decompresses_the_attestation() {
    let link = br#"{"signatures": [], "signed": {"_type": "link"}}"#.to_vec();
    let zst =
        ruzstd::encoding::compress_to_vec(&link[..], ruzstd::encoding::CompressionLevel::Fastest);
    let list = serde_json::json!({"total": 3, "records": [
        {"name": "hello-tool", "version": "1:2.10-3", "architecture": "i386", "build_id": 1, "artifact_id": 1},
        {"name": "hello-tool", "version": "1:2.10-3", "architecture": "amd64", "build_id": null, "artifact_id": null},
        {"name": "hello-tool", "version": "1:2.10-3", "architecture": "amd64", "build_id": 7, "artifact_id": 9},
    ]});
    let s = serve(vec![
        (
            "/api/v1/packages/binary?name=hello-tool&version=1%3A2.10-3&architecture=amd64",
            200,
            "Content-Type: application/json",
            list.to_string().into_bytes(),
        ),
        (
            "/api/v1/builds/7/artifacts/9/attestation",
            200,
            "Content-Encoding: zstd",
            zst.clone(),
        ),
    ]);
    let r = Rebuilder::parse(&format!("rebuilderd:{}", s.url)).unwrap();
    let got = fetch_links(std::slice::from_ref(&r), &hello(), &opts());
    assert_eq!(got[0].result.as_deref().unwrap(), &link[..]);
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[1].ends_with("zstd"), "{seen:?}");
    // A package it does not list.
    let mut other = hello();
    other.architecture = "arm64".into();
    assert_eq!(
        fetch_links(&[r], &other, &opts())[0].result,
        Err(FetchError::NotFound)
    );
}

#[test]
fn unreachable_slow_and_broken_rebuilders_are_told_apart() {
    let s = serve(vec![
        ("/slow/sources/hello/1%3A2.10-2/metadata", 0, "", Vec::new()),
        (
            "/err/sources/hello/1%3A2.10-2/metadata",
            503,
            "",
            Vec::new(),
        ),
        (
            "/deny/sources/hello/1%3A2.10-2/metadata",
            403,
            "",
            Vec::new(),
        ),
        (
            "/zst/sources/hello/1%3A2.10-2/metadata",
            200,
            "Content-Encoding: zstd",
            b"not zstd".to_vec(),
        ),
        (
            "/ok/sources/hello/1%3A2.10-2/metadata",
            200,
            "",
            b"L".to_vec(),
        ),
    ]);
    // A port nobody listens on.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let rs: Vec<Rebuilder> = ["slow", "err", "deny", "zst", "ok"]
        .iter()
        .map(|p| Rebuilder::parse(&format!("{}/{p}", s.url)).unwrap())
        .chain([Rebuilder::parse(&closed).unwrap()])
        .collect();
    let o = FetchOptions {
        timeout: Duration::from_millis(700),
        cache: None,
    };
    let t = std::time::Instant::now();
    let got = fetch_links(&rs, &hello(), &o);
    // In parallel: one time limit, not six.
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    let kinds: Vec<&str> = got
        .iter()
        .map(|f| match &f.result {
            Ok(_) => "ok",
            Err(FetchError::NotFound) => "404",
            Err(FetchError::Unreachable(_)) => "unreachable",
            Err(FetchError::Bad(_)) => "bad",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "unreachable",
            "unreachable",
            "bad",
            "bad",
            "ok",
            "unreachable"
        ]
    );
    let Err(FetchError::Bad(m)) = &got[2].result else {
        unreachable!()
    };
    assert!(m.ends_with("HTTP 403"), "{m}");
}

#[test]
fn answers_are_cached_for_the_run() {
    let s = serve(vec![(
        "/sources/hello/1%3A2.10-2/metadata",
        200,
        "",
        b"L".to_vec(),
    )]);
    let cache = tempfile::tempdir().unwrap();
    let o = FetchOptions {
        timeout: Duration::from_secs(5),
        cache: Some(AnswerCache::open(&cache.path().join("c")).unwrap()),
    };
    let r = Rebuilder::parse(&s.url).unwrap();
    let mut missing = hello();
    missing.source = "other".into();
    for _ in 0..3 {
        let got = fetch_links(std::slice::from_ref(&r), &hello(), &o);
        assert_eq!(got[0].result.as_deref().unwrap(), b"L");
        let got = fetch_links(std::slice::from_ref(&r), &missing, &o);
        assert_eq!(got[0].result, Err(FetchError::NotFound));
    }
    // Each question asked once.
    assert_eq!(s.seen.lock().unwrap().len(), 2);
}

/// A rebuilderd list of `n` builds of hello-tool (build i, artifact
/// 100 + i).
fn builds(n: i64) -> Vec<u8> {
    let records: Vec<serde_json::Value> = (1..=n)
        .map(|i| {
            serde_json::json!({"name": "hello-tool", "version": "1:2.10-3",
                "architecture": "amd64", "build_id": i, "artifact_id": 100 + i})
        })
        .collect();
    serde_json::json!({ "records": records })
        .to_string()
        .into_bytes()
}

const LIST: &str = "/api/v1/packages/binary?name=hello-tool&version=1%3A2.10-3&architecture=amd64";

/// Six builds whose attestations never come: one time limit for the
/// package, not one per request.
#[test]
fn one_deadline_for_every_request_of_a_package() {
    let paths: Vec<String> = (1..=6)
        .map(|i| format!("/api/v1/builds/{i}/artifacts/{}/attestation", 100 + i))
        .collect();
    let mut routes = vec![(LIST, 200, "", builds(6))];
    routes.extend(paths.iter().map(|p| (p.as_str(), 0, "", Vec::new())));
    let s = serve(routes);
    let r = Rebuilder::parse(&format!("rebuilderd:{}", s.url)).unwrap();
    let o = FetchOptions {
        timeout: Duration::from_millis(800),
        cache: None,
    };
    let t = std::time::Instant::now();
    let got = fetch_links(&[r], &hello(), &o);
    let took = t.elapsed();
    assert!(took < Duration::from_millis(3000), "{took:?}");
    let Err(FetchError::Unreachable(m)) = &got[0].result else {
        panic!("{:?}", got[0].result)
    };
    assert!(m.contains("/attestation"), "{m}");
}

/// A list of many builds: the newest are tried, at most MAX_BUILDS.
#[test]
fn at_most_max_builds_are_tried_newest_first() {
    let s = serve(vec![(LIST, 200, "", builds(30))]);
    let r = Rebuilder::parse(&format!("rebuilderd:{}", s.url)).unwrap();
    let got = fetch_links(std::slice::from_ref(&r), &hello(), &opts());
    assert_eq!(got[0].result, Err(FetchError::NotFound));
    let seen = s.seen.lock().unwrap().clone();
    let tried: Vec<&str> = seen
        .iter()
        .filter_map(|p| p.strip_prefix("/api/v1/builds/"))
        .map(|p| p.split('/').next().unwrap())
        .collect();
    assert_eq!(tried, ["30", "29", "28", "27", "26", "25", "24", "23"]);
    assert_eq!(tried.len(), MAX_BUILDS);
    // The newest build's attestation is the answer.
    let s = serve(vec![
        (LIST, 200, "", builds(3)),
        (
            "/api/v1/builds/1/artifacts/101/attestation",
            200,
            "",
            b"old".to_vec(),
        ),
        (
            "/api/v1/builds/3/artifacts/103/attestation",
            200,
            "",
            b"new".to_vec(),
        ),
    ]);
    let r = Rebuilder::parse(&format!("rebuilderd:{}", s.url)).unwrap();
    let got = fetch_links(&[r], &hello(), &opts());
    assert_eq!(got[0].result.as_deref().unwrap(), b"new");
}

/// What is in a cache directory stands for a rebuilder's answer only
/// when it is a plain file of this user's, in a directory no other user
/// can write; a FIFO, a symlink (to `/dev/zero`) or a foreign file is
/// ignored (the question asked again), never read.
#[test]
fn cache_entries_are_read_safely_and_only_from_a_private_directory() {
    use std::os::unix::fs::PermissionsExt as _;
    let s = serve(vec![(
        "/sources/hello/1%3A2.10-2/metadata",
        200,
        "",
        b"L".to_vec(),
    )]);
    let r = Rebuilder::parse(&s.url).unwrap();
    let question = format!("{}\nlegacy\nhello\n1:2.10-2", r.url);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    let cache = AnswerCache::open(&dir).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(&dir), 0o700);
    let link = AnswerCache::path(&dir, &question, "link");
    let none = AnswerCache::path(&dir, &question, "none");
    let o = FetchOptions {
        timeout: Duration::from_secs(5),
        cache: Some(cache),
    };
    let fifo = std::ffi::CString::new(link.to_str().unwrap()).unwrap();
    let plant: [(&str, &dyn Fn()); 3] = [
        ("a FIFO", &|| {
            #[allow(unsafe_code)]
            // SAFETY: mkfifo(3) on a NUL-terminated path.
            let rc = unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) };
            assert_eq!(rc, 0);
        }),
        ("a symlink to /dev/zero", &|| {
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap()
        }),
        ("a planted \"not found\" that others may write", &|| {
            std::fs::write(&none, b"").unwrap();
            std::fs::set_permissions(&none, std::fs::Permissions::from_mode(0o666)).unwrap();
        }),
    ];
    for (what, plant) in plant {
        let _ = std::fs::remove_file(&link);
        let _ = std::fs::remove_file(&none);
        plant();
        let got = fetch_links(std::slice::from_ref(&r), &hello(), &o);
        assert_eq!(got[0].result.as_deref(), Ok(&b"L"[..]), "{what}");
        // Replaced by the answer (a file of this user's).
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(meta.is_file(), "{what}");
    }
    // A directory others (or its group) may write is refused.
    for m in [0o777, 0o1777, 0o770] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(m)).unwrap();
        let e = AnswerCache::open(&dir).unwrap_err().to_string();
        assert!(e.contains("writable by its group or by others"), "{e}");
        assert!(e.contains("another user could plant answers"), "{e}");
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    AnswerCache::open(&dir).unwrap();
    // Owned by another user (root can make one).
    if intoto::fsio::effective_uid() == 0 {
        std::os::unix::fs::chown(&dir, Some(65534), None).unwrap();
        let e = AnswerCache::open(&dir).unwrap_err().to_string();
        assert!(e.contains("owned by uid 65534"), "{e}");
    }
    let e = AnswerCache::open(&link).unwrap_err().to_string();
    assert!(e.contains("not a directory"), "{e}");
}

/// A cache in memory: a link or "not found" is asked once, an unreachable
/// rebuilder again.
#[test]
fn a_memory_cache_asks_once() {
    let s = serve(vec![
        ("/sources/hello/1%3A2.10-2/metadata", 200, "", b"L".to_vec()),
        ("/sources/gone/1/metadata", 404, "", Vec::new()),
    ]);
    let r = Rebuilder::parse(&s.url).unwrap();
    let o = FetchOptions {
        timeout: Duration::from_secs(5),
        cache: Some(AnswerCache::memory()),
    };
    let mut gone = hello();
    gone.source = "gone".into();
    gone.source_version = "1".into();
    for round in 0..2 {
        let a = fetch_links(std::slice::from_ref(&r), &hello(), &o);
        assert_eq!(a[0].result.as_deref().unwrap(), b"L");
        assert_eq!(a[0].cached, round == 1);
        let a = fetch_links(std::slice::from_ref(&r), &gone, &o);
        assert!(matches!(a[0].result, Err(FetchError::NotFound)));
        assert_eq!(a[0].cached, round == 1);
    }
    let down = Rebuilder::parse("http://127.0.0.1:1").unwrap();
    for _ in 0..2 {
        let a = fetch_links(std::slice::from_ref(&down), &hello(), &o);
        assert!(matches!(a[0].result, Err(FetchError::Unreachable(_))));
        assert!(!a[0].cached);
    }
}
