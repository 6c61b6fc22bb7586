//! Link attestations (an in-toto Statement v1 with the link predicate v0.3
//! in DSSE) as a layout's links: written by `run`, `record stop` and
//! `mock` with `--attestation` (PEM and GnuPG keys), checked by the
//! attestation framework's own validator, verified as links (found as
//! `.link` or `.json`, mixed with classic links for a threshold), refused
//! at the stage each fault belongs to, and verified with the same verdict
//! as the Python reference gives the same links converted to classic ones.

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::common::demo::demo_layout;
use crate::common::{Env, Reference, check};

/// The demo supply chain, every link an attestation: `clone` (`run`) and
/// `update-version` (`record start`/`stop`) by dave's GnuPG key, `package`
/// by carl's PEM key, an inspection that unpacks the tarball; the layout
/// signed by alice. The links are in `links/`; returns carl's key id.
fn chain(env: &Env, attestation: &str) -> String {
    let (dave, carl_id) = demo_layout(env, "", "tar -zcf demo-project.tar.gz demo-project");
    fs::create_dir_all(env.work().join("links")).unwrap();
    env.ok(format!(
        "run -n clone -p demo-project -d links --gpg {dave} {attestation} -- cp -R upstream/demo-project demo-project"
    ));
    env.ok(format!(
        "record start -n update-version -m demo-project --gpg {dave}"
    ));
    env.write(
        "demo-project/foo.py",
        "VERSION = \"foo-v1\"\n\nprint(\"Hello in-toto\")\n",
    );
    env.ok(format!(
        "record stop -n update-version -p demo-project -d links --gpg {dave} {attestation}"
    ));
    env.ok(format!(
        "run -n package -m demo-project -p demo-project.tar.gz -d links --signing-key carl.pem \
         {attestation} -- tar -zcf demo-project.tar.gz demo-project"
    ));
    carl_id
}

/// A directory holding only the final product, to verify in.
fn final_product(env: &Env, dir: &str) -> PathBuf {
    let d = env.work().join(dir);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    fs::copy(
        env.work().join("demo-project.tar.gz"),
        d.join("demo-project.tar.gz"),
    )
    .unwrap();
    d
}

/// `intoto verify --json` of the chain with the links of `links`, in a
/// directory holding only the final product: exit code and report.
fn verify(env: &Env, links: &str) -> (i32, Value) {
    let w = env.work();
    let mut c = env.cmd(format!(
        "verify --json --layout {} --verification-keys {} --link-dir {}",
        w.join("root.layout").display(),
        w.join("alice.pub").display(),
        w.join(links).display()
    ));
    c.current_dir(final_product(env, &format!("final-{links}")));
    let out = crate::common::output(c);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    (out.code, out.json())
}

/// The files of `dir` (names).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// An envelope file: the envelope and its decoded payload.
fn envelope(path: &Path) -> (Value, Vec<u8>) {
    let env: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    let payload = STANDARD.decode(env["payload"].as_str().unwrap()).unwrap();
    (env, payload)
}

/// Writes an attestation of `payload` (as `payload_type`) signed with the
/// PEM key `key` to `to`.
fn signed(to: &Path, payload: &[u8], payload_type: &str, key: &Path) {
    use intoto::keys::pem::PemSigner;
    use intoto_format::models::attestation::AttestationEnvelope;
    let signer = PemSigner::from_file(key, None).unwrap();
    let mut env = AttestationEnvelope {
        payload_type: payload_type.to_owned(),
        payload: payload.to_vec(),
        signatures: Vec::new(),
    };
    intoto::keys::sign_attestation(&mut env, &signer).unwrap();
    fs::write(to, env.to_file_bytes().unwrap()).unwrap();
}

/// The attestation framework's validators on an envelope file: the
/// Statement's `validate()` and the link predicate's protobuf schema.
const VALIDATE: &str = r#"
import sys, json, base64
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from in_toto_attestation.predicates.link.v0 import link_pb2
for f in sys.argv[1:]:
    env = json.load(open(f))
    assert env["payloadType"] == "application/vnd.in-toto+json", f
    payload = base64.b64decode(env["payload"])
    Statement.copy_from_pb(json_format.Parse(payload, statement_pb2.Statement())).validate()
    json_format.ParseDict(json.loads(payload)["predicate"], link_pb2.Link())
    print("valid", f)
"#;

