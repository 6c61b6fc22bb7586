//! Robustness of the Debian side: `verify-archive` and the apt method
//! given what an archive, a rebuilder, a download directory, a cache
//! directory or apt itself may hand them. Every index member is read, an
//! unlisted index is not expanded, a file is judged as it was checked, a
//! package's time limit holds for all its requests, a cache another user
//! can write is refused (and nothing in one is read unsafely), and a long
//! line reaches apt's http method whole.
//!
//! The archive, the rebuilders and `verify-archive`'s flags are the apt
//! test's (`apt.rs`, `common/archive.rs`, `common/loopback.rs`); skipped
//! as those are when the apt tools are missing.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::apt::{Apt, sign_release, tools};
use crate::common::archive::{lines, verdicts, verify_archive};
use crate::common::loopback::{Answer, files, serve};
use crate::common::measure::{Measured, measured};
use crate::common::{Out, bin, check, output};

/// Runs `c` (its data segment limited to `data_limit` bytes, when given:
/// a runaway allocation aborts it instead of the machine), killing it
/// after `secs` seconds, which fails the test.
#[track_caller]
fn bounded(c: Command, secs: u64, data_limit: Option<u64>) -> Measured {
    let limits: Vec<_> = data_limit
        .map(|l| (libc::RLIMIT_DATA, l))
        .into_iter()
        .collect();
    measured(&c, Duration::from_secs(secs), &limits)
        .unwrap_or_else(|| panic!("did not finish within {secs} s"))
}

/// The one error line of a refused run (nothing on stdout, exit 1).
#[track_caller]
fn refused(out: &Out) -> String {
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let errors: Vec<&str> = out.stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    errors[0].to_owned()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zst(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// The repository's Packages text, cut after its first entry.
fn packages_halves(apt: &Apt) -> (String, String) {
    let text = fs::read_to_string(apt.root.join("repo/Packages")).unwrap();
    let cut = text.find("\n\n").unwrap() + 2;
    (text[..cut].to_owned(), text[cut..].to_owned())
}

/// An index in two gzip members (or two zstd frames), as the release
/// lists it: apt reads both, and so does `verify-archive` (it read the
/// first only: one entry, exit 0, the rest never audited). A zstd index
/// may be as large as any index (it was held to a link's 64 MiB).
#[test]
fn every_member_of_a_compressed_index_is_judged() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let repo = apt.root.join("repo");
    let (first, rest) = packages_halves(&apt);
    fs::write(
        repo.join("Packages.gz"),
        [gz(first.as_bytes()), gz(rest.as_bytes())].concat(),
    )
    .unwrap();
    // 65 MiB of comment after the entries, in 1 MiB frames.
    let mut comment = vec![b'#'; 1 << 20];
    comment[(1 << 20) - 1] = b'\n';
    let frame = zst(&comment);
    let mut big = [zst(first.as_bytes()), zst(rest.as_bytes())].concat();
    for _ in 0..65 {
        big.extend_from_slice(&frame);
    }
    fs::write(repo.join("Packages.zst"), big).unwrap();
    sign_release(&apt.env, &repo);
    for (name, listed) in [
        ("Packages.gz", "Packages.gz"),
        ("Packages.zst", "Packages.zst"),
    ] {
        let p = repo.join(name);
        let out = check(
            verify_archive(&apt, &["--packages", p.to_str().unwrap()]),
            1,
        );
        let (pkgs, summary) = lines(&out);
        assert_eq!(summary["entries"], 7, "{name}: {}", out.stdout);
        assert_eq!(summary["index"], listed);
        assert_eq!(summary["failed"], 1, "{name}");
        assert_eq!(pkgs["differs"]["result"], "failed", "{name}");
        assert_eq!(verdicts(&pkgs).len(), 7);
    }
}

/// A compressed file the release does not list can only be one of the
/// indexes it lists once decompressed: it is decompressed no further than
/// the largest of them, not expanded to 1 GiB before it is refused.
#[test]
fn an_unlisted_compressed_index_is_refused_before_it_expands() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let repo = apt.root.join("repo");
    // 256 MiB of zeros in a small .xz.
    let mut e = xz2::write::XzEncoder::new(Vec::new(), 0);
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = repo.join("Packages.xz");
    fs::write(&bomb, e.finish().unwrap()).unwrap();
    assert!(fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let size = fs::metadata(repo.join("Packages")).unwrap().len();
    let m = bounded(
        verify_archive(&apt, &["--packages", bomb.to_str().unwrap()]),
        60,
        None,
    );
    assert!(
        m.max_rss_kib < 128 << 10,
        "peak memory {} MiB: the file was expanded",
        m.max_rss_kib >> 10
    );
    let error = refused(&m.out);
    assert!(
        error.contains("is not among the Packages indexes")
            && error.contains(&format!("decompresses to more than the {size} bytes")),
        "{error}"
    );
}

/// `--files`: the downloaded file is judged as it was when its digest was
/// checked. Here the rebuilder, when asked about `differs`, replaces the
/// downloaded file (the mirror's, which the index lists) with the
/// rebuilt one, which its links match: still failed, not verified.
#[test]
fn a_downloaded_file_replaced_during_the_fetch_is_judged_as_it_was_checked() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let dl = apt.downloaded();
    let inner = files(apt.root.join("links/b"));
    let rebuilt = apt.root.join("build/other/differs_1.0_all.deb");
    let target = dl.join("differs_1.0_all.deb");
    let swapper = serve(Arc::new(move |path: &str| {
        if path.contains("/sources/differs/") {
            let tmp = target.with_extension("swap");
            fs::copy(&rebuilt, &tmp).unwrap();
            fs::rename(&tmp, &target).unwrap();
        }
        inner(path)
    }));
    let swapper_url = swapper.url.clone();
    let out = check(
        verify_archive(
            &apt,
            &[
                "--files",
                dl.to_str().unwrap(),
                "--rebuilder",
                &apt.rebuilder_a.url,
                "--rebuilder",
                &swapper_url,
            ],
        ),
        1,
    );
    let (pkgs, summary) = lines(&out);
    assert_eq!(pkgs["differs"]["result"], "failed", "{}", pkgs["differs"]);
    assert!(
        swapper
            .seen
            .lock()
            .unwrap()
            .iter()
            .any(|p| p.contains("/differs/")),
        "the rebuilder was not asked"
    );
    assert_eq!(summary["verified"], 4, "{}", out.stdout);
}

