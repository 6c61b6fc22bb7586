//! Link metadata: the signed evidence of one performed step.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::artifacts::Artifacts;
use super::{FResult, Fields};
use crate::json::{Object, Value};

/// A link (`_type: "link"`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    /// The step or inspection name.
    pub name: String,
    /// The command that was run (`[]` for `record` and `--no-command`).
    pub command: Vec<String>,
    /// Artifacts before the command ran.
    pub materials: Artifacts,
    /// Artifacts after the command ran.
    pub products: Artifacts,
    /// `stdout`, `stderr`, `return-value` (opaque to verification).
    pub byproducts: Object,
    /// Opaque environment information (empty by default).
    pub environment: Object,
}

impl Link {
    /// Builds a link from its fields (artifact maps already parsed).
    /// Missing fields get the reference's defaults; unknown ones are
    /// dropped.
    pub fn from_parts(
        path: &str,
        rest: &Value,
        materials: Option<Artifacts>,
        products: Option<Artifacts>,
    ) -> FResult<Link> {
        let f = Fields::of(path, rest)?;
        f.expect_type("link")?;
        Ok(Link {
            name: f.string("name")?,
            command: f.string_list("command")?,
            materials: materials.unwrap_or_default(),
            products: products.unwrap_or_default(),
            byproducts: f.object_or_empty("byproducts")?,
            environment: f.object_or_empty("environment")?,
        })
    }

    /// The conventional byproducts of a run.
    pub fn byproducts_of(stdout: &str, stderr: &str, return_value: i64) -> Object {
        Object(vec![
            ("stdout".into(), Value::String(stdout.into())),
            ("stderr".into(), Value::String(stderr.into())),
            ("return-value".into(), Value::Int(return_value.into())),
        ])
    }

    /// The recorded return value, if it is an integer.
    pub fn return_value(&self) -> Option<i128> {
        self.byproducts.get("return-value").and_then(Value::as_int)
    }
}

impl Serialize for Link {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Fields in canonical (sorted) order.
        let mut st = s.serialize_struct("Link", 7)?;
        st.serialize_field("_type", "link")?;
        st.serialize_field("byproducts", &self.byproducts)?;
        st.serialize_field("command", &self.command)?;
        st.serialize_field("environment", &self.environment)?;
        st.serialize_field("materials", &self.materials)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("products", &self.products)?;
        st.end()
    }
}
