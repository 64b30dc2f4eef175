//! Conformance runner for an external LPC test suite laid out like the FluffOS
//! `testsuite/` folder: checks every `.c`/`.lpc` file with the suite's driver
//! config and compares with what the suite expects (files under
//! `compiler/fail/` must get an error, every other file must check clean).
//!
//! `cargo run --release -p lpcc --example conformance -- SUITE_DIR [--config etc/config.test] [--filter TEXT] [--show] [--phases] [--expect-fail LIST]`
//!
//! `--phases` also times parsing alone; `--expect-fail LIST` names a file
//! of mudlib paths (one a line, `#` comments) outside `compiler/fail/` that
//! are known to get errors: fixtures that must fail to load, or that need
//! the suite's master at compile time.
//!
//! The suite is read where it lies and never copied into this repository.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use lpcc::check::{CheckConfig, CommandLineSettings, FileReport, check_file};
use lpcc::config::{ConfigFile, DriverConfig};
use lpcc::source::{SourceError, SourceProvider, normalize_path, text_from_bytes};
use rayon::prelude::*;

struct Disk {
    root: PathBuf,
    lossy: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl SourceProvider for Disk {
    fn read(&self, path: &str) -> Result<Arc<str>, SourceError> {
        let host = self.root.join(normalize_path(path).trim_start_matches('/'));
        match std::fs::read(&host) {
            Ok(bytes) => {
                let (text, lossy) = text_from_bytes(&bytes);
                if lossy && let Ok(mut set) = self.lossy.lock() {
                    set.insert(normalize_path(path));
                }
                Ok(text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SourceError::NotFound),
            Err(e) => Err(SourceError::Unreadable(e.to_string())),
        }
    }

    fn had_invalid_utf8(&self, path: &str) -> bool {
        self.lossy
            .lock()
            .is_ok_and(|set| set.contains(&normalize_path(path)))
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("c" | "lpc")) {
            out.push(path);
        }
    }
}

type Reports = Vec<(String, Result<FileReport, ()>)>;

fn check_all(provider: &Disk, paths: &[String], config: &CheckConfig) -> Reports {
    paths
        .par_iter()
        .map(|p| {
            let result = std::panic::catch_unwind(|| check_file(provider, p, config));
            (p.clone(), result.map_err(|_| ()))
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut suite = None;
    let mut config_path = "etc/config.test".to_string();
    let mut filter = None;
    let mut show = false;
    let mut phases = false;
    let mut expect_fail: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--config" => config_path = it.next().cloned().unwrap_or_default(),
            "--filter" => filter = it.next().cloned(),
            "--show" => show = true,
            "--phases" => phases = true,
            "--expect-fail" => {
                let list = it.next().cloned().unwrap_or_default();
                let text = std::fs::read_to_string(&list).unwrap_or_else(|e| {
                    eprintln!("cannot read {list}: {e}");
                    std::process::exit(2);
                });
                expect_fail.extend(
                    text.lines()
                        .map(|l| l.split('#').next().unwrap_or("").trim())
                        .filter(|l| !l.is_empty())
                        .map(normalize_path),
                );
            }
            _ => suite = Some(PathBuf::from(arg)),
        }
    }
    let Some(suite) = suite else {
        eprintln!("usage: conformance SUITE_DIR [--config FILE] [--filter TEXT] [--show]");
        std::process::exit(2);
    };
    let config_text = std::fs::read_to_string(suite.join(&config_path)).unwrap_or_else(|e| {
        eprintln!("cannot read {config_path}: {e}");
        std::process::exit(2);
    });
    let (file, _) = ConfigFile::parse(&config_text);
    let (driver, problems) = DriverConfig::from_file(&file);
    let Some(driver) = driver else {
        eprintln!("bad config: {problems:?}");
        std::process::exit(2);
    };
    let root = suite.join(&driver.mudlib_directory);
    let config = CheckConfig::new(Some(&driver), &CommandLineSettings::default());
    let provider = Disk {
        root: root.clone(),
        lossy: Default::default(),
    };

    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut paths: Vec<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(&root).ok())
        .map(|f| normalize_path(&f.to_string_lossy()))
        .filter(|p| filter.as_deref().is_none_or(|t| p.contains(t)))
        .collect();
    paths.dedup();

    if phases {
        // Parsing alone first, on a warm file cache, for comparison.
        let parse_only = CheckConfig {
            semantic: false,
            ..config.clone()
        };
        let _ = check_all(&provider, &paths, &parse_only);
        let started = Instant::now();
        let _ = check_all(&provider, &paths, &parse_only);
        println!("parse only: {:.3} s", started.elapsed().as_secs_f64());
    }
    let started = Instant::now();
    let reports = check_all(&provider, &paths, &config);
    let elapsed = started.elapsed();

    // category -> (pass, fail, panic)
    let mut categories: BTreeMap<String, (u32, u32, u32)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut expected_failures = (0, 0);
    for (path, result) in &reports {
        let dir = lpcc::source::parent_dir(path);
        let category: String = dir.split('/').take(4).collect::<Vec<_>>().join("/");
        let entry = categories.entry(category).or_default();
        let known_failure = expect_fail.contains(path);
        let must_fail = path.contains("/compiler/fail/") || known_failure;
        let Ok(report) = result else {
            entry.2 += 1;
            failures.push(format!("PANIC {path}"));
            continue;
        };
        let errors: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                let (line, _) = report.sources.line_col(d.span());
                format!(
                    "{}:{line}: [{}] {}",
                    report.sources.name(d.span().file),
                    d.code,
                    d.message
                )
            })
            .collect();
        if must_fail && !known_failure {
            expected_failures.1 += 1;
        }
        let ok = if must_fail {
            !errors.is_empty()
        } else {
            errors.is_empty()
        };
        if ok {
            entry.0 += 1;
            if must_fail && !known_failure {
                expected_failures.0 += 1;
                if show {
                    println!("expected error {path}: {}", errors[0]);
                }
            }
        } else {
            entry.1 += 1;
            if must_fail {
                failures.push(format!("NO ERROR {path}"));
            } else {
                failures.push(format!("ERRORS {path}\n    {}", errors.join("\n    ")));
            }
        }
    }
    println!(
        "{:<40} {:>6} {:>6} {:>6}",
        "category", "pass", "fail", "panic"
    );
    let mut totals = (0, 0, 0);
    for (category, (pass, fail, panic)) in &categories {
        println!("{category:<40} {pass:>6} {fail:>6} {panic:>6}");
        totals.0 += pass;
        totals.1 += fail;
        totals.2 += panic;
    }
    println!(
        "{:<40} {:>6} {:>6} {:>6}",
        "total", totals.0, totals.1, totals.2
    );
    println!(
        "compiler/fail files with an error: {} of {}",
        expected_failures.0, expected_failures.1
    );
    println!(
        "checked {} files in {:.3} s",
        reports.len(),
        elapsed.as_secs_f64()
    );
    failures.sort();
    for failure in &failures {
        println!("{failure}");
    }
}
