//! Merging the signatures of copies of one layout signed on different
//! machines (`intoto sign --merge`).
//!
//! The copies must hold the same signed bytes (the canonical JSON of
//! `signed` for Metablocks, the pre-authentication encoding for DSSE):
//! signatures over different content are refused, naming the file. The
//! result is the first copy with the signatures of the others appended in
//! order; an exact duplicate is dropped, and so is a second, different
//! signature by a key that signed already (the same key id, or for OpenPGP
//! the same primary key: the first one kept, as verification only ever
//! checks the first signature by a key). Every signature whose key is
//! known (the keys given, and the layout's own keys) is checked over the
//! content; one that does not verify is refused.

use std::path::{Path, PathBuf};

use crate::keys::{Verifier, VerifyError};
use crate::models::{Envelope, Signed};
use crate::policy::Policy;

/// Why merging was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// Fewer than two copies.
    #[error("--merge needs at least two copies of the layout")]
    TooFew,
    /// A copy is a link: a link carries one functionary's signature.
    #[error(
        "{}: --merge is for layouts: a link carries a single functionary's signature",
        file.display()
    )]
    NotALayout {
        /// The link.
        file: PathBuf,
    },
    /// A copy is in the other container (Metablock or DSSE).
    #[error(
        "{}: it is {} and {} is {}: signatures in different containers cannot be merged",
        file.display(),
        container(*dsse),
        first.display(),
        container(!*dsse)
    )]
    Container {
        /// The copy.
        file: PathBuf,
        /// The first copy.
        first: PathBuf,
        /// Whether `file` is DSSE.
        dsse: bool,
    },
    /// A copy's signed content differs from the first's.
    #[error(
        "{}: its signed content differs from {}'s; refusing to merge signatures over different \
         content (each owner must sign the same layout)",
        file.display(),
        first.display()
    )]
    Differs {
        /// The copy.
        file: PathBuf,
        /// The first copy.
        first: PathBuf,
    },
    /// A signature does not verify over the content.
    #[error(
        "{}: the signature by key {keyid} does not verify over its content ({why}); refusing to merge",
        file.display()
    )]
    Stale {
        /// The copy.
        file: PathBuf,
        /// The signature's key id.
        keyid: String,
        /// Why.
        why: VerifyError,
    },
}

fn container(dsse: bool) -> &'static str {
    if dsse {
        "a DSSE envelope"
    } else {
        "a Metablock"
    }
}

/// A signature left out of the merged layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Left {
    /// The copy it was in.
    pub file: PathBuf,
    /// Its key id.
    pub keyid: String,
    /// The key id of the signature kept instead (the same key's).
    pub kept: String,
}

/// What merging did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// The key ids of the merged layout's signatures, in order.
    pub signatures: Vec<String>,
    /// The key ids added from the copies after the first.
    pub added: Vec<String>,
    /// Exact duplicates of a signature kept, dropped.
    pub duplicates: Vec<Left>,
    /// Different signatures by a key that signed already, dropped (the
    /// first one is kept).
    pub same_key: Vec<Left>,
    /// Key ids of signatures that could not be checked (key unknown).
    pub unchecked: Vec<String>,
}

