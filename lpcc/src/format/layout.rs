//! Lays the pieces of a file out again: decides, token by token, whether a
//! line break, a space or nothing goes before it, and how deep each line is
//! indented, from a light model of the nesting (blocks, statements, bodies
//! without braces, `case` labels, parentheses and literals).

use std::ops::Range;

use crate::lexer::{TokenKind, tokenize};
use crate::span::FileId;

use super::FormatOptions;
use super::scan::{Piece, PieceKind, directive_name};

/// What kind of statement a body belongs to, to pair `else` with its `if`
/// and `while` with its `do`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    Plain,
    If,
    Else,
    Loop,
    Do,
    Switch,
}

/// What the next token of a block means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// A statement or declaration starts.
    Stmt,
    /// The body of an `if`, loop, `else`, `do` or `switch` starts.
    Body(Body),
    /// The middle of a statement.
    Mid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    /// The parenthesised condition of `if`, a loop or `switch`.
    Cond(Body),
    Paren,
    FunctionPtr,
    Bracket,
    Mapping,
    Array,
    /// A `${ ... }` inside a template literal.
    Template,
}

#[derive(Clone, Debug)]
struct BlockState {
    /// Indentation of the block's statements.
    base: usize,
    body: Body,
    expect: Expect,
    /// Bodies without braces open at this point, innermost last.
    singles: Vec<Body>,
    /// A statement just ended; which bodies it completes depends on the
    /// next token (`else` and `while` may continue it).
    pending_resolve: bool,
    /// The body whose closing `}` was the last token.
    last_closed: Option<Body>,
    in_case: bool,
    in_label: bool,
    /// Indentation of the line the current statement started on: a block
    /// it opens is indented from there, even after a wrapped condition.
    stmt_indent: usize,
}

#[derive(Clone, Debug)]
enum FrameKind {
    Block(BlockState),
    Group(Group),
}

#[derive(Clone, Debug)]
struct Frame {
    kind: FrameKind,
    /// Indentation of the line the frame was opened on.
    open_indent: usize,
    /// `?` seen without their `:` yet.
    ternary: u32,
    /// Nothing inside yet.
    empty: bool,
    /// Every token inside is part of a type: a cast when it closes.
    only_types: bool,
}

/// The role a token played, for spacing the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Operand,
    Prefix,
    Postfix,
    Binary,
    Open,
    CastClose,
    BlockOpen,
    BlockClose,
    ArrayOpen,
    ArrayClose,
    LabelColon,
    KeyColon,
    FnPtrClose,
    TypeName,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Prev<'a> {
    kind: TokenKind,
    text: &'a str,
    role: Role,
}

/// Everything about the nesting that `#else` restores.
#[derive(Clone, Debug)]
struct State<'a> {
    frames: Vec<Frame>,
    prev: Option<Prev<'a>>,
}

struct CondSnapshot<'a> {
    start: State<'a>,
    first_end: Option<State<'a>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Break { indent: usize, blank: usize },
    Space,
    Tight,
}

/// The pieces of `text` laid out again.
/// `verbatim` lists ranges of `text` whose inner whitespace stays
/// as written: macro invocations whose arguments may be stringized.
pub(super) fn lay_out(
    text: &str,
    pieces: &[Piece],
    options: &FormatOptions,
    verbatim: &[Range<usize>],
) -> String {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let root = Frame {
        kind: FrameKind::Block(BlockState {
            base: 0,
            body: Body::Plain,
            expect: Expect::Stmt,
            singles: Vec::new(),
            pending_resolve: false,
            last_closed: None,
            in_case: false,
            in_label: false,
            stmt_indent: 0,
        }),
        open_indent: 0,
        ternary: 0,
        empty: true,
        only_types: false,
    };
    let mut layout = Layout {
        text,
        pieces,
        options,
        verbatim,
        newline,
        out: String::with_capacity(text.len() + text.len() / 8),
        line_indent: 0,
        line_has_content: false,
        state: State {
            frames: vec![root],
            prev: None,
        },
        conds: Vec::new(),
        force_break: false,
        space_after_comment: false,
        after_block_open: false,
        after_inactive: false,
    };
    for index in 0..pieces.len() {
        layout.piece(index);
    }
    let mut out = layout.out;
    if !out.is_empty() && !layout.after_inactive {
        out.push_str(newline);
    }
    out
}

