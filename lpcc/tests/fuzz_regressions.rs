//! Every input in `tests/fuzz_regressions/` (crashers found by fuzzing, and
//! hand-made hostile inputs) must check without a panic.
#![allow(clippy::disallowed_methods)]

use std::path::Path;

#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the regression folder") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let data = std::fs::read(&path).expect("a regression input");
        let result = std::panic::catch_unwind(|| lpcc::check::check_bytes(&data));
        assert!(result.is_ok(), "{} panics", path.display());
        count += 1;
    }
    assert!(count > 0, "no regression inputs found");
}

#[test]
fn hostile_inputs_finish() {
    let inputs: [&[u8]; 6] = [
        b"#define A A A\n#define B A B\nB B B",
        b"#define X(a) X(a a)\nX(X(X(X(1))))",
        b"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((",
        b"#include \"/fuzz.c\"\n",
        b"\xff\xfe int x = \"\\u12\";",
        b"#if (1/0) || (1%0)\n#endif\n@@",
    ];
    for input in inputs {
        let report = lpcc::check::check_bytes(input);
        assert!(
            report.diagnostics.iter().any(|d| d.is_error()),
            "{:?} should be reported",
            String::from_utf8_lossy(input)
        );
    }
}
