//! Numbers that canonical JSON cannot carry (fractions, exponents, beyond
//! 64 bits), anywhere in a link or layout, are refused when the file is
//! read: a clear line naming the file and the field, never a panic, and
//! `--json` still reports.

use std::fs;

use serde_json::Value;

use crate::common::{Env, expect, run};

/// A signed layout with one step `build` by carl, and carl's good link.
fn chain(env: &Env) -> String {
    for k in ["alice.pem", "alice.pub", "carl.pem", "carl.pub"] {
        env.key(k);
    }
    env.ok("layout new root.layout --expires 2099-01-01");
    env.ok("layout add-key root.layout --key carl.pub");
    let carl = env.ok("-q key id carl.pub").text().trim().to_owned();
    env.ok((
        format!("layout add-step root.layout --name build --functionary {carl}"),
        ["--product", "ALLOW *"],
    ));
    env.ok("sign -f root.layout -k alice.pem");
    env.ok("run -n build --signing-key carl.pem -- true");
    format!("build.{}.link", &carl[..8])
}

#[test]
fn non_integers_in_links_and_layouts_are_refused_naming_the_field() {
    let env = Env::new();
    let link = chain(&env);
    let verify = || {
        env.intoto([
            "verify",
            "-l",
            "root.layout",
            "--verification-keys",
            "alice.pub",
            "--json",
        ])
    };
    expect(verify(), 0);
    let good = fs::read_to_string(env.work().join(&link)).unwrap();
    for (number, field) in [
        ("1.5", "signed.byproducts.return-value"),
        ("1e3", "signed.byproducts.return-value"),
        ("-0.0", "signed.byproducts.return-value"),
        ("18446744073709551616", "signed.byproducts.return-value"),
    ] {
        let bad = good.replacen(
            "\"return-value\": 0",
            &format!("\"return-value\": {number}"),
            1,
        );
        assert_ne!(bad, good);
        fs::write(env.work().join(&link), &bad).unwrap();
        let (rc, out, err) = run(verify());
        assert_eq!(rc, 1, "{number}: {err}");
        assert!(
            err.contains(&link) && err.contains(field) && err.contains("not an integer"),
            "{number}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        let report: Value = serde_json::from_str(&out).expect("--json reports");
        assert_eq!(report["result"], "failed");
        // sign refuses it too, and leaves the file as it was.
        let (rc, _, err) = run(env.intoto(["sign", "-f", &link, "-k", "carl.pem"]));
        assert_ne!(rc, 0);
        assert!(err.contains("not an integer"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(fs::read_to_string(env.work().join(&link)).unwrap(), bad);
    }
    fs::write(env.work().join(&link), &good).unwrap();
    // An extra field in a layout key dict, inside `signed`.
    let layout = fs::read_to_string(env.work().join("root.layout")).unwrap();
    let bad = layout.replacen("\"keytype\":", "\"x\": 1e3,\n    \"keytype\":", 1);
    assert_ne!(bad, layout);
    fs::write(env.work().join("root.layout"), &bad).unwrap();
    let (rc, out, err) = run(verify());
    assert_eq!(rc, 1, "{err}");
    assert!(
        err.contains(".x") && err.contains("not an integer"),
        "{err}"
    );
    assert!(serde_json::from_str::<Value>(&out).is_ok(), "{out}");
}
