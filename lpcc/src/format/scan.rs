//! Splits a file as written into the pieces the formatter arranges: tokens
//! (whole directive lines among them), comments, and the untouched text of
//! `#if` branches that can never be compiled.

use crate::lexer::{Lexer, Token, TokenKind};
use crate::span::FileId;

use super::FormatError;

/// What a piece of the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PieceKind {
    Token(TokenKind),
    LineComment,
    BlockComment,
    /// The lines of an `#if 0` branch (or of the `#else` of an `#if 1`):
    /// kept as written, since they need not even lex.
    Inactive,
}

/// One piece and where it lies in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Piece {
    pub kind: PieceKind,
    pub start: usize,
    pub end: usize,
    /// Line breaks in the whitespace between the previous piece and this one.
    pub newlines_before: usize,
}

impl Piece {
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }

    pub fn token_kind(&self) -> Option<TokenKind> {
        match self.kind {
            PieceKind::Token(kind) => Some(kind),
            _ => None,
        }
    }
}

/// How an open conditional was written, to know whether its other branches
/// are dead text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cond {
    /// `#if 1`: every `#else` or `#elif` branch is dead.
    AlwaysTrue,
    Other,
}

/// The name of a directive (`if`, `define`, ...), from its text.
pub(super) fn directive_name(text: &str) -> &str {
    let rest = text.trim_start_matches('#').trim_start_matches([' ', '\t']);
    let end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    &rest[..end]
}

