//! Code generation: a parsed, checked program becomes a [`Program`] of
//! bytecode. Runs after semantic analysis has accepted the file (so names
//! and argument counts are known good); what it still resolves itself is
//! storage: which slot a local lives in, where an inherited global sits in
//! the object's variables, and whether a call goes to a function of the
//! object, a simul_efun or an efun. Inherited programs come compiled from
//! the caller through [`CodegenEnv::inherit`]; codegen does no I/O.
//!
//! Statements are in `stmt.rs`, expressions in `expr.rs`, grouped like the
//! opcode table's categories.

mod expr;
mod stmt;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use rustc_hash::FxHashMap;
use smol_str::SmolStr;

use crate::ast::{self, Item, Modifiers};
use crate::bytecode::{
    ClassLayout, Function, Global, InheritDecl, Instr, LineEntry, Program, SuperCall, SwitchTable,
    flags,
};
use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;
use crate::span::{FileId, Span};

/// A construct the back end cannot compile yet.
pub const E_UNSUPPORTED: &str = "E0401";
/// An inherited program that could not be compiled.
pub const E_INHERIT: &str = "E0402";
/// A limit of the bytecode format was exceeded (too many locals, constants...).
pub const E_LIMIT: &str = "E0403";
/// A name that resolves to nothing at code generation time.
pub const E_UNRESOLVED: &str = "E0404";

/// What code generation needs from its caller.
pub struct CodegenEnv<'a> {
    /// The compiled program an `inherit` names, with its resolved path.
    pub inherit: &'a mut dyn FnMut(&str) -> Result<Arc<Program>, String>,
    /// Whether a name is a simul_efun; `None` when compiling without one.
    pub is_simul_efun: Option<&'a dyn Fn(&str) -> bool>,
    /// Whether a simul_efun is declared to return `float`, so that storing
    /// its result into an int truncates it; `None` when that is not known.
    pub simul_returns_float: Option<&'a dyn Fn(&str) -> bool>,
    /// The efuns calls may bind to.
    pub efuns: &'a efun_specs::EfunTable,
    /// Asked about each `efun::name` call with the file it is written in
    /// (extension dropped) and the name; false refuses it (the driver's
    /// master `valid_override`).
    pub valid_override: Option<&'a mut OverrideCheck<'a>>,
}

/// Rules on one `efun::name` call: (file written in, efun name).
pub type OverrideCheck<'a> = dyn FnMut(&str, &str) -> bool + 'a;

/// Compiles a parsed program; `sources` maps its spans to lines.
pub fn compile(
    env: &mut CodegenEnv<'_>,
    path: &str,
    program: &ast::Program,
    sources: &SourceMap,
) -> Result<Program, Vec<Diagnostic>> {
    let mut cx = Cx {
        env,
        sources,
        out: Program {
            path: path.to_string(),
            ..Program::default()
        },
        diagnostics: Vec::new(),
        parents: Vec::new(),
        inherited_classes: Vec::new(),
        globals: FxHashMap::default(),
        functions: FxHashMap::default(),
        pools: Pools::default(),
        file_index: FxHashMap::default(),
    };
    cx.declare(program);
    cx.define_functions(program);
    if cx.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(cx.diagnostics);
    }
    Ok(cx.out)
}

/// A global variable as code in this program sees it.
#[derive(Clone)]
struct GlobalSlot {
    slot: u16,
    /// Its declared type.
    ty: Known,
}

/// A declared type as the code generator follows it through variables,
/// elements and class members: the base and how many `*` follow it.
#[derive(Clone, Debug, PartialEq)]
struct Known {
    base: ast::TypeKind,
    depth: u8,
}

impl Default for Known {
    fn default() -> Known {
        Known {
            base: ast::TypeKind::Missing,
            depth: 0,
        }
    }
}

impl Known {
    fn of(ty: &ast::Type) -> Known {
        Known {
            base: ty.kind.clone(),
            depth: ty.array_depth,
        }
    }

    /// Reads a type as [`type_name`] writes it (`float *`, `class `); a
    /// class's name is not recorded there, so it stays unknown.
    fn parse(text: &str) -> Known {
        let depth = text.matches('*').count().min(u8::MAX as usize) as u8;
        let base = match text.trim_end_matches(['*', ' ']) {
            "int" => ast::TypeKind::Int,
            "float" => ast::TypeKind::Float,
            "string" => ast::TypeKind::String,
            "object" => ast::TypeKind::Object,
            "mapping" => ast::TypeKind::Mapping,
            "function" => ast::TypeKind::Function,
            "buffer" => ast::TypeKind::Buffer,
            "class" => ast::TypeKind::Class(SmolStr::default()),
            _ => ast::TypeKind::Mixed,
        };
        Known { base, depth }
    }

