//! The fuzz checks of the library crate: signatures over any envelope,
//! PEM and OpenPGP keys, the rule engine, globs, rcfiles.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use intoto::keys::openpgp::{self, GpgKey};
use intoto::keys::pem::{self, PemSigner, SslibKey};
use intoto::keys::{KeyDict, Signer, verify_envelope};
use intoto::rules::glob::Glob;
use intoto::rules::{ItemKind, Side, apply_rules};
use intoto::settings;
use intoto_format::json::{self, Value};
use intoto_format::models::rule::{Rule, shell_split};
use intoto_format::models::{Envelope, Link, Signed};

/// The verification time used throughout (2025-06-15T00:00:00Z).
pub const NOW: i64 = 1_749_945_600;

/// The policy the checks judge keys by.
fn policy(time: i64, allow_noninteroperable: bool) -> intoto::policy::Policy {
    intoto::policy::Policy::at(time).allowing_noninteroperable(allow_noninteroperable)
}

/// `Envelope::from_slice`, then every signature checked with every fixed
/// key (PEM and GnuPG) without panicking.
pub fn signatures(data: &[u8]) {
    let Ok(env) = Envelope::from_slice(data) else {
        return;
    };
    for k in fixed_keys() {
        let v = intoto::keys::verifier(&k.dict, &policy(NOW, true));
        let _ = (k.name, verify_envelope(&env, v.as_ref()));
    }
}

/// A fixed key, for the verification paths.
struct FixedKey {
    name: &'static str,
    dict: KeyDict,
}

/// The test keys: PEM public keys and the demo GnuPG keys.
fn fixed_keys() -> &'static [FixedKey] {
    static KEYS: OnceLock<Vec<FixedKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let pems: [(&str, &[u8]); 4] = [
            (
                "alice.pub",
                include_bytes!("../../../../testdata/keys/alice.pub"),
            ),
            (
                "bob.pub",
                include_bytes!("../../../../testdata/keys/bob.pub"),
            ),
            (
                "carl.pub",
                include_bytes!("../../../../testdata/keys/carl.pub"),
            ),
            (
                "dan.pub",
                include_bytes!("../../../../testdata/keys/dan.pub"),
            ),
        ];
        let gpgs: [(&str, &[u8]); 7] = [
            (
                "alice.asc",
                include_bytes!("../../../../testdata/keys/alice.asc"),
            ),
            (
                "bob.asc",
                include_bytes!("../../../../testdata/keys/bob.asc"),
            ),
            (
                "carl.asc",
                include_bytes!("../../../../testdata/keys/carl.asc"),
            ),
            (
                "dave.asc",
                include_bytes!("../../../../testdata/keys/dave.asc"),
            ),
            (
                "erin.asc",
                include_bytes!("../../../../testdata/keys/erin.asc"),
            ),
            (
                "frank.asc",
                include_bytes!("../../../../testdata/keys/frank.asc"),
            ),
            (
                "gina.asc",
                include_bytes!("../../../../testdata/keys/gina.asc"),
            ),
        ];
        let mut out = Vec::new();
        for (name, text) in pems {
            let key = pem::load_public(Path::new(name), text)
                .unwrap_or_else(|e| panic!("fixed key {name}: {e}"));
            out.push(FixedKey {
                name,
                dict: KeyDict::Sslib(key),
            });
        }
        for (name, text) in gpgs {
            let certs =
                openpgp::read_certs(text).unwrap_or_else(|e| panic!("fixed key {name}: {e}"));
            for cert in &certs {
                // Some demo keys are expired or not interoperable: take
                // whatever converts, as the verifier would see it.
                for t in [NOW, 1_600_000_000] {
                    if let Ok(dict) = openpgp::cert_to_dict(cert, &policy(t, true)) {
                        out.push(FixedKey {
                            name,
                            dict: KeyDict::Gpg(dict),
                        });
                        break;
                    }
                }
            }
        }
        out
    })
}

fn fixed_gpg_keys() -> impl Iterator<Item = &'static GpgKey> {
    fixed_keys().iter().filter_map(|k| match &k.dict {
        KeyDict::Gpg(g) => Some(g),
        KeyDict::Sslib(_) => None,
    })
}

/// A key dict from JSON (`KeyDict::from_value`): when it parses, its
/// written form parses back as the same key.
fn key_dict(data: &[u8]) {
    let Ok(v) = json::parse(data) else {
        return;
    };
    let candidates: Vec<(&str, &Value)> = match &v {
        // A layout's `keys` map, or a lone dict.
        Value::Object(o) if !o.contains_key("keyid") => {
            o.iter().map(|(k, v)| (k.as_str(), v)).collect()
        }
        other => vec![("", other)],
    };
    for (dict_keyid, value) in candidates {
        let Ok(key) = KeyDict::from_value("fuzz", dict_keyid, value) else {
            continue;
        };
        let _ = (key.describe(), key.material_id(), key.subkey_ids());
        let written = key.to_value();
        let back = KeyDict::from_value("fuzz", key.keyid(), &written)
            .unwrap_or_else(|e| panic!("to_value of a key dict does not parse back: {e}"));
        assert_eq!(back, key, "key dict changed through to_value");
        let _ = intoto::keys::verifier(&key, &policy(NOW, true))
            .keyid()
            .to_owned();
    }
}

