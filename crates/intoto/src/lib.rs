//! `intoto`: the in-toto supply-chain framework, GnuPG-first.
//!
//! The library records and signs link metadata, signs layouts, and
//! verifies a supply chain against its layout, byte-compatible with the
//! Python reference implementation (in-toto 3.1). It never sees command
//! line parsing; the `intoto` binary is a thin layer over it.
//!
//! # Recording a step and signing its link
//!
//! A functionary performs a step ([`step::perform`]: materials recorded,
//! the command run, products recorded) and signs the link with a PEM key:
//!
//! ```
//! use intoto::keys::{pem::PemSigner, sign_envelope};
//! use intoto_format::models::{Envelope, Signed, link_filename};
//! use intoto::step::{self, StepSpec};
//!
//! let key_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys/bob.pem");
//! let bob = PemSigner::from_file(key_file, None)?; // Some(password) for an encrypted key
//! let dir = tempfile::tempdir()?;
//! let spec = StepSpec::new("build")
//!     .command(["sh", "-c", "echo hello > hello.txt"])
//!     .products(["hello.txt"])
//!     .in_dir(dir.path());
//! let link = step::perform(&spec, &mut intoto::observe::Quiet)?;
//! let mut env = Envelope::new(Signed::Link(link), false)?; // `true`: DSSE
//! let signature = sign_envelope(&mut env, &bob)?;
//! let file = dir.path().join(link_filename("build", signature.keyid())); // build.<keyid8>.link
//! std::fs::write(&file, env.to_file_bytes()?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Writing a layout and verifying a supply chain
//!
//! The project owner (alice) writes a layout naming bob as the `build`
//! step's functionary and signs it; a verifier checks the links in a
//! directory against it with [`verify::verify`]:
//!
//! ```
//! use intoto::keys::{pem::{PemSigner, read_public}, sign_envelope, Signer};
//! use intoto_format::models::{Envelope, Layout, NewStep, Signed, link_filename};
//! use intoto::step::{self, StepSpec};
//! use intoto::observe::Collect;
//! use intoto::verify::{self, LayoutKey, VerifyOptions};
//!
//! let key = |name: &str| format!("{}/../../testdata/keys/{name}", env!("CARGO_MANIFEST_DIR"));
//! let alice = PemSigner::from_file(key("alice.pem"), None)?;
//! let bob = PemSigner::from_file(key("bob.pem"), None)?;
//!
//! let mut layout = Layout::new("2100-01-01T00:00:00Z");
//! layout.set_key(bob.public_key().clone());
//! layout.add_step(NewStep {
//!     name: "build".into(),
//!     functionaries: vec![bob.keyid().into()],
//!     threshold: 1,
//!     products: vec!["CREATE hello.txt".into(), "DISALLOW *".into()],
//!     ..NewStep::default()
//! })?;
//! let mut layout = Envelope::new(Signed::Layout(layout), false)?;
//! sign_envelope(&mut layout, &alice)?;
//!
//! // bob's link, as in the example above.
//! let dir = tempfile::tempdir()?;
//! let spec = StepSpec::new("build")
//!     .command(["touch", "hello.txt"])
//!     .products(["hello.txt"])
//!     .in_dir(dir.path());
//! let link = step::perform(&spec, &mut intoto::observe::Quiet)?;
//! let mut link = Envelope::new(Signed::Link(link), false)?;
//! sign_envelope(&mut link, &bob)?;
//! let file = dir.path().join(link_filename("build", bob.keyid()));
//! std::fs::write(file, link.to_file_bytes()?)?;
//!
//! let owner = LayoutKey::required(Box::new(read_public(key("alice.pub"))?), "alice.pub");
//! let opts = VerifyOptions::new(dir.path()); // the links' directory
//! let summary = verify::verify(&layout, &[owner], &opts, &mut Collect::default())?;
//! assert!(summary.products.contains_key("hello.txt"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Checking a link's signature
//!
//! ```
//! # use intoto::keys::{pem::PemSigner, sign_envelope};
//! # use intoto_format::models::{Envelope, Link, Signed};
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("build.link");
//! # let key = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys/bob.pem");
//! # let bob = PemSigner::from_file(key, None)?;
//! # let link = Link { name: "build".into(), ..Link::default() };
//! # let mut env = Envelope::new(Signed::Link(link), false)?;
//! # sign_envelope(&mut env, &bob)?;
//! # std::fs::write(&path, env.to_file_bytes()?)?;
//! use intoto::keys::{pem::read_public, verify_envelope};
//!
//! let link = intoto::fsio::load_metadata(&path)?; // a Metablock or a DSSE envelope
//! let bob = read_public(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys/bob.pub"))?;
//! verify_envelope(&link, &bob)?;
//!
//! let carl = read_public(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys/carl.pub"))?;
//! assert!(verify_envelope(&link, &carl).is_err()); // not signed by carl
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

// The format crate's modules, under the names the library's code uses;
// callers name them through `intoto_format`.
use intoto_format::{format, json, models};

pub mod cosign;
pub mod fsio;
pub mod graph;
pub mod keys;
pub mod layout_tools;
pub mod observe;
pub mod policy;
pub mod record;
pub mod rules;
pub mod runner;
pub mod settings;
pub mod step;
pub mod summary;
pub mod threads;
pub mod verify;

#[cfg(test)]
mod layout_edit_tests;
