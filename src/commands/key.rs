//! `intoto key id|export`.

use anyhow::{Result, anyhow};
use intoto::fsio;
use intoto::json::{self, Object, Value};
use intoto::keys::KeyDict;
use intoto::keys::Signer;
use intoto::keys::pem::{PemSigner, load_public, pem_decode};

use super::{Ctx, Outcome, gpg_key_dict};
use crate::cli::{KeyCommand, KeyExportArgs};

/// `intoto key ...`
pub fn key(cmd: KeyCommand, ctx: &Ctx) -> Result<Outcome> {
    match cmd {
        KeyCommand::Id { path } => {
            let dict = pem_dict(&path)?;
            crate::ui::println(dict.keyid())?;
            Ok(Outcome::Success)
        }
        KeyCommand::Export(a) => export(a, ctx),
    }
}

/// The layout dict of a PEM public or (unencrypted) private key.
fn pem_dict(path: &std::path::Path) -> Result<KeyDict> {
    let text = fsio::read_regular(path, 1 << 20).map_err(|e| anyhow!("key {e}"))?;
    let (label, _) = pem_decode(&text).map_err(|e| anyhow!("key {}: {e}", path.display()))?;
    if label.contains("PRIVATE") {
        let s =
            PemSigner::from_pem(&text, None).map_err(|e| anyhow!("key {}: {e}", path.display()))?;
        return Ok(s.public_key().clone());
    }
    Ok(KeyDict::Sslib(
        load_public(path, &text).map_err(|e| anyhow!("key {}: {e}", path.display()))?,
    ))
}

fn export(a: KeyExportArgs, ctx: &Ctx) -> Result<Outcome> {
    let dict = match (&a.key, &a.gpg) {
        (Some(p), _) => pem_dict(p)?,
        (None, Some(id)) => {
            gpg_key_dict(id, a.keyring.as_slice(), a.gpg_home.as_deref(), &ctx.policy)?
        }
        (None, None) => unreachable!("clap requires --gpg or --key"),
    };
    let value = if a.with_id {
        Value::Object(Object(vec![(dict.keyid().to_owned(), dict.to_value())]))
    } else {
        dict.to_value()
    };
    let text = json::to_python_pretty(&value)?;
    let mut text = text;
    text.push(b'\n');
    crate::ui::print_bytes(&text)?;
    Ok(Outcome::Success)
}
