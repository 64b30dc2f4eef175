//! The LPC parser: preprocessed tokens in, a syntax tree and diagnostics out.
//! The grammar lives in `grammar.lalrpop`; this module feeds it tokens,
//! builds tree nodes for its actions, and turns parse errors into readable
//! diagnostics. Parsing never fails: syntax errors are recovered from at
//! `;` and `}` and the rest of the file is still parsed.

use lalrpop_util::{ErrorRecovery, ParseError};
use smol_str::SmolStr;

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::lexer::{self, Token, TokenKind};
use crate::source::SourceMap;
use crate::span::Span;

mod dump;
#[cfg(test)]
mod tests;

pub use dump::{dump_expr, dump_program, dump_stmt};

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        unused_parens,
        unused_imports,
        dead_code
    )]
    grammar,
    "/parser/grammar.rs"
);

/// Dialect switches for the parser.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Accept the `static` modifier (drivers built without sensible modifiers).
    pub allow_static: bool,
}

/// Parses a preprocessed token stream. `Error` tokens are skipped: the
/// lexer has reported them already.
pub fn parse(
    tokens: &[Token],
    sources: &SourceMap,
    options: &ParseOptions,
) -> (Program, Vec<Diagnostic>) {
    let mut cx = Cx::new(tokens, sources, options);
    // Unclosed braces at the end of the file are closed by synthetic `}`
    // tokens so that the functions they belong to still end up in the tree.
    let open_braces = tokens.iter().fold(0i64, |depth, t| match t.kind {
        TokenKind::LBrace => depth + 1,
        TokenKind::RBrace => depth - 1,
        _ => depth,
    });
    if open_braces > 0 {
        cx.unclosed_brace = last_unclosed_brace(tokens);
    }
    let stream = TokenStream {
        tokens,
        next: 0,
        closing: Token::new(TokenKind::RBrace, cx.eof_span),
        closing_left: open_braces.max(0) as usize,
    };
    let result = grammar::ProgramParser::new().parse(&mut cx, stream);
    let program = match result {
        Ok(program) => program,
        Err(error) => {
            cx.syntax_error(error, None);
            Program::default()
        }
    };
    let diagnostics = cx.finish();
    (program, diagnostics)
}

/// The parser's input: token indices as locations, `Error` tokens skipped
/// (the lexer has reported them), then the synthetic closing braces.
struct TokenStream<'t> {
    tokens: &'t [Token],
    next: usize,
    closing: Token,
    closing_left: usize,
}

impl Iterator for TokenStream<'_> {
    type Item = Result<(usize, Token, usize), std::convert::Infallible>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        while let Some(token) = self.tokens.get(self.next) {
            let i = self.next;
            self.next += 1;
            if token.kind != TokenKind::Error {
                return Some(Ok((i, *token, i + 1)));
            }
        }
        if self.closing_left == 0 {
            return None;
        }
        self.closing_left -= 1;
        let i = self.next;
        self.next += 1;
        Some(Ok((i, self.closing, i + 1)))
    }
}

/// The span of the last `{` that no `}` closes.
fn last_unclosed_brace(tokens: &[Token]) -> Option<Span> {
    let mut open: Vec<Span> = Vec::new();
    for t in tokens {
        match t.kind {
            TokenKind::LBrace => open.push(t.span),
            TokenKind::RBrace => {
                open.pop();
            }
            _ => {}
        }
    }
    open.last().copied()
}

/// A syntax error noted during parsing, turned into a diagnostic at the end.
struct PendingError {
    /// Token index of the offending token (`usize::MAX` for the end of file).
    at: usize,
    /// Token index where parsing resumed.
    resumed: usize,
    diagnostic: Diagnostic,
}

/// Everything the grammar actions need: the tokens, their text, the options,
/// and the diagnostics found so far.
pub struct Cx<'s> {
    tokens: &'s [Token],
    sources: &'s SourceMap,
    options: &'s ParseOptions,
    /// Zero-width span just past the last token.
    eof_span: Span,
    diagnostics: Vec<Diagnostic>,
    syntax_errors: Vec<PendingError>,
    /// Set when the file ends inside a block: the `{` left open.
    unclosed_brace: Option<Span>,
}

type Recovery = ErrorRecovery<usize, Token, std::convert::Infallible>;

