//! One layout judging package after package.
//!
//! [`Checker::new`] loads the layout and checks its signatures once;
//! [`Checker::check`] then verifies one package: the rebuilders' links are
//! handed to verification in memory (a [`MemorySource`], each under its
//! step and the id of each key that signed it, as `<step>.<keyid8>.link`
//! would be found), and the library's verification runs with the
//! parameters `{DEB}`, `{PACKAGE}`, `{VERSION}` (and `{ARCHITECTURE}`,
//! `{SOURCE}`, `{SOURCE_VERSION}`). When an inspection runs a command,
//! the package goes into a private temporary directory under its pool
//! file name and the inspections run there. When every inspection is
//! `true`, what one would record there (the package alone, under that
//! name) is the package's SHA-256: the file is read once, and no
//! directory or process is made; a digest taken from a package index
//! stands for the file the same way. One checker judges packages on
//! several threads at once ([`Checker::judge_at`]).
//!
//! The verdict comes from the kind of failure, not from messages: too few
//! links for a step ([`verify::FailureKind::TooFewLinks`]) is missing
//! evidence; everything else (a bad signature by an
//! authorized key, a digest that differs, a rule that fails, an expired
//! layout) contradicts the package.

use std::path::{Path, PathBuf};
use std::time::Duration;

use intoto::fsio;
use intoto::observe::Collect;
use intoto::policy::Policy;
use intoto::verify::{
    self, CheckedLayout, Failure, LayoutKey, MemorySource, Trace, VerifyOptions, is_true_command,
    verify_checked,
};
use intoto_format::models::{Artifacts, HashDict, Signed};

use super::deb::DebInfo;

/// What is judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A downloaded `.deb` (placed in the work directory under its pool
    /// file name when an inspection runs a command; the inspections run
    /// there).
    File(PathBuf),
    /// A downloaded package placed in the work directory as `file_name`
    /// (an Arch Linux package keeps its own name).
    Named {
        /// The file.
        path: PathBuf,
        /// Its name there (`{DEB}`).
        file_name: String,
    },
    /// A package known by its SHA-256 (from a `Packages` index, not
    /// downloaded): it stands as `file_name` for the inspections, which
    /// must all be `true` ([`Checker::digest_unjudgeable`]).
    Digest {
        /// Lowercase or uppercase hex, 64 digits.
        sha256: String,
        /// The pool file name (`{DEB}`).
        file_name: String,
    },
}

/// The judgement on one package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The supply chain verified.
    Verified,
    /// Evidence contradicts the package (one line, why).
    Failed(String),
    /// Not enough evidence: too few links (one line, why).
    MissingEvidence(String),
}

/// A verdict and the verification stage that decided it (`None` when
/// verified, or when the package could not be verified at all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// The stage's name (`inspection rules`, `threshold`, …).
    pub stage: Option<&'static str>,
}

/// Why a checker could not be made: the configuration is broken.
#[derive(Debug, thiserror::Error)]
pub enum CheckerError {
    /// The layout could not be read.
    #[error("layout {0}")]
    Load(String),
    /// The layout is not signed by the keys given (or is not a layout).
    #[error("layout {path}: {failure} ({})", failure.stage.name())]
    Refused {
        /// The layout file.
        path: String,
        /// What its verification found.
        failure: Box<Failure>,
    },
}

/// A layout, signature-checked once, and how to verify with it.
pub struct Checker {
    layout: CheckedLayout,
    policy: Policy,
    inspection_timeout: Option<Duration>,
    temp_dir: Option<PathBuf>,
    digest_unjudgeable: Option<String>,
    /// The layout's step names (a rebuilderd's link names its step
    /// `rebuild <artifact>`).
    steps: Vec<String>,
}

