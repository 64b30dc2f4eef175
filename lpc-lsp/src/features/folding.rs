//! Folding ranges: functions, classes, blocks, block comments and
//! preprocessor conditionals.

use lpcc::ast::{Item, Stmt, StmtKind};
use lpcc::span::Span;
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind};

use crate::analysis::FileAnalysis;

pub fn folding_ranges(analysis: &FileAnalysis) -> Vec<FoldingRange> {
    let main = analysis.main_file();
    let file = analysis.sources().file(main);
    let line = |offset: u32| file.line_index(offset) as u32;
    let mut out = Vec::new();
    let fold = |span: Span, kind: Option<FoldingRangeKind>, out: &mut Vec<FoldingRange>| {
        if span.file != main {
            return;
        }
        let (start, end) = (
            line(span.start),
            line(span.end.saturating_sub(1).max(span.start)),
        );
        if end > start {
            out.push(FoldingRange {
                start_line: start,
                end_line: end,
                kind,
                ..FoldingRange::default()
            });
        }
    };
    for item in &analysis.program.items {
        match item {
            Item::Function(f) => {
                if let Some(body) = &f.body {
                    fold(f.span, None, &mut out);
                    for stmt in &body.stmts {
                        stmt_folds(stmt, &mut |s| fold(s, None, &mut out));
                    }
                }
            }
            Item::Class(class) => fold(class.span, None, &mut out),
            _ => {}
        }
    }
    let text = &*file.text;
    let mut search = 0;
    while let Some(open) = text[search..].find("/*") {
        let start = search + open;
        let Some(close) = text[start + 2..].find("*/") else {
            break;
        };
        let end = start + 2 + close + 2;
        fold(
            Span::new(main, start as u32, end as u32),
            Some(FoldingRangeKind::Comment),
            &mut out,
        );
        search = end;
    }
    let mut stack = Vec::new();
    let mut offset = 0u32;
    for raw in text.split('\n') {
        let directive = raw.trim_start().strip_prefix('#').map(str::trim_start);
        if let Some(d) = directive {
            if d.starts_with("if") {
                stack.push(offset);
            } else if d.starts_with("endif")
                && let Some(start) = stack.pop()
            {
                fold(
                    Span::new(main, start, offset),
                    Some(FoldingRangeKind::Region),
                    &mut out,
                );
            }
        }
        offset += raw.len() as u32 + 1;
    }
    out.sort_by_key(|r| (r.start_line, r.end_line));
    out
}

fn stmt_folds(stmt: &Stmt, fold: &mut dyn FnMut(Span)) {
    match &stmt.kind {
        StmtKind::Block(block) => {
            fold(block.span);
            for s in &block.stmts {
                stmt_folds(s, fold);
            }
        }
        StmtKind::If(s) => {
            stmt_folds(&s.then, fold);
            if let Some(o) = &s.otherwise {
                stmt_folds(o, fold);
            }
        }
        StmtKind::While(s) => stmt_folds(&s.body, fold),
        StmtKind::DoWhile(s) => stmt_folds(&s.body, fold),
        StmtKind::For(s) => stmt_folds(&s.body, fold),
        StmtKind::Foreach(s) => stmt_folds(&s.body, fold),
        StmtKind::Switch(s) => {
            fold(stmt.span);
            for st in &s.body {
                stmt_folds(st, fold);
            }
        }
        _ => {}
    }
}
