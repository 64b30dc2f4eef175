//! Fuzzes `json_decode`: any text decodes within the limits or is an
//! error, and what decodes encodes again.
#![no_main]

use driver::efuns::json::{decode, encode};
use driver::vm::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = decode(text, &Limits::default()) {
        let _ = encode(&value, false);
        let _ = encode(&value, true);
    }
});
