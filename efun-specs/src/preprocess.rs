//! The preprocessor subset spec files use: comments, conditionals and object-like macros.
//!
//! The output keeps original line numbers so that parse errors point at the spec text.

use std::collections::{BTreeSet, HashMap};

use crate::error::SpecError;

/// One line that survived preprocessing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    /// Text of a `///` line, without the marker.
    Doc { line: u32, text: String },
    /// Spec text with comments removed and macros expanded.
    Code { line: u32, text: String },
}

struct Frame {
    line: u32,
    parent_active: bool,
    active: bool,
    /// Some branch of this conditional has been chosen already.
    taken: bool,
    seen_else: bool,
}

struct State<'a> {
    file: &'a str,
    symbols: &'a BTreeSet<String>,
    macros: HashMap<String, String>,
    /// Caller symbols the file removed with `#undef`.
    undefined: BTreeSet<String>,
    frames: Vec<Frame>,
}

impl State<'_> {
    fn active(&self) -> bool {
        self.frames.last().is_none_or(|frame| frame.active)
    }

    fn is_defined(&self, name: &str) -> bool {
        self.macros.contains_key(name)
            || (self.symbols.contains(name) && !self.undefined.contains(name))
    }
}

pub(crate) fn preprocess(
    file: &str,
    text: &str,
    symbols: &BTreeSet<String>,
) -> Result<Vec<Line>, SpecError> {
    let text = blank_block_comments(file, text)?;
    let mut state = State {
        file,
        symbols,
        macros: HashMap::new(),
        undefined: BTreeSet::new(),
        frames: Vec::new(),
    };
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim();
        if let Some(directive) = trimmed.strip_prefix('#') {
            directive_line(&mut state, line, strip_line_comment(directive))?;
            continue;
        }
        if !state.active() {
            continue;
        }
        let doc = trimmed
            .strip_prefix("///")
            .filter(|doc| !doc.starts_with('/'));
        if let Some(doc) = doc {
            out.push(Line::Doc {
                line,
                text: doc.trim().to_string(),
            });
            continue;
        }
        let code = strip_line_comment(trimmed).trim();
        if code.is_empty() {
            continue;
        }
        let mut expanding = Vec::new();
        let text = expand(&state.macros, code, &mut expanding);
        out.push(Line::Code { line, text });
    }
    if let Some(frame) = state.frames.last() {
        return Err(SpecError::preprocessor(
            file,
            frame.line,
            "conditional is never closed with #endif",
        ));
    }
    Ok(out)
}

