//! The virtual machine: one thread owns every object, the value stack and
//! the call frames. `interp.rs` is the dispatch loop; this file holds the
//! machine's state, limits, errors and the ways into and out of LPC code.

pub mod interp;
pub mod object;
pub mod ops;
pub mod value;

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::compile::Compiler;
use object::{FnRef, Linked, ObjRef, Object, ObjectTable};
use value::{FnKind, FnPtr, Value};

/// An efun: reads its `argc` arguments from `vm.stack[base..]`, returns its value.
pub type Efun = fn(&mut Vm, usize, usize) -> Result<Value, Unwind>;

/// Every runtime limit, from the config file.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Wall time one top-level call may run; exceeding it cannot be caught.
    pub eval_time: Duration,
    pub call_depth: usize,
    pub stack_size: usize,
    pub array_size: usize,
    pub mapping_size: usize,
    pub string_length: usize,
    pub buffer_size: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            eval_time: Duration::from_secs(30),
            call_depth: 1000,
            stack_size: 65536,
            array_size: 15000,
            mapping_size: 15000,
            string_length: 200_000,
            buffer_size: 400_000,
        }
    }
}

/// Why LPC code stopped before returning.
#[derive(Debug)]
pub enum Unwind {
    /// A runtime error (`error()`, a bad operation): caught by `catch`.
    Error(Box<ErrorInfo>),
    /// `throw(value)`: caught by `catch`, which yields the value.
    Throw(Value),
    /// The evaluation cost limit: unwinds every `catch`.
    EvalCost,
    /// `shutdown(code)`.
    Shutdown(i32),
}

#[derive(Debug, Default)]
pub struct ErrorInfo {
    pub message: String,
    /// Innermost frame first: (program file, function, line).
    pub trace: Vec<(String, String, u32)>,
    /// Per entry of `trace`: the frame's object and program path.
    pub frames: Vec<(ObjRef, String)>,
}

pub fn error(message: impl Into<String>) -> Unwind {
    Unwind::Error(Box::new(ErrorInfo {
        message: message.into(),
        trace: Vec::new(),
        frames: Vec::new(),
    }))
}

/// How a frame was entered, as `origin()` and `call_stack(3)` name it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    /// The driver itself: `create()`, heart beats, master applies.
    Driver,
    /// A call of a function of the same object.
    #[default]
    Local,
    /// A call through a pointer to a named function (`(: f :)`): "local"
    /// to `origin()`, but a change of object to `previous_object()`.
    LocalPointer,
    CallOther,
    /// A simul_efun called as an efun.
    Simul,
    /// A `call_out` firing.
    Internal,
    /// An efun calling a function it was given by name (`filter`, `sort_array`).
    Efun,
    /// An efun called through a function pointer (`(: origin :)`).
    FunctionPointer,
    /// A closure (`(: $1 + 1 :)`).
    Functional,
}

impl Origin {
    pub fn name(self) -> &'static str {
        match self {
            Origin::Driver => "driver",
            Origin::Local | Origin::LocalPointer => "local",
            Origin::CallOther => "call_other",
            Origin::Simul => "simul",
            Origin::Internal => "internal",
            Origin::Efun => "efun",
            Origin::FunctionPointer => "function pointer",
            Origin::Functional => "functional",
        }
    }
}

/// One active function call.
#[derive(Clone, Debug)]
pub struct Frame {
    pub linked: Rc<Linked>,
    pub func: FnRef,
    pub pc: u32,
    /// Stack index of local 0.
    pub base: u32,
    pub obj: ObjRef,
    pub var_base: u32,
    pub argc: u8,
    pub origin: Origin,
    /// Slots under local 0 that belong to the call (the object or function
    /// value called, left in place rather than moved out from under the
    /// arguments), dropped when it returns.
    pub below: u8,
}

/// The call frames, innermost last; they read as a slice of the live ones.
/// Slots above the live frames stay filled so that a call writes its
/// frame into place: building a frame aside and moving it into a vector
/// reads back, in wide moves, fields just stored in narrow ones, which
/// stalls the processor on every call.
#[derive(Debug, Default)]
pub struct Frames {
    slots: Vec<Frame>,
    live: usize,
}

impl Frames {
    pub fn with_capacity(capacity: usize) -> Frames {
        Frames {
            slots: Vec::with_capacity(capacity),
            live: 0,
        }
    }

    #[inline(always)]
    pub fn push(&mut self, frame: Frame) {
        match self.slots.get_mut(self.live) {
            Some(slot) => *slot = frame,
            None => self.slots.push(frame),
        }
        self.live += 1;
    }

    /// Ends the frames above the first `len`. Their slots keep the
    /// programs they ran until reused, or until no frame is left.
    #[inline(always)]
    pub fn truncate(&mut self, len: usize) {
        if len >= self.live {
            return;
        }
        if len == 0 {
            self.slots.clear();
        }
        self.live = len;
    }

    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Drops the programs named by spare slots, for a count of the
    /// programs still in use.
    pub fn release_spare(&mut self) {
        self.slots.truncate(self.live);
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.live
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    #[inline(always)]
    pub fn last(&self) -> Option<&Frame> {
        self.live.checked_sub(1).and_then(|i| self.slots.get(i))
    }

    #[inline(always)]
    pub fn last_mut(&mut self) -> Option<&mut Frame> {
        self.live.checked_sub(1).and_then(|i| self.slots.get_mut(i))
    }
}

impl std::ops::Deref for Frames {
    type Target = [Frame];

    #[inline(always)]
    fn deref(&self) -> &[Frame] {
        self.slots.get(..self.live).unwrap_or_default()
    }
}

impl<'a> IntoIterator for &'a Frames {
    type Item = &'a Frame;
    type IntoIter = std::slice::Iter<'a, Frame>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::ops::DerefMut for Frames {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [Frame] {
        self.slots.get_mut(..self.live).unwrap_or_default()
    }
}

/// A `catch` in progress.
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    pub frames: usize,
    pub height: usize,
    pub pc: u32,
}

