//! Stage 6: a "link" that holds a layout is a sublayout. It is verified
//! with the key that verified it as a link, against links from
//! `<step>.<keyid8>/`, and its summary stands for the step's link.
//!
//! Sublayouts are bounded per verification, not per level: at most
//! [`MAX_SUBLAYOUT_DEPTH`] levels deep, at most [`MAX_SUBLAYOUTS`] in all,
//! and no link directory (by device and inode, so a symlink back to an
//! enclosing directory is caught) entered twice on one path. Without
//! these, one key and a directory symlinked to itself make the work grow
//! exponentially with the depth.
#![allow(clippy::result_large_err)]

use crate::observe::Observer;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::attestation::Evidence;
use super::stages::{Level, StepLinks, verify_layout};
use super::{Failure, FailureKind, LayoutKey, MAX_SUBLAYOUT_DEPTH, Stage, VerifyOptions};
use crate::keys::KeyDict;
use crate::models::{Envelope, Link, Signed};

/// Most sublayouts verified in one verification, at every depth together.
pub const MAX_SUBLAYOUTS: usize = 256;

/// A directory's identity: device and inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirId {
    dev: u64,
    ino: u64,
}

impl DirId {
    /// The directory `path` (through symlinks), if it is one.
    pub fn of(path: &Path) -> Option<DirId> {
        std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_dir())
            .map(|m| DirId {
                dev: m.dev(),
                ino: m.ino(),
            })
    }
}

/// Verifies the sublayouts among `verified` and returns every step's links,
/// sublayouts replaced by their summaries.
pub(super) fn verify(
    verified: StepLinks<(&KeyDict, Evidence)>,
    opts: &VerifyOptions,
    level: &Level,
    log: &mut dyn Observer,
) -> Result<StepLinks<Link>, Failure> {
    let mut out = Vec::new();
    for (step, entries) in verified {
        let mut links = Vec::new();
        for (keyid, (key, evidence)) in entries {
            let env = match evidence {
                Evidence::Attestation(l) => {
                    links.push((keyid, l));
                    continue;
                }
                Evidence::Metadata(env) => env,
            };
            if let Signed::Link(_) = env.signed() {
                if let Signed::Link(l) = env.into_signed() {
                    links.push((keyid, l));
                }
                continue;
            }
            let summary = one(&step, &keyid, key, &env, opts, level, log)?;
            links.push((keyid, summary));
        }
        out.push((step, links));
    }
    Ok(out)
}

/// Verifies the sublayout `env` that `key` signed for `step`.
fn one(
    step: &str,
    keyid: &str,
    key: &KeyDict,
    env: &Envelope,
    opts: &VerifyOptions,
    level: &Level,
    log: &mut dyn Observer,
) -> Result<Link, Failure> {
    let sub_name = super::sublayout_name(step, keyid);
    let fail =
        |kind: FailureKind, msg: String| Err(Failure::new(Stage::Sublayouts, kind, msg).step(step));
    if level.depth + 1 > MAX_SUBLAYOUT_DEPTH {
        return fail(
            FailureKind::SublayoutTooDeep,
            format!("sublayouts nest deeper than {MAX_SUBLAYOUT_DEPTH} levels at step '{step}'"),
        );
    }
    let left = level.budget.get();
    if left == 0 {
        return fail(
            FailureKind::TooManySublayouts,
            format!("more than {MAX_SUBLAYOUTS} sublayouts in one verification (at step '{step}')"),
        );
    }
    level.budget.set(left - 1);
    let sub_source = level.source.sublayout(step, keyid);
    let mut entered = level.entered.to_vec();
    if let Some(id) = sub_source.dir_id() {
        if entered.contains(&id) {
            return fail(
                FailureKind::SublayoutLoop {
                    sublayout: sub_name.clone(),
                },
                format!(
                    "the links of sublayout '{sub_name}' are in {}, a directory already entered on \
                 the way there (a symlink loop)",
                    sub_source.describe()
                ),
            );
        }
        entered.push(id);
    }
    log.info(&format!("Verifying sublayout {sub_name}..."));
    let keys = [LayoutKey::required(
        crate::keys::verifier(key, &opts.policy),
        format!("functionary key of step '{step}'"),
    )];
    verify_layout(
        env,
        &keys,
        opts,
        Level {
            source: sub_source.as_ref(),
            summary_name: step,
            depth: level.depth + 1,
            entered: &entered,
            budget: level.budget,
        },
        log,
        None,
    )
    .map_err(|mut f| {
        f.sublayouts.insert(0, format!("'{sub_name}'"));
        if f.step.is_none() {
            f.step = Some(step.to_owned());
        }
        f
    })
}
