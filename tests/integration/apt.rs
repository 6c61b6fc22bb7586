//! `intoto` as the apt method `intoto+http`, with real apt: a signed local
//! repository (dpkg-deb, apt-ftparchive, a GnuPG key, InRelease from
//! `gpg --clearsign`) served on 127.0.0.1, rebuilders on loopback serving
//! links `intoto run` recorded (legacy path API and rebuilderd's v1 API),
//! an isolated `APT_CONFIG` (nothing of the host's apt state is read or
//! written), then `apt-get update`, `apt-get install --download-only` and
//! `apt-get download`, also through a mirror that redirects every request.
//!
//! Skipped, saying why, when apt-get, apt-ftparchive or dpkg-deb are
//! missing, except on CI (`$CI` set), where that fails: `scripts/setup
//! --tests` installs them.

mod fixture;

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::common::is_root;

pub(crate) use fixture::*;

#[test]
fn apt_installs_only_what_the_rebuilders_reproduced() {
    if !tools() {
        return;
    }
    let started = Instant::now();
    let apt = Apt::new();
    eprintln!("apt test setup: {:?}", started.elapsed());
    // Indexes pass through unchanged (InRelease protects them).
    apt.ok(&["update"]);
    // Reproduced by both: installs.
    apt.ok(&["install", "--download-only", "good1"]);
    assert_eq!(apt.debs(), ["cache/archives/good1_1.0_all.deb"]);
    apt.ok(&["download", "good2"]);
    assert_eq!(
        apt.debs(),
        ["cache/archives/good1_1.0_all.deb", "dl/good2_1.0_all.deb"]
    );
    apt.clean();
    // The mirror's bytes differ from what both rebuilt: refused, gone.
    let out = apt.fails(
        &["download", "differs"],
        "differs 1.0 (all) failed verification",
    );
    assert!(out.contains("inspection rules"), "{out}");
    apt.fails(
        &["install", "--download-only", "differs"],
        "failed verification",
    );
    assert_eq!(apt.debs(), Vec::<String>::new());
    // No links at all, one link under threshold 2: refused.
    let out = apt.fails(
        &["download", "nolinks"],
        "nolinks 1.0 (all): not enough evidence",
    );
    assert!(out.contains("rebuilder http://127.0.0.1"), "{out}");
    assert!(out.contains("no link for this package"), "{out}");
    apt.fails(
        &["download", "onelink"],
        "step 'rebuild' needs 2 link files, found 1",
    );
    assert_eq!(apt.debs(), Vec::<String>::new());

    // NoFail: missing evidence is a warning, contradicting evidence still
    // refused.
    apt.configure(&apt.mirror.url, "", true);
    let out = apt.ok(&["download", "nolinks", "onelink"]);
    assert!(out.contains("W: "), "{out}");
    assert!(out.contains("APT::Intoto::NoFail is set"), "{out}");
    assert_eq!(
        apt.debs(),
        ["dl/nolinks_1.0_all.deb", "dl/onelink_1.0_all.deb"]
    );
    apt.fails(&["download", "differs"], "failed verification");
    apt.clean();

    // A mirror that redirects every request: the redirects keep the
    // intoto+ scheme, so nothing escapes verification.
    apt.configure(&apt.redirector.url, "", false);
    apt.ok(&["update"]);
    apt.ok(&["install", "--download-only", "good3"]);
    apt.fails(&["download", "differs"], "failed verification");
    apt.fails(&["download", "nolinks"], "not enough evidence");
    assert_eq!(apt.debs(), ["cache/archives/good3_1.0_all.deb"]);
    let redirected = apt.redirector.seen.lock().unwrap().clone();
    assert!(
        redirected
            .iter()
            .any(|p| p.ends_with("differs_1.0_all.deb")),
        "{redirected:?}"
    );
    let served = apt.mirror.seen.lock().unwrap().clone();
    assert!(
        served
            .iter()
            .filter(|p| p.ends_with("differs_1.0_all.deb"))
            .count()
            >= 3,
        "{served:?}"
    );
    apt.clean();

    // The time per package: four packages through intoto+http (two
    // rebuilders each) against the same through plain http.
    apt.configure(&apt.mirror.url, "", false);
    apt.ok(&["update"]);
    let t = Instant::now();
    let mut args = vec!["download"];
    args.extend(GOOD);
    apt.ok(&args);
    let with = t.elapsed();
    apt.clean();
    let host = apt.mirror.url.trim_start_matches("http://");
    fs::write(
        apt.root.join("etc/sources.list"),
        format!("deb http://{host}/ ./\n"),
    )
    .unwrap();
    apt.ok(&["update"]);
    let t = Instant::now();
    apt.ok(&args);
    let without = t.elapsed();
    eprintln!(
        "apt-get download of {} packages: {with:?} through intoto+http, {without:?} through http: {:?} per package",
        GOOD.len(),
        with.saturating_sub(without) / GOOD.len() as u32
    );
    // The plain http scheme is not verified: `differs` downloads.
    apt.ok(&["download", "differs"]);
    // Every check removed its private directories.
    assert_eq!(apt.temp_left(), Vec::<String>::new());
    eprintln!("apt test total: {:?}", started.elapsed());
}