/// A rebuilderd lists its builds of good1, whose attestations come
/// slowly (each after 10 s), and many builds of good2, none attested:
/// `--timeout 2` is two seconds for good1 (not two per build), and good2
/// costs at most 8 requests, not one per build. (With one link each,
/// every package lacks evidence: exit 0.)
#[test]
fn a_rebuilder_has_one_time_limit_per_package_and_few_builds_are_tried() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let slow = serve(Arc::new(|path: &str| {
        let (p, q) = path.split_once('?').unwrap_or((path, ""));
        if p == "/api/v1/packages/binary" {
            let (name, n) = if q.starts_with("name=good1&") {
                ("good1", 6)
            } else if q.starts_with("name=good2&") {
                ("good2", 40)
            } else {
                ("", 0)
            };
            let records: Vec<Value> = (1..=n)
                .map(|i| {
                    serde_json::json!({"name": name, "version": "1.0", "architecture": "all",
                        "build_id": i, "artifact_id": i})
                })
                .collect();
            return Answer::Body(
                serde_json::json!({ "records": records })
                    .to_string()
                    .into_bytes(),
            );
        }
        if path.ends_with("/attestation") && !path.contains("/builds/0/") {
            // good1's builds are slow; good2's are fast, and unattested.
            let build: u32 = p.split('/').nth(4).unwrap().parse().unwrap();
            if build <= 6 {
                std::thread::sleep(Duration::from_secs(10));
            }
        }
        Answer::NotFound
    }));
    let v1 = format!("rebuilderd:{}", slow.url);
    let t = Instant::now();
    let out = check(
        verify_archive(
            &apt,
            &[
                "--rebuilder",
                &apt.rebuilder_a.url,
                "--rebuilder",
                &v1,
                "--timeout",
                "2",
                "--jobs",
                "2",
            ],
        ),
        0,
    );
    let took = t.elapsed();
    assert!(took < Duration::from_secs(8), "{took:?}");
    let (pkgs, _) = lines(&out);
    let answer = pkgs["good1"]["rebuilders"][1]["answer"].as_str().unwrap();
    assert!(answer.starts_with("unreachable"), "{answer}");
    assert_eq!(pkgs["good1"]["result"], "missing-evidence");
    let good2_attestations = slow
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|p| p.ends_with("/attestation"))
        .filter(|p| {
            let build: u32 = p.split('/').nth(4).unwrap().parse().unwrap();
            build > 6
        })
        .count();
    assert!(good2_attestations <= 8, "{good2_attestations} requests");
}

/// The cache file of rebuilder A's answer for good1 (the legacy API's
/// question: URL, API, source, source version).
fn cache_entry(apt: &Apt, dir: &Path, ext: &str) -> std::path::PathBuf {
    let question = format!("{}\nlegacy\ngood1\n1.0", apt.rebuilder_a.url);
    dir.join(format!(
        "{}.{ext}",
        hex::encode(Sha256::digest(question.as_bytes()))
    ))
}