pub struct Vm {
    pub stack: Vec<Value>,
    pub frames: Frames,
    pub handlers: Vec<Handler>,
    pub objects: ObjectTable,
    pub limits: Limits,
    pub compiler: Compiler,
    pub master: Option<ObjRef>,
    pub simul_efun: Option<ObjRef>,
    /// Programs linked for loading, by path.
    pub linked: rustc_hash::FxHashMap<String, Rc<Linked>>,
    pub efuns: rustc_hash::FxHashMap<&'static str, Efun>,
    /// Steps left before the clock is read again.
    pub ticks: u32,
    pub deadline: Option<Instant>,
    /// `previous_object()` of frames entered by `call_other`, innermost last.
    pub started: Instant,
    pub debug_log: Option<std::path::PathBuf>,
    /// How many arguments the last `SpreadArgs` pushed.
    pub spread: usize,
    /// Per-object driver data: environments, uids, living flags.
    pub objext: crate::efuns::objects::ObjectsState,
    /// `this_player()`: the object whose command or input runs now.
    pub command_giver: Option<ObjRef>,
    /// Timers, connections and commands, run by the backend loop.
    pub backend: crate::backend::Backend,
    /// The natural-language parser's verbs, rules and per-object caches.
    pub parser: crate::efuns::parser::ParserState,
    /// Errors go to master `error_handler` (the `mudlib error handler`
    /// config setting).
    pub mudlib_error_handler: bool,
    /// The master's `error_handler` is running: an error in it is only
    /// printed.
    in_error_handler: bool,
    /// `replace_program` requests, applied when the running top-level
    /// call ends: the object and the part of its program to keep.
    pub pending_replace: Vec<(ObjRef, u16)>,
    /// Frames computing default arguments, which see their caller as
    /// `this_object()`: (frame depth, calling object).
    pub caller_context: Vec<(usize, ObjRef)>,
    /// Open line editor sessions.
    pub ed: crate::ed::Sessions,
    /// State of the miscellaneous efuns: deferred calls, traces, the runtime config.
    pub misc: crate::efuns::misc::MiscState,
    /// The origin the next frame entered records; `enter` resets it to
    /// `Local`, so whoever sets it must enter a frame next.
    pub next_origin: Origin,
    /// The frame depth at which an efun runs through a function pointer,
    /// where `origin()` answers "function pointer".
    pub efun_pointer_at: Option<usize>,
    /// `recompile_object` is running, which may not nest.
    pub recompiling: bool,
}

/// How many jumps and calls run between two checks of the clock.
pub const TICKS_PER_CHECK: u32 = 1 << 14;

impl Vm {
    pub fn new(compiler: Compiler, limits: Limits) -> Vm {
        Vm {
            stack: Vec::with_capacity(limits.stack_size + 64),
            frames: Frames::with_capacity(limits.call_depth + 4),
            handlers: Vec::new(),
            objects: ObjectTable::default(),
            limits,
            compiler,
            master: None,
            simul_efun: None,
            linked: Default::default(),
            efuns: crate::efuns::registry(),
            ticks: TICKS_PER_CHECK,
            deadline: None,
            started: Instant::now(),
            debug_log: None,
            spread: 0,
            objext: Default::default(),
            command_giver: None,
            backend: Default::default(),
            parser: Default::default(),
            mudlib_error_handler: true,
            in_error_handler: false,
            pending_replace: Vec::new(),
            caller_context: Vec::new(),
            ed: Default::default(),
            misc: Default::default(),
            next_origin: Origin::Local,
            efun_pointer_at: None,
            recompiling: false,
        }
    }

    /// Reads the clock; the eval cost error once past the deadline.
    pub fn check_time(&mut self) -> Result<(), Unwind> {
        self.ticks = TICKS_PER_CHECK;
        match self.deadline {
            Some(deadline) if Instant::now() > deadline => Err(Unwind::EvalCost),
            _ => Ok(()),
        }
    }

    /// Calls `name` in `obj` from outside any LPC code, with a fresh
    /// evaluation budget. `None` when the object has no such function.
    pub fn apply_top(
        &mut self,
        obj: ObjRef,
        name: &str,
        args: Vec<Value>,
    ) -> Result<Option<Value>, Unwind> {
        let outer = self.deadline;
        if outer.is_none() {
            self.deadline = Some(Instant::now() + self.limits.eval_time);
        }
        let result = self.apply(obj, name, args, false);
        if outer.is_none() {
            self.deadline = None;
            self.replace_programs();
        }
        result
    }

    /// Calls `name` in `obj`; `None` when there is no such function.
    /// `internal` also finds protected functions (driver applies, whose
    /// origin is "driver"; other calls are "call_other").
    pub fn apply(
        &mut self,
        obj: ObjRef,
        name: &str,
        args: Vec<Value>,
        internal: bool,
    ) -> Result<Option<Value>, Unwind> {
        let origin = if internal {
            Origin::Driver
        } else {
            Origin::CallOther
        };
        self.apply_from(origin, obj, name, args, internal)
    }

    /// [`Vm::apply`] with the origin the called function sees.
    pub fn apply_from(
        &mut self,
        origin: Origin,
        obj: ObjRef,
        name: &str,
        args: Vec<Value>,
        internal: bool,
    ) -> Result<Option<Value>, Unwind> {
        let Some(object) = self.objects.get(obj) else {
            return Ok(None);
        };
        if object.shadowed.is_some()
            && let Some((target, linked, fnref)) = self.resolve_shadowed(obj, name)
        {
            let argc = args.len();
            self.stack.extend(args);
            self.next_origin = origin;
            return self
                .call_function(linked, fnref, argc, target, &[])
                .map(Some);
        }
        let linked = object.linked.clone();
        let found = match linked.public.get(name) {
            Some(&r) => Some(r),
            None if internal => linked.resolve(0, name),
            None => None,
        };
        let Some(fnref) = found else { return Ok(None) };
        let argc = args.len();
        self.stack.extend(args);
        self.next_origin = origin;
        self.call_function(linked, fnref, argc, obj, &[]).map(Some)
    }

    /// Enters a function with its `argc` arguments on the stack, runs it to
    /// its return and pops the result.
    pub fn call_function(
        &mut self,
        linked: Rc<Linked>,
        fnref: FnRef,
        argc: usize,
        obj: ObjRef,
        captures: &[Value],
    ) -> Result<Value, Unwind> {
        let depth = self.frames.len();
        let height = self.stack.len() - argc;
        if let Err(e) = self.enter(linked, fnref, argc, obj, captures) {
            self.stack.truncate(height);
            return Err(e);
        }
        self.run_to_return(depth, height)
    }

