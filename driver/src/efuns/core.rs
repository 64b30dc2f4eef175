//! Efuns about objects, calls, types, errors and the driver itself.

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("call_other", call_other);
    m.insert("debug_message", debug_message);
    m.insert("shutdown", shutdown);
    m.insert("error", error_efun);
    m.insert("throw", throw);
    m.insert("intp", |vm, b, n| {
        Ok(is(vm, b, n, |v| {
            matches!(v, Value::Int(_) | Value::Undefined)
        }))
    });
    m.insert("floatp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Float(_))))
    });
    m.insert("stringp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Str(_))))
    });
    m.insert("arrayp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Array(_))))
    });
    m.insert("pointerp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Array(_))))
    });
    m.insert("mapp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Mapping(_))))
    });
    m.insert("functionp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Function(_))))
    });
    m.insert("bufferp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Buffer(_))))
    });
    m.insert("classp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Class(_))))
    });
    m.insert("undefinedp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Undefined)))
    });
    m.insert("nullp", |vm, b, n| {
        Ok(is(vm, b, n, |v| matches!(v, Value::Undefined)))
    });
    m.insert("objectp", objectp);
    m.insert("typeof", typeof_efun);
    m.insert("to_buffer", to_buffer);
    m.insert("dump_trace", dump_trace);
}

fn is(vm: &Vm, base: usize, argc: usize, test: fn(&Value) -> bool) -> Value {
    Value::Int(test(&arg(vm, base, argc, 0)) as i64)
}

fn objectp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let live = matches!(arg(vm, base, argc, 0), Value::Object(r) if vm.objects.alive(r));
    Ok(Value::Int(live as i64))
}

fn typeof_efun(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    Ok(Value::str(arg(vm, base, argc, 0).type_name()))
}

fn call_other(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let target = arg(vm, base, argc, 0);
    let (name, mut args) = match arg(vm, base, argc, 1) {
        Value::Str(s) => (s.text.to_string(), Vec::new()),
        Value::Array(a) => {
            let a = a.borrow();
            let Some(Value::Str(s)) = a.first() else {
                return Err(error("call_other(): bad function name"));
            };
            (s.text.to_string(), a[1..].to_vec())
        }
        other => return Err(bad_arg("call_other", 1, &other)),
    };
    args.extend((2..argc).map(|i| arg(vm, base, argc, i)));
    // A destructed object makes no more calls out.
    if vm.this_object().is_some_and(|r| !vm.objects.alive(r)) {
        return Ok(Value::Undefined);
    }
    let r = match target {
        Value::Object(r) if vm.objects.alive(r) => r,
        Value::Str(s) => vm.find_or_load(&s.text)?,
        Value::Array(list) => {
            let list = list.borrow().clone();
            return vm.call_other_each(&list, &name, &args);
        }
        other => return Err(bad_arg("call_other", 0, &other)),
    };
    Ok(vm.apply(r, &name, args, false)?.unwrap_or(Value::Undefined))
}

fn debug_message(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "debug_message")?;
    let text = text.text.trim_end_matches('\n').to_string();
    vm.debug_message(&text);
    Ok(Value::Int(0))
}

fn shutdown(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let code = int_arg(vm, base, argc, 0, "shutdown")?;
    Err(Unwind::Shutdown(code as i32))
}

fn error_efun(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "error")?;
    let message = text
        .text
        .strip_suffix('\n')
        .unwrap_or(&text.text)
        .to_string();
    Err(error(message))
}

fn throw(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    Err(Unwind::Throw(arg(vm, base, argc, 0)))
}

fn to_buffer(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match arg(vm, base, argc, 0) {
        v @ (Value::Str(_) | Value::Array(_) | Value::Buffer(_)) => {
            crate::vm::ops::to_buffer(v).map_err(error)
        }
        other => Err(bad_arg("to_buffer", 1, &other)),
    }
}

/// The call stack, outermost call first: one mapping per frame with its
/// function, program, object, file and line, the values of its arguments
/// and, when it has any, of its locals.
fn dump_trace(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let mut frames = Vec::new();
    for frame in &vm.frames {
        let part = &frame.linked.parts[frame.func.part as usize];
        let function = frame.linked.function(frame.func);
        let at = function.and_then(|f| f.line_at(frame.pc.saturating_sub(1) as usize));
        let file = at
            .and_then(|e| part.program.files.get(e.file as usize).cloned())
            .unwrap_or_else(|| part.program.path.clone());
        // The frame's slots: its declared parameters, then its locals.
        let params = function.map_or(0, |f| usize::from(f.params));
        let locals = function.map_or(0, |f| usize::from(f.locals));
        let base = frame.base as usize;
        let slots = |from: usize, to: usize| {
            Value::array(
                (from..to)
                    .map(|i| vm.stack.get(base + i).cloned().unwrap_or_default())
                    .collect(),
            )
        };
        let mut entries = vec![
            (
                "function",
                Value::str(function.map_or("", |f| f.name.as_str())),
            ),
            ("program", Value::str(part.program.path.clone())),
            ("object", Value::Object(frame.obj)),
            ("file", Value::str(file)),
            ("line", Value::Int(at.map_or(0, |e| e.line as i64))),
            ("arguments", slots(0, params)),
        ];
        if locals > params {
            entries.push(("locals", slots(params, locals)));
        }
        let m = crate::vm::ops::new_mapping(entries.len());
        if let Value::Mapping(map) = &m {
            let mut map = map.borrow_mut();
            for (k, v) in entries {
                map.insert(Value::str(k), v);
            }
        }
        frames.push(m);
    }
    Ok(Value::array(frames))
}
