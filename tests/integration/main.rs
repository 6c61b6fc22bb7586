//! Integration tests: the `intoto` binary, real gpg in scratch GnuPG
//! homes, real files, and the Python reference for interop.

mod audit;
mod canonical;
mod card;
mod cli;
mod common;
mod docs;
mod interop;
mod keys;
mod numbers;
mod reference;
mod robust;
mod sign;
mod thirdparty;
