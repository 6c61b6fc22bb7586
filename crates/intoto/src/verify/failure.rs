//! The failure report: the stage that failed, what failed (a
//! [`FailureKind`] with its facts) and the one line that says so.

use serde::Serialize;

use super::{SkippedLink, Stage};
use crate::rules::RuleFailure;

/// What failed, with the facts a report needs. Serialised with a `kind`
/// tag (kebab-case), its fields beside the [`Failure`]'s.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FailureKind {
    /// Layout signatures: no key was given.
    NoLayoutKeys,
    /// Layout signatures: a key that must have signed did not sign
    /// validly.
    BadSignature {
        /// The key's id.
        key: String,
        /// Why its signature does not count.
        why: String,
    },
    /// Layout signatures (`--signatures N`): too few of the keys given
    /// signed validly.
    TooFewLayoutSignatures {
        /// N.
        needed: usize,
        /// Valid signatures by the keys given.
        found: usize,
    },
    /// Layout signatures: no key of the keyrings given signed validly.
    NoKeyringSignature {
        /// The keyrings.
        keyrings: Vec<String>,
    },
    /// Layout format: the file given as layout is a link.
    NotALayout,
    /// Layout expiry: `expires` is not a date.
    MalformedExpiry {
        /// The field as written.
        expires: String,
    },
    /// Layout expiry: the layout expired.
    LayoutExpired {
        /// When.
        expires: String,
    },
    /// Parameter substitution: a bad parameter name or placeholder.
    Substitution {
        /// Why.
        why: String,
    },
    /// Link loading: a link is there but cannot be used (not a regular
    /// file, too large, unreadable, not in-toto metadata).
    LinkUnreadable {
        /// The file.
        file: String,
        /// Why.
        why: String,
    },
    /// Link loading: one key has both a `.link` and a `.json` file for
    /// one step.
    TwoLinkFiles {
        /// The `.link` file.
        link: String,
        /// The `.json` file.
        json: String,
    },
    /// Link loading: fewer links than the step's threshold.
    TooFewLinks {
        /// The threshold.
        needed: i64,
        /// Links found.
        found: usize,
        /// The links looked for (`<step>.<keyid8>.link`).
        looked_for: Vec<String>,
        /// Link files of the step that are there, signed by keys the step
        /// does not authorise (`<step>.<keyid8>.link`).
        unauthorised: Vec<String>,
    },
    /// Link signatures: fewer links validly signed by distinct authorized
    /// keys than the threshold (the others are the `skipped_links`).
    TooFewSignedLinks {
        /// The threshold.
        needed: i64,
        /// Distinct keys that validly signed.
        found: usize,
    },
    /// Link signatures: a link attestation whose signature by an
    /// authorized key verified is not a valid link attestation for the
    /// step (payload type, Statement or predicate shape, step name).
    InvalidAttestation {
        /// The file.
        file: String,
        /// Why.
        why: String,
    },
    /// Sublayouts: nested deeper than [`super::MAX_SUBLAYOUT_DEPTH`].
    SublayoutTooDeep,
    /// Sublayouts: more than [`super::MAX_SUBLAYOUTS`] in one verification.
    TooManySublayouts,
    /// Sublayouts: a sublayout's links are in a directory already entered.
    SublayoutLoop {
        /// The sublayout (`<step>.<keyid8>`).
        sublayout: String,
    },
    /// Inspections: a sublayout defines inspections and they are not
    /// allowed.
    SublayoutInspections {
        /// Their names.
        inspections: Vec<String>,
    },
    /// Threshold agreement: fewer links than the threshold after
    /// sublayouts.
    NotEnoughFunctionaries,
    /// Threshold agreement: two links of a step report different
    /// artifacts.
    ThresholdDisagreement {
        /// One link.
        first: String,
        /// The other.
        other: String,
    },
    /// Step or inspection rules: a rule rejected the artifacts.
    RuleFailed {
        /// The rule and how it failed.
        rule: RuleFailure,
    },
    /// Inspections: the command exited with a status other than 0.
    InspectionFailed {
        /// The command.
        command: Vec<String>,
        /// Its exit status.
        status: i128,
        /// The last lines (at most [`STDERR_TAIL_LINES`]) it wrote to
        /// stderr.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        stderr_tail: Vec<String>,
    },
    /// Inspections: the inspection could not be run or judged (no
    /// command, a command not found, only recorded digests, its link not
    /// written).
    InspectionError {
        /// Why.
        why: String,
    },
}

/// Why verification failed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    /// The stage that failed.
    pub stage: Stage,
    /// What failed.
    #[serde(flatten)]
    pub kind: FailureKind,
    /// One line, naming what is at fault.
    pub message: String,
    /// The step, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The inspection, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspection: Option<String>,
    /// Links that did not count towards a threshold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped_links: Vec<SkippedLink>,
    /// The sublayout chain leading here (outermost first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sublayouts: Vec<String>,
}

/// How many lines of a failed inspection's stderr a [`Failure`] keeps.
pub const STDERR_TAIL_LINES: usize = 5;

impl Failure {
    /// A failure at `stage`: `kind`, said by `message`.
    pub fn new(stage: Stage, kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            stage,
            kind,
            message: message.into(),
            step: None,
            inspection: None,
            skipped_links: Vec::new(),
            sublayouts: Vec::new(),
        }
    }
    pub(crate) fn step(mut self, s: &str) -> Self {
        self.step = Some(s.to_owned());
        self
    }
    pub(crate) fn inspection(mut self, s: &str) -> Self {
        self.inspection = Some(s.to_owned());
        self
    }

    /// A failed inspection: the last lines its command wrote to stderr
    /// (else none).
    pub fn stderr_tail(&self) -> &[String] {
        match &self.kind {
            FailureKind::InspectionFailed { stderr_tail, .. } => stderr_tail,
            _ => &[],
        }
    }

    /// Too few links for a step: the evidence is missing rather than
    /// contradicting (nothing found was at fault).
    pub fn is_missing_evidence(&self) -> bool {
        matches!(self.kind, FailureKind::TooFewLinks { .. })
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in &self.sublayouts {
            write!(f, "in sublayout {s}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Failure {}
