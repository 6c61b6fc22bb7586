//! `intoto mock`.

use clap::Args;

/// `intoto mock`
#[derive(Debug, Args)]
pub struct MockArgs {
    /// Step name; the unsigned link is written to <NAME>.link
    #[arg(short = 'n', long, value_name = "NAME")]
    pub name: String,
    /// Write a DSSE envelope instead of a classic Metablock
    #[arg(long)]
    pub use_dsse: bool,
    /// Write an unsigned link attestation (an in-toto Statement v1 with the link predicate v0.3, in DSSE)
    #[arg(long, conflicts_with = "use_dsse")]
    pub attestation: bool,
    /// The command to run, after --
    #[arg(value_name = "COMMAND", required = true, trailing_var_arg = true)]
    pub command: Vec<String>,
}
