//! Unit tests of the containers: PAE, `null` fields, and the canonical
//! bytes held to `canonicalize` of the `signed` text.

use serde::ser::SerializeMap;
use serde_json::value::RawValue;

use super::*;

#[test]
fn pae_matches_the_dsse_spec() {
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
    );
}

/// rebuilderd's attestations (in-toto-rs) carry `"environment": null`.
const REBUILDERD: &str = r#"{"signatures":[],"signed":{"_type":"link","name":"rebuild x_1_all.deb","materials":{},"products":{"x_1_all.deb":{"sha512":"00","sha256":"11"}},"environment":null,"byproducts":{},"command":[]}}"#;

#[test]
fn nulls_are_read_as_empty_and_written_back_as_null() {
    let env = Envelope::from_slice(REBUILDERD.as_bytes()).unwrap();
    let Signed::Link(l) = env.signed() else {
        panic!()
    };
    assert!(l.environment.is_empty());
    assert_eq!(l.nulls.fields(), ["environment"]);
    assert_eq!(env.signed().null_fields(), ["environment"]);
    let canon = String::from_utf8(env.signed_bytes().to_vec()).unwrap();
    assert!(canon.contains(r#""environment":null"#), "{canon}");
    let Envelope::Metablock(m) = &env else {
        panic!()
    };
    assert!(m.matches_model(), "the model writes the null back");
    // in-toto-golang's nil maps and slices, in a link and a layout.
    let go_link = r#"{"signatures":null,"signed":{"_type":"link","name":"a","materials":null,"products":null,"byproducts":null,"command":null,"environment":{}}}"#;
    let env = Envelope::from_slice(go_link.as_bytes()).unwrap();
    assert_eq!(
        env.signed().null_fields(),
        ["materials", "products", "byproducts", "command"]
    );
    let Envelope::Metablock(m) = &env else {
        panic!()
    };
    assert!(m.signatures.is_empty() && m.matches_model());
    let go_layout = r#"{"signatures":null,"signed":{"_type":"layout","expires":"2030-01-01T00:00:00Z","readme":"","keys":null,"inspect":null,
        "steps":[{"_type":"step","name":"s","threshold":1,"pubkeys":null,"expected_command":null,"expected_materials":null,"expected_products":[["ALLOW","*"]]}]}}"#;
    let env = Envelope::from_slice(go_layout.as_bytes()).unwrap();
    assert_eq!(
        env.signed().null_fields(),
        [
            "inspect",
            "keys",
            "steps[0].expected_command",
            "steps[0].expected_materials",
            "steps[0].pubkeys"
        ]
    );
    let Envelope::Metablock(m) = &env else {
        panic!()
    };
    assert!(m.matches_model());
    // Once a null field is given a value, it is written as that value.
    let Signed::Layout(mut layout) = env.into_signed() else {
        panic!()
    };
    layout.steps[0].pubkeys.push("ab".into());
    let m = Metablock::new(Signed::Layout(layout)).unwrap();
    let canon = String::from_utf8(m.canonical_bytes().to_vec()).unwrap();
    assert!(canon.contains(r#""pubkeys":["ab"]"#), "{canon}");
    assert!(canon.contains(r#""inspect":null"#), "{canon}");
}

#[test]
fn nulls_that_do_not_mean_empty_are_refused() {
    for bad in [
        r#"{"signed": {"_type": "link", "name": null}, "signatures": []}"#,
        r#"{"signed": {"_type": null, "name": "a"}, "signatures": []}"#,
        r#"{"signed": {"_type": "link", "name": "a", "products": {"f": null}}, "signatures": []}"#,
        r#"{"signed": {"_type": "link", "name": "a", "products": {"f": {"sha256": null}}}, "signatures": []}"#,
        r#"{"signed": {"_type": "link", "name": "a", "command": [null]}, "signatures": []}"#,
        r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "steps": [{"_type": "step", "name": "s", "threshold": null}], "inspect": []}, "signatures": []}"#,
        r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "steps": [null], "inspect": []}, "signatures": []}"#,
        r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "steps": [], "inspect": [], "keys": {"ab": null}}, "signatures": []}"#,
        r#"{"signed": {"_type": "link", "name": "a"}, "signatures": [null]}"#,
    ] {
        assert!(
            Envelope::from_slice(bad.as_bytes()).is_err(),
            "accepted {bad}"
        );
    }
}

