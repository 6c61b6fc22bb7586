//! Archive audits: `verify --time TIME` judges layout expiry and key
//! expiry as of TIME, and says that the result is about then, not now.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::{bin, copy_dir, run, testdata};

/// A scratch copy of an interop case and its `intoto verify` command
/// (without the reference's program name), run in the case's `cwd`.
struct Case {
    _dir: tempfile::TempDir,
    cwd: PathBuf,
    args: Vec<String>,
}

impl Case {
    fn new(id: &str) -> Case {
        let dir = tempfile::Builder::new()
            .prefix("au")
            .tempdir_in("/tmp")
            .unwrap();
        let work = dir.path().join("c");
        copy_dir(&testdata().join("interop/cases").join(id), &work);
        let meta: Value =
            serde_json::from_str(&fs::read_to_string(work.join("case.json")).unwrap()).unwrap();
        for h in meta["gpg_homes"].as_array().into_iter().flatten() {
            let p = work.join(h.as_str().unwrap());
            fs::set_permissions(&p, fs::Permissions::from_mode(0o700)).unwrap();
        }
        let argv: Vec<String> = serde_json::from_value(meta["command"].clone()).unwrap();
        Case {
            cwd: work.join(meta["cwd"].as_str().unwrap_or(".")),
            args: argv[1..].to_vec(),
            _dir: dir,
        }
    }

    fn verify(&self, extra: &[&str]) -> (i32, String, String) {
        let mut c = Command::new(bin());
        c.arg("verify")
            .args(&self.args)
            .args(extra)
            .current_dir(&self.cwd)
            .stdin(Stdio::null())
            .env_remove("GNUPGHOME")
            .env("NO_COLOR", "1");
        run(c)
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.cwd.join("../gnupg"))
            .args(["--kill", "all"])
            .output();
    }
}

#[test]
fn an_expired_layout_verifies_as_of_a_time_inside_its_validity() {
    let case = Case::new("expired-layout");
    let (rc, _, err) = case.verify(&[]);
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("expired"), "{err}");
    let (rc, out, err) = case.verify(&["--time", "2020-05-31", "--json"]);
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains("verifying as of 2020-05-31T00:00:00Z (--time): the result shows what held then, not now"),
        "{err}"
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["time"], "2020-05-31T00:00:00Z");
    assert_eq!(report["time_given"], true);
    // After the expiry date it fails again, naming the date.
    let (rc, _, err) = case.verify(&["--time", "2020-06-01T00:00:01+00:00"]);
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("2020-06-01T00:00:00Z"), "{err}");
}

#[test]
fn an_expired_owner_key_counts_as_of_a_time_when_it_was_valid() {
    let case = Case::new("expired-owner-gpg-key");
    assert_eq!(case.verify(&[]).0, 1);
    // erin's key was valid from 2020-01-01 12:00 to 2020-01-02 12:00 UTC.
    let (rc, _, err) = case.verify(&["--time", "2020-01-01T18:00:00Z"]);
    assert_eq!(rc, 0, "{err}");
    let (rc, _, err) = case.verify(&["--time", "2020-01-03"]);
    assert_eq!(rc, 1, "{err}");
}

#[test]
fn a_time_that_is_no_time_is_a_usage_error() {
    let case = Case::new("expired-layout");
    for bad in ["yesterday", "2020-02-30", "2020-01-01T00:00:00"] {
        let (rc, _, err) = case.verify(&["--time", bad]);
        assert_eq!(rc, 2, "{bad}: {err}");
        assert!(err.contains("RFC 3339"), "{err}");
    }
}
