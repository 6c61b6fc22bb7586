//! Canonical bytes: what classic signatures cover is securesystemslib's
//! canonical JSON of the `signed` value, whatever the order of its members
//! on disk or in memory. Random documents against securesystemslib's own
//! encoder; layouts authored here with many keys and unsorted steps,
//! verified by the reference; reference-signed layouts with their members
//! reversed, verified and co-signed here.

use std::fs;

use serde_json::Value;

use crate::common::{Env, Reference, expect};

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CHARS: &[char] = &[
    'a',
    'b',
    'Z',
    '_',
    '0',
    ' ',
    '"',
    '\\',
    '/',
    '\n',
    '\t',
    '\r',
    '\u{0}',
    '\u{1}',
    '\u{1f}',
    '\u{7f}',
    '\u{80}',
    '\u{9b}',
    'é',
    'ß',
    '\u{2028}',
    '\u{fffd}',
    '✓',
    '中',
    '\u{1f600}',
    '\u{10ffff}',
    '\u{e000}',
    'A',
    'z',
];

fn random_string(r: &mut Rng) -> String {
    (0..r.below(8))
        .map(|_| CHARS[r.below(CHARS.len() as u64) as usize])
        .collect()
}

/// Writes a JSON string, escaping each character one of the ways JSON
/// allows (raw where allowed, `\uXXXX`, surrogate pairs, short escapes).
fn write_string(r: &mut Rng, s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let must = c == '"' || c == '\\' || (c as u32) < 0x20;
        match (must, r.below(3)) {
            (false, 0) | (false, 1) => out.push(c),
            _ => match c {
                '"' if r.below(2) == 0 => out.push_str("\\\""),
                '\\' if r.below(2) == 0 => out.push_str("\\\\"),
                '\n' if r.below(2) == 0 => out.push_str("\\n"),
                '/' => out.push_str("\\/"),
                _ => {
                    let mut buf = [0u16; 2];
                    for u in c.encode_utf16(&mut buf) {
                        out.push_str(&format!("\\u{:04x}", u));
                    }
                }
            },
        }
    }
    out.push('"');
}

/// A random JSON text: objects in random member order, nested arrays,
/// integers across the i64/u64 range, booleans, null, awkward strings.
fn random_json(r: &mut Rng, depth: u32, out: &mut String) {
    let kind = if depth == 0 { r.below(4) } else { r.below(6) };
    match kind {
        0 => {
            let s = random_string(r);
            write_string(r, &s, out)
        }
        1 => {
            let n: i128 = match r.below(4) {
                0 => r.below(10) as i128,
                1 => -(r.next() as i64 as i128).abs(),
                2 => r.next() as i128,
                _ => i64::MIN as i128,
            };
            out.push_str(&n.to_string());
        }
        2 => out.push_str(["true", "false", "null"][r.below(3) as usize]),
        3 => write_string(r, "", out),
        4 => {
            out.push('[');
            for i in 0..r.below(4) {
                if i > 0 {
                    out.push_str(if r.below(2) == 0 { "," } else { " , " });
                }
                random_json(r, depth - 1, out);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            let mut keys: Vec<String> = Vec::new();
            for _ in 0..r.below(6) {
                let k = random_string(r);
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n ");
                }
                write_string(r, k, out);
                out.push_str(": ");
                random_json(r, depth - 1, out);
            }
            out.push('}');
        }
    }
}

/// Random documents encoded by intoto and by securesystemslib's
/// `encode_canonical` give identical bytes.
#[test]
fn random_documents_encode_like_securesystemslib() {
    let Some(rf) = Reference::find() else { return };
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let docs: Vec<String> = (0..400)
        .map(|_| {
            let mut s = String::new();
            random_json(&mut r, 5, &mut s);
            s
        })
        .collect();
    let script = "import json, sys\nfrom securesystemslib.formats import encode_canonical\n\
                  for line in sys.stdin.buffer:\n    v = json.loads(json.loads(line))\n    \
                  sys.stdout.buffer.write(json.dumps(list(encode_canonical(v).encode('utf-8'))).encode() + b'\\n')\n";
    let lines: Vec<Value> = docs.iter().map(|d| Value::String(d.clone())).collect();
    let out = rf.python_lines(script, &[], &lines);
    let theirs: Vec<Vec<u8>> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(theirs.len(), docs.len());
    for (doc, want) in docs.iter().zip(&theirs) {
        let ours = intoto_format::json::canonicalize(doc.as_bytes()).unwrap();
        assert_eq!(
            &ours,
            want,
            "document {doc:?}: intoto {:?}",
            String::from_utf8_lossy(&ours)
        );
    }
}

/// `intoto key id` of a PEM key, or the fingerprint of a GnuPG key.
fn keyid(env: &Env, spec: &(&str, &str)) -> String {
    match spec {
        ("pem", f) => {
            let out = expect(env.intoto(["-q", "key", "id", f]), 0);
            out.trim().to_owned()
        }
        (_, name) => env.fpr(name).to_lowercase(),
    }
}