#[test]
fn canonical_bytes_straight_from_the_model_are_those_of_its_text() {
    for doc in [
        r#"{"signed": {"_type": "link", "name": "n\u00e9\ud83d\ude00\u0001\u007f\"\\/\t\n\b\f\r", "command": ["a", "", "b\u001fc"], "materials": {"a\\b": {"sha256": "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"}, "é": {"md5": "AB", "sha512": "cd"}, "\"q": {"sha256": "00"}}, "products": {}, "byproducts": {"return-value": -12, "stdout": "x\ny", "deep": [[], [[]], {"": null, "t": true, "f": false, "n": 123456789012345678, "\u0001": 1, "z": {"b": 1, "a": 2}}]}, "environment": {"e": {}}}, "signatures": []}"#,
        r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "keys": {}, "steps": [{"_type": "step", "name": "s", "expected_materials": [["ALLOW", "*"]], "expected_products": [], "pubkeys": [], "expected_command": [], "threshold": 1}], "inspect": [], "readme": "\u2028 \u0000"}, "signatures": []}"#,
    ] {
        let env = Envelope::from_slice(doc.as_bytes()).unwrap();
        // Read from a file: those of the `signed` text.
        let value = json::parse(doc.as_bytes()).unwrap();
        let text =
            json::to_python_compact(value.as_object().unwrap().get("signed").unwrap()).unwrap();
        assert_eq!(
            &*env.signed_bytes(),
            &json::canonicalize(&text).unwrap()[..]
        );
        let signed = env.signed().clone();
        let text = json::canonicalize(&signed.known_fields_json().unwrap()).unwrap();
        let direct = json::to_canonical_direct(&signed).expect("the models write keys in order");
        assert_eq!(
            String::from_utf8_lossy(&direct),
            String::from_utf8_lossy(&text)
        );
        assert_eq!(Metablock::new(signed).unwrap().canonical_bytes(), &text[..]);
    }
    // Out of order, repeated, or not integers: left to `canonicalize`.
    struct Twice;
    impl Serialize for Twice {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("b", &1)?;
            m.serialize_entry("a", &1)?;
            m.serialize_entry("a", &1)?;
            m.end()
        }
    }
    assert!(json::to_canonical_direct(&Twice).is_none());
    assert!(json::to_canonical_direct(&[1.5]).is_none());
    assert!(json::to_canonical_direct(&[u128::MAX]).is_none());
    assert_eq!(json::to_canonical_direct(&[1u8, 2]).unwrap(), b"[1,2]");
}

/// The `signed` member of `doc` exactly as it stands in the text.
fn raw_signed(doc: &str) -> &str {
    #[derive(serde::Deserialize)]
    struct Doc<'a> {
        #[serde(borrow)]
        signed: &'a RawValue,
    }
    serde_json::from_str::<Doc<'_>>(doc).unwrap().signed.get()
}

