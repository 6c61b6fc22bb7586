//! Stage 1: the root layout's signatures, by the rule the user asked for
//! (each named key; one key of a keyring; or N of those given), and what
//! to say when they do not satisfy it.
// A failure is built once, on the cold path (see mod.rs).
#![allow(clippy::result_large_err)]

use crate::keys::{VerifyError, verify_envelope};
use crate::models::Envelope;
use crate::verify::{Failure, FailureKind, LayoutKey, SignerReport, Stage};

/// Stage 1: every given key must have a valid signature on the layout.
pub(in crate::verify) fn layout_signatures(
    env: &Envelope,
    keys: &[LayoutKey],
    signatures: Option<usize>,
) -> Result<Vec<SignerReport>, Failure> {
    let checked: Vec<(&LayoutKey, Result<(), VerifyError>)> = keys
        .iter()
        .map(|k| (k, verify_envelope(env, k.verifier.as_ref())))
        .collect();
    let valid: Vec<SignerReport> = checked
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(k, _)| SignerReport {
            keyid: k.verifier.keyid().to_owned(),
            source: k.source.clone(),
            kind: k.kind.clone(),
            user_id: k.verifier.user_id(),
        })
        .collect();
    let why = |k: &LayoutKey, e: &VerifyError| {
        let id = k.verifier.keyid();
        match e {
            VerifyError::NoSignature(_) => {
                format!("the layout carries no signature by key {id} ({})", k.source)
            }
            VerifyError::Invalid(_) => format!(
                "the layout's signature by key {id} ({}) is invalid: the layout was changed after signing, or signed by another key",
                k.source
            ),
            other => format!(
                "the layout's signature by key {id} ({}) is not accepted: {other}",
                k.source
            ),
        }
    };
    let failure = |kind: FailureKind, msg: String| {
        Failure::new(
            Stage::LayoutSignatures,
            kind,
            format!("{msg}; {}", signed_by_hint(env, &valid, keys.len())),
        )
    };
    match signatures {
        // sqv's rule: N distinct keys among those given.
        Some(n) => {
            if valid.len() < n {
                let not: Vec<String> = checked
                    .iter()
                    .filter_map(|(k, r)| r.as_ref().err().map(|e| why(k, e)))
                    .collect();
                return Err(failure(
                    FailureKind::TooFewLayoutSignatures {
                        needed: n,
                        found: valid.len(),
                    },
                    format!(
                        "the layout needs valid signatures by {n} of the {} keys given, found {} ({})",
                        keys.len(),
                        valid.len(),
                        not.join("; ")
                    ),
                ));
            }
        }
        // The reference's rule for named keys (each must have signed);
        // gpgv's for keys that are only in a keyring (one suffices).
        None => {
            if let Some((k, Err(e))) = checked.iter().find(|(k, r)| k.required && r.is_err()) {
                let kind = FailureKind::BadSignature {
                    key: k.verifier.keyid().to_owned(),
                    why: e.to_string(),
                };
                return Err(failure(kind, why(k, e)));
            }
            let optional: Vec<&LayoutKey> = keys.iter().filter(|k| !k.required).collect();
            if !optional.is_empty() && !checked.iter().any(|(k, r)| !k.required && r.is_ok()) {
                let mut sources: Vec<&str> = optional.iter().map(|k| k.source.as_str()).collect();
                sources.dedup();
                // A key of the keyring that did sign but is refused
                // (revoked, expired) says why, as a named key would.
                let refused: Vec<String> = checked
                    .iter()
                    .filter(|(k, _)| !k.required)
                    .filter_map(|(_, r)| match r {
                        Err(VerifyError::NoSignature(_)) | Ok(()) => None,
                        Err(e) => Some(e.to_string()),
                    })
                    .collect();
                let refused = if refused.is_empty() {
                    String::new()
                } else {
                    format!(": {}", refused.join("; "))
                };
                return Err(failure(
                    FailureKind::NoKeyringSignature {
                        keyrings: sources.iter().map(|s| s.to_string()).collect(),
                    },
                    format!(
                        "no key of {} validly signed the layout{refused}",
                        sources.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(valid)
}

/// Which keys did sign, and how to ask for fewer or other signers.
fn signed_by_hint(env: &Envelope, valid: &[SignerReport], given: usize) -> String {
    let ids = env.signature_keyids();
    let signed = if ids.is_empty() {
        "the layout is not signed".to_owned()
    } else {
        format!("the layout is signed by key {}", ids.join(", key "))
    };
    if valid.is_empty() || given < 2 {
        return signed;
    }
    let v: Vec<&str> = valid.iter().map(|v| v.source.as_str()).collect();
    format!(
        "{signed}; of the {given} keys given, {} signed it validly: --signatures {} accepts that, or name only the keys that must sign",
        v.join(", "),
        valid.len()
    )
}
