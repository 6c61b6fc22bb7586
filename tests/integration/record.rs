//! `intoto record start|stop`: the unfinished link between the two, which
//! key may finish it, and what `stop` refuses.

use std::fs;

use crate::common::Env;

const UNFINISHED: &str = ".edit.6f44242c.link-unfinished";

/// carl (carl.pem) has started step "edit" over src/.
fn started() -> Env {
    let env = Env::new();
    env.key("carl.pem");
    env.key("alice.pem");
    env.write("src/a.txt", "a\n");
    env.ok("record start -n edit --signing-key carl.pem -m src");
    assert!(env.work().join(UNFINISHED).exists());
    env
}

#[test]
fn record_stop_without_start_is_an_error() {
    let env = Env::new();
    env.key("carl.pem");
    env.write("src/a.txt", "a\n");
    env.fails(
        1,
        "record stop -n edit --signing-key carl.pem -p src",
        "record start",
    );
}

#[test]
fn record_stop_with_another_key_finds_no_unfinished_link() {
    // The unfinished link must be signed by the key that stops it: with
    // another key it is simply not found (it is named after the key).
    let env = started();
    env.fails(
        1,
        "record stop -n edit --signing-key alice.pem -p src",
        "record start",
    );
    assert!(env.work().join(UNFINISHED).exists(), "carl's is kept");
}

#[test]
fn record_stop_refuses_a_tampered_unfinished_link() {
    let env = started();
    let p = env.work().join(UNFINISHED);
    let orig = fs::read_to_string(&p).unwrap();
    fs::write(&p, orig.replace("src/a.txt", "src/b.txt")).unwrap();
    env.fails(
        1,
        "record stop -n edit --signing-key carl.pem -p src",
        "not signed by the key",
    );
}

#[test]
fn record_stop_writes_the_link_and_removes_the_unfinished_one() {
    let env = started();
    env.write("src/a.txt", "changed\n");
    env.ok("record stop -n edit --signing-key carl.pem -p src");
    assert!(
        !env.work().join(UNFINISHED).exists(),
        "the unfinished link is removed"
    );
    let link = env.json("edit.6f44242c.link");
    assert_ne!(
        link["signed"]["materials"]["src/a.txt"],
        link["signed"]["products"]["src/a.txt"]
    );
}

#[test]
fn record_stop_with_bare_gpg_finds_the_only_unfinished_link() {
    let env = Env::new();
    env.write("src/a.txt", "a\n");
    let carl = env.fpr("carl");
    env.ok(format!("record start -n g --gpg {carl} -m src"));
    env.ok("record stop -n g --gpg -p src");
}

#[test]
fn record_stop_says_what_it_wrote_and_who_signed() {
    let env = started();
    let out = env.ok("record stop -n edit --signing-key carl.pem -p src");
    assert!(
        out.stderr
            .contains("wrote edit.6f44242c.link, signed by key 6f44242c"),
        "{}",
        out.stderr
    );
}

#[test]
fn record_takes_a_pem_keys_password_from_a_file() {
    let env = Env::new();
    env.key("dan.pem"); // encrypted, password hunter2
    env.write("dan.pass", "hunter2\n");
    env.write("a", "a");
    env.ok("record start -n s -m a --signing-key dan.pem --passphrase-file dan.pass");
    env.ok("record stop -n s -p a --signing-key dan.pem --passphrase-file dan.pass");
    env.link("s");
}
