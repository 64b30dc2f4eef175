//! Statements: blocks and declarations, branches, loops, `foreach`,
//! `switch` tables, `return`, `break` and `continue`.

use smol_str::SmolStr;

use super::{Cx, E_UNSUPPORTED, FnBuilder, JumpScope};
use crate::ast::{self, BinaryOp, CaseLabel, ExprKind, ForInit, StmtKind, UnaryOp};
use crate::bytecode::{Instr, SwitchTable};

impl Cx<'_, '_> {
    pub(super) fn block(&mut self, b: &mut FnBuilder, block: &ast::Block) {
        b.push_scope();
        for stmt in &block.stmts {
            self.stmt(b, stmt);
        }
        b.pop_scope();
    }

    pub(super) fn stmt(&mut self, b: &mut FnBuilder, stmt: &ast::Stmt) {
        self.mark_line(b, stmt.span);
        match &stmt.kind {
            StmtKind::Expr(e) => self.expr_discard(b, e),
            StmtKind::Decl(vars) => {
                for var in vars {
                    self.local_decl(b, var);
                }
            }
            StmtKind::If(s) => {
                let to_else = self.cond_jump(b, &s.cond, false);
                self.stmt(b, &s.then);
                match &s.otherwise {
                    Some(otherwise) => {
                        let to_end = b.emit(Instr::Jump { target: 0 });
                        b.patch_here(to_else);
                        self.stmt(b, otherwise);
                        b.patch_here(to_end);
                    }
                    None => b.patch_here(to_else),
                }
            }
            StmtKind::While(s) => {
                let top = b.here();
                let exit = self.cond_jump(b, &s.cond, false);
                b.jumps.push(JumpScope {
                    breaks: vec![exit],
                    continues: Some(Vec::new()),
                });
                self.stmt(b, &s.body);
                b.emit(Instr::Jump { target: top });
                self.close_loop(b, top);
            }
            StmtKind::DoWhile(s) => {
                let top = b.here();
                b.jumps.push(JumpScope {
                    breaks: Vec::new(),
                    continues: Some(Vec::new()),
                });
                self.stmt(b, &s.body);
                let test = b.here();
                if let Some(scope) = b.jumps.last_mut() {
                    let continues = scope.continues.take().unwrap_or_default();
                    for at in continues {
                        b.patch(at, test);
                    }
                }
                let back = self.cond_jump(b, &s.cond, true);
                b.patch(back, top);
                self.close_loop(b, test);
            }
            StmtKind::For(s) => self.for_loop(b, s),
            StmtKind::Foreach(s) => self.foreach(b, s),
            StmtKind::Switch(s) => self.switch(b, s, stmt.span),
            StmtKind::Case(_) | StmtKind::Default => {
                // Labels are placed by `switch`; one elsewhere was reported by sema.
                self.error(E_UNSUPPORTED, stmt.span, "case label outside a switch");
            }
            StmtKind::Return(value) => match value {
                Some(e) => {
                    self.expr(b, e);
                    if let Some(convert) = self.store_conversion(b, b.returns, e) {
                        b.emit(convert);
                    }
                    b.emit(Instr::Return);
                }
                None => {
                    b.emit(Instr::ReturnZero);
                }
            },
            StmtKind::Break => {
                let at = b.emit(Instr::Jump { target: 0 });
                match b.jumps.last_mut() {
                    Some(scope) => scope.breaks.push(at),
                    None => self.error(E_UNSUPPORTED, stmt.span, "`break` outside a loop"),
                }
            }
            StmtKind::Continue => {
                let at = b.emit(Instr::Jump { target: 0 });
                let scope = b.jumps.iter_mut().rev().find_map(|s| s.continues.as_mut());
                match scope {
                    Some(list) => list.push(at),
                    None => self.error(E_UNSUPPORTED, stmt.span, "`continue` outside a loop"),
                }
            }
            StmtKind::Block(block) => self.block(b, block),
            StmtKind::Empty | StmtKind::Error => {}
        }
    }

    fn local_decl(&mut self, b: &mut FnBuilder, var: &ast::VarDecl) {
        match &var.init {
            Some(init) => self.expr(b, init),
            None => {
                let zero = zero_for(&var.ty);
                b.emit(zero);
            }
        }
        // Declared after the initializer: `int x = x;` sees an outer `x`.
        let slot = b.declare_local(var.name.text.clone());
        let kind = super::declared(&var.ty);
        b.set_declared(slot, super::Known::of(&var.ty));
        if let Some(init) = &var.init
            && let Some(convert) = self.store_conversion(b, kind, init)
        {
            b.emit(convert);
        }
        b.emit(Instr::StoreLocal { slot });
    }

