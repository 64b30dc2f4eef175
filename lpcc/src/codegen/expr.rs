//! Expressions: constants, variables and assignments, operators, calls of
//! every kind, aggregates, function values, `catch` and `sscanf`.

use smol_str::SmolStr;

use super::stmt::Target;
use super::{Cx, Declared, E_UNRESOLVED, E_UNSUPPORTED, FnBuilder, Known};
use crate::ast::{
    self, AssignOp, BinaryOp, Callee, ExprKind, ExprOrBlock, FunctionPtr, TemplatePart, TypeKind,
    UnaryOp,
};
use crate::bytecode::{BinOp, Instr, flags};

/// Placeholder slots for `$(...)` captures, moved past the other locals
/// once the closure's body is compiled.
const CAPTURE_MARK: u16 = 0xF000;

impl Cx<'_, '_> {
    /// Where the variable `name` lives, if it is one.
    pub(super) fn variable(&self, b: &FnBuilder, name: &str) -> Option<Target> {
        if let Some(slot) = b.local(name) {
            return Some(Target::Local(slot));
        }
        self.globals.get(name).map(|g| Target::Global(g.slot))
    }

    /// Asks the environment whether `efun::name`, written at `span`, may
    /// bypass a simul_efun.
    fn check_override(&mut self, name: &str, span: crate::span::Span) {
        let Some(allowed) = self.env.valid_override.as_mut() else {
            return;
        };
        let file = self.sources.name(span.file);
        // The file as an object name: the basename's extension dropped.
        let stem = match file.rsplit_once('.') {
            Some((stem, ext)) if !ext.contains('/') => stem,
            _ => file,
        };
        if !allowed(stem, name) {
            self.error(
                E_UNSUPPORTED,
                span,
                format!("Invalid simulated efunction override of `{name}`"),
            );
        }
    }

    /// Where the assigned variable `name` lives; reported when it is none.
    fn assigned_variable(
        &mut self,
        b: &FnBuilder,
        name: &str,
        span: crate::span::Span,
    ) -> Option<Target> {
        let target = self.variable(b, name);
        if target.is_none() {
            self.error(E_UNRESOLVED, span, format!("undefined variable `{name}`"));
        }
        target
    }

    /// The declared type of the variable `name`, as far as stores care.
    pub(super) fn declared_variable(&self, b: &FnBuilder, name: &str) -> Declared {
        self.variable_type(b, name)
            .map_or(Declared::Other, |t| t.declared())
    }

    /// The declared type of the variable `name`, if it is one.
    fn variable_type<'k>(&'k self, b: &'k FnBuilder, name: &str) -> Option<&'k Known> {
        match b.local(name) {
            Some(slot) => b.declared.get(slot as usize),
            None => self.globals.get(name).map(|g| &g.ty),
        }
    }

