//! The signed-bytes machinery: the members of `signed` (or a DSSE
//! payload) gathered in one parse ([`SignedParts`]: artifact maps parsed
//! compactly, everything else as strict JSON values), which serialise,
//! in order and as they stood, to the canonical bytes Metablock signatures
//! cover, and then become the typed [`Signed`].

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::Signed;
use super::metablock::{Canonical, Stood};
use crate::json::{self, Object, Value};
use crate::models::artifacts::{Artifacts, ArtifactsSeed};
use crate::models::{FResult, Fields, FormatError, Layout, Link};

/// The parts of `signed` (or a DSSE payload) gathered in one pass: artifact
/// maps parsed compactly, everything else as strict JSON values.
pub(super) struct SignedParts {
    rest: Object,
    materials: Option<Artifacts>,
    products: Option<Artifacts>,
    /// `materials` or `products` given as `null`.
    artifact_nulls: Vec<&'static str>,
}

/// An artifact map as a member of `signed`.
pub(super) enum ArtifactMember<'a> {
    /// Not in the file.
    Absent,
    /// Written as `null`: signed as `null`, not as `{}`.
    Null,
    /// The map.
    Map(&'a Artifacts),
}

impl<'a> ArtifactMember<'a> {
    fn of(map: Option<&'a Artifacts>, null: bool) -> ArtifactMember<'a> {
        match map {
            Some(a) => ArtifactMember::Map(a),
            None if null => ArtifactMember::Null,
            None => ArtifactMember::Absent,
        }
    }
}

/// The members of `signed`: the artifact maps and the others, every one as
/// it stood in the file; serialises with keys in order.
pub(super) struct PartsView<'a> {
    pub(super) rest: &'a Object,
    pub(super) materials: ArtifactMember<'a>,
    pub(super) products: ArtifactMember<'a>,
}

impl PartsView<'_> {
    /// Writes the canonical JSON of the members into `w` through a 64 KiB
    /// buffer: the artifact maps by their own writer, the other members
    /// (keys sorted when read) through the canonical serializer, which
    /// fails if they are not in order after all.
    pub(super) fn write_canonical(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut members: Vec<(&str, Option<&Value>)> = self
            .rest
            .iter()
            .map(|(k, v)| (k.as_str(), Some(v)))
            .collect();
        for (name, m) in [("materials", &self.materials), ("products", &self.products)] {
            if !matches!(m, ArtifactMember::Absent) {
                members.push((name, None));
            }
        }
        members.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if members.windows(2).any(|p| p[0].0 == p[1].0) {
            return Err(std::io::Error::other("a member given twice"));
        }
        let mut out = std::io::BufWriter::with_capacity(64 << 10, w);
        out.write_all(b"{")?;
        for (i, (name, value)) in members.into_iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            json::write_canonical_str_to(&mut out, name)?;
            out.write_all(b":")?;
            let artifacts = if name == "materials" {
                &self.materials
            } else {
                &self.products
            };
            match (value, artifacts) {
                (Some(v), _) => json::write_canonical_direct(v, &mut out)?,
                (None, ArtifactMember::Map(a)) => a.write_canonical(&mut out)?,
                (None, _) => out.write_all(b"null")?,
            }
        }
        out.write_all(b"}")?;
        out.flush()
    }
}

impl Serialize for PartsView<'_> {
    /// Every member, keys in order, as it stood in the file.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        enum Member<'a> {
            Value(&'a Value),
            Artifacts(&'a Artifacts),
            Null,
        }
        let mut members: Vec<(&str, Member<'_>)> = self
            .rest
            .iter()
            .map(|(k, v)| (k.as_str(), Member::Value(v)))
            .collect();
        for (name, artifacts) in [("materials", &self.materials), ("products", &self.products)] {
            match artifacts {
                ArtifactMember::Map(a) => members.push((name, Member::Artifacts(a))),
                ArtifactMember::Null => members.push((name, Member::Null)),
                ArtifactMember::Absent => {}
            }
        }
        members.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut m = s.serialize_map(Some(members.len()))?;
        for (k, v) in members {
            match v {
                Member::Value(v) => m.serialize_entry(k, v)?,
                Member::Artifacts(a) => m.serialize_entry(k, a)?,
                Member::Null => m.serialize_entry(k, &())?,
            }
        }
        m.end()
    }
}

