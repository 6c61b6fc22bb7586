//! Robustness of recording and running a step: what a file system, a
//! command or the environment can do that must neither make a link say
//! something false nor stall or sink the run (changes `stat` cannot see,
//! output without end, trees deeper than the descriptors a process may
//! hold, absurd thread counts).

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
    assert!(out.stderr.contains("RAYON_NUM_THREADS=100000"), "{}", out.stderr);
    let link = env.json(env.link("t"));
    assert_eq!(link["signed"]["products"].as_object().unwrap().len(), 20);
}
