//! The verifier: proves a program safe to run before the VM sees it. Every
//! operand must index an existing constant, name, local, global, function,
//! class or switch table; every jump must land inside its function; the
//! operand stack must have one known height at each instruction, never
//! below zero; and no path may run off the end of a function. The VM relies
//! on this for programs read from disk; the compiler's output passes it too.

use super::{Instr, Program};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("function `{function}`, pc {pc}: {problem}")]
pub struct VerifyError {
    pub function: String,
    pub pc: usize,
    pub problem: String,
}

/// How an instruction moves the stack: what it pops and pushes when it
/// falls through, and where else control may go.
struct Effect {
    pops: usize,
    pushes: usize,
    /// Another successor and the height change on that edge.
    branch: Option<(u32, isize)>,
    /// Control never falls through (return, unconditional jump).
    ends: bool,
}

fn effect(instr: Instr) -> Effect {
    use Instr::*;
    let simple = |pops: usize, pushes: usize| Effect {
        pops,
        pushes,
        branch: None,
        ends: false,
    };
    let jump = |pops: usize, pushes: usize, target: u32, delta: isize| Effect {
        pops,
        pushes,
        branch: Some((target, delta)),
        ends: false,
    };
    match instr {
        PushUndefined
        | PushInt { .. }
        | PushBigInt { .. }
        | PushFloat { .. }
        | PushString { .. }
        | GetLocal { .. }
        | GetGlobal { .. } => simple(0, 1),
        Pop
        | StoreLocal { .. }
        | StoreGlobal { .. }
        | ForeachInit { .. }
        | ForeachStore { .. }
        | CompoundLocalDiscard { .. } => simple(1, 0),
        CallerContext | CalleeContext => simple(0, 0),
        Dup => simple(1, 2),
        Dup2 => simple(2, 4),
        Swap => simple(2, 2),
        SetLocal { .. }
        | SetGlobal { .. }
        | CompoundLocal { .. }
        | Neg
        | Compl
        | Not
        | AddInt { .. }
        | IntOp { .. }
        | MakeRef
        | Deref
        | CastInt
        | CastFloat
        | PromoteFloat
        | TruncateInt
        | PromoteBuffer
        | CastString
        | GetMember { .. }
        | GetMemberOptional { .. } => simple(1, 1),
        AddLocalInt { .. } | AddGlobalInt { .. } | CatchEnd => simple(0, 0),
        Add
        | Sub
        | Mul
        | Div
        | Mod
        | BitAnd
        | BitOr
        | BitXor
        | Shl
        | Shr
        | Eq
        | Ne
        | Lt
        | Le
        | Gt
        | Ge
        | Index
        | IndexFromEnd
        | IndexOptional
        | SetMember { .. } => simple(2, 1),
        IndexStore | IndexFromEndStore | Range { .. } => simple(3, 1),
        IndexStoreDiscard => simple(3, 0),
        RangeReplace { .. } => simple(4, 2),
        IndexReplace { .. } => simple(3, 2),
        GetLocalIndex { .. } => simple(1, 1),
        StoreLocalIndex { .. } => simple(2, 0),
        Jump { target } => Effect {
            pops: 0,
            pushes: 0,
            branch: Some((target, 0)),
            ends: true,
        },
        JumpIfFalse { target } | JumpIfTrue { target } => jump(1, 0, target, -1),
        JumpIfFalseKeep { target } | JumpIfTrueKeep { target } | JumpIfDefinedKeep { target } => {
            jump(1, 0, target, 0)
        }
        JumpIfLocalLtLocal { target, .. }
        | JumpIfLocalLtInt { target, .. }
        | JumpIfLocalLeInt { target, .. }
        | JumpIfLocalGtInt { target, .. }
        | JumpIfLocalGeInt { target, .. }
        | SkipIfArg { target, .. } => jump(0, 0, target, 0),
        JumpUnlessLt { target }
        | JumpUnlessLe { target }
        | JumpIfLt { target }
        | JumpIfLe { target } => jump(2, 0, target, -2),
        // Switch targets are checked separately; they share the popped height.
        Switch { .. } => simple(1, 0),
        Call { argc, .. }
        | CallSuper { argc, .. }
        | CallSimul { argc, .. }
        | CallEfun { argc, .. } => simple(fixed_argc(argc), 1),
        CallOther { argc, .. } => simple(fixed_argc(argc) + 1, 1),
        CallValue { argc } => simple(fixed_argc(argc) + 1, 1),
        // The spread elements count as none: the next call takes them all.
        SpreadArgs => simple(1, 0),
        Return => Effect {
            pops: 1,
            pushes: 0,
            branch: None,
            ends: true,
        },
        ReturnZero => Effect {
            pops: 0,
            pushes: 0,
            branch: None,
            ends: true,
        },
        MakeArray { count } => simple(count as usize, 1),
        MakeMapping { count } => simple(count as usize * 2, 1),
        MakeClass { count, .. } => simple(count as usize, 1),
        MakeClosure { captures, .. } => simple(captures as usize, 1),
        MakeFunctionPtr { bound, .. } | MakeEfunPtr { bound, .. } | MakeSimulPtr { bound, .. } => {
            simple(bound as usize, 1)
        }
        CatchBegin { handler } => jump(0, 0, handler, 1),
        ForeachNext { pairs, exit, .. } => jump(0, 1 + (pairs & 1) as usize, exit, 0),
        Sscanf { targets } => simple(2 + targets as usize, 1 + targets as usize),
    }
}

