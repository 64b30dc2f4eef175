//! Reads preprocessed spec lines into efun and operator declarations.
//!
//! Grammar of one declaration (free-form across lines, ended by `;`):
//! `type name [target] ( arg, ... [default: N | F__THIS_OBJECT] );` or
//! `operator name, name, ...;`. A `type` is a keyword followed by `*`s,
//! an argument is `type | type ...` (with `void` marking it optional) or `...`.
//! `///` lines right above a declaration document it (see [`parse_doc`]).

use std::collections::BTreeSet;

use crate::error::SpecError;
use crate::model::{DefaultValue, DocArg, Efun, EfunDoc, Location, Operator, Origin, Param, Type};
use crate::preprocess::{Line, preprocess};

/// What one spec file declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecFile {
    pub efuns: Vec<Efun>,
    pub operators: Vec<Operator>,
}

/// Parses one spec file. `symbols` are the option names that count as defined
/// for `#ifdef` and `#if defined(...)`.
pub fn parse_spec(
    file: &str,
    package: &str,
    text: &str,
    symbols: &BTreeSet<String>,
) -> Result<SpecFile, SpecError> {
    let lines = preprocess(file, text, symbols)?;
    let tokens = tokenize(file, &lines)?;
    let mut parser = Parser {
        file,
        package,
        tokens: &tokens,
        pos: 0,
        out: SpecFile::default(),
    };
    parser.specs()?;
    Ok(parser.out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Number(i64),
    Star,
    Pipe,
    Comma,
    Open,
    Close,
    Semi,
    Colon,
    Ellipsis,
    Doc(String),
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Ident(word) => format!("`{word}`"),
            Tok::Number(n) => format!("`{n}`"),
            Tok::Star => "`*`".into(),
            Tok::Pipe => "`|`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Open => "`(`".into(),
            Tok::Close => "`)`".into(),
            Tok::Semi => "`;`".into(),
            Tok::Colon => "`:`".into(),
            Tok::Ellipsis => "`...`".into(),
            Tok::Doc(_) => "a `///` doc line".into(),
        }
    }
}

struct Token {
    tok: Tok,
    line: u32,
}

