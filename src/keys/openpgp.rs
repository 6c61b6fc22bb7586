//! OpenPGP in pure Rust (sequoia): in-toto's GPG signature triple, the GPG
//! key dicts layouts carry, and certificates read from keyrings.
//!
//! The in-toto triple (securesystemslib's format) is
//! `{"keyid", "other_headers", "signature"}`:
//!
//! * `keyid`: fingerprint of the (sub)key that signed, lower-case hex;
//! * `other_headers`: hex of the v4 signature packet body from the version
//!   byte to the end of the hashed subpackets;
//! * `signature`: RSA: the MPI bytes; DSA: DER `SEQUENCE { r, s }`;
//!   EdDSA: `r || s`, each padded to 32 bytes.
//!
//! and the signed digest is
//! `H(data || other_headers || 0x04 0xff || be32(len(other_headers)))`.
//!
//! Verification here is stricter than the reference's: v4 binary
//! signatures only, the algorithm byte must match the key, SHA-256 or
//! stronger, the hashed issuer fingerprint must equal `keyid`, a signature
//! expiration is honoured and unknown critical subpackets invalidate the
//! signature. Key dicts are recomputed from their key material: the
//! fingerprint must equal the dict's id.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openpgp::cert::prelude::*;
use openpgp::crypto::mpi;
use openpgp::packet::Key;
use openpgp::packet::key::{Key4, PublicParts, UnspecifiedRole};
use openpgp::parse::Parse;
use openpgp::types::{Curve, HashAlgorithm, PublicKeyAlgorithm};
use sequoia_openpgp as openpgp;

use super::validity::{self, CertPolicy, KeyProblem, ProblemKind};
use super::{Verifier, VerifyError};
use crate::format::der;
use crate::json::{Object, Value};
use crate::models::{DsseSignature, FResult, Fields, FormatError, Signature, is_hex};

/// A signature as the in-toto triple plus the full packet.
#[derive(Clone, Debug)]
pub struct PgpSignature {
    /// Fingerprint of the signing (sub)key, lower-case hex.
    pub keyid: String,
    /// Version byte through the hashed subpackets.
    pub other_headers: Vec<u8>,
    /// The signature value in in-toto's encoding.
    pub signature: Vec<u8>,
    /// The complete binary signature packet (for DSSE and gpg --verify).
    pub packet: Vec<u8>,
}

/// Public key parameters of a GPG key dict.
#[derive(Clone, Debug, PartialEq)]
pub enum GpgParams {
    /// `{"e", "n"}`
    Rsa {
        /// Exponent.
        e: Vec<u8>,
        /// Modulus.
        n: Vec<u8>,
    },
    /// `{"p", "q", "g", "y"}`
    Dsa {
        /// p
        p: Vec<u8>,
        /// q
        q: Vec<u8>,
        /// g
        g: Vec<u8>,
        /// y
        y: Vec<u8>,
    },
    /// `{"q"}`: the 32-byte Ed25519 point.
    EdDsa {
        /// q
        q: Vec<u8>,
    },
    /// `{"curve", "q"}`: a NIST curve point. An intoto extension (method
    /// `pgp+ecdsa-nistp256` etc.) that the Python reference cannot verify;
    /// used only with `--allow-noninteroperable`.
    Ecdsa {
        /// `nistp256`, `nistp384` or `nistp521`.
        curve: &'static str,
        /// Uncompressed point (`04 || x || y`).
        q: Vec<u8>,
    },
}

const NIST: [(&str, &str, Curve); 3] = [
    ("nistp256", "pgp+ecdsa-nistp256", Curve::NistP256),
    ("nistp384", "pgp+ecdsa-nistp384", Curve::NistP384),
    ("nistp521", "pgp+ecdsa-nistp521", Curve::NistP521),
];

impl GpgParams {
    fn names(&self) -> (&'static str, &'static str) {
        match self {
            GpgParams::Rsa { .. } => ("rsa", "pgp+rsa-pkcsv1.5"),
            GpgParams::Dsa { .. } => ("dsa", "pgp+dsa-fips-180-2"),
            GpgParams::EdDsa { .. } => ("eddsa", "pgp+eddsa-ed25519"),
            GpgParams::Ecdsa { curve, .. } => (
                "ecdsa",
                NIST.iter()
                    .find(|n| n.0 == *curve)
                    .map_or("pgp+ecdsa", |n| n.1),
            ),
        }
    }

    /// False for key types the Python reference cannot verify.
    pub fn interoperable(&self) -> bool {
        !matches!(self, GpgParams::Ecdsa { .. })
    }

    #[allow(deprecated)]
    fn pk_algo(&self) -> PublicKeyAlgorithm {
        match self {
            GpgParams::Rsa { .. } => PublicKeyAlgorithm::RSAEncryptSign,
            GpgParams::Dsa { .. } => PublicKeyAlgorithm::DSA,
            GpgParams::EdDsa { .. } => PublicKeyAlgorithm::EdDSA,
            GpgParams::Ecdsa { .. } => PublicKeyAlgorithm::ECDSA,
        }
    }

    fn mpis(&self) -> mpi::PublicKey {
        match self {
            GpgParams::Rsa { e, n } => mpi::PublicKey::RSA {
                e: mpi::MPI::new(e),
                n: mpi::MPI::new(n),
            },
            GpgParams::Dsa { p, q, g, y } => mpi::PublicKey::DSA {
                p: mpi::MPI::new(p),
                q: mpi::MPI::new(q),
                g: mpi::MPI::new(g),
                y: mpi::MPI::new(y),
            },
            GpgParams::EdDsa { q } => {
                let mut point = vec![0x40];
                point.extend_from_slice(q);
                mpi::PublicKey::EdDSA {
                    curve: Curve::Ed25519,
                    q: mpi::MPI::new(&point),
                }
            }
            GpgParams::Ecdsa { curve, q } => mpi::PublicKey::ECDSA {
                curve: NIST
                    .iter()
                    .find(|n| n.0 == *curve)
                    .map_or(Curve::NistP256, |n| n.2.clone()),
                q: mpi::MPI::new(q),
            },
        }
    }

