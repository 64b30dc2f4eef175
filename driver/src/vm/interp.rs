//! The dispatch loop. The outer loop loads the running frame's code; the
//! inner loop executes it until a call or return changes frames. Handlers
//! follow the opcode table's categories.

use std::rc::Rc;

use lpcc::bytecode::{BinOp, Instr};

use super::object::{FnRef, ObjRef};
use super::ops;
use super::value::{FnKind, FnPtr, Value};
use super::{Handler, Unwind, Vm, error};
use lpcc::bytecode::verify::SPREAD;

impl Vm {
    /// Runs until the frame count drops back to `stop`; the value returned
    /// by the frame at `stop` is left on the stack.
    pub fn run(&mut self, stop: usize) -> Result<(), Unwind> {
        let Some(first) = self.frames.last() else {
            return Ok(());
        };
        // The program running now; calls within it keep it without a new
        // reference count.
        let mut current = first.linked.clone();
        'frames: loop {
            let Some(frame) = self.frames.last() else {
                return Ok(());
            };
            if !Rc::ptr_eq(&current, &frame.linked) {
                current = frame.linked.clone();
            }
            let linked = &current;
            // A call within the program sets these again in place, without
            // reading the new frame back.
            let mut part_index = frame.func.part as usize;
            let mut part = &linked.parts[part_index];
            let function = &part.program.functions[frame.func.func as usize];
            let mut code = &function.code[..];
            let mut program = &part.program;
            let mut pc = frame.pc as usize;
            let mut base = frame.base as usize;
            let obj = frame.obj;
            let mut var_base = frame.var_base as usize;
            let mut frame_argc = frame.argc;
            let mut below = frame.below as usize;

            // Raises an error from the current instruction: records where we
            // are, then unwinds to a `catch` of this run or returns.
            macro_rules! raise {
                ($e:expr) => {{
                    let e: Unwind = $e;
                    if let Some(f) = self.frames.last_mut() {
                        f.pc = pc as u32;
                    }
                    let e = self.traced(e, Some(pc as u32));
                    self.unwind(e, stop)?;
                    continue 'frames;
                }};
            }
            macro_rules! check {
                ($r:expr) => {
                    match $r {
                        Ok(v) => v,
                        Err(message) => raise!(error(message)),
                    }
                };
            }
            macro_rules! tick {
                () => {
                    self.ticks -= 1;
                    if self.ticks == 0 {
                        if let Err(e) = self.check_time() {
                            raise!(e);
                        }
                    }
                };
            }
            macro_rules! pop {
                () => {
                    self.stack.pop().unwrap_or_default()
                };
            }
            // Drops the top value without a call for the numbers, which
            // need no drop glue.
            macro_rules! discard {
                () => {
                    if let Some(v) = self.stack.pop() {
                        release(v);
                    }
                };
            }
            macro_rules! vars {
                () => {
                    match self.objects.vars_mut(obj) {
                        Some(v) => v,
                        None => raise!(error("Object has been destructed")),
                    }
                };
            }
            macro_rules! int_binary {
                ($op:expr, $slow:expr) => {{
                    if let [.., Value::Int(a), Value::Int(b)] = &mut self.stack[..] {
                        *a = $op(*a, *b);
                        discard!();
                    } else {
                        let b = pop!();
                        let a = pop!();
                        let v = check!(ops::binary($slow, a, b));
                        self.stack.push(v);
                    }
                }};
            }
            macro_rules! compare {
                ($test:expr) => {{
                    if let [.., Value::Int(a), Value::Int(b)] = &self.stack[..] {
                        let r = $test((*a).cmp(b));
                        discard!();
                        if let Some(top) = self.stack.last_mut() {
                            *top = Value::Int(r as i64);
                        }
                    } else {
                        let b = pop!();
                        let a = pop!();
                        let ord = check!(ops::compare(&a, &b));
                        self.stack.push(Value::Int($test(ord) as i64));
                    }
                }};
            }
            macro_rules! jump_compare {
                ($test:expr, $target:expr) => {{
                    let b = pop!();
                    let a = pop!();
                    let ord = match (&a, &b) {
                        (Value::Int(x), Value::Int(y)) => x.cmp(y),
                        _ => check!(ops::compare(&a, &b)),
                    };
                    release(a);
                    release(b);
                    if $test(ord) {
                        if ($target as usize) < pc {
                            tick!();
                        }
                        pc = $target as usize;
                    }
                }};
            }

            macro_rules! local_jump {
                ($slot:expr, $index:expr, $target:expr, $test:expr) => {{
                    let value = program.ints.get($index as usize).copied().unwrap_or(0);
                    let ord = match &self.stack[base + $slot as usize] {
                        Value::Int(a) => a.cmp(&value),
                        a => check!(ops::compare(&deref(a), &Value::Int(value))),
                    };
                    if $test(ord) {
                        if ($target as usize) < pc {
                            tick!();
                        }
                        pc = $target as usize;
                    }
                }};
            }

            loop {
                let Some(&instr) = code.get(pc) else {
                    raise!(error("ran off the end of a function"));
                };
                pc += 1;
                match instr {
                    // ---- constants and stack ----
                    Instr::PushUndefined => self.stack.push(Value::Undefined),
                    Instr::PushInt { value } => self.stack.push(Value::Int(value as i64)),
                    Instr::PushBigInt { index } => {
                        let v = program.ints.get(index as usize).copied().unwrap_or(0);
                        self.stack.push(Value::Int(v));
                    }
                    Instr::PushFloat { index } => {
                        let v = program.floats.get(index as usize).copied().unwrap_or(0.0);
                        self.stack.push(Value::float(v));
                    }
                    Instr::PushString { index } => {
                        let v = part
                            .strings
                            .get(index as usize)
                            .cloned()
                            .unwrap_or_default();
                        self.stack.push(v);
                    }
                    Instr::Pop => {
                        discard!();
                    }
                    Instr::Dup => {
                        let v = self.stack.last().cloned().unwrap_or_default();
                        self.stack.push(v);
                    }
                    Instr::Dup2 => {
                        let n = self.stack.len();
                        if n >= 2 {
                            let a = self.stack[n - 2].clone();
                            let b = self.stack[n - 1].clone();
                            self.stack.push(a);
                            self.stack.push(b);
                        }
                    }
                    Instr::Swap => {
                        let n = self.stack.len();
                        if n >= 2 {
                            self.stack.swap(n - 1, n - 2);
                        }
                    }

                    // ---- variables ----
                    Instr::GetLocal { slot } => {
                        let v = match &self.stack[base + slot as usize] {
                            Value::Int(i) => Value::Int(*i),
                            Value::Ref(cell) => cell.borrow().clone(),
                            // A destructed object reads as 0.
                            Value::Object(r) if !self.objects.alive(*r) => Value::Int(0),
                            other => other.clone(),
                        };
                        self.stack.push(v);
                    }
                    Instr::SetLocal { slot } => {
                        let v = self.stack.last().cloned().unwrap_or_default();
                        self.set_local(base + slot as usize, v);
                    }
                    Instr::StoreLocal { slot } => {
                        let v = pop!();
                        self.set_local(base + slot as usize, v);
                    }
                    Instr::MakeRef => {
                        let v = pop!();
                        let r = match v {
                            r @ Value::Ref(_) => r,
                            other => Value::Ref(Rc::new(std::cell::RefCell::new(other))),
                        };
                        self.stack.push(r);
                    }
                    Instr::Deref => {
                        let v = pop!();
                        let v = match v {
                            Value::Ref(cell) => cell.borrow().clone(),
                            other => other,
                        };
                        self.stack.push(v);
                    }
                    Instr::GetGlobal { slot } => {
                        let v = vars!()[var_base + slot as usize].clone();
                        let v = match v {
                            Value::Object(r) if !self.objects.alive(r) => Value::Int(0),
                            v => v,
                        };
                        self.stack.push(v);
                    }
                    Instr::SetGlobal { slot } => {
                        let v = self.stack.last().cloned().unwrap_or_default();
                        vars!()[var_base + slot as usize] = v;
                    }
                    Instr::StoreGlobal { slot } => {
                        let v = pop!();
                        vars!()[var_base + slot as usize] = v;
                    }
                    Instr::AddLocalInt { slot, delta } => {
                        let local = &mut self.stack[base + slot as usize];
                        if let Value::Int(i) = local {
                            *i = i.wrapping_add(delta as i64);
                        } else {
                            let v = self.take_local(base + slot as usize);
                            let v = check!(ops::add(v, Value::Int(delta as i64)));
                            self.set_local(base + slot as usize, v);
                        }
                    }
                    Instr::AddGlobalInt { slot, delta } => {
                        let var = &mut vars!()[var_base + slot as usize];
                        if let Value::Int(i) = var {
                            *i = i.wrapping_add(delta as i64);
                        } else {
                            let v = std::mem::take(var);
                            let v = check!(ops::add(v, Value::Int(delta as i64)));
                            vars!()[var_base + slot as usize] = v;
                        }
                    }
                    Instr::CompoundLocal { slot, op } => {
                        if let (Some(Value::Int(r)), Value::Int(l)) =
                            (self.stack.last(), &self.stack[base + slot as usize])
                            && op <= 1
                        {
                            let v = if op == 0 {
                                l.wrapping_add(*r)
                            } else {
                                l.wrapping_sub(*r)
                            };
                            self.stack[base + slot as usize] = Value::Int(v);
                            if let Some(top) = self.stack.last_mut() {
                                *top = Value::Int(v);
                            }
                            continue;
                        }
                        let rhs = pop!();
                        let op = BinOp::from_code(op).unwrap_or(BinOp::Add);
                        // Taking the value out leaves the only reference in
                        // hand, so `s += t` can append in place.
                        let lhs = self.take_local(base + slot as usize);
                        let (lhs, rhs) = self.concat_operands(op, lhs, rhs);
                        let v = check!(ops::binary(op, lhs, rhs));
                        check!(self.check_size(&v));
                        self.set_local(base + slot as usize, v.clone());
                        self.stack.push(v);
                    }

                    Instr::CompoundLocalDiscard { slot, op } => {
                        let local = base + slot as usize;
                        if let (Some(Value::Int(r)), Value::Int(l)) =
                            (self.stack.last(), &self.stack[local])
                        {
                            let v = match op {
                                0 => Some(l.wrapping_add(*r)),
                                1 => Some(l.wrapping_sub(*r)),
                                2 => Some(l.wrapping_mul(*r)),
                                _ => None,
                            };
                            if let Some(v) = v {
                                self.stack[local] = Value::Int(v);
                                discard!();
                                continue;
                            }
                        }
                        let rhs = pop!();
                        let op = BinOp::from_code(op).unwrap_or(BinOp::Add);
                        let lhs = self.take_local(local);
                        let (lhs, rhs) = self.concat_operands(op, lhs, rhs);
                        let v = check!(ops::binary(op, lhs, rhs));
                        check!(self.check_size(&v));
                        self.set_local(local, v);
                    }

                    // ---- arithmetic and comparison ----
                    Instr::IntOp { op, value } => {
                        let value = value as i64;
                        if let Some(Value::Int(a)) = self.stack.last_mut() {
                            let r = match op {
                                2 => Some(a.wrapping_mul(value)),
                                3 if value != 0 => Some(a.wrapping_div(value)),
                                4 if value != 0 => Some(a.wrapping_rem(value)),
                                5 => Some(*a & value),
                                6 => Some(*a | value),
                                7 => Some(*a ^ value),
                                8 => Some(a.wrapping_shl(value as u32)),
                                9 => Some(a.wrapping_shr(value as u32)),
                                _ => None,
                            };
                            if let Some(r) = r {
                                *a = r;
                                continue;
                            }
                        }
                        let a = pop!();
                        let op = BinOp::from_code(op).unwrap_or(BinOp::Add);
                        let v = check!(ops::binary(op, a, Value::Int(value)));
                        self.stack.push(v);
                    }
                    Instr::Add => {
                        if let [.., Value::Int(a), Value::Int(b)] = &mut self.stack[..] {
                            *a = a.wrapping_add(*b);
                            discard!();
                        } else {
                            let b = pop!();
                            let a = pop!();
                            let (a, b) = self.concat_operands(BinOp::Add, a, b);
                            let v = check!(ops::add(a, b));
                            check!(self.check_size(&v));
                            self.stack.push(v);
                        }
                    }
                    Instr::Sub => int_binary!(i64::wrapping_sub, BinOp::Sub),
                    Instr::Mul => int_binary!(i64::wrapping_mul, BinOp::Mul),
                    Instr::Div => {
                        if let [.., Value::Int(_), Value::Int(b)] = &self.stack[..]
                            && *b != 0
                        {
                            int_binary!(i64::wrapping_div, BinOp::Div)
                        } else {
                            let b = pop!();
                            let a = pop!();
                            let v = check!(ops::binary(BinOp::Div, a, b));
                            self.stack.push(v);
                        }
                    }
                    Instr::Mod => {
                        if let [.., Value::Int(_), Value::Int(b)] = &self.stack[..]
                            && *b != 0
                        {
                            int_binary!(i64::wrapping_rem, BinOp::Mod)
                        } else {
                            let b = pop!();
                            let a = pop!();
                            let v = check!(ops::binary(BinOp::Mod, a, b));
                            self.stack.push(v);
                        }
                    }
                    Instr::BitAnd => int_binary!(|a, b| a & b, BinOp::BitAnd),
                    Instr::BitOr => int_binary!(|a, b| a | b, BinOp::BitOr),
                    Instr::BitXor => int_binary!(|a, b| a ^ b, BinOp::BitXor),
                    Instr::Shl => {
                        int_binary!(|a: i64, b: i64| a.wrapping_shl(b as u32), BinOp::Shl)
                    }
                    Instr::Shr => {
                        int_binary!(|a: i64, b: i64| a.wrapping_shr(b as u32), BinOp::Shr)
                    }
                    Instr::AddInt { value } => {
                        if let Some(Value::Int(a)) = self.stack.last_mut() {
                            *a = a.wrapping_add(value as i64);
                        } else {
                            let a = pop!();
                            let v = check!(ops::add(a, Value::Int(value as i64)));
                            self.stack.push(v);
                        }
                    }
                    Instr::Neg => {
                        let a = pop!();
                        let v = check!(ops::negate(a));
                        self.stack.push(v);
                    }
                    Instr::Compl => {
                        let a = pop!();
                        match a.as_int() {
                            Some(i) => self.stack.push(Value::Int(!i)),
                            None => raise!(error("Bad argument to ~")),
                        }
                    }
                    Instr::Not => {
                        let a = pop!();
                        self.stack.push(Value::Int(!a.truthy() as i64));
                    }
                    Instr::Eq => {
                        let b = pop!();
                        let a = pop!();
                        self.stack.push(Value::Int((a == b) as i64));
                    }
                    Instr::Ne => {
                        let b = pop!();
                        let a = pop!();
                        self.stack.push(Value::Int((a != b) as i64));
                    }
                    Instr::Lt => compare!(|o: std::cmp::Ordering| o.is_lt()),
                    Instr::Le => compare!(|o: std::cmp::Ordering| o.is_le()),
                    Instr::Gt => compare!(|o: std::cmp::Ordering| o.is_gt()),
                    Instr::Ge => compare!(|o: std::cmp::Ordering| o.is_ge()),
                    Instr::CastInt => {
                        let a = pop!();
                        let v = match a {
                            Value::Float(f) => Value::Int(f.get() as i64),
                            Value::Str(s) => Value::Int(s.text.trim().parse().unwrap_or(0)),
                            other => other,
                        };
                        self.stack.push(v);
                    }
                    Instr::CastFloat => {
                        let a = pop!();
                        let v = match a {
                            Value::Int(i) => Value::float(i as f64),
                            Value::Undefined => Value::float(0.0),
                            Value::Str(s) => Value::float(s.text.trim().parse().unwrap_or(0.0)),
                            other => other,
                        };
                        self.stack.push(v);
                    }
                    Instr::PromoteFloat => {
                        if let Some(top) = self.stack.last_mut()
                            && let Value::Int(i) = *top
                        {
                            *top = Value::float(i as f64);
                        }
                    }
                    Instr::PromoteBuffer => {
                        let v = pop!();
                        let v = check!(ops::to_buffer(v));
                        self.stack.push(v);
                    }
                    Instr::TruncateInt => {
                        if let Some(top) = self.stack.last_mut()
                            && let Value::Float(f) = *top
                        {
                            *top = Value::Int(f.get() as i64);
                        }
                    }
                    Instr::CastString => {
                        let a = pop!();
                        let v = match a {
                            Value::Int(i) => Value::str(i.to_string()),
                            Value::Float(f) => Value::str(ops::float_text(f.get())),
                            other => other,
                        };
                        self.stack.push(v);
                    }

                    // ---- control flow ----
                    Instr::Jump { target } => {
                        if (target as usize) < pc {
                            tick!();
                        }
                        pc = target as usize;
                    }
                    Instr::JumpIfFalse { target } => {
                        let v = pop!();
                        let truthy = v.truthy();
                        release(v);
                        if !truthy {
                            pc = target as usize;
                        }
                    }
                    Instr::JumpIfTrue { target } => {
                        let v = pop!();
                        let truthy = v.truthy();
                        release(v);
                        if truthy {
                            if (target as usize) < pc {
                                tick!();
                            }
                            pc = target as usize;
                        }
                    }
                    Instr::JumpIfFalseKeep { target } => {
                        if self.stack.last().is_some_and(|v| !v.truthy()) {
                            pc = target as usize;
                        } else {
                            discard!();
                        }
                    }
                    Instr::JumpIfTrueKeep { target } => {
                        if self.stack.last().is_some_and(Value::truthy) {
                            pc = target as usize;
                        } else {
                            discard!();
                        }
                    }
                    Instr::JumpIfDefinedKeep { target } => {
                        if self
                            .stack
                            .last()
                            .is_some_and(|v| !matches!(v, Value::Undefined))
                        {
                            pc = target as usize;
                        } else {
                            discard!();
                        }
                    }
                    Instr::JumpIfLocalLtLocal {
                        slot,
                        bound,
                        target,
                    } => {
                        let less = match (
                            &self.stack[base + slot as usize],
                            &self.stack[base + bound as usize],
                        ) {
                            (Value::Int(a), Value::Int(b)) => a < b,
                            (a, b) => check!(ops::compare(&deref(a), &deref(b))).is_lt(),
                        };
                        if less {
                            tick!();
                            pc = target as usize;
                        }
                    }
                    Instr::JumpIfLocalLtInt {
                        slot,
                        index,
                        target,
                    } => {
                        local_jump!(slot, index, target, |o: std::cmp::Ordering| o.is_lt())
                    }
                    Instr::JumpIfLocalLeInt {
                        slot,
                        index,
                        target,
                    } => {
                        local_jump!(slot, index, target, |o: std::cmp::Ordering| o.is_le())
                    }
                    Instr::JumpIfLocalGtInt {
                        slot,
                        index,
                        target,
                    } => {
                        local_jump!(slot, index, target, |o: std::cmp::Ordering| o.is_gt())
                    }
                    Instr::JumpIfLocalGeInt {
                        slot,
                        index,
                        target,
                    } => {
                        local_jump!(slot, index, target, |o: std::cmp::Ordering| o.is_ge())
                    }
                    Instr::JumpUnlessLt { target } => {
                        jump_compare!(|o: std::cmp::Ordering| !o.is_lt(), target)
                    }
                    Instr::JumpUnlessLe { target } => {
                        jump_compare!(|o: std::cmp::Ordering| !o.is_le(), target)
                    }
                    Instr::JumpIfLt { target } => {
                        jump_compare!(|o: std::cmp::Ordering| o.is_lt(), target)
                    }
                    Instr::JumpIfLe { target } => {
                        jump_compare!(|o: std::cmp::Ordering| o.is_le(), target)
                    }
                    Instr::Switch { table } => {
                        let v = pop!();
                        let Some(t) = program.switches.get(table as usize) else {
                            raise!(error("bad switch table"));
                        };
                        let target = match &v {
                            Value::Int(_) | Value::Undefined => {
                                let i = v.as_int().unwrap_or(0);
                                match t.ints.binary_search_by_key(&i, |x| x.0) {
                                    Ok(at) => t.ints[at].1,
                                    Err(_) => t
                                        .ranges
                                        .iter()
                                        .find(|r| r.0 <= i && i <= r.1)
                                        .map_or(t.default, |r| r.2),
                                }
                            }
                            Value::Str(s) => {
                                match t.strings.binary_search_by(|x| x.0.as_str().cmp(&s.text)) {
                                    Ok(at) => t.strings[at].1,
                                    Err(_) => t.default,
                                }
                            }
                            _ => t.default,
                        };
                        pc = target as usize;
                    }
                    Instr::SkipIfArg { param, target } => {
                        if param < frame_argc {
                            pc = target as usize;
                        }
                    }

                    // ---- calls ----
                    Instr::Call { name, argc } => {
                        let argc = if argc == SPREAD {
                            self.spread
                        } else {
                            argc as usize
                        };
                        let Some(Some(fnref)) = part.calls.get(name as usize).copied() else {
                            let n = program.names.get(name as usize).map_or("?", |n| n.as_str());
                            raise!(error(format!("Undefined function {n}")));
                        };
                        self.save_pc(pc);
                        let callee_base = self.stack.len() - argc;
                        // Same program and object: the frame is pushed here,
                        // and only the function and the frame's place on the
                        // stack change.
                        if let Some(callee) = linked.parts.get(fnref.part as usize)
                            && let Some(function) =
                                callee.program.functions.get(fnref.func as usize)
                            && self.exact_fits(function, argc, 0)
                        {
                            for _ in argc..function.locals as usize {
                                self.stack.push(Value::Undefined);
                            }
                            self.frames.push(super::Frame {
                                linked: linked.clone(),
                                func: fnref,
                                pc: 0,
                                base: callee_base as u32,
                                obj,
                                var_base: callee.var_base,
                                argc: argc as u8,
                                origin: super::Origin::Local,
                                below: 0,
                            });
                            self.ticks -= 1;
                            part_index = fnref.part as usize;
                            part = callee;
                            program = &callee.program;
                            var_base = callee.var_base as usize;
                            code = &function.code[..];
                            pc = 0;
                            base = callee_base;
                            frame_argc = argc as u8;
                            below = 0;
                            continue;
                        }
                        if let Err(e) = self.enter(linked.clone(), fnref, argc, obj, &[]) {
                            raise!(e);
                        }
                        continue 'frames;
                    }
                    Instr::CallSuper { entry, argc } => {
                        let argc = if argc == SPREAD {
                            self.spread
                        } else {
                            argc as usize
                        };
                        let Some(Some(fnref)) = part.supers.get(entry as usize).copied() else {
                            raise!(error("Undefined inherited function"));
                        };
                        self.save_pc(pc);
                        if let Err(e) = self.enter(linked.clone(), fnref, argc, obj, &[]) {
                            raise!(e);
                        }
                        continue 'frames;
                    }
                    Instr::CallSimul { name, argc } => {
                        let argc = if argc == SPREAD {
                            self.spread
                        } else {
                            argc as usize
                        };
                        let n = program
                            .names
                            .get(name as usize)
                            .cloned()
                            .unwrap_or_default();
                        let Some(simul) = self.simul_efun else {
                            raise!(error(format!("Undefined function {n}")));
                        };
                        let Some(target) = self.objects.get(simul).map(|o| o.linked.clone()) else {
                            raise!(error("simul_efun object destructed"));
                        };
                        let Some(&fnref) = target.public.get(n.as_str()) else {
                            raise!(error(format!("Undefined simul_efun {n}")));
                        };
                        self.save_pc(pc);
                        self.next_origin = super::Origin::Simul;
                        if let Err(e) = self.enter(target, fnref, argc, simul, &[]) {
                            raise!(e);
                        }
                        continue 'frames;
                    }
                    Instr::CallEfun { efun, argc } => {
                        let argc = if argc == SPREAD {
                            self.spread
                        } else {
                            argc as usize
                        };
                        let Some(Some(f)) = part.efuns.get(efun as usize).copied() else {
                            let n = program.efuns.get(efun as usize).map_or("?", |n| n.as_str());
                            raise!(error(format!(
                                "efun {n}() is not implemented by this driver yet"
                            )));
                        };
                        let at = self.stack.len() - argc;
                        self.save_pc(pc);
                        // `evaluate(f, args...)` of a function is the call
                        // `(*f)(args...)`, made here without a nested run.
                        if let Some(Value::Function(_)) = self.stack.get(at)
                            && program
                                .efuns
                                .get(efun as usize)
                                .is_some_and(|n| n == "evaluate")
                        {
                            match self.enter_value(argc - 1) {
                                Ok(true) => continue 'frames,
                                Ok(false) if self.frames.len() <= stop => return Ok(()),
                                Ok(false) => continue,
                                Err(e) => raise!(e),
                            }
                        }
                        // A panic in an efun is a driver bug: it ends this
                        // evaluation as an LPC error and the driver goes on.
                        let outcome =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                f(self, at, argc)
                            }));
                        match outcome {
                            Ok(Ok(v)) => {
                                self.stack.truncate(at);
                                self.stack.push(v);
                            }
                            Ok(Err(e)) => raise!(e),
                            Err(panic) => {
                                let n =
                                    program.efuns.get(efun as usize).map_or("?", |n| n.as_str());
                                let what = panic
                                    .downcast_ref::<&str>()
                                    .map(|s| s.to_string())
                                    .or_else(|| panic.downcast_ref::<String>().cloned())
                                    .unwrap_or_default();
                                raise!(error(format!(
                                    "Internal error in efun {n}(): {what} (please report)"
                                )))
                            }
                        }
                        // The efun may have destructed us or run other code.
                        if self.frames.len() <= stop {
                            return Ok(());
                        }
                    }
                    Instr::CallOther { name, argc } => {
                        let argc = if argc == SPREAD {
                            self.spread
                        } else {
                            argc as usize
                        };
                        let at = self.stack.len() - argc - 1;
                        if !self.objects.alive(obj) {
                            // A destructed object makes no more calls out.
                            self.stack.truncate(at);
                            self.stack.push(Value::Undefined);
                            continue;
                        }
                        // The common case is read in place: taking the value
                        // out first and removing its slot after would read
                        // back a half-written slot.
                        let live = match &self.stack[at] {
                            Value::Object(r) if self.objects.alive(*r) => Some(*r),
                            _ => None,
                        };
                        let target = match live {
                            Some(r) => r,
                            None => match std::mem::take(&mut self.stack[at]) {
                                Value::Object(r) if self.objects.alive(r) => r,
                                Value::Str(s) => {
                                    self.save_pc(pc);
                                    match self.find_or_load(&s.text) {
                                        Ok(r) => r,
                                        Err(e) => raise!(e),
                                    }
                                }
                                Value::Array(list) => {
                                    // Calls each object in turn; the results form an array.
                                    let args: Vec<Value> = self.stack.drain(at + 1..).collect();
                                    self.stack.truncate(at);
                                    let n = program
                                        .names
                                        .get(name as usize)
                                        .cloned()
                                        .unwrap_or_default();
                                    let targets = list.borrow().clone();
                                    self.save_pc(pc);
                                    match self.call_other_each(&targets, &n, &args) {
                                        Ok(v) => self.stack.push(v),
                                        Err(e) => raise!(e),
                                    }
                                    continue;
                                }
                                Value::Object(_) | Value::Undefined | Value::Int(0) => {
                                    raise!(error("call_other() on a destructed or zero object"))
                                }
                                other => {
                                    raise!(error(format!(
                                        "call_other() on a {}",
                                        other.type_name()
                                    )))
                                }
                            },
                        };
                        let n = program.names.get(name as usize).map_or("", |n| n.as_str());
                        let Some(object) = self.objects.get(target) else {
                            raise!(error("call_other() on a destructed object"));
                        };
                        if object.shadowed.is_some() {
                            // A shadow may take the call: no per-site cache.
                            let Some((target, callee, fnref)) = self.resolve_shadowed(target, n)
                            else {
                                self.stack.truncate(at);
                                self.stack.push(Value::Undefined);
                                continue;
                            };
                            self.stack.remove(at);
                            self.save_pc(pc);
                            self.next_origin = super::Origin::CallOther;
                            if let Err(e) = self.enter(callee, fnref, argc, target, &[]) {
                                raise!(e);
                            }
                            continue 'frames;
                        }
                        let callee = object.linked.clone();
                        let found = match part.other_cache.get(name as usize) {
                            Some(cache) => cached_lookup(cache, &callee, n),
                            None => callee.public.get(n).copied(),
                        };
                        let Some(fnref) = found else {
                            // A missing function gives undefined.
                            self.stack.truncate(at);
                            self.stack.push(Value::Undefined);
                            continue;
                        };
                        self.save_pc(pc);
                        // The object stays under the arguments until the
                        // call returns.
                        let entry = Entry {
                            below: 1,
                            ..Entry::plain(super::Origin::CallOther)
                        };
                        if self.enter_exact(&callee, fnref, argc, target, entry) {
                            continue 'frames;
                        }
                        release(super::take_from_stack(&mut self.stack, at));
                        self.next_origin = super::Origin::CallOther;
                        if let Err(e) = self.enter(callee, fnref, argc, target, &[]) {
                            raise!(e);
                        }
                        continue 'frames;
                    }
                    Instr::CallValue { argc } => {
                        let argc = if argc == SPREAD {
                            self.spread
                        } else {
                            argc as usize
                        };
                        self.save_pc(pc);
                        match self.enter_value(argc) {
                            Ok(true) => continue 'frames,
                            Ok(false) => {}
                            Err(e) => raise!(e),
                        }
                    }
                    Instr::SpreadArgs => {
                        let list = pop!();
                        let Value::Array(list) = list else {
                            raise!(error(format!(
                                "Spreading a {} as arguments",
                                list.type_name()
                            )));
                        };
                        let items = list.borrow();
                        self.spread = items.len();
                        self.stack.extend(items.iter().cloned());
                    }
                    Instr::Return | Instr::ReturnZero => {
                        let v = if matches!(instr, Instr::Return) {
                            pop_value(&mut self.stack)
                        } else {
                            Value::Int(0)
                        };
                        // The frame is dropped where it lies: copying it out
                        // would read back fields written piecemeal moments ago.
                        let Some(depth) = self.frames.len().checked_sub(1) else {
                            return Ok(());
                        };
                        self.frames.truncate(depth);
                        let floor = base.saturating_sub(below);
                        while self.stack.len() > floor {
                            if let Some(local) = self.stack.pop() {
                                release(local);
                            }
                        }
                        self.stack.push(v);
                        while self
                            .handlers
                            .last()
                            .is_some_and(|h| h.frames > self.frames.len())
                        {
                            self.handlers.pop();
                        }
                        if self.misc.watch_returns {
                            crate::efuns::misc::frames_ended(self, self.frames.len());
                        }
                        if self.frames.len() <= stop {
                            return Ok(());
                        }
                        continue 'frames;
                    }

