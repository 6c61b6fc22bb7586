//! Performing a step: record the materials, run the command, record the
//! products, and put it all in a link. `intoto run`, `mock`, `record
//! start|stop` and the verifier's inspections all go through here; what
//! differs between them (signing, file names, whether a failed command
//! fails) is theirs.

use std::path::PathBuf;

use crate::json::{Object, Value};
use crate::models::{Artifacts, Link};
use crate::observe::Observer;
use crate::record::{self, RecordError, RecordOptions};
use crate::runner::{self, RunError, RunOptions};

/// Why a step could not be performed.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// Recording materials or products failed.
    #[error("recording {0}: {1}")]
    Record(&'static str, RecordError),
    /// The command could not be run to its end.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// What to perform.
#[derive(Clone, Debug, Default)]
pub struct StepSpec {
    /// The step's name (the link's `name`).
    pub name: String,
    /// Paths recorded before the command.
    pub materials: Vec<String>,
    /// The command (empty: none is run, `byproducts` stays empty).
    pub command: Vec<String>,
    /// Paths recorded after the command.
    pub products: Vec<String>,
    /// How paths are recorded.
    pub record: RecordOptions,
    /// How the command is run.
    pub run: RunOptions,
}

impl StepSpec {
    /// Step `name` with nothing recorded and no command yet: paths are
    /// relative to the current directory, where the command runs, and
    /// its output is shown, not recorded.
    pub fn new(name: impl Into<String>) -> StepSpec {
        StepSpec {
            name: name.into(),
            ..StepSpec::default()
        }
    }

    /// Paths to record before the command (files, or directories walked).
    pub fn materials<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> StepSpec {
        self.materials = paths.into_iter().map(Into::into).collect();
        self
    }

    /// The command, as argv (never through a shell unless it names one).
    pub fn command<S: Into<String>>(mut self, argv: impl IntoIterator<Item = S>) -> StepSpec {
        self.command = argv.into_iter().map(Into::into).collect();
        self
    }

    /// Paths to record after the command.
    pub fn products<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> StepSpec {
        self.products = paths.into_iter().map(Into::into).collect();
        self
    }

    /// Performs the step in `dir`: the command runs there and the paths
    /// are taken (and recorded) relative to it.
    pub fn in_dir(mut self, dir: impl Into<PathBuf>) -> StepSpec {
        let dir = dir.into();
        self.run.cwd = Some(dir.clone());
        self.record.base_path = Some(dir);
        self
    }

    /// How paths are recorded (exclusions, prefixes stripped, base path).
    pub fn record(mut self, record: RecordOptions) -> StepSpec {
        self.record = record;
        self
    }

    /// How the command runs (streams recorded, time limit, directory).
    pub fn run(mut self, run: RunOptions) -> StepSpec {
        self.run = run;
        self
    }
}

/// Records `paths` as the `what` of a step (none: nothing to record).
fn record_side(
    what: &'static str,
    paths: &[String],
    opts: &RecordOptions,
    watch: &mut dyn Observer,
) -> Result<Artifacts, StepError> {
    if paths.is_empty() {
        return Ok(Artifacts::default());
    }
    let progress = watch.recording(what, paths);
    let r = record::record(paths, opts, progress.as_deref());
    watch.recorded(what);
    r.map_err(|e| StepError::Record(what, e))
}

/// The first part of a step (`record start`, and the start of every
/// other): a link holding the materials.
pub fn begin(spec: &StepSpec, watch: &mut dyn Observer) -> Result<Link, StepError> {
    Ok(Link {
        name: spec.name.clone(),
        materials: record_side("materials", &spec.materials, &spec.record, watch)?,
        ..Default::default()
    })
}

/// Runs the command (if any) into `link`'s command and byproducts.
fn run_command(
    spec: &StepSpec,
    link: &mut Link,
    watch: &mut dyn Observer,
) -> Result<(), StepError> {
    link.command = spec.command.clone();
    if spec.command.is_empty() {
        link.byproducts = Object::default();
        return Ok(());
    }
    watch.running(&spec.command);
    let mut r = runner::run(&spec.command, &spec.run)?;
    watch.ran(&r);
    link.byproducts = byproducts(&mut r);
    Ok(())
}

/// The key of the byproduct that says `stream` (`stdout` or `stderr`) was
/// cut: `{"recorded-bytes": R, "written-bytes": W}`, present only when
/// the command wrote more than [`runner::RECORD_CAP`] bytes to it (the
/// recorded stream is then its first `R` of `W` bytes).
pub fn truncated_key(stream: &str) -> String {
    format!("{stream}-truncated")
}

/// The link's byproducts of a run (`return-value`, `stderr`, `stdout`,
/// as the reference records them), taking the streams' text without a
/// copy, and for each stream that was cut its [`truncated_key`] entry.
/// Keys come in canonical order.
fn byproducts(r: &mut runner::RunResult) -> Object {
    let int = |n: u64| Value::Int(n.into());
    let mut b = Object(vec![(
        "return-value".into(),
        Value::Int(r.return_value.into()),
    )]);
    for (name, text, extent) in [
        ("stderr", std::mem::take(&mut r.stderr), r.stderr_extent),
        ("stdout", std::mem::take(&mut r.stdout), r.stdout_extent),
    ] {
        b.0.push((name.into(), Value::String(text)));
        if extent.truncated() {
            let cut = Object(vec![
                ("recorded-bytes".into(), int(extent.recorded)),
                ("written-bytes".into(), int(extent.written)),
            ]);
            b.0.push((truncated_key(name), Value::Object(cut)));
        }
    }
    b
}

/// The streams `link` records only the start of: (stream, bytes
/// recorded, bytes the command wrote).
pub fn truncated_streams(link: &Link) -> Vec<(&'static str, i128, i128)> {
    ["stdout", "stderr"]
        .into_iter()
        .filter_map(|name| {
            let cut = link.byproducts.get(&truncated_key(name))?.as_object()?;
            let n = |k: &str| cut.get(k).and_then(Value::as_int);
            Some((name, n("recorded-bytes")?, n("written-bytes")?))
        })
        .collect()
}

/// The last part of a step (`record stop`, and the end of every other):
/// records the products into `link`. When the command failed, products it
/// did not make are left out (each named to `watch`), so the link still
/// records the failure.
pub fn finish(spec: &StepSpec, link: &mut Link, watch: &mut dyn Observer) -> Result<(), StepError> {
    let failed = link.return_value().is_some_and(|v| v != 0);
    let products: Vec<String> = if failed {
        spec.products
            .iter()
            .filter(|p| {
                let fs_path = spec
                    .record
                    .base_path
                    .as_deref()
                    .map_or_else(|| PathBuf::from(p), |b| b.join(p));
                let there = std::fs::symlink_metadata(&fs_path).is_ok();
                if !there {
                    watch.missing_product(p);
                }
                there
            })
            .cloned()
            .collect()
    } else {
        spec.products.clone()
    };
    link.products = record_side("products", &products, &spec.record, watch)?;
    Ok(())
}

/// A whole step: materials, command, products. The link's
/// `return-value` says how the command ended; judging it is the caller's.
///
/// The products are read again in full, even those whose `stat` has not
/// changed since the materials were recorded: a write through a shared
/// memory mapping can change a file's content and nothing `stat` shows.
pub fn perform(spec: &StepSpec, watch: &mut dyn Observer) -> Result<Link, StepError> {
    let mut link = begin(spec, watch)?;
    run_command(spec, &mut link, watch)?;
    finish(spec, &mut link, watch)?;
    Ok(link)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::observe::Quiet;
    use crate::record::Progress;

    #[derive(Default)]
    struct Seen(Vec<String>);

    impl Observer for Seen {
        fn recording(&mut self, what: &str, paths: &[String]) -> Option<Arc<Progress>> {
            self.0.push(format!("recording {what} {}", paths.join(",")));
            None
        }
        fn running(&mut self, command: &[String]) {
            self.0.push(format!("running {}", command.join(" ")));
        }
        fn missing_product(&mut self, path: &str) {
            self.0.push(format!("missing {path}"));
        }
    }

    fn spec(dir: &std::path::Path, command: &str) -> StepSpec {
        let mut spec = StepSpec::new("s")
            .materials(["in"])
            .command(["sh", "-c", command])
            .products(["in", "out"])
            .in_dir(dir);
        spec.run.quiet = true;
        spec
    }

    #[test]
    fn a_step_records_runs_and_records() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("in"), "a").unwrap();
        let mut seen = Seen::default();
        let link = perform(&spec(d.path(), "echo b > out"), &mut seen).unwrap();
        assert_eq!(link.materials.len(), 1);
        assert_eq!(link.products.len(), 2);
        assert_eq!(link.return_value(), Some(0));
        assert_eq!(
            seen.0,
            [
                "recording materials in",
                "running sh -c echo b > out",
                "recording products in,out"
            ]
        );
    }

    #[test]
    fn a_failed_command_leaves_out_the_products_it_did_not_make() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("in"), "a").unwrap();
        let mut seen = Seen::default();
        let link = perform(&spec(d.path(), "exit 3"), &mut seen).unwrap();
        assert_eq!(link.return_value(), Some(3));
        assert_eq!(link.products.len(), 1);
        assert!(seen.0.contains(&"missing out".to_owned()), "{:?}", seen.0);
        // Had the command succeeded, the missing product is an error.
        let e = perform(&spec(d.path(), "true"), &mut Quiet).unwrap_err();
        assert!(matches!(e, StepError::Record("products", _)), "{e}");
    }

    #[test]
    fn no_command_means_empty_byproducts() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("in"), "a").unwrap();
        let mut s = spec(d.path(), "");
        s.command.clear();
        s.products = vec!["in".into()];
        let link = perform(&s, &mut Quiet).unwrap();
        assert!(link.byproducts.is_empty());
        assert!(link.command.is_empty());
    }
}