    /// What the type means for stores into a variable of it.
    fn declared(&self) -> Declared {
        match (&self.base, self.depth) {
            (ast::TypeKind::Float, 0) => Declared::Float,
            (ast::TypeKind::Buffer, 0) => Declared::Buffer,
            (ast::TypeKind::Int, 0) => Declared::Int,
            (ast::TypeKind::Int, 1) => Declared::IntArray,
            _ => Declared::Other,
        }
    }

    fn is_float(&self) -> bool {
        self.declared() == Declared::Float
    }
}

/// The declared types that change what is stored in a variable: a `float`
/// takes ints as floats, an `int` takes floats truncated (as does an element
/// of an `int *`). Other types store values as they come.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Declared {
    #[default]
    Other,
    Int,
    Float,
    IntArray,
    Buffer,
}

#[derive(Default)]
struct Pools {
    strings: FxHashMap<SmolStr, u32>,
    ints: FxHashMap<i64, u32>,
    names: FxHashMap<SmolStr, u16>,
    efuns: FxHashMap<SmolStr, u16>,
}

struct Cx<'e, 'a> {
    env: &'e mut CodegenEnv<'a>,
    sources: &'e SourceMap,
    out: Program,
    diagnostics: Vec<Diagnostic>,
    /// Compiled direct inherits, parallel to `out.inherits`.
    parents: Vec<Arc<Program>>,
    /// The classes the inherits define, nearest first.
    inherited_classes: Vec<ClassLayout>,
    globals: FxHashMap<SmolStr, GlobalSlot>,
    /// Functions of this program and its inherits, callable by name, with
    /// what their declared return type means for stores.
    functions: FxHashMap<SmolStr, Declared>,
    pools: Pools,
    file_index: FxHashMap<FileId, u16>,
}

/// Every global visible in a program's code, with its slot among the
/// program's variables (own first, then each inherit's).
fn visible_globals(program: &Program, out: &mut Vec<(SmolStr, u16, Known)>, base: u16, top: bool) {
    for inherit in &program.inherits {
        // Parents are searched through their own tables, which the child
        // does not hold; only names and slots are needed, recorded below.
        let _ = inherit;
    }
    for (i, g) in program.globals.iter().enumerate() {
        if top || g.flags & flags::PRIVATE == 0 {
            out.push((g.name.clone(), base + i as u16, Known::parse(&g.ty)));
        }
    }
}

impl Cx<'_, '_> {
    /// The instruction converting `value` on its way into a variable
    /// declared `kind`, if it may need one. Int stores skip it unless the
    /// value can be a float as written, so the common `int` stores stay one
    /// instruction.
    fn store_conversion(&self, b: &FnBuilder, kind: Declared, value: &ast::Expr) -> Option<Instr> {
        match kind {
            Declared::Float if !matches!(value.kind, ast::ExprKind::Float(_)) => {
                Some(Instr::PromoteFloat)
            }
            Declared::Int if self.may_be_float(b, value) => Some(Instr::TruncateInt),
            Declared::Buffer => Some(Instr::PromoteBuffer),
            _ => None,
        }
    }

    /// Whether `e` as written can yield a float: a float literal, a
    /// variable declared `float`, a cast to float, a call of a function or
    /// efun declared to return `float`, an element of a `float *` or a
    /// class member declared `float`, or arithmetic over one.
    fn may_be_float(&self, b: &FnBuilder, e: &ast::Expr) -> bool {
        match &e.kind {
            ast::ExprKind::Float(_) => true,
            ast::ExprKind::Ident(name) => self.float_variable(b, name),
            ast::ExprKind::Cast(cast) => declared(&cast.ty) == Declared::Float,
            ast::ExprKind::Unary(_, inner) => self.may_be_float(b, inner),
            ast::ExprKind::Binary(bin) => {
                self.may_be_float(b, &bin.lhs) || self.may_be_float(b, &bin.rhs)
            }
            ast::ExprKind::Ternary(t) => {
                self.may_be_float(b, &t.then) || self.may_be_float(b, &t.otherwise)
            }
            ast::ExprKind::Call(call) => self.returns_float(&call.callee),
            ast::ExprKind::Index(_) | ast::ExprKind::Member(_) => {
                self.static_type(b, e).is_some_and(|t| t.is_float())
            }
            _ => false,
        }
    }

