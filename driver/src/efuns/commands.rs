//! Commands: the verbs objects bind with `add_action`, and the parser that
//! matches a player's input line against them.

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, str_arg};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("add_action", add_action);
    m.insert("remove_action", remove_action);
    m.insert("command", command);
    m.insert("notify_fail", notify_fail);
    m.insert("query_verb", query_verb);
    m.insert("commands", commands);
    m.insert("query_notify_fail", query_notify_fail);
}

/// `add_action` flag 1: the typed verb only has to start with the verb.
const SHORT: i64 = 1;
/// `add_action` flag 2: the verb is a prefix; no space needs to follow.
const NO_SPACE: i64 = 2;

/// One verb bound by `add_action`.
#[derive(Clone, Debug)]
pub struct Sentence {
    pub verb: String,
    pub flags: i64,
    /// A function name in `owner`, or a function value.
    pub function: Value,
    pub owner: ObjRef,
}

/// Every player's verbs, the verb running now and pending fail messages.
#[derive(Debug, Default)]
pub struct Commands {
    /// Newest first, as they are tried.
    sentences: FxHashMap<ObjRef, Vec<Sentence>>,
    verb: Option<String>,
    fail: FxHashMap<ObjRef, Value>,
}

impl Commands {
    /// Drops the verbs `owners` gave `player` (`disable_commands`).
    pub fn drop_from(&mut self, player: ObjRef, owners: &[ObjRef]) {
        if let Some(list) = self.sentences.get_mut(&player) {
            list.retain(|s| !owners.contains(&s.owner));
        }
    }

    pub fn forget(&mut self, object: ObjRef) {
        self.sentences.remove(&object);
        self.fail.remove(&object);
        for list in self.sentences.values_mut() {
            list.retain(|s| s.owner != object);
        }
    }
}

/// Calls an efun of the registry by name, if this driver has it: the
/// object tree efuns live elsewhere and are read only through here.
fn call_efun(vm: &mut Vm, name: &str, args: Vec<Value>) -> Option<Value> {
    let efun = *vm.efuns.get(name)?;
    let base = vm.stack.len();
    let argc = args.len();
    vm.stack.extend(args);
    let result = efun(vm, base, argc);
    vm.stack.truncate(base);
    result.ok()
}

/// The object containing `object`, through the `environment` efun.
pub fn environment(vm: &mut Vm, object: ObjRef) -> Option<ObjRef> {
    match call_efun(vm, "environment", vec![Value::Object(object)])? {
        Value::Object(r) if vm.objects.alive(r) => Some(r),
        _ => None,
    }
}

