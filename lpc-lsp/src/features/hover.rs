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
        Target::Symbol(symbol) => symbol_markdown(symbol),
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
