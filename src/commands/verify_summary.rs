//! `verify --summary` (the signed summary written after verifying) and
//! `intoto verify-summary` (a summary checked as its consumer would).

use std::path::Path;

use anyhow::{Result, anyhow};
use intoto::fsio;
use intoto::keys::Signer;
use intoto::keys::spec::{KeyPlaces, KeySpec};
use intoto::summary::{self, Expected, LAYOUT_VERIFIED, SummaryFacts};
use intoto::verify::{Failure, Trace};
use intoto_format::models::Link;
use intoto_format::models::attestation::{FAILED, ResourceDescriptor, Summary, Svr, Vsa};

use super::resolver::Resolver;
use super::{Ctx, Outcome, usage, write_file};
use crate::cli::{SummaryArgs, SummaryType, VerifySummaryArgs, specs};
use crate::ui;

/// `verifier.id`: a URI naming intoto and its version (a package URL).
pub fn verifier_id() -> String {
    format!("pkg:generic/intoto@{}", env!("CARGO_PKG_VERSION"))
}

/// A summary to write once verification is over: the flags checked and
/// the signer loaded before anything is verified.
pub struct Plan<'a> {
    args: SummaryArgs,
    signer: Box<dyn Signer + 'a>,
    /// `--summary-subject` files, hashed: (name, sha256).
    subjects: Vec<(String, String)>,
}

/// Checks the `--summary` flags and loads the signer; `None` without
/// `--summary`.
pub fn prepare<'a>(a: &SummaryArgs, ctx: &'a Ctx) -> Result<Option<Plan<'a>>> {
    if a.summary.is_none() {
        return Ok(None);
    }
    let spec = match (&a.summary_signing_key, &a.summary_gpg) {
        (Some(p), _) => KeySpec::Pem(p.clone()),
        (None, Some(id)) => KeySpec::Gpg(Some(id.clone()).filter(|i| !i.is_empty())),
        (None, None) => {
            return usage(
                "--summary needs a key to sign it: --summary-signing-key PATH or --summary-gpg KEYID",
            );
        }
    };
    match a.summary_type {
        SummaryType::Vsa if a.summary_resource.is_none() => {
            return usage(
                "--summary-type vsa needs --summary-resource URI (the VSA's resourceUri)",
            );
        }
        SummaryType::Svr if a.summary_on_failure => {
            return usage(
                "--summary-on-failure needs --summary-type vsa (an SVR has no failed form)",
            );
        }
        _ => {}
    }
    if a.summary_on_failure && a.summary_subject.is_empty() {
        return usage(
            "--summary-on-failure needs --summary-subject PATH... (a failed verification has no final products)",
        );
    }
    for p in &a.summary_property {
        if p.is_empty() || p.chars().any(char::is_control) {
            return usage(format!("--summary-property {p:?}: give a name"));
        }
    }
    let subjects = hash_all("summary subject", &a.summary_subject)?;
    let places = KeyPlaces {
        gpg_home: a.summary_gpg_home.clone(),
        ..KeyPlaces::default()
    };
    let signer = Resolver::new(ctx, places)
        .for_purpose("verification summary")
        .signer(&spec)?;
    Ok(Some(Plan {
        args: a.clone(),
        signer,
        subjects,
    }))
}

/// (name as given, sha256) of each file; `what` names them in errors.
fn hash_all(what: &str, paths: &[std::path::PathBuf]) -> Result<Vec<(String, String)>> {
    paths
        .iter()
        .map(|p| Ok((p.display().to_string(), sha256(what, p)?)))
        .collect()
}

/// The sha256 of the file at `path`; `what` names it in errors.
fn sha256(what: &str, path: &Path) -> Result<String> {
    summary::file_sha256(path).map_err(|e| anyhow!("{what} {e}"))
}

/// Where verification ended, for the summary.
pub struct Verified<'a> {
    /// The layout file.
    pub layout: &'a Path,
    /// The link directory.
    pub link_dir: &'a Path,
    /// What verification established.
    pub trace: &'a Trace,
    /// The summary link, or why it failed.
    pub result: std::result::Result<&'a Link, &'a Failure>,
    /// The reference time (seconds since the epoch).
    pub now: i64,
}

