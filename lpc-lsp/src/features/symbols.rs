//! Document symbols (the outline) and workspace symbols (from the index).

use lpcc::ast::Item;
use tower_lsp_server::ls_types::{DocumentSymbol, SymbolInformation, SymbolKind as Kind};

use crate::analysis::{FileAnalysis, SymbolKind, signature, var_text};
use crate::features::location;
use crate::pos::span_range;
use crate::world::World;

#[allow(deprecated)]
fn symbol(
    name: &str,
    detail: Option<String>,
    kind: Kind,
    range: tower_lsp_server::ls_types::Range,
    selection: tower_lsp_server::ls_types::Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: name.to_string(),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children,
    }
}

pub fn document_symbols(analysis: &FileAnalysis) -> Vec<DocumentSymbol> {
    let sources = analysis.sources();
    let main = analysis.main_file();
    let range = |span| span_range(sources, span);
    let mut out = Vec::new();
    for item in &analysis.program.items {
        match item {
            Item::Inherit(inherit) if inherit.span.file == main => out.push(symbol(
                &inherit.path,
                Some("inherit".into()),
                Kind::MODULE,
                range(inherit.span),
                range(inherit.path_span),
                None,
            )),
            Item::Vars(vars) if vars.span.file == main => {
                for var in &vars.vars {
                    out.push(symbol(
                        &var.name.text,
                        Some(var_text(&var.ty, &var.name.text)),
                        Kind::VARIABLE,
                        range(var.span),
                        range(var.name.span),
                        None,
                    ));
                }
            }
            Item::Function(f) if f.span.file == main => out.push(symbol(
                &f.name.text,
                Some(signature(f)),
                Kind::FUNCTION,
                range(f.span),
                range(f.name.span),
                None,
            )),
            Item::Class(class) if class.span.file == main => {
                let members = class
                    .members
                    .iter()
                    .map(|m| {
                        symbol(
                            &m.name.text,
                            Some(var_text(&m.ty, &m.name.text)),
                            Kind::FIELD,
                            range(m.span),
                            range(m.name.span),
                            None,
                        )
                    })
                    .collect();
                out.push(symbol(
                    &class.name.text,
                    None,
                    Kind::STRUCT,
                    range(class.span),
                    range(class.name.span),
                    Some(members),
                ));
            }
            _ => {}
        }
    }
    out
}

/// Most workspace symbols sent for one query.
pub const MAX_WORKSPACE_SYMBOLS: usize = 100;

/// Declarations of the indexed files whose names contain `query` (ignoring
/// case); nothing when the world's work is cancelled part way.
#[allow(deprecated)]
pub fn workspace_symbols(world: &World, query: &str) -> Vec<SymbolInformation> {
    let query = query.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut summaries = world.index.all();
    summaries.sort_by(|a, b| a.path.cmp(&b.path));
    for summary in summaries {
        if world.cancelled() {
            return Vec::new();
        }
        for s in &summary.symbols {
            // Declarations from included files are listed by the header's owner.
            if s.loc.path != summary.path || s.prototype {
                continue;
            }
            if !s.name.to_ascii_lowercase().contains(&query) {
                continue;
            }
            let Some(location) = location(world, &s.loc) else {
                continue;
            };
            found.push(SymbolInformation {
                name: s.name.to_string(),
                kind: match s.kind {
                    SymbolKind::Function => Kind::FUNCTION,
                    SymbolKind::Global => Kind::VARIABLE,
                    SymbolKind::Class => Kind::STRUCT,
                    SymbolKind::Macro => Kind::CONSTANT,
                },
                tags: None,
                deprecated: None,
                location,
                container_name: Some(summary.path.clone()),
            });
            if found.len() >= MAX_WORKSPACE_SYMBOLS {
                return found;
            }
        }
    }
    found
}
