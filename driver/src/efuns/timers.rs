//! Timed calls: `call_out` and its family, and heart beats. The pending
//! calls live in [`Timers`] on the VM; the backend loop runs them when due.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg};
use crate::vm::object::ObjRef;
use crate::vm::value::{FnKind, Value};
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("call_out", call_out);
    m.insert("call_out_walltime", call_out);
    m.insert("remove_call_out", remove_call_out);
    m.insert("find_call_out", find_call_out);
    m.insert("call_out_info", call_out_info);
    m.insert("set_heart_beat", set_heart_beat);
    m.insert("query_heart_beat", query_heart_beat);
    m.insert("heart_beats", heart_beats);
}

/// What a call_out calls.
#[derive(Clone, Debug)]
pub enum Target {
    /// A function of the owner, by name.
    Name(String),
    /// A function value.
    Function(Value),
}

#[derive(Clone, Debug)]
pub struct CallOut {
    pub handle: i64,
    pub owner: ObjRef,
    pub target: Target,
    pub args: Vec<Value>,
    /// `this_player()` when it was scheduled, restored when it runs.
    pub player: Option<ObjRef>,
    /// How many `call_out(0)`s led to this one within one tick.
    pub depth: u32,
}

#[derive(Clone, Copy, Debug)]
pub struct HeartBeat {
    pub object: ObjRef,
    /// Beats between two calls, as given to `set_heart_beat`.
    pub interval: i64,
    /// Beats left before the next call.
    pub left: i64,
}

/// Every pending call_out and heart beat.
#[derive(Debug)]
pub struct Timers {
    /// The backend's clock: moved forward only between top-level calls, so
    /// the time left of a call_out just scheduled is exactly its delay.
    pub now: Instant,
    /// The granularity of call_out delays.
    pub gametick: Duration,
    pub heartbeat_interval: Duration,
    /// How many `call_out(0)` may chain within one tick.
    pub zero_nest_limit: u32,
    /// Ordered by due time, then by handle, so equal times run in order.
    queue: BTreeMap<(Instant, i64), CallOut>,
    due_of: FxHashMap<i64, Instant>,
    last_handle: i64,
    /// The depth of the call_out running now, 0 outside call_outs.
    pub running_depth: u32,
    pub heart_beats: Vec<HeartBeat>,
    pub next_heart_beat: Instant,
}

impl Default for Timers {
    fn default() -> Timers {
        let now = Instant::now();
        Timers {
            now,
            gametick: Duration::from_millis(1000),
            heartbeat_interval: Duration::from_millis(1000),
            zero_nest_limit: 1000,
            queue: BTreeMap::new(),
            due_of: FxHashMap::default(),
            last_handle: 0,
            running_depth: 0,
            heart_beats: Vec::new(),
            next_heart_beat: now,
        }
    }
}

impl Timers {
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// When the earliest call_out is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.queue.keys().next().map(|&(at, _)| at)
    }

    /// Takes the earliest call_out if it is due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<CallOut> {
        let (&key, _) = self.queue.iter().next()?;
        if key.0 > now {
            return None;
        }
        let c = self.queue.remove(&key)?;
        self.due_of.remove(&c.handle);
        Some(c)
    }

    /// Schedules a call after `delay`, rounded up to whole game ticks.
    pub fn schedule(&mut self, mut call: CallOut, delay: Duration) -> i64 {
        let tick = self.gametick.as_nanos().max(1);
        let ticks = delay.as_nanos().div_ceil(tick);
        let rounded = Duration::from_nanos((ticks * tick).min(u64::MAX as u128) as u64);
        let mut due = self.now + rounded;
        if rounded.is_zero() {
            call.depth = self.running_depth + 1;
            if call.depth > self.zero_nest_limit {
                // Past the nesting limit the chain waits for the next tick,
                // so a call_out(0) that reschedules itself cannot spin.
                call.depth = 0;
                due = self.now + self.gametick;
            }
        }
        self.last_handle += 1;
        let handle = self.last_handle;
        call.handle = handle;
        self.due_of.insert(handle, due);
        self.queue.insert((due, handle), call);
        handle
    }

    /// Seconds left before `due`, rounded down.
    pub fn seconds_left(&self, due: Instant) -> i64 {
        due.saturating_duration_since(self.now).as_secs() as i64
    }

    fn remove(&mut self, handle: i64) -> Option<(Instant, CallOut)> {
        let due = self.due_of.remove(&handle)?;
        self.queue.remove(&(due, handle)).map(|c| (due, c))
    }

    /// The first pending call of `owner` that `select` accepts.
    fn find(&self, owner: ObjRef, select: &Selector) -> Option<(Instant, i64)> {
        self.queue
            .iter()
            .find(|(_, c)| c.owner == owner && select.matches(c))
            .map(|(&(due, handle), _)| (due, handle))
    }

    /// Drops every call and heart beat of a destructed object.
    pub fn forget(&mut self, object: ObjRef) {
        let gone: Vec<(Instant, i64)> = self
            .queue
            .iter()
            .filter(|(_, c)| c.owner == object)
            .map(|(&k, _)| k)
            .collect();
        for key in gone {
            self.queue.remove(&key);
            self.due_of.remove(&key.1);
        }
        self.heart_beats.retain(|h| h.object != object);
    }

    /// Calls in due order, for `call_out_info`.
    pub fn iter(&self) -> impl Iterator<Item = (Instant, &CallOut)> {
        self.queue.iter().map(|(&(due, _), c)| (due, c))
    }
}

/// Which call_out a `find_call_out` or `remove_call_out` means.
enum Selector {
    Handle(i64),
    Name(String),
}

impl Selector {
    fn matches(&self, c: &CallOut) -> bool {
        match self {
            Selector::Handle(h) => c.handle == *h,
            Selector::Name(n) => target_name(&c.target).as_deref() == Some(n.as_str()),
        }
    }
}

