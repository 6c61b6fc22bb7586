//! Stage 10: running the layout's inspections in a private copy of the
//! working directory (or in it, with [`VerifyOptions::inspect_in_place`]),
//! each recorded before and after into a link, with the end of a failed
//! one's stderr kept for the report.
//!
//! The reference runs inspections in the current directory, which they
//! then change: a second verification, or one run beside the layout and
//! links, sees what the first left. The copy ([`fsio::ScratchCopy`]) has
//! the same relative paths, so what an inspection records is what it
//! would record in place; it is made once per (sub)layout, before its
//! first inspection, shared by its inspections in order, and removed when
//! they are done (and on SIGINT, SIGTERM, SIGHUP).

use std::path::PathBuf;

use crate::fsio;
use crate::models::{Envelope, Layout, Link, Signed};
use crate::observe::Observer;
use crate::record::RecordOptions;
use crate::runner::{RunError, RunOptions};
use crate::step::{self, StepError, StepSpec};
use crate::verify::{Failure, FailureKind, Stage, VerifyOptions};

/// it before and after (everything except link files).
pub(super) fn inspections(
    layout: &Layout,
    opts: &VerifyOptions,
    log: &mut dyn Observer,
) -> Result<Vec<(String, Link)>, Failure> {
    let mut out = Vec::new();
    // Made before the first inspection that runs; removed on return.
    let mut scratch: Option<fsio::ScratchCopy> = None;
    for insp in &layout.inspect {
        let failure = |kind: FailureKind, m: String| {
            Failure::new(
                Stage::Inspections,
                kind,
                format!("inspection '{}': {m}", insp.name),
            )
            .inspection(&insp.name)
        };
        let fail = |m: String| failure(FailureKind::InspectionError { why: m.clone() }, m);
        if insp.run.is_empty() {
            return Err(fail("has no command to run (\"run\" is empty)".into()));
        }
        if let Some(artifacts) = &opts.inspection_artifacts {
            if !crate::verify::is_true_command(&insp.run) {
                return Err(fail(format!(
                    "runs '{}', which cannot be judged from recorded digests (only an inspection whose command is `true` can)",
                    insp.run.join(" ")
                )));
            }
            log.info(&format!(
                "Inspection '{}' runs `true`: its materials and products are the given artifacts",
                insp.name
            ));
            out.push((
                insp.name.clone(),
                Link {
                    name: insp.name.clone(),
                    command: insp.run.clone(),
                    materials: artifacts.clone(),
                    products: artifacts.clone(),
                    byproducts: Link::byproducts_of("", "", 0),
                    ..Default::default()
                },
            ));
            continue;
        }
        let dir: PathBuf = if opts.inspect_in_place {
            opts.work_dir.clone()
        } else {
            if scratch.is_none() {
                scratch = Some(scratch_copy(opts, log).map_err(fail)?);
            }
            scratch.as_ref().map_or_else(
                || opts.work_dir.clone(),
                |s: &fsio::ScratchCopy| s.path().to_owned(),
            )
        };
        let rec_opts = RecordOptions {
            exclude_patterns: vec!["*.link*".into()],
            base_path: Some(dir.clone()),
            lstrip_paths: Vec::new(),
        };
        log.info(&format!(
            "Running inspection '{}': {}",
            insp.name,
            insp.run.join(" ")
        ));
        let spec = StepSpec {
            name: insp.name.clone(),
            materials: vec![".".into()],
            command: insp.run.clone(),
            products: vec![".".into()],
            record: rec_opts.clone(),
            run: RunOptions {
                record_streams: false,
                timeout: opts.inspection_timeout,
                quiet: true,
                cwd: Some(dir),
                // Not recorded (as the reference), but shown when it fails.
                keep_stderr_tail: true,
            },
        };
        let mut watch = InspectionWatch {
            log: &mut *log,
            name: &insp.name,
            stderr_tail: String::new(),
        };
        let performed = step::perform(&spec, &mut watch);
        let stderr_tail = last_lines(&watch.stderr_tail, crate::verify::STDERR_TAIL_LINES);
        let link = performed.map_err(|e| match e {
            StepError::Run(RunError::NotFound(c)) => fail(format!("command '{c}' not found")),
            other => fail(other.to_string()),
        })?;
        let return_value = link.return_value().unwrap_or(0);
        if return_value != 0 {
            return Err(failure(
                FailureKind::InspectionFailed {
                    command: insp.run.clone(),
                    status: return_value,
                    stderr_tail,
                },
                format!(
                    "command '{}' exited with {return_value}",
                    insp.run.join(" "),
                ),
            ));
        }
        if opts.write_inspection_links {
            let path = opts.work_dir.join(format!("{}.link", insp.name));
            let bytes = Envelope::new(Signed::Link(link.clone()), false)
                .and_then(|env| env.to_file_bytes())
                .map_err(|e| fail(format!("writing {}: {e}", path.display())))?;
            fsio::replace_atomic(&path, &bytes)
                .map_err(|e| fail(format!("writing {}: {e}", path.display())))?;
        }
        out.push((insp.name.clone(), link));
    }
    Ok(out)
}

/// A private copy of the work directory for the inspections, said in
/// the log; the error, worded for the failure.
fn scratch_copy(opts: &VerifyOptions, log: &mut dyn Observer) -> Result<fsio::ScratchCopy, String> {
    let shown = opts.work_dir.display();
    let copy = fsio::ScratchCopy::new(
        &opts.work_dir,
        None,
        "intoto-inspect.",
        fsio::CopyLimits::default(),
    )
    .map_err(|e| {
        format!(
            "cannot make the private copy of {shown} the inspections run in: {e}; \
             verify in a directory holding only what the inspections need, set TMPDIR \
             to a file system with room, or give --inspect-in-place"
        )
    })?;
    let st = copy.stats();
    log.info(&format!(
        "Inspections run in a private copy of {shown} ({} files, {} directories, {} symlinks; \
         {} KiB cloned, {} KiB copied), removed afterwards",
        st.files,
        st.dirs,
        st.symlinks,
        st.cloned_bytes >> 10,
        st.copied_bytes >> 10
    ));
    Ok(copy)
}

/// What an inspection tells: progress of its recordings (to the log) and
/// the end of its stderr.
struct InspectionWatch<'a> {
    log: &'a mut dyn Observer,
    name: &'a str,
    stderr_tail: String,
}

impl Observer for InspectionWatch<'_> {
    fn recording(
        &mut self,
        what: &str,
        _paths: &[String],
    ) -> Option<std::sync::Arc<crate::record::Progress>> {
        // The paths are the inspection's (`.`): not worth a line.
        self.log
            .recording(&format!("{what} of inspection '{}'", self.name), &[])
    }
    fn recorded(&mut self, what: &str) {
        self.log
            .recorded(&format!("{what} of inspection '{}'", self.name));
    }
    fn ran(&mut self, result: &crate::runner::RunResult) {
        self.stderr_tail = result.stderr_tail.clone();
    }
}

/// The last `n` lines of `text` (trailing blank lines left out).
fn last_lines(text: &str, n: usize) -> Vec<String> {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| (*l).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_lines_of_stderr() {
        assert_eq!(last_lines("a\nb\nc\n\n", 2), ["b", "c"]);
        assert_eq!(last_lines("only", 5), ["only"]);
        assert!(last_lines("\n\n", 5).is_empty());
    }
}
