//! Layout metadata: the signed plan of a supply chain.

use std::collections::HashSet;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::rule::ArtifactRule;
use super::{FResult, Fields, FormatError, KeyDict, Nulls, check_item_name, is_hex, string_list};
use crate::json::Value;
use crate::time::parse_expires;

mod change;
mod edit;

pub use change::{InspectionChange, ListChange, ReplacedKey, StepChange};
pub use edit::{Expires, LayoutEditError, NewStep, RemovedKey, expires_from, parse_rules};

/// A layout (`_type: "layout"`).
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub expires: String,
    /// Free text.
    pub readme: String,
    /// Functionary keys in file order: key id and the parsed dict, which
    /// keeps every field as written (unknown fields inside key dicts are
    /// covered by the signature).
    pub keys: Vec<(String, KeyDict)>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The inspections, in order.
    pub inspect: Vec<Inspection>,
    /// The fields the document wrote as `null` (read as empty; written
    /// back as `null` while they stay empty).
    pub nulls: Nulls,
}

/// A step (`_type: "step"`).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Unique name; links are `<name>.<keyid8>.link`.
    pub name: String,
    /// Key ids allowed to sign links for this step.
    pub pubkeys: Vec<String>,
    /// Distinct functionaries required.
    pub threshold: i64,
    /// What the functionary is expected to run (checked as a warning only).
    pub expected_command: Vec<String>,
    /// Material rules, parsed.
    pub expected_materials: Vec<ArtifactRule>,
    /// Product rules, parsed.
    pub expected_products: Vec<ArtifactRule>,
    /// The fields the document wrote as `null`.
    pub nulls: Nulls,
}

/// An inspection (`_type: "inspection"`), run by the verifier.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspection {
    /// Unique name.
    pub name: String,
    /// The command, as argv (never through a shell).
    pub run: Vec<String>,
    /// Material rules, parsed.
    pub expected_materials: Vec<ArtifactRule>,
    /// Product rules, parsed.
    pub expected_products: Vec<ArtifactRule>,
    /// The fields the document wrote as `null`.
    pub nulls: Nulls,
}

impl Layout {
    /// An empty layout expiring at `expires` (`YYYY-MM-DDTHH:MM:SSZ`, see
    /// [`expires_from`]): no keys, steps or inspections yet.
    pub fn new(expires: impl Into<String>) -> Layout {
        Layout {
            expires: expires.into(),
            readme: String::new(),
            keys: Vec::new(),
            steps: Vec::new(),
            inspect: Vec::new(),
            nulls: Nulls::default(),
        }
    }

    /// Reads a layout from the `signed` part (or DSSE payload).
    pub fn from_value(path: &str, v: &Value) -> FResult<Layout> {
        let f = Fields::of(path, v)?;
        f.expect_type("layout")?;
        // The specification requires an expiry date; the reference gives a
        // layout without one a fresh month on every load. Refuse instead.
        if matches!(f.get("expires"), None | Some(Value::Null)) {
            return Err(FormatError::new(
                f.sub("expires"),
                format!(
                    "the layout has no expiry date ({}); in-toto layouts must say when they expire, as 'YYYY-MM-DDTHH:MM:SSZ'",
                    if f.get("expires").is_none() {
                        "\"expires\" is missing"
                    } else {
                        "\"expires\" is null"
                    }
                ),
            ));
        }
        let expires = f.string("expires")?;
        check_expires(&f.sub("expires"), &expires)?;
        let readme = f.string_or("readme", "")?;
        let mut keys = Vec::new();
        for (keyid, key) in f.object_or_empty("keys")?.iter() {
            let kpath = format!("{}[{keyid:?}]", f.sub("keys"));
            if !is_hex(keyid) {
                return Err(FormatError::new(&kpath, "key id is not hex"));
            }
            keys.push((keyid.clone(), KeyDict::from_value(&kpath, keyid, key)?));
        }
        let steps = list(&f, "steps")?
            .iter()
            .enumerate()
            .map(|(i, s)| Step::from_value(&format!("{}[{i}]", f.sub("steps")), s))
            .collect::<FResult<Vec<_>>>()?;
        let inspect = list(&f, "inspect")?
            .iter()
            .enumerate()
            .map(|(i, s)| Inspection::from_value(&format!("{}[{i}]", f.sub("inspect")), s))
            .collect::<FResult<Vec<_>>>()?;
        let mut seen = HashSet::new();
        for name in steps
            .iter()
            .map(|s| &s.name)
            .chain(inspect.iter().map(|i| &i.name))
        {
            if !seen.insert(name) {
                return Err(FormatError::new(
                    path,
                    format!("step and inspection names must be unique; {name:?} appears twice"),
                ));
            }
        }
        Ok(Layout {
            expires,
            readme,
            keys,
            steps,
            inspect,
            nulls: Nulls::of(f.obj, &["inspect", "keys", "readme", "steps"]),
        })
    }

