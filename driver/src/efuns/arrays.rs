//! Array and mapping efuns: `allocate`, `allocate_buffer`, `sizeof`, `sort_array`, `filter`,
//! `map`, `member_array`, `keys`, `values`, `map_delete`.

use std::cmp::Ordering;

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::ops;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("allocate", allocate);
    m.insert("allocate_buffer", allocate_buffer);
    m.insert("sizeof", sizeof);
    m.insert("keys", keys);
    m.insert("values", values);
    m.insert("map_delete", map_delete);
    m.insert("member_array", member_array);
    m.insert("sort_array", sort_array);
    m.insert("filter", filter);
    m.insert("filter_array", filter);
    m.insert("map", map);
    m.insert("map_array", map);
}

fn allocate(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "allocate")?;
    if n < 0 || n as usize > vm.limits.array_size {
        return Err(error(format!("allocate(): bad size {n}")));
    }
    let fill = if argc > 1 {
        arg(vm, base, argc, 1)
    } else {
        Value::Int(0)
    };
    Ok(Value::array(vec![fill; n as usize]))
}

/// A buffer of `n` zero bytes.
fn allocate_buffer(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "allocate_buffer")?;
    if n < 0 || n as usize > vm.limits.array_size {
        return Err(error(format!("allocate_buffer(): bad size {n}")));
    }
    Ok(Value::Buffer(std::rc::Rc::new(std::cell::RefCell::new(
        vec![0u8; n as usize],
    ))))
}

fn sizeof(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = match arg(vm, base, argc, 0) {
        Value::Array(a) => a.borrow().len(),
        Value::Class(c) => c.fields.borrow().len(),
        Value::Mapping(m) => m.borrow().len(),
        Value::Str(s) => s.len(),
        Value::Buffer(b) => b.borrow().len(),
        _ => 0,
    };
    Ok(Value::Int(n as i64))
}

fn keys(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Mapping(m) => Ok(Value::array(m.borrow().keys().cloned().collect())),
        other => Err(bad_arg("keys", 0, &other)),
    }
}

fn values(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Mapping(m) => Ok(Value::array(m.borrow().values().cloned().collect())),
        other => Err(bad_arg("values", 0, &other)),
    }
}

fn map_delete(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Mapping(m) => {
            let removed = m.borrow_mut().remove(&arg(vm, base, argc, 1).key());
            drop(removed);
            Ok(Value::Int(0))
        }
        other => Err(bad_arg("map_delete", 0, &other)),
    }
}

fn member_array(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let needle = arg(vm, base, argc, 0);
    let start = int_arg(vm, base, argc, 2, "member_array")?.max(0) as usize;
    match arg(vm, base, argc, 1) {
        Value::Array(a) => {
            let a = a.borrow();
            let found = match needle {
                Value::Int(n) if n != 0 => a
                    .iter()
                    .skip(start)
                    .position(|v| matches!(v, Value::Int(x) if *x == n)),
                _ => a.iter().skip(start).position(|v| *v == needle),
            };
            Ok(Value::Int(found.map_or(-1, |i| (i + start) as i64)))
        }
        Value::Str(s) => {
            let c = needle.as_int().unwrap_or(-1);
            let found = s.text.chars().skip(start).position(|ch| ch as i64 == c);
            Ok(Value::Int(found.map_or(-1, |i| (i + start) as i64)))
        }
        other => Err(bad_arg("member_array", 1, &other)),
    }
}

fn sort_array(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Array(a) = arg(vm, base, argc, 0) else {
        return Err(bad_arg("sort_array", 0, &arg(vm, base, argc, 0)));
    };
    let mut items = a.borrow().clone();
    match arg(vm, base, argc, 1) {
        f @ Value::Function(_) => {
            let extra: Vec<Value> = (2..argc).map(|i| arg(vm, base, argc, i)).collect();
            // A comparator may fail: sort with a fallible merge sort.
            items = merge_sort(items, &mut |x, y| {
                let mut args = vec![x.clone(), y.clone()];
                args.extend(extra.iter().cloned());
                let r = vm.call_value(&f, &args)?;
                Ok(r.as_int().unwrap_or(0) > 0)
            })?;
        }
        Value::Str(name) => {
            let target = arg(vm, base, argc, 2);
            let Value::Object(obj) = target else {
                return Err(error("sort_array(): function name needs an object"));
            };
            items = merge_sort(items, &mut |x, y| {
                let r = vm.apply(obj, &name.text, vec![x.clone(), y.clone()], false)?;
                Ok(r.and_then(|v| v.as_int()).unwrap_or(0) > 0)
            })?;
        }
        direction => {
            let descending = direction.as_int().unwrap_or(1) < 0;
            // Integers alone sort as machine words: no comparison can fail
            // and equal ones cannot be told apart, so an unstable sort is fine.
            let ints: Option<Vec<i64>> = items
                .iter()
                .map(|v| match v {
                    Value::Int(i) => Some(*i),
                    _ => None,
                })
                .collect();
            if let Some(mut ints) = ints {
                ints.sort_unstable();
                if descending {
                    ints.reverse();
                }
                return Ok(Value::array(ints.into_iter().map(Value::Int).collect()));
            }
            let mut failed = None;
            items.sort_by(|x, y| {
                let o = ops::compare(x, y).unwrap_or_else(|e| {
                    failed = Some(e);
                    Ordering::Equal
                });
                if descending { o.reverse() } else { o }
            });
            if let Some(e) = failed {
                return Err(error(format!("sort_array(): {e}")));
            }
        }
    }
    Ok(Value::array(items))
}

