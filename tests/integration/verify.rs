//! `intoto verify` on the command line: the `--json` report, usage errors,
//! a missing layout, and the directory inspections see (a private copy,
//! or the directory itself with `--inspect-in-place`). What verification
//! decides is tested next to the stages (unit tests), in `interop.rs` and
//! in `reference_layouts.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{Env, check};

#[test]
fn verify_json_report_names_the_stage() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    let out = env.code(
        1,
        "verify -l root.layout --verification-keys alice.pub --json",
    );
    let v = out.json();
    assert_eq!(v["result"], "failed");
    assert_eq!(v["failure"]["stage"], "link-loading");
    assert_eq!(v["failure"]["step"], "build");
    assert_eq!(v["failure"]["kind"], "too-few-links");
    assert_eq!(v["failure"]["needed"], 1);
    assert_eq!(v["failure"]["found"], 0);
    assert_eq!(v["failure"]["looked_for"].as_array().map(Vec::len), Some(1));
}

#[test]
fn verify_usage_errors_exit_2() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    env.fails(2, "verify -l root.layout", "at least one layout key");
    env.fails(
        2,
        "verify -l root.layout --verification-keys alice.pub --param nope",
        "KEY=VALUE",
    );
}

#[test]
fn verify_names_a_missing_layout() {
    let env = Env::new();
    env.key("alice.pub");
    env.fails(
        1,
        "verify -l missing.layout --verification-keys alice.pub",
        "missing.layout",
    );
}

/// m of n owners: the failure lists who signed and who did not, and how
/// many are needed, without suggesting fewer.
#[test]
fn too_few_owner_signatures_list_who_signed_and_who_did_not() {
    let env = Env::new();
    for k in ["alice.pem", "alice.pub", "bob.pub", "carl.pub"] {
        env.key(k);
    }
    env.ok("layout new root.layout --expires 2099-12-31");
    env.ok("sign -f root.layout -k alice.pem");
    let out = env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub bob.pub carl.pub --signatures 2",
        "needs valid signatures by 2 of the 3 keys given, found 1: signed: ",
    );
    let e = &out.stderr;
    assert!(
        e.contains("(alice.pub); not signed: ")
            && e.contains("(bob.pub): no signature")
            && e.contains("(carl.pub): no signature")
            && !e.contains("--signatures"),
        "{e}"
    );
}

/// A PEM key named beside a keyring must sign; the keyring alone still
/// needs one of its keys, not all.
#[test]
fn a_keyring_beside_a_named_key_still_needs_one_of_its_keys() {
    let env = Env::new();
    env.key("bob.pem");
    env.key("bob.pub");
    env.ok("layout new root.layout --expires 2099-12-31");
    crate::packager::keyring(&env, "owners.asc", &["alice", "carl"]);
    let alice = env.fpr("alice");
    env.ok(format!("sign -f root.layout --gpg {alice}"));
    env.ok("sign -f root.layout -a -k bob.pem");
    env.ok("verify -l root.layout --keyring owners.asc --verification-keys bob.pub");
    env.ok("verify -l root.layout --keyring owners.asc --verification-keys bob.pub --signatures 2");
    env.fails(
        1,
        "verify -l root.layout --keyring owners.asc --verification-keys bob.pub --signatures 3",
        "needs valid signatures by 3 of the 3 keys given, found 2",
    );
}

#[test]
fn verify_names_links_signed_by_keys_the_step_does_not_authorise() {
    let env = Env::new();
    env.signed_demo_layout(&["build"]);
    // After a rotation: carl signed, the step still names bob.
    env.key("carl.pem");
    env.ok("run -n build --signing-key carl.pem -- true");
    let out = env.code(1, "verify -l root.layout --verification-keys alice.pub");
    assert!(
        out.stderr
            .contains("found build.6f44242c.link, signed by a key this step does not authorise"),
        "{}",
        out.stderr
    );
    let v = env
        .code(
            1,
            "verify -l root.layout --verification-keys alice.pub --json",
        )
        .json();
    assert_eq!(v["failure"]["kind"], "too-few-links");
    assert_eq!(v["failure"]["unauthorised"][0], "build.6f44242c.link");
}

/// root.layout signed by rita's Ed25519 signing subkey; her public key
/// exported to rita.asc. Returns rita's primary and subkey fingerprints.
fn signed_by_rita(env: &Env, sub_expires: &str) -> (String, String) {
    let (primary, sub) = env.subkey_owner("rita", "never", sub_expires);
    env.ok("layout new root.layout --expires 2099-01-01");
    env.ok("sign -f root.layout --gpg rita@example.org");
    env.gpg(&["--armor", "--output", "rita.asc", "--export", &primary]);
    (primary, sub)
}

