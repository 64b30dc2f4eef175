//! The LPC lexer: a logos DFA for ordinary tokens, wrapped by a small scanner
//! for the context-dependent forms (directive lines, template literals, text
//! blocks, `(:`, `?.`, `1.`). Tokens carry only a kind and a span; their values
//! are decoded from the source text on demand by the functions at the bottom.

use logos::Logos;

use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span};

/// What a token is. Its text lives in the source map at the token's span.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[logos(skip r"[ \t\r\n\f\v]+")]
#[logos(skip r"\\\r?\n")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
#[logos(skip r"/\*([^*]|\*+[^*/])*\*+/")]
pub enum TokenKind {
    // ----- literals and names -----
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    #[regex(r"[0-9](_?[0-9])*")]
    #[regex(r"0[xX][0-9a-fA-F](_?[0-9a-fA-F])*")]
    #[regex(r"0[bB][01](_?[01])*")]
    Int,
    #[regex(r"[0-9](_?[0-9])*\.(_?[0-9])+([eE][+-]?[0-9](_?[0-9])*)?")]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*")]
    Float,
    #[regex(r"'([^'\\\n]|\\[^\n0-7xX]|\\[0-7]+|\\[xX][0-9a-fA-F]*)'")]
    Char,
    #[regex(r#""([^"\\]|\\[^\r\n]|\\\r?\n)*""#)]
    Str,
    /// `@TERM ... TERM`: a string made of the lines between.
    TextBlock,
    /// `@@TERM ... TERM`: an array with one string per line.
    TextBlockArray,
    /// `` `text` `` with no interpolation.
    Template,
    /// `` `text${ ``
    TemplateHead,
    /// `}text${`
    TemplateMiddle,
    /// `` }text` ``
    TemplateTail,
    /// `$1`, `$2`: a function-pointer argument.
    #[regex(r"\$[0-9]+")]
    Param,
    /// A whole preprocessor line, `#` first on its line, continuations included.
    Directive,

    // ----- keywords -----
    #[token("break")]
    KwBreak,
    #[token("buffer")]
    KwBuffer,
    #[token("case")]
    KwCase,
    #[token("catch")]
    KwCatch,
    /// `class`, and its synonym `struct`.
    #[token("class")]
    #[token("struct")]
    KwClass,
    #[token("continue")]
    KwContinue,
    #[token("default")]
    KwDefault,
    #[token("do")]
    KwDo,
    #[token("efun")]
    KwEfun,
    #[token("else")]
    KwElse,
    #[token("float")]
    KwFloat,
    #[token("for")]
    KwFor,
    #[token("foreach")]
    KwForeach,
    #[token("function")]
    KwFunction,
    #[token("if")]
    KwIf,
    #[token("in")]
    KwIn,
    #[token("inherit")]
    KwInherit,
    #[token("int")]
    KwInt,
    #[token("mapping")]
    KwMapping,
    #[token("mixed")]
    KwMixed,
    #[token("new")]
    KwNew,
    #[token("nomask")]
    KwNomask,
    #[token("nosave")]
    KwNosave,
    #[token("object")]
    KwObject,
    #[token("parse_command")]
    KwParseCommand,
    #[token("private")]
    KwPrivate,
    #[token("protected")]
    KwProtected,
    #[token("public")]
    KwPublic,
    #[token("ref")]
    KwRef,
    #[token("return")]
    KwReturn,
    #[token("sscanf")]
    KwSscanf,
    /// Only a modifier when the compatibility option allows it; default
    /// FluffOS builds reject it.
    #[token("static")]
    KwStatic,
    #[token("string")]
    KwString,
    #[token("switch")]
    KwSwitch,
    #[token("time_expression")]
    KwTimeExpression,
    #[token("varargs")]
    KwVarargs,
    #[token("void")]
    KwVoid,
    #[token("while")]
    KwWhile,
    /// Reserved and unusable, as in FluffOS.
    #[token("asm")]
    KwAsm,
    /// `array`, a type suffix (`string array` is `string *`) when the
    /// configuration reserves the word; otherwise `array` is a name.
    KwArray,