    fn to_value(&self) -> Value {
        let h = |b: &[u8]| Value::String(hex::encode(b));
        let pairs = match self {
            GpgParams::Rsa { e, n } => vec![("e", h(e)), ("n", h(n))],
            GpgParams::Dsa { p, q, g, y } => {
                vec![("g", h(g)), ("p", h(p)), ("q", h(q)), ("y", h(y))]
            }
            GpgParams::EdDsa { q } => vec![("q", h(q))],
            GpgParams::Ecdsa { curve, q } => {
                vec![("curve", Value::String((*curve).to_owned())), ("q", h(q))]
            }
        };
        Value::Object(Object(
            pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        ))
    }

    /// "RSA", "DSA", "Ed25519" or "ECDSA".
    pub fn algorithm_name(&self) -> &'static str {
        match self {
            GpgParams::Rsa { .. } => "RSA",
            GpgParams::Dsa { .. } => "DSA",
            GpgParams::EdDsa { .. } => "Ed25519",
            GpgParams::Ecdsa { .. } => "ECDSA",
        }
    }

    /// RSA and DSA keys under 2048 bits are refused (as sequoia's
    /// standard policy does).
    pub fn is_weak(&self) -> bool {
        matches!(self, GpgParams::Rsa { .. } | GpgParams::Dsa { .. }) && self.bits() < 2048
    }

    /// Bits of the modulus or prime (strength check).
    pub fn bits(&self) -> usize {
        match self {
            GpgParams::Rsa { n, .. } => mpi_bits(der::strip_zeros(n)),
            GpgParams::Dsa { p, .. } => mpi_bits(der::strip_zeros(p)),
            GpgParams::EdDsa { .. } => 256,
            GpgParams::Ecdsa { curve, .. } => curve[5..].parse().unwrap_or(256),
        }
    }

    /// Parameters of a public key, if in-toto's OpenPGP format can hold
    /// them (v4 RSA, DSA or EdDSA/Ed25519).
    #[allow(deprecated)]
    pub fn from_key(key: &Key<PublicParts, UnspecifiedRole>) -> Result<GpgParams, String> {
        if key.version() != 4 {
            return Err(format!(
                "v{} keys cannot be used in in-toto's OpenPGP format (v4 only)",
                key.version()
            ));
        }
        let algo = key.pk_algo();
        match (algo, key.mpis()) {
            (PublicKeyAlgorithm::RSAEncryptSign, mpi::PublicKey::RSA { e, n }) => {
                Ok(GpgParams::Rsa {
                    e: e.value().to_vec(),
                    n: n.value().to_vec(),
                })
            }
            (PublicKeyAlgorithm::DSA, mpi::PublicKey::DSA { p, q, g, y }) => Ok(GpgParams::Dsa {
                p: p.value().to_vec(),
                q: q.value().to_vec(),
                g: g.value().to_vec(),
                y: y.value().to_vec(),
            }),
            (
                PublicKeyAlgorithm::EdDSA,
                mpi::PublicKey::EdDSA {
                    curve: Curve::Ed25519,
                    q,
                },
            ) => {
                let v = q.value();
                if v.len() != 33 || v[0] != 0x40 {
                    return Err("malformed Ed25519 point".into());
                }
                Ok(GpgParams::EdDsa { q: v[1..].to_vec() })
            }
            (PublicKeyAlgorithm::ECDSA, mpi::PublicKey::ECDSA { curve, q }) => {
                match NIST.iter().find(|n| &n.2 == curve) {
                    Some(n) => Ok(GpgParams::Ecdsa {
                        curve: n.0,
                        q: q.value().to_vec(),
                    }),
                    None => Err(format!(
                        "ECDSA on {curve} cannot be used (NIST P-256, P-384, P-521 only)"
                    )),
                }
            }
            (algo, _) => Err(format!(
                "{algo} keys cannot be used in in-toto's OpenPGP format (supported: RSA, DSA, EdDSA/Ed25519)"
            )),
        }
    }
}

/// An OpenPGP key as layouts store it (securesystemslib's GPG key dict).
#[derive(Clone, Debug, PartialEq)]
pub struct GpgKey {
    /// Fingerprint, lower-case hex (as written in the dict).
    pub keyid: String,
    /// Key parameters.
    pub params: GpgParams,
    /// Key creation time (seconds since the epoch). Older securesystemslib
    /// versions did not write it; without it the fingerprint cannot be
    /// recomputed and the dict's key id is taken as given (as the
    /// reference does), and expiry cannot be judged.
    pub creation_time: Option<i64>,
    /// Seconds of validity after creation, if the key expires.
    pub validity_period: Option<i64>,
    /// Subkeys, in file order.
    pub subkeys: Vec<GpgKey>,
    raw: Object,
}

fn hex_bytes(path: &str, v: Option<&Value>) -> FResult<Vec<u8>> {
    match v {
        Some(Value::String(s)) if is_hex(s) && s.len() % 2 == 0 => {
            Ok(hex::decode(s).expect("checked hex"))
        }
        _ => Err(FormatError::new(
            path,
            "missing or not an even-length hex string",
        )),
    }
}

