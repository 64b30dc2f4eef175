//! Fuzzes the save-format reader behind `restore_variable` and
//! `restore_object`: any text either reads or is an error, never a panic.
#![no_main]

use driver::efuns::save::format::{Reader, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let reader = Reader {
        max_array: 1000,
        max_mapping: 1000,
        layouts: &[],
        hint: None,
    };
    if let Ok(value) = reader.read(text) {
        // What was read must write back without a panic.
        let mut out = String::new();
        let _ = encode(&value, &mut out);
    }
});
