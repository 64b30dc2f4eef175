//! The walk over one program: declarations in file order (the driver
//! compiles in one pass, so a name is known only after its declaration),
//! then each function body with its scopes, types and control flow.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use smol_str::SmolStr;

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::lexer::Token;
use crate::preprocess::{Pragma, Pragmas};
use crate::sema::codes::*;
use crate::sema::summary::{ClassSig, FnSig, GlobalSig, ProgramSummary, inherit_name};
use crate::sema::types::{Base, Ty, assignable, comparable, is_int_like};
use crate::sema::{Binding, LoadError, NameUse, SemaEnv, load_summary};
use crate::span::Span;

/// What to do besides building the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Declarations only: for inherited files.
    Summary,
    /// Declarations and every function body.
    Full,
}

/// The pragma state of a program, looked up by an item's first token.
pub struct PragmaInput<'a> {
    pub pragmas: &'a Pragmas,
    pub tokens: &'a [Token],
}

/// Analyzes `program`, the file at `path`; `chain` lists the files whose
/// inherits led here, to find cycles.
pub fn analyze_program(
    env: &SemaEnv<'_>,
    path: &str,
    program: &Program,
    pragmas: &PragmaInput<'_>,
    chain: &[String],
    depth: Depth,
) -> (ProgramSummary, Vec<Diagnostic>) {
    let (summary, diagnostics, _) =
        analyze_recording(env, path, program, pragmas, chain, depth, false);
    (summary, diagnostics)
}

/// As [`analyze_program`]; with `record`, also what every name in the
/// function bodies and global initializers binds to.
pub fn analyze_recording(
    env: &SemaEnv<'_>,
    path: &str,
    program: &Program,
    pragmas: &PragmaInput<'_>,
    chain: &[String],
    depth: Depth,
    record: bool,
) -> (ProgramSummary, Vec<Diagnostic>, Vec<NameUse>) {
    let mut cx = Analyzer {
        env,
        chain,
        depth,
        summary: ProgramSummary {
            path: path.to_string(),
            ..ProgramSummary::default()
        },
        own_defined: FxHashSet::default(),
        own_classes: FxHashSet::default(),
        file_functions: program
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Function(f) => Some(f.name.text.clone()),
                _ => None,
            })
            .collect(),
        var_defined: false,
        default_modifiers: Modifiers::default(),
        diags: Vec::new(),
        locals: Vec::new(),
        scope_marks: Vec::new(),
        frames: Vec::new(),
        exact: None,
        flow: Flow::default(),
        switches: Vec::new(),
        warnings: true,
        simul: None,
        uses: record.then(Vec::new),
    };
    if depth == Depth::Full {
        cx.simul = env.simul_efuns(path);
    }
    let mut strict = StrictLookup::new(pragmas);
    for item in &program.items {
        let (strict_here, warnings_here) = strict.at(item_span(item));
        cx.warnings = warnings_here;
        cx.item(item, strict_here);
    }
    let uses = cx.uses.take().unwrap_or_default();
    (cx.summary, cx.diags, uses)
}

fn item_span(item: &Item) -> Span {
    match item {
        Item::Inherit(i) => i.span,
        Item::Vars(v) => v.span,
        Item::Function(f) => f.span,
        Item::Class(c) => c.span,
        Item::Modifiers(_, span) | Item::Error(span) => *span,
    }
}

/// Finds the pragma state at each item, scanning the tokens once.
struct StrictLookup<'a> {
    input: &'a PragmaInput<'a>,
    cursor: usize,
    any: bool,
}

impl<'a> StrictLookup<'a> {
    fn new(input: &'a PragmaInput<'a>) -> StrictLookup<'a> {
        StrictLookup {
            input,
            cursor: 0,
            any: !input.pragmas.settings.is_empty(),
        }
    }

    fn at(&mut self, span: Span) -> (bool, bool) {
        let pragmas = self.input.pragmas;
        if !self.any {
            return (
                Pragma::StrictTypes.default_enabled(),
                Pragma::Warnings.default_enabled(),
            );
        }
        let tokens = self.input.tokens;
        let start = self.cursor;
        while self.cursor < tokens.len() {
            let t = tokens[self.cursor].span;
            if t.file == span.file && t.start == span.start {
                break;
            }
            self.cursor += 1;
        }
        if self.cursor >= tokens.len() {
            self.cursor = start;
            return (
                pragmas.enabled_at_end(Pragma::StrictTypes),
                pragmas.enabled_at_end(Pragma::Warnings),
            );
        }
        (
            pragmas.enabled_at(Pragma::StrictTypes, self.cursor),
            pragmas.enabled_at(Pragma::Warnings, self.cursor),
        )
    }
}

struct Local {
    name: SmolStr,
    ty: Ty,
    span: Span,
    used: bool,
    param: bool,
}

/// A function value being compiled inside the current function.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    /// `(: expr :)`: enclosing locals are visible but illegal.
    Pointer,
    /// `function (...) { }`: enclosing locals are out of scope.
    Lambda,
}

#[derive(Clone, Copy)]
struct Frame {
    kind: FrameKind,
    /// Locals below this index belong to the enclosing code.
    boundary: usize,
}

