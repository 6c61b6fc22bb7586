//! The link predicate v0.3 (`https://in-toto.io/attestation/link/v0.3`):
//! a Statement read as a [`Link`] (subjects are its products,
//! `predicate.materials` its materials) and a link written as one.

use super::{LINK_PREDICATE_V03, ResourceDescriptor, Statement};
use crate::json::{Object, Value};
use crate::models::{Artifacts, FResult, Fields, FormatError, HashDict, Link};

/// A link with no products cannot be a Statement: the spec requires at
/// least one subject, and none is invented.
#[derive(Debug, thiserror::Error)]
#[error(
    "step '{0}' recorded no products, and an attestation's Statement needs at least one subject; \
     record products (--products) or write the classic link format (without --attestation)"
)]
pub struct NoSubject(pub String);

/// Reads `statement` as link evidence: `predicateType` exactly
/// [`LINK_PREDICATE_V03`]; `predicate.name` a string; `command` a list of
/// strings, `byproducts` and `environment` objects, when present;
/// `materials` a list of descriptors; every subject and material with a
/// `name` (unique among its kind, no NUL) and a non-empty digest. Shapes
/// of older link predicates (a `products` member, `materials` as a map)
/// are refused. Digest sets are kept as written: equality is
/// [`HashDict::matches`], as for classic links.
pub fn link_from_statement(statement: &Statement) -> FResult<Link> {
    if statement.predicate_type != LINK_PREDICATE_V03 {
        return Err(FormatError::new(
            "payload.predicateType",
            format!(
                "expected {LINK_PREDICATE_V03:?}, got {:?}",
                statement.predicate_type
            ),
        ));
    }
    let Some(pred) = &statement.predicate else {
        return Err(FormatError::new("payload.predicate", "missing"));
    };
    let pv = Value::Object(pred.clone());
    let f = Fields::of("payload.predicate", &pv)?;
    if f.get("products").is_some() {
        return Err(FormatError::new(
            f.sub("products"),
            "is not part of the link predicate v0.3 (an older link shape); products are the subjects",
        ));
    }
    let name = f.string("name")?;
    let command = match f.get("command") {
        None => Vec::new(),
        Some(_) => f.string_list("command")?,
    };
    let object = |key: &str| -> FResult<Object> {
        match f.get(key) {
            None => Ok(Object::default()),
            Some(Value::Object(o)) => Ok(o.clone()),
            Some(other) => Err(FormatError::new(
                f.sub(key),
                format!("expected an object, got {}", other.kind()),
            )),
        }
    };
    let byproducts = object("byproducts")?;
    let environment = object("environment")?;
    let materials = match f.get("materials") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, m)| {
                ResourceDescriptor::from_value(&format!("{}[{i}]", f.sub("materials")), m)
            })
            .collect::<FResult<Vec<_>>>()?,
        Some(Value::Object(_)) => {
            return Err(FormatError::new(
                f.sub("materials"),
                "is a map (an older link shape); the link predicate v0.3 has a list of resource descriptors",
            ));
        }
        Some(other) => {
            return Err(FormatError::new(
                f.sub("materials"),
                format!("expected an array, got {}", other.kind()),
            ));
        }
    };
    Ok(Link {
        name,
        command,
        materials: artifacts("payload.predicate.materials", &materials)?,
        products: artifacts("payload.subject", &statement.subject)?,
        byproducts,
        environment,
        nulls: Default::default(),
    })
}

/// Descriptors as an artifact map: each with a name (no NUL, unique) and
/// a non-empty digest.
fn artifacts(path: &str, rds: &[ResourceDescriptor]) -> FResult<Artifacts> {
    let mut out = Vec::with_capacity(rds.len());
    for (i, rd) in rds.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let Some(name) = &rd.name else {
            return Err(FormatError::new(at, "has no name"));
        };
        if name.contains('\0') {
            return Err(FormatError::new(at, format!("name {name:?} contains NUL")));
        }
        if rd.digest.is_empty() {
            return Err(FormatError::new(at, format!("{name:?} has no digest")));
        }
        let pairs = rd
            .digest
            .iter()
            .map(|(a, h)| (a.clone(), h.clone()))
            .collect();
        let d = HashDict::from_pairs(pairs).ok_or_else(|| {
            FormatError::new(&at, format!("{name:?} has a digest that is not hex"))
        })?;
        out.push((name.as_str(), d));
    }
    let mut sorted: Vec<&str> = out.iter().map(|(n, _)| *n).collect();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(FormatError::new(
            path,
            format!("names {:?} twice (names must be unique)", w[0]),
        ));
    }
    Ok(out.into_iter().collect())
}

/// `link` as a Statement with the link predicate v0.3: its products the
/// subjects, its materials descriptors, with their digests as recorded
/// (`sha256`), its command, byproducts and environment.
pub fn link_statement(link: &Link) -> Result<Statement, NoSubject> {
    if link.products.is_empty() {
        return Err(NoSubject(link.name.clone()));
    }
    let rds = |a: &Artifacts| -> Vec<Value> {
        a.iter()
            .map(|(name, d)| {
                ResourceDescriptor {
                    name: Some(name.to_owned()),
                    digest: d.pairs().into_iter().collect(),
                    ..ResourceDescriptor::default()
                }
                .to_value()
            })
            .collect()
    };
    let subject = link
        .products
        .iter()
        .map(|(name, d)| ResourceDescriptor {
            name: Some(name.to_owned()),
            digest: d.pairs().into_iter().collect(),
            ..ResourceDescriptor::default()
        })
        .collect();
    let mut pred = Object::default();
    pred.insert("name", link.name.as_str().into());
    pred.insert(
        "command",
        Value::Array(link.command.iter().map(|c| c.as_str().into()).collect()),
    );
    pred.insert("materials", Value::Array(rds(&link.materials)));
    pred.insert("byproducts", Value::Object(link.byproducts.clone()));
    pred.insert("environment", Value::Object(link.environment.clone()));
    Ok(Statement {
        subject,
        predicate_type: LINK_PREDICATE_V03.to_owned(),
        predicate: Some(pred),
    })
}
