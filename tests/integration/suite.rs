//! The suite itself: every test file in `tests/integration/` is a module
//! of it (a file not listed in `main.rs` would never run).

use std::fs;

use crate::common::repo;

#[test]
fn every_test_file_is_listed_in_main() {
    let dir = repo().join("tests/integration");
    let main = fs::read_to_string(dir.join("main.rs")).unwrap();
    let listed: Vec<&str> = main
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    let mut missing = Vec::new();
    for e in fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if let Some(m) = name.strip_suffix(".rs")
            && m != "main"
            && !listed.contains(&m)
        {
            missing.push(name);
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "not listed in tests/integration/main.rs, so never run: {missing:?}"
    );
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(
        listed, sorted,
        "keep the modules of main.rs in alphabetical order"
    );
}
