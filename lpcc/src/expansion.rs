//! Macro trails on diagnostics: an error reported on a token a macro made
//! points at the use (its primary span) and at the macro's definition.

use rustc_hash::FxHashMap;

use crate::diagnostic::Diagnostic;
use crate::lexer::Token;
use crate::source::SourceMap;
use crate::span::Span;

/// Adds a "defined here" label to every diagnostic whose primary span is a
/// macro invocation that produced tokens.
pub fn add_macro_trails(diagnostics: &mut [Diagnostic], tokens: &[Token], sources: &SourceMap) {
    let mut invocations: FxHashMap<Span, u32> = FxHashMap::default();
    for token in tokens.iter().filter(|t| t.origin != 0) {
        invocations.entry(token.span).or_insert(token.origin);
    }
    if invocations.is_empty() {
        return;
    }
    for diagnostic in diagnostics.iter_mut() {
        let Some(&origin) = invocations.get(&diagnostic.span()) else {
            continue;
        };
        let Some(origin) = sources.origin(origin) else {
            continue;
        };
        let name = sources.text(origin.definition);
        diagnostic.labels.push(crate::diagnostic::Label {
            span: origin.definition,
            message: format!("in this expansion of macro `{name}`"),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{CheckConfig, check_file};
    use crate::source::MemoryProvider;

    #[test]
    fn an_error_inside_an_expansion_points_at_the_definition() {
        let provider = MemoryProvider::new().with(
            "/a.c",
            "#define BAD(x) (x + )\n\nint f() {\n    return BAD(1);\n}\n",
        );
        let report = check_file(&provider, "/a.c", &CheckConfig::default());
        let error = report
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert_eq!(report.sources.line_col(error.span()).0, 4);
        let trail = &error.labels[1];
        assert_eq!(report.sources.text(trail.span), "BAD");
        assert_eq!(report.sources.line_col(trail.span), (1, 9));
        assert_eq!(trail.message, "in this expansion of macro `BAD`");
    }
}