    /// Whether what `callee` calls is declared to return `float`, as far as
    /// this program can tell: its own and inherited functions, then
    /// simul_efuns, then efuns.
    fn returns_float(&self, callee: &ast::Callee) -> bool {
        let efun_float = |name: &str| {
            self.env
                .efuns
                .resolve(name)
                .is_some_and(|f| f.return_type == efun_specs::Type::Float)
        };
        match callee {
            ast::Callee::Name(name) => match self.functions.get(&name.text) {
                Some(&returns) => returns == Declared::Float,
                None if self.env.is_simul_efun.is_some_and(|f| f(&name.text)) => {
                    self.env.simul_returns_float.is_some_and(|f| f(&name.text))
                }
                None => efun_float(&name.text),
            },
            ast::Callee::Efun(name) => efun_float(&name.text),
            ast::Callee::Scoped { name, .. } => self.parents.iter().any(|p| {
                p.functions
                    .iter()
                    .any(|f| f.name == name.text && returns_float_type(f))
            }),
            _ => false,
        }
    }
}

/// Whether a compiled function's recorded return type is `float`.
fn returns_float_type(f: &Function) -> bool {
    f.types.first().is_some_and(|t| t == "float")
}

fn declared(ty: &ast::Type) -> Declared {
    Known::of(ty).declared()
}

/// Whether `program` or anything it inherits defines a callable `name`.
fn defines_function(
    program: &Program,
    parents: &dyn Fn(&str) -> Option<Arc<Program>>,
    name: &str,
) -> bool {
    if program
        .functions
        .iter()
        .any(|f| f.name == name && f.flags & flags::HIDDEN == 0)
    {
        return true;
    }
    program
        .inherits
        .iter()
        .filter_map(|i| parents(&i.path))
        .any(|p| defines_function(&p, parents, name))
}

