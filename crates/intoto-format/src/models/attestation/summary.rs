//! Verification summaries: the predicates a verifier signs to say what it
//! verified. [`Svr`] is the in-toto Simple Verification Result v0.2 (a pass
//! only: it has no failed form), [`Vsa`] the SLSA Verification Summary v1
//! (`PASSED` or `FAILED`). Both are read back as a [`Summary`], the view a
//! consumer checks (who verified, when, against which policy, which
//! properties held). No crypto here: signing and checking are the
//! library's.

use crate::json::{Object, Value};
use crate::models::{FResult, Fields, FormatError};

use super::{ResourceDescriptor, Statement};

/// `predicateType` of the Simple Verification Result v0.2.
pub const SVR_V02: &str = "https://in-toto.io/attestation/svr/v0.2";
/// `predicateType` of the SLSA Verification Summary v1.
pub const VSA_V1: &str = "https://slsa.dev/verification_summary/v1";
/// `verifiedLevels` of a failed VSA.
pub const FAILED: &str = "FAILED";

/// A Simple Verification Result: the properties that held.
#[derive(Clone, Debug, PartialEq)]
pub struct Svr {
    /// `verifier.id`: a URI naming the verifier.
    pub verifier_id: String,
    /// `verifier.policies`: what was verified against.
    pub policies: Vec<ResourceDescriptor>,
    /// `timeCreated` (RFC 3339).
    pub time_created: String,
    /// `properties`.
    pub properties: Vec<String>,
}

/// A SLSA Verification Summary v1.
#[derive(Clone, Debug, PartialEq)]
pub struct Vsa {
    /// `verifier.id`: a URI naming the verifier.
    pub verifier_id: String,
    /// `verifier.version`: component → version (may be empty).
    pub verifier_version: Vec<(String, String)>,
    /// `timeVerified` (RFC 3339), when present.
    pub time_verified: Option<String>,
    /// `resourceUri`.
    pub resource_uri: String,
    /// `policy`.
    pub policy: ResourceDescriptor,
    /// `inputAttestations`.
    pub input_attestations: Vec<ResourceDescriptor>,
    /// `verificationResult` is `PASSED`.
    pub passed: bool,
    /// `verifiedLevels` (`["FAILED"]` when it failed).
    pub verified_levels: Vec<String>,
}

/// A verification summary of either kind.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Summary {
    /// [`SVR_V02`].
    Svr(Svr),
    /// [`VSA_V1`].
    Vsa(Vsa),
}

