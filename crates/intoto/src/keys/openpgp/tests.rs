use std::time::SystemTime;

use openpgp::crypto::mpi;
use openpgp::types::HashAlgorithm;
use sequoia_openpgp as openpgp;

use super::packet::eddsa_rs;
use super::*;
use crate::format::der;
use crate::json::{Object, Value};
use crate::keys::{Verifier, VerifyError};
use crate::models::Signature;
use crate::policy::Policy;
use openpgp::cert::{CertBuilder, CipherSuite};
use openpgp::crypto::Signer as _;

struct TestKey {
    dict: GpgKey,
    pair: openpgp::crypto::KeyPair,
    fpr: [u8; 20],
}

fn key(suite: CipherSuite) -> TestKey {
    let (cert, _) = CertBuilder::new()
        .set_cipher_suite(suite)
        .add_userid("t")
        .generate()
        .unwrap();
    let dict = cert_to_dict(&cert, &Policy::at(unix(SystemTime::now()))).unwrap();
    let pair = crate::keys::openpgp::primary_keypair(&cert);
    let fpr: [u8; 20] = hex::decode(&dict.keyid).unwrap().try_into().unwrap();
    TestKey { dict, pair, fpr }
}

/// Signs `payload` with hand-made hashed subpackets and header bytes.
fn sign_raw(
    k: &mut TestKey,
    typ: u8,
    algo: u8,
    hash: HashAlgorithm,
    hashed: &[u8],
    payload: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let hash_byte = match hash {
        HashAlgorithm::SHA1 => 2,
        HashAlgorithm::SHA512 => 10,
        _ => 8,
    };
    let mut oh = vec![4, typ, algo, hash_byte];
    oh.extend((hashed.len() as u16).to_be_bytes());
    oh.extend(hashed);
    // (For SHA-1 only the header byte matters: it is refused before any
    // cryptography, so a truncated SHA-256 digest stands in.)
    let digest = match hash {
        HashAlgorithm::SHA1 => signed_digest(HashAlgorithm::SHA256, payload, &oh)[..20].to_vec(),
        h => signed_digest(h, payload, &oh),
    };
    let mpis = k.pair.sign(hash, &digest).unwrap();
    let sig = match mpis {
        mpi::Signature::RSA { s } => s.value().to_vec(),
        mpi::Signature::EdDSA { r, s } => {
            eddsa_rs(der::strip_zeros(r.value()), der::strip_zeros(s.value())).unwrap()
        }
        _ => unreachable!(),
    };
    (oh, sig)
}

fn hashed(fpr: &[u8; 20], created: u32, extra: &[u8]) -> Vec<u8> {
    let mut h = vec![22, 33, 4];
    h.extend(fpr);
    h.extend([5, 2]);
    h.extend(created.to_be_bytes());
    h.extend(extra);
    h
}

const NOW: i64 = 1_900_000_000;

#[test]
fn built_signatures_verify_and_parse_back() {
    for suite in [CipherSuite::Cv25519, CipherSuite::RSA2k] {
        let mut k = key(suite);
        let params = k.dict.params.clone();
        let fpr = k.fpr;
        let pair = &mut k.pair;
        let sig = build_signature(&fpr, &params, 1_800_000_000, b"payload", |d| {
            let h = HashAlgorithm::SHA256;
            pair.sign(h, d)
        })
        .unwrap();
        verify_triple(
            &k.dict,
            &sig.keyid,
            &sig.other_headers,
            &sig.signature,
            b"payload",
            NOW,
        )
        .unwrap();
        assert_eq!(
            verify_triple(
                &k.dict,
                &sig.keyid,
                &sig.other_headers,
                &sig.signature,
                b"payloaD",
                NOW
            ),
            Err(VerifyError::Invalid(sig.keyid.clone()))
        );
        let parsed = parse_packet(&sig.packet).unwrap();
        assert_eq!(
            (parsed.keyid, parsed.other_headers, parsed.signature),
            (sig.keyid, sig.other_headers, sig.signature)
        );
    }
}

