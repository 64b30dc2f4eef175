//! Code actions for the checker's name errors: change a misspelt name to
//! a known one close by edit distance, declare an undefined variable, and
//! include the header that defines a macro of that name.

use std::collections::HashMap;

use rayon::prelude::*;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, NumberOrString, Position, Range,
    TextEdit, WorkspaceEdit,
};

use crate::analysis::{FileAnalysis, SymbolKind};
use crate::pos::{offset_to_position, position_to_offset};
use crate::resolve::{function_at, locals_at};
use crate::world::World;

/// Most spelling suggestions for one name.
const MAX_SUGGESTIONS: usize = 3;

pub fn code_actions(
    world: &World,
    analysis: &FileAnalysis,
    diagnostics: &[Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    let file = analysis.sources().file(analysis.main_file());
    for d in diagnostics {
        let Some(NumberOrString::String(code)) = &d.code else {
            continue;
        };
        let (undefined_variable, undefined_function, unknown_efun) =
            (code == "E0301", code == "E0302", code == "E0325");
        if !(undefined_variable || undefined_function || unknown_efun) {
            continue;
        }
        let start = position_to_offset(file, d.range.start);
        let end = position_to_offset(file, d.range.end);
        let Some(name) = analysis.text().get(start as usize..end as usize) else {
            continue;
        };
        if name.is_empty() || !name.bytes().all(crate::resolve::is_ident_byte) {
            continue;
        }
        let candidates = if unknown_efun {
            world.efuns.callable().map(|e| e.name.clone()).collect()
        } else {
            known_names(world, analysis, start, undefined_function)
        };
        for suggestion in closest(name, &candidates) {
            out.push(action(
                world,
                analysis,
                format!("Change to `{suggestion}`"),
                d,
                vec![TextEdit::new(d.range, suggestion)],
                true,
            ));
        }
        let header = header_defining(world, name);
        if undefined_variable
            && header.is_none()
            && let Some(function) = function_at(&analysis.program, analysis.main_file(), start)
            && let Some(body) = &function.body
        {
            let at = offset_to_position(file, body.span.start + 1);
            out.push(action(
                world,
                analysis,
                format!("Declare local variable `{name}`"),
                d,
                vec![TextEdit::new(
                    Range::new(at, at),
                    format!("\n  mixed {name};"),
                )],
                false,
            ));
        }
        if let Some(header) = header {
            let line = include_line(analysis);
            let at = Position::new(line, 0);
            out.push(action(
                world,
                analysis,
                format!("Add `#include {header}`"),
                d,
                vec![TextEdit::new(
                    Range::new(at, at),
                    format!("#include {header}\n"),
                )],
                false,
            ));
        }
    }
    out
}

fn action(
    world: &World,
    analysis: &FileAnalysis,
    title: String,
    diagnostic: &Diagnostic,
    edits: Vec<TextEdit>,
    preferred: bool,
) -> CodeActionOrCommand {
    let mut changes = HashMap::new();
    if let Some(uri) = world.vfs.uri_of_path(&analysis.path) {
        changes.insert(uri, edits);
    }
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit::new(changes)),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    })
}

/// Names the code at `offset` could mean: functions (and efuns) for a
/// call, variables otherwise.
fn known_names(world: &World, analysis: &FileAnalysis, offset: u32, function: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let summary = world.own_summary(analysis);
    let wanted = if function {
        SymbolKind::Function
    } else {
        SymbolKind::Global
    };
    names.extend(
        world
            .visible_symbols(&summary)
            .into_iter()
            .filter(|s| s.kind == wanted)
            .map(|s| s.name.to_string()),
    );
    if function {
        names.extend(world.efuns.callable().map(|e| e.name.clone()));
    } else {
        names.extend(
            locals_at(&analysis.program, analysis.main_file(), offset)
                .into_iter()
                .map(|l| l.name.to_string()),
        );
    }
    names
}

/// The candidates nearest to `name` by edit distance, close enough to be
/// a typo: at most a third of the name's length (rounded up), at least one edit.
pub fn closest(name: &str, candidates: &[String]) -> Vec<String> {
    let limit = (name.len().div_ceil(3)).max(1);
    let mut scored: Vec<(usize, &String)> = candidates
        .iter()
        .filter(|c| c.as_str() != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, c)| c.clone())
        .collect()
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The `#include` that brings in a header of the workspace defining the
/// macro `name`: `<path>` for headers under an include directory.
fn header_defining(world: &World, name: &str) -> Option<String> {
    let needle = format!("#define {name}");
    let headers: Vec<String> = world
        .vfs
        .all_files(&world.config.exclude)
        .into_iter()
        .filter(|p| p.ends_with(".h"))
        .collect();
    let mut found: Vec<&String> = headers
        .par_iter()
        .filter(|path| {
            let Ok(text) = lpcc::source::SourceProvider::read(&*world.vfs, path) else {
                return false;
            };
            text.match_indices(&needle).any(|(at, _)| {
                let after = text.as_bytes().get(at + needle.len()).copied();
                !after.is_some_and(crate::resolve::is_ident_byte)
            })
        })
        .collect();
    found.sort();
    let path = found.first()?;
    for dir in &world.config.check.include_dirs {
        let dir = dir.trim_end_matches('/');
        if let Some(rest) = path.strip_prefix(&format!("{dir}/")) {
            return Some(format!("<{rest}>"));
        }
    }
    Some(format!("\"{path}\""))
}

/// The line a new `#include` goes on: after the last one, else at the top.
fn include_line(analysis: &FileAnalysis) -> u32 {
    analysis
        .text()
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("#include"))
        .map(|(i, _)| i as u32 + 1)
        .last()
        .unwrap_or(0)
}