impl Summary {
    /// The predicate type URI.
    pub fn predicate_type(&self) -> &'static str {
        match self {
            Summary::Svr(_) => SVR_V02,
            Summary::Vsa(_) => VSA_V1,
        }
    }

    /// `verifier.id`.
    pub fn verifier_id(&self) -> &str {
        match self {
            Summary::Svr(s) => &s.verifier_id,
            Summary::Vsa(v) => &v.verifier_id,
        }
    }

    /// When it was verified, if it says.
    pub fn time(&self) -> Option<&str> {
        match self {
            Summary::Svr(s) => Some(&s.time_created),
            Summary::Vsa(v) => v.time_verified.as_deref(),
        }
    }

    /// Whether verification passed (an SVR always did).
    pub fn passed(&self) -> bool {
        match self {
            Summary::Svr(_) => true,
            Summary::Vsa(v) => v.passed,
        }
    }

    /// The policies verified against.
    pub fn policies(&self) -> Vec<&ResourceDescriptor> {
        match self {
            Summary::Svr(s) => s.policies.iter().collect(),
            Summary::Vsa(v) => vec![&v.policy],
        }
    }

    /// The properties (SVR) or levels (VSA) that held.
    pub fn properties(&self) -> &[String] {
        match self {
            Summary::Svr(s) => &s.properties,
            Summary::Vsa(v) => &v.verified_levels,
        }
    }

    /// The predicate, as written.
    pub fn to_predicate(&self) -> Object {
        let strings = |v: &[String]| Value::Array(v.iter().map(|s| s.as_str().into()).collect());
        let mut o = Object::default();
        match self {
            Summary::Svr(s) => {
                let mut verifier = Object::default();
                verifier.insert("id", s.verifier_id.as_str().into());
                verifier.insert(
                    "policies",
                    Value::Array(
                        s.policies
                            .iter()
                            .map(ResourceDescriptor::to_value)
                            .collect(),
                    ),
                );
                o.insert("verifier", Value::Object(verifier));
                o.insert("timeCreated", s.time_created.as_str().into());
                o.insert("properties", strings(&s.properties));
            }
            Summary::Vsa(v) => {
                let mut verifier = Object::default();
                verifier.insert("id", v.verifier_id.as_str().into());
                if !v.verifier_version.is_empty() {
                    let mut version = Object::default();
                    for (k, val) in &v.verifier_version {
                        version.insert(k.as_str(), val.as_str().into());
                    }
                    verifier.insert("version", Value::Object(version));
                }
                o.insert("verifier", Value::Object(verifier));
                if let Some(t) = &v.time_verified {
                    o.insert("timeVerified", t.as_str().into());
                }
                o.insert("resourceUri", v.resource_uri.as_str().into());
                o.insert("policy", v.policy.to_value());
                o.insert(
                    "inputAttestations",
                    Value::Array(
                        v.input_attestations
                            .iter()
                            .map(ResourceDescriptor::to_value)
                            .collect(),
                    ),
                );
                o.insert(
                    "verificationResult",
                    if v.passed { "PASSED" } else { FAILED }.into(),
                );
                o.insert("verifiedLevels", strings(&v.verified_levels));
                o.insert("slsaVersion", "1.0".into());
            }
        }
        o
    }

    /// Reads the summary a Statement carries: its `predicateType` must be
    /// [`SVR_V02`] or [`VSA_V1`], and the predicate must have that
    /// predicate's required members (errors name their path from
    /// `payload`). Unknown members are ignored, as the specs require.
    pub fn from_statement(st: &Statement) -> FResult<Summary> {
        let Some(p) = &st.predicate else {
            return Err(FormatError::new("payload.predicate", "missing"));
        };
        let pv = Value::Object(p.clone());
        let f = Fields::of("payload.predicate", &pv)?;
        let verifier_v = f
            .get("verifier")
            .ok_or_else(|| FormatError::new(f.sub("verifier"), "missing"))?;
        let vpath = f.sub("verifier");
        let vf = Fields::of(&vpath, verifier_v)?;
        let verifier_id = vf.string("id")?;
        match st.predicate_type.as_str() {
            SVR_V02 => {
                let policies = descriptors(&vf, "policies")?;
                Ok(Summary::Svr(Svr {
                    verifier_id,
                    policies,
                    time_created: f.string("timeCreated")?,
                    properties: optional_strings(&f, "properties")?,
                }))
            }
            VSA_V1 => {
                let verifier_version = match vf.get("version") {
                    None => Vec::new(),
                    Some(v) => {
                        let at = vf.sub("version");
                        let Value::Object(o) = v else {
                            return Err(FormatError::new(at, "expected an object"));
                        };
                        o.iter()
                            .map(|(k, v)| match v {
                                Value::String(s) => Ok((k.clone(), s.clone())),
                                _ => {
                                    Err(FormatError::new(format!("{at}.{k}"), "expected a string"))
                                }
                            })
                            .collect::<FResult<Vec<_>>>()?
                    }
                };
                let time_verified = match f.get("timeVerified") {
                    None => None,
                    Some(_) => Some(f.string("timeVerified")?),
                };
                let policy_v = f
                    .get("policy")
                    .ok_or_else(|| FormatError::new(f.sub("policy"), "missing"))?;
                let policy = ResourceDescriptor::from_value(&f.sub("policy"), policy_v)?;
                let passed = match f.string("verificationResult")?.as_str() {
                    "PASSED" => true,
                    "FAILED" => false,
                    other => {
                        return Err(FormatError::new(
                            f.sub("verificationResult"),
                            format!("expected \"PASSED\" or \"FAILED\", got {other:?}"),
                        ));
                    }
                };
                Ok(Summary::Vsa(Vsa {
                    verifier_id,
                    verifier_version,
                    time_verified,
                    resource_uri: f.string("resourceUri")?,
                    policy,
                    input_attestations: descriptors(&f, "inputAttestations")?,
                    passed,
                    verified_levels: f.string_list("verifiedLevels")?,
                }))
            }
            other => Err(FormatError::new(
                "payload.predicateType",
                format!(
                    "{other:?} is not a verification summary (expected {SVR_V02:?} or {VSA_V1:?})"
                ),
            )),
        }
    }
}

