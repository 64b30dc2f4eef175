//! Source text: the files of one compilation, their line tables, and the
//! [`SourceProvider`] trait through which the front-end reads files without doing I/O itself.

use std::collections::HashMap;
use std::sync::Arc;

use crate::span::{FileId, Span};

/// Why a file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("no such file")]
    NotFound,
    #[error("{0}")]
    Unreadable(String),
}

/// Where the front-end gets file contents from: the disk for `lpcc`, editor
/// buffers for the language server, the mudlib jail for the driver, a map in tests.
///
/// Paths are mudlib paths: absolute, starting with `/`, with `/` as separator
/// and no `.` or `..` components (see [`normalize_path`]).
pub trait SourceProvider: Sync {
    fn read(&self, path: &str) -> Result<Arc<str>, SourceError>;

    /// Whether `path` names a readable file. The default reads it.
    fn exists(&self, path: &str) -> bool {
        self.read(path).is_ok()
    }

    /// Whether the text `read` gave for `path` had bytes that are not UTF-8,
    /// each replaced by U+FFFD. String literals may not hold such bytes.
    fn had_invalid_utf8(&self, _path: &str) -> bool {
        false
    }
}

/// Text from bytes that should be UTF-8: invalid sequences become U+FFFD,
/// and the flag says whether there were any.
pub fn text_from_bytes(bytes: &[u8]) -> (Arc<str>, bool) {
    match String::from_utf8_lossy(bytes) {
        std::borrow::Cow::Borrowed(text) => (Arc::from(text), false),
        std::borrow::Cow::Owned(text) => (Arc::from(text), true),
    }
}

/// An in-memory provider, for tests and fuzzing.
#[derive(Default, Clone, Debug)]
pub struct MemoryProvider {
    pub files: HashMap<String, Arc<str>>,
}

impl MemoryProvider {
    pub fn new() -> MemoryProvider {
        MemoryProvider::default()
    }

    pub fn with(mut self, path: &str, text: &str) -> MemoryProvider {
        self.insert(path, text);
        self
    }

    pub fn insert(&mut self, path: &str, text: &str) {
        self.files.insert(normalize_path(path), Arc::from(text));
    }
}

impl SourceProvider for MemoryProvider {
    fn read(&self, path: &str) -> Result<Arc<str>, SourceError> {
        self.files.get(path).cloned().ok_or(SourceError::NotFound)
    }

    fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
}

/// Makes a mudlib path canonical: a leading `/`, single separators, `.` and
/// `..` resolved (never above the root).
pub fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for p in parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The directory part of a mudlib path, without a trailing slash (`/` for the root).
pub fn parent_dir(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// One file's text and line table.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Mudlib path, or a name in angle brackets for synthetic text.
    pub name: String,
    pub text: Arc<str>,
    line_starts: Vec<u32>,
    /// `#line` directives: from byte offset `.0` on, the line after the
    /// directive is reported as line `.1`.
    line_overrides: Vec<(u32, u32)>,
}

impl SourceFile {
    pub fn new(name: String, text: Arc<str>) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(
            memchr_newlines(text.as_bytes())
                .into_iter()
                .map(|i| i as u32 + 1),
        );
        SourceFile {
            name,
            text,
            line_starts,
            line_overrides: Vec::new(),
        }
    }

    /// Zero-based physical line of a byte offset.
    pub fn line_index(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte offset where zero-based line `line` starts.
    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len() as u32)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// One-based line and column (in characters) of a byte offset, as
    /// reported to users: `#line` directives are honoured.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.text.len() as u32);
        let index = self.line_index(offset);
        let start = self.line_starts[index] as usize;
        let end = (offset as usize).max(start);
        let col = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count()) as u32
            + 1;
        let mut line = index as u32 + 1;
        if let Some(&(from, reported)) = self
            .line_overrides
            .iter()
            .rev()
            .find(|(from, _)| *from <= offset)
        {
            let from_line = self.line_index(from) as u32 + 1;
            line = reported.saturating_add(line.saturating_sub(from_line));
        }
        (line, col)
    }

    /// Records a `#line N` directive taking effect at byte offset `from`
    /// (the start of the line after the directive).
    pub fn add_line_override(&mut self, from: u32, line: u32) {
        self.line_overrides.push((from, line));
    }
}

