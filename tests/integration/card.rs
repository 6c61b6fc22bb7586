//! Signing with a key on an OpenPGP smartcard, through gpg-agent and
//! scdaemon, with a virtual card (scripts/vcard). Ignored in a plain
//! `cargo test`; scripts/card-test starts the card and runs these.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::common::{bin, expect, reference};

struct Card {
    home: PathBuf,
    socket: PathBuf,
    fpr: String,
    work: tempfile::TempDir,
}

fn card() -> Card {
    let dir = PathBuf::from(
        std::env::var_os("VCARD_DIR").expect("VCARD_DIR is not set: run scripts/card-test"),
    );
    let fpr = fs::read_to_string(dir.join("fingerprint"))
        .expect("no card key: run scripts/card-test")
        .trim()
        .to_owned();
    Card {
        home: dir.join("g"),
        socket: dir.join("run/pcscd/pcscd.comm"),
        fpr,
        work: tempfile::tempdir().unwrap(),
    }
}

impl Card {
    fn intoto(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args)
            .current_dir(self.work.path())
            .env("GNUPGHOME", &self.home)
            .env("PCSCLITE_CSOCK_NAME", &self.socket)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c
    }
}

#[test]
#[ignore = "needs the virtual OpenPGP card: scripts/card-test"]
fn run_signs_with_a_card_key_and_both_implementations_verify() {
    let c = card();
    fs::write(c.work.path().join("input.txt"), "on the card\n").unwrap();
    let out = expect(
        c.intoto(&[
            "run",
            "-n",
            "carded",
            "-m",
            "input.txt",
            "--gpg",
            &c.fpr,
            "--",
            "true",
        ]),
        0,
    );
    assert!(
        out.contains("OpenPGP card"),
        "the signer should say it uses the card: {out}"
    );
    let link = format!("carded.{}.link", &c.fpr[..8].to_lowercase());
    assert!(c.work.path().join(&link).exists(), "{link} written");
    expect(
        c.intoto(&["sign", "--verify", "--gpg", &c.fpr, "-f", &link]),
        0,
    );
    // Layouts are signed on the card too.
    expect(
        c.intoto(&["layout", "new", "root.layout", "--expires", "1y"]),
        0,
    );
    expect(c.intoto(&["sign", "-f", "root.layout", "--gpg", &c.fpr]), 0);
    expect(
        c.intoto(&["verify", "-l", "root.layout", "--gpg", &c.fpr]),
        0,
    );
    if let Some(refbin) = reference() {
        for f in [link.as_str(), "root.layout"] {
            let mut v = Command::new(refbin.join("in-toto-sign"));
            v.args(["--verify", "--gpg", &c.fpr, "-f", f])
                .current_dir(c.work.path())
                .env("GNUPGHOME", &c.home)
                .env("PCSCLITE_CSOCK_NAME", &c.socket)
                .stdin(Stdio::null());
            expect(v, 0);
        }
    }
}

#[test]
#[ignore = "needs the virtual OpenPGP card: scripts/card-test"]
fn the_gpg_command_line_backend_signs_with_the_card_too() {
    let c = card();
    let mut cmd = c.intoto(&["run", "-n", "cli", "-x", "--gpg", &c.fpr]);
    cmd.env("INTOTO_GPG_BACKEND", "cli");
    expect(cmd, 0);
    let link = format!("cli.{}.link", &c.fpr[..8].to_lowercase());
    expect(
        c.intoto(&["sign", "--verify", "--gpg", &c.fpr, "-f", &link]),
        0,
    );
}
