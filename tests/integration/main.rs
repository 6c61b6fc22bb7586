//! Integration tests: the `intoto` binary, real gpg in scratch GnuPG
//! homes, real files, and the Python reference for interop.

mod card;
mod cli;
mod common;
mod docs;
mod interop;
mod reference;
mod robust;
mod sign;
