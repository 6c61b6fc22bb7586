//! Every case the Python reference produced (testdata/interop/cases) must
//! give the same exit status with `intoto` (or the corrected status where
//! the case records the reference's bug).

use std::fs;

use serde_json::Value;

use crate::common::{bin, run_in_case_copy, testdata};

#[test]
fn all_reference_cases_give_the_reference_outcome() {
    let mut cases: Vec<_> = fs::read_dir(testdata().join("interop/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 63, "interop cases are missing");
    let mut failures = Vec::new();
    for case in &cases {
        let meta: Value =
            serde_json::from_str(&fs::read_to_string(case.join("case.json")).unwrap()).unwrap();
        let id = meta["id"].as_str().unwrap().to_owned();
        let want = meta
            .get("intoto_exit_code")
            .unwrap_or(&meta["exit_code"])
            .as_i64()
            .unwrap() as i32;
        let argv: Vec<String> = serde_json::from_value(meta["command"].clone()).unwrap();
        let sub = argv[0].strip_prefix("in-toto-").unwrap().to_owned();
        let mut args = vec![sub];
        args.extend(argv[1..].iter().cloned());
        if let Some(params) = meta["substitution_parameters"].as_object() {
            for (k, v) in params {
                args.push("--param".into());
                args.push(format!("{k}={}", v.as_str().unwrap()));
            }
        }
        let out = run_in_case_copy(case, &meta, &bin(), &args);
        let got = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if got != want {
            failures.push(format!(
                "{id}: expected exit {want}, got {got}: {}",
                stderr.trim()
            ));
        } else if want == 1 && !stderr.contains("intoto: error:") {
            failures.push(format!("{id}: failed without an error message"));
        } else if stderr.contains("panicked") {
            failures.push(format!("{id}: panicked: {stderr}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