#[test]
fn verify_with_a_keyring_alone_says_the_owner_key_was_revoked() {
    let env = Env::new();
    let (primary, _) = signed_by_rita(&env, "never");
    // gpg's own revocation certificate, imported: a hard revocation.
    let rev = fs::read_to_string(env.gnupg.join(format!("openpgp-revocs.d/{primary}.rev")))
        .unwrap()
        .replace(":-----BEGIN", "-----BEGIN");
    fs::write(env.work().join("rita.rev"), rev).unwrap();
    env.gpg(&["--import", "rita.rev"]);
    env.gpg(&["--armor", "--output", "revoked.asc", "--export", &primary]);
    let out = env.fails(
        1,
        "verify -l root.layout --keyring revoked.asc",
        "was revoked",
    );
    assert!(
        out.stderr
            .contains(&format!("{primary} (Rita <rita@example.org>) was revoked")),
        "{}",
        out.stderr
    );
    let v = env
        .code(1, "verify -l root.layout --keyring revoked.asc --json")
        .json();
    let msg = v["failure"]["message"].as_str().unwrap();
    assert!(msg.contains("was revoked"), "{msg}");
}

#[test]
fn verify_names_the_gpg_command_that_extends_an_expired_subkey() {
    let env = Env::new();
    let (primary, sub) = signed_by_rita(&env, "1y");
    let fix = format!("gpg --quick-set-expire {primary} 2y {sub}");
    for keys in ["--keyring rita.asc", "--gpg rita@example.org"] {
        let out = env.fails(
            1,
            format!("verify -l root.layout {keys} --time 2035-01-01"),
            "expired on",
        );
        assert!(out.stderr.contains(&fix), "{keys}: {}", out.stderr);
    }
    let v = env
        .code(
            1,
            "verify -l root.layout --keyring rita.asc --time 2035-01-01 --json",
        )
        .json();
    let msg = v["failure"]["message"].as_str().unwrap();
    assert!(msg.contains(&fix), "{msg}");
}

#[test]
fn verify_takes_a_user_id_and_says_where_else_to_find_keys() {
    let env = Env::new();
    env.ok("layout new root.layout --expires 2099-01-01");
    env.ok("sign -f root.layout --gpg alice@example.org");
    env.ok("verify -l root.layout --gpg alice@example.org");
    env.ok("verify -l root.layout --gpg Alice");
    env.fails(
        1,
        "verify -l root.layout --gpg nobody@example.org",
        "gpg --import",
    );
    // No gpg at all: say so, and name --keyring.
    let empty = env.path("empty-bin");
    fs::create_dir_all(&empty).unwrap();
    let mut c = env.cmd("verify -l root.layout --gpg alice@example.org");
    c.env("PATH", &empty);
    let out = check(c, 1);
    assert!(
        out.stderr.contains("GnuPG is not available") && out.stderr.contains("--keyring"),
        "{}",
        out.stderr
    );
    // No GnuPG home: the same.
    let mut c = env.cmd("verify -l root.layout --gpg alice@example.org");
    c.env("GNUPGHOME", env.path("nowhere"));
    let out = check(c, 1);
    assert!(
        out.stderr.contains("GnuPG is not set up") && out.stderr.contains("--keyring"),
        "{}",
        out.stderr
    );
}

/// Every path under `dir` with its content (a symlink: its target).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            let m = fs::symlink_metadata(&p).unwrap();
            if m.is_symlink() {
                let t = fs::read_link(&p).unwrap();
                out.insert(name, t.as_os_str().as_encoded_bytes().to_vec());
            } else if m.is_dir() {
                out.insert(name, Vec::new());
                todo.push(p);
            } else {
                out.insert(name, fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The ux study's packager: an inspection that unpacks (here: makes a
/// file) and forbids finding it among its materials.
fn layout_with_a_writing_inspection(env: &Env) {
    env.demo_layout(&[]);
    env.ok([
        "layout",
        "add-inspection",
        "root.layout",
        "--name",
        "unpack",
        "--run",
        "sh -c 'echo unpacked > hello'",
        "--material",
        "DISALLOW hello",
        "--product",
        "CREATE hello",
    ]);
    env.ok("sign -f root.layout -k alice.pem");
    env.write("sub/data", "data");
    std::os::unix::fs::symlink("sub/data", env.work().join("data-link")).unwrap();
    std::os::unix::fs::symlink("../outside", env.work().join("out-link")).unwrap();
    fs::write(env.path("outside"), "outside").unwrap();
}

#[test]
fn verify_leaves_the_directory_as_it_found_it() {
    let env = Env::new();
    layout_with_a_writing_inspection(&env);
    let tmp = env.path("tmp");
    fs::create_dir(&tmp).unwrap();
    let before = snapshot(&env.work());
    for _ in 0..2 {
        let mut c = env.cmd("verify -l root.layout --verification-keys alice.pub");
        c.env("TMPDIR", &tmp);
        check(c, 0);
        assert_eq!(
            snapshot(&env.work()),
            before,
            "verify changed the directory"
        );
        let left: Vec<_> = fs::read_dir(&tmp).unwrap().collect();
        assert!(left.is_empty(), "the private copy was left: {left:?}");
    }
    // The copy is said with -v; the links asked for go to the directory.
    let mut c =
        env.cmd("verify -l root.layout --verification-keys alice.pub -v --write-inspection-links");
    c.env("TMPDIR", &tmp);
    let out = check(c, 0);
    assert!(out.stderr.contains("private copy of"), "{}", out.stderr);
    assert!(env.work().join("unpack.link").is_file());
    let link = env.json("unpack.link");
    let products = link["signed"]["products"].as_object().unwrap();
    for name in ["hello", "sub/data", "data-link", "out-link", "root.layout"] {
        assert!(
            products.contains_key(name),
            "{name} not recorded: {products:?}"
        );
    }
    assert!(!env.work().join("hello").exists());
}

#[test]
fn verify_inspect_in_place_changes_the_directory_as_the_reference() {
    let env = Env::new();
    layout_with_a_writing_inspection(&env);
    env.ok("verify -l root.layout --verification-keys alice.pub --inspect-in-place");
    assert_eq!(
        fs::read_to_string(env.work().join("hello")).unwrap(),
        "unpacked\n"
    );
    // What the reference's users meet on the second run.
    env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub --inspect-in-place",
        "DISALLOW hello",
    );
    // Without it, the directory as it now is passes the rules of a copy
    // that is still made from it: the stray file is a material.
    env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "DISALLOW hello",
    );
}

