//! Running a step's command (or an inspection) and capturing byproducts.
//!
//! The command is run as argv, never through a shell. With
//! `record_streams`, stdout and stderr are shown live *and* captured (the
//! reference's `-s`), decoded as UTF-8 with Python's universal-newline
//! translation (`\r\n` and `\r` become `\n`), since that is what the
//! reference records. There is no time limit unless one is asked for.

use std::io::{self, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

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
}

/// What a command left behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunResult {
    /// Captured stdout (empty unless recorded).
    pub stdout: String,
    /// Captured stderr (empty unless recorded).
    pub stderr: String,
    /// Exit code, or minus the signal number (Python's convention).
    pub return_value: i64,
}

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
    if opts.record_streams {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    } else if opts.quiet {
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
    }
    if opts.quiet {
        cmd.stdin(Stdio::null());
    }
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => RunError::NotFound(prog.clone()),
        io::ErrorKind::PermissionDenied => RunError::NotExecutable(prog.clone()),
        _ => RunError::Io(prog.clone(), e),
    })?;
    let tee = |src: Option<Box<dyn Read + Send>>, to_stderr: bool, show: bool| {
        src.map(|mut r| {
            thread::spawn(move || {
                let mut all = Vec::new();
                let mut buf = [0u8; 8192];
                loop {
                    match r.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            all.extend_from_slice(&buf[..n]);
                            if show {
                                let _ = if to_stderr {
                                    io::stderr().write_all(&buf[..n])
                                } else {
                                    let mut o = io::stdout();
                                    o.write_all(&buf[..n]).and_then(|()| o.flush())
                                };
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                all
            })
        })
    };
    let show = !opts.quiet;
    let out_t = tee(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        false,
        show,
    );
    let err_t = tee(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        true,
        show,
    );
    let status = match opts.timeout {
        None => child.wait().map_err(|e| RunError::Io(prog.clone(), e))?,
        Some(limit) => wait_with_timeout(&mut child, limit)
            .map_err(|e| RunError::Io(prog.clone(), e))?
            .ok_or_else(|| {
                let _ = child.kill();
                let _ = child.wait();
                RunError::TimedOut(prog.clone(), limit.as_secs())
            })?,
    };
    let text = |t: Option<thread::JoinHandle<Vec<u8>>>| {
        t.and_then(|h| h.join().ok())
            .map(|b| universal_newlines(&b))
            .unwrap_or_default()
    };
    Ok(RunResult {
        stdout: text(out_t),
        stderr: text(err_t),
        return_value: return_value(status),
    })
}

fn wait_with_timeout(
    child: &mut std::process::Child,
    limit: Duration,
) -> io::Result<Option<ExitStatus>> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(s) = child.try_wait()? {
            return Ok(Some(s));
        }
        if start.elapsed() >= limit {
            return Ok(None);
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
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

/// UTF-8 (invalid bytes replaced) with `\r\n` and `\r` turned into `\n`.
pub fn universal_newlines(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .replace("\r\n", "\n")
        .replace('\r', "\n")
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
