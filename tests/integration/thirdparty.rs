//! Real in-toto metadata written by other implementations and projects
//! (testdata/thirdparty, see its README): `intoto` must reach the outcome
//! each case records, and the Python reference the outcome measured with it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{bin, reference, run_in_case_copy, testdata};

struct Case {
    dir: PathBuf,
    meta: Value,
}

impl Case {
    fn id(&self) -> &str {
        self.meta["id"].as_str().unwrap()
    }

    fn strings(&self, key: &str) -> Vec<String> {
        self.meta
            .get(key)
            .map(|v| serde_json::from_value(v.clone()).unwrap())
            .unwrap_or_default()
    }

    fn code(&self, key: &str) -> i32 {
        let v = &self.meta[key];
        v.as_i64()
            .unwrap_or_else(|| panic!("{}: {key} missing", self.id())) as i32
    }
}

fn cases() -> Vec<Case> {
    let mut dirs: Vec<_> = fs::read_dir(testdata().join("thirdparty"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 15, "third-party cases are missing");
    dirs.into_iter()
        .map(|dir| {
            let meta = serde_json::from_str(&fs::read_to_string(dir.join("case.json")).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            Case { dir, meta }
        })
        .collect()
}

/// Copies the case to a scratch directory and runs `program args...` in
/// its `cwd` (GnuPG homes made private, agents stopped afterwards).
fn run_case(case: &Case, program: &Path, args: &[String]) -> Output {
    run_in_case_copy(&case.dir, &case.meta, program, args)
}

#[test]
fn third_party_metadata_gives_the_recorded_intoto_outcome() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let id = case.id();
        let want = case.code("intoto_exit_code");
        let argv = case.strings("command");
        let sub = argv[0]
            .strip_prefix("in-toto-")
            .unwrap_or_else(|| panic!("{id}: command must start with in-toto-"));
        let mut args = vec![sub.to_owned()];
        args.extend(argv[1..].iter().cloned());
        args.extend(case.strings("intoto_args"));
        let out = run_case(case, &bin(), &args);
        let got = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let needle = case.meta["intoto_stderr_contains"].as_str();
        if got != want {
            failures.push(format!(
                "{id}: expected exit {want}, got {got}: {}",
                stderr.trim()
            ));
        } else if stderr.contains("panicked") {
            failures.push(format!("{id}: panicked: {stderr}"));
        } else if want == 1 && !stderr.contains("intoto: error:") {
            failures.push(format!("{id}: failed without an error message"));
        } else if let Some(n) = needle.filter(|n| !stderr.contains(n)) {
            failures.push(format!(
                "{id}: exit {got} as expected, but the error does not mention {n:?}: {}",
                stderr.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} third-party cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn third_party_metadata_gives_the_recorded_reference_outcome() {
    let Some(refbin) = reference() else {
        return;
    };
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let id = case.id();
        let want = case.code("reference_exit_code");
        let argv = case.strings("command");
        let out = run_case(case, &refbin.join(&argv[0]), &argv[1..]);
        let got = out.status.code().unwrap_or(-1);
        if got != want {
            failures.push(format!(
                "{id}: the reference was recorded with exit {want}, now gives {got}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} third-party cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
