//! Keys named by who they are: gpg's user id search (a name, an e-mail,
//! `<exact@address>`, `=exact user id`) over certificates, and the one way
//! an OpenPGP key is shown to people (primary fingerprint and user id, a
//! subkey as "subkey X of PRIMARY (user id)").

use openpgp::Cert;
use sequoia_openpgp as openpgp;

use crate::format::is_hex;

/// True when `id` is written as a key id or fingerprint (hex, optionally
/// `0x`, at least 8 digits), as gpg tells key ids from user ids.
pub fn looks_like_key_id(id: &str) -> bool {
    let clean = id.trim().trim_start_matches("0x");
    clean.len() >= 8 && is_hex(clean)
}

/// The first user id of `cert` (gpg's primary one comes first in an
/// export), as text.
pub fn primary_user_id(cert: &Cert) -> Option<String> {
    cert.userids()
        .next()
        .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned())
}

/// True when one of `cert`'s user ids matches `pattern` by gpg's rules:
/// `=text` the whole user id, `<addr>` the e-mail address exactly, `@text`
/// part of the address, anything else part of the user id (case
/// ignored).
pub fn user_id_matches(cert: &Cert, pattern: &str) -> bool {
    let p = pattern.trim();
    cert.userids().any(|u| {
        let uid = String::from_utf8_lossy(u.userid().value()).into_owned();
        if let Some(exact) = p.strip_prefix('=') {
            uid == exact
        } else if p.starts_with('<') {
            let want = p
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_lowercase();
            email(&uid).is_some_and(|e| e.to_lowercase() == want)
        } else if let Some(part) = p.strip_prefix('@') {
            email(&uid).is_some_and(|e| e.to_lowercase().contains(&part.to_lowercase()))
        } else {
            uid.to_lowercase().contains(&p.to_lowercase())
        }
    })
}

/// The address between `<` and `>` in a user id, else the whole user id
/// when it looks like an address.
fn email(uid: &str) -> Option<&str> {
    match (uid.rfind('<'), uid.rfind('>')) {
        (Some(a), Some(b)) if a < b => Some(&uid[a + 1..b]),
        _ => uid.contains('@').then_some(uid),
    }
}

/// `PRIMARY (user id)`, the way an OpenPGP certificate is shown.
pub fn describe_cert(cert: &Cert) -> String {
    let fpr = cert.fingerprint().to_hex();
    match primary_user_id(cert) {
        Some(u) => format!("{fpr} ({u})"),
        None => fpr,
    }
}

/// The key `keyid` of `cert` shown to people: `PRIMARY (user id)` for the
/// primary key, `subkey X of PRIMARY (user id)` for a subkey.
pub fn describe_key(cert: &Cert, keyid: &str) -> String {
    let primary = cert.fingerprint().to_hex();
    let want = keyid.trim_start_matches("0x").to_uppercase();
    if want.is_empty() || primary.ends_with(&want) {
        return describe_cert(cert);
    }
    let sub = cert
        .keys()
        .subkeys()
        .map(|k| k.key().fingerprint().to_hex())
        .find(|f| f.ends_with(&want))
        .unwrap_or(want);
    format!("subkey {sub} of {}", describe_cert(cert))
}

/// One line per candidate certificate, for "matches several keys" errors.
pub fn candidates(certs: &[&Cert]) -> String {
    certs
        .iter()
        .map(|c| describe_cert(c))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use openpgp::cert::CertBuilder;

    fn cert(uid: &str) -> Cert {
        CertBuilder::general_purpose(Some(uid))
            .generate()
            .unwrap()
            .0
    }

    #[test]
    fn user_ids_match_as_gpg_matches_them() {
        let bob = cert("Bob Builder <bob@example.org>");
        for hit in [
            "bob",
            "BUILDER",
            "bob@example.org",
            "<bob@example.org>",
            "@example",
        ] {
            assert!(user_id_matches(&bob, hit), "{hit}");
        }
        assert!(user_id_matches(&bob, "=Bob Builder <bob@example.org>"));
        for miss in ["alice", "<bob@example>", "=Bob Builder", "@nowhere"] {
            assert!(!user_id_matches(&bob, miss), "{miss}");
        }
        assert!(looks_like_key_id("0xDEADBEEF01234567"));
        assert!(!looks_like_key_id("bob@example.org"));
        assert!(!looks_like_key_id("cafe"));
    }

    #[test]
    fn a_subkey_is_shown_with_its_primary_and_user_id() {
        let bob = cert("Bob <bob@example.org>");
        let primary = bob.fingerprint().to_hex();
        assert_eq!(
            describe_key(&bob, &primary),
            format!("{primary} (Bob <bob@example.org>)")
        );
        let sub = bob
            .keys()
            .subkeys()
            .next()
            .unwrap()
            .key()
            .fingerprint()
            .to_hex();
        assert_eq!(
            describe_key(&bob, &sub.to_lowercase()),
            format!("subkey {sub} of {primary} (Bob <bob@example.org>)")
        );
    }
}
