//! Rebuilders' keys into a layout, and the ready rebuild layout, against
//! two loopback rebuilderd-like servers (`loopback::rebuilderd` with its
//! public-keys endpoint) serving the apt test's links (`apt.rs`'s `Apt`)
//! under the legacy key ids rebuilderd signs with: `layout add-key
//! --rebuilder`, `layout new --rebuilders … --threshold K` and
//! `--rebuilders-from` (kpcyrd/rebuilderd-community's list), then apt and
//! `verify-archive` with that layout, as README.md's apt section has it.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::apt::{Apt, tools};
use crate::common::archive::{lines, verdicts, verify_archive};
use crate::common::check;
use crate::common::loopback::{Server, public_keys, rebuilderd, serve};

/// A rebuilderd on loopback answering `key`'s PEM and the links of the
/// rebuilder `dir` (`links/a` or `links/b`) with their signatures renamed
/// to `key`'s legacy id (what rebuilderd's in-toto-rs writes; the
/// signature covers the signed part only, so it still verifies).
fn legacy_rebuilderd(apt: &Apt, dir: &str, key: &str) -> (Server, String) {
    let env = &apt.env;
    let modern = env.ok(format!("key id {key}")).stdout.trim().to_owned();
    let legacy = env
        .ok(format!("key id {key} --legacy-keyid"))
        .stdout
        .trim()
        .to_owned();
    let mut links = Vec::new();
    for e in fs::read_dir(apt.root.join(dir).join("sources")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
        let text = fs::read_to_string(p.join("1.0/metadata")).unwrap();
        assert!(text.contains(&modern), "{text}");
        links.push((name, text.replace(&modern, &legacy).into_bytes()));
    }
    links.sort();
    let pem = fs::read(env.work().join(key)).unwrap();
    (serve(public_keys(pem, rebuilderd(links))), legacy)
}

/// SHA-256 of the key's DER SubjectPublicKeyInfo, by openssl.
fn openssl_fingerprint(pem: &Path) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl pkey -pubin -in '{}' -outform DER | sha256sum",
            pem.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