fn tokenize(file: &str, lines: &[Line]) -> Result<Vec<Token>, SpecError> {
    let mut tokens = Vec::new();
    for entry in lines {
        let (line, text) = match entry {
            Line::Doc { line, text } => {
                tokens.push(Token {
                    tok: Tok::Doc(text.clone()),
                    line: *line,
                });
                continue;
            }
            Line::Code { line, text } => (*line, text),
        };
        let mut rest = text.as_str();
        while let Some(c) = rest.chars().next() {
            if c.is_whitespace() {
                rest = &rest[c.len_utf8()..];
                continue;
            }
            let (tok, len) = if c.is_ascii_alphabetic() || c == '_' {
                let len = rest
                    .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .unwrap_or(rest.len());
                (Tok::Ident(rest[..len].to_string()), len)
            } else if c.is_ascii_digit() || c == '-' {
                let digits_start = usize::from(c == '-');
                let len = rest[digits_start..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(rest.len(), |n| n + digits_start);
                let value = rest[..len].parse().map_err(|_| {
                    SpecError::syntax(file, line, format!("bad number `{}`", &rest[..len]))
                })?;
                (Tok::Number(value), len)
            } else if rest.starts_with("...") {
                (Tok::Ellipsis, 3)
            } else {
                let tok = match c {
                    '*' => Tok::Star,
                    '|' => Tok::Pipe,
                    ',' => Tok::Comma,
                    '(' => Tok::Open,
                    ')' => Tok::Close,
                    ';' => Tok::Semi,
                    ':' => Tok::Colon,
                    _ => {
                        return Err(SpecError::syntax(
                            file,
                            line,
                            format!("unexpected character `{c}`"),
                        ));
                    }
                };
                (tok, c.len_utf8())
            };
            tokens.push(Token { tok, line });
            rest = &rest[len..];
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    file: &'a str,
    package: &'a str,
    tokens: &'a [Token],
    pos: usize,
    out: SpecFile,
}

/// A parsed argument before arity is worked out.
enum RawParam {
    Varargs,
    Typed {
        types: Vec<Type>,
        has_void: bool,
        default: Option<DefaultValue>,
    },
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    /// The line of the next token, or of the last one at end of input.
    fn line(&self) -> u32 {
        self.tokens
            .get(self.pos)
            .or_else(|| self.tokens.last())
            .map_or(1, |t| t.line)
    }

    fn error(&self, message: impl Into<String>) -> SpecError {
        SpecError::syntax(self.file, self.line(), message)
    }

    fn unexpected(&self, wanted: &str) -> SpecError {
        match self.peek() {
            Some(tok) => self.error(format!("expected {wanted}, found {}", tok.describe())),
            None => self.error(format!("expected {wanted}, found end of file")),
        }
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, tok: &Tok) -> Result<(), SpecError> {
        if self.eat(tok) {
            return Ok(());
        }
        Err(self.unexpected(&tok.describe()))
    }

    fn ident(&mut self, wanted: &str) -> Result<String, SpecError> {
        if let Some(Tok::Ident(word)) = self.peek() {
            let word = word.clone();
            self.pos += 1;
            return Ok(word);
        }
        Err(self.unexpected(wanted))
    }

    fn specs(&mut self) -> Result<(), SpecError> {
        let mut docs: Vec<(u32, String)> = Vec::new();
        while let Some(tok) = self.peek() {
            if let Tok::Doc(text) = tok {
                docs.push((self.line(), text.clone()));
                self.pos += 1;
                continue;
            }
            let line = self.line();
            if tok == &Tok::Ident("operator".into()) {
                self.pos += 1;
                self.operators(line)?;
            } else {
                let doc = parse_doc(self.file, &docs)?;
                self.function(line, doc)?;
            }
            docs.clear();
        }
        Ok(())
    }

    fn operators(&mut self, line: u32) -> Result<(), SpecError> {
        loop {
            let name = self.ident("an operator name")?;
            self.out.operators.push(Operator {
                name,
                package: self.package.to_string(),
                location: Location {
                    file: self.file.to_string(),
                    line,
                },
            });
            if self.eat(&Tok::Semi) {
                return Ok(());
            }
            self.expect(&Tok::Comma)?;
        }
    }

    fn function(&mut self, line: u32, parsed_doc: ParsedDoc) -> Result<(), SpecError> {
        let return_type = self.ty()?;
        let name = self.ident("an efun name")?;
        let alias_of = match self.peek() {
            Some(Tok::Ident(_)) => Some(self.ident("an efun name")?),
            _ => None,
        };
        self.expect(&Tok::Open)?;
        let raw = self.params()?;
        self.expect(&Tok::Close)?;
        self.expect(&Tok::Semi)?;

        let arity = arity(&raw);
        let mut params = Vec::new();
        let mut varargs = None;
        for (index, param) in raw.into_iter().enumerate() {
            match param {
                RawParam::Varargs => varargs = Some(params.len()),
                RawParam::Typed { types, default, .. } => params.push(Param {
                    types,
                    optional: index >= arity.first_optional || default.is_some(),
                    default,
                }),
            }
        }
        let origin = if parsed_doc.extension {
            Origin::Extension
        } else {
            Origin::FluffOs
        };
        self.out.efuns.push(Efun {
            internal: name.starts_with('_'),
            name,
            package: self.package.to_string(),
            return_type,
            params,
            varargs,
            min_args: arity.min,
            max_args: arity.max,
            alias_of,
            origin,
            doc: parsed_doc.doc,
            location: Location {
                file: self.file.to_string(),
                line,
            },
        });
        Ok(())
    }

    /// `keyword *...`
    fn ty(&mut self) -> Result<Type, SpecError> {
        let word = self.ident("a type")?;
        let Some(mut ty) = Type::from_keyword(&word) else {
            self.pos -= 1;
            return Err(self.error(format!("unknown type `{word}`")));
        };
        while self.eat(&Tok::Star) {
            if ty == Type::Void {
                return Err(self.error("`void` cannot be an array"));
            }
            ty = Type::array_of(ty);
        }
        Ok(ty)
    }

    fn params(&mut self) -> Result<Vec<RawParam>, SpecError> {
        let mut params = Vec::new();
        if self.peek() == Some(&Tok::Close) {
            return Ok(params);
        }
        loop {
            params.push(self.param()?);
            if !self.eat(&Tok::Comma) {
                return Ok(params);
            }
        }
    }

    fn param(&mut self) -> Result<RawParam, SpecError> {
        if self.eat(&Tok::Ellipsis) {
            return Ok(RawParam::Varargs);
        }
        let mut types = Vec::new();
        let mut has_void = false;
        loop {
            match self.ty()? {
                Type::Void => has_void = true,
                ty => types.push(ty),
            }
            if !self.eat(&Tok::Pipe) {
                break;
            }
        }
        let mut default = None;
        if self.peek() == Some(&Tok::Ident("default".into())) {
            self.pos += 1;
            self.expect(&Tok::Colon)?;
            default = Some(self.default_value()?);
            if self.peek() != Some(&Tok::Close) {
                return Err(self.error("`default:` is only allowed on the last argument"));
            }
        }
        Ok(RawParam::Typed {
            types,
            has_void,
            default,
        })
    }

    fn default_value(&mut self) -> Result<DefaultValue, SpecError> {
        match self.peek().cloned() {
            Some(Tok::Number(n)) => {
                self.pos += 1;
                Ok(DefaultValue::Int(n))
            }
            Some(Tok::Ident(word)) if word == "F__THIS_OBJECT" => {
                self.pos += 1;
                Ok(DefaultValue::ThisObject)
            }
            Some(Tok::Ident(word)) => Err(self.error(format!(
                "unknown default `{word}` (a number or F__THIS_OBJECT)"
            ))),
            _ => Err(self.unexpected("a default value")),
        }
    }
}

struct Arity {
    min: usize,
    max: Option<usize>,
    /// Index (counting `...`) of the first argument a call may leave out.
    first_optional: usize,
}

/// The driver's counting rule: the first argument that admits `void` (or the
/// `...` marker) fixes the minimum, `...` lifts the maximum, and a default on
/// the last argument lets a call stop one short of the minimum.
fn arity(params: &[RawParam]) -> Arity {
    let mut first_optional = None;
    let mut varargs = false;
    let mut has_default = false;
    for (index, param) in params.iter().enumerate() {
        match param {
            RawParam::Varargs => {
                varargs = true;
                first_optional.get_or_insert(index);
            }
            RawParam::Typed {
                has_void, default, ..
            } => {
                if *has_void {
                    first_optional.get_or_insert(index);
                }
                has_default |= default.is_some();
            }
        }
    }
    let first_optional = first_optional.unwrap_or(params.len());
    let min = if has_default {
        first_optional.saturating_sub(1)
    } else {
        first_optional
    };
    Arity {
        min,
        max: (!varargs).then_some(params.len()),
        first_optional,
    }
}

struct ParsedDoc {
    doc: EfunDoc,
    extension: bool,
}

/// Reads `///` lines: untagged lines form the summary; `@param NAME text`,
/// `@return text` and `@example code` (one line of LPC each) follow; an
/// untagged line after a tag continues it; `@extension` marks an efun this
/// toolchain adds to the FluffOS set.
fn parse_doc(file: &str, lines: &[(u32, String)]) -> Result<ParsedDoc, SpecError> {
    enum Last {
        Summary,
        Param,
        Return,
        Example,
    }
    let mut doc = EfunDoc::default();
    let mut extension = false;
    let mut last = Last::Summary;
    let mut examples: Vec<String> = Vec::new();
    for (line, text) in lines {
        let Some(tagged) = text.strip_prefix('@') else {
            match last {
                Last::Summary => append_words(&mut doc.summary, text),
                Last::Param => {
                    if let Some(arg) = doc.args.last_mut() {
                        append_words(&mut arg.text, text);
                    }
                }
                Last::Return => append_words(doc.returns.get_or_insert_default(), text),
                Last::Example => examples.push(text.clone()),
            }
            continue;
        };
        let (tag, rest) = tagged.split_once(' ').unwrap_or((tagged, ""));
        let rest = rest.trim();
        match tag {
            "param" => {
                let (name, text) = rest.split_once(' ').unwrap_or((rest, ""));
                if name.is_empty() {
                    return Err(SpecError::syntax(file, *line, "@param needs a name"));
                }
                doc.args.push(DocArg {
                    name: name.to_string(),
                    text: text.trim().to_string(),
                });
                last = Last::Param;
            }
            "return" => {
                doc.returns = Some(rest.to_string());
                last = Last::Return;
            }
            "example" => {
                examples.push(rest.to_string());
                last = Last::Example;
            }
            "extension" => extension = true,
            _ => {
                return Err(SpecError::syntax(
                    file,
                    *line,
                    format!("unknown doc tag `@{tag}`"),
                ));
            }
        }
    }
    doc.example = examples.join("\n");
    Ok(ParsedDoc { doc, extension })
}

fn append_words(target: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !target.is_empty() {
        target.push(' ');
    }
    target.push_str(text);
}
