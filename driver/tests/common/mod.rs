//! Helpers the driver's integration tests share: a copy of a test mudlib
//! in a temporary directory, a free loopback port to serve it on, and
//! stopping a driver process.
// Each test binary uses only some of these.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Copies the folder `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("test directory exists") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("create directory");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy test file");
        }
    }
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// Starts the driver on `config.test` in `dir` with `-f` flags, its
/// output piped for [`stop_and_collect`].
pub fn spawn_driver(dir: &Path, flags: impl IntoIterator<Item = impl std::fmt::Display>) -> Child {
    Command::new(env!("CARGO_BIN_EXE_driver"))
        .arg("config.test")
        .args(flags.into_iter().map(|f| format!("-f{f}")))
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("driver starts")
}

/// Stops the driver process and returns what it printed.
pub fn stop_and_collect(child: Option<Child>) -> String {
    let Some(mut child) = child else {
        return String::new();
    };
    let _ = child.kill();
    let out = child.wait_with_output().expect("driver output");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Stops the driver process, if it still runs, and reaps it.
pub fn stop(child: &mut Option<Child>) {
    if let Some(child) = child {
        let _ = child.kill();
        let _ = child.wait();
    }
}
