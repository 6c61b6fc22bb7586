//! Who must have signed: the one rule every command that checks owner
//! signatures applies (`verify`, `sign --verify`, `match-products`,
//! `verify-archive`, the apt method).
//!
//! - A key named by the user (`--verification-keys`, `--gpg`,
//!   [`LayoutKey::required`]) must have signed validly.
//! - Keys only found in keyring files (`--keyring` alone) are not
//!   required: one valid signature by any of them suffices (as gpgv).
//! - `--signatures N` replaces both rules: N distinct keys among all
//!   those given must have signed validly (as sqv).
//!
//! A failure lists who signed, who did not, and how many are needed; it
//! never suggests asking for fewer.

use crate::keys::{VerifyError, verify_envelope};
use crate::models::{Envelope, Signed};
use crate::verify::{LayoutKey, SignerReport};

/// One key given, and why its signature does not count.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsigned {
    /// The key's id.
    pub keyid: String,
    /// Where it came from (`tom.pub`, `keyring owners.asc`).
    pub source: String,
    /// Why its signature does not count.
    pub why: VerifyError,
}

impl Unsigned {
    fn describe(&self, what: &str) -> String {
        let source = &self.source;
        match &self.why {
            VerifyError::NoSignature(_) => format!("{} ({source})", self.why),
            VerifyError::Invalid(_) => format!(
                "{} ({source}): {what} was changed after signing, or signed by another key",
                self.why
            ),
            other => format!(
                "the signature by key {} ({source}) is not accepted: {other}",
                self.keyid
            ),
        }
    }

    /// `KEYID (SOURCE): REASON`, for a list.
    fn short(&self) -> String {
        let why = match &self.why {
            VerifyError::NoSignature(_) => "no signature".to_owned(),
            VerifyError::Invalid(_) => "invalid signature".to_owned(),
            other => other.to_string(),
        };
        format!("{} ({}): {why}", self.keyid, self.source)
    }
}

/// Why the signatures given do not satisfy the rule.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum OwnersError {
    /// No key was given.
    #[error("no key was given to check {what}'s signatures")]
    NoKeys {
        /// `the layout` or `the link`.
        what: &'static str,
    },
    /// `--signatures N` with fewer than N distinct keys given.
    #[error("--signatures {needed}: only {given} distinct key{} given", if *given == 1 { " is" } else { "s are" })]
    TooFewKeys {
        /// N.
        needed: usize,
        /// Distinct keys given.
        given: usize,
    },
    /// Keys that must have signed did not sign validly.
    #[error("{}; {}", required(what, key, others), signed_by(present))]
    Required {
        /// `the layout` or `the link`.
        what: &'static str,
        /// The first such key.
        key: Unsigned,
        /// The other such keys.
        others: Vec<Unsigned>,
        /// The key ids of the signatures it carries.
        present: Vec<String>,
    },
    /// No key of the keyrings given signed validly.
    #[error("no key of {} validly signed {what}; {}", keyrings.join(", "), signed_by(present))]
    NoKeyringSignature {
        /// `the layout` or `the link`.
        what: &'static str,
        /// The keyrings (their sources).
        keyrings: Vec<String>,
        /// Their keys, each with why its signature does not count.
        keys: Vec<Unsigned>,
        /// The key ids of the signatures it carries.
        present: Vec<String>,
    },
    /// `--signatures N`: fewer than N of the keys given signed validly.
    #[error(
        "{what} needs valid signatures by {needed} of the {given} keys given, found {}: signed: {}; not signed: {}",
        signed.len(),
        list(signed.iter().map(|s| format!("{} ({})", s.keyid, s.source))),
        list(unsigned.iter().map(Unsigned::short)),
    )]
    TooFew {
        /// `the layout` or `the link`.
        what: &'static str,
        /// N.
        needed: usize,
        /// Distinct keys given.
        given: usize,
        /// The keys that signed validly.
        signed: Vec<SignerReport>,
        /// The others, and why.
        unsigned: Vec<Unsigned>,
    },
}

fn required(what: &str, key: &Unsigned, others: &[Unsigned]) -> String {
    if others.is_empty() {
        return key.describe(what);
    }
    format!(
        "{} keys that must sign did not: {}",
        others.len() + 1,
        list(std::iter::once(key).chain(others).map(Unsigned::short))
    )
}

fn list(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}

fn signed_by(present: &[String]) -> String {
    if present.is_empty() {
        "it carries no signature".to_owned()
    } else {
        format!("it is signed by key {}", present.join(", key "))
    }
}

