//! Supply-chain verification, stage by stage in the reference's order.
//!
//! 1. layout signatures (by the rule of [`check_owners`]),
//! 2. layout expiry,
//! 3. parameter substitution (when parameters are given),
//! 4. link loading and the preliminary threshold check by file name,
//! 5. link signatures and thresholds (distinct key material),
//! 6. sublayouts (recursively),
//! 7. command alignment (a warning only),
//! 8. artifact agreement for thresholds above one,
//! 9. step rules,
//! 10. inspections (run in the working directory),
//! 11. inspection rules.
//!
//! Each stage is one function; a failure names its stage and the step,
//! key, rule or artifact at fault. The clock is an input, so tests are
//! deterministic.

mod failure;
pub mod owners;
mod source;
mod stages;
mod sublayouts;

use crate::observe::Observer;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::keys::Verifier;
use crate::models::{Envelope, Link};
use crate::policy::Policy;

pub use failure::{Failure, FailureKind, STDERR_TAIL_LINES};
pub use owners::{OwnersError, check_owners};
pub use source::{DirSource, LinkSource, MemorySource, sublayout_name};
pub use stages::{is_param_name, placeholders, substitute};
pub use sublayouts::{DirId, MAX_SUBLAYOUTS};

/// Deepest sublayout nesting followed.
pub const MAX_SUBLAYOUT_DEPTH: usize = 8;

/// A key given to verify the root layout, and where it came from.
pub struct LayoutKey {
    /// The key.
    pub verifier: Box<dyn Verifier>,
    /// For messages: `keys/alice.pub`, `gpg key 1D3E…`, `keyring owners.asc`.
    pub source: String,
    /// Named by the user (`--verification-keys`, `--gpg`): without
    /// `--signatures`, it must have signed. A key that is only in a keyring
    /// file is not required: one valid signature among those suffices.
    pub required: bool,
    /// Its type, for reports: `rsa`, `ecdsa`, `ed25519`, `openpgp`.
    pub kind: String,
}

impl LayoutKey {
    /// A required key.
    pub fn required(verifier: Box<dyn Verifier>, source: impl Into<String>) -> LayoutKey {
        LayoutKey {
            verifier,
            source: source.into(),
            required: true,
            kind: String::new(),
        }
    }
}

/// A root layout key that validly signed it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SignerReport {
    /// The key's id (an OpenPGP key's primary fingerprint).
    pub keyid: String,
    /// Where the key came from.
    pub source: String,
    /// The key's type.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A link that counted towards a step's threshold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountedLink {
    /// The file.
    pub file: String,
    /// The key id of the functionary key that signed it.
    pub signer: String,
}

/// What verification found for one step or inspection of the root layout.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemReport {
    /// The step or inspection.
    pub name: String,
    /// `step` or `inspection`.
    pub kind: &'static str,
    /// The links that counted (an inspection: none, it is run).
    pub links: Vec<CountedLink>,
    /// Links passed over, and why.
    pub skipped: Vec<SkippedLink>,
}

/// What verification established, as far as it got: the layout's valid
/// signers and, per step and inspection, the evidence that counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Trace {
    /// Keys that validly signed the root layout.
    pub signers: Vec<SignerReport>,
    /// Steps, then inspections, in layout order (those reached).
    pub steps: Vec<ItemReport>,
}

/// How to verify: built with [`VerifyOptions::new`] and its setters.
///
/// ```
/// use std::time::Duration;
/// use intoto::verify::VerifyOptions;
///
/// let opts = VerifyOptions::new("links")
///     .params([("VERSION", "1.0")])
///     .inspection_timeout(Some(Duration::from_secs(60)))
///     .work_dir("build");
/// assert_eq!(opts.link_dir(), Some(std::path::Path::new("links")));
/// ```
///
/// Links already in memory come from a [`MemorySource`]:
///
/// ```
/// use intoto::verify::{MemorySource, VerifyOptions};
///
/// let opts = VerifyOptions::with_source(MemorySource::new("fetched links"));
/// assert_eq!(opts.link_dir(), None);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Where the links come from.
    pub(crate) source: Arc<dyn LinkSource>,
    /// The links' directory, when they come from one.
    pub(crate) link_dir: Option<PathBuf>,
    /// Parameters for `{NAME}` placeholders; `None` leaves them literal
    /// (as the reference's command line does).
    pub(crate) params: Option<BTreeMap<String, String>>,
    /// Time limit per inspection command.
    pub(crate) inspection_timeout: Option<Duration>,
    /// The verification time (expiry, revocation), the OpenPGP policy and
    /// whether OpenPGP key types the Python reference cannot verify are
    /// accepted.
    pub(crate) policy: Policy,
    /// Run inspections that a functionary-signed sublayout defines.
    pub(crate) allow_sublayout_inspections: bool,
    /// Where inspections run and record (the final product's directory).
    pub(crate) work_dir: PathBuf,
    /// Write `<inspection>.link` files into `work_dir`, as the reference.
    pub(crate) write_inspection_links: bool,
    /// `--signatures N`: at least N distinct keys among those given must
    /// have validly signed the root layout (instead of the default rule).
    pub(crate) signatures: Option<usize>,
    /// Pre-recorded artifacts for the root layout's inspections.
    pub(crate) inspection_artifacts: Option<crate::models::Artifacts>,
}