impl GpgKey {
    /// Parses and checks a GPG key dict; the fingerprint recomputed from
    /// the key material must equal `keyid` (the same for each subkey).
    pub fn from_value(path: &str, v: &Value, is_subkey: bool) -> FResult<GpgKey> {
        let fields = Fields::of(path, v)?;
        let obj = fields.obj;
        let s = |k: &str| fields.string(k);
        let typ = s("type")?;
        let method = s("method")?;
        let keyid = s("keyid")?;
        let hashes = obj.get("hashes").and_then(Value::as_array);
        if hashes.is_none_or(|h| !h.iter().all(|x| x.as_str().is_some())) {
            return Err(FormatError::new(
                format!("{path}.hashes"),
                "missing or not a list of strings",
            ));
        }
        let public = obj
            .get("keyval")
            .and_then(Value::as_object)
            .and_then(|kv| kv.get("public"))
            .and_then(Value::as_object)
            .ok_or_else(|| {
                FormatError::new(format!("{path}.keyval.public"), "missing or not an object")
            })?;
        let pp = format!("{path}.keyval.public");
        let p = |k: &str| hex_bytes(&format!("{pp}.{k}"), public.get(k));
        let params = match typ.as_str() {
            "rsa" => GpgParams::Rsa {
                e: p("e")?,
                n: p("n")?,
            },
            "dsa" => GpgParams::Dsa {
                p: p("p")?,
                q: p("q")?,
                g: p("g")?,
                y: p("y")?,
            },
            "eddsa" => {
                let q = p("q")?;
                if q.len() != 32 {
                    return Err(FormatError::new(
                        format!("{pp}.q"),
                        "an Ed25519 key must be 32 bytes",
                    ));
                }
                GpgParams::EdDsa { q }
            }
            "ecdsa" => {
                let curve = public.get("curve").and_then(Value::as_str).unwrap_or("");
                let curve = NIST
                    .iter()
                    .find(|n| n.0 == curve)
                    .map(|n| n.0)
                    .ok_or_else(|| {
                        FormatError::new(
                            format!("{pp}.curve"),
                            "expected nistp256, nistp384 or nistp521",
                        )
                    })?;
                GpgParams::Ecdsa { curve, q: p("q")? }
            }
            other => {
                return Err(FormatError::new(
                    format!("{path}.type"),
                    format!("unsupported OpenPGP key type {other:?} (supported: rsa, dsa, eddsa)"),
                ));
            }
        };
        if params.names().1 != method {
            return Err(FormatError::new(
                format!("{path}.method"),
                format!("{method:?} does not match key type {typ:?}"),
            ));
        }
        let int = |k: &str| -> FResult<Option<i64>> {
            match obj.get(k) {
                None => Ok(None),
                Some(Value::Int(i)) if *i >= 0 && *i <= u32::MAX as i128 => Ok(Some(*i as i64)),
                Some(_) => Err(FormatError::new(
                    format!("{path}.{k}"),
                    "expected a non-negative integer",
                )),
            }
        };
        let creation_time = int("creation_time")?;
        let validity_period = int("validity_period")?.filter(|v| *v > 0);
        match creation_time {
            Some(created) => {
                let fpr = fingerprint(&params, created).map_err(|e| FormatError::new(path, e))?;
                if !keyid.eq_ignore_ascii_case(&fpr) {
                    return Err(FormatError::new(
                        format!("{path}.keyid"),
                        format!("{keyid} is not the fingerprint of this key ({fpr})"),
                    ));
                }
            }
            // A legacy dict (securesystemslib before `creation_time`): the
            // v4 fingerprint hashes the creation time, so the id is taken as
            // given, as the reference does. Signatures still have to carry
            // this id (or a subkey's) as their hashed issuer and verify
            // with this key material, so nothing the key did not sign counts.
            None if keyid.len() == 40 && is_hex(&keyid) => {}
            None => {
                return Err(FormatError::new(
                    format!("{path}.keyid"),
                    format!("{keyid:?} is not an OpenPGP v4 fingerprint (40 hex digits)"),
                ));
            }
        }
        let mut subkeys = Vec::new();
        match obj.get("subkeys") {
            None | Some(Value::Null) => {}
            Some(Value::Object(subs)) if !is_subkey => {
                for (id, sub) in subs.iter() {
                    let spath = format!("{path}.subkeys[{id:?}]");
                    let sk = GpgKey::from_value(&spath, sub, true)?;
                    if *id != sk.keyid {
                        return Err(FormatError::new(
                            spath,
                            format!("is stored under {id} but is key {}", sk.keyid),
                        ));
                    }
                    subkeys.push(sk);
                }
            }
            Some(_) => {
                return Err(FormatError::new(
                    format!("{path}.subkeys"),
                    "expected an object of subkeys",
                ));
            }
        }
        Ok(GpgKey {
            keyid,
            params,
            creation_time,
            validity_period,
            subkeys,
            raw: obj.clone(),
        })
    }

    /// The dict as stored.
    pub fn to_value(&self) -> Value {
        Value::Object(self.raw.clone())
    }

    /// Builds the dict from key material, as securesystemslib exports it
    /// (fields: method, type, hashes, keyid, keyval, creation_time, and
    /// validity_period / subkeys when present).
    pub fn new(
        params: GpgParams,
        creation_time: i64,
        validity_period: Option<i64>,
        subkeys: Vec<GpgKey>,
    ) -> Result<GpgKey, String> {
        let keyid = fingerprint(&params, creation_time)?;
        let (typ, method) = params.names();
        let mut raw = Object::default();
        raw.insert("method", method.into());
        raw.insert("type", typ.into());
        raw.insert("hashes", Value::Array(vec!["pgp+SHA2".into()]));
        raw.insert("creation_time", Value::Int(creation_time.into()));
        raw.insert("keyid", keyid.clone().into());
        raw.insert(
            "keyval",
            Value::Object(Object(vec![
                ("private".into(), "".into()),
                ("public".into(), params.to_value()),
            ])),
        );
        if let Some(v) = validity_period {
            raw.insert("validity_period", Value::Int(v.into()));
        }
        if !subkeys.is_empty() {
            let subs = subkeys
                .iter()
                .map(|s| (s.keyid.clone(), s.to_value()))
                .collect();
            raw.insert("subkeys", Value::Object(Object(subs)));
        }
        Ok(GpgKey {
            keyid,
            params,
            creation_time: Some(creation_time),
            validity_period,
            subkeys,
            raw,
        })
    }

    /// The key (primary or subkey) with fingerprint `keyid`.
    pub fn find(&self, keyid: &str) -> Option<&GpgKey> {
        if self.keyid.eq_ignore_ascii_case(keyid) {
            return Some(self);
        }
        self.subkeys
            .iter()
            .find(|s| s.keyid.eq_ignore_ascii_case(keyid))
    }

