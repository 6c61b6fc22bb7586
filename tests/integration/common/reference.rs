//! The Python reference (in-toto from a venv): finding it, running its
//! tools like `intoto` is run, and reading what it writes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;

use super::{Argv, Env, Out, check, repo};

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

/// The Python reference's tools, run like `intoto` is: `rf.ok(&env,
/// "in-toto-sign --verify -k alice.pub -f x.link")` (the first word names
/// the tool in the venv).
pub struct Reference {
    pub bin: PathBuf,
}

impl Reference {
    /// The reference, or None when it is to be skipped (see [`reference`]).
    pub fn find() -> Option<Reference> {
        reference().map(|bin| Reference { bin })
    }

    /// A reference tool with this command line, in the working directory
    /// of `env` and with its GnuPG home.
    pub fn cmd(&self, env: &Env, cmd: impl Argv) -> Command {
        let argv = cmd.argv();
        let (tool, args) = argv.split_first().expect("a reference tool");
        let mut c = ref_tool(&self.bin, env, tool);
        c.args(args);
        c
    }

    /// Runs a reference tool, asserting it succeeds.
    #[track_caller]
    pub fn ok(&self, env: &Env, cmd: impl Argv) -> Out {
        check(self.cmd(env, cmd), 0)
    }

    /// Runs a reference tool, asserting its exit code.
    #[track_caller]
    pub fn code(&self, env: &Env, code: i32, cmd: impl Argv) -> Out {
        check(self.cmd(env, cmd), code)
    }

    /// The venv's python running `script` with `args`, fed `lines` (one
    /// JSON value per line) on stdin; its stdout, asserting success.
    pub fn python_lines(
        &self,
        script: &str,
        args: &[&Path],
        lines: &[serde_json::Value],
    ) -> String {
        use std::io::Write as _;
        let mut c = self.python(script);
        c.args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut input = String::new();
        for l in lines {
            input.push_str(&serde_json::to_string(l).unwrap());
            input.push('\n');
        }
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The venv's python running `script` (`python -c SCRIPT`).
    pub fn python(&self, script: &str) -> Command {
        let mut c = Command::new(self.bin.join("python"));
        c.args(["-c", script]);
        c
    }
}

/// Whether a link or layout file is DSSE, and its `signed` payload (DSSE
/// decoded).
pub fn payload(path: &Path) -> (bool, serde_json::Value) {
    let v: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    if let Some(p) = v.get("payload") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(p.as_str().unwrap())
            .unwrap();
        (true, serde_json::from_slice(&bytes).unwrap())
    } else {
        (false, v["signed"].clone())
    }
}
