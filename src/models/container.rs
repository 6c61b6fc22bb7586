//! The two signature containers: the classic Metablock and DSSE.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use super::artifacts::{Artifacts, ArtifactsSeed};

use super::{FResult, Fields, FormatError, Layout, Link};
use crate::format::MetadataError;
use crate::json::{self, CanonicalError, Object, Value};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The DSSE payload type of in-toto link and layout payloads.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// What is signed: a link or a layout.
#[derive(Clone, Debug, PartialEq)]
pub enum Signed {
    /// Link metadata.
    Link(Link),
    /// Layout metadata.
    Layout(Layout),
}

impl Signed {
    /// The fields the document wrote as `null` (read as empty), as paths
    /// such as `environment` or `steps[0].expected_command`.
    pub fn null_fields(&self) -> Vec<String> {
        let own = |n: &super::Nulls, prefix: &str| {
            n.fields()
                .iter()
                .map(|f| format!("{prefix}{f}"))
                .collect::<Vec<_>>()
        };
        match self {
            Signed::Link(l) => own(&l.nulls, ""),
            Signed::Layout(l) => {
                let mut out = own(&l.nulls, "");
                for (i, s) in l.steps.iter().enumerate() {
                    out.extend(own(&s.nulls, &format!("steps[{i}].")));
                }
                for (i, s) in l.inspect.iter().enumerate() {
                    out.extend(own(&s.nulls, &format!("inspect[{i}].")));
                }
                out
            }
        }
    }

    /// The fields the model knows, as compact JSON text. Member order is
    /// not significant: every writer goes through [`Value`] or
    /// [`json::canonicalize`], which sort.
    fn known_fields_json(&self) -> Result<Vec<u8>, CanonicalError> {
        let r = match self {
            Signed::Link(l) => json::to_python_compact(l),
            Signed::Layout(l) => json::to_python_compact(l),
        };
        r.map_err(|e| CanonicalError::new(e.to_string()))
    }
}

impl Serialize for Signed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Signed::Link(l) => l.serialize(s),
            Signed::Layout(l) => l.serialize(s),
        }
    }
}

/// One signature in a Metablock (or a DSSE envelope, decoded).
#[derive(Clone, Debug, PartialEq)]
pub enum Signature {
    /// securesystemslib's `{"keyid", "sig"}`; `sig` is hex in a Metablock.
    Plain {
        /// The signing key's id.
        keyid: String,
        /// The signature, as stored (hex in Metablocks); may be malformed.
        sig: String,
        /// Other fields, kept as they were.
        extra: Object,
    },
    /// The OpenPGP triple `{"keyid", "other_headers", "signature"}`.
    Gpg {
        /// Fingerprint of the (sub)key that signed, lower-case hex.
        keyid: String,
        /// Hex of the v4 signature packet up to the end of the hashed area.
        other_headers: String,
        /// Hex of the signature value (see [`crate::keys::openpgp`]).
        signature: String,
        /// Other fields, kept as they were.
        extra: Object,
    },
}

impl Signature {
    /// The `keyid` field.
    pub fn keyid(&self) -> &str {
        match self {
            Signature::Plain { keyid, .. } | Signature::Gpg { keyid, .. } => keyid,
        }
    }

    fn from_value(path: &str, v: &Value) -> FResult<Signature> {
        let f = Fields::of(path, v)?;
        let keyid = f.string("keyid")?;
        let mut extra = f.obj.clone();
        for k in ["keyid", "sig", "signature", "other_headers"] {
            extra.remove(k);
        }
        if f.obj.contains_key("signature") && f.obj.contains_key("other_headers") {
            Ok(Signature::Gpg {
                keyid,
                other_headers: f.string("other_headers")?,
                signature: f.string("signature")?,
                extra,
            })
        } else if f.obj.contains_key("sig") {
            Ok(Signature::Plain {
                keyid,
                sig: f.string("sig")?,
                extra,
            })
        } else {
            Err(FormatError::new(
                path,
                "not a signature: needs \"sig\", or \"signature\" and \"other_headers\"",
            ))
        }
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut obj = match self {
            Signature::Plain { extra, .. } | Signature::Gpg { extra, .. } => extra.clone(),
        };
        match self {
            Signature::Plain { keyid, sig, .. } => {
                obj.insert("keyid", keyid.as_str().into());
                obj.insert("sig", sig.as_str().into());
            }
            Signature::Gpg {
                keyid,
                other_headers,
                signature,
                ..
            } => {
                obj.insert("keyid", keyid.as_str().into());
                obj.insert("other_headers", other_headers.as_str().into());
                obj.insert("signature", signature.as_str().into());
            }
        }
        obj.serialize(s)
    }
}

