//! `intoto match-products`: local files against a link's products (the
//! three kinds of difference, exit statuses, Metablock and DSSE links,
//! `-e`, `--lstrip-paths`), the optional signature check the reference
//! does not have, and the same lines as `in-toto-match-products`.

use std::fs;

use crate::common::{Env, Reference, testdata};

/// `out/a`, `out/b` and `out/sub/c`, recorded as the products of step
/// `build` by bob (`--use-dsse` when `dsse`); returns the link's name.
fn built(env: &Env, dsse: bool) -> String {
    env.key("bob.pem");
    env.key("bob.pub");
    env.write("out/a", "a\n");
    env.write("out/b", "b\n");
    env.write("out/sub/c", "c\n");
    let dsse = if dsse { " --use-dsse" } else { "" };
    env.ok(format!(
        "run -n build --signing-key bob.pem -p out -x{dsse}"
    ));
    env.link("build")
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_matching_tree_exits_0_and_prints_nothing() {
    let env = Env::new();
    let link = built(&env, false);
    let out = env.ok(format!("match-products -l {link} -p out"));
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("match the products"), "{}", out.stderr);
    // -p defaults to `.`, where the link is not compared (`*.link*` is a
    // default exclude) but the keys are.
    let out = env.fails(1, format!("match-products -l {link}"), "do not match");
    assert_eq!(
        out.stdout,
        "Not in products: bob.pem\nNot in products: bob.pub\n"
    );
    fs::remove_file(env.work().join("bob.pem")).unwrap();
    fs::remove_file(env.work().join("bob.pub")).unwrap();
    env.ok(format!("match-products -l {link}"));
    env.ok(format!("-q match-products -l {link}"));
}

