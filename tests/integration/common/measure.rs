//! Peak memory of one program, bounded in time.
//!
//! The peak is measured by GNU time around the program, not by `wait4` in
//! this process: a child of the test process records, when it execs, the
//! high-water mark of the memory it was forked from (the whole test
//! process, whose other tests may hold hundreds of MiB), so its own
//! `ru_maxrss` says nothing about the program. `time` forks the program
//! from its own small process.

use std::fs;
use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Out;

/// What a run left, and the program's peak resident memory (KiB).
pub struct Measured {
    pub out: Out,
    pub max_rss_kib: i64,
}

/// Runs `c` under GNU time, with `limits` (`(resource, value)` pairs for
/// setrlimit) set for it; `None` when it had to be killed after `limit`
/// (with its process group).
pub fn measured(
    c: &Command,
    limit: Duration,
    limits: &[(libc::__rlimit_resource_t, u64)],
) -> Option<Measured> {
    let dir = tempfile::tempdir().unwrap();
    let peak = dir.path().join("peak");
    let mut t = Command::new("/usr/bin/time");
    t.arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&peak)
        .arg(c.get_program())
        .args(c.get_args());
    if let Some(d) = c.get_current_dir() {
        t.current_dir(d);
    }
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => t.env(k, v),
            None => t.env_remove(k),
        };
    }
    let limits = limits.to_vec();
    #[allow(unsafe_code)]
    // SAFETY: only setrlimit(2), async-signal-safe, between fork and exec.
    unsafe {
        t.pre_exec(move || {
            for &(resource, value) in &limits {
                let l = libc::rlimit {
                    rlim_cur: value,
                    rlim_max: value,
                };
                if libc::setrlimit(resource, &l) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let mut child = t
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/time (Debian's package time) runs");
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > limit {
            #[allow(unsafe_code)]
            // SAFETY: kill(2) of the process group made above.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = fs::read_to_string(&peak).unwrap_or_default();
    // GNU time says "Command exited with non-zero status N" before the
    // figure, or "Command terminated by signal N".
    let max_rss_kib = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory from time: {text:?}"));
    Some(Measured {
        out: Out {
            code: status.code().unwrap_or(-1),
            stdout: stdout.join().unwrap(),
            stderr: stderr.join().unwrap(),
        },
        max_rss_kib,
    })
}
