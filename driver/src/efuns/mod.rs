//! The efuns this driver implements, bound by name to the signatures in
//! `efun-specs`. Each reads its arguments from the VM stack and returns a
//! value or an error; grouped by kind in the files of this module.

pub mod arrays;
pub mod commands;
pub mod core;
pub mod graphql;
pub mod grpc;
pub mod http;
pub mod interactive;
pub mod mqtt;
pub mod strings;
pub mod timers;
pub mod websocket;

use rustc_hash::FxHashMap;

use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

/// Every implemented efun by name.
pub fn registry() -> FxHashMap<&'static str, Efun> {
    let mut m: FxHashMap<&'static str, Efun> = FxHashMap::default();
    core::register(&mut m);
    strings::register(&mut m);
    arrays::register(&mut m);
    timers::register(&mut m);
    interactive::register(&mut m);
    commands::register(&mut m);
    http::register(&mut m);
    graphql::register(&mut m);
    grpc::register(&mut m);
    websocket::register(&mut m);
    mqtt::register(&mut m);
    m
}

/// Argument `i` of an efun call (0 when not given).
pub fn arg(vm: &Vm, base: usize, argc: usize, i: usize) -> Value {
    if i < argc {
        vm.stack.get(base + i).cloned().unwrap_or_default()
    } else {
        Value::Undefined
    }
}

pub fn int_arg(vm: &Vm, base: usize, argc: usize, i: usize, efun: &str) -> Result<i64, Unwind> {
    match arg(vm, base, argc, i) {
        Value::Int(n) => Ok(n),
        Value::Undefined => Ok(0),
        other => Err(bad_arg(efun, i, &other)),
    }
}

pub fn str_arg(
    vm: &Vm,
    base: usize,
    argc: usize,
    i: usize,
    efun: &str,
) -> Result<std::rc::Rc<crate::vm::value::LStr>, Unwind> {
    match arg(vm, base, argc, i) {
        Value::Str(s) => Ok(s),
        other => Err(bad_arg(efun, i, &other)),
    }
}

pub fn bad_arg(efun: &str, i: usize, v: &Value) -> Unwind {
    error(format!(
        "Bad argument {} to {efun}(): {}",
        i + 1,
        v.type_name()
    ))
}
