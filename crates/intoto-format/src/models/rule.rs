//! The artifact-rule language of layouts (part of the layout format): the
//! grammar and its parser. The engine that applies rules is
//! `intoto::rules`.
//!
//! Grammar (keywords case-insensitive, tokens as a JSON list):
//!
//! ```text
//! CREATE|DELETE|MODIFY|ALLOW|DISALLOW <pattern>
//! REQUIRE <file>
//! MATCH <pattern> [IN <source-prefix>] WITH MATERIALS|PRODUCTS [IN <dest-prefix>] FROM <step>
//! ```

use std::fmt;

/// Which artifacts of the destination link a MATCH compares against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DestType {
    /// `WITH MATERIALS`
    Materials,
    /// `WITH PRODUCTS`
    Products,
}

impl DestType {
    /// `materials` or `products`.
    pub fn name(self) -> &'static str {
        match self {
            DestType::Materials => "materials",
            DestType::Products => "products",
        }
    }
}

/// A parsed artifact rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Consume artifacts that are products but not materials.
    Create(String),
    /// Consume artifacts that are materials but not products.
    Delete(String),
    /// Consume artifacts in both with different digests.
    Modify(String),
    /// Consume every match.
    Allow(String),
    /// Fail on any match still queued.
    Disallow(String),
    /// Fail unless this literal path is still queued.
    Require(String),
    /// Consume matches whose digests equal the destination link's.
    Match {
        /// Glob over the path relative to `source_prefix`.
        pattern: String,
        /// Prefix of the queued paths (may be empty).
        source_prefix: String,
        /// Which side of the destination link.
        dest_type: DestType,
        /// Prefix prepended on the destination side (may be empty).
        dest_prefix: String,
        /// Step or inspection name.
        dest_name: String,
    },
}

/// A rule list that is not a rule.
#[derive(Debug, thiserror::Error)]
#[error("{message}: {rule}")]
pub struct RuleSyntaxError {
    message: String,
    rule: String,
}

impl Rule {
    /// Parses the JSON token list of one rule.
    pub fn parse<S: AsRef<str>>(tokens: &[S]) -> Result<Rule, RuleSyntaxError> {
        let t: Vec<&str> = tokens.iter().map(AsRef::as_ref).collect();
        let lower: Vec<String> = t.iter().map(|s| s.to_lowercase()).collect();
        let err = |m: &str| RuleSyntaxError {
            message: m.to_owned(),
            rule: format!("{t:?}"),
        };
        if t.len() < 2 {
            return Err(err("a rule needs a keyword and a pattern"));
        }
        let simple = |ctor: fn(String) -> Rule| {
            if t.len() == 2 {
                Ok(ctor(t[1].to_owned()))
            } else {
                Err(err(&format!(
                    "{} takes exactly one pattern",
                    t[0].to_uppercase()
                )))
            }
        };
        match lower[0].as_str() {
            "create" => simple(Rule::Create),
            "delete" => simple(Rule::Delete),
            "modify" => simple(Rule::Modify),
            "allow" => simple(Rule::Allow),
            "disallow" => simple(Rule::Disallow),
            "require" => simple(Rule::Require),
            "match" => {
                let l = |i: usize| lower[i].as_str();
                let (src, dtype, dst, name) = match t.len() {
                    10 if l(2) == "in" && l(4) == "with" && l(6) == "in" && l(8) == "from" => {
                        (t[3], l(5), t[7], t[9])
                    }
                    8 if l(2) == "in" && l(4) == "with" && l(6) == "from" => (t[3], l(5), "", t[7]),
                    8 if l(2) == "with" && l(4) == "in" && l(6) == "from" => ("", l(3), t[5], t[7]),
                    6 if l(2) == "with" && l(4) == "from" => ("", l(3), "", t[5]),
                    _ => {
                        return Err(err(
                            "expected MATCH <pattern> [IN <source-prefix>] WITH MATERIALS|PRODUCTS [IN <dest-prefix>] FROM <step>",
                        ));
                    }
                };
                let dest_type = match dtype {
                    "materials" => DestType::Materials,
                    "products" => DestType::Products,
                    _ => return Err(err("MATCH needs MATERIALS or PRODUCTS after WITH")),
                };
                Ok(Rule::Match {
                    pattern: t[1].to_owned(),
                    source_prefix: src.to_owned(),
                    dest_type,
                    dest_prefix: dst.to_owned(),
                    dest_name: name.to_owned(),
                })
            }
            _ => Err(err(
                "unknown rule keyword (expected CREATE, DELETE, MODIFY, ALLOW, DISALLOW, REQUIRE or MATCH)",
            )),
        }
    }

