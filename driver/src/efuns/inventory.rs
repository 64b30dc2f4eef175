//! Efuns about where objects are: moving them (with the `init()` calls
//! that let living objects meet what they find), environments and
//! inventories, `present`, living objects and their names, and what
//! destructing an object does to its contents.

use rustc_hash::FxHashMap;

use super::objects::{object_or_this, object_value, valid_hide, visible};
use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("move_object", move_object);
    m.insert("environment", environment);
    m.insert("all_inventory", all_inventory);
    m.insert("deep_inventory", deep_inventory);
    m.insert("first_inventory", first_inventory);
    m.insert("next_inventory", next_inventory);
    m.insert("present", present);
    m.insert("living", living);
    m.insert("enable_commands", enable_commands);
    m.insert("disable_commands", disable_commands);
    m.insert("set_living_name", set_living_name);
    m.insert("find_living", find_living);
    m.insert("find_player", find_player);
    m.insert("livings", |vm, _, _| Ok(livings(vm, false)));
    m.insert("named_livings", |vm, _, _| Ok(livings(vm, true)));
}

/// The environment of a live object.
pub fn env_of(vm: &Vm, r: ObjRef) -> Option<ObjRef> {
    vm.objext
        .ext(r)
        .and_then(|e| e.env)
        .filter(|&e| vm.objects.alive(e))
}

/// The inventory of an object, the last one moved in first.
pub fn inventory(vm: &Vm, r: ObjRef) -> Vec<ObjRef> {
    vm.objext.ext(r).map_or(Vec::new(), |e| {
        e.inv
            .iter()
            .rev()
            .copied()
            .filter(|&o| vm.objects.alive(o))
            .collect()
    })
}

/// The inventory the running object may see: hidden objects only when
/// the master's `valid_hide` approves of it.
fn visible_inventory(vm: &mut Vm, r: ObjRef) -> Result<Vec<ObjRef>, Unwind> {
    let mut list = inventory(vm, r);
    let is_hidden = |vm: &Vm, o: ObjRef| vm.objext.ext(o).is_some_and(|e| e.hidden);
    if list.iter().any(|&o| is_hidden(vm, o)) {
        let me = vm.this_object();
        if !valid_hide(vm, me)? {
            list.retain(|&o| !is_hidden(vm, o));
        }
    }
    Ok(list)
}

/// The first object of `list` from `start` on that the running object
/// may see.
fn first_visible(vm: &mut Vm, list: &[ObjRef], start: usize) -> Result<Option<ObjRef>, Unwind> {
    for &o in list.iter().skip(start) {
        if visible(vm, o)? {
            return Ok(Some(o));
        }
    }
    Ok(None)
}

fn first_of(vm: &Vm, r: ObjRef) -> Option<ObjRef> {
    inventory(vm, r).first().copied()
}

/// Destructs an object as the `destruct` efun does: it gets `on_destruct()`
/// when it asked for that, then each object inside is asked to
/// `move_or_destruct()` to the environment (0 when there is none), and may
/// destruct only itself meanwhile; one that stays is destructed. Then the
/// object goes.
pub fn destruct_object(vm: &mut Vm, r: ObjRef) -> Result<(), Unwind> {
    if !vm.objects.alive(r) {
        return Ok(());
    }
    if vm.objext.restrict_destruct.is_some_and(|only| only != r) {
        return Err(error(
            "Only this_object() can be destructed from move_or_destruct.",
        ));
    }
    if !vm.objects.alive(r) {
        return Ok(());
    }
    let env = env_of(vm, r);
    while let Some(item) = first_of(vm, r) {
        let to = super::objects::object_value(env);
        let saved = vm.objext.restrict_destruct.replace(item);
        let moved = vm.apply(item, "move_or_destruct", vec![to], true);
        vm.objext.restrict_destruct = saved;
        moved?;
        if !vm.objects.alive(r) {
            return Ok(());
        }
        if first_of(vm, r) == Some(item) {
            destruct_object(vm, item)?;
        }
    }
    vm.destruct(r);
    Ok(())
}

/// Runs `init()` in `target` with `this_player()` set to `giver`.
fn init_with(vm: &mut Vm, target: ObjRef, giver: ObjRef) -> Result<(), Unwind> {
    let saved = vm.command_giver.replace(giver);
    let result = vm.apply(target, "init", Vec::new(), true);
    vm.command_giver = saved;
    result.map(|_| ())
}

