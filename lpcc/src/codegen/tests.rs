//! Tests of code generation: disassembly snapshots of small programs.

use std::sync::Arc;

use crate::check::{CheckConfig, CommandLineSettings};
use crate::source::MemoryProvider;

/// Snapshots the disassembly of `/t.c` compiled from `src` as `name`.
fn check(name: &str, src: &str) {
    let provider = MemoryProvider::new().with("/t.c", src);
    let config = CheckConfig::new(None, &CommandLineSettings::default());
    let mut cache = Default::default();
    let program: Result<Arc<_>, _> = super::compile_file(&provider, "/t.c", &config, &mut cache);
    let text = match program {
        Ok(p) => {
            crate::bytecode::verify::verify(&p).expect("codegen output verifies");
            p.disassemble()
        }
        Err(e) => e,
    };
    insta::assert_snapshot!(name, text);
}

#[test]
fn loop_and_call() {
    check(
        "loop_and_call",
        "int sq(int x) { return x * x; }\nint f() { int i, s; for (i = 0; i < 10; i++) s += sq(i); return s; }\n",
    );
}

#[test]
fn closure_with_capture() {
    check(
        "closure_with_capture",
        "int k = 3;\nmixed f() { int j = 2; return (: $1 + $(j) + k :); }\n",
    );
}