/// The classic container: `{"signatures": [...], "signed": {...}}`.
///
/// Signatures cover the canonical JSON of the whole `signed` value as it
/// stands in the file, fields the model does not know included, so nobody
/// can add fields to a signed file without breaking its signatures. The
/// typed model is a view for reading; the canonical bytes are what is
/// signed, verified and written back.
#[derive(Clone, Debug, PartialEq)]
pub struct Metablock {
    /// Signatures over [`Metablock::canonical_bytes`].
    pub signatures: Vec<Signature>,
    signed: Signed,
    canonical: Vec<u8>,
}

impl Metablock {
    /// An unsigned Metablock around `signed` (only the fields the model
    /// knows, so the reference verifies what is written).
    pub fn new(signed: Signed) -> Result<Metablock, CanonicalError> {
        // Straight from the model (no JSON text in between, which for a
        // link of many artifacts would double the memory); through the
        // text when the model's output is not canonical as it stands.
        let canonical = match json::to_canonical_direct(&signed) {
            Some(c) => c,
            None => json::canonicalize(&signed.known_fields_json()?)?,
        };
        Ok(Metablock {
            signatures: Vec::new(),
            signed,
            canonical,
        })
    }

    /// The link or layout, as the model reads it.
    pub fn signed(&self) -> &Signed {
        &self.signed
    }

    /// The canonical JSON of `signed`: the bytes its signatures cover.
    pub fn canonical_bytes(&self) -> &[u8] {
        &self.canonical
    }

    /// Writes the file bytes, as the reference writes them
    /// (`json.dumps(indent=1, sort_keys=True)`), straight from the
    /// canonical bytes: no value tree and no whole copy, however many
    /// artifacts.
    fn write_file_bytes(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let sigs = json::to_python_pretty(&self.signatures)?;
        let mut head = Vec::with_capacity(sigs.len() + 64);
        head.extend_from_slice(b"{\n \"signatures\": ");
        // One level deeper; pretty JSON has no raw newline inside strings.
        for &c in &sigs {
            head.push(c);
            if c == b'\n' {
                head.push(b' ');
            }
        }
        head.extend_from_slice(b",\n \"signed\": ");
        w.write_all(&head)?;
        json::write_canonical_as_python_pretty(&self.canonical, 1, w)?;
        w.write_all(b"\n}")
    }

    /// True when `signed` holds exactly what the model knows, so the
    /// Python reference (which rebuilds the object from known fields and
    /// defaults before checking) checks these same bytes.
    pub fn matches_model(&self) -> bool {
        Metablock::new(self.signed.clone()).is_ok_and(|m| m.canonical == self.canonical)
    }
}

impl Serialize for Metablock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let signed = json::parse_canonical(&self.canonical).map_err(serde::ser::Error::custom)?;
        let mut st = s.serialize_struct("Metablock", 2)?;
        st.serialize_field("signatures", &self.signatures)?;
        st.serialize_field("signed", &signed)?;
        st.end()
    }
}

/// One DSSE signature, with its signature bytes decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct DsseSignature {
    /// The signing key's id.
    pub keyid: String,
    /// The signature bytes (for OpenPGP keys: a binary v4 signature packet).
    pub sig: Vec<u8>,
    /// Other fields, kept as they were.
    pub extra: Object,
}

