//! The fuzz checks of the format crate: strict JSON, canonical JSON, the
//! Metablock and DSSE containers. Only `intoto_format` may be used here
//! (the `fuzz/format` targets depend on nothing else).

use intoto_format::json::{self, Value};
use intoto_format::models::attestation::{
    AttestationEnvelope, Statement, link_from_statement, looks_like_statement,
};
use intoto_format::models::{Envelope, Metablock, Signed};

/// A value with every object's members sorted (writers sort, so a
/// written-and-reread value equals the sorted original).
fn sorted(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        Value::Object(o) => {
            let mut entries: Vec<(String, Value)> =
                o.0.iter().map(|(k, v)| (k.clone(), sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(json::Object(entries))
        }
        other => other.clone(),
    }
}

/// `json::parse`; a parsed value survives every writer, and the Python
/// writers' output reads back as the same value.
pub fn json_strict(data: &[u8]) {
    let Ok(v) = json::parse(data) else {
        return;
    };
    let _ = json::to_canonical(&v);
    for (writer, text) in [
        ("to_python_compact", json::to_python_compact(&v)),
        ("to_python_pretty", json::to_python_pretty(&v)),
    ] {
        let text = text.unwrap_or_else(|e| panic!("{writer} of a parsed value failed: {e}"));
        let back = json::parse(&text)
            .unwrap_or_else(|e| panic!("{writer} output does not parse back: {e}"));
        assert_eq!(
            sorted(&back),
            sorted(&v),
            "{writer} output reads back differently"
        );
    }
}

/// `json::canonicalize`: its output reads back (`parse_canonical`) and
/// re-encodes (`to_canonical`) to the same bytes, `to_canonical_direct` of
/// the parsed value gives the same bytes or `None`, and canonicalising the
/// compact re-encoding of a parsed value gives the same result.
pub fn canonical(data: &[u8]) {
    let canon = json::canonicalize(data);
    if let Ok(c) = &canon {
        let v = json::parse_canonical(c)
            .unwrap_or_else(|e| panic!("parse_canonical of canonicalize output failed: {e}"));
        let again = json::to_canonical(&v)
            .unwrap_or_else(|e| panic!("to_canonical of parse_canonical output failed: {e}"));
        assert!(again == *c, "canonical form is not a fixed point");
    }
    if let Ok(v) = json::parse(data) {
        // The direct writer gives the same bytes, or none.
        if let Some(direct) = json::to_canonical_direct(&v) {
            assert!(
                canon.as_ref().is_ok_and(|c| *c == direct),
                "to_canonical_direct(parse(x)) != canonicalize(x)"
            );
        }
        let compact = json::to_python_compact(&v).expect("to_python_compact of a parsed value");
        match (&canon, json::canonicalize(&compact)) {
            (Ok(a), Ok(b)) => assert!(
                *a == b,
                "canonicalize(compact(parse(x))) != canonicalize(x)"
            ),
            (Err(_), Err(_)) => {}
            (a, b) => panic!(
                "canonicalize(x) and canonicalize(compact(parse(x))) disagree: {:?} vs {:?}",
                a.as_ref().map(|_| ()),
                b.map(|_| ())
            ),
        }
    }
}

/// `AttestationEnvelope::from_slice` (a link attestation, as `verify`
/// reads one): the envelope written reads back the same, and its payload
/// goes through `Statement::from_payload` and `link_from_statement`
/// without panicking, whatever it holds.
fn attestation(data: &[u8]) {
    let Ok(env) = AttestationEnvelope::from_slice(data) else {
        return;
    };
    let _ = (env.pae(), looks_like_statement(&env.payload));
    if let Ok(file) = env.to_file_bytes() {
        let back = AttestationEnvelope::from_slice(&file)
            .unwrap_or_else(|e| panic!("an attestation written does not parse back: {e}"));
        let sigs = |e: &AttestationEnvelope| {
            e.signatures
                .iter()
                .map(|s| (s.keyid.clone(), s.sig.clone()))
                .collect::<Vec<_>>()
        };
        assert!(
            back.payload_type == env.payload_type
                && back.payload == env.payload
                && sigs(&back) == sigs(&env),
            "an attestation changed through to_file_bytes"
        );
    }
    if let Ok(statement) = Statement::from_payload(&env.payload) {
        let _ = link_from_statement(&statement);
    }
}

/// `Envelope::from_slice` (Metablock and DSSE, links and layouts): a
/// Metablock's signed bytes are `canonicalize` of its `signed` value (and
/// `Metablock::new`'s those of the model it is built from), a
/// parsed envelope can be written, the written file parses back with the
/// same signed bytes (`signatures` checks its signatures).
pub fn envelope(data: &[u8]) {
    attestation(data);
    let Ok(env) = Envelope::from_slice(data) else {
        return;
    };
    let signed = env.signed_bytes().into_owned();
    if !env.is_dsse() {
        // The canonical bytes serialised from the parsed parts are those
        // of the `signed` text (canonicalize is blind to member order and
        // escapes, so the compact re-encoding stands for the text).
        let doc = json::parse(data).expect("a parsed Metablock is strict JSON");
        let text = doc
            .as_object()
            .and_then(|o| o.get("signed"))
            .map(|v| json::to_python_compact(v).expect("write the signed value"))
            .expect("a Metablock has \"signed\"");
        let want = json::canonicalize(&text).expect("canonicalize a parsed signed value");
        assert!(
            signed == want,
            "signed bytes are not the canonical bytes of the signed text"
        );
        // Built from the model: the canonical bytes of what it writes.
        let model = json::to_python_compact(env.signed()).expect("write the model");
        let built = Metablock::new(env.signed().clone()).expect("a Metablock of a parsed model");
        assert!(
            built.canonical_bytes() == json::canonicalize(&model).expect("canonical model"),
            "Metablock::new's bytes are not the canonical bytes of the model"
        );
    }
    let keyids = env.signature_keyids();
    if let Signed::Layout(layout) = env.signed() {
        for (keyid, dict) in &layout.keys {
            let _ = (
                keyid,
                dict.describe(),
                dict.material_id(),
                dict.subkey_ids(),
            );
        }
    }
    if let Ok(file) = env.to_file_bytes() {
        let back = Envelope::from_slice(&file)
            .unwrap_or_else(|e| panic!("to_file_bytes output does not parse back: {e}"));
        assert!(
            back.signed_bytes().as_ref() == signed.as_slice(),
            "signed bytes changed through to_file_bytes"
        );
        assert_eq!(back.signature_keyids(), keyids, "signature key ids changed");
        assert_eq!(back.is_dsse(), env.is_dsse());
        // The models keep opaque objects in file order and writers sort
        // them, so compare the models as written.
        let model = |e: &Envelope| json::to_python_compact(e.signed()).expect("write the model");
        assert!(model(&back) == model(&env), "signed model changed");
    }
}
