//! Small efuns the language's own tests lean on: the master object,
//! reference counts, repeating a string and a string's display width.

use rustc_hash::FxHashMap;
use std::rc::Rc;

use super::{bad_arg, int_arg, str_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("master", master);
    m.insert("refs", refs);
    m.insert("repeat_string", repeat_string);
    m.insert("strwidth", strwidth);
    m.insert("replaceable", replaceable);
}

/// `replaceable(ob, ignore)`: 1 when `ob`'s own program defines no
/// function but `create` and those in `ignore`, so `replace_program`
/// could drop it; never for the simul_efun object.
fn replaceable(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = match super::arg(vm, base, argc, 0) {
        Value::Object(r) if vm.objects.alive(r) => r,
        other => return Err(bad_arg("replaceable", 0, &other)),
    };
    let mut ignore: Vec<String> = vec!["create".into(), "__INIT".into()];
    match super::arg(vm, base, argc, 1) {
        Value::Array(names) => ignore.extend(names.borrow().iter().filter_map(|v| match v {
            Value::Str(s) => Some(s.text.clone()),
            _ => None,
        })),
        Value::Undefined => {}
        other => return Err(bad_arg("replaceable", 1, &other)),
    }
    if Some(r) == vm.simul_efun {
        return Ok(Value::Int(0));
    }
    let Some(own) = vm.objects.get(r).and_then(|o| o.linked.parts.first()) else {
        return Ok(Value::Int(0));
    };
    // Closures and the variable initializer are not functions of their own.
    let mut own_functions = own
        .program
        .functions
        .iter()
        .filter(|f| f.flags & lpcc::bytecode::flags::HIDDEN == 0);
    let only_ignored = own_functions.all(|f| ignore.iter().any(|n| n == f.name.as_str()));
    Ok(Value::Int(i64::from(only_ignored)))
}

/// `master()`: the master object, 0 before it is loaded.
fn master(vm: &mut Vm, _base: usize, _argc: usize) -> Result<Value, Unwind> {
    Ok(match vm.master {
        Some(r) if vm.objects.alive(r) => Value::Object(r),
        _ => Value::Int(0),
    })
}

/// `refs(value)`: how many references the value has, not counting the
/// argument itself; 0 for the values that are not shared.
fn refs(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    // Read in place: a clone would count one reference more.
    let Some(v) = vm.stack.get(base).filter(|_| argc > 0) else {
        return Ok(Value::Int(0));
    };
    let count = match v {
        Value::Str(s) => Rc::strong_count(s),
        Value::Array(a) => Rc::strong_count(a),
        Value::Mapping(m) => Rc::strong_count(m),
        Value::Function(f) => Rc::strong_count(f),
        Value::Buffer(b) => Rc::strong_count(b),
        Value::Class(c) => Rc::strong_count(c),
        Value::Object(_) => {
            return Err(error(
                "refs(): this driver does not count references to objects",
            ));
        }
        _ => 1,
    };
    Ok(Value::Int(count as i64 - 1))
}

/// `repeat_string(s, n)`: `s` `n` times, cut to the whole copies that fit
/// the maximum string length.
fn repeat_string(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "repeat_string")?;
    let n = int_arg(vm, base, argc, 1, "repeat_string")?;
    let len = s.text.len();
    if n <= 0 || len == 0 {
        return Ok(Value::str(""));
    }
    if n == 1 {
        return Ok(Value::Str(s));
    }
    let n = (n as u64).min((vm.limits.string_length / len) as u64) as usize;
    Ok(Value::str(s.text.repeat(n)))
}

/// `strwidth(s)`: the columns `s` takes on a terminal (East Asian wide
/// characters and emoji take two, control characters none).
fn strwidth(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = match super::arg(vm, base, argc, 0) {
        Value::Str(s) => s,
        other => return Err(bad_arg("strwidth", 0, &other)),
    };
    Ok(Value::Int(display_width(&s.text) as i64))
}

/// Display width by UAX #11, counting each grapheme cluster once so an
/// emoji with modifiers is as wide as its base.
pub fn display_width(text: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    use unicode_width::UnicodeWidthStr;
    if text.is_ascii() {
        return text.bytes().filter(|b| !b.is_ascii_control()).count();
    }
    text.graphemes(true)
        .filter(|g| !g.starts_with(char::is_control))
        .map(|g| g.width().min(2))
        .sum()
}