/// Moves `item` into `dest`, then lets living objects meet it.
pub fn move_to(vm: &mut Vm, item: ObjRef, dest: ObjRef) -> Result<(), Unwind> {
    let mut at = Some(dest);
    while let Some(ob) = at {
        if ob == item {
            return Err(error("Can't move object inside itself."));
        }
        at = env_of(vm, ob);
    }
    if let Some(old) = vm.objext.ext(item).and_then(|e| e.env) {
        vm.objext.ext_mut(old).inv.retain(|&o| o != item);
    }
    vm.objext.ext_mut(dest).inv.push(item);
    vm.objext.ext_mut(item).env = Some(dest);
    let saved = vm.command_giver;
    let result = setup_new_commands(vm, dest, item);
    vm.command_giver = saved;
    result
}

/// The `init()` calls after `item` arrived in `dest`: a living item
/// meets the destination, then, for each other object there, the item
/// meets a living object and a living item meets the object; last a
/// living destination meets the item. A move made by one of these calls
/// ends the sequence.
fn setup_new_commands(vm: &mut Vm, dest: ObjRef, item: ObjRef) -> Result<(), Unwind> {
    let still_there = |vm: &Vm| env_of(vm, item) == Some(dest);
    if vm.objext.is_living(item) {
        init_with(vm, dest, item)?;
        if !still_there(vm) {
            return Ok(());
        }
    }
    for ob in inventory(vm, dest) {
        if ob == item {
            continue;
        }
        if !vm.objects.alive(ob) {
            return Err(error("An object was destructed at call of init()"));
        }
        if env_of(vm, ob) != Some(dest) {
            return Err(error("An object was moved at call of init()"));
        }
        if vm.objext.is_living(ob) {
            init_with(vm, item, ob)?;
            if !still_there(vm) {
                return Ok(());
            }
        }
        if !vm.objects.alive(item) {
            return Err(error(
                "The object to be moved was destructed at call of init()",
            ));
        }
        if !vm.objects.alive(ob) {
            return Err(error("An object was destructed at call of init()"));
        }
        if vm.objext.is_living(item) {
            init_with(vm, ob, item)?;
            if !still_there(vm) {
                return Ok(());
            }
        }
    }
    if !vm.objects.alive(dest) {
        return Err(error(
            "The destination to move to was destructed at call of init()",
        ));
    }
    if !vm.objects.alive(item) {
        return Err(error(
            "The object to be moved was destructed at call of init()",
        ));
    }
    if vm.objext.is_living(dest) {
        init_with(vm, item, dest)?;
    }
    Ok(())
}

fn move_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let dest = match arg(vm, base, argc, 0) {
        Value::Object(r) if vm.objects.alive(r) => r,
        Value::Str(s) => match vm.find_or_load(&s.text) {
            Ok(r) if visible(vm, r)? => r,
            _ => return Err(error("move_object failed: could not find destination")),
        },
        other => return Err(bad_arg("move_object", 0, &other)),
    };
    let Some(me) = vm.this_object().filter(|&r| vm.objects.alive(r)) else {
        return Err(error("move_object(): can't move a destructed object"));
    };
    move_to(vm, me, dest)?;
    Ok(Value::Int(0))
}

fn environment(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = match arg(vm, base, argc, 0) {
        Value::Object(r) => r,
        Value::Undefined | Value::Int(0) if argc == 0 => match vm.this_object() {
            Some(r) => r,
            None => return Ok(Value::Int(0)),
        },
        Value::Int(0) => return Ok(Value::Int(0)),
        other => return Err(bad_arg("environment", 0, &other)),
    };
    if !vm.objects.alive(r) {
        return Err(error("environment() of destructed object."));
    }
    match env_of(vm, r) {
        Some(env) if visible(vm, env)? => Ok(Value::Object(env)),
        _ => Ok(Value::Int(0)),
    }
}

fn all_inventory(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = object_or_this(vm, base, argc, 0, "all_inventory")?;
    let list = visible_inventory(vm, r)?
        .into_iter()
        .map(Value::Object)
        .collect();
    Ok(Value::array(list))
}

fn first_inventory(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = match arg(vm, base, argc, 0) {
        Value::Str(s) => vm.find_or_load(&s.text)?,
        _ => object_or_this(vm, base, argc, 0, "first_inventory")?,
    };
    let list = inventory(vm, r);
    Ok(object_value(first_visible(vm, &list, 0)?))
}

fn next_inventory(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = object_or_this(vm, base, argc, 0, "next_inventory")?;
    let Some(env) = env_of(vm, r) else {
        return Ok(Value::Int(0));
    };
    let list = inventory(vm, env);
    let Some(at) = list.iter().position(|&o| o == r) else {
        return Ok(Value::Int(0));
    };
    Ok(object_value(first_visible(vm, &list, at + 1)?))
}

/// How a `deep_inventory` filter answered for one object.
struct Pick {
    include: bool,
    descend: bool,
}

