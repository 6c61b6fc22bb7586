//! The demo supply chain's layout (the reference's demo): steps clone and
//! update-version by dave's GnuPG key, package by carl's PEM key, an
//! inspection that unpacks the tarball; signed by alice.

use crate::common::Env;

/// `--material RULE` (or `--product`) for each rule.
pub fn rules(flag: &str, rules: &[&str]) -> Vec<String> {
    rules
        .iter()
        .flat_map(|r| [flag.to_owned(), (*r).to_owned()])
        .collect()
}

/// Writes `upstream/demo-project/foo.py` and the demo layout
/// `root.layout` (`layout new` with `new_flags`; `package`'s expected
/// command `package_command`), signed by alice's PEM key; returns dave's
/// fingerprint and carl's key id.
pub fn demo_layout(env: &Env, new_flags: &str, package_command: &str) -> (String, String) {
    for k in ["alice.pem", "alice.pub", "carl.pub", "carl.pem"] {
        env.key(k);
    }
    let dave = env.fpr("dave");
    env.write("upstream/demo-project/foo.py", "print(\"Hello in-toto\")\n");
    env.ok(format!(
        "layout new root.layout --expires 2099-12-31 {new_flags}"
    ));
    let dave_id = env.ok(format!("layout add-key root.layout --gpg {dave}"));
    let dave_id = dave_id.stdout.trim();
    let carl_id = env.ok("layout add-key root.layout --key carl.pub");
    let carl_id = carl_id.stdout.trim().to_owned();
    env.ok((
        format!("layout add-step root.layout --name clone --functionary {dave_id}"),
        [
            "--expected-command",
            "cp -R upstream/demo-project demo-project",
        ],
        rules("--product", &["CREATE demo-project/foo.py", "DISALLOW *"]),
    ));
    env.ok((
        format!("layout add-step root.layout --name update-version --functionary {dave_id}"),
        rules(
            "--material",
            &[
                "MATCH demo-project/* WITH PRODUCTS FROM clone",
                "DISALLOW *",
            ],
        ),
        rules("--product", &["MODIFY demo-project/foo.py", "DISALLOW *"]),
    ));
    env.ok((
        format!("layout add-step root.layout --name package --functionary {carl_id}"),
        (
            ["--expected-command", package_command],
            rules(
                "--material",
                &[
                    "MATCH demo-project/* WITH PRODUCTS FROM update-version",
                    "DISALLOW *",
                ],
            ),
        ),
        rules("--product", &["CREATE demo-project.tar.gz", "DISALLOW *"]),
    ));
    env.ok((
        (
            "layout add-inspection root.layout --name untar",
            ["--run", "tar xzf demo-project.tar.gz"],
        ),
        rules(
            "--material",
            &[
                "MATCH demo-project.tar.gz WITH PRODUCTS FROM package",
                "DISALLOW *",
            ],
        ),
        rules(
            "--product",
            &[
                "MATCH demo-project.tar.gz WITH PRODUCTS FROM package",
                "MATCH demo-project/foo.py WITH PRODUCTS FROM update-version",
                "DISALLOW *",
            ],
        ),
    ));
    env.ok("sign -f root.layout -k alice.pem");
    (dave, carl_id)
}