impl Cx<'_, '_> {
    fn error(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, span, message));
    }

    /// Inherits, global variables and function names, before any code.
    fn declare(&mut self, program: &ast::Program) {
        let mut own_globals: Vec<(SmolStr, u8, Known, SmolStr)> = Vec::new();
        let mut default_modifiers = Modifiers::default();
        for item in &program.items {
            match item {
                Item::Inherit(inherit) => match (self.env.inherit)(&inherit.path) {
                    Ok(parent) => {
                        self.out.inherits.push(InheritDecl {
                            path: parent.path.clone(),
                            name: crate::sema::summary::inherit_name(&inherit.path),
                            flags: inherit.modifiers.0,
                            var_start: 0,
                        });
                        self.parents.push(parent);
                    }
                    Err(why) => self.error(
                        E_INHERIT,
                        inherit.path_span,
                        format!("cannot inherit {}: {why}", inherit.path),
                    ),
                },
                Item::Vars(vars) => {
                    let modifiers = vars.modifiers.union(default_modifiers);
                    for var in &vars.vars {
                        let mut bits = modifiers.0;
                        if declared(&var.ty) == Declared::Float {
                            bits |= flags::FLOAT;
                        }
                        own_globals.push((
                            var.name.text.clone(),
                            bits,
                            Known::of(&var.ty),
                            type_name(&var.ty),
                        ));
                    }
                }
                Item::Function(function) => {
                    self.functions
                        .insert(function.name.text.clone(), declared(&function.return_type));
                }
                Item::Modifiers(modifiers, _) => default_modifiers = *modifiers,
                Item::Class(class) => self.out.classes.push(ClassLayout {
                    name: class.name.text.clone(),
                    members: class.members.iter().map(|m| m.name.text.clone()).collect(),
                    types: class.members.iter().map(|m| type_name(&m.ty)).collect(),
                }),
                Item::Error(_) => {}
            }
        }
        // Layout: own globals first, then each inherit's variables in order.
        let mut next = own_globals.len();
        for (i, parent) in self.parents.iter().enumerate() {
            self.out.inherits[i].var_start = next as u16;
            next += parent.var_count as usize;
        }
        if next > u16::MAX as usize {
            self.error(E_LIMIT, Span::default(), "too many global variables");
            return;
        }
        self.out.var_count = next as u16;
        self.collect_inherited_classes();
        for i in 0..self.parents.len() {
            let parent = self.parents[i].clone();
            let start = self.out.inherits[i].var_start;
            let mut seen = Vec::new();
            self.collect_parent_globals(&parent, start, &mut seen);
            for (name, slot, ty) in seen {
                self.globals.insert(name, GlobalSlot { slot, ty });
            }
            self.collect_parent_functions(&parent);
        }
        for (i, (name, flags, known, ty)) in own_globals.into_iter().enumerate() {
            let global = GlobalSlot {
                slot: i as u16,
                ty: known,
            };
            self.globals.insert(name.clone(), global);
            self.out.globals.push(Global { name, flags, ty });
        }
    }

    /// The globals a parent shows its children, at their slots in this program.
    fn collect_parent_globals(
        &mut self,
        parent: &Program,
        base: u16,
        out: &mut Vec<(SmolStr, u16, Known)>,
    ) {
        let mut grand = Vec::new();
        for inherit in &parent.inherits {
            if let Ok(p) = (self.env.inherit)(&inherit.path) {
                grand.push((p, inherit.var_start));
            }
        }
        for (p, start) in grand {
            self.collect_parent_globals(&p, base + start, out);
        }
        visible_globals(parent, out, base, false);
    }

    fn collect_parent_functions(&mut self, parent: &Program) {
        for f in &parent.functions {
            if f.flags & (flags::HIDDEN | flags::PRIVATE) == 0 {
                // The most derived definition says what a call returns.
                let returns = if returns_float_type(f) {
                    Declared::Float
                } else {
                    Declared::Other
                };
                self.functions.entry(f.name.clone()).or_insert(returns);
            }
        }
        let mut grand = Vec::new();
        for inherit in &parent.inherits {
            if let Ok(p) = (self.env.inherit)(&inherit.path) {
                grand.push(p);
            }
        }
        for p in grand {
            self.collect_parent_functions(&p);
        }
    }

    /// Compiles every function body and the variable initializer.
    fn define_functions(&mut self, program: &ast::Program) {
        let mut init = FnBuilder::new(SmolStr::new_static("__INIT"), flags::HIDDEN);
        let mut has_init = false;
        for item in &program.items {
            if let Item::Vars(vars) = item {
                for var in &vars.vars {
                    let Some(value) = &var.init else { continue };
                    let Some(slot) = self.globals.get(&var.name.text).map(|g| g.slot) else {
                        continue;
                    };
                    has_init = true;
                    self.mark_line(&mut init, var.span);
                    self.expr(&mut init, value);
                    if let Some(convert) = self.store_conversion(&init, declared(&var.ty), value) {
                        init.emit(convert);
                    }
                    init.emit(Instr::StoreGlobal { slot });
                }
            }
        }
        if has_init {
            init.emit(Instr::ReturnZero);
            let index = self.finish(init);
            self.out.init = Some(index);
        }
        for item in &program.items {
            let Item::Function(function) = item else {
                continue;
            };
            let Some(body) = &function.body else { continue };
            self.function(function, body);
        }
    }

    fn function(&mut self, function: &ast::Function, body: &ast::Block) {
        let mut b = FnBuilder::new(function.name.text.clone(), function.modifiers.0);
        b.rest = function.varargs;
        b.returns = declared(&function.return_type);
        b.exact_types = function.return_type.kind != ast::TypeKind::Missing;
        b.types = std::iter::once(&function.return_type)
            .chain(function.params.iter().map(|p| &p.ty))
            .map(type_name)
            .collect();
        for param in &function.params {
            let name = param
                .name
                .as_ref()
                .map_or(SmolStr::default(), |n| n.text.clone());
            let slot = b.declare_local(name);
            b.set_declared(slot, Known::of(&param.ty));
        }
        b.params = function.params.len().min(255) as u8;
        if function.params.len() > 255 {
            self.error(E_LIMIT, function.span, "more than 255 parameters");
        }
        let has_defaults = function.params.iter().any(|p| p.default.is_some());
        if has_defaults {
            b.emit(Instr::CallerContext);
        }
        for (i, param) in function.params.iter().enumerate() {
            let Some(default) = &param.default else {
                continue;
            };
            let skip = b.emit(Instr::SkipIfArg {
                param: i as u8,
                target: 0,
            });
            let declared_before = b.named_declared;
            self.expr(&mut b, default);
            if b.named_declared != declared_before {
                // FluffOS would number such a local among the parameters.
                self.error(
                    E_UNSUPPORTED,
                    default.span,
                    "a default argument may not declare a variable",
                );
            }
            b.emit(Instr::StoreLocal { slot: i as u16 });
            b.patch_here(skip);
        }
        if has_defaults {
            b.emit(Instr::CalleeContext);
        }
        self.block(&mut b, body);
        b.emit(Instr::ReturnZero);
        self.finish(b);
    }

    /// Adds a built function to the program; its index.
    fn finish(&mut self, b: FnBuilder) -> u16 {
        let index = self.out.functions.len();
        if index > u16::MAX as usize || b.max_locals > u16::MAX as usize {
            self.error(E_LIMIT, Span::default(), "too many functions or locals");
        }
        if b.too_many_locals {
            self.error(
                E_LIMIT,
                Span::default(),
                format!(
                    "too many local variables in `{}` (at most {MAX_NAMED_LOCALS})",
                    b.name
                ),
            );
        }
        self.out.functions.push(Function {
            name: b.name,
            flags: b.flags,
            params: b.params,
            rest: b.rest,
            locals: b.max_locals as u16,
            code: b.code,
            lines: b.lines,
            types: b.types,
        });
        index as u16
    }

    fn mark_line(&mut self, b: &mut FnBuilder, span: Span) {
        if (span.file.0 as usize) >= self.sources.files().len() {
            return;
        }
        let (line, _) = self.sources.line_col(span);
        let next = self.file_index.len() as u16;
        let file = *self.file_index.entry(span.file).or_insert_with(|| {
            self.out
                .files
                .push(self.sources.name(span.file).to_string());
            next
        });
        let pc = b.code.len() as u32;
        if let Some(last) = b.lines.last_mut() {
            if last.line == line && last.file == file {
                return;
            }
            if last.pc == pc {
                *last = LineEntry { pc, file, line };
                return;
            }
        }
        b.lines.push(LineEntry { pc, file, line });
    }

    fn string_const(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.pools.strings.get(s) {
            return i;
        }
        let i = self.out.strings.len() as u32;
        self.out.strings.push(SmolStr::new(s));
        self.pools.strings.insert(SmolStr::new(s), i);
        i
    }

    fn int_const(&mut self, v: i64) -> u32 {
        if let Some(&i) = self.pools.ints.get(&v) {
            return i;
        }
        let i = self.out.ints.len() as u32;
        self.out.ints.push(v);
        self.pools.ints.insert(v, i);
        i
    }

    fn name_index(&mut self, name: &str) -> u16 {
        if let Some(&i) = self.pools.names.get(name) {
            return i;
        }
        let i = self.out.names.len() as u16;
        self.out.names.push(SmolStr::new(name));
        self.pools.names.insert(SmolStr::new(name), i);
        i
    }

    fn efun_index(&mut self, name: &str) -> u16 {
        if let Some(&i) = self.pools.efuns.get(name) {
            return i;
        }
        let i = self.out.efuns.len() as u16;
        self.out.efuns.push(SmolStr::new(name));
        self.pools.efuns.insert(SmolStr::new(name), i);
        i
    }

    fn super_index(&mut self, inherit: u16, name: &str) -> u16 {
        let found = self
            .out
            .supers
            .iter()
            .position(|s| s.inherit == inherit && s.name == name);
        if let Some(i) = found {
            return i as u16;
        }
        self.out.supers.push(SuperCall {
            inherit,
            name: SmolStr::new(name),
        });
        (self.out.supers.len() - 1) as u16
    }

    /// Which direct inherit provides `name` for `::name` or `scope::name`.
    fn super_target(&mut self, scope: Option<&str>, name: &str) -> Option<u16> {
        let parents = self.parents.clone();
        let mut lookup = |path: &str| (self.env.inherit)(path).ok();
        let mut cache: FxHashMap<String, Arc<Program>> = FxHashMap::default();
        for p in &parents {
            collect_tree(p, &mut lookup, &mut cache);
        }
        let find = |path: &str| cache.get(path).cloned();
        for (i, decl) in self.out.inherits.iter().enumerate() {
            if let Some(scope) = scope
                && decl.name != scope
            {
                continue;
            }
            if defines_function(&parents[i], &find, name) {
                return Some(i as u16);
            }
        }
        None
    }

    /// The index of class `name` in this program's class table, copying
    /// the layout of an inherited class there on first use.
    fn class_index(&mut self, name: &str) -> Option<u16> {
        if let Some(i) = self.out.classes.iter().position(|c| c.name == name) {
            return Some(i as u16);
        }
        let found = self.inherited_classes.iter().find(|c| c.name == name)?;
        self.out.classes.push(found.clone());
        Some((self.out.classes.len() - 1) as u16)
    }

    /// Every class the inherits define, nearest first.
    fn collect_inherited_classes(&mut self) {
        let mut pending: Vec<Arc<Program>> = self.parents.clone();
        while let Some(p) = pending.pop() {
            self.inherited_classes.extend(p.classes.iter().cloned());
            for inherit in &p.inherits {
                if let Ok(grand) = (self.env.inherit)(&inherit.path) {
                    pending.push(grand);
                }
            }
        }
    }

    /// The declared type of `member` in the class `class` in scope.
    fn class_member_type(&self, class: &str, member: &str) -> Option<Known> {
        let member_of = |c: &ClassLayout| {
            let i = c.members.iter().position(|m| m == member)?;
            c.types.get(i).map(|t| Known::parse(t))
        };
        if let Some(c) = self.out.classes.iter().find(|c| c.name == class) {
            return member_of(c);
        }
        self.inherited_classes
            .iter()
            .find(|c| c.name == class)
            .and_then(member_of)
    }

    /// The declared type of a member named `member` in the classes in
    /// scope, for a value whose class is not known: the type comes from
    /// the class defined last with such a member.
    fn any_class_member_type(&self, member: &str) -> Option<Known> {
        let mut found = None;
        let mut look = |c: &ClassLayout| {
            if let Some(i) = c.members.iter().position(|m| m == member) {
                found = c.types.get(i).map(|t| Known::parse(t));
            }
        };
        self.inherited_classes.iter().for_each(&mut look);
        self.out.classes.iter().for_each(&mut look);
        found
    }

    fn add_switch(&mut self, table: SwitchTable) -> u16 {
        self.out.switches.push(table);
        (self.out.switches.len() - 1) as u16
    }
}

