//! The strict streaming parser of artifact maps ([`ArtifactsSeed`]): paths
//! borrowed when they can be, the usual `{"sha256": hex}` decoded without
//! allocating, duplicates and non-hex digests refused where they stand.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::digests::{hex32, unhex32};
use super::{Artifacts, HashDict};
use crate::models::{DuplicatePath, is_hex};

/// Strict streaming parser for an artifact map at `path` (for messages);
/// `None` for `null` (which in-toto-golang writes for a nil map).
pub struct ArtifactsSeed<'a>(pub &'a str);

impl<'de> DeserializeSeed<'de> for ArtifactsSeed<'_> {
    type Value = Option<Artifacts>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Artifacts>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArtifactsSeed<'_> {
    type Value = Option<Artifacts>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: an object of artifacts", self.0)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Artifacts>, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Artifacts>, A::Error> {
        let mut out = Artifacts::new();
        while let Some(name) = map.next_key_seed(StrSeed)? {
            if name.contains('\0') {
                return Err(de::Error::custom(format_args!(
                    "{}: artifact name {name:?} contains NUL",
                    self.0
                )));
            }
            let digests = map.next_value_seed(HashDictSeed {
                path: self.0,
                name: &name,
            })?;
            out.push(&name, digests);
        }
        out.finish().map(Some).map_err(|DuplicatePath(dup)| {
            de::Error::custom(format_args!(
                "{}: duplicate key {dup:?} in an object",
                self.0
            ))
        })
    }
}

struct HashDictSeed<'a> {
    path: &'a str,
    name: &'a str,
}

impl<'de> DeserializeSeed<'de> for HashDictSeed<'_> {
    type Value = HashDict;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<HashDict, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HashDictSeed<'_> {
    type Value = HashDict;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}[{:?}]: an object of hex digests",
            self.path, self.name
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HashDict, A::Error> {
        // The common case, {"sha256": <64 lower-case hex>}, without
        // allocating; anything else goes through the general path.
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut fast: Option<[u8; 32]> = None;
        while let Some(algo) = map.next_key_seed(StrSeed)? {
            let hex = map.next_value_seed(HexSeed {
                path: self.path,
                name: self.name,
                algo: &algo,
            })?;
            if pairs.is_empty()
                && fast.is_none()
                && algo == "sha256"
                && let Some(d) = unhex32(&hex)
            {
                fast = Some(d);
                continue;
            }
            if !is_hex(&hex) {
                return Err(de::Error::custom(format_args!(
                    "{}[{:?}].{algo}: expected a hex digest, got {hex:?}",
                    self.path, self.name
                )));
            }
            if let Some(d) = fast.take() {
                pairs.push((
                    "sha256".into(),
                    String::from_utf8_lossy(&hex32(&d)).into_owned(),
                ));
            }
            pairs.push((algo.into_owned(), hex.into_owned()));
        }
        if let Some(d) = fast {
            return Ok(HashDict::Sha256(d));
        }
        HashDict::from_pairs(pairs).ok_or_else(|| {
            de::Error::custom(format_args!(
                "{}[{:?}]: duplicate key in an object",
                self.path, self.name
            ))
        })
    }
}

/// A string, borrowed from the input when it has no escapes.
struct StrSeed;

impl<'de> DeserializeSeed<'de> for StrSeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for StrSeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// A digest value: must be a hex string.
struct HexSeed<'a> {
    path: &'a str,
    name: &'a str,
    algo: &'a str,
}

impl<'de> DeserializeSeed<'de> for HexSeed<'_> {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for HexSeed<'_> {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}[{:?}].{}: a hex digest",
            self.path, self.name, self.algo
        )
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        // A lower-case sha256 digest is checked again, more cheaply, when
        // it is decoded; anything else must be hex here.
        if (v.len() == 64 && self.algo == "sha256") || is_hex(v) {
            Ok(Cow::Borrowed(v))
        } else {
            Err(self.bad(&format!("{v:?}")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        if is_hex(v) {
            Ok(Cow::Owned(v.to_owned()))
        } else {
            Err(self.bad(&format!("{v:?}")))
        }
    }
}

impl HexSeed<'_> {
    fn bad<E: de::Error>(&self, got: &str) -> E {
        E::custom(format_args!(
            "{}[{:?}].{}: expected a hex digest, got {got}",
            self.path, self.name, self.algo
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::models::{Envelope, Signed};

    fn link(materials: &str) -> Result<Envelope, crate::format::MetadataError> {
        Envelope::from_slice(format!(r#"{{"signed": {{"_type": "link", "name": "x", "materials": {materials}}}, "signatures": []}}"#).as_bytes())
    }

    #[test]
    fn artifact_maps_are_parsed_strictly() {
        let ok = link(r#"{"a": {"sha256": "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"}, "b": {"sha512": "AB", "md5": "cd"}}"#).unwrap();
        let Signed::Link(l) = ok.signed() else {
            panic!()
        };
        assert_eq!(l.materials.len(), 2);
        // Upper-case and non-sha256 digests are kept verbatim (canonical bytes unchanged).
        let canon = String::from_utf8(ok.signed_bytes().to_vec()).unwrap();
        assert!(
            canon.contains(r#""b":{"md5":"cd","sha512":"AB"}"#),
            "{canon}"
        );
        for bad in [
            r#"{"a\u0000b": {"sha256": "00"}}"#,
            r#"{"a": {"sha256": "xyz"}}"#,
            r#"{"a": {"sha256": 5}}"#,
            r#"{"a": {"sha256": "00", "sha256": "01"}}"#,
            r#"{"a": {"sha256": "00"}, "a": {"sha256": "00"}}"#,
            r#"{"a": "00"}"#,
            r#"[]"#,
        ] {
            assert!(link(bad).is_err(), "accepted {bad}");
        }
    }
}