// The error is built once, on the cold path (as verify's `Failure`).
#[allow(clippy::result_large_err)]
/// Checks `env`'s signatures with `keys` by the rule above (`signatures`
/// is `--signatures N`); returns the keys that signed validly, in the
/// order given. Keys with the same id count once (the first is kept).
pub fn check_owners(
    env: &Envelope,
    keys: &[LayoutKey],
    signatures: Option<usize>,
) -> Result<Vec<SignerReport>, OwnersError> {
    let what = match env.signed() {
        Signed::Layout(_) => "the layout",
        Signed::Link(_) => "the link",
    };
    let mut distinct: Vec<&LayoutKey> = Vec::new();
    for k in keys {
        if !distinct
            .iter()
            .any(|d| d.verifier.keyid() == k.verifier.keyid())
        {
            distinct.push(k);
        }
    }
    if distinct.is_empty() {
        return Err(OwnersError::NoKeys { what });
    }
    if let Some(n) = signatures
        && n > distinct.len()
    {
        return Err(OwnersError::TooFewKeys {
            needed: n,
            given: distinct.len(),
        });
    }
    let mut valid = Vec::new();
    let mut unsigned: Vec<(&LayoutKey, Unsigned)> = Vec::new();
    for k in &distinct {
        match verify_envelope(env, k.verifier.as_ref()) {
            Ok(()) => valid.push(SignerReport {
                keyid: k.verifier.keyid().to_owned(),
                source: k.source.clone(),
                kind: k.kind.clone(),
            }),
            Err(why) => unsigned.push((
                k,
                Unsigned {
                    keyid: k.verifier.keyid().to_owned(),
                    source: k.source.clone(),
                    why,
                },
            )),
        }
    }
    let present = env.signature_keyids();
    match signatures {
        Some(n) if valid.len() < n => Err(OwnersError::TooFew {
            what,
            needed: n,
            given: distinct.len(),
            signed: valid,
            unsigned: unsigned.into_iter().map(|(_, u)| u).collect(),
        }),
        Some(_) => Ok(valid),
        None => {
            let mut missing = unsigned
                .iter()
                .filter(|(k, _)| k.required)
                .map(|(_, u)| u.clone());
            if let Some(key) = missing.next() {
                return Err(OwnersError::Required {
                    what,
                    key,
                    others: missing.collect(),
                    present,
                });
            }
            let optional: Vec<&&LayoutKey> = distinct.iter().filter(|k| !k.required).collect();
            let optional_valid = valid.iter().any(|v| {
                optional
                    .iter()
                    .any(|k| k.verifier.keyid() == v.keyid.as_str())
            });
            if !optional.is_empty() && !optional_valid {
                let mut keyrings: Vec<String> = Vec::new();
                for k in &optional {
                    if !keyrings.contains(&k.source) {
                        keyrings.push(k.source.clone());
                    }
                }
                return Err(OwnersError::NoKeyringSignature {
                    what,
                    keyrings,
                    keys: unsigned
                        .into_iter()
                        .filter(|(k, _)| !k.required)
                        .map(|(_, u)| u)
                        .collect(),
                    present,
                });
            }
            Ok(valid)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::pem::PemSigner;
    use crate::keys::{Signer, sign_envelope, verifier};
    use crate::models::Layout;
    use crate::policy::Policy;

    fn pem(n: &str) -> PemSigner {
        let text = std::fs::read(format!(
            "{}/../../testdata/keys/{n}.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        PemSigner::from_pem(&text, None).unwrap()
    }

    fn layout() -> Envelope {
        let l = Layout {
            expires: "2030-01-01T00:00:00Z".into(),
            readme: String::new(),
            keys: vec![],
            steps: vec![],
            inspect: vec![],
            nulls: Default::default(),
        };
        Envelope::new(Signed::Layout(l), false).unwrap()
    }

    fn key(s: &PemSigner, required: bool, source: &str) -> LayoutKey {
        let mut k =
            LayoutKey::required(verifier(s.public_key(), &Policy::at(1_800_000_000)), source);
        k.required = required;
        k
    }

    #[test]
    fn keyring_alone_needs_one_named_keys_each() {
        let (alice, bob) = (pem("alice"), pem("bob"));
        let mut env = layout();
        sign_envelope(&mut env, &alice).unwrap();
        let ring = [key(&alice, false, "ring"), key(&bob, false, "ring")];
        assert_eq!(check_owners(&env, &ring, None).unwrap().len(), 1);
        let named = [key(&alice, true, "a"), key(&bob, true, "b")];
        let e = check_owners(&env, &named, None).unwrap_err();
        assert!(matches!(e, OwnersError::Required { .. }), "{e}");
        // A named key beside a keyring: each named, one of the keyring.
        let mixed = [key(&bob, true, "b"), key(&alice, false, "ring")];
        assert!(check_owners(&env, &mixed, None).is_err());
        let mixed = [key(&alice, true, "a"), key(&bob, false, "ring")];
        let e = check_owners(&env, &mixed, None).unwrap_err();
        assert!(matches!(e, OwnersError::NoKeyringSignature { .. }), "{e}");
    }

    #[test]
    fn n_of_m_lists_who_signed_and_who_did_not() {
        let (alice, bob, carl) = (pem("alice"), pem("bob"), pem("carl"));
        let mut env = layout();
        sign_envelope(&mut env, &alice).unwrap();
        let keys = [
            key(&alice, true, "alice.pub"),
            key(&bob, false, "ring"),
            key(&carl, true, "carl.pub"),
            key(&carl, true, "again.pub"),
        ];
        assert_eq!(check_owners(&env, &keys, Some(1)).unwrap().len(), 1);
        let e = check_owners(&env, &keys, Some(2)).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with(
                "the layout needs valid signatures by 2 of the 3 keys given, found 1: signed: "
            ),
            "{msg}"
        );
        assert!(msg.contains("not signed: "), "{msg}");
        assert!(!msg.contains("--signatures"), "{msg}");
        let e = check_owners(&env, &keys, Some(4)).unwrap_err();
        assert!(
            matches!(
                e,
                OwnersError::TooFewKeys {
                    needed: 4,
                    given: 3
                }
            ),
            "{e}"
        );
    }
}