fn memchr_newlines(bytes: &[u8]) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == b'\n').then_some(i))
        .collect()
}

/// Where a token produced by a macro expansion comes from. The token's own
/// span is the macro invocation it stands in; this says where its text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenOrigin {
    /// The token's text: in the macro body, an argument, or synthetic text
    /// (pasted or stringized tokens).
    pub text: Span,
    /// The name in the `#define` of the outermost macro expanded.
    pub definition: Span,
}

/// Every file that takes part in one compilation: the main file, its
/// includes, and synthetic text made by the preprocessor; and where the
/// tokens made by macro expansions come from.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    origins: Vec<TokenOrigin>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: Arc<str>) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(name.into(), text));
        id
    }

    /// Replaces the text of a file, for synthetic buffers that grow while preprocessing.
    pub fn replace(&mut self, id: FileId, text: Arc<str>) {
        let name = std::mem::take(&mut self.files[id.0 as usize].name);
        self.files[id.0 as usize] = SourceFile::new(name, text);
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn file_mut(&mut self, id: FileId) -> &mut SourceFile {
        &mut self.files[id.0 as usize]
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    pub fn find(&self, name: &str) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.name == name)
            .map(|i| FileId(i as u32))
    }

    /// The text a span covers; empty when the span is out of range.
    pub fn text(&self, span: Span) -> &str {
        self.files
            .get(span.file.0 as usize)
            .and_then(|f| f.text.get(span.range()))
            .unwrap_or("")
    }

    pub fn name(&self, id: FileId) -> &str {
        &self.file(id).name
    }

    /// Records where an expanded token comes from; the result goes in
    /// [`crate::lexer::Token::origin`].
    pub fn add_origin(&mut self, origin: TokenOrigin) -> u32 {
        self.origins.push(origin);
        self.origins.len() as u32
    }

    pub fn origin(&self, id: u32) -> Option<&TokenOrigin> {
        id.checked_sub(1).and_then(|i| self.origins.get(i as usize))
    }

    /// The text of a token, wherever it came from.
    pub fn token_text(&self, token: &crate::lexer::Token) -> &str {
        match self.origin(token.origin) {
            Some(origin) => self.text(origin.text),
            None => self.text(token.span),
        }
    }

    /// One-based line and column of the start of a span.
    pub fn line_col(&self, span: Span) -> (u32, u32) {
        self.file(span.file).line_col(span.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize_path("a/b/../c.c"), "/a/c.c");
        assert_eq!(normalize_path("/../x//y/./z.h"), "/x/y/z.h");
        assert_eq!(normalize_path(""), "/");
        assert_eq!(parent_dir("/std/room.c"), "/std");
        assert_eq!(parent_dir("/room.c"), "/");
    }

    #[test]
    fn line_and_column() {
        let f = SourceFile::new("/a.c".into(), Arc::from("ab\ncdé\nx"));
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 2));
        assert_eq!(f.line_col(7), (2, 4));
        assert_eq!(f.line_col(8), (3, 1));
    }

    #[test]
    fn huge_line_directives_saturate() {
        let mut f = SourceFile::new("/a.c".into(), Arc::from("#line 4294967295\nb\nc\n"));
        f.add_line_override(17, u32::MAX);
        assert_eq!(f.line_col(19).0, u32::MAX);
    }

    #[test]
    fn line_directive_overrides() {
        let mut f = SourceFile::new("/a.c".into(), Arc::from("a\n#line 100\nb\nc\n"));
        f.add_line_override(11, 100);
        assert_eq!(f.line_col(11).0, 100);
        assert_eq!(f.line_col(13).0, 101);
        assert_eq!(f.line_col(0).0, 1);
    }
}