/// A stable merge sort whose "greater than" test may fail.
fn merge_sort(
    items: Vec<Value>,
    greater: &mut dyn FnMut(&Value, &Value) -> Result<bool, Unwind>,
) -> Result<Vec<Value>, Unwind> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut right = items;
    let left: Vec<Value> = right.drain(..right.len() / 2).collect();
    let left = merge_sort(left, greater)?;
    let right = merge_sort(right, greater)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    while let (Some(a), Some(b)) = (l.peek(), r.peek()) {
        if greater(a, b)? {
            out.extend(r.next());
        } else {
            out.extend(l.next());
        }
    }
    out.extend(l);
    out.extend(r);
    Ok(out)
}

/// The callable of `filter`/`map`: a function value, or a name in an object.
fn callback(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    efun: &str,
) -> Result<(Value, Vec<Value>), Unwind> {
    match arg(vm, base, argc, 1) {
        f @ Value::Function(_) => Ok((f, (2..argc).map(|i| arg(vm, base, argc, i)).collect())),
        Value::Str(name) => {
            let target = match arg(vm, base, argc, 2) {
                Value::Object(r) => r,
                Value::Str(s) => vm.find_or_load(&s.text)?,
                _ => vm
                    .this_object()
                    .ok_or_else(|| error(format!("{efun}(): no object")))?,
            };
            let extra = (3..argc).map(|i| arg(vm, base, argc, i)).collect();
            let f = vm.make_fn(
                crate::vm::value::FnKind::Efun(call_other_shim),
                vec![Value::Object(target), Value::str(name.text.clone())],
                Vec::new(),
            );
            Ok((f, extra))
        }
        other => Err(bad_arg(efun, 1, &other)),
    }
}

/// `call_other(ob, name, args...)` as a function value, for callbacks given by name.
fn call_other_shim(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Object(r) = arg(vm, base, argc, 0) else {
        return Ok(Value::Int(0));
    };
    let name = str_arg(vm, base, argc, 1, "call_other")?;
    let args = (2..argc).map(|i| arg(vm, base, argc, i)).collect();
    Ok(vm
        .apply(r, &name.text, args, false)?
        .unwrap_or(Value::Int(0)))
}

fn filter(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (f, extra) = callback(vm, base, argc, "filter")?;
    let mut args = Vec::with_capacity(1 + extra.len());
    match arg(vm, base, argc, 0) {
        Value::Array(a) => {
            let items = a.borrow().clone();
            let mut out = Vec::new();
            for item in items {
                args.clear();
                args.push(item.clone());
                args.extend(extra.iter().cloned());
                if vm.call_value(&f, &args)?.truthy() {
                    out.push(item);
                }
            }
            Ok(Value::array(out))
        }
        Value::Mapping(m) => {
            let entries: Vec<(Value, Value)> = m
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let out = ops::new_mapping(0);
            for (k, v) in entries {
                args.clear();
                args.extend([k.clone(), v.clone()]);
                args.extend(extra.iter().cloned());
                if vm.call_value(&f, &args)?.truthy()
                    && let Value::Mapping(o) = &out
                {
                    o.borrow_mut().insert(k, v);
                }
            }
            Ok(out)
        }
        other => Err(bad_arg("filter", 0, &other)),
    }
}

fn map(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (f, extra) = callback(vm, base, argc, "map")?;
    let mut args = Vec::with_capacity(1 + extra.len());
    match arg(vm, base, argc, 0) {
        Value::Array(a) => {
            let items = a.borrow().clone();
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                args.clear();
                args.push(item);
                args.extend(extra.iter().cloned());
                out.push(vm.call_value(&f, &args)?);
            }
            Ok(Value::array(out))
        }
        Value::Mapping(m) => {
            let entries: Vec<(Value, Value)> = m
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let out = ops::new_mapping(entries.len());
            for (k, v) in entries {
                args.clear();
                args.extend([k.clone(), v]);
                args.extend(extra.iter().cloned());
                let r = vm.call_value(&f, &args)?;
                if let Value::Mapping(o) = &out {
                    o.borrow_mut().insert(k, r);
                }
            }
            Ok(out)
        }
        Value::Str(s) => {
            let mut out = String::new();
            for ch in s.text.chars() {
                args.clear();
                args.push(Value::Int(ch as i64));
                args.extend(extra.iter().cloned());
                let r = vm.call_value(&f, &args)?;
                out.extend(char::from_u32(r.as_int().unwrap_or(0) as u32));
            }
            Ok(Value::str(out))
        }
        other => Err(bad_arg("map", 0, &other)),
    }
}
