//! The `ed_start()` editor through the driver: runs `tests/vm/efuns/ed.c`
//! with `old ed : 0` in the config and the editor's master applies added
//! to the test master.

use std::path::Path;
use std::process::Command;

mod common;
use common::copy_dir;

/// The editor's master applies, logging what they were asked; writes to
/// `/ed_tmp/locked...` are refused.
const APPLIES: &str = r#"
mixed *ed_log = ({ });
int ed_setup;
mixed *query_ed_log() { return ed_log; }
int query_ed_setup() { return ed_setup; }
int retrieve_ed_setup(object who) { return ed_setup; }
int save_ed_setup(object who, int setup) { ed_setup = setup; return 1; }
string make_path_absolute(string path) { return "/ed_tmp/" + path; }
string get_save_file_name(string file) {
  ed_log += ({ ({ "get_save_file_name", file }) });
  return "/ed_tmp/dead.save";
}
mixed valid_read(string path, mixed ob, string func) { return 1; }
mixed valid_write(string path, mixed ob, string func) {
  ed_log += ({ ({ "valid_write", path, ob, func }) });
  return path[0..13] != "/ed_tmp/locked";
}
"#;

#[test]
fn ed_start_sessions() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vm");
    let mudlib = tempfile::tempdir().expect("temporary directory");
    copy_dir(&source, mudlib.path());
    let master = mudlib.path().join("master.c");
    let text = std::fs::read_to_string(&master).expect("read master");
    std::fs::write(&master, text + APPLIES).expect("write master");
    let config = mudlib.path().join("config.test");
    let text = std::fs::read_to_string(&config).expect("read config");
    std::fs::write(&config, text + "old ed : 0\n").expect("write config");
    std::fs::create_dir(mudlib.path().join("ed_tmp")).expect("mkdir");
    let output = Command::new(env!("CARGO_BIN_EXE_driver"))
        .arg("config.test")
        .arg("-fefuns/ed")
        .current_dir(mudlib.path())
        .output()
        .expect("driver runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("PASS efuns/ed"), "{text}");
}
