//! Signed verification summaries: what `verify --summary` writes after a
//! verification ([`summary_statement`], [`sign_summary`]) and what
//! `verify-summary` checks as a consumer would ([`check_summary`]).
//!
//! A summary is a DSSE envelope holding an in-toto Statement v1 whose
//! subjects are the final products (name and sha256) and whose predicate
//! is a Simple Verification Result v0.2 or a SLSA Verification Summary v1
//! (`intoto_format::models::attestation::Summary`). The consumer's checks
//! come in the VSA spec's order: the signature by a trusted key, the
//! artifacts against the subjects (by sha256 only), the predicate type,
//! the result, then the policy and the properties asked for. The
//! Statement is parsed only from the payload bytes a signature was
//! checked over.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use intoto_format::models::FormatError;
use intoto_format::models::PAYLOAD_TYPE;
use intoto_format::models::attestation::{
    AttestationEnvelope, ResourceDescriptor, Statement, Summary,
};
use sha2::{Digest as _, Sha256};

use crate::keys::{SignError, Signer, Verifier, sign_attestation, verify_attestation};

/// The property every summary intoto writes names: the in-toto layout
/// verified (its signatures, every step's links and rules, inspections).
pub const LAYOUT_VERIFIED: &str = "INTOTO_LAYOUT_VERIFIED";

/// What a summary says about one verification.
#[derive(Clone, Debug)]
pub struct SummaryFacts {
    /// The subjects: name and sha256 (the final products).
    pub subjects: Vec<(String, String)>,
    /// The predicate ([`Summary`]) to carry.
    pub summary: Summary,
}

/// Why a summary could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SummaryError {
    /// A Statement needs at least one subject.
    #[error(
        "there are no final products to name as subjects (a Statement needs one): \
         the last step's link has no products"
    )]
    NoSubject,
    /// The signer refused.
    #[error("cannot sign the summary: {0}")]
    Sign(#[from] SignError),
    /// The payload could not be serialised.
    #[error("cannot serialise the summary: {0}")]
    Serialise(#[from] serde_json::Error),
}

/// The Statement of a summary: one subject per final product.
pub fn summary_statement(facts: &SummaryFacts) -> Result<Statement, SummaryError> {
    if facts.subjects.is_empty() {
        return Err(SummaryError::NoSubject);
    }
    Ok(Statement {
        subject: facts
            .subjects
            .iter()
            .map(|(name, hex)| ResourceDescriptor::named(name.as_str(), "sha256", hex.as_str()))
            .collect(),
        predicate_type: facts.summary.predicate_type().to_owned(),
        predicate: Some(facts.summary.to_predicate()),
    })
}

/// The summary serialised once and signed by `signer`.
pub fn sign_summary(
    facts: &SummaryFacts,
    signer: &dyn Signer,
) -> Result<AttestationEnvelope, SummaryError> {
    let st = summary_statement(facts)?;
    let mut env = AttestationEnvelope {
        payload_type: PAYLOAD_TYPE.to_owned(),
        payload: st.to_payload()?,
        signatures: Vec::new(),
    };
    sign_attestation(&mut env, signer)?;
    Ok(env)
}

/// The sha256 of a file, lower-case hex, read in pieces.
pub fn file_sha256(path: &Path) -> Result<String, HashError> {
    let err = |error| HashError {
        path: path.to_path_buf(),
        error,
    };
    let mut f = std::fs::File::open(path).map_err(err)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// A file that could not be hashed.
#[derive(Debug, thiserror::Error)]
#[error("{}: {error}", path.display())]
pub struct HashError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub error: std::io::Error,
}

/// What a consumer expects of a summary beyond its signature and subjects.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    /// The layout's sha256: one of the summary's policies must carry it.
    pub policy_digest: Option<String>,
    /// Properties (SVR) or levels (VSA) that must be named.
    pub properties: Vec<String>,
    /// The VSA's `resourceUri` must be this (an SVR names no resource).
    pub resource_uri: Option<String>,
}

/// A summary that held.
#[derive(Clone, Debug)]
pub struct CheckedSummary {
    /// The index in the keys given of the key that signed.
    pub key: usize,
    /// The Statement's subjects.
    pub subjects: Vec<ResourceDescriptor>,
    /// The predicate.
    pub summary: Summary,
}

