//! Interop with the Python reference (in-toto 3.1.0 from the venv), both
//! ways: what `intoto` writes verifies there, what it writes verifies
//! here, and recording the same tree with the same flags gives the same
//! link payload and file name.

use std::fs;
use std::path::Path;

use base64::Engine as _;
use serde_json::Value;

use crate::common::{Env, expect, ref_tool, reference, run};

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

/// The `signed` payload of a link file (DSSE decoded).
fn payload(path: &Path) -> (bool, Value) {
    let v: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    if let Some(p) = v.get("payload") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(p.as_str().unwrap())
            .unwrap();
        (true, serde_json::from_slice(&bytes).unwrap())
    } else {
        (false, v["signed"].clone())
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs `in-toto-<tool>` and `intoto <tool>` with the same arguments in
/// two copies of the tree (`@D@` is replaced by each copy's path) and
/// compares exit codes, link names and payloads.
fn same(env: &Env, refbin: &Path, name: &str, kind: &str, args: &[&str], stop_args: &[&str]) {
    let r = env.path(&format!("{name}-ref"));
    let c = env.path(&format!("{name}-cand"));
    for d in [&r, &c] {
        make_tree(d);
        fs::create_dir_all(d.join("out-links")).unwrap();
    }
    let sub = |d: &Path, a: &[&str]| -> Vec<String> {
        a.iter()
            .map(|s| s.replace("@D@", d.to_str().unwrap()))
            .collect()
    };
    let (rc_r, rc_c);
    if kind == "run" {
        let mut rcmd = ref_tool(refbin, env, "in-toto-run");
        rcmd.args(sub(&r, args)).current_dir(&r);
        rc_r = run(rcmd).0;
        let mut ccmd = env.intoto(["run"]);
        ccmd.args(sub(&c, args)).current_dir(&c);
        rc_c = run(ccmd).0;
    } else {
        let edit = |d: &Path| {
            let p = d.join("src/a.txt");
            let mut t = fs::read_to_string(&p).unwrap();
            t.push_str("changed\n");
            fs::write(p, t).unwrap();
        };
        let mut rcmd = ref_tool(refbin, env, "in-toto-record");
        rcmd.arg("start").args(sub(&r, args)).current_dir(&r);
        let (a, _, e) = run(rcmd);
        assert_eq!(a, 0, "reference record start: {e}");
        edit(&r);
        let mut rcmd = ref_tool(refbin, env, "in-toto-record");
        rcmd.arg("stop").args(sub(&r, stop_args)).current_dir(&r);
        rc_r = run(rcmd).0;
        let mut ccmd = env.intoto(["record", "start"]);
        ccmd.args(sub(&c, args)).current_dir(&c);
        let (a, _, e) = run(ccmd);
        assert_eq!(a, 0, "intoto record start: {e}");
        edit(&c);
        let mut ccmd = env.intoto(["record", "stop"]);
        ccmd.args(sub(&c, stop_args)).current_dir(&c);
        rc_c = run(ccmd).0;
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
fn recording_matches_the_reference() {
    let Some(refbin) = reference() else { return };
    let env = Env::new();
    let bob = env.key("bob.pem");
    let key = bob.to_str().unwrap();
    let k = ["--signing-key", key];
    let gpg_carl = env.fpr("carl");
    let g = [
        "--gpg",
        gpg_carl.as_str(),
        "--gpg-home",
        env.gnupg.to_str().unwrap(),
    ];
    let cases: Vec<(&str, &str, Vec<&str>, Vec<&str>)> = vec![
        (
            "plain",
            "run",
            [
                &[
                    "-n",
                    "s1",
                    "-m",
                    "src",
                    "-p",
                    "src",
                    "out",
                    "-d",
                    "out-links",
                ][..],
                &k,
                &["--", "sh", "-c", "mkdir -p out && cp src/a.txt out/a.txt"],
            ]
            .concat(),
            vec![],
        ),
        (
            "streams",
            "run",
            [
                &["-n", "s2", "-s", "-m", "src", "-d", "out-links"][..],
                &k,
                &[
                    "--",
                    "sh",
                    "-c",
                    "printf 'tab\\there \"q\" \\\\ \\303\\251\\r\\n'; printf 'err\\n' >&2",
                ],
            ]
            .concat(),
            vec![],
        ),
        (
            "nonzero",
            "run",
            [
                &["-n", "s3", "-p", "src", "-d", "out-links"][..],
                &k,
                &["--", "sh", "-c", "exit 3"],
            ]
            .concat(),
            vec![],
        ),
        (
            "nocmd",
            "run",
            [
                &["-n", "s4", "-m", "src", "dir with space", "-d", "out-links"][..],
                &k,
                &["-x"],
            ]
            .concat(),
            vec![],
        ),
        (
            "defexcl",
            "run",
            [&["-n", "s5", "-p", ".", "-d", "out-links"][..], &k, &["-x"]].concat(),
            vec![],
        ),
        (
            "basepath",
            "run",
            [
                &[
                    "-n",
                    "s6",
                    "--base-path",
                    "build",
                    "-p",
                    "out",
                    "--exclude",
                    "*.log",
                    "tmp",
                    "-d",
                    "out-links",
                ][..],
                &k,
                &["-x"],
            ]
            .concat(),
            vec![],
        ),
        (
            "lstrip",
            "run",
            [
                &[
                    "-n",
                    "s7",
                    "-m",
                    "@D@/build/out/app.bin",
                    "@D@/build/out/README",
                    "--lstrip-paths",
                    "@D@/build/",
                    "-d",
                    "out-links",
                ][..],
                &k,
                &["-x"],
            ]
            .concat(),
            vec![],
        ),
        (
            "dsse",
            "run",
            [
                &[
                    "-n",
                    "s8",
                    "--use-dsse",
                    "-m",
                    "src",
                    "-p",
                    "src",
                    "-d",
                    "out-links",
                ][..],
                &k,
                &["--", "true"],
            ]
            .concat(),
            vec![],
        ),
        (
            "gpg",
            "run",
            [
                &["-n", "s9", "-m", "src", "-p", "src", "-d", "out-links"][..],
                &g,
                &["--", "true"],
            ]
            .concat(),
            vec![],
        ),
        (
            "startstop",
            "record",
            [&["-n", "r1", "-m", "src"][..], &k].concat(),
            [&["-n", "r1", "-p", "src", "-d", "out-links"][..], &k].concat(),
        ),
        (
            "rdsse",
            "record",
            [&["-n", "r2", "-m", "src", "--use-dsse"][..], &k].concat(),
            [&["-n", "r2", "-p", "src", "-d", "out-links"][..], &k].concat(),
        ),
        (
            "rgpg",
            "record",
            [&["-n", "r3", "-m", "src"][..], &g].concat(),
            [&["-n", "r3", "-p", "src", "-d", "out-links"][..], &g].concat(),
        ),
    ];
    for (name, kind, args, stop) in &cases {
        same(&env, &refbin, name, kind, args, stop);
    }
}

#[test]
fn links_signed_here_verify_in_the_reference_and_back() {
    let Some(refbin) = reference() else { return };
    let env = Env::new();
    env.write("src/x.txt", "x\n");
    for name in ["alice", "bob", "carl"] {
        let pem = env.key(&format!("{name}.pem"));
        let public = env.key(&format!("{name}.pub"));
        for dsse in [false, true] {
            let step = format!("{name}{}", if dsse { "-dsse" } else { "" });
            let mut c = env.intoto(["run", "-n", &step, "-m", "src", "-x", "--signing-key"]);
            c.arg(&pem);
            if dsse {
                c.arg("--use-dsse");
            }
            expect(c, 0);
            let link = fs::read_dir(env.work())
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.file_name()
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .starts_with(&format!("{step}."))
                        && p.extension().is_some_and(|e| e == "link")
                });
            let link = link.expect("link written");
            let mut v = ref_tool(&refbin, &env, "in-toto-sign");
            v.args(["--verify", "-k"]).arg(&public).arg("-f").arg(&link);
            expect(v, 0);
            // A tampered copy fails there too (the check is real).
            let tampered = env.work().join("tampered.link");
            let text = fs::read_to_string(&link)
                .unwrap()
                .replace("src/x.txt", "src/y.txt");
            if !dsse {
                fs::write(&tampered, text).unwrap();
                let mut v = ref_tool(&refbin, &env, "in-toto-sign");
                v.args(["--verify", "-k"])
                    .arg(&public)
                    .arg("-f")
                    .arg(&tampered);
                expect(v, 1);
            }
            fs::remove_file(&link).unwrap();
        }
        // The reference's own link verifies here.
        let mut r = ref_tool(&refbin, &env, "in-toto-run");
        r.args(["-n", "ref", "-m", "src", "-x", "--signing-key"])
            .arg(&pem);
        expect(r, 0);
        let link = fs::read_dir(env.work())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("ref."))
            .unwrap();
        let mut v = env.intoto(["sign", "--verify", "-k"]);
        v.arg(&public).arg("-f").arg(&link);
        expect(v, 0);
        fs::remove_file(&link).unwrap();
    }
}