/// The names of the functions `program` and its inherits let others call.
fn public_functions(
    program: &Program,
    lookup: &mut dyn FnMut(&str) -> Option<Arc<Program>>,
    out: &mut Vec<SmolStr>,
) {
    for f in &program.functions {
        if f.flags & (flags::HIDDEN | flags::PRIVATE | flags::PROTECTED) == 0
            && !out.contains(&f.name)
        {
            out.push(f.name.clone());
        }
    }
    for inherit in &program.inherits {
        if let Some(p) = lookup(&inherit.path) {
            public_functions(&p, lookup, out);
        }
    }
}

/// Every program in the inherit tree under `program`, by path.
fn collect_tree(
    program: &Arc<Program>,
    lookup: &mut dyn FnMut(&str) -> Option<Arc<Program>>,
    out: &mut FxHashMap<String, Arc<Program>>,
) {
    for inherit in &program.inherits {
        if out.contains_key(&inherit.path) {
            continue;
        }
        if let Some(p) = lookup(&inherit.path) {
            out.insert(inherit.path.clone(), p.clone());
            collect_tree(&p, lookup, out);
        }
    }
}

/// Where `break` and `continue` go in the innermost loop or switch.
struct JumpScope {
    breaks: Vec<usize>,
    continues: Option<Vec<usize>>,
}