#[test]
fn rebuilderd_v1_gnupg_home_keys_and_broken_configurations() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    // One legacy rebuilder and one rebuilderd; keys from a GnuPG home.
    let extra = format!(
        "  Rebuilders {{ \"{}\"; \"rebuilderd:{}\"; }};\n  GPGHomedir \"{}\";\n  Keyids {{ \"{}\"; }};\n",
        apt.rebuilder_a.url,
        apt.rebuilder_v1.url,
        apt.env.gnupg.display(),
        apt.alice
    );
    apt.configure(&apt.mirror.url, &extra, false);
    apt.ok(&["update"]);
    apt.ok(&["download", "good1"]);
    let asked = apt.rebuilder_v1.seen.lock().unwrap().clone();
    assert!(
        asked
            .iter()
            .any(|p| p == "/api/v1/packages/binary?name=good1&version=1.0&architecture=all"),
        "{asked:?}"
    );
    assert!(
        asked.iter().any(|p| p.ends_with("/attestation")),
        "{asked:?}"
    );
    apt.fails(&["download", "differs"], "failed verification");
    apt.fails(&["download", "onelink"], "not enough evidence");
    assert_eq!(apt.debs(), ["dl/good1_1.0_all.deb"]);
    apt.clean();

    // A broken configuration fails every package, naming what to fix;
    // indexes still pass (apt-get update works). NoFail changes nothing.
    let d = apt.root.display();
    for (extra, needle) in [
        (
            format!("  Layout \"{d}/missing.layout\";\n"),
            "APT::Intoto::Layout",
        ),
        (
            format!("  Keyring \"{d}/etc/trusted.gpg\";\n"),
            "the layout must be signed by the keys of APT::Intoto::Keyring",
        ),
        (
            "  Rebuilders { \"ftp://x\"; };\n".to_owned(),
            "APT::Intoto::Rebuilders",
        ),
        (
            "  Keyids { \"0123456789ABCDEF\"; };\n".to_owned(),
            "APT::Intoto::Keyids",
        ),
    ] {
        apt.configure(&apt.mirror.url, &extra, true);
        apt.ok(&["update"]);
        let out = apt.fails(&["download", "good1"], needle);
        assert!(out.contains("the configuration is broken"), "{out}");
        assert_eq!(apt.debs(), Vec::<String>::new());
    }
}

/// The parent pid and command name of process `pid` (from /proc).
fn proc_stat(pid: u32) -> Option<(u32, String, char)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(')')?;
    let comm = head.split_once('(')?.1.to_owned();
    let mut f = rest.split_whitespace();
    let state = f.next()?.chars().next()?;
    let ppid = f.next()?.parse().ok()?;
    Some((ppid, comm, state))
}

