//! Efuns that fit no larger family: rebinding and evaluating function
//! values, deferred calls, the runtime configuration (`get_config`), the
//! per-object flags the driver keeps (light, destruct notification, reset
//! and clean-up times), global variables by name, events, environment
//! variables and performance traces.

use std::rc::Rc;
use std::time::{Duration, Instant};

use lpcc::bytecode::{Instr, flags};
use lpcc::config::ConfigFile;
use rustc_hash::FxHashMap;

use super::objects::{live_object, object_or_this, object_value};
use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::object::{Linked, ObjRef};
use crate::vm::value::{FnKind, FnPtr, Value};
use crate::vm::{Efun, Unwind, Vm, error};

/// A function queued by `defer()`: it runs when the frame at `depth`
/// (the number of frames while that frame ran) returns or unwinds.
#[derive(Debug)]
pub struct Deferred {
    pub depth: usize,
    pub function: Value,
    /// `this_player()` when it was queued, restored while it runs.
    pub player: Option<ObjRef>,
}

/// The state of this module's efuns.
#[derive(Debug, Default)]
pub struct MiscState {
    /// Queued `defer()` calls, shallowest frame first.
    pub defers: Vec<Deferred>,
    pub config: RuntimeConfig,
    /// Programs whose closures were bound to other objects, so a bound
    /// closure still runs after its first owner is gone.
    bound_programs: Vec<Rc<Linked>>,
    /// The `set_debug_level` bits.
    pub debug_level: i64,
    /// `set_os_env` changes, seen by `get_os_env` only: the process
    /// environment itself is never modified.
    env_overrides: FxHashMap<String, Option<String>>,
    /// Player commands run recently, for `query_load_average`: whatever
    /// runs a command counts it here.
    pub commands: LoadAverage,
    /// The VM calls [`frames_ended`] when frames return or unwind: set
    /// while calls are deferred or a trace records.
    pub watch_returns: bool,
    /// The VM calls [`trace_enter`] on each function call: a trace records.
    pub tracing: bool,
    trace: Option<Trace>,
}

/// A performance trace in progress (`trace_start`).
#[derive(Debug)]
struct Trace {
    /// Where the trace is written, and its mudlib name for messages.
    host: std::path::PathBuf,
    path: String,
    started: Instant,
    stop_at: Instant,
    events: Vec<TraceEvent>,
    /// Calls begun and not yet ended: frame depth and event name.
    open: Vec<(usize, Rc<str>)>,
}

#[derive(Debug)]
struct TraceEvent {
    /// Microseconds since the trace started.
    at: u128,
    begin: bool,
    name: Rc<str>,
}

/// A trace stops by itself after this many events, to bound its memory.
const TRACE_EVENT_LIMIT: usize = 1_000_000;

/// How long ago an event still counts for [`LoadAverage`], in seconds:
/// its weight falls by a factor of e over this time.
const LOAD_WINDOW: f64 = 60.0;

/// A rate of events that forgets the past gradually, as load averages do.
#[derive(Debug, Default)]
pub struct LoadAverage {
    /// The decayed sum of events, as of `at`.
    value: f64,
    at: Option<Instant>,
}

impl LoadAverage {
    pub fn add(&mut self, events: f64) {
        self.decay();
        self.value += events;
    }

    /// Events per second over the recent past.
    pub fn per_second(&mut self) -> f64 {
        self.decay();
        self.value / LOAD_WINDOW
    }

    fn decay(&mut self) {
        let now = Instant::now();
        if let Some(at) = self.at {
            let elapsed = now.duration_since(at).as_secs_f64();
            self.value *= (-elapsed / LOAD_WINDOW).exp();
        }
        self.at = Some(now);
    }
}

// ---------------------------------------------------------------------------
// Runtime configuration
// ---------------------------------------------------------------------------

/// Where the integer settings start among `get_config` indexes.
const INT_BASE: i64 = 256;
/// One past the last `get_config` index.
const CONFIG_END: i64 = 512;

/// The string settings: (index, config file key).
const STRING_SETTINGS: &[(i64, &str)] = &[
    (0, "name"),
    (2, "mudlib directory"),
    (4, "log directory"),
    (5, "include directories"),
    (7, "master file"),
    (8, "simulated efun file"),
    (10, "debug log file"),
    (11, "default error message"),
    (12, "default fail message"),
    (13, "global include file"),
    (14, "mud ip"),
    (15, "websocket http dir"),
    (16, "ffi allowed libraries"),
    (17, "allowed os environment variables"),
    (18, "writable os environment variables"),
];

