//! File efuns under a master that guards paths: runs `tests/vm/file_security.c`
//! with `valid_read` / `valid_write` added to the test master, and a symlink
//! in the mudlib that leads out of it.

use std::path::Path;
use std::process::Command;

mod common;
use common::copy_dir;

/// Master applies that refuse `/secret...`, map `/alias...` to `/real...`
/// and remember the last question.
const GUARDS: &str = r#"
mixed *last_check;
mixed *query_last_check() { return last_check; }
mixed guard(string kind, string path, mixed ob, string func) {
  last_check = ({ kind, path, ob, func });
  if (path[0..6] == "/secret") return 0;
  if (path[0..5] == "/alias") return "/real" + path[6..];
  return 1;
}
mixed valid_read(string path, mixed ob, string func) { return guard("read", path, ob, func); }
mixed valid_write(string path, mixed ob, string func) { return guard("write", path, ob, func); }
"#;

#[test]
fn the_master_and_the_jail_guard_every_path() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vm");
    let mudlib = tempfile::tempdir().expect("temporary directory");
    let outside = tempfile::tempdir().expect("temporary directory");
    copy_dir(&source, mudlib.path());
    let master = mudlib.path().join("master.c");
    let text = std::fs::read_to_string(&master).expect("read master");
    std::fs::write(&master, text + GUARDS).expect("write master");
    for dir in ["secret", "real"] {
        std::fs::create_dir(mudlib.path().join(dir)).expect("mkdir");
    }
    std::fs::write(mudlib.path().join("secret/data.txt"), "secret\n").expect("write");
    std::fs::write(mudlib.path().join("real/data.txt"), "real data\n").expect("write");
    std::fs::write(outside.path().join("outside.txt"), "outside\n").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), mudlib.path().join("out")).expect("symlink");
    let output = Command::new(env!("CARGO_BIN_EXE_driver"))
        .arg("config.test")
        .arg("-ffile_security")
        .current_dir(mudlib.path())
        .output()
        .expect("driver runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("PASS file_security"), "{text}");
    assert!(!outside.path().join("new.txt").exists());
    assert!(outside.path().join("outside.txt").exists());
    assert!(mudlib.path().join("secret/data.txt").exists());
}