#[test]
fn signed_bytes_are_the_canonical_bytes_of_the_signed_text() {
    let sha = "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";
    let docs = [
        // Nulls where other implementations write them.
        r#"{"signatures": [], "signed": {"_type": "link", "name": "n", "materials": null, "products": null, "byproducts": null, "environment": null, "command": null}}"#.to_owned(),
        r#"{"signatures": null, "signed": {"products": null, "_type": "link", "name": "n", "materials": {}}}"#.to_owned(),
        r#"{"signed": {"materials": null, "_type": "link", "name": "n"}, "signatures": []}"#.to_owned(),
        // Unknown fields, in and out of order, nested.
        format!(r#"{{"signed": {{"zz": {{"b": [1, {{"d": null, "c": []}}], "a": {{}}}}, "_type": "link", "AA": -9223372036854775808, "name": "n", "materials": {{"b": {{"sha256": "{sha}"}}, "a": {{"sha512": "AB", "sha256": "{sha}"}}}}, "products": {{"\u00e9\ud83d\ude00": {{}}, "\"\\\u0001": {{"md5": "0"}}}}, "byproducts": {{"return-value": 18446744073709551615, "stdout": "\u2028\u0000\r\n", "stderr": "é😀"}}, "environment": {{"y": [[[]], [{{}}]], "x": true}}, "command": ["a", "\t"]}}, "signatures": [{{"keyid": "k", "sig": "00"}}]}}"#),
        // Keys that sort differently escaped and unescaped.
        r#"{"signed": {"_type": "link", "name": "n", "\u0041": 1, "@": 2, "\\": 3, "\"": 4, "\u007f": 5, "\u0080": 6, "\uffff": 7, "\ud800\udc00": 8}, "signatures": []}"#.to_owned(),
        r#"{"signed": {"_type": "link", "name": "n", "materials": {}, "products": {}, "byproducts": {}, "environment": {}, "command": []}, "signatures": []}"#.to_owned(),
        // Layouts, with nulls in-toto-golang writes and unknown fields.
        r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "keys": {}, "steps": [{"_type": "step", "name": "s", "expected_materials": null, "expected_products": [["ALLOW", "*"]], "pubkeys": null, "expected_command": null, "threshold": 1, "x-new": {"b": 0, "a": -1}}], "inspect": null, "readme": "\u00e9\u0000", "x": [1, [2, [3]]]}, "signatures": []}"#.to_owned(),
        r#"{"signed": {"steps": [], "_type": "layout", "inspect": [{"_type": "inspection", "name": "i", "run": ["true"], "expected_materials": [], "expected_products": null}], "keys": {}, "expires": "2030-01-01T00:00:00Z"}, "signatures": []}"#.to_owned(),
    ];
    for doc in &docs {
        let env = Envelope::from_slice(doc.as_bytes()).unwrap_or_else(|e| panic!("{doc}: {e}"));
        let want = json::canonicalize(raw_signed(doc).as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&env.signed_bytes()),
            String::from_utf8_lossy(&want),
            "{doc}"
        );
        // And a Metablock built from the model: the canonical bytes of
        // what the model writes.
        let signed = env.signed().clone();
        let text = json::canonicalize(&signed.known_fields_json().unwrap()).unwrap();
        assert_eq!(Metablock::new(signed).unwrap().canonical_bytes(), &text[..]);
    }
    // A null artifact map is signed as null, never as `{}`.
    let env = Envelope::from_slice(docs[0].as_bytes()).unwrap();
    let bytes = String::from_utf8(env.signed_bytes().into_owned()).unwrap();
    assert!(bytes.contains(r#""materials":null"#), "{bytes}");
    assert!(bytes.contains(r#""products":null"#), "{bytes}");
    // Not representable: the fall-back says why, as the text would.
    for bad in [
        r#"{"signed": {"_type": "link", "name": "n", "x": 1.5}, "signatures": []}"#,
        r#"{"signed": {"_type": "link", "name": "n", "x": 1e3}, "signatures": []}"#,
        r#"{"signed": {"_type": "link", "name": "n", "x": [-0]}, "signatures": []}"#,
        r#"{"signed": {"_type": "link", "name": "n", "x": 99999999999999999999}, "signatures": []}"#,
    ] {
        assert!(Envelope::from_slice(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn file_bytes_are_written_straight_from_the_canonical_bytes() {
    // The direct writer against the value-tree path (parse the
    // canonical bytes, dump them as Python does).
    for doc in [
        r#"{"signed": {"_type": "link", "name": "a"}, "signatures": []}"#,
        r#"{"signatures": [{"keyid": "ab", "sig": "00", "x": {"y": [1, {}]}}], "signed": {"_type": "link", "name": "n\u00e9\ud83d\ude00\u0001\u007f\"\\/\t\n", "command": ["a", "", "b c"], "materials": {"a\\b": {"sha256": "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"}, "é": {"md5": "AB", "sha512": "cd"}}, "products": {}, "byproducts": {"return-value": -12, "stdout": "", "deep": [[], [[]], {"": null, "t": true, "f": false, "n": 123456789012345678}]}, "environment": {}, "zz-unknown": [{"b": 1, "a": 2}]}}"#,
        r#"{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "keys": {}, "steps": [], "inspect": [], "readme": "\u2028 \u0000"}, "signatures": [{"keyid": "k", "other_headers": "04", "signature": "ff"}, {"keyid": "j", "sig": ""}]}"#,
    ] {
        let env = Envelope::from_slice(doc.as_bytes()).unwrap();
        let Envelope::Metablock(m) = &env else {
            panic!("{doc}")
        };
        let via_value = json::to_python_pretty(m).unwrap();
        let direct = env.to_file_bytes().unwrap();
        assert_eq!(
            String::from_utf8(direct).unwrap(),
            String::from_utf8(via_value).unwrap()
        );
    }
    // Not canonical: refused, never misread.
    for bad in [&b"{\"a\":1"[..], b"}", b"{\"a\":\"\\n\"}", b"[1.5]", b" 1"] {
        let mut out = Vec::new();
        assert!(
            json::canonical_to_python_pretty(bad, 1, &mut out).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn ambiguous_and_foreign_containers_are_rejected() {
    for bad in [
        &br#"{"signed": {"_type": "link", "name": "a"}, "payload": "", "payloadType": "application/vnd.in-toto+json", "signatures": []}"#[..],
        br#"{"payload": "e30=", "payloadType": "text/plain", "signatures": []}"#,
        br#"{"payload": "e30", "payloadType": "application/vnd.in-toto+json", "signatures": []}"#,
        br#"{"payload": "e3-=", "payloadType": "application/vnd.in-toto+json", "signatures": []}"#,
        br#"{"foo": 1}"#,
        br#"{"signed": {"_type": "link", "name": "a"}, "signatures": [{"keyid": "ab"}]}"#,
    ] {
        assert!(Envelope::from_slice(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
}

/// A link read from a file keeps its canonical bytes as parts and writes
/// them on demand: the same bytes as `canonicalize` of its `signed` text,
/// whatever the order of its members, its unknown fields and its `null`s,
/// and the same whether written whole or a byte at a time.
#[test]
fn a_links_canonical_bytes_are_written_from_its_parts() {
    struct ByteAtATime(Vec<u8>);
    impl std::io::Write for ByteAtATime {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            match b.first() {
                Some(&c) => {
                    self.0.push(c);
                    Ok(1)
                }
                None => Ok(0),
            }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let signed = r#"{"products":{"b":{"sha256":"2222222222222222222222222222222222222222222222222222222222222222"},"a\"q":{"sha512":"00","sha256":"11"}},"name":"x","zz-unknown":{"y":1,"b":[{"d":2,"c":"\u00e9"}]},"_type":"link","materials":null,"environment":{"z":1,"a":"\\"},"command":["make"],"byproducts":{"return-value":0}}"#;
    let text = format!(r#"{{"signed": {signed}, "signatures": []}}"#);
    let env = Envelope::from_slice(text.as_bytes()).unwrap();
    let Envelope::Metablock(m) = &env else {
        panic!()
    };
    let want = crate::json::canonicalize(signed.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&m.canonical_bytes()),
        String::from_utf8_lossy(&want)
    );
    let mut slow = ByteAtATime(Vec::new());
    m.write_canonical(&mut slow).unwrap();
    assert_eq!(slow.0, want);
    assert!(!m.matches_model(), "an unknown field is not the model's");
    // Written back and read again: the same signed bytes.
    let back = Envelope::from_slice(&env.to_file_bytes().unwrap()).unwrap();
    assert_eq!(back.signed_bytes(), env.signed_bytes());
}

/// A link intoto builds (a run's byproducts are not in key order as built)
/// gets the canonical bytes of what its model writes, straight from the
/// model, with `null`s kept where they were read.
#[test]
fn a_built_links_canonical_bytes_come_from_the_model() {
    let mut materials = crate::models::Artifacts::new();
    materials.push_sha256("src/a\"b.c", [7; 32]);
    materials.push_sha256("src/\\x", [8; 32]);
    let link = Link {
        name: "build".into(),
        command: vec!["make".into(), "-j2".into()],
        materials: materials.sorted(false).unwrap(),
        byproducts: Link::byproducts_of("out\n", "", 0),
        ..Link::default()
    };
    let model = crate::json::to_python_compact(&link).unwrap();
    let want = crate::json::canonicalize(&model).unwrap();
    let m = Metablock::new(Signed::Link(link)).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&m.canonical_bytes()),
        String::from_utf8_lossy(&want)
    );
    // Read back with its nulls: the same bytes again.
    let go_link = r#"{"signatures":null,"signed":{"_type":"link","name":"a","materials":null,"products":{},"byproducts":null,"command":null,"environment":{}}}"#;
    let env = Envelope::from_slice(go_link.as_bytes()).unwrap();
    let rebuilt = Metablock::new(env.signed().clone()).unwrap();
    assert_eq!(rebuilt.canonical_bytes(), env.signed_bytes());
}
