//! `intoto apt-check`: packages judged as the apt method would judge them,
//! with apt's configuration (read with `apt-config dump`, as apt reads
//! it: `APT_CONFIG`, `/etc/apt/apt.conf.d/`, `-c`, `-o`), before apt runs.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, anyhow};
use intoto_debian::method::{AptConfig, Decision};

use super::apt_method::Setup;
use super::{Ctx, Outcome};
use crate::cli::AptCheckArgs;
use crate::ui;

/// `intoto apt-check`
pub fn apt_check(a: AptCheckArgs, _ctx: &Ctx) -> Result<Outcome> {
    let config = apt_config(a.config_file.as_deref(), &a.option)?;
    let setup = Setup::from_config(&config).map_err(|e| {
        anyhow!("apt's configuration is broken, apt would refuse every package: {e}")
    })?;
    ui::notice(&format!("apt's configuration: {}", setup.describe()));
    let mut refused = 0;
    for deb in &a.debs {
        let line = match setup.decide(deb) {
            Decision::Pass => "verified".to_owned(),
            Decision::Warn(w) => format!("accepted with a warning: {}", unprefixed(&w)),
            Decision::Refuse(w) => {
                refused += 1;
                format!("refused: {}", unprefixed(&w))
            }
        };
        ui::println(&ui::escape(&format!("{}: {line}", deb.display())))?;
    }
    if refused > 0 {
        ui::notice(&format!(
            "{refused} of {} package{} would be refused by apt",
            a.debs.len(),
            if a.debs.len() == 1 { "" } else { "s" }
        ));
        return Ok(Outcome::Failed);
    }
    Ok(Outcome::Success)
}

/// The method's messages start `intoto: ` for apt's screen.
fn unprefixed(m: &str) -> &str {
    m.strip_prefix("intoto: ").unwrap_or(m)
}

/// apt's configuration as `apt-config dump` prints it (the values quoted
/// as in the `601 Configuration` message apt sends its methods).
fn apt_config(file: Option<&Path>, options: &[String]) -> Result<AptConfig> {
    let mut cmd = Command::new("apt-config");
    if let Some(f) = file {
        cmd.arg("-c").arg(f);
    }
    for o in options {
        cmd.arg("-o").arg(o);
    }
    cmd.args(["dump", "--format", "%f=%V%n"]);
    let out = cmd.output().map_err(|e| {
        anyhow!("cannot run apt-config, which reads apt's configuration: {e} (is apt installed?)")
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .find(|l| l.starts_with("E:"))
            .or_else(|| err.lines().next())
            .unwrap_or("no message");
        return Err(anyhow!(
            "apt-config could not read apt's configuration ({}): {first}",
            out.status
        ));
    }
    Ok(AptConfig::from_dump(&String::from_utf8_lossy(&out.stdout)))
}
