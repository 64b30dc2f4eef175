//! The syntax tree of one LPC program, as the parser builds it: plain data
//! with a span on every node, names as inline small strings, and boxes only
//! where recursion needs them. Names are not resolved here.

use smol_str::SmolStr;

use crate::span::Span;

/// A name as written, with where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub text: SmolStr,
    pub span: Span,
}

/// The modifiers in front of a declaration, as a bit set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Modifiers(pub u8);

impl Modifiers {
    pub const PRIVATE: Modifiers = Modifiers(1);
    pub const PROTECTED: Modifiers = Modifiers(2);
    pub const PUBLIC: Modifiers = Modifiers(4);
    pub const NOMASK: Modifiers = Modifiers(8);
    pub const NOSAVE: Modifiers = Modifiers(16);
    pub const VARARGS: Modifiers = Modifiers(32);
    /// Only accepted when [`crate::parser::ParseOptions::allow_static`] is set.
    pub const STATIC: Modifiers = Modifiers(64);

    const NAMES: [(Modifiers, &'static str); 7] = [
        (Modifiers::PRIVATE, "private"),
        (Modifiers::PROTECTED, "protected"),
        (Modifiers::PUBLIC, "public"),
        (Modifiers::NOMASK, "nomask"),
        (Modifiers::NOSAVE, "nosave"),
        (Modifiers::VARARGS, "varargs"),
        (Modifiers::STATIC, "static"),
    ];

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, other: Modifiers) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn union(self, other: Modifiers) -> Modifiers {
        Modifiers(self.0 | other.0)
    }

    /// The modifier keywords in the set, in a fixed order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Modifiers::NAMES
            .into_iter()
            .filter(move |(m, _)| self.contains(*m))
            .map(|(_, n)| n)
    }
}

/// The base of a type, before any `*`.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// No type was written (old-style untyped declarations).
    Missing,
    Int,
    Float,
    String,
    Object,
    Mapping,
    Function,
    Buffer,
    Mixed,
    Void,
    Class(SmolStr),
}

/// A type as written: a base and how many `*` follow it.
#[derive(Clone, Debug, PartialEq)]
pub struct Type {
    pub kind: TypeKind,
    pub array_depth: u8,
    pub span: Span,
}

impl Type {
    pub fn missing(span: Span) -> Type {
        Type {
            kind: TypeKind::Missing,
            array_depth: 0,
            span,
        }
    }

    /// The same base with `extra` more levels of array.
    pub fn with_stars(&self, extra: u8, span: Span) -> Type {
        Type {
            kind: self.kind.clone(),
            array_depth: self.array_depth.saturating_add(extra),
            span,
        }
    }
}

/// A whole source file after preprocessing.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Inherit(Box<Inherit>),
    Vars(Box<GlobalVars>),
    Function(Box<Function>),
    Class(Box<ClassDef>),
    /// `private:` and the like: the default modifiers from here on.
    Modifiers(Modifiers, Span),
    /// Text the parser skipped after a syntax error.
    Error(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Inherit {
    pub modifiers: Modifiers,
    /// The path with adjacent and `+`-joined literals concatenated.
    pub path: SmolStr,
    pub path_span: Span,
    pub span: Span,
}

/// `int x, *y = ({});` at the top level.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalVars {
    pub modifiers: Modifiers,
    pub vars: Vec<VarDecl>,
    pub span: Span,
}

/// One declared variable (global, local or class member) with its full type.
#[derive(Clone, Debug, PartialEq)]
pub struct VarDecl {
    pub ty: Type,
    pub name: Name,
    pub init: Option<Expr>,
    pub span: Span,
}

/// A function definition, or a prototype when `body` is `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub modifiers: Modifiers,
    pub return_type: Type,
    pub name: Name,
    pub params: Vec<Param>,
    /// The last parameter collects the remaining arguments (`int *rest...`).
    pub varargs: bool,
    pub body: Option<Block>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// [`TypeKind::Missing`] for an old-style untyped parameter.
    pub ty: Type,
    /// `int ref x` or `int & x`.
    pub by_ref: bool,
    /// `None` in prototypes that give only the type.
    pub name: Option<Name>,
    /// The expression of `: (: expr :)`, evaluated when the argument is omitted.
    pub default: Option<Expr>,
    pub span: Span,
}

