//! Fuzzes the whole compiler, source to verified bytecode: whatever the
//! front-end accepts must compile without a panic, and what the code
//! generator emits must pass the verifier.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let provider = lpcc::source::MemoryProvider::new().with("/fuzz.c", text);
    let config = lpcc::check::CheckConfig::new(None, &Default::default());
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
