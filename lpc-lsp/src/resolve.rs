//! What a name at a position refers to: a local variable or parameter in
//! scope, a declaration of the file or of what it inherits, a simul_efun, an
//! efun or a macro; and the path of an `#include` or `inherit` line.

use lpcc::ast::{Block, ForInit, Function, Item, Program, Stmt, StmtKind};
use lpcc::span::{FileId, Span};
use smol_str::SmolStr;

use crate::analysis::{FileAnalysis, Symbol, SymbolKind, macro_symbol, resolve_inherit, var_text};
use crate::world::World;

/// A local variable or parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Local {
    pub name: SmolStr,
    /// `int x`, as declared.
    pub text: String,
    /// The name in its declaration, in the main file.
    pub span: Span,
    pub is_param: bool,
}

/// What a name refers to.
#[derive(Clone, Debug)]
pub enum Target {
    Local(Local),
    Symbol(Symbol),
    Efun(String),
    /// A file named by `#include` or `inherit`.
    File(String),
}

/// How a name at the cursor is qualified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qualifier<'a> {
    None,
    /// `::name` or `Parent::name`: an inherited definition.
    Inherited(Option<&'a str>),
    /// `efun::name`.
    Efun,
    /// `ob->name`: a function of some other object.
    Arrow,
}

pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The identifier that covers or ends at `offset`, with its range.
pub fn ident_at(text: &str, offset: u32) -> Option<(u32, u32, &str)> {
    let bytes = text.as_bytes();
    let offset = (offset as usize).min(bytes.len());
    let mut start = offset;
    while start > 0 && is_ident_byte(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = offset;
    while end < bytes.len() && is_ident_byte(bytes[end]) {
        end += 1;
    }
    if start == end || bytes[start].is_ascii_digit() {
        return None;
    }
    Some((start as u32, end as u32, &text[start..end]))
}

/// The qualifier written before the identifier starting at `start`.
pub fn qualifier_before(text: &str, start: u32) -> Qualifier<'_> {
    let before = text[..start as usize].trim_end();
    if before.ends_with("->") {
        return Qualifier::Arrow;
    }
    let Some(scope) = before.strip_suffix("::") else {
        return Qualifier::None;
    };
    let bytes = scope.as_bytes();
    let mut i = bytes.len();
    while i > 0 && is_ident_byte(bytes[i - 1]) {
        i -= 1;
    }
    match &scope[i..] {
        "" => Qualifier::Inherited(None),
        "efun" => Qualifier::Efun,
        name => Qualifier::Inherited(Some(name)),
    }
}

fn covers(span: Span, file: FileId, offset: u32) -> bool {
    span.file == file && span.start <= offset && offset <= span.end
}

/// The function whose body holds `offset`.
pub fn function_at(program: &Program, file: FileId, offset: u32) -> Option<&Function> {
    program.items.iter().find_map(|item| match item {
        Item::Function(f)
            if f.body
                .as_ref()
                .is_some_and(|b| covers(b.span, file, offset)) =>
        {
            Some(&**f)
        }
        _ => None,
    })
}

/// Locals and parameters in scope at `offset`, outermost first: a later one
/// with the same name shadows an earlier.
pub fn locals_at(program: &Program, file: FileId, offset: u32) -> Vec<Local> {
    let mut out = Vec::new();
    let Some(function) = function_at(program, file, offset) else {
        return out;
    };
    for param in &function.params {
        if let Some(name) = &param.name {
            out.push(Local {
                name: name.text.clone(),
                text: var_text(&param.ty, &name.text),
                span: name.span,
                is_param: true,
            });
        }
    }
    if let Some(body) = &function.body {
        block_locals(body, file, offset, &mut out);
    }
    out
}

fn block_locals(block: &Block, file: FileId, offset: u32, out: &mut Vec<Local>) {
    stmts_locals(&block.stmts, file, offset, out);
}

fn stmts_locals(stmts: &[Stmt], file: FileId, offset: u32, out: &mut Vec<Local>) {
    for stmt in stmts {
        if stmt.span.file == file && stmt.span.start > offset {
            break;
        }
        stmt_locals(stmt, file, offset, out);
    }
}

fn push_var(var: &lpcc::ast::VarDecl, out: &mut Vec<Local>) {
    out.push(Local {
        name: var.name.text.clone(),
        text: var_text(&var.ty, &var.name.text),
        span: var.name.span,
        is_param: false,
    });
}