/// Merges the signatures of `copies` (each with the file it came from, the
/// first in first), checking them with `keys` and the layout's own keys
/// (judged by `policy`). Returns the merged layout, which is the first
/// copy with the others' signatures.
pub fn merge(
    copies: Vec<(PathBuf, Envelope)>,
    keys: &[Box<dyn Verifier>],
    policy: &Policy,
) -> Result<(Envelope, MergeReport), MergeError> {
    if copies.len() < 2 {
        return Err(MergeError::TooFew);
    }
    let mut copies = copies.into_iter();
    let (first_file, mut merged) = copies.next().ok_or(MergeError::TooFew)?;
    let rest: Vec<(PathBuf, Envelope)> = copies.collect();
    for (file, env) in
        std::iter::once((&first_file, &merged)).chain(rest.iter().map(|(f, e)| (f, e)))
    {
        if !matches!(env.signed(), Signed::Layout(_)) {
            return Err(MergeError::NotALayout { file: file.clone() });
        }
    }
    for (file, env) in &rest {
        if env.is_dsse() != merged.is_dsse() {
            return Err(MergeError::Container {
                file: file.clone(),
                first: first_file.clone(),
                dsse: env.is_dsse(),
            });
        }
        if env.signed_bytes() != merged.signed_bytes() {
            return Err(MergeError::Differs {
                file: file.clone(),
                first: first_file.clone(),
            });
        }
    }
    // The keys that check: those given, then the layout's own.
    let own: Vec<Box<dyn Verifier>> = match merged.signed() {
        Signed::Layout(l) => l
            .keys
            .iter()
            .map(|(_, k)| crate::keys::verifier(k, policy))
            .collect(),
        Signed::Link(_) => Vec::new(),
    };
    let candidates: Vec<&dyn Verifier> =
        keys.iter().chain(own.iter()).map(|k| k.as_ref()).collect();
    let key_of = |id: &str| candidates.iter().copied().find(|v| v.owns(id));
    let same_key = |a: &str, b: &str| a == b || key_of(a).is_some_and(|v| v.owns(b));

    let mut report = MergeReport::default();
    let mut sigs = Sigs::of(&merged);
    // The first copy's own signatures are checked too.
    check_all(&first_file, &merged, &sigs, &key_of, &mut report)?;
    for (file, env) in &rest {
        let theirs = Sigs::of(env);
        check_all(file, env, &theirs, &key_of, &mut report)?;
        for i in 0..theirs.len() {
            let id = theirs.keyid(i);
            if let Some(j) = (0..sigs.len()).find(|&j| sigs.same(j, &theirs, i)) {
                report.duplicates.push(Left {
                    file: file.clone(),
                    keyid: id.to_owned(),
                    kept: sigs.keyid(j).to_owned(),
                });
            } else if let Some(j) = (0..sigs.len()).find(|&j| same_key(sigs.keyid(j), id)) {
                report.same_key.push(Left {
                    file: file.clone(),
                    keyid: id.to_owned(),
                    kept: sigs.keyid(j).to_owned(),
                });
            } else {
                report.added.push(id.to_owned());
                sigs.push(&theirs, i);
            }
        }
    }
    sigs.store(&mut merged);
    report.signatures = merged.signature_keyids();
    report.unchecked.dedup();
    Ok((merged, report))
}

/// Checks every signature of `env` whose key is known.
fn check_all<'k>(
    file: &Path,
    env: &Envelope,
    sigs: &Sigs,
    key_of: &impl Fn(&str) -> Option<&'k dyn Verifier>,
    report: &mut MergeReport,
) -> Result<(), MergeError> {
    for i in 0..sigs.len() {
        let id = sigs.keyid(i);
        let Some(v) = key_of(id) else {
            if !report.unchecked.iter().any(|u| u == id) {
                report.unchecked.push(id.to_owned());
            }
            continue;
        };
        let checked = match (env, sigs) {
            (Envelope::Metablock(m), Sigs::Metablock(s)) => {
                v.verify_written(&|w| m.write_canonical(w), &s[i])
            }
            (Envelope::Dsse(d), Sigs::Dsse(s)) => v.verify_dsse(&d.pae(), &s[i]),
            _ => Ok(()),
        };
        if let Err(why) = checked {
            return Err(MergeError::Stale {
                file: file.to_path_buf(),
                keyid: id.to_owned(),
                why,
            });
        }
    }
    Ok(())
}

/// The signatures of one container.
enum Sigs {
    Metablock(Vec<crate::models::Signature>),
    Dsse(Vec<crate::models::DsseSignature>),
}

impl Sigs {
    fn of(env: &Envelope) -> Sigs {
        match env {
            Envelope::Metablock(m) => Sigs::Metablock(m.signatures.clone()),
            Envelope::Dsse(d) => Sigs::Dsse(d.signatures.clone()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Sigs::Metablock(s) => s.len(),
            Sigs::Dsse(s) => s.len(),
        }
    }

    fn keyid(&self, i: usize) -> &str {
        match self {
            Sigs::Metablock(s) => s[i].keyid(),
            Sigs::Dsse(s) => &s[i].keyid,
        }
    }

    /// Whether signature `j` here is exactly signature `i` of `other`.
    fn same(&self, j: usize, other: &Sigs, i: usize) -> bool {
        match (self, other) {
            (Sigs::Metablock(a), Sigs::Metablock(b)) => a[j] == b[i],
            (Sigs::Dsse(a), Sigs::Dsse(b)) => a[j] == b[i],
            _ => false,
        }
    }

    fn push(&mut self, other: &Sigs, i: usize) {
        match (self, other) {
            (Sigs::Metablock(a), Sigs::Metablock(b)) => a.push(b[i].clone()),
            (Sigs::Dsse(a), Sigs::Dsse(b)) => a.push(b[i].clone()),
            _ => {}
        }
    }

    fn store(self, env: &mut Envelope) {
        match (self, env) {
            (Sigs::Metablock(s), Envelope::Metablock(m)) => m.signatures = s,
            (Sigs::Dsse(s), Envelope::Dsse(d)) => d.signatures = s,
            _ => {}
        }
    }
}