#[test]
fn a_changed_file_is_hashes_differ_and_exit_1() {
    let env = Env::new();
    let link = built(&env, false);
    env.write("out/sub/c", "changed\n");
    let out = env.fails(
        1,
        format!("match-products -l {link} -p out"),
        "do not match",
    );
    assert_eq!(out.stdout, "Hashes differ: out/sub/c\n");
    // -q: the verdict only, by the exit status and the error line.
    let out = env.fails(
        1,
        format!("-q match-products -l {link} -p out"),
        "do not match",
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn extra_and_missing_files_are_the_other_two_lines_sorted() {
    let env = Env::new();
    let link = built(&env, false);
    fs::remove_file(env.work().join("out/b")).unwrap();
    fs::remove_file(env.work().join("out/a")).unwrap();
    env.write("out/z", "new\n");
    env.write("out/new", "new\n");
    env.write("out/sub/c", "changed\n");
    let out = env.fails(
        1,
        format!("match-products -l {link} -p out"),
        "2 only in products",
    );
    assert_eq!(
        out.stdout,
        "Only in products: out/a\nOnly in products: out/b\n\
         Not in products: out/new\nNot in products: out/z\n\
         Hashes differ: out/sub/c\n"
    );
}

#[test]
fn names_are_shown_escaped() {
    let env = Env::new();
    let link = built(&env, false);
    env.write("out/x\x1b[2Jy", "x\n");
    let out = env.fails(
        1,
        format!("match-products -l {link} -p out"),
        "do not match",
    );
    assert_eq!(out.stdout, "Not in products: out/x\\x1b[2Jy\n");
}

#[test]
fn dsse_links_match_too() {
    let env = Env::new();
    let link = built(&env, true);
    assert!(env.json(&link).get("payload").is_some(), "not DSSE");
    env.ok(format!("match-products -l {link} -p out"));
    env.ok(format!(
        "match-products -l {link} -p out --verification-keys bob.pub"
    ));
    env.write("out/a", "changed\n");
    let out = env.fails(
        1,
        format!("match-products -l {link} -p out"),
        "do not match",
    );
    assert_eq!(out.stdout, "Hashes differ: out/a\n");
}

#[test]
fn exclude_patterns_replace_the_defaults() {
    let env = Env::new();
    let link = built(&env, false);
    env.write("out/build.log", "log\n");
    env.write("out/sub/c~", "backup\n");
    // The defaults skip `*~`, not `*.log`.
    let out = env.fails(
        1,
        format!("match-products -l {link} -p out"),
        "do not match",
    );
    assert_eq!(out.stdout, "Not in products: out/build.log\n");
    // -e replaces them: `*~` is compared again, and an excluded directory
    // is skipped whole.
    let out = env.fails(
        1,
        format!("match-products -l {link} -p out -e *.log"),
        "do not match",
    );
    assert_eq!(out.stdout, "Not in products: out/sub/c~\n");
    env.ok(format!("match-products -l {link} -p out -e *.log *~"));
    let out = env.fails(
        1,
        format!("match-products -l {link} -p out -e *.log *~ sub"),
        "do not match",
    );
    assert_eq!(out.stdout, "Only in products: out/sub/c\n");
}

#[test]
fn lstrip_paths_strip_local_names_as_the_step_did() {
    let env = Env::new();
    env.key("bob.pem");
    env.write("out/a", "a\n");
    env.ok("run -n pkg --signing-key bob.pem -p out -x --lstrip-paths out/");
    let link = env.link("pkg");
    let link = link.display();
    let out = env.fails(
        1,
        format!("match-products -l {link} -p out"),
        "do not match",
    );
    assert_eq!(out.stdout, "Only in products: a\nNot in products: out/a\n");
    env.ok(format!(
        "match-products -l {link} -p out --lstrip-paths out/"
    ));
    // The reference's prefix rule holds here too.
    env.fails(
        1,
        format!("match-products -l {link} -p out --lstrip-paths out/ out/a"),
        "out/",
    );
}

#[test]
fn pem_signature_checks_pass_and_fail_naming_the_file_and_key() {
    let env = Env::new();
    let link = built(&env, false);
    env.key("alice.pub");
    let out = env.ok(format!(
        "-v match-products -l {link} -p out --verification-keys bob.pub"
    ));
    assert!(out.stderr.contains("good signature"), "{}", out.stderr);
    // A key that did not sign: nothing is compared.
    let out = env.fails(
        1,
        format!("match-products -l {link} -p out --verification-keys alice.pub"),
        &format!("{link}: signature check failed: no signature by key 211c6413"),
    );
    assert_eq!(out.stdout, "");
    // Every key given must have signed.
    env.fails(
        1,
        format!("match-products -l {link} -p out --verification-keys bob.pub alice.pub"),
        "alice.pub",
    );
}

#[test]
fn a_tampered_link_matches_without_keys_and_fails_with_them() {
    let env = Env::new();
    let link = built(&env, false);
    // Someone changes a product and writes its new digest into the link.
    env.write("out/a", "evil\n");
    env.ok("mock -n digest -- true");
    let evil = env.json("digest.link")["signed"]["products"]["out/a"].clone();
    fs::remove_file(env.work().join("digest.link")).unwrap();
    let mut v = env.json(&link);
    v["signed"]["products"]["out/a"] = evil;
    fs::write(env.work().join(&link), serde_json::to_vec(&v).unwrap()).unwrap();
    // What the reference would accept:
    env.ok(format!("match-products -l {link} -p out"));
    env.fails(
        1,
        format!("match-products -l {link} -p out --verification-keys bob.pub"),
        "invalid signature by key f0d61b92",
    );
}

#[test]
fn gpg_signature_checks_from_the_home_and_from_keyring_files() {
    let env = Env::new();
    let carl = env.fpr("carl");
    env.write("out/a", "a\n");
    env.ok(format!("run -n g -p out -x --gpg {carl}"));
    let link = env.link("g");
    let link = link.file_name().unwrap().to_string_lossy();
    env.ok(format!("match-products -l {link} -p out --gpg {carl}"));
    let carl_asc = testdata().join("keys/carl.asc");
    env.ok(format!(
        "match-products -l {link} -p out --keyring {}",
        carl_asc.display()
    ));
    let alice_asc = testdata().join("keys/alice.asc");
    env.fails(
        1,
        format!(
            "match-products -l {link} -p out --keyring {}",
            alice_asc.display()
        ),
        // --keyring alone: one valid signature by any of its keys.
        &format!("{link}: signature check failed: no key of keyring"),
    );
}

#[test]
fn usage_errors_and_a_layout_instead_of_a_link() {
    let env = Env::new();
    env.code(2, "match-products -p out");
    env.code(2, "match-products -l x.link -e");
    env.fails(1, "match-products -l nothere.link", "nothere.link");
    env.demo_layout(&[]);
    env.fails(1, "match-products -l root.layout", "a layout, not a link");
}

/// The same lines (as sets: the reference prints Python sets) and exit
/// status as `in-toto-match-products -v`, on a Metablock link.
#[test]
fn same_lines_as_the_reference_on_a_metablock_link() {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    let link = built(&env, false);
    env.write("out/pre/x", "x\n");
    let cases: [(&str, &dyn Fn()); 4] = [
        ("-p out/a out/b out/sub", &|| {}),
        ("-p out", &|| {
            env.write("out/sub/c", "changed\n");
            env.write("out/new", "n\n");
            fs::remove_file(env.work().join("out/b")).unwrap();
        }),
        ("-p out -e new sub", &|| {}),
        ("-p out --lstrip-paths out/pre/", &|| {}),
    ];
    for (args, change) in cases {
        change();
        let cmd = format!("-l {link} {args}");
        let ours = env.run(format!("match-products {cmd}"));
        let theirs = rf.cmd(&env, format!("in-toto-match-products -v {cmd}"));
        let theirs = crate::common::output(theirs);
        assert_eq!(ours.code, theirs.code, "{cmd}\n{theirs:?}\n{ours:?}");
        // The reference's first line is its verdict.
        let mut t: Vec<&str> = theirs.stdout.lines().skip(1).collect();
        let mut o: Vec<&str> = ours.stdout.lines().collect();
        t.sort();
        o.sort();
        assert_eq!(o, t, "{cmd}");
    }
}

/// `--keyring` alone means one valid signature by any key in it, as in
/// `verify`: a link is one functionary's.
#[test]
fn a_keyring_alone_needs_the_signature_of_one_of_its_keys() {
    let env = Env::new();
    let carl = env.fpr("carl");
    env.write("out/a", "a\n");
    env.ok(format!("run -n g -p out -x --gpg {carl}"));
    let link = env.link("g");
    let link = link.file_name().unwrap().to_string_lossy();
    crate::packager::keyring(&env, "team.asc", &["alice", "carl"]);
    let out = env.ok(format!(
        "-v match-products -l {link} -p out --keyring team.asc"
    ));
    assert!(
        out.stderr
            .contains(&format!("good signature by {}", carl.to_lowercase())),
        "{}",
        out.stderr
    );
    // A named key beside it must have signed.
    env.key("bob.pub");
    env.fails(
        1,
        format!("match-products -l {link} -p out --keyring team.asc --verification-keys bob.pub"),
        "(bob.pub)",
    );
}