/// A DSSE envelope holding an in-toto payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Dsse {
    /// The exact payload bytes that were signed.
    pub payload: Vec<u8>,
    /// Signatures over [`pae`] of the payload.
    pub signatures: Vec<DsseSignature>,
    /// The payload, parsed.
    pub signed: Signed,
}

impl Dsse {
    /// The bytes DSSE signatures cover.
    pub fn pae(&self) -> Vec<u8> {
        pae(PAYLOAD_TYPE, &self.payload)
    }
}

/// DSSE's pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

impl Serialize for Dsse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("payload", &B64.encode(&self.payload))?;
        m.serialize_entry("payloadType", PAYLOAD_TYPE)?;
        let sigs: Vec<Object> = self
            .signatures
            .iter()
            .map(|sig| {
                let mut o = sig.extra.clone();
                o.insert("keyid", sig.keyid.as_str().into());
                o.insert("sig", B64.encode(&sig.sig).into());
                o
            })
            .collect();
        m.serialize_entry("signatures", &sigs)?;
        m.end()
    }
}

/// A metadata file: either container.
#[derive(Clone, Debug, PartialEq)]
pub enum Envelope {
    /// `{"signatures", "signed"}`
    Metablock(Metablock),
    /// `{"payload", "payloadType", "signatures"}`
    Dsse(Dsse),
}

impl Envelope {
    /// Parses a metadata file strictly (see [`crate::json`]) in one pass.
    pub fn from_slice(bytes: &[u8]) -> Result<Envelope, MetadataError> {
        Ok(json::parse_seed(bytes, DocSeed)?.into_envelope()?)
    }

    /// The link or layout inside.
    pub fn signed(&self) -> &Signed {
        match self {
            Envelope::Metablock(m) => &m.signed,
            Envelope::Dsse(d) => &d.signed,
        }
    }

    /// Takes the link or layout out.
    pub fn into_signed(self) -> Signed {
        match self {
            Envelope::Metablock(m) => m.signed,
            Envelope::Dsse(d) => d.signed,
        }
    }

    /// The bytes this container's signatures cover.
    pub fn signed_bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Envelope::Metablock(m) => Cow::Borrowed(m.canonical_bytes()),
            Envelope::Dsse(d) => Cow::Owned(d.pae()),
        }
    }

    /// Key ids of the signatures, in order.
    pub fn signature_keyids(&self) -> Vec<String> {
        match self {
            Envelope::Metablock(m) => m.signatures.iter().map(|s| s.keyid().to_owned()).collect(),
            Envelope::Dsse(d) => d.signatures.iter().map(|s| s.keyid.clone()).collect(),
        }
    }

    /// True for DSSE.
    pub fn is_dsse(&self) -> bool {
        matches!(self, Envelope::Dsse(_))
    }

    /// A new unsigned container of the given kind around `signed`.
    pub fn new(signed: Signed, dsse: bool) -> Result<Envelope, CanonicalError> {
        if dsse {
            let value = json::parse(&signed.known_fields_json()?)
                .map_err(|e| CanonicalError::new(e.to_string()))?;
            let payload =
                json::to_python_compact(&value).map_err(|e| CanonicalError::new(e.to_string()))?;
            Ok(Envelope::Dsse(Dsse {
                payload,
                signatures: Vec::new(),
                signed,
            }))
        } else {
            Ok(Envelope::Metablock(Metablock::new(signed)?))
        }
    }

    /// Drops all signatures.
    pub fn clear_signatures(&mut self) {
        match self {
            Envelope::Metablock(m) => m.signatures.clear(),
            Envelope::Dsse(d) => d.signatures.clear(),
        }
    }

    /// The file bytes, written as the reference writes them.
    pub fn to_file_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        let mut out = Vec::new();
        self.write_file_bytes(&mut out)
            .map_err(|e| CanonicalError::new(e.to_string()))?;
        Ok(out)
    }

    /// Writes [`Envelope::to_file_bytes`] into `w`; a Metablock is
    /// written piece by piece, never whole in memory.
    pub fn write_file_bytes(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Envelope::Metablock(m) => m.write_file_bytes(w),
            Envelope::Dsse(d) => w.write_all(&json::to_python_compact(d)?),
        }
    }
}