/// The integer settings: (index less [`INT_BASE`], config file key, default).
const INT_SETTINGS: &[(i64, &str, i64)] = &[
    (0, "port number", 0),
    (2, "time to clean up", 600),
    (3, "time to reset", 900),
    (4, "time to swap", 300),
    (5, "compiler stack size", 600),
    (6, "evaluator stack size", 65536),
    (7, "inherit chain size", 30),
    (8, "maximum evaluation cost", 30_000_000),
    (10, "maximum call depth", 150),
    (11, "maximum array size", 15000),
    (12, "maximum buffer size", 1 << 20),
    (13, "maximum mapping size", 150_000),
    (14, "maximum string length", 1 << 20),
    (15, "maximum bits in a bitfield", 12000),
    (16, "maximum byte transfer", 1 << 18),
    (17, "maximum read file size", 1 << 18),
    (19, "hash table size", 65536),
    (20, "object table size", 4096),
    (21, "living hash table size", 256),
    (24, "gametick msec", 1000),
    (25, "heartbeat interval msec", 1000),
    (26, "sane explode string", 1),
    (27, "reversible explode string", 0),
    (28, "sane sorting", 1),
    (31, "call other type check", 0),
    (32, "call other warn", 0),
    (33, "mudlib error handler", 1),
    (34, "no resets", 0),
    (35, "lazy resets", 0),
    (36, "randomized resets", 1),
    (37, "no ansi", 1),
    (38, "strip before process input", 1),
    (39, "this_player in call_out", 1),
    (40, "trace", 1),
    (41, "trace code", 0),
    (42, "interactive catch tell", 0),
    (43, "receive snoop", 1),
    (44, "snoop shadowed", 0),
    (45, "reverse defer", 0),
    (46, "has console", 1),
    (47, "noninteractive stderr write", 0),
    (48, "trap crashes", 1),
    (49, "old type behavior", 0),
    (50, "old range behavior", 0),
    (51, "warn old range behavior", 1),
    (52, "suppress argument warnings", 1),
    (53, "enable_commands call init", 1),
    (54, "sprintf add_justified ignore ANSI colors", 1),
    (56, "call_out(0) nest level", 1000),
    (57, "trace lpc execution context", 0),
    (58, "trace lpc instructions", 0),
    (59, "enable mxp", 0),
    (60, "enable gmcp", 0),
    (61, "enable zmp", 0),
    (62, "enable mssp", 1),
    (63, "enable msp", 1),
    (64, "enable msdp", 0),
    (65, "display preload progress", 1),
];

const TIME_TO_RESET: i64 = 3;
const EVALUATOR_STACK_SIZE: i64 = 6;
const MAX_EVAL_COST: i64 = 8;
const MAX_CALL_DEPTH: i64 = 10;
const MAX_ARRAY_SIZE: i64 = 11;
const MAX_BUFFER_SIZE: i64 = 12;
const MAX_MAPPING_SIZE: i64 = 13;
const MAX_STRING_LENGTH: i64 = 14;
const REVERSE_DEFER: i64 = 45;
/// "enable_commands call init": `enable_commands()` meets the object's
/// surroundings through `init()` even without an argument asking it to.
pub const ENABLE_COMMANDS_CALL_INIT: i64 = 53;
const OS_ENV_READABLE: i64 = 17;
const OS_ENV_WRITABLE: i64 = 18;

/// The values `get_config` reports, read from the config file at boot.
/// The limits the VM enforces are read from the VM itself, so they always
/// agree with it.
#[derive(Debug, Default)]
pub struct RuntimeConfig {
    strings: FxHashMap<i64, String>,
    ints: FxHashMap<i64, i64>,
}

impl RuntimeConfig {
    pub fn from_file(file: &ConfigFile) -> RuntimeConfig {
        let mut config = RuntimeConfig::default();
        for &(index, key) in STRING_SETTINGS {
            let value = file.get(key).unwrap_or("").to_string();
            config.strings.insert(index, value);
        }
        // The driver always ends the fail message with a newline and quotes
        // a bare global include file.
        let fail = file.get("default fail message").unwrap_or("What?");
        config.strings.insert(12, format!("{fail}\n"));
        if let Some(include) = file.get("global include file")
            && !include.starts_with('"')
            && !include.starts_with('<')
        {
            config.strings.insert(13, format!("\"{include}\""));
        }
        for &(index, key, default) in INT_SETTINGS {
            let value = file.get_int(key).ok().flatten().unwrap_or(default);
            config.ints.insert(index, value);
        }
        config
    }