/// Operands and binary operators in source order, grouped by [`Cx::fold`].
pub struct Operands {
    first: Expr,
    rest: Vec<(BinaryOp, Expr)>,
}

impl Operands {
    pub fn new(first: Expr) -> Operands {
        Operands {
            first,
            rest: Vec::new(),
        }
    }

    pub fn pair(first: Expr, op: BinaryOp, second: Expr) -> Operands {
        let mut rest = Vec::with_capacity(4);
        rest.push((op, second));
        Operands { first, rest }
    }

    pub fn push(&mut self, op: BinaryOp, operand: Expr) {
        self.rest.push((op, operand));
    }
}

/// Binding strength of a binary operator; all are left-associative.
fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Nullish => 1,
        BinaryOp::Or => 2,
        BinaryOp::And => 3,
        BinaryOp::BitOr => 4,
        BinaryOp::BitXor => 5,
        BinaryOp::BitAnd => 6,
        BinaryOp::Eq | BinaryOp::Ne => 7,
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 8,
        BinaryOp::Shl | BinaryOp::Shr => 9,
        BinaryOp::Add | BinaryOp::Sub => 10,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 11,
    }
}

/// Precedence climbing over `rest`, starting from the operand `lhs`.
fn climb(
    mut lhs: Expr,
    rest: &mut std::iter::Peekable<std::vec::IntoIter<(BinaryOp, Expr)>>,
    min: u8,
) -> Expr {
    while let Some(op) = rest
        .peek()
        .map(|(op, _)| *op)
        .filter(|op| precedence(*op) >= min)
    {
        let Some((_, mut rhs)) = rest.next() else {
            break;
        };
        while let Some(next) = rest
            .peek()
            .map(|(op, _)| *op)
            .filter(|next| precedence(*next) > precedence(op))
        {
            rhs = climb(rhs, rest, precedence(next));
        }
        let span = lhs.span.to(rhs.span);
        lhs = Expr {
            kind: ExprKind::Binary(Box::new(Binary { op, lhs, rhs })),
            span,
        };
    }
    lhs
}

/// Adjacent string literals and template pieces being joined.
pub struct StrAcc<'s> {
    parts: Vec<TemplatePart>,
    /// A lone literal without escapes, borrowed until a second piece comes:
    /// most strings are one such literal and need no buffer.
    borrowed: Option<&'s str>,
    pending: String,
}

impl StrAcc<'_> {
    fn pending(&mut self) -> &mut String {
        if let Some(text) = self.borrowed.take() {
            self.pending.push_str(text);
        }
        &mut self.pending
    }
}

impl<'s> Cx<'s> {
    fn new(tokens: &'s [Token], sources: &'s SourceMap, options: &'s ParseOptions) -> Cx<'s> {
        let eof_span = tokens
            .iter()
            .rev()
            .find(|t| t.kind != TokenKind::Error)
            .or(tokens.last())
            .map(|t| Span::new(t.span.file, t.span.end, t.span.end))
            .unwrap_or_default();
        Cx {
            tokens,
            sources,
            options,
            eof_span,
            diagnostics: Vec::new(),
            syntax_errors: Vec::new(),
            unclosed_brace: None,
        }
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        // A recovery that resumed just before another error usually caused
        // it: report only the first of such a cascade, and one end of file.
        self.syntax_errors.sort_by_key(|e| e.at);
        let mut resumed_at: Option<usize> = None;
        let mut eof_reported = false;
        for error in std::mem::take(&mut self.syntax_errors) {
            let cascade = resumed_at.is_some_and(|r| error.at < r + 3);
            let at_eof = error.at >= self.tokens.len();
            resumed_at = Some(resumed_at.map_or(error.resumed, |r| r.max(error.resumed)));
            if cascade || (at_eof && eof_reported) {
                continue;
            }
            eof_reported |= at_eof;
            self.diagnostics.push(error.diagnostic);
        }
        if let (Some(open), false) = (self.unclosed_brace, eof_reported) {
            self.diagnostics.push(
                Diagnostic::error(
                    "E0101",
                    self.eof_span,
                    "unexpected end of file, expected `}`",
                )
                .with_label(open, "this `{` is not closed"),
            );
        }
        self.diagnostics
            .sort_by_key(|d| (d.span().file, d.span().start));
        self.diagnostics
    }

    // ----- spans and text -----

    fn token_span(&self, index: usize) -> Span {
        self.tokens.get(index).map_or(self.eof_span, |t| t.span)
    }

    /// The span from token `l` up to (not including) token `r`.
    pub fn span(&self, l: usize, r: usize) -> Span {
        if r <= l {
            let s = self.token_span(l);
            return Span::new(s.file, s.start, s.start);
        }
        self.token_span(l).to(self.token_span(r - 1))
    }

    fn text(&self, token: &Token) -> &'s str {
        self.sources.token_text(token)
    }