/// The code of one function under construction, and its local scopes.
struct FnBuilder {
    name: SmolStr,
    flags: u8,
    params: u8,
    rest: bool,
    code: Vec<Instr>,
    lines: Vec<LineEntry>,
    locals: Vec<(SmolStr, u16)>,
    /// Per slot: the declared type of the local there now.
    declared: Vec<Known>,
    /// Indexing an array yields its declared element type only where
    /// types are checked: in a function with a declared return type, or
    /// in a `function (...) { }` literal.
    exact_types: bool,
    /// The declared return type, which `return` converts to.
    returns: Declared,
    /// The declared return and parameter types, named for the driver.
    types: Vec<SmolStr>,
    scopes: Vec<usize>,
    next_slot: usize,
    max_locals: usize,
    jumps: Vec<JumpScope>,
    /// In a `(: :)` body: the slots of `$(...)` captures start here.
    capture_base: Option<u16>,
    /// Capture expressions to evaluate where the closure is made.
    captures: Vec<ast::Expr>,
    /// `ref` arguments of the call being compiled: the hidden local holding
    /// the reference cell, and the variable to write its value back to.
    pending_refs: Vec<(u16, expr::RefTarget)>,
    /// More named locals were in scope at once than a function may have.
    too_many_locals: bool,
    /// Named locals declared so far, in every scope.
    named_declared: usize,
    /// Loop variables by reference being looped over now: the local and
    /// the loop's state slot.
    ref_loops: Vec<(u16, u16)>,
    /// The expression compiled next is a call argument, which may be
    /// marked `ref`.
    ref_argument: bool,
    /// How deep the expression being compiled is nested.
    expr_depth: usize,
    /// The nesting limit was reported for this function.
    too_deep: bool,
}

