//! in-toto metadata as data: canonical JSON and strict JSON parsing
//! ([`json`]), timestamps ([`time`]), format errors that name their place
//! ([`mod@format`]), and the models ([`models`]): links, layouts, the
//! Metablock and DSSE containers, artifact maps, key dicts.
//!
//! No I/O and no signing here: the `intoto` library (package `intoto-lib`)
//! reads files, holds the keys and verifies; it re-exports these modules
//! under the same names.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod format;
pub mod json;
pub mod models;
pub mod time;