/// What a call pops besides its target: a spread call's arguments are
/// accounted to the `SpreadArgs` before it.
fn fixed_argc(argc: u8) -> usize {
    if argc == SPREAD { 0 } else { argc as usize }
}

/// The `argc` of a call whose arguments `SpreadArgs` pushed.
pub const SPREAD: u8 = 255;

/// The argument count of a call instruction.
fn call_argc(instr: Instr) -> Option<u8> {
    use Instr::*;
    match instr {
        Call { argc, .. }
        | CallSuper { argc, .. }
        | CallSimul { argc, .. }
        | CallEfun { argc, .. }
        | CallOther { argc, .. }
        | CallValue { argc } => Some(argc),
        _ => None,
    }
}

/// Checks every function of `program`.
pub fn verify(program: &Program) -> Result<(), VerifyError> {
    if let Some(init) = program.init
        && init as usize >= program.functions.len()
    {
        return Err(VerifyError {
            function: "<program>".into(),
            pc: 0,
            problem: format!("initializer {init} is not a function"),
        });
    }
    for inherit in &program.inherits {
        if inherit.var_start > program.var_count {
            return Err(VerifyError {
                function: "<program>".into(),
                pc: 0,
                problem: format!("inherit {} starts past the variables", inherit.path),
            });
        }
    }
    if program.globals.len() > program.var_count as usize {
        return Err(VerifyError {
            function: "<program>".into(),
            pc: 0,
            problem: "more globals than variables".into(),
        });
    }
    for (i, table) in program.switches.iter().enumerate() {
        let sorted = table.ints.windows(2).all(|w| w[0].0 < w[1].0)
            && table.strings.windows(2).all(|w| w[0].0 < w[1].0);
        if !sorted {
            return Err(VerifyError {
                function: "<program>".into(),
                pc: 0,
                problem: format!("switch table {i} is not sorted"),
            });
        }
    }
    for function in &program.functions {
        verify_function(program, function).map_err(|(pc, problem)| VerifyError {
            function: function.name.to_string(),
            pc,
            problem,
        })?;
    }
    Ok(())
}