/// Why a summary does not hold, in the order it is checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// Not a DSSE envelope.
    #[error("not a DSSE envelope: {0}")]
    Envelope(FormatError),
    /// No key was given.
    #[error("no key to check the signature with")]
    NoKeys,
    /// No signature by any key given verifies.
    #[error("no valid signature by the given key(s): {0}")]
    Signature(crate::keys::VerifyError),
    /// The payload type is not in-toto's.
    #[error("payloadType {0:?} is not {PAYLOAD_TYPE:?}")]
    PayloadType(String),
    /// The payload is not a Statement v1.
    #[error("not an in-toto Statement v1: {0}")]
    Statement(FormatError),
    /// No artifact was given.
    #[error("no artifact to check against the subjects")]
    NoArtifacts,
    /// An artifact matches no subject.
    #[error("artifact {name} (sha256 {sha256}) matches no subject of the summary")]
    Subject {
        /// The artifact, as given.
        name: String,
        /// Its sha256.
        sha256: String,
    },
    /// Not a verification summary, or not of its predicate's shape.
    #[error("{0}")]
    Predicate(FormatError),
    /// The resource is not the one expected.
    #[error("the summary is about resource {got:?}, not {expected:?}")]
    Resource {
        /// `--resource`.
        expected: String,
        /// What the summary names (empty for an SVR, which names none).
        got: String,
    },
    /// The summary says verification failed.
    #[error("the summary says verification FAILED")]
    Failed,
    /// No policy carries the expected digest.
    #[error("no policy of the summary has sha256 {0}")]
    Policy(String),
    /// An expected property is not named.
    #[error("the summary does not name property {0}")]
    Property(String),
}

/// Checks an envelope file's bytes as a summary's consumer would: a
/// signature by one of `keys` over the PAE, `payloadType`, every artifact
/// (`(name, sha256)`) equal to a subject's sha256, a verification summary
/// predicate, the resource expected, a passing result, and what
/// `expected` asks for.
pub fn check_summary(
    bytes: &[u8],
    keys: &[&dyn Verifier],
    artifacts: &[(String, String)],
    expected: &Expected,
) -> Result<CheckedSummary, CheckError> {
    let env = AttestationEnvelope::from_slice(bytes).map_err(CheckError::Envelope)?;
    if keys.is_empty() {
        return Err(CheckError::NoKeys);
    }
    let mut first_err = None;
    let mut key = None;
    for (i, k) in keys.iter().enumerate() {
        match verify_attestation(&env, *k) {
            Ok(()) => {
                key = Some(i);
                break;
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    let Some(key) = key else {
        return Err(CheckError::Signature(first_err.unwrap_or_else(|| {
            crate::keys::VerifyError::NoSignature(String::new())
        })));
    };
    if env.payload_type != PAYLOAD_TYPE {
        return Err(CheckError::PayloadType(env.payload_type));
    }
    let st = Statement::from_payload(&env.payload).map_err(CheckError::Statement)?;
    if artifacts.is_empty() {
        return Err(CheckError::NoArtifacts);
    }
    for (name, sha256) in artifacts {
        if !st
            .subject
            .iter()
            .any(|s| s.digest.get("sha256") == Some(sha256))
        {
            return Err(CheckError::Subject {
                name: name.clone(),
                sha256: sha256.clone(),
            });
        }
    }
    let summary = Summary::from_statement(&st).map_err(CheckError::Predicate)?;
    if let Some(want) = &expected.resource_uri {
        let got = match &summary {
            Summary::Vsa(v) => v.resource_uri.as_str(),
            _ => "",
        };
        if got != want {
            return Err(CheckError::Resource {
                expected: want.clone(),
                got: got.to_owned(),
            });
        }
    }
    if !summary.passed() {
        return Err(CheckError::Failed);
    }
    if let Some(d) = &expected.policy_digest
        && !summary
            .policies()
            .iter()
            .any(|p| p.digest.get("sha256") == Some(d))
    {
        return Err(CheckError::Policy(d.clone()));
    }
    if let Some(p) = expected
        .properties
        .iter()
        .find(|p| !summary.properties().contains(p))
    {
        return Err(CheckError::Property(p.clone()));
    }
    Ok(CheckedSummary {
        key,
        subjects: st.subject,
        summary,
    })
}

#[cfg(test)]
mod tests;