/// `--cache-dir`: a directory another user can write is refused (an
/// answer planted there would stand for the rebuilder's: a planted "not
/// found" made good1 missing evidence); in a private one, a FIFO or a
/// symlink to /dev/zero where an answer goes is not read (it hung, or
/// filled memory) but replaced by the rebuilder's answer.
#[test]
fn a_cache_directory_is_trusted_only_when_private_and_read_safely() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let shared = apt.root.join("shared-cache");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    fs::write(cache_entry(&apt, &shared, "none"), "").unwrap();
    let out = output(verify_archive(
        &apt,
        &["--cache-dir", shared.to_str().unwrap()],
    ));
    let error = refused(&out);
    assert!(
        error.contains("--cache-dir")
            && error.contains("writable by its group or by others")
            && error.contains("give a directory only you can write"),
        "{error}"
    );

    let private = apt.root.join("cache-private");
    fs::create_dir(&private).unwrap();
    fs::set_permissions(&private, fs::Permissions::from_mode(0o700)).unwrap();
    let link = cache_entry(&apt, &private, "link");
    let fifo = std::ffi::CString::new(link.to_str().unwrap()).unwrap();
    let plants: [(&str, &dyn Fn()); 2] = [
        ("a FIFO", &|| {
            #[allow(unsafe_code)]
            // SAFETY: mkfifo(3) on a NUL-terminated path.
            let rc = unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) };
            assert_eq!(rc, 0);
        }),
        ("a symlink to /dev/zero", &|| {
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        }),
    ];
    for (what, plant) in plants {
        let _ = fs::remove_file(&link);
        plant();
        let m = bounded(
            verify_archive(&apt, &["--cache-dir", private.to_str().unwrap()]),
            60,
            Some(2 << 30),
        );
        assert_eq!(m.out.code, 1, "{what}: {}", m.out.stderr);
        assert!(
            m.max_rss_kib < 256 << 10,
            "{what}: peak memory {} MiB",
            m.max_rss_kib >> 10
        );
        let (pkgs, _) = lines(&m.out);
        assert_eq!(pkgs["good1"]["result"], "verified", "{what}");
        assert!(
            fs::symlink_metadata(&link).unwrap().is_file(),
            "{what}: not replaced"
        );
    }
}

/// apt hands the method a 601 Configuration with a 1 MiB line (or one
/// whose 1 MiB boundary falls inside a character): it reaches apt's http
/// method whole, in one message (it was cut into two, and the second
/// half refused as "not a method message"). A line beyond the bound
/// (16 MiB for a message) is refused, saying so.
#[test]
fn a_long_line_from_apt_reaches_the_http_method_whole() {
    let env = crate::common::Env::new();
    let dir = env.path("methods");
    fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(bin(), dir.join("intoto+http")).unwrap();
    let received = dir.join("received");
    fs::write(
        dir.join("http"),
        format!("#!/bin/sh\nexec cat > '{}'\n", received.display()),
    )
    .unwrap();
    fs::set_permissions(dir.join("http"), fs::Permissions::from_mode(0o755)).unwrap();
    let head = "Config-Item: Long::Item=";
    for (fill, n, ok) in [
        ("v", (1 << 20) - head.len(), true),
        ("é", (1 << 19) - 4, true),
        ("v", 17 << 20, false),
    ] {
        let _ = fs::remove_file(&received);
        let value = fill.repeat(n);
        let message = format!(
            "601 Configuration\n\
             Config-Item: APT::Sandbox::User=root\n\
             Config-Item: Dir::Bin::Methods={}\n\
             {head}{value}\n\
             Config-Item: After::Item=1\n\n",
            dir.display()
        );
        let mut m = Command::new(dir.join("intoto+http"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = m.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(message.as_bytes());
        });
        let out = m.wait_with_output().unwrap();
        writer.join().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        if ok {
            assert!(out.status.success(), "{fill} × {n}: {stderr}");
            let got = fs::read_to_string(&received).unwrap();
            assert_eq!(got.matches("601 Configuration").count(), 1);
            let line = got
                .lines()
                .find(|l| l.starts_with(head))
                .expect("the long line");
            assert_eq!(line.len(), head.len() + value.len(), "{fill} × {n}");
            assert!(got.contains("Config-Item: After::Item=1\n"));
        } else {
            assert_eq!(out.status.code(), Some(100), "{stderr}");
            let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
            assert_eq!(errors.len(), 1, "{stderr}");
            assert!(
                errors[0].contains("longer than 16 MiB: refused"),
                "{}",
                errors[0]
            );
        }
    }
}
