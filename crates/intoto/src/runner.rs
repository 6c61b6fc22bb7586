//! Running a step's command (or an inspection) and capturing byproducts.
//!
//! The command is run as argv, never through a shell. With
//! `record_streams`, stdout and stderr are shown live *and* captured (the
//! reference's `-s`), decoded as UTF-8 with Python's universal-newline
//! translation (`\r\n` and `\r` become `\n`), since that is what the
//! reference records. The streams are spooled to a private temporary
//! file, and at most [`RECORD_CAP`] bytes of each are recorded (the
//! first ones; [`RunResult::stdout_extent`] says how much the command
//! wrote): memory stays bounded however much the command writes, and the
//! link stays loadable. There is no time limit unless one is asked for;
//! the limit covers the whole step and kills the command's process group.
//! The streams are read until the command exits, then what is buffered
//! is taken without waiting, so grandchildren that keep them open do not
//! hold the step up.

use std::io::{self, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

mod capture;

use capture::Captures;
pub use capture::{Extent, RECORD_CAP};

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Capture stdout and stderr (while still showing them).
    pub record_streams: bool,
    /// Kill the command after this long.
    pub timeout: Option<Duration>,
    /// Discard the command's output instead of showing it (inspections).
    pub quiet: bool,
    /// Working directory.
    pub cwd: Option<std::path::PathBuf>,
    /// Keep the end of stderr for messages (see [`RunResult::stderr_tail`])
    /// without recording it: for inspections, whose output is not shown.
    pub keep_stderr_tail: bool,
}

/// What a command left behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunResult {
    /// Captured stdout (empty unless recorded): the first
    /// [`RECORD_CAP`] bytes at most.
    pub stdout: String,
    /// Captured stderr (empty unless recorded), as `stdout`.
    pub stderr: String,
    /// How much of stdout the command wrote and `stdout` holds (zero
    /// unless recorded).
    pub stdout_extent: Extent,
    /// The same for stderr.
    pub stderr_extent: Extent,
    /// The end of stderr (at most [`TAIL_BYTES`]), when it was recorded or
    /// [`RunOptions::keep_stderr_tail`] asked for it; else empty.
    pub stderr_tail: String,
    /// Exit code, or minus the signal number (Python's convention).
    pub return_value: i64,
}

/// How much of stderr [`RunOptions::keep_stderr_tail`] keeps.
pub const TAIL_BYTES: usize = 16 << 10;

/// Why a command could not be run to completion.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// An empty command.
    #[error("no command given")]
    Empty,
    /// The program does not exist.
    #[error("command '{0}' not found")]
    NotFound(String),
    /// The program exists but cannot be executed.
    #[error("command '{0}' cannot be executed (permission denied)")]
    NotExecutable(String),
    /// The time limit passed; the command was killed.
    #[error("command '{0}' did not finish within {1} seconds and was killed")]
    TimedOut(String, u64),
    /// Anything else.
    #[error("command '{0}': {1}")]
    Io(String, io::Error),
}

