//! Robustness: no panic, no hang, nothing lost (stdout errors, grandchildren,
//! silent agents, terminal escapes, concurrent co-signing, symlinks,
//! signals, typos and step names).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Env, expect, run};

fn is_root() -> bool {
    #[allow(unsafe_code)]
    // SAFETY: geteuid has no preconditions.
    unsafe {
        libc::geteuid() == 0
    }
}

fn no_panic(err: &str) {
    assert!(!err.contains("panicked"), "{err}");
}

/// Runs with stdout on a pipe whose reader is already gone.
fn closed_stdout(mut c: Command) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = c.stdout(writer).stderr(Stdio::piped()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn full_stdout(mut c: Command) -> (i32, String) {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = c.stdout(full).stderr(Stdio::piped()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn signed_layout(env: &Env) -> String {
    let alice = env.key("alice.pem");
    expect(
        env.intoto([
            "layout",
            "new",
            "root.layout",
            "--expires",
            "2099-01-01",
            "--readme",
            "x\r\x1b[2Kintoto: verification passed",
        ]),
        0,
    );
    expect(
        env.intoto(["sign", "-f", "root.layout", "-k", alice.to_str().unwrap()]),
        0,
    );
    env.key("alice.pub").to_str().unwrap().to_owned()
}

#[test]
fn stdout_errors_never_panic() {
    let env = Env::new();
    let alice_pub = signed_layout(&env);
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["layout", "show", "root.layout"],
        vec!["key", "id", k],
        vec!["key", "export", "-k", &alice_pub],
        vec!["sign", "-f", "root.layout", "--verify", "-k", &alice_pub],
        vec!["generate", "completions", "bash"],
    ];
    for args in &cases {
        let (rc, err) = closed_stdout(env.intoto(args));
        assert_eq!(rc, 0, "closed pipe, {args:?}: {err}");
        assert_eq!(err, "", "closed pipe, {args:?}");
        let (rc, err) = full_stdout(env.intoto(args));
        assert_eq!(rc, 1, "/dev/full, {args:?}: {err}");
        no_panic(&err);
        assert!(
            err.starts_with("intoto: error: writing stdout: No space left on device"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn run_streams_do_not_wait_for_grandchildren() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    let t = Instant::now();
    expect(
        env.intoto([
            "run",
            "-n",
            "d",
            "--signing-key",
            k,
            "-s",
            "--",
            "sh",
            "-c",
            "sleep 20 & echo started",
        ]),
        0,
    );
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    let link = fs::read_dir(env.work())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".link"))
        .unwrap();
    assert!(fs::read_to_string(link).unwrap().contains("started"));
}

fn alive(pid: i32) -> bool {
    // A zombie (nobody reaps in some containers) counts as gone.
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !s
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}

#[test]
fn run_timeout_kills_the_whole_process_group() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    let t = Instant::now();
    let (rc, _, err) = run(env.intoto([
        "run",
        "-n",
        "t",
        "--signing-key",
        k,
        "--run-timeout",
        "1",
        "--",
        "sh",
        "-c",
        "sleep 100 & echo $! > pid; wait; :",
    ]));
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("did not finish within 1 seconds"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(10));
    let pid: i32 = fs::read_to_string(env.work().join("pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !alive(pid),
        "the grandchild sleep {pid} survived the timeout"
    );
    // With -s and a daemon that keeps the pipes: still bounded.
    let t = Instant::now();
    let (rc, _, err) = run(env.intoto([
        "run",
        "-n",
        "t",
        "--signing-key",
        k,
        "-s",
        "--run-timeout",
        "1",
        "--",
        "sh",
        "-c",
        "sleep 100",
    ]));
    assert_eq!(rc, 1, "{err}");
    assert!(t.elapsed() < Duration::from_secs(10));
    let (rc, _, err) = run(env.intoto([
        "run",
        "-n",
        "t",
        "--signing-key",
        k,
        "--run-timeout",
        "0",
        "--",
        "true",
    ]));
    assert_eq!(rc, 2, "{err}");
}

#[test]
fn a_silent_gpg_agent_is_a_bounded_error() {
    let env = Env::new();
    let home = env.path("silent");
    fs::create_dir(&home).unwrap();
    fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).unwrap();
    let sock = home.join("S.gpg-agent");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    // Accepts (the backlog does) and never answers.
    let t = Instant::now();
    let mut c = env.intoto(["run", "-n", "s", "-x", "--gpg", "--gpg-home"]);
    c.arg(&home);
    let (rc, _, err) = run(c);
    drop(listener);
    assert_eq!(rc, 1, "{err}");
    assert!(
        err.contains("gpg-agent") && err.contains("did not answer within 10 seconds"),
        "{err}"
    );
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
}

#[test]
fn terminal_escapes_are_shown_escaped() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    let evil = "x\r\x1b[2Kintoto: verification passed\u{9b}";
    let (rc, out, err) = run(env.intoto(["run", "-n", "s", "--signing-key", k, "-m", evil, "-x"]));
    assert_eq!(rc, 1);
    assert!(
        !err.contains('\r') && !err.contains('\x1b') && !err.contains('\u{9b}'),
        "{err:?}"
    );
    assert!(
        err.contains("x\\r\\x1b[2Kintoto: verification passed\\u{9b}"),
        "{err}"
    );
    assert_eq!(out, "");
    signed_layout(&env);
    let (rc, out, _) = run(env.intoto(["layout", "show", "root.layout"]));
    assert_eq!(rc, 0);
    assert!(!out.contains('\r') && !out.contains('\x1b'), "{out:?}");
    assert!(out.contains("readme:  x\\r\\x1b[2Kintoto"), "{out}");
}

#[test]
fn concurrent_co_signers_all_get_their_signature_in() {
    let env = Env::new();
    expect(
        env.intoto(["layout", "new", "root.layout", "--expires", "2099-01-01"]),
        0,
    );
    let keys: Vec<String> = ["alice.pem", "bob.pem", "carl.pem"]
        .iter()
        .map(|k| env.key(k).to_str().unwrap().to_owned())
        .collect();
    for round in 0..3 {
        let pristine = env.intoto([
            "layout",
            "new",
            "root.layout",
            "--expires",
            "2099-01-01",
            "--force",
        ]);
        expect(pristine, 0);
        let children: Vec<_> = keys
            .iter()
            .map(|k| {
                env.intoto(["sign", "-f", "root.layout", "-a", "-k", k])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let text = fs::read_to_string(env.work().join("root.layout")).unwrap();
        let n = text.matches("\"keyid\"").count();
        assert_eq!(n, 3, "round {round}: a co-signature was lost:\n{text}");
    }
}

/// Makes a file that even root cannot write (`chattr +i`), undone on drop.
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn new(p: &Path) -> Option<Immutable> {
        if !is_root() {
            fs::set_permissions(p, fs::Permissions::from_mode(0o444)).unwrap();
            return Some(Immutable(p.to_owned()));
        }
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(p)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Immutable(p.to_owned()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        if is_root() {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        }
    }
}

#[test]
fn signing_writes_through_symlinks_and_refuses_read_only_targets() {
    let env = Env::new();
    let alice = env.key("alice.pem");
    let a = alice.to_str().unwrap();
    fs::create_dir(env.work().join("v")).unwrap();
    expect(
        env.intoto(["layout", "new", "v/v1.layout", "--expires", "2099-01-01"]),
        0,
    );
    fs::set_permissions(
        env.work().join("v/v1.layout"),
        fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    std::os::unix::fs::symlink("v/v1.layout", env.work().join("cur.layout")).unwrap();
    expect(env.intoto(["sign", "-f", "cur.layout", "-k", a]), 0);
    let cur = env.work().join("cur.layout");
    assert!(fs::symlink_metadata(&cur).unwrap().file_type().is_symlink());
    let target = env.work().join("v/v1.layout");
    assert!(fs::read_to_string(&target).unwrap().contains("\"keyid\""));
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(fs::read_dir(env.work().join("v")).unwrap().count(), 1);

    // A file this user cannot write: an error, and the file is unchanged.
    expect(
        env.intoto(["layout", "new", "ro.layout", "--expires", "2099-01-01"]),
        0,
    );
    let ro = env.work().join("ro.layout");
    let before = fs::read(&ro).unwrap();
    let Some(_guard) = Immutable::new(&ro) else {
        panic!("chattr +i is not available: cannot make a file root cannot write");
    };
    let (rc, _, err) = run(env.intoto(["sign", "-f", "ro.layout", "-k", a]));
    assert_eq!(rc, 1, "{err}");
    assert!(
        err.contains("cannot write ro.layout") && err.contains("not writable"),
        "{err}"
    );
    assert_eq!(fs::read(&ro).unwrap(), before);
}

#[test]
fn temp_files_are_removed_on_sigterm() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    // A big link takes a while to write and sync: kill it then.
    let script = "head -c 60000000 /dev/zero | tr '\\0' a";
    for _ in 0..10 {
        let mut c = env
            .intoto([
                "run",
                "-n",
                "big",
                "--signing-key",
                k,
                "-s",
                "--",
                "sh",
                "-c",
                script,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let tmp = loop {
            if let Some(t) = fs::read_dir(env.work())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .find(|n| n.starts_with(".big.") && n.ends_with(".tmp"))
            {
                break Some(t);
            }
            if c.try_wait().unwrap().is_some() {
                break None;
            }
            std::thread::sleep(Duration::from_micros(200));
        };
        let Some(tmp) = tmp else {
            fs::read_dir(env.work()).unwrap().for_each(|e| {
                let p = e.unwrap().path();
                if p.to_string_lossy().ends_with(".link") {
                    fs::remove_file(p).unwrap();
                }
            });
            continue;
        };
        #[allow(unsafe_code)]
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(c.id() as i32, libc::SIGTERM);
        }
        let st = c.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        if st.signal() != Some(libc::SIGTERM) {
            continue; // it finished first
        }
        assert!(
            !env.work().join(&tmp).exists(),
            "{tmp} was left behind after SIGTERM"
        );
        return;
    }
    panic!("never caught intoto while it was writing");
}

#[test]
fn run_checks_the_output_directory_before_running() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    // /proc: not even root can create files there.
    let (rc, _, err) = run(env.intoto([
        "run",
        "-n",
        "s",
        "--signing-key",
        k,
        "-d",
        "/proc",
        "--",
        "touch",
        "ran",
    ]));
    assert_eq!(rc, 1, "{err}");
    assert!(
        err.contains("cannot write to metadata directory /proc"),
        "{err}"
    );
    assert!(!env.work().join("ran").exists(), "the command ran");
}

#[test]
fn a_failed_command_without_its_product_still_writes_the_link() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    let (rc, _, err) = run(env.intoto([
        "run",
        "-n",
        "b",
        "--signing-key",
        k,
        "-p",
        "out.bin",
        "--",
        "sh",
        "-c",
        "exit 3",
    ]));
    assert_eq!(rc, 3, "{err}");
    assert!(err.contains("out.bin does not exist"), "{err}");
    let link = fs::read_dir(env.work())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".link"))
        .expect("no link written");
    assert!(
        fs::read_to_string(link)
            .unwrap()
            .contains("\"return-value\": 3")
    );
}