    /// Runs the frame just entered above `depth` to its return value; on an
    /// error, drops its frames and stack down to `height`.
    fn run_to_return(&mut self, depth: usize, height: usize) -> Result<Value, Unwind> {
        match self.run(depth) {
            Ok(()) => Ok(self.stack.pop().unwrap_or_default()),
            Err(e) => {
                self.frames.truncate(depth);
                self.caller_context.retain(|&(d, _)| d <= depth);
                self.stack.truncate(height);
                if self.misc.watch_returns {
                    crate::efuns::misc::frames_ended(self, depth);
                }
                Err(e)
            }
        }
    }

    /// Pushes a frame for `fnref` whose `argc` arguments are on the stack:
    /// pads or trims them to the parameters, zeroes the other locals.
    #[inline]
    pub fn enter(
        &mut self,
        linked: Rc<Linked>,
        fnref: FnRef,
        argc: usize,
        obj: ObjRef,
        captures: &[Value],
    ) -> Result<(), Unwind> {
        let origin = std::mem::take(&mut self.next_origin);
        if self.frames.len() >= self.limits.call_depth {
            return Err(error("Too deep recursion."));
        }
        let Some(part) = linked.parts.get(fnref.part as usize) else {
            return Err(error("bad function reference"));
        };
        let var_base = part.var_base;
        let Some(f) = part.program.functions.get(fnref.func as usize) else {
            return Err(error("bad function reference"));
        };
        let params = f.params as usize;
        let locals = f.locals as usize;
        let rest = f.rest;
        let base = self.stack.len() - argc;
        if base + locals + 256 > self.limits.stack_size {
            return Err(error("Stack overflow"));
        }
        if argc != params || rest {
            self.adjust_arguments(base, argc, params, locals, rest, captures);
        } else {
            // A closure's captures are its last locals.
            let plain = locals.saturating_sub(captures.len()).max(params);
            for _ in params..plain {
                self.stack.push(Value::Undefined);
            }
            if !captures.is_empty() {
                self.stack.extend(captures.iter().cloned());
            }
        }
        self.frames.push(Frame {
            linked,
            func: fnref,
            pc: 0,
            base: base as u32,
            obj,
            var_base,
            argc: argc.min(255) as u8,
            origin,
            below: 0,
        });
        if self.misc.tracing {
            crate::efuns::misc::trace_enter(self);
        }
        self.ticks -= 1;
        if self.ticks == 0 {
            self.check_time()?;
        }
        Ok(())
    }

    /// The slow path of [`Vm::enter`]: missing, extra and rest arguments,
    /// and closure captures in the last locals.
    #[cold]
    fn adjust_arguments(
        &mut self,
        base: usize,
        argc: usize,
        params: usize,
        locals: usize,
        rest: bool,
        captures: &[Value],
    ) {
        if rest && params > 0 {
            let fixed = params - 1;
            if argc > fixed {
                let rest: Vec<Value> = self.stack.drain(base + fixed..).collect();
                self.stack.push(Value::array(rest));
            } else {
                self.stack.resize(base + fixed, Value::Undefined);
                self.stack.push(Value::array(Vec::new()));
            }
        } else if argc > params {
            self.stack.truncate(base + params);
        } else {
            self.stack.resize(base + params, Value::Undefined);
        }
        self.stack.resize(
            base + locals.saturating_sub(captures.len()).max(params),
            Value::Undefined,
        );
        self.stack.extend(captures.iter().cloned());
    }

    /// How a call through a function value counts for `origin()`: a closure
    /// is "functional", a pointer to a named function a local call made
    /// through a pointer.
    pub(super) fn pointer_origin(linked: &Linked, fnref: FnRef) -> Origin {
        let closure = linked
            .function(fnref)
            .is_some_and(|f| f.flags & lpcc::bytecode::flags::HIDDEN != 0);
        if closure {
            Origin::Functional
        } else {
            Origin::LocalPointer
        }
    }

    /// Calls a function value with arguments, as efuns like `filter` do.
    pub fn call_value(&mut self, f: &Value, args: &[Value]) -> Result<Value, Unwind> {
        // The common case, a closure with nothing bound, goes straight in:
        // `filter`, `map` and `sort_array` call one per element.
        if let Value::Function(fp) = f
            && fp.bound.is_empty()
            && let FnKind::Local(fnref) = fp.kind
        {
            let Some(object) = self.objects.get(fp.owner) else {
                return Err(error("Function pointer's object has been destructed"));
            };
            let linked = object.linked.clone();
            if object.program_version == fp.owner_version {
                self.next_origin = Self::pointer_origin(&linked, fnref);
                self.stack.extend(args.iter().cloned());
                return self.call_function(linked, fnref, args.len(), fp.owner, &fp.captures);
            }
        }
        self.stack.push(f.clone());
        self.stack.extend(args.iter().cloned());
        self.call_stacked_value(args.len())
    }

    /// Calls the function value under the `argc` arguments on top of the
    /// stack and returns its result, with the function and its arguments
    /// taken off the stack.
    pub fn call_stacked_value(&mut self, argc: usize) -> Result<Value, Unwind> {
        let depth = self.frames.len();
        let height = self.stack.len() - argc - 1;
        match self.prepare_call_value(argc) {
            Ok(true) => {}
            Ok(false) => return Ok(self.stack.pop().unwrap_or_default()),
            Err(e) => {
                self.stack.truncate(height);
                return Err(e);
            }
        }
        self.run_to_return(depth, height)
    }