    /// Parses a rule written as one string (shell-like splitting, as the
    /// reference's `add_material_rule_from_string`): its tokens, as layouts
    /// store them, and the rule.
    pub fn parse_str(s: &str) -> Result<(Vec<String>, Rule), RuleSyntaxError> {
        let tokens = shell_split(s).ok_or_else(|| RuleSyntaxError {
            message: "unbalanced quotes".into(),
            rule: s.into(),
        })?;
        let rule = Rule::parse(&tokens)?;
        Ok((tokens, rule))
    }
}

/// A simple POSIX-shell word splitter (quotes and backslashes), enough for
/// rules and commands typed on the command line.
pub fn shell_split(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => cur.push(c),
                            '\n' => {}
                            c => {
                                cur.push('\\');
                                cur.push(c);
                            }
                        },
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next()
                    && c != '\n'
                {
                    cur.push(c);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Some(out)
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Create(p) => write!(f, "CREATE {p}"),
            Rule::Delete(p) => write!(f, "DELETE {p}"),
            Rule::Modify(p) => write!(f, "MODIFY {p}"),
            Rule::Allow(p) => write!(f, "ALLOW {p}"),
            Rule::Disallow(p) => write!(f, "DISALLOW {p}"),
            Rule::Require(p) => write!(f, "REQUIRE {p}"),
            Rule::Match {
                pattern,
                source_prefix,
                dest_type,
                dest_prefix,
                dest_name,
            } => {
                write!(f, "MATCH {pattern}")?;
                if !source_prefix.is_empty() {
                    write!(f, " IN {source_prefix}")?;
                }
                write!(f, " WITH {}", dest_type.name().to_uppercase())?;
                if !dest_prefix.is_empty() {
                    write!(f, " IN {dest_prefix}")?;
                }
                write!(f, " FROM {dest_name}")
            }
        }
    }
}

/// One rule of a step or inspection: its tokens as the layout stores them
/// (written back unchanged) and the rule they parse to, parsed once when
/// the layout is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactRule {
    tokens: Vec<String>,
    rule: Rule,
}

impl ArtifactRule {
    /// Parses a token list.
    pub fn new(tokens: Vec<String>) -> Result<ArtifactRule, RuleSyntaxError> {
        let rule = Rule::parse(&tokens)?;
        Ok(ArtifactRule { tokens, rule })
    }

    /// Parses a rule written as one string (see [`Rule::parse_str`]).
    pub fn from_str_rule(s: &str) -> Result<ArtifactRule, RuleSyntaxError> {
        let (tokens, rule) = Rule::parse_str(s)?;
        Ok(ArtifactRule { tokens, rule })
    }

    /// The tokens, as stored.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The parsed rule.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }
}

impl fmt::Display for ArtifactRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.rule.fmt(f)
    }
}

impl serde::Serialize for ArtifactRule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.tokens.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_case_insensitively() {
        assert_eq!(
            Rule::parse(&["create", "a"]).unwrap(),
            Rule::Create("a".into())
        );
        assert_eq!(
            Rule::parse(&["ReQuIrE", "f"]).unwrap(),
            Rule::Require("f".into())
        );
        let m = Rule::parse(&[
            "match", "*", "in", "src", "with", "products", "in", "dst", "from", "clone",
        ])
        .unwrap();
        assert_eq!(
            m.to_string(),
            "MATCH * IN src WITH PRODUCTS IN dst FROM clone"
        );
        assert_eq!(
            Rule::parse(&["MATCH", "*", "WITH", "MATERIALS", "FROM", "s"])
                .unwrap()
                .to_string(),
            "MATCH * WITH MATERIALS FROM s"
        );
        assert_eq!(
            Rule::parse(&["MATCH", "*", "IN", "a", "WITH", "MATERIALS", "FROM", "s"])
                .unwrap()
                .to_string(),
            "MATCH * IN a WITH MATERIALS FROM s"
        );
        assert_eq!(
            Rule::parse(&["MATCH", "*", "WITH", "MATERIALS", "IN", "b", "FROM", "s"])
                .unwrap()
                .to_string(),
            "MATCH * WITH MATERIALS IN b FROM s"
        );
    }

    #[test]
    fn rejects_malformed_rules() {
        for bad in [
            &["CREATE"][..],
            &["CREATE", "a", "b"],
            &["FROB", "a"],
            &["MATCH", "*", "WITH", "PRODUCTS"],
            &["MATCH", "*", "WITH", "ARTIFACTS", "FROM", "x"],
            &["MATCH", "*", "FROM", "PRODUCTS", "WITH", "x"],
        ] {
            assert!(Rule::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            shell_split(r#"MATCH "a b" WITH 'c d' x\ y"#).unwrap(),
            ["MATCH", "a b", "WITH", "c d", "x y"]
        );
        assert!(shell_split("'open").is_none());
        let (tokens, rule) = Rule::parse_str("DISALLOW *").unwrap();
        assert_eq!(tokens, ["DISALLOW", "*"]);
        assert_eq!(rule, Rule::Disallow("*".into()));
    }
}
