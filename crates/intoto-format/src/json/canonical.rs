//! The canonical encoders: securesystemslib's canonical JSON, the bytes
//! classic metadata signatures cover. [`canonicalize`] is the one encoder
//! (over JSON text, streamed); [`to_canonical_direct`] writes it straight
//! from a `Serialize` whose keys come in order and says when they do not.

use std::fmt;
use std::io::{self, Write};

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::Serialize;

use super::parse::DUP_PREFIX;
use super::{ParseError, StrictError, Value, parse, parse_seed, to_python_compact};

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

/// Writes `s` as a canonical JSON string into `w` (only `"` and `\\`
/// escaped).
pub(crate) fn write_canonical_str_to(w: &mut impl Write, s: &str) -> io::Result<()> {
    w.write_all(b"\"")?;
    let mut rest = s.as_bytes();
    while let Some(i) = rest.iter().position(|&b| b == b'"' || b == b'\\') {
        w.write_all(&rest[..i])?;
        w.write_all(&[b'\\', rest[i]])?;
        rest = &rest[i + 1..];
    }
    w.write_all(rest)?;
    w.write_all(b"\"")
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

/// Writes the canonical JSON of `value` into `w` in pieces, through a
/// 64 KiB buffer, never whole in memory: for a `Serialize` that emits every
/// object's keys in order (the caller knows it does). Fails, having written
/// part of it, when it does not after all, so a signature check over what
/// was written fails closed.
pub fn write_canonical_direct<T: Serialize + ?Sized>(
    value: &T,
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut buf = io::BufWriter::with_capacity(64 << 10, w);
    let mut f = CanonFormatter::default();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, &mut f);
    value.serialize(&mut ser).map_err(io::Error::other)?;
    if f.unsorted || !f.levels.is_empty() {
        return Err(io::Error::other(
            "keys out of order: not the canonical form the signatures cover",
        ));
    }
    buf.flush()
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
