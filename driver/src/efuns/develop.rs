//! Efuns that report on the driver itself: its memory, objects, programs,
//! caches, file descriptors, load and debug switches. FluffOS answers some
//! of these from its allocator or shared string table, which this driver
//! does not have; here the reports describe what the driver actually holds.

use std::collections::BTreeMap;
use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use lpcc::bytecode::Instr;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::object::{Linked, ObjRef};
use crate::vm::value::{LStr, Value};
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("dump_stralloc", dump_stralloc);
    m.insert("set_debug_level", set_debug_level);
    m.insert("clear_debug_level", clear_debug_level);
    m.insert("debug_levels", debug_levels);
    m.insert("query_host_name", query_host_name);
    m.insert("get_garbage", get_garbage);
    m.insert("reclaim_objects", reclaim_objects);
    m.insert("memory_summary", memory_summary);
    m.insert("malloc_status", malloc_status);
    m.insert("mud_status", mud_status);
    m.insert("cache_stats", cache_stats);
    m.insert("dumpallobj", dumpallobj);
    m.insert("dump_file_descriptors", dump_file_descriptors);
    m.insert("query_load_average", query_load_average);
    m.insert("dump_jemalloc", dump_jemalloc);
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
                *strings.entry(s.text.to_string()).or_default() += refs;
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

// ---------------------------------------------------------------------------
// Debug levels and driver reports
// ---------------------------------------------------------------------------

/// The debug output categories, by bit.
const DEBUG_LEVELS: &[(&str, i64)] = &[
    ("call_out", 1 << 0),
    ("d_flag", 1 << 2),
    ("connections", 1 << 3),
    ("mapping", 1 << 4),
    ("sockets", 1 << 5),
    ("comp_func_tab", 1 << 6),
    ("LPC", 1 << 7),
    ("LPC_line", 1 << 8),
    ("event", 1 << 9),
    ("dns", 1 << 10),
    ("file", 1 << 11),
    ("add_action", 1 << 12),
    ("telnet", 1 << 13),
    ("websocket", 1 << 14),
    ("external_start", 1 << 15),
];

fn level_bit(name: &str) -> i64 {
    DEBUG_LEVELS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(0, |(_, bit)| *bit)
}

/// `set_debug_level(name)` turns one category on; an int sets every bit.
fn set_debug_level(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Str(s) => vm.misc.debug_level |= level_bit(&s.text),
        Value::Int(n) => vm.misc.debug_level = n,
        Value::Undefined => vm.misc.debug_level = 0,
        other => return Err(bad_arg("set_debug_level", 0, &other)),
    }
    Ok(Value::Int(0))
}

fn clear_debug_level(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "clear_debug_level")?;
    vm.misc.debug_level &= !level_bit(&name.text);
    Ok(Value::Int(0))
}

/// Each category with its bit when on and 0 when off; bits no category
/// names are summed under "unknown".
fn debug_levels(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let mut rest = vm.misc.debug_level;
    let m = crate::vm::ops::new_mapping(DEBUG_LEVELS.len() + 1);
    if let Value::Mapping(map) = &m {
        let mut map = map.borrow_mut();
        for (name, bit) in DEBUG_LEVELS {
            map.insert(Value::str(*name), Value::Int(rest & bit));
            rest &= !bit;
        }
        if rest != 0 {
            map.insert(Value::str("unknown"), Value::Int(rest));
        }
    }
    Ok(m)
}

fn query_host_name(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let name = nix::unistd::gethostname()
        .ok()
        .and_then(|n| n.into_string().ok())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "localhost".to_string());
    Ok(Value::str(name))
}

/// `get_garbage()`: clones that are in no environment and that no value
/// outside the object table refers to (no variable, array, mapping or
/// function value holds them).
fn get_garbage(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let referenced = referenced_objects(vm);
    let mut out = Vec::new();
    for r in super::objects::all_objects(vm) {
        let clone = vm.object_name(r).is_some_and(|n| n.contains('#'));
        if clone
            && super::inventory::env_of(vm, r).is_none()
            && !referenced.contains(&r)
            && out.len() < vm.limits.array_size
        {
            out.push(Value::Object(r));
        }
    }
    Ok(Value::array(out))
}

/// Every object some value reachable from an object's variables or the
/// stack refers to.
fn referenced_objects(vm: &Vm) -> rustc_hash::FxHashSet<ObjRef> {
    let mut found = rustc_hash::FxHashSet::default();
    let mut seen = rustc_hash::FxHashSet::default();
    let mut work: Vec<Value> = vm.stack.clone();
    for r in super::objects::all_objects(vm) {
        if let Some(o) = vm.objects.get(r) {
            work.extend(o.vars.iter().cloned());
        }
    }
    while let Some(v) = work.pop() {
        match v {
            Value::Object(r) => {
                found.insert(r);
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
                found.insert(f.owner);
                work.extend(f.bound.iter().cloned());
                work.extend(f.captures.iter().cloned());
            }
            Value::Ref(cell) if seen.insert(Rc::as_ptr(&cell) as usize) => {
                work.push(cell.borrow().clone());
            }
            _ => {}
        }
    }
    found
}