    pub fn name(&self, token: Token) -> Name {
        Name {
            text: SmolStr::new(self.text(&token)),
            span: token.span,
        }
    }

    pub fn expr(&self, kind: ExprKind, l: usize, r: usize) -> Expr {
        Expr {
            kind,
            span: self.span(l, r),
        }
    }

    pub fn stmt(&self, kind: StmtKind, l: usize, r: usize) -> Stmt {
        Stmt {
            kind,
            span: self.span(l, r),
        }
    }

    // ----- literals -----

    fn literal_problems(&mut self, span: Span, problems: Vec<lexer::LiteralProblem>) {
        for p in problems {
            let d = if p.error {
                Diagnostic::error("E0107", span, p.message)
            } else {
                Diagnostic::warning("E0107", span, p.message)
            };
            self.diagnostics.push(d);
        }
    }

    pub fn int(&self, token: Token) -> Expr {
        Expr {
            kind: ExprKind::Int(lexer::parse_int(self.text(&token))),
            span: token.span,
        }
    }

    pub fn float(&self, token: Token) -> Expr {
        Expr {
            kind: ExprKind::Float(lexer::parse_float(self.text(&token))),
            span: token.span,
        }
    }

    pub fn char(&mut self, token: Token) -> Expr {
        let value = match lexer::parse_char(self.text(&token)) {
            Ok(v) => v,
            Err(problem) => {
                self.literal_problems(token.span, vec![problem]);
                0
            }
        };
        Expr {
            kind: ExprKind::Int(value),
            span: token.span,
        }
    }

    pub fn param(&self, token: Token) -> Expr {
        let digits = self.text(&token).trim_start_matches('$');
        Expr {
            kind: ExprKind::Param(digits.parse().unwrap_or(u32::MAX)),
            span: token.span,
        }
    }

    pub fn ident(&self, token: Token) -> Expr {
        Expr {
            kind: ExprKind::Ident(SmolStr::new(self.text(&token))),
            span: token.span,
        }
    }

    /// The value of one plain string-like token: `"..."`, a text block, or
    /// a template without interpolation.
    fn string_value(&mut self, token: Token, out: &mut String) {
        let text = self.text(&token);
        match token.kind {
            TokenKind::TextBlock => out.push_str(&lexer::decode_text_block(text)),
            TokenKind::Template => {
                let (s, problems) = lexer::decode_template(token.kind, text);
                out.push_str(&s);
                self.literal_problems(token.span, problems);
            }
            _ => {
                let body = text
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .unwrap_or(text);
                if !body.contains('\\') {
                    out.push_str(body);
                    return;
                }
                let (s, problems) = lexer::decode_string(text);
                out.push_str(&s);
                self.literal_problems(token.span, problems);
            }
        }
    }

