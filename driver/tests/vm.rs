//! Runs each LPC test of `tests/vm` in the driver: the master loads the
//! file, calls its `run()`, and reports PASS or FAIL with the failing lines.

use std::path::Path;
use std::process::Command;

fn run_lpc_test(name: &str) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vm");
    let dir = tempfile::tempdir().expect("temporary directory");
    for entry in std::fs::read_dir(&source).expect("tests/vm exists") {
        let entry = entry.expect("directory entry");
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy test file");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_driver"))
        .arg("config.test")
        .arg(format!("-f{name}"))
        .current_dir(dir.path())
        .output()
        .expect("driver runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("PASS {name}")),
        "{name}: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn arithmetic() {
    run_lpc_test("arithmetic");
}

#[test]
fn control() {
    run_lpc_test("control");
}

#[test]
fn values() {
    run_lpc_test("values");
}