/// `class Name { members }` (or `struct`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDef {
    pub modifiers: Modifiers,
    pub name: Name,
    pub members: Vec<VarDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Expr(Expr),
    /// Local variables, each with its initializer.
    Decl(Vec<VarDecl>),
    If(Box<If>),
    While(Box<While>),
    DoWhile(Box<DoWhile>),
    For(Box<For>),
    Foreach(Box<Foreach>),
    Switch(Box<Switch>),
    /// A `case` label inside a switch body.
    Case(Box<CaseLabel>),
    /// `default:` inside a switch body.
    Default,
    Return(Option<Expr>),
    Break,
    Continue,
    Block(Block),
    /// A lone `;`.
    Empty,
    /// Text the parser skipped after a syntax error.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct If {
    pub cond: Expr,
    pub then: Stmt,
    pub otherwise: Option<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct While {
    pub cond: Expr,
    pub body: Stmt,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DoWhile {
    pub body: Stmt,
    pub cond: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct For {
    pub init: Option<ForInit>,
    pub cond: Option<Expr>,
    pub step: Option<Expr>,
    pub body: Stmt,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ForInit {
    Expr(Expr),
    /// `for (int i = 0; ...)`: one variable, always initialized.
    Decl(Box<VarDecl>),
}

/// `foreach (a in e)` or `foreach (a, b in e)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Foreach {
    pub first: ForeachVar,
    pub second: Option<ForeachVar>,
    pub iterable: Expr,
    pub body: Stmt,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForeachVar {
    /// `Some` when the loop declares a new local; `None` for an existing variable.
    pub ty: Option<Type>,
    pub by_ref: bool,
    pub name: Name,
    pub span: Span,
}

/// `switch (e) { ... }`: the body holds local declarations first, then
/// case labels and statements in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Switch {
    pub discriminant: Expr,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CaseLabel {
    Value(Expr),
    /// `case a..b:`, `case a..:`, `case ..b:`.
    Range {
        low: Option<Expr>,
        high: Option<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// Integer and character literals.
    Int(i64),
    Float(f64),
    /// Adjacent string literals, already joined and unescaped.
    Str(SmolStr),
    /// A string made of literal text and `${}` interpolations, in order.
    Template(Vec<TemplatePart>),
    Ident(SmolStr),
    /// `$1`, `$2`: an argument of the enclosing `(: :)`.
    Param(u32),
    /// `$(expr)`: a value captured when the `(: :)` is created.
    Capture(Box<Expr>),
    /// `({ a, b })`.
    Array(Vec<Expr>),
    /// `([ k: v ])`.
    Mapping(Vec<MapEntry>),
    Unary(UnaryOp, Box<Expr>),
    Binary(Box<Binary>),
    Assign(Box<Assign>),
    Ternary(Box<Ternary>),
    Cast(Box<Cast>),
    Index(Box<Index>),
    Range(Box<Range>),
    Member(Box<Member>),
    Call(Box<Call>),
    /// `new(class Name, field: value, ...)`.
    NewClass(Box<NewClass>),
    Catch(Box<ExprOrBlock>),
    TimeExpression(Box<ExprOrBlock>),
    Sscanf(Box<Sscanf>),
    ParseCommand(Box<ParseCommand>),
    FunctionPtr(Box<FunctionPtr>),
    /// `function (int x) { ... }`.
    Lambda(Box<Lambda>),
    /// `a, b, c`: evaluated in order, the value is the last.
    Comma(Vec<Expr>),
    /// `args...` in an argument list.
    Spread(Box<Expr>),
    /// Stands for a part the parser skipped after a syntax error.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    Text(SmolStr),
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MapEntry {
    pub key: Expr,
    pub value: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Not,
    Compl,
    PreInc,
    PreDec,
    PostInc,
    PostDec,
    /// `ref x` or `&x`: pass by reference.
    Ref,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    And,
    Or,
    /// `??`
    Nullish,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::BitAnd => "&",
            BinaryOp::BitOr => "|",
            BinaryOp::BitXor => "^",
            BinaryOp::Shl => "<<",
            BinaryOp::Shr => ">>",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
            BinaryOp::Nullish => "??",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
        }
    }
}

/// `=` or a compound assignment; compound ones carry their operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignOp {
    Assign,
    Compound(BinaryOp),
}

impl AssignOp {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignOp::Assign => "=",
            AssignOp::Compound(BinaryOp::Add) => "+=",
            AssignOp::Compound(BinaryOp::Sub) => "-=",
            AssignOp::Compound(BinaryOp::Mul) => "*=",
            AssignOp::Compound(BinaryOp::Div) => "/=",
            AssignOp::Compound(BinaryOp::Mod) => "%=",
            AssignOp::Compound(BinaryOp::BitAnd) => "&=",
            AssignOp::Compound(BinaryOp::BitOr) => "|=",
            AssignOp::Compound(BinaryOp::BitXor) => "^=",
            AssignOp::Compound(BinaryOp::Shl) => "<<=",
            AssignOp::Compound(BinaryOp::Shr) => ">>=",
            AssignOp::Compound(BinaryOp::And) => "&&=",
            AssignOp::Compound(BinaryOp::Or) => "||=",
            AssignOp::Compound(BinaryOp::Nullish) => "??=",
            AssignOp::Compound(_) => "?=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Binary {
    pub op: BinaryOp,
    pub lhs: Expr,
    pub rhs: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Assign {
    pub op: AssignOp,
    pub target: Expr,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ternary {
    pub cond: Expr,
    pub then: Expr,
    pub otherwise: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cast {
    pub ty: Type,
    pub expr: Expr,
}

/// `a[i]`, `a[<i]`, and the optional forms `a?.[i]`, `a.?[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    pub base: Expr,
    pub index: Expr,
    /// `[<i]`: counted from the end.
    pub from_end: bool,
    /// `?.[` or `.?[`: yields 0 instead of failing on a non-mapping.
    pub optional: bool,
}

/// `a[i..j]` and its variants.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub base: Expr,
    pub start: Option<RangeBound>,
    pub end: Option<RangeBound>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RangeBound {
    pub expr: Expr,
    /// Written with `<`: counted from the end.
    pub from_end: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemberOp {
    /// `a.b`
    Dot,
    /// `a->b` without a call
    Arrow,
    /// `a?.b`
    OptionalDot,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub base: Expr,
    pub op: MemberOp,
    pub name: Name,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub callee: Callee,
    pub args: Vec<Expr>,
}

/// What a call calls: the grammar allows only these shapes.
#[derive(Clone, Debug, PartialEq)]
pub enum Callee {
    /// `f(...)`
    Name(Name),
    /// `::f(...)` (scope `None`), `parent::f(...)`, `int::f(...)`.
    Scoped { scope: Option<Name>, name: Name },
    /// `efun::f(...)`
    Efun(Name),
    /// `new(...)`
    New,
    /// `ob->f(...)`
    Method { object: Expr, name: Name },
    /// `a[i](...)` and `(*f)(...)`: a function value.
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewClass {
    pub class: Name,
    pub fields: Vec<(Name, Expr)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprOrBlock {
    Expr(Expr),
    Block(Block),
}

/// `sscanf(input, format, targets...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sscanf {
    pub input: Expr,
    pub format: Expr,
    pub targets: Vec<Expr>,
}

/// `parse_command(input, env, pattern, targets...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseCommand {
    pub input: Expr,
    pub env: Expr,
    pub pattern: Expr,
    pub targets: Vec<Expr>,
}

/// The forms of `(: ... :)`.
#[derive(Clone, Debug, PartialEq)]
pub enum FunctionPtr {
    /// `(: f :)`, `(: f, a, b :)`: a function (or variable) by name, with bound arguments.
    Named { name: Name, args: Vec<Expr> },
    /// `(: efun::f :)`, `(: efun::f, a :)`.
    Efun { name: Name, args: Vec<Expr> },
    /// `(: expr :)`: an expression evaluated on each call, using `$1`...
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lambda {
    pub return_type: Type,
    pub params: Vec<Param>,
    pub varargs: bool,
    pub body: Block,
}

// The parser's value stack holds these by value: keep them small.
const _: () = assert!(std::mem::size_of::<Expr>() <= 48);
const _: () = assert!(std::mem::size_of::<ExprKind>() <= 32);
const _: () = assert!(std::mem::size_of::<Stmt>() <= 72);
const _: () = assert!(std::mem::size_of::<Type>() <= 40);
const _: () = assert!(std::mem::size_of::<Item>() <= 24);
