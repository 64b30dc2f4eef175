//! Conversions between the front-end's byte offsets and the protocol's
//! line and UTF-16 column positions.

use lpcc::source::{SourceFile, SourceMap};
use lpcc::span::Span;
use tower_lsp_server::ls_types::{Position, Range};

pub fn offset_to_position(file: &SourceFile, offset: u32) -> Position {
    let mut offset = offset.min(file.text.len() as u32);
    // Between the `\r` and `\n` of a line break is no position: it is the
    // end of the line.
    let bytes = file.text.as_bytes();
    let at = offset as usize;
    if at > 0 && bytes.get(at - 1) == Some(&b'\r') && bytes.get(at) == Some(&b'\n') {
        offset -= 1;
    }
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
    (start + offset_in_line(line_text, position.character)) as u32
}

/// The byte offset of a position in plain text, by the same rules as
/// [`position_to_offset`].
pub fn text_offset(text: &str, position: Position) -> usize {
    let mut start = 0;
    for _ in 0..position.line {
        match text[start..].find('\n') {
            Some(newline) => start += newline + 1,
            None => return text.len(),
        }
    }
    let end = text[start..]
        .find('\n')
        .map_or(text.len(), |n| start + n + 1);
    start + offset_in_line(&text[start..end], position.character)
}

/// The byte offset of UTF-16 column `character` in one line, its line break
/// included. A column past the end stops before the line break (`\r\n` as
/// well as `\n`); one inside a surrogate pair moves past the character, so
/// the offset is always on a character boundary.
fn offset_in_line(line: &str, character: u32) -> usize {
    let content = line.strip_suffix('\n').unwrap_or(line);
    let content = content.strip_suffix('\r').unwrap_or(content);
    let mut units = 0u32;
    for (i, c) in content.char_indices() {
        if units >= character {
            return i;
        }
        units += c.len_utf16() as u32;
    }
    content.len()
}

/// Applies one incremental change of `textDocument/didChange` to `text`. A
/// range whose end comes before its start is taken the other way round, so
/// no change, however odd, leaves the text off character boundaries.
pub fn apply_change(text: &mut String, range: Range, new_text: &str) {
    let start = text_offset(text, range.start);
    let end = text_offset(text, range.end);
    let (start, end) = (start.min(end), start.max(end));
    text.replace_range(start..end, new_text);
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

    #[test]
    fn text_offsets_clamp_to_line_ends_and_character_boundaries() {
        let text = "ab\r\nc\u{1F600}x\nlast";
        assert_eq!(text_offset(text, Position::new(0, 9)), 2);
        // Inside the surrogate pair of the emoji: after it.
        assert_eq!(text_offset(text, Position::new(1, 2)), 9);
        assert_eq!(text_offset(text, Position::new(1, 3)), 9);
        assert_eq!(text_offset(text, Position::new(2, 2)), 13);
        assert_eq!(text_offset(text, Position::new(2, 9)), 15);
        assert_eq!(text_offset(text, Position::new(7, 0)), 15);
        let file = SourceFile::new("/a.c".into(), Arc::from(text));
        assert_eq!(offset_to_position(&file, 3), Position::new(0, 2));
        for line in 0..4 {
            for character in 0..6 {
                let p = Position::new(line, character);
                assert_eq!(position_to_offset(&file, p) as usize, text_offset(text, p));
            }
        }
    }

    #[test]
    fn changes_apply_in_either_direction() {
        let mut text = String::from("int x;\nint y;\n");
        apply_change(
            &mut text,
            Range::new(Position::new(1, 4), Position::new(0, 4)),
            "z",
        );
        assert_eq!(text, "int zy;\n");
        apply_change(
            &mut text,
            Range::new(Position::new(5, 0), Position::new(5, 0)),
            "//",
        );
        assert_eq!(text, "int zy;\n//");
    }
}
