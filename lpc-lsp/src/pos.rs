//! Conversions between the front-end's byte offsets and the protocol's
//! line and UTF-16 column positions.

use lpcc::source::{SourceFile, SourceMap};
use lpcc::span::Span;
use tower_lsp_server::ls_types::{Position, Range};

pub fn offset_to_position(file: &SourceFile, offset: u32) -> Position {
    let offset = offset.min(file.text.len() as u32);
    let line = file.line_index(offset);
    let start = file.line_start(line) as usize;
    let column = file
        .text
        .get(start..offset as usize)
        .map_or(0, |s| s.encode_utf16().count());
    Position::new(line as u32, column as u32)
}

/// The byte offset of a position; positions past the end of a line clamp to
/// the line's end, past the last line to the end of the text.
pub fn position_to_offset(file: &SourceFile, position: Position) -> u32 {
    let line = position.line as usize;
    if line >= file.line_count() {
        return file.text.len() as u32;
    }
    let start = file.line_start(line) as usize;
    let end = if line + 1 < file.line_count() {
        file.line_start(line + 1) as usize
    } else {
        file.text.len()
    };
    let line_text = file.text.get(start..end).unwrap_or("");
    let mut units = 0u32;
    for (i, c) in line_text.char_indices() {
        if units >= position.character || c == '\n' {
            return (start + i) as u32;
        }
        units += c.len_utf16() as u32;
    }
    end as u32
}

pub fn span_range(sources: &SourceMap, span: Span) -> Range {
    let Some(file) = sources.files().get(span.file.0 as usize) else {
        return Range::default();
    };
    Range::new(
        offset_to_position(file, span.start),
        offset_to_position(file, span.end),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn utf16_columns_round_trip() {
        let file = SourceFile::new("/a.c".into(), Arc::from("ab\nc\u{e9}\u{1F600}x\n"));
        assert_eq!(offset_to_position(&file, 4), Position::new(1, 1));
        assert_eq!(offset_to_position(&file, 10), Position::new(1, 4));
        assert_eq!(position_to_offset(&file, Position::new(1, 4)), 10);
        assert_eq!(position_to_offset(&file, Position::new(0, 99)), 2);
        assert_eq!(position_to_offset(&file, Position::new(9, 0)), 12);
    }
}
