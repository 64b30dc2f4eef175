//! The formatter on real code: every file of the LPC corpus, the sample
//! mudlib and the benchmark programs is formatted twice; the second pass
//! must change nothing, and the formatted file must lex to the same tokens,
//! parse to the same tree and get the same diagnostics as the original.
//! Snapshots show the layout of each construct on deliberately messy input.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use lpcc::check::{CheckConfig, CommandLineSettings, check_file};
use lpcc::format::{FormatError, FormatOptions, format_range, format_source};
use lpcc::lexer::tokenize;
use lpcc::parser::{ParseOptions, dump_program, parse};
use lpcc::preprocess::preprocess_text;
use lpcc::source::MemoryProvider;
use lpcc::span::FileId;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file under `root`, keyed by mudlib path.
fn load_tree(root: &Path) -> MemoryProvider {
    let mut provider = MemoryProvider::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a readable directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let rel = path.strip_prefix(root).expect("inside the tree");
            provider.insert(&format!("/{}", rel.to_string_lossy()), &text);
        }
    }
    provider
}

fn config(global_include: Option<&str>) -> CheckConfig {
    let mut config = CheckConfig::new(None, &CommandLineSettings::default());
    config.include_dirs = vec!["/include".to_string()];
    config.global_include = global_include.map(str::to_string);
    config
}

/// What formatting a tree of files found.
#[derive(Default)]
struct Outcome {
    formatted: usize,
    refused: Vec<String>,
    failures: Vec<String>,
}

/// The tokens of a text as (kind, text), without comments and whitespace.
fn tokens(text: &str) -> Vec<String> {
    tokenize(text, FileId(0))
        .0
        .iter()
        .map(|t| format!("{:?} {}", t.kind, &text[t.span.range()]))
        .collect()
}

fn tree_and_diagnostics(
    provider: &MemoryProvider,
    path: &str,
    config: &CheckConfig,
) -> (String, Vec<String>) {
    let text = provider.files[path].clone();
    let pre = preprocess_text(provider, path, text, &config.preprocess_config());
    let (program, _) = parse(&pre.tokens, &pre.sources, &ParseOptions::default());
    let report = check_file(provider, path, config);
    let mut diagnostics: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    diagnostics.sort();
    (dump_program(&program), diagnostics)
}

/// Formats every `.c`/`.lpc` file of `provider` whose path starts with
/// `prefix` and checks that meaning and layout are stable.
fn format_tree(provider: &MemoryProvider, prefix: &str, config: &CheckConfig) -> Outcome {
    let options = FormatOptions::default();
    let mut paths: Vec<&String> = provider
        .files
        .keys()
        .filter(|p| p.starts_with(prefix) && (p.ends_with(".c") || p.ends_with(".lpc")))
        .collect();
    paths.sort();
    let mut outcome = Outcome::default();
    for path in paths {
        let original = &provider.files[path];
        let once = match format_source(original, &options) {
            Ok(text) => text,
            Err(error) => {
                outcome.refused.push(format!("{path}: {error}"));
                continue;
            }
        };
        outcome.formatted += 1;
        let twice = format_source(&once, &options);
        if twice.as_ref() != Ok(&once) {
            outcome
                .failures
                .push(format!("{path}: a second pass changes it"));
        }
        if tokens(original) != tokens(&once) {
            outcome.failures.push(format!("{path}: tokens differ"));
        }
        let mut changed = provider.clone();
        changed.insert(path, &once);
        let before = tree_and_diagnostics(provider, path, config);
        let after = tree_and_diagnostics(&changed, path, config);
        if before.0 != after.0 {
            outcome
                .failures
                .push(format!("{path}: syntax tree differs"));
        }
        if before.1 != after.1 {
            outcome.failures.push(format!(
                "{path}: diagnostics differ:\n  before {:?}\n  after  {:?}",
                before.1, after.1
            ));
        }
    }
    outcome
}

#[test]
fn corpus_formats_without_changing_meaning() {
    let provider = load_tree(&repo().join("tests/lpc"));
    let outcome = format_tree(&provider, "/ok/", &config(None));
    assert!(outcome.formatted >= 15, "corpus went missing");
    assert_eq!(outcome.failures, Vec::<String>::new());
    assert_eq!(outcome.refused, Vec::<String>::new());
}

#[test]
fn sample_mudlib_formats_without_changing_meaning() {
    let provider = load_tree(&repo().join("tests/sample-mudlib"));
    let outcome = format_tree(&provider, "/", &config(Some("<globals.h>")));
    assert!(outcome.formatted >= 10, "sample mudlib went missing");
    assert_eq!(outcome.failures, Vec::<String>::new());
    assert_eq!(outcome.refused, Vec::<String>::new());
}

/// The benchmark programs live beside the repository; without them there
/// is nothing to run.
#[test]
fn benchmark_programs_format_without_changing_meaning() {
    let dir = repo().join("../shared/bench/bench");
    if !dir.is_dir() {
        eprintln!("skipped: no benchmark programs at {}", dir.display());
        return;
    }
    let provider = load_tree(&dir);
    let outcome = format_tree(&provider, "/", &config(None));
    assert!(outcome.formatted > 0);
    assert_eq!(outcome.failures, Vec::<String>::new());
    assert_eq!(outcome.refused, Vec::<String>::new());
}

/// A whole external suite, e.g. `LPCC_FORMAT_SUITE=/path/to/testsuite cargo
/// test --test format -- --ignored`: refusals are listed, changes of
/// meaning fail.
#[test]
#[ignore = "needs LPCC_FORMAT_SUITE"]
fn external_suite_formats_without_changing_meaning() {
    let Some(dir) = std::env::var_os("LPCC_FORMAT_SUITE") else {
        panic!("set LPCC_FORMAT_SUITE to a mudlib directory");
    };
    let provider = load_tree(Path::new(&dir));
    let outcome = format_tree(&provider, "/", &config(Some("<globals.h>")));
    for refusal in &outcome.refused {
        eprintln!("refused {refusal}");
    }
    eprintln!(
        "{} formatted with meaning kept, {} refused, {} failures",
        outcome.formatted - outcome.failures.len().min(outcome.formatted),
        outcome.refused.len(),
        outcome.failures.len()
    );
    assert_eq!(outcome.failures, Vec::<String>::new());
}

// ---------------------------------------------------------------------------
// Layout of each construct
// ---------------------------------------------------------------------------

/// Formats `src` with the default options; the result must be stable.
fn fmt(src: &str) -> String {
    fmt_with(src, &FormatOptions::default())
}

fn fmt_with(src: &str, options: &FormatOptions) -> String {
    let once = format_source(src, options).expect("formattable");
    let twice = format_source(&once, options).expect("formattable again");
    assert_eq!(once, twice, "a second pass changed the text");
    assert_eq!(tokens(src), tokens(&once));
    once
}