impl Plan<'_> {
    /// Writes the summary for `v`: after a pass, or after a failure with
    /// `--summary-on-failure`; returns whether one was written.
    pub fn write(&self, v: &Verified<'_>) -> Result<bool> {
        let a = &self.args;
        let passed = v.result.is_ok();
        if !passed && !a.summary_on_failure {
            return Ok(false);
        }
        let Some(path) = &a.summary else {
            return Ok(false);
        };
        let subjects = if !self.subjects.is_empty() {
            self.subjects.clone()
        } else if let Ok(link) = v.result {
            let mut out = Vec::new();
            for (name, digest) in link.products.iter() {
                match digest.get("sha256") {
                    Some(hex) => out.push((name.to_owned(), hex)),
                    None => ui::warn(&format!(
                        "summary: final product {} has no sha256 and is not named",
                        ui::escape(name)
                    )),
                }
            }
            out
        } else {
            Vec::new()
        };
        let layout_sha = sha256("layout", v.layout)?;
        let layout_name = v.layout.display().to_string();
        let mut properties: Vec<String> = if passed {
            vec![LAYOUT_VERIFIED.to_owned()]
        } else {
            vec![FAILED.to_owned()]
        };
        if passed {
            for p in &a.summary_property {
                if !properties.contains(p) {
                    properties.push(p.clone());
                }
            }
        }
        let time = intoto_format::time::format_expires(v.now);
        let summary = match a.summary_type {
            SummaryType::Svr => Summary::Svr(Svr {
                verifier_id: verifier_id(),
                policies: vec![ResourceDescriptor::named(layout_name, "sha256", layout_sha)],
                time_created: time,
                properties,
            }),
            SummaryType::Vsa => {
                let mut inputs = Vec::new();
                for step in &v.trace.steps {
                    for l in &step.links {
                        let sha = sha256("link", &v.link_dir.join(&l.file))?;
                        inputs.push(ResourceDescriptor::named(l.file.as_str(), "sha256", sha));
                    }
                }
                let mut policy = ResourceDescriptor::named(layout_name, "sha256", layout_sha);
                policy.uri = Some(file_uri(v.layout));
                Summary::Vsa(Vsa {
                    verifier_id: verifier_id(),
                    verifier_version: vec![(
                        "intoto".to_owned(),
                        env!("CARGO_PKG_VERSION").to_owned(),
                    )],
                    time_verified: Some(time),
                    resource_uri: a.summary_resource.clone().unwrap_or_default(),
                    policy,
                    input_attestations: inputs,
                    passed,
                    verified_levels: properties,
                })
            }
        };
        let env = summary::sign_summary(&SummaryFacts { subjects, summary }, &*self.signer)
            .map_err(|e| anyhow!("summary {}: {e}", path.display()))?;
        write_file(path, &env.to_file_bytes()?)?;
        ui::notice(&format!(
            "wrote {} ({}, {})",
            path.display(),
            match a.summary_type {
                SummaryType::Svr => "simple verification result",
                SummaryType::Vsa if passed => "verification summary: PASSED",
                SummaryType::Vsa => "verification summary: FAILED",
            },
            self.signer.keyid()
        ));
        Ok(true)
    }
}

/// A `file://` URI for `path` (made absolute; bytes outside the URI's
/// unreserved set and `/` percent-encoded).
fn file_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file://");
    for b in abs.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(b) {
            out.push(char::from(*b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `intoto verify-summary`: 0 when every check holds, 1 otherwise, 2 usage.
pub fn verify_summary(a: VerifySummaryArgs, ctx: &Ctx) -> Result<Outcome> {
    if a.keys.is_empty() {
        return usage(
            "give the verifier's key: --verification-keys PATH..., --gpg KEYID... and/or --keyring FILE...",
        );
    }
    let policy_digest = match &a.policy_digest {
        Some(d) => {
            let d = d.to_ascii_lowercase();
            if d.len() != 64 || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
                return usage(format!(
                    "--policy-digest {d:?}: expected 64 hex digits (sha256)"
                ));
            }
            Some(d)
        }
        None => None,
    };
    let (specs, places) = specs::layout_keys(&a.keys);
    let keys = Resolver::new(ctx, places).verifiers(&specs)?;
    let artifacts = hash_all("artifact", &a.artifact)?;
    let bytes = fsio::read_regular(&a.file, fsio::MAX_METADATA_BYTES)
        .map_err(|e| anyhow!("summary {e}"))?;
    let verifiers: Vec<&dyn intoto::keys::Verifier> = keys.iter().map(|k| &*k.verifier).collect();
    let expected = Expected {
        policy_digest,
        properties: a.property.clone(),
        resource_uri: a.resource.clone(),
    };
    let file = ui::escape(&a.file.display().to_string()).into_owned();
    match summary::check_summary(&bytes, &verifiers, &artifacts, &expected) {
        Ok(c) => {
            let s = &c.summary;
            let k = &keys[c.key];
            let who = k.who(k.verifier.keyid());
            ui::notice(&format!(
                "{file}: {} by {} at {}, signed by {}",
                s.predicate_type(),
                ui::escape(s.verifier_id()),
                ui::escape(s.time().unwrap_or("an unstated time")),
                ui::escape(&who)
            ));
            for p in s.policies() {
                let name = p.name.as_deref().or(p.uri.as_deref()).unwrap_or("?");
                ui::notice(&format!(
                    "  policy {} (sha256 {})",
                    ui::escape(name),
                    p.digest.get("sha256").map_or("none", String::as_str)
                ));
            }
            for subj in &c.subjects {
                ui::notice(&format!(
                    "  subject {} (sha256 {})",
                    ui::escape(subj.name.as_deref().unwrap_or("?")),
                    subj.digest.get("sha256").map_or("none", String::as_str)
                ));
            }
            ui::notice(&format!(
                "  properties: {}",
                ui::escape(&s.properties().join(", "))
            ));
            ui::ok(&format!(
                "summary verified: {} artifact(s) verified by {} at {}",
                artifacts.len(),
                ui::escape(s.verifier_id()),
                ui::escape(s.time().unwrap_or("an unstated time"))
            ));
            Ok(Outcome::Success)
        }
        Err(e) => {
            ui::error(&format!(
                "summary {file} refused: {}",
                ui::escape(&e.to_string())
            ));
            Ok(Outcome::Failed)
        }
    }
}