    /// The integer setting `index` (as `get_config` numbers them).
    pub fn int(&self, index: i64) -> i64 {
        self.ints.get(&index).copied().unwrap_or_else(|| {
            INT_SETTINGS
                .iter()
                .find(|s| s.0 == index)
                .map_or(0, |s| s.2)
        })
    }

    fn string(&self, index: i64) -> &str {
        self.strings.get(&index).map_or("", String::as_str)
    }
}

/// Keeps the config file's values for `get_config`.
pub fn load_config(vm: &mut Vm, file: &ConfigFile) {
    vm.misc.config = RuntimeConfig::from_file(file);
}

fn get_config(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let index = int_arg(vm, base, argc, 0, "get_config")?;
    if !(0..CONFIG_END).contains(&index) {
        return Err(error("Bad argument to get_config()"));
    }
    if index < INT_BASE {
        return Ok(Value::str(vm.misc.config.string(index)));
    }
    let slot = index - INT_BASE;
    let limits = &vm.limits;
    let value = match slot {
        MAX_EVAL_COST => limits.eval_time.as_micros() as i64,
        MAX_CALL_DEPTH => limits.call_depth as i64,
        EVALUATOR_STACK_SIZE => limits.stack_size as i64,
        MAX_ARRAY_SIZE => limits.array_size as i64,
        MAX_MAPPING_SIZE => limits.mapping_size as i64,
        MAX_STRING_LENGTH => limits.string_length as i64,
        MAX_BUFFER_SIZE => limits.buffer_size as i64,
        _ => vm.misc.config.int(slot),
    };
    Ok(Value::Int(value))
}

fn set_config(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let index = int_arg(vm, base, argc, 0, "set_config")?;
    if !(0..CONFIG_END).contains(&index) {
        return Err(error("Bad 1st argument to set_config()"));
    }
    if index < INT_BASE {
        return Err(error("Can not set string config through set_config() yet."));
    }
    let Value::Int(value) = arg(vm, base, argc, 1) else {
        return Err(error("Bad 2nd argument to set_config()"));
    };
    let slot = index - INT_BASE;
    let size = value.max(0) as usize;
    let limits = &mut vm.limits;
    match slot {
        MAX_EVAL_COST => limits.eval_time = Duration::from_micros(value.max(0) as u64),
        MAX_CALL_DEPTH => limits.call_depth = size,
        EVALUATOR_STACK_SIZE => limits.stack_size = size,
        MAX_ARRAY_SIZE => limits.array_size = size,
        MAX_MAPPING_SIZE => limits.mapping_size = size,
        MAX_STRING_LENGTH => limits.string_length = size,
        MAX_BUFFER_SIZE => limits.buffer_size = size,
        _ => {}
    }
    vm.misc.config.ints.insert(slot, value);
    Ok(Value::Int(0))
}

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    // The underscore names are what the compiler calls behind syntax; they
    // share the public efuns' implementations.
    for (alias, target) in [
        ("_call_other", "call_other"),
        ("_to_int", "to_int"),
        ("_to_float", "to_float"),
        ("_to_buffer", "to_buffer"),
    ] {
        if let Some(&f) = m.get(target) {
            m.insert(alias, f);
        }
    }
    m.insert("evaluate", evaluate);
    m.insert("_evaluate", evaluate);
    m.insert("bind", bind);
    m.insert("function_owner", function_owner);
    m.insert("defer", defer);
    m.insert("get_config", get_config);
    m.insert("set_config", set_config);
    m.insert("fetch_variable", fetch_variable);
    m.insert("store_variable", store_variable);
    m.insert("event", event);
    m.insert("test_load", test_load);
    m.insert("classes", classes);
    m.insert("set_light", set_light);
    m.insert("set_reset", set_reset);
    m.insert("set_clean_up", set_clean_up);
    m.insert("request_clean_up", request_clean_up);
    m.insert("get_os_env", get_os_env);
    m.insert("set_os_env", set_os_env);
    m.insert("trace_start", trace_start);
    m.insert("trace_end", trace_end);
}

// ---------------------------------------------------------------------------
// Function values
// ---------------------------------------------------------------------------

/// `evaluate(f, args...)`: calls a function value; any other value is its
/// own result.
fn evaluate(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let f = arg(vm, base, argc, 0);
    if !matches!(f, Value::Function(_)) {
        return Ok(f);
    }
    if base + argc == vm.stack.len() {
        // The function and its arguments are already laid out for the call.
        return vm.call_stacked_value(argc - 1);
    }
    let args: Vec<Value> = vm
        .stack
        .get(base + 1..base + argc)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    vm.call_value(&f, &args)
}