impl Checker {
    /// Loads the layout at `layout` and checks its signatures with `keys`
    /// (as `intoto verify` does: every named key must have signed; a key
    /// only found in a keyring file is not required, one valid signature
    /// among those suffices), at `policy`'s time.
    pub fn new(
        layout: &Path,
        keys: Vec<LayoutKey>,
        policy: &Policy,
    ) -> Result<Checker, CheckerError> {
        Checker::with_signatures(layout, keys, None, policy)
    }

    /// [`Checker::new`], with `signatures` as `--signatures N`: at least
    /// N distinct keys among `keys` must have validly signed the layout
    /// (`None`: the rule of [`Checker::new`]; see
    /// [`verify::check_owners`]).
    pub fn with_signatures(
        layout: &Path,
        keys: Vec<LayoutKey>,
        signatures: Option<usize>,
        policy: &Policy,
    ) -> Result<Checker, CheckerError> {
        let env = fsio::load_metadata(layout).map_err(|e| CheckerError::Load(e.to_string()))?;
        let layout_name = layout.display().to_string();
        let checked =
            CheckedLayout::check(env, &keys, signatures).map_err(|f| CheckerError::Refused {
                path: layout_name,
                failure: Box::new(f),
            })?;
        let digest_unjudgeable = match checked.envelope().signed() {
            Signed::Layout(l) => l
                .inspect
                .iter()
                .find(|i| !is_true_command(&i.run))
                .map(|i| {
                    format!(
                        "the layout's inspection '{}' runs '{}': a package known only by its digest cannot be judged by it (only inspections whose command is `true` can)",
                        i.name,
                        i.run.join(" ")
                    )
                }),
            Signed::Link(_) => None,
        };
        let steps = match checked.envelope().signed() {
            Signed::Layout(l) => l.steps.iter().map(|s| s.name.clone()).collect(),
            Signed::Link(_) => Vec::new(),
        };
        Ok(Checker {
            steps,
            layout: checked,
            policy: policy.clone(),
            inspection_timeout: Some(Duration::from_secs(300)),
            temp_dir: None,
            digest_unjudgeable,
        })
    }

    /// Time limit per inspection command (default 300 s; `None`: none).
    pub fn with_inspection_timeout(mut self, t: Option<Duration>) -> Checker {
        self.inspection_timeout = t;
        self
    }

    /// Where the private temporary directories are made (default: the
    /// system's, `$TMPDIR`).
    pub fn with_temp_dir(mut self, dir: PathBuf) -> Checker {
        self.temp_dir = Some(dir);
        self
    }

    /// The same checker judging at another time (a long-running process
    /// moves its clock forward).
    pub fn set_policy(&mut self, policy: &Policy) {
        self.policy = policy.clone();
    }

    /// The keys that validly signed the layout.
    pub fn signers(&self) -> &[verify::SignerReport] {
        self.layout.signers()
    }

    /// Why [`Target::Digest`] cannot be judged with this layout (an
    /// inspection runs a real command), or `None` when it can.
    pub fn digest_unjudgeable(&self) -> Option<&str> {
        self.digest_unjudgeable.as_deref()
    }

    /// Verifies `deb` (`target`) with `links` (rebuilder entry, link
    /// bytes). Links that are not signed in-toto links are left out (they
    /// are no evidence); the reason then says so.
    pub fn check(&self, deb: &DebInfo, target: Target, links: &[(String, Vec<u8>)]) -> Verdict {
        self.judge(deb, target, links).verdict
    }

    /// [`Checker::check`], also saying which verification stage decided.
    pub fn judge(&self, deb: &DebInfo, target: Target, links: &[(String, Vec<u8>)]) -> Judgement {
        self.judge_at(deb, target, links, &self.policy)
    }

    /// [`Checker::judge`] at `policy` (its time) rather than the
    /// checker's own: one checker shared by threads judging at different
    /// times.
    pub fn judge_at(
        &self,
        deb: &DebInfo,
        target: Target,
        links: &[(String, Vec<u8>)],
        policy: &Policy,
    ) -> Judgement {
        match self.run(deb, target, links, policy) {
            Ok((verdict, stage)) => Judgement { verdict, stage },
            Err(e) => Judgement {
                verdict: Verdict::Failed(e),
                stage: None,
            },
        }
    }