    /// Algorithm and validity, for people.
    pub fn describe(&self) -> String {
        let algo = match &self.params {
            GpgParams::Rsa { .. } => format!("OpenPGP RSA {}", self.params.bits()),
            GpgParams::Dsa { .. } => format!("OpenPGP DSA {}", self.params.bits()),
            GpgParams::EdDsa { .. } => "OpenPGP Ed25519".to_owned(),
            GpgParams::Ecdsa { curve, .. } => {
                format!("OpenPGP ECDSA {curve} (not verifiable by the Python reference)")
            }
        };
        match (self.expires_at(), self.creation_time) {
            (Some(t), _) => format!("{algo}, expires {}", crate::models::layout_time(t)),
            (None, Some(_)) => format!("{algo}, does not expire"),
            (None, None) => format!("{algo}, legacy dict without creation time"),
        }
    }

    /// When this (sub)key expires, if it does.
    pub fn expires_at(&self) -> Option<i64> {
        Some(self.creation_time? + self.validity_period?)
    }

    fn expired_at(&self, now: i64) -> bool {
        // The reference's rule: expired once creation + validity < now.
        self.expires_at().is_some_and(|t| t < now)
    }

    /// The sequoia key for these parameters.
    fn sequoia_key(&self) -> Result<Key<PublicParts, UnspecifiedRole>, String> {
        // The creation time only enters the fingerprint, not the
        // signature check, so a legacy dict without one still verifies.
        sequoia_key(&self.params, self.creation_time.unwrap_or(0))
    }
}

fn sequoia_key(
    params: &GpgParams,
    creation_time: i64,
) -> Result<Key<PublicParts, UnspecifiedRole>, String> {
    let t = UNIX_EPOCH + Duration::from_secs(creation_time.max(0) as u64);
    let k4 = Key4::new(t, params.pk_algo(), params.mpis()).map_err(|e| e.to_string())?;
    Ok(Key::V4(k4))
}

fn fingerprint(params: &GpgParams, creation_time: i64) -> Result<String, String> {
    Ok(sequoia_key(params, creation_time)?
        .fingerprint()
        .to_hex()
        .to_lowercase())
}

/// Verifies signatures with a GPG key dict from a layout, judging expiry
/// at `now`. An expired primary makes its subkeys unusable too.
pub struct GpgDictVerifier {
    /// The dict.
    pub key: GpgKey,
    /// Verification time (seconds since the epoch).
    pub now: i64,
    /// Accept key types the Python reference cannot verify (NIST ECDSA).
    pub allow_noninteroperable: bool,
}

/// The refusal for a key type the reference cannot verify.
pub fn noninteroperable(keyid: &str, params: &GpgParams) -> String {
    format!(
        "OpenPGP key {keyid} is {}, which the Python in-toto reference cannot verify; \
         pass --allow-noninteroperable to use it anyway",
        params.names().1
    )
}

impl GpgDictVerifier {
    fn signing_key(&self, keyid: &str) -> Result<&GpgKey, VerifyError> {
        let k = self
            .key
            .find(keyid)
            .ok_or_else(|| VerifyError::NoSignature(self.key.keyid.clone()))?;
        for key in [&self.key, k] {
            if key.expired_at(self.now) {
                return Err(VerifyError::Expired(expired_message(key)));
            }
        }
        if !k.params.interoperable() && !self.allow_noninteroperable {
            return Err(VerifyError::Unusable(noninteroperable(&k.keyid, &k.params)));
        }
        if k.params.is_weak() {
            return Err(VerifyError::Unusable(format!(
                "OpenPGP key {} is too weak ({} bits)",
                k.keyid,
                k.params.bits()
            )));
        }
        Ok(k)
    }
}

fn expired_message(k: &GpgKey) -> String {
    let exp = k.expires_at().unwrap_or(0);
    format!(
        "OpenPGP key {} created on {} expired on {}",
        k.keyid,
        crate::models::layout_time(k.creation_time.unwrap_or(0)),
        crate::models::layout_time(exp)
    )
}

impl Verifier for GpgDictVerifier {
    fn keyid(&self) -> &str {
        &self.key.keyid
    }
    fn owns(&self, keyid: &str) -> bool {
        self.key.find(keyid).is_some()
    }
    fn verify(&self, payload: &[u8], sig: &Signature) -> Result<(), VerifyError> {
        check_metablock(&self.key.keyid, sig, payload, self.now, |id| {
            self.signing_key(id)
        })
    }
    fn verify_dsse(&self, pae: &[u8], sig: &DsseSignature) -> Result<(), VerifyError> {
        check_dsse(sig, pae, self.now, |id| self.signing_key(id))
    }
}

/// Checks a Metablock's OpenPGP triple with the (sub)key `select` picks
/// for its key id (`owner` names the key when the signature is not one).
fn check_metablock<'k>(
    owner: &str,
    sig: &Signature,
    payload: &[u8],
    now: i64,
    select: impl FnOnce(&str) -> Result<&'k GpgKey, VerifyError>,
) -> Result<(), VerifyError> {
    let Signature::Gpg {
        keyid,
        other_headers,
        signature,
        ..
    } = sig
    else {
        return Err(VerifyError::Malformed {
            keyid: owner.to_owned(),
            why: "not an OpenPGP signature".into(),
        });
    };
    let k = select(keyid)?;
    let malformed = |why: &str| VerifyError::Malformed {
        keyid: keyid.clone(),
        why: why.into(),
    };
    let oh = hex::decode(other_headers).map_err(|_| malformed("other_headers is not hex"))?;
    let sv = hex::decode(signature).map_err(|_| malformed("signature is not hex"))?;
    verify_triple(k, keyid, &oh, &sv, payload, now)
}

/// Checks a DSSE signature (a binary OpenPGP packet over the PAE).
fn check_dsse<'k>(
    sig: &DsseSignature,
    pae: &[u8],
    now: i64,
    select: impl FnOnce(&str) -> Result<&'k GpgKey, VerifyError>,
) -> Result<(), VerifyError> {
    let k = select(&sig.keyid)?;
    let parsed = parse_packet(&sig.sig).map_err(|why| VerifyError::Malformed {
        keyid: sig.keyid.clone(),
        why,
    })?;
    verify_triple(
        k,
        &sig.keyid,
        &parsed.other_headers,
        &parsed.signature,
        pae,
        now,
    )
}

