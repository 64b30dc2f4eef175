//! Efuns about objects, calls, types, errors and the driver itself.

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("this_object", this_object);
    m.insert("previous_object", previous_object);
    m.insert("load_object", load_object);
    m.insert("find_object", find_object);
    m.insert("clone_object", clone_object);
    m.insert("_new", clone_object);
    m.insert("destruct", destruct);
    m.insert("file_name", file_name);
    m.insert("call_other", call_other);
    m.insert("debug_message", debug_message);
    m.insert("shutdown", shutdown);
    m.insert("error", error_efun);
    m.insert("throw", throw);
    m.insert("perf_counter_ns", perf_counter_ns);
    m.insert("time", time);
    m.insert("rusage", rusage);
    m.insert("random", random);
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
    m.insert("to_int", to_int);
    m.insert("to_float", to_float);
    m.insert("sqrt", sqrt);
    m.insert("to_buffer", to_buffer);
    m.insert("set_eval_limit", set_eval_limit);
    m.insert("dump_trace", dump_trace);
    m.insert("reset_eval_cost", reset_eval_cost);
    m.insert("eval_cost", eval_cost);
}

fn is(vm: &Vm, base: usize, argc: usize, test: fn(&Value) -> bool) -> Value {
    Value::Int(test(&arg(vm, base, argc, 0)) as i64)
}

fn object_value(r: Option<crate::vm::object::ObjRef>) -> Value {
    r.map_or(Value::Int(0), Value::Object)
}

fn objectp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let live = matches!(arg(vm, base, argc, 0), Value::Object(r) if vm.objects.alive(r));
    Ok(Value::Int(live as i64))
}

fn typeof_efun(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    Ok(Value::str(arg(vm, base, argc, 0).type_name()))
}

fn this_object(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(object_value(vm.this_object()))
}

fn previous_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "previous_object")?;
    if n < 0 {
        let mut all = Vec::new();
        let mut i = 0;
        while let Some(r) = vm.previous_object(i) {
            all.push(Value::Object(r));
            i += 1;
        }
        return Ok(Value::array(all));
    }
    Ok(object_value(vm.previous_object(n as usize)))
}

fn load_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "load_object")?;
    vm.find_or_load(&name.text).map(Value::Object)
}

fn find_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "find_object")?;
    Ok(object_value(
        vm.objects.find(&crate::vm::object_name(&name.text)),
    ))
}

fn clone_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = match arg(vm, base, argc, 0) {
        Value::Str(s) => s.text.clone(),
        Value::Object(r) => vm.object_name(r).map(|n| n.to_string()).unwrap_or_default(),
        other => return Err(bad_arg("clone_object", 0, &other)),
    };
    let args: Vec<Value> = (1..argc).map(|i| arg(vm, base, argc, i)).collect();
    vm.clone_object(&name, args).map(Value::Object)
}

fn destruct(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    if let Value::Object(r) = arg(vm, base, argc, 0) {
        vm.destruct(r);
    }
    Ok(Value::Int(0))
}

fn file_name(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = match arg(vm, base, argc, 0) {
        Value::Object(r) => Some(r),
        Value::Undefined if argc == 0 => vm.this_object(),
        _ => None,
    };
    Ok(r.and_then(|r| vm.object_name(r))
        .map_or(Value::Int(0), |n| Value::str(n.to_string())))
}