    /// With `[f args..]` on the stack: either enters the function (true)
    /// or leaves its result in place of them (false).
    pub fn prepare_call_value(&mut self, argc: usize) -> Result<bool, Unwind> {
        let at = self.stack.len() - argc - 1;
        let Value::Function(fp) = take_from_stack(&mut self.stack, at) else {
            return Err(error("Attempt to call a value that is not a function"));
        };
        let argc = if fp.bound.is_empty() {
            argc
        } else {
            let tail: Vec<Value> = self.stack.drain(at..).collect();
            self.stack.extend(fp.bound.iter().cloned());
            self.stack.extend(tail);
            argc + fp.bound.len()
        };
        match &fp.kind {
            FnKind::Local(fnref) => {
                let Some(object) = self.objects.get(fp.owner) else {
                    return Err(error("Function pointer's object has been destructed"));
                };
                if object.program_version != fp.owner_version {
                    return Err(error(format!(
                        "Stale function pointer: owner {} was recompiled since it was created.",
                        object.name
                    )));
                }
                let linked = object.linked.clone();
                self.next_origin = Self::pointer_origin(&linked, *fnref);
                self.enter(linked, *fnref, argc, fp.owner, &fp.captures)?;
                Ok(true)
            }
            FnKind::Efun(efun) => {
                // The efun runs as its owner: `bind((: enable_commands :), ob)`
                // makes `ob` the one that enables commands.
                let depth = self.frames.len();
                let mark = self.caller_context.len();
                self.caller_context.push((depth, fp.owner));
                let outer = self.efun_pointer_at.replace(depth);
                let value = efun(self, at, argc);
                self.efun_pointer_at = outer;
                self.caller_context.truncate(mark);
                let value = value?;
                self.stack.truncate(at);
                self.stack.push(value);
                Ok(false)
            }
            FnKind::Simul(name) => {
                let Some(simul) = self.simul_efun else {
                    return Err(error(format!("No simul_efun object for {name}")));
                };
                let Some(object) = self.objects.get(simul) else {
                    return Err(error("simul_efun object destructed"));
                };
                let linked = object.linked.clone();
                let Some(&fnref) = linked.public.get(name.as_str()) else {
                    return Err(error(format!("Undefined simul_efun {name}")));
                };
                self.next_origin = Origin::Simul;
                self.enter(linked, fnref, argc, simul, &[])?;
                Ok(true)
            }
        }
    }

    /// Carries out the `replace_program` requests of the call that just
    /// ended: each object keeps only an inherited program, with the
    /// variables that program declares.
    pub fn replace_programs(&mut self) {
        for (r, part) in std::mem::take(&mut self.pending_replace) {
            let Some(object) = self.objects.get(r) else {
                continue;
            };
            let Some(kept) = object.linked.parts.get(part as usize) else {
                continue;
            };
            let program = kept.program.clone();
            let start = kept.var_base as usize;
            let count = program.var_count as usize;
            let Ok(linked) = self.link(program.clone()) else {
                continue;
            };
            self.objext.ext_mut(r).replaced_program = Some(Rc::from(program.path.as_str()));
            if let Some(object) = self.objects.get_mut(r) {
                let mut vars: Vec<Value> = object.vars.drain(..).skip(start).take(count).collect();
                vars.resize(count, Value::Undefined);
                object.vars = vars;
                object.linked = Rc::new(linked);
            }
        }
    }

    /// Returns an object to its just-loaded state: variables zeroed and
    /// initialized again, shadows gone, `create()` called.
    pub fn reload_object(&mut self, r: ObjRef) -> Result<(), Unwind> {
        let Some(object) = self.objects.get(r) else {
            return Ok(());
        };
        let linked = object.linked.clone();
        // Its shadows let go of it (they stay loaded).
        let mut at = object.shadowed;
        while let Some(s) = at {
            at = self.objects.get(s).and_then(|o| o.shadowed);
            if let Some(o) = self.objects.get_mut(s) {
                o.shadowed = None;
                o.shadowing = None;
            }
        }
        if let Some(o) = self.objects.get_mut(r) {
            o.shadowed = None;
        }
        if let Some(object) = self.objects.get_mut(r) {
            let old =
                std::mem::replace(&mut object.vars, vec![Value::Undefined; linked.var_count()]);
            drop(old);
        }
        self.initialize(r, &linked, Vec::new())
    }

    /// The driver is dying of an internal error: drops whatever was
    /// running and tells master `crash(why, 0, 0)`, as FluffOS does before
    /// it exits.
    pub fn crash(&mut self, why: &str) {
        self.frames.clear();
        self.stack.clear();
        self.handlers.clear();
        self.caller_context.clear();
        self.deadline = None;
        if let Some(master) = self.master.filter(|&m| self.objects.alive(m)) {
            let args = vec![Value::str(why), Value::Int(0), Value::Int(0)];
            self.deadline = Some(Instant::now() + self.limits.eval_time);
            // A driver apply: found even when the master declares it static.
            let result = self.apply(master, "crash", args, true);
            self.deadline = None;
            if let Err(e) = result {
                crate::boot::report(self, &e);
            }
        }
    }

    /// Hands an error to master `error_handler(info, caught)` (`caught`
    /// only when a `catch` takes it). `None` when there is no handler to
    /// call; else what it returned.
    pub fn call_error_handler(&mut self, info: &ErrorInfo, caught: bool) -> Option<Value> {
        if !self.mudlib_error_handler || self.in_error_handler {
            return None;
        }
        let master = self.master.filter(|&m| self.objects.alive(m))?;
        // Too deep a stack leaves no room to run the handler.
        if self.frames.len() + 16 > self.limits.call_depth {
            return None;
        }
        let mut args = vec![error_mapping(info)];
        if caught {
            args.push(Value::Int(1));
        }
        self.in_error_handler = true;
        let result = self.apply(master, "error_handler", args, true);
        self.in_error_handler = false;
        match result {
            Ok(v) => v,
            Err(e) => {
                let text = match &e {
                    Unwind::Error(inner) => format!("*{}", inner.message),
                    Unwind::Throw(_) => "*throw from the error handler".to_string(),
                    Unwind::EvalCost => "*Too long evaluation. Execution aborted.".to_string(),
                    Unwind::Shutdown(_) => return Some(Value::Int(0)),
                };
                self.debug_message(&format!("Error in error handler: {}", text.trim_end()));
                Some(Value::Int(0))
            }
        }
    }

    /// Reports an error no `catch` took to the master's `error_handler`;
    /// false when there is none, so the caller prints it.
    pub fn report_uncaught(&mut self, info: &ErrorInfo) -> bool {
        match self.call_error_handler(info, false) {
            None => false,
            Some(Value::Str(text)) => {
                self.debug_message(text.text.trim_end_matches('\n'));
                true
            }
            Some(_) => true,
        }
    }

    /// The object running now.
    pub fn this_object(&self) -> Option<ObjRef> {
        if let Some(&(depth, caller)) = self.caller_context.last()
            && depth == self.frames.len()
        {
            return Some(caller);
        }
        self.frames.last().map(|f| f.obj)
    }

