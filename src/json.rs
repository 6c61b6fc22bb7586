//! Strict JSON reading and the three JSON writers the in-toto formats need.
//!
//! Metadata is read from files an attacker may have written, so the reader
//! is stricter than the Python reference: duplicate object keys (anywhere),
//! a byte-order mark, trailing data, invalid escapes, lone surrogates,
//! non-UTF-8 input and nesting deeper than [`MAX_DEPTH`] are all rejected.
//! Objects keep their order, because the reference iterates some of them
//! (a key's `subkeys`) in file order.
//!
//! Writing:
//!
//! * [`canonicalize`]: securesystemslib's canonical JSON of a JSON text, the
//!   bytes that classic metadata signatures cover (sorted keys at every
//!   level, no whitespace, only `\` and `"` escaped, integers only). It is
//!   the one canonical encoder: signatures are made and checked over the
//!   `signed` value as it stands in a file, whatever its member order, and
//!   typed models reach it through [`to_canonical`] of a [`Value`];
//! * [`to_python_pretty`]: `json.dumps(indent=1, separators=(",", ": "),
//!   sort_keys=True)`, how the reference writes Metablock files;
//! * [`to_python_compact`]: `json.dumps(sort_keys=True)`, how the reference
//!   writes DSSE payloads and envelopes.
//!
//! [`Value`] sorts its objects while serialising, so the Python writers
//! sort too when given a `Value`.

use std::fmt;
use std::io::{self, Write};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Deepest nesting accepted in metadata (serde_json's own recursion limit).
pub const MAX_DEPTH: usize = 128;

/// A JSON value that keeps object order and knows integers from floats.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer literal.
    Int(i128),
    /// A number with a fraction or exponent (never canonical).
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, in file order, without duplicate keys.
    Object(Object),
}

/// An object: key/value pairs in file order, keys unique.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Object(pub Vec<(String, Value)>);

impl Object {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Removes and returns the value under `key`.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let pos = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(pos).1)
    }

    /// Sets `key` (replacing an existing entry in place).
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Iterates in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

impl Value {
    /// The JSON type name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a non-integer number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

/// Why a document is not acceptable JSON.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The document starts with a UTF-8 byte-order mark.
    #[error("starts with a byte-order mark")]
    Bom,
    /// Some object has the same key twice.
    #[error("duplicate key {0:?} in an object")]
    DuplicateKey(String),
    /// Anything serde_json rejects (syntax, escapes, surrogates, depth, ...).
    #[error("{0}")]
    Syntax(String),
}

/// Parses a whole document strictly.
pub fn parse(bytes: &[u8]) -> Result<Value, ParseError> {
    parse_seed(bytes, std::marker::PhantomData::<Value>).map_err(|e| match e {
        StrictError::Bom => ParseError::Bom,
        StrictError::Json(e) => {
            let msg = e.to_string();
            match msg.strip_prefix(DUP_PREFIX) {
                Some(rest) => {
                    // serde_json appends " at line L column C"; keep the key only.
                    let key = rest.rsplit_once(" at line ").map_or(rest, |(k, _)| k);
                    ParseError::DuplicateKey(key.trim_matches('"').to_owned())
                }
                None => ParseError::Syntax(msg),
            }
        }
    })
}

/// Why [`parse_seed`] rejected a document.
#[derive(Debug)]
pub(crate) enum StrictError {
    /// It starts with a UTF-8 byte-order mark.
    Bom,
    /// serde_json (or the seed) rejected it.
    Json(serde_json::Error),
}

/// Runs `seed` over a whole document: no byte-order mark before the value
/// and nothing but whitespace after it. Every strict parse goes through
/// here; the seeds reject duplicate keys.
pub(crate) fn parse_seed<'de, S: de::DeserializeSeed<'de>>(
    bytes: &'de [u8],
    seed: S,
) -> Result<S::Value, StrictError> {
    if bytes.starts_with(b"\xef\xbb\xbf") {
        return Err(StrictError::Bom);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = seed.deserialize(&mut de).map_err(StrictError::Json)?;
    de.end().map_err(StrictError::Json)?;
    Ok(value)
}

const DUP_PREFIX: &str = "duplicate key ";

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i.into()))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Int(u.into()))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        if !f.is_finite() {
            return Err(E::custom("number out of range"));
        }
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value()?;
            out.push((key, value));
        }
        if let Some(dup) = first_duplicate(&out) {
            return Err(de::Error::custom(format_args!("{DUP_PREFIX}{dup:?}")));
        }
        Ok(Value::Object(Object(out)))
    }
}

