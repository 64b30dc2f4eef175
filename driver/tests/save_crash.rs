//! Kills the driver with SIGKILL in the middle of a save loop, many times,
//! and checks that the save file is always one whole save: `save_object`
//! writes a temporary file and renames it, so a crash never leaves a
//! half-written save. `LPC_SAVE_KILLS` sets the number of kills.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;
use common::copy_dir;

/// Whether `text` is the save `tests/vm/saveloop.c` writes on some
/// iteration: the header, `counter N` and a payload of the length that
/// iteration gives.
fn whole_save(text: &str) -> Result<u64, String> {
    let mut lines = text.split_inclusive('\n');
    let header = lines.next().ok_or("empty file")?;
    if header != "#/saveloop.c\n" {
        return Err(format!("bad header {header:?}"));
    }
    let counter = lines.next().ok_or("no counter line")?;
    let n: u64 = counter
        .strip_prefix("counter ")
        .and_then(|rest| rest.strip_suffix('\n'))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("bad counter line {counter:?}"))?;
    let payload = lines.next().ok_or("no payload line")?;
    let expected = format!(
        "payload \"{}\"\n",
        "x".repeat(((n - 1) % 20000 + 1) as usize)
    );
    if payload != expected {
        return Err(format!(
            "payload of counter {n} has {} bytes",
            payload.len()
        ));
    }
    if lines.next().is_some() {
        return Err("text after the last variable".into());
    }
    Ok(n)
}

#[test]
fn killing_the_driver_never_leaves_a_half_written_save() {
    let kills: u32 = std::env::var("LPC_SAVE_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vm");
    let mudlib = tempfile::tempdir().expect("temporary directory");
    copy_dir(&source, mudlib.path());
    let save = mudlib.path().join("saveloop_data.o");
    // A fixed pseudo-random sequence of delays, so a failure can be rerun.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut saves_seen = 0;
    for round in 0..kills {
        let mut child = Command::new(env!("CARGO_BIN_EXE_driver"))
            .arg("config.test")
            .arg("-fsaveloop")
            .current_dir(mudlib.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("driver runs");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        while reader.read_line(&mut line).expect("read driver output") > 0 {
            if line.contains("SAVING") {
                break;
            }
            line.clear();
        }
        assert!(
            line.contains("SAVING"),
            "round {round}: the loop never started"
        );
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_micros(500 + (seed >> 33) % 40_000));
        child.kill().expect("SIGKILL the driver");
        child.wait().expect("reap the driver");
        if let Ok(text) = std::fs::read_to_string(&save) {
            if let Err(problem) = whole_save(&text) {
                panic!("round {round}: corrupt save ({problem})");
            }
            saves_seen += 1;
        }
    }
    assert!(saves_seen > 0, "no save was ever written");
}