struct Layout<'a> {
    text: &'a str,
    pieces: &'a [Piece],
    options: &'a FormatOptions,
    verbatim: &'a [Range<usize>],
    newline: &'static str,
    out: String,
    /// Indentation of the current output line.
    line_indent: usize,
    /// Whether anything but indentation is on the current output line.
    line_has_content: bool,
    state: State<'a>,
    conds: Vec<CondSnapshot<'a>>,
    /// The next piece must start a line (after a line comment or directive).
    force_break: bool,
    /// An inline block comment was just written.
    space_after_comment: bool,
    /// The last token opened a block: no blank line may follow.
    after_block_open: bool,
    /// The output ends with dead text and its line break.
    after_inactive: bool,
}

fn is_type_keyword(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        KwInt
            | KwFloat
            | KwString
            | KwObject
            | KwMapping
            | KwMixed
            | KwVoid
            | KwBuffer
            | KwFunction
            | KwClass
    )
}

/// Keywords followed by a space before `(`; others (`catch`, `sscanf`,
/// `new`, `function`, ...) read like calls.
fn spaced_keyword(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        KwIf | KwWhile | KwFor | KwForeach | KwSwitch | KwReturn | KwElse | KwDo | KwCase | KwIn
    )
}

fn is_binary_operator(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Slash
            | Percent
            | Assign
            | PlusAssign
            | MinusAssign
            | StarAssign
            | SlashAssign
            | PercentAssign
            | AmpAssign
            | PipeAssign
            | CaretAssign
            | ShlAssign
            | ShrAssign
            | AndAndAssign
            | OrOrAssign
            | Pipe
            | Caret
            | AndAnd
            | OrOr
            | Shl
            | Shr
            | Gt
            | Le
            | Ge
            | EqEq
            | NotEq
            | Question
            | QuestionQuestion
            | QuestionQuestionAssign
    )
}

/// Tokens whose text is delimited, so nothing written next to them can
/// run into them.
fn is_delimited(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Str | Char
            | TextBlock
            | TextBlockArray
            | Template
            | TemplateHead
            | TemplateMiddle
            | TemplateTail
            | Directive
    )
}

/// Whether two tokens written with nothing between still lex as themselves.
fn lexes_apart(left: &str, right: &str) -> bool {
    let joined = format!("{left}{right}");
    let (tokens, diagnostics) = tokenize(&joined, FileId(0));
    diagnostics.is_empty()
        && tokens.len() == 2
        && tokens[0].span.range() == (0..left.len())
        && tokens[1].span.range() == (left.len()..joined.len())
}

fn operand_end(role: Role) -> bool {
    matches!(role, Role::Operand | Role::Postfix | Role::ArrayClose)
}

impl<'a> Layout<'a> {
    fn piece(&mut self, index: usize) {
        let piece = self.pieces[index];
        if index > 0 && self.inside_verbatim(self.pieces[index - 1].end, piece.end) {
            self.as_written(index);
            return;
        }
        match piece.kind {
            PieceKind::Token(TokenKind::Directive) => self.directive(index),
            PieceKind::Token(kind) => self.token(index, kind),
            PieceKind::LineComment | PieceKind::BlockComment => self.comment(index),
            PieceKind::Inactive => self.inactive(index),
        }
    }

    fn inside_verbatim(&self, start: usize, end: usize) -> bool {
        self.verbatim
            .iter()
            .any(|r| r.start <= start && end <= r.end)
    }

    /// A piece inside a verbatim range: the whitespace before it and its
    /// text exactly as written, the nesting still followed.
    fn as_written(&mut self, index: usize) {
        let piece = self.pieces[index];
        let gap = &self.text[self.pieces[index - 1].end..piece.start];
        self.out.push_str(gap);
        self.write(piece.text(self.text));
        self.force_break = false;
        self.space_after_comment = false;
        if let PieceKind::Token(kind) = piece.kind
            && kind != TokenKind::Directive
        {
            self.prepare(kind);
            let role = self.classify(kind, index);
            self.apply(kind, role, piece.text(self.text));
        }
    }

    fn frame(&self) -> &Frame {
        // The root frame is never popped.
        &self.state.frames[self.state.frames.len() - 1]
    }

    fn frame_mut(&mut self) -> &mut Frame {
        let last = self.state.frames.len() - 1;
        &mut self.state.frames[last]
    }

