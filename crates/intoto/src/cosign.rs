//! Signing metadata that may already be signed: replace the signatures,
//! or co-sign (append) safely.
//!
//! The decisions `intoto sign` makes: signing without appending replaces
//! every signature (the report names those by other keys, which are lost);
//! appending refuses a second signature by the same key (unless told to
//! replace that key's own signature: [`CoSign::replace_own`]; the same key
//! is the same key id, or for OpenPGP the same primary key), and refuses to
//! join signatures that no longer verify over the content (checked with
//! the keys given, the keys the caller found, and the layout's own keys).
//! A key given as the signer of existing signatures (`--signed-by`) that
//! made none of them is an error.
//!
//! ```
//! # use std::path::Path;
//! # use intoto::keys::pem::PemSigner;
//! # use intoto::keys::{Signer, verifier};
//! # use intoto_format::models::{Envelope, Layout, Signed};
//! # use intoto::policy::Policy;
//! # let pem = |n: &str| std::fs::read(format!("{}/../../testdata/keys/{n}.pem", env!("CARGO_MANIFEST_DIR"))).unwrap();
//! use intoto::cosign::{CoSign, SignedBy};
//!
//! let (alice, bob) = (PemSigner::from_pem(&pem("alice"), None)?, PemSigner::from_pem(&pem("bob"), None)?);
//! # let layout = Layout { expires: "2030-01-01T00:00:00Z".into(), readme: String::new(), keys: vec![],
//! #     steps: vec![], inspect: vec![], nulls: Default::default() };
//! let mut env = Envelope::new(Signed::Layout(layout), false)?;
//! let policy = Policy::at(1_800_000_000);
//! CoSign::replace(Path::new("root.layout"), &policy).sign(&mut env, &[&alice])?;
//!
//! // Bob co-signs what alice signed, naming her key.
//! let report = CoSign::append(Path::new("root.layout"), &policy)
//!     .signed_by(SignedBy::new("alice.pub", vec![verifier(alice.public_key(), &policy)]))
//!     .sign(&mut env, &[&bob])?;
//! assert_eq!(report.kept, [alice.keyid()]);
//! assert_eq!(env.signature_keyids(), [alice.keyid(), bob.keyid()]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

mod merge;
pub use merge::{Left, MergeError, MergeReport, merge};

use crate::keys::{SignError, Signer, Verifier, VerifyError, sign_envelope, verify_signature_by};
use crate::models::{Envelope, Signed};
use crate::policy::Policy;

/// Why signing was refused, or failed (the envelope is left as it was,
/// except after [`CoSignError::Sign`], when it may hold the signatures
/// made before).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoSignError {
    /// Appending with a key that signed already.
    #[error("{} is already signed by key {keyid}; a key signs a layout once", file.display())]
    AlreadySigned {
        /// The file signed.
        file: PathBuf,
        /// The existing signature's key id.
        keyid: String,
    },
    /// A key given as the signer of existing signatures made none of them.
    #[error(
        "--signed-by {}: no signature on {} is by {} {} ({})",
        path.display(),
        file.display(),
        if keyids.len() == 1 { "its key" } else { "its keys" },
        keyids.join(", "),
        if existing.is_empty() { "it carries none yet".to_owned() } else { format!("it is signed by key {}", existing.join(", key ")) }
    )]
    NotASigner {
        /// The key file given.
        path: PathBuf,
        /// The file signed.
        file: PathBuf,
        /// The key ids it holds.
        keyids: Vec<String>,
        /// The key ids of the existing signatures.
        existing: Vec<String>,
    },
    /// Existing signatures that do not verify over the content.
    #[error(
        "{}: the existing signature(s) by {} do not verify over the current content (edited after signing?); \
         refusing to append. Ask the signers to sign again, or sign without --append to replace all signatures",
        file.display(),
        stale.iter().map(|(id, e)| format!("{id} ({e})")).collect::<Vec<_>>().join(", ")
    )]
    Stale {
        /// The file signed.
        file: PathBuf,
        /// Each stale signature's key id and why it does not verify.
        stale: Vec<(String, VerifyError)>,
        /// Signatures that could not be checked (no key known).
        unchecked: Vec<String>,
    },
    /// A signer failed.
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// A key file named as the signer of existing signatures, with its keys.
pub struct SignedBy {
    path: PathBuf,
    keys: Vec<Box<dyn Verifier>>,
}

impl SignedBy {
    /// The keys read from `path`.
    pub fn new(path: impl Into<PathBuf>, keys: Vec<Box<dyn Verifier>>) -> SignedBy {
        SignedBy {
            path: path.into(),
            keys,
        }
    }
}

/// One signing of one file: replace or append, and the keys that check
/// the existing signatures before appending.
pub struct CoSign<'a> {
    file: &'a Path,
    append: bool,
    replace_own: bool,
    signed_by: Vec<SignedBy>,
    known: Vec<Box<dyn Verifier>>,
    policy: &'a Policy,
}

/// What signing did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The key ids of the new signatures, in signing order.
    pub signed: Vec<String>,
    /// The existing signatures by other keys that were dropped (replacing).
    pub dropped: Vec<String>,
    /// The existing signatures kept (appending).
    pub kept: Vec<String>,
    /// The signers' own existing signatures replaced (appending with
    /// [`CoSign::replace_own`]).
    pub replaced: Vec<String>,
    /// The kept signatures that could not be checked: no key for them.
    pub unchecked: Vec<String>,
    /// Appending to metadata that carried no signature: this is the first.
    pub first: bool,
}

