//! Fuzzes the whole compiler, source to verified bytecode: whatever the
//! front-end accepts must compile without a panic, and what the code
//! generator emits must pass the verifier.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

/// The default efun table, read once: loading the specs takes far longer
/// than compiling a small input, and it is the same for every run.
fn base_config() -> &'static lpcc::check::CheckConfig {
    static CONFIG: OnceLock<lpcc::check::CheckConfig> = OnceLock::new();
    CONFIG.get_or_init(|| lpcc::check::CheckConfig::new(None, &Default::default()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let provider = lpcc::source::MemoryProvider::new().with("/fuzz.c", text);
    // A fresh inherit cache per run, so no input sees an earlier one's programs.
    let config = lpcc::check::CheckConfig {
        inherit_cache: Arc::default(),
        ..base_config().clone()
    };
    let mut cache = Default::default();
    if let Ok(program) = lpcc::codegen::compile_file(&provider, "/fuzz.c", &config, &mut cache) {
        let verdict = lpcc::bytecode::verify::verify(&program);
        assert!(
            verdict.is_ok(),
            "codegen output fails verification: {verdict:?}"
        );
        let bytes = lpcc::bytecode::file::write(&program);
        let back = lpcc::bytecode::file::read(&bytes);
        assert!(back.is_ok(), "a written program does not read back");
    }
});
