//! Efuns of the develop package that report on the driver's memory in
//! its own terms: this driver has no shared string table or debugging
//! allocator, so the reports describe the values it actually holds.

use std::collections::BTreeMap;
use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::str_arg;
use crate::vm::value::{LStr, Value};
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("dump_stralloc", dump_stralloc);
}

/// Every distinct live string: reachable from the value stack, the objects'
/// variables and the constants of their programs. Keyed by text, with the
/// references held on each copy summed.
fn live_strings(vm: &Vm) -> BTreeMap<String, usize> {
    let mut strings: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen_text: FxHashSet<*const LStr> = FxHashSet::default();
    let mut seen: FxHashSet<usize> = FxHashSet::default();
    let mut work: Vec<Value> = vm.stack.clone();
    let mut programs = FxHashSet::default();
    for r in super::objects::all_objects(vm) {
        let Some(o) = vm.objects.get(r) else { continue };
        work.extend(o.vars.iter().cloned());
        for part in &o.linked.parts {
            if programs.insert(part as *const _ as usize) {
                work.extend(part.strings.iter().cloned());
            }
        }
    }
    while let Some(v) = work.pop() {
        match v {
            Value::Str(s) if seen_text.insert(Rc::as_ptr(&s)) => {
                // The count includes the copy this walk holds.
                let refs = Rc::strong_count(&s).saturating_sub(1);
                *strings.entry(s.text.clone()).or_default() += refs;
            }
            Value::Array(a) if seen.insert(Rc::as_ptr(&a) as usize) => {
                work.extend(a.borrow().iter().cloned());
            }
            Value::Mapping(m) if seen.insert(Rc::as_ptr(&m) as usize) => {
                for (k, v) in m.borrow().iter() {
                    work.push(k.clone());
                    work.push(v.clone());
                }
            }
            Value::Class(c) if seen.insert(Rc::as_ptr(&c) as usize) => {
                work.extend(c.fields.borrow().iter().cloned());
            }
            Value::Function(f) if seen.insert(Rc::as_ptr(&f) as usize) => {
                work.extend(f.bound.iter().cloned());
                work.extend(f.captures.iter().cloned());
            }
            Value::Ref(cell) if seen.insert(Rc::as_ptr(&cell) as usize) => {
                work.push(cell.borrow().clone());
            }
            _ => {}
        }
    }
    strings
}

/// `dump_stralloc(file)`: writes the live strings (references, length and
/// text, one per line, after a summary line) to a file and returns the
/// same report.
fn dump_stralloc(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let path = str_arg(vm, base, argc, 0, "dump_stralloc")?;
    let Some(checked) =
        crate::jail::check(vm, &path.text, "dump_stralloc", crate::jail::Access::Write)?
    else {
        return Err(error(format!("Invalid path '{}' for writing.", path.text)));
    };
    let strings = live_strings(vm);
    let bytes: usize = strings.keys().map(String::len).sum();
    let mut out = format!("{} distinct strings, {bytes} bytes\n", strings.len());
    for (text, refs) in &strings {
        out.push_str(&format!("{refs:>6} {:>6} {text:?}\n", text.len()));
    }
    std::fs::write(&checked.host, &out)
        .map_err(|e| error(format!("Unable to open {} for writing: {e}", path.text)))?;
    Ok(Value::str(out))
}
