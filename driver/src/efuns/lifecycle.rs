//! Efuns about the life of objects: the changes an object goes through once
//! it exists (shadows, program replacement, reloading, destruct notice).

use std::rc::Rc;

use rustc_hash::FxHashMap;

use lpcc::bytecode::flags;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::object::{Linked, ObjRef};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("replaceable", replaceable);
    m.insert("shadow", shadow);
    m.insert("query_shadowing", query_shadowing);
    m.insert("remove_shadow", remove_shadow);
    m.insert("replace_program", replace_program);
    m.insert("query_replaced_program", query_replaced_program);
    m.insert("reload_object", reload_object);
    m.insert("recompile_object", recompile_object);
    m.insert("set_notify_destruct", set_notify_destruct);
    m.insert("query_notify_destruct", query_notify_destruct);
}

/// `query_notify_destruct(ob)`: 1 when `ob` hears of its destruct.
fn query_notify_destruct(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = object_or_this(vm, base, argc, "query_notify_destruct")?;
    let on = r
        .and_then(|r| vm.objects.get(r))
        .is_some_and(|o| o.notify_destruct);
    Ok(Value::Int(i64::from(on)))
}

/// `set_notify_destruct(flag)`: whether the running object's
/// `on_destruct()` is called when it is destructed.
fn set_notify_destruct(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let flag = match int_arg(vm, base, argc, 0, "set_notify_destruct")? {
        0 => false,
        1 => true,
        _ => return Err(error("Bad argument 1 to set_notify_destruct()")),
    };
    if let Some(o) = vm.this_object().and_then(|r| vm.objects.get_mut(r)) {
        o.notify_destruct = flag;
    }
    Ok(Value::Int(0))
}

/// `replace_program(name)`: once the running call ends, the running object
/// keeps only the inherited program `name` (`/std/room`, `/std/room.c`),
/// with that program's variables.
fn replace_program(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "replace_program")?;
    let Some(me) = vm.this_object() else {
        return Err(error("replace_program(): no current object"));
    };
    let Some(object) = vm.objects.get(me) else {
        return Err(error("replace_program(): the object has been destructed"));
    };
    // A name with an extension matches only that file; without one, the
    // file the compiler would take for it.
    let wanted = lpcc::sema::summary::inherit_candidates(&name.text);
    let part = object
        .linked
        .parts
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, p)| wanted.contains(&p.program.path))
        .map(|(i, _)| i as u16);
    let Some(part) = part else {
        return Err(error(format!(
            "replace_program(): program {} is not inherited",
            name.text
        )));
    };
    vm.pending_replace.retain(|(r, _)| *r != me);
    vm.pending_replace.push((me, part));
    Ok(Value::Int(0))
}

/// `query_replaced_program(ob)`: the file of the program
/// `replace_program` gave `ob` (the running object by default), or 0.
fn query_replaced_program(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = object_or_this(vm, base, argc, "query_replaced_program")?;
    let path = r
        .and_then(|r| vm.objext.ext(r))
        .and_then(|e| e.replaced_program.clone());
    Ok(path.map_or(Value::Int(0), |p| Value::str(p.to_string())))
}

/// `reload_object(ob)`: `ob` as if just loaded, without compiling anew.
fn reload_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = object_arg(vm, base, argc, 0, "reload_object")?;
    vm.reload_object(r)?;
    Ok(Value::Int(0))
}

/// `recompile_object(ob)`: compiles the source of the blueprint `ob`
/// anew and gives the new program to `ob` and every clone sharing its
/// program, in place. Each keeps the values of the variables whose names
/// the new program still declares; the others start from their
/// initializers. The number of objects updated.
fn recompile_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = object_arg(vm, base, argc, 0, "recompile_object")?;
    if vm.recompiling {
        return Err(error(
            "recompile_object: already updating; nested recompile_object is not allowed.",
        ));
    }
    vm.recompiling = true;
    let result = recompile(vm, r);
    vm.recompiling = false;
    result.map(Value::Int)
}

