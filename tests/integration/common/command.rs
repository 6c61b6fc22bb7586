//! Running commands: the command-line forms the helpers take ([`Argv`]),
//! what a finished command left ([`Out`]) and the assertions on it.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

/// A command line for the helpers (see the module comment).
pub trait Argv {
    fn argv(self) -> Vec<String>;
}

/// Split at whitespace.
impl Argv for &str {
    fn argv(self) -> Vec<String> {
        self.split_whitespace().map(str::to_owned).collect()
    }
}

/// Split at whitespace (a `format!`ted command line).
impl Argv for String {
    fn argv(self) -> Vec<String> {
        self.as_str().argv()
    }
}

/// Verbatim, one argument each.
impl<const N: usize> Argv for [&str; N] {
    fn argv(self) -> Vec<String> {
        self.as_slice().argv()
    }
}

/// Verbatim, one argument each.
impl Argv for &[&str] {
    fn argv(self) -> Vec<String> {
        self.iter().map(|a| (*a).to_owned()).collect()
    }
}

/// Verbatim, one argument each.
impl Argv for Vec<String> {
    fn argv(self) -> Vec<String> {
        self
    }
}

/// The first, then the second.
impl<A: Argv, B: Argv> Argv for (A, B) {
    fn argv(self) -> Vec<String> {
        let mut v = self.0.argv();
        v.extend(self.1.argv());
        v
    }
}

/// The first, the second, then the third.
impl<A: Argv, B: Argv, C: Argv> Argv for (A, B, C) {
    fn argv(self) -> Vec<String> {
        ((self.0, self.1), self.2).argv()
    }
}

/// What a finished command left: its exit code and both streams.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// stderr, then stdout (what [`expect`] returns).
    pub fn text(&self) -> String {
        format!("{}{}", self.stderr, self.stdout)
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// stdout parsed as JSON, with nothing on stderr.
    #[track_caller]
    pub fn json_only(&self) -> serde_json::Value {
        assert!(self.stderr.is_empty(), "stderr: {}", self.stderr);
        self.json()
    }
}

/// Runs `c` and returns what it left, asserting nothing.
pub fn output(c: Command) -> Out {
    let (code, stdout, stderr) = run(c);
    Out {
        code,
        stdout,
        stderr,
    }
}

/// Runs `c`, asserting its exit code (the message shows the command and
/// both streams).
#[track_caller]
pub fn check(c: Command, code: i32) -> Out {
    let shown = shown(&c);
    let out = output(c);
    assert_eq!(
        out.code, code,
        "{shown}: exit {}, expected {code}\nstdout:\n{}\nstderr:\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

/// A command as a person would type it (program name and arguments).
pub fn shown(c: &Command) -> String {
    let mut s = Path::new(c.get_program())
        .file_name()
        .unwrap_or(c.get_program())
        .to_string_lossy()
        .into_owned();
    for a in c.get_args() {
        let a = a.to_string_lossy();
        if a.is_empty() || a.contains(char::is_whitespace) {
            let _ = write!(s, " {a:?}");
        } else {
            let _ = write!(s, " {a}");
        }
    }
    s
}

/// Runs and returns (exit code, stdout, stderr).
pub fn run(mut c: Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = c.output().expect("spawn");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Runs, asserting the exit code, and returns stderr + stdout.
#[track_caller]
pub fn expect(c: Command, code: i32) -> String {
    let dbg = format!("{c:?}");
    let (rc, out, err) = run(c);
    assert_eq!(rc, code, "{dbg}\nstdout:\n{out}\nstderr:\n{err}");
    format!("{err}{out}")
}
