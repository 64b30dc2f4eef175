//! Runs the LPC syntax corpus in `tests/lpc`: `ok/` files must check clean, and
#![allow(clippy::disallowed_methods)]
//! `err/` files must get errors (and warnings) on exactly the lines marked `//~`
//! (`//~^` marks the line above).

use std::path::{Path, PathBuf};

use lpcc::check::{CheckConfig, CommandLineSettings, check_file};
use lpcc::diagnostic::Severity;
use lpcc::source::MemoryProvider;

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/lpc")
}

/// Every file under the corpus root, keyed by its mudlib path.
fn load_corpus() -> MemoryProvider {
    let mut provider = MemoryProvider::new();
    let root = corpus_root();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&root).expect("inside the corpus");
            let text = std::fs::read_to_string(&path).expect("corpus files are UTF-8");
            provider.insert(&format!("/{}", rel.to_string_lossy()), &text);
        }
    }
    provider
}

fn config() -> CheckConfig {
    let mut config = CheckConfig::new(None, &CommandLineSettings::default());
    config.include_dirs = vec!["/include".to_string()];
    config
}

fn files_in(provider: &MemoryProvider, dir: &str) -> Vec<String> {
    let mut files: Vec<String> = provider
        .files
        .keys()
        .filter(|p| p.starts_with(dir) && p.ends_with(".c"))
        .cloned()
        .collect();
    files.sort();
    files
}

/// One line of a report: `path:line: severity[code]: message`.
fn describe(report: &lpcc::check::FileReport, d: &lpcc::diagnostic::Diagnostic) -> String {
    let (line, col) = report.sources.line_col(d.span());
    format!(
        "{}:{}:{}: {}[{}]: {}",
        report.sources.name(d.span().file),
        line,
        col,
        d.severity.as_str(),
        d.code,
        d.message
    )
}

#[test]
fn ok_files_check_clean() {
    let provider = load_corpus();
    let files = files_in(&provider, "/ok/");
    assert!(files.len() >= 15, "corpus went missing: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let report = check_file(&provider, file, &config());
        for d in report.diagnostics.iter().filter(|d| d.is_error()) {
            failures.push(describe(&report, d));
        }
    }
    assert!(
        failures.is_empty(),
        "errors in ok/ files:\n{}",
        failures.join("\n")
    );
}

/// The `//~ ERROR text` and `//~ WARNING text` marks of a file: (line, severity, text).
fn expectations(text: &str) -> Vec<(u32, Severity, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(pos) = line.find("//~") else {
            continue;
        };
        // `//~^` marks the line above, for lines that cannot hold a comment.
        let rest = &line[pos + 3..];
        let up = rest.bytes().take_while(|&b| b == b'^').count();
        let mark = rest[up..].trim();
        let (severity, rest) = if let Some(rest) = mark.strip_prefix("ERROR") {
            (Severity::Error, rest)
        } else if let Some(rest) = mark.strip_prefix("WARNING") {
            (Severity::Warning, rest)
        } else {
            panic!("line {}: a //~ mark needs ERROR or WARNING", i + 1);
        };
        out.push(((i - up) as u32 + 1, severity, rest.trim().to_string()));
    }
    out
}

#[test]
fn err_files_fail_on_the_marked_lines() {
    let provider = load_corpus();
    let files = files_in(&provider, "/err/");
    assert!(files.len() >= 10, "corpus went missing: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let text = provider.files[file.as_str()].clone();
        let expected = expectations(&text);
        if !expected.iter().any(|(_, s, _)| *s == Severity::Error) {
            failures.push(format!("{file}: marks no error line"));
        }
        let report = check_file(&provider, file, &config());
        let found: Vec<(u32, Severity, String, String)> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .filter(|d| report.sources.name(d.span().file) == file)
            .map(|d| {
                let (line, _) = report.sources.line_col(d.span());
                (line, d.severity, d.message.clone(), describe(&report, d))
            })
            .collect();
        for (line, severity, want) in &expected {
            let hit = found
                .iter()
                .any(|(l, s, m, _)| l == line && s == severity && m.contains(want.as_str()));
            if !hit {
                failures.push(format!(
                    "{file}:{line}: expected {} containing {want:?}; got:\n    {}",
                    severity.as_str(),
                    found
                        .iter()
                        .map(|f| f.3.as_str())
                        .collect::<Vec<_>>()
                        .join("\n    ")
                ));
            }
        }
        for (line, severity, _, shown) in &found {
            let marked = expected.iter().any(|(l, s, _)| l == line && s == severity);
            if !marked {
                failures.push(format!("unexpected: {shown}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
