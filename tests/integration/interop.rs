//! Every case the Python reference produced (testdata/interop/cases) must
//! give the same exit status with `intoto` (or the corrected status where
//! the case records the reference's bug).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::{bin, copy_dir, testdata};

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
        let scratch = tempfile::Builder::new()
            .prefix("ic")
            .tempdir_in("/tmp")
            .unwrap();
        let work = scratch.path().join("c");
        copy_dir(case, &work);
        let homes: Vec<_> = meta["gpg_homes"]
            .as_array()
            .map(|a| a.iter().map(|h| work.join(h.as_str().unwrap())).collect())
            .unwrap_or_default();
        for h in &homes {
            fs::set_permissions(h, fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut cmd = Command::new(bin());
        cmd.arg(&sub).args(&argv[1..]);
        if let Some(params) = meta["substitution_parameters"].as_object() {
            for (k, v) in params {
                cmd.arg("--param")
                    .arg(format!("{k}={}", v.as_str().unwrap()));
            }
        }
        let out = cmd
            .current_dir(work.join(meta["cwd"].as_str().unwrap_or(".")))
            .stdin(Stdio::null())
            .env_remove("GNUPGHOME")
            .env_remove("GNUPG")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        for h in &homes {
            let _ = Command::new("gpgconf")
                .arg("--homedir")
                .arg(h)
                .args(["--kill", "all"])
                .output();
        }
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
