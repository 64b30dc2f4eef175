//! Array, mapping and class efuns: `allocate`, `allocate_mapping`,
//! `sizeof`, `keys`, `values`, `map_delete`, `match_path`, `member_array`,
//! `sort_array`, `filter`, `map`, `unique_array`, `unique_mapping`, `copy`,
//! `element_of`, `shuffle`, `min`, `max`, `num_classes`, the class
//! helpers, `refs` and the reference loop efuns.

use std::cmp::Ordering;
use std::rc::Rc;

use rustc_hash::FxHashMap;
use unicode_segmentation::UnicodeSegmentation;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::value::{ClassObj, FnKind, FnPtr, Value};
use crate::vm::{Efun, Origin, Unwind, Vm, error, ops};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("allocate", allocate);
    m.insert("allocate_buffer", allocate_buffer);
    m.insert("allocate_mapping", allocate_mapping);
    m.insert("sizeof", sizeof);
    m.insert("keys", keys);
    m.insert("values", values);
    m.insert("map_delete", map_delete);
    m.insert("match_path", match_path);
    m.insert("member_array", member_array);
    m.insert("sort_array", sort_array);
    m.insert("filter", filter);
    m.insert("filter_array", filter);
    m.insert("filter_mapping", filter);
    m.insert("map", map);
    m.insert("map_array", map);
    m.insert("map_mapping", map);
    m.insert("unique_array", unique_array);
    m.insert("unique_mapping", unique_mapping);
    m.insert("copy", copy);
    m.insert("element_of", element_of);
    m.insert("shuffle", shuffle);
    m.insert("max", |vm, b, n| {
        extreme(vm, b, n, "max", Ordering::Greater)
    });
    m.insert("min", |vm, b, n| extreme(vm, b, n, "min", Ordering::Less));
    m.insert("assemble_class", assemble_class);
    m.insert("disassemble_class", disassemble_class);
    m.insert("fetch_class_member", fetch_class_member);
    m.insert("store_class_member", store_class_member);
    m.insert("num_classes", num_classes);
    m.insert("has_cycle", has_cycle);
    m.insert("refs", refs);
    m.insert("find_cycles", find_cycles);
    m.insert("break_cycles", break_cycles);
}

/// An array size argument, checked against the array limit.
fn array_size(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<usize, Unwind> {
    let n = int_arg(vm, base, argc, 0, efun)?;
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= vm.limits.array_size)
        .ok_or_else(|| error(format!("{efun}(): Illegal array size {n}.")))
}

/// `allocate(n, fill)`: `n` zeros, or `n` times `fill`, or when `fill` is a
/// function, `fill(i)` for each index `i`.
fn allocate(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = array_size(vm, base, argc, "allocate")?;
    let fill = if argc > 1 {
        arg(vm, base, argc, 1)
    } else {
        Value::Int(0)
    };
    if let Value::Function(_) = fill {
        let mut items = Vec::with_capacity(n);
        for i in 0..n {
            items.push(vm.call_value(&fill, &[Value::Int(i as i64)])?);
        }
        return Ok(Value::array(items));
    }
    Ok(Value::array(vec![fill; n]))
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

/// Inserts into a fresh mapping, minding the mapping size limit.
fn insert(vm: &Vm, m: &Value, k: Value, v: Value) -> Result<(), Unwind> {
    let Value::Mapping(map) = m else {
        return Ok(());
    };
    let mut map = map.borrow_mut();
    let key = k.key();
    if map.len() >= vm.limits.mapping_size && !map.contains_key(&key) {
        return Err(error("Mapping too large"));
    }
    map.insert(key, v);
    Ok(())
}

/// `allocate_mapping(n)`: an empty mapping with room for `n`;
/// `allocate_mapping(keys, values)`: the keys paired with an array of
/// values, one value for all, or what a function returns for each key.
fn allocate_mapping(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let first = arg(vm, base, argc, 0);
    if argc < 2 {
        return match first {
            Value::Int(n) => Ok(ops::new_mapping(
                usize::try_from(n).unwrap_or(0).min(vm.limits.mapping_size),
            )),
            Value::Undefined => Ok(ops::new_mapping(0)),
            _ => Err(error("Bad argument 1 to allocate_mapping()")),
        };
    }
    let Value::Array(keys) = first else {
        return Err(error("Bad argument 1 to allocate_mapping()"));
    };
    let keys = keys.borrow().clone();
    let out = ops::new_mapping(keys.len());
    match arg(vm, base, argc, 1) {
        Value::Array(values) => {
            let values = values.borrow().clone();
            if values.len() != keys.len() {
                return Err(error(
                    "Arrays passed to allocate_mapping() must be the same size",
                ));
            }
            for (k, v) in keys.into_iter().zip(values) {
                insert(vm, &out, k, v)?;
            }
        }
        f @ Value::Function(_) => {
            for k in keys {
                let v = vm.call_value(&f, std::slice::from_ref(&k))?;
                insert(vm, &out, k, v)?;
            }
        }
        v => {
            for k in keys {
                insert(vm, &out, k, v.clone())?;
            }
        }
    }
    Ok(out)
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
            let removed = {
                let mut map = m.borrow_mut();
                let removed = map.remove(&arg(vm, base, argc, 1).key());
                crate::vm::value::shrink_after_removal(&mut map);
                removed
            };
            drop(removed);
            Ok(Value::Int(0))
        }
        other => Err(bad_arg("map_delete", 0, &other)),
    }
}