fn pick(vm: &mut Vm, filter: Option<&Value>, ob: ObjRef) -> Result<Pick, Unwind> {
    let Some(f) = filter else {
        return Ok(Pick {
            include: true,
            descend: true,
        });
    };
    // 1 keeps the object and looks inside, 2 keeps it only, 3 only looks
    // inside; anything else skips it.
    let answer = match vm.call_value(f, &[Value::Object(ob)])? {
        Value::Int(n) if vm.objects.alive(ob) => n,
        _ => 0,
    };
    Ok(Pick {
        include: answer == 1 || answer == 2,
        descend: answer == 1 || answer == 3,
    })
}

fn collect_deep(
    vm: &mut Vm,
    ob: ObjRef,
    filter: Option<&Value>,
    out: &mut Vec<Value>,
) -> Result<(), Unwind> {
    for item in visible_inventory(vm, ob)? {
        if out.len() >= vm.limits.array_size {
            return Ok(());
        }
        let p = pick(vm, filter, item)?;
        if p.include {
            out.push(Value::Object(item));
        }
        if p.descend {
            collect_deep(vm, item, filter, out)?;
        }
    }
    Ok(())
}

/// `deep_inventory(ob)`: everything inside `ob` at any depth, each object
/// followed by its contents. With an array, the objects in it come first
/// each with their contents; a function filters what is taken.
fn deep_inventory(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let first = arg(vm, base, argc, 0);
    let second = arg(vm, base, argc, 1);
    let (start, filter) = match (&first, &second) {
        (Value::Function(_), _) if argc == 1 => (Value::Undefined, Some(first.clone())),
        (_, f @ Value::Function(_)) => (first.clone(), Some(f.clone())),
        _ => (first.clone(), None),
    };
    let mut out = Vec::new();
    match start {
        Value::Undefined => {
            if let Some(me) = vm.this_object() {
                collect_deep(vm, me, filter.as_ref(), &mut out)?;
            }
        }
        Value::Object(r) if vm.objects.alive(r) => {
            collect_deep(vm, r, filter.as_ref(), &mut out)?;
        }
        Value::Array(list) => {
            let list = list.borrow().clone();
            for v in list {
                let Value::Object(r) = v else { continue };
                if !vm.objects.alive(r) {
                    continue;
                }
                let p = pick(vm, filter.as_ref(), r)?;
                if p.include {
                    out.push(Value::Object(r));
                }
                if p.descend {
                    collect_deep(vm, r, filter.as_ref(), &mut out)?;
                }
            }
        }
        _ => {}
    }
    Ok(Value::array(out))
}

/// Splits "sword 2" into ("sword", 2); other strings count 0.
fn name_and_count(text: &str) -> (&str, i64) {
    if let Some((name, digits)) = text.rsplit_once(' ')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return (name, digits.parse().unwrap_or(i64::MAX));
    }
    (text, 0)
}

/// The object among `list` whose `id(name)` answers true, the `count`th
/// such when the text ends in a number.
fn present_in(vm: &mut Vm, text: &str, list: Vec<ObjRef>) -> Result<Option<ObjRef>, Unwind> {
    if text.is_empty() {
        return Ok(None);
    }
    let (name, mut count) = name_and_count(text);
    for ob in list {
        let answer = vm.apply(ob, "id", vec![Value::str(name)], true)?;
        if !vm.objects.alive(ob) {
            return Ok(None);
        }
        if !answer.is_some_and(|v| v.truthy()) {
            continue;
        }
        count -= 1;
        if count > 0 {
            continue;
        }
        return Ok(Some(ob));
    }
    Ok(None)
}

/// `present(id)` looks in the current object, then asks its environment
/// and looks there; `present(id, ob)` looks in `ob` only. With an object
/// instead of an id: that object (when `ob` is given and holds it) or the
/// container holding it among the current object and its environment.
fn present(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match find_present(vm, base, argc)? {
        Value::Object(r) if !visible(vm, r)? => Ok(Value::Int(0)),
        other => Ok(other),
    }
}