fn first_duplicate(entries: &[(String, Value)]) -> Option<&str> {
    if entries.len() <= 16 {
        for (i, (k, _)) in entries.iter().enumerate() {
            if entries[..i].iter().any(|(o, _)| o == k) {
                return Some(k);
            }
        }
        return None;
    }
    let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i128(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::String(v) => s.serialize_str(v),
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Object(o) => o.serialize(s),
        }
    }
}

impl Serialize for Object {
    /// Objects come out with keys sorted by code point, as all writers need.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut entries: Vec<&(String, Value)> = self.0.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut map = s.serialize_map(Some(entries.len()))?;
        for (k, v) in entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Why a value has no canonical form.
#[derive(Debug, thiserror::Error)]
#[error("cannot encode as canonical JSON: {0}")]
pub struct CanonicalError(String);

impl CanonicalError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        CanonicalError(message.into())
    }
}

/// securesystemslib's canonical JSON of `value`: the bytes classic
/// signatures cover. Goes through [`canonicalize`], the one encoder.
pub fn to_canonical(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let text = to_python_compact(value).map_err(|e| CanonicalError(e.to_string()))?;
    canonicalize(&text)
}

/// The canonical JSON of a JSON text, whatever the order of its members:
/// keys sorted by code point at every level, no whitespace, only `\` and
/// `"` escaped, integers only. The text is read strictly (no duplicate
/// keys, no byte-order mark, nothing after the value), so what cannot be
/// canonical (non-integers, NaN, lone surrogates, duplicates) is refused.
pub fn canonicalize(text: &[u8]) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(text.len());
    let mut starts = Vec::new();
    let seed = CanonSeed {
        out: &mut out,
        starts: &mut starts,
    };
    parse_seed(text, seed).map_err(|e| match e {
        StrictError::Bom => CanonicalError("starts with a byte-order mark".into()),
        StrictError::Json(e) => CanonicalError(e.to_string()),
    })?;
    Ok(out)
}

/// Parses canonical bytes back into a [`Value`]. Canonical JSON writes
/// control characters raw, which JSON does not allow; outside strings it
/// has no whitespace, so every byte below 0x20 is inside a string and is
/// escaped here before the strict parse.
pub fn parse_canonical(canonical: &[u8]) -> Result<Value, ParseError> {
    let mut text = Vec::with_capacity(canonical.len());
    for &b in canonical {
        if b < 0x20 {
            text.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            text.push(b);
        }
    }
    parse(&text)
}

/// Writes the canonical form of the value it reads into `out`, in one
/// streaming pass. Objects are written as they come; one whose keys are
/// not in order (rare: the reference and intoto write sorted keys) is
/// sorted in place afterwards. `starts` is a shared stack of the entry
/// offsets of the objects being written, so no object allocates.
struct CanonSeed<'a> {
    out: &'a mut Vec<u8>,
    starts: &'a mut Vec<usize>,
}

fn write_canonical_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    // Runs without `"` or `\\` (nearly every string) are copied whole.
    let mut rest = s.as_bytes();
    while let Some(i) = rest.iter().position(|&b| b == b'"' || b == b'\\') {
        out.extend_from_slice(&rest[..i]);
        out.push(b'\\');
        out.push(rest[i]);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// The key of a canonical object entry (`"key":value`), unescaped.
fn entry_key(entry: &[u8]) -> Vec<u8> {
    let mut key = Vec::new();
    let mut i = 1;
    while i < entry.len() {
        match entry[i] {
            b'\\' => {
                key.push(entry[i + 1]);
                i += 2;
            }
            b'"' => break,
            b => {
                key.push(b);
                i += 1;
            }
        }
    }
    key
}

/// A key, borrowed from the input when it has no escapes.
struct KeySeed;

impl<'de> de::DeserializeSeed<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(s.to_owned()))
    }
}

