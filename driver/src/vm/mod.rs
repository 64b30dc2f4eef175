//! The virtual machine: one thread owns every object, the value stack and
//! the call frames. `interp.rs` is the dispatch loop; this file holds the
//! machine's state, limits, errors and the ways into and out of LPC code.

pub mod interp;
pub mod object;
pub mod ops;
pub mod value;

use std::rc::Rc;
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
}

pub fn error(message: impl Into<String>) -> Unwind {
    Unwind::Error(Box::new(ErrorInfo {
        message: message.into(),
        trace: Vec::new(),
    }))
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
    pub frames: Vec<Frame>,
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
    /// State of the miscellaneous efuns: deferred calls, traces, the runtime config.
    pub misc: crate::efuns::misc::MiscState,
}

/// How many jumps and calls run between two checks of the clock.
pub const TICKS_PER_CHECK: u32 = 1 << 14;

impl Vm {
    pub fn new(compiler: Compiler, limits: Limits) -> Vm {
        Vm {
            stack: Vec::with_capacity(limits.stack_size + 64),
            frames: Vec::with_capacity(limits.call_depth + 4),
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
            misc: Default::default(),
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
        }
        result
    }

    /// Calls `name` in `obj`; `None` when there is no such function.
    /// `internal` also finds protected functions (driver applies).
    pub fn apply(
        &mut self,
        obj: ObjRef,
        name: &str,
        args: Vec<Value>,
        internal: bool,
    ) -> Result<Option<Value>, Unwind> {
        let Some(object) = self.objects.get(obj) else {
            return Ok(None);
        };
        let linked = object.linked.clone();
        let found = match linked.public.get(name) {
            Some(&r) => Some(r),
            None if internal => linked.resolve(0, name),
            None => None,
        };
        let Some(fnref) = found else { return Ok(None) };
        let argc = args.len();
        self.stack.extend(args);
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
        if argc != params || rest || !captures.is_empty() {
            self.adjust_arguments(base, argc, params, locals, rest, captures);
        } else {
            for _ in params..locals {
                self.stack.push(Value::Undefined);
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

    /// Calls a function value with arguments, as efuns like `filter` do.
    pub fn call_value(&mut self, f: &Value, args: &[Value]) -> Result<Value, Unwind> {
        self.stack.push(f.clone());
        self.stack.extend(args.iter().cloned());
        let depth = self.frames.len();
        let height = self.stack.len() - args.len() - 1;
        match self.prepare_call_value(args.len()) {
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
        let Value::Function(fp) = std::mem::take(&mut self.stack[at]) else {
            return Err(error("Attempt to call a value that is not a function"));
        };
        self.stack.remove(at);
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
                let linked = object.linked.clone();
                self.enter(linked, *fnref, argc, fp.owner, &fp.captures)?;
                Ok(true)
            }
            FnKind::Efun(efun) => {
                let value = efun(self, at, argc)?;
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
                self.enter(linked, fnref, argc, simul, &[])?;
                Ok(true)
            }
        }
    }

    /// The object running now.
    pub fn this_object(&self) -> Option<ObjRef> {
        self.frames.last().map(|f| f.obj)
    }

    /// The object `n` call_others up (`previous_object(n)`).
    pub fn previous_object(&self, n: usize) -> Option<ObjRef> {
        let mut current = self.frames.last()?.obj;
        let mut seen = 0;
        for frame in self.frames.iter().rev() {
            if frame.obj != current {
                if seen == n {
                    return Some(frame.obj);
                }
                seen += 1;
                current = frame.obj;
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
            }
        }
        e
    }

    /// The object named `name`, loading it if needed.
    pub fn find_or_load(&mut self, name: &str) -> Result<ObjRef, Unwind> {
        let name = object_name(name);
        if let Some(r) = self.objects.find(&name) {
            return Ok(r);
        }
        self.load_object(&name)
    }

    fn linked_program(&mut self, name: &str) -> Result<Rc<Linked>, Unwind> {
        if let Some(l) = self.linked.get(name) {
            return Ok(l.clone());
        }
        let program = match self.compiler.compile(name) {
            Ok(p) => p,
            Err(failure) => {
                self.report_compile_error(&failure);
                return Err(error(format!("Failed to load file: {name}")));
            }
        };
        let efuns = &self.efuns;
        let compiler = &self.compiler;
        let linked = object::link(program, &|path| compiler.program(path), &|n| {
            efuns.get(n).copied()
        })
        .map_err(error)?;
        let linked = Rc::new(linked);
        self.linked.insert(name.to_string(), linked.clone());
        Ok(linked)
    }

    fn report_compile_error(&mut self, failure: &crate::compile::CompileFailure) {
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
        let linked = self.linked_program(name)?;
        let r = self.instantiate(Rc::from(name), linked)?;
        Ok(r)
    }

    pub fn clone_object(&mut self, name: &str, args: Vec<Value>) -> Result<ObjRef, Unwind> {
        let name = object_name(name);
        let linked = self.linked_program(&name)?;
        let number = self.objects.next_clone();
        let clone_name: Rc<str> = Rc::from(format!("{name}#{number}"));
        self.instantiate_with(clone_name, linked, args)
    }

    fn instantiate(&mut self, name: Rc<str>, linked: Rc<Linked>) -> Result<ObjRef, Unwind> {
        self.instantiate_with(name, linked, Vec::new())
    }

    fn instantiate_with(
        &mut self,
        name: Rc<str>,
        linked: Rc<Linked>,
        args: Vec<Value>,
    ) -> Result<ObjRef, Unwind> {
        let vars = vec![Value::Undefined; linked.var_count()];
        let r = self.objects.insert(Object {
            name,
            linked: linked.clone(),
            vars,
        });
        crate::efuns::objects::on_create(self, r)?;
        // Initializers run deepest inherit first, as their variables come first in FluffOS.
        for (i, part) in linked.parts.iter().enumerate().rev() {
            if let Some(init) = part.program.init {
                let fnref = FnRef {
                    part: i as u16,
                    func: init,
                };
                self.call_function(linked.clone(), fnref, 0, r, &[])?;
            }
        }
        if let Some(fnref) = linked.resolve(0, "create") {
            let argc = args.len();
            self.stack.extend(args);
            self.call_function(linked, fnref, argc, r, &[])?;
        }
        Ok(r)
    }

    pub fn destruct(&mut self, r: ObjRef) {
        crate::efuns::objects::on_destruct(self, r);
        let removed = self.objects.remove(r);
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
        let owner = self.this_object().unwrap_or(ObjRef {
            index: u32::MAX,
            generation: 0,
        });
        Value::Function(Rc::new(FnPtr {
            owner,
            kind,
            bound,
            captures,
        }))
    }

    pub fn object_name(&self, r: ObjRef) -> Option<Rc<str>> {
        self.objects.get(r).map(|o| o.name.clone())
    }
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