    /// Patches the current loop's breaks to here and continues to `next`.
    fn close_loop(&mut self, b: &mut FnBuilder, next: u32) {
        let Some(scope) = b.jumps.pop() else { return };
        for at in scope.breaks {
            b.patch_here(at);
        }
        for at in scope.continues.unwrap_or_default() {
            b.patch(at, next);
        }
    }

    fn for_loop(&mut self, b: &mut FnBuilder, s: &ast::For) {
        b.push_scope();
        match &s.init {
            Some(ForInit::Expr(e)) => self.expr_discard(b, e),
            Some(ForInit::Decl(var)) => self.local_decl(b, var),
            None => {}
        }
        // The test sits at the bottom so each iteration runs one jump.
        let to_test = b.emit(Instr::Jump { target: 0 });
        let top = b.here();
        b.jumps.push(JumpScope {
            breaks: Vec::new(),
            continues: Some(Vec::new()),
        });
        self.stmt(b, &s.body);
        let step = b.here();
        if let Some(e) = &s.step {
            self.expr_discard(b, e);
        }
        b.patch_here(to_test);
        match &s.cond {
            Some(cond) => {
                let back = self.cond_jump(b, cond, true);
                b.patch(back, top);
            }
            None => {
                b.emit(Instr::Jump { target: top });
            }
        }
        self.close_loop(b, step);
        b.pop_scope();
    }

    /// Emits a test of `cond` that jumps when it is `when`; returns the
    /// jump to patch with the target.
    pub(super) fn cond_jump(&mut self, b: &mut FnBuilder, cond: &ast::Expr, when: bool) -> usize {
        match &cond.kind {
            ExprKind::Unary(UnaryOp::Not, inner) => return self.cond_jump(b, inner, !when),
            ExprKind::Binary(bin) => {
                // Fused forms test and branch in one step.
                if matches!(
                    bin.op,
                    BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
                ) && let ExprKind::Ident(name) = &bin.lhs.kind
                    && let Some(slot) = b.local(name).filter(|&s| s <= 255)
                {
                    if let ExprKind::Int(v) = bin.rhs.kind
                        && let Ok(index) = u16::try_from(self.int_const(v))
                    {
                        let slot = slot as u8;
                        let target = 0;
                        // Jumping when the test fails is jumping on its negation.
                        let op = match (bin.op, when) {
                            (BinaryOp::Lt, true) | (BinaryOp::Ge, false) => BinaryOp::Lt,
                            (BinaryOp::Le, true) | (BinaryOp::Gt, false) => BinaryOp::Le,
                            (BinaryOp::Gt, true) | (BinaryOp::Le, false) => BinaryOp::Gt,
                            _ => BinaryOp::Ge,
                        };
                        return b.emit(match op {
                            BinaryOp::Lt => Instr::JumpIfLocalLtInt {
                                slot,
                                index,
                                target,
                            },
                            BinaryOp::Le => Instr::JumpIfLocalLeInt {
                                slot,
                                index,
                                target,
                            },
                            BinaryOp::Gt => Instr::JumpIfLocalGtInt {
                                slot,
                                index,
                                target,
                            },
                            _ => Instr::JumpIfLocalGeInt {
                                slot,
                                index,
                                target,
                            },
                        });
                    }
                    if let ExprKind::Ident(bound) = &bin.rhs.kind
                        && when
                        && bin.op == BinaryOp::Lt
                        && let Some(bound) = b.local(bound).filter(|&s| s <= 255)
                    {
                        return b.emit(Instr::JumpIfLocalLtLocal {
                            slot: slot as u8,
                            bound: bound as u8,
                            target: 0,
                        });
                    }
                }
                let (swap, lt) = match bin.op {
                    BinaryOp::Lt => (false, true),
                    BinaryOp::Le => (false, false),
                    BinaryOp::Gt if is_pure(&bin.lhs) && is_pure(&bin.rhs) => (true, true),
                    BinaryOp::Ge if is_pure(&bin.lhs) && is_pure(&bin.rhs) => (true, false),
                    _ => {
                        self.expr(b, cond);
                        return b.emit(if when {
                            Instr::JumpIfTrue { target: 0 }
                        } else {
                            Instr::JumpIfFalse { target: 0 }
                        });
                    }
                };
                let (first, second) = if swap {
                    (&bin.rhs, &bin.lhs)
                } else {
                    (&bin.lhs, &bin.rhs)
                };
                self.expr(b, first);
                self.expr(b, second);
                let target = 0;
                return b.emit(match (when, lt) {
                    (true, true) => Instr::JumpIfLt { target },
                    (true, false) => Instr::JumpIfLe { target },
                    (false, true) => Instr::JumpUnlessLt { target },
                    (false, false) => Instr::JumpUnlessLe { target },
                });
            }
            _ => {}
        }
        self.expr(b, cond);
        b.emit(if when {
            Instr::JumpIfTrue { target: 0 }
        } else {
            Instr::JumpIfFalse { target: 0 }
        })
    }

