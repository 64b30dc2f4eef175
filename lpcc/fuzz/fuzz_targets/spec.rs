//! Fuzzes the efun `.spec` parser: any text gives a spec file or an error.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let symbols: BTreeSet<String> = ["PACKAGE_UIDS".to_string()].into_iter().collect();
    let _ = efun_specs::parse_spec("fuzz.spec", "fuzz", text, &symbols);
});
