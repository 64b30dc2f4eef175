//! The line editor's efuns: `ed_start()`, `ed_cmd()` and `query_ed_mode()`
//! drive a session owned by the calling object; `ed()` opens one on the
//! current user's connection; `in_edit()` tells who is editing what.

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::ed::{Callbacks, StartConfig};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("ed_start", ed_start);
    m.insert("ed_cmd", ed_cmd);
    m.insert("query_ed_mode", query_ed_mode);
    m.insert("ed", ed);
    m.insert("in_edit", in_edit);
}

/// The running object, which must still exist.
fn editor(vm: &Vm) -> Result<ObjRef, Unwind> {
    vm.this_object()
        .filter(|&r| vm.objects.alive(r))
        .ok_or_else(|| error("destructed objects can't use ed."))
}

/// `ed_start(file, restricted, scroll_lines)`. With exactly two
/// arguments, a second argument of 1 means restricted and any other
/// value is the scroll size.
fn ed_start(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let file = match arg(vm, base, argc, 0) {
        Value::Str(s) => Some(s.text.to_string()),
        Value::Undefined | Value::Int(0) => None,
        other => return Err(bad_arg("ed_start", 0, &other)),
    };
    let mut config = StartConfig::default();
    match argc {
        2 => {
            let n = int_arg(vm, base, argc, 1, "ed_start")?;
            if n == 1 {
                config.restricted = true;
            } else {
                config.scroll_lines = n.max(0) as usize;
            }
        }
        3.. => {
            config.restricted = int_arg(vm, base, argc, 1, "ed_start")? != 0;
            config.scroll_lines = int_arg(vm, base, argc, 2, "ed_start")?.max(0) as usize;
        }
        _ => {}
    }
    let ob = editor(vm)?;
    if vm.ed.contains(ob) {
        return Err(error(
            "ed_start() called while an ed session is already started.",
        ));
    }
    let out = crate::ed::start_object_session(vm, ob, file.as_deref(), config)?;
    Ok(Value::str(out))
}

fn ed_cmd(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let line = str_arg(vm, base, argc, 0, "ed_cmd")?;
    let ob = editor(vm)?;
    let out = crate::ed::object_command(vm, ob, &line.text)?;
    Ok(Value::str(out))
}

fn query_ed_mode(vm: &mut Vm, _base: usize, _argc: usize) -> Result<Value, Unwind> {
    let mode = vm.this_object().map_or(-1, |ob| vm.ed.mode(ob));
    Ok(Value::Int(mode))
}

fn in_edit(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let ob = match arg(vm, base, argc, 0) {
        Value::Object(r) => r,
        Value::Undefined if argc == 0 => match vm.this_object() {
            Some(r) => r,
            None => return Ok(Value::Int(0)),
        },
        other => return Err(bad_arg("in_edit", 0, &other)),
    };
    Ok(vm.ed.file_name(ob).map_or(Value::Int(0), Value::str))
}

/// Whether `ob` has a connection.
fn is_interactive(vm: &Vm, ob: ObjRef) -> bool {
    vm.backend.net.of(ob).is_some()
}

/// `ed(file, ...)` on the current user's connection. The forms are
/// `ed(file)`, `ed(file, exit_fn | scroll_lines)`, `ed(file, exit_fn,
/// restricted | scroll_lines)`, `ed(file, write_fn, exit_fn)`,
/// `ed(file, write_fn, exit_fn, restricted | scroll_lines)` and
/// `ed(file, write_fn, exit_fn, restricted, scroll_lines)`; a lone number
/// of 1 after the functions means restricted. Users who are not wizards
/// always get a restricted session. Without a user with a connection it
/// does nothing.
fn ed(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let args: Vec<Value> = (0..argc).map(|i| arg(vm, base, argc, i)).collect();
    let text = |i: usize| -> Result<String, Unwind> {
        match args.get(i) {
            Some(Value::Str(s)) => Ok(s.text.to_string()),
            Some(other) => Err(bad_arg("ed", i, other)),
            None => Err(bad_arg("ed", i, &Value::Undefined)),
        }
    };
    let number = |i: usize| -> Result<i64, Unwind> {
        match args.get(i) {
            Some(Value::Int(n)) => Ok(*n),
            Some(other) => Err(bad_arg("ed", i, other)),
            None => Ok(0),
        }
    };
    let mut config = StartConfig {
        scroll_lines: 22,
        ..StartConfig::default()
    };
    let mut write_fn = None;
    let mut exit_fn = None;
    let restricted_or_scroll = |n: i64, config: &mut StartConfig| {
        if n == 1 {
            config.restricted = true;
        } else if n > 0 {
            config.scroll_lines = n as usize;
        }
    };
    let file = if argc == 0 { None } else { Some(text(0)?) };
    match argc {
        0 | 1 => {}
        2 => match &args[1] {
            Value::Str(s) => exit_fn = Some(s.text.to_string()),
            Value::Int(n) => restricted_or_scroll(*n, &mut config),
            other => return Err(bad_arg("ed", 1, other)),
        },
        3 => match &args[2] {
            Value::Int(n) => {
                exit_fn = Some(text(1)?);
                restricted_or_scroll(*n, &mut config);
            }
            Value::Str(s) => {
                write_fn = Some(text(1)?);
                exit_fn = Some(s.text.to_string());
            }
            other => return Err(bad_arg("ed", 2, other)),
        },
        4 => {
            write_fn = Some(text(1)?);
            exit_fn = Some(text(2)?);
            restricted_or_scroll(number(3)?, &mut config);
        }
        _ => {
            write_fn = Some(text(1)?);
            exit_fn = Some(text(2)?);
            config.restricted = number(3)? != 0;
            let scroll = number(4)?;
            if scroll > 0 {
                config.scroll_lines = scroll as usize;
            }
        }
    }
    let Some(user) = vm.command_giver.filter(|&u| vm.objects.alive(u)) else {
        return Ok(Value::Int(0));
    };
    if !is_interactive(vm, user) {
        return Ok(Value::Int(0));
    }
    if vm.ed.contains(user) {
        return Err(error("Tried to start an ed session, when already active."));
    }
    // As in a default FluffOS build, only wizards edit freely, unless the
    // build has no wizards at all.
    let no_wizards = vm
        .compiler
        .check
        .compile_options
        .as_ref()
        .is_some_and(|o| o.iter().any(|s| s == "NO_WIZARDS"));
    if !no_wizards && !vm.objext.ext(user).is_some_and(|e| e.wizard) {
        config.restricted = true;
    }
    let callbacks = Callbacks {
        object: vm.this_object(),
        write_fn,
        exit_fn,
    };
    crate::ed::start_interactive(vm, user, file.as_deref(), config, callbacks)?;
    Ok(Value::Int(0))
}
