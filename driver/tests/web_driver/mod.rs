//! The driver running the web test mudlib of `tests/web`, for the test
//! files that speak to it: each `-fNAME=ARG` flag becomes a call of
//! `/web`'s NAME(ARG), whose LPC code logs what it sees to `log.txt`.

use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use super::common::{self, copy_dir};

/// How long any one expected answer may take.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A driver running the web test mudlib; killed when dropped.
pub struct Driver {
    pub child: Option<Child>,
    pub dir: tempfile::TempDir,
}

impl Driver {
    /// Starts the driver with these `NAME=ARG` flags; `files` are written
    /// into the mudlib first.
    pub fn start(flags: &[String], files: &[(&str, &[u8])]) -> Driver {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/web");
        let dir = tempfile::tempdir().expect("temporary directory");
        copy_dir(&source, dir.path());
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).expect("write mudlib file");
        }
        let child = common::spawn_driver(dir.path(), flags);
        Driver {
            child: Some(child),
            dir,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log.txt")).unwrap_or_default()
    }

    /// Waits until the log holds every one of `lines` (as whole lines).
    pub fn expect_log(&mut self, lines: &[&str]) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let log = self.log();
            let missing: Vec<&&str> = lines
                .iter()
                .filter(|want| !log.lines().any(|l| l == **want))
                .collect();
            if missing.is_empty() {
                return log;
            }
            if Instant::now() > deadline {
                panic!(
                    "log lacks {missing:?}; log:\n{log}\ndriver:\n{}",
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the driver and returns what it printed.
    pub fn output(&mut self) -> String {
        common::stop_and_collect(self.child.take())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        common::stop(&mut self.child);
    }
}

/// The first line of `log` that starts with `prefix`, or "".
pub fn line_of<'a>(log: &'a str, prefix: &str) -> &'a str {
    log.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_default()
}
