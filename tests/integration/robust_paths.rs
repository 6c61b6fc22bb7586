//! Hostile paths and names: symlinks planted under the names intoto makes
//! (links of `run`, inspections) and user-named files behind another
//! user's symlink in a sticky directory, sublayout directories that loop
//! back, step names too long for a file name, a layout edit on a full
//! disk.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Env, Out, check, is_root};

/// Runs `c` for at most `limit`; `None` when it had to be killed.
fn run_for(mut c: Command, limit: Duration) -> Option<Out> {
    let dir = tempfile::tempdir().unwrap();
    let (o, e) = (dir.path().join("o"), dir.path().join("e"));
    let mut child = c
        .stdout(fs::File::create(&o).unwrap())
        .stderr(fs::File::create(&e).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return Some(Out {
                code: st.code().unwrap_or(-1),
                stdout: fs::read_to_string(&o).unwrap(),
                stderr: fs::read_to_string(&e).unwrap(),
            });
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `lchown` of a symlink itself.
fn lchown(p: &Path, uid: u32) {
    std::os::unix::fs::lchown(p, Some(uid), Some(uid)).unwrap();
}

#[test]
fn run_replaces_a_symlink_planted_under_its_link_name() {
    let env = Env::new();
    env.key("carl.pem");
    env.write("victim", "precious");
    let shared = env.work().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let planted = shared.join("build.6f44242c.link");
    symlink("../victim", &planted).unwrap();
    if is_root() {
        // Another user's symlink, as in /tmp: the kernel's own rule would
        // not apply, the path being resolved in user space.
        lchown(&planted, 65534);
    }
    env.ok("run -n build -d shared --signing-key carl.pem -x");
    assert_eq!(
        fs::read_to_string(env.work().join("victim")).unwrap(),
        "precious"
    );
    let m = fs::symlink_metadata(&planted).unwrap();
    assert!(m.is_file(), "the link must replace the symlink");
    env.key("carl.pub");
    env.ok("sign --verify -f shared/build.6f44242c.link -k carl.pub");
}

#[test]
fn inspection_links_never_follow_a_planted_symlink() {
    let env = Env::new();
    env.demo_layout(&[]);
    env.ok((
        "layout add-inspection root.layout --name untar --run",
        ["ln -s ../outside.txt untar.link"],
    ));
    env.ok("sign -f root.layout -k alice.pem");
    fs::write(env.path("outside.txt"), "outside").unwrap();
    // In the directory itself (as the reference), the symlink is planted
    // where the link is written; by default it is planted in the copy.
    for extra in [" --inspect-in-place", ""] {
        let _ = fs::remove_file(env.work().join("untar.link"));
        let out = env.ok(format!(
            "verify -l root.layout --verification-keys alice.pub --write-inspection-links{extra}"
        ));
        assert_eq!(
            fs::read_to_string(env.path("outside.txt")).unwrap(),
            "outside",
            "{}",
            out.stderr
        );
        assert!(
            fs::symlink_metadata(env.work().join("untar.link"))
                .unwrap()
                .is_file()
        );
    }
}

#[test]
fn another_users_symlink_in_a_sticky_directory_is_not_followed() {
    if !is_root() {
        eprintln!("skipped: needs root to give a symlink away");
        return;
    }
    let env = Env::new();
    env.demo_layout(&[]);
    let shared = env.work().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let before = fs::read(env.work().join("root.layout")).unwrap();
    let planted = shared.join("root.layout");
    symlink("../root.layout", &planted).unwrap();
    lchown(&planted, 65534);
    env.fails(
        1,
        "sign -f shared/root.layout -k alice.pem",
        "sticky world-writable directory",
    );
    assert_eq!(fs::read(env.work().join("root.layout")).unwrap(), before);
    // The user's own symlink there is followed, as before.
    lchown(&planted, 0);
    env.ok("sign -f shared/root.layout -k alice.pem");
    assert!(
        fs::symlink_metadata(&planted)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// One functionary key and sublayout directories symlinked to their own
/// directory: every level finds the same three sublayouts again, 3^8
/// verifications unless the loop is seen.
#[test]
fn sublayout_directories_that_loop_are_refused_at_once() {
    let env = Env::new();
    let bob = env.demo_layout(&["s"]);
    env.ok("sign -f root.layout -k alice.pem");
    env.key("bob.pem");
    env.ok("layout new sub.layout --expires 2099-01-01");
    env.ok("layout add-key sub.layout --key bob.pub");
    for s in ["s", "t", "u"] {
        env.ok(format!(
            "layout add-step sub.layout --name {s} --functionary {bob}"
        ));
    }
    env.ok("sign -f sub.layout -k bob.pem");
    let links = env.work().join("links");
    fs::create_dir(&links).unwrap();
    for s in ["s", "t", "u"] {
        fs::copy(
            env.work().join("sub.layout"),
            links.join(format!("{s}.{}.link", &bob[..8])),
        )
        .unwrap();
        symlink(".", links.join(format!("{s}.{}", &bob[..8]))).unwrap();
    }
    let c = env.cmd("verify -l root.layout --verification-keys alice.pub --link-dir links");
    let out = run_for(c, Duration::from_secs(20)).expect("verify must not take this long");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("symlink loop"), "{}", out.stderr);
}

#[test]
fn a_step_name_too_long_for_its_link_is_refused_before_running() {
    let env = Env::new();
    env.key("carl.pem");
    let name = "s".repeat(240);
    env.fails(
        2,
        (
            format!("run -n {name} --signing-key carl.pem --"),
            ["touch", "ran"],
        ),
        "longer than the 255 bytes",
    );
    assert!(!env.work().join("ran").exists(), "the command must not run");
    // The longest name that fits works, temporary file and all.
    let name = "s".repeat(228);
    env.ok((
        format!("run -n {name} --signing-key carl.pem --"),
        ["touch", "ran"],
    ));
    assert!(env.work().join(format!("{name}.6f44242c.link")).is_file());
}

/// A full disk (a file size limit, so no mount is needed): the edit fails,
/// says nothing was done, and leaves the layout as it was.
#[test]
fn a_layout_edit_that_cannot_be_written_claims_nothing() {
    let env = Env::new();
    let bob = env.demo_layout(&["s"]);
    env.ok(["layout", "set-readme", "root.layout", &"r".repeat(4000)]);
    let before = fs::read(env.work().join("root.layout")).unwrap();
    let mut c = Command::new("sh");
    c.current_dir(env.work())
        .env("GNUPGHOME", &env.gnupg)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 2; exec \"$0\" layout add-step root.layout --name build --functionary \"$1\"")
        .arg(crate::common::bin())
        .arg(&bob);
    let out = check(c, 1);
    assert!(!out.stderr.contains("added step"), "{}", out.stderr);
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
    assert_eq!(fs::read(env.work().join("root.layout")).unwrap(), before);
}
