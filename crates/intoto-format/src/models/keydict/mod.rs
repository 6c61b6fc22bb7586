//! Key dicts as layouts store them: securesystemslib's dict for PEM keys
//! ([`sslib`]) and its OpenPGP dict for gpg keys ([`gpg`]), with strict
//! parsing that recomputes every key id from the key material
//! ([`keyid`]). Formats only: verifiers are built from these dicts in
//! `intoto::keys`.

pub mod gpg;
pub mod keyid;
pub mod sslib;

pub use gpg::{GpgKey, GpgParams, mpi_bits};
pub use sslib::{Public, SslibKey};

use crate::format::{FResult, FormatError};
use crate::json::Value;

/// A key as layouts store it: securesystemslib's dict for PEM keys or the
/// OpenPGP dict for gpg keys.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyDict {
    /// `{"keytype", "scheme", "keyval": {"public"}, "keyid"}`
    Sslib(SslibKey),
    /// `{"type", "method", "hashes", "keyval", "keyid", ...}`
    Gpg(GpgKey),
}

impl KeyDict {
    /// Parses a key dict stored under `dict_keyid` in a layout (or given
    /// alone when `dict_keyid` is `None`-like empty), recomputing its id
    /// from the key material: the dict key and the `keyid` field must
    /// both equal it.
    pub fn from_value(path: &str, dict_keyid: &str, v: &Value) -> FResult<KeyDict> {
        let obj = v.as_object().ok_or_else(|| {
            FormatError::new(path, format!("expected a key object, got {}", v.kind()))
        })?;
        let key = if obj.contains_key("type") && obj.contains_key("method") {
            KeyDict::Gpg(GpgKey::from_value(path, v, false)?)
        } else if obj.contains_key("keytype") {
            KeyDict::Sslib(SslibKey::from_value(path, v)?)
        } else {
            return Err(FormatError::new(
                path,
                "not a key: expected \"keytype\" (PEM key) or \"type\" and \"method\" (OpenPGP key)",
            ));
        };
        if !dict_keyid.is_empty() && dict_keyid != key.keyid() {
            return Err(FormatError::new(
                path,
                format!(
                    "is stored under key id {dict_keyid} but its key material has id {}",
                    key.keyid()
                ),
            ));
        }
        Ok(key)
    }

    /// The same key under its legacy key id (see [`SslibKey::to_legacy`]);
    /// `None` for OpenPGP keys, whose id is their fingerprint.
    pub fn to_legacy(&self) -> Option<KeyDict> {
        match self {
            KeyDict::Sslib(k) => Some(KeyDict::Sslib(k.to_legacy())),
            KeyDict::Gpg(_) => None,
        }
    }

    /// The key id.
    pub fn keyid(&self) -> &str {
        match self {
            KeyDict::Sslib(k) => &k.keyid,
            KeyDict::Gpg(k) => &k.keyid,
        }
    }

    /// Key ids of subkeys (OpenPGP only), in file order.
    pub fn subkey_ids(&self) -> Vec<&str> {
        match self {
            KeyDict::Sslib(_) => Vec::new(),
            KeyDict::Gpg(k) => k.subkeys.iter().map(|s| s.keyid.as_str()).collect(),
        }
    }

    /// An identity of the key *material*: equal for two dicts holding the
    /// same key, whatever their ids. Thresholds count these.
    pub fn material_id(&self) -> &str {
        match self {
            KeyDict::Sslib(k) => k.material_id(),
            KeyDict::Gpg(k) => &k.keyid,
        }
    }

    /// The dict, as written into layouts.
    pub fn to_value(&self) -> Value {
        match self {
            KeyDict::Sslib(k) => k.to_value(),
            KeyDict::Gpg(k) => k.to_value(),
        }
    }

    /// A short description: algorithm and (for OpenPGP) expiry.
    pub fn describe(&self) -> String {
        match self {
            KeyDict::Sslib(k) => format!("{} ({})", k.keytype, k.scheme),
            KeyDict::Gpg(k) => k.describe(),
        }
    }
}