#[test]
fn gpg_signatures_made_here_verify_in_the_reference() {
    let Some(refbin) = reference() else { return };
    let env = Env::new();
    env.write("src/x.txt", "x\n");
    // RSA, RSA signing subkey, DSA, Ed25519 (the reference cannot read
    // Ed25519 *subkeys*, so bob's subkey is checked only here), through
    // gpg-agent (gpgme) and through the gpg command line.
    for backend in ["gpgme", "cli"] {
        for name in ["alice", "carl", "dave", "gina"] {
            let fpr = env.fpr(name);
            let step = format!("{name}-{backend}");
            let mut run_cmd = env.intoto(["run", "-n", &step, "-m", "src", "-x", "--gpg", &fpr]);
            run_cmd.env("INTOTO_GPG_BACKEND", backend);
            expect(run_cmd, 0);
            let link = fs::read_dir(env.work())
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.file_name()
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .starts_with(&format!("{step}."))
                })
                .unwrap();
            let mut v = ref_tool(&refbin, &env, "in-toto-sign");
            v.args(["--verify", "--gpg", &fpr, "--gpg-home"])
                .arg(&env.gnupg)
                .arg("-f")
                .arg(&link);
            expect(v, 0);
            let mut v = env.intoto(["sign", "--verify", "--gpg", &fpr, "-f"]);
            v.arg(&link);
            expect(v, 0);
            // A layout signed with the key passes in-toto-verify --gpg.
            let lay = format!("{step}.layout");
            expect(env.intoto(["layout", "new", &lay, "--expires", "1y"]), 0);
            let mut s = env.intoto(["sign", "-f", &lay, "--gpg", &fpr]);
            s.env("INTOTO_GPG_BACKEND", backend);
            expect(s, 0);
            let mut v = ref_tool(&refbin, &env, "in-toto-verify");
            v.args(["--layout", &lay, "--gpg", &fpr, "--gpg-home"])
                .arg(&env.gnupg);
            expect(v, 0);
        }
    }
    // bob signs with his Ed25519 subkey; the link is named after it.
    let bob = env.fprs("bob");
    expect(
        env.intoto(["run", "-n", "bobstep", "-m", "src", "-x", "--gpg", &bob[0]]),
        0,
    );
    let name = format!("bobstep.{}.link", &bob[1][..8].to_lowercase());
    assert!(env.work().join(&name).exists(), "expected {name}");
    expect(
        env.intoto(["sign", "--verify", "--gpg", &bob[0], "-f", &name]),
        0,
    );
}