fn function_arg(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<Rc<FnPtr>, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Function(f) => Ok(f),
        other => Err(bad_arg(efun, 0, &other)),
    }
}

fn function_owner(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let f = function_arg(vm, base, argc, "function_owner")?;
    let owner = bound_parts(&f).map_or(f.owner, |b| b.owner);
    Ok(object_value(Some(owner).filter(|&o| vm.objects.alive(o))))
}

/// What a bound function value carries, as its leading bound arguments.
struct BoundParts {
    owner: ObjRef,
    inner: Rc<FnPtr>,
    program: Option<usize>,
}

fn is_bound_call(f: &FnPtr) -> bool {
    matches!(f.kind, FnKind::Efun(e) if std::ptr::fn_addr_eq(e, run_bound as Efun))
}

/// The parts of a value made by `bind`, or `None` for any other.
fn bound_parts(f: &FnPtr) -> Option<BoundParts> {
    if !is_bound_call(f) {
        return None;
    }
    let [
        Value::Object(owner),
        Value::Function(inner),
        Value::Int(program),
    ] = f.bound.as_slice()
    else {
        return None;
    };
    Some(BoundParts {
        owner: *owner,
        inner: inner.clone(),
        program: usize::try_from(*program).ok(),
    })
}

/// The function a value made by `bind` wraps.
pub fn bound_inner(f: &FnPtr) -> Option<Rc<FnPtr>> {
    bound_parts(f).map(|b| b.inner)
}

/// Whether a closure's code stands on its own: it reads no global variable
/// and calls no function of its program, so it may run as another object.
fn self_contained(code: &[Instr]) -> bool {
    !code.iter().any(|i| {
        matches!(
            i,
            Instr::GetGlobal { .. }
                | Instr::SetGlobal { .. }
                | Instr::StoreGlobal { .. }
                | Instr::AddGlobalInt { .. }
                | Instr::Call { .. }
                | Instr::CallSuper { .. }
                | Instr::MakeClosure { .. }
                | Instr::MakeFunctionPtr { .. }
        )
    })
}

/// `bind(f, ob)`: a copy of `f` that runs as if `ob` had made it. Efun and
/// simul_efun pointers and closures that use nothing of their program can
/// be bound; the master's `valid_bind(binder, old owner, new owner)` must
/// agree.
fn bind(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let f = function_arg(vm, base, argc, "bind")?;
    let target = match arg(vm, base, argc, 1) {
        Value::Object(r) if vm.objects.alive(r) => r,
        other => return Err(bad_arg("bind", 1, &other)),
    };
    let (inner, mut program) = match bound_parts(&f) {
        Some(b) => (b.inner, b.program),
        None => (f.clone(), None),
    };
    let old_owner = bound_parts(&f).map_or(f.owner, |b| b.owner);
    if old_owner == target {
        return Ok(Value::Function(f));
    }
    if let FnKind::Local(fnref) = inner.kind
        && program.is_none()
    {
        let Some(linked) = vm.objects.get(inner.owner).map(|o| o.linked.clone()) else {
            return Err(error("bind(): the function's object has been destructed"));
        };
        let Some(function) = linked.function(fnref) else {
            return Err(error("bind(): bad function reference"));
        };
        if function.flags & flags::HIDDEN == 0 {
            return Err(error("Illegal to rebind a pointer to a local function."));
        }
        if !self_contained(&function.code) {
            return Err(error(
                "Illegal to rebind a functional that references globals or local functions.",
            ));
        }
        program = Some(remember_program(vm, linked));
    }
    let binder = object_value(vm.this_object());
    let old = object_value(Some(old_owner).filter(|&o| vm.objects.alive(o)));
    let approved = match vm.master.filter(|&m| vm.objects.alive(m)) {
        Some(master) => vm
            .apply(
                master,
                "valid_bind",
                vec![binder, old, Value::Object(target)],
                true,
            )?
            .is_none_or(|v| v.truthy()),
        None => true,
    };
    if !approved {
        return Err(error(
            "Master object denied permission to bind() function pointer.",
        ));
    }
    if !vm.objects.alive(target) {
        return Err(error("New owner was destructed during valid_bind()."));
    }
    let program = program.map_or(-1, |p| p as i64);
    Ok(Value::Function(Rc::new(FnPtr {
        owner: target,
        kind: FnKind::Efun(run_bound),
        bound: vec![
            Value::Object(target),
            Value::Function(inner),
            Value::Int(program),
        ],
        captures: Vec::new(),
        owner_version: 0,
    })))
}

