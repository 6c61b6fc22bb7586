//! Everything the binary says on stderr, in one style:
//! `intoto: error: …`, `intoto: warning: …`, `intoto: …` (with `-v`).
//! Colour only on a terminal and never with `NO_COLOR`.

use std::io::IsTerminal;
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

/// `intoto: error: …` (always shown).
pub fn error(msg: &str) {
    eprintln!("intoto: {} {msg}", paint("1;31", "error:"));
}

/// `intoto: warning: …` (hidden by `-q`).
pub fn warn(msg: &str) {
    if verbosity() != Verbosity::Quiet {
        eprintln!("intoto: {} {msg}", paint("1;33", "warning:"));
    }
}

/// `intoto: …` (hidden by `-q`).
pub fn notice(msg: &str) {
    if verbosity() != Verbosity::Quiet {
        eprintln!("intoto: {msg}");
    }
}

/// `intoto: …` (shown with `-v` only).
pub fn info(msg: &str) {
    if verbosity() == Verbosity::Verbose {
        eprintln!("intoto: {msg}");
    }
}

/// A final verdict line on stderr, e.g. "verification passed".
pub fn ok(msg: &str) {
    if verbosity() != Verbosity::Quiet {
        eprintln!("intoto: {}", paint("1;32", msg));
    }
}
