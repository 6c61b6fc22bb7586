//! Per-package policy on top of the layout's verdict.
//!
//! A [`PackagePolicy`] holds source-package globs (Python `fnmatch`, as
//! artifact rules: `*`, `?`, `[...]`, case-sensitive):
//!
//! - **deny**: a package whose source matches is refused outright, before
//!   any rebuilder is asked (a package a maintainer withdrew);
//! - **allow**: for a package whose source matches, missing evidence (no
//!   link, fewer than a step's threshold) is tolerated with a warning;
//!   contradicting evidence (rebuilt bytes that differ, a bad signature)
//!   is still refused;
//! - **no-fail** (apt's `APT::Intoto::NoFail`): the same tolerance for
//!   every package.
//!
//! Deny is looked at first, then the layout's verdict, then allow, then
//! no-fail. Every [`Ruling`] names the [`Rule`] that decided it.

use intoto::rules::glob::Glob;

use super::check::Verdict;
use super::method::AptConfig;

/// One source-package glob, as written.
#[derive(Clone, Debug)]
struct Pattern {
    text: String,
    glob: Glob,
}

/// The deny and allow lists, and whether missing evidence is tolerated
/// for every package.
#[derive(Clone, Debug, Default)]
pub struct PackagePolicy {
    deny: Vec<Pattern>,
    allow: Vec<Pattern>,
    no_fail: bool,
}

/// Why a pattern cannot be one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// An empty pattern (it would match nothing, which is not what anyone
    /// writes on purpose).
    #[error("{setting}: an empty pattern")]
    Empty {
        /// Where it was given (`--allow`, `APT::Intoto::Deny`).
        setting: String,
    },
    /// A control character or white space in a pattern (source package
    /// names have none).
    #[error(
        "{setting} {pattern:?}: source package names hold no white space or control characters"
    )]
    BadChar {
        /// Where it was given.
        setting: String,
        /// The pattern.
        pattern: String,
    },
    /// A boolean setting that is not one.
    #[error("{setting} {value:?}: expected true or false")]
    NotABool {
        /// The setting.
        setting: String,
        /// Its value.
        value: String,
    },
}

/// What decided a package's fate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The layout's verification, unchanged.
    Layout,
    /// A deny pattern matched the source.
    Deny(String),
    /// An allow pattern matched the source, and evidence was missing.
    Allow(String),
    /// No-fail tolerated the missing evidence.
    NoFail,
}

impl Rule {
    /// `layout`, `deny`, `allow` or `no-fail`.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Layout => "layout",
            Rule::Deny(_) => "deny",
            Rule::Allow(_) => "allow",
            Rule::NoFail => "no-fail",
        }
    }

    /// The pattern of a deny or allow rule.
    pub fn pattern(&self) -> Option<&str> {
        match self {
            Rule::Deny(p) | Rule::Allow(p) => Some(p),
            Rule::Layout | Rule::NoFail => None,
        }
    }
}

/// The outcome for one package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The supply chain verified.
    Verified,
    /// Contradicting evidence: refused.
    Failed,
    /// Not enough evidence, not tolerated: refused by apt, reported by
    /// `verify-archive`.
    MissingEvidence,
    /// Not enough evidence, tolerated (allow or no-fail): accepted with a
    /// warning.
    Allowed,
    /// Refused by a deny pattern.
    Denied,
}

impl Outcome {
    /// `verified`, `failed`, `missing-evidence`, `allowed` or `denied`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Verified => "verified",
            Outcome::Failed => "failed",
            Outcome::MissingEvidence => "missing-evidence",
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }

    /// May the package be installed?
    pub fn accepted(self) -> bool {
        matches!(self, Outcome::Verified | Outcome::Allowed)
    }
}

/// A package's outcome, the rule that decided it, and why (the layout's
/// reason; none when verified).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ruling {
    /// What happens to the package.
    pub outcome: Outcome,
    /// What decided it.
    pub rule: Rule,
    /// One line: the verification's reason (failed, missing or allowed
    /// evidence), or the deny pattern's.
    pub reason: Option<String>,
}

