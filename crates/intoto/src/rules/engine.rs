//! The rule engine: queue semantics of the reference's `verify_item_rules`.

use std::collections::HashMap;
use std::fmt;

use super::glob::Glob;
use crate::models::rule::{ArtifactRule, DestType, Rule};
use crate::models::{Artifacts, Link};

/// Whether rules belong to a step or an inspection (for messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A step.
    Step,
    /// An inspection.
    Inspection,
}

/// Which side of the item's link the rules check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// `expected_materials`
    Materials,
    /// `expected_products`
    Products,
}

impl Side {
    fn singular(self) -> &'static str {
        match self {
            Side::Materials => "material",
            Side::Products => "product",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ItemKind::Step => "step",
            ItemKind::Inspection => "inspection",
        })
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Materials => "materials",
            Side::Products => "products",
        })
    }
}

/// A rule list that rejected the artifacts.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleFailure {
    /// Step or inspection.
    pub item_kind: ItemKind,
    /// Its name.
    pub item: String,
    /// Materials or products.
    pub side: Side,
    /// The failing rule, as written.
    pub rule: String,
    /// What went wrong.
    pub kind: RuleFailureKind,
}

/// Why a rule failed.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleFailureKind {
    /// `DISALLOW` matched artifacts that no earlier rule consumed.
    Disallowed {
        /// The offending artifacts (sorted).
        artifacts: Vec<String>,
        /// For artifacts an earlier MATCH named but could not consume: why.
        near_misses: Vec<NearMiss>,
    },
    /// `REQUIRE` did not find its file among the queued artifacts.
    RequireMissing {
        /// The required path.
        path: String,
    },
    /// There is no link of the item itself to check the rules against
    /// (fail closed: no rule can pass without one).
    NoLink,
}

/// A MATCH rule whose pattern selected an artifact it could not consume.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NearMiss {
    /// The artifact.
    pub artifact: String,
    /// The MATCH rule.
    pub rule: String,
    /// Why it was not consumed.
    pub reason: String,
}

impl fmt::Display for RuleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.side.singular();
        match &self.kind {
            RuleFailureKind::Disallowed {
                artifacts,
                near_misses,
            } => {
                let first = &artifacts[0];
                write!(f, "{} '{}': {what} '{first}'", self.item_kind, self.item)?;
                if let Some(nm) = near_misses.iter().find(|n| &n.artifact == first) {
                    write!(
                        f,
                        " was not matched by '{}' ({}) and {} forbids it",
                        nm.rule, nm.reason, self.rule
                    )?;
                } else {
                    write!(f, " matched no rule and {} forbids it", self.rule)?;
                }
                if artifacts.len() > 1 {
                    write!(
                        f,
                        " (and {} more: {})",
                        artifacts.len() - 1,
                        preview(&artifacts[1..])
                    )?;
                }
                Ok(())
            }
            RuleFailureKind::RequireMissing { path } => write!(
                f,
                "{} '{}': {} found no {what} '{path}' among the {} left to check",
                self.item_kind, self.item, self.rule, self.side
            ),
            RuleFailureKind::NoLink => write!(
                f,
                "{} '{}': no link to check its {} rules against",
                self.item_kind, self.item, self.side
            ),
        }
    }
}