/// The classic chain: layout written with `intoto layout`, signed by the
/// owner (PEM) and co-signed with a GnuPG key, steps run with `intoto`,
/// verified by `in-toto-verify` with both owner keys.
#[test]
fn demo_chain_written_here_verifies_in_the_reference() {
    let Some(refbin) = reference() else { return };
    for dsse in [false, true] {
        let env = Env::new();
        let alice = env.key("alice.pem");
        let alice_pub = env.key("alice.pub");
        let carl_pub = env.key("carl.pub");
        let carl = env.key("carl.pem");
        let dave = env.fpr("dave");
        let gina = env.fpr("gina");
        env.write("upstream/demo-project/foo.py", "print(\"Hello in-toto\")\n");
        let mut new = env.intoto([
            "layout",
            "new",
            "root.layout",
            "--expires",
            "2099-12-31",
            "--readme",
            "demo",
        ]);
        if dsse {
            new.arg("--dsse");
        }
        expect(new, 0);
        let bob_id = expect(
            env.intoto(["layout", "add-key", "root.layout", "--gpg", &dave]),
            0,
        );
        let bob_id = bob_id.lines().last().unwrap().trim().to_owned();
        let carl_id = expect(
            env.intoto([
                "layout",
                "add-key",
                "root.layout",
                "--key",
                carl_pub.to_str().unwrap(),
            ]),
            0,
        );
        let carl_id = carl_id.lines().last().unwrap().trim().to_owned();
        expect(
            env.intoto([
                "layout",
                "add-step",
                "root.layout",
                "--name",
                "clone",
                "--functionary",
                &bob_id,
                "--expected-command",
                "cp -R upstream/demo-project demo-project",
                "--product",
                "CREATE demo-project/foo.py",
                "--product",
                "DISALLOW *",
            ]),
            0,
        );
        expect(
            env.intoto([
                "layout",
                "add-step",
                "root.layout",
                "--name",
                "update-version",
                "--functionary",
                &bob_id,
                "--material",
                "MATCH demo-project/* WITH PRODUCTS FROM clone",
                "--material",
                "DISALLOW *",
                "--product",
                "MODIFY demo-project/foo.py",
                "--product",
                "DISALLOW *",
            ]),
            0,
        );
        expect(
            env.intoto([
                "layout",
                "add-step",
                "root.layout",
                "--name",
                "package",
                "--functionary",
                &carl_id,
                "--expected-command",
                "tar --exclude .git -zcf demo-project.tar.gz demo-project",
                "--material",
                "MATCH demo-project/* WITH PRODUCTS FROM update-version",
                "--material",
                "DISALLOW *",
                "--product",
                "CREATE demo-project.tar.gz",
                "--product",
                "DISALLOW *",
            ]),
            0,
        );
        expect(
            env.intoto([
                "layout",
                "add-inspection",
                "root.layout",
                "--name",
                "untar",
                "--run",
                "tar xzf demo-project.tar.gz",
                "--material",
                "MATCH demo-project.tar.gz WITH PRODUCTS FROM package",
                "--material",
                "DISALLOW *",
                "--product",
                "MATCH demo-project.tar.gz WITH PRODUCTS FROM package",
                "--product",
                "MATCH demo-project/foo.py WITH PRODUCTS FROM update-version",
                "--product",
                "DISALLOW *",
            ]),
            0,
        );
        expect(
            env.intoto(["sign", "-f", "root.layout", "-k", alice.to_str().unwrap()]),
            0,
        );
        if !dsse {
            expect(
                env.intoto(["sign", "-f", "root.layout", "-a", "--gpg", &gina]),
                0,
            );
        }
        fs::create_dir_all(env.work().join("links")).unwrap();
        expect(
            env.intoto([
                "run",
                "-n",
                "clone",
                "-p",
                "demo-project",
                "-d",
                "links",
                "--gpg",
                &dave,
                "--",
                "cp",
                "-R",
                "upstream/demo-project",
                "demo-project",
            ]),
            0,
        );
        expect(
            env.intoto([
                "record",
                "start",
                "-n",
                "update-version",
                "-m",
                "demo-project",
                "--gpg",
                &dave,
            ]),
            0,
        );
        env.write(
            "demo-project/foo.py",
            "VERSION = \"foo-v1\"\n\nprint(\"Hello in-toto\")\n",
        );
        expect(
            env.intoto([
                "record",
                "stop",
                "-n",
                "update-version",
                "-p",
                "demo-project",
                "-d",
                "links",
                "--gpg",
                &dave,
            ]),
            0,
        );
        let mut pkg = env.intoto([
            "run",
            "-n",
            "package",
            "-m",
            "demo-project",
            "-p",
            "demo-project.tar.gz",
            "-d",
            "links",
            "--signing-key",
        ]);
        pkg.arg(&carl);
        if dsse {
            pkg.arg("--use-dsse");
        }
        pkg.args([
            "--",
            "tar",
            "--exclude",
            ".git",
            "-zcf",
            "demo-project.tar.gz",
            "demo-project",
        ]);
        expect(pkg, 0);
        // Verify from a directory holding only the final product.
        let fin = env.work().join("final");
        fs::create_dir_all(&fin).unwrap();
        fs::copy(
            env.work().join("demo-project.tar.gz"),
            fin.join("demo-project.tar.gz"),
        )
        .unwrap();
        let mut v = ref_tool(&refbin, &env, "in-toto-verify");
        v.current_dir(&fin)
            .arg("--layout")
            .arg(env.work().join("root.layout"))
            .arg("--verification-keys")
            .arg(&alice_pub);
        if !dsse {
            v.args(["--gpg", &gina, "--gpg-home"]).arg(&env.gnupg);
        }
        v.arg("--link-dir").arg(env.work().join("links"));
        let out = expect(v, 0);
        assert!(!out.contains("Error"), "{out}");
        // And here.
        let fin2 = env.work().join("final2");
        fs::create_dir_all(&fin2).unwrap();
        fs::copy(
            env.work().join("demo-project.tar.gz"),
            fin2.join("demo-project.tar.gz"),
        )
        .unwrap();
        let mut v = env.intoto(["verify", "--layout"]);
        v.current_dir(&fin2)
            .arg(env.work().join("root.layout"))
            .arg("--verification-keys")
            .arg(&alice_pub);
        if !dsse {
            v.args(["--gpg", &gina]);
        }
        v.arg("--link-dir").arg(env.work().join("links"));
        expect(v, 0);
        // in-toto-sign --verify accepts the co-signed layout for each key.
        let mut s = ref_tool(&refbin, &env, "in-toto-sign");
        s.args(["-f", "root.layout", "--verify", "-k"])
            .arg(&alice_pub);
        expect(s, 0);
    }
}