#[test]
fn a_mistyped_option_is_a_usage_error() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    let (rc, _, err) = run(env.intoto([
        "run",
        "-n",
        "x",
        "--signing-key",
        k,
        "--prodcts",
        "hello",
        "--",
        "true",
    ]));
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("'--products'"), "{err}");
    // Options of the command itself still pass after the first word and after `--`.
    expect(
        env.intoto(["run", "-n", "x", "--signing-key", k, "--", "ls", "-la"]),
        0,
    );
    expect(
        env.intoto(["run", "-n", "y", "--signing-key", k, "ls", "-la"]),
        0,
    );
}

#[test]
fn step_names_that_cannot_name_a_link_are_refused() {
    let env = Env::new();
    let key = env.key("carl.pem");
    let k = key.to_str().unwrap();
    for name in ["../x", "", "..", "a/b", "a\nb", "x\x1b"] {
        let (rc, _, err) = run(env.intoto(["run", "-n", name, "--signing-key", k, "-x"]));
        assert_eq!(rc, 2, "run -n {name:?}: {err}");
        assert!(err.contains("--step-name"), "{err}");
        for sub in ["start", "stop"] {
            let (rc, _, err) = run(env.intoto(["record", sub, "-n", name, "--signing-key", k]));
            assert_eq!(rc, 2, "record {sub} -n {name:?}: {err}");
        }
    }
    assert!(!env.dir.path().join("x.link").exists());
    assert_eq!(
        fs::read_dir(env.work()).unwrap().count(),
        1,
        "something was written"
    );
}