    pub fn string_start(&mut self, token: Token) -> StrAcc<'s> {
        let mut acc = self.string_empty();
        if token.kind == TokenKind::Str {
            let text = self.text(&token);
            let body = text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .filter(|body| !body.contains('\\'));
            if body.is_some() {
                acc.borrowed = body;
                return acc;
            }
        }
        self.string_value(token, &mut acc.pending);
        acc
    }

    pub fn string_push(&mut self, acc: &mut StrAcc<'s>, token: Token) {
        self.string_value(token, acc.pending());
    }

    /// Appends a template piece (`TemplateHead`, `TemplateMiddle`, `TemplateTail`).
    pub fn template_text(&mut self, acc: &mut StrAcc<'s>, token: Token) {
        let (s, problems) = lexer::decode_template(token.kind, self.text(&token));
        acc.pending().push_str(&s);
        self.literal_problems(token.span, problems);
    }

    pub fn template_expr(&mut self, acc: &mut StrAcc<'s>, expr: Expr) {
        if !acc.pending().is_empty() {
            let text = SmolStr::from(std::mem::take(&mut acc.pending));
            acc.parts.push(TemplatePart::Text(text));
        }
        acc.parts.push(TemplatePart::Expr(expr));
    }

    pub fn string_empty(&self) -> StrAcc<'s> {
        StrAcc {
            parts: Vec::new(),
            borrowed: None,
            pending: String::new(),
        }
    }

    pub fn string_finish(&self, mut acc: StrAcc<'s>, l: usize, r: usize) -> Expr {
        if let (Some(text), true) = (acc.borrowed, acc.parts.is_empty()) {
            return self.expr(ExprKind::Str(SmolStr::new(text)), l, r);
        }
        acc.pending();
        if acc.parts.is_empty() {
            return self.expr(ExprKind::Str(SmolStr::from(acc.pending)), l, r);
        }
        if !acc.pending.is_empty() {
            acc.parts
                .push(TemplatePart::Text(SmolStr::from(acc.pending)));
        }
        self.expr(ExprKind::Template(acc.parts), l, r)
    }

    /// A `@@END` block: an array with one string per line.
    pub fn text_block_array(&self, token: Token) -> Expr {
        let lines = lexer::text_block_lines(self.text(&token))
            .into_iter()
            .map(|line| Expr {
                kind: ExprKind::Str(SmolStr::new(line)),
                span: token.span,
            })
            .collect();
        Expr {
            kind: ExprKind::Array(lines),
            span: token.span,
        }
    }

    /// The text of a string constant (inherit paths), without template pieces.
    pub fn const_string(&mut self, token: Token, out: &mut String) {
        self.string_value(token, out);
    }

    // ----- expressions -----

    /// Groups an operand sequence by operator precedence.
    pub fn fold(&self, operands: Operands) -> Expr {
        if operands.rest.is_empty() {
            return operands.first;
        }
        climb(operands.first, &mut operands.rest.into_iter().peekable(), 0)
    }

    pub fn unary(&self, op: UnaryOp, operand: Expr, l: usize, r: usize) -> Expr {
        self.expr(ExprKind::Unary(op, Box::new(operand)), l, r)
    }

    pub fn comma(&self, first: Expr, rest: Vec<Expr>) -> Expr {
        let span = rest
            .last()
            .map_or(first.span, |last| first.span.to(last.span));
        let mut all = Vec::with_capacity(rest.len() + 1);
        all.push(first);
        all.extend(rest);
        Expr {
            kind: ExprKind::Comma(all),
            span,
        }
    }

    pub fn call(&self, callee: Callee, args: Vec<Expr>, l: usize, r: usize) -> Expr {
        self.expr(ExprKind::Call(Box::new(Call { callee, args })), l, r)
    }

    /// `(: body :)`: a bare name, or a name followed by arguments, names a
    /// function; anything else is an expression evaluated on each call.
    pub fn function_ptr(&self, body: Expr, body_start: usize, l: usize, r: usize) -> Expr {
        let starts_with_name = self
            .tokens
            .get(body_start)
            .is_some_and(|t| t.kind == TokenKind::Ident);
        let ptr = match body.kind {
            ExprKind::Ident(text) if starts_with_name => FunctionPtr::Named {
                name: Name {
                    text,
                    span: body.span,
                },
                args: Vec::new(),
            },
            ExprKind::Comma(mut items)
                if starts_with_name
                    && matches!(items.first(), Some(e) if matches!(e.kind, ExprKind::Ident(_))
                        && e.span == self.token_span(body_start)) =>
            {
                let args = items.split_off(1);
                let first = items.pop();
                match first {
                    Some(Expr {
                        kind: ExprKind::Ident(text),
                        span,
                    }) => FunctionPtr::Named {
                        name: Name { text, span },
                        args,
                    },
                    _ => FunctionPtr::Expr(Expr {
                        kind: ExprKind::Error,
                        span: body.span,
                    }),
                }
            }
            kind => FunctionPtr::Expr(Expr {
                kind,
                span: body.span,
            }),
        };
        self.expr(ExprKind::FunctionPtr(Box::new(ptr)), l, r)
    }

    // ----- declarations -----

    pub fn modifier(&mut self, token: Token) -> Modifiers {
        match token.kind {
            TokenKind::KwPrivate => Modifiers::PRIVATE,
            TokenKind::KwProtected => Modifiers::PROTECTED,
            TokenKind::KwPublic => Modifiers::PUBLIC,
            TokenKind::KwNomask => Modifiers::NOMASK,
            TokenKind::KwNosave => Modifiers::NOSAVE,
            TokenKind::KwVarargs => Modifiers::VARARGS,
            _ => {
                if !self.options.allow_static {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "E0102",
                            token.span,
                            "the `static` modifier is not allowed",
                        )
                        .with_note("use `nosave` for variables and `protected` for functions"),
                    );
                }
                Modifiers::STATIC
            }
        }
    }

    pub fn type_keyword(&self, token: Token) -> Type {
        let kind = match token.kind {
            TokenKind::KwInt => TypeKind::Int,
            TokenKind::KwFloat => TypeKind::Float,
            TokenKind::KwString => TypeKind::String,
            TokenKind::KwObject => TypeKind::Object,
            TokenKind::KwMapping => TypeKind::Mapping,
            TokenKind::KwFunction => TypeKind::Function,
            TokenKind::KwBuffer => TypeKind::Buffer,
            TokenKind::KwVoid => TypeKind::Void,
            _ => TypeKind::Mixed,
        };
        Type {
            kind,
            array_depth: 0,
            span: token.span,
        }
    }

    pub fn class_type(&self, class: Token, name: Token) -> Type {
        Type {
            kind: TypeKind::Class(SmolStr::new(self.text(&name))),
            array_depth: 0,
            span: class.span.to(name.span),
        }
    }

    /// A declarator: the name and initializer of one variable. The type is
    /// filled in by [`Cx::declared`] once the whole declaration is read; until
    /// then `ty.array_depth` holds the declarator's own `*` count.
    pub fn declarator(
        &mut self,
        stars: u8,
        name: Name,
        init: Option<(Token, AssignOp, Expr)>,
        l: usize,
        r: usize,
    ) -> VarDecl {
        let init = init.map(|(op_token, op, value)| {
            if op != AssignOp::Assign {
                self.diagnostics.push(Diagnostic::error(
                    "E0105",
                    op_token.span,
                    format!(
                        "only `=` is allowed in an initializer, found `{}`",
                        op.as_str()
                    ),
                ));
            }
            value
        });
        VarDecl {
            ty: Type {
                kind: TypeKind::Missing,
                array_depth: stars,
                span: name.span,
            },
            name,
            init,
            span: self.span(l, r),
        }
    }

    /// Gives each declarator of a declaration its full type.
    pub fn declared(&self, base: &Type, mut vars: Vec<VarDecl>) -> Vec<VarDecl> {
        for var in &mut vars {
            let span = base.span.to(var.name.span);
            var.ty = base.with_stars(var.ty.array_depth, span);
        }
        vars
    }

    pub fn no_ref_local(&mut self, ref_token: Option<Token>) {
        if let Some(t) = ref_token {
            self.diagnostics.push(Diagnostic::error(
                "E0106",
                t.span,
                "a local variable cannot be declared as a reference",
            ));
        }
    }

    pub fn extra_semicolon(&mut self, token: Token) {
        self.diagnostics.push(Diagnostic::warning(
            "E0103",
            token.span,
            "extra `;` ignored",
        ));
    }

    pub fn modifier_change(&mut self, modifiers: Modifiers, l: usize, r: usize) -> Item {
        let span = self.span(l, r);
        if modifiers.is_empty() {
            self.diagnostics.push(Diagnostic::error(
                "E0104",
                span,
                "expected a modifier before `:`",
            ));
        }
        if modifiers.contains(Modifiers::VARARGS) {
            self.diagnostics.push(Diagnostic::error(
                "E0108",
                span,
                "`varargs` cannot be a default modifier",
            ));
        }
        Item::Modifiers(modifiers, span)
    }

    /// A typeless variable declaration right after a class body is the C
    /// form `class Foo { ... } var;`, which LPC does not have.
    pub fn push_item(&mut self, items: &mut Vec<Item>, item: Item) {
        let follows_class = matches!(items.last(), Some(Item::Class(_)));
        let untyped_vars = match &item {
            Item::Vars(vars) if vars.modifiers.is_empty() => vars
                .vars
                .first()
                .is_some_and(|v| v.ty.kind == TypeKind::Missing)
                .then_some(vars.span),
            _ => None,
        };
        if let (true, Some(span)) = (follows_class, untyped_vars) {
            self.diagnostics.push(
                Diagnostic::error(
                    "E0109",
                    span,
                    "a variable declaration cannot follow a class body directly",
                )
                .with_note("declare it separately with the class type: `class Name var;`"),
            );
        }
        items.push(item);
    }

    // ----- errors -----

    /// Notes a recovered syntax error; the parser resumed after it.
    pub fn recovered(&mut self, recovery: Recovery, l: usize, r: usize) -> Span {
        let resumed = recovery.dropped_tokens.last().map_or(r, |t| t.2);
        self.syntax_error(recovery.error, Some(resumed));
        self.span(l, r)
    }

    fn syntax_error(
        &mut self,
        error: ParseError<usize, Token, std::convert::Infallible>,
        resumed: Option<usize>,
    ) {
        let (at, found, expected) = match error {
            ParseError::UnrecognizedToken { token, expected } => (token.0, Some(token.1), expected),
            ParseError::UnrecognizedEof { expected, .. } => (usize::MAX, None, expected),
            ParseError::ExtraToken { token } => (token.0, Some(token.1), Vec::new()),
            ParseError::InvalidToken { location } => (location, None, Vec::new()),
            ParseError::User { error } => match error {},
        };
        let at_eof = at >= self.tokens.len() || found.is_none();
        let expected = describe_expected(&expected);
        let diagnostic = if at_eof {
            let message = match &expected {
                Some(e) => format!("unexpected end of file, expected {e}"),
                None => "unexpected end of file".to_string(),
            };
            Diagnostic::error("E0101", self.eof_span, message)
        } else {
            let token = found.unwrap_or_else(|| Token::new(TokenKind::Error, self.eof_span));
            let found = self.describe_token(&token);
            let message = match &expected {
                Some(e) => format!("expected {e}, found {found}"),
                None => format!("unexpected {found}"),
            };
            Diagnostic::error("E0100", token.span, message)
        };
        self.syntax_errors.push(PendingError {
            at: at.min(self.tokens.len()),
            resumed: resumed.unwrap_or(at),
            diagnostic,
        });
    }

    fn describe_token(&self, token: &Token) -> String {
        let text = self.text(token);
        match token.kind {
            TokenKind::Ident => format!("identifier `{text}`"),
            TokenKind::Int | TokenKind::Float | TokenKind::Char => format!("number `{text}`"),
            TokenKind::Str | TokenKind::TextBlock | TokenKind::TextBlockArray => {
                "a string".to_string()
            }
            TokenKind::Template
            | TokenKind::TemplateHead
            | TokenKind::TemplateMiddle
            | TokenKind::TemplateTail => "a template string".to_string(),
            k if k.is_keyword() => format!("keyword `{text}`"),
            _ => format!("`{text}`"),
        }
    }
}

