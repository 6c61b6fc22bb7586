//! Talking to the person at the keyboard, injected so the library never
//! reads the terminal on its own (tests pass fixed answers).

/// Asks for secrets and shows notices.
pub trait Prompter {
    /// Asks for a passphrase; `None` when nobody can answer (no terminal)
    /// or the answer was empty.
    fn passphrase(&self, prompt: &str) -> Option<String>;
    /// Tells the user something that needs their attention (touch the
    /// card, enter the PIN in the pinentry window, ...).
    fn notice(&self, message: &str);
}

/// Reads passphrases from the terminal (without echo) and writes notices
/// to stderr.
pub struct TerminalPrompter {
    /// Suppress notices (`-q`).
    pub quiet: bool,
}

impl Prompter for TerminalPrompter {
    fn passphrase(&self, prompt: &str) -> Option<String> {
        match rpassword::prompt_password(prompt) {
            Ok(p) if !p.is_empty() => Some(p),
            _ => None,
        }
    }
    fn notice(&self, message: &str) {
        if !self.quiet {
            eprintln!("intoto: {message}");
        }
    }
}

/// Never asks; notices are dropped.
pub struct NoPrompt;

impl Prompter for NoPrompt {
    fn passphrase(&self, _prompt: &str) -> Option<String> {
        None
    }
    fn notice(&self, _message: &str) {}
}
