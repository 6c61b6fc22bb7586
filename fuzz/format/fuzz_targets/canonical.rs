#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../../tests/integration/fuzz_replay/checks/format.rs"]
#[allow(dead_code)]
mod checks;

fuzz_target!(|data: &[u8]| checks::canonical(data));