/// `match_path(m, path)`: the value of the longest leading part of `path`
/// that is a key of `m`. The parts tried end just before each `/` and at
/// the end; runs of `/` count as one, and a directory part keeps its `/`
/// (`"/a/b"` tries `"/"`, `"/a/"`, `"/a/b"`). Undefined when none matches.
fn match_path(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Mapping(m) = arg(vm, base, argc, 0) else {
        return Err(bad_arg("match_path", 0, &arg(vm, base, argc, 0)));
    };
    let path = str_arg(vm, base, argc, 1, "match_path")?;
    let m = m.borrow();
    let bytes = path.text.as_bytes();
    let mut prefix: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut found = Value::Undefined;
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i] != b'/' {
            prefix.push(bytes[i]);
            i += 1;
        }
        if i < bytes.len() {
            while i < bytes.len() && bytes[i] == b'/' {
                i += 1;
            }
            if i < bytes.len() || prefix.is_empty() {
                prefix.push(b'/');
            }
        }
        let key = Value::str(String::from_utf8_lossy(&prefix).into_owned());
        if let Some(v) = m.get(&key) {
            found = v.clone();
        }
    }
    Ok(found)
}

/// Whether an array element is what `member_array` looks for: the same
/// type and value for numbers and strings (a prefix with `prefix`), the
/// same instance otherwise; a destructed object counts as 0.
fn same(vm: &Vm, needle: &Value, item: &Value, prefix: bool) -> bool {
    match (needle, item) {
        (Value::Int(_) | Value::Undefined, Value::Object(r)) if !vm.objects.alive(*r) => {
            needle.as_int() == Some(0)
        }
        (Value::Int(_) | Value::Undefined, Value::Int(_) | Value::Undefined) => {
            needle.as_int() == item.as_int()
        }
        (Value::Float(a), Value::Float(b)) => a == b,
        (Value::Str(a), Value::Str(b)) if prefix => {
            b.text.as_bytes().starts_with(a.text.as_bytes())
        }
        (Value::Str(a), Value::Str(b)) => a.text == b.text,
        (Value::Array(a), Value::Array(b)) => Rc::ptr_eq(a, b),
        (
            Value::Int(_) | Value::Undefined | Value::Float(_) | Value::Str(_) | Value::Array(_),
            _,
        ) => false,
        _ => needle == item,
    }
}

/// `member_array(x, list, start, flags)`: the first index from `start`
/// where `list` holds `x`, or -1. Flags: 1 matches string prefixes, 2
/// searches from the end (`start` then counts from the end), 4 makes a
/// function `x` a test called with each element. In a string, `x` is a
/// character.
fn member_array(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let needle = arg(vm, base, argc, 0);
    let start = int_arg(vm, base, argc, 2, "member_array")?;
    let flags = int_arg(vm, base, argc, 3, "member_array")?;
    let Ok(start) = usize::try_from(start) else {
        return Err(bad_arg("member_array", 2, &Value::Int(start)));
    };
    match arg(vm, base, argc, 1) {
        Value::Array(a) => {
            let predicate = flags & 4 != 0 && matches!(needle, Value::Function(_));
            if !predicate {
                // Nothing runs during the search: look in place, no copy.
                let items = a.borrow();
                let size = items.len();
                // A nonzero integer matches only the same integer: a plain
                // scan, with none of the per-element type dispatch.
                if let Value::Int(n) = needle
                    && n != 0
                    && flags & 2 == 0
                {
                    let found = items.get(start..).and_then(|rest| {
                        rest.iter()
                            .position(|v| matches!(v, Value::Int(x) if *x == n))
                    });
                    return Ok(Value::Int(found.map_or(-1, |at| (start + at) as i64)));
                }
                let found = (start..size)
                    .map(|i| if flags & 2 != 0 { size - i - 1 } else { i })
                    .find(|&at| same(vm, &needle, &items[at], flags & 1 != 0));
                return Ok(Value::Int(found.map_or(-1, |at| at as i64)));
            }
            // A predicate may change the array: search a snapshot.
            let items = a.borrow().clone();
            let size = items.len();
            for i in start..size {
                let at = if flags & 2 != 0 { size - i - 1 } else { i };
                let item = &items[at];
                let hit = if predicate {
                    vm.call_value(&needle, std::slice::from_ref(item))?.truthy()
                } else {
                    same(vm, &needle, item, flags & 1 != 0)
                };
                if hit {
                    return Ok(Value::Int(at as i64));
                }
            }
            Ok(Value::Int(-1))
        }
        Value::Str(s) => {
            if flags & 2 != 0 {
                return Err(error("member_array: can not search backwards in strings"));
            }
            let Some(c) = needle.as_int() else {
                return Err(bad_arg("member_array", 0, &needle));
            };
            if start > s.len() {
                return Err(error(
                    "Index to start search from in member_array() is > string length.",
                ));
            }
            let found = s
                .text
                .graphemes(true)
                .skip(start)
                .position(|g| g.chars().next().map(|ch| ch as i64) == Some(c));
            Ok(Value::Int(found.map_or(-1, |i| (i + start) as i64)))
        }
        other => Err(bad_arg("member_array", 1, &other)),
    }
}