    /// A private directory, removed after the check and also when the
    /// process is killed by SIGINT, SIGTERM or SIGHUP
    /// ([`fsio::install_signal_handlers`]).
    fn temp(&self, prefix: &str) -> Result<fsio::PrivateDir, String> {
        fsio::PrivateDir::new(self.temp_dir.as_deref(), prefix)
            .map_err(|e| format!("making a temporary directory: {e}"))
    }

    /// Puts the file at `path` into `work` as `name` (a hard link, else a
    /// copy).
    fn place(
        &self,
        work: &fsio::PrivateDir,
        path: &Path,
        name: String,
    ) -> Result<(String, Option<Artifacts>), String> {
        let dest = work.path().join(&name);
        if std::fs::hard_link(path, &dest).is_err() {
            std::fs::copy(path, &dest).map_err(|e| format!("copying {}: {e}", path.display()))?;
        }
        Ok((name, None))
    }

    fn run(
        &self,
        deb: &DebInfo,
        target: Target,
        links: &[(String, Vec<u8>)],
        policy: &Policy,
    ) -> Result<(Verdict, Option<&'static str>), String> {
        let (source, notes) = link_source(links, &self.steps);
        let (path, name) = match target {
            Target::File(path) => (path, deb.pool_file_name()),
            Target::Named { path, file_name } => {
                if !safe_name(&file_name) {
                    return Err(format!("{file_name:?} is not a file name"));
                }
                (path, file_name)
            }
            Target::Digest { sha256, file_name } => {
                if let Some(why) = &self.digest_unjudgeable {
                    return Ok((Verdict::Failed(why.clone()), None));
                }
                let digest: [u8; 32] = hex::decode(&sha256)
                    .ok()
                    .and_then(|d| d.try_into().ok())
                    .ok_or_else(|| format!("SHA256 {sha256:?} is not 64 hex digits"))?;
                if file_name.contains('/') || file_name.starts_with('.') || file_name.is_empty() {
                    return Err(format!("{file_name:?} is not a pool file name"));
                }
                let a: Artifacts = [(file_name.as_str(), HashDict::sha256(digest))]
                    .into_iter()
                    .collect();
                // Judged from the digest: no directory to run in.
                return Ok(self.verify(deb, file_name, None, Some(a), source, notes, policy));
            }
        };
        // Every inspection is `true`: what it would record in the work
        // directory, the package alone under its name, is its digest
        // (unless the name is one the recording leaves out, `*.link*`).
        // The file is read once, and no directory or process is made.
        if self.digest_unjudgeable.is_none() && !name.contains(".link") {
            let digest =
                sha256_file(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            let a: Artifacts = [(name.as_str(), HashDict::sha256(digest))]
                .into_iter()
                .collect();
            return Ok(self.verify(deb, name, None, Some(a), source, notes, policy));
        }
        // An inspection runs a command: in a private directory holding
        // the package alone.
        let work = self.temp("intoto-deb.")?;
        let (file_name, _) = self.place(&work, &path, name)?;
        Ok(self.verify(deb, file_name, Some(&work), None, source, notes, policy))
    }

    /// Verification with the package as `file_name`: inspections run in
    /// `work`, or (none given) are judged from `inspection_artifacts`.
    #[allow(clippy::too_many_arguments)]
    fn verify(
        &self,
        deb: &DebInfo,
        file_name: String,
        work: Option<&fsio::PrivateDir>,
        inspection_artifacts: Option<Artifacts>,
        source: MemorySource,
        notes: Vec<String>,
        policy: &Policy,
    ) -> (Verdict, Option<&'static str>) {
        let params = [
            ("DEB", file_name),
            ("PACKAGE", deb.package.clone()),
            ("VERSION", deb.version.clone()),
            ("ARCHITECTURE", deb.architecture.clone()),
            ("SOURCE", deb.source.clone()),
            ("SOURCE_VERSION", deb.source_version.clone()),
        ];
        let mut opts = VerifyOptions::with_source(source)
            .params(params)
            .inspection_timeout(self.inspection_timeout)
            .policy(policy.clone())
            .inspection_artifacts(inspection_artifacts);
        if let Some(work) = work {
            // A private directory already, made for this package.
            opts = opts.work_dir(work.path()).inspect_in_place(true);
        }
        let mut log = Collect::default();
        let mut trace = Trace::default();
        let result = verify_checked(&self.layout, &opts, &mut log, &mut trace);
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("; {}", notes.join("; "))
        };
        match result {
            Ok(_) => (Verdict::Verified, None),
            Err(f) => {
                let line = format!("{f} ({}){notes}", f.stage.name());
                let stage = Some(f.stage.name());
                if is_missing_evidence(&f) {
                    (Verdict::MissingEvidence(line), stage)
                } else {
                    (Verdict::Failed(line), stage)
                }
            }
        }
    }
}

