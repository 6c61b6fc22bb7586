//! Robustness of recording and running a step: what a file system, a
//! command or the environment can do that must neither make a link say
//! something false nor stall or sink the run (changes `stat` cannot see,
//! output without end, trees deeper than the descriptors a process may
//! hold, absurd thread counts).

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::measure::measured;
use crate::common::{Env, check};

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Waits for `child` at most `limit`; kills it if it is still running.
/// Its exit code (`None`: killed) and how long it ran.
fn wait_at_most(mut child: Child, limit: Duration) -> (Option<i32>, Duration) {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return (s.code(), start.elapsed());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return (None, start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_for(path: &Path, limit: Duration) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < limit, "{} did not appear", path.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Maps `f` shared and writes to it (which sets its mtime and leaves the
/// page dirty), says `ready`, and when `go` appears writes `BBBB` at the
/// start through the same mapping: the page is already dirty and
/// writable, so nothing faults and no time stamp moves. Then says `done`.
const MMAP_WRITER: &str = r#"
import mmap, os, sys, time
f, ctl = sys.argv[1], sys.argv[2]
fd = os.open(f, os.O_RDWR)
m = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[0:4] = b"AAAA"
open(os.path.join(ctl, "ready"), "w").close()
end = time.time() + 20
while not os.path.exists(os.path.join(ctl, "go")):
    if time.time() > end:
        sys.exit(1)
    time.sleep(0.005)
m[0:4] = b"BBBB"
open(os.path.join(ctl, "done"), "w").close()
time.sleep(1)
"#;

#[test]
fn a_product_changed_through_a_shared_mapping_is_hashed_again() {
    let env = Env::new();
    env.key("carl.pem");
    let old = vec![b'A'; 4096];
    fs::write(env.work().join("f"), &old).unwrap();
    let ctl = env.path("ctl");
    fs::create_dir(&ctl).unwrap();
    let writer = Command::new("python3")
        .args(["-c", MMAP_WRITER])
        .arg(env.work().join("f"))
        .arg(&ctl)
        .stdin(Stdio::null())
        .spawn()
        .expect("python3");
    wait_for(&ctl.join("ready"), Duration::from_secs(10));
    // Past any racy window: the time stamps are as old as can be trusted.
    std::thread::sleep(Duration::from_millis(150));
    let script = format!(
        "touch '{c}/go'; i=0; while [ ! -e '{c}/done' ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done",
        c = ctl.display()
    );
    env.ok((
        "run -n s --signing-key carl.pem -m f -p f --",
        ["sh", "-c", script.as_str()],
    ));
    let (code, _) = wait_at_most(writer, Duration::from_secs(10));
    assert_eq!(code, Some(0), "the writer did not run to its end");
    let mut new = old.clone();
    new[..4].copy_from_slice(b"BBBB");
    assert_eq!(fs::read(env.work().join("f")).unwrap(), new);
    let link = env.json(env.link("s"));
    assert_eq!(link["signed"]["materials"]["f"]["sha256"], sha256(&old));
    assert_eq!(link["signed"]["products"]["f"]["sha256"], sha256(&new));
}

#[test]
fn an_absurd_thread_count_is_bounded() {
    let env = Env::new();
    env.key("carl.pem");
    for i in 0..20 {
        env.write(&format!("d/f{i}"), "x");
    }
    let mut c = env.cmd("run -n s --signing-key carl.pem -m d -p d -- true");
    c.env("RAYON_NUM_THREADS", "100000")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let (code, took) = wait_at_most(c.spawn().unwrap(), Duration::from_secs(20));
    assert_eq!(code, Some(0), "killed after {took:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // Said, and the link is whole.
    let mut c = env.cmd("run -n t --signing-key carl.pem -m d -p d -- true");
    c.env("RAYON_NUM_THREADS", "100000");
    let out = check(c, 0);
    assert!(
        out.stderr.contains("RAYON_NUM_THREADS=100000"),
        "{}",
        out.stderr
    );
    let link = env.json(env.link("t"));
    assert_eq!(link["signed"]["products"].as_object().unwrap().len(), 20);
}

#[test]
fn huge_output_is_recorded_capped_in_bounded_memory() {
    const CAP: u64 = 16 << 20;
    const WRITTEN: u64 = 24 << 20;
    let env = Env::new();
    env.key("carl.pem");
    let pubkey = env.key("carl.pub");
    let script = format!("yes abcdefghijklmnopqrstuvwxyz | head -c {WRITTEN}; printf 'end\\n' >&2");
    let c = env.cmd((
        "run -n s -s --signing-key carl.pem --",
        ["sh", "-c", script.as_str()],
    ));
    let m = measured(&c, Duration::from_secs(60), &[]).expect("done within 60 s");
    let (err, peak_kib) = (m.out.stderr, m.max_rss_kib);
    assert_eq!(m.out.code, 0, "{err}");
    assert!(err.contains("truncated"), "{err}");
    let link = env.link("s");
    // intoto loads it back and checks its signature.
    let out = env.ok((
        "sign --verify -k",
        [pubkey.to_str().unwrap(), "-f", link.to_str().unwrap()],
    ));
    assert!(out.text().contains("good signature"), "{}", out.text());
    let json = env.json(&link);
    let b = &json["signed"]["byproducts"];
    let stdout = b["stdout"].as_str().unwrap();
    assert_eq!(stdout.len() as u64, CAP);
    assert!(stdout.starts_with("abcdefghijklmnopqrstuvwxyz\nabc"));
    assert_eq!(b["stdout-truncated"]["recorded-bytes"], CAP);
    assert_eq!(b["stdout-truncated"]["written-bytes"], WRITTEN);
    assert_eq!(b["stderr"], "end\n");
    assert!(b.get("stderr-truncated").is_none());
    assert_eq!(b["return-value"], 0);
    // Four times what is recorded, whatever the command writes.
    assert!(peak_kib < 128 << 10, "peak RSS {peak_kib} KiB");
}

#[test]
fn a_tree_deeper_than_the_open_files_allowed_is_recorded() {
    const LEVELS: usize = 1500;
    let env = Env::new();
    env.key("carl.pem");
    let deep = vec!["a"; LEVELS].join("/");
    fs::create_dir_all(env.work().join(&deep)).unwrap();
    fs::write(env.work().join(&deep).join("f"), "bottom\n").unwrap();
    fs::write(env.work().join("a/top"), "top\n").unwrap();
    let mut c = env.cmd("run -n s --signing-key carl.pem -m a -p a -- true");
    {
        use std::os::unix::process::CommandExt;
        #[allow(unsafe_code)]
        // SAFETY: only setrlimit(2), async-signal-safe, between fork and exec.
        unsafe {
            c.pre_exec(|| {
                // The usual default: fewer descriptors than the tree's levels.
                let lim = libc::rlimit {
                    rlim_cur: 1024,
                    rlim_max: 1024,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let (code, took) = wait_at_most(
        c.stderr(Stdio::null()).spawn().unwrap(),
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "after {took:?}");
    let link = env.json(env.link("s"));
    let bottom = format!("{deep}/f");
    for side in ["materials", "products"] {
        let a = link["signed"][side].as_object().unwrap();
        assert_eq!(a.len(), 2, "{side}");
        assert_eq!(a[&bottom]["sha256"], sha256(b"bottom\n"), "{side}");
        assert_eq!(a["a/top"]["sha256"], sha256(b"top\n"), "{side}");
    }
}
