//! Test harness: scratch directories with a private copy of the demo GnuPG
//! home, the `intoto` binary, and the Python reference (from a venv).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

/// Runs and returns (exit code, stdout, stderr).
pub fn run(mut c: Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = c.output().expect("spawn");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Runs, asserting the exit code, and returns stderr + stdout.
#[track_caller]
pub fn expect(c: Command, code: i32) -> String {
    let dbg = format!("{c:?}");
    let (rc, out, err) = run(c);
    assert_eq!(rc, code, "{dbg}\nstdout:\n{out}\nstderr:\n{err}");
    format!("{err}{out}")
}

/// The Python reference's venv `bin` directory. Tests that compare with
/// the reference need it; set INTOTO_SKIP_REFERENCE=1 to skip them when
/// it is not installed (`.ci/run` installs it).
pub fn reference() -> Option<PathBuf> {
    let venv = std::env::var_os("INTOTO_REF_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-ref"));
    let bin = venv.join("bin");
    if bin.join("in-toto-verify").exists() {
        return Some(bin);
    }
    if std::env::var_os("INTOTO_SKIP_REFERENCE").is_some() {
        eprintln!(
            "skipping: no reference venv at {} (INTOTO_SKIP_REFERENCE is set)",
            venv.display()
        );
        return None;
    }
    panic!(
        "the Python reference is not installed at {}: run `python3 -m venv .venv-ref && .venv-ref/bin/pip install in-toto==3.1.0` \
         (or set INTOTO_REF_VENV), or set INTOTO_SKIP_REFERENCE=1",
        venv.display()
    );
}

/// A reference tool (`in-toto-run`, ...) in the working directory of `env`.
pub fn ref_tool(refbin: &Path, env: &Env, tool: &str) -> Command {
    let mut c = Command::new(refbin.join(tool));
    c.current_dir(env.work())
        .env("GNUPGHOME", &env.gnupg)
        .stdin(Stdio::null());
    c
}