#[test]
fn exported_gpg_keys_equal_the_reference_and_fix_ed25519() {
    let Some(refbin) = reference() else { return };
    let env = Env::new();
    let py = refbin.join("python");
    for (name, same) in [
        ("alice", true),
        ("carl", true),
        ("dave", true),
        ("gina", true),
        ("bob", false),
    ] {
        let fpr = env.fpr(name);
        let ours: Value =
            serde_json::from_str(&expect(env.intoto(["key", "export", "--gpg", &fpr]), 0)).unwrap();
        let mut p = std::process::Command::new(&py);
        p.args(["-c", &format!("import json; from securesystemslib._gpg.functions import export_pubkey; print(json.dumps(export_pubkey('{fpr}', homedir='{}')))", env.gnupg.display())]);
        let (rc, out, err) = run(p);
        assert_eq!(rc, 0, "{err}");
        let theirs: Value = serde_json::from_str(out.trim()).unwrap();
        if same {
            assert_eq!(ours, theirs, "{name}");
        } else {
            // The reference drops Ed25519 subkeys; everything else is equal.
            let mut o = ours.clone();
            let subs = o
                .as_object_mut()
                .unwrap()
                .remove("subkeys")
                .expect("bob's subkeys are exported");
            assert_eq!(o, theirs, "{name}");
            assert!(
                subs.as_object()
                    .unwrap()
                    .contains_key(&env.fprs("bob")[1].to_lowercase())
            );
        }
    }
}

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
    let Some(refbin) = reference() else { return };
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
    let mut py = std::process::Command::new(refbin.join("python"));
    py.args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = py.spawn().unwrap();
    use std::io::Write;
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
    let Some(refbin) = reference() else { return };
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
    for (i, set) in sets.iter().enumerate() {
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
        let r = env.path(&format!("ex{i}-ref"));
        let c = env.path(&format!("ex{i}-cand"));
        for d in [&r, &c] {
            for f in files {
                let p = d.join(f);
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(p, f).unwrap();
            }
        }
        let mut rc = ref_tool(&refbin, &env, "in-toto-run");
        rc.current_dir(&r)
            .args(["-n", "e", "-m", ".", "-x", "-d", ".."])
            .arg("--signing-key")
            .arg(&key)
            .arg("--exclude")
            .args(*set);
        expect(rc, 0);
        let ref_link = r.parent().unwrap().join("e.6f44242c.link");
        let (_, pr) = payload(&ref_link);
        fs::remove_file(&ref_link).unwrap();
        let mut cc = env.intoto([
            "run",
            "-n",
            "e",
            "-m",
            ".",
            "-x",
            "-d",
            "..",
            "--signing-key",
        ]);
        cc.current_dir(&c).arg(&key).arg("--exclude").args(*set);
        expect(cc, 0);
        let (_, pc) = payload(&ref_link);
        fs::remove_file(&ref_link).unwrap();
        assert_eq!(pr["materials"], pc["materials"], "--exclude {set:?}");
    }
}