fn add_key_args(env: &Env, spec: &(&str, &str)) -> Vec<String> {
    match spec {
        ("pem", f) => vec!["--key".into(), (*f).into()],
        (_, name) => vec!["--gpg".into(), env.fpr(name)],
    }
}

/// Authors a layout with five functionary keys of mixed types, added in
/// descending key-id order, and steps out of alphabetical order.
fn author(env: &Env, dsse: bool) -> Vec<String> {
    for k in [
        "alice.pub",
        "bob.pub",
        "carl.pub",
        "alice.pem",
        "bob.pem",
        "carl.pem",
    ] {
        env.key(k);
    }
    let specs = [
        ("pem", "alice.pub"),
        ("pem", "bob.pub"),
        ("pem", "carl.pub"),
        ("gpg", "alice"),
        ("gpg", "carl"),
    ];
    let mut keyed: Vec<(String, (&str, &str))> =
        specs.iter().map(|s| (keyid(env, s), *s)).collect();
    keyed.sort_by(|a, b| b.0.cmp(&a.0));
    let mut new = env.intoto(["layout", "new", "root.layout", "--expires", "2099-12-31"]);
    if dsse {
        new.arg("--dsse");
    }
    expect(new, 0);
    for (_, spec) in &keyed {
        let mut c = env.intoto(["layout", "add-key", "root.layout"]);
        c.args(add_key_args(env, spec));
        expect(c, 0);
    }
    let id = |name: &str| keyed.iter().find(|(_, s)| s.1 == name).unwrap().0.clone();
    let step = |name: &str, funcs: &[&str], threshold: &str, mats: &[&str], prods: &[&str]| {
        let mut c = env.intoto(["layout", "add-step", "root.layout", "--name", name]);
        for f in funcs {
            c.args(["--functionary", &id(f)]);
        }
        c.args(["--threshold", threshold]);
        for m in mats {
            c.args(["--material", m]);
        }
        for p in prods {
            c.args(["--product", p]);
        }
        expect(c, 0);
    };
    step(
        "zeta",
        &["bob.pub", "carl.pub"],
        "2",
        &[],
        &["CREATE a.txt", "DISALLOW *"],
    );
    step(
        "alpha",
        &["carl", "alice.pub"],
        "1",
        &["MATCH a.txt WITH PRODUCTS FROM zeta", "DISALLOW *"],
        &["ALLOW a.txt", "CREATE b.txt", "DISALLOW *"],
    );
    step(
        "mid",
        &["alice"],
        "1",
        &["MATCH * WITH PRODUCTS FROM alpha", "DISALLOW *"],
        &["MATCH * WITH PRODUCTS FROM alpha", "DISALLOW *"],
    );
    keyed.into_iter().map(|(id, _)| id).collect()
}

/// Functionaries perform the steps with `intoto run`: PEM keys write DSSE
/// links when `dsse` (the reference cannot verify GnuPG-signed DSSE).
fn perform(env: &Env, dsse: bool) {
    let run = |name: &str, key: &[&str], m: &[&str], p: &[&str], cmd: &str| {
        let mut c = env.intoto(["run", "-n", name]);
        c.args(key);
        if dsse && key[0] == "--signing-key" {
            c.arg("--use-dsse");
        }
        if !m.is_empty() {
            c.arg("-m").args(m);
        }
        c.arg("-p").args(p).args(["--", "sh", "-c", cmd]);
        expect(c, 0);
    };
    let carl_fpr = env.fpr("carl");
    let alice_fpr = env.fpr("alice");
    for k in ["bob.pem", "carl.pem"] {
        run(
            "zeta",
            &["--signing-key", k],
            &[],
            &["a.txt"],
            "echo a > a.txt",
        );
    }
    run(
        "alpha",
        &["--gpg", &carl_fpr],
        &["a.txt"],
        &["a.txt", "b.txt"],
        "echo b > b.txt",
    );
    run(
        "mid",
        &["--gpg", &alice_fpr],
        &["a.txt", "b.txt"],
        &["a.txt", "b.txt"],
        "true",
    );
}

fn verify_both_ways(env: &Env, rf: &Reference, owners_pem: &[&str], owners_gpg: &[String]) {
    let pem = owners_pem.join(" ");
    let gpg = owners_gpg.join(" ");
    // in-toto-sign takes either PEM keys or GnuPG keys, not both.
    rf.ok(
        env,
        format!("in-toto-sign -f root.layout --verify -k {pem}"),
    );
    if !owners_gpg.is_empty() {
        rf.ok(
            env,
            format!("in-toto-sign -f root.layout --verify --gpg {gpg}"),
        );
    }
    let gpg = if gpg.is_empty() {
        gpg
    } else {
        format!("--gpg {gpg}")
    };
    rf.ok(
        env,
        format!("in-toto-verify -l root.layout --verification-keys {pem} {gpg}"),
    );
    env.ok(format!(
        "verify -l root.layout --verification-keys {pem} {gpg}"
    ));
}

