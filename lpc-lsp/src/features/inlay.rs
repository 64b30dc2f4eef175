//! Inlay hints: parameter names before the arguments of calls to LPC
//! functions and efuns, left out where the argument already says it.

use tower_lsp_server::ls_types::{InlayHint, InlayHintKind, InlayHintLabel, Range};

use crate::analysis::{FileAnalysis, SymbolKind};
use crate::pos::offset_to_position;
use crate::resolve::{Target, is_ident_byte, lookup, qualifier_before};
use crate::uses::{Bind, resolve_file};
use crate::world::World;

pub fn inlay_hints(world: &World, analysis: &FileAnalysis, range: Option<Range>) -> Vec<InlayHint> {
    let text = analysis.text();
    let file = analysis.sources().file(analysis.main_file());
    let uses = resolve_file(world, analysis, false);
    let mut out = Vec::new();
    for u in &uses.uses {
        // A call on another object would be looked up in this file.
        if u.declaration || u.on_object || !matches!(u.bind, Bind::Function(_) | Bind::Efun) {
            continue;
        }
        if range
            .is_some_and(|r| u.range.start.line < r.start.line || u.range.start.line > r.end.line)
        {
            continue;
        }
        let after = &text[u.end as usize..];
        let Some(open) = after.find(|c: char| !c.is_whitespace()) else {
            continue;
        };
        if !after[open..].starts_with('(') {
            continue;
        }
        let names = param_names(world, analysis, &u.name, u.start);
        if names.is_empty() {
            continue;
        }
        let args = argument_starts(text, u.end as usize + open + 1);
        for (i, (start, arg)) in args.iter().enumerate() {
            let Some(name) = names.get(i) else { break };
            if name.is_empty() || arg.trim_start_matches('&').trim() == name.as_str() {
                continue;
            }
            out.push(InlayHint {
                position: offset_to_position(file, *start as u32),
                label: InlayHintLabel::String(format!("{name}:")),
                kind: Some(InlayHintKind::PARAMETER),
                text_edits: None,
                tooltip: None,
                padding_left: None,
                padding_right: Some(true),
                data: None,
            });
        }
    }
    out
}

/// The parameter names of the function or efun called `name` at `offset`.
fn param_names(world: &World, analysis: &FileAnalysis, name: &str, offset: u32) -> Vec<String> {
    let qualifier = qualifier_before(analysis.text(), offset);
    match lookup(world, analysis, name, offset, qualifier) {
        Some(Target::Symbol(symbol)) if symbol.kind == SymbolKind::Function => symbol
            .params
            .iter()
            .map(|p| {
                let p = p.trim_end_matches("...");
                let start = p
                    .rfind(|c: char| !is_ident_byte(c as u8))
                    .map_or(0, |i| i + 1);
                p[start..].to_string()
            })
            .collect(),
        Some(Target::Efun(name)) => world
            .efuns
            .get(&name)
            .map(|e| e.doc.args.iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Where each argument of the call whose `(` is just before `from` starts,
/// with its text; empty for a call without arguments.
pub fn argument_starts(text: &str, from: usize) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut i = from;
    let mut arg_start = from;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let quote = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth > 0 => depth -= 1,
            b')' => {
                push_arg(text, arg_start, i, &mut out);
                return out;
            }
            b',' if depth == 0 => {
                push_arg(text, arg_start, i, &mut out);
                arg_start = i + 1;
            }
            b';' => return out,
            _ => {}
        }
        i += 1;
    }
    out
}

fn push_arg<'t>(text: &'t str, start: usize, end: usize, out: &mut Vec<(usize, &'t str)>) {
    let arg = &text[start..end];
    let lead = arg.len() - arg.trim_start().len();
    if !arg.trim().is_empty() {
        out.push((start + lead, arg.trim()));
    }
}
