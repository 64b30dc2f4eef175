//! The LPC preprocessor: turns the lexer's token stream of a file and its
//! includes into the parser's token stream, applying directives and
//! expanding macros, with every token keeping track of where it came from.
//!
//! Diagnostic codes: see [`codes`].

mod expr;
mod predefined;
#[cfg(test)]
mod tests;

use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::lexer::{LexConfig, Lexer, Token, TokenKind, parse_char, parse_int};
use crate::source::{
    SourceError, SourceMap, SourceProvider, TokenOrigin, normalize_path, parent_dir,
};
use crate::span::{FileId, Span};

pub use predefined::{CONFIG_PREDEFINES, default_config_predefines, default_packages, predefines};

/// Stable codes of the preprocessor's diagnostics.
pub mod codes {
    /// `#include` of a file that cannot be found.
    pub const INCLUDE_NOT_FOUND: &str = "E0200";
    /// `#include` nested too deeply, usually a file including itself.
    pub const INCLUDE_TOO_DEEP: &str = "E0201";
    /// A conditional still open at the end of the file.
    pub const MISSING_ENDIF: &str = "E0202";
    /// `#elif`, `#else` or `#endif` with no open `#if`.
    pub const UNEXPECTED_CONDITIONAL: &str = "E0203";
    /// `#elif` or `#else` after the `#else` of the same conditional.
    pub const AFTER_ELSE: &str = "E0204";
    /// An `#include` line naming no file.
    pub const BAD_INCLUDE: &str = "E0205";
    /// `#error`.
    pub const ERROR_DIRECTIVE: &str = "E0206";
    /// `#warn`.
    pub const WARN_DIRECTIVE: &str = "E0207";
    /// `#echo`.
    pub const ECHO_DIRECTIVE: &str = "E0208";
    /// A directive the preprocessor does not know.
    pub const UNKNOWN_DIRECTIVE: &str = "E0209";
    /// A malformed `#define`.
    pub const BAD_DEFINE: &str = "E0210";
    /// `#define` or `#undef` of a predefined macro.
    pub const PREDEFINED: &str = "E0211";
    /// A macro redefined with a different body (a warning).
    pub const REDEFINED: &str = "E0212";
    /// A malformed or failing `#if` / `#elif` condition.
    pub const BAD_CONDITION: &str = "E0213";
    /// An unknown `#pragma` (a warning).
    pub const UNKNOWN_PRAGMA: &str = "E0214";
    /// A macro invocation whose argument list never closes.
    pub const UNTERMINATED_ARGUMENTS: &str = "E0215";
    /// A macro invoked with the wrong number of arguments (a warning).
    pub const ARGUMENT_COUNT: &str = "E0216";
    /// `##` producing text that is no valid token.
    pub const BAD_PASTE: &str = "E0217";
    /// Macro expansion exceeding the work limit.
    pub const EXPANSION_TOO_LARGE: &str = "E0218";
    /// `#` or `##` outside a macro body.
    pub const STRAY_HASH: &str = "E0219";
    /// The configured global include file cannot be read.
    pub const GLOBAL_INCLUDE: &str = "E0220";
    /// A directive line inside a macro's argument list.
    pub const DIRECTIVE_IN_ARGUMENTS: &str = "E0221";
    /// The file to compile cannot be read.
    pub const MAIN_FILE: &str = "E0222";
    /// The host refused an `#include` (the driver's master did).
    pub const INCLUDE_REFUSED: &str = "E0223";
}

/// What the host decides about one `#include`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncludeAnswer {
    /// Resolve the spelling as usual.
    Default,
    /// Read this path instead, resolved like a quoted include (from the
    /// mudlib root when absolute, else beside the including file).
    Path(String),
    /// This text is the included file.
    Text(String),
    /// The include fails with this message.
    Refuse(String),
}

/// Decisions the host makes while a file is preprocessed: the driver asks
/// its master object here. Tools without a master pass no hook.
pub trait IncludeHook {
    /// `compiled` is the main file's path, `from` the path of the file
    /// holding the directive, `path` the name as the directive spells it.
    fn include(&mut self, compiled: &str, from: &str, path: &str) -> IncludeAnswer;
}

/// What the preprocessor needs to know about the driver and its configuration.
#[derive(Clone, Debug)]
pub struct PreprocessConfig {
    /// Mudlib directories searched by `#include`, e.g. `/include`.
    pub include_dirs: Vec<String>,
    /// The configuration's `global include file`: `<x.h>`, `"x.h"` or a bare
    /// path (read like the quoted form), included before every compiled file.
    pub global_include: Option<String>,
    /// `-D NAME=VALUE` definitions; like the driver's own they cannot be
    /// redefined by the source.
    pub defines: Vec<(String, String)>,
    /// Enabled packages, each defining `__PACKAGE_<NAME>__`.
    pub packages: Vec<String>,
    /// The efuns `efun_defined()` knows; `None` when unknown, in which case
    /// every name counts as an efun.
    pub efuns: Option<Arc<FxHashSet<String>>>,
    /// `__PORT__`: the first external port.
    pub port: u16,
    /// `MUD_NAME`.
    pub mud_name: String,
    /// `__VERSION__`.
    pub version: String,
    /// `__ARCH__`.
    pub arch: String,
    /// `__COMPILER__`.
    pub compiler: String,
    /// Macros defined by runtime configuration switches that are on (see
    /// [`CONFIG_PREDEFINES`]).
    pub config_predefines: Vec<String>,
    /// `array` is a keyword (FluffOS's `ARRAY_RESERVED_WORD`).
    pub array_keyword: bool,
    /// FluffOS build options in effect (see [`crate::config::COMPILE_OPTIONS`]),
    /// each predefined as `__NAME__`.
    pub compile_options: Vec<String>,
}

impl Default for PreprocessConfig {
    fn default() -> PreprocessConfig {
        PreprocessConfig {
            include_dirs: Vec::new(),
            global_include: None,
            defines: Vec::new(),
            packages: default_packages(),
            efuns: None,
            port: 4000,
            mud_name: String::new(),
            version: "fluffos unknown".to_string(),
            arch: "Linux/x86-64".to_string(),
            compiler: "c++".to_string(),
            config_predefines: default_config_predefines(),
            array_keyword: false,
            compile_options: crate::config::default_compile_options(),
        }
    }
}

/// A per-file compiler switch set by `#pragma NAME` / `#pragma no_NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pragma {
    StrictTypes,
    SaveTypes,
    Warnings,
    Optimize,
    ShowErrorContext,
}

impl Pragma {
    pub const ALL: [Pragma; 5] = [
        Pragma::StrictTypes,
        Pragma::SaveTypes,
        Pragma::Warnings,
        Pragma::Optimize,
        Pragma::ShowErrorContext,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Pragma::StrictTypes => "strict_types",
            Pragma::SaveTypes => "save_types",
            Pragma::Warnings => "warnings",
            Pragma::Optimize => "optimize",
            Pragma::ShowErrorContext => "show_error_context",
        }
    }

    pub fn from_name(name: &str) -> Option<Pragma> {
        Pragma::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether the pragma is on before any `#pragma` line.
    pub fn default_enabled(self) -> bool {
        self != Pragma::StrictTypes
    }
}