/// Golden canonical bytes: what securesystemslib's encode_canonical makes
/// of the reference's own links (non-ASCII, control characters, quotes,
/// backslashes) equals what intoto signs and checks.
#[test]
fn canonical_bytes_equal_securesystemslib() {
    let Some(refbin) = reference() else { return };
    let case = crate::common::testdata().join("interop/cases/canonical-json-unicode/links");
    let env = Env::new();
    // A link with recorded streams full of awkward characters, too.
    let key = env.key("carl.pem");
    let mut c = env.intoto([
        "run",
        "-n",
        "streams",
        "-s",
        "--signing-key",
        key.to_str().unwrap(),
        "--",
        "sh",
        "-c",
    ]);
    c.arg("printf 'tab\\there \"quoted\" back\\\\slash \\303\\251 \\342\\234\\223 \\001\\n'; printf 'err\\r\\n' >&2");
    expect(c, 0);
    let mut files: Vec<std::path::PathBuf> = fs::read_dir(&case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(env.work().join("streams.6f44242c.link"));
    let script = "import json, sys\nfrom securesystemslib.formats import encode_canonical\nfrom in_toto.models.metadata import Metadata\nm = Metadata.load(sys.argv[1])\nsys.stdout.buffer.write(m.signed.signable_bytes)";
    for f in files {
        let out = std::process::Command::new(refbin.join("python"))
            .args(["-c", script])
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env = intoto::models::Envelope::from_slice(&fs::read(&f).unwrap()).unwrap();
        assert_eq!(env.signed_bytes().to_vec(), out.stdout, "{}", f.display());
    }
}
