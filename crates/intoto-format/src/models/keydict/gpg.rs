//! The OpenPGP key dict (securesystemslib's GPG format): parameters, the
//! strict parsing, and the v4 fingerprint that names the key. sequoia is
//! used here only to build the v4 public-key packet whose SHA-1 is the
//! fingerprint; everything that checks signatures is in
//! `intoto::keys::openpgp`.

use std::time::{Duration, UNIX_EPOCH};

use openpgp::crypto::mpi;
use openpgp::packet::Key;
use openpgp::packet::key::{Key4, PublicParts, UnspecifiedRole};
use openpgp::types::{Curve, PublicKeyAlgorithm};
use sequoia_openpgp as openpgp;

use crate::format::der;
use crate::format::{FResult, Fields, FormatError, is_hex};
use crate::json::{Object, Value};

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
    /// securesystemslib's `(type, method)` for these parameters.
    pub fn names(&self) -> (&'static str, &'static str) {
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

    /// The `keyval.public` object.
    pub fn to_value(&self) -> Value {
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
    pub fn from_key(key: &Key<PublicParts, UnspecifiedRole>) -> Result<GpgParams, GpgKeyError> {
        if key.version() != 4 {
            return Err(GpgKeyError::Version(key.version()));
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
                    return Err(GpgKeyError::MalformedEd25519);
                }
                Ok(GpgParams::EdDsa { q: v[1..].to_vec() })
            }
            (PublicKeyAlgorithm::ECDSA, mpi::PublicKey::ECDSA { curve, q }) => {
                match NIST.iter().find(|n| &n.2 == curve) {
                    Some(n) => Ok(GpgParams::Ecdsa {
                        curve: n.0,
                        q: q.value().to_vec(),
                    }),
                    None => Err(GpgKeyError::Curve(curve.clone())),
                }
            }
            (algo, _) => Err(GpgKeyError::Algorithm(algo)),
        }
    }
}

/// Why an OpenPGP key cannot be held in in-toto's OpenPGP format.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GpgKeyError {
    /// Not a v4 key (the version it is).
    #[error("v{0} keys cannot be used in in-toto's OpenPGP format (v4 only)")]
    Version(u8),
    /// An EdDSA point that is not a prefixed 32-byte Ed25519 point.
    #[error("malformed Ed25519 point")]
    MalformedEd25519,
    /// ECDSA on a curve other than NIST P-256, P-384 and P-521.
    #[error("ECDSA on {0} cannot be used (NIST P-256, P-384, P-521 only)")]
    Curve(Curve),
    /// An algorithm the format has no dict for.
    #[error(
        "{0} keys cannot be used in in-toto's OpenPGP format (supported: RSA, DSA, EdDSA/Ed25519)"
    )]
    Algorithm(PublicKeyAlgorithm),
    /// sequoia refused to build the v4 public-key packet.
    #[error("{0}")]
    Packet(anyhow::Error),
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
    pub(crate) raw: Object,
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
                let fpr = fingerprint(&params, created)
                    .map_err(|e| FormatError::new(path, e.to_string()))?;
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
    ) -> Result<GpgKey, GpgKeyError> {
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

    /// True once the (sub)key has expired at `now`.
    pub fn expired_at(&self, now: i64) -> bool {
        // The reference's rule: expired once creation + validity < now.
        self.expires_at().is_some_and(|t| t < now)
    }

    /// The sequoia key for these parameters.
    pub fn sequoia_key(&self) -> Result<Key<PublicParts, UnspecifiedRole>, GpgKeyError> {
        // The creation time only enters the fingerprint, not the
        // signature check, so a legacy dict without one still verifies.
        sequoia_key(&self.params, self.creation_time.unwrap_or(0))
    }
}

/// The v4 public-key packet for `params` created at `creation_time`.
pub fn sequoia_key(
    params: &GpgParams,
    creation_time: i64,
) -> Result<Key<PublicParts, UnspecifiedRole>, GpgKeyError> {
    let t = UNIX_EPOCH + Duration::from_secs(creation_time.max(0) as u64);
    let k4 = Key4::new(t, params.pk_algo(), params.mpis()).map_err(GpgKeyError::Packet)?;
    Ok(Key::V4(k4))
}

fn fingerprint(params: &GpgParams, creation_time: i64) -> Result<String, GpgKeyError> {
    Ok(sequoia_key(params, creation_time)?
        .fingerprint()
        .to_hex()
        .to_lowercase())
}

/// Bits in a big-endian integer without leading zero bytes.
pub fn mpi_bits(v: &[u8]) -> usize {
    v.first()
        .map_or(0, |f| v.len() * 8 - f.leading_zeros() as usize)
}