impl<'a> CoSign<'a> {
    /// Signing that replaces every signature (`file` names the file in
    /// messages; `policy` is the one the layout's own keys check with).
    pub fn replace(file: &'a Path, policy: &'a Policy) -> CoSign<'a> {
        CoSign {
            file,
            append: false,
            replace_own: false,
            signed_by: Vec::new(),
            known: Vec::new(),
            policy,
        }
    }

    /// Signing that keeps the signatures there are (co-signing).
    pub fn append(file: &'a Path, policy: &'a Policy) -> CoSign<'a> {
        CoSign {
            append: true,
            ..CoSign::replace(file, policy)
        }
    }

    /// Appending: a signer that signed already replaces its own existing
    /// signature(s) (by the key, or for OpenPGP by any subkey of the same
    /// primary key) instead of being refused.
    pub fn replace_own(mut self, yes: bool) -> CoSign<'a> {
        self.replace_own = yes;
        self
    }

    /// A key file that must hold the key of an existing signature; its
    /// keys check the existing signatures first.
    pub fn signed_by(mut self, s: SignedBy) -> CoSign<'a> {
        self.signed_by.push(s);
        self
    }

    /// Other keys that may check existing signatures (keyrings, the
    /// GnuPG home), after the `signed_by` ones and before the layout's own.
    pub fn known(mut self, keys: impl IntoIterator<Item = Box<dyn Verifier>>) -> CoSign<'a> {
        self.known.extend(keys);
        self
    }

    /// Checks, then signs `env` with every signer in turn.
    pub fn sign(self, env: &mut Envelope, signers: &[&dyn Signer]) -> Result<Report, CoSignError> {
        let existing = env.signature_keyids();
        let mut report = Report::default();
        if self.append {
            report.first = existing.is_empty();
            for s in signers {
                for id in existing.iter().filter(|id| self.same_key(*s, id)) {
                    if !self.replace_own {
                        return Err(CoSignError::AlreadySigned {
                            file: self.file.to_owned(),
                            keyid: id.clone(),
                        });
                    }
                    if !report.replaced.contains(id) {
                        report.replaced.push(id.clone());
                    }
                }
            }
            let kept: Vec<String> = existing
                .into_iter()
                .filter(|id| !report.replaced.contains(id))
                .collect();
            // The others' signatures must still verify; checked on the
            // content as it stands, before anything changes.
            report.unchecked = self.check_existing(env, &kept)?;
            remove_signatures(env, &report.replaced);
            report.kept = kept;
        } else {
            // Signatures by the keys signing now are replaced; any other
            // is lost.
            report.dropped = existing
                .into_iter()
                .filter(|id| !signers.iter().any(|s| owns(*s, id)))
                .collect();
            env.clear_signatures();
        }
        for s in signers {
            let raw = sign_envelope(env, *s)?;
            report.signed.push(raw.keyid().to_owned());
        }
        Ok(report)
    }

    /// Whether signature `id` is by the key of `s`: its key or one of its
    /// subkeys, or (OpenPGP) another subkey of the same primary key as a
    /// key given to check existing signatures knows it (a revoked subkey
    /// is no longer in the signer's own key).
    fn same_key(&self, s: &dyn Signer, id: &str) -> bool {
        owns(s, id)
            || self
                .signed_by
                .iter()
                .flat_map(|b| &b.keys)
                .chain(&self.known)
                .any(|v| v.owns(id) && (v.owns(s.keyid()) || v.owns(s.public_key().keyid())))
    }

    /// No existing signature known not to verify over the content; returns
    /// those whose key is unknown.
    fn check_existing(
        self,
        env: &Envelope,
        existing: &[String],
    ) -> Result<Vec<String>, CoSignError> {
        let mut candidates: Vec<Box<dyn Verifier>> = Vec::new();
        for s in self.signed_by {
            if !s.keys.iter().any(|k| existing.iter().any(|id| k.owns(id))) {
                return Err(CoSignError::NotASigner {
                    path: s.path,
                    file: self.file.to_owned(),
                    keyids: s.keys.iter().map(|k| k.keyid().to_owned()).collect(),
                    existing: existing.to_vec(),
                });
            }
            candidates.extend(s.keys);
        }
        candidates.extend(self.known);
        // Owners who are also functionaries of this layout.
        if let Signed::Layout(l) = env.signed() {
            for (_, k) in &l.keys {
                candidates.push(crate::keys::verifier(k, self.policy));
            }
        }
        let (mut stale, mut unchecked) = (Vec::new(), Vec::new());
        for id in existing {
            let Some(v) = candidates.iter().find(|v| v.owns(id)) else {
                unchecked.push(id.clone());
                continue;
            };
            if let Err(e) = verify_signature_by(env, v.as_ref(), id) {
                stale.push((id.clone(), e));
            }
        }
        if !stale.is_empty() {
            return Err(CoSignError::Stale {
                file: self.file.to_owned(),
                stale,
                unchecked,
            });
        }
        Ok(unchecked)
    }
}

/// Drops the signatures whose key id is in `ids`.
fn remove_signatures(env: &mut Envelope, ids: &[String]) {
    match env {
        Envelope::Metablock(m) => m.signatures.retain(|s| !ids.iter().any(|i| i == s.keyid())),
        Envelope::Dsse(d) => d.signatures.retain(|s| !ids.contains(&s.keyid)),
    }
}

/// Whether signature `id` is by `s` (its key or one of its subkeys).
pub fn owns(s: &dyn Signer, id: &str) -> bool {
    id == s.keyid() || s.public_key().keyid() == id || s.public_key().subkey_ids().contains(&id)
}

#[cfg(test)]
mod tests;
