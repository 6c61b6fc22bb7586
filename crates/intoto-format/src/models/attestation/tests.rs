use super::*;
use crate::models::HashDict;

const SHA_A: &str = "706abe3c90152075e656b661079730facf323f3ebccda7547ee1935c90845a09";
const SHA_B: &str = "91193433e324b0a1e525cfecac51f43ca0f6bd882e1c34292510c9740115bf5c";

fn statement(pred: &str) -> String {
    format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"foo","digest":{{"sha256":"{SHA_A}"}}}}],"predicateType":"https://in-toto.io/attestation/link/v0.3","predicate":{pred}}}"#
    )
}

fn good_pred() -> String {
    format!(
        r#"{{"name":"build","command":["cc","-o","foo","foo.c"],"materials":[{{"name":"foo.c","digest":{{"sha256":"{SHA_B}"}}}}],"byproducts":{{"return-value":0}},"environment":{{}}}}"#
    )
}

fn link_of(text: &str) -> Result<crate::models::Link, FormatError> {
    link_from_statement(&Statement::from_payload(text.as_bytes())?)
}

#[test]
fn the_spec_example_reads_as_a_link() {
    let link = link_of(&statement(&good_pred())).unwrap();
    assert_eq!(link.name, "build");
    assert_eq!(link.command, ["cc", "-o", "foo", "foo.c"]);
    assert_eq!(
        link.products.get("foo").unwrap().get("sha256").unwrap(),
        SHA_A
    );
    assert_eq!(
        link.materials.get("foo.c").unwrap().get("sha256").unwrap(),
        SHA_B
    );
    assert_eq!(link.return_value(), Some(0));
}

#[test]
fn unknown_top_level_members_are_ignored() {
    let text = statement(&good_pred()).replacen('{', r#"{"future":[1,2],"#, 1);
    assert!(link_of(&text).is_ok());
}

#[test]
fn each_malformed_shape_is_refused_where_it_stands() {
    let cases: Vec<(String, &str)> = vec![
        (statement(&good_pred()).replace("Statement/v1", "Statement/v0.1"), "payload._type"),
        (statement(&good_pred()).replace("\"_type\"", "\"type\""), "\"type\""),
        (statement(&good_pred()).replace("link/v0.3", "link/v0.2"), "predicateType"),
        (statement(&good_pred()).replace("\"build\"", "1"), "predicate.name"),
        (
            statement(&good_pred()).replace(r#"["cc","-o","foo","foo.c"]"#, r#""cc""#),
            "predicate.command",
        ),
        (
            statement(&good_pred()).replace(r#""environment":{}"#, r#""environment":[]"#),
            "predicate.environment",
        ),
        (
            statement(&good_pred()).replace(r#""byproducts":{"return-value":0}"#, r#""byproducts":"x""#),
            "predicate.byproducts",
        ),
        (
            statement(&good_pred()).replace(r#""environment":{}"#, r#""environment":{},"products":{}"#),
            "predicate.products",
        ),
        (
            statement(&format!(r#"{{"name":"build","materials":{{"foo.c":{{"sha256":"{SHA_B}"}}}}}}"#)),
            "is a map",
        ),
        (statement(&good_pred()).replace(SHA_A, &SHA_A.to_uppercase()), "lower-case hex"),
        (statement(&good_pred()).replace(SHA_B, "xyz"), "lower-case hex"),
        (
            statement(&good_pred()).replace(&format!(r#"{{"sha256":"{SHA_A}"}}"#), "{}"),
            "payload.subject[0].digest",
        ),
        (
            statement(&good_pred()).replace(r#"{"name":"foo","#, "{"),
            "payload.subject[0]",
        ),
        (
            statement(&good_pred()).replace(r#""name":"foo.c","#, ""),
            "payload.predicate.materials[0]",
        ),
        (
            statement(&good_pred()).replace(
                &format!(r#"[{{"name":"foo","digest":{{"sha256":"{SHA_A}"}}}}]"#),
                "[]",
            ),
            "is empty",
        ),
        (
            statement(&good_pred()).replace(
                &format!(r#"[{{"name":"foo","digest":{{"sha256":"{SHA_A}"}}}}]"#),
                &format!(
                    r#"[{{"name":"foo","digest":{{"sha256":"{SHA_A}"}}}},{{"name":"foo","digest":{{"sha256":"{SHA_B}"}}}}]"#
                ),
            ),
            "twice",
        ),
        (statement(&good_pred()).replacen("\"_type\"", "\"_type\":\"x\",\"_type\"", 1), "duplicate"),
    ];
    for (text, needle) in cases {
        let e = link_of(&text).expect_err(&text).to_string();
        assert!(
            e.contains(needle),
            "{e:?} should name {needle:?} for {text}"
        );
    }
}

#[test]
fn a_link_written_as_a_statement_reads_back() {
    let link = link_of(&statement(&good_pred())).unwrap();
    let st = link_statement(&link).unwrap();
    let payload = st.to_payload().unwrap();
    let back = link_of(std::str::from_utf8(&payload).unwrap()).unwrap();
    assert_eq!(back, link);
    let mut none = link.clone();
    none.products = Default::default();
    assert!(
        link_statement(&none)
            .unwrap_err()
            .to_string()
            .contains("classic link format")
    );
}

#[test]
fn extra_algorithms_match_by_the_shared_ones() {
    let text = statement(&good_pred()).replace(
        &format!(r#"{{"sha256":"{SHA_A}"}}"#),
        &format!(r#"{{"sha256":"{SHA_A}","gitCommit":"{}"}}"#, &SHA_B[..40]),
    );
    let link = link_of(&text).unwrap();
    let got = link.products.get("foo").unwrap();
    let mut d = [0u8; 32];
    hex::decode_to_slice(SHA_A, &mut d).unwrap();
    assert!(got.matches(&HashDict::sha256(d)));
}

#[test]
fn envelopes_take_either_base64_alphabet() {
    assert_eq!(decode_base64("+/8=").unwrap(), [0xfb, 0xff]);
    assert_eq!(decode_base64("-_8").unwrap(), [0xfb, 0xff]);
    assert!(decode_base64("a b").is_none());
    let env = AttestationEnvelope::from_slice(
        br#"{"payload":"e30","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"-_8"}]}"#,
    )
    .unwrap();
    assert_eq!(env.payload, b"{}");
    assert_eq!(env.signatures[0].keyid, "");
    assert_eq!(
        env.pae(),
        b"DSSEv1 28 application/vnd.in-toto+json 2 {}".to_vec()
    );
    let both = br#"{"payload":"e30","payloadType":"t","signatures":[],"signed":{}}"#;
    assert!(AttestationEnvelope::from_slice(both).is_err());
}

#[test]
fn only_statements_look_like_statements() {
    assert!(looks_like_statement(statement(&good_pred()).as_bytes()));
    assert!(looks_like_statement(
        br#"{"type":"https://in-toto.io/Statement/v1"}"#
    ));
    assert!(!looks_like_statement(br#"{"_type":"link","name":"x"}"#));
    assert!(!looks_like_statement(b"not json"));
}