    // ----- punctuation -----
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    /// `(:` opening a function pointer (whitespace may separate the two).
    FunctionOpen,
    #[token(";")]
    Semi,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token("::")]
    ColonColon,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("...")]
    Ellipsis,
    #[token("?")]
    Question,
    #[token("??")]
    QuestionQuestion,
    #[token("??=")]
    QuestionQuestionAssign,
    /// `?.` before a name or `[`.
    OptionalDot,
    /// `.?` as in `m.?[key]`.
    #[token(".?")]
    DotOptional,
    #[token("->")]
    Arrow,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("++")]
    PlusPlus,
    #[token("--")]
    MinusMinus,
    #[token("=")]
    Assign,
    #[token("+=")]
    PlusAssign,
    #[token("-=")]
    MinusAssign,
    #[token("*=")]
    StarAssign,
    #[token("/=")]
    SlashAssign,
    #[token("%=")]
    PercentAssign,
    #[token("&=")]
    AmpAssign,
    #[token("|=")]
    PipeAssign,
    #[token("^=")]
    CaretAssign,
    #[token("<<=")]
    ShlAssign,
    #[token(">>=")]
    ShrAssign,
    #[token("&&=")]
    AndAndAssign,
    #[token("||=")]
    OrOrAssign,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("!")]
    Bang,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("<=")]
    Le,
    #[token(">=")]
    Ge,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("$")]
    Dollar,
    /// `#` not at the start of a line: stringizing inside macro bodies.
    #[token("#")]
    Hash,
    /// `##`: token pasting inside macro bodies.
    #[token("##")]
    HashHash,
    #[token("@")]
    At,
    #[token("@@")]
    AtAt,
    #[token("`")]
    Backtick,
    /// A `/*` with no `*/`: reported, and turned into [`TokenKind::Error`].
    #[regex(r"/\*([^*]|\*+[^*/])*\**", allow_greedy = true)]
    UnterminatedComment,
    /// Text that is no token; a diagnostic says why.
    Error,
}

impl TokenKind {
    /// Whether a token of this kind can be the name of a macro or take part
    /// in `##` pasting as a word.
    pub fn is_word(self) -> bool {
        self == TokenKind::Ident || self.is_keyword()
    }

    pub fn is_keyword(self) -> bool {
        (self as u8) >= (TokenKind::KwBreak as u8) && (self as u8) <= (TokenKind::KwArray as u8)
    }
}

/// One token: its kind, where it appears, and (for tokens produced by a
/// macro expansion) an index into the preprocessor's expansion table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Where the token appears as the user sees it. For a token produced by
    /// a macro expansion this is the whole macro invocation.
    pub span: Span,
    /// 0 for a token written where it appears; otherwise the expansion it
    /// came from, whose table entry says where its text is.
    pub origin: u32,
}

const _: () = assert!(std::mem::size_of::<Token>() <= 20);

impl Token {
    pub fn new(kind: TokenKind, span: Span) -> Token {
        Token {
            kind,
            span,
            origin: 0,
        }
    }
}

/// Lexing options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LexConfig {
    /// Recognise `#` lines as [`TokenKind::Directive`] tokens. Off when
    /// lexing the inside of a directive or a macro body.
    pub directives: bool,
    /// `array` is a keyword (FluffOS's `ARRAY_RESERVED_WORD`).
    pub array_keyword: bool,
}

impl Default for LexConfig {
    fn default() -> LexConfig {
        LexConfig {
            directives: true,
            array_keyword: false,
        }
    }
}