impl<'de> de::DeserializeSeed<'de> for CanonSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CanonSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.out
            .extend_from_slice(if b { &b"true"[..] } else { &b"false"[..] });
        Ok(())
    }
    fn visit_i64<E>(self, i: i64) -> Result<(), E> {
        let _ = write!(self.out, "{i}");
        Ok(())
    }
    fn visit_u64<E>(self, u: u64) -> Result<(), E> {
        let _ = write!(self.out, "{u}");
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<(), E> {
        Err(E::custom(format_args!(
            "{f} is not an integer (canonical JSON has integers only)"
        )))
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        write_canonical_str(self.out, s);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push(b'[');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(b',');
            }
            let item = CanonSeed {
                out: &mut *self.out,
                starts: &mut *self.starts,
            };
            if seq.next_element_seed(item)?.is_none() {
                self.out.truncate(mark);
                break;
            }
            first = false;
        }
        self.out.push(b']');
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let base = self.starts.len();
        self.out.push(b'{');
        let body = self.out.len();
        let mut prev: Option<std::borrow::Cow<'de, str>> = None;
        let mut sorted = true;
        let dup = |k: &str| de::Error::custom(format_args!("{DUP_PREFIX}{k:?}"));
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if self.out.len() > body {
                self.out.push(b',');
            }
            self.starts.push(self.out.len());
            if let Some(p) = &prev {
                // Rust orders strings by UTF-8 bytes, which is code point
                // order, as Python's sort of str.
                match key.as_ref().cmp(p.as_ref()) {
                    std::cmp::Ordering::Less => sorted = false,
                    std::cmp::Ordering::Equal if sorted => return Err(dup(&key)),
                    _ => {}
                }
            }
            write_canonical_str(self.out, &key);
            self.out.push(b':');
            map.next_value_seed(CanonSeed {
                out: &mut *self.out,
                starts: &mut *self.starts,
            })?;
            prev = Some(key);
        }
        if !sorted {
            let end = self.out.len();
            let starts = &self.starts[base..];
            let segment = self.out[body..end].to_vec();
            let mut entries: Vec<(Vec<u8>, &[u8])> = starts
                .iter()
                .enumerate()
                .map(|(i, &s)| {
                    let e = starts.get(i + 1).map_or(end, |n| n - 1);
                    let bytes = &segment[s - body..e - body];
                    (entry_key(bytes), bytes)
                })
                .collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(dup(&String::from_utf8_lossy(&w[0].0)));
            }
            self.out.truncate(body);
            for (i, (_, bytes)) in entries.iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                self.out.extend_from_slice(bytes);
            }
        }
        self.starts.truncate(base);
        self.out.push(b'}');
        Ok(())
    }
}

/// The canonical JSON of `value`, written straight from its `Serialize`
/// when that emits every object's keys in order (the models do), without
/// the intermediate JSON text [`to_canonical`] parses. `None` when it does
/// not (keys out of order or repeated, a float, a raw fragment): the
/// caller then goes through [`canonicalize`], which sorts or says why not.
pub fn to_canonical_direct<T: Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    to_canonical_direct_sized(value, 1024)
}

/// [`to_canonical_direct`] into a buffer of `capacity` bytes to begin
/// with (a value read from JSON text: the text's length, which its
/// canonical form never exceeds, so the buffer never grows).
pub fn to_canonical_direct_sized<T: Serialize + ?Sized>(
    value: &T,
    capacity: usize,
) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(capacity);
    let mut f = CanonFormatter::default();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, &mut f);
    value.serialize(&mut ser).ok()?;
    (!f.unsorted && f.levels.is_empty()).then_some(out)
}

/// serde_json's writer, made canonical: no whitespace, strings with only
/// `"` and `\\` escaped (control characters raw), integers only; it notes
/// whether every object's keys came in strictly increasing order.
#[derive(Default)]
struct CanonFormatter {
    /// Per open object: its last key (unescaped), and whether it has one.
    levels: Vec<(bool, Vec<u8>)>,
    depth: usize,
    key: Vec<u8>,
    in_key: bool,
    unsorted: bool,
}

fn not_canonical(what: &str) -> io::Error {
    io::Error::other(format!("{what} has no canonical form"))
}

