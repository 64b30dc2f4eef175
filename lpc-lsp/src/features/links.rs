//! Document links: the paths of `#include` and `inherit` lines open the
//! files they name.

use lpcc::ast::Item;
use lpcc::source::SourceProvider;
use lpcc::span::Span;
use tower_lsp_server::ls_types::DocumentLink;

use crate::analysis::{FileAnalysis, resolve_inherit};
use crate::pos::span_range;
use crate::world::World;

pub fn document_links(world: &World, analysis: &FileAnalysis) -> Vec<DocumentLink> {
    let sources = analysis.sources();
    let main = analysis.main_file();
    let text = analysis.text();
    let mut out = Vec::new();
    let mut link = |span: Span, path: &str| {
        if let Some(target) = world.vfs.uri_of_path(path) {
            out.push(DocumentLink {
                range: span_range(sources, span),
                target: Some(target),
                tooltip: Some(path.to_string()),
                data: None,
            });
        }
    };
    for (file, directive) in &analysis.pre.includes {
        if directive.file != main {
            continue;
        }
        let Some(line) = text.get(directive.start as usize..directive.end as usize) else {
            continue;
        };
        // The link covers the written name, between its quotes or brackets.
        let Some(open) = line.find(['"', '<']) else {
            continue;
        };
        let close_char = if line.as_bytes()[open] == b'<' {
            '>'
        } else {
            '"'
        };
        let Some(close) = line[open + 1..].find(close_char) else {
            continue;
        };
        let start = directive.start + open as u32 + 1;
        let span = Span::new(main, start, start + close as u32);
        link(span, sources.name(*file));
    }
    for item in &analysis.program.items {
        let Item::Inherit(inherit) = item else {
            continue;
        };
        let span = inherit.path_span;
        if span.file != main || !sources.text(span).starts_with('"') {
            continue;
        }
        let path = resolve_inherit(&*world.vfs, &analysis.path, &inherit.path);
        if world.vfs.exists(&path) {
            link(
                Span::new(main, span.start + 1, span.end.saturating_sub(1)),
                &path,
            );
        }
    }
    out
}