/// `reclaim_objects()`: objects are freed the moment they are destructed
/// and values by reference counting, so nothing is left for a sweep: the
/// programs no live object uses any more are dropped from the cache of
/// linked programs, and their number is the result.
fn reclaim_objects(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let before = vm.linked.len();
    vm.frames.release_spare();
    vm.linked.retain(|_, linked| Rc::strong_count(linked) > 1);
    Ok(Value::Int((before - vm.linked.len()) as i64))
}

/// `memory_summary()`: per program, each global variable with the bytes
/// its values take, summed over the program's objects.
fn memory_summary(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let mut programs: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for r in super::objects::all_objects(vm) {
        let Some(o) = vm.objects.get(r) else { continue };
        let Some(first) = o.linked.parts.first() else {
            continue;
        };
        let entry = programs.entry(first.program.path.clone()).or_default();
        for part in &o.linked.parts {
            for (i, g) in part.program.globals.iter().enumerate() {
                let slot = part.var_base as usize + i;
                let bytes = o.vars.get(slot).map_or(0, |v| {
                    std::mem::size_of::<Value>() + super::objects::value_bytes(v)
                });
                *entry.entry(g.name.to_string()).or_default() += bytes as i64;
            }
        }
    }
    let out = crate::vm::ops::new_mapping(programs.len());
    if let Value::Mapping(map) = &out {
        let mut map = map.borrow_mut();
        for (program, vars) in programs {
            let inner = crate::vm::ops::new_mapping(vars.len());
            if let Value::Mapping(m) = &inner {
                let mut m = m.borrow_mut();
                for (name, bytes) in vars {
                    m.insert(Value::str(name), Value::Int(bytes));
                }
            }
            map.insert(Value::str(program), inner);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Reports on the driver itself
// ---------------------------------------------------------------------------

/// Bytes a compiled program takes: its code, tables and constant strings.
fn program_bytes(p: &lpcc::bytecode::Program) -> usize {
    use lpcc::bytecode::{ClassLayout, Function, Global, InheritDecl, Program};
    use std::mem::size_of;
    size_of::<Program>()
        + p.functions
            .iter()
            .map(|f| size_of::<Function>() + f.code.len() * size_of::<Instr>())
            .sum::<usize>()
        + p.strings.iter().map(|s| s.len()).sum::<usize>()
        + p.globals.len() * size_of::<Global>()
        + p.classes.len() * size_of::<ClassLayout>()
        + p.inherits.len() * size_of::<InheritDecl>()
}

/// Live objects with their bytes, and distinct programs with theirs.
struct Census {
    objects: usize,
    object_bytes: usize,
    programs: usize,
    program_bytes: usize,
}

fn census(vm: &Vm) -> Census {
    let mut c = Census {
        objects: 0,
        object_bytes: 0,
        programs: 0,
        program_bytes: 0,
    };
    let mut seen = rustc_hash::FxHashSet::default();
    for r in super::objects::all_objects(vm) {
        let Some(o) = vm.objects.get(r) else { continue };
        c.objects += 1;
        c.object_bytes += super::objects::object_bytes(vm, r);
        for part in &o.linked.parts {
            if seen.insert(std::sync::Arc::as_ptr(&part.program)) {
                c.programs += 1;
                c.program_bytes += program_bytes(&part.program);
            }
        }
    }
    c
}

/// The largest resident size of the process so far, in bytes.
fn max_rss() -> Option<i64> {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_SELF)
        .ok()
        .map(|u| u.max_rss() * 1024)
}

/// `malloc_status()`: which allocator the driver uses and how much memory
/// the process holds.
fn malloc_status(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let mut out = String::from("Using system malloc.\n");
    if let Some(rss) = max_rss() {
        out.push_str(&format!("Max RSS: {rss:>8}\n"));
    }
    Ok(Value::str(out))
}

/// `mud_status(verbose)`: objects, programs and their memory; verbose adds
/// the working directory, living objects, call outs of the VM and caches.
fn mud_status(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let verbose = int_arg(vm, base, argc, 0, "mud_status")? != 0;
    let c = census(vm);
    let mut out = String::new();
    if verbose {
        let cwd = std::env::current_dir()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        out.push_str(&format!("current working directory: {cwd}\n\n"));
        let livings = super::objects::all_objects(vm)
            .into_iter()
            .filter(|&r| vm.objext.is_living(r))
            .count();
        out.push_str(&format!("Living objects: {livings}\n\n"));
        out.push_str(&format!("{:<20} {:>8} {:>8}\n", "", "count", "bytes"));
        out.push_str(&format!(
            "{:<20} {:>8} {:>8}\n",
            "Objects", c.objects, c.object_bytes
        ));
        out.push_str(&format!(
            "{:<20} {:>8} {:>8}\n",
            "Programs", c.programs, c.program_bytes
        ));
        out.push_str(&format!(
            "{:<20} {:>8}\n",
            "Linked programs",
            vm.linked.len()
        ));
        out.push_str(&format!(
            "{:<20} {:>8} {:>8}\n\n",
            "Value stack",
            vm.stack.len(),
            vm.stack.capacity() * std::mem::size_of::<Value>()
        ));
        out.push_str("Summary\n------------------------------\n");
    }
    out.push_str(&format!(
        "Total accounted: {:>8}\n",
        c.object_bytes + c.program_bytes
    ));
    if let Some(rss) = max_rss() {
        out.push_str(&format!("Max RSS: {rss:>8}\n"));
    }
    Ok(Value::str(out))
}

/// `cache_stats()`: the driver's caches: the per-call-site memory of
/// which function a `call_other` found, and the linked programs kept for
/// loading and cloning.
fn cache_stats(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let mut sites = 0;
    let mut filled = 0;
    let mut found = 0;
    let mut seen = rustc_hash::FxHashSet::default();
    let linked: Vec<Rc<Linked>> = super::objects::all_objects(vm)
        .into_iter()
        .filter_map(|r| vm.objects.get(r).map(|o| o.linked.clone()))
        .chain(vm.linked.values().cloned())
        .collect();
    for l in &linked {
        for part in &l.parts {
            if !seen.insert(part as *const _ as usize) {
                continue;
            }
            for cache in &part.other_cache {
                sites += 1;
                if let Some((_, hit)) = &*cache.borrow() {
                    filled += 1;
                    found += hit.is_some() as usize;
                }
            }
        }
    }
    let out = format!(
        "Call-other cache: {sites} call sites, {filled} remembered ({found} found a function, {} found none)\nLinked programs: {}\n",
        filled - found,
        vm.linked.len()
    );
    Ok(Value::str(out))
}

/// `dumpallobj(file)`: one line per object: name, bytes of the object and
/// (for a blueprint) its program, and its environment.
fn dumpallobj(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let path = match arg(vm, base, argc, 0) {
        Value::Str(s) => s.text.to_string(),
        Value::Undefined => "/OBJ_DUMP".to_string(),
        other => return Err(bad_arg("dumpallobj", 0, &other)),
    };
    let Some(checked) = crate::jail::check(vm, &path, "dumpallobj", crate::jail::Access::Write)?
    else {
        return Err(error(format!("Invalid path '{path}' for writing.")));
    };
    let mut out = String::new();
    for r in super::objects::all_objects(vm) {
        if !super::objects::visible(vm, r)? {
            continue;
        }
        let Some(o) = vm.objects.get(r) else { continue };
        let program = match o.linked.parts.first() {
            Some(p) if !o.name.contains('#') => program_bytes(&p.program),
            _ => 0,
        };
        let bytes = program + super::objects::object_bytes(vm, r);
        let env = super::inventory::env_of(vm, r)
            .and_then(|e| vm.object_name(e))
            .map_or("--".to_string(), |n| n.to_string());
        out.push_str(&format!("{:<20} {bytes} {env}\n", o.name));
    }
    std::fs::write(&checked.host, out)
        .map_err(|e| error(format!("Unable to open '{path}' for writing: {e}")))?;
    Ok(Value::Int(0))
}

/// `dump_file_descriptors()`: each open descriptor of the process and what
/// it refers to, as the operating system reports them.
fn dump_file_descriptors(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let mut fds: Vec<(i64, String)> = std::fs::read_dir("/proc/self/fd")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter_map(|e| {
                    let fd = e.file_name().to_str()?.parse().ok()?;
                    let target = std::fs::read_link(e.path())
                        .map_or_else(|_| "?".to_string(), |t| t.display().to_string());
                    Some((fd, target))
                })
                .collect()
        })
        .unwrap_or_default();
    fds.sort();
    let mut out = String::from("Fd  Target\n--  ------\n");
    for (fd, target) in fds {
        out.push_str(&format!("{fd:<3} {target}\n"));
    }
    Ok(Value::str(out))
}

/// `query_load_average()`: commands and compiled source lines per second,
/// averaged over about the last minute.
fn query_load_average(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let commands = vm.misc.commands.per_second();
    let lines = vm.compiler.compiled_lines.per_second();
    Ok(Value::str(format!(
        "{commands:.2} cmds/s, {lines:.2} comp lines/s"
    )))
}

/// `dump_jemalloc()`: this driver uses the system allocator, not jemalloc,
/// so the debug log only gets a line saying there is nothing to dump.
fn dump_jemalloc(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    vm.debug_message("dump_jemalloc(): this driver does not use jemalloc; nothing to dump.");
    Ok(Value::Int(0))
}
