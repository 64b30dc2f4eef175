//! Fuzzes the translation of the LPC regexp dialect and its compilation:
//! a pattern translates, compiles and matches, or is an error.
#![no_main]

use driver::efuns::regex::{compile, translate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A pattern and, after the first NUL, a subject to match it against.
    let (pattern, subject) = text
        .split_once('\0')
        .unwrap_or((text, "an example subject"));
    let _ = translate(pattern);
    if let Ok(re) = compile(pattern) {
        let _ = re.find(subject);
    }
});