fn stmt_locals(stmt: &Stmt, file: FileId, offset: u32, out: &mut Vec<Local>) {
    let inside = covers(stmt.span, file, offset);
    match &stmt.kind {
        StmtKind::Decl(vars) => {
            for var in vars {
                if var.name.span.start <= offset {
                    push_var(var, out);
                }
            }
        }
        StmtKind::Block(block) if inside => block_locals(block, file, offset, out),
        StmtKind::If(s) if inside => {
            stmt_locals(&s.then, file, offset, out);
            if let Some(otherwise) = &s.otherwise {
                stmt_locals(otherwise, file, offset, out);
            }
        }
        StmtKind::While(s) if inside => stmt_locals(&s.body, file, offset, out),
        StmtKind::DoWhile(s) if inside => stmt_locals(&s.body, file, offset, out),
        StmtKind::For(s) if inside => {
            if let Some(ForInit::Decl(var)) = &s.init {
                push_var(var, out);
            }
            stmt_locals(&s.body, file, offset, out);
        }
        StmtKind::Foreach(s) if inside => {
            for var in std::iter::once(&s.first).chain(&s.second) {
                if let Some(ty) = &var.ty {
                    out.push(Local {
                        name: var.name.text.clone(),
                        text: var_text(ty, &var.name.text),
                        span: var.name.span,
                        is_param: false,
                    });
                }
            }
            stmt_locals(&s.body, file, offset, out);
        }
        StmtKind::Switch(s) if inside => stmts_locals(&s.body, file, offset, out),
        _ => {}
    }
}

/// The macro named `name` as the file defines it (includes too), or as the
/// configuration predefines it.
pub fn find_macro(analysis: &FileAnalysis, name: &str) -> Option<Symbol> {
    let definition = analysis
        .pre
        .macros_defined
        .iter()
        .rev()
        .find(|m| m.name == name)?;
    Some(macro_symbol(analysis.sources(), definition))
}

/// Looks `name` up as the code at `offset` sees it.
pub fn lookup(
    world: &World,
    analysis: &FileAnalysis,
    name: &str,
    offset: u32,
    qualifier: Qualifier<'_>,
) -> Option<Target> {
    if qualifier == Qualifier::Efun {
        return world.efuns.get(name).map(|e| Target::Efun(e.name.clone()));
    }
    if qualifier == Qualifier::None {
        if let Some(m) = find_macro(analysis, name) {
            return Some(Target::Symbol(m));
        }
        let locals = locals_at(&analysis.program, analysis.main_file(), offset);
        if let Some(local) = locals.into_iter().rev().find(|l| l.name == name) {
            return Some(Target::Local(local));
        }
    }
    let summary = world.own_summary(analysis);
    let candidates: Vec<Symbol> = match qualifier {
        Qualifier::Inherited(scope) => {
            let inherited = world.inherited(&summary);
            inherited
                .iter()
                .filter(|s| scope.is_none_or(|scope| inherit_matches(&s.path, scope)))
                .flat_map(|s| s.symbols.iter().cloned())
                .collect()
        }
        _ => world.visible_symbols(&summary),
    };
    let wanted = |s: &&Symbol| {
        s.name == name && (qualifier != Qualifier::Arrow || s.kind == SymbolKind::Function)
    };
    if let Some(symbol) = candidates.iter().filter(|s| !s.prototype).find(wanted) {
        return Some(Target::Symbol(symbol.clone()));
    }
    if let Some(symbol) = candidates.iter().find(wanted) {
        return Some(Target::Symbol(symbol.clone()));
    }
    if qualifier == Qualifier::None {
        return world.efuns.get(name).map(|e| Target::Efun(e.name.clone()));
    }
    None
}

/// Whether `Name::` names the inherited file `path`: its base name.
fn inherit_matches(path: &str, scope: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    let base = base.split('.').next().unwrap_or(base);
    base == scope
}

/// The `#include` or `inherit` path under the cursor, resolved.
pub fn path_at(world: &World, analysis: &FileAnalysis, offset: u32) -> Option<String> {
    let main = analysis.main_file();
    for item in &analysis.program.items {
        // A path written through a macro goes to the macro instead.
        if let Item::Inherit(inherit) = item
            && covers(inherit.path_span, main, offset)
            && analysis.sources().text(inherit.path_span).starts_with('"')
        {
            return Some(resolve_inherit(&*world.vfs, &analysis.path, &inherit.path));
        }
    }
    for (file, directive) in &analysis.pre.includes {
        if covers(*directive, main, offset) {
            return Some(analysis.sources().name(*file).to_string());
        }
    }
    None
}

/// What the name at `offset` refers to, with the range of the name.
pub fn target_at(world: &World, analysis: &FileAnalysis, offset: u32) -> Option<(Target, Span)> {
    let main = analysis.main_file();
    if let Some(path) = path_at(world, analysis, offset) {
        return Some((Target::File(path), Span::new(main, offset, offset)));
    }
    let text = analysis.text();
    let (start, end, name) = ident_at(text, offset)?;
    if in_comment_or_string(text, start) {
        return None;
    }
    let qualifier = qualifier_before(text, start);
    let target = lookup(world, analysis, name, start, qualifier)?;
    Some((target, Span::new(main, start, end)))
}

/// A rough test, on the line alone, for a position inside a `//` comment or
/// a string literal, where names are only text.
pub fn in_comment_or_string(text: &str, offset: u32) -> bool {
    let offset = offset as usize;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    if line.trim_start().starts_with('#') {
        return false;
    }
    let mut in_string = false;
    let mut escaped = false;
    let mut previous = ' ';
    for c in line.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '/' && previous == '/' {
            return true;
        }
        previous = c;
    }
    in_string
}
