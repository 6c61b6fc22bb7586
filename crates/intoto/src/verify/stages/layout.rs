//! Stages 2 and 3, on the layout itself: expiry, and the substitution of
//! `{NAME}` parameters (with the placeholders a layout uses, for the
//! warning when no parameters are given).

use std::collections::BTreeMap;

use crate::models::rule::ArtifactRule;
use crate::models::{Layout, parse_expires};
use crate::verify::{Failure, FailureKind, Stage};

/// Stage 2: `expires` must be in the future.
pub(super) fn expiry(layout: &Layout, now: i64) -> Result<(), Failure> {
    let exp = parse_expires(&layout.expires).ok_or_else(|| {
        Failure::new(
            Stage::LayoutExpiry,
            FailureKind::MalformedExpiry {
                expires: layout.expires.clone(),
            },
            format!("malformed expiry date {:?}", layout.expires),
        )
    })?;
    if exp <= now {
        return Err(Failure::new(
            Stage::LayoutExpiry,
            FailureKind::LayoutExpired {
                expires: layout.expires.clone(),
            },
            format!("the layout expired on {}", layout.expires),
        ));
    }
    Ok(())
}

fn substitution(why: String) -> Failure {
    Failure::new(
        Stage::Substitution,
        FailureKind::Substitution { why: why.clone() },
        why,
    )
}

/// Whether `name` can be a substitution parameter: `[a-zA-Z0-9_-]+`.
pub fn is_param_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Stage 3: replaces `{NAME}` in rules, expected commands and inspection
/// commands (Python `str.format` with plain names; `{{` and `}}` are
/// literal braces).
pub fn substitute(layout: &mut Layout, params: &BTreeMap<String, String>) -> Result<(), Failure> {
    for k in params.keys() {
        if !is_param_name(k) {
            return Err(substitution(format!(
                "parameter name {k:?} must match [a-zA-Z0-9_-]+"
            )));
        }
    }
    let sub = |where_: &str, s: &mut String| -> Result<(), Failure> {
        *s = format_str(s, params).map_err(|e| substitution(format!("{where_}: {e}")))?;
        Ok(())
    };
    // Placeholders stand inside tokens; the rule is parsed again after.
    let sub_rule = |where_: &str, rule: &ArtifactRule| -> Result<ArtifactRule, Failure> {
        let mut tokens = rule.tokens().to_vec();
        for t in &mut tokens {
            sub(where_, t)?;
        }
        ArtifactRule::new(tokens).map_err(|e| substitution(format!("{where_}: {e}")))
    };
    for step in &mut layout.steps {
        let w = format!("step '{}'", step.name);
        for rule in step
            .expected_materials
            .iter_mut()
            .chain(step.expected_products.iter_mut())
        {
            *rule = sub_rule(&w, rule)?;
        }
        for t in &mut step.expected_command {
            sub(&w, t)?;
        }
    }
    for insp in &mut layout.inspect {
        let w = format!("inspection '{}'", insp.name);
        for rule in insp
            .expected_materials
            .iter_mut()
            .chain(insp.expected_products.iter_mut())
        {
            *rule = sub_rule(&w, rule)?;
        }
        for t in &mut insp.run {
            sub(&w, t)?;
        }
    }
    Ok(())
}

/// The `{NAME}` placeholders a layout's rules, expected commands and
/// inspection commands use (sorted, once each); `{{` and `}}` are literal
/// braces, and text in braces that cannot be a parameter name is not one.
pub fn placeholders(layout: &Layout) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    let mut scan = |s: &str| {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                }
                '{' => {
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    if is_param_name(&name) {
                        names.insert(name);
                    }
                }
                _ => {}
            }
        }
    };
    for step in &layout.steps {
        step.expected_materials
            .iter()
            .chain(&step.expected_products)
            .flat_map(|r| r.tokens())
            .chain(&step.expected_command)
            .for_each(|t| scan(t));
    }
    for insp in &layout.inspect {
        insp.expected_materials
            .iter()
            .chain(&insp.expected_products)
            .flat_map(|r| r.tokens())
            .chain(&insp.run)
            .for_each(|t| scan(t));
    }
    names.into_iter().collect()
}

fn format_str(s: &str, params: &BTreeMap<String, String>) -> Result<String, String> {
    if !s.contains(['{', '}']) {
        return Ok(s.to_owned());
    }
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '}' => {
                return Err(format!(
                    "single '}}' in {s:?} (write '}}}}' for a literal brace)"
                ));
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(format!("unclosed '{{' in {s:?}")),
                    }
                }
                let value = params.get(&name).ok_or_else(|| {
                    format!("{{{name}}} in {s:?} has no value (give it with --param {name}=VALUE)")
                })?;
                out.push_str(value);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_format_subset() {
        let p: BTreeMap<String, String> = [("P".to_string(), "demo".to_string())].into();
        assert_eq!(format_str("{P}/*", &p).unwrap(), "demo/*");
        assert_eq!(format_str("{{P}}", &p).unwrap(), "{P}");
        assert!(format_str("{Q}", &p).is_err());
        assert!(format_str("a}b", &p).is_err());
        assert!(format_str("{P", &p).is_err());
        assert_eq!(format_str("plain", &p).unwrap(), "plain");
    }
}