/// Replaces `/* ... */` comments with spaces, keeping newlines so line numbers stay put.
fn blank_block_comments(file: &str, text: &str) -> Result<String, SpecError> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut line = 1u32;
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
            out.push(c);
            continue;
        }
        if c != '/' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('/') => {
                // A line comment may itself contain "/*"; keep it verbatim to the newline.
                out.push(c);
                while let Some(&next) = chars.peek() {
                    if next == '\n' {
                        break;
                    }
                    out.push(next);
                    chars.next();
                }
            }
            Some('*') => {
                let start = line;
                chars.next();
                out.push_str("  ");
                let mut closed = false;
                let mut prev = '\0';
                for next in chars.by_ref() {
                    if next == '\n' {
                        line += 1;
                        out.push('\n');
                    } else {
                        out.push(' ');
                    }
                    if prev == '*' && next == '/' {
                        closed = true;
                        break;
                    }
                    prev = next;
                }
                if !closed {
                    return Err(SpecError::syntax(file, start, "unterminated /* comment"));
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

fn strip_line_comment(text: &str) -> &str {
    match text.find("//") {
        Some(at) => &text[..at],
        None => text,
    }
}

fn directive_line(state: &mut State<'_>, line: u32, directive: &str) -> Result<(), SpecError> {
    let directive = directive.trim();
    let name_end = directive
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(directive.len());
    let (name, rest) = directive.split_at(name_end);
    let rest = rest.trim();
    let file = state.file;
    let active = state.active();
    match name {
        "ifdef" | "ifndef" => {
            let symbol = single_identifier(file, line, name, rest)?;
            let defined = state.is_defined(symbol);
            let cond = if name == "ifdef" { defined } else { !defined };
            state.frames.push(Frame {
                line,
                parent_active: active,
                active: active && cond,
                taken: cond,
                seen_else: false,
            });
        }
        "if" => {
            let cond = active && eval_condition(state, line, rest)?;
            state.frames.push(Frame {
                line,
                parent_active: active,
                active: cond,
                taken: cond,
                seen_else: false,
            });
        }
        "elif" => {
            let Some(frame) = state.frames.last() else {
                return Err(SpecError::preprocessor(file, line, "#elif without #if"));
            };
            if frame.seen_else {
                return Err(SpecError::preprocessor(file, line, "#elif after #else"));
            }
            let wanted = frame.parent_active && !frame.taken;
            let cond = wanted && eval_condition(state, line, rest)?;
            if let Some(frame) = state.frames.last_mut() {
                frame.active = cond;
                frame.taken |= cond;
            }
        }
        "else" | "endif" => {
            if !rest.is_empty() {
                return Err(SpecError::preprocessor(
                    file,
                    line,
                    format!("unexpected text after #{name}: `{rest}`"),
                ));
            }
            if name == "endif" {
                if state.frames.pop().is_none() {
                    return Err(SpecError::preprocessor(file, line, "#endif without #if"));
                }
                return Ok(());
            }
            let Some(frame) = state.frames.last_mut() else {
                return Err(SpecError::preprocessor(file, line, "#else without #if"));
            };
            if frame.seen_else {
                return Err(SpecError::preprocessor(file, line, "second #else"));
            }
            frame.active = frame.parent_active && !frame.taken;
            frame.taken = true;
            frame.seen_else = true;
        }
        "define" if active => define(state, line, rest)?,
        "undef" if active => {
            let symbol = single_identifier(file, line, name, rest)?;
            state.macros.remove(symbol);
            state.undefined.insert(symbol.to_string());
        }
        // A skipped region may hold directives this subset does not know.
        _ if !active => {}
        _ => {
            return Err(SpecError::preprocessor(
                file,
                line,
                format!("unsupported directive `#{name}`"),
            ));
        }
    }
    Ok(())
}

fn single_identifier<'t>(
    file: &str,
    line: u32,
    directive: &str,
    rest: &'t str,
) -> Result<&'t str, SpecError> {
    if is_identifier(rest) {
        return Ok(rest);
    }
    Err(SpecError::preprocessor(
        file,
        line,
        format!("#{directive} needs one name, found `{rest}`"),
    ))
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn define(state: &mut State<'_>, line: u32, rest: &str) -> Result<(), SpecError> {
    let name_end = rest
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(rest.len());
    let (name, body) = rest.split_at(name_end);
    if !is_identifier(name) {
        return Err(SpecError::preprocessor(
            state.file,
            line,
            format!("#define needs a name, found `{rest}`"),
        ));
    }
    if body.starts_with('(') {
        return Err(SpecError::preprocessor(
            state.file,
            line,
            format!("function-like macro `{name}` is not supported"),
        ));
    }
    state
        .macros
        .insert(name.to_string(), body.trim().to_string());
    state.undefined.remove(name);
    Ok(())
}

/// Expands object-like macros word by word; a macro is not expanded inside its own body.
fn expand(macros: &HashMap<String, String>, text: &str, expanding: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.push_str(&rest[..start]);
        let word_len = rest[start..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        match macros.get(word) {
            Some(body) if !expanding.iter().any(|m| m == word) => {
                expanding.push(word.to_string());
                out.push_str(&expand(macros, body, expanding));
                expanding.pop();
            }
            _ => out.push_str(word),
        }
        rest = &rest[start + word_len..];
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum CondToken {
    Ident(String),
    Number(i64),
    Not,
    And,
    Or,
    Open,
    Close,
}

fn eval_condition(state: &State<'_>, line: u32, text: &str) -> Result<bool, SpecError> {
    let tokens = cond_tokens(state.file, line, text)?;
    let mut parser = CondParser {
        state,
        line,
        tokens: &tokens,
        pos: 0,
    };
    let value = parser.or()?;
    if parser.pos != tokens.len() {
        return Err(parser.error("unexpected token in #if expression"));
    }
    Ok(value != 0)
}

fn cond_tokens(file: &str, line: u32, text: &str) -> Result<Vec<CondToken>, SpecError> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let two = bytes.get(i..i + 2);
        if two == Some(b"&&") {
            tokens.push(CondToken::And);
            i += 2;
            continue;
        }
        if two == Some(b"||") {
            tokens.push(CondToken::Or);
            i += 2;
            continue;
        }
        match c {
            b'!' => tokens.push(CondToken::Not),
            b'(' => tokens.push(CondToken::Open),
            b')' => tokens.push(CondToken::Close),
            b'0'..=b'9' => {
                let end = text[i..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(text.len(), |n| i + n);
                let digits = text[i..end].trim_end_matches(['L', 'l', 'U', 'u']);
                let value = digits.parse().map_err(|_| {
                    SpecError::preprocessor(file, line, format!("bad number `{digits}`"))
                })?;
                tokens.push(CondToken::Number(value));
                i = end;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let end = text[i..]
                    .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .map_or(text.len(), |n| i + n);
                tokens.push(CondToken::Ident(text[i..end].to_string()));
                i = end;
                continue;
            }
            _ => {
                let shown = text[i..].chars().next().unwrap_or(' ');
                return Err(SpecError::preprocessor(
                    file,
                    line,
                    format!("unsupported character `{shown}` in #if expression"),
                ));
            }
        }
        i += 1;
    }
    if tokens.is_empty() {
        return Err(SpecError::preprocessor(
            file,
            line,
            "#if needs an expression",
        ));
    }
    Ok(tokens)
}

struct CondParser<'a> {
    state: &'a State<'a>,
    line: u32,
    tokens: &'a [CondToken],
    pos: usize,
}

impl CondParser<'_> {
    fn error(&self, message: &str) -> SpecError {
        SpecError::preprocessor(self.state.file, self.line, message)
    }

    fn peek(&self) -> Option<&CondToken> {
        self.tokens.get(self.pos)
    }

    fn eat(&mut self, token: &CondToken) -> bool {
        if self.peek() == Some(token) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn or(&mut self) -> Result<i64, SpecError> {
        let mut value = self.and()?;
        while self.eat(&CondToken::Or) {
            let rhs = self.and()?;
            value = i64::from(value != 0 || rhs != 0);
        }
        Ok(value)
    }

    fn and(&mut self) -> Result<i64, SpecError> {
        let mut value = self.unary()?;
        while self.eat(&CondToken::And) {
            let rhs = self.unary()?;
            value = i64::from(value != 0 && rhs != 0);
        }
        Ok(value)
    }

    fn unary(&mut self) -> Result<i64, SpecError> {
        if self.eat(&CondToken::Not) {
            let value = self.unary()?;
            return Ok(i64::from(value == 0));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<i64, SpecError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error("#if expression ends too early"));
        };
        self.pos += 1;
        match token {
            CondToken::Number(n) => Ok(n),
            CondToken::Open => {
                let value = self.or()?;
                if !self.eat(&CondToken::Close) {
                    return Err(self.error("missing `)` in #if expression"));
                }
                Ok(value)
            }
            CondToken::Ident(word) if word == "defined" => {
                let parenthesized = self.eat(&CondToken::Open);
                let Some(CondToken::Ident(name)) = self.peek().cloned() else {
                    return Err(self.error("defined needs a name"));
                };
                self.pos += 1;
                if parenthesized && !self.eat(&CondToken::Close) {
                    return Err(self.error("missing `)` after defined(NAME"));
                }
                Ok(i64::from(self.state.is_defined(&name)))
            }
            CondToken::Ident(word) => Ok(self.identifier_value(&word)),
            CondToken::Not | CondToken::And | CondToken::Or | CondToken::Close => {
                Err(self.error("unexpected operator in #if expression"))
            }
        }
    }

    /// As in C: an undefined name is 0; a defined one is its numeric value, or 1 without one.
    fn identifier_value(&self, word: &str) -> i64 {
        if !self.state.is_defined(word) {
            return 0;
        }
        self.state
            .macros
            .get(word)
            .and_then(|body| body.trim().parse().ok())
            .unwrap_or(1)
    }
}
