//! `intoto verify-archive` on the apt test's signed repository (see
//! `apt.rs`: dpkg-deb, apt-ftparchive, an InRelease from `gpg
//! --clearsign`, rebuilders on loopback): every package judged from the
//! index's digests (or downloaded files), the same verdicts with two
//! shards, in any number of jobs, and indexes that cannot be trusted
//! refused.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::apt::{Apt, tools};
use crate::common::archive::{lines, verdicts, verify_archive as cmd};
use crate::common::{Out, check};

/// What the rebuilders did (see `Apt::new`): four packages both
/// reproduced, one whose mirror bytes differ, one without links, one
/// with a single link under threshold 2.
const EXPECTED: [(&str, &str); 7] = [
    ("differs", "failed"),
    ("good1", "verified"),
    ("good2", "verified"),
    ("good3", "verified"),
    ("good4", "verified"),
    ("nolinks", "missing-evidence"),
    ("onelink", "missing-evidence"),
];

fn expected() -> Vec<(String, String)> {
    EXPECTED
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// The shard of a source name, computed here as the README documents it.
fn shard(source: &str, n: u64) -> u64 {
    let d = Sha256::digest(source.as_bytes());
    u64::from_be_bytes(d[..8].try_into().unwrap()) % n
}

#[test]
fn every_package_is_judged_and_two_shards_give_the_same_verdicts() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let full = check(cmd(&apt, &["--jobs", "3"]), 1);
    let (pkgs, summary) = lines(&full);
    assert_eq!(verdicts(&pkgs), expected(), "{}", full.stdout);
    assert_eq!(summary["verified"], 4);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["missing-evidence"], 2);
    assert_eq!(summary["entries"], 7);
    assert_eq!(summary["index"], "Packages");
    let differs = &pkgs["differs"];
    assert!(
        differs["reason"]
            .as_str()
            .unwrap()
            .contains("differs_1.0_all.deb"),
        "{differs}"
    );
    assert_eq!(differs["rebuilders"][0]["answer"], "link");
    let nolinks = &pkgs["nolinks"];
    assert_eq!(nolinks["rebuilders"][0]["answer"], "not found");
    assert!(
        full.stderr.is_empty() || !full.stderr.contains("error"),
        "{}",
        full.stderr
    );

    // Two shards: disjoint, each the sources hashing to it, together the whole.
    let mut union = BTreeMap::new();
    for k in 0..2 {
        let part = cmd(&apt, &["--shard", &format!("{k}/2")]);
        let out = crate::common::output(part);
        let (p, s) = lines(&out);
        assert_eq!(s["shard"], format!("{k}/2"));
        for (name, v) in &p {
            assert_eq!(shard(v["source"].as_str().unwrap(), 2), k, "{name}");
        }
        let failed = p.values().any(|v| v["result"] == "failed");
        assert_eq!(out.code, i32::from(failed), "{}", out.stderr);
        for (name, v) in p {
            assert!(union.insert(name, v).is_none());
        }
    }
    assert_eq!(verdicts(&union), expected());

    // One job gives the same lines in the same order.
    let one = check(cmd(&apt, &["--jobs", "1"]), 1);
    // (Reasons name the private temporary directories of each check.)
    let strip = |o: &Out| -> Vec<Value> {
        o.stdout
            .lines()
            .filter(|l| !l.starts_with("{\"summary\""))
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("reason");
                v
            })
            .collect()
    };
    assert_eq!(strip(&one), strip(&full));

    // rebuilderd's v1 API for the second rebuilder: the same verdicts.
    let v1 = format!("rebuilderd:{}", apt.rebuilder_v1.url);
    let out = check(
        cmd(
            &apt,
            &["--rebuilder", &apt.rebuilder_a.url, "--rebuilder", &v1],
        ),
        1,
    );
    assert_eq!(verdicts(&lines(&out).0), expected());

    // No rebuilder answers: all missing evidence, and nothing failed.
    let out = check(
        cmd(
            &apt,
            &["--rebuilder", "http://127.0.0.1:9", "--timeout", "5"],
        ),
        0,
    );
    let (p, s) = lines(&out);
    assert!(p.values().all(|v| v["result"] == "missing-evidence"));
    assert!(
        p["good1"]["rebuilders"][0]["answer"]
            .as_str()
            .unwrap()
            .starts_with("unreachable")
    );
    assert_eq!(s["missing-evidence"], 7);
}

#[test]
fn downloaded_files_are_judged_as_downloaded() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let dl = apt.downloaded();
    let dl_s = dl.to_str().unwrap();
    let (pkgs, s) = lines(&check(cmd(&apt, &["--files", dl_s]), 1));
    assert_eq!(verdicts(&pkgs), expected());
    assert_eq!(s["not-downloaded"], 0);
    // A file that is not the index's, and one not downloaded.
    fs::remove_file(dl.join("good2_1.0_all.deb")).unwrap();
    fs::copy(dl.join("good4_1.0_all.deb"), dl.join("good3_1.0_all.deb")).unwrap();
    let (pkgs, s) = lines(&check(cmd(&apt, &["--files", dl_s]), 1));
    assert!(!pkgs.contains_key("good2"));
    assert_eq!(s["not-downloaded"], 1);
    assert_eq!(pkgs["good3"]["result"], "failed");
    assert!(
        pkgs["good3"]["reason"]
            .as_str()
            .unwrap()
            .contains("differs from the index's"),
        "{}",
        pkgs["good3"]
    );
}

