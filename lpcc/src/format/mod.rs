//! The LPC source formatter behind `lpcc fmt` and the language server's
//! formatting requests.
//!
//! It works on the file as written, not on the preprocessed program: the
//! lexer's tokens (a directive line is one token), the comments between
//! them, and the dead text of `#if 0` branches. Only the whitespace between
//! these pieces changes; a light model of the nesting decides the line
//! breaks and indentation. Directives, comments, strings, text blocks and
//! template literals keep their text (trailing blanks aside), and macro uses
//! stay as written. Printing the syntax tree instead would lose comments,
//! directives and unexpanded macros, which is why it is not done.
//!
//! Before returning, the result is lexed again and must give the same
//! tokens and comments in the same order; if not, or if the input does not
//! lex cleanly, the formatter refuses rather than risk changing the program.

mod layout;
mod scan;

use std::ops::Range;

use crate::lexer::TokenKind;
use crate::preprocess::Preprocessed;
use scan::{Piece, PieceKind};

/// How formatted code is laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatOptions {
    /// Columns per indentation level, when indenting with spaces.
    pub indent_width: usize,
    /// Indent with one tab per level instead of spaces.
    pub use_tabs: bool,
    /// Blank lines kept in a row; more are removed.
    pub max_blank_lines: usize,
    /// Only re-indent and re-space: every token stays on its line. Always
    /// the case for a file using `__LINE__`, whose values must not change.
    pub keep_line_breaks: bool,
}

impl Default for FormatOptions {
    fn default() -> FormatOptions {
        FormatOptions {
            indent_width: 4,
            use_tabs: false,
            max_blank_lines: 2,
            keep_line_breaks: false,
        }
    }
}

/// Why a text was not formatted. The text is then best left as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// Text that does not lex cleanly, at a byte offset.
    #[error("cannot format: {message} (at byte {offset})")]
    Lex { offset: usize, message: String },
    /// The result would not hold the same tokens and comments: a bug in
    /// the formatter, caught before it could do harm.
    #[error("cannot format: the result would differ from the input at byte {offset}")]
    WouldChange { offset: usize },
}

/// One replacement in a text: the bytes of `range` become `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// A formatted text, with where each piece of the input went.
struct Formatted {
    input: Vec<Piece>,
    output: Vec<Piece>,
    text: String,
}

/// The whole text formatted.
pub fn format_source(text: &str, options: &FormatOptions) -> Result<String, FormatError> {
    format_checked(text, options, &Preserve::default()).map(|f| f.text)
}

/// The edit that formats the lines of `text` touched by `range` (byte
/// offsets), or `None` when they are formatted already. The whole file is
/// formatted to find the nesting; only the whitespace before and between
/// the pieces overlapping `range` is replaced.
pub fn format_range(
    text: &str,
    range: Range<usize>,
    options: &FormatOptions,
    preserve: &Preserve,
) -> Result<Option<TextEdit>, FormatError> {
    let formatted = format_checked(text, options, preserve)?;
    let touching = |p: &Piece| p.start < range.end.max(range.start + 1) && p.end > range.start;
    let Some(first) = formatted.input.iter().position(touching) else {
        return Ok(None);
    };
    let last = formatted.input.iter().rposition(touching).unwrap_or(first);
    let (in_start, out_start) = match first {
        0 => (0, 0),
        i => (formatted.input[i - 1].end, formatted.output[i - 1].end),
    };
    let in_end = formatted.input[last].end;
    let out_end = formatted.output[last].end;
    let new_text = &formatted.text[out_start..out_end];
    if text.get(in_start..in_end) == Some(new_text) {
        return Ok(None);
    }
    Ok(Some(TextEdit {
        range: in_start..in_end,
        new_text: new_text.to_string(),
    }))
}

/// What the layout of a file must keep because its meaning depends on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preserve {
    /// Every token stays on its line: some macro used expands `__LINE__`.
    pub line_breaks: bool,
    /// Byte ranges whose inner whitespace stays as written: macro
    /// invocations whose arguments are stringized.
    pub verbatim: Vec<Range<usize>>,
}

