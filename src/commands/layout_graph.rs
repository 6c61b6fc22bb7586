//! `intoto layout graph`: the supply chain as a picture (SVG), as
//! Graphviz or as Mermaid, optionally coloured from a verification
//! report. The drawing is the library's (`intoto::graph`); this names the
//! functionaries from OpenPGP certificates and writes the result.

use std::path::Path;

use anyhow::{Result, anyhow};
use intoto::fsio;
use intoto::graph::{Graph, KeyNames, Report};
use intoto::keys::gpg::GpgHome;
use intoto::keys::openpgp::{CertSet, find_cert};
use intoto_format::models::{KeyDict, Layout, Signed};
use sequoia_openpgp::Cert;

use super::{Outcome, write_file};
use crate::cli::{GraphArgs, GraphFormat};
use crate::ui;

/// The largest report read (a report lists every step's links).
const MAX_REPORT_BYTES: u64 = 64 << 20;

/// `intoto layout graph`
pub fn graph(a: GraphArgs) -> Result<Outcome> {
    let env = fsio::load_metadata(&a.file).map_err(|e| anyhow!("layout {e}"))?;
    let Signed::Layout(layout) = env.signed() else {
        return Err(anyhow!("{} is a link, not a layout", a.file.display()));
    };
    let report = match &a.report {
        Some(p) => {
            let bytes =
                fsio::read_regular(p, MAX_REPORT_BYTES).map_err(|e| anyhow!("report {e}"))?;
            Some(Report::from_slice(&bytes).map_err(|e| anyhow!("report {}: {e}", p.display()))?)
        }
        None => None,
    };
    let names = key_names(layout, &a)?;
    let graph = Graph::new(layout, &names, report.as_ref()).map_err(|e| {
        anyhow!(
            "report {} does not fit layout {}: {e}",
            a.report.as_deref().unwrap_or(Path::new("")).display(),
            a.file.display()
        )
    })?;
    let text = match a.format {
        GraphFormat::Svg => graph
            .to_svg()
            .map_err(|e| anyhow!("layout {}: {e}", a.file.display()))?,
        GraphFormat::Dot => graph.to_dot(),
        GraphFormat::Mermaid => graph.to_mermaid(),
    };
    match &a.output {
        Some(out) => {
            write_file(out, text.as_bytes())?;
            ui::notice(&format!("wrote {}", out.display()));
        }
        None => ui::print(&text)?,
    }
    Ok(Outcome::Success)
}

/// The user ids of the layout's OpenPGP keys, from the keyrings given or
/// else the GnuPG home. A key found in neither is shown by its key id; a
/// keyring that cannot be read is an error, a GnuPG home that has no such
/// key is not.
fn key_names(layout: &Layout, a: &GraphArgs) -> Result<KeyNames> {
    let ids: Vec<&str> = layout
        .keys
        .iter()
        .filter(|(_, k)| matches!(k, KeyDict::Gpg(_)))
        .map(|(id, _)| id.as_str())
        .collect();
    let mut names = KeyNames::new();
    if ids.is_empty() {
        return Ok(names);
    }
    if !a.keyring.is_empty() {
        let mut set = CertSet::default();
        for p in &a.keyring {
            let bytes = fsio::read_regular(p, fsio::MAX_METADATA_BYTES)
                .map_err(|e| anyhow!("keyring {e}"))?;
            set.read(&bytes)
                .map_err(|e| anyhow!("keyring {}: {e}", p.display()))?;
        }
        let certs = set.into_certs();
        for id in ids {
            if let Some(uid) = find_cert(&certs, id).ok().and_then(user_id) {
                names.insert(id.to_owned(), uid);
            }
        }
        return Ok(names);
    }
    let Ok(home) = GpgHome::new(a.gpg_home.as_deref()) else {
        return Ok(names);
    };
    for id in ids {
        if let Some(uid) = home.public_cert(id).ok().as_ref().and_then(user_id) {
            names.insert(id.to_owned(), uid);
        }
    }
    Ok(names)
}

fn user_id(cert: &Cert) -> Option<String> {
    cert.userids()
        .next()
        .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned())
}
