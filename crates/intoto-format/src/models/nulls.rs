//! Explicit `null`s in metadata that mean "absent" or "empty".
//!
//! Other implementations write some fields as `null`: in-toto-rs (which
//! rebuilderd signs its attestations with) writes `"environment": null`,
//! and in-toto-golang writes every nil map or slice as `null`
//! (`"inspect": null`, `"expected_command": null`, `"signatures": null`).
//! The Python reference refuses such metadata; intoto reads these nulls as
//! the empty value the reference's model defaults to when the field is
//! absent. The signature covers the `null` (the canonical bytes are those
//! of the file's `signed` value as it stands, nulls included), and the
//! typed model remembers which fields were `null` so it writes them back
//! the same way while they stay empty.

use serde::ser::{Serialize, Serializer};

/// The known fields a document wrote as `null`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nulls(Vec<&'static str>);

impl Nulls {
    /// No field was `null`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `field` was written as `null`.
    pub fn contains(&self, field: &str) -> bool {
        self.0.contains(&field)
    }

    /// The fields written as `null`.
    pub fn fields(&self) -> &[&'static str] {
        &self.0
    }

    /// Notes that `field` was `null`.
    pub(crate) fn insert(&mut self, field: &'static str) {
        if !self.contains(field) {
            self.0.push(field);
        }
    }

    /// The fields among `fields` whose value in `obj` is `null`.
    pub(crate) fn of(obj: &crate::json::Object, fields: &[&'static str]) -> Nulls {
        let mut n = Nulls::default();
        for f in fields {
            if matches!(obj.get(f), Some(crate::json::Value::Null)) {
                n.insert(f);
            }
        }
        n
    }

    /// `value`, or `null` when `field` was `null` and `value` is still
    /// empty: what the model writes for a nullable field.
    pub(crate) fn write<'a, T: Serialize>(
        &self,
        field: &str,
        value: &'a T,
        empty: bool,
    ) -> NullOr<'a, T> {
        NullOr {
            null: empty && self.contains(field),
            value,
        }
    }
}

/// A value that serialises as `null` when it was read as one.
pub(crate) struct NullOr<'a, T> {
    null: bool,
    value: &'a T,
}

impl<T: Serialize> Serialize for NullOr<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.null {
            s.serialize_unit()
        } else {
            self.value.serialize(s)
        }
    }
}
