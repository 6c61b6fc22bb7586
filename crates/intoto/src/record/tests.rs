//! Unit tests of recording.

use super::*;

#[test]
fn normpath_matches_python() {
    for (i, o) in [
        ("", "."),
        (".", "."),
        ("./a", "a"),
        ("a/./b/", "a/b"),
        ("a/../b", "b"),
        ("../a", "../a"),
        ("a/../../b", "../b"),
        ("/../a", "/a"),
        ("//a//b", "//a/b"),
        ("///a", "/a"),
        ("a//b", "a/b"),
        ("/", "/"),
    ] {
        assert_eq!(normpath(i), o, "{i}");
    }
}

fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::create_dir_all(p.join("src/sub")).unwrap();
    fs::create_dir_all(p.join(".git")).unwrap();
    fs::write(p.join("src/a.txt"), "a\n").unwrap();
    fs::write(p.join("src/sub/b.txt"), "b\n").unwrap();
    fs::write(p.join(".git/config"), "x").unwrap();
    fs::write(p.join("x.pyc"), "x").unwrap();
    fs::write(p.join("old.abc.link"), "{}").unwrap();
    d
}

fn opts(base: &Path, excludes: &[&str], lstrip: &[&str]) -> RecordOptions {
    RecordOptions {
        exclude_patterns: excludes.iter().map(|s| s.to_string()).collect(),
        base_path: Some(base.to_owned()),
        lstrip_paths: lstrip.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn records_with_default_excludes_and_lstrip() {
    let d = tree();
    let a = record(&[".".into()], &opts(d.path(), &DEFAULT_EXCLUDES, &[]), None).unwrap();
    let names: Vec<&str> = a.keys().collect();
    assert_eq!(names, ["src/a.txt", "src/sub/b.txt"]);
    assert_eq!(
        a.get("src/a.txt").unwrap().get("sha256").unwrap(),
        "87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7"
    );
    let s = record(&["src".into()], &opts(d.path(), &[], &["src/"]), None).unwrap();
    assert_eq!(s.keys().collect::<Vec<_>>(), ["a.txt", "sub/b.txt"]);
    assert!(
        record(
            &["src".into()],
            &opts(d.path(), &[], &["src", "src/sub"]),
            None
        )
        .is_err()
    );
}

#[test]
fn the_first_error_in_walk_order_is_reported() {
    let d = tree();
    let o = opts(d.path(), &[], &[]);
    for i in 0..40 {
        std::os::unix::fs::symlink("nowhere", d.path().join(format!("src/sub/z{i:02}"))).unwrap();
    }
    std::os::unix::fs::symlink("nowhere", d.path().join("src/b-dangling")).unwrap();
    for _ in 0..5 {
        assert!(
            matches!(record(&["x.pyc".into(), "src".into()], &o, None), Err(RecordError::Dangling(p)) if p == "src/b-dangling")
        );
        assert!(
            matches!(record(&["src/sub".into(), "nope".into(), "src".into()], &o, None), Err(RecordError::Dangling(p)) if p == "src/sub/z00")
        );
    }
}

#[test]
fn missing_dangling_special_and_loops_are_errors() {
    let d = tree();
    let o = opts(d.path(), &[], &[]);
    assert!(matches!(
        record(&["nope".into()], &o, None),
        Err(RecordError::Missing(_))
    ));
    std::os::unix::fs::symlink("nowhere", d.path().join("src/dangling")).unwrap();
    assert!(
        matches!(record(&["src".into()], &o, None), Err(RecordError::Dangling(p)) if p == "src/dangling")
    );
    fs::remove_file(d.path().join("src/dangling")).unwrap();
    std::os::unix::fs::symlink("..", d.path().join("src/sub/up")).unwrap();
    assert!(
        matches!(record(&["src".into()], &o, None), Err(RecordError::Loop(p, _)) if p == "src/sub/up")
    );
    fs::remove_file(d.path().join("src/sub/up")).unwrap();
    // A symlinked directory that is not an ancestor is followed.
    std::os::unix::fs::symlink("sub", d.path().join("src/alias")).unwrap();
    let a = record(&["src".into()], &o, None).unwrap();
    assert!(a.contains_key("src/alias/b.txt"));
}
