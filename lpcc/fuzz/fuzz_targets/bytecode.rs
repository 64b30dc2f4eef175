//! Fuzzes the bytecode file reader and verifier, the gate in front of every
//! `.lpcb` file the driver loads: no input may panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(program) = lpcc::bytecode::file::read(data) {
        let _ = lpcc::bytecode::verify::verify(&program);
    }
});