/// Standard base64 with padding, and nothing else (no whitespace, no
/// URL-safe alphabet, canonical trailing bits).
fn strict_b64(path: &str, s: &str) -> FResult<Vec<u8>> {
    B64.decode(s)
        .map_err(|e| FormatError::new(path, format!("is not strict base64: {e}")))
}

/// The parts of `signed` (or a DSSE payload) gathered in one pass: artifact
/// maps parsed compactly, everything else as strict JSON values.
struct SignedParts {
    rest: Object,
    materials: Option<Artifacts>,
    products: Option<Artifacts>,
    /// `materials` or `products` given as `null`.
    artifact_nulls: Vec<&'static str>,
}

impl Serialize for SignedParts {
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
                Some(a) => members.push((name, Member::Artifacts(a))),
                // Written as `null`: signed as `null`, not as `{}`.
                None if self.artifact_nulls.contains(&name) => members.push((name, Member::Null)),
                None => {}
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

impl SignedParts {
    fn into_signed(self, path: &str) -> FResult<Signed> {
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

struct SignedSeed<'a>(&'a str);

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

/// The top level of a metadata file; `signed` kept as its JSON text.
struct Doc<'de> {
    signed: Option<&'de RawValue>,
    other: Object,
}

struct DocSeed;

impl<'de> DeserializeSeed<'de> for DocSeed {
    type Value = Doc<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Doc<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocSeed {
    type Value = Doc<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an in-toto metadata object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc<'de>, A::Error> {
        let mut doc = Doc {
            signed: None,
            other: Object::default(),
        };
        while let Some(key) = map.next_key::<String>()? {
            if doc.other.contains_key(&key) || (key == "signed" && doc.signed.is_some()) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key {key:?} in an object"
                )));
            }
            if key == "signed" {
                doc.signed = Some(map.next_value()?);
            } else {
                let v: Value = map.next_value()?;
                doc.other.0.push((key, v));
            }
        }
        Ok(doc)
    }
}

impl Doc<'_> {
    fn into_envelope(self) -> FResult<Envelope> {
        let has_payload = self.other.contains_key("payload");
        match (has_payload, self.signed) {
            (true, Some(_)) => Err(FormatError::new(
                "document",
                "has both \"payload\" (DSSE) and \"signed\" (Metablock); refusing an ambiguous container",
            )),
            (true, None) => Ok(Envelope::Dsse(dsse_from(&self.other)?)),
            (false, Some(raw)) => {
                // `null` is what in-toto-golang writes for no signatures.
                let signatures = match self.other.get("signatures") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(a)) => a
                        .iter()
                        .enumerate()
                        .map(|(i, s)| Signature::from_value(&format!("signatures[{i}]"), s))
                        .collect::<FResult<_>>()?,
                    Some(other) => {
                        return Err(FormatError::new(
                            "signatures",
                            format!("expected an array, got {}", other.kind()),
                        ));
                    }
                };
                let text = raw.get().as_bytes();
                let parts = json::parse_seed(text, SignedSeed("signed"))
                    .map_err(|e| strict_error("signed", e))?;
                // The canonical bytes from what was just parsed (no second
                // parse of the text); from the text only when that is not
                // canonical as it stands (a float: `canonicalize` says why).
                let direct = json::to_canonical_direct_sized(&parts, text.len());
                let signed = parts.into_signed("signed")?;
                let canonical = match direct {
                    Some(c) => c,
                    None => json::canonicalize(text)
                        .map_err(|e| FormatError::new("signed", e.to_string()))?,
                };
                Ok(Envelope::Metablock(Metablock {
                    signatures,
                    signed,
                    canonical,
                }))
            }
            (false, None) => Err(FormatError::new(
                "document",
                "is not in-toto metadata (no \"signed\" and no \"payload\")",
            )),
        }
    }
}