/// Runs `argv`.
pub fn run(argv: &[String], opts: &RunOptions) -> Result<RunResult, RunError> {
    let (prog, args) = argv.split_first().ok_or(RunError::Empty)?;
    let mut cmd = Command::new(prog);
    cmd.args(args);
    if let Some(d) = &opts.cwd {
        cmd.current_dir(d);
    }
    // Only the end of stderr is kept when it is not recorded.
    let tail_only = opts.keep_stderr_tail && !opts.record_streams;
    if opts.record_streams {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    } else if opts.quiet {
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
    }
    if tail_only {
        cmd.stderr(Stdio::piped());
    }
    if opts.quiet {
        cmd.stdin(Stdio::null());
    }
    // Where the recorded streams go, made before anything runs.
    let mut captures = if opts.record_streams {
        Some(Captures::new().map_err(|e| {
            RunError::Io(
                prog.clone(),
                io::Error::new(
                    e.kind(),
                    format!("cannot make a temporary file for its output (TMPDIR): {e}"),
                ),
            )
        })?)
    } else {
        None
    };
    // With a time limit the command gets its own process group, so that
    // the limit ends everything it started. (Without one it stays in
    // ours, so that it can read the terminal and Ctrl-C reaches it.)
    let own_group = opts.timeout.is_some();
    let spawned = if own_group {
        crate::fsio::spawn_in_group(&mut cmd).map(|(c, g)| (c, Some(g)))
    } else {
        cmd.spawn().map(|c| (c, None))
    };
    let (mut child, group) = spawned.map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => RunError::NotFound(prog.clone()),
        io::ErrorKind::PermissionDenied => RunError::NotExecutable(prog.clone()),
        _ => RunError::Io(prog.clone(), e),
    })?;
    let deadline = opts.timeout.map(|t| Instant::now() + t);
    let pipes: Vec<(std::os::fd::OwnedFd, bool)> = child
        .stdout
        .take()
        .map(|s| (std::os::fd::OwnedFd::from(s), false))
        .into_iter()
        .chain(
            child
                .stderr
                .take()
                .map(|s| (std::os::fd::OwnedFd::from(s), true)),
        )
        .collect();
    let keep_tail = opts.record_streams || tail_only;
    let mut sink = Sink {
        show: !opts.quiet,
        captures: captures.as_mut(),
        tail: keep_tail.then(Vec::new),
    };
    let outcome = pump(&mut child, pipes, &mut sink, deadline);
    let tail = sink.tail.take();
    let status = match outcome {
        Ok(Some(r)) => r,
        Ok(None) => {
            kill_group(&mut child, own_group);
            let secs = opts.timeout.map_or(0, |t| t.as_secs());
            return Err(RunError::TimedOut(prog.clone(), secs));
        }
        Err(e) => {
            kill_group(&mut child, own_group);
            return Err(RunError::Io(prog.clone(), e));
        }
    };
    drop(group);
    let stderr_tail = tail.map_or_else(String::new, |t| {
        universal_newlines(&t[t.len().saturating_sub(TAIL_BYTES)..])
    });
    let [(stdout, stdout_extent), (stderr, stderr_extent)] = match captures {
        Some(c) => c.finish().map_err(|e| {
            RunError::Io(
                prog.clone(),
                io::Error::new(e.kind(), format!("reading back its output: {e}")),
            )
        })?,
        None => Default::default(),
    };
    Ok(RunResult {
        stdout,
        stderr,
        stdout_extent,
        stderr_extent,
        stderr_tail,
        return_value: return_value(status),
    })
}

/// Where the command's output goes: shown, spooled (when recorded) and,
/// for stderr, its end kept in memory.
struct Sink<'a> {
    show: bool,
    captures: Option<&'a mut Captures>,
    /// The end of stderr: at most twice [`TAIL_BYTES`].
    tail: Option<Vec<u8>>,
}

impl Sink<'_> {
    fn deliver(&mut self, b: &[u8], is_err: bool) {
        if let Some(c) = self.captures.as_deref_mut() {
            c.push(b, is_err);
        }
        if is_err && let Some(t) = &mut self.tail {
            t.extend_from_slice(b);
            if t.len() > 2 * TAIL_BYTES {
                t.drain(..t.len() - TAIL_BYTES);
            }
        }
        if self.show {
            // The command's output is shown as it comes; a closed terminal
            // or pipe does not stop the step.
            let _ = if is_err {
                io::stderr().write_all(b)
            } else {
                let mut o = io::stdout();
                o.write_all(b).and_then(|()| o.flush())
            };
        }
    }
}

/// Shows and captures the pipes until the child exits, then takes what is
/// already buffered without waiting: a grandchild that keeps the pipes
/// open (a daemon, `sleep 20 &`) does not hold the step up. `Ok(None)`
/// when the deadline passed first.
fn pump(
    child: &mut std::process::Child,
    mut pipes: Vec<(std::os::fd::OwnedFd, bool)>,
    sink: &mut Sink<'_>,
    deadline: Option<Instant>,
) -> io::Result<Option<ExitStatus>> {
    use std::os::fd::AsRawFd;
    let mut buf = [0u8; 8192];
    let mut pause = 1;
    loop {
        if let Some(s) = child.try_wait()? {
            // Drain what is there (bounded: a grandchild writing without
            // end cannot keep us here).
            for (fd, is_err) in &pipes {
                set_nonblocking(fd.as_raw_fd());
                let mut taken = 0usize;
                while taken < (1 << 20) {
                    match read_fd(fd.as_raw_fd(), &mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            taken += n;
                            sink.deliver(&buf[..n], *is_err);
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
            }
            return Ok(Some(s));
        }
        let wait_ms = match deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(None);
                }
                (left.as_millis() as i32).clamp(1, pause)
            }
            None => pause,
        };
        if pipes.is_empty() {
            thread::sleep(Duration::from_millis(wait_ms as u64));
            pause = (pause * 2).min(50);
            continue;
        }
        let mut fds: Vec<libc::pollfd> = pipes
            .iter()
            .map(|(fd, _)| libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        #[allow(unsafe_code)]
        // SAFETY: a valid array of pollfd of the given length.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait_ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            pause = (pause * 2).min(50);
            continue;
        }
        pause = 1;
        let mut closed = Vec::new();
        for (i, p) in fds.iter().enumerate() {
            if p.revents == 0 {
                continue;
            }
            let (fd, is_err) = &pipes[i];
            match read_fd(fd.as_raw_fd(), &mut buf) {
                Ok(0) => closed.push(i),
                Ok(n) => {
                    sink.deliver(&buf[..n], *is_err);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => closed.push(i),
            }
        }
        for i in closed.into_iter().rev() {
            pipes.remove(i);
        }
    }
}