#[test]
fn verify_says_who_signed_the_layout() {
    let env = Env::new();
    env.ok("layout new root.layout --expires 2099-01-01");
    env.ok("sign -f root.layout --gpg alice@example.org");
    let asc = crate::common::testdata().join("keys/alice.asc");
    let out = env.ok(format!("verify -l root.layout --keyring {}", asc.display()));
    let alice = env.fpr("alice").to_lowercase();
    assert!(
        out.stderr.contains(&format!(
            "layout signed by {alice} Alice <alice@example.org> (keyring"
        )),
        "{}",
        out.stderr
    );
    let v = env
        .ok(format!(
            "verify -l root.layout --keyring {} --json",
            asc.display()
        ))
        .json();
    assert_eq!(v["signers"][0]["user_id"], "Alice <alice@example.org>");
}

#[test]
fn verify_refuses_a_directory_it_cannot_copy_for_inspections() {
    let env = Env::new();
    layout_with_a_writing_inspection(&env);
    let fifo = env.work().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "pipe is a FIFO",
    );
    assert!(out.stderr.contains("--inspect-in-place"), "{}", out.stderr);
}

#[test]
fn verify_interrupted_during_an_inspection_leaves_no_copy() {
    let env = Env::new();
    env.demo_layout(&[]);
    env.ok([
        "layout",
        "add-inspection",
        "root.layout",
        "--name",
        "wait",
        "--run",
        "sleep 30",
    ]);
    env.ok("sign -f root.layout -k alice.pem");
    let tmp = env.path("tmp");
    fs::create_dir(&tmp).unwrap();
    let mut c = env.cmd("verify -l root.layout --verification-keys alice.pub");
    c.env("TMPDIR", &tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let start = Instant::now();
    // The copy exists and the inspection runs (its sleep is a child).
    while fs::read_dir(&tmp).unwrap().next().is_none() || !process_has_child(child.id()) {
        assert!(start.elapsed() < Duration::from_secs(20), "no copy made");
        assert!(child.try_wait().unwrap().is_none(), "verify ended early");
        std::thread::sleep(Duration::from_millis(20));
    }
    #[allow(unsafe_code)]
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGTERM));
    let left: Vec<_> = fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "the private copy was left: {left:?}");
}

/// Whether process `pid` has a child (from /proc).
fn process_has_child(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .is_ok_and(|c| !c.trim().is_empty())
}

#[test]
fn verify_beside_the_layout_says_what_inspections_see() {
    let env = Env::new();
    env.demo_layout(&[]);
    env.ok([
        "layout",
        "add-inspection",
        "root.layout",
        "--name",
        "untar",
        "--run",
        "true",
        "--material",
        "DISALLOW *",
    ]);
    env.ok("sign -f root.layout -k alice.pem");
    let out = env.fails(
        1,
        "verify -l root.layout --verification-keys alice.pub",
        "DISALLOW *",
    );
    assert!(
        out.stderr.contains("the layout and the links included")
            && out.stderr.contains("holding only the final product"),
        "{}",
        out.stderr
    );
    // From a directory holding only the product: passes, and no hint.
    fs::create_dir(env.work().join("final")).unwrap();
    let mut c = env.cmd("verify -l ../root.layout --verification-keys ../alice.pub --link-dir ..");
    c.current_dir(env.work().join("final"));
    let out = check(c, 0);
    assert!(!out.stderr.contains("holding only"), "{}", out.stderr);
}