impl serde_json::ser::Formatter for &mut CanonFormatter {
    fn write_f32<W: ?Sized + Write>(&mut self, _w: &mut W, _v: f32) -> io::Result<()> {
        Err(not_canonical("a float"))
    }
    fn write_f64<W: ?Sized + Write>(&mut self, _w: &mut W, _v: f64) -> io::Result<()> {
        Err(not_canonical("a float"))
    }
    fn write_i128<W: ?Sized + Write>(&mut self, w: &mut W, v: i128) -> io::Result<()> {
        if i64::try_from(v).is_err() && u64::try_from(v).is_err() {
            return Err(not_canonical("a 128-bit integer"));
        }
        write!(w, "{v}")
    }
    fn write_u128<W: ?Sized + Write>(&mut self, w: &mut W, v: u128) -> io::Result<()> {
        if u64::try_from(v).is_err() {
            return Err(not_canonical("a 128-bit integer"));
        }
        write!(w, "{v}")
    }
    fn write_number_str<W: ?Sized + Write>(&mut self, _w: &mut W, _v: &str) -> io::Result<()> {
        Err(not_canonical("a number"))
    }
    fn write_raw_fragment<W: ?Sized + Write>(&mut self, _w: &mut W, _f: &str) -> io::Result<()> {
        Err(not_canonical("raw JSON"))
    }
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, f: &str) -> io::Result<()> {
        if self.in_key {
            self.key.extend_from_slice(f.as_bytes());
        }
        w.write_all(f.as_bytes())
    }
    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        e: serde_json::ser::CharEscape,
    ) -> io::Result<()> {
        use serde_json::ser::CharEscape as E;
        let raw = match e {
            E::Quote => b'"',
            E::ReverseSolidus => b'\\',
            E::Solidus => b'/',
            E::Backspace => 0x08,
            E::FormFeed => 0x0c,
            E::LineFeed => b'\n',
            E::CarriageReturn => b'\r',
            E::Tab => b'\t',
            E::AsciiControl(b) => b,
        };
        if self.in_key {
            self.key.push(raw);
        }
        match raw {
            b'"' | b'\\' => w.write_all(&[b'\\', raw]),
            _ => w.write_all(&[raw]),
        }
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b",") }
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.depth == self.levels.len() {
            self.levels.push((false, Vec::new()));
        } else {
            self.levels[self.depth].0 = false;
        }
        self.depth += 1;
        w.write_all(b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.depth == 0 {
            self.levels.clear();
        }
        w.write_all(b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.in_key = true;
        self.key.clear();
        if first { Ok(()) } else { w.write_all(b",") }
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.in_key = false;
        let (has, last) = &mut self.levels[self.depth - 1];
        if *has && self.key.as_slice() <= last.as_slice() {
            self.unsorted = true;
        }
        *has = true;
        last.clear();
        last.extend_from_slice(&self.key);
        Ok(())
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b":")
    }
}

/// [`to_python_pretty`] of the value whose canonical JSON is `canonical`,
/// appended to `out`, without building the value (a link of 100k artifacts
/// would need a tree of 400k allocations): canonical JSON's keys are
/// already in the order `sort_keys=True` gives, so only the layout and
/// the string escapes change. `level` is the indentation the value starts
/// at (1 for a member of a top-level object). The bytes must come from
/// [`canonicalize`]; anything else is an error.
pub fn canonical_to_python_pretty(
    canonical: &[u8],
    level: usize,
    out: &mut Vec<u8>,
) -> Result<(), CanonicalError> {
    canonical_to_python_pretty_with(canonical, level, out, &mut |_| Ok(()))
        .map_err(|e| CanonicalError(e.to_string()))
}

/// [`canonical_to_python_pretty`] into `w`, through a small buffer: the
/// text is never whole in memory.
pub fn write_canonical_as_python_pretty<W: Write + ?Sized>(
    canonical: &[u8],
    level: usize,
    w: &mut W,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(128 * 1024);
    canonical_to_python_pretty_with(canonical, level, &mut buf, &mut |b: &mut Vec<u8>| {
        if b.len() >= 64 * 1024 {
            w.write_all(b)?;
            b.clear();
        }
        Ok(())
    })?;
    w.write_all(&buf)
}

