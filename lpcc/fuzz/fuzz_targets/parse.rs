//! Fuzzes lexing, preprocessing and parsing: no input may panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lpcc::check::check_bytes(data);
});