/// The lexer over one range of one file's text.
pub struct Lexer<'a> {
    inner: logos::Lexer<'a, TokenKind>,
    /// The whole text of the file (the logos lexer may see only a range of it).
    full: &'a str,
    base: u32,
    file: FileId,
    config: LexConfig,
    /// One entry per open template literal interpolation: how many `{` are
    /// open inside it.
    template_braces: Vec<u32>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str, file: FileId) -> Lexer<'a> {
        Lexer::with_range(text, file, 0..text.len(), LexConfig::default())
    }

    /// Lexes `text[range]`, with spans relative to the whole text.
    pub fn with_range(
        text: &'a str,
        file: FileId,
        range: std::ops::Range<usize>,
        config: LexConfig,
    ) -> Lexer<'a> {
        let start = range.start.min(text.len());
        let end = range.end.clamp(start, text.len());
        let slice = text.get(start..end).unwrap_or("");
        Lexer {
            inner: TokenKind::lexer(slice),
            full: text,
            base: start as u32,
            file,
            config,
            template_braces: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    pub fn file(&self) -> FileId {
        self.file
    }

    /// Byte offset (in the whole text) where the next token search starts.
    pub fn position(&self) -> u32 {
        self.base + self.inner.span().end as u32
    }

    fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(
            self.file,
            self.base + range.start as u32,
            self.base + range.end as u32,
        )
    }

    fn error(&mut self, span: Span, code: &'static str, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, span, message));
    }

    /// The next token, or `None` at the end of the range.
    pub fn next_token(&mut self) -> Option<Token> {
        let Some(result) = self.inner.next() else {
            // The text ended inside a template literal's `${ ... }`.
            if !self.template_braces.is_empty() {
                self.template_braces.clear();
                let end = self.base + self.inner.span().end as u32;
                let span = Span::new(self.file, end, end);
                self.error(span, "E0005", "end of file in a template literal");
            }
            return None;
        };
        let range = self.inner.span();
        let kind = match result {
            Ok(kind) => kind,
            Err(()) => {
                let token = self.bad_text(range);
                return Some(token);
            }
        };
        let token = match kind {
            TokenKind::Int => self.int_or_trailing_dot_float(range),
            TokenKind::Ident
                if self.config.array_keyword && &self.inner.source()[range.clone()] == "array" =>
            {
                Token::new(TokenKind::KwArray, self.span_of(range))
            }
            TokenKind::LParen => self.paren_or_function_open(range),
            TokenKind::Question => self.question_or_optional_dot(range),
            TokenKind::LBrace => {
                if let Some(depth) = self.template_braces.last_mut() {
                    *depth += 1;
                }
                Token::new(kind, self.span_of(range))
            }
            TokenKind::RBrace => match self.template_braces.last_mut() {
                Some(0) => {
                    self.template_braces.pop();
                    self.template_part(range, false)
                }
                Some(depth) => {
                    *depth -= 1;
                    Token::new(kind, self.span_of(range))
                }
                None => Token::new(kind, self.span_of(range)),
            },
            TokenKind::Backtick => self.template_part(range, true),
            TokenKind::At | TokenKind::AtAt => self.text_block(range, kind),
            TokenKind::UnterminatedComment => {
                let span = self.span_of(range.start..range.start + 2);
                self.error(span, "E0003", "end of file in a comment");
                Token::new(TokenKind::Error, span)
            }
            TokenKind::Hash | TokenKind::HashHash
                if self.config.directives && self.at_line_start(range.start) =>
            {
                self.directive(range)
            }
            _ => Token::new(kind, self.span_of(range)),
        };
        Some(token)
    }

    /// Text logos could not match: an unterminated string or comment, or a
    /// character that starts no token.
    fn bad_text(&mut self, range: std::ops::Range<usize>) -> Token {
        let rest = &self.inner.source()[range.start..];
        let first = rest.chars().next().unwrap_or('\0');
        match first {
            '"' => {
                let len = rest.len() - (range.end - range.start);
                self.inner.bump(len);
                let span = self.span_of(range.start..range.start + 1);
                self.error(span, "E0002", "end of file in a string");
                Token::new(TokenKind::Error, span)
            }
            '\'' => {
                let span = self.span_of(range.clone());
                self.error(span, "E0004", "illegal character constant");
                Token::new(TokenKind::Error, span)
            }
            _ => {
                let span = self.span_of(range.clone());
                let shown = if first.is_control() {
                    format!("illegal character (0x{:02x})", first as u32)
                } else {
                    format!("illegal character '{first}'")
                };
                self.error(span, "E0001", shown);
                Token::new(TokenKind::Error, span)
            }
        }
    }

    /// `1.` followed by anything but another `.` is a float.
    fn int_or_trailing_dot_float(&mut self, range: std::ops::Range<usize>) -> Token {
        let text = &self.inner.source()[range.clone()];
        let rest = self.inner.remainder().as_bytes();
        let decimal = !(text.len() > 1 && matches!(text.as_bytes()[1], b'x' | b'X' | b'b' | b'B'));
        if decimal && rest.first() == Some(&b'.') && rest.get(1) != Some(&b'.') {
            self.inner.bump(1);
            return Token::new(TokenKind::Float, self.span_of(range.start..range.end + 1));
        }
        Token::new(TokenKind::Int, self.span_of(range))
    }

    /// `(:` opens a function pointer, but `(::` is `(` then `::`.
    fn paren_or_function_open(&mut self, range: std::ops::Range<usize>) -> Token {
        let rest = self.inner.remainder().as_bytes();
        let ws = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        if rest.get(ws) == Some(&b':') && rest.get(ws + 1) != Some(&b':') {
            self.inner.bump(ws + 1);
            return Token::new(
                TokenKind::FunctionOpen,
                self.span_of(range.start..range.end + ws + 1),
            );
        }
        Token::new(TokenKind::LParen, self.span_of(range))
    }

    /// `?.` is optional chaining only before a name or `[`, so that
    /// `c ? .5 : x` still reads as a ternary.
    fn question_or_optional_dot(&mut self, range: std::ops::Range<usize>) -> Token {
        let rest = self.inner.remainder().as_bytes();
        if rest.first() == Some(&b'.')
            && rest
                .get(1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b'[')
        {
            self.inner.bump(1);
            return Token::new(
                TokenKind::OptionalDot,
                self.span_of(range.start..range.end + 1),
            );
        }
        Token::new(TokenKind::Question, self.span_of(range))
    }

    /// Whether only blanks stand between the previous line break (one not
    /// escaped by a backslash) and `offset`.
    fn at_line_start(&self, offset: usize) -> bool {
        let bytes = self.full.as_bytes();
        let mut i = self.base as usize + offset;
        while i > 0 {
            match bytes[i - 1] {
                b' ' | b'\t' | b'\r' | b'\x0c' | b'\x0b' => i -= 1,
                b'\n' => {
                    let mut j = i - 1;
                    if j > 0 && bytes[j - 1] == b'\r' {
                        j -= 1;
                    }
                    return !(j > 0 && bytes[j - 1] == b'\\');
                }
                _ => return false,
            }
        }
        true
    }

    /// A directive line from its `#` to the end of the logical line, which
    /// continues past backslash-newlines and block comments.
    fn directive(&mut self, range: std::ops::Range<usize>) -> Token {
        let len = directive_length(self.inner.remainder().as_bytes());
        self.inner.bump(len);
        Token::new(
            TokenKind::Directive,
            self.span_of(range.start..range.end + len),
        )
    }

    /// Template text after a backtick (`opening`) or after the `}` that
    /// closes an interpolation, up to `${` or the closing backtick.
    fn template_part(&mut self, range: std::ops::Range<usize>, opening: bool) -> Token {
        let rest = self.inner.remainder().as_bytes();
        let mut i = 0;
        let mut ends_in_interpolation = None;
        while i < rest.len() {
            match rest[i] {
                b'\\' => i += 2,
                b'`' => {
                    ends_in_interpolation = Some(false);
                    i += 1;
                    break;
                }
                b'$' if rest.get(i + 1) == Some(&b'{') => {
                    ends_in_interpolation = Some(true);
                    i += 2;
                    break;
                }
                _ => i += 1,
            }
        }
        let i = i.min(rest.len());
        self.inner.bump(i);
        let span = self.span_of(range.start..range.end + i);
        let kind = match (opening, ends_in_interpolation) {
            (_, None) => {
                self.error(
                    self.span_of(range.clone()),
                    "E0005",
                    "end of file in a template literal",
                );
                return Token::new(TokenKind::Error, span);
            }
            (true, Some(false)) => TokenKind::Template,
            (true, Some(true)) => TokenKind::TemplateHead,
            (false, Some(true)) => TokenKind::TemplateMiddle,
            (false, Some(false)) => TokenKind::TemplateTail,
        };
        if ends_in_interpolation == Some(true) {
            self.template_braces.push(0);
        }
        Token::new(kind, span)
    }

    /// `@TERM` or `@@TERM`, a newline, lines of text, and a line starting
    /// with `TERM`. The token ends after the closing `TERM`; whatever
    /// follows it on that line is lexed as usual.
    fn text_block(&mut self, range: std::ops::Range<usize>, kind: TokenKind) -> Token {
        let rest = self.inner.remainder().as_bytes();
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let blanks = rest[name_len..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c'))
            .count();
        let after = name_len + blanks;
        if name_len == 0 || rest.get(after) != Some(&b'\n') {
            self.inner.bump(name_len);
            let span = self.span_of(range.start..range.end + name_len);
            self.error(span, "E0006", "illegal terminator for a text block");
            return Token::new(TokenKind::Error, span);
        }
        let term = &rest[..name_len];
        let mut line_start = after + 1;
        loop {
            if line_start >= rest.len() {
                self.inner.bump(rest.len());
                let span = self.span_of(range.start..range.end + name_len);
                let what = if kind == TokenKind::AtAt {
                    "end of file in an array block"
                } else {
                    "end of file in a text block"
                };
                self.error(span, "E0007", what);
                return Token::new(TokenKind::Error, span);
            }
            let line = &rest[line_start..];
            if line.starts_with(term)
                && !line
                    .get(name_len)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                let end = line_start + name_len;
                self.inner.bump(end);
                let kind = if kind == TokenKind::AtAt {
                    TokenKind::TextBlockArray
                } else {
                    TokenKind::TextBlock
                };
                return Token::new(kind, self.span_of(range.start..range.end + end));
            }
            match line.iter().position(|&b| b == b'\n') {
                Some(nl) => line_start += nl + 1,
                None => line_start = rest.len(),
            }
        }
    }

    /// Skips the text of a false `#if` branch: every line up to the next
    /// directive line, which is returned. `None` at the end of the range.
    pub fn skip_to_directive(&mut self) -> Option<Token> {
        let source = self.inner.source();
        let bytes = source.as_bytes();
        let mut pos = self.inner.span().end;
        // Start from the beginning of the next line unless we are at a line start.
        if pos > 0 && bytes.get(pos - 1) != Some(&b'\n') {
            pos = next_line(bytes, pos);
        }
        while pos < bytes.len() {
            let blanks = bytes[pos..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c'))
                .count();
            if bytes.get(pos + blanks) == Some(&b'#') {
                let hash = pos + blanks;
                let mut hash_end = hash + 1;
                if bytes.get(hash_end) == Some(&b'#') {
                    hash_end += 1;
                }
                let len = directive_length(&bytes[hash_end..]);
                let end = hash_end + len;
                let current = self.inner.span().end;
                self.inner.bump(end - current);
                self.template_braces.clear();
                return Some(Token::new(TokenKind::Directive, self.span_of(hash..end)));
            }
            pos = next_line(bytes, pos);
        }
        let current = self.inner.span().end;
        self.inner.bump(bytes.len() - current);
        None
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        self.next_token()
    }
}