/// Groups of terminals shown as one word when all their starters are expected.
const EXPRESSION_STARTS: &[&str] = &[
    "Ident",
    "Int",
    "Float",
    "Char",
    "Str",
    "TextBlock",
    "TextBlockArray",
    "Template",
    "TemplateHead",
    "ParamRef",
    "\"(\"",
    "\"(:\"",
    "\"!\"",
    "\"~\"",
    "\"-\"",
    "\"++\"",
    "\"--\"",
    "\"$\"",
    "\"::\"",
    "\"catch\"",
    "\"new\"",
    "\"efun\"",
    "\"sscanf\"",
    "\"parse_command\"",
    "\"time_expression\"",
    "\"ref\"",
    "\"&\"",
];
const TYPE_STARTS: &[&str] = &[
    "\"int\"",
    "\"float\"",
    "\"string\"",
    "\"object\"",
    "\"mapping\"",
    "\"function\"",
    "\"buffer\"",
    "\"mixed\"",
    "\"void\"",
    "\"class\"",
];
const STATEMENT_STARTS: &[&str] = &[
    "\"if\"",
    "\"while\"",
    "\"do\"",
    "\"for\"",
    "\"foreach\"",
    "\"switch\"",
    "\"return\"",
    "\"break\"",
    "\"continue\"",
    "\"{\"",
    "\";\"",
];
const OPERATORS: &[&str] = &[
    "\"+\"", "\"-\"", "\"*\"", "\"/\"", "\"%\"", "\"<<\"", "\">>\"", "\"<\"", "\">\"", "\"<=\"",
    "\">=\"", "\"==\"", "\"!=\"", "\"&\"", "\"|\"", "\"^\"", "\"&&\"", "\"||\"", "\"??\"", "\"?\"",
    "\"=\"", "\"+=\"", "\"-=\"", "\"*=\"", "\"/=\"", "\"%=\"", "\"&=\"", "\"|=\"", "\"^=\"",
    "\"<<=\"", "\">>=\"", "\"&&=\"", "\"||=\"", "\"??=\"", "\"++\"", "\"--\"", "\"[\"", "\"(\"",
    "\".\"", "\"->\"", "\"?.\"", "\".?\"", "\"::\"", "\"...\"",
];
const ASSIGN_OPS: &[&str] = &[
    "\"+=\"", "\"-=\"", "\"*=\"", "\"/=\"", "\"%=\"", "\"&=\"", "\"|=\"", "\"^=\"", "\"<<=\"",
    "\">>=\"", "\"&&=\"", "\"||=\"", "\"??=\"",
];
const STRING_STARTS: &[&str] = &["TextBlock", "Template", "TemplateHead"];
const DECLARATION_STARTS: &[&str] = &[
    "\"inherit\"",
    "\"private\"",
    "\"protected\"",
    "\"public\"",
    "\"nomask\"",
    "\"nosave\"",
    "\"varargs\"",
    "\"static\"",
    "\"*\"",
    "\":\"",
];

