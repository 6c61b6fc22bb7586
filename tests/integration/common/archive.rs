//! `intoto verify-archive` on the apt test's repository (`apt.rs`'s
//! `Apt`): the command with its default flags, and its output read back.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use crate::apt::Apt;
use crate::common::Out;

/// `verify-archive` on the repository with `extra` flags; a flag among
/// `--packages`, `--release`, `--archive-keyring`, `--layout` and
/// `--rebuilder` in `extra` replaces the default.
pub fn verify_archive(apt: &Apt, extra: &[&str]) -> Command {
    let r = &apt.root;
    let path = |p: &str| r.join(p).to_str().unwrap().to_owned();
    let b = format!("{}/", apt.rebuilder_b.url);
    let defaults: [(&str, Vec<String>); 5] = [
        ("--packages", vec![path("repo/Packages")]),
        ("--release", vec![path("repo/InRelease")]),
        ("--archive-keyring", vec![path("etc/trusted.gpg")]),
        ("--layout", vec![path("root.layout")]),
        ("--rebuilder", vec![apt.rebuilder_a.url.clone(), b]),
    ];
    let mut c = apt
        .env
        .intoto(["verify-archive", "--keyring", &path("owner.gpg")]);
    for (flag, values) in &defaults {
        if !extra.contains(flag) {
            for v in values {
                c.args([*flag, v.as_str()]);
            }
        }
    }
    c.args(extra);
    c
}

/// The package lines (package → line) and the summary.
pub fn lines(out: &Out) -> (BTreeMap<String, Value>, Value) {
    let mut pkgs = BTreeMap::new();
    let mut summary = None;
    for l in out.stdout.lines() {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        if let Some(s) = v.get("summary") {
            assert!(summary.is_none(), "two summaries");
            summary = Some(s.clone());
        } else {
            assert!(summary.is_none(), "a package after the summary");
            let name = v["package"].as_str().unwrap().to_owned();
            assert!(pkgs.insert(name, v).is_none(), "a package twice");
        }
    }
    (pkgs, summary.expect("no summary line"))
}

pub fn verdicts(pkgs: &BTreeMap<String, Value>) -> Vec<(String, String)> {
    pkgs.iter()
        .map(|(k, v)| (k.clone(), v["result"].as_str().unwrap().to_owned()))
        .collect()
}