fn recompile(vm: &mut Vm, target: ObjRef) -> Result<i64, Unwind> {
    let Some(object) = vm.objects.get(target) else {
        return Err(error("recompile_object: the object has been destructed"));
    };
    let name = object.name.clone();
    if name.contains('#') {
        return Err(error(
            "recompile_object: pass the master copy, not a clone.",
        ));
    }
    let old = object.linked.clone();
    // Frames running the old program hold code positions and variable
    // slots of its layout.
    let executing = vm.frames.iter().any(|f| {
        Rc::ptr_eq(&f.linked, &old)
            || vm
                .objects
                .get(f.obj)
                .is_some_and(|o| Rc::ptr_eq(&o.linked, &old))
    });
    if executing {
        return Err(error(format!(
            "recompile_object: '{name}' is currently executing."
        )));
    }
    let targets: Vec<ObjRef> = super::objects::all_objects(vm)
        .into_iter()
        .filter(|&r| {
            vm.objects
                .get(r)
                .is_some_and(|o| Rc::ptr_eq(&o.linked, &old))
        })
        .collect();
    if let Some(pending) = targets
        .iter()
        .find(|&&t| vm.pending_replace.iter().any(|&(r, _)| r == t))
    {
        let pending = vm.object_name(*pending).unwrap_or_default();
        return Err(error(format!(
            "recompile_object: '{pending}' has a pending replace_program()."
        )));
    }
    let Some(path) = old.parts.first().map(|p| p.program.path.clone()) else {
        return Err(error("recompile_object: the object has no program"));
    };
    vm.compiler.forget(&path);
    let program = match vm.compile(&path) {
        Ok(p) => p,
        Err(failure) if failure.not_found => {
            return Err(error(format!(
                "recompile_object: could not read the file '{path}'."
            )));
        }
        Err(failure) => {
            vm.report_compile_error(&failure);
            return Err(error(format!(
                "recompile_object: error compiling '{path}'."
            )));
        }
    };
    let linked = Rc::new(vm.link(program)?);
    // New clones and loads take the new program too.
    vm.linked
        .insert(crate::vm::object_name(&path), linked.clone());
    if Some(target) == vm.simul_efun {
        vm.compiler.simul_efuns = Some(crate::compile::simul_efun_names(&linked));
    }
    let transfer = variable_transfer(&old, &linked);
    let mut count = 0;
    for t in targets {
        // An earlier target's initializers may have destructed it, or
        // asked it to replace its old program.
        vm.pending_replace.retain(|&(r, _)| r != t);
        let Some(object) = vm.objects.get_mut(t) else {
            continue;
        };
        object.linked = linked.clone();
        object.program_version = object.program_version.wrapping_add(1);
        let old_vars =
            std::mem::replace(&mut object.vars, vec![Value::Undefined; linked.var_count()]);
        match vm.initialize_variables(t, &linked) {
            Ok(()) => {}
            // The object keeps the new program with what its initializers
            // set before the error; the old values are dropped.
            Err(Unwind::Error(info)) => {
                vm.call_error_handler(&info, true);
                continue;
            }
            Err(Unwind::Throw(_)) => continue,
            Err(e) => return Err(e),
        }
        let Some(object) = vm.objects.get_mut(t) else {
            continue;
        };
        for &(new, old) in &transfer {
            if let (Some(slot), Some(value)) = (object.vars.get_mut(new), old_vars.get(old)) {
                *slot = value.clone();
            }
        }
        count += 1;
    }
    Ok(count)
}

/// Pairs of (new slot, old slot) for the variables both programs declare:
/// by declaring program and name, else by name alone.
fn variable_transfer(old: &Linked, new: &Linked) -> Vec<(usize, usize)> {
    let old_slots = variable_slots(old);
    let new_slots = variable_slots(new);
    let mut pairs = Vec::new();
    for (i, (path, name)) in new_slots.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        let same = old_slots
            .iter()
            .position(|(p, n)| p == path && n == name)
            .or_else(|| old_slots.iter().position(|(_, n)| n == name));
        if let Some(j) = same {
            pairs.push((i, j));
        }
    }
    pairs
}

/// Each variable slot of a linked program: the declaring program's path
/// and the variable's name.
fn variable_slots(linked: &Linked) -> Vec<(String, String)> {
    let mut slots = vec![(String::new(), String::new()); linked.var_count()];
    for part in &linked.parts {
        for (i, g) in part.program.globals.iter().enumerate() {
            if let Some(slot) = slots.get_mut(part.var_base as usize + i) {
                *slot = (part.program.path.clone(), g.name.to_string());
            }
        }
    }
    slots
}

/// The optional object argument of a query: the running object when left
/// out.
fn object_or_this(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<Option<ObjRef>, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Object(r) => Ok(Some(r)),
        Value::Undefined if argc == 0 => Ok(vm.this_object()),
        other => Err(bad_arg(efun, 0, &other)),
    }
}