    /// The key stored under `keyid`.
    pub fn key(&self, keyid: &str) -> Option<&KeyDict> {
        self.keys.iter().find(|(k, _)| k == keyid).map(|(_, d)| d)
    }

    /// Adds `dict` under its key id, replacing a key stored there.
    pub fn set_key(&mut self, dict: KeyDict) {
        let id = dict.keyid().to_owned();
        match self.keys.iter_mut().find(|(k, _)| *k == id) {
            Some(entry) => entry.1 = dict,
            None => self.keys.push((id, dict)),
        }
    }
}

/// The array at `key`, which must be there; `null` is an empty one.
fn list<'a>(f: &Fields<'a>, key: &str) -> FResult<&'a [Value]> {
    match f.get(key) {
        Some(Value::Array(a)) => Ok(a),
        Some(Value::Null) => Ok(&[]),
        Some(other) => Err(FormatError::new(
            f.sub(key),
            format!("expected an array, got {}", other.kind()),
        )),
        None => Err(FormatError::new(f.sub(key), "missing")),
    }
}

fn rules(f: &Fields, key: &str) -> FResult<Vec<ArtifactRule>> {
    let path = f.sub(key);
    let v = match f.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(v) => v,
    };
    let arr = v.as_array().ok_or_else(|| {
        FormatError::new(
            &path,
            format!("expected an array of rules, got {}", v.kind()),
        )
    })?;
    arr.iter()
        .enumerate()
        .map(|(i, r)| {
            let rpath = format!("{path}[{i}]");
            let tokens = string_list(&rpath, r)?;
            ArtifactRule::new(tokens).map_err(|e| FormatError::new(&rpath, e.to_string()))
        })
        .collect()
}

impl Step {
    fn from_value(path: &str, v: &Value) -> FResult<Step> {
        let f = Fields::of(path, v)?;
        f.expect_type("step")?;
        let name = f.string("name")?;
        check_item_name(&f.sub("name"), &name)?;
        let pubkeys = f.string_list("pubkeys")?;
        for (i, k) in pubkeys.iter().enumerate() {
            if !is_hex(k) {
                return Err(FormatError::new(
                    format!("{}[{i}]", f.sub("pubkeys")),
                    format!("{k:?} is not a hex key id"),
                ));
            }
        }
        let threshold = match f.get("threshold") {
            None => 1,
            Some(Value::Int(t)) if *t >= 1 && *t <= i64::MAX as i128 => *t as i64,
            Some(other) => {
                return Err(FormatError::new(
                    f.sub("threshold"),
                    format!(
                        "expected an integer >= 1, got {}",
                        match other {
                            Value::Int(t) => t.to_string(),
                            o => o.kind().to_owned(),
                        }
                    ),
                ));
            }
        };
        Ok(Step {
            name,
            pubkeys,
            threshold,
            expected_command: f.string_list("expected_command")?,
            expected_materials: rules(&f, "expected_materials")?,
            expected_products: rules(&f, "expected_products")?,
            nulls: Nulls::of(
                f.obj,
                &[
                    "expected_command",
                    "expected_materials",
                    "expected_products",
                    "pubkeys",
                ],
            ),
        })
    }
}

impl Inspection {
    fn from_value(path: &str, v: &Value) -> FResult<Inspection> {
        let f = Fields::of(path, v)?;
        f.expect_type("inspection")?;
        let name = f.string("name")?;
        check_item_name(&f.sub("name"), &name)?;
        Ok(Inspection {
            name,
            run: f.string_list("run")?,
            expected_materials: rules(&f, "expected_materials")?,
            expected_products: rules(&f, "expected_products")?,
            nulls: Nulls::of(f.obj, &["expected_materials", "expected_products", "run"]),
        })
    }
}

