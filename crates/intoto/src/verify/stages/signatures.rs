//! Stage 1: the root layout's signatures, by the one rule of
//! [`check_owners`] (each named key; one key of a keyring; or N of those
//! given), as a [`Failure`] when they do not satisfy it.
// A failure is built once, on the cold path (see mod.rs).
#![allow(clippy::result_large_err)]

use crate::models::Envelope;
use crate::verify::owners::{OwnersError, check_owners};
use crate::verify::{Failure, FailureKind, LayoutKey, SignerReport, Stage};

/// Stage 1: the layout's signatures by `keys`, `signatures` as
/// `--signatures N`.
pub(in crate::verify) fn layout_signatures(
    env: &Envelope,
    keys: &[LayoutKey],
    signatures: Option<usize>,
) -> Result<Vec<SignerReport>, Failure> {
    check_owners(env, keys, signatures).map_err(owners_failure)
}

/// The failure of stage 1 for `e`.
pub(in crate::verify) fn owners_failure(e: OwnersError) -> Failure {
    let kind = match &e {
        OwnersError::NoKeys { .. } => FailureKind::NoLayoutKeys,
        OwnersError::Required { key, .. } => FailureKind::BadSignature {
            key: key.keyid.clone(),
            why: key.why.to_string(),
        },
        OwnersError::NoKeyringSignature { keyrings, .. } => FailureKind::NoKeyringSignature {
            keyrings: keyrings.clone(),
        },
        OwnersError::TooFew { needed, signed, .. } => FailureKind::TooFewLayoutSignatures {
            needed: *needed,
            found: signed.len(),
        },
        OwnersError::TooFewKeys { needed, .. } => FailureKind::TooFewLayoutSignatures {
            needed: *needed,
            found: 0,
        },
    };
    Failure::new(Stage::LayoutSignatures, kind, e.to_string())
}