/// The PEM, SubjectPublicKeyInfo and PKCS#8 readers.
pub fn pem_keys(data: &[u8]) {
    let _ = pem::pem_decode(data);
    for der in [
        Some(data.to_vec()),
        pem::pem_decode(data).ok().map(|(_, d)| d),
    ]
    .into_iter()
    .flatten()
    {
        if let Ok(public) = pem::parse_spki(&der) {
            let again = pem::parse_spki(&public.spki_der())
                .unwrap_or_else(|e| panic!("spki_der of a parsed key does not parse back: {e}"));
            assert_eq!(again, public, "SPKI round trip changed the key");
            let _ = public.spki_pem();
        }
    }
    if let Ok(key) = pem::load_public(Path::new("fuzz.pub"), data) {
        let written = key.to_value();
        let back = SslibKey::from_value("fuzz", &written)
            .unwrap_or_else(|e| panic!("to_value of a loaded public key does not parse back: {e}"));
        assert_eq!(back, key, "public key changed through its dict");
    }
    for password in [None, Some(&b"hunter2"[..])] {
        let Ok(signer) = PemSigner::from_pem(data, password) else {
            continue;
        };
        let payload = b"intoto fuzz payload";
        // An RSA key with inconsistent private parts loads but cannot
        // sign (ring checks its signature): an error, not a panic.
        let Ok(sig) = signer.sign(payload) else {
            continue;
        };
        let verifier = intoto::keys::verifier(signer.public_key(), &policy(NOW, true));
        verifier
            .verify(payload, &sig.to_metablock())
            .unwrap_or_else(|e| panic!("a fresh signature does not verify: {e}"));
    }
    key_dict(data);
}

/// OpenPGP: certificates and keyrings (`read_certs`, `cert_to_dict`,
/// `CertVerifier`), key dicts (`KeyDict::from_value`), signature packets
/// and headers, and the signature triple checked against the fixed keys.
pub fn openpgp(data: &[u8]) {
    if let Ok(certs) = openpgp::read_certs(data) {
        for cert in &certs {
            for allow in [false, true] {
                if let Ok(dict) = openpgp::cert_to_dict(cert, &policy(NOW, allow)) {
                    let _ = (dict.describe(), dict.expires_at());
                    let written = KeyDict::Gpg(dict.clone()).to_value();
                    let back = KeyDict::from_value("fuzz", &dict.keyid, &written)
                        .unwrap_or_else(|e| panic!("exported key dict does not parse back: {e}"));
                    assert_eq!(
                        back,
                        KeyDict::Gpg(dict),
                        "key dict changed through to_value"
                    );
                }
            }
            let _ = openpgp::CertVerifier::new(cert.clone(), &policy(NOW, true));
            let fpr = cert.fingerprint().to_hex();
            let _ = openpgp::find_cert(&certs, &fpr);
        }
    }
    key_dict(data);
    let _ = openpgp::parse_headers(data);
    let payload = b"intoto fuzz payload";
    if let Ok(sig) = openpgp::parse_packet(data) {
        for k in fixed_gpg_keys() {
            let _ = openpgp::verify_triple(
                k,
                &k.keyid,
                &sig.other_headers,
                &sig.signature,
                payload,
                NOW,
            );
        }
    }
    // A Metablock triple: two length bytes, other_headers, signature.
    if data.len() >= 2 {
        let n = u16::from_be_bytes([data[0], data[1]]) as usize;
        let rest = &data[2..];
        let (oh, sig) = rest.split_at(n.min(rest.len()));
        for k in fixed_gpg_keys() {
            for sub in std::iter::once(k).chain(&k.subkeys) {
                let _ = openpgp::verify_triple(sub, &sub.keyid, oh, sig, payload, NOW);
            }
        }
    }
}

/// The link the rules target matches against.
fn rules_links() -> &'static (Link, Link) {
    static LINKS: OnceLock<(Link, Link)> = OnceLock::new();
    LINKS.get_or_init(|| {
        let text = br#"{"signatures": [], "signed": {"_type": "link", "name": "x",
            "command": [], "byproducts": {}, "environment": {},
            "materials": {"a": {"sha256": "00"}, "src/b.c": {"sha256": "11"}, "dir:d": {"sha256": "22"}},
            "products": {"a": {"sha256": "01"}, "src/b.c": {"sha256": "11"}, "out/[x]": {"sha256": "33"}}}}"#;
        let link = |name: &str| {
            let text = String::from_utf8_lossy(text).replace("\"x\"", &format!("{name:?}"));
            match Envelope::from_slice(text.as_bytes()).expect("fixed link").into_signed() {
                Signed::Link(l) => l,
                Signed::Layout(_) => unreachable!(),
            }
        };
        (link("x"), link("y"))
    })
}