/// Checks one triple against one (sub)key.
pub fn verify_triple(
    k: &GpgKey,
    keyid: &str,
    other_headers: &[u8],
    signature: &[u8],
    payload: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let malformed = |why: String| VerifyError::Malformed {
        keyid: keyid.to_owned(),
        why,
    };
    let hdr = parse_headers(other_headers).map_err(malformed)?;
    let want_algo: &[u8] = match k.params {
        GpgParams::Rsa { .. } => &[1, 3],
        GpgParams::Dsa { .. } => &[17],
        GpgParams::EdDsa { .. } => &[22],
        GpgParams::Ecdsa { .. } => &[19],
    };
    if !want_algo.contains(&hdr.pk_algo) {
        return Err(malformed(format!(
            "algorithm byte {} does not match the {} key",
            hdr.pk_algo,
            k.params.names().0
        )));
    }
    if !hdr.issuer_fpr.eq_ignore_ascii_case(keyid) || !k.keyid.eq_ignore_ascii_case(keyid) {
        return Err(malformed(format!(
            "the hashed issuer fingerprint {} is not the key id {keyid}",
            hdr.issuer_fpr
        )));
    }
    if let Some(exp) = hdr.expires_after
        && hdr.created + exp <= now
    {
        return Err(VerifyError::Expired(format!(
            "the signature by {keyid} expired"
        )));
    }
    let mpis = signature_mpis(&k.params, signature).map_err(malformed)?;
    let digest = signed_digest(hdr.hash, payload, other_headers);
    let key = k.sequoia_key().map_err(VerifyError::Unusable)?;
    key.verify(&mpis, hdr.hash, &digest)
        .map_err(|_| VerifyError::Invalid(keyid.to_owned()))
}

/// The v4 digest: `H(data || other_headers || 0x04 0xff || be32(len))`.
pub fn signed_digest(hash: HashAlgorithm, payload: &[u8], other_headers: &[u8]) -> Vec<u8> {
    let trailer = {
        let mut t = vec![0x04, 0xff];
        t.extend_from_slice(&(other_headers.len() as u32).to_be_bytes());
        t
    };
    fn run<D: sha2::Digest>(parts: [&[u8]; 3]) -> Vec<u8> {
        let mut h = D::new();
        for p in parts {
            h.update(p);
        }
        h.finalize().to_vec()
    }
    let parts = [payload, other_headers, &trailer[..]];
    match hash {
        HashAlgorithm::SHA384 => run::<sha2::Sha384>(parts),
        HashAlgorithm::SHA512 => run::<sha2::Sha512>(parts),
        _ => run::<sha2::Sha256>(parts),
    }
}

/// What the hashed part of a signature says.
#[derive(Debug)]
pub struct Headers {
    /// Public-key algorithm byte.
    pub pk_algo: u8,
    /// Hash algorithm.
    pub hash: HashAlgorithm,
    /// Signature creation time.
    pub created: i64,
    /// Signature expiration (seconds after creation), if any.
    pub expires_after: Option<i64>,
    /// Hashed issuer fingerprint, lower-case hex.
    pub issuer_fpr: String,
}

/// Parses `other_headers` (version through hashed subpackets) strictly.
pub fn parse_headers(oh: &[u8]) -> Result<Headers, String> {
    if oh.len() < 6 {
        return Err("other_headers is too short".into());
    }
    if oh[0] != 4 {
        return Err(format!("signature version {} (only v4 is accepted)", oh[0]));
    }
    if oh[1] != 0 {
        return Err(format!(
            "signature type 0x{:02x} (only binary-document signatures, 0x00, are accepted)",
            oh[1]
        ));
    }
    let hash = match oh[3] {
        8 => HashAlgorithm::SHA256,
        9 => HashAlgorithm::SHA384,
        10 => HashAlgorithm::SHA512,
        2 => return Err("SHA-1 signatures are not accepted".into()),
        1 => return Err("MD5 signatures are not accepted".into()),
        other => {
            return Err(format!(
                "hash algorithm {other} is not accepted (SHA-256, SHA-384 or SHA-512)"
            ));
        }
    };
    let hashed_len = u16::from_be_bytes([oh[4], oh[5]]) as usize;
    if oh.len() != 6 + hashed_len {
        return Err("other_headers length does not match its hashed-area length".into());
    }
    let mut created = None;
    let mut expires_after = None;
    let mut issuer_fpr = None;
    let mut issuer_id = None;
    for (typ, critical, body) in subpackets(&oh[6..])? {
        match typ {
            2 if body.len() == 4 => {
                created = Some(u32::from_be_bytes(body.try_into().expect("4 bytes")) as i64)
            }
            3 if body.len() == 4 => {
                let v = u32::from_be_bytes(body.try_into().expect("4 bytes")) as i64;
                expires_after = (v != 0).then_some(v);
            }
            16 if body.len() == 8 => issuer_id = Some(hex::encode(body)),
            33 if body.len() == 21 && body[0] == 4 => issuer_fpr = Some(hex::encode(&body[1..])),
            2 | 3 | 16 | 33 => return Err(format!("malformed subpacket {typ}")),
            _ if critical => return Err(format!("unknown critical subpacket {typ}")),
            _ => {}
        }
    }
    let issuer_fpr = issuer_fpr.ok_or("no hashed issuer-fingerprint subpacket")?;
    if issuer_id.is_some_and(|id| !issuer_fpr.ends_with(&id)) {
        return Err("issuer key id and issuer fingerprint disagree".into());
    }
    Ok(Headers {
        pk_algo: oh[2],
        hash,
        created: created.ok_or("no signature-creation-time subpacket")?,
        expires_after,
        issuer_fpr,
    })
}

/// Splits a subpacket area into (type, critical, body).
/// A subpacket: type, critical bit, body.
type Subpacket<'a> = (u8, bool, &'a [u8]);

