//! The `intoto verify --json` report (version 2,
//! `docs/verify-report.schema.json`), read back for a graph: the result,
//! and for a failure the stage, the step or inspection at fault and the
//! rule. Fields this reader does not need are ignored, as the schema
//! allows later versions of the same `version` to add fields.

use serde::Deserialize;

/// The report version this reader understands.
pub const REPORT_VERSION: u64 = 2;

/// A report that cannot be read as an `intoto verify --json` report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Not JSON of the report's shape.
    #[error("not an intoto verify --json report: {0}")]
    Shape(#[from] serde_json::Error),
    /// Another version of the report.
    #[error("report version {found} is not supported (intoto reads version {REPORT_VERSION})")]
    Version {
        /// The version the report says it is.
        found: u64,
    },
    /// A result other than `passed`, `failed` or `error`.
    #[error("unknown result {0:?} (expected passed, failed or error)")]
    Result(String),
    /// `result: failed` without its `failure`.
    #[error("the result is \"failed\" but there is no \"failure\"")]
    NoFailure,
}

/// What verification concluded.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Every check passed.
    Passed,
    /// A check failed.
    Failed(ReportFailure),
    /// Verification could not be carried out (a usage or input error).
    Error {
        /// Its one line.
        message: String,
    },
}

/// The failure of a failed verification, as far as a graph needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportFailure {
    /// The stage (`step-rules`, `inspections`, ...).
    pub stage: String,
    /// What failed (`rule-failed`, `too-few-links`, ...).
    pub kind: String,
    /// The one line that says so.
    pub message: String,
    /// The step or inspection of the root layout at fault, if any (for a
    /// failure inside a sublayout, the step the sublayout stands for).
    pub item: Option<String>,
    /// The rule that failed (`rule-failed`).
    pub rule: Option<FailedRule>,
}

/// A rule list that rejected the artifacts.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedRule {
    /// `materials` or `products`.
    pub side: String,
    /// The failing rule, as the report writes it (`DISALLOW *`).
    pub rule: String,
    /// The artifacts it rejected (`DISALLOW`) or required (`REQUIRE`).
    pub artifacts: Vec<String>,
    /// MATCH rules that selected an artifact they could not consume:
    /// (rule, artifact, why).
    pub near_misses: Vec<(String, String, String)>,
}

/// A verification report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The result.
    pub outcome: Outcome,
    /// The steps and inspections verification reached, in layout order.
    pub reached: Vec<String>,
    /// Inside a sublayout: whether the failure is the root layout's own.
    pub in_sublayout: bool,
}

#[derive(Deserialize)]
struct Raw {
    version: u64,
    result: String,
    #[serde(default)]
    steps: Vec<RawItem>,
    failure: Option<RawFailure>,
    error: Option<RawError>,
}

#[derive(Deserialize)]
struct RawItem {
    name: String,
}

#[derive(Deserialize)]
struct RawError {
    message: String,
}

#[derive(Deserialize)]
struct RawFailure {
    stage: String,
    kind: String,
    message: String,
    step: Option<String>,
    inspection: Option<String>,
    rule: Option<RawRule>,
    #[serde(default)]
    sublayouts: Vec<String>,
}

#[derive(Deserialize)]
struct RawRule {
    side: String,
    rule: String,
    kind: RawRuleKind,
}

#[derive(Deserialize)]
struct RawRuleKind {
    #[serde(default)]
    artifacts: Vec<String>,
    path: Option<String>,
    #[serde(default)]
    near_misses: Vec<RawNearMiss>,
}

#[derive(Deserialize)]
struct RawNearMiss {
    artifact: String,
    rule: String,
    reason: String,
}