#[test]
fn weak_or_odd_signatures_are_refused() {
    let mut k = key(CipherSuite::Cv25519);
    let fpr = k.fpr;
    let id = k.dict.keyid.clone();
    let dict = k.dict.clone();
    let ok = |r: Result<(), VerifyError>| r.is_ok();
    let h = hashed(&fpr, 1_800_000_000, &[]);
    let (oh, sig) = sign_raw(&mut k, 0, 22, HashAlgorithm::SHA256, &h, b"p");
    assert!(ok(verify_triple(&dict, &id, &oh, &sig, b"p", NOW)));
    // SHA-1, a text signature, an RSA algorithm byte on an EdDSA key.
    let (oh, sig) = sign_raw(&mut k, 0, 22, HashAlgorithm::SHA1, &h, b"p");
    assert!(
        matches!(verify_triple(&dict, &id, &oh, &sig, b"p", NOW), Err(VerifyError::Malformed { why, .. }) if why.contains("SHA-1"))
    );
    let (oh, sig) = sign_raw(&mut k, 1, 22, HashAlgorithm::SHA256, &h, b"p");
    assert!(!ok(verify_triple(&dict, &id, &oh, &sig, b"p", NOW)));
    let (oh, sig) = sign_raw(&mut k, 0, 1, HashAlgorithm::SHA256, &h, b"p");
    assert!(!ok(verify_triple(&dict, &id, &oh, &sig, b"p", NOW)));
    // SHA-512 is stronger, and fine.
    let (oh, sig) = sign_raw(&mut k, 0, 22, HashAlgorithm::SHA512, &h, b"p");
    assert!(ok(verify_triple(&dict, &id, &oh, &sig, b"p", NOW)));
    // The hashed issuer must be the key id of the triple.
    let other = hashed(&[7u8; 20], 1_800_000_000, &[]);
    let (oh, sig) = sign_raw(&mut k, 0, 22, HashAlgorithm::SHA256, &other, b"p");
    assert!(!ok(verify_triple(&dict, &id, &oh, &sig, b"p", NOW)));
    // Unknown critical subpacket (type 0x80|100): invalid; non-critical: fine.
    let crit = hashed(&fpr, 1_800_000_000, &[2, 0x80 | 100, 0]);
    let (oh, sig) = sign_raw(&mut k, 0, 22, HashAlgorithm::SHA256, &crit, b"p");
    assert!(
        matches!(verify_triple(&dict, &id, &oh, &sig, b"p", NOW), Err(VerifyError::Malformed { why, .. }) if why.contains("critical"))
    );
    let soft = hashed(&fpr, 1_800_000_000, &[2, 100, 0]);
    let (oh, sig) = sign_raw(&mut k, 0, 22, HashAlgorithm::SHA256, &soft, b"p");
    assert!(ok(verify_triple(&dict, &id, &oh, &sig, b"p", NOW)));
    // A signature that expired (created + 10 s) is refused.
    let exp = hashed(&fpr, 1_800_000_000, &[5, 3, 0, 0, 0, 10]);
    let (oh, sig) = sign_raw(&mut k, 0, 22, HashAlgorithm::SHA256, &exp, b"p");
    assert!(matches!(
        verify_triple(&dict, &id, &oh, &sig, b"p", NOW),
        Err(VerifyError::Expired(_))
    ));
    // No creation time: refused.
    let mut nocreate = vec![22, 33, 4];
    nocreate.extend(fpr);
    let (oh, sig) = sign_raw(&mut k, 0, 22, HashAlgorithm::SHA256, &nocreate, b"p");
    assert!(!ok(verify_triple(&dict, &id, &oh, &sig, b"p", NOW)));
}

#[test]
fn dicts_are_checked_against_their_key_material() {
    let k = key(CipherSuite::RSA2k);
    let v = k.dict.to_value();
    assert!(GpgKey::from_value("k", &v, false).is_ok());
    let text = String::from_utf8(crate::json::to_canonical(&v).unwrap()).unwrap();
    // Another creation time gives another fingerprint.
    let moved = text.replace(
        &format!("\"creation_time\":{}", k.dict.creation_time.unwrap()),
        "\"creation_time\":1",
    );
    let moved = crate::json::parse(moved.as_bytes()).unwrap();
    assert!(GpgKey::from_value("k", &moved, false).is_err());
}

/// A dict as securesystemslib wrote it before `creation_time`.
fn without_creation_time(dict: &GpgKey) -> GpgKey {
    let Value::Object(mut o) = dict.to_value() else {
        panic!()
    };
    o.0.retain(|(k, _)| k != "creation_time");
    GpgKey::from_value("k", &Value::Object(o), false).unwrap()
}