                    // ---- aggregates ----
                    Instr::MakeArray { count } => {
                        let count = count as usize;
                        if count > self.limits.array_size {
                            raise!(error("Array too large"));
                        }
                        let items: Vec<Value> =
                            self.stack.drain(self.stack.len() - count..).collect();
                        self.stack.push(Value::array(items));
                    }
                    Instr::MakeMapping { count } => {
                        let count = count as usize;
                        // The limit is on the result: repeated keys count once.
                        let items: Vec<Value> =
                            self.stack.drain(self.stack.len() - 2 * count..).collect();
                        let m = ops::new_mapping(count);
                        if let Value::Mapping(map) = &m {
                            let mut map = map.borrow_mut();
                            let mut it = items.into_iter();
                            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                                map.insert(k.key(), v);
                            }
                        }
                        if let Value::Mapping(map) = &m
                            && map.borrow().len() > self.limits.mapping_size
                        {
                            raise!(error("Mapping too large"));
                        }
                        self.stack.push(m);
                    }
                    Instr::Index | Instr::IndexFromEnd | Instr::IndexOptional => {
                        if let (Instr::Index, [.., Value::Array(a), Value::Int(i)]) =
                            (instr, &self.stack[..])
                        {
                            let v = a.borrow().get(*i as usize).cloned();
                            if let Some(v) = v.filter(|_| *i >= 0) {
                                discard!();
                                if let Some(top) = self.stack.last_mut() {
                                    *top = v;
                                }
                                continue;
                            }
                        }
                        let i = pop!();
                        let c = pop!();
                        let v = match (instr, &c) {
                            (
                                Instr::IndexOptional,
                                Value::Mapping(_) | Value::Array(_) | Value::Str(_),
                            ) => ops::index(&c, &i, false).unwrap_or_default(),
                            (Instr::IndexOptional, _) => Value::Int(0),
                            _ => check!(ops::index(&c, &i, matches!(instr, Instr::IndexFromEnd))),
                        };
                        let v = match v {
                            Value::Object(r) if !self.objects.alive(r) => Value::Int(0),
                            v => v,
                        };
                        self.stack.push(v);
                    }
                    Instr::GetLocalIndex { slot } => {
                        let local = base + slot as usize;
                        if let (Some(Value::Int(i)), Value::Array(a)) =
                            (self.stack.last(), &self.stack[local])
                            && let Some(v) = usize::try_from(*i)
                                .ok()
                                .and_then(|i| a.borrow().get(i).cloned())
                        {
                            // A destructed object reads as 0.
                            let v = match v {
                                Value::Object(r) if !self.objects.alive(r) => Value::Int(0),
                                v => v,
                            };
                            if let Some(top) = self.stack.last_mut() {
                                *top = v;
                            }
                            continue;
                        }
                        // A mapping read by a defined key: looked up in place.
                        if let (Some(key), Value::Mapping(m)) =
                            (self.stack.last(), &self.stack[local])
                            && !matches!(key, Value::Undefined)
                        {
                            let v = match m.borrow().get(key) {
                                Some(Value::Object(r)) if !self.objects.alive(*r) => Value::Int(0),
                                v => v.cloned().unwrap_or_default(),
                            };
                            if let Some(top) = self.stack.last_mut() {
                                release(std::mem::replace(top, v));
                            }
                            continue;
                        }
                        let i = pop!();
                        let c = self.local_value(local);
                        let v = match check!(ops::index(&c, &i, false)) {
                            Value::Object(r) if !self.objects.alive(r) => Value::Int(0),
                            v => v,
                        };
                        self.stack.push(v);
                    }
                    Instr::StoreLocalIndex { slot } => {
                        let v = pop!();
                        let i = pop!();
                        let local = base + slot as usize;
                        if let (Value::Int(at), Value::Array(a)) = (&i, &self.stack[local])
                            && let Ok(at) = usize::try_from(*at)
                            && let Some(cell) = a.borrow_mut().get_mut(at)
                        {
                            release(std::mem::replace(cell, v));
                            continue;
                        }
                        let c = self.local_value(local);
                        if let Value::Str(text) = &c {
                            // Strings are values: the local gets a new one.
                            let new = check!(ops::string_store(text, &i, &v, false));
                            self.set_local(local, new);
                            continue;
                        }
                        if self.store_overflows_mapping(&c, &i) {
                            raise!(error("Mapping too large"));
                        }
                        check!(ops::index_store(&c, i, v, false));
                    }
                    Instr::IndexStoreDiscard => {
                        let v = pop!();
                        let i = pop!();
                        let c = pop!();
                        if self.store_overflows_mapping(&c, &i) {
                            raise!(error("Mapping too large"));
                        }
                        check!(ops::index_store(&c, i, v, false));
                    }
                    Instr::IndexStore | Instr::IndexFromEndStore => {
                        let v = pop!();
                        let i = pop!();
                        let c = pop!();
                        if let (Value::Mapping(m), false) = (&c, self.limits.mapping_size == 0)
                            && m.borrow().len() >= self.limits.mapping_size
                            && !m.borrow().contains_key(&i.clone().key())
                        {
                            raise!(error("Mapping too large"));
                        }
                        check!(ops::index_store(
                            &c,
                            i,
                            v.clone(),
                            matches!(instr, Instr::IndexFromEndStore)
                        ));
                        self.stack.push(v);
                    }
                    Instr::Range { flags } => {
                        let hi = pop!();
                        let lo = pop!();
                        let c = pop!();
                        let v = check!(ops::range(&c, &lo, &hi, flags));
                        self.stack.push(v);
                    }
                    Instr::IndexReplace { from_end } => {
                        let v = pop!();
                        let i = pop!();
                        let c = pop!();
                        let from_end = from_end != 0;
                        let c = match c {
                            Value::Str(text) => check!(ops::string_store(&text, &i, &v, from_end)),
                            other => {
                                if let Value::Mapping(m) = &other
                                    && m.borrow().len() >= self.limits.mapping_size
                                    && !m.borrow().contains_key(&i.clone().key())
                                {
                                    raise!(error("Mapping too large"));
                                }
                                check!(ops::index_store(&other, i, v.clone(), from_end));
                                other
                            }
                        };
                        self.stack.push(v);
                        self.stack.push(c);
                    }
                    Instr::RangeReplace { flags } => {
                        let v = pop!();
                        let hi = pop!();
                        let lo = pop!();
                        let c = pop!();
                        // A buffer takes the right side as bytes, and those
                        // bytes are the assignment's value.
                        let v = match c {
                            Value::Buffer(_) => check!(ops::to_buffer(v)),
                            _ => v,
                        };
                        let r = check!(ops::range_replace(&c, &lo, &hi, v.clone(), flags));
                        check!(self.check_size(&r));
                        self.stack.push(v);
                        self.stack.push(r);
                    }
                    Instr::GetMember { name } | Instr::GetMemberOptional { name } => {
                        let c = pop!();
                        let optional = matches!(instr, Instr::GetMemberOptional { .. });
                        let n = program.names.get(name as usize).map_or("", |n| n.as_str());
                        let v = match &c {
                            Value::Class(obj) => match obj.position(n) {
                                Some(at) => obj.fields.borrow()[at].clone(),
                                None if optional => Value::Undefined,
                                None => raise!(error(format!("Class has no member {n}"))),
                            },
                            // `m.key` reads `m["key"]`.
                            Value::Mapping(m) => {
                                m.borrow().get(&Value::str(n)).cloned().unwrap_or_default()
                            }
                            _ if optional => Value::Undefined,
                            _ => raise!(error(
                                "Tried to take a member of something that isn't a mapping."
                            )),
                        };
                        self.stack.push(v);
                    }
                    Instr::SetMember { name } => {
                        let v = pop!();
                        let c = pop!();
                        let n = program.names.get(name as usize).map_or("", |n| n.as_str());
                        match c {
                            Value::Class(obj) => {
                                let Some(at) = obj.position(n) else {
                                    raise!(error(format!("Class has no member {n}")));
                                };
                                obj.fields.borrow_mut()[at] = v.clone();
                            }
                            Value::Mapping(m) => {
                                let key = Value::str(n);
                                if m.borrow().len() >= self.limits.mapping_size
                                    && !m.borrow().contains_key(&key)
                                {
                                    raise!(error("Mapping too large"));
                                }
                                if let Some(old) = m.borrow_mut().insert(key, v.clone()) {
                                    release(old);
                                }
                            }
                            other => raise!(error(format!(
                                "Cannot assign member {n} of a {}",
                                other.type_name()
                            ))),
                        }
                        self.stack.push(v);
                    }
                    Instr::MakeClass { class, count } => {
                        let items: Vec<Value> = self
                            .stack
                            .drain(self.stack.len() - count as usize..)
                            .collect();
                        let members = part
                            .class_members
                            .get(class as usize)
                            .cloned()
                            .unwrap_or_else(|| Rc::from(Vec::new()));
                        self.stack
                            .push(Value::Class(Rc::new(super::value::ClassObj {
                                members,
                                fields: std::cell::RefCell::new(items),
                            })));
                    }

                    // ---- function values ----
                    Instr::MakeClosure { function, captures } => {
                        let captured: Vec<Value> = self
                            .stack
                            .drain(self.stack.len() - captures as usize..)
                            .collect();
                        let fnref = FnRef {
                            part: part_index as u16,
                            func: function,
                        };
                        self.stack.push(Value::Function(Rc::new(FnPtr {
                            owner: obj,
                            kind: FnKind::Local(fnref),
                            bound: Vec::new(),
                            captures: captured,
                            owner_version: self.program_version(obj),
                        })));
                    }
                    Instr::MakeFunctionPtr { name, bound } => {
                        let bound: Vec<Value> = self
                            .stack
                            .drain(self.stack.len() - bound as usize..)
                            .collect();
                        let Some(Some(fnref)) = part.calls.get(name as usize).copied() else {
                            raise!(error("Undefined function in function pointer"));
                        };
                        self.stack.push(Value::Function(Rc::new(FnPtr {
                            owner: obj,
                            kind: FnKind::Local(fnref),
                            bound,
                            captures: Vec::new(),
                            owner_version: self.program_version(obj),
                        })));
                    }
                    Instr::MakeEfunPtr { efun, bound } => {
                        let bound: Vec<Value> = self
                            .stack
                            .drain(self.stack.len() - bound as usize..)
                            .collect();
                        let Some(Some(f)) = part.efuns.get(efun as usize).copied() else {
                            raise!(error("efun is not implemented by this driver yet"));
                        };
                        self.stack.push(Value::Function(Rc::new(FnPtr {
                            owner: obj,
                            kind: FnKind::Efun(f),
                            bound,
                            captures: Vec::new(),
                            owner_version: 0,
                        })));
                    }
                    Instr::MakeSimulPtr { name, bound } => {
                        let bound: Vec<Value> = self
                            .stack
                            .drain(self.stack.len() - bound as usize..)
                            .collect();
                        let n = program
                            .names
                            .get(name as usize)
                            .cloned()
                            .unwrap_or_default();
                        self.stack.push(Value::Function(Rc::new(FnPtr {
                            owner: obj,
                            kind: FnKind::Simul(n),
                            bound,
                            captures: Vec::new(),
                            owner_version: 0,
                        })));
                    }

                    // ---- errors ----
                    Instr::CatchBegin { handler } => {
                        self.handlers.push(Handler {
                            frames: self.frames.len(),
                            height: self.stack.len(),
                            pc: handler,
                        });
                    }
                    Instr::CatchEnd => {
                        self.handlers.pop();
                    }

                    // ---- loops over collections ----
                    Instr::ForeachInit { state } => {
                        let c = pop!();
                        let s = base + state as usize;
                        let keys = match &c {
                            Value::Mapping(m) => Value::array(m.borrow().keys().cloned().collect()),
                            Value::Array(_) | Value::Str(_) | Value::Buffer(_) => Value::Undefined,
                            Value::Undefined | Value::Int(0) => Value::Undefined,
                            other => raise!(error(format!("foreach over a {}", other.type_name()))),
                        };
                        self.stack[s] = c;
                        self.stack[s + 1] = keys;
                        self.stack[s + 2] = Value::Int(0);
                    }
                    Instr::ForeachNext { state, pairs, exit } => {
                        let s = base + state as usize;
                        let i = self.stack[s + 2].as_int().unwrap_or(0) as usize;
                        let (first, second) = match (&self.stack[s], &self.stack[s + 1]) {
                            (Value::Array(a), _) if pairs & 1 == 0 => match a.borrow().get(i) {
                                Some(v) => (v.clone(), None),
                                None => {
                                    pc = exit as usize;
                                    continue;
                                }
                            },
                            (Value::Mapping(m), Value::Array(keys)) => match keys.borrow().get(i) {
                                Some(k) => {
                                    let v = (pairs & 1 != 0)
                                        .then(|| m.borrow().get(k).cloned().unwrap_or_default());
                                    (k.clone(), v)
                                }
                                None => {
                                    pc = exit as usize;
                                    continue;
                                }
                            },
                            // A cluster wider than a character reads as -1,
                            // and cannot be a loop variable by reference.
                            (Value::Str(text), _) if pairs & 1 == 0 => match text.char_checked(i) {
                                Some(Ok(c)) => (Value::Int(c), None),
                                Some(Err(())) if pairs & 2 != 0 => {
                                    raise!(error(ops::MULTI_CODEPOINT))
                                }
                                Some(Err(())) => (Value::Int(-1), None),
                                None => {
                                    pc = exit as usize;
                                    continue;
                                }
                            },
                            (Value::Buffer(b), _) if pairs & 1 == 0 => match b.borrow().get(i) {
                                Some(&c) => (Value::Int(c as i64), None),
                                None => {
                                    pc = exit as usize;
                                    continue;
                                }
                            },
                            (Value::Array(_) | Value::Str(_) | Value::Buffer(_), _) => {
                                raise!(error("Bad argument 2 to foreach(): expected a mapping"))
                            }
                            _ => {
                                pc = exit as usize;
                                continue;
                            }
                        };
                        self.stack[s + 2] = Value::Int(i as i64 + 1);
                        tick!();
                        self.stack.push(first);
                        if pairs & 1 != 0 {
                            self.stack.push(second.unwrap_or_default());
                        }
                    }

                    Instr::ForeachStore { state } => {
                        let v = pop!();
                        let s = base + state as usize;
                        let i = self.stack[s + 2].as_int().unwrap_or(0) - 1;
                        match (&self.stack[s], &self.stack[s + 1]) {
                            (Value::Array(a), _) => {
                                if let Some(cell) = usize::try_from(i).ok().and_then(|i| {
                                    a.borrow_mut()
                                        .get_mut(i)
                                        .map(|c| std::mem::replace(c, v.clone()))
                                }) {
                                    release(cell);
                                }
                            }
                            (Value::Mapping(m), Value::Array(keys)) => {
                                let key = usize::try_from(i)
                                    .ok()
                                    .and_then(|i| keys.borrow().get(i).cloned());
                                // A key the body deleted stays deleted.
                                if let Some(key) = key
                                    && let Some(slot) = m.borrow_mut().get_mut(&key)
                                {
                                    release(std::mem::replace(slot, v));
                                }
                            }
                            (Value::Buffer(b), _) => {
                                let b = b.clone();
                                let byte = match v {
                                    Value::Int(n) => u8::try_from(n).ok(),
                                    Value::Undefined => Some(0),
                                    _ => None,
                                };
                                let Some(byte) = byte else {
                                    raise!(error("Buffer byte value out of range: must be 0..255."))
                                };
                                let mut bytes = b.borrow_mut();
                                if let Some(cell) =
                                    usize::try_from(i).ok().and_then(|i| bytes.get_mut(i))
                                {
                                    *cell = byte;
                                }
                            }
                            // A string is a value: the loop iterates a copy,
                            // so the characters written go nowhere, but they
                            // must be characters a string can hold.
                            (Value::Str(_), _) => {
                                check!(ops::string_char(&v));
                            }
                            _ => raise!(error(
                                "foreach by reference over a value that cannot change"
                            )),
                        }
                    }

                    // ---- default arguments ----
                    Instr::CallerContext => {
                        let depth = self.frames.len();
                        // Entries of frames an error left behind go first.
                        self.caller_context.retain(|&(d, _)| d < depth);
                        let caller = match depth.checked_sub(2) {
                            Some(i) => self.frames[i].obj,
                            None => obj,
                        };
                        self.caller_context.push((depth, caller));
                    }
                    Instr::CalleeContext => {
                        let depth = self.frames.len();
                        self.caller_context.retain(|&(d, _)| d < depth);
                    }

                    // ---- special forms ----
                    Instr::Sscanf { targets } => {
                        let n = targets as usize;
                        let current: Vec<Value> =
                            self.stack.drain(self.stack.len() - n..).collect();
                        let format = pop!();
                        let input = pop!();
                        let (Value::Str(input), Value::Str(format)) = (input, format) else {
                            raise!(error("Bad arguments to sscanf"));
                        };
                        let scanned =
                            crate::efuns::strings::sscanf(&input.text, &format.text, current);
                        let (count, values) = match scanned {
                            Ok(result) => result,
                            Err(message) => raise!(error(message)),
                        };
                        self.stack.push(Value::Int(count as i64));
                        self.stack.extend(values);
                    }
                }
            }
        }
    }

    /// The operands of `op` with an object beside a string replaced by its
    /// name, so `"x" + ob` and `s += ob` join the object's file name; an
    /// object destructed since it was stored joins as 0.
    fn concat_operands(&self, op: BinOp, a: Value, b: Value) -> (Value, Value) {
        if op != BinOp::Add {
            return (a, b);
        }
        let text = |r: ObjRef| {
            self.object_name(r)
                .map_or(Value::Int(0), |n| Value::str(n.to_string()))
        };
        match (a, b) {
            (a @ Value::Str(_), Value::Object(r)) => (a, text(r)),
            (Value::Object(r), b @ Value::Str(_)) => (text(r), b),
            other => other,
        }
    }

    /// Pushes the frame of a call that needs nothing adjusted: exact
    /// arguments, no rest parameter, room on both stacks, no clock check
    /// due and no tracing. A closure's `captures` go in its last locals;
    /// `below` slots under the arguments go when the call returns.
    /// False, changing nothing, when the call needs [`Vm::enter`].
    #[inline(never)]
    fn enter_exact(
        &mut self,
        linked: &Rc<super::object::Linked>,
        fnref: FnRef,
        argc: usize,
        obj: super::object::ObjRef,
        entry: Entry,
    ) -> bool {
        let Entry {
            origin,
            captures,
            below,
        } = entry;
        let Some(part) = linked.parts.get(fnref.part as usize) else {
            return false;
        };
        let Some(f) = part.program.functions.get(fnref.func as usize) else {
            return false;
        };
        if !self.exact_fits(f, argc, captures.len()) {
            return false;
        }
        let base = self.stack.len() - argc;
        for _ in argc + captures.len()..f.locals as usize {
            self.stack.push(Value::Undefined);
        }
        if !captures.is_empty() {
            self.stack.extend(captures.iter().cloned());
        }
        self.frames.push(super::Frame {
            linked: linked.clone(),
            func: fnref,
            pc: 0,
            base: base as u32,
            obj,
            var_base: part.var_base,
            argc: argc as u8,
            origin,
            below: below as u8,
        });
        self.ticks -= 1;
        true
    }

    /// [`Vm::prepare_call_value`], with a pointer to a function of a live
    /// object with nothing bound entered on the exact-call path.
    fn enter_value(&mut self, argc: usize) -> Result<bool, Unwind> {
        let at = self.stack.len() - argc - 1;
        let Some(Value::Function(fp)) = self.stack.get(at) else {
            return self.prepare_call_value(argc);
        };
        if !fp.bound.is_empty() {
            return self.prepare_call_value(argc);
        }
        let FnKind::Local(fnref) = fp.kind else {
            return self.prepare_call_value(argc);
        };
        let callee = match self.objects.get(fp.owner) {
            Some(owner) if owner.program_version == fp.owner_version => owner.linked.clone(),
            _ => return self.prepare_call_value(argc),
        };
        let origin = Vm::pointer_origin(&callee, fnref);
        // The function value stays under the arguments until the call
        // returns, and holds the captures meanwhile.
        let fp = fp.clone();
        let entry = Entry {
            origin,
            captures: &fp.captures,
            below: 1,
        };
        if self.enter_exact(&callee, fnref, argc, fp.owner, entry) {
            return Ok(true);
        }
        release(super::take_from_stack(&mut self.stack, at));
        self.next_origin = origin;
        self.enter(callee, fnref, argc, fp.owner, &fp.captures)?;
        Ok(true)
    }

    /// Whether a call of `f` with `argc` arguments and `captures` captured
    /// values can skip the adjustments of [`Vm::enter`].
    #[inline(always)]
    fn exact_fits(&self, f: &lpcc::bytecode::Function, argc: usize, captures: usize) -> bool {
        f.params as usize == argc
            && !f.rest
            && f.locals as usize >= argc + captures
            && self.frames.len() < self.limits.call_depth
            && self.stack.len() + (f.locals as usize) + 256 < self.limits.stack_size
            && self.ticks > 1
            && !self.misc.tracing
    }

    /// The configured size limits, for values that just grew.
    fn check_size(&self, v: &Value) -> Result<(), String> {
        let too_big = match v {
            Value::Str(s) => s.text.len() > self.limits.string_length,
            Value::Array(a) => a.borrow().len() > self.limits.array_size,
            Value::Mapping(m) => m.borrow().len() > self.limits.mapping_size,
            Value::Buffer(b) => b.borrow().len() > self.limits.buffer_size,
            _ => false,
        };
        if too_big {
            return Err(format!("Maximum {} size exceeded", v.type_name()));
        }
        Ok(())
    }

    /// Stores into a local, through the reference a `ref` parameter holds.
    #[inline]
    fn set_local(&mut self, at: usize, v: Value) {
        if let Value::Ref(cell) = &self.stack[at] {
            *cell.borrow_mut() = v;
            return;
        }
        release(std::mem::replace(&mut self.stack[at], v));
    }

    /// Takes a local's value out, leaving 0 (in the cell, for a reference).
    fn take_local(&mut self, at: usize) -> Value {
        match &self.stack[at] {
            Value::Ref(cell) => std::mem::take(&mut *cell.borrow_mut()),
            _ => std::mem::take(&mut self.stack[at]),
        }
    }

    /// A local's value, seen through a reference.
    fn local_value(&self, at: usize) -> Value {
        deref(&self.stack[at])
    }

    fn save_pc(&mut self, pc: usize) {
        if let Some(f) = self.frames.last_mut() {
            f.pc = pc as u32;
        }
    }

    /// Whether storing at key `i` of `c` would add a key to a mapping
    /// already at the size limit.
    fn store_overflows_mapping(&self, c: &Value, i: &Value) -> bool {
        match c {
            Value::Mapping(m) => {
                let m = m.borrow();
                m.len() >= self.limits.mapping_size && !m.contains_key(&i.clone().key())
            }
            _ => false,
        }
    }

    /// Unwinds to the innermost `catch` of this run, or passes the error on.
    fn unwind(&mut self, e: Unwind, stop: usize) -> Result<(), Unwind> {
        let value = match &e {
            Unwind::Error(info) => Value::str(format!("*{}\n", info.message)),
            Unwind::Throw(v) => v.clone(),
            Unwind::EvalCost | Unwind::Shutdown(_) => return Err(e),
        };
        let Some(handler) = self.handlers.last().copied().filter(|h| h.frames > stop) else {
            return Err(e);
        };
        if let Unwind::Error(info) = &e {
            // The master sees a caught error while its frames still exist.
            self.call_error_handler(info, true);
        }
        self.handlers.pop();
        self.frames.truncate(handler.frames);
        self.caller_context.retain(|&(d, _)| d <= handler.frames);
        self.stack.truncate(handler.height);
        if self.misc.watch_returns {
            crate::efuns::misc::frames_ended(self, handler.frames);
        }
        self.stack.push(value);
        if let Some(f) = self.frames.last_mut() {
            f.pc = handler.pc;
        }
        Ok(())
    }
}