/// The index of `linked` among the programs of bound closures.
fn remember_program(vm: &mut Vm, linked: Rc<Linked>) -> usize {
    let programs = &mut vm.misc.bound_programs;
    if let Some(i) = programs.iter().position(|p| Rc::ptr_eq(p, &linked)) {
        return i;
    }
    programs.push(linked);
    programs.len() - 1
}

/// Runs a bound function value: its owner, the function it wraps and the
/// wrapped closure's program come first among the arguments.
fn run_bound(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let (Value::Object(owner), Value::Function(inner), Value::Int(program)) = (
        arg(vm, base, argc, 0),
        arg(vm, base, argc, 1),
        arg(vm, base, argc, 2),
    ) else {
        return Err(error("bad bound function"));
    };
    if !vm.objects.alive(owner) {
        return Err(error("Owner of the bound function has been destructed"));
    }
    let args: Vec<Value> = vm
        .stack
        .get(base + 3..base + argc)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    match &inner.kind {
        FnKind::Local(fnref) => {
            let linked = usize::try_from(program)
                .ok()
                .and_then(|p| vm.misc.bound_programs.get(p).cloned())
                .ok_or_else(|| error("bad bound function"))?;
            let n = inner.bound.len() + args.len();
            vm.stack.extend(inner.bound.iter().cloned());
            vm.stack.extend(args);
            vm.call_function(linked, *fnref, n, owner, &inner.captures)
        }
        FnKind::Efun(efun) => {
            let efun = *efun;
            let at = vm.stack.len();
            vm.stack.extend(inner.bound.iter().cloned());
            vm.stack.extend(args);
            let n = vm.stack.len() - at;
            // The efun runs as the new owner: `this_object()` is the frame's object.
            let saved = vm
                .frames
                .last_mut()
                .map(|f| std::mem::replace(&mut f.obj, owner));
            let result = efun(vm, at, n);
            if let (Some(obj), Some(frame)) = (saved, vm.frames.last_mut()) {
                frame.obj = obj;
            }
            vm.stack.truncate(at);
            result
        }
        FnKind::Simul(_) => vm.call_value(&Value::Function(inner.clone()), &args),
    }
}

// ---------------------------------------------------------------------------
// defer()
// ---------------------------------------------------------------------------

fn defer(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let f = arg(vm, base, argc, 0);
    if !matches!(f, Value::Function(_)) {
        return Err(bad_arg("defer", 0, &f));
    }
    if vm.frames.is_empty() {
        return Err(error("defer() outside of any function"));
    }
    vm.misc.defers.push(Deferred {
        depth: vm.frames.len(),
        function: f,
        player: vm.command_giver,
    });
    vm.misc.watch_returns = true;
    Ok(Value::Int(0))
}

/// Called by the VM when the frames above `depth` have returned or
/// unwound: ends their trace events and runs their deferred calls.
pub fn frames_ended(vm: &mut Vm, depth: usize) {
    if let Some(trace) = &mut vm.misc.trace {
        let at = trace.started.elapsed().as_micros();
        while let Some((d, _)) = trace.open.last()
            && *d > depth
        {
            if let Some((_, name)) = trace.open.pop() {
                trace.events.push(TraceEvent {
                    at,
                    begin: false,
                    name,
                });
            }
        }
    }
    if !vm.misc.defers.is_empty() {
        run_defers(vm, depth);
    }
    vm.misc.watch_returns = vm.misc.trace.is_some() || !vm.misc.defers.is_empty();
}

/// Runs the deferred calls of every frame above `depth`, which have just
/// returned or unwound: the most recent first, or in order when the config
/// asks for `reverse defer`. An error in one is reported and does not stop
/// the others.
pub fn run_defers(vm: &mut Vm, depth: usize) {
    let start = vm.misc.defers.partition_point(|d| d.depth <= depth);
    let mut due = vm.misc.defers.split_off(start);
    if vm.misc.config.int(REVERSE_DEFER) == 0 {
        due.reverse();
    }
    // Deferred calls run even after the evaluation ran out of time, each
    // with a fresh budget.
    let expired = vm.deadline.filter(|&t| Instant::now() > t);
    for d in due {
        if expired.is_some() {
            vm.deadline = Some(Instant::now() + vm.limits.eval_time);
        }
        let saved = std::mem::replace(&mut vm.command_giver, d.player);
        let result = vm.call_value(&d.function, &[]);
        vm.command_giver = saved;
        if let Err(e) = result {
            crate::boot::report(vm, &e);
        }
    }
    if expired.is_some() {
        vm.deadline = expired;
    }
}

