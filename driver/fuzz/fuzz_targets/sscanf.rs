//! Fuzzes `sscanf` on (input, format) pairs split at the first NUL byte.
#![no_main]

use driver::efuns::strings::sscanf;
use driver::vm::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((input, format)) = text.split_once('\0') else {
        return;
    };
    let targets = vec![Value::Int(0); 4];
    let _ = sscanf(input, format, targets);
});
