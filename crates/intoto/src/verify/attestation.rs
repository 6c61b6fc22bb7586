//! Link attestations as a step's links: a DSSE envelope holding an in-toto
//! Statement v1 with the link predicate v0.3, read once its signature by a
//! key the step authorizes has verified (`stages/links.rs` checks it).
//!
//! What makes one count, beyond the signature: `payloadType`
//! `application/vnd.in-toto+json`; the Statement and predicate shapes
//! [`link_from_statement`] requires; `predicate.name` the step's name
//! (the reference never checks a classic link's name; an attestation
//! must name its step). Its subjects become the link's products and its
//! materials the link's materials, digest sets as written, compared with
//! the one digest equality ([`HashDict::matches`](crate::models::HashDict::matches)).

use crate::models::attestation::{AttestationEnvelope, Statement, link_from_statement};
use crate::models::{Envelope, Link, PAYLOAD_TYPE};

/// A link file that counts for a step, after its signature verified.
#[derive(Clone, Debug)]
pub(super) enum Evidence {
    /// Classic metadata: a link or a sublayout.
    Metadata(Envelope),
    /// A link attestation, read as a link.
    Attestation(Link),
}

/// Reads a verified attestation as the link of `step`; the error says why
/// it is not one (text from the file included: escaped where shown).
pub(super) fn read_attestation(env: &AttestationEnvelope, step: &str) -> Result<Link, String> {
    if env.payload_type != PAYLOAD_TYPE {
        return Err(format!(
            "payloadType is {:?}, not {PAYLOAD_TYPE:?}",
            env.payload_type
        ));
    }
    let statement = Statement::from_payload(&env.payload).map_err(|e| e.to_string())?;
    let link = link_from_statement(&statement).map_err(|e| e.to_string())?;
    if link.name != step {
        return Err(format!(
            "payload.predicate.name is {:?}, not the step's name {step:?}",
            link.name
        ));
    }
    Ok(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(payload_type: &str, name: &str) -> AttestationEnvelope {
        let payload = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"a","digest":{{"sha256":"00"}}}}],"predicateType":"https://in-toto.io/attestation/link/v0.3","predicate":{{"name":"{name}"}}}}"#
        );
        AttestationEnvelope {
            payload_type: payload_type.into(),
            payload: payload.into_bytes(),
            signatures: Vec::new(),
        }
    }

    #[test]
    fn the_payload_type_and_the_step_name_must_be_right() {
        assert!(read_attestation(&env(PAYLOAD_TYPE, "build"), "build").is_ok());
        let e = read_attestation(&env("application/json", "build"), "build").unwrap_err();
        assert!(e.contains("payloadType"), "{e}");
        let e = read_attestation(&env(PAYLOAD_TYPE, "test"), "build").unwrap_err();
        assert!(e.contains("predicate.name is \"test\""), "{e}");
    }
}