/// What the preprocessed file says the layout must keep: macro uses that
/// expand `__LINE__` (like an `ASSERT` reporting where it failed) and macro
/// invocations that stringize their arguments, whichever file defines the
/// macros. [`format_source`] finds these on its own only for `__LINE__`
/// written in the file and macros the file defines.
pub fn preserve(preprocessed: &Preprocessed) -> Preserve {
    let sources = &preprocessed.sources;
    let file = sources.name(preprocessed.main_file);
    let dir = &file[..file.rfind('/').map_or(0, |i| i + 1)];
    let names_file = |text: &str| text == format!("\"{file}\"") || text == format!("\"{dir}\"");
    let mut preserve = Preserve::default();
    for t in &preprocessed.tokens {
        if t.span.file != preprocessed.main_file {
            continue;
        }
        let Some(origin) = sources.origin(t.origin) else {
            continue;
        };
        if sources.name(origin.text.file) != "<scratch>" {
            continue;
        }
        match t.kind {
            TokenKind::Int if sources.token_text(t) == sources.line_col(t.span).0.to_string() => {
                preserve.line_breaks = true;
            }
            TokenKind::Str if !names_file(sources.token_text(t)) => {
                preserve.verbatim.push(t.span.range());
            }
            _ => {}
        }
    }
    preserve
}

/// The whole text formatted, keeping what `preserve` asks for besides.
pub fn format_preserving(
    text: &str,
    options: &FormatOptions,
    preserve: &Preserve,
) -> Result<String, FormatError> {
    format_checked(text, options, preserve).map(|f| f.text)
}

/// Ranges covering the invocations of function-like macros the file
/// defines with a `#` in their body (stringizing, or pasting, whose
/// arguments are better left as written).
fn stringizing_invocations(text: &str, pieces: &[Piece]) -> Vec<Range<usize>> {
    let mut names: Vec<&str> = Vec::new();
    for piece in pieces {
        if piece.kind != PieceKind::Token(TokenKind::Directive) {
            continue;
        }
        let directive = piece.text(text);
        if scan::directive_name(directive) != "define" {
            continue;
        }
        let rest = directive.trim_start_matches('#').trim_start();
        let rest = rest["define".len()..].trim_start();
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_end);
        if after.starts_with('(') && after.contains('#') && !name.is_empty() {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Vec::new();
    }
    let tokens: Vec<&Piece> = pieces.iter().filter(|p| p.token_kind().is_some()).collect();
    let mut ranges = Vec::new();
    for (i, piece) in tokens.iter().enumerate() {
        let called = piece.kind == PieceKind::Token(TokenKind::Ident)
            && names.contains(&piece.text(text))
            && tokens.get(i + 1).map(|p| p.kind) == Some(PieceKind::Token(TokenKind::LParen));
        if !called {
            continue;
        }
        let mut depth = 0usize;
        for next in &tokens[i + 1..] {
            match next.kind {
                PieceKind::Token(TokenKind::LParen | TokenKind::FunctionOpen) => depth += 1,
                PieceKind::Token(TokenKind::RParen) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        ranges.push(piece.start..next.end);
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    ranges
}

fn format_checked(
    text: &str,
    options: &FormatOptions,
    preserve: &Preserve,
) -> Result<Formatted, FormatError> {
    let options = FormatOptions {
        indent_width: options.indent_width.clamp(1, 16),
        keep_line_breaks: options.keep_line_breaks
            || preserve.line_breaks
            || text.contains("__LINE__"),
        ..options.clone()
    };
    let input = scan::scan(text)?;
    let mut verbatim = stringizing_invocations(text, &input);
    verbatim.extend(preserve.verbatim.iter().cloned());
    let laid = layout::lay_out(text, &input, &options, &verbatim);
    let output = scan::scan(&laid).map_err(|_| FormatError::WouldChange { offset: 0 })?;
    if input.len() != output.len() {
        let offset = first_difference(text, &input, &laid, &output);
        return Err(FormatError::WouldChange { offset });
    }
    for (a, b) in input.iter().zip(&output) {
        if !same_piece(text, a, &laid, b) {
            return Err(FormatError::WouldChange { offset: a.start });
        }
    }
    Ok(Formatted {
        input,
        output,
        text: laid,
    })
}

fn first_difference(text: &str, input: &[Piece], out: &str, output: &[Piece]) -> usize {
    input
        .iter()
        .zip(output)
        .find(|(a, b)| !same_piece(text, a, out, b))
        .map_or_else(|| input.last().map_or(0, |p| p.start), |(a, _)| a.start)
}

/// Whether two pieces mean the same: tokens by kind and text, comments and
/// dead text up to blanks at their line ends.
fn same_piece(text: &str, a: &Piece, out: &str, b: &Piece) -> bool {
    if a.kind != b.kind {
        return false;
    }
    let (x, y) = (a.text(text), b.text(out));
    match a.kind {
        PieceKind::Token(TokenKind::Directive) => {
            layout::directive_text(x) == layout::directive_text(y)
        }
        PieceKind::Token(_) => x == y,
        PieceKind::Inactive => layout::inactive_text(x) == layout::inactive_text(y),
        PieceKind::LineComment | PieceKind::BlockComment => {
            let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            words(x) == words(y)
        }
    }
}
