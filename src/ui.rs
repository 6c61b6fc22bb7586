//! Everything the binary says on stderr, in one style:
//! `intoto: error: …`, `intoto: warning: …`, `intoto: …` (with `-v`).
//! Colour only on a terminal and never with `NO_COLOR`.
//!
//! Every message is passed through [`escape`] so that text taken from
//! files (names, link contents, user ids) cannot move the cursor or
//! rewrite lines on the terminal. Standard output goes through [`print`]:
//! a closed pipe ends the program quietly with status 0, any other write
//! error is `intoto: error: writing stdout: …` (status 1).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;

/// How chatty to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    /// `-q`: errors only.
    Quiet,
    /// Default: errors, warnings, notices.
    Normal,
    /// `-v`: narration too.
    Verbose,
}

static VERBOSITY: OnceLock<Verbosity> = OnceLock::new();

/// Sets the verbosity once, at start-up.
pub fn init(v: Verbosity) {
    let _ = VERBOSITY.set(v);
}

/// The verbosity in effect.
pub fn verbosity() -> Verbosity {
    *VERBOSITY.get().unwrap_or(&Verbosity::Normal)
}

fn color() -> bool {
    static C: OnceLock<bool> = OnceLock::new();
    *C.get_or_init(|| {
        std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
    })
}

fn paint(code: &str, text: &str) -> String {
    if color() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// `text` with every control character (C0, DEL, C1) and every Unicode
/// bidirectional control shown escaped: `\n`, `\r`, `\t`, `\x1b`,
/// `\u{9b}`, `\u{202e}`. For text shown to a person; `--json` output is
/// exact.
pub fn escape(text: &str) -> Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && unsafe_char(c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One line on stderr. A failing stderr is ignored (there is nowhere left
/// to report it), never a panic.
fn line(prefix: &str, msg: &str) {
    let mut e = io::stderr().lock();
    let _ = writeln!(e, "intoto: {prefix}{}", escape(msg));
}

/// `intoto: error: …` (always shown).
pub fn error(msg: &str) {
    line(&format!("{} ", paint("1;31", "error:")), msg);
}

/// `intoto: warning: …` (hidden by `-q`).
pub fn warn(msg: &str) {
    if verbosity() != Verbosity::Quiet {
        line(&format!("{} ", paint("1;33", "warning:")), msg);
    }
}

/// `intoto: …` (hidden by `-q`).
pub fn notice(msg: &str) {
    if verbosity() != Verbosity::Quiet {
        line("", msg);
    }
}

/// `intoto: …`, even with `-q` (what changes the result, e.g. settings).
pub fn always(msg: &str) {
    line("", msg);
}

/// `intoto: …` (shown with `-v` only).
pub fn info(msg: &str) {
    if verbosity() == Verbosity::Verbose {
        line("", msg);
    }
}

/// A final verdict line on stderr, e.g. "verification passed".
pub fn ok(msg: &str) {
    if verbosity() != Verbosity::Quiet {
        let mut e = io::stderr().lock();
        let _ = writeln!(e, "intoto: {}", paint("1;32", &escape(msg)));
    }
}

/// Prints `msg` (a notice) if still alive after `after`; dropping it
/// cancels. For waits with no time limit (a PIN, a card touch) that should
/// not look like a hang.
pub struct Watchdog(
    Option<std::sync::mpsc::Sender<()>>,
    Option<std::thread::JoinHandle<()>>,
);

/// Starts a [`Watchdog`].
pub fn watchdog(after: std::time::Duration, msg: String) -> Watchdog {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let h = std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(after) {
            notice(&msg);
        }
    });
    Watchdog(Some(tx), Some(h))
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.0.take());
        if let Some(h) = self.1.take() {
            let _ = h.join();
        }
    }
}

/// Writing standard output failed (see [`print`]).
#[derive(Debug, thiserror::Error)]
#[error("writing stdout: {0}")]
pub struct StdoutError(#[source] pub io::Error);

impl StdoutError {
    /// The reader went away (EPIPE): not an error for a command-line tool.
    pub fn is_closed_pipe(&self) -> bool {
        self.0.kind() == io::ErrorKind::BrokenPipe
    }
}

/// Writes `text` to standard output and flushes: the one output path for
/// stdout. Text for a person must be [`escape`]d by the caller; JSON and
/// generated files are written exactly.
pub fn print(text: &str) -> Result<(), StdoutError> {
    print_bytes(text.as_bytes())
}

/// [`print`] for bytes.
pub fn print_bytes(bytes: &[u8]) -> Result<(), StdoutError> {
    let mut o = io::stdout().lock();
    o.write_all(bytes)
        .and_then(|()| o.flush())
        .map_err(StdoutError)
}

/// [`print`] with a newline.
pub fn println(text: &str) -> Result<(), StdoutError> {
    print(&format!("{text}\n"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_controls_only() {
        assert_eq!(super::escape("plain ü/x"), "plain ü/x");
        assert_eq!(
            super::escape("x\r\x1b[2Kok\n\u{9b}\u{7f}\u{202e}\t"),
            "x\\r\\x1b[2Kok\\n\\u{9b}\\x7f\\u{202e}\\t"
        );
    }
}
