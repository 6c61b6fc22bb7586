//! Hazards said at signing time (and marked by `layout show`): what
//! signs or is signed now but will not verify, here or in the Python
//! reference, later or elsewhere. None of them stops a command; each is a
//! warning with the fix.
//!
//! * A signature by an OpenPGP subkey when the primary key or the subkey
//!   is Ed25519: securesystemslib checks subkey bindings over the key
//!   packets with their old one-byte length headers, which only works for
//!   packets of 256 bytes or more (RSA, DSA), so it drops such subkeys and
//!   `in-toto-verify` finds no signature (NIST ECDSA keys are refused
//!   outright without `--allow-noninteroperable`).
//! * A layout that expires after one of its keys (owner or functionary)
//!   does: it stops verifying on the key's date, not its own.
//! * A layout that has expired already.

use crate::models::keydict::{GpgKey, GpgParams, KeyDict};
use crate::models::{Layout, layout_time, parse_expires};

/// One hazard, worded with its fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Hazard {
    /// The Python reference cannot verify signatures by this subkey.
    #[error(
        "the Python reference (in-toto-verify, securesystemslib) cannot verify signatures by subkey \
         {subkey} of {primary} (it cannot check the binding of a subkey when either key is \
         Ed25519, and drops it); where the reference must verify, sign with the primary key or an \
         RSA subkey"
    )]
    ReferenceCannotVerify {
        /// The primary fingerprint.
        primary: String,
        /// The signing subkey's fingerprint.
        subkey: String,
    },
    /// The key expires before the layout does.
    #[error(
        "{key} expires on {key_expires}, before the layout does ({layout_expires}): \
         the layout stops verifying then; extend the key ({fix}, then export it again), or give the \
         layout an earlier expiry (intoto layout set-expires)"
    )]
    KeyExpiresFirst {
        /// `key FPR` or `subkey FPR of PRIMARY`.
        key: String,
        /// The gpg command that extends it.
        fix: String,
        /// When the key expires.
        key_expires: String,
        /// When the layout expires.
        layout_expires: String,
    },
    /// The layout has expired already.
    #[error(
        "the layout expired on {expires}: verification refuses it; set a new expiry \
         (intoto layout set-expires) and sign it again"
    )]
    LayoutExpired {
        /// The layout's `expires`.
        expires: String,
    },
}

/// The hazard of signing with `signing_keyid` (the key or one of its
/// subkeys) of `dict`: a subkey signature the reference cannot verify.
pub fn signing_key(dict: &KeyDict, signing_keyid: &str) -> Option<Hazard> {
    let KeyDict::Gpg(k) = dict else {
        return None;
    };
    let want = signing_keyid.to_lowercase();
    let sub = k
        .subkeys
        .iter()
        .find(|s| s.keyid.eq_ignore_ascii_case(&want))?;
    let small = |p: &GpgParams| matches!(p, GpgParams::EdDsa { .. });
    (small(&k.params) || small(&sub.params)).then(|| Hazard::ReferenceCannotVerify {
        primary: k.keyid.to_uppercase(),
        subkey: sub.keyid.to_uppercase(),
    })
}

/// The subkeys of `dict` whose signatures the reference cannot verify.
pub fn unverifiable_subkeys(dict: &KeyDict) -> Vec<Hazard> {
    match dict {
        KeyDict::Gpg(k) => k
            .subkeys
            .iter()
            .filter_map(|s| signing_key(dict, &s.keyid))
            .collect(),
        KeyDict::Sslib(_) => Vec::new(),
    }
}

/// The keys of `dict` that expire before `layout_expires` (seconds):
/// the primary, and each subkey (`only`: just that one, the key that
/// signs).
pub fn expiring_before(dict: &KeyDict, layout_expires: i64, only: Option<&str>) -> Vec<Hazard> {
    let KeyDict::Gpg(k) = dict else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut check = |key: &GpgKey, name: String, fix: String| {
        if let Some(t) = key.expires_at()
            && t < layout_expires
        {
            out.push(Hazard::KeyExpiresFirst {
                key: name,
                fix,
                key_expires: layout_time(t),
                layout_expires: layout_time(layout_expires),
            });
        }
    };
    let primary = k.keyid.to_uppercase();
    check(
        k,
        format!("key {primary}"),
        format!("gpg --quick-set-expire {primary} 2y"),
    );
    for s in &k.subkeys {
        if only.is_some_and(|o| !o.eq_ignore_ascii_case(&s.keyid)) {
            continue;
        }
        let sub = s.keyid.to_uppercase();
        check(
            s,
            format!("subkey {sub} of {primary}"),
            format!("gpg --quick-set-expire {primary} 2y {sub}"),
        );
    }
    out
}

/// The hazards of a layout at `now`: expired, or outliving one of its
/// functionary keys.
pub fn layout(layout: &Layout, now: i64) -> Vec<Hazard> {
    let Some(exp) = parse_expires(&layout.expires) else {
        return Vec::new();
    };
    if exp <= now {
        return vec![Hazard::LayoutExpired {
            expires: layout.expires.clone(),
        }];
    }
    layout
        .keys
        .iter()
        .flat_map(|(_, k)| expiring_before(k, exp, None))
        .collect()
}

/// When the layout expires (seconds), if its `expires` reads.
pub fn layout_expiry(layout: &Layout) -> Option<i64> {
    parse_expires(&layout.expires)
}
