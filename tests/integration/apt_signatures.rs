//! The apt method's `APT::Intoto::Signatures`: at least N distinct keys
//! among the owner keys configured must have signed the layout, as
//! `verify --signatures N` (on `apt.rs`'s loopback repository).

use std::fs;
use std::process::Command;

use crate::apt::{Apt, tools};

#[test]
fn signatures_counts_distinct_owner_keys() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let d = apt.root.display();
    let carl = apt.root.join("carl.asc");
    let mut c = Command::new("gpg");
    c.arg("--homedir")
        .arg(&apt.env.gnupg)
        .args(["--armor", "--export", &apt.env.fpr("carl")]);
    fs::write(&carl, c.output().unwrap().stdout).unwrap();
    // alice (owner.gpg) signed: one of alice and carl suffices.
    let both = format!("  Keyring {{ \"{d}/owner.gpg\"; \"{d}/carl.asc\"; }};\n");
    apt.configure(
        &apt.mirror.url,
        &format!("{both}  Signatures \"1\";\n"),
        false,
    );
    apt.ok(&["update"]);
    apt.ok(&["download", "good1"]);
    // Two of them: refused, naming who signed and who did not.
    fs::remove_file(apt.root.join("dl/good1_1.0_all.deb")).unwrap();
    apt.configure(
        &apt.mirror.url,
        &format!("{both}  Signatures \"2\";\n"),
        false,
    );
    let out = apt.fails(
        &["download", "good1"],
        "needs valid signatures by 2 of the 2 keys given, found 1: signed: ",
    );
    assert!(out.contains("the configuration is broken"), "{out}");
    assert!(out.contains("not signed: "), "{out}");
    assert_eq!(apt.debs(), Vec::<String>::new());
    // Not a number, or more than there are keys: named.
    for (n, needle) in [
        ("x", "APT::Intoto::Signatures \"x\""),
        ("3", "APT::Intoto::Signatures 3: only 2"),
    ] {
        apt.configure(
            &apt.mirror.url,
            &format!("{both}  Signatures \"{n}\";\n"),
            false,
        );
        apt.fails(&["download", "good1"], needle);
    }
}