    /// The object `n` call_others up (`previous_object(n)`). A call into
    /// another object counts, and so does a call_other, apply or
    /// simul_efun call into the calling object itself: inside
    /// `this_object()->f()`, `previous_object()` is `this_object()`. A call
    /// through a function pointer always counts, with the object that made
    /// the call as the previous one, and so does the efun running now when
    /// it was called through a pointer.
    pub fn previous_object(&self, n: usize) -> Option<ObjRef> {
        let mut seen = 0;
        if self.efun_pointer_at == Some(self.frames.len()) {
            let evaluator = self.frames.last().map(|f| f.obj);
            if n == 0 {
                return evaluator;
            }
            seen = 1;
        }
        for pair in self.frames.windows(2).rev() {
            let [caller, callee] = pair else { continue };
            let entered = matches!(
                callee.origin,
                Origin::CallOther
                    | Origin::Driver
                    | Origin::Efun
                    | Origin::Simul
                    | Origin::LocalPointer
                    | Origin::Functional
            );
            if callee.obj != caller.obj || entered {
                if seen == n {
                    return Some(caller.obj);
                }
                seen += 1;
            }
        }
        None
    }

    /// An error with the current call stack as its trace.
    pub fn traced(&self, mut e: Unwind, pc: Option<u32>) -> Unwind {
        if let Unwind::Error(info) = &mut e
            && info.trace.is_empty()
        {
            for (i, frame) in self.frames.iter().enumerate().rev() {
                let pc = if i + 1 == self.frames.len() {
                    pc.unwrap_or(frame.pc)
                } else {
                    frame.pc
                };
                let f = frame.linked.function(frame.func);
                let part = &frame.linked.parts[frame.func.part as usize];
                let at = f.and_then(|f| f.line_at(pc.saturating_sub(1) as usize));
                let file = at
                    .and_then(|e| part.program.files.get(e.file as usize).cloned())
                    .unwrap_or_else(|| part.program.path.clone());
                let name = f.map_or(String::new(), |f| f.name.to_string());
                info.trace.push((file, name, at.map_or(0, |e| e.line)));
                info.frames.push((frame.obj, part.program.path.clone()));
            }
        }
        e
    }

    /// `call_other` on an array: calls `name` in each object, or object
    /// named by a string (loaded when needed); the results in order, 0 for
    /// an element that is no object or lacks the function.
    pub fn call_other_each(
        &mut self,
        targets: &[Value],
        name: &str,
        args: &[Value],
    ) -> Result<Value, Unwind> {
        let mut results = Vec::with_capacity(targets.len());
        for target in targets {
            let r = match target {
                Value::Object(r) => Some(*r),
                Value::Str(s) => Some(self.find_or_load(&s.text)?),
                _ => None,
            };
            let result = match r.filter(|&r| self.objects.alive(r)) {
                Some(r) => self.apply(r, name, args.to_vec(), false)?,
                None => None,
            };
            results.push(result.unwrap_or(Value::Int(0)));
        }
        Ok(Value::array(results))
    }

    /// The object named `name`, loading it if needed.
    pub fn find_or_load(&mut self, name: &str) -> Result<ObjRef, Unwind> {
        let name = object_name(name);
        if let Some(r) = self.objects.find(&name) {
            return Ok(r);
        }
        self.load_object(&name)
    }

    /// The linked program of the object `path` names: a loaded object's
    /// own, else the compiled file, relinked when its source changed.
    /// `path` may spell out the extension, which then must match the
    /// file. `None` when no such file exists.
    fn linked_program(&mut self, path: &str) -> Result<Option<Rc<Linked>>, Unwind> {
        let name = object_name(path);
        let name = name.as_str();
        if let Some(r) = self.objects.find(name)
            && let Some(object) = self.objects.get(r)
        {
            return Ok(Some(object.linked.clone()));
        }
        let program = match self.compile(path) {
            Ok(p) => p,
            Err(failure) if failure.not_found => return Ok(None),
            Err(failure) => {
                self.report_compile_error(&failure);
                return Err(error(format!("Failed to load file: {name}")));
            }
        };
        // Every inherited file is a loaded object too, as in FluffOS, which
        // loads an inherited file before it compiles the heir.
        for decl in &program.inherits {
            let parent = object_name(&decl.path);
            if parent != name && self.objects.find(&parent).is_none() {
                self.try_load(&parent)?;
            }
        }
        if let Some(l) = self.linked.get(name)
            && l.parts
                .first()
                .is_some_and(|p| Arc::ptr_eq(&p.program, &program))
        {
            return Ok(Some(l.clone()));
        }
        let linked = Rc::new(self.link(program)?);
        self.linked.insert(name.to_string(), linked.clone());
        Ok(Some(linked))
    }

    /// Compiles the file `name` (`/std/room`, `/std/room.c`), asking the
    /// master its compile-time applies.
    pub fn compile(
        &mut self,
        name: &str,
    ) -> Result<Arc<lpcc::bytecode::Program>, crate::compile::CompileFailure> {
        // The compiler steps aside while it compiles, so the master can be
        // asked its compile-time applies.
        let stand_in = self.compiler.stand_in();
        let mut compiler = std::mem::replace(&mut self.compiler, stand_in);
        let compiled = compiler.compile_with(name, &mut MasterHooks { vm: self });
        self.compiler = compiler;
        compiled
    }

    /// Links a compiled program against its compiled inherits and the efuns.
    pub fn link(&self, program: Arc<lpcc::bytecode::Program>) -> Result<Linked, Unwind> {
        let efuns = &self.efuns;
        let compiler = &self.compiler;
        object::link(program, &|path| compiler.program(path), &|n| {
            efuns.get(n).copied()
        })
        .map_err(error)
    }

    pub fn report_compile_error(&mut self, failure: &crate::compile::CompileFailure) {
        let master = self.master;
        for (file, message) in &failure.messages {
            let handled = match master {
                Some(m) => matches!(
                    self.apply(
                        m,
                        "log_error",
                        vec![Value::str(file.clone()), Value::str(message.clone())],
                        true
                    ),
                    Ok(Some(_))
                ),
                None => false,
            };
            if !handled {
                eprint!("{message}");
            }
        }
    }

    /// Compiles and creates the object `name` (no `.c`).
    pub fn load_object(&mut self, name: &str) -> Result<ObjRef, Unwind> {
        match self.try_load(name)? {
            Some(r) => Ok(r),
            None => Err(error(format!("Failed to load file: {name}"))),
        }
    }

