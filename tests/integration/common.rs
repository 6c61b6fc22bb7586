//! Test harness: scratch directories with a private copy of the demo GnuPG
//! home, the `intoto` binary, and the Python reference (from a venv).
//!
//! Scenarios read like shell sessions: `env.ok("sign -f root.layout -k
//! alice.pem")`, `env.fails(2, "verify -l root.layout", "at least one
//! layout key")`, `rf.ok(&env, "in-toto-sign --verify -k alice.pub -f x")`.
//! A command line given as one string is split at whitespace; an array is
//! taken verbatim (for an argument holding spaces); a pair is the two one
//! after the other: `("run -n s --signing-key carl.pem --", ["sh", "-c",
//! "exit 7"])` (see [`Argv`]).
//!
//! `common/command.rs` runs commands and checks what they left;
//! `common/reference.rs` finds and runs the reference;
//! `common/loopback.rs` serves mirrors and rebuilders on 127.0.0.1, and
//! `common/archive.rs` runs `verify-archive` on the apt test's repository.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub mod archive;
mod command;
pub mod demo;
pub mod loopback;
pub mod measure;
mod reference;

pub use command::*;
pub use reference::*;

/// The binary under test: this build's, or `INTOTO_TEST_BIN` (to check
/// that a new test fails on an older build).
pub fn bin() -> PathBuf {
    std::env::var_os("INTOTO_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_intoto")))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn testdata() -> PathBuf {
    repo().join("testdata")
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            copy_dir(&e.path(), &t);
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(e.path()).unwrap(), &t).unwrap();
        } else {
            fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// Whether the tests run as root (who reads any file).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Runs `program args` in a scratch copy of the case folder `dir` (an
/// interop or third-party case, described by `meta`): its GnuPG homes made
/// private, in the case's `cwd`, with no input and no GNUPGHOME; agents
/// stopped afterwards.
pub fn run_in_case_copy(
    dir: &Path,
    meta: &serde_json::Value,
    program: &Path,
    args: &[String],
) -> Output {
    let scratch = tempfile::Builder::new()
        .prefix("case")
        .tempdir_in("/tmp")
        .unwrap();
    let work = scratch.path().join("c");
    copy_dir(dir, &work);
    let homes: Vec<PathBuf> = meta["gpg_homes"]
        .as_array()
        .map(|a| a.iter().map(|h| work.join(h.as_str().unwrap())).collect())
        .unwrap_or_default();
    for h in &homes {
        fs::set_permissions(h, fs::Permissions::from_mode(0o700)).unwrap();
    }
    let cwd = work.join(meta["cwd"].as_str().unwrap_or("."));
    fs::create_dir_all(&cwd).unwrap();
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env_remove("GNUPGHOME")
        .env_remove("GNUPG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    for h in &homes {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(h)
            .args(["--kill", "all"])
            .output();
    }
    out
}

/// A scratch directory with its own GnuPG home (a copy of gnupg-home).
pub struct Env {
    pub dir: tempfile::TempDir,
    pub gnupg: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::Builder::new()
            .prefix("it")
            .tempdir_in("/tmp")
            .unwrap();
        let gnupg = dir.path().join("g");
        copy_dir(&repo().join("gnupg-home"), &gnupg);
        fs::remove_file(gnupg.join("regenerate.sh")).ok();
        fs::set_permissions(&gnupg, fs::Permissions::from_mode(0o700)).unwrap();
        for sub in ["private-keys-v1.d", "openpgp-revocs.d"] {
            let p = gnupg.join(sub);
            if p.exists() {
                fs::set_permissions(&p, fs::Permissions::from_mode(0o700)).unwrap();
            }
        }
        let env = Env { dir, gnupg };
        fs::create_dir_all(env.path("w")).unwrap();
        env
    }

    /// A path inside the scratch directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs the shell command line `cmd` in the working directory on a
    /// terminal (`script` gives it one), with this GnuPG home.
    pub fn on_a_terminal(&self, cmd: &str) -> Output {
        Command::new("script")
            .args(["-qefc", cmd, "/dev/null"])
            .current_dir(self.work())
            .env("GNUPGHOME", &self.gnupg)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }

    /// The working directory for commands (`<scratch>/w`).
    pub fn work(&self) -> PathBuf {
        self.path("w")
    }

    /// Writes a file under the working directory.
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.work().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    /// Copies testdata/keys/<name> into the working directory.
    pub fn key(&self, name: &str) -> PathBuf {
        let to = self.work().join(name);
        fs::copy(testdata().join("keys").join(name), &to).unwrap();
        to
    }

    /// `intoto ARGS` in the working directory.
    pub fn intoto<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut c = Command::new(bin());
        c.args(args)
            .current_dir(self.work())
            .env("GNUPGHOME", &self.gnupg)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c.env_remove("GNUPG");
        c
    }

    /// `intoto` with this command line, in the working directory.
    pub fn cmd(&self, cmd: impl Argv) -> Command {
        self.intoto(cmd.argv())
    }

    /// Runs `intoto` and returns what it left, asserting nothing.
    pub fn run(&self, cmd: impl Argv) -> Out {
        output(self.cmd(cmd))
    }

    /// Runs `intoto`, asserting it succeeds.
    #[track_caller]
    pub fn ok(&self, cmd: impl Argv) -> Out {
        check(self.cmd(cmd), 0)
    }

    /// Runs `intoto`, asserting its exit code.
    #[track_caller]
    pub fn code(&self, code: i32, cmd: impl Argv) -> Out {
        check(self.cmd(cmd), code)
    }

    /// Runs `intoto`, asserting it fails the way a person can act on: exit
    /// `code`, exactly one error line and it mentions `needle`, no panic,
    /// no backtrace.
    #[track_caller]
    pub fn fails(&self, code: i32, cmd: impl Argv, needle: &str) -> Out {
        let c = self.cmd(cmd);
        let shown = shown(&c);
        let out = output(c);
        let Out {
            code: rc,
            stdout,
            stderr: err,
        } = &out;
        assert_eq!(*rc, code, "{shown}\nstdout: {stdout}\nstderr: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{shown}: {err}"
        );
        let errors: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("intoto: error:") || l.starts_with("error:"))
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "expected one error line for {shown}, got: {err}"
        );
        assert!(
            errors[0].contains(needle),
            "error for {shown} should mention {needle:?}: {}",
            errors[0]
        );
        out
    }

    /// A JSON file under the working directory.
    #[track_caller]
    pub fn json(&self, rel: impl AsRef<Path>) -> serde_json::Value {
        let p = self.work().join(rel);
        let bytes = fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// The names in the working directory that contain `.link` (links and
    /// unfinished links).
    pub fn links(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.work())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".link"))
            .collect();
        v.sort();
        v
    }

    /// The link of step `step` in the working directory (`STEP.*.link`).
    #[track_caller]
    pub fn link(&self, step: &str) -> PathBuf {
        let prefix = format!("{step}.");
        fs::read_dir(self.work())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with(&prefix) && name.ends_with(".link")
            })
            .unwrap_or_else(|| panic!("no link {prefix}*.link in {:?}", self.links()))
    }

    /// `root.layout` (expires 2099-01-01) with one step per name in `steps`,
    /// each performed by bob's PEM key (added only when there are steps),
    /// unsigned. Returns bob's key id. Copies alice.pem, alice.pub and
    /// bob.pub into the working directory.
    pub fn demo_layout(&self, steps: &[&str]) -> String {
        for k in ["alice.pem", "alice.pub", "bob.pub"] {
            self.key(k);
        }
        self.ok("layout new root.layout --expires 2099-01-01");
        if steps.is_empty() {
            return String::new();
        }
        let bob = self.ok("layout add-key root.layout --key bob.pub");
        let bob = bob.stdout.trim().to_owned();
        for step in steps {
            self.ok(format!(
                "layout add-step root.layout --name {step} --functionary {bob}"
            ));
        }
        bob
    }

    /// [`Env::demo_layout`], signed by alice (alice.pem).
    pub fn signed_demo_layout(&self, steps: &[&str]) -> String {
        let bob = self.demo_layout(steps);
        self.ok("sign -f root.layout -k alice.pem");
        bob
    }

    /// Makes a NIST P-256 signing key without a passphrase (nist@example.org)
    /// in the GnuPG home and returns its fingerprint.
    pub fn nist_key(&self) -> String {
        let st = Command::new("gpg")
            .arg("--homedir")
            .arg(&self.gnupg)
            .args([
                "--batch",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--quick-gen-key",
                "Nist <nist@example.org>",
                "nistp256",
                "sign",
                "never",
            ])
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        self.fpr("nist")
    }

    /// Runs gpg on this GnuPG home (batch, no passphrase) and returns its
    /// stdout, asserting it succeeds.
    #[track_caller]
    pub fn gpg(&self, args: &[&str]) -> String {
        let out = Command::new("gpg")
            .arg("--homedir")
            .arg(&self.gnupg)
            .args(["--batch", "--no-tty", "--pinentry-mode", "loopback"])
            .args(["--passphrase", ""])
            .args(args)
            .current_dir(self.work())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Makes `Name <name@example.org>`: a certify-only Ed25519 primary key
    /// (expiring after `primary`, gpg's syntax) with an Ed25519 signing
    /// subkey (expiring after `sub`), the usual smartcard layout. Returns
    /// the primary and subkey fingerprints.
    pub fn subkey_owner(&self, name: &str, primary: &str, sub: &str) -> (String, String) {
        let mut cap = name.to_owned();
        cap[..1].make_ascii_uppercase();
        let uid = format!("{cap} <{name}@example.org>");
        self.gpg(&["--quick-gen-key", &uid, "ed25519", "cert", primary]);
        let fpr = self.fpr(name);
        self.gpg(&["--quick-add-key", &fpr, "ed25519", "sign", sub]);
        let fprs = self.fprs(name);
        (fpr, fprs[1].clone())
    }

    /// Makes an Ed25519 signing key with `passphrase` (pat@example.org),
    /// stops the agent (so nothing is cached) and returns its keygrip.
    pub fn passphrase_key(&self, passphrase: &str) -> String {
        let gpg = |args: &[&str]| {
            let out = Command::new("gpg")
                .arg("--homedir")
                .arg(&self.gnupg)
                .args(args)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        gpg(&[
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            passphrase,
            "--quick-gen-key",
            "Pat <pat@example.org>",
            "ed25519",
            "sign",
            "never",
        ]);
        self.stop_agent();
        let listing = gpg(&["--with-colons", "--with-keygrip", "-K", "pat@example.org"]);
        listing
            .lines()
            .find_map(|l| l.strip_prefix("grp:"))
            .and_then(|l| l.split(':').nth(8))
            .unwrap()
            .to_owned()
    }

    /// Stops this GnuPG home's gpg-agent (cached passphrases go with it).
    pub fn stop_agent(&self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(&self.gnupg)
            .args(["--kill", "gpg-agent"])
            .output();
    }

    /// A rebuilder's link for `artifact`: `intoto run -n rebuild -p NAME
    /// -x` signed with the PEM key `key` (in the working directory) over a
    /// copy of it in the new directory `dir` (relative to the root);
    /// returns the link file's path.
    pub fn rebuilder_link(&self, dir: &str, artifact: &Path, key: &str) -> PathBuf {
        let dir = self.path(dir);
        fs::create_dir_all(&dir).unwrap();
        let name = artifact.file_name().unwrap().to_str().unwrap().to_owned();
        fs::copy(artifact, dir.join(&name)).unwrap();
        let mut c = self.cmd(format!(
            "run -n rebuild --signing-key {} -d {} -p {name} -x",
            self.work().join(key).display(),
            dir.display()
        ));
        c.current_dir(&dir);
        check(c, 0);
        fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "link"))
            .unwrap()
    }

    /// Fingerprint of the demo key `name` (alice, bob, ...).
    pub fn fpr(&self, name: &str) -> String {
        self.fprs(name)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no key {name}"))
    }

    /// Fingerprints of all (sub)keys of `name`, primary first.
    pub fn fprs(&self, name: &str) -> Vec<String> {
        let out = Command::new("gpg")
            .args(["--homedir"])
            .arg(&self.gnupg)
            .args([
                "--with-colons",
                "--list-keys",
                &format!("<{name}@example.org>"),
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("fpr:"))
            .filter_map(|l| l.split(':').nth(9).map(str::to_owned))
            .collect()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(&self.gnupg)
            .args(["--kill", "all"])
            .output();
    }
}