/// How [`Vm::enter_exact`] enters a call.
struct Entry<'a> {
    origin: super::Origin,
    /// A closure's captured values, its last locals.
    captures: &'a [Value],
    /// Slots under the arguments that go when the call returns.
    below: usize,
}

impl Entry<'_> {
    fn plain(origin: super::Origin) -> Entry<'static> {
        Entry {
            origin,
            captures: &[],
            below: 0,
        }
    }
}

/// Drops a value, skipping the drop glue for the numbers that have none.
#[inline(always)]
fn release(v: Value) {
    match v {
        Value::Undefined | Value::Int(_) | Value::Float(_) | Value::Object(_) => {
            std::mem::forget(v)
        }
        other => drop(other),
    }
}

/// Takes the top value off the stack. A number is read as its two halves:
/// the handler that computed it often stored only the half that changed,
/// and one wide load of both right after would stall the processor.
#[inline(always)]
fn pop_value(stack: &mut Vec<Value>) -> Value {
    if let Some(&Value::Int(i)) = stack.last() {
        stack.truncate(stack.len() - 1);
        return Value::Int(i);
    }
    stack.pop().unwrap_or_default()
}

/// A value, or the value a reference holds.
fn deref(v: &Value) -> Value {
    match v {
        Value::Ref(cell) => cell.borrow().clone(),
        other => other.clone(),
    }
}

/// `callee`'s public function `name`, remembered per call site for the
/// last program called there (clones share one program, so it nearly
/// always hits). The weak reference keeps the program's memory from being
/// reused while the cache names it, so comparing addresses is sound.
fn cached_lookup(
    cache: &std::cell::RefCell<Option<(std::rc::Weak<super::object::Linked>, Option<FnRef>)>>,
    callee: &Rc<super::object::Linked>,
    name: &str,
) -> Option<FnRef> {
    if let Some((program, found)) = &*cache.borrow()
        && std::ptr::eq(program.as_ptr(), Rc::as_ptr(callee))
    {
        return *found;
    }
    let found = callee.public.get(name).copied();
    *cache.borrow_mut() = Some((Rc::downgrade(callee), found));
    found
}
