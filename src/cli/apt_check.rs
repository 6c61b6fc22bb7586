//! `intoto apt-check`.

use std::path::PathBuf;

use clap::Args;

/// `intoto apt-check`
#[derive(Debug, Args)]
pub struct AptCheckArgs {
    /// The .deb files to check
    #[arg(value_name = "PACKAGE.deb", required = true)]
    pub debs: Vec<PathBuf>,
    /// Read this apt configuration file too (as apt's -c)
    #[arg(short = 'c', long = "config-file", value_name = "FILE")]
    pub config_file: Option<PathBuf>,
    /// Set an apt configuration option, as apt's -o (repeatable), e.g.
    /// -o APT::Intoto::NoFail=true
    #[arg(short = 'o', long = "option", value_name = "NAME=VALUE")]
    pub option: Vec<String>,
}