impl VerifyOptions {
    /// Verifies with the links in `link_dir`, as `intoto verify` does by
    /// default: the standard policy at the current time, no parameters
    /// (placeholders stay literal), inspections run in the current
    /// directory without a time limit and write no links, sublayouts'
    /// inspections refused, every given key must have signed the layout.
    pub fn new(link_dir: impl Into<PathBuf>) -> VerifyOptions {
        let link_dir = link_dir.into();
        let mut opts = VerifyOptions::with_source(DirSource::new(link_dir.clone()));
        opts.link_dir = Some(link_dir);
        opts
    }

    /// Verifies with the links of `source` (e.g. a [`MemorySource`]),
    /// with the defaults of [`VerifyOptions::new`].
    pub fn with_source(source: impl LinkSource + 'static) -> VerifyOptions {
        VerifyOptions {
            source: Arc::new(source),
            link_dir: None,
            params: None,
            inspection_timeout: None,
            policy: Policy::now(),
            allow_sublayout_inspections: false,
            work_dir: PathBuf::from("."),
            write_inspection_links: false,
            signatures: None,
            inspection_artifacts: None,
        }
    }

    /// Values for the layout's `{NAME}` placeholders (`--param NAME=VALUE`);
    /// a placeholder without one fails verification.
    pub fn params<K: Into<String>, V: Into<String>>(
        self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> VerifyOptions {
        let params = params
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self.params_opt(Some(params))
    }

    /// Parameters as a map, or `None` to leave placeholders literal (as
    /// the reference's command line does without `--param`).
    pub fn params_opt(mut self, params: Option<BTreeMap<String, String>>) -> VerifyOptions {
        self.params = params;
        self
    }

    /// The verification time (expiry, revocation), the OpenPGP policy and
    /// the interop switch (default: [`Policy::now`]).
    pub fn policy(mut self, policy: Policy) -> VerifyOptions {
        self.policy = policy;
        self
    }

    /// Time limit per inspection command (default: none).
    pub fn inspection_timeout(mut self, timeout: Option<Duration>) -> VerifyOptions {
        self.inspection_timeout = timeout;
        self
    }

    /// Where inspections run and record: the final product's directory
    /// (default: the current directory).
    pub fn work_dir(mut self, dir: impl Into<PathBuf>) -> VerifyOptions {
        self.work_dir = dir.into();
        self
    }

    /// Write `<inspection>.link` files into the work directory, as the
    /// reference does (default: no).
    pub fn write_inspection_links(mut self, yes: bool) -> VerifyOptions {
        self.write_inspection_links = yes;
        self
    }

    /// `--signatures N`: at least N distinct keys among those given must
    /// have validly signed the root layout, instead of every required key
    /// (default: `None`, the rule without `--signatures`).
    pub fn signatures(mut self, n: Option<usize>) -> VerifyOptions {
        self.signatures = n;
        self
    }

    /// Run inspections that a functionary-signed sublayout defines
    /// (default: no, such a sublayout fails).
    pub fn allow_sublayout_inspections(mut self, yes: bool) -> VerifyOptions {
        self.allow_sublayout_inspections = yes;
        self
    }

    /// Pre-recorded artifacts for the root layout's inspections: when
    /// given, an inspection whose command is `true` ([`is_true_command`])
    /// is not run, its materials and products are these (a digest taken
    /// from a package index stands for the file); any other inspection
    /// fails, as it cannot be judged that way. `None` (default):
    /// inspections run.
    pub fn inspection_artifacts(
        mut self,
        artifacts: Option<crate::models::Artifacts>,
    ) -> VerifyOptions {
        self.inspection_artifacts = artifacts;
        self
    }

    /// The directory holding the link files, when the links come from a
    /// directory ([`VerifyOptions::new`]).
    pub fn link_dir(&self) -> Option<&std::path::Path> {
        self.link_dir.as_deref()
    }

    /// Where the links come from.
    pub fn source(&self) -> &dyn LinkSource {
        self.source.as_ref()
    }
}

/// True for an inspection command that does nothing but succeed: `true`
/// or a path ending in `/true`, without arguments (apt-transport-in-toto's
/// layouts use `/usr/bin/true`).
pub fn is_true_command(run: &[String]) -> bool {
    matches!(run, [c] if c == "true" || c.ends_with("/true"))
}

/// The stages, for reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Stage {
    /// Layout signatures.
    LayoutSignatures,
    /// The layout's structure (a link given as layout, bad keys).
    LayoutFormat,
    /// Layout expiry.
    LayoutExpiry,
    /// Parameter substitution.
    Substitution,
    /// Reading link files.
    LinkLoading,
    /// Link signatures and thresholds.
    LinkSignatures,
    /// Sublayouts.
    Sublayouts,
    /// Agreement of links for thresholds above one.
    ThresholdArtifacts,
    /// Step artifact rules.
    StepRules,
    /// Running inspections.
    Inspections,
    /// Inspection artifact rules.
    InspectionRules,
}