/// The artifact rule grammar: `Rule::parse` on NUL-separated tokens (or
/// newline-separated when there is no NUL), `Rule::parse_str` and
/// `shell_split` on the whole text, and the rule engine on a fixed link.
pub fn rules(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let sep = if text.contains('\0') { '\0' } else { '\n' };
    let tokens: Vec<String> = text.split(sep).map(str::to_owned).collect();
    if let Ok(rule) = Rule::parse(&tokens) {
        let _ = rule.to_string();
    }
    let _ = shell_split(&text);
    if let Ok((toks, rule)) = Rule::parse_str(&text) {
        let again = Rule::parse(&toks).expect("parse_str tokens parse again");
        assert_eq!(again, rule);
        let _ = rule.to_string();
    }
    let (x, y) = rules_links();
    let links: HashMap<&str, &Link> = HashMap::from([("x", x), ("y", y)]);
    // The engine takes only rules that parse (layouts are parsed once).
    let Ok(parsed) = intoto_format::models::rule::ArtifactRule::new(tokens) else {
        return;
    };
    let rule_list = vec![parsed];
    for side in [Side::Materials, Side::Products] {
        for kind in [ItemKind::Step, ItemKind::Inspection] {
            if let Err(f) = apply_rules(kind, "x", side, &rule_list, &links) {
                let _ = f.to_string();
            }
        }
    }
}

/// Splits at the first NUL: (pattern, name).
fn pattern_and_name(data: &[u8]) -> (String, String) {
    let (p, n) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[..0]),
    };
    (
        String::from_utf8_lossy(p).into_owned(),
        String::from_utf8_lossy(n).into_owned(),
    )
}

/// Python-`fnmatch` globs (`rules::glob::Glob`) and exclude patterns
/// (gitignore-style, as `record` builds them: the same `ignore` calls on
/// the `normpath`ed name). Pattern and name are split at the first NUL.
pub fn glob(data: &[u8]) {
    let (pattern, name) = pattern_and_name(data);
    let g = Glob::new(&pattern);
    let _ = g.matches(&name);
    if !pattern.contains(['*', '?', '[']) {
        assert!(
            g.matches(&pattern),
            "a literal pattern does not match itself"
        );
        assert_eq!(g.matches(&name), pattern == name, "literal pattern");
    }
    if !pattern.is_empty() && pattern.chars().all(|c| c == '*') {
        assert!(
            g.matches(&name),
            "a star-only pattern does not match everything"
        );
    }
    exclude(&pattern, &name);
}

/// `record`'s exclusion test (a copy of the private
/// `Recorder::{new, excluded}`, which use `ignore` directly).
fn exclude(pattern: &str, name: &str) {
    use ignore::gitignore::GitignoreBuilder;
    let mut b = GitignoreBuilder::new("");
    if b.add_line(None, pattern).is_err() {
        return;
    }
    let Ok(excludes) = b.build() else {
        return;
    };
    let norm = intoto::record::normpath(name);
    let rel = norm
        .strip_prefix('/')
        .or_else(|| norm.strip_prefix("./"))
        .unwrap_or(&norm);
    let rel = rel.trim_start_matches('/');
    if rel.is_empty() || rel == "." {
        return;
    }
    for is_dir in [false, true] {
        let _ = excludes
            .matched_path_or_any_parents(rel, is_dir)
            .is_ignore();
    }
}

/// A scratch file for the rcfile target (one per process).
fn rc_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = Path::new("/dev/shm");
        let dir = if dir.is_dir() {
            dir.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("intoto-fuzz-rc-{}", std::process::id()))
    })
}

/// The rcfile parser and the settings it yields, through the public
/// `settings::load` (an rcfile in a scratch file, and the same text as the
/// value of both environment variables).
pub fn rcfile(data: &[u8]) {
    let path = rc_path();
    std::fs::write(path, data).expect("write the scratch rcfile");
    let uid = std::fs::metadata(path)
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .unwrap_or(0);
    let text = String::from_utf8_lossy(data).into_owned();
    let sources = settings::Sources {
        env: vec![
            ("IN_TOTO_ARTIFACT_EXCLUDE_PATTERNS".into(), text.clone()),
            ("IN_TOTO_ARTIFACT_BASE_PATH".into(), text),
        ],
        rcfiles: vec![path.clone()],
        named: None,
        untrusted: settings::Untrusted::default(),
        uid,
    };
    // Only a file named with --rcfile can make loading fail.
    let s = settings::load(&sources).expect("implicit rcfiles are skipped, not errors");
    if let Some(p) = &s.exclude_patterns {
        assert!(p.iter().all(|p| !p.is_empty()), "an empty exclude pattern");
    }
    for a in [false, true] {
        for b in [false, true] {
            let _ = s.announcements(a, b);
        }
    }
    let only_file = settings::Sources {
        env: Vec::new(),
        rcfiles: Vec::new(),
        named: Some(path.clone()),
        untrusted: settings::Untrusted::default(),
        uid,
    };
    let _ = settings::load(&only_file);
}