    /// A new object of the program `name`, even when an object of that
    /// name is loaded already (`test_load`); `None` without such a file.
    pub fn load_fresh(&mut self, name: &str) -> Result<Option<ObjRef>, Unwind> {
        let Some(linked) = self.linked_program(name)? else {
            return Ok(None);
        };
        let r = self.insert_object(Rc::from(name), linked.clone());
        self.initialize(r, &linked, Vec::new())?;
        Ok(Some(r))
    }

    /// Loads the object `path` names: an extension in it must match the
    /// file's, else `.lpc` is tried before `.c`. When no such file exists,
    /// asks the master's `compile_object` for a virtual object. `None`
    /// when neither gives one.
    pub fn try_load(&mut self, path: &str) -> Result<Option<ObjRef>, Unwind> {
        let name = object_name(path);
        let name = name.as_str();
        if let Some(r) = self.objects.find(name) {
            return Ok(Some(r));
        }
        match self.linked_program(path)? {
            // Loading an inherited file may have loaded this one.
            Some(_) if self.objects.find(name).is_some() => Ok(self.objects.find(name)),
            Some(linked) => {
                crate::metrics::OBJECTS_LOADED.bump();
                let r = self.insert_object(Rc::from(name), linked.clone());
                // The master may refuse a loaded object before it runs.
                if let Some(master) = self.master.filter(|&m| self.objects.alive(m)) {
                    let verdict = self.apply(master, "valid_object", vec![Value::Object(r)], true);
                    let refused = match verdict {
                        Ok(v) => v.is_some_and(|v| !v.truthy()),
                        Err(e) => {
                            self.destruct(r);
                            return Err(e);
                        }
                    };
                    if refused {
                        self.destruct(r);
                        return Err(error(format!(
                            "master object: valid_object() denied permission to load '{name}'."
                        )));
                    }
                }
                self.note_spelling(&linked);
                self.initialize(r, &linked, Vec::new())?;
                Ok(Some(r))
            }
            None => self.load_virtual(name, None),
        }
    }

    /// Lets the other spelling (`.c`, `.lpc`) of a loaded object's source
    /// name that source while the object exists.
    fn note_spelling(&mut self, linked: &Linked) {
        let Some(path) = linked.parts.first().map(|p| &p.program.path) else {
            return;
        };
        let other = match (path.strip_suffix(".lpc"), path.strip_suffix(".c")) {
            (Some(stem), _) => format!("{stem}.c"),
            (None, Some(stem)) => format!("{stem}.lpc"),
            (None, None) => return,
        };
        self.compiler
            .provider
            .loaded_spellings
            .insert(other, path.clone());
    }

    /// A virtual object from master `compile_object(name, clone, args)`,
    /// renamed to `name` (or a clone name of it).
    fn load_virtual(
        &mut self,
        name: &str,
        clone_args: Option<Vec<Value>>,
    ) -> Result<Option<ObjRef>, Unwind> {
        let Some(master) = self.master.filter(|&m| self.objects.alive(m)) else {
            return Ok(None);
        };
        let mut args = vec![
            Value::str(name),
            Value::Int(i64::from(clone_args.is_some())),
        ];
        if let Some(extra) = clone_args.as_ref().filter(|a| !a.is_empty()) {
            args.push(Value::array(extra.clone()));
        }
        let Some(Value::Object(r)) = self.apply(master, "compile_object", args, true)? else {
            return Ok(None);
        };
        if !self.objects.alive(r) {
            return Ok(None);
        }
        let new_name: Rc<str> = if clone_args.is_some() {
            Rc::from(format!("{name}#{}", self.objects.next_clone()))
        } else {
            if self.objects.find(name).is_some_and(|other| other != r) {
                self.destruct(r);
                return Err(error(format!(
                    "Virtual object name duplicates an existing object name: '{name}'."
                )));
            }
            Rc::from(name)
        };
        self.objects.rename(r, new_name);
        self.objext.ext_mut(r).virtual_object = true;
        crate::efuns::objects::on_virtual_rename(self, r)?;
        // The object learns it now stands for `name`.
        self.apply(r, "virtual_start", Vec::new(), true)?;
        Ok(Some(r))
    }

    pub fn clone_object(&mut self, name: &str, args: Vec<Value>) -> Result<ObjRef, Unwind> {
        let name = object_name(name);
        // Clones share the program last loaded under the name, as FluffOS
        // clones share their blueprint's: loading the object anew is what
        // picks up a changed source.
        let linked = match self.linked.get(&name) {
            Some(l) => Some(l.clone()),
            None => self.linked_program(&name)?,
        };
        // Clones of a virtual object come from the master's
        // `compile_object` too, once the blueprint itself exists.
        let blueprint = match &linked {
            Some(_) => self.objects.find(&name),
            None => match self.try_load(&name)? {
                Some(b) => Some(b),
                None => return Err(error(format!("Failed to load file: {name}"))),
            },
        };
        let is_virtual =
            blueprint.is_some_and(|b| self.objext.ext(b).is_some_and(|e| e.virtual_object));
        let linked = match linked {
            Some(linked) if !is_virtual => linked,
            _ => {
                return match self.load_virtual(&name, Some(args))? {
                    Some(r) => Ok(r),
                    None => Err(error(format!("Failed to load file: {name}"))),
                };
            }
        };
        let number = self.objects.next_clone();
        let clone_name: Rc<str> = Rc::from(format!("{name}#{number}"));
        self.instantiate_with(clone_name, linked, args)
    }

    fn instantiate_with(
        &mut self,
        name: Rc<str>,
        linked: Rc<Linked>,
        args: Vec<Value>,
    ) -> Result<ObjRef, Unwind> {
        let r = self.insert_object(name, linked.clone());
        self.initialize(r, &linked, args)?;
        Ok(r)
    }

    /// A new object of `linked` with every variable undefined.
    fn insert_object(&mut self, name: Rc<str>, linked: Rc<Linked>) -> ObjRef {
        let vars = vec![Value::Undefined; linked.var_count()];
        self.objects.insert(Object {
            name,
            linked,
            vars,
            shadowed: None,
            shadowing: None,
            notify_destruct: false,
            program_version: 0,
        })
    }

    /// Runs the variable initializers and `create(args)` of a new object.
    fn initialize(
        &mut self,
        r: ObjRef,
        linked: &Rc<Linked>,
        args: Vec<Value>,
    ) -> Result<(), Unwind> {
        // `this_player()` is the same after a load or clone as before it,
        // even when `create()` calls `enable_commands()`.
        let giver = self.command_giver;
        let result = self.run_initializers(r, linked, args);
        self.command_giver = giver;
        result
    }

