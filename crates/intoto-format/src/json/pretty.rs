//! Python's writers, as the reference writes files: `json.dumps(indent=1,
//! sort_keys=True)` for Metablocks, also converted straight from canonical
//! bytes (streamed, without a value tree), and `json.dumps(sort_keys=True)`
//! for DSSE payloads and envelopes.

use std::io::{self, Write};

use serde::ser::Serialize;

use super::CanonicalError;

/// [`to_python_pretty`] of the value whose canonical JSON is `canonical`,
/// appended to `out`, without building the value (a link of 100k artifacts
/// would need a tree of 400k allocations): canonical JSON's keys are
/// already in the order `sort_keys=True` gives, so only the layout and
/// the string escapes change. `level` is the indentation the value starts
/// at (1 for a member of a top-level object). The bytes must come from
/// [`canonicalize`](super::canonicalize); anything else is an error.
pub fn canonical_to_python_pretty(
    canonical: &[u8],
    level: usize,
    out: &mut Vec<u8>,
) -> Result<(), CanonicalError> {
    canonical_to_python_pretty_with(canonical, level, out, &mut |_| Ok(()))
        .map_err(|e| CanonicalError::new(e.to_string()))
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