#[test]
fn layouts_authored_with_many_keys_verify_in_the_reference() {
    let Some(rf) = Reference::find() else { return };
    // Metablock: owner alice (PEM RSA), co-signed by alice's GnuPG key.
    let env = Env::new();
    let ids = author(&env, false);
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "keys added in descending id order"
    );
    env.ok("sign -f root.layout -k alice.pem");
    let alice = env.fpr("alice");
    env.ok(format!("sign -f root.layout -a --gpg {alice}"));
    perform(&env, false);
    verify_both_ways(&env, &rf, &["alice.pub"], &[alice]);

    // DSSE: owners alice (RSA) and bob (ECDSA), both PEM.
    let env = Env::new();
    author(&env, true);
    env.ok("sign -f root.layout -k alice.pem");
    env.ok("sign -f root.layout -a -k bob.pem");
    perform(&env, true);
    verify_both_ways(&env, &rf, &["alice.pub", "bob.pub"], &[]);
}

/// Every object of a JSON value with its members in reverse order.
fn reversed(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .rev()
                .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), reversed(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(reversed).collect();
            format!("[{}]", parts.join(", "))
        }
        other => serde_json::to_string(other).unwrap(),
    }
}

#[test]
fn reference_layouts_with_members_reordered_verify_and_co_sign_here() {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    for k in ["alice.pem", "alice.pub", "bob.pem", "bob.pub", "carl.pub"] {
        env.key(k);
    }
    // The reference signs a layout with two functionary keys.
    author_minimal(&env);
    rf.ok(&env, "in-toto-sign -f root.layout -k alice.pem");
    // The same document, every object's members in reverse order.
    let v: Value =
        serde_json::from_slice(&fs::read(env.work().join("root.layout")).unwrap()).unwrap();
    let text = reversed(&v);
    assert_ne!(
        serde_json::to_string(&v).unwrap(),
        text,
        "the rewrite changes the order"
    );
    fs::write(env.work().join("root.layout"), &text).unwrap();
    env.ok("sign -f root.layout --verify -k alice.pub");
    // Co-signing keeps what was signed, so both signatures verify there.
    env.ok("sign -f root.layout -a -k bob.pem --signed-by alice.pub");
    rf.ok(
        &env,
        "in-toto-sign -f root.layout --verify -k alice.pub bob.pub",
    );
}

/// An unsigned layout with two functionary keys (PEM) and two steps.
fn author_minimal(env: &Env) {
    env.ok("layout new root.layout --expires 2099-12-31");
    for k in ["carl.pub", "bob.pub"] {
        env.ok(format!("layout add-key root.layout --key {k}"));
    }
    let carl = env.ok("-q key id carl.pub").text();
    for name in ["second", "first"] {
        env.ok((
            format!("layout add-step root.layout --name {name} --functionary {carl}"),
            ["--product", "ALLOW *"],
        ));
    }
}

/// A field intoto does not know is signed as it stands (and kept by
/// co-signing), with a warning that the reference will not verify it;
/// added after signing, it breaks the signature.
#[test]
fn unknown_fields_are_signed_as_they_stand_with_a_warning() {
    let Some(rf) = Reference::find() else { return };
    let env = Env::new();
    for k in ["alice.pem", "alice.pub", "bob.pem", "bob.pub", "carl.pub"] {
        env.key(k);
    }
    author_minimal(&env);
    let file = env.work().join("root.layout");
    let plain = env.ok("sign -f root.layout -k alice.pem").text();
    assert!(!plain.contains("does not know"), "{plain}");
    // Added after signing: the signature no longer covers the file.
    let text = fs::read_to_string(&file).unwrap();
    let extended = text.replacen(
        "\"_type\": \"layout\"",
        "\"_type\": \"layout\",\n  \"x-vendor\": {\"b\": 2, \"a\": [1]}",
        1,
    );
    assert_ne!(extended, text);
    fs::write(&file, &extended).unwrap();
    env.code(1, "sign -f root.layout --verify -k alice.pub");
    // Signed with it: a warning, and the field is covered and kept.
    let out = env.ok("sign -f root.layout -k alice.pem").text();
    assert!(out.contains("holds fields intoto does not know"), "{out}");
    env.ok("sign -f root.layout -a -k bob.pem --signed-by alice.pub");
    let v: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    assert_eq!(v["signed"]["x-vendor"]["a"][0], 1);
    env.ok("sign -f root.layout --verify -k alice.pub bob.pub");
    // The reference drops the field before checking, as the warning says.
    rf.code(&env, 1, "in-toto-sign -f root.layout --verify -k alice.pub");
}
