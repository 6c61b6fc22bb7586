//! Per-package policy on the apt test's repository (`apt.rs`'s `Apt`):
//! `APT::Intoto::Allow` / `--allow` tolerate missing evidence for the
//! source packages they match and never contradicting evidence;
//! `APT::Intoto::Deny` / `--deny` refuse packages outright, before any
//! rebuilder is asked; each `verify-archive` line names the rule that
//! decided it.

use crate::apt::{Apt, tools};
use crate::common::archive::{lines, verdicts, verify_archive as cmd};
use crate::common::check;

/// Did a rebuilder of the legacy API get asked about `package`?
fn asked(apt: &Apt, package: &str) -> bool {
    let needle = format!("/sources/{package}/");
    [&apt.rebuilder_a, &apt.rebuilder_b]
        .iter()
        .any(|r| r.seen.lock().unwrap().iter().any(|p| p.contains(&needle)))
}

#[test]
fn apt_allows_missing_evidence_and_denies_by_source_pattern() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let policy = "  Allow { \"nol?nks\"; \"diff*\"; };\n  Deny { \"good[2]\"; };\n";
    apt.configure(&apt.mirror.url, policy, false);
    apt.ok(&["update"]);
    // No links at all: tolerated for nolinks (a warning naming the
    // pattern), not for onelink, which no pattern matches.
    let out = apt.ok(&["download", "nolinks"]);
    assert!(out.contains("W: "), "{out}");
    assert!(
        out.contains("nolinks 1.0 (all): not enough evidence"),
        "{out}"
    );
    assert!(
        out.contains("(allowed: APT::Intoto::Allow \"nol?nks\" matches its source \"nolinks\")"),
        "{out}"
    );
    apt.fails(&["download", "onelink"], "not enough evidence");
    // Allowed, but the rebuilt bytes differ: still refused.
    apt.fails(
        &["download", "differs"],
        "differs 1.0 (all) failed verification",
    );
    // Denied: refused though both rebuilders reproduced it, and nobody
    // was asked.
    apt.fails(
        &["download", "good2"],
        "good2 1.0 (all) refused: its source \"good2\" matches APT::Intoto::Deny \"good[2]\"",
    );
    assert!(!asked(&apt, "good2"));
    apt.ok(&["download", "good1"]);
    assert_eq!(
        apt.debs(),
        ["dl/good1_1.0_all.deb", "dl/nolinks_1.0_all.deb"]
    );
    apt.clean();

    // Deny wins over NoFail and Allow; NoFail covers what Allow does not.
    let policy = "  Allow { \"good2\"; };\n  Deny { \"good2\"; };\n";
    apt.configure(&apt.mirror.url, policy, true);
    apt.fails(&["download", "good2"], "APT::Intoto::Deny \"good2\"");
    let out = apt.ok(&["download", "onelink"]);
    assert!(out.contains("APT::Intoto::NoFail is set"), "{out}");
    apt.clean();

    // A pattern that cannot name a source package breaks the
    // configuration: every package refused, naming the setting.
    apt.configure(&apt.mirror.url, "  Deny { \"a b\"; };\n", true);
    let out = apt.fails(&["download", "good1"], "APT::Intoto::Deny \"a b\"");
    assert!(out.contains("the configuration is broken"), "{out}");
    assert_eq!(apt.debs(), Vec::<String>::new());
}

#[test]
fn verify_archive_says_which_rule_decided_each_verdict() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let args = ["--allow", "nol*", "--allow", "differs", "--deny", "good3"];
    let out = check(cmd(&apt, &args), 1);
    let (pkgs, summary) = lines(&out);
    let expected = [
        ("differs", "failed", "layout"),
        ("good1", "verified", "layout"),
        ("good2", "verified", "layout"),
        ("good3", "denied", "deny"),
        ("good4", "verified", "layout"),
        ("nolinks", "allowed", "allow"),
        ("onelink", "missing-evidence", "layout"),
    ];
    let got: Vec<(String, String, String)> = pkgs
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v["result"].as_str().unwrap().to_owned(),
                v["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| ((*a).into(), (*b).into(), (*c).into()))
        .collect();
    assert_eq!(got, want, "{}", out.stdout);
    assert_eq!(pkgs["nolinks"]["pattern"], "nol*");
    assert!(
        pkgs["nolinks"]["reason"]
            .as_str()
            .unwrap()
            .contains("needs 2 link files, found 0"),
        "{}",
        pkgs["nolinks"]
    );
    assert_eq!(pkgs["good3"]["pattern"], "good3");
    assert!(pkgs["good3"].get("rebuilders").is_none());
    assert!(!asked(&apt, "good3"));
    assert!(pkgs["good1"].get("pattern").is_none());
    assert_eq!(summary["allowed"], 1);
    assert_eq!(summary["denied"], 1);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["missing-evidence"], 1);
    assert_eq!(summary["verified"], 3);

    // Allowing the missing evidence alone fails nothing; a denied package
    // fails the run as contradicting evidence does.
    let out = check(
        cmd(
            &apt,
            &["--allow", "nol*", "--allow", "onelink", "--deny", "differs"],
        ),
        1,
    );
    let (pkgs, _) = lines(&out);
    assert_eq!(pkgs["differs"]["result"], "denied");
    let out = check(
        cmd(
            &apt,
            &[
                "--allow",
                "*",
                "--rebuilder",
                "http://127.0.0.1:9",
                "--timeout",
                "2",
            ],
        ),
        0,
    );
    let (pkgs, s) = lines(&out);
    assert!(verdicts(&pkgs).iter().all(|(_, r)| r == "allowed"));
    assert_eq!(s["allowed"], 7);

    // An empty pattern is a usage error.
    let out = check(cmd(&apt, &["--allow", ""]), 2);
    assert!(
        out.stderr.contains("--allow: an empty pattern"),
        "{}",
        out.stderr
    );
}
