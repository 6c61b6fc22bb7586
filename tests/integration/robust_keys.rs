//! Key lookups that must stay sound and bounded whatever the keyrings, the
//! GnuPG home or gpg-agent hold: one certificate found in several keyring
//! files (or many times in one), a full fingerprint that another
//! certificate carries as a subkey, a FIFO where the home's keyring should
//! be, an agent that answers PKSIGN with endless data. Each command runs
//! under a time limit (its process group killed after it) and its peak
//! memory is measured.

use std::fs;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sequoia_openpgp as openpgp;

use crate::common::Env;

/// What a command left when it ran under a time limit.
struct Bounded {
    /// Its exit code; `None` when it was killed at the time limit.
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    /// Peak resident memory of the process (not of what it started), in
    /// KiB, as last seen while it ran (its `VmHWM`, read every 10 ms).
    max_rss_kib: i64,
}

/// Runs `c` in its own process group; after `limit` the whole group is
/// killed (gpg and what else it started too).
fn run_bounded(mut c: Command, limit: Duration) -> Bounded {
    let scratch = tempfile::tempfile().unwrap();
    c.stdout(Stdio::null())
        .stderr(scratch.try_clone().unwrap())
        .process_group(0);
    let start = Instant::now();
    let child = c.spawn().unwrap();
    let pid = child.id() as i32;
    let mut status = 0;
    let mut killed = false;
    let mut max_rss_kib = 0;
    loop {
        #[allow(unsafe_code)]
        // SAFETY: waitpid on our own child with a valid out pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break;
        }
        max_rss_kib = max_rss_kib.max(peak_rss_kib(pid));
        assert_eq!(r, 0, "waitpid: {}", std::io::Error::last_os_error());
        if start.elapsed() > limit && !killed {
            #[allow(unsafe_code)]
            // SAFETY: kill(2) on the group our child leads.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = start.elapsed();
    // The rest of the group (gpg, if it outlived intoto).
    #[allow(unsafe_code)]
    // SAFETY: kill(2) on the group our child led.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
    std::mem::forget(child);
    let mut stderr = Vec::new();
    let mut scratch = scratch;
    scratch.seek(SeekFrom::Start(0)).unwrap();
    scratch.read_to_end(&mut stderr).unwrap();
    let code = (!killed && libc::WIFEXITED(status)).then(|| libc::WEXITSTATUS(status));
    Bounded {
        code,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        elapsed,
        max_rss_kib,
    }
}

/// The peak resident memory of the live process `pid`, in KiB (0 once it
/// has exited). `wait4`'s figure would not do: it counts the test process,
/// whose memory the child shared until it ran intoto.
fn peak_rss_kib(pid: i32) -> i64 {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// gpg's export of `fpr` from the env's home, armored or binary.
fn export(env: &Env, fpr: &str, armor: bool) -> Vec<u8> {
    let mut c = Command::new("gpg");
    c.arg("--homedir").arg(&env.gnupg).arg("--batch");
    if armor {
        c.arg("--armor");
    }
    let out = c.arg("--export").arg(fpr).output().unwrap();
    assert!(out.status.success() && !out.stdout.is_empty(), "{out:?}");
    out.stdout
}

/// An empty layout (expires 2099) signed with alice's GnuPG key; her
/// fingerprint.
fn layout_signed_by_alice(env: &Env) -> String {
    let alice = env.fpr("alice");
    env.ok("layout new root.layout --expires 2099-12-31");
    env.ok(format!("sign -f root.layout --gpg {alice}"));
    alice
}

#[test]
fn one_certificate_in_two_keyring_files_is_one_key() {
    let env = Env::new();
    let alice = layout_signed_by_alice(&env);
    fs::write(env.work().join("a.gpg"), export(&env, &alice, false)).unwrap();
    fs::write(env.work().join("a.asc"), export(&env, &alice, true)).unwrap();
    let both = "--keyring a.gpg --keyring a.asc";
    env.ok(format!("verify -l root.layout --gpg {alice} {both}"));
    // Twice in one file: the same.
    let mut twice = export(&env, &alice, true);
    twice.extend(export(&env, &alice, true));
    fs::write(env.work().join("twice.asc"), twice).unwrap();
    let dict = env
        .ok(format!("key export --gpg {alice} --keyring twice.asc"))
        .json_only();
    let alone = env
        .ok(format!("key export --gpg {alice} --keyring a.gpg"))
        .json_only();
    assert_eq!(dict, alone);
    // One key, so one signature is all two of them can give.
    env.fails(
        2,
        format!("verify -l root.layout {both} --signatures 2"),
        "only 1 distinct key",
    );
}

#[test]
fn a_full_fingerprint_is_not_ambiguous_when_another_certificate_holds_it_as_a_subkey() {
    use openpgp::cert::prelude::*;
    use openpgp::packet::prelude::*;
    use openpgp::parse::Parse;
    use openpgp::serialize::SerializeInto;
    use openpgp::types::{KeyFlags, SignatureType};

    let env = Env::new();
    let alice = layout_signed_by_alice(&env);
    let alice_bytes = export(&env, &alice, true);
    let alice_cert = Cert::from_bytes(&alice_bytes).unwrap();
    // Mallory binds alice's primary key to his certificate as a subkey
    // (a binding signature needs only his own key).
    let (mallory, _) = CertBuilder::general_purpose(Some("Mallory <mallory@example.org>"))
        .generate()
        .unwrap();
    let mut signer = mallory
        .primary_key()
        .key()
        .clone()
        .parts_into_secret()
        .unwrap()
        .into_keypair()
        .unwrap();
    let sub: Key<key::PublicParts, key::SubordinateRole> = alice_cert
        .primary_key()
        .key()
        .clone()
        .role_into_subordinate();
    let binding = SignatureBuilder::new(SignatureType::SubkeyBinding)
        .set_key_flags(KeyFlags::empty().set_transport_encryption())
        .unwrap()
        .sign_subkey_binding(&mut signer, None, &sub)
        .unwrap();
    let (mallory, _) = mallory
        .insert_packets(vec![Packet::from(sub), binding.into()])
        .unwrap();
    let mut ring = mallory
        .clone()
        .strip_secret_key_material()
        .armored()
        .to_vec()
        .unwrap();
    ring.extend_from_slice(&alice_bytes);
    fs::write(env.work().join("ring.asc"), ring).unwrap();

    env.ok(format!(
        "verify -l root.layout --gpg {alice} --keyring ring.asc"
    ));
    let dict = env
        .ok(format!("key export --gpg {alice} --keyring ring.asc"))
        .json_only();
    assert_eq!(dict["keyid"].as_str(), Some(alice.to_lowercase().as_str()));
    // A key id (a suffix) both certificates' keys end with stays ambiguous,
    // and the message names both certificates.
    let out = env.fails(
        1,
        format!(
            "verify -l root.layout --gpg {} --keyring ring.asc",
            &alice[24..]
        ),
        "give the full fingerprint",
    );
    assert!(
        out.stderr.contains(&alice) && out.stderr.contains(&mallory.fingerprint().to_hex()),
        "{}",
        out.stderr
    );
}

/// Alice's certificate with `n` third-party certifications of her user
/// id (by a key made here), as keyrings that have been around carry them.
fn certified_alice(env: &Env, alice: &str, n: u64) -> Vec<u8> {
    use openpgp::cert::prelude::*;
    use openpgp::packet::prelude::*;
    use openpgp::parse::Parse;
    use openpgp::serialize::SerializeInto;
    use openpgp::types::SignatureType;

    let cert = Cert::from_bytes(&export(env, alice, false)).unwrap();
    let (certifier, _) = CertBuilder::new()
        .add_userid("Certifier <certifier@example.org>")
        .generate()
        .unwrap();
    let mut signer = certifier
        .primary_key()
        .key()
        .clone()
        .parts_into_secret()
        .unwrap()
        .into_keypair()
        .unwrap();
    let uid = cert.userids().next().unwrap().userid().clone();
    let t0 = cert.primary_key().key().creation_time();
    let sigs: Vec<Packet> = (0..n)
        .map(|i| {
            SignatureBuilder::new(SignatureType::GenericCertification)
                .set_signature_creation_time(t0 + Duration::from_secs(60 + i))
                .unwrap()
                .sign_userid_binding(&mut signer, cert.primary_key().key(), &uid)
                .unwrap()
                .into()
        })
        .collect();
    let (cert, _) = cert.insert_packets(sigs).unwrap();
    cert.to_vec().unwrap()
}

#[test]
fn seven_hundred_copies_of_one_certificate_are_read_quickly() {
    let env = Env::new();
    let alice = layout_signed_by_alice(&env);
    let one = certified_alice(&env, &alice, 200);
    fs::write(env.work().join("many.gpg"), one.repeat(700)).unwrap();
    for args in [
        vec!["--keyring", "many.gpg"],
        vec!["--gpg", &alice, "--keyring", "many.gpg"],
    ] {
        let mut c = env.intoto(["verify", "-l", "root.layout"]);
        c.args(&args);
        let r = run_bounded(c, Duration::from_secs(60));
        eprintln!("{args:?}: {:?}, {} MiB", r.elapsed, r.max_rss_kib / 1024);
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        assert!(
            r.elapsed < Duration::from_secs(3),
            "{args:?} took {:?}",
            r.elapsed
        );
        assert!(
            r.max_rss_kib < 128 * 1024,
            "{args:?} used {} MiB",
            r.max_rss_kib / 1024
        );
    }
}

/// Makes `path` a FIFO.
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    #[allow(unsafe_code)]
    // SAFETY: a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

#[test]
fn a_fifo_where_the_home_keyring_should_be_is_a_bounded_error() {
    let env = Env::new();
    let alice = layout_signed_by_alice(&env);
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--kill", "all"])
        .output();
    let kbx = env.gnupg.join("pubring.kbx");
    fs::remove_file(&kbx).unwrap();
    mkfifo(&kbx);
    for args in [
        vec!["verify", "-l", "root.layout", "--gpg", &alice],
        vec!["key", "export", "--gpg", &alice],
        vec!["run", "-n", "s", "-x", "--gpg", &alice],
    ] {
        let r = run_bounded(env.intoto(&args), Duration::from_secs(15));
        assert_eq!(r.code, Some(1), "{args:?}: {:?} {}", r.elapsed, r.stderr);
        assert!(
            r.stderr.contains("pubring.kbx is a FIFO"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    // gpg.conf is read too (by intoto itself for the default key).
    fs::remove_file(&kbx).unwrap();
    fs::copy(crate::common::repo().join("gnupg-home/pubring.kbx"), &kbx).unwrap();
    mkfifo(&env.gnupg.join("gpg.conf"));
    let r = run_bounded(
        env.intoto(["run", "-n", "s", "-x", "--gpg"]),
        Duration::from_secs(15),
    );
    assert_eq!(r.code, Some(1), "{:?} {}", r.elapsed, r.stderr);
    assert!(r.stderr.contains("gpg.conf is a FIFO"), "{}", r.stderr);
}

/// A stand-in for gpg-agent at `sock`: it relays every command to the real
/// agent at `upstream`, except PKSIGN, which it answers with `limit` bytes
/// of data lines (then `OK`). It writes how much it sent to `sock.sent`.
const FLOODING_AGENT: &str = r#"
import os, socket, sys, threading
sock, upstream, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
srv = socket.socket(socket.AF_UNIX)
srv.bind(sock + ".new")
srv.listen(16)
os.rename(sock + ".new", sock)

def pump(src, dst):
    try:
        while True:
            d = src.recv(65536)
            if not d:
                break
            dst.sendall(d)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass

def serve(c):
    u = socket.socket(socket.AF_UNIX)
    u.connect(upstream)
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
    try:
        for line in c.makefile("rb"):
            if line.startswith(b"PKSIGN"):
                data = b"D " + b"A" * 990 + b"\n"
                sent = 0
                try:
                    while sent < limit:
                        c.sendall(data)
                        sent += 990
                    c.sendall(b"OK\n")
                except OSError:
                    pass
                with open(sock + ".sent", "w") as f:
                    f.write(str(sent))
                break
            u.sendall(line)
    except OSError:
        pass
    c.close()
    u.close()

while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"#;

/// Kills the process when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_agent_that_answers_pksign_with_endless_data_is_cut_off() {
    let env = Env::new();
    let alice = env.fpr("alice");
    let st = Command::new("gpgconf")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--launch", "gpg-agent"])
        .status()
        .unwrap();
    assert!(st.success());
    // A second home with the same keyrings, whose agent socket is the
    // stand-in in front of the real agent (which holds the secret keys).
    let home = env.path("flooded");
    fs::create_dir(&home).unwrap();
    fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).unwrap();
    for f in ["pubring.kbx", "trustdb.gpg"] {
        fs::copy(env.gnupg.join(f), home.join(f)).unwrap();
    }
    let sock = home.join("S.gpg-agent");
    let limit: u64 = 64 << 20;
    let _agent = Killed(
        Command::new("python3")
            .arg("-c")
            .arg(FLOODING_AGENT)
            .arg(&sock)
            .arg(env.gnupg.join("S.gpg-agent"))
            .arg(limit.to_string())
            .stdin(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sock.exists() {
        assert!(
            Instant::now() < deadline,
            "the stand-in agent did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut c = env.intoto(["run", "-n", "s", "-x", "--gpg", &alice]);
    c.env("GNUPGHOME", &home);
    let r = run_bounded(c, Duration::from_secs(30));
    eprintln!("{:?}, {} MiB", r.elapsed, r.max_rss_kib / 1024);
    assert_eq!(r.code, Some(1), "{:?} {}", r.elapsed, r.stderr);
    assert!(
        r.stderr.contains("gpg-agent") && r.stderr.contains("more than 16 KiB"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(sock.to_str().unwrap()),
        "names the agent: {}",
        r.stderr
    );
    assert!(r.elapsed < Duration::from_secs(10), "{:?}", r.elapsed);
    assert!(
        r.max_rss_kib < 48 * 1024,
        "{} MiB for a refused answer",
        r.max_rss_kib / 1024
    );
    assert!(env.links().is_empty(), "{:?}", env.links());
}

/// Whether `pid` runs (a zombie counts as gone).
fn alive(pid: i32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

#[test]
fn sigterm_to_intoto_ends_the_gpg_it_started() {
    let env = Env::new();
    let alice = env.fpr("alice");
    env.ok("layout new root.layout --expires 2099-12-31");
    // A gpg that never answers (as one waiting on a lock would).
    let gpg = env.path("gpg");
    let pid_file = env.path("gpg.pid");
    fs::write(
        &gpg,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nexec sleep 300\n",
            pid_file.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&gpg, fs::Permissions::from_mode(0o755)).unwrap();
    let mut c = env.intoto(["verify", "-l", "root.layout", "--gpg", &alice]);
    c.env("GNUPG", &gpg)
        .env("INTOTO_GPG_BACKEND", "cli")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut intoto = Killed(c.spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(10);
    let gpg_pid: i32 = loop {
        if let Some(p) = fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            break p;
        }
        assert!(Instant::now() < deadline, "intoto never started gpg");
        std::thread::sleep(Duration::from_millis(20));
    };
    #[allow(unsafe_code)]
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(intoto.0.id() as i32, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while intoto.0.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(gpg_pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let survived = alive(gpg_pid);
    if survived {
        #[allow(unsafe_code)]
        // SAFETY: kill(2) on the process the test's gpg stand-in became.
        unsafe {
            libc::kill(gpg_pid, libc::SIGKILL);
        }
    }
    assert!(!survived, "gpg ({gpg_pid}) outlived intoto");
}

/// A key named on the command line is a name, never an option of gpg:
/// `--gpg=--output=FILE` must not make `gpg --export` write FILE, with
/// either backend.
#[test]
fn a_key_name_starting_with_a_dash_is_not_an_option_of_gpg() {
    let env = Env::new();
    layout_signed_by_alice(&env);
    for backend in ["gpgme", "cli"] {
        let written = env.work().join(format!("written-by-gpg-{backend}"));
        let out = env
            .intoto([
                "verify".to_owned(),
                "-l".to_owned(),
                "root.layout".to_owned(),
                format!("--gpg=--output={}", written.display()),
            ])
            .env("INTOTO_GPG_BACKEND", backend)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{backend}: {out:?}");
        assert!(
            !written.exists(),
            "{backend}: gpg wrote {}",
            written.display()
        );
    }
}
