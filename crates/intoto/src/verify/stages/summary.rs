//! The summary link a verified (sub)layout stands for, as a sublayout's
//! step link or the result of the whole verification.

use std::collections::HashMap;

use crate::models::{Layout, Link};

/// The summary of a (sub)layout: the first step's materials and the last
/// step's products, byproducts and command.
pub(super) fn summary(layout: &Layout, links: &HashMap<&str, &Link>, name: &str) -> Link {
    let mut s = Link {
        name: name.to_owned(),
        ..Default::default()
    };
    if let (Some(first), Some(last)) = (layout.steps.first(), layout.steps.last())
        && let (Some(f), Some(l)) = (
            links.get(first.name.as_str()),
            links.get(last.name.as_str()),
        )
    {
        s.materials = f.materials.clone();
        s.products = l.products.clone();
        s.byproducts = l.byproducts.clone();
        s.command = l.command.clone();
    }
    s
}