/// The function name of a target, as `call_out_info` shows it.
fn target_name(target: &Target) -> Option<String> {
    match target {
        Target::Name(n) => Some(n.clone()),
        Target::Function(Value::Function(f)) => match &f.kind {
            FnKind::Simul(name) => Some(name.to_string()),
            _ => None,
        },
        Target::Function(_) => None,
    }
}

fn delay_of(v: &Value) -> Result<Duration, Unwind> {
    match v {
        Value::Int(n) => Ok(Duration::from_secs((*n).max(0) as u64)),
        Value::Undefined => Ok(Duration::ZERO),
        Value::Float(f) if f.get().is_finite() => {
            Ok(Duration::from_secs_f64(f.get().clamp(0.0, 1e12)))
        }
        other => Err(bad_arg("call_out", 1, other)),
    }
}

fn call_out(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Some(owner) = vm.this_object() else {
        return Err(error("call_out() without a current object"));
    };
    let (owner, target) = match arg(vm, base, argc, 0) {
        Value::Str(s) => (owner, Target::Name(s.text.to_string())),
        // A function pointer belongs to the object that made it.
        Value::Function(f) if vm.objects.alive(f.owner) => {
            (f.owner, Target::Function(Value::Function(f)))
        }
        f @ Value::Function(_) => (owner, Target::Function(f)),
        other => return Err(bad_arg("call_out", 0, &other)),
    };
    let delay = delay_of(&arg(vm, base, argc, 1))?;
    let args = (2..argc).map(|i| arg(vm, base, argc, i)).collect();
    let call = CallOut {
        handle: 0,
        owner,
        target,
        args,
        player: vm.command_giver.filter(|_| vm.backend.player_in_call_out),
        depth: 0,
    };
    Ok(Value::Int(vm.backend.timers.schedule(call, delay)))
}

fn selector(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<Option<Selector>, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Int(h) if argc > 0 => Ok(Some(Selector::Handle(h))),
        Value::Str(s) => Ok(Some(Selector::Name(s.text.to_string()))),
        Value::Undefined | Value::Int(_) => Ok(None),
        other => Err(bad_arg(efun, 0, &other)),
    }
}

fn remove_call_out(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Some(owner) = vm.this_object() else {
        return Ok(Value::Int(-1));
    };
    let Some(select) = selector(vm, base, argc, "remove_call_out")? else {
        // No argument: every call_out of this object goes.
        let timers = &mut vm.backend.timers;
        let mine: Vec<i64> = timers
            .iter()
            .filter(|(_, c)| c.owner == owner)
            .map(|(_, c)| c.handle)
            .collect();
        for handle in mine {
            timers.remove(handle);
        }
        return Ok(Value::Int(0));
    };
    let timers = &mut vm.backend.timers;
    let found = match &select {
        // A handle names one call_out of any object.
        Selector::Handle(h) => timers.due_of.get(h).map(|&d| (d, *h)),
        Selector::Name(_) => timers.find(owner, &select),
    };
    let Some((due, handle)) = found else {
        return Ok(Value::Int(-1));
    };
    timers.remove(handle);
    Ok(Value::Int(timers.seconds_left(due)))
}

fn find_call_out(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Some(owner) = vm.this_object() else {
        return Ok(Value::Int(-1));
    };
    let Some(select) = selector(vm, base, argc, "find_call_out")? else {
        return Ok(Value::Int(-1));
    };
    let timers = &vm.backend.timers;
    // Only this object's call_outs are found, by handle too.
    let found = timers.find(owner, &select).map(|(d, _)| d);
    Ok(Value::Int(found.map_or(-1, |d| timers.seconds_left(d))))
}

/// One `({ object, function, seconds left })` per pending call whose
/// owner still exists; a function pointer is shown as its text.
fn call_out_info(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let timers = &vm.backend.timers;
    let pending: Vec<(ObjRef, Target, i64)> = timers
        .iter()
        .filter(|(_, c)| vm.objects.alive(c.owner))
        .map(|(due, c)| (c.owner, c.target.clone(), timers.seconds_left(due)))
        .collect();
    let mut out = Vec::new();
    for (owner, target, left) in pending {
        let function = match &target {
            Target::Name(n) => n.clone(),
            Target::Function(f) => super::strings::describe(vm, f),
        };
        out.push(Value::array(vec![
            Value::Object(owner),
            Value::str(function),
            Value::Int(left),
        ]));
    }
    Ok(Value::array(out))
}

fn set_heart_beat(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let interval = int_arg(vm, base, argc, 0, "set_heart_beat")?;
    let Some(object) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    let beats = &mut vm.backend.timers.heart_beats;
    beats.retain(|h| h.object != object);
    if interval > 0 {
        beats.push(HeartBeat {
            object,
            interval,
            left: interval,
        });
    }
    Ok(Value::Int(0))
}

fn query_heart_beat(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let object = match arg(vm, base, argc, 0) {
        Value::Object(r) => r,
        Value::Undefined | Value::Int(0) => match vm.this_object() {
            Some(r) => r,
            None => return Ok(Value::Int(0)),
        },
        other => return Err(bad_arg("query_heart_beat", 0, &other)),
    };
    let beats = &vm.backend.timers.heart_beats;
    Ok(Value::Int(
        beats
            .iter()
            .find(|h| h.object == object)
            .map_or(0, |h| h.interval),
    ))
}

fn heart_beats(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let live: Vec<Value> = vm
        .backend
        .timers
        .heart_beats
        .iter()
        .filter(|h| vm.objects.alive(h.object))
        .map(|h| Value::Object(h.object))
        .collect();
    Ok(Value::array(live))
}