/// The converter: appends to `out`, calling `flush` after every token.
fn canonical_to_python_pretty_with(
    canonical: &[u8],
    level: usize,
    out: &mut Vec<u8>,
    flush: &mut dyn FnMut(&mut Vec<u8>) -> io::Result<()>,
) -> io::Result<()> {
    let b = canonical;
    let bad = |i: usize| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not canonical JSON at byte {i}"),
        )
    };
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.resize(out.len() + depth, b' ');
    };
    let mut depth = level;
    let mut text = Vec::new();
    let mut i = 0;
    while i < b.len() {
        flush(out)?;
        match b[i] {
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                out.push(open);
                if b.get(i + 1) == Some(&close) {
                    out.push(close);
                    i += 2;
                } else {
                    depth += 1;
                    newline(out, depth);
                    i += 1;
                }
            }
            close @ (b'}' | b']') => {
                depth = depth
                    .checked_sub(1)
                    .filter(|d| *d >= level)
                    .ok_or_else(|| bad(i))?;
                newline(out, depth);
                out.push(close);
                i += 1;
            }
            b',' => {
                out.push(b',');
                newline(out, depth);
                i += 1;
            }
            b':' => {
                out.extend_from_slice(b": ");
                i += 1;
            }
            b'"' => {
                // Canonical strings escape only `"` and `\\`.
                let mut j = i + 1;
                let start = j;
                while j < b.len() && b[j] != b'"' && b[j] != b'\\' {
                    j += 1;
                }
                let raw: &[u8] = if b.get(j) == Some(&b'"') {
                    &b[start..j]
                } else {
                    text.clear();
                    text.extend_from_slice(&b[start..j]);
                    loop {
                        match b.get(j) {
                            Some(b'"') => break,
                            Some(b'\\') => {
                                match b.get(j + 1) {
                                    Some(&c @ (b'"' | b'\\')) => text.push(c),
                                    _ => return Err(bad(j)),
                                }
                                j += 2;
                            }
                            Some(&c) => {
                                text.push(c);
                                j += 1;
                            }
                            None => return Err(bad(i)),
                        }
                    }
                    &text
                };
                let s = std::str::from_utf8(raw).map_err(|_| bad(i))?;
                let mut ser =
                    serde_json::Serializer::with_formatter(&mut *out, PythonFormatter::compact());
                s.serialize(&mut ser).map_err(io::Error::other)?;
                i = j + 1;
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'0'..=b'9' | b'a'..=b'z') {
                    i += 1;
                }
                out.extend_from_slice(&b[start..i]);
            }
            _ => return Err(bad(i)),
        }
    }
    if depth != level {
        return Err(bad(b.len()));
    }
    Ok(())
}

/// `json.dumps(value, indent=1, separators=(",", ": "), sort_keys=True)`.
pub fn to_python_pretty<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter::pretty());
    value.serialize(&mut ser)?;
    Ok(out)
}

/// `json.dumps(value, sort_keys=True)`.
pub fn to_python_compact<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter::compact());
    value.serialize(&mut ser)?;
    Ok(out)
}

/// Python's `json.dumps` with `ensure_ascii=True`, pretty or compact.
struct PythonFormatter {
    pretty: bool,
    indent: usize,
    has_value: bool,
}

