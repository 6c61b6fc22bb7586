//! Unit tests of the parser, the canonical encoders and the Python writers.

use super::*;

fn canon(s: &str) -> String {
    let via_value = to_canonical(&parse(s.as_bytes()).unwrap()).unwrap();
    let direct = canonicalize(s.as_bytes()).unwrap();
    assert_eq!(via_value, direct);
    let back = parse_canonical(&direct).unwrap();
    assert_eq!(to_canonical(&back).unwrap(), direct);
    String::from_utf8(direct).unwrap()
}

#[test]
fn canonical_sorts_and_escapes_only_quote_and_backslash() {
    assert_eq!(
        canon(r#"{"b": 1, "a": [true, null, "x"]}"#),
        r#"{"a":[true,null,"x"],"b":1}"#
    );
    assert_eq!(
        canon(r#""tab\there \"q\" \\ é\n""#),
        "\"tab\there \\\"q\\\" \\\\ é\n\""
    );
    assert_eq!(canon(r#""\u0001\u007f""#), "\"\u{1}\u{7f}\"");
}

#[test]
fn unsorted_objects_are_sorted_in_place_at_every_level() {
    assert_eq!(
        canon(r#"{"z": {"y": 1, "b\"q": [{"d": 1, "c": 2}], "b\\": 0}, "a": {}}"#),
        r#"{"a":{},"z":{"b\"q":[{"c":2,"d":1}],"b\\":0,"y":1}}"#
    );
}

#[test]
fn canonical_orders_keys_by_code_point() {
    assert_eq!(
        canon(r#"{"é": 1, "z": 2, "_": 3, "Z": 4}"#),
        r#"{"Z":4,"_":3,"z":2,"é":1}"#
    );
}

#[test]
fn canonical_rejects_floats() {
    assert!(to_canonical(&parse(b"[1.5]").unwrap()).is_err());
    assert!(to_canonical(&parse(b"[1e3]").unwrap()).is_err());
    for bad in [
        &b"[1.5]"[..],
        b"{\"a\": {\"x\": -0.0}}",
        b"18446744073709551616",
        b"{\"a\": 1, \"a\": 1}",
        b"{\"b\": 1, \"a\": 2, \"b\": 3}",
        b"{\"x\": {\"b\\\"\": 1, \"a\": 2, \"b\\\"\": 3}}",
        b"\"\\ud800\"",
        b"[NaN]",
    ] {
        assert!(
            canonicalize(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn strict_parser_rejects_hostile_documents() {
    for bad in [
        &b"{\"a\": 1, \"a\": 2}"[..],
        b"{\"x\": {\"a\": 1, \"a\": 1}}",
        b"\xef\xbb\xbf{}",
        b"{} {}",
        b"{\"a\": NaN}",
        b"[Infinity]",
        b"\"\\ud800\"",
        b"\"\\q\"",
        b"\"\xff\"",
        b"[1,]",
    ] {
        assert!(
            parse(bad).is_err(),
            "accepted {:?}",
            String::from_utf8_lossy(bad)
        );
    }
    let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
    assert!(parse(deep.as_bytes()).is_err());
    assert!(matches!(parse(b"{\"k\":1,\"k\":1}"), Err(ParseError::DuplicateKey(k)) if k == "k"));
}

#[test]
fn large_objects_detect_duplicates() {
    let mut s = String::from("{");
    for i in 0..100 {
        s.push_str(&format!("\"k{i}\": {i},"));
    }
    s.push_str("\"k42\": 0}");
    assert!(matches!(parse(s.as_bytes()), Err(ParseError::DuplicateKey(k)) if k == "k42"));
}

#[test]
fn objects_keep_file_order() {
    let v = parse(br#"{"z": 1, "a": 2}"#).unwrap();
    let keys: Vec<_> = v
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(keys, ["z", "a"]);
}

#[test]
fn python_pretty_matches_json_dumps_indent_1() {
    let v = parse(r#"{"b": [1, {"c": "é\n"}], "a": {}, "e": []}"#.as_bytes()).unwrap();
    let out = String::from_utf8(to_python_pretty(&v).unwrap()).unwrap();
    assert_eq!(
        out,
        "{\n \"a\": {},\n \"b\": [\n  1,\n  {\n   \"c\": \"\\u00e9\\n\"\n  }\n ],\n \"e\": []\n}"
    );
}

#[test]
fn python_compact_matches_json_dumps() {
    let v = parse("{\"b\": [1, 2], \"a\": \"\u{1F600}\u{7f}\"}".as_bytes()).unwrap();
    let out = String::from_utf8(to_python_compact(&v).unwrap()).unwrap();
    assert_eq!(out, r#"{"a": "\ud83d\ude00\u007f", "b": [1, 2]}"#);
}