fn subpackets(mut area: &[u8]) -> Result<Vec<Subpacket<'_>>, String> {
    let mut out = Vec::new();
    while !area.is_empty() {
        let (len, hdr) = match area[0] {
            0..=191 => (area[0] as usize, 1),
            192..=254 if area.len() >= 2 => (
                (((area[0] as usize) - 192) << 8) + area[1] as usize + 192,
                2,
            ),
            255 if area.len() >= 5 => (
                u32::from_be_bytes([area[1], area[2], area[3], area[4]]) as usize,
                5,
            ),
            _ => return Err("truncated subpacket".into()),
        };
        if len == 0 || area.len() < hdr + len {
            return Err("truncated subpacket".into());
        }
        let body = &area[hdr..hdr + len];
        out.push((body[0] & 0x7f, body[0] & 0x80 != 0, &body[1..]));
        area = &area[hdr + len..];
    }
    Ok(out)
}

/// Converts in-toto's signature encoding into sequoia MPIs.
fn signature_mpis(params: &GpgParams, sig: &[u8]) -> Result<mpi::Signature, String> {
    match params {
        GpgParams::Rsa { .. } => Ok(mpi::Signature::RSA {
            s: mpi::MPI::new(der::strip_zeros(sig)),
        }),
        GpgParams::Dsa { .. } => {
            let (r, s) = der::read_int_pair(sig).ok_or("DSA signature is not DER (r, s)")?;
            Ok(mpi::Signature::DSA {
                r: mpi::MPI::new(r),
                s: mpi::MPI::new(s),
            })
        }
        GpgParams::Ecdsa { .. } => {
            let (r, s) = der::read_int_pair(sig).ok_or("ECDSA signature is not DER (r, s)")?;
            Ok(mpi::Signature::ECDSA {
                r: mpi::MPI::new(r),
                s: mpi::MPI::new(s),
            })
        }
        GpgParams::EdDsa { .. } => {
            if sig.len() != 64 {
                return Err("EdDSA signature must be 64 bytes".into());
            }
            Ok(mpi::Signature::EdDSA {
                r: mpi::MPI::new(der::strip_zeros(&sig[..32])),
                s: mpi::MPI::new(der::strip_zeros(&sig[32..])),
            })
        }
    }
}

/// Splits a binary signature packet into in-toto's fields.
pub fn parse_packet(packet: &[u8]) -> Result<PgpSignature, String> {
    let body = packet_body(packet)?;
    if body.len() < 6 {
        return Err("signature packet is too short".into());
    }
    let hashed_len = u16::from_be_bytes([body[4], body[5]]) as usize;
    let oh_end = 6 + hashed_len;
    if body.len() < oh_end + 2 {
        return Err("truncated signature packet".into());
    }
    let other_headers = body[..oh_end].to_vec();
    let hdr = parse_headers(&other_headers)?;
    let unhashed_len = u16::from_be_bytes([body[oh_end], body[oh_end + 1]]) as usize;
    let mut rest = body
        .get(oh_end + 2 + unhashed_len + 2..)
        .ok_or("truncated signature packet")?;
    let mut mpis = Vec::new();
    while !rest.is_empty() {
        if rest.len() < 2 {
            return Err("truncated MPI".into());
        }
        let bits = u16::from_be_bytes([rest[0], rest[1]]) as usize;
        let n = bits.div_ceil(8);
        let v = rest.get(2..2 + n).ok_or("truncated MPI")?;
        mpis.push(v.to_vec());
        rest = &rest[2 + n..];
    }
    let signature = match (hdr.pk_algo, mpis.as_slice()) {
        (1 | 3, [s]) => s.clone(),
        (17 | 19, [r, s]) => der::int_pair(r, s),
        (22, [r, s]) => {
            eddsa_rs(r, s).ok_or("unsupported or malformed signature (algorithm 22)")?
        }
        (algo, _) => {
            return Err(format!(
                "unsupported or malformed signature (algorithm {algo})"
            ));
        }
    };
    Ok(PgpSignature {
        keyid: hdr.issuer_fpr,
        other_headers,
        signature,
        packet: packet.to_vec(),
    })
}

/// The body of the first packet, which must be a signature (tag 2).
fn packet_body(p: &[u8]) -> Result<&[u8], String> {
    let ctb = *p.first().ok_or("empty signature")?;
    if ctb & 0x80 == 0 {
        return Err("not an OpenPGP packet".into());
    }
    let (tag, len, hdr) = if ctb & 0x40 != 0 {
        let tag = ctb & 0x3f;
        let b = p.get(1..).ok_or("truncated packet")?;
        match b.first().copied().ok_or("truncated packet")? {
            l @ 0..=191 => (tag, l as usize, 2),
            l @ 192..=223 => (
                tag,
                (((l as usize) - 192) << 8) + *b.get(1).ok_or("truncated packet")? as usize + 192,
                3,
            ),
            255 => {
                let l = b.get(1..5).ok_or("truncated packet")?;
                (
                    tag,
                    u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize,
                    6,
                )
            }
            _ => return Err("partial-length signature packets are not accepted".into()),
        }
    } else {
        let tag = (ctb >> 2) & 0x0f;
        match ctb & 3 {
            0 => (tag, *p.get(1).ok_or("truncated packet")? as usize, 2),
            1 => {
                let l = p.get(1..3).ok_or("truncated packet")?;
                (tag, u16::from_be_bytes([l[0], l[1]]) as usize, 3)
            }
            2 => {
                let l = p.get(1..5).ok_or("truncated packet")?;
                (
                    tag,
                    u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize,
                    5,
                )
            }
            _ => return Err("indeterminate-length packets are not accepted".into()),
        }
    };
    if tag != 2 {
        return Err(format!("packet tag {tag} is not a signature"));
    }
    let body = p.get(hdr..hdr + len).ok_or("truncated packet")?;
    if p.len() != hdr + len {
        return Err("trailing data after the signature packet".into());
    }
    Ok(body)
}

