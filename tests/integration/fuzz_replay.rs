//! Replays the fuzz targets' checks (`fuzz_replay/checks/`, shared with
//! `fuzz/*/fuzz_targets/*`) on the committed fuzz inputs and on every
//! metadata, key and keyring file in `testdata`, on the stable toolchain.
//!
//! * `testdata/fuzz/<target>/*`: hand-picked seeds of one target;
//! * `testdata/fuzz/regressions/<target>-<name>`: minimised crash inputs;
//!   each must not panic, unless listed in `regressions/KNOWN_OPEN` (a bug
//!   still open), which must;
//! * every other file under `testdata/interop/cases` and
//!   `testdata/thirdparty` and `testdata/keys` goes through every target.

mod checks;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use crate::common::testdata;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else if p.is_file() {
            out.push(p);
        }
    }
}

/// Runs the check of `target` on `path`: the panic message, if it panicked.
fn panics(target: &str, path: &Path) -> Option<String> {
    let data = fs::read(path).unwrap();
    let e = catch_unwind(AssertUnwindSafe(|| checks::run(target, &data))).err()?;
    Some(
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    )
}

/// Regression inputs of bugs not fixed yet (`regressions/KNOWN_OPEN`: one
/// file name per line, `#` comments). They must still panic: once one
/// stops, the bug is fixed and its line must go.
fn known_open(fuzz_dir: &Path) -> Vec<String> {
    let text = fs::read_to_string(fuzz_dir.join("regressions/KNOWN_OPEN")).unwrap_or_default();
    text.lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Runs every (target, file), collecting panics so one run names them all.
fn replay(inputs: &[(String, PathBuf)], open: &[String]) {
    let mut failures = Vec::new();
    for (target, path) in inputs {
        let name = path.file_name().unwrap().to_string_lossy();
        let listed = open.iter().any(|o| *o == name);
        match (panics(target, path), listed) {
            (Some(msg), false) => failures.push(format!("{target} on {}: {msg}", path.display())),
            (None, true) => failures.push(format!(
                "{target} on {}: no longer panics; remove it from regressions/KNOWN_OPEN",
                path.display()
            )),
            (Some(msg), true) => eprintln!("known open: {target} on {}: {msg}", path.display()),
            (None, false) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A target name for a file under testdata/fuzz.
fn target_of(fuzz_dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(fuzz_dir).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    if first == "regressions" {
        let name = rel.file_name().unwrap().to_string_lossy();
        let target = checks::TARGETS
            .iter()
            .filter(|t| name.starts_with(&format!("{t}-")))
            .max_by_key(|t| t.len())
            .unwrap_or_else(|| panic!("{}: name it <target>-<short-name>", path.display()));
        target.to_string()
    } else {
        assert!(
            checks::TARGETS.contains(&first.as_ref()),
            "{}: {first:?} is not a fuzz target",
            path.display()
        );
        first.into_owned()
    }
}

#[test]
fn fuzz_seeds_and_regressions() {
    let dir = testdata().join("fuzz");
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    let inputs: Vec<(String, PathBuf)> = files
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n != "README.md" && n != "KNOWN_OPEN")
        })
        .map(|p| (target_of(&dir, &p), p))
        .collect();
    replay(&inputs, &known_open(&dir));
}

/// Metadata and key files: everything but the (large, binary) final
/// products and GnuPG trust databases.
fn corpus_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for d in ["interop/cases", "thirdparty", "keys"] {
        files_under(&testdata().join(d), &mut files);
    }
    files.retain(|p| {
        let s = p.to_string_lossy();
        !s.contains("/final/")
            && !s.ends_with("trustdb.gpg")
            && fs::metadata(p).is_ok_and(|m| m.len() <= 1 << 20)
    });
    files
}

#[test]
fn fuzz_checks_on_testdata() {
    let files = corpus_files();
    assert!(files.len() > 300, "testdata metadata not found");
    let mut inputs = Vec::new();
    for p in &files {
        for t in checks::TARGETS {
            inputs.push((t.to_string(), p.clone()));
        }
    }
    replay(&inputs, &[]);
}

/// Each target's check lives in the file of the crate it exercises, its
/// `fuzz/<crate>/fuzz_targets/<target>.rs` includes that file, and the
/// format crate's fuzz package depends on `intoto-format` alone.
#[test]
fn fuzz_packages_follow_the_crates() {
    let root = testdata().parent().unwrap().join("fuzz");
    let mut seen = 0;
    for c in ["format", "library", "debian"] {
        let dir = root.join(c).join("fuzz_targets");
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                checks::TARGETS.contains(&name.as_str()),
                "{}: not in checks::TARGETS",
                p.display()
            );
            let text = fs::read_to_string(&p).unwrap();
            assert!(
                text.contains(&format!("fuzz_replay/checks/{c}.rs\"")),
                "{}: must include checks/{c}.rs",
                p.display()
            );
            seen += 1;
        }
    }
    assert_eq!(seen, checks::TARGETS.len(), "a target without a fuzz file");
    let manifest = fs::read_to_string(root.join("format/Cargo.toml")).unwrap();
    let deps: Vec<&str> = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split('=').next().map(str::trim))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(deps, ["libfuzzer-sys", "intoto-format"]);
    let text = fs::read_to_string(
        testdata()
            .parent()
            .unwrap()
            .join("tests/integration/fuzz_replay/checks/format.rs"),
    )
    .unwrap();
    assert!(
        !text.contains("intoto::") && !text.contains("intoto_debian"),
        "checks/format.rs may use intoto_format only"
    );
}