/// One `#pragma` line that was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PragmaSetting {
    pub pragma: Pragma,
    pub enabled: bool,
    pub span: Span,
    /// How many output tokens precede the line: the setting applies from
    /// the token with this index on.
    pub token_index: usize,
}

/// The pragma lines of a compilation, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pragmas {
    pub settings: Vec<PragmaSetting>,
}

impl Pragmas {
    /// Whether `pragma` is on for the output token at `token_index`.
    pub fn enabled_at(&self, pragma: Pragma, token_index: usize) -> bool {
        self.settings
            .iter()
            .rev()
            .find(|s| s.pragma == pragma && s.token_index <= token_index)
            .map_or(pragma.default_enabled(), |s| s.enabled)
    }

    /// Whether `pragma` is on at the end of the compilation.
    pub fn enabled_at_end(&self, pragma: Pragma) -> bool {
        self.enabled_at(pragma, usize::MAX)
    }
}

/// A `#define` seen while preprocessing, for tools.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroDefinition {
    pub name: String,
    /// The name in the `#define` line.
    pub span: Span,
    pub function_like: bool,
}

/// The result of preprocessing one compiled file.
#[derive(Clone, Debug)]
pub struct Preprocessed {
    /// Tokens for the parser: no directive, `#` or `##` tokens.
    pub tokens: Vec<Token>,
    /// The main file, its includes, and synthetic text (predefined and
    /// command-line macros, pasted and stringized tokens).
    pub sources: SourceMap,
    pub main_file: FileId,
    /// The preprocessor's and lexer's diagnostics, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    pub pragmas: Pragmas,
    /// Every file included and the directive that included it.
    pub includes: Vec<(FileId, Span)>,
    /// Every macro the source defined.
    pub macros_defined: Vec<MacroDefinition>,
}

/// Preprocesses the file at mudlib path `path`, read through `provider`.
pub fn preprocess(
    provider: &dyn SourceProvider,
    path: &str,
    config: &PreprocessConfig,
) -> Preprocessed {
    let path = normalize_path(path);
    match provider.read(&path) {
        Ok(text) => preprocess_text(provider, &path, text, config),
        Err(error) => {
            let mut sources = SourceMap::new();
            let main_file = sources.add(path.clone(), Arc::from(""));
            let why = match error {
                SourceError::NotFound => "no such file".to_string(),
                SourceError::Unreadable(why) => why,
            };
            Preprocessed {
                tokens: Vec::new(),
                sources,
                main_file,
                diagnostics: vec![Diagnostic::error(
                    codes::MAIN_FILE,
                    Span::new(main_file, 0, 0),
                    format!("cannot read {path}: {why}"),
                )],
                pragmas: Pragmas::default(),
                includes: Vec::new(),
                macros_defined: Vec::new(),
            }
        }
    }
}

/// Preprocesses `text` as the file at `path` (an editor buffer, a test);
/// includes are read through `provider`.
pub fn preprocess_text(
    provider: &dyn SourceProvider,
    path: &str,
    text: Arc<str>,
    config: &PreprocessConfig,
) -> Preprocessed {
    preprocess_with_hook(provider, path, text, config, None)
}

/// [`preprocess_text`], with `hook` deciding each `#include` first.
pub fn preprocess_with_hook<'a>(
    provider: &'a dyn SourceProvider,
    path: &str,
    text: Arc<str>,
    config: &'a PreprocessConfig,
    hook: Option<&'a mut dyn IncludeHook>,
) -> Preprocessed {
    let path = normalize_path(path);
    let mut sources = SourceMap::new();
    let main_file = sources.add(path.clone(), text.clone());
    let scratch_id = sources.add("<scratch>", Arc::from(""));
    let mut pp = Pp {
        provider,
        hook,
        config,
        sources,
        out: Vec::with_capacity(text.len() / 4 + 16),
        diags: Vec::new(),
        macros: Vec::new(),
        names: FxHashMap::default(),
        first_bytes: [0; 4],
        keyword_macros: false,
        conds: Vec::new(),
        skipped: Vec::new(),
        stack: Vec::new(),
        file_cache: FxHashMap::default(),
        scratch: String::new(),
        scratch_id,
        work: 0,
        work_exhausted: false,
        if_mode: false,
        ctx_pool: Vec::new(),
        pragmas: Pragmas::default(),
        includes: Vec::new(),
        macros_defined: Vec::new(),
    };
    pp.file_cache.insert(path.clone(), Some(main_file));
    pp.define_predefined();
    pp.run_main(main_file, path);
    let Pp {
        out,
        mut sources,
        diags,
        pragmas,
        includes,
        macros_defined,
        scratch,
        ..
    } = pp;
    sources.replace(scratch_id, Arc::from(scratch));
    Preprocessed {
        tokens: out,
        sources,
        main_file,
        diagnostics: diags,
        pragmas,
        includes,
        macros_defined,
    }
}

/// Includes nested deeper than this are refused, as the driver does.
const MAX_INCLUDE_DEPTH: usize = 32;
/// Total tokens macro expansion may produce in one compilation.
const MAX_EXPANSION_WORK: usize = 4 << 20;
/// Nesting of macro invocations inside macro arguments beyond which
/// arguments are no longer expanded (each level costs stack).
const MAX_ARGUMENT_DEPTH: u32 = 128;
/// Macro expansions in progress inside one another (each expanding into
/// the next) beyond which expansion stops, as the driver caps them.
const MAX_EXPANSION_NESTING: usize = 65535;

const NO_PARAM: u16 = u16::MAX;

/// One token of a macro body, with its role in substitution resolved at
/// `#define` time.
#[derive(Clone, Copy, Debug)]
struct BodyTok {
    kind: TokenKind,
    text: Span,
    /// Index of the parameter this token names, or [`NO_PARAM`].
    param: u16,
    /// `#param`: the argument as a string literal.
    stringize: bool,
    /// A `##` stands between this token and the previous one.
    paste_left: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Builtin {
    None,
    File,
    Line,
    Dir,
}

struct Macro {
    name_span: Span,
    /// `None` for an object-like macro.
    params: Option<Vec<Box<str>>>,
    body: Rc<[BodyTok]>,
    predefined: bool,
    builtin: Builtin,
    /// How many expansions of this macro are being rescanned: while
    /// nonzero its name is not expanded again.
    disabled: u32,
}

/// A token during expansion.
#[derive(Clone, Copy, Debug)]
struct PTok {
    kind: TokenKind,
    /// Where the token's text is.
    text: Span,
    /// Where the token appears to the user: itself, or the outermost
    /// macro invocation it came out of.
    site: Span,
    /// The name in the `#define` of that outermost macro.
    def: Span,
    /// Came out of a macro expansion.
    expanded: bool,
    /// Named a macro while that macro was being expanded: never expands.
    painted: bool,
}

impl PTok {
    fn plain(token: Token) -> PTok {
        PTok {
            kind: token.kind,
            text: token.span,
            site: token.span,
            def: Span::default(),
            expanded: false,
            painted: false,
        }
    }