fn preview(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(5).map(|s| format!("'{s}'")).collect();
    if items.len() > 5 {
        format!("{}, ...", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Checks `rules` against one side of the link of `item`.
///
/// `links` holds the (reduced) link of every step and, for inspection
/// rules, every inspection; MATCH rules look their destination up there
/// and consume nothing when it is absent, as the reference does.
pub fn apply_rules(
    item_kind: ItemKind,
    item: &str,
    side: Side,
    rules: &[ArtifactRule],
    links: &HashMap<&str, &Link>,
) -> Result<(), RuleFailure> {
    run_rules(item_kind, item, side, rules, links, |_, _| {}).map_err(|(_, f)| f)
}

/// What each rule of a list did with one side of a link: the artifacts it
/// consumed (a `REQUIRE`: its file, when queued), and the failure that
/// stopped the list, if one did (the rules after it did not run).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTrace {
    /// Per rule, in order: the artifacts it took.
    pub matched: Vec<Vec<String>>,
    /// Whether each rule ran (false after a failure).
    pub ran: Vec<bool>,
    /// What stopped the list.
    pub failure: Option<RuleFailure>,
}

/// [`apply_rules`], recording which rule took which artifact (the same
/// engine: `intoto layout check --link-dir`).
pub fn trace_rules(
    item_kind: ItemKind,
    item: &str,
    side: Side,
    rules: &[ArtifactRule],
    links: &HashMap<&str, &Link>,
) -> RuleTrace {
    let mut matched = vec![Vec::new(); rules.len()];
    let result = run_rules(item_kind, item, side, rules, links, |i, a| {
        matched[i].push(a.to_owned());
    });
    let (ran, failure) = match result {
        Ok(()) => (vec![true; rules.len()], None),
        // Rules up to the failing one ran; none did without the link.
        Err((at, f)) => (
            (0..rules.len())
                .map(|i| at.is_some_and(|a| i <= a))
                .collect(),
            Some(f),
        ),
    };
    RuleTrace {
        matched,
        ran,
        failure,
    }
}

/// The engine: `on_take(rule index, artifact)` for each artifact a rule
/// consumes (and a `REQUIRE`'s file when it is queued); a failure comes
/// with the index of the rule that failed (none: there is no link).
fn run_rules(
    item_kind: ItemKind,
    item: &str,
    side: Side,
    rules: &[ArtifactRule],
    links: &HashMap<&str, &Link>,
    mut on_take: impl FnMut(usize, &str),
) -> Result<(), (Option<usize>, RuleFailure)> {
    let Some(link) = links.get(item) else {
        // Fail closed: without the item's own link nothing is checked.
        return Err((
            None,
            RuleFailure {
                item_kind,
                item: item.to_owned(),
                side,
                rule: rules.first().map(|r| r.to_string()).unwrap_or_default(),
                kind: RuleFailureKind::NoLink,
            },
        ));
    };
    let (materials, products) = (&link.materials, &link.products);
    let artifacts = match side {
        Side::Materials => materials,
        Side::Products => products,
    };
    let (keys, digests): (Vec<&str>, Vec<&crate::models::HashDict>) = artifacts.iter().unzip();
    let mut alive = vec![true; keys.len()];
    let mut misses: Vec<Miss> = Vec::new();

    for (ri, entry) in rules.iter().enumerate() {
        let rule = entry.rule();
        let shown = rule.to_string();
        let fail = |kind| {
            (
                Some(ri),
                RuleFailure {
                    item_kind,
                    item: item.into(),
                    side,
                    rule: shown.clone(),
                    kind,
                },
            )
        };
        match rule {
            Rule::Require(path) => {
                let queued = keys.binary_search(&path.as_str()).is_ok_and(|i| alive[i]);
                if !queued {
                    return Err(fail(RuleFailureKind::RequireMissing { path: path.clone() }));
                }
                on_take(ri, path);
            }
            Rule::Disallow(p) => {
                let g = Glob::new(p);
                let mut hit = vec![false; keys.len()];
                let mut hits = Vec::new();
                for (i, k) in keys.iter().enumerate() {
                    if alive[i] && g.matches(k) {
                        hit[i] = true;
                        hits.push((*k).to_owned());
                    }
                }
                if !hits.is_empty() {
                    let near_misses = misses
                        .iter()
                        .filter(|m| hit[m.artifact])
                        .map(|m| m.explain(keys[m.artifact]))
                        .collect();
                    return Err(fail(RuleFailureKind::Disallowed {
                        artifacts: hits,
                        near_misses,
                    }));
                }
            }
            Rule::Create(p) | Rule::Delete(p) | Rule::Modify(p) | Rule::Allow(p) => {
                let g = Glob::new(p);
                for (i, k) in keys.iter().enumerate() {
                    if !alive[i] || !g.matches(k) {
                        continue;
                    }
                    let consume = match rule {
                        Rule::Create(_) => products.contains_key(k) && !materials.contains_key(k),
                        Rule::Delete(_) => materials.contains_key(k) && !products.contains_key(k),
                        Rule::Modify(_) => {
                            matches!((materials.get(k), products.get(k)), (Some(a), Some(b)) if a.differs(b))
                        }
                        _ => true,
                    };
                    if consume {
                        alive[i] = false;
                        on_take(ri, k);
                    }
                }
            }
            Rule::Match {
                pattern,
                source_prefix,
                dest_type,
                dest_prefix,
                dest_name,
            } => {
                let Some(dest) = links.get(dest_name.as_str()) else {
                    continue;
                };
                let dest_artifacts: &Artifacts = match dest_type {
                    DestType::Materials => &dest.materials,
                    DestType::Products => &dest.products,
                };
                let g = Glob::new(pattern);
                let src = if source_prefix.is_empty() {
                    String::new()
                } else {
                    dir_prefix(source_prefix)
                };
                // Queued paths are sorted, so are the destination paths
                // derived from them: look them up with a moving cursor.
                // Prefixed destination paths are built in one buffer.
                let mut cursor = 0;
                let mut joined = String::new();
                for (i, k) in keys.iter().enumerate() {
                    if !alive[i] {
                        continue;
                    }
                    let Some(rest) = k.strip_prefix(src.as_str()) else {
                        continue;
                    };
                    if !g.matches(rest) {
                        continue;
                    }
                    let dest_path = if dest_prefix.is_empty() {
                        rest
                    } else {
                        join_into(&mut joined, dest_prefix, rest);
                        joined.as_str()
                    };
                    match dest_artifacts.seek(dest_path, &mut cursor) {
                        Some(d) if d.matches(digests[i]) => {
                            alive[i] = false;
                            on_take(ri, k);
                        }
                        found => misses.push(Miss {
                            artifact: i,
                            rule,
                            found: found.is_some(),
                        }),
                    }
                }
            }
        }
    }
    Ok(())
}

/// An artifact a MATCH rule selected but could not consume; explained
/// (as a [`NearMiss`]) only when a DISALLOW rule then reports it.
struct Miss<'r> {
    artifact: usize,
    rule: &'r Rule,
    /// Whether the destination had the path (with another digest).
    found: bool,
}

impl Miss<'_> {
    fn explain(&self, artifact: &str) -> NearMiss {
        let mut reason = String::new();
        if let Rule::Match {
            source_prefix,
            dest_type,
            dest_prefix,
            dest_name,
            ..
        } = self.rule
        {
            let rest = if source_prefix.is_empty() {
                artifact
            } else {
                &artifact[dir_prefix(source_prefix).len()..]
            };
            let dest_path = join(dest_prefix, rest);
            let dest_type = dest_type.name();
            reason = if self.found {
                format!("its digest differs from '{dest_path}' in the {dest_type} of '{dest_name}'")
            } else {
                format!("'{dest_path}' is not among the {dest_type} of '{dest_name}'")
            };
        }
        NearMiss {
            artifact: artifact.to_owned(),
            rule: self.rule.to_string(),
            reason,
        }
    }
}