    fn foreach(&mut self, b: &mut FnBuilder, s: &ast::Foreach) {
        b.push_scope();
        self.expr(b, &s.iterable);
        let state = b.hidden_locals(3);
        b.emit(Instr::ForeachInit { state });
        let mut targets = Vec::new();
        // The variable written back to the collection after each step, for
        // `foreach (ref x in a)` and `foreach (k, ref v in m)`.
        let mut by_ref = None;
        let vars: Vec<&ast::ForeachVar> =
            std::iter::once(&s.first).chain(s.second.as_ref()).collect();
        for (i, var) in vars.iter().enumerate() {
            let target = match &var.ty {
                Some(ty) => {
                    let slot = b.declare_local(var.name.text.clone());
                    b.set_declared(slot, super::Known::of(ty));
                    Target::Local(slot)
                }
                None => match self.variable(b, &var.name.text) {
                    Some(t) => t,
                    None => {
                        self.error(
                            super::E_UNRESOLVED,
                            var.name.span,
                            format!("undefined variable `{}`", var.name.text),
                        );
                        Target::Local(0)
                    }
                },
            };
            if var.by_ref {
                if i + 1 == vars.len() {
                    by_ref = Some(target);
                } else {
                    self.error(
                        E_UNSUPPORTED,
                        var.span,
                        "a mapping's keys cannot be changed by reference",
                    );
                }
            }
            targets.push(target);
        }
        let top = b.here();
        let next = b.emit(Instr::ForeachNext {
            state,
            pairs: u8::from(targets.len() == 2) | if by_ref.is_some() { 2 } else { 0 },
            exit: 0,
        });
        // Stores into a local loop variable by reference reach the
        // collection at once, so a bad value errors where it is stored.
        let ref_local = match by_ref {
            Some(Target::Local(slot)) => {
                b.ref_loops.push((slot, state));
                true
            }
            _ => false,
        };
        for target in targets.iter().rev() {
            b.emit(target.store());
        }
        b.jumps.push(JumpScope {
            breaks: Vec::new(),
            continues: Some(Vec::new()),
        });
        self.stmt(b, &s.body);
        if ref_local {
            b.ref_loops.pop();
        }
        let Some(target) = by_ref else {
            b.emit(Instr::Jump { target: top });
            if let Some(scope) = b.jumps.last_mut() {
                scope.breaks.push(next);
            }
            self.close_loop(b, top);
            b.pop_scope();
            return;
        };
        // Continues and the end of the body store the element, then step;
        // breaks store it and leave; running out leaves directly.
        let store_and_step = b.here();
        b.emit(target.get());
        b.emit(Instr::ForeachStore { state });
        b.emit(Instr::Jump { target: top });
        let scope = b.jumps.pop().unwrap_or(JumpScope {
            breaks: Vec::new(),
            continues: None,
        });
        for at in scope.continues.unwrap_or_default() {
            b.patch(at, store_and_step);
        }
        for at in scope.breaks {
            b.patch_here(at);
        }
        b.emit(target.get());
        b.emit(Instr::ForeachStore { state });
        b.patch_here(next);
        b.pop_scope();
    }

