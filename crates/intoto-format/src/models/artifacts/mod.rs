//! Artifact maps, stored compactly and parsed strictly in one pass.
//!
//! Links can list hundreds of thousands of artifacts, so a digest set that
//! is exactly `{"sha256": <64 lower-case hex>}` (what every in-toto tool
//! records) is kept as 32 raw bytes, and a map is a sorted vector. Any
//! other digest set is kept verbatim, so canonical bytes never change.
//!
//! Files: `digests.rs` the digest set ([`HashDict`], and the one digest
//! equality), `map.rs` the map ([`Artifacts`], [`Differences`]),
//! `parse.rs` the strict one-pass parser ([`ArtifactsSeed`]).

mod digests;
mod map;
mod parse;

#[cfg(test)]
mod tests;

pub use digests::{ACCEPTED_DIGEST_ALGORITHMS, HashDict};
pub use map::{Artifacts, Differences};
pub use parse::ArtifactsSeed;