#[test]
fn an_index_that_cannot_be_trusted_is_refused() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let r = &apt.root;
    let repo = r.join("repo");
    // Packages.xz, not listed itself: its decompressed content is.
    let mut e = xz2::write::XzEncoder::new(Vec::new(), 6);
    std::io::Write::write_all(&mut e, &fs::read(repo.join("Packages")).unwrap()).unwrap();
    fs::write(repo.join("Packages.xz"), e.finish().unwrap()).unwrap();
    let xz = repo.join("Packages.xz");
    let c = cmd(&apt, &["--packages", xz.to_str().unwrap()]);
    assert_eq!(verdicts(&lines(&check(c, 1)).0), expected());

    let refused = |c: Command, needle: &str| {
        let out = check(c, 1);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        let errors: Vec<&str> = out.stderr.lines().filter(|l| l.contains("error")).collect();
        assert_eq!(errors.len(), 1, "{}", out.stderr);
        assert!(
            errors[0].contains(needle),
            "{needle:?} not in {}",
            errors[0]
        );
    };
    // A Packages file altered after the release was signed.
    let text = fs::read_to_string(repo.join("Packages")).unwrap();
    fs::write(repo.join("Packages.bad"), text.replace("good1", "goodX")).unwrap();
    let bad = repo.join("Packages.bad");
    refused(
        cmd(&apt, &["--packages", bad.to_str().unwrap()]),
        "is not among the Packages indexes",
    );
    // InRelease checked with a keyring that did not sign it (the owner's).
    let owner = r.join("owner.gpg");
    let trusted = r.join("etc/trusted.gpg");
    refused(
        cmd(&apt, &["--archive-keyring", owner.to_str().unwrap()]),
        "no valid signature by a key of the archive keyring",
    );
    let both = [
        "--archive-keyring",
        owner.to_str().unwrap(),
        "--archive-keyring",
        trusted.to_str().unwrap(),
    ];
    check(cmd(&apt, &both), 1);
    // An InRelease whose signed text was changed.
    let signed = fs::read_to_string(repo.join("InRelease")).unwrap();
    fs::write(
        repo.join("InRelease.bad"),
        signed.replacen("Suite: test", "Suite: tesT", 1),
    )
    .unwrap();
    let bad = repo.join("InRelease.bad");
    refused(
        cmd(&apt, &["--release", bad.to_str().unwrap()]),
        "InRelease.bad: no valid signature",
    );
    // A layout whose inspection runs a command cannot judge digests.
    let env = &apt.env;
    env.key("bob.pub");
    env.ok("layout new real.layout --expires 2099-01-01");
    let bob = env.ok("layout add-key real.layout --key bob.pub").stdout;
    env.ok(format!(
        "layout add-step real.layout --name rebuild --functionary {}",
        bob.trim()
    ));
    env.ok((
        "layout add-inspection real.layout --name unpack",
        ["--run", "dpkg-deb -x {DEB} x"],
    ));
    let alice = env.fpr("alice");
    env.ok(format!("sign -f real.layout --gpg {alice}"));
    let real = env.work().join("real.layout");
    refused(
        cmd(&apt, &["--layout", real.to_str().unwrap()]),
        "inspection 'unpack' runs 'dpkg-deb -x {DEB} x'",
    );
    // Usage errors.
    for bad in [
        &["--shard", "2/2"][..],
        &["--jobs", "0"],
        &["--rebuilder", "ftp://x"],
    ] {
        let out = crate::common::output(cmd(&apt, bad));
        assert_eq!(out.code, 2, "{bad:?}: {}", out.stderr);
    }
}

/// `--signatures N` counts distinct owner keys over all those given, as
/// `verify` does; too few name who signed and who did not.
#[test]
fn signatures_counts_distinct_owner_keys() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let out = check(cmd(&apt, &["--signatures", "1"]), 1);
    assert_eq!(verdicts(&lines(&out).0), expected(), "{}", out.stdout);
    // A second keyring, carl's, who did not sign: 2 of 2 fails.
    let carl = apt.root.join("carl.asc");
    let mut c = Command::new("gpg");
    c.arg("--homedir")
        .arg(&apt.env.gnupg)
        .args(["--armor", "--export", &apt.env.fpr("carl")]);
    fs::write(&carl, c.output().unwrap().stdout).unwrap();
    let carl = carl.to_str().unwrap();
    let out = check(cmd(&apt, &["--keyring", carl, "--signatures", "2"]), 1);
    assert!(
        out.stderr
            .contains("needs valid signatures by 2 of the 2 keys given, found 1: signed: ")
            && out.stderr.contains("not signed: ")
            && out.stdout.is_empty(),
        "{}",
        out.stderr
    );
    check(cmd(&apt, &["--signatures", "2"]), 2);
}