    fn block_mut(&mut self) -> Option<&mut BlockState> {
        match &mut self.frame_mut().kind {
            FrameKind::Block(block) => Some(block),
            FrameKind::Group(_) => None,
        }
    }

    fn next_token_kind(&self, index: usize) -> Option<TokenKind> {
        self.pieces[index + 1..].iter().find_map(|p| p.token_kind())
    }

    fn indent_string(&self, levels: usize) -> String {
        if self.options.use_tabs {
            "\t".repeat(levels)
        } else {
            " ".repeat(levels * self.options.indent_width)
        }
    }

    fn blank_lines(&self, newlines_before: usize) -> usize {
        if self.options.keep_line_breaks {
            return newlines_before.saturating_sub(1);
        }
        if self.out.is_empty() || self.after_block_open {
            return 0;
        }
        newlines_before
            .saturating_sub(1)
            .min(self.options.max_blank_lines)
    }

    fn start_line(&mut self, blank: usize, indent: usize) {
        // Only dead text ends in its own line break; a directive may end in
        // one that belongs to its last, empty, continued line.
        if !self.out.is_empty() && !self.after_inactive {
            self.out.push_str(self.newline);
        }
        if !self.out.is_empty() {
            for _ in 0..blank {
                self.out.push_str(self.newline);
            }
        }
        let indent_text = self.indent_string(indent);
        self.out.push_str(&indent_text);
        self.line_indent = indent;
        self.line_has_content = false;
    }

    fn write(&mut self, text: &str) {
        self.after_inactive = false;
        self.out.push_str(text);
        self.line_has_content = true;
    }

    /// Pairs a token that may continue a finished statement (`else`,
    /// `while`) with it, and opens a body without braces before its first
    /// token.
    fn prepare(&mut self, kind: TokenKind) {
        let Some(block) = self.block_mut() else {
            return;
        };
        if block.pending_resolve && kind != TokenKind::RBrace {
            block.pending_resolve = false;
            resolve(block, kind);
        }
        if let Expect::Body(body) = block.expect {
            let attaches = match kind {
                TokenKind::LBrace | TokenKind::Semi => true,
                TokenKind::KwIf => body == Body::Else,
                _ => false,
            };
            if !attaches {
                block.singles.push(body);
                block.expect = Expect::Stmt;
            }
        }
    }

    /// The indentation of a token of kind `kind` that starts a line here.
    fn break_indent(&self, kind: TokenKind) -> usize {
        let frame = self.frame();
        match &frame.kind {
            FrameKind::Block(block) => {
                if kind == TokenKind::RBrace {
                    return frame.open_indent;
                }
                let stmt = block.base
                    + usize::from(block.body == Body::Switch && block.in_case)
                    + block.singles.len();
                match block.expect {
                    Expect::Stmt | Expect::Body(_)
                        if block.body == Body::Switch
                            && matches!(kind, TokenKind::KwCase | TokenKind::KwDefault) =>
                    {
                        block.base
                    }
                    Expect::Stmt | Expect::Body(_) => stmt,
                    Expect::Mid if self.state.frames.len() == 1 && block.singles.is_empty() => stmt,
                    Expect::Mid => stmt + 1,
                }
            }
            FrameKind::Group(group) => {
                if self.closes_group(*group, kind) {
                    frame.open_indent
                } else {
                    frame.open_indent + 1
                }
            }
        }
    }

    fn closes_group(&self, group: Group, kind: TokenKind) -> bool {
        use TokenKind::*;
        match group {
            Group::Cond(_) | Group::Paren => kind == RParen,
            Group::FunctionPtr => kind == RParen || (kind == Colon && self.frame().ternary == 0),
            Group::Bracket | Group::Mapping => kind == RBracket,
            Group::Array => kind == RBrace,
            Group::Template => false,
        }
    }

    /// Where an own-line comment before a token of kind `next` goes.
    fn comment_indent(&self, next: Option<TokenKind>) -> usize {
        let frame = self.frame();
        match (next, &frame.kind) {
            (Some(TokenKind::RBrace), FrameKind::Block(block)) => {
                block.base + usize::from(block.body == Body::Switch && block.in_case)
            }
            (Some(kind), FrameKind::Group(group)) if self.closes_group(*group, kind) => {
                frame.open_indent + 1
            }
            (Some(kind), _) if kind != TokenKind::Directive => self.break_indent(kind),
            _ => self.break_indent(TokenKind::Semi),
        }
    }

