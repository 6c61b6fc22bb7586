//! `intoto match-products`: compare local files with a link's products,
//! as the reference's `in-toto-match-products` does, after (optionally)
//! checking the link's signature, which the reference never does.
//!
//! Exit status: 0 the files match, 1 they do not (or the signature does
//! not verify, or an error), 2 usage.

use anyhow::{Result, anyhow};
use intoto::fsio;
use intoto::observe::Observer as _;
use intoto::record::{DEFAULT_EXCLUDES, RecordOptions, record};
use intoto::verify::check_owners;
use intoto_format::models::Signed;

use super::resolver::Resolver;
use super::{Ctx, Outcome, UiObserver};
use crate::cli::{MatchProductsArgs, specs};
use crate::ui;

/// `intoto match-products`
pub fn match_products(a: MatchProductsArgs, ctx: &Ctx) -> Result<Outcome> {
    let ctx = &a.policy.apply(ctx);
    let file = a.link.display().to_string();
    let env = fsio::load_metadata(&a.link).map_err(|e| anyhow!("cannot load link {e}"))?;
    let Signed::Link(link) = env.signed() else {
        return Err(anyhow!("{file} is a layout, not a link"));
    };

    // The signature first: products of a link nobody vouches for prove
    // nothing, so nothing is hashed for them.
    let (specs, places) = specs::layout_keys(&a.keys);
    if specs.is_empty() {
        ui::info(&format!(
            "the signature of {file} is not checked (give --verification-keys, --gpg or --keyring to check it)"
        ));
    } else {
        // The one rule: each named key must have signed, one key of a
        // --keyring given alone suffices.
        let keys = Resolver::new(ctx, places).layout_keys(&specs)?;
        match check_owners(&env, &keys, None) {
            Ok(valid) => {
                for v in valid {
                    ui::info(&format!(
                        "{file}: good signature by {} ({})",
                        v.keyid, v.source
                    ));
                }
            }
            Err(e) => {
                ui::error(&format!(
                    "{file}: signature check failed: {e}; nothing was compared"
                ));
                return Ok(Outcome::Failed);
            }
        }
    }

    // Recorded as `run` records products, with the reference's defaults
    // for this command: `.`, and the default excludes unless -e is given.
    // IN_TOTO_* settings are not read (the reference reads none; a check
    // should not depend on the environment).
    let paths = if a.paths.is_empty() {
        vec![".".to_owned()]
    } else {
        a.paths.clone()
    };
    let opts = RecordOptions {
        exclude_patterns: a
            .exclude
            .clone()
            .unwrap_or_else(|| DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect()),
        base_path: None,
        lstrip_paths: a.lstrip_paths.clone(),
    };
    let mut watch = UiObserver::new(&link.name);
    let progress = watch.recording("local artifacts", &paths);
    let local = record(&paths, &opts, progress.as_deref());
    watch.recorded("local artifacts");
    let local = local.map_err(|e| anyhow!("recording local artifacts: {e}"))?;

    let d = link.products.differences(&local);
    if ui::verbosity() != ui::Verbosity::Quiet {
        // The reference's lines and their order (each group sorted here;
        // the reference prints Python sets, in no fixed order).
        for (what, names) in [
            ("Only in products", &d.only_expected),
            ("Not in products", &d.only_actual),
            ("Hashes differ", &d.differ),
        ] {
            for n in names {
                ui::println(&ui::escape(&format!("{what}: {n}")))?;
            }
        }
    }
    if d.is_empty() {
        ui::ok(&format!(
            "local artifacts match the products of {file} ({} artifacts)",
            local.len()
        ));
        Ok(Outcome::Success)
    } else {
        ui::error(&format!(
            "local artifacts do not match the products of {file}: {} only in products, \
             {} not in products, {} with different hashes",
            d.only_expected.len(),
            d.only_actual.len(),
            d.differ.len()
        ));
        Ok(Outcome::Failed)
    }
}
