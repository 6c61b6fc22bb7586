#!/usr/bin/env bash
# The `vendor` step of intoto's release (release/root.layout): the crates
# as Cargo.lock pins them, from the registry, into vendor/, and the cargo
# configuration that builds from them into cargo-config.toml. Run by
# scripts/release through `intoto run` beside src/ (the `source` step's
# products).
set -eu
cargo vendor --locked --versioned-dirs --manifest-path src/Cargo.toml vendor > cargo-config.toml