#[test]
fn the_readme_apt_section_from_layout_new_rebuilders() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let env = &apt.env;
    let (ra, bob_id) = legacy_rebuilderd(&apt, "links/a", "bob.pub");
    let (rb, carl_id) = legacy_rebuilderd(&apt, "links/b", "carl.pub");

    // One key, trusted on first use, under the id its links carry.
    env.ok("layout new one.layout --expires 1y");
    let out = env.ok(format!("layout add-key one.layout --rebuilder {}", ra.url));
    assert_eq!(out.stdout.trim(), bob_id);
    let fpr = openssl_fingerprint(&env.work().join("bob.pub"));
    assert!(
        out.stderr.contains(&format!("fingerprint SHA256:{fpr}")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(&format!("its attestations carry key id {bob_id}")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("trust on first use"), "{}", out.stderr);
    assert!(
        ra.seen
            .lock()
            .unwrap()
            .contains(&"/api/v0/public-keys".to_owned())
    );
    let layout = env.json("one.layout");
    assert_eq!(layout["signed"]["keys"][&bob_id]["keyid"], bob_id.as_str());

    // The ready layout: both keys, threshold 2, signed by the owner.
    let out = env.ok((
        "layout new std.layout --expires 2099-01-01 --threshold 2 --rebuilders",
        [ra.url.as_str(), rb.url.as_str()],
    ));
    assert_eq!(out.stderr.matches("trust on first use").count(), 2);
    let rebuilders_line = out
        .stderr
        .lines()
        .find_map(|l| l.split_once("APT::Intoto::Rebuilders"))
        .map(|(_, r)| format!("  Rebuilders{r}\n"))
        .unwrap_or_else(|| panic!("no apt line in {}", out.stderr));
    let signed = &env.json("std.layout")["signed"];
    let step = &signed["steps"][0];
    assert_eq!(step["name"], "rebuild");
    assert_eq!(step["threshold"], 2);
    assert_eq!(step["pubkeys"], serde_json::json!([bob_id, carl_id]));
    let inspection = &signed["inspect"][0];
    assert_eq!(inspection["run"], serde_json::json!(["true"]));
    assert_eq!(
        inspection["expected_materials"][0],
        serde_json::json!(["MATCH", "{DEB}", "WITH", "PRODUCTS", "FROM", "rebuild"])
    );
    env.ok(format!("sign -f std.layout --gpg {}", env.fpr("alice")));
    fs::copy(env.work().join("std.layout"), apt.root.join("std.layout")).unwrap();

    // apt with that layout and the rebuilders as `layout new` named them.
    let d = apt.root.display();
    let extra = format!("  Layout \"{d}/std.layout\";\n{rebuilders_line}");
    assert!(extra.contains("rebuilderd:http://127.0.0.1"), "{extra}");
    apt.configure(&apt.mirror.url, &extra, false);
    apt.ok(&["update"]);
    apt.ok(&["download", "good1"]);
    apt.fails(&["download", "differs"], "failed verification");
    apt.fails(
        &["download", "onelink"],
        "step 'rebuild' needs 2 link files, found 1",
    );
    apt.fails(&["download", "nolinks"], "not enough evidence");
    assert_eq!(apt.debs(), ["dl/good1_1.0_all.deb"]);
    apt.clean();

    // verify-archive: the same verdicts as with the hand-written layout.
    let (va, vb) = (
        format!("rebuilderd:{}", ra.url),
        format!("rebuilderd:{}", rb.url),
    );
    let layout = apt.root.join("std.layout");
    let c = verify_archive(
        &apt,
        &[
            "--layout",
            layout.to_str().unwrap(),
            "--rebuilder",
            &va,
            "--rebuilder",
            &vb,
        ],
    );
    let got = verdicts(&lines(&check(c, 1)).0);
    let want: Vec<(String, String)> = [
        ("differs", "failed"),
        ("good1", "verified"),
        ("good2", "verified"),
        ("good3", "verified"),
        ("good4", "verified"),
        ("nolinks", "missing-evidence"),
        ("onelink", "missing-evidence"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(got, want);

    // The community's list: the Debian rebuilders of a README, the Arch
    // Linux one (unreachable) left out; the same keys and step.
    env.write(
        "rebuilders.md",
        &format!(
            "Public instances.\n\n```toml\n[[rebuilder]]\nname = \"A\"\nurl = \"{}/\"\n\
             distributions = [\"debian\"]\n\n[[rebuilder]]\nname = \"Arch\"\n\
             url = \"http://127.0.0.1:9/\"\ndistributions = [\"archlinux\"]\n\n\
             [[rebuilder]]\nname = \"B\"\nurl = \"{}\"\ndistributions = [\"archlinux\", \"debian\"]\n```\n",
            ra.url, rb.url
        ),
    );
    env.ok("layout new from-list.layout --expires 2099-01-01 --threshold 2 --rebuilders-from rebuilders.md");
    let from_list = &env.json("from-list.layout")["signed"];
    assert_eq!(from_list["keys"], signed["keys"]);
    assert_eq!(from_list["steps"], signed["steps"]);
    env.fails(
        1,
        "layout new arch.layout --expires 1y --threshold 1 --rebuilders-from rebuilders.md --distribution archlinux",
        "127.0.0.1:9/api/v0/public-keys",
    );
    assert!(!env.work().join("arch.layout").exists());
}

#[test]
fn what_cannot_make_a_rebuild_layout_is_refused() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let env = &apt.env;
    let (ra, _) = legacy_rebuilderd(&apt, "links/a", "bob.pub");
    // Too high a threshold, a server that is no rebuilderd, a list
    // without entries: one error line each, no file written.
    env.fails(
        1,
        format!(
            "layout new x.layout --expires 1y --threshold 2 --rebuilders {}",
            ra.url
        ),
        "--threshold 2: give 1 to 1",
    );
    env.fails(
        1,
        format!(
            "layout new x.layout --expires 1y --threshold 1 --rebuilders {}",
            apt.mirror.url
        ),
        "HTTP 404",
    );
    env.write("empty.toml", "title = \"nothing\"\n");
    env.fails(
        1,
        "layout new x.layout --expires 1y --threshold 1 --rebuilders-from empty.toml",
        "empty.toml: no [[rebuilder]] entry",
    );
    env.fails(
        1,
        "layout new x.layout --expires 1y --threshold 1 --rebuilders ftp://x",
        "expected a rebuilderd URL",
    );
    assert!(!env.work().join("x.layout").exists());
    let out = env.code(
        2,
        "layout new x.layout --expires 1y --rebuilders http://127.0.0.1:9",
    );
    assert!(out.stderr.contains("--threshold <K>"), "{}", out.stderr);
    // The same key twice (two URLs of one server).
    env.fails(
        1,
        (
            "layout new x.layout --expires 1y --threshold 1 --rebuilders",
            [ra.url.as_str(), &format!("{}/other", ra.url)],
        ),
        "the same key as another rebuilder",
    );
}

/// The ready layout for reproduce.debian.net's real key (asked on
/// rebuilderd's v1 API when the v0 one is not there) verifies its real
/// attestation of a `.deb` (`testdata/thirdparty/rebuilderd-debian-deb`),
/// and refuses the `.deb` altered.
#[test]
fn the_ready_layout_fits_a_real_rebuilderd_attestation() {
    use crate::common::{Env, loopback::files, testdata};
    let env = Env::new();
    let case = testdata().join("thirdparty/rebuilderd-debian-deb");
    // A rebuilderd answering its keys on its v1 API only.
    let pem = fs::read(case.join("keys/reproduce-debian-net-amd64.pub")).unwrap();
    let v1 = public_keys(pem, files(env.path("nothing")));
    let server = serve(std::sync::Arc::new(move |p: &str| {
        match p.strip_suffix("/api/v1/meta/public-keys") {
            Some(base) => v1(&format!("{base}/api/v0/public-keys")),
            None => crate::common::loopback::Answer::NotFound,
        }
    }));
    let out = env.ok(format!(
        "layout new root.layout --expires 1y --threshold 1 --rebuilders {}",
        server.url
    ));
    assert!(
        out.stderr.contains(
            "its attestations carry key id 2980aa6249ad89ce0ef0f0f5e6d0896214301b2818aad33443444cf460df6ed6"
        ),
        "{}",
        out.stderr
    );
    env.key("alice.pem");
    env.key("alice.pub");
    env.ok("sign -f root.layout -k alice.pem");
    crate::common::copy_dir(&case.join("links"), &env.work().join("links"));
    crate::common::copy_dir(&case.join("final"), &env.work().join("final"));
    let deb = "librust-as-slice-dev_0.2.1-1+b2_amd64.deb";
    let verify = || {
        let mut c = env.cmd(format!(
            "verify -l ../root.layout --verification-keys ../alice.pub --link-dir ../links --param DEB={deb}"
        ));
        c.current_dir(env.work().join("final"));
        c
    };
    check(verify(), 0);
    let p = env.work().join("final").join(deb);
    let mut b = fs::read(&p).unwrap();
    b[100] ^= 0x20;
    fs::write(&p, b).unwrap();
    let out = check(verify(), 1);
    assert!(out.stderr.contains("digest differs"), "{}", out.stderr);
}
