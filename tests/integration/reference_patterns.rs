//! Patterns against the Python reference: artifact-rule globs match like
//! Python's `fnmatch`, and `--exclude` patterns exclude what the
//! reference excludes.

use std::fs;
use std::io::Write as _;
use std::process::Stdio;

use crate::common::{Env, Reference, check, payload};

/// A small deterministic generator (no test-only dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

#[test]
fn rule_patterns_match_like_python_fnmatch() {
    let Some(rf) = Reference::find() else { return };
    let mut g = Lcg(42);
    let atoms = [
        "*", "?", "a", "b", "/", ".", "[", "]", "!", "-", "^", "\\", "[a-c]", "[!a]", "[]]",
        "[z-a]", "[a-]", "é", "*.py", "[", "c",
    ];
    let names = [
        "", "a", "b", "ab", "a/b", "a.py", "b/c.py", "[", "]", "!", "-", "^", "\\", "é", "a-b",
        "x/y/z.py", "abc", "c", "a\nb", ".hidden", "z",
    ];
    let mut patterns: Vec<String> = Vec::new();
    for _ in 0..400 {
        let n = 1 + g.next() % 5;
        patterns.push((0..n).map(|_| g.pick(&atoms)).collect());
    }
    let input = serde_json::json!({ "patterns": patterns, "names": names });
    let script = "import fnmatch, json, sys\nd = json.load(sys.stdin)\nprint(json.dumps([[n for n in d['names'] if fnmatch.fnmatch(n, p)] for p in d['patterns']]))";
    let mut py = rf.python(script);
    py.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = py.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let expected: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    for (p, want) in patterns.iter().zip(expected) {
        let glob = intoto::rules::glob::Glob::new(p);
        let got: Vec<String> = names
            .iter()
            .filter(|n| glob.matches(n))
            .map(|s| s.to_string())
            .collect();
        assert_eq!(got, want, "pattern {p:?}");
    }
}

#[test]
fn exclude_patterns_match_like_the_reference() {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    let key = env.key("carl.pem");
    let sets: &[&[&str]] = &[
        &["*.log"],
        &["tmp"],
        &["build/"],
        &["/top.txt"],
        &["src/*.c"],
        &["a/**/b.txt"],
        &["**/deep"],
        &["*.log", "!keep.log"],
        &["!keep.log", "*.log"],
        &["*.[ch]"],
        &["?.txt"],
        &["dir with space"],
        &["src"],
        &["*"],
        &["build/out/"],
        &["**"],
        &["a/b"],
        &["*.txt", "!src/*.txt"],
    ];
    let files = [
        "top.txt",
        "x.txt",
        "keep.log",
        "noise.log",
        "src/a.c",
        "src/a.h",
        "src/deep/x.c",
        "src/keep.log",
        "src/n.txt",
        "build/out/app",
        "build/out/tmp/cache",
        "tmp/t",
        "a/b.txt",
        "a/x/b.txt",
        "a/x/y/b.txt",
        "q/deep/f",
        "dir with space/f",
        "nested/tmp",
        "nested/build/f",
    ];
    // Both record `.` of their own copy into the link beside it.
    let record = format!(
        "-n e -m . -x -d .. --signing-key {} --exclude",
        key.display()
    );
    for (i, set) in sets.iter().enumerate() {
        let r = env.path(&format!("ex{i}-ref"));
        let c = env.path(&format!("ex{i}-cand"));
        for d in [&r, &c] {
            for f in files {
                let p = d.join(f);
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(p, f).unwrap();
            }
        }
        let mut rc = rf.cmd(&env, ("in-toto-run", &*record, *set));
        rc.current_dir(&r);
        check(rc, 0);
        let ref_link = r.parent().unwrap().join("e.6f44242c.link");
        let (_, pr) = payload(&ref_link);
        fs::remove_file(&ref_link).unwrap();
        let mut cc = env.cmd(("run", &*record, *set));
        cc.current_dir(&c);
        check(cc, 0);
        let (_, pc) = payload(&ref_link);
        fs::remove_file(&ref_link).unwrap();
        assert_eq!(pr["materials"], pc["materials"], "--exclude {set:?}");
    }
}