// ---------------------------------------------------------------------------
// Variables, classes, events, loading
// ---------------------------------------------------------------------------

/// The variable slot of global `name` in `r`, searching its own program
/// first; private variables of other objects are not visible.
fn variable_slot(vm: &Vm, r: ObjRef, name: &str) -> Result<usize, Unwind> {
    let object = vm
        .objects
        .get(r)
        .ok_or_else(|| error("Object has been destructed"))?;
    let own = vm.this_object() == Some(r);
    for part in &object.linked.parts {
        for (i, g) in part.program.globals.iter().enumerate() {
            if g.name == name {
                if !own && g.flags & flags::PRIVATE != 0 {
                    break;
                }
                return Ok(part.var_base as usize + i);
            }
        }
    }
    Err(error(format!(
        "Variable named '{name}' does not exist or is not visible!"
    )))
}

fn fetch_variable(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "fetch_variable")?;
    let r = object_or_this(vm, base, argc, 1, "fetch_variable")?;
    let slot = variable_slot(vm, r, &name.text)?;
    let value = vm
        .objects
        .get(r)
        .and_then(|o| o.vars.get(slot))
        .cloned()
        .unwrap_or_default();
    Ok(match value {
        Value::Ref(cell) => cell.borrow().clone(),
        other => other,
    })
}

fn store_variable(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "store_variable")?;
    let value = arg(vm, base, argc, 1);
    let r = object_or_this(vm, base, argc, 2, "store_variable")?;
    let slot = variable_slot(vm, r, &name.text)?;
    if let Some(var) = vm.objects.vars_mut(r).and_then(|v| v.get_mut(slot)) {
        *var = value;
    }
    Ok(Value::Int(0))
}

/// `classes(ob, verbose)`: the classes of an object's program, its
/// inherited ones included: their names, or with `verbose` for each
/// `({ name, ({ member, type }), ... })`.
fn classes(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = live_object(vm, base, argc, 0, "classes")?;
    let verbose = int_arg(vm, base, argc, 1, "classes")? != 0;
    let Some(object) = vm.objects.get(r) else {
        return Ok(Value::array(Vec::new()));
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut out: Vec<Value> = Vec::new();
    for part in &object.linked.parts {
        for class in &part.program.classes {
            if seen.contains(&class.name.as_str()) {
                continue;
            }
            seen.push(class.name.as_str());
            let name = Value::str(class.name.as_str());
            if !verbose {
                out.push(name);
                continue;
            }
            let mut detail = vec![name];
            for (i, member) in class.members.iter().enumerate() {
                let ty = class.types.get(i).map_or("mixed", |t| t.as_str());
                detail.push(Value::array(vec![
                    Value::str(member.as_str()),
                    Value::str(ty),
                ]));
            }
            out.push(Value::array(detail));
        }
    }
    Ok(Value::array(out))
}

/// `event(target, name, args...)`: calls `event_<name>(caller, args...)`
/// in each object of an array, or in one object and then in what it
/// contains (the caller excepted).
fn event(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 1, "event")?;
    let function = format!("event_{}", name.text);
    let origin = vm.this_object();
    let mut args = vec![object_value(origin)];
    args.extend(
        vm.stack
            .get(base + 2..base + argc)
            .map(<[Value]>::to_vec)
            .unwrap_or_default(),
    );
    let targets: Vec<ObjRef> = match arg(vm, base, argc, 0) {
        Value::Array(list) => list
            .borrow()
            .iter()
            .filter_map(|v| match v {
                Value::Object(r) => Some(*r),
                _ => None,
            })
            .collect(),
        Value::Object(r) => {
            if vm.objects.alive(r) {
                vm.apply(r, &function, args.clone(), false)?;
            }
            if !vm.objects.alive(r) {
                return Ok(Value::Int(0));
            }
            super::inventory::inventory(vm, r)
                .into_iter()
                .filter(|&o| Some(o) != origin)
                .collect()
        }
        other => return Err(bad_arg("event", 0, &other)),
    };
    for target in targets {
        if vm.objects.alive(target) {
            vm.apply(target, &function, args.clone(), false)?;
        }
    }
    Ok(Value::Int(0))
}