fn object_value(r: Option<ObjRef>) -> Value {
    r.map_or(Value::Int(0), Value::Object)
}

/// The object argument `i`, or an error naming the efun.
fn object_arg(vm: &Vm, base: usize, argc: usize, i: usize, efun: &str) -> Result<ObjRef, Unwind> {
    match arg(vm, base, argc, i) {
        Value::Object(r) if vm.objects.alive(r) => Ok(r),
        other => Err(bad_arg(efun, i, &other)),
    }
}

/// `shadow(ob, flag)`: with a zero flag, the object shadowing `ob`; else
/// makes the running object a shadow of `ob` (of the outermost shadow
/// already on it), so calls to `ob` reach it first. `ob` on success, 0
/// when the master's `valid_shadow` refuses.
fn shadow(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let victim = object_arg(vm, base, argc, 0, "shadow")?;
    let flag = if argc > 1 {
        int_arg(vm, base, argc, 1, "shadow")?
    } else {
        1
    };
    if flag == 0 {
        return Ok(object_value(
            vm.objects.get(victim).and_then(|o| o.shadowed),
        ));
    }
    let Some(me) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    if victim == me {
        return Err(error("shadow: Can't shadow self"));
    }
    let (Some(mine), Some(theirs)) = (vm.objects.get(me), vm.objects.get(victim)) else {
        return Ok(Value::Int(0));
    };
    if mine.shadowing.is_some() {
        return Err(error("shadow: Already shadowing."));
    }
    if mine.shadowed.is_some() {
        return Err(error("shadow: Can't shadow when shadowed."));
    }
    if Some(victim) == vm.master {
        return Err(error("shadow: cannot shadow the master object."));
    }
    if theirs.shadowing.is_some() {
        return Err(error("shadow: Can't shadow a shadow."));
    }
    // A shadow may not define a function the victim declares nomask.
    for part in &mine.linked.parts {
        for f in &part.program.functions {
            if f.flags & flags::HIDDEN != 0 {
                continue;
            }
            let masked = theirs
                .linked
                .resolve(0, &f.name)
                .and_then(|r| theirs.linked.function(r))
                .is_some_and(|g| g.flags & flags::NOMASK != 0);
            if masked {
                return Err(error(format!(
                    "Illegal to shadow 'nomask' function \"{}\".",
                    f.name
                )));
            }
        }
    }
    if let Some(master) = vm.master {
        let approved = vm.apply(master, "valid_shadow", vec![Value::Object(victim)], true)?;
        if approved.is_some_and(|v| !v.truthy()) || !vm.objects.alive(victim) {
            return Ok(Value::Int(0));
        }
    }
    if !vm.objects.alive(me) {
        return Ok(Value::Int(0));
    }
    let mut top = victim;
    while let Some(next) = vm.objects.get(top).and_then(|o| o.shadowed) {
        top = next;
    }
    if let Some(o) = vm.objects.get_mut(me) {
        o.shadowing = Some(top);
    }
    if let Some(o) = vm.objects.get_mut(top) {
        o.shadowed = Some(me);
    }
    Ok(Value::Object(top))
}

/// `query_shadowing(ob)`: the object `ob` shadows, or 0.
fn query_shadowing(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    Ok(match arg(vm, base, argc, 0) {
        Value::Object(r) => object_value(vm.objects.get(r).and_then(|o| o.shadowing)),
        _ => Value::Int(0),
    })
}

/// `remove_shadow(ob)`: takes `ob` (the running object by default) out of
/// its shadow chain; 1 when it was in one.
fn remove_shadow(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let target = if argc > 0 {
        match arg(vm, base, argc, 0) {
            Value::Object(r) => Some(r),
            _ => None,
        }
    } else {
        vm.this_object()
    };
    let Some((r, shadowed, shadowing)) = target
        .and_then(|r| vm.objects.get(r).map(|o| (r, o.shadowed, o.shadowing)))
        .filter(|(_, a, b)| a.is_some() || b.is_some())
    else {
        return Ok(Value::Int(0));
    };
    if let Some(o) = shadowed.and_then(|s| vm.objects.get_mut(s)) {
        o.shadowing = shadowing;
    }
    if let Some(o) = shadowing.and_then(|s| vm.objects.get_mut(s)) {
        o.shadowed = shadowed;
    }
    if let Some(o) = vm.objects.get_mut(r) {
        o.shadowed = None;
        o.shadowing = None;
    }
    Ok(Value::Int(1))
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
            Value::Str(s) => Some(s.text.to_string()),
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