/// What an efun calls back: a function value (a function named in an
/// object becomes one), with the extra arguments passed after the efun's
/// own.
struct Callback {
    f: Value,
    extra: Vec<Value>,
}

impl Callback {
    /// The callback at argument `at`: a function with its extra arguments
    /// after it, or a name followed by the object (this object when left
    /// out; a file name finds or loads it) and then the extra arguments.
    fn from_args(
        vm: &mut Vm,
        base: usize,
        argc: usize,
        at: usize,
        efun: &str,
    ) -> Result<Callback, Unwind> {
        let rest = |vm: &Vm, from: usize| (from..argc).map(|i| arg(vm, base, argc, i)).collect();
        match arg(vm, base, argc, at) {
            f @ Value::Function(_) => Ok(Callback {
                f,
                extra: rest(vm, at + 1),
            }),
            Value::Str(name) => {
                let obj = match arg(vm, base, argc, at + 1) {
                    _ if argc <= at + 1 => vm.this_object(),
                    Value::Object(r) if vm.objects.alive(r) => Some(r),
                    Value::Str(s) => Some(vm.find_or_load(&s.text)?),
                    _ => None,
                };
                let Some(obj) = obj else {
                    return Err(bad_arg(efun, at + 1, &arg(vm, base, argc, at + 1)));
                };
                let f = vm.make_fn(
                    crate::vm::value::FnKind::Efun(call_named),
                    vec![Value::Object(obj), Value::Str(name)],
                    Vec::new(),
                );
                Ok(Callback {
                    f,
                    extra: rest(vm, at + 2),
                })
            }
            other => Err(bad_arg(efun, at, &other)),
        }
    }

    /// Calls with `args` then the extra arguments.
    fn call(&self, vm: &mut Vm, args: &[Value]) -> Result<Value, Unwind> {
        if self.extra.is_empty() {
            return vm.call_value(&self.f, args);
        }
        let all: Vec<Value> = args.iter().chain(&self.extra).cloned().collect();
        vm.call_value(&self.f, &all)
    }
}

/// `(object, name, args...)`: calls the named function of a callback given
/// by name; a function the object lacks answers undefined.
fn call_named(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Object(obj) = arg(vm, base, argc, 0) else {
        return Ok(Value::Undefined);
    };
    if !vm.objects.alive(obj) {
        return Err(error("Object destructed during efun callback."));
    }
    let name = str_arg(vm, base, argc, 1, "call_other")?;
    let args = (2..argc).map(|i| arg(vm, base, argc, i)).collect();
    Ok(vm
        .apply_from(Origin::Efun, obj, &name.text, args, false)?
        .unwrap_or(Value::Undefined))
}

/// `sort_array(list, how, extra...)`: a sorted copy. `how` is 1 (or any
/// non-negative number) for ascending, -1 for descending order of
/// like-typed strings, numbers or arrays (by their first elements); or a
/// comparator (function or name, as `filter` takes one) answering
/// negative, zero or positive. Equal elements keep their order.
fn sort_array(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Array(a) = arg(vm, base, argc, 0) else {
        return Err(bad_arg("sort_array", 0, &arg(vm, base, argc, 0)));
    };
    let mut items = a.borrow().clone();
    let how = arg(vm, base, argc, 1);
    if let Value::Function(_) | Value::Str(_) = how {
        let cb = Callback::from_args(vm, base, argc, 1, "sort_array")?;
        let sorted = merge_sort(items, &mut |x, y| {
            let r = cb.call(vm, &[x.clone(), y.clone()])?;
            Ok(matches!(r, Value::Int(n) if n > 0))
        })?;
        return Ok(Value::array(sorted));
    }
    let descending = how.as_int().unwrap_or(1) < 0;
    // Integers alone sort as machine words: equal ones cannot be told
    // apart, so an unstable sort is fine.
    let ints: Option<Vec<i64>> = items
        .iter()
        .map(|v| match v {
            Value::Int(i) => Some(*i),
            Value::Undefined => Some(0),
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
        let o = builtin_order(x, y).unwrap_or_else(|e| {
            failed.get_or_insert(e);
            Ordering::Equal
        });
        if descending { o.reverse() } else { o }
    });
    match failed {
        Some(e) => Err(error(e)),
        None => Ok(Value::array(items)),
    }
}

