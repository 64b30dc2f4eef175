//! Runs the driver on the services test mudlib (`tests/services`) for the
//! packages that finish in later backend ticks: the async file efuns,
//! `async_db_exec` on SQLite and helper processes of the external package. Each LPC test prints its
//! results with debug_message and shuts the driver down when it is done.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The output of the driver running `-fNAME` with the extra config lines.
fn run_driver(name: &str, extra_config: &str) -> String {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/services");
    let dir = tempfile::tempdir().expect("temporary directory");
    for entry in std::fs::read_dir(&source).expect("test directory exists") {
        let entry = entry.expect("directory entry");
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy test file");
    }
    let base = std::fs::read_to_string(dir.path().join("config.test")).expect("base config");
    std::fs::write(dir.path().join("config.services"), base + extra_config).expect("config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_driver"))
        .arg("config.services")
        .arg(format!("-f{name}"))
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("driver runs");
    // The tests take a few seconds; a driver that hangs is a failure.
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("driver output");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn assert_lines(output: &str, expected: &[&str]) {
    for line in expected {
        assert!(output.contains(line), "missing `{line}` in:\n{output}");
    }
}

#[test]
fn async_file_round_trips() {
    let output = run_driver("async_files", "");
    assert_lines(
        &output,
        &[
            "ASYNC name callback refused 1",
            "ASYNC write 0",
            "ASYNC write dir -1",
            "ASYNC read hello",
            "ASYNC append 0",
            "ASYNC read2 hello world",
            "ASYNC dir a,b",
            "ASYNC missing -1",
            "ASYNC nowhere 0",
        ],
    );
}

#[test]
fn async_db_exec_runs_in_the_background() {
    let output = run_driver("async_db", "this_player in call_out : 1\n");
    assert_lines(
        &output,
        &[
            "ASYNCDB connected 1",
            "ASYNCDB create 0",
            "ASYNCDB player kept 1",
            "ASYNCDB insert 0",
            "ASYNCDB select 1 tagged",
            "ASYNCDB row \"tib\",7",
            "ASYNCDB bad error",
            "ASYNCDB closed 1",
        ],
    );
    // The statements run after start() returned.
    let queued = output.find("ASYNCDB queued").expect("queued line");
    let created = output.find("ASYNCDB create").expect("create line");
    assert!(queued < created, "{output}");
}

#[cfg(target_os = "linux")]
#[test]
fn external_processes() {
    let config = "external_cmd_1 : /bin/cat\n\
                  external_cmd_2 : /bin/sh\n\
                  external env : PATH=/usr/bin:/bin\n\
                  external wall seconds : 2\n\
                  external buffer bytes : 4096\n\
                  external cpu seconds : 5\n";
    let output = run_driver("external", config);
    assert_lines(
        &output,
        &[
            "EXT cat fd 1",
            "EXT cat queued 5",
            "EXT cat running 1",
            "EXT cat echoed ping",
            "EXT cat closed running 0 exit 0",
            "EXT sh output out|err|",
            "EXT sh exit 3 signal 0",
            "EXT term sent 1",
            "EXT after term running 1",
            "EXT kill sent 1",
            "EXT term closed running 0 signal 9",
            "EXT kill after end 0",
            "EXT flood fd 1",
            "EXT flood bytes 4096 signal 9",
            "EXT flood rest 0",
            "EXT refused -7",
            "EXT unknown error",
            "EXT status of nothing 0",
            "EXT owner started running 1",
            "EXT owner gone running 0 signal 9",
        ],
    );
}