/// `Some(value)` for `#if 0`, `#if 1`, `#elif 0` and `#elif 1` (a
/// trailing comment allowed).
fn literal_condition(text: &str) -> Option<bool> {
    let name = directive_name(text);
    if name != "if" && name != "elif" {
        return None;
    }
    let rest = text.trim_start_matches('#').trim_start_matches([' ', '\t']);
    let rest = rest[name.len()..].trim_start_matches([' ', '\t']);
    let end = rest.find(['/', ' ', '\t']).unwrap_or(rest.len());
    let after = rest[end..].trim_start_matches([' ', '\t']);
    if !(after.is_empty() || after.starts_with("//") || after.starts_with("/*")) {
        return None;
    }
    match &rest[..end] {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

/// The pieces of `text` in order. Text the lexer reports a problem in, and
/// stray `#` or `##` outside directives, make the file unformattable.
pub(super) fn scan(text: &str) -> Result<Vec<Piece>, FormatError> {
    let mut scanner = Scanner {
        text,
        lexer: Lexer::new(text, FileId(0)),
        pieces: Vec::new(),
        pos: 0,
        conds: Vec::new(),
    };
    while let Some(token) = scanner.lexer.next_token() {
        scanner.token(token)?;
    }
    scanner.gap(text.len())?;
    Ok(scanner.pieces)
}

struct Scanner<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    pieces: Vec<Piece>,
    /// End of the last piece.
    pos: usize,
    conds: Vec<Cond>,
}

impl Scanner<'_> {
    fn token(&mut self, token: Token) -> Result<(), FormatError> {
        if let Some(d) = self.lexer.diagnostics.first() {
            return Err(FormatError::Lex {
                offset: d.span().start as usize,
                message: d.message.clone(),
            });
        }
        let range = token.span.range();
        if matches!(
            token.kind,
            TokenKind::Error | TokenKind::Hash | TokenKind::HashHash
        ) {
            return Err(FormatError::Lex {
                offset: range.start,
                message: "`#` outside a directive".into(),
            });
        }
        self.push_token(token)?;
        if token.kind == TokenKind::Directive {
            self.directive(token)?;
        }
        Ok(())
    }

    /// Follows the conditionals, skipping the branches that are dead text.
    fn directive(&mut self, token: Token) -> Result<(), FormatError> {
        let text = &self.text[token.span.range()];
        let literal = literal_condition(text);
        let dead_rest = self.conds.last() == Some(&Cond::AlwaysTrue);
        let next = match directive_name(text) {
            "if" | "ifdef" | "ifndef" => {
                self.conds.push(Cond::Other);
                match literal {
                    Some(false) => self.skip_dead(true)?,
                    Some(true) => {
                        self.conds.pop();
                        self.conds.push(Cond::AlwaysTrue);
                        None
                    }
                    None => None,
                }
            }
            "elif" | "else" if dead_rest => self.skip_dead(false)?,
            "elif" => match literal {
                Some(false) => self.skip_dead(true)?,
                Some(true) => {
                    self.conds.pop();
                    self.conds.push(Cond::AlwaysTrue);
                    None
                }
                None => None,
            },
            "endif" => {
                self.conds.pop();
                None
            }
            _ => None,
        };
        match next {
            Some(next) => self.directive(next),
            None => Ok(()),
        }
    }

    fn push_token(&mut self, token: Token) -> Result<(), FormatError> {
        let range = token.span.range();
        let newlines_before = self.gap(range.start)?;
        self.pieces.push(Piece {
            kind: PieceKind::Token(token.kind),
            start: range.start,
            end: range.end,
            newlines_before,
        });
        self.pos = range.end;
        Ok(())
    }

    /// Skips the dead text after the directive just pushed, up to the
    /// directive ending it (`#endif`, or also `#else`/`#elif` when
    /// `stop_at_else`), which is pushed too and whose name is returned.
    fn skip_dead(&mut self, stop_at_else: bool) -> Result<Option<Token>, FormatError> {
        let bytes = self.text.as_bytes();
        let mut region_start = self.pos;
        if bytes.get(region_start) == Some(&b'\r') && bytes.get(region_start + 1) == Some(&b'\n') {
            region_start += 2;
        } else if bytes.get(region_start) == Some(&b'\n') {
            region_start += 1;
        }
        let mut depth = 0usize;
        loop {
            let Some(directive) = self.lexer.skip_to_directive() else {
                self.push_inactive(region_start, self.text.len());
                return Ok(None);
            };
            let range = directive.span.range();
            let name = directive_name(&self.text[range.clone()]);
            let ends = match name {
                "if" | "ifdef" | "ifndef" => {
                    depth += 1;
                    false
                }
                "endif" if depth > 0 => {
                    depth -= 1;
                    false
                }
                "endif" => true,
                "else" | "elif" => depth == 0 && stop_at_else,
                _ => false,
            };
            if !ends {
                continue;
            }
            let line_start = self.text[..range.start]
                .rfind('\n')
                .map_or(0, |i| i + 1)
                .max(region_start);
            self.push_inactive(region_start, line_start);
            self.push_token(directive)?;
            return Ok(Some(directive));
        }
    }

    fn push_inactive(&mut self, start: usize, end: usize) {
        if start < end {
            self.pieces.push(Piece {
                kind: PieceKind::Inactive,
                start,
                end,
                newlines_before: 1,
            });
            self.pos = end;
        }
    }

    /// Reads the whitespace and comments from the end of the last piece to
    /// `to`, pushing the comments; the line breaks after the last comment
    /// are returned.
    fn gap(&mut self, to: usize) -> Result<usize, FormatError> {
        let bytes = self.text.as_bytes();
        let mut i = self.pos;
        let mut newlines = 0;
        while i < to {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c' => i += 1,
                b'\n' => {
                    newlines += 1;
                    i += 1;
                }
                b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
                b'\\' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => {
                    i += 3
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    let end = self.text[i..to].find('\n').map_or(to, |n| i + n);
                    self.push_comment(PieceKind::LineComment, i, end, newlines);
                    newlines = 0;
                    i = end;
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    let Some(close) = self.text[i + 2..to].find("*/") else {
                        return Err(FormatError::Lex {
                            offset: i,
                            message: "end of file in a comment".into(),
                        });
                    };
                    let end = i + 2 + close + 2;
                    self.push_comment(PieceKind::BlockComment, i, end, newlines);
                    newlines = 0;
                    i = end;
                }
                _ => {
                    return Err(FormatError::Lex {
                        offset: i,
                        message: "text the formatter cannot place".into(),
                    });
                }
            }
        }
        self.pos = to.max(self.pos);
        Ok(newlines)
    }

    fn push_comment(&mut self, kind: PieceKind, start: usize, end: usize, newlines_before: usize) {
        self.pieces.push(Piece {
            kind,
            start,
            end,
            newlines_before,
        });
        self.pos = end;
    }
}
