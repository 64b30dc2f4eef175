//! Parses every `.c` and `.lpc` file under a directory without preprocessing
//! (directive lines dropped, macros left unexpanded) and lists the files with
//! syntax errors. Usage: `parse_dir DIR [EXCLUDED_SUBDIR...]`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use lpcc::lexer::{TokenKind, tokenize};
use lpcc::parser::{ParseOptions, parse};
use lpcc::source::SourceMap;

fn collect(dir: &Path, excluded: &[PathBuf], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if excluded.iter().any(|e| path.starts_with(e)) {
            continue;
        }
        if path.is_dir() {
            collect(&path, excluded, out);
        } else if path.extension().is_some_and(|e| e == "c" || e == "lpc") {
            out.push(path);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first().map(PathBuf::from) else {
        eprintln!("usage: parse_dir DIR [EXCLUDED_SUBDIR...]");
        std::process::exit(2);
    };
    let excluded: Vec<PathBuf> = args[1..].iter().map(|e| root.join(e)).collect();
    let mut files = Vec::new();
    collect(&root, &excluded, &mut files);
    files.sort();

    let (mut failed, mut lines, mut token_count) = (0, 0, 0);
    let mut parse_time = std::time::Duration::ZERO;
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let text: Arc<str> = Arc::from(String::from_utf8_lossy(&bytes).as_ref());
        lines += text.lines().count();
        let mut sources = SourceMap::new();
        let file = sources.add(path.display().to_string(), text.clone());
        let (mut tokens, _) = tokenize(&text, file);
        tokens.retain(|t| t.kind != TokenKind::Directive);
        token_count += tokens.len();
        let start = Instant::now();
        let (_, diagnostics) = parse(&tokens, &sources, &ParseOptions::default());
        parse_time += start.elapsed();
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
        if errors.is_empty() {
            continue;
        }
        failed += 1;
        println!("{}", path.display());
        for d in errors {
            let (line, col) = sources.line_col(d.span());
            println!("  {line}:{col}: [{}] {}", d.code, d.message);
        }
    }
    println!(
        "{} files, {} with errors; {lines} lines, {token_count} tokens parsed in {:.1?}",
        files.len(),
        failed,
        parse_time
    );
}