/// A short readable list of what the grammar expected, or `None` when it
/// gave nothing useful.
fn describe_expected(expected: &[String]) -> Option<String> {
    let has = |t: &str| expected.iter().any(|e| e == t);
    let mut hidden: Vec<&str> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let expression = has("Int") && has("Ident");
    let types = has("\"int\"") && has("\"mapping\"");
    let statement = expression && has("\"if\"") && has("\"return\"");
    let declaration = has("\"inherit\"");
    let operators = has("\"+\"") && has("\"*\"") && has("\"==\"");
    if has("Str") {
        hidden.extend(STRING_STARTS);
    }
    if declaration {
        hidden.extend(DECLARATION_STARTS);
        hidden.extend(TYPE_STARTS);
        hidden.push("Ident");
        words.push("declaration".into());
    } else if statement {
        hidden.extend(STATEMENT_STARTS);
        hidden.extend(EXPRESSION_STARTS);
        hidden.extend(TYPE_STARTS);
        words.push("statement".into());
    } else {
        if expression {
            hidden.extend(EXPRESSION_STARTS);
            // Type keywords start expressions too (anonymous functions).
            hidden.extend(TYPE_STARTS);
            words.push("expression".into());
        } else if types {
            hidden.extend(TYPE_STARTS);
            words.push("type".into());
        }
    }
    if operators {
        hidden.extend(OPERATORS);
        words.push("operator".into());
    } else if has("\"+=\"") {
        // Shown as the plain `=`.
        hidden.extend(ASSIGN_OPS);
    }
    // `array` is a keyword only in some configurations: never suggest it.
    hidden.push("\"array\"");
    let mut shown: Vec<String> = expected
        .iter()
        .filter(|e| !hidden.contains(&e.as_str()))
        .map(|e| terminal_name(e))
        .collect();
    // Punctuation first: it is usually what was forgotten.
    shown.sort_by_key(|s| !s.starts_with('`'));
    shown.dedup();
    let mut all = shown;
    all.extend(words);
    if all.is_empty() {
        return None;
    }
    const MAX: usize = 6;
    if all.len() > MAX {
        all.truncate(MAX);
        return Some(format!("{}, ...", all.join(", ")));
    }
    let last = all.pop()?;
    if all.is_empty() {
        return Some(last);
    }
    Some(format!("{} or {}", all.join(", "), last))
}

/// How a grammar terminal is shown to users.
fn terminal_name(terminal: &str) -> String {
    if let Some(quoted) = terminal.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return format!("`{quoted}`");
    }
    match terminal {
        "Ident" => "identifier",
        "Int" => "integer",
        "Float" => "float",
        "Char" => "character literal",
        "Str" => "string",
        "TextBlock" | "TextBlockArray" => "text block",
        "Template" | "TemplateHead" => "template string",
        "TemplateMiddle" | "TemplateTail" => "`}`",
        "ParamRef" => "`$N` parameter",
        other => other,
    }
    .to_string()
}
