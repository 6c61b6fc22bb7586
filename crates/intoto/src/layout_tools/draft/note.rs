//! What a draft tells its owner: where it guessed or could not say.

use std::fmt;

/// Something the owner should look at before signing the draft.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// A link is signed by a key none of those given owns: its step is
    /// left without that functionary.
    UnknownSigner {
        /// The step.
        step: String,
        /// The link.
        file: String,
        /// The key id of the signature.
        keyid: String,
    },
    /// A signature that the given key does not verify.
    BadSignature {
        /// The step.
        step: String,
        /// The link.
        file: String,
        /// The key id of the signature.
        keyid: String,
        /// Why.
        why: String,
    },
    /// An unsigned (mock) link: its step has no functionary from it.
    Unsigned {
        /// The step.
        step: String,
        /// The link.
        file: String,
    },
    /// A step left without any functionary key.
    NoFunctionary {
        /// The step.
        step: String,
        /// Because its links are unsigned (no [`Note::Unsigned`] then).
        unsigned: bool,
    },
    /// Links of one step whose artifacts differ: the rules follow the
    /// first.
    LinksDiffer {
        /// The step.
        step: String,
        /// The link the rules follow.
        used: String,
        /// The one that differs.
        other: String,
    },
    /// Steps whose artifacts flow both ways: ordered by name.
    Cycle {
        /// The steps, in the order chosen.
        steps: Vec<String>,
    },
    /// The inspection that checks the final products where verification
    /// runs (information, not a warning).
    FinalProducts {
        /// The inspection.
        name: String,
        /// The final products, sorted.
        artifacts: Vec<String>,
    },
    /// Artifacts no rule describes (unchanged, from no earlier step):
    /// `DISALLOW *` refuses them unless `--allow-rest`.
    LeftOver {
        /// The step.
        step: String,
        /// `materials` or `products`.
        side: &'static str,
        /// The artifacts, sorted.
        artifacts: Vec<String>,
    },
}

impl Note {
    /// False for notes that only inform ([`Note::FinalProducts`]).
    pub fn is_warning(&self) -> bool {
        !matches!(self, Note::FinalProducts { .. })
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::UnknownSigner { step, file, keyid } => write!(
                f,
                "step '{step}': {file} is signed by key {keyid}, which none of the keys given \
                 owns: the step is left without it (give its public key with --key, --gpg or --keyring)"
            ),
            Note::BadSignature {
                step,
                file,
                keyid,
                why,
            } => write!(
                f,
                "step '{step}': {file}: the signature by key {keyid} does not verify ({why}): \
                 the step is left without it"
            ),
            Note::Unsigned { step, file } => write!(
                f,
                "step '{step}': {file} is unsigned: the step names no functionary from it"
            ),
            Note::NoFunctionary { step, unsigned } => write!(
                f,
                "step '{step}' has no functionary key{}: add one (intoto layout add-key) and name \
                 it in the step before signing, or verification fails there",
                if *unsigned {
                    " (its link is unsigned)"
                } else {
                    ""
                }
            ),
            Note::LinksDiffer { step, used, other } => write!(
                f,
                "step '{step}': {other} records other artifacts than {used}; the rules follow {used}"
            ),
            Note::Cycle { steps } => write!(
                f,
                "steps {} pass artifacts to each other both ways: ordered as listed",
                quoted(steps)
            ),
            Note::FinalProducts { name, artifacts } => write!(
                f,
                "inspection '{name}' checks the {} final product{} ({}) in the directory \
                 verification runs in: each must be there, as the links say",
                artifacts.len(),
                if artifacts.len() == 1 { "" } else { "s" },
                preview(artifacts)
            ),
            Note::LeftOver {
                step,
                side,
                artifacts,
            } => write!(
                f,
                "step '{step}': {} of its {side} came from no earlier step and {} unchanged ({}): \
                 DISALLOW * refuses {}; --allow-rest writes ALLOW rules for {}",
                artifacts.len(),
                if artifacts.len() == 1 { "is" } else { "are" },
                preview(artifacts),
                if artifacts.len() == 1 { "it" } else { "them" },
                if artifacts.len() == 1 { "it" } else { "them" },
            ),
        }
    }
}

fn quoted(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    q.join(", ")
}

fn preview(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(3).map(|s| format!("'{s}'")).collect();
    if items.len() > 3 {
        format!("{}, ...", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