/// Builds a v4 binary signature the way gpg 2.2 does (hashed: issuer
/// fingerprint, creation time; unhashed: issuer key id), asking `sign`
/// for the signature over the digest.
pub fn build_signature(
    signer_fpr: &[u8; 20],
    params: &GpgParams,
    created: u32,
    payload: &[u8],
    sign: impl FnOnce(&[u8]) -> Result<mpi::Signature, String>,
) -> Result<PgpSignature, String> {
    let pk_algo = match params {
        GpgParams::Rsa { .. } => 1u8,
        GpgParams::Dsa { .. } => 17,
        GpgParams::EdDsa { .. } => 22,
        GpgParams::Ecdsa { .. } => 19,
    };
    let mut hashed = vec![22, 33, 4];
    hashed.extend_from_slice(signer_fpr);
    hashed.extend([5, 2]);
    hashed.extend(created.to_be_bytes());
    let mut oh = vec![4, 0, pk_algo, 8];
    oh.extend((hashed.len() as u16).to_be_bytes());
    oh.extend(&hashed);
    let digest = signed_digest(HashAlgorithm::SHA256, payload, &oh);
    let mpis = sign(&digest)?;
    let mut body = oh.clone();
    let mut unhashed = vec![9, 16];
    unhashed.extend_from_slice(&signer_fpr[12..]);
    body.extend((unhashed.len() as u16).to_be_bytes());
    body.extend(unhashed);
    body.extend_from_slice(&digest[..2]);
    let push_mpi = |body: &mut Vec<u8>, v: &[u8]| {
        let v = der::strip_zeros(v);
        body.extend((mpi_bits(v) as u16).to_be_bytes());
        body.extend_from_slice(v);
    };
    let signature = match &mpis {
        mpi::Signature::RSA { s } => {
            push_mpi(&mut body, s.value());
            s.value().to_vec()
        }
        mpi::Signature::DSA { r, s } | mpi::Signature::ECDSA { r, s } => {
            push_mpi(&mut body, r.value());
            push_mpi(&mut body, s.value());
            der::int_pair(r.value(), s.value())
        }
        mpi::Signature::EdDSA { r, s } => {
            push_mpi(&mut body, r.value());
            push_mpi(&mut body, s.value());
            eddsa_rs(der::strip_zeros(r.value()), der::strip_zeros(s.value()))
                .ok_or("malformed EdDSA signature from the agent")?
        }
        _ => return Err("unexpected signature type from the agent".into()),
    };
    let mut packet = vec![0xc2];
    let len = body.len();
    if len < 192 {
        packet.push(len as u8);
    } else if len < 8384 {
        let l = len - 192;
        packet.push(((l >> 8) + 192) as u8);
        packet.push((l & 0xff) as u8);
    } else {
        packet.push(255);
        packet.extend((len as u32).to_be_bytes());
    }
    packet.extend(&body);
    Ok(PgpSignature {
        keyid: hex::encode(signer_fpr),
        other_headers: oh,
        signature,
        packet,
    })
}

/// Reads every certificate in `bytes` (armored or binary keyring).
pub fn read_certs(bytes: &[u8]) -> Result<Vec<Cert>, String> {
    let mut out = Vec::new();
    for c in CertParser::from_bytes(bytes).map_err(|e| format!("not an OpenPGP keyring: {e}"))? {
        out.push(c.map_err(|e| format!("malformed certificate: {e}"))?);
    }
    Ok(out)
}

/// Finds the certificate for `id` (fingerprint, long key id or subkey
/// fingerprint, any case), matching by suffix as gpg and the reference do.
pub fn find_cert<'a>(certs: &'a [Cert], id: &str) -> Result<&'a Cert, String> {
    let want = id.trim_start_matches("0x").to_lowercase();
    if want.len() < 16 || !is_hex(&want) {
        return Err(format!(
            "{id:?} is not a key id or fingerprint (need at least 16 hex digits)"
        ));
    }
    let hits: Vec<&Cert> = certs
        .iter()
        .filter(|c| {
            c.keys().any(|k| {
                k.key()
                    .fingerprint()
                    .to_hex()
                    .to_lowercase()
                    .ends_with(&want)
            })
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("no OpenPGP key {id}")),
        _ => Err(format!(
            "{id} matches {} keys; give the full fingerprint",
            hits.len()
        )),
    }
}

/// Time as `SystemTime`.
pub fn system_time(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64)
}

/// The layout key dict for `cert`, as securesystemslib exports it, but
/// read correctly: subkeys and expiry of Ed25519 keys are kept, revoked
/// subkeys are left out. Subkeys of algorithms in-toto cannot use (e.g.
/// Curve25519 encryption keys) are skipped, like the reference does.
///
/// Keys the reference cannot verify (NIST ECDSA) are refused, and such
/// subkeys left out, unless `allow_noninteroperable`. A revoked key is
/// refused (an expired one is exported: its dict says when it expired).
pub fn cert_to_dict(cert: &Cert, now: i64, allow_noninteroperable: bool) -> Result<GpgKey, String> {
    let policy = CertPolicy::standard();
    let vc = validity::certificate_at(cert, &policy, now).map_err(|p| p.message)?;
    if let Some(p) = validity::primary_problem(&vc, now)
        && p.kind == ProblemKind::Revoked
    {
        return Err(p.message);
    }
    dict_of_valid(cert, &vc, &policy, now, allow_noninteroperable)
}

fn dict_of_valid(
    cert: &Cert,
    vc: &ValidCert<'_>,
    policy: &CertPolicy,
    now: i64,
    allow_noninteroperable: bool,
) -> Result<GpgKey, String> {
    let primary = vc.primary_key();
    let pkey: Key<PublicParts, UnspecifiedRole> = primary.key().clone().role_into_unspecified();
    let params =
        GpgParams::from_key(&pkey).map_err(|e| format!("key {}: {e}", cert.fingerprint()))?;
    if !params.interoperable() && !allow_noninteroperable {
        return Err(noninteroperable(&cert.fingerprint().to_hex(), &params));
    }
    let validity = primary.key_validity_period().map(|d| d.as_secs() as i64);
    let mut subkeys = Vec::new();
    for ka in vc.keys().subkeys() {
        let fpr = ka.key().fingerprint().to_hex();
        // The same verdict as for signing; expired and encryption-only
        // subkeys stay in (as in the reference's export), revoked, unbound
        // and weak ones are left out.
        match validity::signing_key_at(cert, policy, &fpr, now) {
            Ok(_) => {}
            Err(p)
                if matches!(
                    p.kind,
                    ProblemKind::Expired | ProblemKind::NotSigningCapable
                ) => {}
            Err(_) => continue,
        }
        let skey: Key<PublicParts, UnspecifiedRole> = ka.key().clone().role_into_unspecified();
        let Ok(sparams) = GpgParams::from_key(&skey) else {
            continue;
        };
        if !sparams.interoperable() && !allow_noninteroperable {
            continue;
        }
        let svalidity = ka.key_validity_period().map(|d| d.as_secs() as i64);
        subkeys.push(GpgKey::new(
            sparams,
            unix(skey.creation_time()),
            svalidity,
            Vec::new(),
        )?);
    }
    GpgKey::new(params, unix(pkey.creation_time()), validity, subkeys)
}

