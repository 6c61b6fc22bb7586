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
//!
//! Files: `parse.rs` the strict reader, `value.rs` the value type,
//! `canonical.rs` the canonical encoders, `pretty.rs` Python's writers.

mod canonical;
mod parse;
mod pretty;
mod value;

#[cfg(test)]
mod tests;

pub(crate) use canonical::write_canonical_str_to;
pub use canonical::{
    CanonicalError, canonicalize, parse_canonical, to_canonical, to_canonical_direct,
    to_canonical_direct_sized, write_canonical_direct,
};
pub use parse::{MAX_DEPTH, ParseError, parse};
pub(crate) use parse::{StrictError, parse_seed};
pub use pretty::{
    canonical_to_python_pretty, to_python_compact, to_python_pretty,
    write_canonical_as_python_pretty,
};
pub use value::{Object, Value};
