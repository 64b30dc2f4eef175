//! Turning check results into output: text with source excerpts for people,
//! one JSON document for tools, and GitHub Actions annotations for CI.
//!
//! Every format shows the same diagnostics in the same order: sorted by file,
//! then position, with exact repeats removed (an error in a header included
//! by many files is shown once). Files are named by mudlib path (`/std/room.c`),
//! except in GitHub annotations, whose paths the caller maps to host paths.

use std::io::{self, Write};

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;
use codespan_reporting::term::termcolor::WriteColor;
use serde::Serialize;

use crate::check::FileReport;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap};

/// Counts over the diagnostics that are shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files_checked: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Summary {
    pub fn new(reports: &[FileReport]) -> Summary {
        let mut summary = Summary {
            files_checked: reports.len(),
            ..Summary::default()
        };
        for located in locate(reports) {
            match located.diagnostic.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Note => summary.notes += 1,
            }
        }
        summary
    }
}

impl std::fmt::Display for Summary {
    /// `2 errors, 1 warning in 3 files`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, {} in {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.files_checked, "file")
        )
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A diagnostic with the positions every format reports: one-based lines and
/// columns (in characters) of the start and of the end of its primary span.
struct Located<'a> {
    sources: &'a SourceMap,
    diagnostic: &'a Diagnostic,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

impl Located<'_> {
    fn key(&self) -> impl Ord + '_ {
        (
            self.file,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
            std::cmp::Reverse(self.diagnostic.severity),
            self.diagnostic.code,
            &self.diagnostic.message,
        )
    }
}

fn source_file(sources: &SourceMap, id: crate::span::FileId) -> Option<&SourceFile> {
    sources.files().get(id.0 as usize)
}

/// Every diagnostic of every report, sorted and without exact repeats.
fn locate(reports: &[FileReport]) -> Vec<Located<'_>> {
    let mut all = Vec::new();
    for report in reports {
        for diagnostic in &report.diagnostics {
            let span = diagnostic.span();
            let located = match source_file(&report.sources, span.file) {
                Some(file) => {
                    let (line, column) = file.line_col(span.start);
                    let (end_line, end_column) = file.line_col(span.end.max(span.start));
                    Located {
                        sources: &report.sources,
                        diagnostic,
                        file: &file.name,
                        line,
                        column,
                        end_line,
                        end_column,
                    }
                }
                // A span into no file still belongs to the file checked.
                None => Located {
                    sources: &report.sources,
                    diagnostic,
                    file: &report.path,
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 1,
                },
            };
            all.push(located);
        }
    }
    all.sort_by(|a, b| a.key().cmp(&b.key()));
    all.dedup_by(|a, b| a.key() == b.key());
    all
}

/// Source excerpts with carets and labels, then a summary line.
pub fn render_human(out: &mut dyn WriteColor, reports: &[FileReport]) -> io::Result<()> {
    let config = term::Config::default();
    for located in locate(reports) {
        let files = SourceFiles(located.sources);
        let diagnostic = to_codespan(located.sources, located.diagnostic);
        if term::emit_to_write_style(out, &config, &files, &diagnostic).is_err() {
            // A span the source map cannot show: still report the diagnostic.
            out.reset()?;
            writeln!(
                out,
                "{}[{}]: {}\n  --> {}:{}:{}\n",
                located.diagnostic.severity.as_str(),
                located.diagnostic.code,
                located.diagnostic.message,
                located.file,
                located.line,
                located.column
            )?;
        }
    }
    writeln!(out, "{}", Summary::new(reports))
}

fn to_codespan(sources: &SourceMap, diagnostic: &Diagnostic) -> cs::Diagnostic<usize> {
    let severity = match diagnostic.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
    };
    let labels = diagnostic
        .labels
        .iter()
        .enumerate()
        .filter_map(|(index, label)| {
            let file = source_file(sources, label.span.file)?;
            let style = if index == 0 {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            let range = char_range(&file.text, label.span.range());
            Some(
                cs::Label::new(style, label.span.file.0 as usize, range)
                    .with_message(&label.message),
            )
        })
        .collect();
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(diagnostic.notes.clone())
}

/// `range` inside `text` and on character boundaries, widened to whole
/// characters: codespan-reporting slices the text with it.
fn char_range(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut end = range.end.min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut start = range.start.min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    start..end
}

/// The files of a [`SourceMap`] as codespan-reporting sees them: named by
/// mudlib path, with line numbers as `#line` directives set them.
struct SourceFiles<'a>(&'a SourceMap);

impl<'a> SourceFiles<'a> {
    fn get(&self, id: usize) -> Result<&'a SourceFile, FilesError> {
        self.0.files().get(id).ok_or(FilesError::FileMissing)
    }
}

impl<'a> Files<'a> for SourceFiles<'a> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(&self.get(id)?.name)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(&self.get(id)?.text)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.get(id)?.line_index(byte_index as u32))
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, FilesError> {
        let file = self.get(id)?;
        Ok(file.line_col(file.line_start(line_index)).0 as usize)
    }

    fn line_range(
        &'a self,
        id: usize,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, FilesError> {
        let file = self.get(id)?;
        let count = file.line_count();
        if line_index >= count {
            return Err(FilesError::LineTooLarge {
                given: line_index,
                max: count.saturating_sub(1),
            });
        }
        let start = file.line_start(line_index) as usize;
        let end = file.line_start(line_index + 1) as usize;
        Ok(start..end)
    }
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    files_checked: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
}

