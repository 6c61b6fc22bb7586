//! Unit tests of the maps and of digest equality.

use super::*;

#[test]
fn seek_finds_in_increasing_order_and_misses_cleanly() {
    let a: Artifacts = (0..1000)
        .map(|i| (format!("p{i:04}"), HashDict::sha256([0; 32])))
        .collect();
    let mut c = 0;
    assert!(a.seek("a", &mut c).is_none());
    for i in (0..1000).step_by(7) {
        assert!(a.seek(&format!("p{i:04}"), &mut c).is_some(), "{i}");
        assert!(a.seek(&format!("p{i:04}x"), &mut c).is_none());
    }
    assert!(a.seek("z", &mut c).is_none());
    assert_eq!(c, 1000);
    // Going backwards still finds entries.
    assert!(a.seek("p0003", &mut c).is_some());
    assert!(a.seek("p0001", &mut c).is_some());
}

fn dict(pairs: &[(&str, &str)]) -> HashDict {
    HashDict::from_pairs(
        pairs
            .iter()
            .map(|(a, h)| ((*a).to_owned(), (*h).to_owned()))
            .collect(),
    )
    .unwrap()
}

#[test]
fn digests_match_on_shared_accepted_algorithms() {
    let s256 = "ab".repeat(32);
    let other256 = "cd".repeat(32);
    let s512 = "ef".repeat(64);
    let local = dict(&[("sha256", &s256)]);
    let rebuilder = dict(&[("sha256", &s256), ("sha512", &s512)]);
    assert!(matches!(local, HashDict::Sha256(_)));
    assert!(local.matches(&rebuilder) && rebuilder.matches(&local));
    assert!(rebuilder.matches(&rebuilder));
    // A shared algorithm that disagrees: no match, whatever else agrees.
    let bad512 = dict(&[("sha256", &s256), ("sha512", &"00".repeat(64))]);
    assert!(!bad512.matches(&rebuilder));
    assert!(!dict(&[("sha256", &other256)]).matches(&rebuilder));
    assert!(
        !dict(&[("md5", "00"), ("sha256", &s256)])
            .matches(&dict(&[("md5", "01"), ("sha256", &s256)]))
    );
    // Nothing shared, or only weak algorithms shared: no match.
    assert!(!dict(&[("sha512", &s512)]).matches(&local));
    let weak = dict(&[("md5", "00"), ("sha1", "11")]);
    assert!(!weak.matches(&weak));
    assert!(
        !dict(&[("md5", "00"), ("sha512", &s512)])
            .matches(&dict(&[("md5", "00"), ("sha256", &s256)]))
    );
    assert!(dict(&[("sha3-256", "01")]).matches(&dict(&[("sha3-256", "01"), ("sha1", "99")])));
    // Hex is compared as written.
    assert!(!dict(&[("sha512", &s512.to_uppercase())]).matches(&rebuilder));
    // MODIFY: changed unless equal or matching.
    assert!(!local.differs(&rebuilder) && !weak.differs(&weak));
    assert!(dict(&[("md5", "01")]).differs(&dict(&[("md5", "00")])));
    assert!(dict(&[("sha512", &s512)]).differs(&local));
}

#[test]
fn differences_are_sorted_and_compare_digest_sets() {
    let h = |b: u8| HashDict::sha256([b; 32]);
    let expected: Artifacts = [("b", h(1)), ("a", h(1)), ("d", h(2)), ("e", h(3))]
        .into_iter()
        .collect();
    let actual: Artifacts = [("d", h(9)), ("c", h(1)), ("a", h(1)), ("f", h(3))]
        .into_iter()
        .collect();
    let d = expected.differences(&actual);
    assert_eq!(d.only_expected, ["b", "e"]);
    assert_eq!(d.only_actual, ["c", "f"]);
    assert_eq!(d.differ, ["d"]);
    assert!(expected.differences(&expected).is_empty());
    // An extra algorithm that is not shared does not make a difference;
    // upper-case hex, or only another algorithm, does.
    let a: Artifacts = [("a", h(0xab))].into_iter().collect();
    let two: Artifacts = [("a", dict(&[("sha256", &"ab".repeat(32)), ("sha512", "00")]))]
        .into_iter()
        .collect();
    assert!(two.differences(&a).is_empty());
    for other in [
        dict(&[("sha256", &"ab".repeat(32).to_uppercase())]),
        dict(&[("sha512", "00")]),
    ] {
        let e: Artifacts = [("a", other)].into_iter().collect();
        assert_eq!(e.differences(&a).differ, ["a"]);
    }
}
