//! Recording, both tools side by side: `in-toto-run`/`in-toto-record` and
//! `intoto run`/`intoto record` with the same flags in two copies of the
//! same tree give the same exit code, the same link file names and the
//! same link payloads. One scenario per flag combination.

use std::fs;
use std::path::Path;

use crate::common::{Argv, Env, Reference, check, output, payload};

/// The tree both tools record (names with spaces, non-ASCII and
/// backslashes, CRLF content, files the default excludes skip).
fn make_tree(root: &Path) {
    let w = |rel: &str, data: &[u8]| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, data).unwrap();
    };
    w("src/a.txt", b"a\n");
    w("src/sub/b.txt", b"b\n");
    w("src/crlf.txt", b"crlf\r\nline\r\n");
    w("build/out/app.bin", b"\x7fELF fake\n");
    w("build/out/README", b"readme\n");
    w("build/out/app.log", b"noise\n");
    w("build/out/tmp/cache.o", b"cache\n");
    w(".git/config", b"[core]\n");
    w("mod.pyc", b"x");
    w("backup~", b"x");
    w("old.abcdef12.link", b"{}");
    w("dir with space/na\\xc3\\xafve \u{2713}.txt", b"u\n");
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `in-toto-run ARGS` and `intoto run ARGS` give the same (see [`same`]).
fn same_run(args: impl Argv) {
    same("run", args.argv(), vec![]);
}

/// `record start START`, a change to src/a.txt, `record stop STOP`, with
/// both tools, give the same (see [`same`]).
fn same_record(start: impl Argv, stop: impl Argv) {
    same("record", start.argv(), stop.argv());
}

/// Runs the reference's `kind` and intoto's with the same arguments in
/// two copies of the tree and compares exit codes, link names (in
/// out-links/) and payloads. In the arguments `@D@` is replaced by each
/// copy's path, `@KEY@` stands for `--signing-key` with bob's PEM key and
/// `@GPG@` for `--gpg` with carl's GnuPG key and `--gpg-home`.
fn same(kind: &str, args: Vec<String>, stop_args: Vec<String>) {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    let name = args.join(" ");
    let bob = env.key("bob.pem");
    let carl = args
        .iter()
        .chain(&stop_args)
        .any(|a| a == "@GPG@")
        .then(|| env.fpr("carl"));
    let r = env.path("ref");
    let c = env.path("cand");
    for d in [&r, &c] {
        make_tree(d);
        fs::create_dir_all(d.join("out-links")).unwrap();
    }
    let sub = |d: &Path, a: &[String]| -> Vec<String> {
        let mut v = Vec::new();
        for s in a {
            match s.as_str() {
                "@KEY@" => v.extend(["--signing-key".into(), bob.display().to_string()]),
                "@GPG@" => v.extend([
                    "--gpg".into(),
                    carl.clone().unwrap(),
                    "--gpg-home".into(),
                    env.gnupg.display().to_string(),
                ]),
                _ => v.push(s.replace("@D@", d.to_str().unwrap())),
            }
        }
        v
    };
    let in_dir = |mut c: std::process::Command, d: &Path| {
        c.current_dir(d);
        c
    };
    let (rc_r, rc_c);
    if kind == "run" {
        rc_r = output(in_dir(rf.cmd(&env, ("in-toto-run", sub(&r, &args))), &r)).code;
        rc_c = output(in_dir(env.cmd(("run", sub(&c, &args))), &c)).code;
    } else {
        let edit = |d: &Path| {
            let p = d.join("src/a.txt");
            let mut t = fs::read_to_string(&p).unwrap();
            t.push_str("changed\n");
            fs::write(p, t).unwrap();
        };
        let start = rf.cmd(&env, ("in-toto-record start", sub(&r, &args)));
        check(in_dir(start, &r), 0);
        edit(&r);
        let stop = rf.cmd(&env, ("in-toto-record stop", sub(&r, &stop_args)));
        rc_r = output(in_dir(stop, &r)).code;
        check(in_dir(env.cmd(("record start", sub(&c, &args))), &c), 0);
        edit(&c);
        let stop = env.cmd(("record stop", sub(&c, &stop_args)));
        rc_c = output(in_dir(stop, &c)).code;
    }
    assert_eq!(rc_r, rc_c, "{name}: exit codes differ");
    let (fr, fc) = (listing(&r.join("out-links")), listing(&c.join("out-links")));
    assert!(!fr.is_empty(), "{name}: the reference wrote no link");
    assert_eq!(fr, fc, "{name}: link file names differ");
    for f in &fr {
        let (dr, pr) = payload(&r.join("out-links").join(f));
        let (dc, pc) = payload(&c.join("out-links").join(f));
        assert_eq!(dr, dc, "{name}: container type differs");
        assert_eq!(pr, pc, "{name}: payload differs");
    }
}

#[test]
fn run_matches_the_reference() {
    same_run((
        "-n s1 -m src -p src out -d out-links @KEY@ -- sh -c",
        ["mkdir -p out && cp src/a.txt out/a.txt"],
    ));
}

#[test]
fn run_recording_the_streams_matches_the_reference() {
    same_run((
        "-n s2 -s -m src -d out-links @KEY@ -- sh -c",
        ["printf 'tab\\there \"q\" \\\\ \\303\\251\\r\\n'; printf 'err\\n' >&2"],
    ));
}

#[test]
fn run_of_a_failing_command_matches_the_reference() {
    same_run(("-n s3 -p src -d out-links @KEY@ -- sh -c", ["exit 3"]));
}

#[test]
fn run_without_a_command_matches_the_reference() {
    same_run(("-n s4 -m src", ["dir with space"], "-d out-links @KEY@ -x"));
}

#[test]
fn run_default_excludes_match_the_reference() {
    same_run("-n s5 -p . -d out-links @KEY@ -x");
}

#[test]
fn run_base_path_and_excludes_match_the_reference() {
    same_run("-n s6 --base-path build -p out --exclude *.log tmp -d out-links @KEY@ -x");
}

#[test]
fn run_lstrip_paths_match_the_reference() {
    same_run(
        "-n s7 -m @D@/build/out/app.bin @D@/build/out/README --lstrip-paths @D@/build/ \
         -d out-links @KEY@ -x",
    );
}

#[test]
fn run_dsse_matches_the_reference() {
    same_run("-n s8 --use-dsse -m src -p src -d out-links @KEY@ -- true");
}

#[test]
fn run_gpg_matches_the_reference() {
    same_run("-n s9 -m src -p src -d out-links @GPG@ -- true");
}

#[test]
fn record_matches_the_reference() {
    same_record("-n r1 -m src @KEY@", "-n r1 -p src -d out-links @KEY@");
}

#[test]
fn record_dsse_matches_the_reference() {
    same_record(
        "-n r2 -m src --use-dsse @KEY@",
        "-n r2 -p src -d out-links @KEY@",
    );
}

#[test]
fn record_gpg_matches_the_reference() {
    same_record("-n r3 -m src @GPG@", "-n r3 -p src -d out-links @GPG@");
}