/// `test_load(file)`: 1 when the file compiles and its object can be
/// created (the object is destructed again), 0 when there is no such
/// file; a compile error is an error.
fn test_load(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let path = str_arg(vm, base, argc, 0, "test_load")?;
    let name = crate::vm::object_name(&path.text);
    let exists = vm.linked.contains_key(&name)
        || lpcc::sema::summary::inherit_candidates(&name)
            .iter()
            .any(|path| vm.compiler.provider.host_path(path).is_file())
        || vm
            .compiler
            .provider
            .host_path(&format!("{name}.lpcb"))
            .is_file();
    if !exists {
        return Ok(Value::Int(0));
    }
    // The probe takes the name while it exists; a loaded object of that
    // name gets it back afterwards.
    let loaded = vm.objects.find(&name);
    let result = vm.load_fresh(&name);
    let destructed = match result {
        Ok(Some(probe)) => super::inventory::destruct_object(vm, probe),
        _ => Ok(()),
    };
    if let Some(r) = loaded {
        vm.objects.claim_name(&name, r);
    }
    destructed?;
    result.map(|_| Value::Int(1))
}

// ---------------------------------------------------------------------------
// Per-object flags
// ---------------------------------------------------------------------------

/// An object's light with everything inside it.
fn total_light(vm: &Vm, r: ObjRef, depth: usize) -> i64 {
    let own = vm.objext.ext(r).map_or(0, |e| e.light);
    if depth > 1000 {
        return own;
    }
    own + super::inventory::inventory(vm, r)
        .into_iter()
        .map(|o| total_light(vm, o, depth + 1))
        .sum::<i64>()
}

/// `set_light(n)`: adds `n` to the current object's light and returns the
/// total light of its outermost environment.
fn set_light(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "set_light")?;
    let Some(me) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    let ext = vm.objext.ext_mut(me);
    ext.light = ext.light.saturating_add(n);
    let mut outer = me;
    let mut steps = 0;
    while let Some(env) = super::inventory::env_of(vm, outer)
        && steps < 1000
    {
        outer = env;
        steps += 1;
    }
    Ok(Value::Int(total_light(vm, outer, 0)))
}

fn seconds_from_now(seconds: i64) -> Instant {
    Instant::now() + Duration::from_secs(seconds.max(0) as u64)
}

/// `set_reset(ob, seconds)`: when `reset()` is next due; left out, a random
/// time between half and all of `time to reset`.
fn set_reset(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = live_object(vm, base, argc, 0, "set_reset")?;
    let seconds = if argc >= 2 {
        int_arg(vm, base, argc, 1, "set_reset")?
    } else {
        let interval = vm.misc.config.int(TIME_TO_RESET).max(0);
        interval / 2 + rand::random_range(0..(interval / 2).max(1))
    };
    vm.objext.ext_mut(r).next_reset = Some(seconds_from_now(seconds));
    Ok(Value::Int(0))
}

fn defines_clean_up(vm: &Vm, r: ObjRef) -> bool {
    vm.objects
        .get(r)
        .is_some_and(|o| o.linked.resolve(0, "clean_up").is_some())
}

/// `set_clean_up(ob, seconds)`: when `clean_up()` is next asked; left out,
/// back to the rule of `time to clean up` idle seconds.
fn set_clean_up(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = live_object(vm, base, argc, 0, "set_clean_up")?;
    let at = if argc >= 2 {
        Some(seconds_from_now(int_arg(
            vm,
            base,
            argc,
            1,
            "set_clean_up",
        )?))
    } else {
        None
    };
    let will = defines_clean_up(vm, r);
    let ext = vm.objext.ext_mut(r);
    ext.next_clean_up = at;
    if will {
        ext.will_clean_up = true;
    }
    Ok(Value::Int(0))
}

/// `request_clean_up(ob)`: puts an object that defines `clean_up()` back
/// among those the driver asks.
fn request_clean_up(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = object_or_this(vm, base, argc, 0, "request_clean_up")?;
    if !vm.objects.alive(r) || !defines_clean_up(vm, r) {
        return Ok(Value::Int(0));
    }
    vm.objext.ext_mut(r).will_clean_up = true;
    Ok(Value::Int(1))
}

// ---------------------------------------------------------------------------
// Environment variables
// ---------------------------------------------------------------------------

fn listed(list: &str, name: &str) -> bool {
    !name.is_empty() && list.split(':').any(|item| item == name)
}

