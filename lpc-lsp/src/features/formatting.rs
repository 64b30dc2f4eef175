//! Document and range formatting through `lpcc::format`, the code `lpcc fmt` runs.

use lpcc::format::{FormatOptions, format_preserving, format_range, preserve};
use tower_lsp_server::ls_types::{FormattingOptions, Range, TextEdit};

use crate::analysis::FileAnalysis;
use crate::pos::{offset_to_position, position_to_offset};

fn options(editor: &FormattingOptions) -> FormatOptions {
    FormatOptions {
        indent_width: editor.tab_size.clamp(1, 16) as usize,
        use_tabs: !editor.insert_spaces,
        ..FormatOptions::default()
    }
}

/// One edit replacing the whole document, or none when it is already
/// formatted or cannot be formatted without changing its tokens.
pub fn format_document(analysis: &FileAnalysis, editor: &FormattingOptions) -> Vec<TextEdit> {
    let text = analysis.text();
    let Ok(formatted) = format_preserving(text, &options(editor), &preserve(&analysis.pre)) else {
        return Vec::new();
    };
    if formatted == text {
        return Vec::new();
    }
    let file = analysis.sources().file(analysis.main_file());
    let range = Range {
        start: offset_to_position(file, 0),
        end: offset_to_position(file, text.len() as u32),
    };
    vec![TextEdit {
        range,
        new_text: formatted,
    }]
}

/// The edit that formats the lines of `range`, if any.
pub fn format_selection(
    analysis: &FileAnalysis,
    range: Range,
    editor: &FormattingOptions,
) -> Vec<TextEdit> {
    let file = analysis.sources().file(analysis.main_file());
    let start = position_to_offset(file, range.start) as usize;
    let end = position_to_offset(file, range.end) as usize;
    let text = analysis.text();
    let Ok(Some(edit)) = format_range(
        text,
        start..end.max(start),
        &options(editor),
        &preserve(&analysis.pre),
    ) else {
        return Vec::new();
    };
    let (mut start, mut end, mut new_text) = (edit.range.start, edit.range.end, edit.new_text);
    // No position lies between the two bytes of a `\r\n` line break, so an
    // edit that starts or ends there takes in the whole break.
    let bytes = text.as_bytes();
    let splits_break =
        |at: usize| at > 0 && bytes.get(at - 1) == Some(&b'\r') && bytes.get(at) == Some(&b'\n');
    if splits_break(start) {
        start -= 1;
        new_text.insert(0, '\r');
    }
    if splits_break(end) {
        end += 1;
        new_text.push('\n');
    }
    vec![TextEdit {
        range: Range {
            start: offset_to_position(file, start as u32),
            end: offset_to_position(file, end as u32),
        },
        new_text,
    }]
}
