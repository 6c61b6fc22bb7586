//! `intoto key id|export`.

use anyhow::Result;
use intoto::json::{self, Object, Value};
use intoto::keys::spec::{KeyPlaces, KeySpec};

use super::keys::Resolver;
use super::{Ctx, Outcome};
use crate::cli::{KeyCommand, KeyExportArgs, specs};

/// `intoto key ...`
pub fn key(cmd: KeyCommand, ctx: &Ctx) -> Result<Outcome> {
    match cmd {
        KeyCommand::Id { path } => {
            let dict = Resolver::new(ctx, KeyPlaces::default()).key_dict(&KeySpec::Pem(path))?;
            crate::ui::println(dict.keyid())?;
            Ok(Outcome::Success)
        }
        KeyCommand::Export(a) => export(a, ctx),
    }
}

fn export(a: KeyExportArgs, ctx: &Ctx) -> Result<Outcome> {
    let (spec, places) = specs::export(&a);
    let dict = Resolver::new(ctx, places).key_dict(&spec)?;
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