/// How deep expressions may nest, as in FluffOS's code generator.
const MAX_EXPR_DEPTH: usize = 500;

/// Named locals (parameters included) one function may have in scope at
/// once, as in FluffOS, whose bytecode gives a local one byte.
const MAX_NAMED_LOCALS: usize = 255;

impl FnBuilder {
    fn new(name: SmolStr, flags: u8) -> FnBuilder {
        FnBuilder {
            name,
            flags,
            params: 0,
            rest: false,
            code: Vec::new(),
            lines: Vec::new(),
            locals: Vec::new(),
            declared: Vec::new(),
            exact_types: false,
            returns: Declared::Other,
            types: Vec::new(),
            scopes: Vec::new(),
            next_slot: 0,
            max_locals: 0,
            jumps: Vec::new(),
            capture_base: None,
            captures: Vec::new(),
            pending_refs: Vec::new(),
            too_many_locals: false,
            named_declared: 0,
            ref_loops: Vec::new(),
            ref_argument: false,
            expr_depth: 0,
            too_deep: false,
        }
    }

    fn emit(&mut self, instr: Instr) -> usize {
        self.code.push(instr);
        self.code.len() - 1
    }

    fn here(&self) -> u32 {
        self.code.len() as u32
    }

    /// Points the jump at `at` to `target`.
    fn patch(&mut self, at: usize, target: u32) {
        use Instr::*;
        match &mut self.code[at] {
            Jump { target: t }
            | JumpIfFalse { target: t }
            | JumpIfTrue { target: t }
            | JumpIfFalseKeep { target: t }
            | JumpIfTrueKeep { target: t }
            | JumpIfDefinedKeep { target: t }
            | JumpIfLocalLtLocal { target: t, .. }
            | JumpIfLocalLtInt { target: t, .. }
            | JumpIfLocalLeInt { target: t, .. }
            | JumpIfLocalGtInt { target: t, .. }
            | JumpIfLocalGeInt { target: t, .. }
            | JumpUnlessLt { target: t }
            | JumpUnlessLe { target: t }
            | JumpIfLt { target: t }
            | JumpIfLe { target: t }
            | SkipIfArg { target: t, .. }
            | CatchBegin { handler: t }
            | ForeachNext { exit: t, .. } => *t = target,
            _ => {}
        }
    }

    fn patch_here(&mut self, at: usize) {
        let here = self.here();
        self.patch(at, here);
    }

    fn declare_local(&mut self, name: SmolStr) -> u16 {
        let slot = self.next_slot as u16;
        self.locals.push((name, slot));
        if self.declared.len() <= slot as usize {
            self.declared.resize(slot as usize + 1, Known::default());
        }
        self.declared[slot as usize] = Known::default();
        if !self.locals.last().is_some_and(|(n, _)| n.is_empty()) {
            self.named_declared += 1;
        }
        if self.locals.len() > MAX_NAMED_LOCALS && !self.too_many_locals {
            let named = self.locals.iter().filter(|(n, _)| !n.is_empty()).count();
            self.too_many_locals = named > MAX_NAMED_LOCALS;
        }
        self.next_slot += 1;
        self.max_locals = self.max_locals.max(self.next_slot);
        slot
    }

    /// A slot no name refers to, for loop state.
    fn hidden_locals(&mut self, count: usize) -> u16 {
        let slot = self.next_slot as u16;
        for _ in 0..count {
            self.declare_local(SmolStr::default());
        }
        slot
    }

    /// Records the declared type of a just-declared local.
    fn set_declared(&mut self, slot: u16, kind: Known) {
        if let Some(entry) = self.declared.get_mut(slot as usize) {
            *entry = kind;
        }
    }

    fn local(&self, name: &str) -> Option<u16> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|&(_, slot)| slot)
    }

    fn push_scope(&mut self) {
        self.scopes.push(self.locals.len());
    }

    /// Leaves a block: its names go; its slots are reused by later blocks.
    fn pop_scope(&mut self) {
        let Some(len) = self.scopes.pop() else { return };
        self.locals.truncate(len);
        self.next_slot = self
            .locals
            .last()
            .map_or(self.params as usize, |&(_, s)| s as usize + 1)
            .max(self.params as usize);
    }
}