fn verify_function(program: &Program, f: &super::Function) -> Result<(), (usize, String)> {
    if f.params as u16 > f.locals {
        return Err((0, "more parameters than locals".into()));
    }
    let len = f.code.len();
    if len == 0 {
        return Err((0, "empty function".into()));
    }
    for (pc, &instr) in f.code.iter().enumerate() {
        check_operands(program, f, instr).map_err(|p| (pc, p))?;
        // A spread call must come right after its `SpreadArgs`, and
        // nothing may jump between the two.
        let spread_call = call_argc(instr) == Some(SPREAD);
        let after_spread = pc > 0 && f.code[pc - 1] == Instr::SpreadArgs;
        if spread_call != after_spread {
            return Err((pc, "a spread call must directly follow SpreadArgs".into()));
        }
        if instr == Instr::SpreadArgs && pc + 1 == len {
            return Err((pc, "SpreadArgs at the end of a function".into()));
        }
    }
    for (pc, &instr) in f.code.iter().enumerate() {
        let mut targets: Vec<u32> = effect(instr).branch.map(|b| b.0).into_iter().collect();
        if let Instr::Switch { table } = instr
            && let Some(t) = program.switches.get(table as usize)
        {
            targets.extend(t.ints.iter().map(|x| x.1));
            targets.extend(t.strings.iter().map(|x| x.1));
            targets.extend(t.ranges.iter().map(|x| x.2));
            targets.push(t.default);
        }
        for target in targets {
            if f.code.get(target as usize).and_then(|&i| call_argc(i)) == Some(SPREAD) {
                return Err((pc, "jump into a spread call".into()));
            }
        }
    }
    // Stack heights by abstract interpretation over the control-flow graph.
    let mut height: Vec<Option<usize>> = vec![None; len];
    let mut work = vec![(0usize, 0usize)];
    while let Some((pc, h)) = work.pop() {
        if pc >= len {
            return Err((pc, "control runs off the end of the function".into()));
        }
        match height[pc] {
            Some(known) if known == h => continue,
            Some(known) => {
                return Err((
                    pc,
                    format!("stack height {h} here, {known} on another path"),
                ));
            }
            None => height[pc] = Some(h),
        }
        let instr = f.code[pc];
        let e = effect(instr);
        let Some(after_pop) = h.checked_sub(e.pops) else {
            return Err((pc, format!("{} pops below the stack", instr.name())));
        };
        if let Some((target, delta)) = e.branch {
            let at = h as isize + delta;
            if at < 0 || target as usize >= len {
                return Err((pc, format!("bad jump target {target}")));
            }
            work.push((target as usize, at as usize));
        }
        if let Instr::Switch { table } = instr
            && let Some(t) = program.switches.get(table as usize)
        {
            let targets = t.ints.iter().map(|x| x.1);
            let targets = targets.chain(t.strings.iter().map(|x| x.1));
            let targets = targets.chain(t.ranges.iter().map(|x| x.2));
            for target in targets.chain([t.default]) {
                if target as usize >= len {
                    return Err((pc, format!("bad switch target {target}")));
                }
                work.push((target as usize, after_pop));
            }
        }
        if !e.ends {
            work.push((pc + 1, after_pop + e.pushes));
        }
    }
    Ok(())
}