fn get_os_env(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "get_os_env")?;
    let name = name.text.as_str();
    let config = &vm.misc.config;
    if !listed(config.string(OS_ENV_READABLE), name)
        && !listed(config.string(OS_ENV_WRITABLE), name)
    {
        return Err(error(format!(
            "get_os_env: '{name}' is not in the 'allowed os environment variables' list."
        )));
    }
    let value = match vm.misc.env_overrides.get(name) {
        Some(set) => set.clone(),
        None => std::env::var(name).ok(),
    };
    Ok(value.map_or(Value::Undefined, Value::str))
}

/// `set_os_env(name, value)`: changes the driver's view of an environment
/// variable (without a value, unsets it). The process environment itself
/// is left alone, so nothing else in the process sees the change.
fn set_os_env(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "set_os_env")?;
    let name = name.text.to_string();
    if !listed(vm.misc.config.string(OS_ENV_WRITABLE), &name) {
        return Err(error(format!(
            "set_os_env: '{name}' is not in the 'writable os environment variables' list."
        )));
    }
    let value = match arg(vm, base, argc, 1) {
        Value::Str(s) => Some(s.text.to_string()),
        Value::Undefined if argc < 2 => None,
        other => return Err(bad_arg("set_os_env", 1, &other)),
    };
    vm.misc.env_overrides.insert(name, value);
    Ok(Value::Int(1))
}

// ---------------------------------------------------------------------------
// Performance traces
// ---------------------------------------------------------------------------

/// `trace_start(file, seconds)`: records every LPC function call and return
/// until `trace_end()` or for `seconds` (at most 300), then writes them to
/// `file` as Chrome trace events (JSON). A trace in progress is written
/// first.
fn trace_start(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let path = str_arg(vm, base, argc, 0, "trace_start")?;
    let seconds = if argc > 1 {
        int_arg(vm, base, argc, 1, "trace_start")?
    } else {
        10
    };
    if !(0..=300).contains(&seconds) {
        return Err(error("Invalid duration specified."));
    }
    let Some(checked) =
        crate::jail::check(vm, &path.text, "trace_start", crate::jail::Access::Write)?
    else {
        return Err(error(format!(
            "Permission denied for trace file: {}",
            path.text
        )));
    };
    finish_trace(vm);
    let started = Instant::now();
    vm.misc.trace = Some(Trace {
        host: checked.host,
        path: checked.mud,
        started,
        stop_at: started + Duration::from_secs(seconds as u64),
        events: Vec::new(),
        open: Vec::new(),
    });
    vm.misc.tracing = true;
    vm.misc.watch_returns = true;
    Ok(Value::Int(0))
}

fn trace_end(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    finish_trace(vm);
    Ok(Value::Int(0))
}

/// Called by the VM when a function was entered while a trace records.
#[cold]
pub fn trace_enter(vm: &mut Vm) {
    let depth = vm.frames.len();
    let Some(frame) = vm.frames.last() else {
        return;
    };
    let name: Rc<str> = match frame.linked.function(frame.func) {
        Some(f) => {
            let part = &frame.linked.parts[frame.func.part as usize];
            let line = f.lines.first().map_or(0, |l| l.line);
            Rc::from(format!("{} at {}:{line}", f.name, part.program.path))
        }
        None => Rc::from("?"),
    };
    let Some(trace) = &mut vm.misc.trace else {
        vm.misc.tracing = false;
        return;
    };
    let now = Instant::now();
    if now >= trace.stop_at || trace.events.len() >= TRACE_EVENT_LIMIT {
        finish_trace(vm);
        return;
    }
    trace.events.push(TraceEvent {
        at: now.duration_since(trace.started).as_micros(),
        begin: true,
        name: name.clone(),
    });
    trace.open.push((depth, name));
}

/// Ends the trace in progress, if any, and writes it out.
fn finish_trace(vm: &mut Vm) {
    vm.misc.tracing = false;
    vm.misc.watch_returns = !vm.misc.defers.is_empty();
    let Some(trace) = vm.misc.trace.take() else {
        return;
    };
    let pid = std::process::id();
    let mut out = String::from("[");
    for (i, e) in trace.events.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "\n{{\"pid\":{pid},\"tid\":1,\"ts\":{},\"ph\":\"{}\",\"cat\":\"LPC Function\",\"name\":{}}}",
            e.at,
            if e.begin { "B" } else { "E" },
            json_string(&e.name)
        ));
    }
    out.push_str("\n]");
    let message = match std::fs::write(&trace.host, out) {
        Ok(()) => format!(
            "Trace of {} events written to {}.",
            trace.events.len(),
            trace.path
        ),
        Err(e) => format!("Unable to write trace file {}: {e}", trace.path),
    };
    vm.debug_message(&message);
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
