//! Whole supply chains with the Python reference: a layout written with
//! `intoto layout`, signed and co-signed here, steps performed with
//! `intoto run|record`, verified by `in-toto-verify` and by `intoto
//! verify`. Layouts authored against the reference in other ways are in
//! `canonical.rs`.

use std::fs;

use crate::common::demo::demo_layout;
use crate::common::{Env, Reference, check};

/// The classic chain: layout written with `intoto layout`, signed by the
/// owner (PEM) and, unless DSSE, co-signed with a GnuPG key (gina), steps
/// run with `intoto` (clone and update-version by dave's GnuPG key,
/// package by carl's PEM key), verified by `in-toto-verify` with both
/// owner keys, and here.
fn demo_chain(dsse: bool) {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    let gina = env.fpr("gina");
    let dsse_flag = if dsse { "--dsse" } else { "" };
    let (dave, _) = demo_layout(
        &env,
        &format!("--readme demo {dsse_flag}"),
        "tar --exclude .git -zcf demo-project.tar.gz demo-project",
    );
    if !dsse {
        env.ok(format!("sign -f root.layout -a --gpg {gina}"));
    }

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
    let dsse_flag = if dsse { "--use-dsse" } else { "" };
    env.ok(format!(
        "run -n package -m demo-project -p demo-project.tar.gz -d links --signing-key carl.pem \
         {dsse_flag} -- tar --exclude .git -zcf demo-project.tar.gz demo-project"
    ));

    // Verify from a directory holding only the final product.
    let w = env.work();
    let final_product = |dir: &str| {
        let d = w.join(dir);
        fs::create_dir_all(&d).unwrap();
        fs::copy(w.join("demo-project.tar.gz"), d.join("demo-project.tar.gz")).unwrap();
        d
    };
    let (layout, keys, links) = (w.join("root.layout"), w.join("alice.pub"), w.join("links"));
    let cosigner = |home: bool| match (dsse, home) {
        (true, _) => String::new(),
        (false, true) => format!("--gpg {gina} --gpg-home {}", env.gnupg.display()),
        (false, false) => format!("--gpg {gina}"),
    };
    let verify = format!(
        "--layout {} --verification-keys {} {} --link-dir {}",
        layout.display(),
        keys.display(),
        cosigner(true),
        links.display()
    );
    let mut v = rf.cmd(&env, ("in-toto-verify", verify));
    v.current_dir(final_product("final"));
    let out = check(v, 0).text();
    assert!(!out.contains("Error"), "{out}");
    // And here.
    let verify = format!(
        "verify --layout {} --verification-keys {} {} --link-dir {}",
        layout.display(),
        keys.display(),
        cosigner(false),
        links.display()
    );
    let mut v = env.cmd(verify);
    v.current_dir(final_product("final2"));
    check(v, 0);
    // in-toto-sign --verify accepts the co-signed layout for each key.
    rf.ok(&env, "in-toto-sign -f root.layout --verify -k alice.pub");
}

#[test]
fn demo_chain_written_here_verifies_in_the_reference() {
    demo_chain(false);
}

#[test]
fn dsse_demo_chain_written_here_verifies_in_the_reference() {
    demo_chain(true);
}
