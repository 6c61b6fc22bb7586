//! Link metadata: the signed evidence of one performed step.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::artifacts::Artifacts;
use super::{FResult, Fields, Nulls};
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
    /// The fields the document wrote as `null` (read as empty; written
    /// back as `null` while they stay empty).
    pub nulls: Nulls,
}

/// The link fields that may be `null` (meaning empty).
const NULLABLE: [&str; 5] = [
    "materials",
    "products",
    "byproducts",
    "command",
    "environment",
];

impl Link {
    /// Builds a link from its fields (artifact maps already parsed;
    /// `artifact_nulls` names the ones that were `null`). Missing fields
    /// get the reference's defaults, `null` ones are empty; unknown ones
    /// are dropped.
    pub fn from_parts(
        path: &str,
        rest: &Value,
        materials: Option<Artifacts>,
        products: Option<Artifacts>,
        artifact_nulls: &[&'static str],
    ) -> FResult<Link> {
        let f = Fields::of(path, rest)?;
        f.expect_type("link")?;
        let mut nulls = Nulls::default();
        for n in NULLABLE {
            if artifact_nulls.contains(&n) || matches!(f.get(n), Some(Value::Null)) {
                nulls.insert(n);
            }
        }
        Ok(Link {
            nulls,
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
        let n = &self.nulls;
        st.serialize_field(
            "byproducts",
            &n.write("byproducts", &self.byproducts, self.byproducts.is_empty()),
        )?;
        st.serialize_field(
            "command",
            &n.write("command", &self.command, self.command.is_empty()),
        )?;
        st.serialize_field(
            "environment",
            &n.write(
                "environment",
                &self.environment,
                self.environment.is_empty(),
            ),
        )?;
        st.serialize_field(
            "materials",
            &n.write("materials", &self.materials, self.materials.is_empty()),
        )?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field(
            "products",
            &n.write("products", &self.products, self.products.is_empty()),
        )?;
        st.end()
    }
}