fn read_fd(fd: std::os::fd::RawFd, buf: &mut [u8]) -> io::Result<usize> {
    #[allow(unsafe_code)]
    // SAFETY: reading into a valid buffer of the given length.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

fn set_nonblocking(fd: std::os::fd::RawFd) {
    #[allow(unsafe_code)]
    // SAFETY: fcntl on a valid descriptor.
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        if fl >= 0 {
            libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
        }
    }
}

/// Kills the child and, when it leads its own process group, everything
/// it started; then reaps it.
fn kill_group(child: &mut std::process::Child, own_group: bool) {
    if own_group {
        #[allow(unsafe_code)]
        // SAFETY: kill(2) on the group the child leads.
        unsafe {
            libc::kill(-(child.id() as i32), libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Exit code, or `-signal` for a command killed by a signal.
fn return_value(s: ExitStatus) -> i64 {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) => c as i64,
        (None, Some(sig)) => -(sig as i64),
        _ => -1,
    }
}

/// UTF-8 (invalid bytes replaced) with `\r\n` and `\r` turned into `\n`,
/// in one pass (one copy of the text).
pub fn universal_newlines(b: &[u8]) -> String {
    let text = String::from_utf8_lossy(b);
    if !text.contains('\r') {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, opts: &RunOptions) -> Result<RunResult, RunError> {
        run(&["sh".into(), "-c".into(), script.into()], opts)
    }

    #[test]
    fn captures_streams_and_exit_codes() {
        let o = RunOptions {
            record_streams: true,
            quiet: true,
            ..Default::default()
        };
        let r = sh("printf 'a\\r\\nb\\r'; printf err >&2; exit 3", &o).unwrap();
        assert_eq!(
            r,
            RunResult {
                stdout: "a\nb\n".into(),
                stderr: "err".into(),
                stdout_extent: Extent {
                    written: 5,
                    recorded: 5
                },
                stderr_extent: Extent {
                    written: 3,
                    recorded: 3
                },
                stderr_tail: "err".into(),
                return_value: 3
            }
        );
        let r = sh("kill -9 $$", &o).unwrap();
        assert_eq!(r.return_value, -9);
        let r = sh(
            "echo hi",
            &RunOptions {
                quiet: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(r.stdout, "");
    }

    #[test]
    fn keeps_the_end_of_stderr_when_asked() {
        let o = RunOptions {
            keep_stderr_tail: true,
            quiet: true,
            ..Default::default()
        };
        // Much more than is kept: only the end stays, and nothing is
        // recorded.
        let r = sh(
            "i=0; while [ $i -lt 3000 ]; do echo line $i >&2; i=$((i+1)); done; echo last >&2; echo out; exit 4",
            &o,
        )
        .unwrap();
        assert_eq!(r.return_value, 4);
        assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
        assert!(
            r.stderr_tail.ends_with("line 2999\nlast\n"),
            "{}",
            r.stderr_tail
        );
        assert!(r.stderr_tail.len() <= TAIL_BYTES);
        assert!(!r.stderr_tail.contains("line 0\n"));
    }

    #[test]
    fn missing_commands_and_timeouts_are_errors() {
        let o = RunOptions {
            quiet: true,
            ..Default::default()
        };
        assert!(matches!(
            run(&["intoto-no-such-command".into()], &o),
            Err(RunError::NotFound(_))
        ));
        assert!(matches!(run(&[], &o), Err(RunError::Empty)));
        let t = RunOptions {
            quiet: true,
            timeout: Some(Duration::from_millis(200)),
            ..Default::default()
        };
        assert!(matches!(sh("sleep 5", &t), Err(RunError::TimedOut(..))));
    }
}
