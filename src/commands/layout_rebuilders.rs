//! Rebuilders in a layout: `layout add-key --rebuilder URL` and `layout
//! new --rebuilders URL… --threshold K` (or `--rebuilders-from FILE`).
//!
//! A rebuilderd's signing key comes from its `/api/v0/public-keys`
//! (`intoto_debian::rebuilder_keys`): trusted on first use, which is said
//! with the key's SHA-256 fingerprint (of its DER SubjectPublicKeyInfo) so
//! that it can be compared with one the operators publish. It goes into
//! the layout under its legacy key id, the one rebuilderd's attestations
//! carry (in-toto-rs; `--legacy-keyid`).
//!
//! The standard rebuild layout: step `rebuild` with those keys and
//! threshold K (its products: `CREATE {DEB}`, `ALLOW *.deb` for the other
//! binaries of the source, `DISALLOW *`), and the inspection
//! `verify-reprobuilds` (`true`, so `verify-archive` can judge a package
//! by its digest) whose materials must `MATCH {DEB} WITH PRODUCTS FROM
//! rebuild`, with `DISALLOW *` for the rest: the package handed over is the
//! one the rebuilders built.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use intoto::fsio;
use intoto::keys::pem::{load_public, pem_decode};
use intoto_debian::rebuilder_keys::{base_url, fetch_public_keys, parse_rebuilder_list};
use intoto_format::models::{KeyDict, Layout, NewStep};
use sha2::{Digest as _, Sha256};

use crate::cli::RebuildersArgs;
use crate::ui;

/// Time each rebuilder has to answer for its keys.
const KEY_TIMEOUT: Duration = Duration::from_secs(30);

/// A rebuilder's key, fetched.
pub(super) struct RebuilderKey {
    /// The key under the id its attestations carry.
    pub dict: KeyDict,
    /// The rebuilder entry for apt and `verify-archive`
    /// (`rebuilderd:URL`).
    pub entry: String,
}

/// Fetches the signing key of the rebuilderd at `url` (`flag` names where
/// it was given), says what it is and that it is trusted on first use.
pub(super) fn fetch_key(url: &str, flag: &str) -> Result<RebuilderKey> {
    let base = base_url(url).map_err(|e| anyhow!("{flag} {e}"))?;
    let pems = fetch_public_keys(url, KEY_TIMEOUT).map_err(|e| anyhow!("{flag} {e}"))?;
    if pems.len() > 1 {
        ui::warn(&format!(
            "{base} answers {} current keys; taking the first",
            pems.len()
        ));
    }
    let pem = &pems[0];
    let shown = format!("{base}/api/v0/public-keys");
    let (_, der) = pem_decode(pem.as_bytes()).map_err(|e| anyhow!("{shown}: {e}"))?;
    let key =
        load_public(Path::new(&shown), pem.as_bytes()).map_err(|e| anyhow!("{shown}: {e}"))?;
    let dict = KeyDict::Sslib(key);
    let description = dict.describe();
    let dict = dict
        .to_legacy()
        .ok_or_else(|| anyhow!("{shown}: not a key rebuilderd signs with"))?;
    let fingerprint = hex::encode(Sha256::digest(&der));
    ui::notice(&format!(
        "rebuilder {base}: key {description}, fingerprint SHA256:{fingerprint}; its attestations carry key id {}",
        dict.keyid()
    ));
    ui::warn(&format!(
        "trust on first use: the key of {base} is taken as the server answered it; \
         compare SHA256:{fingerprint} with the fingerprint its operators publish"
    ));
    Ok(RebuilderKey {
        dict,
        entry: format!("rebuilderd:{base}"),
    })
}

/// The rebuilders `layout new` was given: `--rebuilders`, then those of
/// `--rebuilders-from` serving `--distribution`.
fn urls(a: &RebuildersArgs) -> Result<Vec<String>> {
    let mut urls = a.rebuilders.clone();
    if let Some(file) = &a.rebuilders_from {
        let name = file.display().to_string();
        let bytes = fsio::read_regular(file, intoto_debian::rebuilder_keys::MAX_LIST)
            .map_err(|e| anyhow!("--rebuilders-from {e}"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow!("--rebuilders-from {name}: not UTF-8 text"))?;
        let listed = parse_rebuilder_list(&name, &text)?;
        let serving: Vec<String> = listed
            .into_iter()
            .filter(|r| r.distributions.iter().any(|d| d == &a.distribution))
            .map(|r| r.url)
            .collect();
        if serving.is_empty() {
            bail!(
                "--rebuilders-from {name}: no rebuilder serves the distribution {:?} (--distribution)",
                a.distribution
            );
        }
        urls.extend(serving);
    }
    let mut seen = std::collections::HashSet::new();
    urls.retain(|u| seen.insert(base_url(u).unwrap_or_else(|_| u.clone())));
    Ok(urls)
}

/// Fills the empty `layout` with the standard rebuild layout for the
/// rebuilders `a` names; returns their entries for apt.
pub(super) fn standard_layout(layout: &mut Layout, a: &RebuildersArgs) -> Result<Vec<String>> {
    let urls = urls(a)?;
    let threshold = a.threshold.unwrap_or(1);
    if threshold < 1 || threshold as usize > urls.len() {
        bail!(
            "--threshold {threshold}: give 1 to {} (the number of rebuilders)",
            urls.len()
        );
    }
    let mut ids = Vec::new();
    let mut entries = Vec::new();
    for url in &urls {
        let key = fetch_key(url, "--rebuilders")?;
        let id = key.dict.keyid().to_owned();
        if ids.contains(&id) {
            bail!("--rebuilders {url}: signs with the same key as another rebuilder given ({id})");
        }
        layout.set_key(key.dict);
        ids.push(id);
        entries.push(key.entry);
    }
    layout.add_step(NewStep {
        name: "rebuild".into(),
        functionaries: ids,
        threshold,
        expected_command: None,
        materials: Vec::new(),
        products: ["CREATE {DEB}", "ALLOW *.deb", "DISALLOW *"]
            .map(str::to_owned)
            .to_vec(),
    })?;
    layout.add_inspection(
        "verify-reprobuilds",
        "true",
        &["MATCH {DEB} WITH PRODUCTS FROM rebuild", "DISALLOW *"].map(str::to_owned),
        &[],
    )?;
    Ok(entries)
}

/// What to do with the layout written: sign it, and the rebuilders for
/// apt's configuration.
pub(super) fn next_steps(file: &Path, entries: &[String]) {
    let list: Vec<String> = entries.iter().map(|e| format!("\"{e}\";")).collect();
    ui::notice(&format!(
        "sign it (intoto sign -f {} --gpg OWNER), then name the rebuilders in apt's configuration: \
         APT::Intoto::Rebuilders {{ {} }};",
        file.display(),
        list.join(" ")
    ));
}