    /// The type `e` has by declaration, where the compiler follows it:
    /// variables, casts, elements of typed arrays (where types are
    /// checked) and members of classes.
    pub(super) fn static_type(&self, b: &FnBuilder, e: &ast::Expr) -> Option<Known> {
        match &e.kind {
            ExprKind::Ident(name) => self.variable_type(b, name).cloned(),
            ExprKind::Cast(cast) => Some(Known::of(&cast.ty)),
            ExprKind::Index(index) if !index.optional && b.exact_types => {
                let base = self.static_type(b, &index.base)?;
                match base.base {
                    _ if base.depth > 0 => Some(Known {
                        depth: base.depth - 1,
                        ..base
                    }),
                    ast::TypeKind::String | ast::TypeKind::Buffer => Some(Known {
                        base: ast::TypeKind::Int,
                        depth: 0,
                    }),
                    _ => None,
                }
            }
            ExprKind::Member(member) if member.op != ast::MemberOp::OptionalDot => {
                let base = self.static_type(b, &member.base);
                match base.as_ref().map(|t| (&t.base, t.depth)) {
                    Some((ast::TypeKind::Class(class), 0)) if !class.is_empty() => {
                        self.class_member_type(class, &member.name.text)
                    }
                    // A value of no known class: the member's type is that
                    // of the class in scope with a member of that name.
                    None
                    | Some((ast::TypeKind::Class(_) | ast::TypeKind::Mixed, 0))
                    | Some((ast::TypeKind::Missing, 0)) => {
                        self.any_class_member_type(&member.name.text)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether `name` is a variable declared `float`.
    pub(super) fn float_variable(&self, b: &FnBuilder, name: &str) -> bool {
        self.declared_variable(b, name) == Declared::Float
    }

    /// Compiles `value` for a store into a variable declared `kind`.
    fn store_value(&mut self, b: &mut FnBuilder, kind: Declared, value: &ast::Expr) {
        self.expr(b, value);
        if let Some(convert) = self.store_conversion(b, kind, value) {
            b.emit(convert);
        }
    }

    /// Compiles `e` for its effects only.
    pub(super) fn expr_discard(&mut self, b: &mut FnBuilder, e: &ast::Expr) {
        match &e.kind {
            ExprKind::Assign(a) => self.assign(b, a, e.span, false),
            ExprKind::Unary(op @ (UnaryOp::PreInc | UnaryOp::PostInc), target)
            | ExprKind::Unary(op @ (UnaryOp::PreDec | UnaryOp::PostDec), target) => {
                let delta = if matches!(op, UnaryOp::PreInc | UnaryOp::PostInc) {
                    1
                } else {
                    -1
                };
                self.inc_dec(b, target, delta, false, false);
            }
            ExprKind::Comma(list) => {
                for item in list {
                    self.expr_discard(b, item);
                }
            }
            _ => {
                self.expr(b, e);
                b.emit(Instr::Pop);
            }
        }
    }

    /// Compiles `e`, leaving its value on the stack; refuses expressions
    /// nested deeper than FluffOS compiles.
    pub(super) fn expr(&mut self, b: &mut FnBuilder, e: &ast::Expr) {
        if b.expr_depth >= super::MAX_EXPR_DEPTH {
            if !b.too_deep {
                b.too_deep = true;
                self.error(super::E_LIMIT, e.span, "Expression nested too deeply.");
            }
            return;
        }
        b.expr_depth += 1;
        self.expr_node(b, e);
        b.expr_depth -= 1;
    }

    fn expr_node(&mut self, b: &mut FnBuilder, e: &ast::Expr) {
        match &e.kind {
            ExprKind::Int(v) => self.push_int(b, *v),
            ExprKind::Float(v) => {
                let index = self.out.floats.len() as u32;
                self.out.floats.push(*v);
                b.emit(Instr::PushFloat { index });
            }
            ExprKind::Str(s) => {
                let index = self.string_const(s);
                b.emit(Instr::PushString { index });
            }
            ExprKind::Template(parts) => {
                let empty = self.string_const("");
                b.emit(Instr::PushString { index: empty });
                for part in parts {
                    match part {
                        TemplatePart::Text(text) => {
                            let index = self.string_const(text);
                            b.emit(Instr::PushString { index });
                        }
                        TemplatePart::Expr(e) => {
                            // Interpolated numbers print as casts do (`%g`
                            // style), unlike `+`, which prints floats with
                            // six decimals.
                            self.expr(b, e);
                            b.emit(Instr::CastString);
                        }
                    }
                    b.emit(Instr::Add);
                }
            }
            ExprKind::Ident(name) => match self.variable(b, name) {
                Some(target) => {
                    b.emit(target.get());
                }
                // A function named as a value is a pointer to it.
                None if self.functions.contains_key(name) => {
                    let name = self.name_index(name);
                    b.emit(Instr::MakeFunctionPtr { name, bound: 0 });
                }
                None if self.env.is_simul_efun.is_some_and(|f| f(name)) => {
                    let name = self.name_index(name);
                    b.emit(Instr::MakeSimulPtr { name, bound: 0 });
                }
                None if self.env.efuns.get(name).is_some_and(|f| !f.internal) => {
                    let efun = self.efun_index(name);
                    b.emit(Instr::MakeEfunPtr { efun, bound: 0 });
                }
                None => self.error(E_UNRESOLVED, e.span, format!("undefined variable `{name}`")),
            },
            ExprKind::Param(n) => {
                let Some(slot) = n.checked_sub(1).filter(|&s| s < 255) else {
                    self.error(E_UNSUPPORTED, e.span, "`$N` out of range");
                    return;
                };
                b.params = b.params.max(slot as u8 + 1);
                b.max_locals = b.max_locals.max(slot as usize + 1);
                b.emit(Instr::GetLocal { slot: slot as u16 });
            }
            ExprKind::Capture(inner) => {
                if b.capture_base.is_none() {
                    self.error(E_UNSUPPORTED, e.span, "`$(...)` outside a function value");
                    return;
                }
                let k = b.captures.len() as u16;
                b.captures.push((**inner).clone());
                b.emit(Instr::GetLocal {
                    slot: CAPTURE_MARK + k,
                });
            }
            ExprKind::Array(items) => {
                if items.iter().any(|i| matches!(i.kind, ExprKind::Spread(_))) {
                    // `({ a, b... })`: concatenate one-element arrays and spreads.
                    b.emit(Instr::MakeArray { count: 0 });
                    for item in items {
                        match &item.kind {
                            ExprKind::Spread(inner) => self.expr(b, inner),
                            _ => {
                                self.expr(b, item);
                                b.emit(Instr::MakeArray { count: 1 });
                            }
                        }
                        b.emit(Instr::Add);
                    }
                    return;
                }
                for item in items {
                    self.expr(b, item);
                }
                b.emit(Instr::MakeArray {
                    count: items.len() as u32,
                });
            }
            ExprKind::Mapping(entries) => {
                for entry in entries {
                    self.expr(b, &entry.key);
                    self.expr(b, &entry.value);
                }
                b.emit(Instr::MakeMapping {
                    count: entries.len() as u32,
                });
            }
            ExprKind::Unary(op, operand) => self.unary(b, *op, operand, e.span),
            ExprKind::Binary(bin) => self.binary(b, bin),
            ExprKind::Assign(a) => self.assign(b, a, e.span, true),
            ExprKind::Ternary(t) => {
                let to_else = self.cond_jump(b, &t.cond, false);
                self.expr(b, &t.then);
                let to_end = b.emit(Instr::Jump { target: 0 });
                b.patch_here(to_else);
                self.expr(b, &t.otherwise);
                b.patch_here(to_end);
            }
            ExprKind::Cast(cast) => {
                self.expr(b, &cast.expr);
                if cast.ty.array_depth == 0 {
                    match cast.ty.kind {
                        TypeKind::Int => {
                            b.emit(Instr::CastInt);
                        }
                        TypeKind::Float => {
                            b.emit(Instr::CastFloat);
                        }
                        TypeKind::String => {
                            b.emit(Instr::CastString);
                        }
                        _ => {}
                    }
                }
            }
            ExprKind::Index(index) => {
                if !index.optional
                    && !index.from_end
                    && let ExprKind::Ident(name) = &index.base.kind
                    && let Some(slot) = b.local(name)
                {
                    self.expr(b, &index.index);
                    b.emit(Instr::GetLocalIndex { slot });
                    return;
                }
                self.expr(b, &index.base);
                self.expr(b, &index.index);
                b.emit(if index.optional {
                    Instr::IndexOptional
                } else if index.from_end {
                    Instr::IndexFromEnd
                } else {
                    Instr::Index
                });
            }
            ExprKind::Range(range) => {
                self.expr(b, &range.base);
                let flags = self.range_bounds(b, range);
                b.emit(Instr::Range { flags });
            }
            ExprKind::Member(member) => {
                self.expr(b, &member.base);
                let name = self.name_index(&member.name.text);
                b.emit(if member.op == ast::MemberOp::OptionalDot {
                    Instr::GetMemberOptional { name }
                } else {
                    Instr::GetMember { name }
                });
            }
            ExprKind::Call(call) => self.call(b, call, e.span),
            ExprKind::Catch(body) => self.catch(b, body),
            ExprKind::Sscanf(s) => self.sscanf(b, s),
            ExprKind::FunctionPtr(fp) => self.function_ptr(b, fp, e.span),
            ExprKind::Lambda(lambda) => self.lambda(b, lambda, e.span),
            ExprKind::Comma(list) => {
                let Some((last, rest)) = list.split_last() else {
                    b.emit(Instr::PushInt { value: 0 });
                    return;
                };
                for item in rest {
                    self.expr_discard(b, item);
                }
                self.expr(b, last);
            }
            ExprKind::NewClass(new) => self.new_class(b, new),
            ExprKind::TimeExpression(body) => {
                // Microseconds of wall time spent in the body.
                let clock = self.efun_index("perf_counter_ns");
                let start = b.hidden_locals(1);
                b.emit(Instr::CallEfun {
                    efun: clock,
                    argc: 0,
                });
                b.emit(Instr::StoreLocal { slot: start });
                match &**body {
                    ExprOrBlock::Expr(e) => self.expr_discard(b, e),
                    ExprOrBlock::Block(block) => self.block(b, block),
                }
                b.emit(Instr::CallEfun {
                    efun: clock,
                    argc: 0,
                });
                b.emit(Instr::GetLocal { slot: start });
                b.emit(Instr::Sub);
                b.emit(Instr::IntOp {
                    op: BinOp::Div as u8,
                    value: 1000,
                });
            }
            ExprKind::ParseCommand(p) => self.parse_command(b, p),
            ExprKind::Spread(_) => {
                self.error(E_UNSUPPORTED, e.span, "`...` is not supported here yet")
            }
            ExprKind::Error => self.error(E_UNSUPPORTED, e.span, "syntax error"),
        }
    }

    /// Pushes a range's bounds; its flags for `Range` and `RangeReplace`.
    fn range_bounds(&mut self, b: &mut FnBuilder, range: &ast::Range) -> u8 {
        let mut flags = 0u8;
        match &range.start {
            Some(start) => {
                self.expr(b, &start.expr);
                if start.from_end {
                    flags |= 1;
                }
            }
            None => {
                b.emit(Instr::PushInt { value: 0 });
            }
        }
        match &range.end {
            Some(end) => {
                self.expr(b, &end.expr);
                if end.from_end {
                    flags |= 2;
                }
            }
            None => {
                b.emit(Instr::PushInt { value: 0 });
                flags |= 4;
            }
        }
        flags
    }

    /// `new(class Name, member: value, ...)`: members in declaration order,
    /// undefined where none is given.
    fn new_class(&mut self, b: &mut FnBuilder, new: &ast::NewClass) {
        let Some(class) = self.class_index(&new.class.text) else {
            self.error(
                E_UNRESOLVED,
                new.class.span,
                format!("undefined class `{}`", new.class.text),
            );
            return;
        };
        let members = self.out.classes[class as usize].members.clone();
        for member in &members {
            match new.fields.iter().find(|(n, _)| n.text == *member) {
                Some((_, value)) => self.expr(b, value),
                None => {
                    b.emit(Instr::PushUndefined);
                }
            }
        }
        b.emit(Instr::MakeClass {
            class,
            count: members.len() as u16,
        });
    }

    fn push_int(&mut self, b: &mut FnBuilder, v: i64) {
        match i32::try_from(v) {
            Ok(value) => b.emit(Instr::PushInt { value }),
            Err(_) => {
                let index = self.int_const(v);
                b.emit(Instr::PushBigInt { index })
            }
        };
    }

    fn unary(
        &mut self,
        b: &mut FnBuilder,
        op: UnaryOp,
        operand: &ast::Expr,
        span: crate::span::Span,
    ) {
        match op {
            UnaryOp::Neg => {
                if let ExprKind::Int(v) = operand.kind {
                    self.push_int(b, v.wrapping_neg());
                    return;
                }
                self.expr(b, operand);
                b.emit(Instr::Neg);
            }
            UnaryOp::Not => {
                self.expr(b, operand);
                b.emit(Instr::Not);
            }
            UnaryOp::Compl => {
                self.expr(b, operand);
                b.emit(Instr::Compl);
            }
            UnaryOp::PreInc => self.inc_dec(b, operand, 1, false, true),
            UnaryOp::PreDec => self.inc_dec(b, operand, -1, false, true),
            UnaryOp::PostInc => self.inc_dec(b, operand, 1, true, true),
            UnaryOp::PostDec => self.inc_dec(b, operand, -1, true, true),
            UnaryOp::Ref => {
                // Only an argument of a call is passed by reference.
                if !std::mem::take(&mut b.ref_argument) {
                    self.error(
                        E_UNSUPPORTED,
                        span,
                        "`ref` and `&` may only mark an argument of a call",
                    );
                    return;
                }
                let target = match &operand.kind {
                    ExprKind::Ident(name) => self.variable(b, name).map(RefTarget::Var),
                    ExprKind::Index(index)
                        if !index.optional
                            && let ExprKind::Ident(name) = &index.base.kind
                            && let Some(var) = self.variable(b, name) =>
                    {
                        // Written back through the variable, so a string
                        // (a value) changes too.
                        let slot = b.hidden_locals(1);
                        self.expr(b, &index.index);
                        b.emit(Instr::StoreLocal { slot });
                        Some(RefTarget::VarElement {
                            var,
                            slot,
                            from_end: index.from_end,
                        })
                    }
                    ExprKind::Index(index) if !index.optional => {
                        // The container and index are kept to write back to.
                        let slots = b.hidden_locals(2);
                        self.expr(b, &index.base);
                        b.emit(Instr::StoreLocal { slot: slots });
                        self.expr(b, &index.index);
                        b.emit(Instr::StoreLocal { slot: slots + 1 });
                        Some(RefTarget::Element {
                            slots,
                            from_end: index.from_end,
                        })
                    }
                    ExprKind::Member(member) => {
                        // The object (class or mapping) is kept to write back to.
                        let slot = b.hidden_locals(1);
                        self.expr(b, &member.base);
                        b.emit(Instr::StoreLocal { slot });
                        Some(RefTarget::Member {
                            slot,
                            name: self.name_index(&member.name.text),
                        })
                    }
                    _ => None,
                };
                let Some(target) = target else {
                    self.error(
                        E_UNSUPPORTED,
                        span,
                        "`ref` is supported on variables, elements and members only so far",
                    );
                    return;
                };
                let cell = b.hidden_locals(1);
                target.load(b);
                b.emit(Instr::MakeRef);
                b.emit(Instr::SetLocal { slot: cell });
                b.pending_refs.push((cell, target));
            }
        }
    }

    fn binary(&mut self, b: &mut FnBuilder, bin: &ast::Binary) {
        match bin.op {
            BinaryOp::And | BinaryOp::Or | BinaryOp::Nullish => {
                self.expr(b, &bin.lhs);
                let jump = b.emit(match bin.op {
                    BinaryOp::And => Instr::JumpIfFalseKeep { target: 0 },
                    BinaryOp::Or => Instr::JumpIfTrueKeep { target: 0 },
                    _ => Instr::JumpIfDefinedKeep { target: 0 },
                });
                self.expr(b, &bin.rhs);
                b.patch_here(jump);
                return;
            }
            BinaryOp::Add | BinaryOp::Sub => {
                if let ExprKind::Int(v) = bin.rhs.kind {
                    let v = if bin.op == BinaryOp::Sub {
                        v.checked_neg()
                    } else {
                        Some(v)
                    };
                    if let Some(value) = v.and_then(|v| i32::try_from(v).ok()) {
                        self.expr(b, &bin.lhs);
                        b.emit(Instr::AddInt { value });
                        return;
                    }
                }
            }
            _ => {}
        }
        if let ExprKind::Int(v) = bin.rhs.kind
            && let Ok(value) = i32::try_from(v)
            && let Some(op) = int_op_code(bin.op, v)
        {
            self.expr(b, &bin.lhs);
            b.emit(Instr::IntOp {
                op: op as u8,
                value,
            });
            return;
        }
        self.expr(b, &bin.lhs);
        self.expr(b, &bin.rhs);
        b.emit(binary_instr(bin.op));
    }

    /// `target op= value` and `target = value`; leaves the value when `keep`.
    fn assign(&mut self, b: &mut FnBuilder, a: &ast::Assign, span: crate::span::Span, keep: bool) {
        let op = match a.op {
            AssignOp::Assign => None,
            AssignOp::Compound(op @ (BinaryOp::And | BinaryOp::Or | BinaryOp::Nullish)) => {
                self.logical_assign(b, a, op, span, keep);
                return;
            }
            AssignOp::Compound(op) => Some(op),
        };
        match &a.target.kind {
            ExprKind::Ident(name) => {
                let Some(target) = self.assigned_variable(b, name, a.target.span) else {
                    return;
                };
                if let Target::Local(slot) = target
                    && let Some(&(_, state)) = b.ref_loops.iter().rev().find(|l| l.0 == slot)
                {
                    // A loop variable by reference: the element changes first.
                    if let Some(op) = op {
                        b.emit(target.get());
                        self.expr(b, &a.value);
                        b.emit(binary_instr(op));
                    } else {
                        self.expr(b, &a.value);
                    }
                    b.emit(Instr::Dup);
                    b.emit(Instr::ForeachStore { state });
                    b.emit(if keep { target.set() } else { target.store() });
                    return;
                }
                let kind = self.declared_variable(b, name);
                if kind == Declared::Buffer {
                    // The right side becomes a buffer first, so `+=` appends.
                    if op.is_some() {
                        b.emit(target.get());
                    }
                    self.store_value(b, kind, &a.value);
                    if let Some(op) = op {
                        b.emit(binary_instr(op));
                    }
                    b.emit(if keep { target.set() } else { target.store() });
                    return;
                }
                if kind == Declared::Float {
                    if let Some(op) = op {
                        b.emit(target.get());
                        self.expr(b, &a.value);
                        b.emit(binary_instr(op));
                    } else {
                        self.expr(b, &a.value);
                    }
                    b.emit(Instr::PromoteFloat);
                    b.emit(if keep { target.set() } else { target.store() });
                    return;
                }
                if kind == Declared::Int && self.may_be_float(b, &a.value) {
                    // The right side is truncated before the operator, so
                    // `i *= 1.5` multiplies by 1.
                    if op.is_some() {
                        b.emit(target.get());
                    }
                    self.store_value(b, kind, &a.value);
                    if let Some(op) = op {
                        b.emit(binary_instr(op));
                    }
                    b.emit(if keep { target.set() } else { target.store() });
                    return;
                }
                match (op, target) {
                    (None, _) => {
                        self.expr(b, &a.value);
                        b.emit(if keep { target.set() } else { target.store() });
                    }
                    (Some(op @ (BinaryOp::Add | BinaryOp::Sub)), _) if matches!(a.value.kind, ExprKind::Int(v) if i32::try_from(v).is_ok() && v != i32::MIN as i64) =>
                    {
                        let ExprKind::Int(v) = a.value.kind else {
                            return;
                        };
                        let delta = if op == BinaryOp::Sub {
                            -(v as i32)
                        } else {
                            v as i32
                        };
                        b.emit(match target {
                            Target::Local(slot) => Instr::AddLocalInt { slot, delta },
                            Target::Global(slot) => Instr::AddGlobalInt { slot, delta },
                        });
                        if keep {
                            b.emit(target.get());
                        }
                    }
                    (Some(op), Target::Local(slot)) => {
                        self.expr(b, &a.value);
                        let op = binop_code(op) as u8;
                        b.emit(if keep {
                            Instr::CompoundLocal { slot, op }
                        } else {
                            Instr::CompoundLocalDiscard { slot, op }
                        });
                    }
                    (Some(op), Target::Global(_)) => {
                        b.emit(target.get());
                        self.expr(b, &a.value);
                        b.emit(binary_instr(op));
                        b.emit(if keep { target.set() } else { target.store() });
                    }
                }
            }
            ExprKind::Index(index) if !index.optional => {
                if op.is_none()
                    && !keep
                    && !index.from_end
                    && let ExprKind::Ident(name) = &index.base.kind
                    && let Some(slot) = b.local(name)
                    && !(self.declared_variable(b, name) == Declared::IntArray
                        && self.may_be_float(b, &a.value))
                {
                    self.expr(b, &index.index);
                    self.expr(b, &a.value);
                    b.emit(Instr::StoreLocalIndex { slot });
                    return;
                }
                if let ExprKind::Ident(name) = &index.base.kind
                    && let Some(var) = self.variable(b, name)
                {
                    // Through the variable, so strings (values) change too.
                    let kind = match self.declared_variable(b, name) {
                        Declared::IntArray => Declared::Int,
                        _ => Declared::Other,
                    };
                    b.emit(var.get());
                    self.expr(b, &index.index);
                    if let Some(op) = op {
                        b.emit(Instr::Dup2);
                        b.emit(if index.from_end {
                            Instr::IndexFromEnd
                        } else {
                            Instr::Index
                        });
                        self.store_value(b, kind, &a.value);
                        b.emit(binary_instr(op));
                    } else {
                        self.store_value(b, kind, &a.value);
                    }
                    b.emit(Instr::IndexReplace {
                        from_end: u8::from(index.from_end),
                    });
                    b.emit(var.store());
                    if !keep {
                        b.emit(Instr::Pop);
                    }
                    return;
                }
                self.expr(b, &index.base);
                self.expr(b, &index.index);
                let (get, store) = if index.from_end {
                    (Instr::IndexFromEnd, Instr::IndexFromEndStore)
                } else {
                    (Instr::Index, Instr::IndexStore)
                };
                if let Some(op) = op {
                    b.emit(Instr::Dup2);
                    b.emit(get);
                    self.expr(b, &a.value);
                    b.emit(binary_instr(op));
                } else {
                    self.expr(b, &a.value);
                }
                if !keep && store == Instr::IndexStore {
                    b.emit(Instr::IndexStoreDiscard);
                    return;
                }
                b.emit(store);
                if !keep {
                    b.emit(Instr::Pop);
                }
            }
            ExprKind::Member(member) => {
                self.expr(b, &member.base);
                let name = self.name_index(&member.name.text);
                if let Some(op) = op {
                    b.emit(Instr::Dup);
                    b.emit(Instr::GetMember { name });
                    self.expr(b, &a.value);
                    b.emit(binary_instr(op));
                } else {
                    self.expr(b, &a.value);
                }
                b.emit(Instr::SetMember { name });
                if !keep {
                    b.emit(Instr::Pop);
                }
            }
            ExprKind::Range(range) if op.is_none() => {
                let ExprKind::Ident(name) = &range.base.kind else {
                    self.error(
                        E_UNSUPPORTED,
                        span,
                        "range assignment is supported on variables only so far",
                    );
                    return;
                };
                let Some(target) = self.assigned_variable(b, name, a.target.span) else {
                    return;
                };
                b.emit(target.get());
                let flags = self.range_bounds(b, range);
                self.expr(b, &a.value);
                b.emit(Instr::RangeReplace { flags });
                // The assigned value, not the whole new string, is the
                // expression's value.
                b.emit(target.store());
                if !keep {
                    b.emit(Instr::Pop);
                }
            }
            _ => self.error(
                E_UNSUPPORTED,
                span,
                "assignment to this kind of expression is not supported yet",
            ),
        }
    }

    /// `x &&= v`, `x ||= v`, `x ??= v` on a variable.
    fn logical_assign(
        &mut self,
        b: &mut FnBuilder,
        a: &ast::Assign,
        op: BinaryOp,
        span: crate::span::Span,
        keep: bool,
    ) {
        if let ExprKind::Index(index) = &a.target.kind
            && !index.optional
        {
            // [c i] Dup2 Index; keep the old value when it decides, else store.
            self.expr(b, &index.base);
            self.expr(b, &index.index);
            b.emit(Instr::Dup2);
            b.emit(if index.from_end {
                Instr::IndexFromEnd
            } else {
                Instr::Index
            });
            let decided = b.emit(match op {
                BinaryOp::And => Instr::JumpIfFalseKeep { target: 0 },
                BinaryOp::Or => Instr::JumpIfTrueKeep { target: 0 },
                _ => Instr::JumpIfDefinedKeep { target: 0 },
            });
            self.expr(b, &a.value);
            b.emit(if index.from_end {
                Instr::IndexFromEndStore
            } else {
                Instr::IndexStore
            });
            let done = b.emit(Instr::Jump { target: 0 });
            b.patch_here(decided);
            let old = b.hidden_locals(1);
            b.emit(Instr::StoreLocal { slot: old });
            b.emit(Instr::Pop);
            b.emit(Instr::Pop);
            b.emit(Instr::GetLocal { slot: old });
            b.patch_here(done);
            if !keep {
                b.emit(Instr::Pop);
            }
            return;
        }
        let ExprKind::Ident(name) = &a.target.kind else {
            self.error(
                E_UNSUPPORTED,
                span,
                "this compound assignment is not supported yet",
            );
            return;
        };
        let Some(target) = self.assigned_variable(b, name, a.target.span) else {
            return;
        };
        b.emit(target.get());
        let jump = b.emit(match op {
            BinaryOp::And => Instr::JumpIfFalseKeep { target: 0 },
            BinaryOp::Or => Instr::JumpIfTrueKeep { target: 0 },
            _ => Instr::JumpIfDefinedKeep { target: 0 },
        });
        self.expr(b, &a.value);
        b.emit(target.set());
        b.patch_here(jump);
        if !keep {
            b.emit(Instr::Pop);
        }
    }

    /// `++x`, `x--` and friends; leaves the old (post) or new value when `keep`.
    fn inc_dec(
        &mut self,
        b: &mut FnBuilder,
        target: &ast::Expr,
        delta: i32,
        post: bool,
        keep: bool,
    ) {
        match &target.kind {
            ExprKind::Ident(name) => {
                let Some(var) = self.variable(b, name) else {
                    self.error(
                        E_UNRESOLVED,
                        target.span,
                        format!("undefined variable `{name}`"),
                    );
                    return;
                };
                if let Target::Local(slot) = var
                    && let Some(&(_, state)) = b.ref_loops.iter().rev().find(|l| l.0 == slot)
                {
                    // A loop variable by reference: the element changes first.
                    b.emit(var.get());
                    if keep && post {
                        b.emit(Instr::Dup);
                    }
                    b.emit(Instr::AddInt { value: delta });
                    b.emit(Instr::Dup);
                    b.emit(Instr::ForeachStore { state });
                    b.emit(if keep && !post {
                        var.set()
                    } else {
                        var.store()
                    });
                    return;
                }
                if keep && post {
                    b.emit(var.get());
                }
                b.emit(match var {
                    Target::Local(slot) => Instr::AddLocalInt { slot, delta },
                    Target::Global(slot) => Instr::AddGlobalInt { slot, delta },
                });
                if keep && !post {
                    b.emit(var.get());
                }
            }
            ExprKind::Index(index)
                if !index.optional
                    && matches!(&index.base.kind, ExprKind::Ident(n) if self.variable(b, n).is_some()) =>
            {
                let ExprKind::Ident(name) = &index.base.kind else {
                    return;
                };
                let Some(var) = self.variable(b, name) else {
                    return;
                };
                b.emit(var.get());
                self.expr(b, &index.index);
                b.emit(Instr::Dup2);
                b.emit(if index.from_end {
                    Instr::IndexFromEnd
                } else {
                    Instr::Index
                });
                b.emit(Instr::AddInt { value: delta });
                b.emit(Instr::IndexReplace {
                    from_end: u8::from(index.from_end),
                });
                b.emit(var.store());
                if !keep {
                    b.emit(Instr::Pop);
                } else if post {
                    b.emit(Instr::AddInt { value: -delta });
                }
            }
            ExprKind::Index(index) if !index.optional => {
                self.expr(b, &index.base);
                self.expr(b, &index.index);
                let (get, store) = if index.from_end {
                    (Instr::IndexFromEnd, Instr::IndexFromEndStore)
                } else {
                    (Instr::Index, Instr::IndexStore)
                };
                b.emit(Instr::Dup2);
                b.emit(get);
                b.emit(Instr::AddInt { value: delta });
                b.emit(store);
                if !keep {
                    b.emit(Instr::Pop);
                } else if post {
                    b.emit(Instr::AddInt { value: -delta });
                }
            }
            ExprKind::Member(member) => {
                self.expr(b, &member.base);
                let name = self.name_index(&member.name.text);
                b.emit(Instr::Dup);
                b.emit(Instr::GetMember { name });
                b.emit(Instr::AddInt { value: delta });
                b.emit(Instr::SetMember { name });
                if !keep {
                    b.emit(Instr::Pop);
                } else if post {
                    b.emit(Instr::AddInt { value: -delta });
                }
            }
            _ => self.error(
                E_UNSUPPORTED,
                target.span,
                "`++`/`--` on this kind of expression is not supported yet",
            ),
        }
    }

    /// The arguments of a call; with `...` spreads, one array of them all
    /// spread by `SpreadArgs`, and the count [`crate::bytecode::verify::SPREAD`].
    fn call_args(&mut self, b: &mut FnBuilder, args: &[ast::Expr], span: crate::span::Span) -> u8 {
        if !args.iter().any(|a| matches!(a.kind, ExprKind::Spread(_))) {
            return self.args(b, args, span);
        }
        b.emit(Instr::MakeArray { count: 0 });
        for arg in args {
            match &arg.kind {
                ExprKind::Spread(inner) => self.expr(b, inner),
                _ => {
                    b.ref_argument = matches!(arg.kind, ExprKind::Unary(UnaryOp::Ref, _));
                    self.expr(b, arg);
                    b.ref_argument = false;
                    b.emit(Instr::MakeArray { count: 1 });
                }
            }
            b.emit(Instr::Add);
        }
        b.emit(Instr::SpreadArgs);
        crate::bytecode::verify::SPREAD
    }

    fn args(&mut self, b: &mut FnBuilder, args: &[ast::Expr], span: crate::span::Span) -> u8 {
        self.args_converted(b, args, span, &[])
    }

    /// [`Self::args`], truncating a float argument where `int_only` says
    /// its parameter takes an int and no float.
    fn args_converted(
        &mut self,
        b: &mut FnBuilder,
        args: &[ast::Expr],
        span: crate::span::Span,
        int_only: &[bool],
    ) -> u8 {
        for (i, arg) in args.iter().enumerate() {
            if matches!(arg.kind, ExprKind::Spread(_)) {
                self.error(
                    E_UNSUPPORTED,
                    arg.span,
                    "spreading arguments with `...` is not supported yet",
                );
            }
            b.ref_argument = matches!(arg.kind, ExprKind::Unary(UnaryOp::Ref, _));
            self.expr(b, arg);
            b.ref_argument = false;
            if int_only.get(i).copied().unwrap_or(false) && self.may_be_float(b, arg) {
                b.emit(Instr::TruncateInt);
            }
        }
        if args.len() >= crate::bytecode::verify::SPREAD as usize {
            self.error(super::E_LIMIT, span, "more than 254 arguments");
        }
        args.len() as u8
    }

    /// A call; afterwards the values of its `ref` arguments go back to
    /// their variables.
    fn call(&mut self, b: &mut FnBuilder, call: &ast::Call, span: crate::span::Span) {
        let mark = b.pending_refs.len();
        self.call_inner(b, call, span);
        let refs: Vec<_> = b.pending_refs.drain(mark..).collect();
        for (cell, target) in refs {
            target.write_back(b, cell);
        }
    }

    fn call_inner(&mut self, b: &mut FnBuilder, call: &ast::Call, span: crate::span::Span) {
        match &call.callee {
            Callee::Name(name) => {
                // A function, simul_efun or efun of the name wins over a
                // variable holding a function value, as sema resolves it.
                if self.functions.contains_key(&name.text) {
                    let argc = self.call_args(b, &call.args, span);
                    let name = self.name_index(&name.text);
                    b.emit(Instr::Call { name, argc });
                    return;
                }
                if self.env.is_simul_efun.is_some_and(|f| f(&name.text)) {
                    let argc = self.call_args(b, &call.args, span);
                    let name = self.name_index(&name.text);
                    b.emit(Instr::CallSimul { name, argc });
                    return;
                }
                if self.env.efuns.get(&name.text).is_none()
                    && let Some(var) = self.variable(b, &name.text)
                {
                    b.emit(var.get());
                    let argc = self.call_args(b, &call.args, span);
                    b.emit(Instr::CallValue { argc });
                    return;
                }
                self.efun_call(b, &name.text, &call.args, name.span);
            }
            Callee::Efun(name) => {
                self.check_override(&name.text, name.span);
                self.efun_call(b, &name.text, &call.args, name.span)
            }
            Callee::Scoped { scope, name } => {
                let scope_text = scope.as_ref().map(|s| s.text.as_str());
                if scope_text == Some("efun") {
                    self.check_override(&name.text, name.span);
                    self.efun_call(b, &name.text, &call.args, name.span);
                    return;
                }
                let Some(inherit) = self.super_target(scope_text, &name.text) else {
                    self.error(
                        E_UNRESOLVED,
                        name.span,
                        format!("no inherited function `{}`", name.text),
                    );
                    return;
                };
                let argc = self.call_args(b, &call.args, span);
                let entry = self.super_index(inherit, &name.text);
                b.emit(Instr::CallSuper { entry, argc });
            }
            Callee::New => self.efun_call(b, "_new", &call.args, span),
            Callee::Method { object, name } => {
                self.expr(b, object);
                let argc = self.call_args(b, &call.args, span);
                let name = self.name_index(&name.text);
                b.emit(Instr::CallOther { name, argc });
            }
            Callee::Expr(callee) => {
                self.expr(b, callee);
                let argc = self.call_args(b, &call.args, span);
                b.emit(Instr::CallValue { argc });
            }
        }
    }

    fn efun_call(
        &mut self,
        b: &mut FnBuilder,
        name: &str,
        args: &[ast::Expr],
        span: crate::span::Span,
    ) {
        if self.env.efuns.get(name).is_none() {
            self.error(E_UNRESOLVED, span, format!("undefined function `{name}`"));
            return;
        }
        // `evaluate((: ... :), args)` is a plain call of a function value;
        // anything else goes through the efun, which lets a value that is
        // not a function evaluate to itself.
        if name == "evaluate"
            && args
                .first()
                .is_some_and(|f| matches!(f.kind, ExprKind::FunctionPtr(_) | ExprKind::Lambda(_)))
        {
            self.expr(b, &args[0]);
            let argc = self.call_args(b, &args[1..], span);
            b.emit(Instr::CallValue { argc });
            return;
        }
        let argc = if args.iter().any(|a| matches!(a.kind, ExprKind::Spread(_))) {
            self.call_args(b, args, span)
        } else {
            let int_only = self.int_only_params(name);
            self.args_converted(b, args, span, &int_only)
        };
        let efun = self.efun_index(name);
        b.emit(Instr::CallEfun { efun, argc });
    }

    /// Per parameter of the efun `name`: whether it takes an int but no
    /// float, so a float argument is truncated on the way in.
    fn int_only_params(&self, name: &str) -> Vec<bool> {
        use efun_specs::Type;
        let Some(efun) = self.env.efuns.get(name) else {
            return Vec::new();
        };
        efun.params
            .iter()
            .map(|p| {
                p.types.contains(&Type::Int)
                    && !p
                        .types
                        .iter()
                        .any(|t| matches!(t, Type::Float | Type::Mixed | Type::Unknown))
            })
            .collect()
    }

    fn catch(&mut self, b: &mut FnBuilder, body: &ExprOrBlock) {
        let begin = b.emit(Instr::CatchBegin { handler: 0 });
        match body {
            ExprOrBlock::Expr(e) => self.expr_discard(b, e),
            ExprOrBlock::Block(block) => self.block(b, block),
        }
        b.emit(Instr::CatchEnd);
        b.emit(Instr::PushInt { value: 0 });
        let to_end = b.emit(Instr::Jump { target: 0 });
        b.patch_here(begin);
        b.patch_here(to_end);
        // The handler's entry point is the same place: the VM pushes the
        // error there after unwinding, as the normal path pushes 0.
        let handler = b.here();
        b.patch(begin, handler);
    }

    /// The variables `sscanf` and `parse_command` store into, each pushed
    /// with its current value; `None` after reporting a target that is not
    /// a plain variable.
    fn out_targets(
        &mut self,
        b: &mut FnBuilder,
        targets: &[ast::Expr],
        efun: &str,
    ) -> Option<Vec<Target>> {
        let mut vars = Vec::new();
        for t in targets {
            let ExprKind::Ident(name) = &t.kind else {
                self.error(
                    E_UNSUPPORTED,
                    t.span,
                    format!("`{efun}` into this kind of expression is not supported yet"),
                );
                return None;
            };
            let Some(var) = self.variable(b, name) else {
                self.error(E_UNRESOLVED, t.span, format!("undefined variable `{name}`"));
                return None;
            };
            b.emit(var.get());
            vars.push(var);
        }
        Some(vars)
    }

    fn sscanf(&mut self, b: &mut FnBuilder, s: &ast::Sscanf) {
        self.expr(b, &s.input);
        self.expr(b, &s.format);
        let Some(targets) = self.out_targets(b, &s.targets, "sscanf") else {
            return;
        };
        b.emit(Instr::Sscanf {
            targets: targets.len() as u8,
        });
        for var in targets.iter().rev() {
            b.emit(var.store());
        }
    }

    /// `parse_command(input, env, pattern, targets...)`: the efun takes
    /// the targets' current values and returns `({ result, values... })`;
    /// each value is stored back into its target.
    fn parse_command(&mut self, b: &mut FnBuilder, p: &ast::ParseCommand) {
        self.expr(b, &p.input);
        self.expr(b, &p.env);
        self.expr(b, &p.pattern);
        let Some(targets) = self.out_targets(b, &p.targets, "parse_command") else {
            return;
        };
        if targets.len() > usize::from(u8::MAX) - 3 {
            self.error(
                super::E_LIMIT,
                p.input.span,
                "too many `parse_command` targets",
            );
            return;
        }
        let efun = self.efun_index("parse_command");
        b.emit(Instr::CallEfun {
            efun,
            argc: 3 + targets.len() as u8,
        });
        let results = b.hidden_locals(1);
        b.emit(Instr::StoreLocal { slot: results });
        for (i, var) in targets.iter().enumerate() {
            b.emit(Instr::GetLocal { slot: results });
            b.emit(Instr::PushInt {
                value: i as i32 + 1,
            });
            b.emit(Instr::Index);
            b.emit(var.store());
        }
        b.emit(Instr::GetLocal { slot: results });
        b.emit(Instr::PushInt { value: 0 });
        b.emit(Instr::Index);
    }

    fn function_ptr(&mut self, b: &mut FnBuilder, fp: &FunctionPtr, span: crate::span::Span) {
        match fp {
            FunctionPtr::Named { name, args }
                if args.is_empty()
                    && !self.functions.contains_key(&name.text)
                    && let Some(global) = self.globals.get(&name.text).map(|g| g.slot) =>
            {
                // `(: var :)` on a global reads the variable at each call.
                let mut inner = FnBuilder::new(self.closure_name(), flags::HIDDEN);
                self.mark_line(&mut inner, name.span);
                inner.emit(Instr::GetGlobal { slot: global });
                inner.emit(Instr::Return);
                self.make_closure(b, inner);
            }
            FunctionPtr::Named { name, args } => {
                let bound = self.args(b, args, span);
                if self.functions.contains_key(&name.text) {
                    let name = self.name_index(&name.text);
                    b.emit(Instr::MakeFunctionPtr { name, bound });
                } else if self.env.is_simul_efun.is_some_and(|f| f(&name.text)) {
                    let name = self.name_index(&name.text);
                    b.emit(Instr::MakeSimulPtr { name, bound });
                } else if self.env.efuns.get(&name.text).is_some() {
                    let efun = self.efun_index(&name.text);
                    b.emit(Instr::MakeEfunPtr { efun, bound });
                } else {
                    self.error(
                        E_UNRESOLVED,
                        name.span,
                        format!("undefined function `{}`", name.text),
                    );
                }
            }
            FunctionPtr::Efun { name, args } => {
                let bound = self.args(b, args, span);
                let efun = self.efun_index(&name.text);
                b.emit(Instr::MakeEfunPtr { efun, bound });
            }
            FunctionPtr::Expr(body) => {
                let mut inner = FnBuilder::new(self.closure_name(), flags::HIDDEN);
                inner.capture_base = Some(CAPTURE_MARK);
                self.mark_line(&mut inner, body.span);
                self.expr(&mut inner, body);
                inner.emit(Instr::Return);
                self.make_closure(b, inner);
            }
        }
    }

    fn lambda(&mut self, b: &mut FnBuilder, lambda: &ast::Lambda, span: crate::span::Span) {
        let mut inner = FnBuilder::new(self.closure_name(), flags::HIDDEN);
        inner.capture_base = Some(CAPTURE_MARK);
        inner.rest = lambda.varargs;
        inner.exact_types = true;
        for param in &lambda.params {
            let name = param
                .name
                .as_ref()
                .map_or(SmolStr::default(), |n| n.text.clone());
            let slot = inner.declare_local(name);
            inner.set_declared(slot, Known::of(&param.ty));
        }
        inner.params = lambda.params.len().min(255) as u8;
        self.mark_line(&mut inner, span);
        self.block(&mut inner, &lambda.body);
        inner.emit(Instr::ReturnZero);
        self.make_closure(b, inner);
    }

    fn closure_name(&self) -> SmolStr {
        SmolStr::new(format!("<closure {}>", self.out.functions.len()))
    }

    /// Finishes a closure body: captures go after its other locals, and are
    /// evaluated here, where the closure is made.
    fn make_closure(&mut self, b: &mut FnBuilder, mut inner: FnBuilder) {
        let captures = std::mem::take(&mut inner.captures);
        let base = inner.max_locals as u16;
        for instr in &mut inner.code {
            if let Instr::GetLocal { slot } = instr
                && *slot >= CAPTURE_MARK
            {
                *slot = *slot - CAPTURE_MARK + base;
            }
        }
        inner.max_locals += captures.len();
        let function = self.finish(inner);
        for capture in &captures {
            self.expr(b, capture);
        }
        b.emit(Instr::MakeClosure {
            function,
            captures: captures.len() as u8,
        });
    }
}

fn binary_instr(op: BinaryOp) -> Instr {
    match op {
        BinaryOp::Add => Instr::Add,
        BinaryOp::Sub => Instr::Sub,
        BinaryOp::Mul => Instr::Mul,
        BinaryOp::Div => Instr::Div,
        BinaryOp::Mod => Instr::Mod,
        BinaryOp::BitAnd => Instr::BitAnd,
        BinaryOp::BitOr => Instr::BitOr,
        BinaryOp::BitXor => Instr::BitXor,
        BinaryOp::Shl => Instr::Shl,
        BinaryOp::Shr => Instr::Shr,
        BinaryOp::Eq => Instr::Eq,
        BinaryOp::Ne => Instr::Ne,
        BinaryOp::Lt => Instr::Lt,
        BinaryOp::Le => Instr::Le,
        BinaryOp::Gt => Instr::Gt,
        BinaryOp::Ge => Instr::Ge,
        // Short-circuit forms are compiled to jumps before reaching here.
        BinaryOp::And | BinaryOp::Or | BinaryOp::Nullish => Instr::BitAnd,
    }
}

fn binop_code(op: BinaryOp) -> BinOp {
    match op {
        BinaryOp::Sub => BinOp::Sub,
        BinaryOp::Mul => BinOp::Mul,
        BinaryOp::Div => BinOp::Div,
        BinaryOp::Mod => BinOp::Mod,
        BinaryOp::BitAnd => BinOp::BitAnd,
        BinaryOp::BitOr => BinOp::BitOr,
        BinaryOp::BitXor => BinOp::BitXor,
        BinaryOp::Shl => BinOp::Shl,
        BinaryOp::Shr => BinOp::Shr,
        _ => BinOp::Add,
    }
}

/// The operator code of `x op constant` when it has an immediate form.
fn int_op_code(op: BinaryOp, value: i64) -> Option<BinOp> {
    Some(match op {
        BinaryOp::Mul => BinOp::Mul,
        BinaryOp::Div if value != 0 => BinOp::Div,
        BinaryOp::Mod if value != 0 => BinOp::Mod,
        BinaryOp::BitAnd => BinOp::BitAnd,
        BinaryOp::BitOr => BinOp::BitOr,
        BinaryOp::BitXor => BinOp::BitXor,
        BinaryOp::Shl => BinOp::Shl,
        BinaryOp::Shr => BinOp::Shr,
        _ => return None,
    })
}

/// Where a `ref` argument's value goes back after the call.
#[derive(Clone, Copy)]
pub(super) enum RefTarget {
    Var(Target),
    /// `ref c[i]`: the container and index sit in hidden locals `slots`, `slots + 1`.
    Element {
        slots: u16,
        from_end: bool,
    },
    /// `ref v[i]` on a variable `v`: the index sits in hidden local `slot`.
    VarElement {
        var: Target,
        slot: u16,
        from_end: bool,
    },
    /// `ref o.m`: the object sits in hidden local `slot`; `name` indexes the names.
    Member {
        slot: u16,
        name: u16,
    },
}

impl RefTarget {
    /// Pushes the current value.
    fn load(self, b: &mut FnBuilder) {
        match self {
            RefTarget::Var(target) => {
                b.emit(target.get());
            }
            RefTarget::Element { slots, from_end } => {
                b.emit(Instr::GetLocal { slot: slots });
                b.emit(Instr::GetLocal { slot: slots + 1 });
                b.emit(if from_end {
                    Instr::IndexFromEnd
                } else {
                    Instr::Index
                });
            }
            RefTarget::Member { slot, name } => {
                b.emit(Instr::GetLocal { slot });
                b.emit(Instr::GetMember { name });
            }
            RefTarget::VarElement {
                var,
                slot,
                from_end,
            } => {
                b.emit(var.get());
                b.emit(Instr::GetLocal { slot });
                b.emit(if from_end {
                    Instr::IndexFromEnd
                } else {
                    Instr::Index
                });
            }
        }
    }

    /// Stores the value in reference cell `cell` back.
    fn write_back(self, b: &mut FnBuilder, cell: u16) {
        match self {
            RefTarget::Var(target) => {
                b.emit(Instr::GetLocal { slot: cell });
                b.emit(Instr::Deref);
                b.emit(target.store());
            }
            RefTarget::Element { slots, from_end } => {
                b.emit(Instr::GetLocal { slot: slots });
                b.emit(Instr::GetLocal { slot: slots + 1 });
                b.emit(Instr::GetLocal { slot: cell });
                b.emit(Instr::Deref);
                if from_end {
                    b.emit(Instr::IndexFromEndStore);
                    b.emit(Instr::Pop);
                } else {
                    b.emit(Instr::IndexStoreDiscard);
                }
            }
            RefTarget::Member { slot, name } => {
                b.emit(Instr::GetLocal { slot });
                b.emit(Instr::GetLocal { slot: cell });
                b.emit(Instr::Deref);
                b.emit(Instr::SetMember { name });
                b.emit(Instr::Pop);
            }
            RefTarget::VarElement {
                var,
                slot,
                from_end,
            } => {
                b.emit(var.get());
                b.emit(Instr::GetLocal { slot });
                b.emit(Instr::GetLocal { slot: cell });
                b.emit(Instr::Deref);
                b.emit(Instr::IndexReplace {
                    from_end: u8::from(from_end),
                });
                b.emit(var.store());
                b.emit(Instr::Pop);
            }
        }
    }
}
