//! Runs the FluffOS LPC testsuite in our driver and summarises it: copies
//! the suite to a temporary directory (the driver writes logs), boots it
//! with `etc/config.test -ftest[:FILTER]`, and prints pass / fail counts per
//! test directory, then the failing files, sorted. A run that ends without
//! the runner's recap counts as a crash.
//!
//! `cargo run --release -p driver --example testsuite -- SUITE_DIR [--filter GLOB] [--show]`
//!
//! Build the driver first (`cargo build --release -p driver`); the runner
//! uses the binary next to itself. The suite is never copied into this
//! repository.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use bench_driver::driver_binary;

// Only its way to the driver binary is used here.
#[allow(dead_code)]
mod bench_driver;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut suite = None;
    let mut filter = None;
    let mut show = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--filter" => filter = args.next(),
            "--show" => show = true,
            _ => suite = Some(PathBuf::from(arg)),
        }
    }
    let Some(suite) = suite else {
        bail!("usage: testsuite SUITE_DIR [--filter GLOB] [--show]");
    };
    let driver = driver_binary()?;
    let dir = tempfile::tempdir()?;
    copy_dir(&suite, dir.path())?;
    let flag = match &filter {
        Some(f) => format!("-ftest:{f}"),
        None => "-ftest".to_string(),
    };
    let output = Command::new(&driver)
        .arg("etc/config.test")
        .arg(flag)
        .current_dir(dir.path())
        .output()
        .with_context(|| format!("cannot run {}", driver.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if show {
        print!("{stdout}");
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
    }
    // Every test file runs; the recap after `[==========]` lists each file
    // that failed. Other output can share a line with the per-file
    // progress lines, so those are not counted.
    let mut tests = Vec::new();
    list_tests(&suite.join("single/tests"), "/single/tests", &mut tests)?;
    let recap_at = stdout.find("[==========]").unwrap_or(stdout.len());
    let mut failed: Vec<String> = stdout[recap_at..]
        .lines()
        .filter_map(|l| l.strip_prefix("[  FAILED  ] "))
        .filter(|rest| rest.starts_with('/'))
        .map(|rest| rest.split(" (").next().unwrap_or(rest).to_string())
        .collect();
    failed.sort();
    failed.dedup();
    let mut per_dir: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for path in &tests {
        let dir = Path::new(path)
            .parent()
            .map_or(String::new(), |p| p.display().to_string());
        let entry = per_dir.entry(dir).or_default();
        if failed.binary_search(path).is_ok() {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    let finished = stdout.contains("[==========]");
    println!("| directory | pass | fail |");
    println!("|---|---:|---:|");
    let (mut pass, mut fail) = (0, 0);
    for (dir, (p, f)) in &per_dir {
        println!("| {dir} | {p} | {f} |");
        pass += p;
        fail += f;
    }
    println!("| total | {pass} | {fail} |");
    if let Some(recap) = stdout.lines().find(|l| l.starts_with("[==========]")) {
        println!("\n{recap}");
    }
    if !finished {
        println!(
            "\nCRASH: the run ended without the recap (exit status {:?})",
            output.status.code()
        );
    }
    println!("\nfailing files:");
    for f in &failed {
        println!("  {f}");
    }
    Ok(())
}

/// Every `.lpc` file under `dir`, as the mudlib path under `prefix`.
fn list_tests(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{prefix}/{name}");
        if entry.file_type()?.is_dir() {
            list_tests(&entry.path(), &path, out)?;
        } else if name.ends_with(".lpc") {
            out.push(path);
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
