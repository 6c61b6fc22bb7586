//! Signatures both ways with the Python reference: links signed here
//! (PEM keys, GnuPG keys through gpg-agent and through the gpg command
//! line) verify there and the reference's verify here; exported GnuPG key
//! dicts and the canonical bytes that are signed are the same.

use std::fs;

use crate::common::{Env, Reference, check, testdata};

#[test]
fn pem_links_signed_here_verify_in_the_reference() {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    env.write("src/x.txt", "x\n");
    for name in ["alice", "bob", "carl"] {
        env.key(&format!("{name}.pem"));
        env.key(&format!("{name}.pub"));
        for dsse in [false, true] {
            let step = format!("{name}{}", if dsse { "-dsse" } else { "" });
            let dsse_flag = if dsse { "--use-dsse" } else { "" };
            env.ok(format!(
                "run -n {step} -m src -x --signing-key {name}.pem {dsse_flag}"
            ));
            let link = env.link(&step);
            rf.ok(
                &env,
                format!("in-toto-sign --verify -k {name}.pub -f {}", link.display()),
            );
            // A tampered copy fails there too (the check is real).
            if !dsse {
                let text = fs::read_to_string(&link)
                    .unwrap()
                    .replace("src/x.txt", "src/y.txt");
                env.write("tampered.link", &text);
                rf.code(
                    &env,
                    1,
                    format!("in-toto-sign --verify -k {name}.pub -f tampered.link"),
                );
            }
            fs::remove_file(&link).unwrap();
        }
    }
}

#[test]
fn pem_links_signed_by_the_reference_verify_here() {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    env.write("src/x.txt", "x\n");
    for name in ["alice", "bob", "carl"] {
        env.key(&format!("{name}.pem"));
        env.key(&format!("{name}.pub"));
        rf.ok(
            &env,
            format!("in-toto-run -n ref -m src -x --signing-key {name}.pem"),
        );
        let link = env.link("ref");
        env.ok(format!("sign --verify -k {name}.pub -f {}", link.display()));
        fs::remove_file(&link).unwrap();
    }
}

/// Links and layouts signed here with demo GnuPG keys through `backend`
/// verify in the reference (and here).
fn gpg_signatures_verify_in_the_reference(backend: &str) {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    env.write("src/x.txt", "x\n");
    let gnupg = env.gnupg.display();
    // RSA, RSA signing subkey, DSA, Ed25519 (the reference cannot read
    // Ed25519 *subkeys*: bob's subkey is checked only here, in
    // keys.rs).
    for name in ["alice", "carl", "dave", "gina"] {
        let fpr = env.fpr(name);
        let step = format!("{name}-{backend}");
        let mut run = env.cmd(format!("run -n {step} -m src -x --gpg {fpr}"));
        run.env("INTOTO_GPG_BACKEND", backend);
        check(run, 0);
        let link = env.link(&step);
        let link = link.display();
        rf.ok(
            &env,
            format!("in-toto-sign --verify --gpg {fpr} --gpg-home {gnupg} -f {link}"),
        );
        env.ok(format!("sign --verify --gpg {fpr} -f {link}"));
        // A layout signed with the key passes in-toto-verify --gpg.
        let lay = format!("{step}.layout");
        env.ok(format!("layout new {lay} --expires 1y"));
        let mut sign = env.cmd(format!("sign -f {lay} --gpg {fpr}"));
        sign.env("INTOTO_GPG_BACKEND", backend);
        check(sign, 0);
        rf.ok(
            &env,
            format!("in-toto-verify --layout {lay} --gpg {fpr} --gpg-home {gnupg}"),
        );
    }
}

#[test]
fn gpg_signatures_made_through_gpg_agent_verify_in_the_reference() {
    gpg_signatures_verify_in_the_reference("gpgme");
}

#[test]
fn gpg_signatures_made_with_the_gpg_command_line_verify_in_the_reference() {
    gpg_signatures_verify_in_the_reference("cli");
}

#[test]
fn exported_gpg_keys_equal_the_reference_and_fix_ed25519() {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    for (name, same) in [
        ("alice", true),
        ("carl", true),
        ("dave", true),
        ("gina", true),
        ("bob", false),
    ] {
        let fpr = env.fpr(name);
        let ours = env.ok(format!("key export --gpg {fpr}")).json_only();
        let theirs = check(
            rf.python(&format!(
                "import json; from securesystemslib._gpg.functions import export_pubkey; \
                 print(json.dumps(export_pubkey('{fpr}', homedir='{}')))",
                env.gnupg.display()
            )),
            0,
        )
        .json();
        if same {
            assert_eq!(ours, theirs, "{name}");
        } else {
            // The reference drops Ed25519 subkeys; everything else is equal.
            let mut o = ours.clone();
            let subs = o
                .as_object_mut()
                .unwrap()
                .remove("subkeys")
                .expect("bob's subkeys are exported");
            assert_eq!(o, theirs, "{name}");
            assert!(
                subs.as_object()
                    .unwrap()
                    .contains_key(&env.fprs("bob")[1].to_lowercase())
            );
        }
    }
}

/// Golden canonical bytes: what securesystemslib's encode_canonical makes
/// of the reference's own links (non-ASCII, control characters, quotes,
/// backslashes) equals what intoto signs and checks.
#[test]
fn canonical_bytes_equal_securesystemslib() {
    let Some(rf) = Reference::find() else { return };
    let case = testdata().join("interop/cases/canonical-json-unicode/links");
    let env = Env::new();
    // A link with recorded streams full of awkward characters, too.
    env.key("carl.pem");
    env.ok((
        "run -n streams -s --signing-key carl.pem -- sh -c",
        ["printf 'tab\\there \"quoted\" back\\\\slash \\303\\251 \\342\\234\\223 \\001\\n'; printf 'err\\r\\n' >&2"],
    ));
    let mut files: Vec<std::path::PathBuf> = fs::read_dir(&case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(env.work().join("streams.6f44242c.link"));
    let script = "import json, sys\nfrom securesystemslib.formats import encode_canonical\nfrom in_toto.models.metadata import Metadata\nm = Metadata.load(sys.argv[1])\nsys.stdout.buffer.write(m.signed.signable_bytes)";
    for f in files {
        let out = rf.python(script).arg(&f).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env = intoto_format::models::Envelope::from_slice(&fs::read(&f).unwrap()).unwrap();
        assert_eq!(env.signed_bytes().to_vec(), out.stdout, "{}", f.display());
    }
}
