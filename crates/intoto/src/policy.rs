//! The policy everything is judged by: the reference time (when
//! signatures, expiry and revocations are judged, and when new
//! signatures are made), the OpenPGP policy, and the interoperability
//! switches. Built once by the command layer (as sq builds its
//! `Sq { time, policy }`) and passed down as one `&Policy`; the clock is
//! whatever the caller puts in, so tests give a fixed time.

use openpgp::policy::{HashAlgoSecurity, Policy as SequoiaPolicy, StandardPolicy};
use openpgp::types::HashAlgorithm;
use sequoia_openpgp as openpgp;

/// Why the system's crypto policy could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The configured policy file cannot be read or parsed.
    #[error("crypto policy {file}: {reason}")]
    Unreadable {
        /// The file, and the variable that named it if one did.
        file: String,
        /// What sequoia-policy-config reported, on one line.
        reason: String,
    },
}

/// The reference time, the OpenPGP policy and the interop switches.
#[derive(Clone, Debug)]
pub struct Policy {
    time: i64,
    openpgp: CertPolicy,
    allow_noninteroperable: bool,
}

impl Policy {
    /// The standard policy at `time` (seconds since the epoch): intoto's
    /// OpenPGP policy ([`CertPolicy::standard`]), only keys the Python
    /// reference can verify.
    pub fn at(time: i64) -> Policy {
        Policy {
            time,
            openpgp: CertPolicy::standard(),
            allow_noninteroperable: false,
        }
    }

    /// The standard policy ([`Policy::at`]) at the current time.
    pub fn now() -> Policy {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Policy::at(now)
    }

    /// The same policy at another time (`verify --time`).
    pub fn with_time(mut self, time: i64) -> Policy {
        self.time = time;
        self
    }

    /// The same policy with another OpenPGP policy.
    pub fn with_openpgp(mut self, openpgp: CertPolicy) -> Policy {
        self.openpgp = openpgp;
        self
    }

    /// The same policy, also accepting (`yes`) key types the Python
    /// reference cannot verify (NIST ECDSA OpenPGP keys).
    pub fn allowing_noninteroperable(mut self, yes: bool) -> Policy {
        self.allow_noninteroperable = yes;
        self
    }

    /// The reference time, seconds since the epoch.
    pub fn time(&self) -> i64 {
        self.time
    }

    /// The OpenPGP policy.
    pub fn openpgp(&self) -> &CertPolicy {
        &self.openpgp
    }

    /// True when key types the Python reference cannot verify are
    /// accepted.
    pub fn allow_noninteroperable(&self) -> bool {
        self.allow_noninteroperable
    }
}

/// The OpenPGP policy: sequoia's standard policy, plus (unless a stricter
/// setting is asked for) SHA-1 in self-signatures, as gpg and the Python
/// reference accept it. Self-signatures (user-id certifications, subkey
/// and primary-key bindings, direct-key signatures, self-revocations) are
/// over data the key owner chose, so they only need second-preimage
/// resistance, which SHA-1 still has; sequoia's own cut-off for that was
/// 2023-02. SHA-1 *data* signatures (over in-toto metadata) stay refused:
/// they need collision resistance (and `openpgp::parse_headers` refuses
/// them before any policy is asked).
#[derive(Clone, Debug)]
pub struct CertPolicy {
    policy: StandardPolicy<'static>,
    sha1_self_signatures: bool,
    /// The configuration file it was read from, if any.
    source: Option<String>,
}

impl Default for CertPolicy {
    fn default() -> Self {
        CertPolicy::standard()
    }
}

impl CertPolicy {
    /// The policy intoto uses everywhere.
    pub fn standard() -> CertPolicy {
        CertPolicy::new(true)
    }

    /// sequoia's standard policy as it is (SHA-1 self-signatures refused),
    /// for a stricter configuration.
    pub fn strict() -> CertPolicy {
        CertPolicy::new(false)
    }

