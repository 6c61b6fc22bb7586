//! `intoto mock`.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use intoto::record::{DEFAULT_EXCLUDES, RecordOptions};
use intoto::runner::RunOptions;
use intoto::step::{self, StepError, StepSpec};
use intoto_format::models::{Envelope, Signed};

use super::run::{check_dir, check_step_name, warn_truncated};
use super::{Ctx, Outcome, UiObserver, link_attestation, write_attestation, write_link};
use crate::cli::MockArgs;
use crate::ui;

/// `intoto mock`: records `.` before and after, streams too, and writes an
/// unsigned `<name>.link`.
pub fn mock(a: MockArgs, _ctx: &Ctx) -> Result<Outcome> {
    check_step_name(&a.name)?;
    check_dir(None)?;
    let dot = vec![".".to_owned()];
    let spec = StepSpec {
        name: a.name.clone(),
        materials: dot.clone(),
        command: a.command.clone(),
        products: dot,
        record: RecordOptions {
            exclude_patterns: DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect(),
            base_path: None,
            lstrip_paths: Vec::new(),
        },
        run: RunOptions {
            record_streams: true,
            ..Default::default()
        },
    };
    let link = step::perform(&spec, &mut UiObserver::new(&a.name)).map_err(|e| match e {
        StepError::Run(e) => anyhow!("mock '{}': {e}", a.name),
        other => anyhow!(other),
    })?;
    warn_truncated(&a.name, &link);
    let return_value = link.return_value().unwrap_or(0);
    let path = PathBuf::from(format!("{}.link", a.name));
    if a.attestation {
        let (env, _) = link_attestation(&link, None)?;
        write_attestation(&path, &env)?;
    } else {
        let env = Envelope::new(Signed::Link(link), a.use_dsse)?;
        write_link(&path, &env)?;
    }
    ui::notice(&format!("wrote unsigned {}", path.display()));
    if return_value != 0 {
        ui::warn(&format!("the command exited with {return_value}"));
    }
    Ok(Outcome::Success)
}
