//! Integration tests: the `intoto` binary, real gpg in scratch GnuPG
//! homes, real files, and the Python reference for interop.

mod apt;
mod audit;
mod canonical;
mod card;
mod cli_bad_input;
mod cli_settings;
mod common;
mod docs;
mod fuzz_replay;
mod guard_rails;
mod interop;
mod key;
mod keys;
mod layout;
mod match_products;
mod mock;
mod numbers;
mod packager;
mod rebuilders;
mod record;
mod reference_layouts;
mod reference_patterns;
mod reference_recording;
mod reference_signatures;
mod robust;
mod robust_distro;
mod robust_keys;
mod robust_paths;
mod robust_record;
mod run;
mod sign;
mod suite;
mod thirdparty;
mod verify;
mod verify_archive;