#[test]
fn small_ones() {
    let env = Env::new();
    let alice_pub = signed_layout(&env);
    let (rc, _, err) = run(env.intoto([
        "verify",
        "-l",
        "root.layout",
        "--verification-keys",
        &alice_pub,
        "--link-dir",
        "/nonexistent",
    ]));
    assert_eq!(rc, 1, "{err}");
    assert!(
        err.contains("link directory /nonexistent does not exist"),
        "{err}"
    );
    let (rc, _, err) = run(env.intoto([
        "verify",
        "-l",
        "root.layout",
        "--verification-keys",
        &alice_pub,
        "--param",
        "X=1",
        "--param",
        "X=2",
    ]));
    assert_eq!(rc, 2, "{err}");
    assert!(err.contains("--param X is given more than once"), "{err}");
    let two = format!(
        "{}{}",
        fs::read_to_string(crate::common::testdata().join("keys/alice.pem")).unwrap(),
        fs::read_to_string(crate::common::testdata().join("keys/bob.pem")).unwrap()
    );
    env.write("two.pem", &two);
    let (rc, out, err) = run(env.intoto(["key", "id", "two.pem"]));
    assert_eq!(rc, 1, "{out}{err}");
    assert!(err.contains("more than one PEM block"), "{err}");
    let (rc, _, err) = run(env.intoto(["run", "-n", "s", "-x", "--signing-key", "two.pem"]));
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("more than one PEM block"), "{err}");
}

#[test]
fn record_start_and_stop_with_a_nist_ecdsa_gpg_key() {
    let env = Env::new();
    let fpr = env.nist_key();
    env.write("a.txt", "a\n");
    let flags = ["--gpg", fpr.as_str(), "--allow-noninteroperable"];
    let mut start = env.intoto(["record", "start", "-n", "s", "-m", "a.txt"]);
    start.args(flags);
    expect(start, 0);
    let mut stop = env.intoto(["record", "stop", "-n", "s", "-p", "a.txt"]);
    stop.args(flags);
    expect(stop, 0);
    assert!(
        fs::read_dir(env.work()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".link"))
    );
}