/// `expires` must be exactly `YYYY-MM-DDTHH:MM:SSZ` with ASCII digits and
/// name a real instant.
pub fn check_expires(path: &str, s: &str) -> FResult<()> {
    parse_expires(s).map(|_| ()).ok_or_else(|| {
        FormatError::new(
            path,
            format!("expected a date as 'YYYY-MM-DDTHH:MM:SSZ', got {s:?}"),
        )
    })
}

/// Serialises layout keys as the `keyid → dict` object they came from.
struct KeyMap<'a>(&'a [(String, KeyDict)]);

impl Serialize for KeyMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(id, k)| (id, k.to_value())))
    }
}

impl Serialize for Layout {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Layout", 6)?;
        st.serialize_field("_type", "layout")?;
        st.serialize_field("expires", &self.expires)?;
        let n = &self.nulls;
        st.serialize_field(
            "inspect",
            &n.write("inspect", &self.inspect, self.inspect.is_empty()),
        )?;
        st.serialize_field(
            "keys",
            &n.write("keys", &KeyMap(&self.keys), self.keys.is_empty()),
        )?;
        st.serialize_field(
            "readme",
            &n.write("readme", &self.readme, self.readme.is_empty()),
        )?;
        st.serialize_field(
            "steps",
            &n.write("steps", &self.steps, self.steps.is_empty()),
        )?;
        st.end()
    }
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Step", 7)?;
        st.serialize_field("_type", "step")?;
        let n = &self.nulls;
        st.serialize_field(
            "expected_command",
            &n.write(
                "expected_command",
                &self.expected_command,
                self.expected_command.is_empty(),
            ),
        )?;
        write_rules(
            &mut st,
            n,
            &self.expected_materials,
            &self.expected_products,
        )?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field(
            "pubkeys",
            &n.write("pubkeys", &self.pubkeys, self.pubkeys.is_empty()),
        )?;
        st.serialize_field("threshold", &self.threshold)?;
        st.end()
    }
}

impl Serialize for Inspection {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Inspection", 5)?;
        st.serialize_field("_type", "inspection")?;
        let n = &self.nulls;
        write_rules(
            &mut st,
            n,
            &self.expected_materials,
            &self.expected_products,
        )?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("run", &n.write("run", &self.run, self.run.is_empty()))?;
        st.end()
    }
}

fn write_rules<S: SerializeStruct>(
    st: &mut S,
    n: &Nulls,
    materials: &Vec<ArtifactRule>,
    products: &Vec<ArtifactRule>,
) -> Result<(), S::Error> {
    st.serialize_field(
        "expected_materials",
        &n.write("expected_materials", materials, materials.is_empty()),
    )?;
    st.serialize_field(
        "expected_products",
        &n.write("expected_products", products, products.is_empty()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_is_exact() {
        assert_eq!(parse_expires("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_expires("2000-02-29T12:00:00Z"), Some(951825600));
        for bad in [
            "2099-12-31",
            "2099-12-31T23:59:59",
            "2099-12-31 23:59:59Z",
            "2099-02-30T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2099-13-01T00:00:00Z",
            "2099-12-31T24:00:00Z",
            "2099-12-31T23:59:60Z",
            "٢٠٩٩-12-31T23:59:59Z",
            "+099-12-31T23:59:59Z",
        ] {
            assert!(parse_expires(bad).is_none(), "{bad}");
        }
        for secs in [0, 951825600, 4102444799, 1234567890] {
            assert_eq!(
                parse_expires(&crate::time::format_expires(secs)),
                Some(secs)
            );
        }
    }

    #[test]
    fn a_layout_without_expires_is_refused_saying_so() {
        for doc in [
            r#"{"_type": "layout", "steps": [], "inspect": []}"#,
            r#"{"_type": "layout", "expires": null, "steps": [], "inspect": []}"#,
        ] {
            let v = crate::json::parse(doc.as_bytes()).unwrap();
            let e = Layout::from_value("signed", &v).unwrap_err().to_string();
            assert!(
                e.starts_with("signed.expires: the layout has no expiry date"),
                "{e}"
            );
        }
    }
}