fn call_other(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let target = arg(vm, base, argc, 0);
    let (name, mut args) = match arg(vm, base, argc, 1) {
        Value::Str(s) => (s.text.clone(), Vec::new()),
        Value::Array(a) => {
            let a = a.borrow();
            let Some(Value::Str(s)) = a.first() else {
                return Err(error("call_other(): bad function name"));
            };
            (s.text.clone(), a[1..].to_vec())
        }
        other => return Err(bad_arg("call_other", 1, &other)),
    };
    args.extend((2..argc).map(|i| arg(vm, base, argc, i)));
    let call = |vm: &mut Vm, r| -> Result<Value, Unwind> {
        Ok(vm
            .apply(r, &name, args.clone(), false)?
            .unwrap_or(Value::Int(0)))
    };
    match target {
        Value::Object(r) if vm.objects.alive(r) => call(vm, r),
        Value::Str(s) => {
            let r = vm.find_or_load(&s.text)?;
            call(vm, r)
        }
        Value::Array(list) => {
            let list = list.borrow().clone();
            let mut out = Vec::new();
            for v in list {
                match v {
                    Value::Object(r) if vm.objects.alive(r) => out.push(call(vm, r)?),
                    _ => out.push(Value::Int(0)),
                }
            }
            Ok(Value::array(out))
        }
        other => Err(bad_arg("call_other", 0, &other)),
    }
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

fn perf_counter_ns(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(Value::Int(vm.started.elapsed().as_nanos() as i64))
}

fn time(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    Ok(Value::Int(now.map_or(0, |d| d.as_secs() as i64)))
}

fn rusage(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    use nix::sys::resource::{UsageWho, getrusage};
    let usage = getrusage(UsageWho::RUSAGE_SELF).map_err(|e| error(format!("rusage(): {e}")))?;
    let ms = |t: nix::sys::time::TimeVal| t.tv_sec() * 1000 + t.tv_usec() / 1000;
    let entries = [
        ("utime", ms(usage.user_time())),
        ("stime", ms(usage.system_time())),
        ("maxrss", usage.max_rss()),
        ("minflt", usage.minor_page_faults()),
        ("majflt", usage.major_page_faults()),
        ("nvcsw", usage.voluntary_context_switches()),
        ("nivcsw", usage.involuntary_context_switches()),
    ];
    let m = crate::vm::ops::new_mapping(entries.len());
    if let Value::Mapping(map) = &m {
        let mut map = map.borrow_mut();
        for (k, v) in entries {
            map.insert(Value::str(k), Value::Int(v));
        }
    }
    Ok(m)
}

fn random(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "random")?;
    if n <= 0 {
        return Ok(Value::Int(0));
    }
    // xorshift seeded from the clock: LPC's random() needs no crypto strength.
    thread_local!(static STATE: std::cell::Cell<u64> = std::cell::Cell::new(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0x9e37_79b9, |d| d.as_nanos() as u64) | 1));
    let x = STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x
    });
    Ok(Value::Int((x % n as u64) as i64))
}

fn to_int(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    Ok(match arg(vm, base, argc, 0) {
        Value::Float(f) => Value::Int(f as i64),
        Value::Int(i) => Value::Int(i),
        Value::Str(s) => {
            let t = s.text.trim();
            let end = t
                .char_indices()
                .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+'))))
                .map_or(t.len(), |(i, _)| i);
            t[..end].parse().map_or(Value::Undefined, Value::Int)
        }
        _ => Value::Int(0),
    })
}

fn to_float(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    Ok(match arg(vm, base, argc, 0) {
        Value::Float(f) => Value::Float(f),
        Value::Int(i) => Value::Float(i as f64),
        Value::Str(s) => Value::Float(s.text.trim().parse().unwrap_or(0.0)),
        _ => Value::Float(0.0),
    })
}

fn to_buffer(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match arg(vm, base, argc, 0) {
        v @ (Value::Str(_) | Value::Array(_) | Value::Buffer(_)) => {
            crate::vm::ops::to_buffer(v).map_err(error)
        }
        other => Err(bad_arg("to_buffer", 1, &other)),
    }
}

fn sqrt(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let x = match arg(vm, base, argc, 0) {
        Value::Float(f) => f,
        Value::Int(i) => i as f64,
        other => return Err(bad_arg("sqrt", 1, &other)),
    };
    if x < 0.0 {
        return Err(error("sqrt() of a negative number"));
    }
    Ok(Value::Float(x.sqrt()))
}

/// `set_eval_limit(n)`: the evaluation limit in microseconds from now on;
/// 0 asks for the current one.
fn set_eval_limit(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "set_eval_limit")?;
    if n <= 0 {
        return Ok(Value::Int(vm.limits.eval_time.as_micros() as i64));
    }
    vm.limits.eval_time = std::time::Duration::from_micros(n as u64);
    vm.deadline = Some(std::time::Instant::now() + vm.limits.eval_time);
    Ok(Value::Int(0))
}

fn reset_eval_cost(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    vm.deadline = Some(std::time::Instant::now() + vm.limits.eval_time);
    Ok(Value::Int(0))
}

/// Microseconds left before the evaluation limit.
fn eval_cost(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let left = vm.deadline.map_or(vm.limits.eval_time, |d| {
        d.saturating_duration_since(std::time::Instant::now())
    });
    Ok(Value::Int(left.as_micros() as i64))
}

/// The call stack, outermost call first: one mapping per frame with its
/// function, program, object, file and line.
fn dump_trace(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let mut frames = Vec::new();
    for frame in &vm.frames {
        let part = &frame.linked.parts[frame.func.part as usize];
        let function = frame.linked.function(frame.func);
        let at = function.and_then(|f| f.line_at(frame.pc.saturating_sub(1) as usize));
        let file = at
            .and_then(|e| part.program.files.get(e.file as usize).cloned())
            .unwrap_or_else(|| part.program.path.clone());
        let entries = [
            (
                "function",
                Value::str(function.map_or("", |f| f.name.as_str())),
            ),
            ("program", Value::str(part.program.path.clone())),
            ("object", Value::Object(frame.obj)),
            ("file", Value::str(file)),
            ("line", Value::Int(at.map_or(0, |e| e.line as i64))),
        ];
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