    fn new(sha1_self_signatures: bool) -> CertPolicy {
        CertPolicy::from_base(None, sha1_self_signatures)
    }

    /// The policy over `base` (sequoia's standard policy when `None`),
    /// with SHA-1 self-signatures accepted on top when
    /// `sha1_self_signatures`. This is where a configured system crypto
    /// policy plugs in: `sequoia-policy-config`'s
    /// `ConfiguredStandardPolicy::build()` yields the `StandardPolicy` to
    /// pass as `base`.
    pub fn from_base(
        base: Option<StandardPolicy<'static>>,
        sha1_self_signatures: bool,
    ) -> CertPolicy {
        let mut policy = base.unwrap_or_default();
        if sha1_self_signatures {
            policy.accept_hash_property(
                HashAlgorithm::SHA1,
                HashAlgoSecurity::SecondPreImageResistance,
            );
        }
        CertPolicy {
            policy,
            sha1_self_signatures,
            source: None,
        }
    }

    /// The system's crypto policy, as sq and sqv read it: the file named by
    /// `$SEQUOIA_CRYPTO_POLICY`, else
    /// `/etc/crypto-policies/back-ends/sequoia.config` when it exists
    /// (`sequoia-policy-config`); without either, [`CertPolicy::standard`].
    /// A configured policy is taken as it is: it decides SHA-1
    /// self-signatures too (intoto's relaxation does not apply on top).
    pub fn from_system() -> Result<CertPolicy, PolicyError> {
        use sequoia_policy_config::ConfiguredStandardPolicy as Configured;
        let source = match std::env::var_os(Configured::ENV_VAR) {
            Some(v) => format!(
                "{} (${})",
                std::path::Path::new(&v).display(),
                Configured::ENV_VAR
            ),
            None => Configured::CONFIG_FILE.to_owned(),
        };
        let mut c = Configured::new();
        let found = c.parse_default_config().map_err(|e| {
            let e = format!("{e:#}");
            PolicyError::Unreadable {
                file: source.clone(),
                reason: e.split_whitespace().collect::<Vec<_>>().join(" "),
            }
        })?;
        if !found {
            return Ok(CertPolicy::standard());
        }
        Ok(CertPolicy {
            policy: c.build(),
            sha1_self_signatures: false,
            source: Some(source),
        })
    }

    /// Who refuses what this policy refuses, for messages.
    pub fn who(&self) -> String {
        match &self.source {
            Some(s) => format!("the crypto policy in {s}"),
            None => "intoto's OpenPGP policy".to_owned(),
        }
    }

    /// sequoia's standard policy, as configured.
    pub fn sequoia_standard(&self) -> &StandardPolicy<'static> {
        &self.policy
    }

    /// True when `h` in self-signatures is refused today.
    pub fn refuses_self_signature_hash(&self, h: HashAlgorithm) -> bool {
        self.policy
            .hash_cutoff(h, HashAlgoSecurity::SecondPreImageResistance)
            .is_some_and(|c| c <= std::time::SystemTime::now())
    }

    /// The sequoia policy.
    pub fn policy(&self) -> &dyn SequoiaPolicy {
        &self.policy
    }

    /// True when SHA-1 self-signatures are accepted.
    pub fn sha1_self_signatures(&self) -> bool {
        self.sha1_self_signatures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_is_standard_and_interoperable_until_told_otherwise() {
        let p = Policy::at(100);
        assert_eq!(p.time(), 100);
        assert!(!p.allow_noninteroperable());
        assert!(p.openpgp().sha1_self_signatures());
        let q = p.clone().with_time(5).allowing_noninteroperable(true);
        assert_eq!((q.time(), q.allow_noninteroperable()), (5, true));
        let strict = p.with_openpgp(CertPolicy::strict());
        assert!(!strict.openpgp().sha1_self_signatures());
        assert!(!CertPolicy::from_base(Some(StandardPolicy::new()), false).sha1_self_signatures());
    }
}
