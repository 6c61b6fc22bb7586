//! Signing with a key on an OpenPGP smartcard, through gpg-agent and
//! scdaemon, with a virtual card (scripts/vcard). Ignored in a plain
//! `cargo test`; scripts/card-test starts the card and runs this.
//!
//! One test, in order, because the steps share (and finally remove) the
//! one card.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Argv, Out, Reference, bin, check};

struct Card {
    dir: PathBuf,
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
        dir,
        fpr,
        work: tempfile::tempdir().unwrap(),
    }
}

impl Card {
    /// `intoto` with this command line, in the card's working directory
    /// and GnuPG home.
    fn cmd(&self, cmd: impl Argv) -> Command {
        let mut c = Command::new(bin());
        c.args(cmd.argv())
            .current_dir(self.work.path())
            .env("GNUPGHOME", &self.home)
            .env("PCSCLITE_CSOCK_NAME", &self.socket)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c
    }

    /// Runs `intoto`, asserting it succeeds.
    #[track_caller]
    fn ok(&self, cmd: impl Argv) -> Out {
        check(self.cmd(cmd), 0)
    }

    /// Replaces the test pinentry's answers.
    fn pinentry(&self, user_pin: &str, confirm: &str) {
        let script = format!(
            "#!/bin/sh\necho \"OK ready\"\nadmin=0\nwhile IFS= read -r line; do\n  case \"$line\" in\n    \
             SETDESC*Admin*|SETPROMPT*Admin*) admin=1; echo OK ;;\n    \
             GETPIN*) if [ $admin = 1 ]; then echo \"D 12345678\"; else echo \"D {user_pin}\"; fi; admin=0; echo OK ;;\n    \
             CONFIRM*) echo \"{confirm}\" ;;\n    BYE*) echo OK; exit 0 ;;\n    *) echo OK ;;\n  esac\ndone\n"
        );
        let tmp = self.dir.join("pinentry.new");
        fs::write(&tmp, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o700)).unwrap();
        fs::rename(tmp, self.dir.join("pinentry")).unwrap();
    }
}

/// Runs with a time limit: a card problem must end in an error, not a hang.
fn run_limited(mut c: Command, limit: Duration) -> (i32, String) {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            );
            return (st.code().unwrap_or(-1), text);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("intoto did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs the virtual OpenPGP card: scripts/card-test"]
fn signing_with_a_card_key() {
    let c = card();
    c.pinentry("123456", "OK");
    fs::write(c.work.path().join("input.txt"), "on the card\n").unwrap();

    // gpgme + gpg-agent + scdaemon: the link and a layout are signed on the card.
    let fpr = &c.fpr;
    let out = c
        .ok(format!("run -n carded -m input.txt --gpg {fpr} -- true"))
        .text();
    assert!(
        out.contains("OpenPGP card"),
        "the signer should say it uses the card: {out}"
    );
    let link = format!("carded.{}.link", &c.fpr[..8].to_lowercase());
    c.ok(format!("sign --verify --gpg {fpr} -f {link}"));
    c.ok("layout new root.layout --expires 1y");
    c.ok(format!("sign -f root.layout --gpg {fpr}"));
    c.ok(format!("verify -l root.layout --gpg {fpr}"));
    if let Some(rf) = Reference::find() {
        for f in [link.as_str(), "root.layout"] {
            let mut v = Command::new(rf.bin.join("in-toto-sign"));
            v.args(["--verify", "--gpg", fpr, "-f", f])
                .current_dir(c.work.path())
                .env("GNUPGHOME", &c.home)
                .env("PCSCLITE_CSOCK_NAME", &c.socket)
                .stdin(Stdio::null());
            check(v, 0);
        }
    }

    // The gpg command-line backend reaches the card too.
    let mut cli = c.cmd(format!("run -n cli -x --gpg {fpr}"));
    cli.env("INTOTO_GPG_BACKEND", "cli");
    check(cli, 0);
    let short = fpr[..8].to_lowercase();
    c.ok(format!("sign --verify --gpg {fpr} -f cli.{short}.link"));

    // A wrong PIN: a clear error, no link; the right one works again.
    c.pinentry("000000", "OK");
    let (rc, out) = run_limited(
        c.cmd(format!("run -n wrongpin -x --gpg {fpr}")),
        Duration::from_secs(60),
    );
    assert_eq!(rc, 1, "{out}");
    assert!(
        out.contains("PIN"),
        "the error should say the PIN was wrong: {out}"
    );
    assert!(
        !c.work
            .path()
            .join(format!("wrongpin.{short}.link"))
            .exists()
    );
    c.pinentry("123456", "OK");
    c.ok(format!("run -n again -x --gpg {fpr}"));

    // The card is pulled out; the "insert the card" prompt is cancelled.
    c.pinentry("123456", "ERR 83886179 Operation cancelled");
    let pid = fs::read_to_string(c.dir.join("card.pid")).unwrap();
    let _ = Command::new("kill").arg(pid.trim()).status();
    std::thread::sleep(Duration::from_millis(500));
    let (rc, out) = run_limited(
        c.cmd(format!("run -n gone -x --gpg {fpr}")),
        Duration::from_secs(60),
    );
    assert_eq!(rc, 1, "{out}");
    assert!(
        out.contains("card"),
        "the error should point at the card: {out}"
    );
}