    fn run_initializers(
        &mut self,
        r: ObjRef,
        linked: &Rc<Linked>,
        args: Vec<Value>,
    ) -> Result<(), Unwind> {
        crate::efuns::objects::on_create(self, r)?;
        self.initialize_variables(r, linked)?;
        if let Some(fnref) = linked.resolve(0, "create") {
            let argc = args.len();
            self.stack.extend(args);
            self.next_origin = Origin::Driver;
            self.call_function(linked.clone(), fnref, argc, r, &[])?;
        }
        Ok(())
    }

    /// Runs the global variable initializers of `r`, whose program is `linked`.
    pub fn initialize_variables(&mut self, r: ObjRef, linked: &Rc<Linked>) -> Result<(), Unwind> {
        // Initializers run deepest inherit first, as their variables come first in FluffOS.
        for (i, part) in linked.parts.iter().enumerate().rev() {
            if let Some(init) = part.program.init {
                let fnref = FnRef {
                    part: i as u16,
                    func: init,
                };
                self.next_origin = Origin::Driver;
                self.call_function(linked.clone(), fnref, 0, r, &[])?;
            }
        }
        Ok(())
    }

    /// Where a call of `name` in the shadowed object `ob` lands: the
    /// outermost shadow that defines it (never the caller itself, so a
    /// shadow can pass a call on), else `ob`.
    pub fn resolve_shadowed(&self, ob: ObjRef, name: &str) -> Option<(ObjRef, Rc<Linked>, FnRef)> {
        let caller = self.this_object();
        let mut at = ob;
        while let Some(next) = self.objects.get(at).and_then(|o| o.shadowed) {
            if Some(next) == caller || !self.objects.alive(next) {
                break;
            }
            at = next;
        }
        loop {
            let object = self.objects.get(at)?;
            if let Some(&fnref) = object.linked.public.get(name) {
                return Some((at, object.linked.clone(), fnref));
            }
            at = object.shadowing?;
        }
    }

    /// Destructs an object: its handles go stale and its variables are
    /// freed. Destructing a shadowed object destructs its shadows too; a
    /// shadow leaves its chain.
    pub fn destruct(&mut self, r: ObjRef) {
        let Some(object) = self.objects.get(r) else {
            return;
        };
        if object.notify_destruct {
            if let Some(o) = self.objects.get_mut(r) {
                o.notify_destruct = false;
            }
            // The object goes whatever its on_destruct() does; an error
            // there is reported like any other no catch took.
            if let Err(e) = self.apply(r, "on_destruct", Vec::new(), true) {
                crate::boot::report(self, &e);
            }
        }
        let Some(object) = self.objects.get(r) else {
            return;
        };
        let (shadowed, shadowing) = (object.shadowed, object.shadowing);
        if shadowed.is_some() && shadowing.is_none() {
            // The shadows go first, outermost first, then the object itself.
            let mut chain = Vec::new();
            let mut at = shadowed;
            while let Some(s) = at.filter(|s| !chain.contains(s)) {
                chain.push(s);
                at = self.objects.get(s).and_then(|o| o.shadowed);
            }
            for &s in &chain {
                if let Some(o) = self.objects.get_mut(s) {
                    o.shadowed = None;
                    o.shadowing = None;
                }
            }
            if let Some(o) = self.objects.get_mut(r) {
                o.shadowed = None;
            }
            for s in chain.into_iter().rev() {
                self.destruct(s);
            }
        } else {
            if let Some(inner) = shadowing
                && let Some(o) = self.objects.get_mut(inner)
            {
                o.shadowed = shadowed;
            }
            if let Some(outer) = shadowed
                && let Some(o) = self.objects.get_mut(outer)
            {
                o.shadowing = shadowing;
            }
        }
        if let Some(name) = self.objects.get(r).map(|o| o.name.clone())
            && !name.contains('#')
        {
            self.compiler
                .provider
                .loaded_spellings
                .retain(|_, source| object_name(source) != *name);
        }
        crate::ed::on_destruct(self, r);
        crate::efuns::objects::on_destruct(self, r);
        let removed = self.objects.remove(r);
        if removed.is_some() {
            self.backend.forget(r);
            if self.command_giver == Some(r) {
                self.command_giver = None;
            }
        }
        drop(removed);
    }

    /// Writes a line to stdout and the debug log.
    pub fn debug_message(&mut self, text: &str) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
        if let Some(path) = &self.debug_log
            && let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
        {
            let _ = writeln!(f, "{text}");
        }
    }

    /// A function value of kind `kind` owned by the running object.
    pub fn make_fn(&self, kind: FnKind, bound: Vec<Value>, captures: Vec<Value>) -> Value {
        // The running frame's object, whose program the function is of.
        let owner = self
            .frames
            .last()
            .map(|f| f.obj)
            .unwrap_or(ObjRef::new(u32::MAX, 0));
        Value::Function(Rc::new(FnPtr {
            owner,
            kind,
            bound,
            captures,
            owner_version: self.program_version(owner),
        }))
    }

    /// How many times `r` was given a new program by `recompile_object`.
    pub fn program_version(&self, r: ObjRef) -> u32 {
        self.objects.get(r).map_or(0, |o| o.program_version)
    }

    pub fn object_name(&self, r: ObjRef) -> Option<Rc<str>> {
        self.objects.get(r).map(|o| o.name.clone())
    }
}

/// The master's compile-time applies, asked while a file compiles.
struct MasterHooks<'v> {
    vm: &'v mut Vm,
}

/// What the master answered to `include_file` or `inherit_program`.
enum MasterText {
    /// No master, no such apply, an error in it, or 0 from a master
    /// without an opinion: the usual lookup.
    Default,
    Path(String),
    /// The lines of an array of strings, each ended by a newline.
    Text(String),
    /// An array holding something other than strings.
    NotStrings,
    Refused,
}

