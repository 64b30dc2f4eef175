//! The efuns this driver implements, bound by name to the signatures in
//! `efun-specs`. Each reads its arguments from the VM stack and returns a
//! value or an error; grouped by kind in the files of this module.

pub mod arrays;
pub mod async_io;
pub mod charsets;
pub mod commands;
pub mod compress;
pub mod core;
pub mod crypto;
pub mod db;
pub mod develop;
pub mod ed;
pub mod external;
pub mod files;
pub mod graphql;
pub mod grpc;
pub mod http;
pub mod interactive;
pub mod inventory;
pub mod json;
pub mod lifecycle;
pub mod math;
pub mod misc;
pub mod mqtt;
pub mod objects;
pub mod parse_command;
pub mod parser;
pub mod pcre;
pub mod regex;
pub mod save;
pub mod sockets;
pub mod sprintf;
pub mod strings;
pub mod time;
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
    sprintf::register(&mut m);
    regex::register(&mut m);
    pcre::register(&mut m);
    arrays::register(&mut m);
    files::register(&mut m);
    save::register(&mut m);
    compress::register(&mut m);
    objects::register(&mut m);
    inventory::register(&mut m);
    parse_command::register(&mut m);
    math::register(&mut m);
    time::register(&mut m);
    crypto::register(&mut m);
    json::register(&mut m);
    db::register(&mut m);
    timers::register(&mut m);
    interactive::register(&mut m);
    commands::register(&mut m);
    sockets::register(&mut m);
    parser::register(&mut m);
    lifecycle::register(&mut m);
    ed::register(&mut m);
    http::register(&mut m);
    graphql::register(&mut m);
    grpc::register(&mut m);
    websocket::register(&mut m);
    misc::register(&mut m);
    develop::register(&mut m);
    mqtt::register(&mut m);
    async_io::register(&mut m);
    external::register(&mut m);
    // Test-only hook (SECURITY.md): the efun named here panics, so the
    // tests can see a panicking efun end as an LPC error.
    if let Ok(name) = std::env::var("LPC_DRIVER_TEST_PANIC_EFUN")
        && let Some(efun) = m.get_mut(name.as_str())
    {
        *efun = |_, _, _| panic!("injected by LPC_DRIVER_TEST_PANIC_EFUN");
    }
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
