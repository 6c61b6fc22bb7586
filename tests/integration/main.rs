//! Integration tests: the `intoto` binary, real gpg in scratch GnuPG
//! homes, real files, and the Python reference for interop.

mod audit;
mod canonical;
mod card;
mod cli;
mod common;
mod docs;
mod fuzz_replay;
mod interop;
mod reference;
mod sign;
mod thirdparty;
