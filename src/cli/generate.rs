//! `intoto generate man|completions` (hidden; for `scripts/gen-docs`).

use clap::Subcommand;

/// `intoto generate ...`
#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Write man pages into DIR
    Man {
        /// Output directory
        dir: std::path::PathBuf,
    },
    /// Print a completion script
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
}