impl PackagePolicy {
    /// A policy from deny and allow patterns (`deny_setting` and
    /// `allow_setting` name them in errors).
    pub fn new<'a>(
        deny: impl IntoIterator<Item = &'a str>,
        deny_setting: &str,
        allow: impl IntoIterator<Item = &'a str>,
        allow_setting: &str,
        no_fail: bool,
    ) -> Result<PackagePolicy, PolicyError> {
        let patterns = |items: &mut dyn Iterator<Item = &'a str>, setting: &str| {
            items
                .map(|p| {
                    if p.is_empty() {
                        return Err(PolicyError::Empty {
                            setting: setting.to_owned(),
                        });
                    }
                    if p.chars().any(|c| c.is_control() || c.is_whitespace()) {
                        return Err(PolicyError::BadChar {
                            setting: setting.to_owned(),
                            pattern: p.to_owned(),
                        });
                    }
                    Ok(Pattern {
                        text: p.to_owned(),
                        glob: Glob::new(p),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(PackagePolicy {
            deny: patterns(&mut deny.into_iter(), deny_setting)?,
            allow: patterns(&mut allow.into_iter(), allow_setting)?,
            no_fail,
        })
    }

    /// The policy apt's configuration sets: `APT::Intoto::Deny` and
    /// `APT::Intoto::Allow` (lists, `Allow { "linux-*"; };`) and
    /// `APT::Intoto::NoFail`.
    pub fn from_apt(c: &AptConfig) -> Result<PackagePolicy, PolicyError> {
        let no_fail = match c.find("APT::Intoto::NoFail") {
            None => false,
            Some(v) => apt_bool(v).ok_or_else(|| PolicyError::NotABool {
                setting: "APT::Intoto::NoFail".into(),
                value: v.to_owned(),
            })?,
        };
        PackagePolicy::new(
            c.list("APT::Intoto::Deny"),
            "APT::Intoto::Deny",
            c.list("APT::Intoto::Allow"),
            "APT::Intoto::Allow",
            no_fail,
        )
    }

    /// One line, as apt's settings: `NoFail false; Allow "linux*";
    /// Deny none`.
    pub fn describe(&self) -> String {
        let list = |ps: &[Pattern]| {
            if ps.is_empty() {
                "none".to_owned()
            } else {
                ps.iter()
                    .map(|p| format!("{:?}", p.text))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        format!(
            "NoFail {}; Allow {}; Deny {}",
            self.no_fail,
            list(&self.allow),
            list(&self.deny)
        )
    }

    /// Is missing evidence tolerated for every package?
    pub fn no_fail(&self) -> bool {
        self.no_fail
    }

    /// The first deny pattern matching `source`: the package is refused
    /// without asking anyone.
    pub fn denied(&self, source: &str) -> Option<Ruling> {
        let p = self.deny.iter().find(|p| p.glob.matches(source))?;
        Some(Ruling {
            outcome: Outcome::Denied,
            rule: Rule::Deny(p.text.clone()),
            reason: Some(format!(
                "its source {source:?} matches the deny pattern {:?}",
                p.text
            )),
        })
    }

    /// The ruling on a package of `source` whose verification gave
    /// `verdict` (deny included: a denied package is never verified).
    pub fn rule(&self, source: &str, verdict: Verdict) -> Ruling {
        if let Some(denied) = self.denied(source) {
            return denied;
        }
        let (outcome, reason) = match verdict {
            Verdict::Verified => (Outcome::Verified, None),
            Verdict::Failed(why) => (Outcome::Failed, Some(why)),
            Verdict::MissingEvidence(why) => (Outcome::MissingEvidence, Some(why)),
        };
        if outcome == Outcome::MissingEvidence {
            if let Some(p) = self.allow.iter().find(|p| p.glob.matches(source)) {
                return Ruling {
                    outcome: Outcome::Allowed,
                    rule: Rule::Allow(p.text.clone()),
                    reason,
                };
            }
            if self.no_fail {
                return Ruling {
                    outcome: Outcome::Allowed,
                    rule: Rule::NoFail,
                    reason,
                };
            }
        }
        Ruling {
            outcome,
            rule: Rule::Layout,
            reason,
        }
    }
}

/// apt's boolean words.
pub fn apt_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "with" | "enable" | "1" => Some(true),
        "false" | "no" | "off" | "without" | "disable" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(deny: &[&str], allow: &[&str], no_fail: bool) -> PackagePolicy {
        PackagePolicy::new(
            deny.iter().copied(),
            "--deny",
            allow.iter().copied(),
            "--allow",
            no_fail,
        )
        .unwrap()
    }

    fn missing() -> Verdict {
        Verdict::MissingEvidence("step 'rebuild' needs 2 link files, found 1".into())
    }

    #[test]
    fn allow_tolerates_missing_evidence_only() {
        let p = policy(&[], &["linux*", "firmware-?"], false);
        let r = p.rule("linux-signed-amd64", missing());
        assert_eq!(r.outcome, Outcome::Allowed);
        assert_eq!(r.rule, Rule::Allow("linux*".into()));
        assert!(r.reason.unwrap().contains("needs 2 link files"));
        let r = p.rule("linux", Verdict::Failed("digest differs".into()));
        assert_eq!((r.outcome, r.rule), (Outcome::Failed, Rule::Layout));
        let r = p.rule("firmware-ab", missing());
        assert_eq!(
            (r.outcome, r.rule),
            (Outcome::MissingEvidence, Rule::Layout)
        );
        let r = p.rule("linux", Verdict::Verified);
        assert_eq!(
            (r.outcome, r.rule, r.reason),
            (Outcome::Verified, Rule::Layout, None)
        );
    }

    #[test]
    fn deny_comes_first_and_no_fail_last() {
        let p = policy(&["bad*"], &["bad-but-allowed"], true);
        let r = p.rule("bad-but-allowed", Verdict::Verified);
        assert_eq!(r.outcome, Outcome::Denied);
        assert_eq!(r.rule.kind(), "deny");
        assert_eq!(r.rule.pattern(), Some("bad*"));
        let r = p.rule("other", missing());
        assert_eq!((r.outcome, r.rule), (Outcome::Allowed, Rule::NoFail));
        let r = p.rule("other", Verdict::Failed("x".into()));
        assert_eq!(r.outcome, Outcome::Failed);
        assert!(!Outcome::Denied.accepted() && Outcome::Allowed.accepted());
    }

    #[test]
    fn patterns_are_checked_and_read_from_apt() {
        let e = PackagePolicy::new([""], "--deny", [], "--allow", false).unwrap_err();
        assert_eq!(e.to_string(), "--deny: an empty pattern");
        let e = PackagePolicy::new([], "--deny", ["a b"], "--allow", false).unwrap_err();
        assert!(e.to_string().starts_with("--allow \"a b\""), "{e}");
        let c = AptConfig::from_items([
            ("APT::Intoto::Allow::", "linux*"),
            ("APT::Intoto::Allow::", "gcc-*"),
            ("APT::Intoto::Deny::", "withdrawn"),
            ("APT::Intoto::NoFail", "no"),
        ]);
        let p = PackagePolicy::from_apt(&c).unwrap();
        assert!(!p.no_fail());
        assert_eq!(
            p.describe(),
            "NoFail false; Allow \"linux*\", \"gcc-*\"; Deny \"withdrawn\""
        );
        assert_eq!(
            p.rule("gcc-14", missing()).rule,
            Rule::Allow("gcc-*".into())
        );
        assert_eq!(
            p.denied("withdrawn").unwrap().rule,
            Rule::Deny("withdrawn".into())
        );
        let c = AptConfig::from_items([("APT::Intoto::NoFail", "maybe")]);
        let e = PackagePolicy::from_apt(&c).unwrap_err();
        assert_eq!(
            e.to_string(),
            "APT::Intoto::NoFail \"maybe\": expected true or false"
        );
    }
}