/// Offset just past the next line break at or after `pos`, honouring
/// backslash continuations.
fn next_line(bytes: &[u8], pos: usize) -> usize {
    let mut i = pos;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            let escaped = i > 0 && bytes[i - 1] == b'\\'
                || i > 1 && bytes[i - 1] == b'\r' && bytes[i - 2] == b'\\';
            if !escaped {
                return i + 1;
            }
        }
        i += 1;
    }
    bytes.len()
}

/// Length of the rest of a directive line (not counting its final line
/// break): backslash-newlines continue it, a block comment opened on it
/// runs to its end, and quotes are respected so `"//"` is no comment.
fn directive_length(rest: &[u8]) -> usize {
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'\n' => {
                return if i > 0 && rest[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
            }
            b'\\' => i += 2,
            b'"' | b'\'' => {
                let quote = rest[i];
                i += 1;
                while i < rest.len() && rest[i] != quote && rest[i] != b'\n' {
                    if rest[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                // An unclosed quote ends with the line, like the directive.
                if rest.get(i) == Some(&quote) {
                    i += 1;
                }
            }
            b'/' if rest.get(i + 1) == Some(&b'/') => {
                while i < rest.len() && rest[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if rest.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < rest.len() && !(rest[i] == b'*' && rest.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    rest.len()
}

/// Lexes a whole text without preprocessing: every token in order, and the
/// lexer's diagnostics. Directive lines come back as single tokens.
pub fn tokenize(text: &str, file: FileId) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer::new(text, file);
    let tokens: Vec<Token> = lexer.by_ref().collect();
    (tokens, lexer.diagnostics)
}

// ---------------------------------------------------------------------------
// Decoding token text into values
// ---------------------------------------------------------------------------

/// The value of an integer literal: decimal, `0x` hex or `0b` binary, with `_`
/// separators. Out-of-range values saturate, as FluffOS's `strtoll` does.
pub fn parse_int(text: &str) -> i64 {
    let (digits, radix) = match text.as_bytes() {
        [b'0', b'x' | b'X', ..] => (&text[2..], 16),
        [b'0', b'b' | b'B', ..] => (&text[2..], 2),
        _ => (text, 10),
    };
    let mut value: i64 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let d = c.to_digit(radix).unwrap_or(0) as i64;
        value = match value
            .checked_mul(radix as i64)
            .and_then(|v| v.checked_add(d))
        {
            Some(v) => v,
            None => return i64::MAX,
        };
    }
    value
}

/// The value of a float literal.
pub fn parse_float(text: &str) -> f64 {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    cleaned.parse().unwrap_or(0.0)
}

/// A problem found while decoding a literal: an error, or a warning where
/// FluffOS only warns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiteralProblem {
    pub error: bool,
    pub message: String,
}

impl LiteralProblem {
    fn error(message: impl Into<String>) -> LiteralProblem {
        LiteralProblem {
            error: true,
            message: message.into(),
        }
    }

    fn warning(message: impl Into<String>) -> LiteralProblem {
        LiteralProblem {
            error: false,
            message: message.into(),
        }
    }
}

fn simple_escape(c: u8) -> Option<u8> {
    Some(match c {
        b'n' => b'\n',
        b't' => b'\t',
        b'r' => b'\r',
        b'b' => 0x08,
        b'a' => 0x07,
        b'e' => 0x1b,
        b'"' => b'"',
        b'\'' => b'\'',
        b'\\' => b'\\',
        _ => return None,
    })
}

/// The character code of a `'c'` literal.
pub fn parse_char(text: &str) -> Result<i64, LiteralProblem> {
    let inner = text
        .strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .ok_or_else(|| LiteralProblem::error("illegal character constant"))?;
    let bytes = inner.as_bytes();
    if bytes.first() != Some(&b'\\') {
        return inner
            .chars()
            .next()
            .map(|c| c as i64)
            .ok_or_else(|| LiteralProblem::error("illegal character constant"));
    }
    let rest = &inner[1..];
    if let Some(c) = rest.bytes().next().and_then(simple_escape) {
        return Ok(c as i64);
    }
    if rest.bytes().all(|b| (b'0'..=b'7').contains(&b)) && !rest.is_empty() {
        let v = i64::from_str_radix(rest, 8).unwrap_or(i64::MAX);
        return if v > 255 {
            Err(LiteralProblem::warning("illegal character constant"))
        } else {
            Ok(v)
        };
    }
    if let Some(hex) = rest.strip_prefix(['x', 'X']) {
        return match i64::from_str_radix(hex, 16) {
            Ok(v) if v <= 255 => Ok(v),
            _ => Err(LiteralProblem::error("illegal character constant")),
        };
    }
    rest.chars()
        .next()
        .map(|c| c as i64)
        .ok_or_else(|| LiteralProblem::error("illegal character constant"))
}

/// Which kind of literal is being decoded: the escapes differ a little.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    String,
    Template,
}

/// Decodes the body of a string or template fragment (without its delimiters).
fn decode_body(body: &str, quoting: Quoting, problems: &mut Vec<LiteralProblem>) -> String {
    let bytes = body.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'\\' {
            if quoting == Quoting::Template
                && (b == b'\n' || (b == b'\r' && bytes.get(i + 1) == Some(&b'\n')))
            {
                i += 1;
                continue;
            }
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&e) = bytes.get(i + 1) else {
            out.push(b'\\');
            break;
        };
        match e {
            b'\n' => i += 2,
            b'\r' if bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'`' | b'$' if quoting == Quoting::Template => {
                out.push(e);
                i += 2;
            }
            b'0'..=b'7' => {
                let n = bytes[i + 1..]
                    .iter()
                    .take_while(|b| (b'0'..=b'7').contains(b))
                    .count();
                let digits = &body[i + 1..i + 1 + n];
                let v = u32::from_str_radix(digits, 8).unwrap_or(u32::MAX);
                if v > 255 {
                    problems.push(LiteralProblem::warning(
                        "illegal character constant in string",
                    ));
                    out.push(b'x');
                } else {
                    out.push(v as u8);
                }
                i += 1 + n;
            }
            b'8' | b'9' => {
                problems.push(LiteralProblem::error("illegal octal escape in string"));
                i += 2;
            }
            b'x' => {
                let n = bytes[i + 2..]
                    .iter()
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                if n == 0 {
                    problems.push(LiteralProblem::error("illegal hex escape in string"));
                    i += 2;
                    continue;
                }
                let v = u32::from_str_radix(&body[i + 2..i + 2 + n], 16).unwrap_or(u32::MAX);
                if v > 255 {
                    problems.push(LiteralProblem::warning("illegal character constant"));
                    out.push(b'x');
                } else {
                    out.push(v as u8);
                }
                i += 2 + n;
            }
            b'u' | b'U' if quoting == Quoting::String => {
                let want = if e == b'u' { 4 } else { 8 };
                let hex = body.get(i + 2..i + 2 + want);
                let Some(code) = hex
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                else {
                    problems.push(LiteralProblem::error("illegal unicode sequence"));
                    i += 2;
                    continue;
                };
                i += 2 + want;
                let mut code = code;
                if (0xD800..0xDC00).contains(&code) {
                    let low = body
                        .get(i..i + 6)
                        .filter(|t| t.starts_with("\\u"))
                        .and_then(|t| u32::from_str_radix(&t[2..], 16).ok())
                        .filter(|l| (0xDC00..0xE000).contains(l));
                    match low {
                        Some(low) => {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            i += 6;
                        }
                        None => {
                            problems.push(LiteralProblem::error("illegal unicode sequence"));
                            continue;
                        }
                    }
                }
                match char::from_u32(code) {
                    Some(c) => {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    None => problems.push(LiteralProblem::error("illegal unicode sequence")),
                }
            }
            _ => match simple_escape(e) {
                Some(c) if !(quoting == Quoting::Template && e == b'"') => {
                    out.push(c);
                    i += 2;
                }
                _ => {
                    let c = body[i + 1..].chars().next().unwrap_or('\\');
                    problems.push(LiteralProblem::warning(format!(
                        "unknown \\ escape '\\{c}'"
                    )));
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    i += 1 + c.len_utf8();
                }
            },
        }
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    }
}

/// The value of a `"..."` literal, with any problems found in its escapes.
pub fn decode_string(text: &str) -> (String, Vec<LiteralProblem>) {
    let body = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    let mut problems = Vec::new();
    let s = decode_body(body, Quoting::String, &mut problems);
    (s, problems)
}

/// The literal text of a template fragment token of any of the four kinds.
pub fn decode_template(kind: TokenKind, text: &str) -> (String, Vec<LiteralProblem>) {
    let body = match kind {
        TokenKind::Template => text.strip_prefix('`').and_then(|t| t.strip_suffix('`')),
        TokenKind::TemplateHead => text.strip_prefix('`').and_then(|t| t.strip_suffix("${")),
        TokenKind::TemplateMiddle => text.strip_prefix('}').and_then(|t| t.strip_suffix("${")),
        TokenKind::TemplateTail => text.strip_prefix('}').and_then(|t| t.strip_suffix('`')),
        _ => None,
    }
    .unwrap_or("");
    let mut problems = Vec::new();
    let s = decode_body(body, Quoting::Template, &mut problems);
    (s, problems)
}

/// The body lines of a text block token (`@END` or `@@END` form), without
/// their line breaks.
pub fn text_block_lines(text: &str) -> Vec<&str> {
    let Some(nl) = text.find('\n') else {
        return Vec::new();
    };
    let term_len = text[..nl].trim_start_matches('@').trim_end().len();
    let body_end = text.len().saturating_sub(term_len);
    let body = text.get(nl + 1..body_end).unwrap_or("");
    body.split_inclusive('\n')
        .map(|l| {
            let l = l.strip_suffix('\n').unwrap_or(l);
            l.strip_suffix('\r').unwrap_or(l)
        })
        .collect()
}

/// The string a `@END` text block stands for: its lines, each ending in a newline.
pub fn decode_text_block(text: &str) -> String {
    let mut out = String::new();
    for line in text_block_lines(text) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        tokenize(src, FileId(0)).0.iter().map(|t| t.kind).collect()
    }

    fn texts(src: &str) -> Vec<(TokenKind, &str)> {
        tokenize(src, FileId(0))
            .0
            .iter()
            .map(|t| (t.kind, &src[t.span.range()]))
            .collect()
    }

    use TokenKind::*;

    #[test]
    fn numbers() {
        assert_eq!(
            texts("1 0x1F 0b10_1 1_000 1.5 1e3 1. 1..2 2.5e-3"),
            vec![
                (Int, "1"),
                (Int, "0x1F"),
                (Int, "0b10_1"),
                (Int, "1_000"),
                (Float, "1.5"),
                (Float, "1e3"),
                (Float, "1."),
                (Int, "1"),
                (DotDot, ".."),
                (Int, "2"),
                (Float, "2.5e-3"),
            ]
        );
        assert_eq!(parse_int("0x1F"), 31);
        assert_eq!(parse_int("0b10_1"), 5);
        assert_eq!(parse_int("1_000"), 1000);
        assert_eq!(parse_int("99999999999999999999"), i64::MAX);
        assert_eq!(parse_float("2.5e-3"), 0.0025);
    }

    #[test]
    fn function_open_and_scope() {
        assert_eq!(kinds("(: f :)"), vec![FunctionOpen, Ident, Colon, RParen]);
        assert_eq!(
            kinds("( \n: f :)"),
            vec![FunctionOpen, Ident, Colon, RParen]
        );
        assert_eq!(
            kinds("(::f())"),
            vec![LParen, ColonColon, Ident, LParen, RParen, RParen]
        );
        assert_eq!(kinds("({ })"), vec![LParen, LBrace, RBrace, RParen]);
    }

    #[test]
    fn optional_chaining_and_ternary() {
        assert_eq!(kinds("a?.b"), vec![Ident, OptionalDot, Ident]);
        assert_eq!(
            kinds("a?.[1]"),
            vec![Ident, OptionalDot, LBracket, Int, RBracket]
        );
        assert_eq!(
            kinds("c ? .5 : x"),
            vec![Ident, Question, Dot, Int, Colon, Ident]
        );
        assert_eq!(
            kinds("m.?[k]"),
            vec![Ident, DotOptional, LBracket, Ident, RBracket]
        );
        assert_eq!(
            kinds("a ?? b ??= c"),
            vec![
                Ident,
                QuestionQuestion,
                Ident,
                QuestionQuestionAssign,
                Ident
            ]
        );
    }

    #[test]
    fn strings_and_chars() {
        assert_eq!(
            kinds(r#""a\"b" 'x' '\n' '\x41'"#),
            vec![Str, Char, Char, Char]
        );
        assert_eq!(decode_string(r#""a\tb\x41\101\u00e9""#).0, "a\tbAAé");
        assert_eq!(decode_string(r#""\ud83d\ude00""#).0, "😀");
        assert_eq!(decode_string(r#""\U0001F600""#).0, "😀");
        assert_eq!(decode_string("\"a\\\nb\"").0, "ab");
        assert_eq!(parse_char("'\\n'"), Ok(10));
        assert_eq!(parse_char("'\\x41'"), Ok(65));
        assert_eq!(parse_char("'a'"), Ok(97));
        let (_, problems) = decode_string(r#""\q""#);
        assert!(!problems[0].error);
        let (_, problems) = decode_string(r#""\9""#);
        assert!(problems[0].error);
    }

    #[test]
    fn unterminated_string_is_reported() {
        let (tokens, diags) = tokenize("x = \"abc", FileId(0));
        assert_eq!(tokens.last().unwrap().kind, Error);
        assert_eq!(diags[0].code, "E0002");
    }

    #[test]
    fn templates_nest() {
        let src = "`a${ x + `b${y}` }c${ {1} }d`";
        assert_eq!(
            kinds(src),
            vec![
                TemplateHead,
                Ident,
                Plus,
                TemplateHead,
                Ident,
                TemplateTail,
                TemplateMiddle,
                LBrace,
                Int,
                RBrace,
                TemplateTail
            ]
        );
        assert_eq!(decode_template(TemplateMiddle, "} c${").0, " c");
        assert_eq!(decode_template(Template, "`a\\`b`").0, "a`b");
    }

    #[test]
    fn text_blocks() {
        let src = "x = @END\nline one\n  two\nEND;\ny";
        let toks = texts(src);
        assert_eq!(toks[2].0, TextBlock);
        assert_eq!(decode_text_block(toks[2].1), "line one\n  two\n");
        assert_eq!(toks[3], (Semi, ";"));
        let src = "@@X\na\nb\nX";
        let toks = texts(src);
        assert_eq!(toks[0].0, TextBlockArray);
        assert_eq!(text_block_lines(toks[0].1), vec!["a", "b"]);
        assert_eq!(kinds("@END\nno end"), vec![Error]);
    }

    #[test]
    fn directives_are_whole_lines() {
        let src = "#define A(x) \\\n  x /* c\n */ + 1\nint y; a # b\n  #if 1\n";
        let toks = texts(src);
        assert_eq!(toks[0], (Directive, "#define A(x) \\\n  x /* c\n */ + 1"));
        assert_eq!(toks[1], (KwInt, "int"));
        assert_eq!(toks[4], (Ident, "a"));
        assert_eq!(toks[5], (Hash, "#"));
        assert_eq!(toks[7], (Directive, "#if 1"));
    }

    #[test]
    fn an_unclosed_quote_ends_with_its_directive() {
        let src = "#define S \"open\nint x;\n";
        let toks = texts(src);
        assert_eq!(toks[0], (Directive, "#define S \"open"));
        assert_eq!(toks[1], (KwInt, "int"));
    }

    #[test]
    fn skipping_a_false_branch() {
        let src = "#if 0\n\"unterminated\n#else\nint x;\n#endif\n";
        let mut lexer = Lexer::new(src, FileId(0));
        let first = lexer.next_token().unwrap();
        assert_eq!(&src[first.span.range()], "#if 0");
        let next = lexer.skip_to_directive().unwrap();
        assert_eq!(&src[next.span.range()], "#else");
        assert_eq!(lexer.next_token().unwrap().kind, KwInt);
    }

    #[test]
    fn comments_and_illegal_characters() {
        assert_eq!(kinds("a /* x */ b // c\n c"), vec![Ident, Ident, Ident]);
        let (tokens, diags) = tokenize("a /* open", FileId(0));
        assert_eq!(tokens.len(), 2);
        assert_eq!(diags[0].code, "E0003");
        let (_, diags) = tokenize("a \u{1} b", FileId(0));
        assert_eq!(diags[0].code, "E0001");
    }

    #[test]
    fn array_is_a_keyword_only_when_configured() {
        assert_eq!(kinds("string array a"), vec![KwString, Ident, Ident]);
        let config = LexConfig {
            array_keyword: true,
            ..LexConfig::default()
        };
        let src = "string array a";
        let kinds: Vec<TokenKind> = Lexer::with_range(src, FileId(0), 0..src.len(), config)
            .map(|t| t.kind)
            .collect();
        assert_eq!(kinds, vec![KwString, KwArray, Ident]);
        assert!(KwArray.is_keyword());
    }

    /// The code of the first diagnostic lexing `src` gives.
    fn first_code(src: &str) -> &'static str {
        tokenize(src, FileId(0))
            .1
            .first()
            .map_or("none", |d| d.code)
    }

    #[test]
    fn every_lexer_error_has_its_code() {
        assert_eq!(first_code("a \u{1}"), "E0001");
        assert_eq!(first_code("\"open"), "E0002");
        assert_eq!(first_code("/* open"), "E0003");
        assert_eq!(first_code("int c = 'ab';"), "E0004");
        assert_eq!(first_code("`open"), "E0005");
        assert_eq!(first_code("`open ${x"), "E0005");
        assert_eq!(first_code("@ END\n"), "E0006");
        assert_eq!(first_code("@END\ntext\n"), "E0007");
        assert_eq!(first_code("@@END\ntext\n"), "E0007");
        assert_eq!(first_code("int a = 1;"), "none");
    }

    #[test]
    fn keywords_and_params() {
        assert_eq!(
            kinds("struct class nosave $1 $ ref"),
            vec![KwClass, KwClass, KwNosave, Param, Dollar, KwRef]
        );
        assert!(KwWhile.is_keyword());
        assert!(!Ident.is_keyword());
    }
}