/// Seconds since the epoch.
pub fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Verifies with a certificate from a keyring or gpg home, honouring its
/// revocations and expiry at `now` and requiring a signing-capable key.
pub struct CertVerifier {
    cert: Cert,
    dict: GpgKey,
    now: i64,
}

impl CertVerifier {
    /// Wraps `cert`, which must be an RSA, DSA or EdDSA key (or, with
    /// `allow_noninteroperable`, NIST ECDSA).
    pub fn new(cert: Cert, now: i64, allow_noninteroperable: bool) -> Result<CertVerifier, String> {
        let dict = cert_to_dict_lenient(&cert, now, allow_noninteroperable)?;
        Ok(CertVerifier { cert, dict, now })
    }

    /// The key dict (as `intoto key export` would write it).
    pub fn dict(&self) -> &GpgKey {
        &self.dict
    }

    /// The certificate.
    pub fn cert(&self) -> &Cert {
        &self.cert
    }

    fn check_usable(&self, keyid: &str) -> Result<&GpgKey, VerifyError> {
        let policy = CertPolicy::standard();
        validity::signing_key_at(&self.cert, &policy, keyid, self.now)
            .map_err(KeyProblem::into_verify_error)?;
        self.dict.find(keyid).ok_or_else(|| {
            VerifyError::Unusable(format!(
                "OpenPGP key {} cannot be used in in-toto's OpenPGP format",
                keyid.to_uppercase()
            ))
        })
    }

    /// Warnings the certificate draws at the verification time (SHA-1
    /// self-signatures).
    pub fn warnings(&self) -> Vec<String> {
        validity::cert_warnings(&self.cert, self.now)
    }
}

/// Like [`cert_to_dict`], but for certificates that are revoked or not
/// valid at `now` (their dict is still needed to say why they fail).
fn cert_to_dict_lenient(
    cert: &Cert,
    now: i64,
    allow_noninteroperable: bool,
) -> Result<GpgKey, String> {
    let policy = CertPolicy::standard();
    if let Ok(vc) = validity::certificate_at(cert, &policy, now) {
        return dict_of_valid(cert, &vc, &policy, now, allow_noninteroperable);
    }
    let pkey: Key<PublicParts, UnspecifiedRole> =
        cert.primary_key().key().clone().role_into_unspecified();
    let params =
        GpgParams::from_key(&pkey).map_err(|e| format!("key {}: {e}", cert.fingerprint()))?;
    GpgKey::new(params, unix(pkey.creation_time()), None, Vec::new())
}

impl Verifier for CertVerifier {
    fn keyid(&self) -> &str {
        &self.dict.keyid
    }
    fn owns(&self, keyid: &str) -> bool {
        self.cert
            .keys()
            .any(|k| k.key().fingerprint().to_hex().eq_ignore_ascii_case(keyid))
    }
    fn verify(&self, payload: &[u8], sig: &Signature) -> Result<(), VerifyError> {
        check_metablock(&self.dict.keyid, sig, payload, self.now, |id| {
            self.check_usable(id)
        })
    }
    fn verify_dsse(&self, pae: &[u8], sig: &DsseSignature) -> Result<(), VerifyError> {
        check_dsse(sig, pae, self.now, |id| self.check_usable(id))
    }
}

/// Bits in a big-endian integer without leading zero bytes.
fn mpi_bits(v: &[u8]) -> usize {
    v.first()
        .map_or(0, |f| v.len() * 8 - f.leading_zeros() as usize)
}

/// An Ed25519 signature (`R || S`, 32 bytes each) from its two MPIs;
/// `None` when one is longer than 32 bytes.
fn eddsa_rs(r: &[u8], s: &[u8]) -> Option<Vec<u8>> {
    if r.len() > 32 || s.len() > 32 {
        return None;
    }
    let mut out = vec![0u8; 64];
    out[32 - r.len()..32].copy_from_slice(r);
    out[64 - s.len()..].copy_from_slice(s);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let dict = cert_to_dict(&cert, unix(SystemTime::now()), false).unwrap();
        let pair = cert
            .primary_key()
            .key()
            .clone()
            .parts_into_secret()
            .unwrap()
            .into_keypair()
            .unwrap();
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
            HashAlgorithm::SHA1 => {
                signed_digest(HashAlgorithm::SHA256, payload, &oh)[..20].to_vec()
            }
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
                pair.sign(h, d).map_err(|e| e.to_string())
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
        let v = GpgDictVerifier {
            key: legacy.clone(),
            now: NOW,
            allow_noninteroperable: false,
        };
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
        let sub = GpgKey {
            validity_period: None,
            subkeys: Vec::new(),
            ..k.dict.clone()
        };
        primary.subkeys = vec![sub];
        let v = GpgDictVerifier {
            allow_noninteroperable: false,
            key: primary.clone(),
            now: primary.creation_time.unwrap() + 100,
        };
        assert!(matches!(
            v.signing_key(&primary.keyid),
            Err(VerifyError::Expired(_))
        ));
        let fresh = GpgDictVerifier {
            allow_noninteroperable: false,
            key: primary.clone(),
            now: primary.creation_time.unwrap() + 5,
        };
        assert!(fresh.signing_key(&primary.keyid).is_ok());
    }
}