    /// Whether a token of kind `kind` starts a new line.
    fn wants_break(&self, kind: TokenKind, newlines_before: usize) -> bool {
        use TokenKind::*;
        if self.out.is_empty() {
            return false;
        }
        if self.force_break {
            return true;
        }
        if self.options.keep_line_breaks {
            return newlines_before > 0;
        }
        let prev = self.state.prev;
        let prev_kind = prev.map(|p| p.kind);
        let after_keyword = prev_kind.is_some_and(|k| k.is_keyword());
        let frame = self.frame();
        match &frame.kind {
            FrameKind::Block(block) => {
                if kind == RBrace && self.state.frames.len() > 1 {
                    return !frame.empty;
                }
                if kind == Semi {
                    return false;
                }
                match block.expect {
                    Expect::Stmt => {
                        let after_label = prev.is_some_and(|p| p.role == Role::LabelColon);
                        if kind == LBrace && after_label {
                            return false;
                        }
                        let continues = prev_kind == Some(RBrace)
                            && matches!(
                                (kind, block.last_closed),
                                (KwElse, Some(Body::If)) | (KwWhile, Some(Body::Do))
                            );
                        !continues
                    }
                    Expect::Body(_) => false,
                    Expect::Mid => {
                        if kind == LBrace && prev_kind != Some(LParen) {
                            return false;
                        }
                        if kind == LParen && after_keyword {
                            return false;
                        }
                        newlines_before > 0
                    }
                }
            }
            FrameKind::Group(Group::Template) => false,
            FrameKind::Group(_) => {
                if kind == Semi || (kind == LParen && after_keyword) {
                    return false;
                }
                if kind == LBrace && prev_kind != Some(LParen) {
                    return false;
                }
                newlines_before > 0
            }
        }
    }

    /// The role a token of kind `kind` plays, before the nesting is updated for it.
    fn classify(&self, kind: TokenKind, index: usize) -> Role {
        use TokenKind::*;
        let prev = self.state.prev;
        let prev_role = prev.map_or(Role::Other, |p| p.role);
        let prev_kind = prev.map(|p| p.kind);
        let frame = self.frame();
        match kind {
            Ident if prev_kind == Some(KwClass) => Role::TypeName,
            Ident | Int | Float | Char | Str | TextBlock | TextBlockArray | Template
            | TemplateTail | Param => Role::Operand,
            RParen => {
                let cast = matches!(frame.kind, FrameKind::Group(Group::Paren))
                    && frame.only_types
                    && !frame.empty;
                if cast { Role::CastClose } else { Role::Operand }
            }
            RBracket => Role::Operand,
            RBrace => match frame.kind {
                FrameKind::Group(Group::Array) => Role::ArrayClose,
                _ => Role::BlockClose,
            },
            LBrace if prev_kind == Some(LParen) => Role::ArrayOpen,
            LBrace => Role::BlockOpen,
            LParen | LBracket | FunctionOpen => Role::Open,
            PlusPlus | MinusMinus if operand_end(prev_role) => Role::Postfix,
            PlusPlus | MinusMinus => Role::Prefix,
            Minus | Plus | Star | Amp if operand_end(prev_role) => Role::Binary,
            Minus | Plus | Star | Amp => Role::Prefix,
            Bang | Tilde | Dollar => Role::Prefix,
            Lt if matches!(prev_kind, Some(LBracket | DotDot)) => Role::Prefix,
            Lt => Role::Binary,
            Colon => {
                if frame.ternary > 0 {
                    Role::Binary
                } else if matches!(&frame.kind, FrameKind::Block(b) if b.in_label) {
                    Role::LabelColon
                } else if matches!(frame.kind, FrameKind::Group(Group::FunctionPtr))
                    && self.next_token_kind(index) == Some(RParen)
                {
                    Role::FnPtrClose
                } else {
                    Role::KeyColon
                }
            }
            _ if is_binary_operator(kind) => Role::Binary,
            _ => Role::Other,
        }
    }