impl MasterHooks<'_> {
    fn master(&self) -> Option<ObjRef> {
        self.vm.master.filter(|&m| self.vm.objects.alive(m))
    }

    /// Calls a compile-time apply whose answer is a path, an array of
    /// source lines, or anything else for a refusal.
    fn compile_apply(&mut self, apply: &str, args: Vec<Value>) -> MasterText {
        let Some(master) = self.master() else {
            return MasterText::Default;
        };
        match self.vm.apply(master, apply, args, true) {
            Ok(None) | Err(_) => MasterText::Default,
            Ok(Some(Value::Str(s))) => MasterText::Path(s.text.to_string()),
            Ok(Some(Value::Array(lines))) => {
                let mut text = String::new();
                for line in lines.borrow().iter() {
                    let Value::Str(s) = line else {
                        return MasterText::NotStrings;
                    };
                    text.push_str(&s.text);
                    text.push('\n');
                }
                MasterText::Text(text)
            }
            Ok(Some(_)) => MasterText::Refused,
        }
    }
}

impl crate::compile::CompileHooks for MasterHooks<'_> {
    fn include_path(&mut self, file: &str) -> Option<Vec<String>> {
        let master = self.master()?;
        let result = self
            .vm
            .apply(master, "get_include_path", vec![Value::str(file)], true);
        let Ok(Some(Value::Array(dirs))) = result else {
            return None;
        };
        let dirs = dirs
            .borrow()
            .iter()
            .filter_map(|d| match d {
                Value::Str(s) => Some(s.text.to_string()),
                _ => None,
            })
            .collect();
        Some(dirs)
    }

    fn include_file(
        &mut self,
        compiled: &str,
        from: &str,
        path: &str,
    ) -> lpcc::preprocess::IncludeAnswer {
        use lpcc::preprocess::IncludeAnswer;
        let args = vec![Value::str(compiled), Value::str(from), Value::str(path)];
        match self.compile_apply("include_file", args) {
            MasterText::Default => IncludeAnswer::Default,
            MasterText::Path(p) => IncludeAnswer::Path(p),
            MasterText::Text(t) => IncludeAnswer::Text(t),
            MasterText::NotStrings => IncludeAnswer::Refuse(format!(
                "master::include_file: content for '{path}' must be an array of strings"
            )),
            MasterText::Refused => IncludeAnswer::Refuse(format!(
                "#include of '{path}' denied by master::include_file"
            )),
        }
    }

    fn inherit_program(
        &mut self,
        from: &str,
        path: &str,
        private: bool,
    ) -> crate::compile::InheritAnswer {
        use crate::compile::InheritAnswer;
        let args = vec![
            Value::str(from),
            Value::str(path),
            Value::Int(i64::from(private)),
        ];
        match self.compile_apply("inherit_program", args) {
            MasterText::Default => InheritAnswer::Default,
            MasterText::Path(p) => InheritAnswer::Path(p),
            MasterText::Text(t) => InheritAnswer::Source(t),
            MasterText::NotStrings => InheritAnswer::Refuse(format!(
                "master::inherit_program: source for '{path}' must be an array of strings"
            )),
            MasterText::Refused => InheritAnswer::Refuse(format!(
                "Inheritance of '{path}' denied by master::inherit_program"
            )),
        }
    }

    fn is_loaded(&mut self, name: &str) -> bool {
        self.vm.objects.find(&object_name(name)).is_some()
    }

    fn warning(&mut self, file: &str, message: &str) {
        if let Some(master) = self.master() {
            let args = vec![Value::str(file), Value::str(message)];
            // A master without `log_error`, or one that fails in it, only
            // loses the warning.
            let _ = self.vm.apply(master, "log_error", args, true);
        }
    }

    fn valid_override(&mut self, file: &str, name: &str, main: &str) -> bool {
        let Some(master) = self.master() else {
            return true;
        };
        let args = vec![Value::str(file), Value::str(name), Value::str(main)];
        match self.vm.apply(master, "valid_override", args, true) {
            // A master without the apply allows every override.
            Ok(None) => true,
            Ok(Some(v)) => v.truthy(),
            Err(_) => false,
        }
    }
}

/// The mapping master `error_handler` gets: the error, where it happened
/// and the call trace, outermost frame first.
fn error_mapping(info: &ErrorInfo) -> Value {
    let entry = |pairs: Vec<(&str, Value)>| {
        let m = ops::new_mapping(pairs.len());
        if let Value::Mapping(map) = &m {
            let mut map = map.borrow_mut();
            for (k, v) in pairs {
                map.insert(Value::str(k), v);
            }
        }
        m
    };
    let frame = |i: usize| {
        let (file, function, line) = info.trace.get(i).cloned().unwrap_or_default();
        let (obj, program) = info.frames.get(i).cloned().unzip();
        (file, function, line, obj, program.unwrap_or_default())
    };
    let trace = (0..info.trace.len())
        .rev()
        .map(|i| {
            let (file, function, line, obj, program) = frame(i);
            let mut pairs = vec![
                ("function", Value::str(function)),
                ("program", Value::str(program)),
                ("file", Value::str(file)),
                ("line", Value::Int(i64::from(line))),
            ];
            if let Some(obj) = obj {
                pairs.push(("object", Value::Object(obj)));
            }
            entry(pairs)
        })
        .collect();
    let mut pairs = vec![
        (
            "error",
            Value::str(format!("*{}\n", info.message.trim_end_matches('\n'))),
        ),
        ("trace", Value::array(trace)),
    ];
    if !info.trace.is_empty() {
        let (file, _, line, obj, program) = frame(0);
        pairs.push(("program", Value::str(program)));
        pairs.push(("file", Value::str(file)));
        pairs.push(("line", Value::Int(i64::from(line))));
        if let Some(obj) = obj {
            pairs.push(("object", Value::Object(obj)));
        }
    }
    entry(pairs)
}

/// An object's name from a path: leading `/`, no `.c` or `.lpc`.
pub fn object_name(path: &str) -> String {
    let path = lpcc::source::normalize_path(path);
    let path = path
        .strip_suffix(".c")
        .or_else(|| path.strip_suffix(".lpc"))
        .unwrap_or(&path);
    path.to_string()
}

/// Takes the value at `at` out of the stack, moving the ones above it down.
/// The few arguments above a called value trade places with it one by one,
/// cheaper than the general move of `Vec::remove`.
#[inline]
pub fn take_from_stack(stack: &mut Vec<Value>, at: usize) -> Value {
    let len = stack.len();
    if at >= len || len - at > 4 {
        return stack.remove(at);
    }
    for i in at + 1..len {
        stack.swap(i - 1, i);
    }
    stack.pop().unwrap_or_default()
}