#[test]
fn a_chain_of_attestations_verifies_and_passes_the_frameworks_validator() {
    let env = Env::new();
    let carl = chain(&env, "--attestation");
    let links = env.work().join("links");
    let files = names(&links);
    assert_eq!(files.len(), 3, "{files:?}");
    for f in &files {
        let (e, payload) = envelope(&links.join(f));
        assert_eq!(e["payloadType"], "application/vnd.in-toto+json");
        let st: Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
        assert_eq!(
            st["predicateType"],
            "https://in-toto.io/attestation/link/v0.3"
        );
        assert_eq!(
            f,
            &format!(
                "{}.{}.link",
                st["predicate"]["name"].as_str().unwrap(),
                &e["signatures"][0]["keyid"].as_str().unwrap()[..8]
            )
        );
    }
    // dave's OpenPGP signature is a binary packet, keyid his fingerprint.
    let (clone, _) = envelope(&links.join(format!(
        "clone.{}.link",
        &env.fpr("dave").to_lowercase()[..8]
    )));
    let sig = STANDARD
        .decode(clone["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    assert_eq!(sig[0] & 0x80, 0x80, "a binary OpenPGP packet");
    assert_eq!(
        clone["signatures"][0]["keyid"].as_str().unwrap(),
        env.fpr("dave").to_lowercase()
    );
    let (code, report) = verify(&env, "links");
    assert_eq!(code, 0, "{report:#}");
    // The framework's naming (`.json`) is found too.
    let package = links.join(format!("package.{}.link", &carl[..8]));
    fs::rename(&package, package.with_extension("json")).unwrap();
    let (code, report) = verify(&env, "links");
    assert_eq!(code, 0, "{report:#}");
    let counted = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "package")
        .unwrap()["links"][0]["file"]
        .clone();
    assert_eq!(counted, format!("package.{}.json", &carl[..8]));

    let Some(rf) = Reference::find() else { return };
    let mut c = rf.python(VALIDATE);
    c.args(names(&links).iter().map(|f| links.join(f)));
    let out = check(c, 0).text();
    assert_eq!(out.matches("valid ").count(), 3, "{out}");
}

#[test]
fn mock_writes_an_unsigned_attestation_and_a_step_without_products_is_refused() {
    let env = Env::new();
    env.write("a.txt", "a\n");
    env.ok("mock -n m --attestation -- true");
    let (e, payload) = envelope(&env.work().join("m.link"));
    assert_eq!(e["signatures"], json!([]));
    let st: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(st["subject"][0]["name"], "a.txt");
    assert_eq!(st["predicate"]["command"], json!(["true"]));
    env.key("bob.pem");
    env.fails(
        2,
        "run -n s --attestation --signing-key bob.pem -- true",
        "a Statement needs at least one subject",
    );
    fs::create_dir_all(env.work().join("empty")).unwrap();
    env.fails(
        1,
        "run -n s --attestation --signing-key bob.pem -p empty -- true",
        "classic link format",
    );
    assert!(
        !env.links().iter().any(|l| l.starts_with("s.")),
        "{:?}",
        env.links()
    );
}

/// One way a link attestation can be wrong: what is done to carl's
/// `package` attestation, and the stage, kind and words of the failure.
#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    /// The payload text to sign (from the valid one) and its type.
    payload: fn(&str) -> String,
    payload_type: &'static str,
    /// Signed by bob instead of carl.
    by_bob: bool,
    /// Then the envelope file's text changed.
    file: fn(&str) -> String,
    /// `None`: verification passes.
    fails: Option<(&'static str, &'static str, &'static str)>,
}

const PT: &str = "application/vnd.in-toto+json";

fn same(s: &str) -> String {
    s.to_owned()
}

fn cases() -> Vec<Case> {
    let base = Case {
        name: "",
        payload: same,
        payload_type: PT,
        by_bob: false,
        file: same,
        fails: None,
    };
    let invalid = |why| Some(("link-signatures", "invalid-attestation", why));
    vec![
        Case {
            name: "as written",
            ..base
        },
        Case {
            name: "unknown top-level member",
            payload: |p| p.replacen('{', r#"{"zzz":{"future":1},"#, 1),
            ..base
        },
        Case {
            name: "url-safe base64 without padding, no keyid",
            file: |f| {
                let mut v: Value = serde_json::from_str(f).unwrap();
                let b = STANDARD.decode(v["payload"].as_str().unwrap()).unwrap();
                v["payload"] = URL_SAFE_NO_PAD.encode(b).into();
                let s = &mut v["signatures"][0];
                let b = STANDARD.decode(s["sig"].as_str().unwrap()).unwrap();
                s["sig"] = URL_SAFE_NO_PAD.encode(b).into();
                s.as_object_mut().unwrap().remove("keyid");
                v.to_string()
            },
            ..base
        },
        Case {
            name: "payload altered after signing",
            file: |f| {
                let mut v: Value = serde_json::from_str(f).unwrap();
                let b = STANDARD.decode(v["payload"].as_str().unwrap()).unwrap();
                let t = String::from_utf8(b).unwrap().replace("tar", "TAR");
                v["payload"] = STANDARD.encode(t).into();
                v.to_string()
            },
            fails: Some((
                "link-signatures",
                "too-few-signed-links",
                "invalid signature",
            )),
            ..base
        },
        Case {
            name: "signed by a key the step does not name",
            by_bob: true,
            fails: Some(("link-signatures", "too-few-signed-links", "found 0")),
            ..base
        },
        Case {
            name: "payloadType",
            payload_type: "application/json",
            fails: invalid("payloadType"),
            ..base
        },
        Case {
            name: "Statement v0.1",
            payload: |p| p.replace("Statement/v1", "Statement/v0.1"),
            fails: invalid("payload._type"),
            ..base
        },
        Case {
            name: "type for _type",
            payload: |p| p.replace("\"_type\"", "\"type\""),
            fails: invalid("\"type\""),
            ..base
        },
        Case {
            name: "predicateType",
            payload: |p| p.replace("link/v0.3", "link/v0.2"),
            fails: invalid("predicateType"),
            ..base
        },
        Case {
            name: "predicate.name",
            payload: |p| with(p, |v| v["predicate"]["name"] = json!("clone")),
            fails: invalid("predicate.name is \"clone\""),
            ..base
        },
        Case {
            name: "empty subject",
            payload: |p| with(p, |v| v["subject"] = json!([])),
            fails: invalid("subject: is empty"),
            ..base
        },
        Case {
            name: "subject without digest",
            payload: |p| with(p, |v| v["subject"][0]["digest"] = json!({})),
            fails: invalid("subject[0].digest"),
            ..base
        },
        Case {
            name: "subject without name",
            payload: |p| {
                with(p, |v| {
                    v["subject"][0].as_object_mut().unwrap().remove("name");
                })
            },
            fails: invalid("has no name"),
            ..base
        },
        Case {
            name: "upper-case hex",
            payload: |p| {
                with(p, |v| {
                    let d = v["subject"][0]["digest"]["sha256"].as_str().unwrap();
                    v["subject"][0]["digest"]["sha256"] = d.to_uppercase().into();
                })
            },
            fails: invalid("lower-case hex"),
            ..base
        },
        Case {
            name: "material names twice",
            payload: |p| {
                with(p, |v| {
                    let m = v["predicate"]["materials"][0].clone();
                    v["predicate"]["materials"].as_array_mut().unwrap().push(m);
                })
            },
            fails: invalid("twice"),
            ..base
        },
        Case {
            name: "command a string",
            payload: |p| with(p, |v| v["predicate"]["command"] = json!("tar -zcf")),
            fails: invalid("predicate.command"),
            ..base
        },
        Case {
            name: "byproducts a list",
            payload: |p| with(p, |v| v["predicate"]["byproducts"] = json!([])),
            fails: invalid("predicate.byproducts"),
            ..base
        },
        Case {
            name: "environment a string",
            payload: |p| with(p, |v| v["predicate"]["environment"] = json!("x")),
            fails: invalid("predicate.environment"),
            ..base
        },
        Case {
            name: "products member",
            payload: |p| with(p, |v| v["predicate"]["products"] = json!({})),
            fails: invalid("predicate.products"),
            ..base
        },
        Case {
            name: "materials a map",
            payload: |p| {
                with(p, |v| {
                    v["predicate"]["materials"] = json!({"demo-project/foo.py": {"sha256": "00"}})
                })
            },
            fails: invalid("is a map"),
            ..base
        },
        Case {
            name: "duplicate key",
            payload: |p| p.replace("\"command\":", "\"command\": [], \"command\":"),
            fails: invalid("duplicate key"),
            ..base
        },
        Case {
            name: "payload not base64",
            file: |f| {
                let mut v: Value = serde_json::from_str(f).unwrap();
                v["payload"] = "not base64!".into();
                v.to_string()
            },
            fails: Some(("link-loading", "link-unreadable", "package.")),
            ..base
        },
    ]
}

/// The payload text changed through its JSON value.
fn with(p: &str, f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(p).unwrap();
    f(&mut v);
    v.to_string()
}

#[test]
fn each_way_an_attestation_can_be_wrong_fails_at_its_stage() {
    let env = Env::new();
    let carl = chain(&env, "--attestation");
    env.key("bob.pem");
    let links = env.work().join("links");
    let file = links.join(format!("package.{}.link", &carl[..8]));
    let original = fs::read(&file).unwrap();
    let (_, payload) = envelope(&file);
    let payload = String::from_utf8(payload).unwrap();
    let mut reports = Vec::new();
    for case in cases() {
        let key = env
            .work()
            .join(if case.by_bob { "bob.pem" } else { "carl.pem" });
        signed(
            &file,
            (case.payload)(&payload).as_bytes(),
            case.payload_type,
            &key,
        );
        let text = fs::read_to_string(&file).unwrap();
        fs::write(&file, (case.file)(&text)).unwrap();
        let (code, report) = verify(&env, "links");
        match case.fails {
            None => assert_eq!(code, 0, "{}: {report:#}", case.name),
            Some((stage, kind, needle)) => {
                assert_eq!(code, 1, "{}: {report:#}", case.name);
                let f = &report["failure"];
                assert_eq!(f["stage"], stage, "{}: {f:#}", case.name);
                assert_eq!(f["kind"], kind, "{}: {f:#}", case.name);
                assert_eq!(f["step"], "package", "{}: {f:#}", case.name);
                let said = f["message"].as_str().unwrap();
                assert!(said.contains(needle), "{}: {needle:?} in {f:#}", case.name);
                if kind == "invalid-attestation" {
                    assert_eq!(f["file"], format!("package.{}.link", &carl[..8]));
                }
            }
        }
        fs::write(&file, &original).unwrap();
        reports.push(report);
    }
    // One key, both names: refused, naming both.
    fs::copy(&file, file.with_extension("json")).unwrap();
    let (code, report) = verify(&env, "links");
    assert_eq!(code, 1);
    reports.push(report.clone());
    if let Some(rf) = Reference::find() {
        crate::packager::validate(&rf, &reports);
    }
    let f = &report["failure"];
    assert_eq!(f["kind"], "two-link-files", "{f:#}");
    assert_eq!(f["stage"], "link-loading", "{f:#}");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!("package.{}.link", &carl[..8]))
            && msg.contains(&format!("package.{}.json", &carl[..8])),
        "{msg}"
    );
}