#[test]
fn legacy_dicts_without_creation_time_verify_only_their_own_signatures() {
    let mut k = key(CipherSuite::RSA2k);
    let legacy = without_creation_time(&k.dict);
    assert_eq!(legacy.creation_time, None);
    assert_eq!(legacy.keyid, k.dict.keyid);
    assert!(legacy.describe().contains("without creation time"));
    let v = GpgDictVerifier::new(legacy.clone(), &Policy::at(NOW));
    let h = hashed(&k.fpr, 1_800_000_000, &[]);
    let (oh, sig) = sign_raw(&mut k, 0, 1, HashAlgorithm::SHA256, &h, b"p");
    let triple = |oh: &[u8], sig: &[u8], id: &str| Signature::Gpg {
        keyid: id.to_owned(),
        other_headers: hex::encode(oh),
        signature: hex::encode(sig),
        extra: Object::default(),
    };
    assert_eq!(v.verify(b"p", &triple(&oh, &sig, &legacy.keyid)), Ok(()));
    assert_eq!(
        v.verify(b"q", &triple(&oh, &sig, &legacy.keyid)),
        Err(VerifyError::Invalid(legacy.keyid.clone()))
    );
    // Another key claiming to be this one (issuer and key id forged):
    // its signature does not verify with this key material.
    let mut other = key(CipherSuite::RSA2k);
    let forged = hashed(&k.fpr, 1_800_000_000, &[]);
    let (oh, sig) = sign_raw(&mut other, 0, 1, HashAlgorithm::SHA256, &forged, b"p");
    assert_eq!(
        v.verify(b"p", &triple(&oh, &sig, &legacy.keyid)),
        Err(VerifyError::Invalid(legacy.keyid.clone()))
    );
    // A signature under another key id is not this key's.
    let theirs = hashed(&other.fpr, 1_800_000_000, &[]);
    let (oh, sig) = sign_raw(&mut other, 0, 1, HashAlgorithm::SHA256, &theirs, b"p");
    assert!(!v.owns(&other.dict.keyid));
    assert!(
        v.verify(b"p", &triple(&oh, &sig, &other.dict.keyid))
            .is_err()
    );
    // The id must still look like a v4 fingerprint.
    let Value::Object(mut o) = legacy.to_value() else {
        panic!()
    };
    o.insert("keyid", "abcd".into());
    assert!(GpgKey::from_value("k", &Value::Object(o), false).is_err());
}

#[test]
fn an_expired_primary_disables_its_subkeys() {
    let k = key(CipherSuite::Cv25519);
    let mut primary = k.dict.clone();
    primary.validity_period = Some(10);
    let mut sub = k.dict.clone();
    sub.validity_period = None;
    sub.subkeys = Vec::new();
    primary.subkeys = vec![sub];
    let v = GpgDictVerifier::new(
        primary.clone(),
        &Policy::at(primary.creation_time.unwrap() + 100),
    );
    assert!(matches!(
        v.signing_key(&primary.keyid),
        Err(VerifyError::Expired(_))
    ));
    let fresh = GpgDictVerifier::new(
        primary.clone(),
        &Policy::at(primary.creation_time.unwrap() + 5),
    );
    assert!(fresh.signing_key(&primary.keyid).is_ok());
}

#[test]
fn copies_of_a_certificate_are_merged_into_one() {
    use openpgp::serialize::SerializeInto;
    let (a, _) = CertBuilder::new().add_userid("a").generate().unwrap();
    let (b, _) = CertBuilder::new().add_userid("b").generate().unwrap();
    let a_bin = a.to_vec().unwrap();
    let a_asc = a.armored().to_vec().unwrap();
    // The same key with a second user id, as another keyring may hold it.
    let mut signer = crate::keys::openpgp::primary_keypair(&a);
    let uid = openpgp::packet::UserID::from("a2");
    let builder = openpgp::packet::signature::SignatureBuilder::new(
        openpgp::types::SignatureType::PositiveCertification,
    );
    let sig = uid.bind(&mut signer, &a, builder).unwrap();
    let a2 = a
        .clone()
        .insert_packets(vec![openpgp::Packet::from(uid), sig.into()])
        .unwrap()
        .0;
    let mut bytes = [a_bin.clone(), b.to_vec().unwrap(), a_bin].concat();
    bytes.extend(a2.to_vec().unwrap());
    let certs = read_certs(&bytes).unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0].fingerprint(), a.fingerprint());
    assert_eq!(certs[0].userids().count(), 2, "the copies' user ids merged");
    // An older copy after a newer one (nothing new in it) changes nothing.
    let certs = read_certs(&[a2.to_vec().unwrap(), a.to_vec().unwrap()].concat()).unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].userids().count(), 2);
    // Across files, armored or not.
    let mut set = CertSet::default();
    set.read(&a_asc).unwrap();
    set.read(&a.to_vec().unwrap()).unwrap();
    assert_eq!(set.into_certs().len(), 1);
    let fpr = a.fingerprint().to_hex();
    assert!(find_cert(&certs, &fpr).is_ok());
    assert!(find_cert(&certs, &fpr[24..]).is_ok());
    // What cannot be framed is still refused by the parser.
    assert!(read_certs(b"not a keyring").is_err());
}