    fn switch(&mut self, b: &mut FnBuilder, s: &ast::Switch, span: crate::span::Span) {
        self.expr(b, &s.discriminant);
        let mut table = SwitchTable::default();
        let index = self.add_switch(SwitchTable::default());
        b.emit(Instr::Switch { table: index });
        b.push_scope();
        b.jumps.push(JumpScope {
            breaks: Vec::new(),
            continues: None,
        });
        let mut has_default = false;
        for stmt in &s.body {
            match &stmt.kind {
                StmtKind::Case(label) => {
                    let pc = b.here();
                    match &**label {
                        CaseLabel::Value(e) => match const_value(e) {
                            Some(Const::Int(v)) => {
                                if !table.ints.iter().any(|x| x.0 == v) {
                                    table.ints.push((v, pc));
                                }
                            }
                            Some(Const::Str(text)) => {
                                if !table.strings.iter().any(|x| x.0 == text) {
                                    table.strings.push((text, pc));
                                }
                            }
                            None => {
                                self.error(E_UNSUPPORTED, e.span, "case label is not a constant")
                            }
                        },
                        CaseLabel::Range { low, high } => {
                            let bound = |e: &Option<ast::Expr>, missing: i64| match e {
                                None => Some(missing),
                                Some(e) => match const_value(e) {
                                    Some(Const::Int(v)) => Some(v),
                                    _ => None,
                                },
                            };
                            match (bound(low, i64::MIN), bound(high, i64::MAX)) {
                                (Some(lo), Some(hi)) => table.ranges.push((lo, hi, pc)),
                                _ => self.error(
                                    E_UNSUPPORTED,
                                    stmt.span,
                                    "case range is not constant",
                                ),
                            }
                        }
                    }
                }
                StmtKind::Default => {
                    has_default = true;
                    table.default = b.here();
                }
                _ => self.stmt(b, stmt),
            }
        }
        let end = b.here();
        if !has_default {
            table.default = end;
        }
        let _ = span;
        table.ints.sort_by_key(|x| x.0);
        table.strings.sort_by(|x, y| x.0.cmp(&y.0));
        self.out.switches[index as usize] = table;
        if let Some(scope) = b.jumps.pop() {
            for at in scope.breaks {
                b.patch_here(at);
            }
        }
        b.pop_scope();
        // The body's last statement may fall off the end: give it a target.
        if b.here() == end {
            // Nothing follows yet; the caller emits more code or a return.
        }
    }
}

/// The value a local gets when declared without an initializer:
/// undefined, which reads as 0 but `undefinedp` tells apart.
fn zero_for(_ty: &ast::Type) -> Instr {
    Instr::PushUndefined
}

/// Where a value can be stored by name.
#[derive(Clone, Copy)]
pub(super) enum Target {
    Local(u16),
    Global(u16),
}

impl Target {
    pub(super) fn store(self) -> Instr {
        match self {
            Target::Local(slot) => Instr::StoreLocal { slot },
            Target::Global(slot) => Instr::StoreGlobal { slot },
        }
    }
    pub(super) fn set(self) -> Instr {
        match self {
            Target::Local(slot) => Instr::SetLocal { slot },
            Target::Global(slot) => Instr::SetGlobal { slot },
        }
    }
    pub(super) fn get(self) -> Instr {
        match self {
            Target::Local(slot) => Instr::GetLocal { slot },
            Target::Global(slot) => Instr::GetGlobal { slot },
        }
    }
}

pub(super) enum Const {
    Int(i64),
    Str(SmolStr),
}

/// A constant expression's value: literals and integer arithmetic on them.
pub(super) fn const_value(e: &ast::Expr) -> Option<Const> {
    match &e.kind {
        ExprKind::Int(v) => Some(Const::Int(*v)),
        ExprKind::Str(s) => Some(Const::Str(s.clone())),
        ExprKind::Unary(UnaryOp::Neg, inner) => match const_value(inner)? {
            Const::Int(v) => Some(Const::Int(v.wrapping_neg())),
            Const::Str(_) => None,
        },
        ExprKind::Unary(UnaryOp::Compl, inner) => match const_value(inner)? {
            Const::Int(v) => Some(Const::Int(!v)),
            Const::Str(_) => None,
        },
        ExprKind::Binary(bin) => {
            let (Const::Int(a), Const::Int(b)) = (const_value(&bin.lhs)?, const_value(&bin.rhs)?)
            else {
                return None;
            };
            let v = match bin.op {
                BinaryOp::Add => a.wrapping_add(b),
                BinaryOp::Sub => a.wrapping_sub(b),
                BinaryOp::Mul => a.wrapping_mul(b),
                BinaryOp::Div if b != 0 => a.wrapping_div(b),
                BinaryOp::Mod if b != 0 => a.wrapping_rem(b),
                BinaryOp::BitAnd => a & b,
                BinaryOp::BitOr => a | b,
                BinaryOp::BitXor => a ^ b,
                BinaryOp::Shl => a.wrapping_shl(b as u32),
                BinaryOp::Shr => a.wrapping_shr(b as u32),
                _ => return None,
            };
            Some(Const::Int(v))
        }
        _ => None,
    }
}

/// Evaluating it has no effects, so operands may be evaluated out of order.
fn is_pure(e: &ast::Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Ident(_)
    )
}