impl PythonFormatter {
    fn pretty() -> Self {
        PythonFormatter {
            pretty: true,
            indent: 0,
            has_value: false,
        }
    }
    fn compact() -> Self {
        PythonFormatter {
            pretty: false,
            indent: 0,
            has_value: false,
        }
    }
    fn newline<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.indent {
            w.write_all(b" ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent -= 1;
        if self.pretty && self.has_value {
            self.newline(w)?;
        }
        w.write_all(b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(if self.pretty { b"," } else { b", " })?;
        }
        if self.pretty {
            self.newline(w)?;
        }
        Ok(())
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent -= 1;
        if self.pretty && self.has_value {
            self.newline(w)?;
        }
        w.write_all(b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(if self.pretty { b"," } else { b", " })?;
        }
        if self.pretty {
            self.newline(w)?;
        }
        Ok(())
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if (' '..='~').contains(&c) {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn write_f64<W: ?Sized + Write>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        // Python's repr of a float; only ever reached for opaque fields.
        let mut s = format!("{v:?}");
        if s.contains('e') && !s.contains("e-") {
            s = s.replace('e', "e+");
        }
        w.write_all(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        let via_value = to_canonical(&parse(s.as_bytes()).unwrap()).unwrap();
        let direct = canonicalize(s.as_bytes()).unwrap();
        assert_eq!(via_value, direct);
        let back = parse_canonical(&direct).unwrap();
        assert_eq!(to_canonical(&back).unwrap(), direct);
        String::from_utf8(direct).unwrap()
    }

    #[test]
    fn canonical_sorts_and_escapes_only_quote_and_backslash() {
        assert_eq!(
            canon(r#"{"b": 1, "a": [true, null, "x"]}"#),
            r#"{"a":[true,null,"x"],"b":1}"#
        );
        assert_eq!(
            canon(r#""tab\there \"q\" \\ é\n""#),
            "\"tab\there \\\"q\\\" \\\\ é\n\""
        );
        assert_eq!(canon(r#""\u0001\u007f""#), "\"\u{1}\u{7f}\"");
    }

    #[test]
    fn unsorted_objects_are_sorted_in_place_at_every_level() {
        assert_eq!(
            canon(r#"{"z": {"y": 1, "b\"q": [{"d": 1, "c": 2}], "b\\": 0}, "a": {}}"#),
            r#"{"a":{},"z":{"b\"q":[{"c":2,"d":1}],"b\\":0,"y":1}}"#
        );
    }

    #[test]
    fn canonical_orders_keys_by_code_point() {
        assert_eq!(
            canon(r#"{"é": 1, "z": 2, "_": 3, "Z": 4}"#),
            r#"{"Z":4,"_":3,"z":2,"é":1}"#
        );
    }

    #[test]
    fn canonical_rejects_floats() {
        assert!(to_canonical(&parse(b"[1.5]").unwrap()).is_err());
        assert!(to_canonical(&parse(b"[1e3]").unwrap()).is_err());
        for bad in [
            &b"[1.5]"[..],
            b"{\"a\": {\"x\": -0.0}}",
            b"18446744073709551616",
            b"{\"a\": 1, \"a\": 1}",
            b"{\"b\": 1, \"a\": 2, \"b\": 3}",
            b"{\"x\": {\"b\\\"\": 1, \"a\": 2, \"b\\\"\": 3}}",
            b"\"\\ud800\"",
            b"[NaN]",
        ] {
            assert!(
                canonicalize(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn strict_parser_rejects_hostile_documents() {
        for bad in [
            &b"{\"a\": 1, \"a\": 2}"[..],
            b"{\"x\": {\"a\": 1, \"a\": 1}}",
            b"\xef\xbb\xbf{}",
            b"{} {}",
            b"{\"a\": NaN}",
            b"[Infinity]",
            b"\"\\ud800\"",
            b"\"\\q\"",
            b"\"\xff\"",
            b"[1,]",
        ] {
            assert!(
                parse(bad).is_err(),
                "accepted {:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(parse(deep.as_bytes()).is_err());
        assert!(
            matches!(parse(b"{\"k\":1,\"k\":1}"), Err(ParseError::DuplicateKey(k)) if k == "k")
        );
    }

    #[test]
    fn large_objects_detect_duplicates() {
        let mut s = String::from("{");
        for i in 0..100 {
            s.push_str(&format!("\"k{i}\": {i},"));
        }
        s.push_str("\"k42\": 0}");
        assert!(matches!(parse(s.as_bytes()), Err(ParseError::DuplicateKey(k)) if k == "k42"));
    }

    #[test]
    fn objects_keep_file_order() {
        let v = parse(br#"{"z": 1, "a": 2}"#).unwrap();
        let keys: Vec<_> = v
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(keys, ["z", "a"]);
    }

    #[test]
    fn python_pretty_matches_json_dumps_indent_1() {
        let v = parse(r#"{"b": [1, {"c": "é\n"}], "a": {}, "e": []}"#.as_bytes()).unwrap();
        let out = String::from_utf8(to_python_pretty(&v).unwrap()).unwrap();
        assert_eq!(
            out,
            "{\n \"a\": {},\n \"b\": [\n  1,\n  {\n   \"c\": \"\\u00e9\\n\"\n  }\n ],\n \"e\": []\n}"
        );
    }

    #[test]
    fn python_compact_matches_json_dumps() {
        let v = parse("{\"b\": [1, 2], \"a\": \"\u{1F600}\u{7f}\"}".as_bytes()).unwrap();
        let out = String::from_utf8(to_python_compact(&v).unwrap()).unwrap();
        assert_eq!(out, r#"{"a": "\ud83d\ude00\u007f", "b": [1, 2]}"#);
    }
}