    /// Whether a space separates the previous token from this one on a line.
    fn spaced(&self, kind: TokenKind, role: Role) -> bool {
        use TokenKind::*;
        let Some(prev) = self.state.prev else {
            return false;
        };
        if self.space_after_comment {
            return !matches!(kind, RParen | RBracket | Comma | Semi);
        }
        if prev.role == Role::Prefix || role == Role::Postfix {
            return false;
        }
        if role == Role::BlockOpen {
            return true;
        }
        if matches!(role, Role::LabelColon | Role::KeyColon) {
            return false;
        }
        if role == Role::FnPtrClose {
            return true;
        }
        if prev.role == Role::FnPtrClose {
            return false;
        }
        if matches!(kind, RParen | RBracket | Comma | Semi | Ellipsis) || role == Role::ArrayClose {
            return false;
        }
        if matches!(prev.kind, LParen | LBracket | TemplateHead | TemplateMiddle)
            || prev.role == Role::ArrayOpen
        {
            return false;
        }
        if matches!(kind, TemplateMiddle | TemplateTail) {
            return false;
        }
        let tight = [Dot, Arrow, OptionalDot, DotOptional, DotDot];
        if tight.contains(&kind) || tight.contains(&prev.kind) || prev.kind == ColonColon {
            return false;
        }
        if kind == ColonColon {
            return !matches!(prev.kind, Ident | KwEfun) && prev.role != Role::Prefix;
        }
        if kind == LParen {
            if prev.kind.is_keyword() {
                return spaced_keyword(prev.kind);
            }
            return !(operand_end(prev.role) || prev.role == Role::CastClose);
        }
        if kind == LBracket {
            return !operand_end(prev.role);
        }
        if prev.role == Role::CastClose {
            return false;
        }
        true
    }

    fn token(&mut self, index: usize, kind: TokenKind) {
        let piece = self.pieces[index];
        let text = piece.text(self.text);
        self.prepare(kind);
        let role = self.classify(kind, index);
        let action = if self.wants_break(kind, piece.newlines_before) {
            let blank = if kind == TokenKind::RBrace
                && role == Role::BlockClose
                && !self.options.keep_line_breaks
            {
                0
            } else {
                self.blank_lines(piece.newlines_before)
            };
            Action::Break {
                indent: self.break_indent(kind),
                blank,
            }
        } else if self.out.is_empty() {
            Action::Tight
        } else if self.spaced(kind, role) {
            Action::Space
        } else {
            match self.state.prev {
                Some(prev)
                    if !is_delimited(prev.kind)
                        && !is_delimited(kind)
                        && !lexes_apart(prev.text, text) =>
                {
                    Action::Space
                }
                _ => Action::Tight,
            }
        };
        match action {
            Action::Break { indent, blank } => self.start_line(blank, indent),
            Action::Space => self.out.push(' '),
            Action::Tight => {}
        }
        self.force_break = false;
        self.space_after_comment = false;
        self.write(text);
        self.apply(kind, role, text);
    }

