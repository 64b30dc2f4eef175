//! The driver under measurement for the benchmark examples: a copy of the
//! `tests/bench` mudlib in a temporary directory and the release driver
//! binary next to the example, started with one benchmark flag.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

/// A running driver on its own copy of the benchmark mudlib.
pub struct Bench {
    pub child: Child,
    pub dir: tempfile::TempDir,
}

impl Bench {
    /// Starts the driver with `-fFLAG`; its stdout goes to `driver.out`
    /// and its stderr to `driver.err` in the mudlib copy.
    pub fn start(flag: &str) -> Result<Bench> {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bench");
        let dir = tempfile::tempdir()?;
        for entry in std::fs::read_dir(&source)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::copy(entry.path(), dir.path().join(entry.file_name()))?;
            }
        }
        let driver = driver_binary()?;
        let child = Command::new(&driver)
            .arg("config.bench")
            .arg(format!("-f{flag}"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.path().join("driver.out"))?)
            .stderr(std::fs::File::create(dir.path().join("driver.err"))?)
            .spawn()
            .with_context(|| format!("cannot run {}", driver.display()))?;
        Ok(Bench { child, dir })
    }

    /// What the driver printed so far, stdout then stderr.
    pub fn output(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.path().join(name));
        format!(
            "{}{}",
            read("driver.out").unwrap_or_default(),
            read("driver.err").unwrap_or_default()
        )
    }

    /// Stops the driver, our own child, by its id.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The command line's `--name value` pairs.
pub fn flag_pairs() -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{arg} needs a value"))?;
        pairs.push((arg, value));
    }
    Ok(pairs)
}

/// The `driver` binary built beside the running example.
pub fn driver_binary() -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let profile_dir = me
        .parent()
        .and_then(Path::parent)
        .context("cannot find the target directory")?;
    let driver = profile_dir.join("driver");
    if !driver.exists() {
        bail!("{} is missing: build the driver first", driver.display());
    }
    Ok(driver)
}
