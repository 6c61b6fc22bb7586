//! Key ids: securesystemslib's default (sha256 of the canonical key
//! fields) and every documented scheme that gives a PEM key another id.

use sha2::{Digest, Sha256};

use super::sslib::Public;
use crate::json::{self, Object, Value};

/// securesystemslib's default key id: sha256 of the canonical JSON of
/// `{"keytype", "scheme", "keyval"}` (plus any extra fields given).
pub fn sslib_keyid(fields: &Object) -> String {
    let bytes = json::to_canonical(&Value::Object(fields.clone())).expect("key fields are strings");
    hex::encode(Sha256::digest(&bytes))
}

/// The `keyid_hash_algorithms` that securesystemslib before 1.0 and
/// in-toto-golang put into key dicts (and into the hashed key id).
pub(crate) const LEGACY_KEYID_HASH_ALGORITHMS: [&str; 2] = ["sha256", "sha512"];

/// Every key id the documented schemes give one key, the default first:
///
/// * securesystemslib ≥ 1.0 (in-toto 3.x): sha256 of the canonical
///   `{"keytype", "scheme", "keyval": {"public"}}`, the public key as
///   pyca/cryptography writes it (PEM with a trailing newline);
/// * securesystemslib < 1.0 (in-toto ≤ 2.x): the same fields plus
///   `"keyid_hash_algorithms": ["sha256", "sha512"]`, with the PEM cut
///   after its END line (`extract_pem`: no trailing newline), and ECDSA
///   keys typed by their scheme (`"keytype": "ecdsa-sha2-nistp256"`);
/// * in-toto-golang: the same fields as old securesystemslib, the PEM
///   from Go's `pem.EncodeToMemory` with surrounding space trimmed (no
///   trailing newline).
///
/// Each is also computed over `stored` (the text a dict holds, when it is
/// not one of these) and with `dict_algos` (a dict's own
/// `keyid_hash_algorithms`, when it is not the usual list). All ids are
/// hashes of the same key material, so accepting any of them never
/// accepts a signature the key did not make.
pub fn keyid_derivations(
    keytype: &str,
    scheme: &str,
    public: &Public,
    stored: Option<&str>,
    dict_algos: Option<&Value>,
) -> Vec<String> {
    let (_, _, canonical) = public.sslib_parts();
    let mut texts = vec![canonical.clone()];
    if !matches!(public, Public::Ed25519(_)) {
        texts.push(canonical.trim_end().to_owned());
    }
    if let Some(s) = stored
        && !texts.iter().any(|t| t == s)
    {
        texts.insert(0, s.to_owned());
    }
    let mut keytypes = vec![keytype.to_owned()];
    if let Public::Ecdsa { .. } = public {
        for t in ["ecdsa", scheme] {
            if !keytypes.iter().any(|k| k == t) {
                keytypes.push(t.to_owned());
            }
        }
    }
    let legacy = Value::Array(
        LEGACY_KEYID_HASH_ALGORITHMS
            .iter()
            .map(|a| (*a).into())
            .collect(),
    );
    let mut algos = vec![None, Some(&legacy)];
    if let Some(a) = dict_algos
        && *a != legacy
    {
        algos.push(Some(a));
    }
    let mut out: Vec<String> = Vec::new();
    for algo in &algos {
        for keytype in &keytypes {
            for text in &texts {
                let mut fields = id_fields(keytype, scheme, text);
                if let Some(a) = algo {
                    fields.insert("keyid_hash_algorithms", (*a).clone());
                }
                let id = sslib_keyid(&fields);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
    out
}

/// The fields securesystemslib hashes into a default key id.
pub(crate) fn id_fields(keytype: &str, scheme: &str, public_text: &str) -> Object {
    Object(vec![
        ("keytype".into(), keytype.into()),
        ("scheme".into(), scheme.into()),
        (
            "keyval".into(),
            Value::Object(Object(vec![("public".into(), public_text.into())])),
        ),
    ])
}