/// The objects inside `object`, through the `all_inventory` efun.
pub fn inventory(vm: &mut Vm, object: ObjRef) -> Vec<ObjRef> {
    match call_efun(vm, "all_inventory", vec![Value::Object(object)]) {
        Some(Value::Array(a)) => a
            .borrow()
            .iter()
            .filter_map(|v| match v {
                Value::Object(r) => Some(*r),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `object` called `enable_commands` (through the `living` efun);
/// without that efun, interactive objects count as living.
pub fn is_living(vm: &mut Vm, object: ObjRef) -> bool {
    match call_efun(vm, "living", vec![Value::Object(object)]) {
        Some(v) => v.truthy(),
        None => vm.backend.net.by_object.contains_key(&object),
    }
}

/// Whether the verbs of `owner` are within reach of `player`: it is the
/// player, is carried by it, is its environment or shares it.
fn present(vm: &mut Vm, owner: ObjRef, player: ObjRef) -> bool {
    if owner == player {
        return true;
    }
    let around_owner = environment(vm, owner);
    if around_owner == Some(player) {
        return true;
    }
    let around_player = environment(vm, player);
    around_player.is_some() && (around_owner == around_player || around_player == Some(owner))
}

fn add_action(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let function = match arg(vm, base, argc, 0) {
        f @ (Value::Str(_) | Value::Function(_)) => f,
        other => return Err(bad_arg("add_action", 0, &other)),
    };
    let verbs: Vec<String> = match arg(vm, base, argc, 1) {
        Value::Str(s) => vec![s.text.to_string()],
        Value::Array(a) => a
            .borrow()
            .iter()
            .filter_map(|v| match v {
                Value::Str(s) => Some(s.text.to_string()),
                _ => None,
            })
            .collect(),
        other => return Err(bad_arg("add_action", 1, &other)),
    };
    let flags = match arg(vm, base, argc, 2) {
        Value::Int(n) => n & (SHORT | NO_SPACE),
        _ => 0,
    };
    let Some(owner) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    let Some(player) = vm.command_giver.filter(|&p| vm.objects.alive(p)) else {
        return Ok(Value::Int(0));
    };
    // An object out of the player's reach binds nothing, silently.
    if !present(vm, owner, player) {
        return Ok(Value::Int(0));
    }
    prune(vm, player);
    let list = vm.backend.commands.sentences.entry(player).or_default();
    for verb in verbs {
        list.insert(
            0,
            Sentence {
                verb,
                flags,
                function: function.clone(),
                owner,
            },
        );
    }
    Ok(Value::Int(0))
}

fn remove_action(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let function = arg(vm, base, argc, 0);
    let verb = str_arg(vm, base, argc, 1, "remove_action")?;
    let Some(owner) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    let player = vm.command_giver.unwrap_or(owner);
    let Some(list) = vm.backend.commands.sentences.get_mut(&player) else {
        return Ok(Value::Int(0));
    };
    let same_function = |s: &Sentence| match (&s.function, &function) {
        (Value::Str(a), Value::Str(b)) => a.text == b.text,
        (Value::Function(a), Value::Function(b)) => std::rc::Rc::ptr_eq(a, b),
        _ => false,
    };
    let Some(at) = list
        .iter()
        .position(|s| s.owner == owner && s.verb == verb.text.as_str() && same_function(s))
    else {
        return Ok(Value::Int(0));
    };
    list.remove(at);
    Ok(Value::Int(1))
}

fn notify_fail(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let message = match arg(vm, base, argc, 0) {
        m @ (Value::Str(_) | Value::Function(_)) => m,
        other => return Err(bad_arg("notify_fail", 0, &other)),
    };
    if let Some(player) = vm.command_giver {
        vm.backend.commands.fail.insert(player, message);
    }
    Ok(Value::Int(0))
}

/// The fail message set for this player's current command, or 0.
fn query_notify_fail(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(vm
        .command_giver
        .and_then(|p| vm.backend.commands.fail.get(&p).cloned())
        .unwrap_or(Value::Int(0)))
}

fn query_verb(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(vm
        .backend
        .commands
        .verb
        .clone()
        .map_or(Value::Int(0), Value::str))
}

/// `({ verb, flags, object, function })` for each verb of this object.
fn commands(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let Some(me) = vm.this_object() else {
        return Ok(Value::array(Vec::new()));
    };
    let list = vm
        .backend
        .commands
        .sentences
        .get(&me)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for s in list {
        if !vm.objects.alive(s.owner) || !present(vm, s.owner, me) {
            continue;
        }
        let function = match &s.function {
            Value::Str(name) => Value::Str(name.clone()),
            _ => Value::str("<function>"),
        };
        out.push(Value::array(vec![
            Value::str(s.verb),
            Value::Int(s.flags),
            Value::Object(s.owner),
            function,
        ]));
    }
    Ok(Value::array(out))
}

/// `command(str)`: runs a command as this object; its cost in
/// microseconds (at least 1) when some verb took it, else 0.
fn command(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let line = str_arg(vm, base, argc, 0, "command")?;
    if line.text.len() > 1000 {
        return Err(error("Too long command."));
    }
    let Some(me) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    let started = std::time::Instant::now();
    let saved = vm.command_giver;
    vm.command_giver = Some(me);
    let result = parse(vm, me, &line.text);
    vm.command_giver = saved;
    if result? {
        Ok(Value::Int((started.elapsed().as_micros() as i64).max(1)))
    } else {
        Ok(Value::Int(0))
    }
}

/// Drops the verbs of objects gone or out of reach: they bind again from
/// `init()` when the objects meet again, so keeping them would only grow
/// the list.
fn prune(vm: &mut Vm, player: ObjRef) {
    let Some(list) = vm.backend.commands.sentences.get(&player) else {
        return;
    };
    let owners: Vec<ObjRef> = list.iter().map(|s| s.owner).collect();
    let mut keep = FxHashMap::default();
    for owner in owners {
        if let std::collections::hash_map::Entry::Vacant(e) = keep.entry(owner) {
            e.insert(vm.objects.alive(owner) && present(vm, owner, player));
        }
    }
    if let Some(list) = vm.backend.commands.sentences.get_mut(&player) {
        list.retain(|s| keep.get(&s.owner).copied().unwrap_or(false));
    }
}

/// Offers `line` to the verbs of `player`, newest first, until one takes
/// it. Without a taker, an interactive player gets the fail message.
pub fn parse(vm: &mut Vm, player: ObjRef, line: &str) -> Result<bool, Unwind> {
    let line = line.trim_end_matches(' ');
    if line.is_empty() {
        return Ok(false);
    }
    prune(vm, player);
    let (typed, rest) = match line.split_once(' ') {
        Some((v, r)) => (v, Some(r)),
        None => (line, None),
    };
    let list = vm
        .backend
        .commands
        .sentences
        .get(&player)
        .cloned()
        .unwrap_or_default();
    for s in list {
        if !vm.objects.alive(s.owner) || !vm.objects.alive(player) {
            continue;
        }
        let prefix = s.flags & (SHORT | NO_SPACE) != 0;
        if prefix {
            if !line.starts_with(s.verb.as_str()) {
                continue;
            }
        } else if !s.verb.is_empty() && s.verb != typed {
            continue;
        }
        if !present(vm, s.owner, player) {
            continue;
        }
        let verb = if s.flags & NO_SPACE != 0 {
            typed.get(s.verb.len()..).unwrap_or("").to_string()
        } else if s.verb.is_empty() || s.flags & SHORT != 0 {
            typed.to_string()
        } else {
            s.verb.clone()
        };
        let argument = if s.flags & NO_SPACE != 0 {
            Value::str(line.get(s.verb.len()..).unwrap_or(""))
        } else {
            rest.map_or(Value::Undefined, Value::str)
        };
        let saved_verb = vm.backend.commands.verb.replace(verb);
        let saved_player = vm.command_giver.replace(player);
        let result = match &s.function {
            Value::Str(name) => vm.apply(s.owner, &name.text, vec![argument], true),
            f => vm.call_value(f, &[argument]).map(Some),
        };
        vm.command_giver = saved_player;
        vm.backend.commands.verb = saved_verb;
        match result? {
            None => {
                return Err(error(format!("Function for verb '{}' not found.", s.verb)));
            }
            Some(v) if v.truthy() => return Ok(true),
            Some(_) => {}
        }
    }
    notify_no_command(vm, player)?;
    Ok(false)
}

/// Tells an interactive player that nobody took the command.
fn notify_no_command(vm: &mut Vm, player: ObjRef) -> Result<(), Unwind> {
    if !vm.backend.net.by_object.contains_key(&player) {
        return Ok(());
    }
    let message = match vm.backend.commands.fail.remove(&player) {
        Some(Value::Str(s)) => Some(s.text.to_string()),
        Some(f @ Value::Function(_)) => {
            let saved = vm.command_giver.replace(player);
            let v = vm.call_value(&f, &[]);
            vm.command_giver = saved;
            match v? {
                Value::Str(s) => Some(s.text.to_string()),
                _ => None,
            }
        }
        _ => Some(vm.backend.fail_message.clone()),
    };
    if let Some(text) = message {
        super::interactive::tell_object(vm, player, &text)?;
    }
    Ok(())
}

/// Forgets the fail message of a new command.
pub fn clear_notify(vm: &mut Vm, player: ObjRef) {
    vm.backend.commands.fail.remove(&player);
}