fn strict_error(path: &str, e: json::StrictError) -> FormatError {
    match e {
        json::StrictError::Bom => FormatError::new(path, "starts with a byte-order mark"),
        json::StrictError::Json(e) => {
            FormatError::new(path, format!("is not valid metadata JSON: {e}"))
        }
    }
}

fn dsse_from(obj: &Object) -> FResult<Dsse> {
    let f = Fields { path: "", obj };
    let ptype = f.string("payloadType")?;
    if ptype != PAYLOAD_TYPE {
        return Err(FormatError::new(
            "payloadType",
            format!("expected {PAYLOAD_TYPE:?}, got {ptype:?}"),
        ));
    }
    let payload = strict_b64("payload", &f.string("payload")?)?;
    let mut signatures = Vec::new();
    match f.get("signatures") {
        // in-toto-golang writes a nil list of signatures as `null`.
        Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            for (i, s) in a.iter().enumerate() {
                let path = format!("signatures[{i}]");
                let sf = Fields::of(&path, s)?;
                let keyid = sf.string("keyid")?;
                let sig = strict_b64(&sf.sub("sig"), &sf.string("sig")?)?;
                if signatures.iter().any(|s: &DsseSignature| s.keyid == keyid) {
                    return Err(FormatError::new(
                        &path,
                        format!("a second signature for key id {keyid}"),
                    ));
                }
                let mut extra = sf.obj.clone();
                extra.remove("keyid");
                extra.remove("sig");
                signatures.push(DsseSignature { keyid, sig, extra });
            }
        }
        Some(other) => {
            return Err(FormatError::new(
                "signatures",
                format!("expected an array, got {}", other.kind()),
            ));
        }
        None => return Err(FormatError::new("signatures", "missing")),
    }
    let parts = json::parse_seed(&payload, SignedSeed("payload"))
        .map_err(|e| strict_error("payload", e))?;
    let signed = parts.into_signed("payload")?;
    Ok(Dsse {
        payload,
        signatures,
        signed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    /// rebuilderd's attestations (in-toto-rs) carry `"environment": null`.
    const REBUILDERD: &str = r#"{"signatures":[],"signed":{"_type":"link","name":"rebuild x_1_all.deb","materials":{},"products":{"x_1_all.deb":{"sha512":"00","sha256":"11"}},"environment":null,"byproducts":{},"command":[]}}"#;

    #[test]
    fn nulls_are_read_as_empty_and_written_back_as_null() {
        let env = Envelope::from_slice(REBUILDERD.as_bytes()).unwrap();
        let Signed::Link(l) = env.signed() else {
            panic!()
        };
        assert!(l.environment.is_empty());
        assert_eq!(l.nulls.fields(), ["environment"]);
        assert_eq!(env.signed().null_fields(), ["environment"]);
        let canon = String::from_utf8(env.signed_bytes().to_vec()).unwrap();
        assert!(canon.contains(r#""environment":null"#), "{canon}");
        let Envelope::Metablock(m) = &env else {
            panic!()
        };
        assert!(m.matches_model(), "the model writes the null back");
        // in-toto-golang's nil maps and slices, in a link and a layout.
        let go_link = r#"{"signatures":null,"signed":{"_type":"link","name":"a","materials":null,"products":null,"byproducts":null,"command":null,"environment":{}}}"#;
        let env = Envelope::from_slice(go_link.as_bytes()).unwrap();
        assert_eq!(
            env.signed().null_fields(),
            ["materials", "products", "byproducts", "command"]
        );
        let Envelope::Metablock(m) = &env else {
            panic!()
        };
        assert!(m.signatures.is_empty() && m.matches_model());
        let go_layout = r#"{"signatures":null,"signed":{"_type":"layout","expires":"2030-01-01T00:00:00Z","readme":"","keys":null,"inspect":null,
            "steps":[{"_type":"step","name":"s","threshold":1,"pubkeys":null,"expected_command":null,"expected_materials":null,"expected_products":[["ALLOW","*"]]}]}}"#;
        let env = Envelope::from_slice(go_layout.as_bytes()).unwrap();
        assert_eq!(
            env.signed().null_fields(),
            [
                "inspect",
                "keys",
                "steps[0].expected_command",
                "steps[0].expected_materials",
                "steps[0].pubkeys"
            ]
        );
        let Envelope::Metablock(m) = &env else {
            panic!()
        };
        assert!(m.matches_model());
        // Once a null field is given a value, it is written as that value.
        let Signed::Layout(mut layout) = env.into_signed() else {
            panic!()
        };
        layout.steps[0].pubkeys.push("ab".into());
        let m = Metablock::new(Signed::Layout(layout)).unwrap();
        let canon = String::from_utf8(m.canonical_bytes().to_vec()).unwrap();
        assert!(canon.contains(r#""pubkeys":["ab"]"#), "{canon}");
        assert!(canon.contains(r#""inspect":null"#), "{canon}");
    }

    #[test]
    fn nulls_that_do_not_mean_empty_are_refused() {
        for bad in [
            r#"{"signed": {"_type": "link", "name": null}, "signatures": []}"#,
            r#"{"signed": {"_type": null, "name": "a"}, "signatures": []}"#,
            r#"{"signed": {"_type": "link", "name": "a", "products": {"f": null}}, "signatures": []}"#,
            r#"{"signed": {"_type": "link", "name": "a", "products": {"f": {"sha256": null}}}, "signatures": []}"#,
            r#"{"signed": {"_type": "link", "name": "a", "command": [null]}, "signatures": []}"#,
            r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "steps": [{"_type": "step", "name": "s", "threshold": null}], "inspect": []}, "signatures": []}"#,
            r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "steps": [null], "inspect": []}, "signatures": []}"#,
            r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "steps": [], "inspect": [], "keys": {"ab": null}}, "signatures": []}"#,
            r#"{"signed": {"_type": "link", "name": "a"}, "signatures": [null]}"#,
        ] {
            assert!(
                Envelope::from_slice(bad.as_bytes()).is_err(),
                "accepted {bad}"
            );
        }
    }

    #[test]
    fn canonical_bytes_straight_from_the_model_are_those_of_its_text() {
        for doc in [
            r#"{"signed": {"_type": "link", "name": "n\u00e9\ud83d\ude00\u0001\u007f\"\\/\t\n\b\f\r", "command": ["a", "", "b\u001fc"], "materials": {"a\\b": {"sha256": "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"}, "é": {"md5": "AB", "sha512": "cd"}, "\"q": {"sha256": "00"}}, "products": {}, "byproducts": {"return-value": -12, "stdout": "x\ny", "deep": [[], [[]], {"": null, "t": true, "f": false, "n": 123456789012345678, "\u0001": 1, "z": {"b": 1, "a": 2}}]}, "environment": {"e": {}}}, "signatures": []}"#,
            r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "keys": {}, "steps": [{"_type": "step", "name": "s", "expected_materials": [["ALLOW", "*"]], "expected_products": [], "pubkeys": [], "expected_command": [], "threshold": 1}], "inspect": [], "readme": "\u2028 \u0000"}, "signatures": []}"#,
        ] {
            let env = Envelope::from_slice(doc.as_bytes()).unwrap();
            // Read from a file: those of the `signed` text.
            let value = json::parse(doc.as_bytes()).unwrap();
            let text =
                json::to_python_compact(value.as_object().unwrap().get("signed").unwrap()).unwrap();
            assert_eq!(
                &*env.signed_bytes(),
                &json::canonicalize(&text).unwrap()[..]
            );
            let signed = env.signed().clone();
            let text = json::canonicalize(&signed.known_fields_json().unwrap()).unwrap();
            let direct =
                json::to_canonical_direct(&signed).expect("the models write keys in order");
            assert_eq!(
                String::from_utf8_lossy(&direct),
                String::from_utf8_lossy(&text)
            );
            assert_eq!(Metablock::new(signed).unwrap().canonical_bytes(), &text[..]);
        }
        // Out of order, repeated, or not integers: left to `canonicalize`.
        struct Twice;
        impl Serialize for Twice {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("b", &1)?;
                m.serialize_entry("a", &1)?;
                m.serialize_entry("a", &1)?;
                m.end()
            }
        }
        assert!(json::to_canonical_direct(&Twice).is_none());
        assert!(json::to_canonical_direct(&[1.5]).is_none());
        assert!(json::to_canonical_direct(&[u128::MAX]).is_none());
        assert_eq!(json::to_canonical_direct(&[1u8, 2]).unwrap(), b"[1,2]");
    }

    /// The `signed` member of `doc` exactly as it stands in the text.
    fn raw_signed(doc: &str) -> &str {
        #[derive(serde::Deserialize)]
        struct Doc<'a> {
            #[serde(borrow)]
            signed: &'a RawValue,
        }
        serde_json::from_str::<Doc<'_>>(doc).unwrap().signed.get()
    }

    #[test]
    fn signed_bytes_are_the_canonical_bytes_of_the_signed_text() {
        let sha = "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";
        let docs = [
            // Nulls where other implementations write them.
            r#"{"signatures": [], "signed": {"_type": "link", "name": "n", "materials": null, "products": null, "byproducts": null, "environment": null, "command": null}}"#.to_owned(),
            r#"{"signatures": null, "signed": {"products": null, "_type": "link", "name": "n", "materials": {}}}"#.to_owned(),
            r#"{"signed": {"materials": null, "_type": "link", "name": "n"}, "signatures": []}"#.to_owned(),
            // Unknown fields, in and out of order, nested.
            format!(r#"{{"signed": {{"zz": {{"b": [1, {{"d": null, "c": []}}], "a": {{}}}}, "_type": "link", "AA": -9223372036854775808, "name": "n", "materials": {{"b": {{"sha256": "{sha}"}}, "a": {{"sha512": "AB", "sha256": "{sha}"}}}}, "products": {{"\u00e9\ud83d\ude00": {{}}, "\"\\\u0001": {{"md5": "0"}}}}, "byproducts": {{"return-value": 18446744073709551615, "stdout": "\u2028\u0000\r\n", "stderr": "é😀"}}, "environment": {{"y": [[[]], [{{}}]], "x": true}}, "command": ["a", "\t"]}}, "signatures": [{{"keyid": "k", "sig": "00"}}]}}"#),
            // Keys that sort differently escaped and unescaped.
            r#"{"signed": {"_type": "link", "name": "n", "\u0041": 1, "@": 2, "\\": 3, "\"": 4, "\u007f": 5, "\u0080": 6, "\uffff": 7, "\ud800\udc00": 8}, "signatures": []}"#.to_owned(),
            r#"{"signed": {"_type": "link", "name": "n", "materials": {}, "products": {}, "byproducts": {}, "environment": {}, "command": []}, "signatures": []}"#.to_owned(),
            // Layouts, with nulls in-toto-golang writes and unknown fields.
            r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "keys": {}, "steps": [{"_type": "step", "name": "s", "expected_materials": null, "expected_products": [["ALLOW", "*"]], "pubkeys": null, "expected_command": null, "threshold": 1, "x-new": {"b": 0, "a": -1}}], "inspect": null, "readme": "\u00e9\u0000", "x": [1, [2, [3]]]}, "signatures": []}"#.to_owned(),
            r#"{"signed": {"steps": [], "_type": "layout", "inspect": [{"_type": "inspection", "name": "i", "run": ["true"], "expected_materials": [], "expected_products": null}], "keys": {}, "expires": "2030-01-01T00:00:00Z"}, "signatures": []}"#.to_owned(),
        ];
        for doc in &docs {
            let env = Envelope::from_slice(doc.as_bytes()).unwrap_or_else(|e| panic!("{doc}: {e}"));
            let want = json::canonicalize(raw_signed(doc).as_bytes()).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&env.signed_bytes()),
                String::from_utf8_lossy(&want),
                "{doc}"
            );
            // And a Metablock built from the model: the canonical bytes of
            // what the model writes.
            let signed = env.signed().clone();
            let text = json::canonicalize(&signed.known_fields_json().unwrap()).unwrap();
            assert_eq!(Metablock::new(signed).unwrap().canonical_bytes(), &text[..]);
        }
        // A null artifact map is signed as null, never as `{}`.
        let env = Envelope::from_slice(docs[0].as_bytes()).unwrap();
        let bytes = String::from_utf8(env.signed_bytes().into_owned()).unwrap();
        assert!(bytes.contains(r#""materials":null"#), "{bytes}");
        assert!(bytes.contains(r#""products":null"#), "{bytes}");
        // Not representable: the fall-back says why, as the text would.
        for bad in [
            r#"{"signed": {"_type": "link", "name": "n", "x": 1.5}, "signatures": []}"#,
            r#"{"signed": {"_type": "link", "name": "n", "x": 1e3}, "signatures": []}"#,
            r#"{"signed": {"_type": "link", "name": "n", "x": [-0]}, "signatures": []}"#,
            r#"{"signed": {"_type": "link", "name": "n", "x": 99999999999999999999}, "signatures": []}"#,
        ] {
            assert!(Envelope::from_slice(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_bytes_are_written_straight_from_the_canonical_bytes() {
        // The direct writer against the value-tree path (parse the
        // canonical bytes, dump them as Python does).
        for doc in [
            r#"{"signed": {"_type": "link", "name": "a"}, "signatures": []}"#,
            r#"{"signatures": [{"keyid": "ab", "sig": "00", "x": {"y": [1, {}]}}], "signed": {"_type": "link", "name": "n\u00e9\ud83d\ude00\u0001\u007f\"\\/\t\n", "command": ["a", "", "b c"], "materials": {"a\\b": {"sha256": "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"}, "é": {"md5": "AB", "sha512": "cd"}}, "products": {}, "byproducts": {"return-value": -12, "stdout": "", "deep": [[], [[]], {"": null, "t": true, "f": false, "n": 123456789012345678}]}, "environment": {}, "zz-unknown": [{"b": 1, "a": 2}]}}"#,
            r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "keys": {}, "steps": [], "inspect": [], "readme": "\u2028 \u0000"}, "signatures": [{"keyid": "k", "other_headers": "04", "signature": "ff"}, {"keyid": "j", "sig": ""}]}"#,
        ] {
            let env = Envelope::from_slice(doc.as_bytes()).unwrap();
            let Envelope::Metablock(m) = &env else {
                panic!("{doc}")
            };
            let via_value = json::to_python_pretty(m).unwrap();
            let direct = env.to_file_bytes().unwrap();
            assert_eq!(
                String::from_utf8(direct).unwrap(),
                String::from_utf8(via_value).unwrap()
            );
        }
        // Not canonical: refused, never misread.
        for bad in [&b"{\"a\":1"[..], b"}", b"{\"a\":\"\\n\"}", b"[1.5]", b" 1"] {
            let mut out = Vec::new();
            assert!(
                json::canonical_to_python_pretty(bad, 1, &mut out).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn ambiguous_and_foreign_containers_are_rejected() {
        for bad in [
            &br#"{"signed": {"_type": "link", "name": "a"}, "payload": "", "payloadType": "application/vnd.in-toto+json", "signatures": []}"#[..],
            br#"{"payload": "e30=", "payloadType": "text/plain", "signatures": []}"#,
            br#"{"payload": "e30", "payloadType": "application/vnd.in-toto+json", "signatures": []}"#,
            br#"{"payload": "e3-=", "payloadType": "application/vnd.in-toto+json", "signatures": []}"#,
            br#"{"foo": 1}"#,
            br#"{"signed": {"_type": "link", "name": "a"}, "signatures": [{"keyid": "ab"}]}"#,
        ] {
            assert!(Envelope::from_slice(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