/// Too few link files for a step: missing evidence. Everything else that
/// fails verification contradicts the package.
pub fn is_missing_evidence(f: &Failure) -> bool {
    f.is_missing_evidence()
}

/// The rebuilders' links, each under its step and the id of each key
/// that signed it; returns notes on links left out. rebuilderd names a
/// link's step `rebuild <artifact>` (its file is still
/// `rebuild.<keyid8>.link`): a name that is not one of the layout's
/// `steps` but starts with one and a space goes under that step, as the
/// file would be found (verification warns that the names differ).
fn link_source(links: &[(String, Vec<u8>)], steps: &[String]) -> (MemorySource, Vec<String>) {
    let mut source = MemorySource::new("the rebuilders' answers");
    let mut notes = Vec::new();
    for (rebuilder, bytes) in links {
        let env = match intoto_format::models::Envelope::from_slice(bytes) {
            Ok(e) => e,
            Err(e) => {
                notes.push(format!("rebuilder {rebuilder}: not in-toto metadata: {e}"));
                continue;
            }
        };
        let Signed::Link(link) = env.signed() else {
            notes.push(format!(
                "rebuilder {rebuilder}: answered a layout, not a link"
            ));
            continue;
        };
        if !safe_name(&link.name) {
            notes.push(format!(
                "rebuilder {rebuilder}: the link's step name {:?} cannot be a file name",
                link.name
            ));
            continue;
        }
        let step = if steps.contains(&link.name) {
            link.name.clone()
        } else {
            steps
                .iter()
                .find(|s| {
                    link.name
                        .strip_prefix(s.as_str())
                        .is_some_and(|rest| rest.starts_with(' '))
                })
                .cloned()
                .unwrap_or_else(|| link.name.clone())
        };
        let keyids = env.signature_keyids();
        if keyids.is_empty() {
            notes.push(format!("rebuilder {rebuilder}: the link is not signed"));
        }
        for id in keyids {
            if !safe_name(&id) || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                notes.push(format!(
                    "rebuilder {rebuilder}: signature key id {id:?} is not hex"
                ));
                continue;
            }
            // A second link by the same key for the same step is left out.
            source.insert(&step, &id.to_ascii_lowercase(), env.clone());
        }
    }
    (source, notes)
}

/// The SHA-256 of the file at `path`, read once.
fn sha256_file(path: &Path) -> std::io::Result<[u8; 32]> {
    use sha2::{Digest as _, Sha256};
    use std::io::Read as _;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(h.finalize().into())
}

fn safe_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && !s.contains(['/', '\0', '\\'])
        && !s.chars().any(char::is_control)
}

#[cfg(test)]
mod tests;
