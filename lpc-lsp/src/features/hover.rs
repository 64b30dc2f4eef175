//! Hover: what the name under the cursor is, with its declaration and docs.

use efun_specs::Efun;
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use crate::analysis::{FileAnalysis, Symbol, SymbolKind};
use crate::pos::span_range;
use crate::resolve::{Target, target_at};
use crate::world::World;

pub fn hover(world: &World, analysis: &FileAnalysis, offset: u32) -> Option<Hover> {
    let (target, span) = target_at(world, analysis, offset)?;
    let text = match &target {
        Target::Local(local) => {
            let what = if local.is_param {
                "parameter"
            } else {
                "local variable"
            };
            format!("```lpc\n{}\n```\n{what}", local.text)
        }
        Target::Symbol(symbol) => {
            let mut text = symbol_markdown(symbol);
            if symbol.kind == SymbolKind::Macro
                && let Some(expansion) = expansion_at(analysis, span)
            {
                text.push_str(&format!("\n\nExpands here to:\n```lpc\n{expansion}\n```"));
            }
            text
        }
        Target::Efun(name) => efun_markdown(world.efuns.get(name)?),
        Target::File(path) => format!("`{path}`"),
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: (!span.is_empty()).then(|| span_range(analysis.sources(), span)),
    })
}

/// The tokens the macro use starting at `name` expanded to, as text; `None`
/// when nothing was expanded there (the name in its `#define`, say).
fn expansion_at(analysis: &FileAnalysis, name: lpcc::span::Span) -> Option<String> {
    const LIMIT: usize = 400;
    let sources = analysis.sources();
    let mut text = String::new();
    for token in analysis
        .pre
        .tokens
        .iter()
        .filter(|t| t.origin != 0 && t.span.file == name.file && t.span.start == name.start)
    {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(sources.token_text(token));
        if text.len() > LIMIT {
            text.truncate(text.floor_char_boundary(LIMIT));
            text.push_str(" ...");
            break;
        }
    }
    (!text.is_empty()).then_some(text)
}

pub fn symbol_markdown(symbol: &Symbol) -> String {
    let mut out = format!("```lpc\n{}\n```", symbol.detail);
    if let Some(doc) = &symbol.doc {
        out.push_str("\n\n");
        out.push_str(doc);
    }
    let what = match symbol.kind {
        SymbolKind::Function => "function",
        SymbolKind::Global => "global variable",
        SymbolKind::Class => "class",
        SymbolKind::Macro => "macro",
    };
    let line = symbol.loc.range.start.line + 1;
    out.push_str(&format!("\n\n{what} in `{}` line {line}", symbol.loc.path));
    out
}

pub fn efun_markdown(efun: &Efun) -> String {
    let mut out = format!("```lpc\n{}\n```", efun.signature());
    let doc = &efun.doc;
    if !doc.summary.is_empty() {
        out.push_str("\n\n");
        out.push_str(&doc.summary);
    }
    if !doc.args.is_empty() {
        out.push('\n');
        for arg in &doc.args {
            out.push_str(&format!("\n- `{}`: {}", arg.name, arg.text));
        }
    }
    if let Some(returns) = &doc.returns {
        out.push_str(&format!("\n\nReturns {returns}"));
    }
    if !doc.example.is_empty() {
        out.push_str(&format!("\n\n```lpc\n{}\n```", doc.example.trim_end()));
    }
    out.push_str(&format!("\n\nefun, package `{}`", efun.package));
    out
}