    /// Updates the nesting for a token just written.
    fn apply(&mut self, kind: TokenKind, role: Role, text: &'a str) {
        use TokenKind::*;
        let prev_kind = self.state.prev.map(|p| p.kind);
        let line_indent = self.line_indent;
        self.after_block_open = false;
        let frame = self.frame_mut();
        frame.empty = false;
        if matches!(frame.kind, FrameKind::Group(Group::Paren)) {
            let type_part = is_type_keyword(kind)
                || kind == Star
                || (kind == Ident && prev_kind == Some(KwClass));
            frame.only_types &= type_part;
        }
        let mut was = Expect::Mid;
        let mut block_indent = line_indent;
        if let FrameKind::Block(block) = &mut frame.kind {
            was = block.expect;
            if was == Expect::Stmt && kind != RBrace {
                block.stmt_indent = line_indent;
            }
            block_indent = block.stmt_indent;
            block.expect = Expect::Mid;
            block.last_closed = None;
        }
        let group = |kind: Group| Frame {
            kind: FrameKind::Group(kind),
            open_indent: line_indent,
            ternary: 0,
            empty: true,
            only_types: true,
        };
        match kind {
            LParen => {
                let cond = match prev_kind {
                    Some(KwIf) => Some(Body::If),
                    Some(KwWhile | KwFor | KwForeach) => Some(Body::Loop),
                    Some(KwSwitch) => Some(Body::Switch),
                    _ => None,
                };
                let kind = match cond {
                    Some(body) if was == Expect::Mid => Group::Cond(body),
                    _ => Group::Paren,
                };
                self.state.frames.push(group(kind));
            }
            FunctionOpen => self.state.frames.push(group(Group::FunctionPtr)),
            LBracket if prev_kind == Some(LParen) => self.state.frames.push(group(Group::Mapping)),
            LBracket => self.state.frames.push(group(Group::Bracket)),
            LBrace if role == Role::ArrayOpen => self.state.frames.push(group(Group::Array)),
            LBrace => {
                let body = match was {
                    Expect::Body(body) => body,
                    _ => Body::Plain,
                };
                self.state.frames.push(Frame {
                    kind: FrameKind::Block(BlockState {
                        base: block_indent + 1,
                        body,
                        expect: Expect::Stmt,
                        singles: Vec::new(),
                        pending_resolve: false,
                        last_closed: None,
                        in_case: false,
                        in_label: false,
                        stmt_indent: block_indent + 1,
                    }),
                    open_indent: block_indent,
                    ternary: 0,
                    empty: true,
                    only_types: false,
                });
                self.after_block_open = true;
            }
            RParen | RBracket => {
                let closes = matches!(
                    (kind, &self.frame().kind),
                    (
                        RParen,
                        FrameKind::Group(Group::Paren | Group::Cond(_) | Group::FunctionPtr)
                    ) | (RBracket, FrameKind::Group(Group::Bracket | Group::Mapping))
                );
                if closes && self.state.frames.len() > 1 {
                    let closed = self.state.frames.pop();
                    if let (
                        Some(Frame {
                            kind: FrameKind::Group(Group::Cond(body)),
                            ..
                        }),
                        Some(block),
                    ) = (closed, self.block_mut())
                    {
                        block.expect = Expect::Body(body);
                    }
                }
            }
            RBrace => {
                let closes = matches!(
                    self.frame().kind,
                    FrameKind::Group(Group::Array) | FrameKind::Block(_)
                );
                if closes && self.state.frames.len() > 1 {
                    let closed = self.state.frames.pop();
                    if let Some(Frame {
                        kind: FrameKind::Block(inner),
                        ..
                    }) = closed
                        && let Some(block) = self.block_mut()
                    {
                        block.expect = Expect::Stmt;
                        block.pending_resolve = true;
                        block.last_closed = Some(inner.body);
                    }
                }
            }
            Semi => {
                if let Some(block) = self.block_mut() {
                    block.expect = Expect::Stmt;
                    block.pending_resolve = true;
                }
            }
            KwElse => {
                if let Some(block) = self.block_mut() {
                    block.expect = Expect::Body(Body::Else);
                }
            }
            KwDo => {
                if let Some(block) = self.block_mut() {
                    block.expect = Expect::Body(Body::Do);
                }
            }
            KwCase | KwDefault => {
                if let Some(block) = self.block_mut()
                    && block.body == Body::Switch
                    && was != Expect::Mid
                {
                    block.in_label = true;
                    block.in_case = false;
                }
            }
            Question => self.frame_mut().ternary += 1,
            Colon => {
                let frame = self.frame_mut();
                if frame.ternary > 0 {
                    frame.ternary -= 1;
                } else if let FrameKind::Block(block) = &mut frame.kind
                    && block.in_label
                {
                    block.in_label = false;
                    block.in_case = true;
                    block.expect = Expect::Stmt;
                }
            }
            TemplateHead => self.state.frames.push(group(Group::Template)),
            TemplateTail
                if matches!(self.frame().kind, FrameKind::Group(Group::Template))
                    && self.state.frames.len() > 1 =>
            {
                self.state.frames.pop();
            }
            _ => {}
        }
        self.state.prev = Some(Prev { kind, text, role });
    }

    fn directive(&mut self, index: usize) {
        let piece = self.pieces[index];
        let text = directive_text(piece.text(self.text));
        if !self.out.is_empty() {
            let blank = self.blank_lines(piece.newlines_before);
            self.start_line(blank, 0);
        }
        self.write(text);
        self.frame_mut().empty = false;
        self.force_break = true;
        self.space_after_comment = false;
        match directive_name(text) {
            "if" | "ifdef" | "ifndef" => self.conds.push(CondSnapshot {
                start: self.state.clone(),
                first_end: None,
            }),
            "else" | "elif" => {
                if let Some(cond) = self.conds.last_mut() {
                    if cond.first_end.is_none() {
                        cond.first_end = Some(self.state.clone());
                    }
                    self.state = cond.start.clone();
                }
            }
            "endif" => {
                if let Some(CondSnapshot {
                    first_end: Some(first),
                    ..
                }) = self.conds.pop()
                {
                    self.state = first;
                }
            }
            _ => {}
        }
    }