/// The live children of `parent` named `comm`.
fn children(parent: u32, comm: &str) -> Vec<u32> {
    fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            proc_stat(*pid).is_some_and(|(pp, c, st)| pp == parent && c == comm && st != 'Z')
        })
        .collect()
}

/// Killed by SIGTERM or SIGINT while a check runs (its inspection sleeps),
/// the method removes its private temporary directory (the package's)
/// and ends the inspection; apt reports the method's death.
#[test]
fn a_killed_method_leaves_no_temporary_directory() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    apt.ok(&["update"]);
    let d = apt.root.display();
    apt.configure(
        &apt.mirror.url,
        &format!("  Layout \"{d}/slow.layout\";\n"),
        false,
    );
    for (sig, name) in [(libc::SIGTERM, "SIGTERM"), (libc::SIGINT, "SIGINT")] {
        let mut c = apt.apt_get_cmd(&["download", "good1"]);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let apt_get = c.spawn().unwrap();
        let started = Instant::now();
        let (method, sleep) = loop {
            assert!(
                started.elapsed().as_secs() < 60,
                "{name}: the check never got to its inspection; left: {:?}",
                apt.temp_left()
            );
            let found = children(apt_get.id(), "intoto+http")
                .into_iter()
                .find_map(|m| children(m, "sleep").first().map(|s| (m, *s)));
            if let Some(found) = found {
                break found;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let left = apt.temp_left();
        assert!(
            left.iter().any(|n| n.starts_with("intoto-deb.")),
            "{name}: {left:?}"
        );
        // SAFETY: kill(2) on the method's pid, a child of our apt-get.
        #[allow(unsafe_code)]
        let rc = unsafe { libc::kill(method as libc::pid_t, sig) };
        assert_eq!(rc, 0);
        let out = apt_get.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success(), "{name}: {text}");
        assert!(text.contains("intoto+http"), "{name}: {text}");
        assert_eq!(apt.temp_left(), Vec::<String>::new(), "{name}: {text}");
        // The inspection was ended with it, not left sleeping.
        let t = Instant::now();
        while proc_stat(sleep).is_some_and(|(_, c, st)| c == "sleep" && st != 'Z') {
            assert!(
                t.elapsed().as_secs() < 10,
                "{name}: the inspection {sleep} still runs"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        apt.clean();
    }
}

/// The real, effective, saved and file-system ids of process `pid`
/// (`Uid:` or `Gid:` of /proc/PID/status), and its supplementary groups.
fn ids(pid: u32, which: &str) -> String {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(which))
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Run by root apt with `APT::Sandbox::User "_apt"`, the method reads the
/// layout and its keyring as root (they are readable by root only here),
/// then runs as `_apt`, as do apt's http method it starts and the
/// inspections; packages are still judged (the test's directories are
/// traversable, the download and temporary directories writable, so that
/// apt does not fall back to downloading unsandboxed).
#[test]
fn the_method_drops_to_the_sandbox_user() {
    use std::os::unix::fs::PermissionsExt as _;
    if !tools() {
        return;
    }
    if !is_root() {
        eprintln!("skipping: only root drops privileges (this test runs as another user)");
        return;
    }
    let Some(apt_ids) = Command::new("id")
        .arg("_apt")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| {
            let id = |flag: &str| {
                let o = Command::new("id").args([flag, "_apt"]).output().unwrap();
                String::from_utf8_lossy(&o.stdout).trim().to_owned()
            };
            (id("-u"), id("-g"))
        })
    else {
        if std::env::var_os("CI").is_some() {
            panic!("no user _apt on CI, where apt is installed");
        }
        eprintln!("skipping: there is no user _apt");
        return;
    };
    let apt = Apt::new();
    let mode = |p: &Path, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
    // The scratch directory is 0700: let _apt through to apt's partial
    // directories (apt gives those to _apt), the download directory and
    // the method's TMPDIR.
    let mut p = apt.root.clone();
    while p.starts_with(apt.env.path("")) {
        mode(&p, 0o755);
        if !p.pop() {
            break;
        }
    }
    mode(&apt.root.join("dl"), 0o1777);
    mode(&apt.root.join("tmp"), 0o1777);
    for f in ["root.layout", "slow.layout", "owner.gpg"] {
        mode(&apt.root.join(f), 0o600);
    }
    *apt.sandbox.borrow_mut() = "_apt".to_owned();
    apt.configure(&apt.mirror.url, "", false);
    let out = apt.ok(&["update"]);
    assert!(!out.contains("unsandboxed"), "{out}");
    let out = apt.ok(&["install", "--download-only", "good1"]);
    assert!(!out.contains("unsandboxed"), "{out}");
    let out = apt.ok(&["download", "good2"]);
    assert!(!out.contains("unsandboxed"), "{out}");
    apt.fails(
        &["download", "differs"],
        "differs 1.0 (all) failed verification",
    );
    apt.fails(&["download", "nolinks"], "not enough evidence");
    assert_eq!(
        apt.debs(),
        ["cache/archives/good1_1.0_all.deb", "dl/good2_1.0_all.deb"]
    );
    assert_eq!(apt.temp_left(), Vec::<String>::new());
    apt.clean();

    // Who runs: the method, the http method and an inspection (the slow
    // layout's sleep), caught while a check runs.
    let d = apt.root.display();
    apt.configure(
        &apt.mirror.url,
        &format!("  Layout \"{d}/slow.layout\";\n"),
        false,
    );
    let mut c = apt.apt_get_cmd(&["download", "good3"]);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let apt_get = c.spawn().unwrap();
    let started = Instant::now();
    let (method, sleep) = loop {
        assert!(
            started.elapsed().as_secs() < 60,
            "the check never got to its inspection"
        );
        let found = children(apt_get.id(), "intoto+http")
            .into_iter()
            .find_map(|m| children(m, "sleep").first().map(|s| (m, *s)));
        if let Some(found) = found {
            break found;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let http = children(method, "http");
    let (uid, gid) = &apt_ids;
    let all = |id: &str| [id; 4].join(" ");
    for (what, pid) in [("the method", method), ("the inspection", sleep)]
        .into_iter()
        .chain(http.iter().map(|p| ("apt's http method", *p)))
    {
        assert_eq!(ids(pid, "Uid:"), all(uid), "{what}");
        assert_eq!(ids(pid, "Gid:"), all(gid), "{what}");
        assert_eq!(ids(pid, "Groups:"), *gid, "{what}");
    }
    assert_eq!(http.len(), 1, "apt's http method under {method}");
    // SAFETY: kill(2) on the method's pid, a child of our apt-get.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::kill(method as libc::pid_t, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let out = apt_get.wait_with_output().unwrap();
    assert!(!out.status.success());
    // Made by _apt, removed by _apt.
    assert_eq!(apt.temp_left(), Vec::<String>::new());

    // A sandbox user that does not exist: apt warns and tells its methods
    // to stay root; the method, told the name, warns too and goes on as
    // root (speaking to it directly: configuration, then the end of input).
    let mut m = Command::new(apt.root.join("methods/intoto+http"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    m.stdin
        .take()
        .unwrap()
        .write_all(
            format!(
                "601 Configuration\nConfig-Item: APT::Sandbox::User=no-such-sandbox-user\n\
                 Config-Item: APT::Intoto::Layout={d}/root.layout\n\n"
            )
            .as_bytes(),
        )
        .unwrap();
    let out = m.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("100 Capabilities"),
        "{out:?}"
    );
    assert!(
        stderr.contains("warning: no sandbox user \"no-such-sandbox-user\" on the system"),
        "{stderr}"
    );
}