#[test]
fn an_armored_openpgp_signature_as_gittuf_writes_it_verifies() {
    let env = Env::new();
    chain(&env, "--attestation");
    let dave = env.fpr("dave");
    let links = env.work().join("links");
    let file = links.join(format!("clone.{}.link", &dave.to_lowercase()[..8]));
    let (mut e, payload) = envelope(&file);
    let pae = [
        format!("DSSEv1 {} {PT} {} ", PT.len(), payload.len()).into_bytes(),
        payload,
    ]
    .concat();
    fs::write(env.work().join("pae"), &pae).unwrap();
    let out = std::process::Command::new("gpg")
        .arg("--homedir")
        .arg(&env.gnupg)
        .args(["--batch", "--status-fd=2", "-bsau", &dave, "-o", "-"])
        .arg(env.work().join("pae"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.starts_with(b"-----BEGIN PGP SIGNATURE-----"));
    e["signatures"] = json!([{"keyid": dave.to_lowercase(), "sig": STANDARD.encode(&out.stdout)}]);
    fs::write(&file, e.to_string()).unwrap();
    let (code, report) = verify(&env, "links");
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_threshold_is_met_by_a_classic_link_and_an_attestation_together() {
    let env = Env::new();
    for k in [
        "alice.pem",
        "alice.pub",
        "bob.pub",
        "bob.pem",
        "carl.pub",
        "carl.pem",
    ] {
        env.key(k);
    }
    env.ok("layout new root.layout --expires 2099-01-01");
    let bob = env.ok("layout add-key root.layout --key bob.pub");
    let carl = env.ok("layout add-key root.layout --key carl.pub");
    env.ok(format!(
        "layout add-step root.layout --name build --threshold 2 --functionary {} --functionary {}",
        bob.stdout.trim(),
        carl.stdout.trim()
    ));
    env.ok("sign -f root.layout -k alice.pem");
    env.write("src.c", "int main;\n");
    env.ok("run -n build -m src.c -p src.c --signing-key bob.pem -- true");
    env.ok("run -n build -m src.c -p src.c --signing-key carl.pem --attestation -- true");
    let verify = "verify -l root.layout --verification-keys alice.pub";
    env.ok(verify);
    // The attestation does count: without it the threshold is not met.
    let carl_link = env
        .work()
        .join(format!("build.{}.link", &carl.stdout.trim()[..8]));
    fs::rename(&carl_link, carl_link.with_extension("json")).unwrap();
    env.ok(verify);
    fs::remove_file(carl_link.with_extension("json")).unwrap();
    env.fails(1, verify, "needs 2 link files, found 1");
}

/// An attestation as the classic link it stands for, unsigned.
fn classic(payload: &[u8]) -> Value {
    let st: Value = serde_json::from_slice(payload).unwrap();
    let map = |rds: &Value| -> Value {
        rds.as_array()
            .unwrap()
            .iter()
            .map(|rd| {
                (
                    rd["name"].as_str().unwrap().to_owned(),
                    rd["digest"].clone(),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let p = &st["predicate"];
    json!({
        "signatures": [],
        "signed": {
            "_type": "link",
            "name": p["name"],
            "command": p["command"],
            "materials": map(&p["materials"]),
            "products": map(&st["subject"]),
            "byproducts": p["byproducts"],
            "environment": p["environment"],
        }
    })
}

/// The attestations of `links` converted to classic links in `classic`,
/// each signed by the key that signed it (carl's PEM key or dave's GnuPG
/// key).
fn convert(env: &Env, links: &str, to: &str) {
    let (from, to) = (env.work().join(links), env.work().join(to));
    fs::create_dir_all(&to).unwrap();
    let carl = env.work().join("carl.pem");
    for f in names(&from) {
        let (_, payload) = envelope(&from.join(&f));
        let out = to.join(&f);
        fs::write(&out, classic(&payload).to_string()).unwrap();
        let key = if f.starts_with("package.") {
            format!("-k {}", carl.display())
        } else {
            format!("--gpg {}", env.fpr("dave"))
        };
        env.ok(format!("sign -f {0} -o {0} {key}", out.display()));
    }
}

#[test]
fn the_reference_reaches_the_same_verdict_on_the_links_made_classic() {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    let carl = chain(&env, "--attestation");
    // Three variants: as written; the package attestation re-signed with
    // a material digest that no longer matches update-version's product;
    // and a tarball that is not the one packaged (the inspection sees it).
    let package = format!("package.{}.link", &carl[..8]);
    let links = env.work().join("links");
    copy_links(&links, &env.work().join("links-bad-material"));
    let (_, payload) = envelope(&links.join(&package));
    let bad = with(std::str::from_utf8(&payload).unwrap(), |v| {
        v["predicate"]["materials"][0]["digest"]["sha256"] = "0".repeat(64).into();
    });
    signed(
        &env.work().join("links-bad-material").join(&package),
        bad.as_bytes(),
        PT,
        &env.work().join("carl.pem"),
    );
    for (links, tamper, passes) in [
        ("links", false, true),
        ("links-bad-material", false, false),
        ("links", true, false),
    ] {
        let conv = format!("classic-{links}-{tamper}");
        convert(&env, links, &conv);
        let w = env.work();
        let dir = final_product(&env, &format!("final-ref-{conv}"));
        let dir2 = final_product(&env, &format!("final-here-{conv}"));
        if tamper {
            for d in [&dir, &dir2] {
                fs::write(d.join("demo-project.tar.gz"), "not the package").unwrap();
            }
        }
        let mut r = rf.cmd(
            &env,
            (
                "in-toto-verify",
                format!(
                    "--layout {} --verification-keys {} --link-dir {}",
                    w.join("root.layout").display(),
                    w.join("alice.pub").display(),
                    w.join(&conv).display()
                ),
            ),
        );
        r.current_dir(&dir);
        let reference = crate::common::output(r);
        let (reference, said) = (reference.code, reference.text());
        let mut c = env.cmd(format!(
            "verify --layout {} --verification-keys {} --link-dir {}",
            w.join("root.layout").display(),
            w.join("alice.pub").display(),
            w.join(links).display()
        ));
        c.current_dir(&dir2);
        let ours = crate::common::output(c);
        assert_eq!(
            (reference == 0, ours.code == 0),
            (passes, passes),
            "{links} tampered={tamper}: reference exit {reference} ({said}), intoto: {}",
            ours.text()
        );
    }
}

fn copy_links(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for f in names(from) {
        fs::copy(from.join(&f), to.join(&f)).unwrap();
    }
}