/// Compiles the file at mudlib path `path` and everything it inherits,
/// without semantic analysis (callers wanting it run `check` first).
/// `cache` holds programs by resolved path. Errors come rendered as
/// `/file.c line N: message`.
pub fn compile_file(
    provider: &dyn crate::source::SourceProvider,
    path: &str,
    config: &crate::check::CheckConfig,
    cache: &mut FxHashMap<String, Arc<Program>>,
) -> Result<Arc<Program>, String> {
    // Calls to simul_efuns bind by name: their names come from the
    // simul_efun file, compiled first.
    let simul_names: Option<Vec<SmolStr>> = config.simul_efun_file.as_ref().and_then(|file| {
        let program = compile_with(provider, file, config, cache, None, &mut Vec::new()).ok()?;
        let mut names = Vec::new();
        public_functions(&program, &mut |name| cache.get(name).cloned(), &mut names);
        Some(names)
    });
    compile_with(
        provider,
        path,
        config,
        cache,
        simul_names.as_deref(),
        &mut Vec::new(),
    )
}

fn compile_with(
    provider: &dyn crate::source::SourceProvider,
    path: &str,
    config: &crate::check::CheckConfig,
    cache: &mut FxHashMap<String, Arc<Program>>,
    simul_names: Option<&[SmolStr]>,
    chain: &mut Vec<String>,
) -> Result<Arc<Program>, String> {
    let candidates = crate::sema::summary::inherit_candidates(path);
    for candidate in &candidates {
        if let Some(p) = cache.get(candidate) {
            return Ok(p.clone());
        }
        if chain.contains(candidate) {
            return Err(format!("{candidate}: inherits itself"));
        }
    }
    let Some((path, text)) = candidates
        .iter()
        .find_map(|c| provider.read(c).ok().map(|t| (c.clone(), t)))
    else {
        return Err(format!("{path}: file not found"));
    };
    let options = crate::parser::ParseOptions {
        allow_static: config.allow_static,
    };
    let pp = crate::preprocess::preprocess_text(provider, &path, text, &config.preprocess_config());
    let (ast, parse_diagnostics) = crate::parser::parse(&pp.tokens, &pp.sources, &options);
    let render = |d: &Diagnostic| {
        let (line, _) = pp.sources.line_col(d.span());
        format!(
            "{} line {line}: {}",
            pp.sources.name(d.span().file),
            d.message
        )
    };
    let errors: Vec<String> = pp
        .diagnostics
        .iter()
        .chain(&parse_diagnostics)
        .filter(|d| d.is_error())
        .map(render)
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let Some(efuns) = config.efun_table.clone() else {
        return Err("no efun table".into());
    };
    let is_simul = |name: &str| simul_names.is_some_and(|n| n.iter().any(|s| s == name));
    chain.push(path.clone());
    let mut inherit = |p: &str| compile_with(provider, p, config, cache, simul_names, chain);
    let mut env = CodegenEnv {
        inherit: &mut inherit,
        is_simul_efun: Some(&is_simul),
        simul_returns_float: None,
        efuns: &efuns,
        valid_override: None,
    };
    let result = compile(&mut env, &path, &ast, &pp.sources);
    chain.pop();
    let program = result.map_err(|ds| ds.iter().map(render).collect::<Vec<_>>().join("\n"))?;
    let program = Arc::new(program);
    cache.insert(path, program.clone());
    Ok(program)
}

/// A declared type as the driver names it in reports: `int`, `string *`,
/// `mixed` where no type was written, and `class ` (with its space, and
/// `class  *` for arrays) for every class type: FluffOS prints the keyword
/// and its separator but not the class's name, and mudlibs see that text.
fn type_name(ty: &ast::Type) -> SmolStr {
    let base = match &ty.kind {
        ast::TypeKind::Missing | ast::TypeKind::Mixed => "mixed",
        ast::TypeKind::Int => "int",
        ast::TypeKind::Float => "float",
        ast::TypeKind::String => "string",
        ast::TypeKind::Object => "object",
        ast::TypeKind::Mapping => "mapping",
        ast::TypeKind::Function => "function",
        ast::TypeKind::Buffer => "buffer",
        ast::TypeKind::Void => "void",
        ast::TypeKind::Class(_) => "class ",
    };
    if ty.array_depth > 0 {
        SmolStr::from(format!("{base} *"))
    } else {
        SmolStr::from(base)
    }
}
