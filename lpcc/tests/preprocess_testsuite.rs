//! Smoke test: preprocesses every LPC file of a driver testsuite checkout
//! (set `LPC_TESTSUITE`, default `/work/fluffos/testsuite`) and lists the
//! files with preprocessor errors. Run with `cargo test -- --ignored`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lpcc::preprocess::{PreprocessConfig, preprocess};
use lpcc::source::{SourceError, SourceProvider};

/// Reads mudlib paths below a directory on disk.
struct DiskProvider {
    root: PathBuf,
}

impl SourceProvider for DiskProvider {
    fn read(&self, path: &str) -> Result<Arc<str>, SourceError> {
        let full = self.root.join(path.trim_start_matches('/'));
        match std::fs::read(&full) {
            Ok(bytes) => Ok(Arc::from(String::from_utf8_lossy(&bytes).as_ref())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SourceError::NotFound),
            Err(e) => Err(SourceError::Unreadable(e.to_string())),
        }
    }
}

fn lpc_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            lpc_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "c" || e == "lpc") {
            out.push(path);
        }
    }
}

/// Fixtures meant to fail, or whose includes only a master object's
/// `include_file` apply can supply.
const EXPECTED_FAILURES: &[&str] = &[
    "/clone/bad_macro_params.lpc",
    "/clone/adv_inc_badarr.lpc",
    "/clone/adv_inc_multiline.lpc",
    "/clone/if_inline.lpc",
    "/clone/if_nested.lpc",
    "/clone/if_redirect.lpc",
];

#[test]
#[ignore]
fn testsuite_preprocesses_cleanly() {
    let root = PathBuf::from(
        std::env::var("LPC_TESTSUITE").unwrap_or_else(|_| "/work/fluffos/testsuite".into()),
    );
    let provider = DiskProvider { root: root.clone() };
    let config = PreprocessConfig {
        include_dirs: vec!["/include".into()],
        global_include: Some("<globals.h>".into()),
        ..PreprocessConfig::default()
    };
    let mut files = Vec::new();
    lpc_files(&root, &mut files);
    files.sort();
    let mut failing = Vec::new();
    for file in &files {
        let Ok(relative) = file.strip_prefix(&root) else {
            continue;
        };
        let path = format!("/{}", relative.display());
        let pp = preprocess(&provider, &path, &config);
        let errors: Vec<String> = pp
            .diagnostics
            .iter()
            .filter(|d| d.is_error() && d.code.starts_with("E02"))
            .map(|d| {
                let (line, _) = pp.sources.line_col(d.span());
                format!(
                    "{}:{}: [{}] {}",
                    pp.sources.name(d.span().file),
                    line,
                    d.code,
                    d.message
                )
            })
            .collect();
        if !errors.is_empty() {
            println!("{path}\n  {}", errors.join("\n  "));
            if !path.contains("/compiler/fail/") && !EXPECTED_FAILURES.contains(&path.as_str()) {
                failing.push(path);
            }
        }
    }
    println!("{} files preprocessed", files.len());
    assert!(
        failing.is_empty(),
        "unexpected preprocessor errors in {failing:?}"
    );
}
