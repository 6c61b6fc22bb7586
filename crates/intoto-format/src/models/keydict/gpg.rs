//! The OpenPGP key dict (securesystemslib's GPG format): parameters, the
//! strict parsing, and the v4 fingerprint that names the key. No OpenPGP
//! implementation is used here: the fingerprint is the SHA-1 of the v4
//! public-key packet (RFC 4880, 12.2), which `v4_packet_body` writes from
//! the parameters; everything that parses certificates or checks
//! signatures is in `intoto::keys::openpgp`.

use sha1::{Digest, Sha1};

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

/// The NIST curves: dict name, method, and the curve's OID as OpenPGP
/// writes it (RFC 6637, 11).
const NIST: [(&str, &str, &[u8]); 3] = [
    (
        "nistp256",
        "pgp+ecdsa-nistp256",
        &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
    ),
    (
        "nistp384",
        "pgp+ecdsa-nistp384",
        &[0x2B, 0x81, 0x04, 0x00, 0x22],
    ),
    (
        "nistp521",
        "pgp+ecdsa-nistp521",
        &[0x2B, 0x81, 0x04, 0x00, 0x23],
    ),
];

/// Ed25519's OID in OpenPGP (1.3.6.1.4.1.11591.15.1).
const ED25519_OID: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01];

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

    /// The OpenPGP public-key algorithm number (RFC 4880, 9.1; RFC 6637).
    pub fn algorithm_id(&self) -> u8 {
        match self {
            GpgParams::Rsa { .. } => 1,
            GpgParams::Dsa { .. } => 17,
            GpgParams::Ecdsa { .. } => 19,
            GpgParams::EdDsa { .. } => 22,
        }
    }

    /// The curve's OID for ECDSA and EdDSA keys.
    pub fn curve_oid(&self) -> Option<&'static [u8]> {
        match self {
            GpgParams::EdDsa { .. } => Some(ED25519_OID),
            GpgParams::Ecdsa { curve, .. } => NIST.iter().find(|n| n.0 == *curve).map(|n| n.2),
            _ => None,
        }
    }

    /// The curve a dict names (`nistp256`…) for an OpenPGP curve OID.
    pub fn nist_curve(oid: &[u8]) -> Option<&'static str> {
        NIST.iter().find(|n| n.2 == oid).map(|n| n.0)
    }

    /// The integers of the key, in packet order (an EdDSA point without
    /// its 0x40 prefix).
    pub fn mpis(&self) -> Vec<&[u8]> {
        match self {
            GpgParams::Rsa { e, n } => vec![n, e],
            GpgParams::Dsa { p, q, g, y } => vec![p, q, g, y],
            GpgParams::EdDsa { q } | GpgParams::Ecdsa { q, .. } => vec![q],
        }
    }

    /// The algorithm-specific fields of the v4 public-key packet.
    fn write_fields(&self, out: &mut Vec<u8>) {
        match self {
            GpgParams::Rsa { e, n } => {
                write_mpi(out, n);
                write_mpi(out, e);
            }
            GpgParams::Dsa { p, q, g, y } => {
                for v in [p, q, g, y] {
                    write_mpi(out, v);
                }
            }
            GpgParams::EdDsa { q } => {
                write_oid(out, ED25519_OID);
                let mut point = Vec::with_capacity(33);
                point.push(0x40);
                point.extend_from_slice(q);
                write_mpi(out, &point);
            }
            GpgParams::Ecdsa { q, .. } => {
                write_oid(out, self.curve_oid().unwrap_or(NIST[0].2));
                write_mpi(out, q);
            }
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
    /// ECDSA on a curve other than NIST P-256, P-384 and P-521 (the
    /// curve's name).
    #[error("ECDSA on {0} cannot be used (NIST P-256, P-384, P-521 only)")]
    Curve(String),
    /// An algorithm the format has no dict for (the algorithm's name).
    #[error(
        "{0} keys cannot be used in in-toto's OpenPGP format (supported: RSA, DSA, EdDSA/Ed25519)"
    )]
    Algorithm(String),
    /// Key material too large for a v4 public-key packet (64 KiB).
    #[error("the key material is too large for an OpenPGP v4 key packet")]
    TooLarge,
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
}

/// The body of the v4 public-key packet for `params` created at
/// `creation_time` (RFC 4880, 5.5.2): version, creation time, algorithm,
/// then the algorithm's fields as MPIs (and the curve's OID).
pub fn v4_packet_body(params: &GpgParams, creation_time: i64) -> Vec<u8> {
    let mut body = vec![4];
    let t = u32::try_from(creation_time.max(0)).unwrap_or(u32::MAX);
    body.extend_from_slice(&t.to_be_bytes());
    body.push(params.algorithm_id());
    params.write_fields(&mut body);
    body
}

/// The v4 fingerprint, lower-case hex: SHA-1 over 0x99, the two-byte
/// length and the public-key packet's body (RFC 4880, 12.2).
pub fn fingerprint(params: &GpgParams, creation_time: i64) -> Result<String, GpgKeyError> {
    if params.mpis().iter().any(|v| v.len() > 8192) {
        return Err(GpgKeyError::TooLarge);
    }
    let body = v4_packet_body(params, creation_time);
    let len = u16::try_from(body.len()).map_err(|_| GpgKeyError::TooLarge)?;
    let mut h = Sha1::new();
    h.update([0x99]);
    h.update(len.to_be_bytes());
    h.update(&body);
    Ok(hex::encode(h.finalize()))
}

/// An MPI: its length in bits, then its bytes, leading zeros stripped.
fn write_mpi(out: &mut Vec<u8>, v: &[u8]) {
    let v = der::strip_zeros(v);
    let bits = mpi_bits(v);
    out.extend_from_slice(&u16::try_from(bits).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(v);
}

/// An OID as key packets hold it: one length byte, then the OID.
fn write_oid(out: &mut Vec<u8>, oid: &[u8]) {
    out.push(oid.len() as u8);
    out.extend_from_slice(oid);
}

/// Bits in a big-endian integer without leading zero bytes.
pub fn mpi_bits(v: &[u8]) -> usize {
    v.first()
        .map_or(0, |f| v.len() * 8 - f.leading_zeros() as usize)
}