    fn at(self, site: Span, def: Span) -> PTok {
        PTok {
            site,
            def,
            expanded: true,
            ..self
        }
    }
}

/// Tokens being rescanned, from one macro expansion or argument.
struct Context {
    toks: Vec<PTok>,
    pos: usize,
    macro_id: Option<u32>,
}

/// The lexer of a file being read, with room for one token read ahead.
struct FileInput<'a> {
    lexer: Lexer<'a>,
    pending: Option<Token>,
}

impl FileInput<'_> {
    fn next(&mut self) -> Option<Token> {
        self.pending.take().or_else(|| self.lexer.next_token())
    }
}

struct Frame {
    file: FileId,
    /// The mudlib path the file was read from.
    path: String,
    /// The name `__FILE__` reports; `#line N "name"` changes it.
    name: String,
}

struct Cond {
    emitting: bool,
    had_true: bool,
    seen_else: bool,
    span: Span,
}

/// Where a token read during expansion came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Context,
    File,
}

struct Pp<'p> {
    provider: &'p dyn SourceProvider,
    hook: Option<&'p mut dyn IncludeHook>,
    config: &'p PreprocessConfig,
    sources: SourceMap,
    out: Vec<Token>,
    diags: Vec<Diagnostic>,
    macros: Vec<Macro>,
    names: FxHashMap<Box<str>, u32>,
    /// The first bytes of every name ever defined, as a bit set: most
    /// identifiers start with a byte no macro starts with and skip the hash.
    first_bytes: [u64; 4],
    /// Whether some keyword names a macro: until then keywords skip the lookup.
    keyword_macros: bool,
    conds: Vec<Cond>,
    /// Conditionals opened inside a false branch.
    skipped: Vec<Span>,
    stack: Vec<Frame>,
    file_cache: FxHashMap<String, Option<FileId>>,
    /// Text made while preprocessing; becomes the `<scratch>` file at the end.
    scratch: String,
    scratch_id: FileId,
    work: usize,
    work_exhausted: bool,
    /// Evaluating a condition: `defined` and `efun_defined` are operators.
    if_mode: bool,
    ctx_pool: Vec<Context>,
    pragmas: Pragmas,
    includes: Vec<(FileId, Span)>,
    macros_defined: Vec<MacroDefinition>,
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `s` with backslash-newline continuations removed.
fn fold_continuations(s: &str) -> String {
    s.replace("\\\r\n", "").replace("\\\n", "")
}