/// The built-in order of `sort_array`: strings, ints and floats among
/// their own kind; arrays by their first elements.
fn builtin_order(x: &Value, y: &Value) -> Result<Ordering, String> {
    fn scalar(x: &Value, y: &Value) -> Option<Ordering> {
        match (x, y) {
            (Value::Str(a), Value::Str(b)) => Some(a.text.as_bytes().cmp(b.text.as_bytes())),
            (Value::Int(_) | Value::Undefined, Value::Int(_) | Value::Undefined) => {
                Some(x.as_int().cmp(&y.as_int()))
            }
            (Value::Float(a), Value::Float(b)) => {
                Some(a.get().partial_cmp(&b.get()).unwrap_or(Ordering::Equal))
            }
            _ => None,
        }
    }
    if let Some(o) = scalar(x, y) {
        return Ok(o);
    }
    if let (Value::Array(a), Value::Array(b)) = (x, y) {
        let (a, b) = (a.borrow(), b.borrow());
        let (Some(p), Some(q)) = (a.first(), b.first()) else {
            return Err("Illegal to have empty array in array for sort_array()".into());
        };
        return scalar(p, q).ok_or_else(|| {
            "sort_array() cannot handle arrays of arrays whose 1st elems aren't strings/ints/floats"
                .into()
        });
    }
    Err(
        "built-in sort_array() can only handle homogeneous arrays of strings/ints/floats/arrays"
            .into(),
    )
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

/// A mapping's entries, copied so callbacks may change the mapping.
fn entries(m: &crate::vm::value::Mapping) -> Vec<(Value, Value)> {
    m.borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `filter(x, f, extra...)`: the elements of an array, the entries of a
/// mapping (`f(key, value)`) or the characters of a string for which `f`
/// answers true.
fn filter(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let cb = Callback::from_args(vm, base, argc, 1, "filter")?;
    let keep =
        |vm: &mut Vm, args: &[Value]| -> Result<bool, Unwind> { Ok(cb.call(vm, args)?.truthy()) };
    match arg(vm, base, argc, 0) {
        Value::Array(a) => {
            let items = a.borrow().clone();
            let mut out = Vec::new();
            for item in items {
                if keep(vm, std::slice::from_ref(&item))? {
                    out.push(item);
                }
            }
            Ok(Value::array(out))
        }
        Value::Mapping(m) => {
            let out = ops::new_mapping(0);
            for (k, v) in entries(&m) {
                if keep(vm, &[k.clone(), v.clone()])? {
                    insert(vm, &out, k, v)?;
                }
            }
            Ok(out)
        }
        Value::Str(s) => {
            let mut out = String::new();
            for g in s.text.graphemes(true) {
                let c = g.chars().next().map_or(0, |c| c as i64);
                if keep(vm, &[Value::Int(c)])? {
                    out.push_str(g);
                }
            }
            Ok(Value::str(out))
        }
        other => Err(bad_arg("filter", 0, &other)),
    }
}

/// `map(x, f, extra...)`: `f` of each array element; a mapping with each
/// value replaced by `f(key, value)`; or a string with each character
/// replaced by `f(char)` (a result that is not a nonzero int leaves the
/// character as it was).
fn map(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let cb = Callback::from_args(vm, base, argc, 1, "map")?;
    match arg(vm, base, argc, 0) {
        Value::Array(a) => {
            let items = a.borrow().clone();
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(cb.call(vm, std::slice::from_ref(&item))?.key());
            }
            Ok(Value::array(out))
        }
        Value::Mapping(m) => {
            let pairs = entries(&m);
            let out = ops::new_mapping(pairs.len());
            for (k, v) in pairs {
                let r = cb.call(vm, &[k.clone(), v])?.key();
                insert(vm, &out, k, r)?;
            }
            Ok(out)
        }
        Value::Str(s) => {
            let mut out = String::with_capacity(s.text.len());
            for g in s.text.graphemes(true) {
                let c = g.chars().next().map_or(0, |c| c as i64);
                match cb.call(vm, &[Value::Int(c)])? {
                    Value::Int(n) if n != 0 => {
                        let ch = u32::try_from(n).ok().and_then(char::from_u32);
                        match ch {
                            Some(ch) => out.push(ch),
                            None => out.push_str(g),
                        }
                    }
                    _ => out.push_str(g),
                }
            }
            Ok(Value::str(out))
        }
        other => Err(bad_arg("map", 0, &other)),
    }
}

/// `unique_array(list, f, skip)`: the elements grouped by `f(element)` (a
/// function, or the name of a function called in each object element),
/// groups in order of first appearance, elements in their order. Elements
/// whose value equals `skip` (default 0), or that give no value, are left
/// out.
fn unique_array(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Array(a) = arg(vm, base, argc, 0) else {
        return Err(bad_arg("unique_array", 0, &arg(vm, base, argc, 0)));
    };
    let items = a.borrow().clone();
    let how = arg(vm, base, argc, 1);
    let skip = if argc > 2 {
        arg(vm, base, argc, 2)
    } else {
        Value::Int(0)
    };
    let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
    let mut index: FxHashMap<Value, usize> = FxHashMap::default();
    for item in items {
        let mark = match (&how, &item) {
            (Value::Function(_), _) => Some(vm.call_value(&how, std::slice::from_ref(&item))?),
            (Value::Str(name), Value::Object(r)) => vm.apply(*r, &name.text, Vec::new(), false)?,
            (Value::Str(_), _) => None,
            (other, _) => return Err(bad_arg("unique_array", 1, other)),
        };
        let Some(mark) = mark else { continue };
        if mark == skip {
            continue;
        }
        let key = mark.key();
        match index.get(&key) {
            Some(&g) => groups[g].1.push(item),
            None => {
                index.insert(key.clone(), groups.len());
                groups.push((key, vec![item]));
            }
        }
    }
    Ok(Value::array(
        groups.into_iter().map(|(_, g)| Value::array(g)).collect(),
    ))
}

/// `unique_mapping(list, f, extra...)`: a mapping from each value of
/// `f(element)` to the elements giving it, last element first; a missing
/// named function gives 0.
fn unique_mapping(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Array(a) = arg(vm, base, argc, 0) else {
        return Err(bad_arg("unique_mapping", 0, &arg(vm, base, argc, 0)));
    };
    let items = a.borrow().clone();
    let out = ops::new_mapping(0);
    if items.is_empty() {
        return Ok(out);
    }
    let cb = Callback::from_args(vm, base, argc, 1, "unique_mapping")?;
    let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
    let mut index: FxHashMap<Value, usize> = FxHashMap::default();
    for item in items.into_iter().rev() {
        let key = cb.call(vm, std::slice::from_ref(&item))?.key();
        match index.get(&key) {
            Some(&g) => groups[g].1.push(item),
            None => {
                index.insert(key.clone(), groups.len());
                groups.push((key, vec![item]));
            }
        }
    }
    for (k, g) in groups {
        insert(vm, &out, k, Value::array(g))?;
    }
    Ok(out)
}

/// `copy(x)`: a deep copy of arrays, mappings, classes and buffers; a
/// container met twice is copied twice. Nesting deeper than
/// [`MAX_COPY_DEPTH`] is an error, which also stops a reference loop.
fn copy(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    deep_copy(&arg(vm, base, argc, 0), 0)
}

/// How deeply `copy` follows containers inside containers.
const MAX_COPY_DEPTH: usize = 100;

/// The address of a container, to recognize it when met again.
fn container_id(v: &Value) -> Option<usize> {
    match v {
        Value::Array(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
        Value::Mapping(m) => Some(Rc::as_ptr(m) as *const u8 as usize),
        Value::Class(c) => Some(Rc::as_ptr(c) as *const u8 as usize),
        _ => None,
    }
}

fn deep_copy(v: &Value, depth: usize) -> Result<Value, Unwind> {
    if container_id(v).is_some() && depth >= MAX_COPY_DEPTH {
        return Err(error(format!(
            "Mappings, arrays and/or classes nested too deep ({MAX_COPY_DEPTH}) for copy() -- \
             possibly a reference loop; see has_cycle()"
        )));
    }
    Ok(match v {
        Value::Array(a) => {
            let items = a.borrow().clone();
            let mut out = Vec::with_capacity(items.len());
            for x in &items {
                out.push(deep_copy(x, depth + 1)?);
            }
            Value::array(out)
        }
        Value::Mapping(m) => {
            let pairs = entries(m);
            let out = ops::new_mapping(pairs.len());
            if let Value::Mapping(n) = &out {
                for (k, x) in pairs {
                    let x = deep_copy(&x, depth + 1)?;
                    n.borrow_mut().insert(k, x);
                }
            }
            out
        }
        Value::Class(c) => {
            let fields = c.fields.borrow().clone();
            let mut out = Vec::with_capacity(fields.len());
            for x in &fields {
                out.push(deep_copy(x, depth + 1)?);
            }
            Value::Class(Rc::new(ClassObj {
                members: c.members.clone(),
                fields: std::cell::RefCell::new(out),
            }))
        }
        Value::Buffer(b) => Value::Buffer(Rc::new(std::cell::RefCell::new(b.borrow().clone()))),
        other => other.clone(),
    })
}

/// A slot of a container that holds a reference: where a loop may close.
#[derive(Clone)]
enum Slot {
    Item(Rc<crate::vm::value::Array>, usize),
    Field(Rc<ClassObj>, usize),
    MapKey(Rc<crate::vm::value::Mapping>, Value),
    MapValue(Rc<crate::vm::value::Mapping>, Value),
    /// Bound argument or captured value `index` of the function held in
    /// `holder` (`None`: the value walked from). Function values cannot
    /// change, so writing here puts a changed copy of the function in
    /// its holder.
    Bound {
        holder: Option<Box<Slot>>,
        index: usize,
    },
}

impl Slot {
    /// What the slot holds now; `None` for a mapping key or a slot gone.
    fn current(&self) -> Option<Value> {
        match self {
            Slot::Item(a, i) => a.borrow().get(*i).cloned(),
            Slot::Field(c, i) => c.fields.borrow().get(*i).cloned(),
            Slot::MapValue(m, k) => m.borrow().get(k).cloned(),
            Slot::MapKey(..) => None,
            Slot::Bound { holder, index } => {
                let Value::Function(f) = holder.as_ref()?.current()? else {
                    return None;
                };
                f.bound.iter().chain(&f.captures).nth(*index).cloned()
            }
        }
    }

    /// Puts `value` in the slot; false when it cannot hold one.
    fn store(&self, value: Value) -> bool {
        let old = match self {
            Slot::Item(a, i) => a
                .borrow_mut()
                .get_mut(*i)
                .map(|x| std::mem::replace(x, value)),
            Slot::Field(c, i) => c
                .fields
                .borrow_mut()
                .get_mut(*i)
                .map(|x| std::mem::replace(x, value)),
            Slot::MapValue(m, k) => m
                .borrow_mut()
                .get_mut(k)
                .map(|x| std::mem::replace(x, value)),
            Slot::MapKey(..) => None,
            Slot::Bound { holder, index } => {
                let Some(holder) = holder else { return false };
                let Some(Value::Function(f)) = holder.current() else {
                    return false;
                };
                let mut bound = f.bound.clone();
                let mut captures = f.captures.clone();
                let at = match bound.get_mut(*index) {
                    Some(x) => Some(x),
                    None => captures.get_mut(index - f.bound.len()),
                };
                let Some(at) = at else { return false };
                *at = value;
                let changed = FnPtr {
                    owner: f.owner,
                    kind: match &f.kind {
                        FnKind::Local(r) => FnKind::Local(*r),
                        FnKind::Efun(e) => FnKind::Efun(*e),
                        FnKind::Simul(n) => FnKind::Simul(n.clone()),
                    },
                    bound,
                    captures,
                    owner_version: f.owner_version,
                };
                return holder.store(Value::Function(Rc::new(changed)));
            }
        };
        // Dropped after the borrow ends: freeing it may reach this container.
        let stored = old.is_some();
        drop(old);
        stored
    }
}

/// One open container of the walk: its outgoing edges, the next to follow,
/// and the slot it was reached through.
struct Frame {
    id: usize,
    edges: Vec<(String, Value, Slot)>,
    next: usize,
    incoming: Option<Slot>,
}

/// The label of a mapping key in a loop path.
fn key_label(vm: &Vm, key: &Value) -> String {
    match key {
        Value::Int(n) => n.to_string(),
        Value::Undefined => "0".into(),
        // The shortest text that reads back as the same float, like `%g`.
        Value::Float(f) => f.get().to_string(),
        Value::Str(s) => {
            let mut end = s.text.len().min(32);
            while !s.text.is_char_boundary(end) {
                end -= 1;
            }
            format!("\"{}\"", &s.text[..end])
        }
        Value::Object(r) => format!(
            "OBJ({})",
            vm.object_name(*r)
                .map(|n| n.trim_start_matches('/').to_string())
                .unwrap_or_default()
        ),
        Value::Array(_) => "<array>".into(),
        Value::Class(_) => "<class>".into(),
        Value::Mapping(_) => "<mapping>".into(),
        Value::Function(_) => "<function>".into(),
        _ => "<...>".into(),
    }
}

/// The edges out of a container, labelled as loop paths show them:
/// `[i]` for array items, `.i` for class members, `[key K]` and `[K]` for
/// a mapping's keys and values, `(args)[i]` for a function's bound values.
fn edges(vm: &Vm, v: &Value, labels: bool) -> Vec<(String, Value, Slot)> {
    let label = |text: String| if labels { text } else { String::new() };
    match v {
        Value::Array(a) => a
            .borrow()
            .iter()
            .enumerate()
            .map(|(i, x)| (label(format!("[{i}]")), x.clone(), Slot::Item(a.clone(), i)))
            .collect(),
        Value::Class(c) => c
            .fields
            .borrow()
            .iter()
            .enumerate()
            .map(|(i, x)| (label(format!(".{i}")), x.clone(), Slot::Field(c.clone(), i)))
            .collect(),
        Value::Mapping(m) => m
            .borrow()
            .iter()
            .flat_map(|(k, x)| {
                let text = if labels {
                    key_label(vm, k)
                } else {
                    String::new()
                };
                [
                    (
                        label(format!("[key {text}]")),
                        k.clone(),
                        Slot::MapKey(m.clone(), k.clone()),
                    ),
                    (
                        label(format!("[{text}]")),
                        x.clone(),
                        Slot::MapValue(m.clone(), k.clone()),
                    ),
                ]
            })
            .collect(),
        Value::Function(f) => f
            .bound
            .iter()
            .chain(f.captures.iter())
            .enumerate()
            .map(|(i, x)| {
                let slot = Slot::Bound {
                    holder: None,
                    index: i,
                };
                (label(format!("(args)[{i}]")), x.clone(), slot)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The address of a value the loop walk descends into.
fn walk_id(v: &Value) -> Option<usize> {
    match v {
        Value::Function(f) => Some(Rc::as_ptr(f) as *const u8 as usize),
        other => container_id(other),
    }
}

/// Walks `root` depth first and reports each edge back to a container
/// still open on the path (the edges whose removal leaves no loop and
/// keeps all other sharing): its path and slot. `first_only` stops at the
/// first one.
fn find_back_edges(vm: &Vm, root: &Value, labels: bool, first_only: bool) -> Vec<(String, Slot)> {
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut found = Vec::new();
    let Some(root_id) = walk_id(root) else {
        return found;
    };
    let mut color: FxHashMap<usize, u8> = FxHashMap::default();
    color.insert(root_id, OPEN);
    let mut stack = vec![Frame {
        id: root_id,
        edges: edges(vm, root, labels),
        next: 0,
        incoming: None,
    }];
    let mut path: Vec<String> = Vec::new();
    while let Some(top) = stack.last_mut() {
        let Some((label, target, _)) = top.edges.get(top.next) else {
            color.insert(top.id, DONE);
            stack.pop();
            path.pop();
            continue;
        };
        let (label, target) = (label.clone(), target.clone());
        let at = top.next;
        top.next += 1;
        let Some(id) = walk_id(&target) else { continue };
        // A function's slots are reached through the slot holding it.
        let mut slot = top.edges[at].2.clone();
        if let Slot::Bound { holder, .. } = &mut slot {
            *holder = top.incoming.clone().map(Box::new);
        }
        match color.get(&id) {
            None => {
                color.insert(id, OPEN);
                path.push(label);
                let e = edges(vm, &target, labels);
                stack.push(Frame {
                    id,
                    edges: e,
                    next: 0,
                    incoming: Some(slot),
                });
            }
            Some(&OPEN) => {
                let full = format!("{}{label}", path.concat());
                found.push((full, slot));
                if first_only {
                    return found;
                }
            }
            Some(_) => {}
        }
    }
    found
}

/// `has_cycle(x)`: 1 when `x` reaches itself through arrays, mappings,
/// classes or function arguments (objects end the walk).
fn has_cycle(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let found = !find_back_edges(vm, &arg(vm, base, argc, 0), false, true).is_empty();
    Ok(Value::Int(i64::from(found)))
}

/// `find_cycles(x)`: the path of each slot that closes a reference loop.
fn find_cycles(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let paths = find_back_edges(vm, &arg(vm, base, argc, 0), true, false)
        .into_iter()
        .map(|(p, _)| Value::str(p))
        .collect();
    Ok(Value::array(paths))
}

/// `break_cycles(x)`: zeroes each slot that closes a reference loop (a
/// mapping entry whose key closes one is removed; a function's bound
/// value is zeroed in a copy of the function put where it was held); the
/// number cut.
fn break_cycles(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let found = find_back_edges(vm, &arg(vm, base, argc, 0), false, false);
    let mut cut = 0;
    let mut keys = Vec::new();
    // Values first, then keys: removing a key never frees a slot still to
    // be cleared, as every target is still held by the walk's path.
    for (_, slot) in found {
        match slot {
            Slot::MapKey(m, k) => keys.push((m, k)),
            other => {
                if other.store(Value::Int(0)) {
                    cut += 1;
                }
            }
        }
    }
    for (m, k) in keys {
        let removed = m.borrow_mut().remove_entry(&k);
        if removed.is_some() {
            cut += 1;
        }
        drop(removed);
    }
    Ok(Value::Int(cut))
}

/// `refs(x)`: how many references hold the array, mapping, class,
/// function, buffer or string `x`, not counting the argument itself; -1
/// for numbers. Objects are not reference counted here, so asking about
/// one is an error.
fn refs(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    // Read the argument in place: a copy would count as one more holder.
    let Some(v) = vm.stack.get(base).filter(|_| argc > 0) else {
        return Ok(Value::Int(-1));
    };
    let count = match v {
        Value::Array(a) => Rc::strong_count(a),
        Value::Mapping(m) => Rc::strong_count(m),
        Value::Class(c) => Rc::strong_count(c),
        Value::Function(f) => Rc::strong_count(f),
        Value::Buffer(b) => Rc::strong_count(b),
        Value::Str(s) => Rc::strong_count(s),
        Value::Object(_) => {
            return Err(error(
                "refs(): objects are not reference counted by this driver",
            ));
        }
        _ => 0,
    };
    Ok(Value::Int(count as i64 - 1))
}

/// `element_of(list)`: a random element.
fn element_of(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Array(a) = arg(vm, base, argc, 0) else {
        return Err(bad_arg("element_of", 0, &arg(vm, base, argc, 0)));
    };
    let items = a.borrow();
    if items.is_empty() {
        return Err(error("Can't take element from empty array."));
    }
    Ok(items[rand::random_range(0..items.len())].clone())
}

/// `shuffle(list)`: the array itself, its elements put in random order.
fn shuffle(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    use rand::seq::SliceRandom;
    match arg(vm, base, argc, 0) {
        v @ Value::Array(_) => {
            if let Value::Array(a) = &v {
                a.borrow_mut().shuffle(&mut rand::rng());
            }
            Ok(v)
        }
        _ => Ok(Value::array(Vec::new())),
    }
}

/// `max(list, index)` / `min(list, index)`: the greatest or least of ints
/// and floats, or of strings; its index instead when `index` is nonzero.
/// The first of equal extremes wins.
fn extreme(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    efun: &str,
    wanted: Ordering,
) -> Result<Value, Unwind> {
    let Value::Array(a) = arg(vm, base, argc, 0) else {
        return Err(bad_arg(efun, 0, &arg(vm, base, argc, 0)));
    };
    let want_index = int_arg(vm, base, argc, 1, efun)? != 0;
    let items = a.borrow();
    let Some(first) = items.first() else {
        return Err(error(format!("Can't find {efun} of an empty array.")));
    };
    let kind = |v: &Value| match v {
        Value::Int(_) | Value::Undefined | Value::Float(_) => Some(false),
        Value::Str(_) => Some(true),
        _ => None,
    };
    let Some(strings) = kind(first) else {
        return Err(error("Array must consist of ints, floats or strings."));
    };
    let mut best = 0;
    for (i, item) in items.iter().enumerate().skip(1) {
        match kind(item) {
            None => return Err(error("Array must consist of ints, floats or strings.")),
            Some(s) if s != strings => return Err(error("Inhomogeneous array.")),
            Some(_) => {}
        }
        if ops::compare(item, &items[best]).map_err(error)? == wanted {
            best = i;
        }
    }
    if want_index {
        return Ok(Value::Int(best as i64));
    }
    Ok(items[best].clone())
}

/// `assemble_class(values)`: a class value holding the values, its members
/// unnamed.
fn assemble_class(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Array(a) = arg(vm, base, argc, 0) else {
        return Err(bad_arg("assemble_class", 0, &arg(vm, base, argc, 0)));
    };
    let fields = a.borrow().clone();
    let members: Vec<smol_str::SmolStr> = fields
        .iter()
        .map(|_| smol_str::SmolStr::default())
        .collect();
    Ok(Value::Class(Rc::new(ClassObj {
        members: Rc::from(members),
        fields: std::cell::RefCell::new(fields),
    })))
}

fn class_arg(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<Rc<ClassObj>, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Class(c) => Ok(c),
        _ => Err(error(format!("Argument to {efun}() not a class."))),
    }
}

/// `disassemble_class(c)`: the member values of a class, in order.
fn disassemble_class(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let c = class_arg(vm, base, argc, "disassemble_class")?;
    Ok(Value::array(c.fields.borrow().clone()))
}

fn member_index(
    vm: &Vm,
    base: usize,
    argc: usize,
    c: &ClassObj,
    efun: &str,
) -> Result<usize, Unwind> {
    let i = int_arg(vm, base, argc, 1, efun)?;
    usize::try_from(i)
        .ok()
        .filter(|&i| i < c.fields.borrow().len())
        .ok_or_else(|| error("Class index out of bounds."))
}

/// `fetch_class_member(c, i)`: member `i` of a class.
fn fetch_class_member(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let c = class_arg(vm, base, argc, "fetch_class_member")?;
    let i = member_index(vm, base, argc, &c, "fetch_class_member")?;
    Ok(c.fields.borrow()[i].clone())
}

/// `num_classes(ob)`: how many classes the object's program defines or
/// inherits, each name counted once.
fn num_classes(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let v = arg(vm, base, argc, 0);
    let Some(object) = (match v {
        Value::Object(r) => vm.objects.get(r),
        _ => None,
    }) else {
        return Err(bad_arg("num_classes", 0, &v));
    };
    let mut names: Vec<&str> = object
        .linked
        .parts
        .iter()
        .flat_map(|part| part.program.classes.iter().map(|c| c.name.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    Ok(Value::Int(names.len() as i64))
}

/// `store_class_member(c, i, value)`: sets member `i` of a class.
fn store_class_member(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let c = class_arg(vm, base, argc, "store_class_member")?;
    let i = member_index(vm, base, argc, &c, "store_class_member")?;
    let v = arg(vm, base, argc, 2);
    let old = std::mem::replace(&mut c.fields.borrow_mut()[i], v);
    drop(old);
    Ok(Value::Int(0))
}
