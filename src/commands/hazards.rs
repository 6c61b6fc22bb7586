//! Hazards said at signing time (the library's `keys::hazards`): warnings
//! only, the exit status stays what it was.

use intoto::keys::Signer;
use intoto::keys::hazards::{self, Hazard};
use intoto_format::models::{KeyDict, Layout};

use super::resolver::Resolved;
use crate::ui;
use intoto::keys::openpgp::cert_to_dict;
use intoto::policy::Policy;

/// Warns about signing with `signer`: a subkey the reference cannot
/// verify; for a layout, also its expiry (past, or after the signing
/// key's or a functionary's).
pub fn warn_signing(signer: &dyn Signer, layout: Option<&Layout>, now: i64) {
    warn_signers(&[signer], layout, now);
}

/// [`warn_signing`] for several signers of one file, each hazard once.
pub fn warn_signers(signers: &[&dyn Signer], layout: Option<&Layout>, now: i64) {
    let mut found: Vec<Hazard> = signers
        .iter()
        .filter_map(|s| hazards::signing_key(s.public_key(), s.keyid()))
        .collect();
    if let Some(l) = layout {
        let all = hazards::layout(l, now);
        let expired = all
            .iter()
            .any(|h| matches!(h, Hazard::LayoutExpired { .. }));
        if !expired && let Some(exp) = hazards::layout_expiry(l) {
            for s in signers {
                found.extend(hazards::expiring_before(
                    s.public_key(),
                    exp,
                    Some(s.keyid()),
                ));
            }
        }
        found.extend(all);
    }
    say(found);
}

/// Warns about adding `dict` to `layout`: subkeys the reference cannot
/// verify, a key that expires before the layout, an expired layout.
pub fn warn_added_key(dict: &KeyDict, layout: &Layout, now: i64) {
    let mut found = hazards::unverifiable_subkeys(dict);
    match hazards::layout_expiry(layout) {
        Some(exp) if exp <= now => found.extend(hazards::layout(layout, now)),
        Some(exp) => found.extend(hazards::expiring_before(dict, exp, None)),
        None => {}
    }
    say(found);
}

/// One warning a hazard, each once.
fn say(found: Vec<Hazard>) {
    let mut seen: Vec<String> = Vec::new();
    for h in found {
        let text = h.to_string();
        if !seen.contains(&text) {
            ui::warn(&text);
            seen.push(text);
        }
    }
}

/// The hazards `layout show` marks: the layout's own, and the keys whose
/// subkey signatures the reference cannot verify.
pub fn marks(layout: &Layout, now: i64) -> Vec<String> {
    let mut out: Vec<String> = hazards::layout(layout, now)
        .iter()
        .map(Hazard::to_string)
        .collect();
    for (_, k) in &layout.keys {
        out.extend(
            hazards::unverifiable_subkeys(k)
                .iter()
                .map(Hazard::to_string),
        );
    }
    out.dedup();
    out
}

/// The hazards `layout show` marks on the signature made under `id` by
/// the OpenPGP key `r`: a subkey the reference cannot verify, a key that
/// expires before the layout.
pub fn signature_marks(r: &Resolved, id: &str, layout: &Layout, policy: &Policy) -> Vec<String> {
    let Some(cert) = &r.cert else {
        return Vec::new();
    };
    let Ok(dict) = cert_to_dict(cert, &policy.clone().allowing_noninteroperable(true)) else {
        return Vec::new();
    };
    let dict = KeyDict::Gpg(dict);
    let mut out: Vec<Hazard> = hazards::signing_key(&dict, id).into_iter().collect();
    if let Some(exp) = hazards::layout_expiry(layout)
        && exp > policy.time()
    {
        out.extend(hazards::expiring_before(&dict, exp, Some(id)));
    }
    out.iter().map(Hazard::to_string).collect()
}
