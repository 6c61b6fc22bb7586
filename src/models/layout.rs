//! Layout metadata: the signed plan of a supply chain.

use std::collections::HashSet;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{FResult, Fields, FormatError, check_item_name, is_hex, string_list};
use crate::json::Value;
use crate::keys::KeyDict;
use crate::rules::Rule;

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
    /// Material rules, as token lists.
    pub expected_materials: Vec<Vec<String>>,
    /// Product rules, as token lists.
    pub expected_products: Vec<Vec<String>>,
}

/// An inspection (`_type: "inspection"`), run by the verifier.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspection {
    /// Unique name.
    pub name: String,
    /// The command, as argv (never through a shell).
    pub run: Vec<String>,
    /// Material rules.
    pub expected_materials: Vec<Vec<String>>,
    /// Product rules.
    pub expected_products: Vec<Vec<String>>,
}

impl Layout {
    /// Reads a layout from the `signed` part (or DSSE payload).
    pub fn from_value(path: &str, v: &Value) -> FResult<Layout> {
        let f = Fields::of(path, v)?;
        f.expect_type("layout")?;
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

fn list<'a>(f: &Fields<'a>, key: &str) -> FResult<&'a Vec<Value>> {
    match f.get(key) {
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(FormatError::new(
            f.sub(key),
            format!("expected an array, got {}", other.kind()),
        )),
        None => Err(FormatError::new(f.sub(key), "missing")),
    }
}

fn rules(f: &Fields, key: &str) -> FResult<Vec<Vec<String>>> {
    let path = f.sub(key);
    let Some(v) = f.get(key) else {
        return Ok(Vec::new());
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
            Rule::parse(&tokens).map_err(|e| FormatError::new(&rpath, e.to_string()))?;
            Ok(tokens)
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

/// Seconds since the Unix epoch for a valid `expires` string.
pub fn parse_expires(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20 {
        return None;
    }
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    for (c, want) in b.iter().zip(shape) {
        let ok = if *want == b'd' {
            c.is_ascii_digit()
        } else {
            c == want
        };
        if !ok {
            return None;
        }
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if y < 1
        || !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month(y, mo)
        || h > 23
        || mi > 59
        || se > 59
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_expires(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
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
        st.serialize_field("inspect", &self.inspect)?;
        st.serialize_field("keys", &KeyMap(&self.keys))?;
        st.serialize_field("readme", &self.readme)?;
        st.serialize_field("steps", &self.steps)?;
        st.end()
    }
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Step", 7)?;
        st.serialize_field("_type", "step")?;
        st.serialize_field("expected_command", &self.expected_command)?;
        st.serialize_field("expected_materials", &self.expected_materials)?;
        st.serialize_field("expected_products", &self.expected_products)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("pubkeys", &self.pubkeys)?;
        st.serialize_field("threshold", &self.threshold)?;
        st.end()
    }
}

impl Serialize for Inspection {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Inspection", 5)?;
        st.serialize_field("_type", "inspection")?;
        st.serialize_field("expected_materials", &self.expected_materials)?;
        st.serialize_field("expected_products", &self.expected_products)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("run", &self.run)?;
        st.end()
    }
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
            assert_eq!(parse_expires(&format_expires(secs)), Some(secs));
        }
    }
}