/// Escapes `"` and `\` and wraps in quotes.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl<'p> Pp<'p> {
    fn lex_config(&self, directives: bool) -> LexConfig {
        LexConfig {
            directives,
            array_keyword: self.config.array_keyword,
        }
    }

    // ----- small helpers -------------------------------------------------

    fn error(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, span, message));
    }

    fn warning(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::warning(code, span, message));
    }

    /// The text of a span, which may lie in the scratch buffer.
    fn ptext(&self, span: Span) -> &str {
        if span.file == self.scratch_id {
            return self.scratch.get(span.range()).unwrap_or("");
        }
        self.sources.text(span)
    }

    /// Appends `text` to the scratch buffer and returns its span.
    fn scratch_span(&mut self, text: &str) -> Span {
        let start = self.scratch.len() as u32;
        self.scratch.push_str(text);
        // A newline keeps separate snippets from lexing as one.
        self.scratch.push('\n');
        Span::new(self.scratch_id, start, start + text.len() as u32)
    }

    /// Lexes `range` of `text` without directive recognition.
    fn lex_range(&mut self, text: &str, file: FileId, range: std::ops::Range<usize>) -> Vec<Token> {
        let mut lexer = Lexer::with_range(text, file, range, self.lex_config(false));
        let tokens: Vec<Token> = lexer.by_ref().collect();
        self.diags.append(&mut lexer.diagnostics);
        tokens
    }

    fn lookup(&self, kind: TokenKind, text: &str) -> Option<u32> {
        if kind != TokenKind::Ident && !(self.keyword_macros && kind.is_keyword()) {
            return None;
        }
        let first = *text.as_bytes().first()?;
        if self.first_bytes[usize::from(first >> 6)] & (1 << (first & 63)) == 0 {
            return None;
        }
        self.names.get(text).copied()
    }

    fn emitting(&self) -> bool {
        self.conds.last().is_none_or(|c| c.emitting)
    }

    // ----- macro table ---------------------------------------------------

    fn define_predefined(&mut self) {
        let mut text = String::new();
        let mut lines = Vec::new();
        for (name, body) in predefines(self.config) {
            let start = text.len();
            text.push_str(&name);
            text.push(' ');
            text.push_str(&body);
            lines.push(start..text.len());
            text.push('\n');
        }
        let text: Arc<str> = Arc::from(text);
        let file = self.sources.add("<predefined>", text.clone());
        for (i, range) in lines.into_iter().enumerate() {
            let tokens = self.lex_range(&text, file, range);
            let id = self.define(&tokens, &text, true);
            if let Some(id) = id {
                self.macros[id as usize].builtin = match i {
                    0 => Builtin::File,
                    1 => Builtin::Line,
                    2 => Builtin::Dir,
                    _ => Builtin::None,
                };
            }
        }
        if self.config.defines.is_empty() {
            return;
        }
        let mut text = String::new();
        let mut lines = Vec::new();
        for (name, value) in &self.config.defines {
            let start = text.len();
            text.push_str(name);
            text.push(' ');
            text.push_str(value);
            lines.push(start..text.len());
            text.push('\n');
        }
        let text: Arc<str> = Arc::from(text);
        let file = self.sources.add("<command line>", text.clone());
        for range in lines {
            let tokens = self.lex_range(&text, file, range);
            self.define(&tokens, &text, true);
        }
    }

    /// Defines a macro from the tokens after `#define`; `text` is the text
    /// of their file. Returns the new macro's id.
    fn define(&mut self, tokens: &[Token], text: &str, predefined: bool) -> Option<u32> {
        let Some(&name_tok) = tokens.first().filter(|t| t.kind.is_word()) else {
            let span = tokens.first().map_or(Span::default(), |t| t.span);
            self.error(codes::BAD_DEFINE, span, "#define: missing name");
            return None;
        };
        let name = &text[name_tok.span.range()];
        let existing = self.names.get(name).copied();
        if !predefined
            && let Some(old) = existing
            && self.macros[old as usize].predefined
        {
            self.error(
                codes::PREDEFINED,
                name_tok.span,
                format!("illegal to redefine the predefined macro '{name}'"),
            );
            return None;
        }
        let mut rest = &tokens[1..];
        let mut params: Option<Vec<Box<str>>> = None;
        if let Some(open) = rest.first()
            && open.kind == TokenKind::LParen
            && open.span.start == name_tok.span.end
        {
            let mut list: Vec<Box<str>> = Vec::new();
            let mut i = 1;
            let mut closed = false;
            while let Some(t) = rest.get(i) {
                i += 1;
                match t.kind {
                    TokenKind::RParen => {
                        closed = true;
                        break;
                    }
                    TokenKind::Comma => {}
                    kind if kind.is_word() => list.push(Box::from(&text[t.span.range()])),
                    _ => {
                        self.error(
                            codes::BAD_DEFINE,
                            t.span,
                            "#define: malformed macro parameter list",
                        );
                        return None;
                    }
                }
            }
            if !closed {
                self.error(
                    codes::BAD_DEFINE,
                    open.span,
                    "#define: malformed macro parameter list",
                );
                return None;
            }
            rest = &rest[i..];
            params = Some(list);
        }
        if let Some(first) = rest.first()
            && first.kind == TokenKind::HashHash
        {
            self.error(
                codes::BAD_DEFINE,
                first.span,
                "'##' cannot appear at start of macro body",
            );
            return None;
        }
        if let Some(last) = rest.last()
            && last.kind == TokenKind::HashHash
        {
            self.error(
                codes::BAD_DEFINE,
                last.span,
                "'##' cannot appear at end of macro body",
            );
            return None;
        }
        let body = self.body_tokens(rest, text, params.as_deref());

        if let Some(old) = existing
            && !predefined
            && !self.same_definition(old, &params, &body)
        {
            let previous = self.macros[old as usize].name_span;
            let diag = Diagnostic::warning(
                codes::REDEFINED,
                name_tok.span,
                format!("macro '{name}' redefined"),
            )
            .with_label(previous, "previous definition");
            self.diags.push(diag);
        }
        if name_tok.kind.is_keyword() {
            self.keyword_macros = true;
        }
        let id = self.macros.len() as u32;
        let function_like = params.is_some();
        self.macros.push(Macro {
            name_span: name_tok.span,
            params,
            body: Rc::from(body),
            predefined,
            builtin: Builtin::None,
            disabled: 0,
        });
        let name: Box<str> = Box::from(name);
        if !predefined {
            self.macros_defined.push(MacroDefinition {
                name: name.to_string(),
                span: name_tok.span,
                function_like,
            });
        }
        if let Some(&first) = name.as_bytes().first() {
            self.first_bytes[usize::from(first >> 6)] |= 1 << (first & 63);
        }
        self.names.insert(name, id);
        Some(id)
    }

    fn body_tokens(
        &self,
        tokens: &[Token],
        text: &str,
        params: Option<&[Box<str>]>,
    ) -> Vec<BodyTok> {
        let param_index = |t: &Token| -> u16 {
            let Some(params) = params else {
                return NO_PARAM;
            };
            if !t.kind.is_word() {
                return NO_PARAM;
            }
            let s = &text[t.span.range()];
            params
                .iter()
                .position(|p| &**p == s)
                .map_or(NO_PARAM, |i| i as u16)
        };
        let mut body = Vec::with_capacity(tokens.len());
        let mut paste_next = false;
        let mut i = 0;
        while i < tokens.len() {
            let t = tokens[i];
            i += 1;
            if t.kind == TokenKind::HashHash {
                paste_next = true;
                continue;
            }
            if t.kind == TokenKind::Hash
                && params.is_some()
                && let Some(next) = tokens.get(i)
                && param_index(next) != NO_PARAM
            {
                body.push(BodyTok {
                    kind: TokenKind::Str,
                    text: t.span.to(next.span),
                    param: param_index(next),
                    stringize: true,
                    paste_left: paste_next,
                });
                paste_next = false;
                i += 1;
                continue;
            }
            body.push(BodyTok {
                kind: t.kind,
                text: t.span,
                param: param_index(&t),
                stringize: false,
                paste_left: paste_next,
            });
            paste_next = false;
        }
        body
    }

    fn same_definition(&self, old: u32, params: &Option<Vec<Box<str>>>, body: &[BodyTok]) -> bool {
        let m = &self.macros[old as usize];
        if m.params != *params || m.body.len() != body.len() {
            return false;
        }
        m.body.iter().zip(body).all(|(a, b)| {
            a.kind == b.kind
                && a.param == b.param
                && a.stringize == b.stringize
                && a.paste_left == b.paste_left
                && self.ptext(a.text) == self.ptext(b.text)
        })
    }

    // ----- files ---------------------------------------------------------

    fn load(&mut self, path: &str) -> Option<FileId> {
        if let Some(cached) = self.file_cache.get(path) {
            return *cached;
        }
        let loaded = match self.provider.read(path) {
            Ok(text) => Some(self.sources.add(path.to_string(), text)),
            Err(_) => None,
        };
        self.file_cache.insert(path.to_string(), loaded);
        loaded
    }

    fn run_main(&mut self, main: FileId, path: String) {
        self.stack.push(Frame {
            file: main,
            name: path.clone(),
            path,
        });
        if let Some(global) = self.config.global_include.clone() {
            self.global_include(&global, main);
        }
        let text = self.sources.file(main).text.clone();
        self.read_file(main, &text);
        self.stack.pop();
        for cond in std::mem::take(&mut self.conds) {
            self.error(codes::MISSING_ENDIF, cond.span, "missing #endif");
        }
        for span in std::mem::take(&mut self.skipped) {
            self.error(codes::MISSING_ENDIF, span, "missing #endif");
        }
    }

    fn global_include(&mut self, spec: &str, main: FileId) {
        let spec = spec.trim();
        if spec.is_empty() {
            return;
        }
        let (name, quoted) = match split_include_spec(spec) {
            Some(found) => found,
            None => (spec, true),
        };
        let here = Span::new(main, 0, 0);
        let name = name.to_string();
        self.include_named(&name, quoted, here, Some(spec));
    }

    /// Includes the file `name` names for the directive at `span`, asking
    /// the host first. `global` is the configured spelling when this is
    /// the global include file.
    fn include_named(&mut self, name: &str, quoted: bool, span: Span, global: Option<&str>) {
        let mut name = name.to_string();
        let mut quoted = quoted;
        if let Some(hook) = self.hook.as_deref_mut() {
            let compiled = self.stack.first().map_or("/", |f| f.path.as_str());
            let from = self.stack.last().map_or("/", |f| f.path.as_str());
            match hook.include(compiled, from, &name) {
                IncludeAnswer::Default => {}
                IncludeAnswer::Path(path) => {
                    if path != name {
                        name = path;
                        quoted = true;
                    }
                }
                IncludeAnswer::Text(mut text) => {
                    if !text.ends_with('\n') {
                        text.push('\n');
                    }
                    let file = self.sources.add(name, Arc::from(text));
                    self.includes.push((file, span));
                    self.include_file(file);
                    return;
                }
                IncludeAnswer::Refuse(message) => {
                    self.error(codes::INCLUDE_REFUSED, span, message);
                    return;
                }
            }
        }
        match self.resolve_include(&name, quoted) {
            Some(file) => {
                self.includes.push((file, span));
                self.include_file(file);
            }
            None => match global {
                Some(spec) => self.error(
                    codes::GLOBAL_INCLUDE,
                    span,
                    format!("cannot read the global include file {spec}"),
                ),
                None => self.error(
                    codes::INCLUDE_NOT_FOUND,
                    span,
                    format!("cannot #include {name}"),
                ),
            },
        }
    }

    fn resolve_include(&mut self, name: &str, quoted: bool) -> Option<FileId> {
        if quoted {
            let path = if name.starts_with('/') {
                normalize_path(name)
            } else {
                let dir = self.stack.last().map_or("/", |f| parent_dir(&f.path));
                normalize_path(&format!("{dir}/{name}"))
            };
            if let Some(file) = self.load(&path) {
                return Some(file);
            }
        }
        if name.contains("..") {
            return None;
        }
        let config = self.config;
        for dir in &config.include_dirs {
            let path = normalize_path(&format!("{dir}/{name}"));
            if let Some(file) = self.load(&path) {
                return Some(file);
            }
        }
        None
    }

    fn include_file(&mut self, file: FileId) {
        let path = self.sources.name(file).to_string();
        self.stack.push(Frame {
            file,
            name: path.clone(),
            path,
        });
        let text = self.sources.file(file).text.clone();
        self.read_file(file, &text);
        self.stack.pop();
    }

    /// The main loop: every token of one file, directives applied and
    /// macros expanded.
    fn read_file(&mut self, file: FileId, text: &str) {
        let mut input = FileInput {
            lexer: Lexer::with_range(text, file, 0..text.len(), self.lex_config(true)),
            pending: None,
        };
        loop {
            if !self.emitting() {
                match input.lexer.skip_to_directive() {
                    Some(directive) => self.skipped_directive(directive, text),
                    None => break,
                }
                continue;
            }
            let Some(tok) = input.next() else {
                break;
            };
            match tok.kind {
                TokenKind::Directive => self.directive(tok, text),
                TokenKind::Hash | TokenKind::HashHash => {
                    self.error(
                        codes::STRAY_HASH,
                        tok.span,
                        format!("'{}' outside a macro body", &text[tok.span.range()]),
                    );
                }
                kind => {
                    // Only words can name macros: other tokens skip slicing the text.
                    let id = if kind == TokenKind::Ident || kind.is_keyword() {
                        self.lookup(kind, &text[tok.span.range()])
                    } else {
                        None
                    };
                    if let Some(id) = id
                        && !self.work_exhausted
                    {
                        self.expand_from_file(id, tok, &mut input);
                    } else {
                        self.out.push(tok);
                    }
                }
            }
        }
        self.diags.append(&mut input.lexer.diagnostics);
    }

    // ----- directives ----------------------------------------------------

    /// The directive's name, and the offsets (in the file) where the name
    /// and its argument text start.
    fn directive_parts(tok: Token, text: &str) -> (&str, usize, usize) {
        let bytes = text.as_bytes();
        let end = tok.span.end as usize;
        let mut i = tok.span.start as usize + 1;
        let skip_blanks = |mut i: usize| {
            loop {
                match bytes.get(i) {
                    Some(b' ' | b'\t') if i < end => i += 1,
                    Some(b'\\') if bytes.get(i + 1) == Some(&b'\n') && i < end => i += 2,
                    Some(b'\\')
                        if bytes.get(i + 1) == Some(&b'\r')
                            && bytes.get(i + 2) == Some(&b'\n')
                            && i < end =>
                    {
                        i += 3
                    }
                    _ => return i,
                }
            }
        };
        i = skip_blanks(i);
        let name_start = i;
        while i < end && is_ident_byte(bytes[i]) {
            i += 1;
        }
        let name = &text[name_start..i];
        (name, name_start, skip_blanks(i).min(end))
    }

    fn skipped_directive(&mut self, tok: Token, text: &str) {
        let (name, _, rest) = Self::directive_parts(tok, text);
        match name {
            "if" | "ifdef" | "ifndef" => self.skipped.push(tok.span),
            "endif" if !self.skipped.is_empty() => {
                self.skipped.pop();
            }
            "endif" | "elif" | "else" if self.skipped.is_empty() => {
                self.conditional(name, tok, rest, text)
            }
            _ => {}
        }
    }

    fn directive(&mut self, tok: Token, text: &str) {
        let (name, name_start, rest) = Self::directive_parts(tok, text);
        let file = tok.span.file;
        let end = tok.span.end as usize;
        match name {
            "" => {}
            _ if name.starts_with(|c: char| c.is_ascii_digit()) => {
                self.line_directive(tok, text, name_start)
            }
            "define" => {
                // A macro body is text until it is used: a stray quote in it
                // is no error here, only where an expansion reaches the parser.
                let mut lexer = Lexer::with_range(text, file, rest..end, self.lex_config(false));
                let tokens: Vec<Token> = lexer.by_ref().collect();
                self.define(&tokens, text, false);
            }
            "undef" => {
                let tokens = self.lex_range(text, file, rest..end);
                if let [t] = tokens[..] {
                    let name = &text[t.span.range()];
                    if let Some(&id) = self.names.get(name) {
                        if self.macros[id as usize].predefined {
                            self.error(
                                codes::PREDEFINED,
                                t.span,
                                format!("illegal to #undef the predefined macro '{name}'"),
                            );
                        } else {
                            self.names.remove(name);
                        }
                    }
                }
            }
            "if" | "ifdef" | "ifndef" | "elif" | "else" | "endif" => {
                self.conditional(name, tok, rest, text)
            }
            "include" => self.include_directive(tok, text, rest),
            "error" => {
                let message = fold_continuations(text[rest..end].trim());
                self.error(
                    codes::ERROR_DIRECTIVE,
                    tok.span,
                    format!("#error {message}"),
                );
            }
            "warn" => {
                let message = fold_continuations(text[rest..end].trim());
                self.warning(codes::WARN_DIRECTIVE, tok.span, format!("#warn {message}"));
            }
            "echo" => {
                let message = fold_continuations(text[rest..end].trim());
                self.diags.push(Diagnostic::new(
                    Severity::Note,
                    codes::ECHO_DIRECTIVE,
                    tok.span,
                    message,
                ));
            }
            "pragma" => {
                let tokens = self.lex_range(text, file, rest..end);
                self.pragma(tok, &tokens, text);
            }
            "line" => self.line_directive(tok, text, rest),
            "breakpoint" => {}
            _ => self.error(
                codes::UNKNOWN_DIRECTIVE,
                tok.span,
                format!("unknown preprocessor directive #{name}"),
            ),
        }
    }

    fn pragma(&mut self, tok: Token, tokens: &[Token], text: &str) {
        let known = match tokens {
            [t] if t.kind == TokenKind::Ident => {
                let word = &text[t.span.range()];
                let (enabled, name) = match word.strip_prefix("no_") {
                    Some(name) => (false, name),
                    None => (true, word),
                };
                Pragma::from_name(name).map(|p| (p, enabled))
            }
            _ => None,
        };
        let Some((pragma, enabled)) = known else {
            self.warning(codes::UNKNOWN_PRAGMA, tok.span, "unknown #pragma, ignored");
            return;
        };
        self.pragmas.settings.push(PragmaSetting {
            pragma,
            enabled,
            span: tok.span,
            token_index: self.out.len(),
        });
    }

    fn line_directive(&mut self, tok: Token, text: &str, rest: usize) {
        let tokens = self.lex_range(text, tok.span.file, rest..tok.span.end as usize);
        let Some(number) = tokens.first().filter(|t| t.kind == TokenKind::Int) else {
            return;
        };
        let line = parse_int(&text[number.span.range()]).clamp(0, u32::MAX as i64) as u32;
        let from = text[tok.span.end as usize..]
            .find('\n')
            .map_or(text.len(), |i| tok.span.end as usize + i + 1);
        self.sources
            .file_mut(tok.span.file)
            .add_line_override(from as u32, line);
        if let Some(name) = tokens.get(1).filter(|t| t.kind == TokenKind::Str) {
            let raw = &text[name.span.range()];
            let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
            if let Some(frame) = self.stack.last_mut() {
                frame.name = normalize_path(inner);
            }
        }
    }

    fn conditional(&mut self, name: &str, tok: Token, rest: usize, text: &str) {
        let file = tok.span.file;
        let end = tok.span.end as usize;
        match name {
            "ifdef" | "ifndef" => {
                let tokens = self.lex_range(text, file, rest..end);
                let defined = match tokens[..] {
                    [t] => self.names.contains_key(&text[t.span.range()]),
                    _ => false,
                };
                let emit = self.emitting() && (defined == (name == "ifdef"));
                self.conds.push(Cond {
                    emitting: emit,
                    had_true: emit,
                    seen_else: false,
                    span: tok.span,
                });
            }
            "if" => {
                let value = self.emitting() && self.condition(tok, text, rest, "#if");
                self.conds.push(Cond {
                    emitting: value,
                    had_true: value,
                    seen_else: false,
                    span: tok.span,
                });
            }
            "elif" => {
                let Some(cond) = self.conds.pop() else {
                    self.error(codes::UNEXPECTED_CONDITIONAL, tok.span, "unexpected #elif");
                    return;
                };
                if cond.seen_else {
                    let diag = Diagnostic::error(codes::AFTER_ELSE, tok.span, "#elif after #else")
                        .with_label(cond.span, "conditional opened here");
                    self.diags.push(diag);
                }
                let outer = self.emitting();
                let now = outer
                    && !cond.had_true
                    && !cond.seen_else
                    && self.condition(tok, text, rest, "#elif");
                self.conds.push(Cond {
                    emitting: now,
                    had_true: cond.had_true || now,
                    seen_else: cond.seen_else,
                    span: cond.span,
                });
            }
            "else" => {
                let Some(cond) = self.conds.pop() else {
                    self.error(codes::UNEXPECTED_CONDITIONAL, tok.span, "unexpected #else");
                    return;
                };
                if cond.seen_else {
                    let diag = Diagnostic::error(codes::AFTER_ELSE, tok.span, "#else after #else")
                        .with_label(cond.span, "conditional opened here");
                    self.diags.push(diag);
                }
                let now = self.emitting() && !cond.had_true;
                self.conds.push(Cond {
                    emitting: now,
                    had_true: true,
                    seen_else: true,
                    span: cond.span,
                });
            }
            _ => {
                if self.conds.pop().is_none() {
                    self.error(codes::UNEXPECTED_CONDITIONAL, tok.span, "unexpected #endif");
                }
            }
        }
    }

    /// Evaluates the condition of an `#if` or `#elif`.
    fn condition(&mut self, tok: Token, text: &str, rest: usize, what: &str) -> bool {
        let tokens = self.lex_range(text, tok.span.file, rest..tok.span.end as usize);
        if tokens.is_empty() {
            self.error(
                codes::BAD_CONDITION,
                tok.span,
                format!("missing expression in {what}"),
            );
            return false;
        }
        let expanded = self.expand_list(tokens.into_iter().map(PTok::plain).collect(), true);
        let mut items = Vec::with_capacity(expanded.len());
        let mut float = None;
        for t in &expanded {
            let item = match t.kind {
                TokenKind::Int => expr::Item::Num(parse_int(self.ptext(t.text))),
                TokenKind::Char => expr::Item::Num(parse_char(self.ptext(t.text)).unwrap_or(0)),
                TokenKind::Float => {
                    float.get_or_insert(t.site);
                    expr::Item::Num(0)
                }
                kind if is_condition_operator(kind) => expr::Item::Op(kind),
                _ => expr::Item::Num(0),
            };
            items.push(item);
        }
        if let Some(span) = float {
            self.error(
                codes::BAD_CONDITION,
                span,
                format!("floating point constants are not allowed in {what}"),
            );
        }
        match expr::evaluate(&items) {
            Ok(value) => value != 0,
            Err(message) => {
                self.error(codes::BAD_CONDITION, tok.span, message);
                false
            }
        }
    }

    fn include_directive(&mut self, tok: Token, text: &str, rest: usize) {
        let end = tok.span.end as usize;
        let raw = text[rest..end].trim();
        let expanded_text;
        let spec = if raw.starts_with('"') || raw.starts_with('<') {
            raw
        } else {
            let tokens = self.lex_range(text, tok.span.file, rest..end);
            let expanded = self.expand_list(tokens.into_iter().map(PTok::plain).collect(), false);
            expanded_text = self.spelling(&expanded);
            expanded_text.trim()
        };
        let Some((name, quoted)) = split_include_spec(spec) else {
            self.error(codes::BAD_INCLUDE, tok.span, "bad #include directive");
            return;
        };
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            let mut diag = Diagnostic::error(
                codes::INCLUDE_TOO_DEEP,
                tok.span,
                "#include nested too deeply",
            );
            let current = self.stack.last().map(|f| f.file);
            if let Some(current) = current
                && self.stack[..self.stack.len() - 1]
                    .iter()
                    .any(|f| f.file == current)
            {
                diag = diag.with_note(format!("{} includes itself", self.sources.name(current)));
            }
            self.diags.push(diag);
            return;
        }
        let name = name.to_string();
        self.include_named(&name, quoted, tok.span, None);
    }

    /// The text of tokens, a space wherever they were apart.
    fn spelling(&self, toks: &[PTok]) -> String {
        let mut s = String::new();
        let mut prev: Option<Span> = None;
        for t in toks {
            if let Some(p) = prev
                && (p.file != t.text.file || p.end != t.text.start)
            {
                s.push(' ');
            }
            s.push_str(self.ptext(t.text));
            prev = Some(t.text);
        }
        s
    }

    // ----- macro expansion -----------------------------------------------

    fn expand_from_file(&mut self, id: u32, tok: Token, input: &mut FileInput) {
        let mut ctx = std::mem::take(&mut self.ctx_pool);
        let name = PTok::plain(tok);
        if !self.invoke(id, name, &mut ctx, Some(input), 0) {
            self.out.push(tok);
        }
        while let Some(t) = self.next_expanded(&mut ctx, Some(input), 0) {
            self.emit(t);
        }
        self.ctx_pool = ctx;
    }

    fn emit(&mut self, t: PTok) {
        if matches!(
            t.kind,
            TokenKind::Hash | TokenKind::HashHash | TokenKind::Directive
        ) {
            let message = format!("'{}' outside a macro body", self.ptext(t.text));
            self.error(codes::STRAY_HASH, t.site, message);
            return;
        }
        if !t.expanded {
            self.out.push(Token::new(t.kind, t.text));
            return;
        }
        let origin = self.sources.add_origin(TokenOrigin {
            text: t.text,
            definition: t.def,
        });
        self.out.push(Token {
            kind: t.kind,
            span: t.site,
            origin,
        });
    }

    /// Fully expands a list of tokens on its own (a macro argument, a
    /// condition, an `#include` operand).
    fn expand_list(&mut self, toks: Vec<PTok>, if_mode: bool) -> Vec<PTok> {
        let saved = std::mem::replace(&mut self.if_mode, if_mode);
        let mut ctx = vec![Context {
            toks,
            pos: 0,
            macro_id: None,
        }];
        let mut out = Vec::new();
        while let Some(t) = self.next_expanded(&mut ctx, None, 0) {
            out.push(t);
        }
        self.if_mode = saved;
        out
    }

    fn expand_arg(&mut self, toks: &[PTok], depth: u32) -> Vec<PTok> {
        if !toks.iter().any(|t| t.kind.is_word()) {
            return toks.to_vec();
        }
        if depth > MAX_ARGUMENT_DEPTH {
            if !self.work_exhausted {
                self.work_exhausted = true;
                let site = toks.first().map_or(Span::default(), |t| t.site);
                self.error(
                    codes::EXPANSION_TOO_LARGE,
                    site,
                    "macro arguments nested too deeply; further macros are not expanded",
                );
            }
            return toks.to_vec();
        }
        let mut ctx = vec![Context {
            toks: toks.to_vec(),
            pos: 0,
            macro_id: None,
        }];
        let mut out = Vec::with_capacity(toks.len());
        while let Some(t) = self.next_expanded(&mut ctx, None, depth) {
            out.push(t);
        }
        out
    }

    /// The next token of the rescan, without expanding it. Finished
    /// expansions are left (re-enabling their macro); with a file, its
    /// tokens follow once every expansion is finished.
    fn next_raw(
        &mut self,
        ctx: &mut Vec<Context>,
        file: Option<&mut FileInput>,
    ) -> Option<(PTok, Via)> {
        while let Some(top) = ctx.last_mut() {
            if let Some(&t) = top.toks.get(top.pos) {
                top.pos += 1;
                return Some((t, Via::Context));
            }
            if let Some(done) = ctx.pop()
                && let Some(id) = done.macro_id
            {
                let m = &mut self.macros[id as usize];
                m.disabled = m.disabled.saturating_sub(1);
            }
        }
        let tok = file?.next()?;
        Some((PTok::plain(tok), Via::File))
    }

    /// The next fully expanded token from the expansions in `ctx`; never
    /// reads past them into the file except to finish an invocation.
    fn next_expanded(
        &mut self,
        ctx: &mut Vec<Context>,
        mut file: Option<&mut FileInput>,
        depth: u32,
    ) -> Option<PTok> {
        loop {
            let (mut t, _) = self.next_raw(ctx, None)?;
            if t.painted || !(t.kind.is_word()) {
                return Some(t);
            }
            if self.if_mode {
                let text = self.ptext(t.text);
                if text == "defined" || text == "efun_defined" {
                    let efun = text == "efun_defined";
                    return Some(self.defined_operator(t, efun, ctx));
                }
            }
            let Some(id) = self.lookup(t.kind, self.ptext(t.text)) else {
                return Some(t);
            };
            if self.macros[id as usize].disabled > 0 {
                t.painted = true;
                return Some(t);
            }
            if self.work_exhausted {
                return Some(t);
            }
            if !self.invoke(id, t, ctx, file.as_deref_mut(), depth) {
                return Some(t);
            }
        }
    }

    /// `defined NAME`, `defined(NAME)` or `efun_defined(NAME)` in a
    /// condition: a `1` or `0` token.
    fn defined_operator(&mut self, op: PTok, efun: bool, ctx: &mut Vec<Context>) -> PTok {
        let mut next = self.next_raw(ctx, None).map(|(t, _)| t);
        let paren = next.is_some_and(|t| t.kind == TokenKind::LParen);
        if paren {
            next = self.next_raw(ctx, None).map(|(t, _)| t);
        }
        let mut value = false;
        if let Some(name) = next.filter(|t| t.kind.is_word()) {
            let text = self.ptext(name.text);
            value = if efun {
                self.config.efuns.as_ref().is_none_or(|e| e.contains(text))
            } else {
                self.names.contains_key(text)
            };
        }
        if paren {
            let close = self.next_raw(ctx, None).map(|(t, _)| t);
            if close.is_none_or(|t| t.kind != TokenKind::RParen) {
                self.error(codes::BAD_CONDITION, op.site, "bracket not paired in #if");
            }
        }
        let text = self.scratch_span(if value { "1" } else { "0" });
        PTok {
            kind: TokenKind::Int,
            text,
            ..op
        }
    }

    fn charge(&mut self, tokens: usize, site: Span) {
        self.work += tokens;
        if self.work > MAX_EXPANSION_WORK && !self.work_exhausted {
            self.work_exhausted = true;
            self.error(
                codes::EXPANSION_TOO_LARGE,
                site,
                "macro expansion too large; further macros are not expanded",
            );
        }
    }

    /// Expands the macro `id` named by `name`, pushing its replacement on
    /// `ctx`. False when it is no invocation after all (a function-like
    /// macro name without arguments).
    fn invoke(
        &mut self,
        id: u32,
        name: PTok,
        ctx: &mut Vec<Context>,
        mut file: Option<&mut FileInput>,
        depth: u32,
    ) -> bool {
        let m = &self.macros[id as usize];
        let def = if name.expanded { name.def } else { m.name_span };
        match m.builtin {
            Builtin::None => {}
            builtin => {
                let tok = self.builtin_token(builtin, name.site, def);
                ctx.push(Context {
                    toks: vec![tok],
                    pos: 0,
                    macro_id: None,
                });
                return true;
            }
        }
        let body = m.body.clone();
        let Some(param_count) = m.params.as_ref().map(|p| p.len()) else {
            let toks = self.substitute(&body, &[], name.site, def, depth);
            self.push_expansion(ctx, toks, id, name.site);
            return true;
        };

        // A function-like macro: its name must be followed by `(`.
        let Some((open, from)) = self.next_raw(ctx, file.as_deref_mut()) else {
            return false;
        };
        let mut args: Vec<Vec<PTok>> = vec![Vec::new()];
        match open.kind {
            TokenKind::LParen => {}
            TokenKind::FunctionOpen => {
                // `(:` lexed as one token: the `:` starts the first argument.
                let colon = Span::new(open.text.file, open.text.end - 1, open.text.end);
                args[0].push(PTok {
                    kind: TokenKind::Colon,
                    text: colon,
                    ..open
                });
            }
            _ => {
                match from {
                    Via::File => {
                        if let Some(f) = file {
                            f.pending = Some(Token::new(open.kind, open.text));
                        }
                    }
                    Via::Context => {
                        if let Some(top) = ctx.last_mut() {
                            top.pos -= 1;
                        }
                    }
                }
                return false;
            }
        }
        let mut nesting = 0u32;
        let mut close = None;
        while let Some((t, from)) = self.next_raw(ctx, file.as_deref_mut()) {
            match t.kind {
                TokenKind::Directive if from == Via::File => {
                    self.error(
                        codes::DIRECTIVE_IN_ARGUMENTS,
                        t.site,
                        "preprocessor directive inside macro arguments is ignored",
                    );
                    continue;
                }
                TokenKind::LParen | TokenKind::FunctionOpen => nesting += 1,
                TokenKind::RParen if nesting == 0 => {
                    close = Some(t);
                    break;
                }
                TokenKind::RParen => nesting -= 1,
                TokenKind::Comma if nesting == 0 => {
                    args.push(Vec::new());
                    continue;
                }
                _ => {}
            }
            if let Some(arg) = args.last_mut() {
                arg.push(t);
            }
        }
        let macro_name = self.ptext(name.text).to_string();
        let Some(close) = close else {
            self.error(
                codes::UNTERMINATED_ARGUMENTS,
                name.site,
                format!("end of file in the arguments of macro '{macro_name}'"),
            );
            return true;
        };
        let site = name.site.to(close.site);
        let given = if param_count == 0 && args.len() == 1 && args[0].is_empty() {
            0
        } else {
            args.len()
        };
        if given != param_count {
            self.warning(
                codes::ARGUMENT_COUNT,
                site,
                format!(
                    "macro '{macro_name}' takes {param_count} argument{}, {given} given",
                    if param_count == 1 { "" } else { "s" }
                ),
            );
        }
        let toks = self.substitute(&body, &args, site, def, depth);
        self.push_expansion(ctx, toks, id, site);
        true
    }

    fn push_expansion(&mut self, ctx: &mut Vec<Context>, toks: Vec<PTok>, id: u32, site: Span) {
        self.charge(toks.len() + 1, site);
        if ctx.len() >= MAX_EXPANSION_NESTING && !self.work_exhausted {
            // Stop expanding: the rest of the file keeps its macro names.
            self.work_exhausted = true;
            self.error(
                codes::EXPANSION_TOO_LARGE,
                site,
                "macro expansion nested too deep",
            );
        }
        self.macros[id as usize].disabled += 1;
        ctx.push(Context {
            toks,
            pos: 0,
            macro_id: Some(id),
        });
    }

    fn builtin_token(&mut self, builtin: Builtin, site: Span, def: Span) -> PTok {
        let (kind, text) = match builtin {
            Builtin::Line => {
                let line = if site.file == self.scratch_id {
                    0
                } else {
                    self.sources.line_col(site).0
                };
                (TokenKind::Int, line.to_string())
            }
            Builtin::File => {
                let name = self.stack.last().map_or("/", |f| f.name.as_str());
                (TokenKind::Str, quote(name))
            }
            _ => {
                let name = self.stack.last().map_or("/", |f| f.name.as_str());
                let dir = &name[..name.rfind('/').map_or(0, |i| i + 1)];
                (TokenKind::Str, quote(dir))
            }
        };
        let text = self.scratch_span(&text);
        PTok {
            kind,
            text,
            site,
            def,
            expanded: true,
            painted: false,
        }
    }

    /// The replacement of one invocation: parameters replaced by their
    /// arguments (expanded, or as written next to `#` and `##`), `#`
    /// stringized, `##` pasted.
    fn substitute(
        &mut self,
        body: &[BodyTok],
        args: &[Vec<PTok>],
        site: Span,
        def: Span,
        depth: u32,
    ) -> Vec<PTok> {
        let mut out: Vec<PTok> = Vec::with_capacity(body.len());
        let mut expanded: Vec<Option<Vec<PTok>>> = vec![None; args.len()];
        let mut prev_empty = false;
        for (i, bt) in body.iter().enumerate() {
            let start = out.len();
            let arg: &[PTok] = match args.get(bt.param as usize) {
                Some(a) if bt.param != NO_PARAM => a,
                _ => &[],
            };
            if bt.stringize {
                let text = quote(&self.spelling(arg));
                let text = self.scratch_span(&text);
                out.push(PTok {
                    kind: TokenKind::Str,
                    text,
                    site,
                    def,
                    expanded: true,
                    painted: false,
                });
            } else if bt.param != NO_PARAM {
                let pasted = bt.paste_left || body.get(i + 1).is_some_and(|n| n.paste_left);
                if pasted {
                    out.extend(arg.iter().map(|t| t.at(site, def)));
                } else {
                    let idx = bt.param as usize;
                    if idx < expanded.len() && expanded[idx].is_none() {
                        expanded[idx] = Some(self.expand_arg(arg, depth + 1));
                    }
                    if let Some(Some(e)) = expanded.get(idx) {
                        out.extend(e.iter().map(|t| t.at(site, def)));
                    }
                }
                // Arguments used several times can double the output per
                // level of nesting: stop as soon as the budget is spent.
                self.charge(out.len() - start, site);
                if self.work_exhausted {
                    break;
                }
            } else {
                out.push(PTok {
                    kind: bt.kind,
                    text: bt.text,
                    site,
                    def,
                    expanded: true,
                    painted: false,
                });
            }
            if bt.paste_left && !prev_empty && start > 0 && out.len() > start {
                let pasted = self.paste(out[start - 1], out[start], site, def);
                out.splice(start - 1..start + 1, pasted);
            }
            prev_empty = out.len() == start && (!bt.paste_left || prev_empty);
        }
        out
    }

    /// The tokens `left ## right` make.
    fn paste(&mut self, left: PTok, right: PTok, site: Span, def: Span) -> Vec<PTok> {
        let joined = format!("{}{}", self.ptext(left.text), self.ptext(right.text));
        let span = self.scratch_span(&joined);
        let mut lexer = Lexer::with_range(
            &self.scratch,
            self.scratch_id,
            span.range(),
            self.lex_config(false),
        );
        let tokens: Vec<Token> = lexer.by_ref().collect();
        let invalid = !lexer.diagnostics.is_empty();
        if invalid {
            self.error(
                codes::BAD_PASTE,
                site,
                format!("pasting makes '{joined}', which is no valid token"),
            );
        }
        tokens
            .into_iter()
            .map(|t| PTok {
                kind: t.kind,
                text: t.span,
                site,
                def,
                expanded: true,
                painted: false,
            })
            .collect()
    }
}

/// Operators that mean something in a condition.
fn is_condition_operator(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        LParen
            | RParen
            | Bang
            | Tilde
            | Amp
            | Pipe
            | Caret
            | Lt
            | Gt
            | Le
            | Ge
            | EqEq
            | NotEq
            | Shl
            | Shr
            | Plus
            | Minus
            | Star
            | Slash
            | Percent
            | Question
            | Colon
            | AndAnd
            | OrOr
    )
}

/// `"name"` or `<name>` (text after the closing delimiter is ignored):
/// the name, and whether it was quoted.
fn split_include_spec(spec: &str) -> Option<(&str, bool)> {
    let (close, quoted) = match spec.as_bytes().first()? {
        b'"' => ('"', true),
        b'<' => ('>', false),
        _ => return None,
    };
    let end = spec[1..].find(close)? + 1;
    Some((&spec[1..end], quoted))
}
