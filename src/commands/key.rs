//! `intoto key id|export`.

use anyhow::{Result, anyhow};
use intoto::keys::spec::KeyPlaces;
use intoto_format::json::{self, Object, Value};
use intoto_format::models::KeyDict;

use super::resolver::Resolver;
use super::{Ctx, Outcome};
use crate::cli::{KeyCommand, KeyExportArgs, specs};

/// `intoto key ...`
pub fn key(cmd: KeyCommand, ctx: &Ctx) -> Result<Outcome> {
    match cmd {
        KeyCommand::Id {
            path,
            gpg,
            legacy_keyid,
        } => {
            let dict =
                Resolver::new(ctx, KeyPlaces::default()).file_key_dict(&path, gpg.as_deref())?;
            let dict = if legacy_keyid { legacy(&dict)? } else { dict };
            crate::ui::println(dict.keyid())?;
            Ok(Outcome::Success)
        }
        KeyCommand::Export(a) => export(a, ctx),
    }
}

fn export(a: KeyExportArgs, ctx: &Ctx) -> Result<Outcome> {
    let ctx = &a.policy.apply(ctx);
    let (spec, places) = specs::one_key(&a.public);
    let dict = Resolver::new(ctx, places).key_dict(&spec)?;
    let dict = if a.legacy_keyid { legacy(&dict)? } else { dict };
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

/// The PEM key `dict` under its legacy key id.
pub(crate) fn legacy(dict: &KeyDict) -> Result<KeyDict> {
    dict.to_legacy().ok_or_else(|| {
        anyhow!(
            "--legacy-keyid applies to PEM keys only; key {} is an OpenPGP key, named by its fingerprint",
            dict.keyid()
        )
    })
}