/// `os.path.join(prefix, "")`: the prefix with exactly one trailing `/`
/// added when it has none.
fn dir_prefix(prefix: &str) -> String {
    if prefix.ends_with('/') {
        prefix.to_owned()
    } else {
        format!("{prefix}/")
    }
}

/// `os.path.join(prefix, path)` for the destination side.
fn join(prefix: &str, path: &str) -> String {
    let mut out = String::new();
    join_into(&mut out, prefix, path);
    out
}

/// [`join`] into `out` (cleared first), reusing its allocation.
fn join_into(out: &mut String, prefix: &str, path: &str) {
    out.clear();
    if !prefix.is_empty() && !path.starts_with('/') {
        out.push_str(prefix);
        if !prefix.ends_with('/') {
            out.push('/');
        }
    }
    out.push_str(path);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::HashDict;

    fn arts(items: &[(&str, &str)]) -> Artifacts {
        items
            .iter()
            .map(|(p, h)| {
                (
                    p.to_string(),
                    HashDict::from_pairs(vec![("sha256".to_string(), h.to_string())]).unwrap(),
                )
            })
            .collect()
    }

    fn link(name: &str, m: &[(&str, &str)], p: &[(&str, &str)]) -> Link {
        Link {
            name: name.into(),
            materials: arts(m),
            products: arts(p),
            ..Default::default()
        }
    }

    fn rules(rs: &[&str]) -> Vec<ArtifactRule> {
        rs.iter()
            .map(|r| ArtifactRule::from_str_rule(r).unwrap())
            .collect()
    }

    fn check(l: &Link, others: &[&Link], side: Side, rs: &[&str]) -> Result<(), RuleFailure> {
        let mut map: HashMap<&str, &Link> = others.iter().map(|l| (l.name.as_str(), *l)).collect();
        map.insert(l.name.as_str(), l);
        apply_rules(ItemKind::Step, &l.name, side, &rules(rs), &map)
    }

    #[test]
    fn a_missing_link_fails_closed() {
        let map: HashMap<&str, &Link> = HashMap::new();
        let r = apply_rules(
            ItemKind::Step,
            "build",
            Side::Products,
            &rules(&["ALLOW *"]),
            &map,
        );
        assert!(matches!(
            r,
            Err(RuleFailure {
                kind: RuleFailureKind::NoLink,
                ..
            })
        ));
        let r = apply_rules(ItemKind::Inspection, "i", Side::Materials, &[], &map);
        assert!(r.is_err());
    }

    #[test]
    fn create_delete_modify_consume_only_their_kind() {
        let l = link(
            "s",
            &[("kept", "01"), ("gone", "02"), ("changed", "03")],
            &[("kept", "01"), ("new", "04"), ("changed", "05")],
        );
        assert!(
            check(
                &l,
                &[],
                Side::Products,
                &["CREATE new", "MODIFY changed", "ALLOW kept", "DISALLOW *"]
            )
            .is_ok()
        );
        assert!(
            check(
                &l,
                &[],
                Side::Materials,
                &["DELETE gone", "MODIFY changed", "ALLOW kept", "DISALLOW *"]
            )
            .is_ok()
        );
        // CREATE does not consume an artifact that was already a material.
        let e = check(&l, &[], Side::Products, &["CREATE *", "DISALLOW *"]).unwrap_err();
        assert_eq!(
            e.kind,
            RuleFailureKind::Disallowed {
                artifacts: vec!["changed".into(), "kept".into()],
                near_misses: vec![]
            }
        );
        // MODIFY does not consume unchanged files; DELETE not products.
        assert!(check(&l, &[], Side::Products, &["MODIFY kept", "DISALLOW kept"]).is_err());
        assert!(check(&l, &[], Side::Products, &["DELETE *", "DISALLOW new"]).is_err());
    }

    #[test]
    fn queue_is_consumed_in_order_and_disallow_sees_only_the_rest() {
        let l = link("s", &[], &[("a.py", "01"), ("b.txt", "02")]);
        assert!(check(&l, &[], Side::Products, &["ALLOW *.py", "DISALLOW *.py"]).is_ok());
        assert!(check(&l, &[], Side::Products, &["DISALLOW *.py", "ALLOW *.py"]).is_err());
        // Nothing is disallowed implicitly.
        assert!(check(&l, &[], Side::Products, &[]).is_ok());
    }

    #[test]
    fn require_is_literal_and_checks_the_queue() {
        let l = link("s", &[], &[("lib/a.py", "01")]);
        assert!(check(&l, &[], Side::Products, &["REQUIRE lib/a.py"]).is_ok());
        assert!(check(&l, &[], Side::Products, &["REQUIRE lib/*.py"]).is_err());
        let e = check(&l, &[], Side::Products, &["ALLOW *", "REQUIRE lib/a.py"]).unwrap_err();
        assert!(matches!(e.kind, RuleFailureKind::RequireMissing { .. }));
        assert!(e.to_string().contains("REQUIRE lib/a.py"));
    }

    fn multi(items: &[(&str, &[(&str, String)])]) -> Artifacts {
        items
            .iter()
            .map(|(p, pairs)| {
                let pairs = pairs
                    .iter()
                    .map(|(a, h)| ((*a).to_owned(), h.clone()))
                    .collect();
                (p.to_string(), HashDict::from_pairs(pairs).unwrap())
            })
            .collect()
    }

    #[test]
    fn match_and_modify_judge_digests_on_shared_accepted_algorithms() {
        let (s256, s512) = ("ab".repeat(32), "cd".repeat(64));
        // A rebuilder's {sha256, sha512} against a locally recorded {sha256}.
        let rebuild = Link {
            name: "rebuild".into(),
            products: multi(&[(
                "p.deb",
                &[("sha256", s256.clone()), ("sha512", s512.clone())],
            )]),
            ..Default::default()
        };
        let mut local = link("verify", &[("p.deb", &s256)], &[]);
        let rs = ["MATCH *.deb WITH PRODUCTS FROM rebuild", "DISALLOW *.deb"];
        assert!(check(&local, &[&rebuild], Side::Materials, &rs).is_ok());
        local.materials = arts(&[("p.deb", &"ee".repeat(32))]);
        assert!(check(&local, &[&rebuild], Side::Materials, &rs).is_err());
        // Only sha512 locally, sha256 only at the rebuilder: nothing shared.
        let rebuilt256 = link("rebuild", &[], &[("p.deb", &s256)]);
        local.materials = multi(&[("p.deb", &[("sha512", s512.clone())])]);
        assert!(check(&local, &[&rebuilt256], Side::Materials, &rs).is_err());
        // Weak algorithms alone never match, even when equal.
        let weak = multi(&[("p.deb", &[("md5", "00".into()), ("sha1", "11".into())])]);
        let weak_rebuild = Link {
            name: "rebuild".into(),
            products: weak.clone(),
            ..Default::default()
        };
        local.materials = weak;
        assert!(check(&local, &[&weak_rebuild], Side::Materials, &rs).is_err());
        // MODIFY: an artifact recorded with {sha256} before and
        // {sha256, sha512} after, agreeing, is not modified.
        let step = Link {
            name: "s".into(),
            materials: arts(&[("f", &s256)]),
            products: rebuild.products.clone(),
            ..Default::default()
        };
        let step = Link {
            products: multi(&[("f", &[("sha256", s256.clone()), ("sha512", s512)])]),
            ..step
        };
        assert!(check(&step, &[], Side::Products, &["MODIFY f", "DISALLOW f"]).is_err());
        let changed = Link {
            materials: arts(&[("f", &"00".repeat(32))]),
            ..step
        };
        assert!(check(&changed, &[], Side::Products, &["MODIFY f", "DISALLOW f"]).is_ok());
    }

    #[test]
    fn match_compares_digests_with_prefixes() {
        let clone = link("clone", &[], &[("src/a.c", "01"), ("src/b.c", "02")]);
        let build = link(
            "build",
            &[("a.c", "01"), ("b.c", "ff"), ("x/a.c", "01")],
            &[],
        );
        let r = check(
            &build,
            &[&clone],
            Side::Materials,
            &["MATCH * WITH PRODUCTS IN src FROM clone", "DISALLOW *"],
        );
        let e = r.unwrap_err();
        assert!(
            matches!(&e.kind, RuleFailureKind::Disallowed { artifacts, near_misses }
            if artifacts == &["b.c".to_string(), "x/a.c".to_string()] && near_misses.len() == 2)
        );
        assert!(e.to_string().contains("digest differs"), "{e}");
        // Near misses name the rule and the destination path they looked at.
        let e = check(
            &build,
            &[&clone],
            Side::Materials,
            &[
                "MATCH * IN x WITH PRODUCTS IN src FROM clone",
                "MATCH b.c WITH PRODUCTS IN src FROM clone",
                "DISALLOW *",
            ],
        )
        .unwrap_err();
        let RuleFailureKind::Disallowed { near_misses, .. } = &e.kind else {
            panic!("{e:?}");
        };
        let got: Vec<(&str, &str, &str)> = near_misses
            .iter()
            .map(|n| (n.artifact.as_str(), n.rule.as_str(), n.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            [(
                "b.c",
                "MATCH b.c WITH PRODUCTS IN src FROM clone",
                "its digest differs from 'src/b.c' in the products of 'clone'"
            )]
        );
        let e = check(
            &build,
            &[&clone],
            Side::Materials,
            &[
                "MATCH *.c IN x WITH MATERIALS IN lib FROM clone",
                "DISALLOW x/*",
            ],
        )
        .unwrap_err();
        assert!(
            e.to_string().contains(
                "'lib/a.c' is not among the materials of 'clone') and DISALLOW x/* forbids it"
            ),
            "{e}"
        );
        // Source prefix: strip "x/" before globbing, compare with src/a.c.
        assert!(
            check(
                &build,
                &[&clone],
                Side::Materials,
                &[
                    "MATCH a.c IN x WITH PRODUCTS IN src/ FROM clone",
                    "DISALLOW x/*"
                ]
            )
            .is_ok()
        );
        // `IN .` never matches (paths carry no "./"), as in the reference.
        assert!(
            check(
                &build,
                &[&clone],
                Side::Materials,
                &["MATCH * IN . WITH PRODUCTS FROM clone", "DISALLOW a.c"]
            )
            .is_err()
        );
        // A missing destination link consumes nothing, silently.
        assert!(
            check(
                &build,
                &[],
                Side::Materials,
                &["MATCH * WITH PRODUCTS FROM nowhere", "DISALLOW a.c"]
            )
            .is_err()
        );
        assert!(
            check(
                &build,
                &[],
                Side::Materials,
                &["MATCH * WITH PRODUCTS FROM nowhere"]
            )
            .is_ok()
        );
    }

    #[test]
    fn trace_names_what_each_rule_took_and_where_it_stopped() {
        let clone = link("clone", &[], &[("a.c", "01")]);
        let build = link("build", &[("a.c", "01"), ("b.c", "02")], &[]);
        let mut map: HashMap<&str, &Link> = HashMap::new();
        map.insert("clone", &clone);
        map.insert("build", &build);
        let rs = rules(&[
            "MATCH * WITH PRODUCTS FROM clone",
            "ALLOW x",
            "DELETE b.c",
            "DISALLOW *",
        ]);
        let t = trace_rules(ItemKind::Step, "build", Side::Materials, &rs, &map);
        assert_eq!(
            t.matched,
            [vec!["a.c".to_string()], vec![], vec!["b.c".into()], vec![]]
        );
        assert_eq!(t.ran, [true; 4]);
        assert!(t.failure.is_none());
        let rs = rules(&["ALLOW a.c", "DISALLOW *", "ALLOW *"]);
        let t = trace_rules(ItemKind::Step, "build", Side::Materials, &rs, &map);
        assert_eq!(t.ran, [true, true, false]);
        assert_eq!(t.failure.unwrap().rule, "DISALLOW *");
        let t = trace_rules(ItemKind::Step, "nolink", Side::Materials, &rs, &map);
        assert_eq!(t.ran, [false; 3]);
    }

    #[test]
    fn message_names_step_artifact_and_rule() {
        let l = link("package", &[], &[("foo.tar.gz", "01")]);
        let e = check(&l, &[], Side::Products, &["DISALLOW *"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "step 'package': product 'foo.tar.gz' matched no rule and DISALLOW * forbids it"
        );
    }
}