impl Report {
    /// Reads a report from its JSON text.
    pub fn from_slice(bytes: &[u8]) -> Result<Report, ReportError> {
        // The version first, so a later version is named as such rather
        // than as a shape this reader does not know.
        #[derive(Deserialize)]
        struct Version {
            version: u64,
        }
        let v: Version = serde_json::from_slice(bytes)?;
        if v.version != REPORT_VERSION {
            return Err(ReportError::Version { found: v.version });
        }
        let raw: Raw = serde_json::from_slice(bytes)?;
        debug_assert_eq!(raw.version, REPORT_VERSION);
        let mut in_sublayout = false;
        let outcome = match raw.result.as_str() {
            "passed" => Outcome::Passed,
            "error" => Outcome::Error {
                message: raw.error.map(|e| e.message).unwrap_or_default(),
            },
            "failed" => {
                let f = raw.failure.ok_or(ReportError::NoFailure)?;
                in_sublayout = !f.sublayouts.is_empty();
                // Inside a sublayout, the root layout's step is the one the
                // outermost sublayout (`<step>.<keyid8>`) stands for.
                let item = match f.sublayouts.first() {
                    Some(s) => Some(s.rsplit_once('.').map_or(s.as_str(), |(n, _)| n).to_owned()),
                    None => f.step.or(f.inspection),
                };
                Outcome::Failed(ReportFailure {
                    stage: f.stage,
                    kind: f.kind,
                    message: f.message,
                    item,
                    rule: if in_sublayout {
                        None
                    } else {
                        f.rule.map(|r| FailedRule {
                            side: r.side,
                            rule: r.rule,
                            artifacts: if r.kind.artifacts.is_empty() {
                                r.kind.path.into_iter().collect()
                            } else {
                                r.kind.artifacts
                            },
                            near_misses: r
                                .kind
                                .near_misses
                                .into_iter()
                                .map(|n| (n.rule, n.artifact, n.reason))
                                .collect(),
                        })
                    },
                })
            }
            other => return Err(ReportError::Result(other.to_owned())),
        };
        Ok(Report {
            outcome,
            reached: raw.steps.into_iter().map(|s| s.name).collect(),
            in_sublayout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_rule_failure() {
        let r = Report::from_slice(
            br#"{"version": 2, "result": "failed", "layout": "root.layout", "time": "",
                "time_given": false, "signers": [], "steps": [{"name": "build", "kind": "step",
                "links": [], "skipped": []}], "warnings": [],
                "failure": {"stage": "step-rules", "kind": "rule-failed", "message": "m",
                  "step": "build", "rule": {"item_kind": "step", "item": "build",
                  "side": "materials", "rule": "DISALLOW *", "kind": {"type": "disallowed",
                  "artifacts": ["a"], "near_misses": [{"artifact": "a",
                  "rule": "MATCH * WITH PRODUCTS FROM clone", "reason": "digest differs"}]}}}}"#,
        )
        .unwrap();
        let Outcome::Failed(f) = &r.outcome else {
            panic!("{r:?}")
        };
        assert_eq!(f.item.as_deref(), Some("build"));
        let rule = f.rule.as_ref().unwrap();
        assert_eq!(rule.rule, "DISALLOW *");
        assert_eq!(rule.near_misses[0].0, "MATCH * WITH PRODUCTS FROM clone");
        assert_eq!(r.reached, ["build"]);
    }

    #[test]
    fn refuses_other_versions_and_shapes() {
        let e = Report::from_slice(br#"{"version": 3, "result": "passed"}"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("report version 3 is not supported"),
            "{e}"
        );
        let e = Report::from_slice(br#"{"version": 2, "result": "failed"}"#).unwrap_err();
        assert!(e.to_string().contains("no \"failure\""), "{e}");
        assert!(Report::from_slice(b"[]").is_err());
        assert!(Report::from_slice(br#"{"version": 2, "result": "maybe"}"#).is_err());
    }

    #[test]
    fn a_sublayout_failure_names_the_root_step() {
        let r = Report::from_slice(
            br#"{"version": 2, "result": "failed", "steps": [],
                "failure": {"stage": "step-rules", "kind": "rule-failed", "message": "m",
                "step": "inner", "sublayouts": ["outer.0123abcd"]}}"#,
        )
        .unwrap();
        let Outcome::Failed(f) = &r.outcome else {
            panic!()
        };
        assert_eq!(f.item.as_deref(), Some("outer"));
        assert!(r.in_sublayout);
    }
}