fn check_operands(program: &Program, f: &super::Function, instr: Instr) -> Result<(), String> {
    use Instr::*;
    let within = |what: &str, index: usize, count: usize| {
        if index < count {
            Ok(())
        } else {
            Err(format!(
                "{} refers to {what} {index} of {count}",
                instr.name()
            ))
        }
    };
    let locals = f.locals as usize;
    let vars = program.var_count as usize;
    match instr {
        PushBigInt { index } => within("integer", index as usize, program.ints.len()),
        PushFloat { index } => within("float", index as usize, program.floats.len()),
        PushString { index } => within("string", index as usize, program.strings.len()),
        GetLocal { slot } | SetLocal { slot } | StoreLocal { slot } | AddLocalInt { slot, .. } => {
            within("local", slot as usize, locals)
        }
        JumpIfLocalLtInt { slot, index, .. }
        | JumpIfLocalLeInt { slot, index, .. }
        | JumpIfLocalGtInt { slot, index, .. }
        | JumpIfLocalGeInt { slot, index, .. } => {
            within("local", slot as usize, locals)?;
            within("integer", index as usize, program.ints.len())
        }
        IntOp { op, .. } => match super::BinOp::from_code(op) {
            Some(_) => Ok(()),
            None => Err(format!("unknown operator code {op}")),
        },
        CompoundLocal { slot, op } | CompoundLocalDiscard { slot, op } => {
            within("local", slot as usize, locals)?;
            match super::BinOp::from_code(op) {
                Some(_) => Ok(()),
                None => Err(format!("unknown operator code {op}")),
            }
        }
        JumpIfLocalLtLocal { slot, bound, .. } => {
            within("local", slot as usize, locals)?;
            within("local", bound as usize, locals)
        }
        ForeachInit { state } | ForeachNext { state, .. } | ForeachStore { state } => {
            within("local", state as usize + 2, locals)
        }
        GetGlobal { slot }
        | SetGlobal { slot }
        | StoreGlobal { slot }
        | AddGlobalInt { slot, .. } => within("variable", slot as usize, vars),
        Call { name, .. }
        | CallSimul { name, .. }
        | CallOther { name, .. }
        | MakeFunctionPtr { name, .. }
        | MakeSimulPtr { name, .. } => within("name", name as usize, program.names.len()),
        CallSuper { entry, .. } => {
            within("super call", entry as usize, program.supers.len())?;
            let inherit = program.supers[entry as usize].inherit as usize;
            within("inherit", inherit, program.inherits.len())
        }
        CallEfun { efun, .. } | MakeEfunPtr { efun, .. } => {
            within("efun", efun as usize, program.efuns.len())
        }
        MakeClosure { function, .. } => {
            within("function", function as usize, program.functions.len())
        }
        MakeClass { class, count } => {
            within("class", class as usize, program.classes.len())?;
            if program.classes[class as usize].members.len() != count as usize {
                return Err(format!("MakeClass with {count} members for class {class}"));
            }
            Ok(())
        }
        GetMember { name } | SetMember { name } => {
            within("name", name as usize, program.names.len())
        }
        Switch { table } => within("switch table", table as usize, program.switches.len()),
        SkipIfArg { param, .. } => within("parameter", param as usize, f.params as usize),
        Range { flags } | RangeReplace { flags } if flags > 7 => {
            Err(format!("bad range flags {flags}"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::Function;

    /// The verifier's verdict on one function with `locals` slots.
    fn check(code: &[Instr], locals: u16, expect: &str) {
        let program = Program {
            ints: vec![5],
            functions: vec![Function {
                name: "f".into(),
                locals,
                code: code.to_vec(),
                ..Function::default()
            }],
            ..Program::default()
        };
        let actual = match verify(&program) {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        assert_eq!(actual, expect);
    }

    #[test]
    fn accepts_well_formed_code() {
        use Instr::*;
        check(
            &[PushInt { value: 1 }, StoreLocal { slot: 0 }, ReturnZero],
            1,
            "ok",
        );
        check(
            &[
                JumpIfLocalLtInt {
                    slot: 0,
                    index: 0,
                    target: 2,
                },
                ReturnZero,
                GetLocal { slot: 0 },
                Return,
            ],
            1,
            "ok",
        );
    }

    #[test]
    fn rejects_bad_code() {
        use Instr::*;
        check(
            &[Pop, ReturnZero],
            0,
            "function `f`, pc 0: Pop pops below the stack",
        );
        check(
            &[GetLocal { slot: 3 }, Return],
            1,
            "function `f`, pc 0: GetLocal refers to local 3 of 1",
        );
        check(
            &[Jump { target: 9 }],
            0,
            "function `f`, pc 0: bad jump target 9",
        );
        check(
            &[PushInt { value: 1 }],
            0,
            "function `f`, pc 1: control runs off the end of the function",
        );
        check(
            &[
                PushInt { value: 1 },
                JumpIfTrue { target: 3 },
                PushInt { value: 2 },
                ReturnZero,
            ],
            0,
            "function `f`, pc 3: stack height 0 here, 1 on another path",
        );
        check(
            &[PushInt { value: 1 }, JumpIfTrue { target: 0 }, ReturnZero],
            0,
            "ok",
        );
        check(
            &[
                PushInt { value: 1 },
                JumpIfFalseKeep { target: 0 },
                ReturnZero,
            ],
            0,
            "function `f`, pc 0: stack height 1 here, 0 on another path",
        );
        check(
            &[PushBigInt { index: 4 }, Return],
            0,
            "function `f`, pc 0: PushBigInt refers to integer 4 of 1",
        );
        check(&[], 0, "function `f`, pc 0: empty function");
    }

    #[test]
    fn files_round_trip_and_reject_garbage() {
        let program = Program {
            path: "/a.c".into(),
            strings: vec!["x".into()],
            functions: vec![Function {
                name: "f".into(),
                code: vec![Instr::PushString { index: 0 }, Instr::Return],
                ..Function::default()
            }],
            ..Program::default()
        };
        let bytes = crate::bytecode::file::write(&program);
        assert_eq!(crate::bytecode::file::read(&bytes), Ok(program));
        assert_eq!(
            crate::bytecode::file::read(b"LPCX"),
            Err(crate::bytecode::file::ReadError::BadMagic)
        );
        let mut wrong_version = bytes.clone();
        wrong_version[4] = 99;
        assert!(crate::bytecode::file::read(&wrong_version).is_err());
        assert_eq!(
            crate::bytecode::file::read(&bytes[..bytes.len() - 3]),
            Err(crate::bytecode::file::ReadError::Truncated)
        );
    }
}