/// Where `break` and `continue` may go.
#[derive(Clone, Copy, Default)]
struct Flow {
    in_loop: bool,
    in_switch: bool,
    /// Inside `catch { }` or `time_expression { }`.
    special: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Const {
    Int(i64),
    Float(f64),
}

/// A switch's labels, gathered as its body is walked.
#[derive(Default)]
struct SwitchLabels {
    ints: Vec<(i64, i64, Span)>,
    strings: FxHashMap<SmolStr, Span>,
    first_int: Option<Span>,
    first_string: Option<Span>,
    defaults: u32,
}

struct Analyzer<'e, 'c> {
    env: &'e SemaEnv<'e>,
    chain: &'c [String],
    depth: Depth,
    summary: ProgramSummary,
    own_defined: FxHashSet<SmolStr>,
    own_classes: FxHashSet<SmolStr>,
    /// Every function name declared anywhere in the file.
    file_functions: FxHashSet<SmolStr>,
    var_defined: bool,
    default_modifiers: Modifiers,
    diags: Vec<Diagnostic>,
    locals: Vec<Local>,
    scope_marks: Vec<usize>,
    frames: Vec<Frame>,
    /// The return type when the current function is type checked.
    exact: Option<Ty>,
    flow: Flow,
    switches: Vec<SwitchLabels>,
    warnings: bool,
    simul: Option<Arc<ProgramSummary>>,
    /// Name bindings, when the caller asked for them.
    uses: Option<Vec<NameUse>>,
}

const ACCESS: [Modifiers; 3] = [Modifiers::PRIVATE, Modifiers::PROTECTED, Modifiers::PUBLIC];

impl Analyzer<'_, '_> {
    fn error(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, span, message));
    }

    fn warn(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        if self.warnings && self.depth == Depth::Full {
            self.diags.push(Diagnostic::warning(code, span, message));
        }
    }

    fn full(&self) -> bool {
        self.depth == Depth::Full
    }

    fn record(&mut self, name: &Name, binding: Binding, declaration: bool) {
        if let Some(uses) = &mut self.uses {
            uses.push(NameUse {
                name: name.text.clone(),
                span: name.span,
                binding,
                declaration,
            });
        }
    }

    fn record_at(&mut self, name: &str, span: Span, binding: Binding) {
        if self.uses.is_some() {
            let name = Name {
                text: SmolStr::new(name),
                span,
            };
            self.record(&name, binding, false);
        }
    }

    /// What a function name binds to, as a call by plain name sees it.
    fn function_binding(&self, name: &str) -> Option<Binding> {
        if let Some(sig) = self.summary.functions.get(name) {
            return Some(Binding::Function {
                origin: sig.inherited_from.clone(),
            });
        }
        if self.file_functions.contains(name) {
            return Some(Binding::Function { origin: None });
        }
        if let Some(simul) = &self.simul
            && simul.functions.contains_key(name)
        {
            return Some(Binding::SimulEfun);
        }
        self.env.efun(name).map(|_| Binding::Efun)
    }

    fn record_function(&mut self, name: &Name) {
        if self.uses.is_some()
            && let Some(binding) = self.function_binding(&name.text)
        {
            self.record(name, binding, false);
        }
    }

    // ---- declarations ----

    fn item(&mut self, item: &Item, strict: bool) {
        match item {
            Item::Inherit(inherit) => self.inherit(inherit),
            Item::Vars(vars) => self.global_vars(vars, strict),
            Item::Function(function) => self.function(function, strict),
            Item::Class(class) => self.class(class),
            Item::Modifiers(modifiers, span) => {
                self.access_modifiers(*modifiers, *span);
                self.default_modifiers = *modifiers;
            }
            Item::Error(_) => self.summary.broken = true,
        }
    }

    fn access_modifiers(&mut self, modifiers: Modifiers, span: Span) {
        let given: Vec<&str> = ACCESS
            .iter()
            .filter(|m| modifiers.contains(**m))
            .flat_map(|m| m.names())
            .collect();
        if given.len() > 1 {
            self.error(
                E_MODIFIERS,
                span,
                format!("multiple access modifiers ({})", given.join(" ")),
            );
        }
    }

    fn inherit(&mut self, inherit: &Inherit) {
        self.access_modifiers(inherit.modifiers, inherit.span);
        if self.var_defined {
            self.error(
                E_INHERIT_ORDER,
                inherit.span,
                "inherit after global variables are defined",
            );
        }
        match load_summary(self.env, &inherit.path, self.chain) {
            Ok(parent) => {
                let modifiers = inherit.modifiers.union(self.default_modifiers);
                self.summary.absorb(&parent, modifiers);
                if parent.broken {
                    self.summary.broken = true;
                }
                if parent.cycle {
                    self.summary.cycle = true;
                    self.error(
                        E_INHERIT_CYCLE,
                        inherit.path_span,
                        format!(
                            "inherit cycle: `{}` inherits itself, directly or not",
                            inherit.path
                        ),
                    );
                }
                self.summary
                    .inherits
                    .push((inherit_name(&parent.path), parent));
            }
            Err(LoadError::NotFound) => {
                self.summary.broken = true;
                self.error(
                    E_INHERIT_MISSING,
                    inherit.path_span,
                    format!("cannot find the inherited file `{}`", inherit.path),
                );
            }
            Err(LoadError::Unreadable(why)) => {
                self.summary.broken = true;
                self.error(
                    E_INHERIT_MISSING,
                    inherit.path_span,
                    format!("cannot read the inherited file `{}`: {why}", inherit.path),
                );
            }
            Err(LoadError::Cycle(path)) => {
                self.summary.broken = true;
                self.summary.cycle = true;
                self.error(
                    E_INHERIT_CYCLE,
                    inherit.path_span,
                    format!("inherit cycle: `{path}` inherits itself"),
                );
            }
        }
    }

    fn check_class_exists(&mut self, ty: &Type) {
        if let TypeKind::Class(name) = &ty.kind
            && !self.summary.classes.contains_key(name)
        {
            self.error(
                E_UNDEFINED_CLASS,
                ty.span,
                format!("undefined class `{name}`"),
            );
        }
    }

    fn global_vars(&mut self, vars: &GlobalVars, strict: bool) {
        self.access_modifiers(vars.modifiers, vars.span);
        let modifiers = vars.modifiers.union(self.default_modifiers);
        if modifiers.contains(Modifiers::VARARGS) {
            self.error(E_MODIFIERS, vars.span, "a variable cannot be `varargs`");
        }
        for var in &vars.vars {
            self.var_defined = true;
            let ty = Ty::from_ast(&var.ty);
            if var.ty.kind == TypeKind::Missing && strict {
                self.error(
                    E_MISSING_TYPE,
                    var.name.span,
                    "`#pragma strict_types` requires a type for global variable",
                );
            }
            if ty.is_void() {
                self.error(
                    E_VOID_VAR,
                    var.name.span,
                    format!("global variable `{}` cannot have type void", var.name.text),
                );
            }
            self.check_class_exists(&var.ty);
            if let Some(parent) = self.summary.globals.get(&var.name.text)
                && parent.inherited
                && !parent.hidden
                && parent.modifiers.contains(Modifiers::NOMASK)
            {
                self.error(
                    E_NOMASK,
                    var.name.span,
                    format!("cannot redefine nomask variable `{}`", var.name.text),
                );
            }
            if let Some(init) = &var.init
                && self.full()
            {
                let saved = self.exact.take();
                let (value, _) = self.expr(init);
                self.exact = saved;
                if var.ty.kind != TypeKind::Missing && !storable(&value, &ty) {
                    self.error(
                        E_INIT_TYPE,
                        init.span,
                        format!(
                            "type mismatch: `{}` initialized with `{}`",
                            var.name.text,
                            value.name()
                        ),
                    );
                }
            }
            self.summary.globals.insert(
                var.name.text.clone(),
                GlobalSig {
                    ty,
                    modifiers,
                    hidden: false,
                    inherited: false,
                    origin: None,
                },
            );
            self.record(&var.name, Binding::Global { origin: None }, true);
        }
    }

    fn class(&mut self, class: &ClassDef) {
        let mut members = Vec::new();
        let mut seen = FxHashSet::default();
        for member in &class.members {
            let ty = Ty::from_ast(&member.ty);
            if ty.is_void() {
                self.error(
                    E_VOID_VAR,
                    member.name.span,
                    format!("class member `{}` cannot have type void", member.name.text),
                );
            }
            if !seen.insert(member.name.text.clone()) {
                self.error(
                    E_REDECLARED,
                    member.name.span,
                    format!("member `{}` is declared twice", member.name.text),
                );
            }
            members.push((member.name.text.clone(), ty));
        }
        let sig = ClassSig { members };
        let name = class.name.text.clone();
        if self.own_classes.contains(&name)
            && self.summary.classes.get(&name).is_some_and(|c| *c != sig)
        {
            self.error(
                E_CLASS_REDEFINED,
                class.name.span,
                format!("class `{name}` is already defined differently"),
            );
        }
        self.own_classes.insert(name.clone());
        self.summary.classes.insert(name, sig);
        // Members may refer to the class itself, so check them after.
        for member in &class.members {
            self.check_class_exists(&member.ty);
            let class = class.name.text.clone();
            self.record(&member.name, Binding::Member { class }, true);
        }
    }

    fn params_of(&mut self, params: &[Param]) -> Vec<Ty> {
        let only_void = matches!(params, [p] if p.ty.kind == TypeKind::Void
            && p.ty.array_depth == 0 && p.name.is_none() && !p.by_ref);
        if only_void {
            return Vec::new();
        }
        let mut types = Vec::new();
        for param in params {
            let ty = Ty::from_ast(&param.ty);
            if ty.is_void() {
                self.error(E_VOID_VAR, param.span, "an argument cannot have type void");
            }
            self.check_class_exists(&param.ty);
            types.push(ty);
        }
        types
    }

    fn function(&mut self, function: &Function, strict: bool) {
        self.access_modifiers(function.modifiers, function.span);
        let modifiers = function.modifiers.union(self.default_modifiers);
        let name = &function.name;
        let typed = function.return_type.kind != TypeKind::Missing;
        if !typed && strict && name.text != "create" {
            self.error(
                E_MISSING_TYPE,
                name.span,
                "`#pragma strict_types` requires a return type for function",
            );
        }
        self.check_class_exists(&function.return_type);
        let params = self.params_of(&function.params);
        let min_args = if params.is_empty() {
            0
        } else {
            function
                .params
                .iter()
                .position(|p| p.default.is_some())
                .unwrap_or(params.len())
        };
        let defined = function.body.is_some();
        if let Some(previous) = self.summary.functions.get(&name.text) {
            if defined && self.own_defined.contains(&name.text) {
                self.error(
                    E_FUNCTION_REDEFINED,
                    name.span,
                    format!("function `{}` is already defined", name.text),
                );
            } else if defined
                && previous.inherited_from.is_some()
                && !previous.hidden
                && previous.modifiers.contains(Modifiers::NOMASK)
            {
                self.error(
                    E_NOMASK,
                    name.span,
                    format!("cannot redefine nomask function `{}`", name.text),
                );
            }
        }
        if defined {
            self.own_defined.insert(name.text.clone());
        }
        self.record(name, Binding::Function { origin: None }, true);
        let ret = if typed || !strict {
            Ty::from_ast(&function.return_type)
        } else {
            Ty::VOID
        };
        if let Some(previous) = self.summary.functions.get(&name.text)
            && let Some(from) = &previous.inherited_from
            && typed
            && previous.typed
            && !previous.hidden
            && !comparable(&previous.ret, &ret)
        {
            let message = format!(
                "function `{}` inherited from `{from}` does not match the current function in return type ({} vs {})",
                name.text,
                previous.ret.name(),
                ret.name()
            );
            self.warn(W_RETURN_MISMATCH, name.span, message);
        }
        let keep_previous = !defined
            && self
                .summary
                .functions
                .get(&name.text)
                .is_some_and(|p| p.defined && p.inherited_from.is_none());
        if !keep_previous {
            self.summary.functions.insert(
                name.text.clone(),
                FnSig {
                    ret: ret.clone(),
                    params: params.clone(),
                    min_args,
                    varargs: function.varargs || modifiers.contains(Modifiers::VARARGS),
                    typed,
                    defined,
                    modifiers,
                    hidden: false,
                    inherited_from: None,
                },
            );
        }
        let Some(body) = &function.body else { return };
        if !self.full() {
            return;
        }
        self.exact = if typed {
            Some(ret)
        } else if strict && name.text == "create" {
            Some(Ty::VOID)
        } else {
            None
        };
        self.locals.clear();
        self.scope_marks.clear();
        self.frames.clear();
        self.flow = Flow::default();
        self.switches.clear();
        self.push_scope();
        self.declare_params(&function.params, &params);
        self.block_stmts(&body.stmts);
        self.pop_scope();
        self.exact = None;
    }

    fn declare_params(&mut self, params: &[Param], types: &[Ty]) {
        for (param, ty) in params.iter().zip(types) {
            if let Some(default) = &param.default {
                self.expr(default);
            }
            if let Some(name) = &param.name {
                self.declare_local(name, ty.clone(), true);
            }
        }
    }

    // ---- scopes ----

    fn push_scope(&mut self) {
        self.scope_marks.push(self.locals.len());
    }

    fn pop_scope(&mut self) {
        let mark = self.scope_marks.pop().unwrap_or(0);
        let gone = self.locals.split_off(mark.min(self.locals.len()));
        for local in gone {
            if !local.used && !local.param && !local.name.starts_with('_') {
                self.warn(
                    W_UNUSED_LOCAL,
                    local.span,
                    format!("unused local variable `{}`", local.name),
                );
            }
        }
    }

    /// The lowest local index visible from here: a lambda hides the
    /// locals of the code around it.
    fn visible_from(&self) -> usize {
        self.frames
            .iter()
            .rev()
            .find(|f| f.kind == FrameKind::Lambda)
            .map_or(0, |f| f.boundary)
    }

    fn find_local(&self, name: &str) -> Option<usize> {
        let from = self.visible_from();
        (from..self.locals.len())
            .rev()
            .find(|&i| self.locals[i].name == name)
    }

    fn declare_local(&mut self, name: &Name, ty: Ty, param: bool) {
        if self.find_local(&name.text).is_some() {
            self.error(
                E_REDECLARED,
                name.span,
                format!("local variable `{}` is already declared", name.text),
            );
        }
        self.locals.push(Local {
            name: name.text.clone(),
            ty,
            span: name.span,
            used: false,
            param,
        });
        self.record(name, Binding::Local { decl: name.span }, true);
    }

    fn local_decl(&mut self, var: &VarDecl) {
        let ty = Ty::from_ast(&var.ty);
        if ty.is_void() {
            self.error(
                E_VOID_VAR,
                var.name.span,
                format!("local variable `{}` cannot have type void", var.name.text),
            );
        }
        self.check_class_exists(&var.ty);
        if let Some(init) = &var.init {
            let (value, _) = self.expr(init);
            if var.ty.kind != TypeKind::Missing && !storable(&value, &ty) {
                self.error(
                    E_INIT_TYPE,
                    init.span,
                    format!(
                        "type mismatch: `{}` of type `{}` initialized with `{}`",
                        var.name.text,
                        ty.name(),
                        value.name()
                    ),
                );
            }
        }
        self.declare_local(&var.name, ty, false);
    }

    // ---- statements ----

    fn block_stmts(&mut self, stmts: &[Stmt]) {
        let mut ended: Option<&'static str> = None;
        let mut reported = false;
        for stmt in stmts {
            if matches!(stmt.kind, StmtKind::Case(_) | StmtKind::Default) {
                ended = None;
            } else if let Some(after) = ended
                && !reported
                && !matches!(stmt.kind, StmtKind::Empty | StmtKind::Error)
            {
                reported = true;
                self.warn(
                    W_UNREACHABLE,
                    stmt.span,
                    format!("unreachable code after `{after}`"),
                );
            }
            self.stmt(stmt);
            ended = match stmt.kind {
                StmtKind::Return(_) => Some("return"),
                StmtKind::Break => Some("break"),
                StmtKind::Continue => Some("continue"),
                _ => ended,
            };
        }
    }

    /// The body of `catch` or `time_expression`: an expression, or a block in
    /// which `break` and `continue` may not leave it.
    fn special_body(&mut self, body: &ExprOrBlock) {
        match body {
            ExprOrBlock::Expr(inner) => {
                self.expr(inner);
            }
            ExprOrBlock::Block(block) => {
                let flow = Flow {
                    special: true,
                    ..self.flow
                };
                self.with_flow(flow, |cx| {
                    cx.push_scope();
                    cx.block_stmts(&block.stmts);
                    cx.pop_scope();
                });
            }
        }
    }

    fn with_flow(&mut self, flow: Flow, f: impl FnOnce(&mut Self)) {
        let saved = self.flow;
        self.flow = flow;
        f(self);
        self.flow = saved;
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Expr(e) => {
                self.expr(e);
            }
            StmtKind::Decl(vars) => {
                for var in vars {
                    self.local_decl(var);
                }
            }
            StmtKind::If(s) => {
                self.expr(&s.cond);
                self.scoped_stmt(&s.then);
                if let Some(otherwise) = &s.otherwise {
                    self.scoped_stmt(otherwise);
                }
            }
            StmtKind::While(s) => {
                self.expr(&s.cond);
                let flow = self.loop_flow();
                self.with_flow(flow, |cx| cx.scoped_stmt(&s.body));
            }
            StmtKind::DoWhile(s) => {
                let flow = self.loop_flow();
                self.with_flow(flow, |cx| cx.scoped_stmt(&s.body));
                self.expr(&s.cond);
            }
            StmtKind::For(s) => {
                self.push_scope();
                match &s.init {
                    Some(ForInit::Expr(e)) => {
                        self.expr(e);
                    }
                    Some(ForInit::Decl(var)) => self.local_decl(var),
                    None => {}
                }
                if let Some(cond) = &s.cond {
                    self.expr(cond);
                }
                if let Some(step) = &s.step {
                    self.expr(step);
                }
                let flow = self.loop_flow();
                self.with_flow(flow, |cx| cx.scoped_stmt(&s.body));
                self.pop_scope();
            }
            StmtKind::Foreach(s) => self.foreach(s),
            StmtKind::Switch(s) => self.switch(s),
            StmtKind::Case(label) => self.case(label, stmt.span),
            StmtKind::Default => match self.switches.last_mut() {
                Some(labels) => {
                    labels.defaults += 1;
                    if labels.defaults == 2 {
                        self.error(E_SWITCH_DEFAULT, stmt.span, "duplicate default label");
                    }
                }
                None => self.error(E_SWITCH_LABEL, stmt.span, "`default` outside a switch"),
            },
            StmtKind::Return(value) => self.ret(value.as_ref(), stmt.span),
            StmtKind::Break => {
                if self.flow.special {
                    self.error(
                        E_JUMP,
                        stmt.span,
                        "cannot break out of catch { } or time_expression { }",
                    );
                } else if !self.flow.in_loop && !self.flow.in_switch {
                    self.error(E_JUMP, stmt.span, "`break` outside a loop or switch");
                }
            }
            StmtKind::Continue => {
                if self.flow.special {
                    self.error(
                        E_JUMP,
                        stmt.span,
                        "cannot continue out of catch { } or time_expression { }",
                    );
                } else if !self.flow.in_loop {
                    self.error(E_JUMP, stmt.span, "`continue` outside a loop");
                }
            }
            StmtKind::Block(block) => {
                self.push_scope();
                self.block_stmts(&block.stmts);
                self.pop_scope();
            }
            StmtKind::Empty | StmtKind::Error => {}
        }
    }

    fn loop_flow(&self) -> Flow {
        Flow {
            in_loop: true,
            in_switch: self.flow.in_switch,
            special: false,
        }
    }

    /// A statement that is a scope of its own, as a loop or `if` body.
    fn scoped_stmt(&mut self, stmt: &Stmt) {
        self.push_scope();
        self.stmt(stmt);
        self.pop_scope();
    }

    fn foreach(&mut self, s: &Foreach) {
        self.expr(&s.iterable);
        self.push_scope();
        for var in std::iter::once(&s.first).chain(s.second.as_ref()) {
            match &var.ty {
                Some(ty) => {
                    let ty_value = Ty::from_ast(ty);
                    if ty_value.is_void() {
                        self.error(
                            E_VOID_VAR,
                            var.span,
                            "a loop variable cannot have type void",
                        );
                    }
                    self.check_class_exists(ty);
                    self.declare_local(&var.name, ty_value, false);
                    if let Some(local) = self.locals.last_mut() {
                        local.used = true;
                    }
                }
                None => {
                    if self
                        .lookup_variable(&var.name.text, var.name.span)
                        .is_none()
                    {
                        self.error(
                            E_UNDEFINED_VARIABLE,
                            var.name.span,
                            format!("`{}` is not a local or a global variable", var.name.text),
                        );
                    }
                }
            }
        }
        let flow = self.loop_flow();
        self.with_flow(flow, |cx| cx.stmt(&s.body));
        self.pop_scope();
    }

    fn switch(&mut self, s: &Switch) {
        self.expr(&s.discriminant);
        self.switches.push(SwitchLabels::default());
        let flow = Flow {
            in_loop: self.flow.in_loop,
            in_switch: true,
            special: false,
        };
        self.push_scope();
        self.with_flow(flow, |cx| cx.block_stmts(&s.body));
        self.pop_scope();
        let Some(labels) = self.switches.pop() else {
            return;
        };
        if let (Some(int_span), Some(string_span)) = (labels.first_int, labels.first_string) {
            let later = if int_span.start > string_span.start {
                int_span
            } else {
                string_span
            };
            self.error(
                E_SWITCH_LABEL,
                later,
                "a switch cannot mix integer and string case labels",
            );
        }
        let mut ranges = labels.ints;
        ranges.sort_by_key(|r| (r.0, r.1));
        for pair in ranges.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if b.0 > a.1 {
                continue;
            }
            let span = if b.2.start > a.2.start { b.2 } else { a.2 };
            if a.0 == a.1 && b.0 == b.1 {
                self.warn(W_DUPLICATE_CASE, span, "duplicate case label");
            } else {
                self.error(E_SWITCH_DUPLICATE, span, "overlapping case ranges");
            }
        }
    }

    fn case(&mut self, label: &CaseLabel, span: Span) {
        match label {
            CaseLabel::Value(e) => {
                let (_, value) = self.expr(e);
                let Some(labels) = self.switches.last_mut() else {
                    self.error(E_SWITCH_LABEL, span, "`case` outside a switch");
                    return;
                };
                match (&e.kind, value) {
                    (ExprKind::Str(text), _) => {
                        labels.first_string.get_or_insert(span);
                        if labels.strings.insert(text.clone(), span).is_some() {
                            self.warn(
                                W_DUPLICATE_CASE,
                                span,
                                format!("duplicate case label \"{text}\""),
                            );
                        }
                    }
                    (_, Some(Const::Int(n))) => {
                        if n != 0 {
                            labels.first_int.get_or_insert(span);
                        }
                        labels.ints.push((n, n, span));
                    }
                    _ => {}
                }
            }
            CaseLabel::Range { low, high } => {
                let bound = |cx: &mut Self, e: &Option<Expr>, open: i64| -> Option<i64> {
                    let Some(e) = e else { return Some(open) };
                    let (_, value) = cx.expr(e);
                    if matches!(e.kind, ExprKind::Str(_)) {
                        cx.error(
                            E_SWITCH_LABEL,
                            e.span,
                            "string case labels cannot be range bounds",
                        );
                        return None;
                    }
                    match value {
                        Some(Const::Int(n)) => Some(n),
                        _ => None,
                    }
                };
                let lo = bound(self, low, i64::MIN);
                let hi = bound(self, high, i64::MAX);
                let Some(labels) = self.switches.last_mut() else {
                    self.error(E_SWITCH_LABEL, span, "`case` outside a switch");
                    return;
                };
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    labels.first_int.get_or_insert(span);
                    labels.ints.push((lo, hi, span));
                }
            }
        }
    }

    fn ret(&mut self, value: Option<&Expr>, span: Span) {
        let in_lambda = self.frames.iter().any(|f| f.kind == FrameKind::Lambda);
        let value_ty = value.map(|v| self.expr(v).0);
        if in_lambda {
            return;
        }
        let Some(expected) = self.exact.clone() else {
            return;
        };
        match value_ty {
            Some(ty) => {
                if !assignable(&ty, &expected) {
                    let message = if expected.is_void() {
                        "a void function cannot return a value".to_string()
                    } else {
                        format!(
                            "return type mismatch: expected `{}`, found `{}`",
                            expected.name(),
                            ty.name()
                        )
                    };
                    self.error(E_RETURN_TYPE, value.map_or(span, |v| v.span), message);
                }
            }
            None => {
                if !expected.is_void() && !expected.is_any() {
                    self.warn(
                        W_MISSING_RETURN_VALUE,
                        span,
                        "a non-void function should return a value",
                    );
                }
            }
        }
    }

    // ---- expressions ----

    fn exprs(&mut self, exprs: &[Expr]) {
        for e in exprs {
            self.expr(e);
        }
    }

    /// Looks up a variable by name: its type, or `None` when there is none.
    fn lookup_variable(&mut self, name: &str, span: Span) -> Option<Ty> {
        if let Some(index) = self.find_local(name) {
            let in_pointer = self
                .frames
                .last()
                .is_some_and(|f| f.kind == FrameKind::Pointer && index < f.boundary);
            if in_pointer {
                self.error(
                    E_FUNCTIONAL_LOCAL,
                    span,
                    format!(
                        "local variable `{name}` cannot be used inside (: :); capture it with $({name})"
                    ),
                );
            }
            let local = &mut self.locals[index];
            local.used = true;
            let (ty, decl) = (local.ty.clone(), local.span);
            self.record_at(name, span, Binding::Local { decl });
            return Some(ty);
        }
        let global = self.summary.globals.get(name).filter(|g| !g.hidden)?;
        let (ty, origin) = (global.ty.clone(), global.origin.clone());
        self.record_at(name, span, Binding::Global { origin });
        Some(ty)
    }

    fn is_function_name(&self, name: &str) -> bool {
        self.summary.functions.get(name).is_some_and(|f| !f.hidden)
            || self.file_functions.contains(name)
            || self
                .simul
                .as_ref()
                .is_some_and(|s| s.functions.contains_key(name))
            || self.env.efun(name).is_some()
    }

    fn typed(&self) -> bool {
        self.exact.is_some()
    }

    /// The type of `e` and its value when constant.
    fn expr(&mut self, e: &Expr) -> (Ty, Option<Const>) {
        let any = (Ty::ANY, None);
        match &e.kind {
            ExprKind::Int(0) => (Ty::ANY, Some(Const::Int(0))),
            ExprKind::Int(n) => (Ty::INT, Some(Const::Int(*n))),
            ExprKind::Float(x) => (Ty::FLOAT, Some(Const::Float(*x))),
            ExprKind::Str(_) => (Ty::STRING, None),
            ExprKind::Template(parts) => {
                for part in parts {
                    if let TemplatePart::Expr(inner) = part {
                        self.expr(inner);
                    }
                }
                (Ty::STRING, None)
            }
            ExprKind::Ident(name) => match self.lookup_variable(name, e.span) {
                Some(ty) => (ty, None),
                None if self.is_function_name(name) => {
                    if let Some(binding) = self.function_binding(name) {
                        self.record_at(name, e.span, binding);
                    }
                    (Ty::FUNCTION, None)
                }
                None => {
                    self.error(
                        E_UNDEFINED_VARIABLE,
                        e.span,
                        format!("undefined variable `{name}`"),
                    );
                    any
                }
            },
            ExprKind::Param(n) => {
                match self.frames.last().map(|f| f.kind) {
                    Some(FrameKind::Pointer) => {
                        if *n == 0 || *n > 255 {
                            self.error(
                                E_DOLLAR,
                                e.span,
                                format!("${n}: function pointer arguments are $1 to $255"),
                            );
                        }
                    }
                    Some(FrameKind::Lambda) => self.error(
                        E_DOLLAR,
                        e.span,
                        format!("${n} cannot be used inside an anonymous function"),
                    ),
                    None => self.error(
                        E_DOLLAR,
                        e.span,
                        format!("${n} can only be used inside (: :)"),
                    ),
                }
                any
            }
            ExprKind::Capture(inner) => {
                let frame = self.frames.pop();
                let result = self.expr(inner);
                if let Some(frame) = frame {
                    self.frames.push(frame);
                } else {
                    self.error(
                        E_DOLLAR,
                        e.span,
                        "$( ) can only be used inside a function value",
                    );
                }
                (result.0, None)
            }
            ExprKind::Array(items) => {
                self.exprs(items);
                (Ty::array_of(Base::Any), None)
            }
            ExprKind::Mapping(entries) => {
                for entry in entries {
                    self.expr(&entry.key);
                    self.expr(&entry.value);
                }
                (Ty::MAPPING, None)
            }
            ExprKind::Unary(op, operand) => self.unary(*op, operand),
            ExprKind::Binary(b) => self.binary(b, e.span),
            ExprKind::Assign(a) => self.assign(a),
            ExprKind::Ternary(t) => {
                self.expr(&t.cond);
                let (a, _) = self.expr(&t.then);
                let (b, _) = self.expr(&t.otherwise);
                (if a == b { a } else { Ty::ANY }, None)
            }
            ExprKind::Cast(c) => {
                self.check_class_exists(&c.ty);
                self.expr(&c.expr);
                (Ty::from_ast(&c.ty), None)
            }
            ExprKind::Index(ix) => self.index(ix),
            ExprKind::Range(r) => {
                let (base, _) = self.expr(&r.base);
                for bound in [&r.start, &r.end].into_iter().flatten() {
                    self.expr(&bound.expr);
                }
                if base.array || base == Ty::STRING || base.base == Base::Buffer {
                    (base, None)
                } else {
                    any
                }
            }
            ExprKind::Member(m) => self.member(m),
            ExprKind::Call(call) => (self.call(call, e.span), None),
            ExprKind::NewClass(n) => {
                let class = self.summary.classes.get(&n.class.text).cloned();
                if class.is_none() {
                    self.error(
                        E_UNDEFINED_CLASS,
                        n.class.span,
                        format!("undefined class `{}`", n.class.text),
                    );
                }
                for (field, value) in &n.fields {
                    self.expr(value);
                    let known = class
                        .as_ref()
                        .map(|class| class.members.iter().any(|(m, _)| *m == field.text));
                    if known == Some(true) {
                        let class = n.class.text.clone();
                        self.record(field, Binding::Member { class }, false);
                    }
                    if known == Some(false) {
                        self.error(
                            E_NO_MEMBER,
                            field.span,
                            format!("class `{}` has no member `{}`", n.class.text, field.text),
                        );
                    }
                }
                (Ty::plain(Base::Class(n.class.text.clone())), None)
            }
            ExprKind::Catch(body) => {
                self.special_body(body);
                any
            }
            ExprKind::TimeExpression(body) => {
                self.special_body(body);
                (Ty::INT, None)
            }
            ExprKind::Sscanf(s) => {
                self.expr(&s.input);
                self.expr(&s.format);
                self.exprs(&s.targets);
                (Ty::INT, None)
            }
            ExprKind::ParseCommand(p) => {
                self.expr(&p.input);
                self.expr(&p.env);
                self.expr(&p.pattern);
                self.exprs(&p.targets);
                (Ty::INT, None)
            }
            ExprKind::FunctionPtr(f) => {
                self.function_ptr(f);
                (Ty::FUNCTION, None)
            }
            ExprKind::Lambda(l) => {
                self.lambda(l);
                (Ty::FUNCTION, None)
            }
            ExprKind::Comma(items) => {
                let mut last = any;
                for item in items {
                    last = self.expr(item);
                }
                (last.0, None)
            }
            ExprKind::Spread(inner) => (self.expr(inner).0, None),
            ExprKind::Error => any,
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr) -> (Ty, Option<Const>) {
        let (ty, value) = self.expr(operand);
        let folded = match (op, value) {
            (UnaryOp::Neg, Some(Const::Int(n))) => Some(Const::Int(n.wrapping_neg())),
            (UnaryOp::Neg, Some(Const::Float(x))) => Some(Const::Float(-x)),
            (UnaryOp::Compl, Some(Const::Int(n))) => Some(Const::Int(!n)),
            (UnaryOp::Not, Some(Const::Int(n))) => Some(Const::Int(i64::from(n == 0))),
            _ => None,
        };
        let ty = match op {
            UnaryOp::Not => Ty::INT,
            _ if folded.is_some() => match folded {
                Some(Const::Float(_)) => Ty::FLOAT,
                _ => Ty::INT,
            },
            UnaryOp::Compl => Ty::INT,
            _ if self.typed() => ty,
            _ => Ty::ANY,
        };
        (ty, folded)
    }

    fn binary(&mut self, b: &Binary, span: Span) -> (Ty, Option<Const>) {
        let (lt, lv) = self.expr(&b.lhs);
        let (rt, rv) = self.expr(&b.rhs);
        use BinaryOp as Op;
        if matches!(b.op, Op::Div | Op::Mod)
            && lv.is_some()
            && matches!(rv, Some(Const::Int(0))) | matches!(rv, Some(Const::Float(x)) if x == 0.0)
        {
            let what = if b.op == Op::Div {
                "division"
            } else {
                "modulo"
            };
            self.error(
                E_DIV_ZERO,
                span,
                format!("{what} by zero in a constant expression"),
            );
            return (Ty::ANY, None);
        }
        let folded = match (lv, rv) {
            (Some(Const::Int(x)), Some(Const::Int(y))) => fold_int(b.op, x, y).map(Const::Int),
            (Some(l), Some(r)) => {
                let (x, y) = (as_float(l), as_float(r));
                match b.op {
                    Op::Add => Some(Const::Float(x + y)),
                    Op::Sub => Some(Const::Float(x - y)),
                    Op::Mul => Some(Const::Float(x * y)),
                    Op::Div => Some(Const::Float(x / y)),
                    _ => None,
                }
            }
            _ => None,
        };
        let ty = match b.op {
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => Ty::INT,
            // `a || b` yields one of its operands, not a truth value.
            Op::And | Op::Or | Op::Nullish => Ty::ANY,
            _ => match folded {
                Some(Const::Int(_)) => Ty::INT,
                Some(Const::Float(_)) => Ty::FLOAT,
                None if !self.typed() => Ty::ANY,
                None => arithmetic_type(b.op, &lt, &rt),
            },
        };
        (ty, folded)
    }

    fn assign(&mut self, a: &Assign) -> (Ty, Option<Const>) {
        let (target, _) = self.expr(&a.target);
        let (value, _) = self.expr(&a.value);
        let optional = match &a.target.kind {
            ExprKind::Member(m) => m.op == MemberOp::OptionalDot,
            ExprKind::Index(ix) => ix.optional,
            _ => false,
        };
        if optional {
            self.error(
                E_LVALUE,
                a.target.span,
                "optional chaining cannot be assigned to",
            );
        }
        if self.typed() && a.op == AssignOp::Assign && !storable(&value, &target) {
            self.error(
                E_ASSIGN_TYPE,
                a.value.span,
                format!(
                    "bad assignment: `{}` to a `{}` target",
                    value.name(),
                    target.name()
                ),
            );
        }
        (target, None)
    }

    fn index(&mut self, ix: &Index) -> (Ty, Option<Const>) {
        let (base, _) = self.expr(&ix.base);
        let (index, value) = self.expr(&ix.index);
        if let (ExprKind::Array(items), Some(Const::Int(n))) = (&ix.base.kind, value) {
            let len = items.len() as i64;
            let ok = if ix.from_end {
                n >= 1 && n <= len
            } else {
                n >= 0 && n < len
            };
            if !ok && !items.iter().any(|i| matches!(i.kind, ExprKind::Spread(_))) {
                self.error(
                    E_INDEX,
                    ix.index.span,
                    format!("index {n} is outside the array constant"),
                );
            }
        }
        if !self.typed() {
            return (Ty::ANY, None);
        }
        if base.array {
            if !is_int_like(&index) {
                self.error(
                    E_INDEX,
                    ix.index.span,
                    format!("an array index must be an int, not `{}`", index.name()),
                );
            }
            return (base.element(), None);
        }
        match base.base {
            Base::String | Base::Buffer => {
                if !is_int_like(&index) {
                    self.error(
                        E_INDEX,
                        ix.index.span,
                        format!("a string index must be an int, not `{}`", index.name()),
                    );
                }
                (Ty::INT, None)
            }
            Base::Mapping if ix.from_end => {
                self.error(
                    E_INDEX,
                    ix.index.span,
                    "a mapping cannot be indexed from the end",
                );
                (Ty::ANY, None)
            }
            Base::Int | Base::Float | Base::Object => {
                self.error(
                    E_INDEX,
                    ix.base.span,
                    format!("a value of type `{}` cannot be indexed", base.name()),
                );
                (Ty::ANY, None)
            }
            _ => (Ty::ANY, None),
        }
    }

    fn member(&mut self, m: &Member) -> (Ty, Option<Const>) {
        let (base, _) = self.expr(&m.base);
        let Base::Class(class_name) = &base.base else {
            return (Ty::ANY, None);
        };
        if base.array {
            return (Ty::ANY, None);
        }
        let Some(class) = self.summary.classes.get(class_name) else {
            return (Ty::ANY, None);
        };
        match class.members.iter().find(|(name, _)| *name == m.name.text) {
            Some((_, ty)) => {
                let ty = ty.clone();
                let class = class_name.clone();
                self.record(&m.name, Binding::Member { class }, false);
                (ty, None)
            }
            None => {
                let message = format!("class `{class_name}` has no member `{}`", m.name.text);
                self.error(E_NO_MEMBER, m.name.span, message);
                (Ty::ANY, None)
            }
        }
    }

    fn function_ptr(&mut self, f: &FunctionPtr) {
        match f {
            FunctionPtr::Named { name, args } => {
                self.exprs(args);
                if let Some(index) = self.find_local(&name.text) {
                    self.locals[index].used = true;
                    let decl = self.locals[index].span;
                    self.record(name, Binding::Local { decl }, false);
                    self.error(
                        E_FUNCTIONAL_LOCAL,
                        name.span,
                        format!("local variable `{}` cannot be used in (: :)", name.text),
                    );
                } else if self
                    .summary
                    .globals
                    .get(&name.text)
                    .is_some_and(|g| !g.hidden)
                {
                    let origin = self
                        .summary
                        .globals
                        .get(&name.text)
                        .and_then(|g| g.origin.clone());
                    self.record(name, Binding::Global { origin }, false);
                    if !args.is_empty() {
                        self.error(
                            E_FUNCTIONAL_LOCAL,
                            name.span,
                            "a variable in (: :) takes no arguments",
                        );
                    }
                } else if self.is_function_name(&name.text) {
                    self.record_function(name);
                } else {
                    self.warn(
                        W_UNKNOWN_FUNCTION,
                        name.span,
                        format!("unknown function `{}` in (: :)", name.text),
                    );
                }
            }
            FunctionPtr::Efun { name, args } => {
                self.exprs(args);
                self.record(name, Binding::Efun, false);
                if self.env.efun(&name.text).is_none() && self.env.has_efuns() {
                    self.error(
                        E_UNKNOWN_FUNCTION,
                        name.span,
                        format!("unknown efun `{}`", name.text),
                    );
                }
            }
            FunctionPtr::Expr(body) => {
                self.frames.push(Frame {
                    kind: FrameKind::Pointer,
                    boundary: self.locals.len(),
                });
                self.expr(body);
                self.frames.pop();
            }
        }
    }

    fn lambda(&mut self, l: &Lambda) {
        if !matches!(l.return_type.kind, TypeKind::Function | TypeKind::Missing)
            || l.return_type.array_depth > 0
        {
            self.error(
                E_LAMBDA_TYPE,
                l.return_type.span,
                "an anonymous function must be declared `function`",
            );
        }
        self.frames.push(Frame {
            kind: FrameKind::Lambda,
            boundary: self.locals.len(),
        });
        let saved_exact = self.exact.replace(Ty::ANY);
        let saved_flow = std::mem::take(&mut self.flow);
        let saved_switches = std::mem::take(&mut self.switches);
        self.push_scope();
        let params = self.params_of(&l.params);
        self.declare_params(&l.params, &params);
        self.block_stmts(&l.body.stmts);
        self.pop_scope();
        self.switches = saved_switches;
        self.flow = saved_flow;
        self.exact = saved_exact;
        self.frames.pop();
    }

    // ---- calls ----

    fn args(&mut self, args: &[Expr]) -> Vec<(Ty, bool)> {
        args.iter()
            .map(|a| {
                let spread = matches!(a.kind, ExprKind::Spread(_));
                (self.expr(a).0, spread)
            })
            .collect()
    }

    fn call(&mut self, call: &Call, span: Span) -> Ty {
        match &call.callee {
            Callee::Name(name) => {
                let args = self.args(&call.args);
                self.call_by_name(name, &args)
            }
            Callee::Efun(name) => {
                let args = self.args(&call.args);
                self.record(name, Binding::Efun, false);
                match self.env.efun(&name.text) {
                    Some(efun) => self.check_efun(efun, name, &args),
                    None if self.env.has_efuns() => {
                        self.error(
                            E_UNKNOWN_FUNCTION,
                            name.span,
                            format!("unknown efun `{}`", name.text),
                        );
                        Ty::ANY
                    }
                    None => Ty::ANY,
                }
            }
            Callee::Scoped { scope, name } => {
                let args = self.args(&call.args);
                self.call_inherited(scope.as_ref(), name, &args, span)
            }
            Callee::New => {
                self.args(&call.args);
                Ty::OBJECT
            }
            Callee::Method { object, .. } => {
                self.expr(object);
                self.args(&call.args);
                Ty::ANY
            }
            Callee::Expr(callee) => {
                self.expr(callee);
                self.args(&call.args);
                Ty::ANY
            }
        }
    }

    fn call_by_name(&mut self, name: &Name, args: &[(Ty, bool)]) -> Ty {
        let text = &name.text;
        let is_variable = self.summary.functions.get(text).is_none_or(|f| f.hidden)
            && self
                .simul
                .as_ref()
                .is_none_or(|s| !s.functions.contains_key(text))
            && self.env.efun(text).is_none()
            && (self.find_local(text).is_some() || self.summary.globals.contains_key(text));
        if !is_variable {
            self.record_function(name);
        }
        if let Some(sig) = self.summary.functions.get(text).filter(|f| !f.hidden) {
            let sig = sig.clone();
            self.check_user_call(&sig, name, args);
            return sig.ret;
        }
        if let Some(simul) = &self.simul
            && let Some(sig) = simul.functions.get(text)
        {
            return sig.ret.clone();
        }
        if let Some(efun) = self.env.efun(text) {
            return self.check_efun(efun, name, args);
        }
        if self.summary.functions.get(text).is_some_and(|f| f.hidden) {
            self.error(
                E_PRIVATE_CALL,
                name.span,
                format!("cannot call the inherited private function `{text}`"),
            );
            return Ty::ANY;
        }
        if self.find_local(text).is_some() || self.summary.globals.contains_key(text) {
            self.lookup_variable(text, name.span);
            return Ty::ANY;
        }
        if self.typed() && self.env.has_efuns() && !self.summary.broken {
            let message = if self.file_functions.contains(text) {
                format!("function `{text}` is called before it is declared; add a prototype")
            } else {
                format!("undefined function `{text}`")
            };
            self.error(E_UNDEFINED_FUNCTION, name.span, message);
        }
        Ty::ANY
    }

    fn check_user_call(&mut self, sig: &FnSig, name: &Name, args: &[(Ty, bool)]) {
        if !self.typed() || !sig.typed || sig.varargs {
            return;
        }
        if args.iter().any(|(_, spread)| *spread) {
            self.error(
                E_CALL_ARGS,
                name.span,
                format!(
                    "cannot pass a variable number of arguments to `{}`, which is not varargs",
                    name.text
                ),
            );
            return;
        }
        if args.len() < sig.min_args {
            self.error(
                E_CALL_ARGS,
                name.span,
                format!(
                    "`{}` expects at least {} argument(s), got {}",
                    name.text,
                    sig.min_args,
                    args.len()
                ),
            );
            return;
        }
        for (i, ((arg, _), param)) in args.iter().zip(&sig.params).take(sig.min_args).enumerate() {
            if !assignable(arg, param) {
                self.error(
                    E_CALL_ARG_TYPE,
                    name.span,
                    format!(
                        "argument {} of `{}` must be `{}`, not `{}`",
                        i + 1,
                        name.text,
                        param.name(),
                        arg.name()
                    ),
                );
            }
        }
    }

    fn check_efun(&mut self, efun: &efun_specs::Efun, name: &Name, args: &[(Ty, bool)]) -> Ty {
        let ret = Ty::from_spec_return(&efun.return_type);
        let spreads = args.iter().filter(|(_, spread)| *spread).count();
        let count = args.len();
        if spreads > 0 && efun.max_args.is_some() {
            self.error(
                E_EFUN_ARGS,
                name.span,
                format!(
                    "cannot pass a variable number of arguments to `{}`, which is not varargs",
                    name.text
                ),
            );
            return ret;
        }
        let default_supplied = count + 1 == efun.min_args
            && efun.params.get(count).is_some_and(|p| p.default.is_some());
        if count < efun.min_args && spreads == 0 && !default_supplied {
            self.error(
                E_EFUN_ARGS,
                name.span,
                format!(
                    "too few arguments to `{}`: expected at least {}, got {count}",
                    name.text, efun.min_args
                ),
            );
            return ret;
        }
        if let Some(max) = efun.max_args
            && count > max
        {
            self.error(
                E_EFUN_ARGS,
                name.span,
                format!(
                    "too many arguments to `{}`: expected at most {max}, got {count}",
                    name.text
                ),
            );
            return ret;
        }
        if !self.typed() || efun.max_args.is_none() {
            return ret;
        }
        let mut accepted = Vec::new();
        for (i, ((arg, _), param)) in args.iter().zip(&efun.params).enumerate() {
            accepted.clear();
            for ty in &param.types {
                Ty::from_spec(ty, &mut accepted);
            }
            if accepted.is_empty() || accepted.iter().any(|t| assignable(arg, t)) {
                continue;
            }
            let wanted: Vec<String> = accepted.iter().map(Ty::name).collect();
            self.error(
                E_EFUN_ARG_TYPE,
                name.span,
                format!(
                    "bad argument {} to `{}`: expected `{}`, found `{}`",
                    i + 1,
                    name.text,
                    wanted.join(" | "),
                    arg.name()
                ),
            );
        }
        ret
    }

    fn call_inherited(
        &mut self,
        scope: Option<&Name>,
        name: &Name,
        _args: &[(Ty, bool)],
        span: Span,
    ) -> Ty {
        let parents: Vec<Arc<ProgramSummary>> = match scope {
            None => self
                .summary
                .inherits
                .iter()
                .map(|(_, p)| p.clone())
                .collect(),
            Some(scope) => self
                .summary
                .inherits
                .iter()
                .filter(|(n, _)| *n == scope.text)
                .map(|(_, p)| p.clone())
                .collect(),
        };
        if parents.is_empty() {
            if let Some(scope) = scope
                && self.summary.inherits.iter().all(|(_, p)| !p.broken)
                && !self.summary.broken
            {
                self.error(
                    E_UNKNOWN_FUNCTION,
                    scope.span,
                    format!("no inherited program is named `{}`", scope.text),
                );
            }
            return Ty::ANY;
        }
        let found = parents.iter().find_map(|p| {
            let sig = p.functions.get(&name.text)?;
            let origin = sig
                .inherited_from
                .clone()
                .unwrap_or_else(|| SmolStr::new(&p.path));
            Some((sig.clone(), origin))
        });
        if let Some((_, origin)) = &found {
            let origin = Some(origin.clone());
            self.record(name, Binding::Function { origin }, false);
        }
        let found = found.map(|(sig, _)| sig);
        match found {
            Some(sig) if sig.hidden => {
                self.error(
                    E_PRIVATE_CALL,
                    span,
                    format!("cannot call the inherited private function `{}`", name.text),
                );
                Ty::ANY
            }
            Some(sig) => sig.ret,
            None => {
                if parents.iter().all(|p| !p.broken) {
                    self.error(
                        E_UNKNOWN_FUNCTION,
                        name.span,
                        format!("no inherited function `{}`", name.text),
                    );
                }
                Ty::ANY
            }
        }
    }
}

