//! The checks the fuzz targets run, one function per target, in one file
//! per crate they exercise: `format.rs` (the `fuzz/format` targets, which
//! depend on `intoto-format` alone), `library.rs` (`fuzz/library`) and
//! `debian.rs` (`fuzz/debian`).
//!
//! Shared by the fuzz targets (which import their file with `#[path]`)
//! and the stable replay test (`tests/integration/fuzz_replay.rs`), so CI
//! replays the seed corpora and regression inputs without nightly.
//! Every function must return normally on *any* input: a panic is a bug,
//! either a panic in a crate or a broken round-trip invariant.

pub mod debian;
pub mod format;
pub mod library;

/// The names of the targets, as in `fuzz/<crate>/fuzz_targets/<name>.rs`.
pub const TARGETS: [&str; 11] = [
    "json_strict",
    "canonical",
    "envelope",
    "signatures",
    "pem_keys",
    "openpgp",
    "rules",
    "glob",
    "rcfile",
    "deb822",
    "archive_index",
];

/// Runs the check of target `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "json_strict" => format::json_strict(data),
        "canonical" => format::canonical(data),
        "envelope" => format::envelope(data),
        "signatures" => library::signatures(data),
        "pem_keys" => library::pem_keys(data),
        "openpgp" => library::openpgp(data),
        "rules" => library::rules(data),
        "glob" => library::glob(data),
        "rcfile" => library::rcfile(data),
        "deb822" => debian::deb822(data),
        "archive_index" => debian::archive_index(data),
        other => panic!("no fuzz target {other:?}"),
    }
}