impl Serialize for SignedParts {
    /// Every member, keys in order, as it stood in the file.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PartsView {
            rest: &self.rest,
            materials: ArtifactMember::of(
                self.materials.as_ref(),
                self.artifact_nulls.contains(&"materials"),
            ),
            products: ArtifactMember::of(
                self.products.as_ref(),
                self.artifact_nulls.contains(&"products"),
            ),
        }
        .serialize(s)
    }
}

impl SignedParts {
    /// For a link: its canonical bytes kept as parts, written on demand
    /// from the model's artifact maps and its other members (keys sorted
    /// here). `None` for a layout, or when those members have no canonical
    /// form as they stand (the caller then canonicalises the text, which
    /// says why).
    pub(super) fn link_canonical(&self) -> Option<Canonical> {
        if self.rest.get("_type").and_then(Value::as_str) != Some("link") {
            return None;
        }
        let mut rest = self.rest.clone();
        rest.sort_keys();
        json::to_canonical_direct(&rest)?;
        let stood = |name: &'static str, map: &Option<Artifacts>| match map {
            Some(_) => Stood::Map,
            None if self.artifact_nulls.contains(&name) => Stood::Null,
            None => Stood::Absent,
        };
        Some(Canonical::Link {
            materials: stood("materials", &self.materials),
            products: stood("products", &self.products),
            rest,
        })
    }

    pub(super) fn into_signed(self, path: &str) -> FResult<Signed> {
        for (k, v) in self.rest.iter() {
            only_integers(&format!("{path}.{k}"), v)?;
        }
        let rest = Value::Object(self.rest);
        let f = Fields::of(path, &rest)?;
        match f.get("_type").and_then(Value::as_str) {
            Some("link") => Ok(Signed::Link(Link::from_parts(
                path,
                &rest,
                self.materials,
                self.products,
                &self.artifact_nulls,
            )?)),
            Some("layout") => Ok(Signed::Layout(Layout::from_value(path, &rest)?)),
            Some(other) => Err(FormatError::new(
                f.sub("_type"),
                format!("expected \"link\" or \"layout\", got {other:?}"),
            )),
            None => Err(FormatError::new(
                f.sub("_type"),
                "missing or not a string (must be \"link\" or \"layout\")",
            )),
        }
    }
}

/// Canonical JSON has integers only: a number with a fraction or an
/// exponent anywhere in `signed` is refused where it stands.
fn only_integers(path: &str, v: &Value) -> FResult<()> {
    match v {
        Value::Float(f) => Err(FormatError::new(
            path,
            format!("{f} is not an integer (in-toto metadata has integers only)"),
        )),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| only_integers(&format!("{path}[{i}]"), v)),
        Value::Object(o) => o
            .iter()
            .try_for_each(|(k, v)| only_integers(&format!("{path}.{k}"), v)),
        _ => Ok(()),
    }
}

pub(super) struct SignedSeed<'a>(pub(super) &'a str);

impl<'de> DeserializeSeed<'de> for SignedSeed<'_> {
    type Value = SignedParts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<SignedParts, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SignedSeed<'_> {
    type Value = SignedParts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: a link or layout object", self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SignedParts, A::Error> {
        let mut parts = SignedParts {
            rest: Object::default(),
            materials: None,
            products: None,
            artifact_nulls: Vec::new(),
        };
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format_args!(
                    "{}: duplicate key {key:?} in an object",
                    self.0
                )));
            }
            match key.as_str() {
                "materials" => {
                    parts.materials =
                        map.next_value_seed(ArtifactsSeed(&format!("{}.materials", self.0)))?;
                    if parts.materials.is_none() {
                        parts.artifact_nulls.push("materials");
                    }
                }
                "products" => {
                    parts.products =
                        map.next_value_seed(ArtifactsSeed(&format!("{}.products", self.0)))?;
                    if parts.products.is_none() {
                        parts.artifact_nulls.push("products");
                    }
                }
                _ => {
                    let v: Value = map.next_value()?;
                    parts.rest.0.push((key.clone(), v));
                }
            }
            seen.push(key);
        }
        Ok(parts)
    }
}

pub(super) fn strict_error(path: &str, e: json::StrictError) -> FormatError {
    match e {
        json::StrictError::Bom => FormatError::new(path, "starts with a byte-order mark"),
        json::StrictError::Json(e) => {
            FormatError::new(path, format!("is not valid metadata JSON: {e}"))
        }
    }
}