impl Stage {
    /// Human name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::LayoutSignatures => "layout signatures",
            Stage::LayoutFormat => "layout format",
            Stage::LayoutExpiry => "layout expiry",
            Stage::Substitution => "parameter substitution",
            Stage::LinkLoading => "link loading",
            Stage::LinkSignatures => "link signatures",
            Stage::Sublayouts => "sublayouts",
            Stage::ThresholdArtifacts => "threshold agreement",
            Stage::StepRules => "step rules",
            Stage::Inspections => "inspections",
            Stage::InspectionRules => "inspection rules",
        }
    }
}

/// A link that was passed over, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SkippedLink {
    /// The file.
    pub file: String,
    /// Why it did not count.
    pub reason: String,
}

#[allow(clippy::result_large_err)]
/// Verifies the supply chain of `layout` (root layout) with `keys`.
/// Returns the summary link (materials of the first step, products of the
/// last).
pub fn verify(
    layout: &Envelope,
    keys: &[LayoutKey],
    opts: &VerifyOptions,
    log: &mut dyn Observer,
) -> Result<Link, Failure> {
    verify_traced(layout, keys, opts, log, &mut Trace::default())
}

#[allow(clippy::result_large_err)]
/// Like [`verify`], recording in `trace` what it established (also when
/// it fails: as far as it got).
pub fn verify_traced(
    layout: &Envelope,
    keys: &[LayoutKey],
    opts: &VerifyOptions,
    log: &mut dyn Observer,
    trace: &mut Trace,
) -> Result<Link, Failure> {
    if keys.is_empty() {
        return Err(Failure::new(
            Stage::LayoutSignatures,
            FailureKind::NoLayoutKeys,
            "layout verification needs at least one key",
        ));
    }
    let entered: Vec<_> = opts.source.dir_id().into_iter().collect();
    let budget = std::cell::Cell::new(sublayouts::MAX_SUBLAYOUTS);
    let root = stages::Level::root(opts.source.as_ref(), &entered, &budget);
    stages::verify_layout(layout, keys, opts, root, log, Some(trace))
}

/// A root layout whose signatures were checked, once, with the given
/// keys: [`verify_checked`] verifies supply chains against it without
/// checking them again (a verifier judging many packages with one layout).
pub struct CheckedLayout {
    env: Envelope,
    signers: Vec<SignerReport>,
}

impl CheckedLayout {
    #[allow(clippy::result_large_err)]
    /// Checks the layout's signatures with `keys` (as [`verify`] does, with
    /// `signatures` as `--signatures`) and that it is a layout.
    pub fn check(
        env: Envelope,
        keys: &[LayoutKey],
        signatures: Option<usize>,
    ) -> Result<CheckedLayout, Failure> {
        if keys.is_empty() {
            return Err(Failure::new(
                Stage::LayoutSignatures,
                FailureKind::NoLayoutKeys,
                "layout verification needs at least one key",
            ));
        }
        let signers = stages::layout_signatures(&env, keys, signatures)?;
        if !matches!(env.signed(), crate::models::Signed::Layout(_)) {
            return Err(Failure::new(
                Stage::LayoutFormat,
                FailureKind::NotALayout,
                "the file given as layout is a link, not a layout",
            ));
        }
        Ok(CheckedLayout { env, signers })
    }

    /// The layout.
    pub fn envelope(&self) -> &Envelope {
        &self.env
    }

    /// The keys that validly signed it.
    pub fn signers(&self) -> &[SignerReport] {
        &self.signers
    }
}

#[allow(clippy::result_large_err)]
/// Stages 2 to 11 of [`verify`] for a layout whose signatures were checked
/// (`opts.signatures` does not apply again). `trace` starts with the
/// layout's signers.
pub fn verify_checked(
    layout: &CheckedLayout,
    opts: &VerifyOptions,
    log: &mut dyn Observer,
    trace: &mut Trace,
) -> Result<Link, Failure> {
    trace.signers = layout.signers.clone();
    let entered: Vec<_> = opts.source.dir_id().into_iter().collect();
    let budget = std::cell::Cell::new(sublayouts::MAX_SUBLAYOUTS);
    let root = stages::Level::root(opts.source.as_ref(), &entered, &budget);
    stages::verify_signed_layout(&layout.env, opts, root, log, Some(trace))
}

#[cfg(test)]
mod tests;