/// Whether a value may initialize or be assigned to a variable: as
/// [`assignable`], and a string or an array converts to a buffer.
fn storable(value: &Ty, target: &Ty) -> bool {
    let to_buffer = *target == Ty::plain(Base::Buffer) && (*value == Ty::STRING || value.array);
    to_buffer || assignable(value, target)
}

fn as_float(c: Const) -> f64 {
    match c {
        Const::Int(n) => n as f64,
        Const::Float(x) => x,
    }
}

fn fold_int(op: BinaryOp, x: i64, y: i64) -> Option<i64> {
    use BinaryOp as Op;
    Some(match op {
        Op::Add => x.wrapping_add(y),
        Op::Sub => x.wrapping_sub(y),
        Op::Mul => x.wrapping_mul(y),
        Op::Div => x.checked_div(y)?,
        Op::Mod => x.checked_rem(y)?,
        Op::BitAnd => x & y,
        Op::BitOr => x | y,
        Op::BitXor => x ^ y,
        Op::Shl => x.wrapping_shl(u32::try_from(y).ok()?),
        Op::Shr => x.wrapping_shr(u32::try_from(y).ok()?),
        _ => return None,
    })
}

/// The result type of an arithmetic operator in typed code.
fn arithmetic_type(op: BinaryOp, l: &Ty, r: &Ty) -> Ty {
    use BinaryOp as Op;
    let numeric = |t: &Ty| !t.array && matches!(t.base, Base::Int | Base::Float);
    match op {
        Op::Add if *l == Ty::STRING || *r == Ty::STRING => Ty::STRING,
        Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Mod if numeric(l) && numeric(r) => {
            if *l == Ty::FLOAT || *r == Ty::FLOAT {
                Ty::FLOAT
            } else {
                Ty::INT
            }
        }
        Op::Add | Op::Sub | Op::BitAnd | Op::BitOr if l.array && l == r => l.clone(),
        Op::Add | Op::Sub | Op::BitAnd | Op::BitOr if l.array && r.array => Ty::array_of(Base::Any),
        Op::Add | Op::Sub if *l == Ty::MAPPING && *r == Ty::MAPPING => Ty::MAPPING,
        Op::Shl | Op::Shr | Op::BitXor | Op::Mod if *l == Ty::INT && *r == Ty::INT => Ty::INT,
        _ => Ty::ANY,
    }
}