/// One JSON document on one line:
/// `{"files_checked": N, "diagnostics": [{"file", "line", "column",
/// "end_line", "end_column", "severity", "code", "message"}]}`.
/// `file` is a mudlib path; lines and columns are one-based, columns count
/// characters, and the end is the position just after the span.
pub fn render_json(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let diagnostics = locate(reports)
        .into_iter()
        .map(|l| JsonDiagnostic {
            file: l.file,
            line: l.line,
            column: l.column,
            end_line: l.end_line,
            end_column: l.end_column,
            severity: l.diagnostic.severity.as_str(),
            code: l.diagnostic.code,
            message: &l.diagnostic.message,
        })
        .collect();
    let document = JsonOutput {
        files_checked: reports.len(),
        diagnostics,
    };
    serde_json::to_writer(&mut *out, &document)?;
    writeln!(out)
}

/// GitHub Actions workflow commands, one a line: `::error file=...::message`.
/// `host_path` turns a mudlib path into the path GitHub should link to.
pub fn render_github(
    out: &mut dyn Write,
    reports: &[FileReport],
    host_path: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    for l in locate(reports) {
        let command = match l.diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut message = l.diagnostic.message.clone();
        for note in &l.diagnostic.notes {
            message.push_str("\nnote: ");
            message.push_str(note);
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&host_path(l.file)),
            l.line,
            l.column,
            l.end_line,
            l.end_column,
            escape_property(l.diagnostic.code),
            escape_data(&message)
        )?;
    }
    Ok(())
}

/// The message part of a workflow command: newlines and `%` are encoded.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property of a workflow command: also `:` and `,`, which separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;
    use codespan_reporting::term::termcolor::NoColor;

    /// Two files checked: `/std/room.c` includes `/include/defs.h`, and
    /// `/obj/sword.c` includes it too; both report the same header error.
    fn reports() -> Vec<FileReport> {
        let header = "#define X 1\n#define % 2\n";
        let mut room = SourceMap::new();
        let room_id = room.add(
            "/std/room.c",
            "int x;\n\tstring s = \"50%, ok\";\nint y = $;\n".into(),
        );
        let header_id = room.add("/include/defs.h", header.into());
        let header_error =
            Diagnostic::error("E0101", Span::new(header_id, 20, 21), "bad name, here: `%`");
        let room_report = FileReport {
            path: "/std/room.c".into(),
            diagnostics: vec![
                Diagnostic::error("E0001", Span::new(room_id, 38, 39), "illegal character '$'")
                    .with_primary_message("not part of any token"),
                Diagnostic::warning("W0200", Span::new(room_id, 19, 28), "string literal with %")
                    .with_label(Span::new(room_id, 0, 6), "declared here")
                    .with_note("first note\nsecond line"),
                header_error,
                Diagnostic::new(Severity::Note, "N0001", Span::new(room_id, 0, 0), "checked"),
            ],
            sources: room,
        };
        let mut sword = SourceMap::new();
        sword.add("/obj/sword.c", "inherit \"/std/room\";\n".into());
        let header_id = sword.add("/include/defs.h", header.into());
        let sword_report = FileReport {
            path: "/obj/sword.c".into(),
            diagnostics: vec![Diagnostic::error(
                "E0101",
                Span::new(header_id, 20, 21),
                "bad name, here: `%`",
            )],
            sources: sword,
        };
        vec![sword_report, room_report]
    }

    fn human(reports: &[FileReport]) -> String {
        let mut out = NoColor::new(Vec::new());
        render_human(&mut out, reports).unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    }

    #[test]
    fn human_output() {
        insta::assert_snapshot!(human(&reports()));
    }

    #[test]
    fn human_output_honours_line_directives() {
        let mut sources = SourceMap::new();
        let id = sources.add("/a.c", "#line 40\nint $;\n".into());
        sources.file_mut(id).add_line_override(9, 40);
        let report = FileReport {
            path: "/a.c".into(),
            diagnostics: vec![Diagnostic::error(
                "E0001",
                Span::new(id, 13, 14),
                "illegal character '$'",
            )],
            sources,
        };
        let text = human(&[report]);
        assert!(text.contains("/a.c:40:5"), "{text}");
        assert!(text.contains("40 │ int $;"), "{text}");
    }

    #[test]
    fn human_output_survives_bad_spans() {
        let mut sources = SourceMap::new();
        let id = sources.add("/a.c", "int é;\n".into());
        let report = FileReport {
            path: "/a.c".into(),
            diagnostics: vec![
                Diagnostic::error("E0001", Span::new(id, 50, 60), "past the end"),
                Diagnostic::error("E0002", Span::new(id, 5, 6), "inside a character")
                    .with_label(Span::new(crate::span::FileId(9), 0, 1), "no such file"),
            ],
            sources,
        };
        insta::assert_snapshot!(human(&[report]));
    }

    #[test]
    fn json_output() {
        let mut out = Vec::new();
        render_json(&mut out, &reports()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        insta::assert_snapshot!(serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn github_output() {
        let mut out = Vec::new();
        render_github(&mut out, &reports(), &|path| format!("lib{path}")).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }

    #[test]
    fn github_escapes() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\nc:d,e"), "a%25b%0Ac%3Ad%2Ce");
    }

    #[test]
    fn summaries() {
        let summary = Summary::new(&reports());
        assert_eq!(
            summary,
            Summary {
                files_checked: 2,
                errors: 2,
                warnings: 1,
                notes: 1
            }
        );
        assert_eq!(summary.to_string(), "2 errors, 1 warning in 2 files");
        let one = Summary {
            files_checked: 1,
            errors: 1,
            warnings: 0,
            notes: 0,
        };
        assert_eq!(one.to_string(), "1 error, 0 warnings in 1 file");
    }
}