/// An optional list of strings at `key` (empty when absent).
fn optional_strings(f: &Fields<'_>, key: &str) -> FResult<Vec<String>> {
    match f.get(key) {
        None => Ok(Vec::new()),
        Some(_) => f.string_list(key),
    }
}

/// An optional list of resource descriptors at `key` (empty when absent).
fn descriptors(f: &Fields<'_>, key: &str) -> FResult<Vec<ResourceDescriptor>> {
    match f.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| ResourceDescriptor::from_value(&format!("{}[{i}]", f.sub(key)), v))
            .collect(),
        Some(other) => Err(FormatError::new(
            f.sub(key),
            format!("expected an array, got {}", other.kind()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::attestation::STATEMENT_V1;

    fn svr() -> Summary {
        Summary::Svr(Svr {
            verifier_id: "pkg:generic/intoto@0.1.0".into(),
            policies: vec![ResourceDescriptor::named("root.layout", "sha256", "ab12")],
            time_created: "2030-01-01T00:00:00Z".into(),
            properties: vec!["INTOTO_LAYOUT_VERIFIED".into()],
        })
    }

    fn vsa(passed: bool) -> Summary {
        Summary::Vsa(Vsa {
            verifier_id: "pkg:generic/intoto@0.1.0".into(),
            verifier_version: vec![("intoto".into(), "0.1.0".into())],
            time_verified: Some("2030-01-01T00:00:00Z".into()),
            resource_uri: "https://example.org/foo.tar.gz".into(),
            policy: ResourceDescriptor::named("root.layout", "sha256", "ab12"),
            input_attestations: vec![ResourceDescriptor::named("build.1234.link", "sha256", "cd")],
            passed,
            verified_levels: vec![
                if passed {
                    "INTOTO_LAYOUT_VERIFIED"
                } else {
                    FAILED
                }
                .into(),
            ],
        })
    }

    fn statement(s: &Summary) -> Statement {
        Statement {
            subject: vec![ResourceDescriptor::named("foo", "sha256", "ef")],
            predicate_type: s.predicate_type().into(),
            predicate: Some(s.to_predicate()),
        }
    }

    #[test]
    fn summaries_read_back_as_written() {
        for s in [svr(), vsa(true), vsa(false)] {
            let st = statement(&s);
            let bytes = st.to_payload().unwrap();
            let back = Statement::from_payload(&bytes).unwrap();
            assert_eq!(back.predicate_type, s.predicate_type());
            assert_eq!(Summary::from_statement(&back).unwrap(), s);
        }
        assert!(!vsa(false).passed());
        assert!(svr().passed());
        assert_eq!(svr().properties(), ["INTOTO_LAYOUT_VERIFIED"]);
    }

    #[test]
    fn other_predicates_and_bad_shapes_are_refused_naming_the_path() {
        let mut st = statement(&svr());
        st.predicate_type = super::super::LINK_PREDICATE_V03.into();
        let e = Summary::from_statement(&st).unwrap_err().to_string();
        assert!(e.contains("not a verification summary"), "{e}");

        let text = format!(
            r#"{{"_type":"{STATEMENT_V1}","subject":[{{"name":"a","digest":{{"sha256":"ab"}}}}],
            "predicateType":"{VSA_V1}","predicate":{{"verifier":{{"id":"x"}},"resourceUri":"u",
            "policy":{{"uri":"p"}},"verificationResult":"MAYBE","verifiedLevels":[]}}}}"#
        );
        let st = Statement::from_payload(text.as_bytes()).unwrap();
        let e = Summary::from_statement(&st).unwrap_err().to_string();
        assert!(e.contains("verificationResult"), "{e}");

        let text = format!(
            r#"{{"_type":"{STATEMENT_V1}","subject":[{{"name":"a","digest":{{"sha256":"ab"}}}}],
            "predicateType":"{SVR_V02}","predicate":{{"timeCreated":"t"}}}}"#
        );
        let st = Statement::from_payload(text.as_bytes()).unwrap();
        let e = Summary::from_statement(&st).unwrap_err().to_string();
        assert!(e.contains("verifier"), "{e}");
    }
}
