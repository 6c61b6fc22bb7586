//! What the library tells while it works, to whoever shows it: one
//! observer for performing a step (`run`, `mock`, `record`, inspections)
//! and for verifying. Every method has a default that ignores the news,
//! so an observer implements only what it shows.

use std::sync::Arc;

use crate::record::Progress;
use crate::runner::RunResult;

/// Hears what the library reports: narration, warnings, recordings (with
/// counters for a progress line), the command of a step.
pub trait Observer {
    /// Progress narration (shown with `-v`).
    fn info(&mut self, msg: &str) {
        let _ = msg;
    }
    /// Something the user should know that does not make the work fail.
    fn warn(&mut self, msg: &str) {
        let _ = msg;
    }
    /// Recording `what` (`materials`, `products of inspection 'untar'`…)
    /// of `paths` begins; returns counters to fill when progress is shown.
    fn recording(&mut self, what: &str, paths: &[String]) -> Option<Arc<Progress>> {
        let _ = (what, paths);
        None
    }
    /// Recording `what` has ended.
    fn recorded(&mut self, what: &str) {
        let _ = what;
    }
    /// A step's command is about to run.
    fn running(&mut self, command: &[String]) {
        let _ = command;
    }
    /// A step's command has ended (its streams are in `result` as the
    /// run options asked).
    fn ran(&mut self, result: &RunResult) {
        let _ = result;
    }
    /// A product is left out: the command failed and did not make it.
    fn missing_product(&mut self, path: &str) {
        let _ = path;
    }
}

/// Hears nothing.
pub struct Quiet;

impl Observer for Quiet {}

/// Keeps the narration and the warnings (tests, reports).
#[derive(Default, Debug)]
pub struct Collect {
    /// Narration.
    pub info: Vec<String>,
    /// Warnings.
    pub warnings: Vec<String>,
}

impl Observer for Collect {
    fn info(&mut self, msg: &str) {
        self.info.push(msg.to_owned());
    }
    fn warn(&mut self, msg: &str) {
        self.warnings.push(msg.to_owned());
    }
}