    fn inactive(&mut self, index: usize) {
        let piece = self.pieces[index];
        if !self.out.is_empty() {
            self.out.push_str(self.newline);
        }
        let text = inactive_text(piece.text(self.text));
        self.write(&text);
        self.after_inactive = text.ends_with('\n');
        self.line_has_content = !self.after_inactive;
        self.force_break = true;
    }

    fn comment(&mut self, index: usize) {
        let piece = self.pieces[index];
        let raw = piece.text(self.text);
        let own_line = piece.newlines_before > 0 || self.out.is_empty() || self.force_break;
        if own_line {
            let next = self.next_token_kind(index);
            if let Some(kind) = next {
                self.prepare(kind);
            }
            let indent = self.comment_indent(next);
            let blank = self.blank_lines(piece.newlines_before);
            self.start_line(blank, indent);
            let text = self.reindented(piece, raw, indent);
            self.write(&text);
        } else {
            let tight = self.state.prev.is_some_and(|p| {
                matches!(p.kind, TokenKind::LParen | TokenKind::LBracket)
                    || matches!(p.role, Role::Prefix | Role::ArrayOpen)
            });
            if self.line_has_content && !tight {
                self.out.push(' ');
            }
            self.write(&comment_text(raw));
        }
        self.frame_mut().empty = false;
        self.after_block_open = false;
        let next_on_new_line = self
            .pieces
            .get(index + 1)
            .is_none_or(|p| p.newlines_before > 0);
        if piece.kind == PieceKind::LineComment || next_on_new_line {
            self.force_break = true;
            self.space_after_comment = false;
        } else {
            self.force_break = false;
            self.space_after_comment = true;
        }
    }

    /// A comment's text with its later lines moved as far as its first.
    fn reindented(&self, piece: Piece, raw: &str, indent: usize) -> String {
        let text = comment_text(raw);
        if !text.contains('\n') || self.options.use_tabs {
            return text;
        }
        let line_start = self.text[..piece.start].rfind('\n').map_or(0, |i| i + 1);
        let old_lead = &self.text[line_start..piece.start];
        if !old_lead.bytes().all(|b| b == b' ') {
            return text;
        }
        let old = old_lead.len();
        let new = indent * self.options.indent_width;
        if old == new {
            return text;
        }
        let mut lines = text.split('\n');
        let mut out = String::with_capacity(text.len());
        out.push_str(lines.next().unwrap_or(""));
        for line in lines {
            out.push('\n');
            if line.trim().is_empty() {
                out.push_str(line.trim_start_matches([' ', '\t']));
                continue;
            }
            let lead = line.len() - line.trim_start_matches(' ').len();
            if lead < old || line[..lead].contains('\t') {
                return text;
            }
            out.push_str(&" ".repeat(new + lead - old));
            out.push_str(&line[lead..]);
        }
        out
    }
}

/// Completes the bodies without braces that the statement just ended
/// finishes, leaving the one an `else` or `while` continues.
fn resolve(block: &mut BlockState, next: TokenKind) {
    let continues = matches!(
        (next, block.last_closed),
        (TokenKind::KwElse, Some(Body::If)) | (TokenKind::KwWhile, Some(Body::Do))
    );
    if continues {
        return;
    }
    while let Some(top) = block.singles.pop() {
        match (top, next) {
            (Body::If, TokenKind::KwElse) | (Body::Do, TokenKind::KwWhile) => return,
            _ => {}
        }
    }
}

/// A directive line without trailing blanks, unless removing them would
/// leave a backslash that continues the line.
pub(super) fn directive_text(text: &str) -> &str {
    let trimmed = text.trim_end_matches([' ', '\t', '\x0b', '\x0c', '\r']);
    if trimmed.ends_with('\\') {
        text
    } else {
        trimmed
    }
}

/// Dead `#if` text with trailing blanks removed from lines where that
/// cannot join two lines.
pub(super) fn inactive_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix("\r\n") {
            Some(body) => (body, "\r\n"),
            None => match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            },
        };
        out.push_str(directive_text(body));
        out.push_str(end);
    }
    out
}

/// A comment without trailing blanks on any of its lines.
pub(super) fn comment_text(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        out.push_str(line.trim_end_matches([' ', '\t', '\x0b', '\x0c', '\r']));
        if !last {
            if line.ends_with('\r') {
                out.push('\r');
            }
            out.push('\n');
        }
    }
    out
}
