//! `lpcc check`'s diagnostics as protocol diagnostics: the same check, so
//! the editor says what the compiler says. Problems inside included files
//! are shown on the `#include` line that leads to them.

use lpcc::check::check_file;
use lpcc::diagnostic::{Diagnostic, Severity};
use lpcc::source::SourceMap;
use lpcc::span::{FileId, Span};
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
};

use crate::analysis::FileAnalysis;
use crate::pos::span_range;
use crate::world::World;

/// Checks the file at `path` as `lpcc check` would, through the editor's buffers.
/// `analysis` is of the same text, for the include trails.
pub fn check(world: &World, analysis: &FileAnalysis) -> Vec<lsp::Diagnostic> {
    let report = check_file(&*world.vfs, &analysis.path, &world.config.check);
    let main = report.sources.find(&report.path).unwrap_or(FileId(0));
    report
        .diagnostics
        .iter()
        .map(|d| convert(world, analysis, &report.sources, main, d))
        .collect()
}

fn convert(
    world: &World,
    analysis: &FileAnalysis,
    sources: &SourceMap,
    main: FileId,
    d: &Diagnostic,
) -> lsp::Diagnostic {
    let primary = d.span();
    let mut related = Vec::new();
    let mut message = d.message.clone();
    let range = if primary.file == main {
        span_range(sources, primary)
    } else {
        let name = sources
            .files()
            .get(primary.file.0 as usize)
            .map(|f| f.name.clone());
        if let Some(name) = &name
            && !name.starts_with('<')
        {
            message = format!("{name}: {message}");
            if let Some(location) = location(world, sources, primary) {
                related.push(DiagnosticRelatedInformation {
                    location,
                    message: d.message.clone(),
                });
            }
        }
        name.and_then(|name| include_site(analysis, &name))
            .unwrap_or_default()
    };
    if let Some(first) = d.labels.first()
        && !first.message.is_empty()
    {
        message = format!("{message}\n{}", first.message);
    }
    for label in d.labels.iter().skip(1) {
        if let Some(location) = location(world, sources, label.span) {
            related.push(DiagnosticRelatedInformation {
                location,
                message: label.message.clone(),
            });
        }
    }
    for note in &d.notes {
        if let Some(location) = location(world, sources, primary) {
            related.push(DiagnosticRelatedInformation {
                location,
                message: format!("note: {note}"),
            });
        }
    }
    lsp::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("lpcc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    }
}

fn location(world: &World, sources: &SourceMap, span: Span) -> Option<Location> {
    let file = sources.files().get(span.file.0 as usize)?;
    if file.name.starts_with('<') {
        return None;
    }
    Some(Location::new(
        world.vfs.uri_of_path(&file.name)?,
        span_range(sources, span),
    ))
}

/// The range of the `#include` directive in the main file through which the
/// file named `name` came in, found in the analysis of the same text.
fn include_site(analysis: &FileAnalysis, name: &str) -> Option<lsp::Range> {
    let sources = analysis.sources();
    let main = analysis.main_file();
    let mut current = sources.find(name)?;
    for _ in 0..64 {
        let (_, directive) = analysis.pre.includes.iter().find(|(f, _)| *f == current)?;
        if directive.file == main {
            return Some(span_range(sources, *directive));
        }
        current = directive.file;
    }
    None
}