fn find_present(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let what = arg(vm, base, argc, 0);
    let (ob, specific) = match arg(vm, base, argc, 1) {
        Value::Object(r) => (r, true),
        Value::Undefined | Value::Int(0) => match vm.this_object() {
            Some(r) => (r, false),
            None => return Ok(Value::Int(0)),
        },
        other => return Err(bad_arg("present", 1, &other)),
    };
    if !vm.objects.alive(ob) {
        return Ok(Value::Int(0));
    }
    let env = env_of(vm, ob);
    let text = match what {
        Value::Object(item) => {
            let holder = env_of(vm, item);
            if specific {
                return Ok(object_value(Some(item).filter(|_| holder == Some(ob))));
            }
            let found = holder.filter(|&h| h == ob || env.is_some_and(|e| e == h));
            return Ok(object_value(found));
        }
        Value::Str(s) => s,
        other => return Err(bad_arg("present", 0, &other)),
    };
    let inside = inventory(vm, ob);
    if let Some(found) = present_in(vm, &text.text, inside)? {
        return Ok(Value::Object(found));
    }
    let Some(env) = env.filter(|_| !specific) else {
        return Ok(Value::Int(0));
    };
    let answer = vm.apply(env, "id", vec![Value::Str(text.clone())], true)?;
    if !vm.objects.alive(ob) || env_of(vm, ob) != Some(env) {
        return Ok(Value::Int(0));
    }
    if answer.is_some_and(|v| v.truthy()) {
        return Ok(Value::Object(env));
    }
    let around = inventory(vm, env);
    Ok(object_value(present_in(vm, &text.text, around)?))
}

fn living(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = match arg(vm, base, argc, 0) {
        Value::Object(r) => r,
        Value::Undefined if argc == 0 => match vm.this_object() {
            Some(r) => r,
            None => return Ok(Value::Int(0)),
        },
        _ => return Ok(Value::Int(0)),
    };
    let alive = vm.objects.alive(r) && vm.objext.is_living(r);
    Ok(Value::Int(alive as i64))
}

/// `enable_commands(meet)`: the current object becomes living and the
/// command giver. With `meet` (or the "enable_commands call init"
/// setting) it also meets its environment and its contents through
/// `init()`, as if it had just moved.
fn enable_commands(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let meet = int_arg(vm, base, argc, 0, "enable_commands")? != 0
        || vm.misc.config.int(super::misc::ENABLE_COMMANDS_CALL_INIT) != 0;
    let Some(me) = vm.this_object().filter(|&r| vm.objects.alive(r)) else {
        return Ok(Value::Int(0));
    };
    vm.objext.ext_mut(me).living = true;
    vm.command_giver = Some(me);
    if !meet {
        return Ok(Value::Int(0));
    }
    if let Some(env) = env_of(vm, me) {
        setup_new_commands(vm, env, me)?;
        vm.command_giver = Some(me);
    }
    for item in inventory(vm, me) {
        setup_new_commands(vm, me, item)?;
        vm.command_giver = Some(me);
    }
    Ok(Value::Int(0))
}

fn disable_commands(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let Some(me) = vm.this_object().filter(|&r| vm.objects.alive(r)) else {
        return Ok(Value::Int(0));
    };
    vm.objext.ext_mut(me).living = false;
    // The verbs of what is around it go with its ability to use them: its
    // environment's and their fellows' (itself among them) and its
    // contents'. Without an environment its own verbs stay.
    let mut owners = inventory(vm, me);
    if let Some(env) = env_of(vm, me) {
        owners.push(env);
        owners.extend(inventory(vm, env));
    }
    vm.backend.commands.drop_from(me, &owners);
    if vm.command_giver == Some(me) {
        vm.command_giver = None;
    }
    Ok(Value::Int(0))
}

fn set_living_name(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "set_living_name")?;
    let Some(me) = vm.this_object().filter(|&r| vm.objects.alive(r)) else {
        return Ok(Value::Int(0));
    };
    vm.objext.naming += 1;
    let order = vm.objext.naming;
    let ext = vm.objext.ext_mut(me);
    ext.living_name = Some(std::rc::Rc::from(name.text.as_str()));
    ext.named_at = order;
    Ok(Value::Int(0))
}

/// The living object named `name`; the most recently named one when
/// several share the name.
fn find_living(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "find_living")?;
    Ok(object_value(living_named(vm, &name.text, false)))
}

/// `find_player(name)`: as `find_living`, among objects that have had a
/// connection.
fn find_player(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "find_player")?;
    Ok(object_value(living_named(vm, &name.text, true)))
}

/// The living object that most recently took `name`; with `players`, only
/// objects that were ever interactive count.
fn living_named(vm: &Vm, name: &str, players: bool) -> Option<ObjRef> {
    vm.objext
        .per
        .iter()
        .filter(|(r, e)| {
            e.living
                && e.living_name.as_deref() == Some(name)
                && vm.objects.alive(**r)
                && (!players || vm.backend.net.once_interactive.contains(*r))
        })
        .max_by_key(|(_, e)| e.named_at)
        .map(|(r, _)| *r)
}

fn livings(vm: &Vm, named: bool) -> Value {
    let list = super::objects::all_objects(vm)
        .into_iter()
        .filter(|&r| {
            vm.objext
                .ext(r)
                .is_some_and(|e| e.living && (!named || e.living_name.is_some()))
        })
        .map(Value::Object)
        .collect();
    Value::array(list)
}
