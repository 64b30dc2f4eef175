//! The external package: helper programs the config lists as
//! `external_cmd_N`, started by `external_start` without a shell, with a
//! cleared environment, a working directory inside the mudlib, resource
//! limits, a wall-time limit and a cap on output waiting for LPC. The
//! process runs on plain threads (one writes its input, one reads its
//! output, one waits for its end); they talk to the VM thread only through
//! `asyncwork`, so the VM thread never blocks on the process.
//!
//! Resource limits are applied with `prlimit(2)` on the child's pid right
//! after it is spawned. The workspace forbids `unsafe`, which rules out a
//! `pre_exec` hook; a wrapper program would have to be found and trusted at
//! run time. The cost is a window of microseconds in which the program runs
//! unlimited; CPU time used in it still counts against the limit.
//!
//! Each process leads its own process group. When the wall time runs out
//! the whole group is killed, and when the program ends whatever it left
//! running in its group is killed too, so nothing outlives its limits.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use lpcc::config::ConfigFile;
use rustc_hash::FxHashMap;
use rustix::process::{Pid, Resource, Rlimit, Signal, WaitId, WaitIdOptions};

use super::{arg, bad_arg, int_arg};
use crate::asyncwork::{self, Id, Notifier};
use crate::vm::value::{Value, ValueMap};
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("external_start", external_start);
    m.insert("external_write_process", external_write_process);
    m.insert("external_read_process", external_read_process);
    m.insert("external_kill", external_kill);
    m.insert("external_status", external_status);
}

/// The socket error codes FluffOS's external_start returns.
const EESOCKET: i64 = -1;
const EEBADF: i64 = -6;
const EESECURITY: i64 = -7;
/// Returned by `external_write_process` when the input queue is full.
const EEWOULDBLOCK: i64 = -4;

/// Which of an operation's callbacks is which.
const READ: usize = 0;
const WRITE: usize = 1;
const CLOSE: usize = 2;

/// How often a waiter thread looks at its process.
const POLL: Duration = Duration::from_millis(20);
/// How long output may keep flowing after the program ended before the
/// end is reported anyway (a process outside its group may hold the pipe).
const DRAIN_GRACE: Duration = Duration::from_secs(1);
/// How many ended processes keep their status for `external_status`.
const KEEP_ENDED: usize = 64;
/// The most read from the output pipe at once.
const CHUNK: usize = 8192;

/// The package's config keys, read at boot.
#[derive(Clone, Debug)]
pub struct Config {
    /// `external_cmd_N : /path/to/program` by N.
    pub commands: FxHashMap<i64, String>,
    /// The environment a program gets: `external env`.
    pub env: Vec<(String, String)>,
    /// `external directory`: a mudlib path, the programs' working directory.
    pub directory: String,
    pub cpu_seconds: u64,
    pub memory_bytes: u64,
    pub processes: u64,
    pub wall: Duration,
    /// The most output (and queued input) held for one process.
    pub buffer: usize,
    pub max_running: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            commands: FxHashMap::default(),
            env: Vec::new(),
            directory: "/".into(),
            cpu_seconds: 30,
            memory_bytes: 1024 << 20,
            processes: 64,
            wall: Duration::from_secs(60),
            buffer: 1 << 20,
            max_running: 16,
        }
    }
}

thread_local! {
    /// The config and the processes, on the VM thread.
    static STATE: RefCell<State> = RefCell::new(State::default());
}

#[derive(Default)]
struct State {
    config: Config,
    procs: FxHashMap<i64, Proc>,
    /// Ended processes, oldest first, so the oldest status is forgotten first.
    ended: VecDeque<i64>,
}

/// Reads the external keys of the config file; called at boot.
pub fn configure(file: &ConfigFile) {
    let mut config = Config::default();
    for entry in file.entries() {
        let Some(n) = entry.key.strip_prefix("external_cmd_") else {
            continue;
        };
        let value = entry.value.trim();
        if let Ok(n) = n.parse::<i64>()
            && n > 0
            && !value.is_empty()
        {
            config
                .commands
                .entry(n)
                .or_insert_with(|| value.to_string());
        }
    }
    let number = |key: &str| file.get_int(key).ok().flatten().filter(|&v| v > 0);
    if let Some(v) = number("external cpu seconds") {
        config.cpu_seconds = v as u64;
    }
    if let Some(v) = number("external memory mb") {
        config.memory_bytes = (v as u64).saturating_mul(1 << 20);
    }
    if let Some(v) = number("external processes") {
        config.processes = v as u64;
    }
    if let Some(v) = number("external wall seconds") {
        config.wall = Duration::from_secs(v as u64);
    }
    if let Some(v) = number("external buffer bytes") {
        config.buffer = usize::try_from(v).unwrap_or(usize::MAX);
    }
    if let Some(v) = number("external max running") {
        config.max_running = usize::try_from(v).unwrap_or(usize::MAX);
    }
    if let Some(dir) = file.get("external directory") {
        config.directory = dir.trim().to_string();
    }
    if let Some(env) = file.get("external env") {
        config.env = environment(env, |name| std::env::var(name).ok());
    }
    STATE.with(|state| state.borrow_mut().config = config);
}

/// The environment an `external env` value asks for: `NAME=value` sets a
/// variable, a bare `NAME` passes the driver's own value on when it has one.
fn environment(spec: &str, inherited: impl Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    spec.split_whitespace()
        .filter_map(|item| match item.split_once('=') {
            Some((name, value)) if !name.is_empty() => Some((name.to_string(), value.to_string())),
            Some(_) => None,
            None => inherited(item).map(|value| (item.to_string(), value)),
        })
        .collect()
}

/// A process as the VM thread keeps it; its fd is the asyncwork id.
struct Proc {
    pid: u32,
    child: Arc<Mutex<Watched>>,
    /// Where input goes; `None` once input was closed or the process ended.
    input: Option<mpsc::Sender<Vec<u8>>>,
    flow: Arc<Flow>,
    /// Output no read callback took, for `external_read_process`.
    unread: String,
    has_reader: bool,
    running: bool,
    exit_code: Option<i32>,
    signal: Option<i32>,
}

/// The child, shared by the waiter thread and the VM thread. Only the
/// waiter reaps it, under the lock, so while `reaped` is false its pid
/// still names it and signals cannot reach a stranger.
struct Watched {
    child: Child,
    reaped: bool,
}

/// The `asyncwork` state of a process: dropped when its owner is
/// destructed (or once the process has ended), it kills the process's
/// group, so no program outlives the object that started it.
struct OwnerGuard(Rc<RefCell<Option<Killable>>>);

/// A started process: its pid (and group id) and its child.
type Killable = (u32, Arc<Mutex<Watched>>);

impl Drop for OwnerGuard {
    fn drop(&mut self) {
        let Some((pid, child)) = self.0.borrow_mut().take() else {
            return;
        };
        let Some(group) = Pid::from_raw(pid as i32) else {
            return;
        };
        // Under the lock the waiter cannot reap it meanwhile, so the
        // group is still ours.
        if let Ok(watched) = child.lock()
            && !watched.reaped
        {
            let _ = rustix::process::kill_process_group(group, Signal::KILL);
        }
    }
}

/// What the threads and the VM thread count together.
#[derive(Default)]
struct Flow {
    /// Output bytes read from the pipe that LPC has not taken yet.
    output: AtomicUsize,
    /// Input bytes queued that the program has not been given yet.
    input: AtomicUsize,
    /// Set when the process was reported ended: the reader stops.
    closed: AtomicBool,
}

fn with_state<T>(f: impl FnOnce(&mut State) -> T) -> T {
    STATE.with(|state| f(&mut state.borrow_mut()))
}

fn external_start(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let index = int_arg(vm, base, argc, 0, "external_start")?;
    let args = match arg(vm, base, argc, 1) {
        Value::Str(s) => s
            .text
            .split(' ')
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect(),
        Value::Array(items) => {
            let mut args = Vec::new();
            for (i, item) in items.borrow().iter().enumerate() {
                match item {
                    Value::Str(s) => args.push(s.text.to_string()),
                    _ => {
                        return Err(error(format!(
                            "Bad argument list item {i} to external_start()"
                        )));
                    }
                }
            }
            args
        }
        other => return Err(bad_arg("external_start", 1, &other)),
    };
    let mut callbacks = Vec::new();
    for i in 2..5 {
        callbacks.push(match arg(vm, base, argc, i) {
            // 0 stands for no callback.
            Value::Undefined | Value::Int(0) => Value::Int(0),
            v => asyncwork::callback_arg(v, "external_start", i)?,
        });
    }
    let config = with_state(|s| s.config.clone());
    let Some(program) = config.commands.get(&index).cloned() else {
        return Err(error("Bad argument 1 to external_start()"));
    };
    if let Some(master) = vm.master {
        let list = Value::array(args.iter().map(|a| Value::str(a.clone())).collect());
        let answer = vm.apply(
            master,
            "valid_external",
            vec![Value::Int(index), list],
            true,
        )?;
        if answer.is_some_and(|v| !v.truthy()) {
            return Ok(Value::Int(EESECURITY));
        }
    }
    let running = with_state(|s| s.procs.values().filter(|p| p.running).count());
    if running >= config.max_running {
        return Err(error(format!(
            "external_start(): {running} processes are running, the most the config allows"
        )));
    }
    let Some(dir) = crate::jail::normalize(&config.directory)
        .and_then(|mud| crate::jail::contain(&vm.compiler.provider.root, &mud))
        .filter(|d| d.is_dir())
    else {
        return Err(error(format!(
            "external_start(): the external directory {} is not a directory of the mudlib",
            config.directory
        )));
    };
    let has_reader = callbacks.first().is_some_and(Value::truthy);
    let killer = Rc::new(RefCell::new(None));
    let guard: Box<dyn std::any::Any> = Box::new(OwnerGuard(killer.clone()));
    let Some(id) = asyncwork::begin(vm, callbacks, Some(guard)) else {
        return Err(error("external_start() needs a current object"));
    };
    let launch = Launch {
        program: &program,
        args: &args,
        dir,
        config: &config,
    };
    match spawn(launch, id, asyncwork::notifier(vm)) {
        Ok((pid, child, input, flow)) => {
            *killer.borrow_mut() = Some((pid, child.clone()));
            let proc = Proc {
                pid,
                child,
                input: Some(input),
                flow,
                unread: String::new(),
                has_reader,
                running: true,
                exit_code: None,
                signal: None,
            };
            with_state(|s| s.procs.insert(id, proc));
            Ok(Value::Int(id))
        }
        Err(e) => {
            vm.backend.work.end(id);
            vm.debug_message(&format!("external_start(): cannot run {program}: {e}"));
            Ok(Value::Int(EESOCKET))
        }
    }
}

/// What `spawn` starts.
struct Launch<'a> {
    program: &'a str,
    args: &'a [String],
    dir: PathBuf,
    config: &'a Config,
}

type Started = (u32, Arc<Mutex<Watched>>, mpsc::Sender<Vec<u8>>, Arc<Flow>);

/// Starts the program and its three threads.
fn spawn(launch: Launch, id: Id, notifier: Notifier) -> std::io::Result<Started> {
    let (output, writer) = std::io::pipe()?;
    let mut command = Command::new(launch.program);
    command
        .args(launch.args)
        .env_clear()
        .envs(launch.config.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&launch.dir)
        .stdin(Stdio::piped())
        .stdout(writer.try_clone()?)
        .stderr(writer)
        .process_group(0);
    let mut child = command.spawn()?;
    // The command holds the pipe's writing end; the reader sees the end of
    // the output only once every copy of it is closed.
    drop(command);
    let pid = child.id();
    if let Err(e) = limit(pid, launch.config) {
        if let Some(pid) = Pid::from_raw(pid as i32) {
            let _ = rustix::process::kill_process_group(pid, Signal::KILL);
        }
        let _ = child.wait();
        return Err(e);
    }
    let stdin = child.stdin.take();
    let child = Arc::new(Mutex::new(Watched {
        child,
        reaped: false,
    }));
    let flow = Arc::new(Flow::default());
    let (input_tx, input_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    {
        let (notifier, flow) = (notifier.clone(), flow.clone());
        let cap = launch.config.buffer;
        std::thread::spawn(move || read_output(output, id, notifier, flow, cap, done_tx));
    }
    if let Some(stdin) = stdin {
        let (notifier, flow) = (notifier.clone(), flow.clone());
        std::thread::spawn(move || write_input(stdin, input_rx, id, notifier, flow));
    }
    {
        let (child, flow) = (child.clone(), flow.clone());
        let deadline = Instant::now() + launch.config.wall;
        std::thread::spawn(move || wait_for(child, pid, deadline, id, notifier, flow, done_rx));
    }
    Ok((pid, child, input_tx, flow))
}

/// Applies the config's resource limits to process `pid`, never above the
/// hard limits the driver itself runs under.
fn limit(pid: u32, config: &Config) -> std::io::Result<()> {
    let Some(target) = Pid::from_raw(pid as i32) else {
        return Err(std::io::Error::other("bad process id"));
    };
    let limits = [
        (Resource::Cpu, config.cpu_seconds),
        (Resource::As, config.memory_bytes),
        (Resource::Nproc, config.processes),
    ];
    for (resource, wanted) in limits {
        let hard = rustix::process::getrlimit(resource).maximum;
        let value = hard.map_or(wanted, |h| h.min(wanted));
        let new = Rlimit {
            current: Some(value),
            maximum: Some(value),
        };
        match rustix::process::prlimit(Some(target), resource, new) {
            Ok(_) => {}
            // Already gone: nothing left to limit.
            Err(rustix::io::Errno::SRCH) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The reader thread: passes output to the VM thread in chunks, holding
/// back while more than `cap` bytes wait there.
fn read_output(
    mut output: std::io::PipeReader,
    id: Id,
    notifier: Notifier,
    flow: Arc<Flow>,
    cap: usize,
    done: mpsc::Sender<()>,
) {
    let mut buffer = vec![0u8; CHUNK];
    // The start of a UTF-8 sequence a chunk cut in two.
    let mut partial: Vec<u8> = Vec::new();
    loop {
        let room = loop {
            if flow.closed.load(Ordering::Acquire) {
                let _ = done.send(());
                return;
            }
            let waiting = flow.output.load(Ordering::Acquire);
            if waiting < cap {
                break (cap - waiting).min(CHUNK);
            }
            std::thread::sleep(POLL);
        };
        let n = match output.read(&mut buffer[..room]) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        partial.extend_from_slice(&buffer[..n]);
        let text = take_text(&mut partial, false);
        if text.is_empty() {
            continue;
        }
        flow.output.fetch_add(text.len(), Ordering::AcqRel);
        if !notifier.run(move |vm| deliver(vm, id, text)) {
            return;
        }
    }
    let text = take_text(&mut partial, true);
    if !text.is_empty() {
        flow.output.fetch_add(text.len(), Ordering::AcqRel);
        notifier.run(move |vm| deliver(vm, id, text));
    }
    let _ = done.send(());
}

/// The text in `bytes`, leaving behind an unfinished UTF-8 sequence at
/// the end unless `all`; invalid bytes become U+FFFD.
fn take_text(bytes: &mut Vec<u8>, all: bool) -> String {
    let keep = match std::str::from_utf8(bytes) {
        Ok(_) => 0,
        Err(e) if e.error_len().is_none() && !all => bytes.len() - e.valid_up_to(),
        Err(_) => 0,
    };
    let tail = bytes.split_off(bytes.len() - keep);
    let text = String::from_utf8_lossy(bytes).into_owned();
    *bytes = tail;
    text
}

/// On the VM thread: output for the read callback, or for the buffer.
fn deliver(vm: &mut Vm, id: Id, text: String) -> Result<(), Unwind> {
    let to_callback = with_state(|s| {
        let proc = s.procs.get_mut(&id)?;
        if proc.has_reader && vm.backend.work.get(id).is_some() {
            proc.flow.output.fetch_sub(text.len(), Ordering::AcqRel);
            return Some(text);
        }
        proc.unread.push_str(&text);
        None
    });
    if let Some(text) = to_callback {
        call_if_given(vm, id, READ, vec![Value::Int(id), Value::str(text)])?;
    }
    Ok(())
}

/// Calls callback `which` of process `id` when one was given.
fn call_if_given(vm: &mut Vm, id: Id, which: usize, args: Vec<Value>) -> Result<(), Unwind> {
    let given = vm
        .backend
        .work
        .get(id)
        .and_then(|p| p.callbacks.get(which))
        .is_some_and(Value::truthy);
    if given {
        asyncwork::call(vm, id, which, args)?;
    }
    Ok(())
}

/// The writer thread: gives the program its input in order, and calls the
/// write callback at the start and whenever the queue has run dry.
fn write_input(
    mut stdin: ChildStdin,
    queue: mpsc::Receiver<Vec<u8>>,
    id: Id,
    notifier: Notifier,
    flow: Arc<Flow>,
) {
    let ready = |notifier: &Notifier| {
        notifier.run(move |vm| call_if_given(vm, id, WRITE, vec![Value::Int(id)]))
    };
    ready(&notifier);
    // An empty chunk, or the sender dropped, closes the program's input.
    while let Ok(chunk) = queue.recv() {
        if chunk.is_empty() {
            return;
        }
        let written = stdin.write_all(&chunk).and_then(|()| stdin.flush());
        let left = flow.input.fetch_sub(chunk.len(), Ordering::AcqRel) - chunk.len();
        if written.is_err() {
            return;
        }
        if left == 0 {
            ready(&notifier);
        }
    }
}

/// The waiter thread: enforces the wall time, notices the end, kills what
/// the program left in its group, and reports the end once the output has
/// been read (or `DRAIN_GRACE` has passed).
fn wait_for(
    child: Arc<Mutex<Watched>>,
    pid: u32,
    deadline: Instant,
    id: Id,
    notifier: Notifier,
    flow: Arc<Flow>,
    output_done: mpsc::Receiver<()>,
) {
    let group = Pid::from_raw(pid as i32);
    let mut killed = false;
    let status = loop {
        std::thread::sleep(POLL);
        let Ok(mut watched) = child.lock() else {
            return;
        };
        let Some(group) = group else {
            break watched.child.wait().ok();
        };
        // Look without reaping: until it is reaped the pid and the group
        // cannot be reused, so the group kill below hits only our own.
        let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
        let ended = matches!(
            rustix::process::waitid(WaitId::Pid(group), options),
            Ok(Some(_))
        );
        if ended {
            let _ = rustix::process::kill_process_group(group, Signal::KILL);
            let status = watched.child.wait().ok();
            watched.reaped = true;
            break status;
        }
        if !killed && Instant::now() >= deadline {
            let _ = rustix::process::kill_process_group(group, Signal::KILL);
            killed = true;
        }
    };
    let _ = output_done.recv_timeout(DRAIN_GRACE);
    flow.closed.store(true, Ordering::Release);
    let exit_code = status.and_then(|s| s.code());
    let signal = status.and_then(|s| s.signal());
    notifier.run(move |vm| ended(vm, id, exit_code, signal));
}

/// On the VM thread: records the end and calls the close callback.
fn ended(vm: &mut Vm, id: Id, exit_code: Option<i32>, signal: Option<i32>) -> Result<(), Unwind> {
    with_state(|s| {
        if let Some(proc) = s.procs.get_mut(&id) {
            proc.running = false;
            proc.exit_code = exit_code;
            proc.signal = signal;
            proc.input = None;
        }
        s.ended.push_back(id);
        while s.ended.len() > KEEP_ENDED {
            if let Some(old) = s.ended.pop_front() {
                s.procs.remove(&old);
            }
        }
    });
    call_if_given(vm, id, CLOSE, vec![Value::Int(id)])?;
    vm.backend.work.end(id);
    Ok(())
}

fn fd_arg(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<i64, Unwind> {
    int_arg(vm, base, argc, 0, efun)
}

fn external_write_process(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = fd_arg(vm, base, argc, "external_write_process")?;
    let bytes = match arg(vm, base, argc, 1) {
        Value::Str(s) => s.text.as_bytes().to_vec(),
        Value::Buffer(b) => b.borrow().clone(),
        other => return Err(bad_arg("external_write_process", 1, &other)),
    };
    let code = with_state(|s| {
        let cap = s.config.buffer;
        let Some(proc) = s.procs.get_mut(&fd) else {
            return EEBADF;
        };
        let Some(input) = &proc.input else {
            return EEBADF;
        };
        if bytes.is_empty() {
            let _ = input.send(Vec::new());
            proc.input = None;
            return 0;
        }
        let queued = proc.flow.input.load(Ordering::Acquire);
        if queued.saturating_add(bytes.len()) > cap {
            return EEWOULDBLOCK;
        }
        let n = bytes.len();
        proc.flow.input.fetch_add(n, Ordering::AcqRel);
        if input.send(bytes).is_err() {
            // The program stopped reading its input.
            proc.flow.input.fetch_sub(n, Ordering::AcqRel);
            proc.input = None;
            return EESOCKET;
        }
        n as i64
    });
    Ok(Value::Int(code))
}

fn external_read_process(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = fd_arg(vm, base, argc, "external_read_process")?;
    let max = int_arg(vm, base, argc, 1, "external_read_process")?;
    let Ok(max) = usize::try_from(max) else {
        return Err(error(format!(
            "external_read_process(): max_bytes must not be negative, got {max}"
        )));
    };
    let text = with_state(|s| {
        let proc = s.procs.get_mut(&fd)?;
        let mut end = max.min(proc.unread.len());
        while !proc.unread.is_char_boundary(end) {
            end -= 1;
        }
        let rest = proc.unread.split_off(end);
        let text = std::mem::replace(&mut proc.unread, rest);
        proc.flow.output.fetch_sub(text.len(), Ordering::AcqRel);
        Some(text)
    });
    Ok(text.map_or(Value::Int(0), Value::str))
}

fn external_kill(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = fd_arg(vm, base, argc, "external_kill")?;
    let number = int_arg(vm, base, argc, 1, "external_kill")?;
    let Some(signal) = i32::try_from(number).ok().and_then(Signal::from_named_raw) else {
        return Err(error(format!("external_kill(): {number} is not a signal")));
    };
    let Some((pid, child)) = with_state(|s| {
        let proc = s.procs.get(&fd).filter(|p| p.running)?;
        Some((proc.pid, proc.child.clone()))
    }) else {
        return Ok(Value::Int(0));
    };
    let Some(pid) = Pid::from_raw(pid as i32) else {
        return Ok(Value::Int(0));
    };
    // The waiter only holds the lock for a non-blocking look.
    let Ok(watched) = child.lock() else {
        return Ok(Value::Int(0));
    };
    if watched.reaped {
        return Ok(Value::Int(0));
    }
    let sent = rustix::process::kill_process(pid, signal).is_ok();
    Ok(Value::Int(sent.into()))
}

fn external_status(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = fd_arg(vm, base, argc, "external_status")?;
    let status = with_state(|s| {
        let proc = s.procs.get(&fd)?;
        Some([
            ("pid", i64::from(proc.pid)),
            ("running", i64::from(proc.running)),
            ("exit_code", proc.exit_code.map_or(-1, i64::from)),
            ("signal", proc.signal.map_or(0, i64::from)),
        ])
    });
    let Some(status) = status else {
        return Ok(Value::Int(0));
    };
    let mut map = ValueMap::default();
    for (key, value) in status {
        map.insert(Value::str(key), Value::Int(value));
    }
    Ok(Value::Mapping(Rc::new(RefCell::new(map))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_sets_and_passes_on() {
        let inherited = |name: &str| (name == "HOME").then(|| "/home/mud".to_string());
        let env = environment("LANG=C.UTF-8 HOME MISSING =x", inherited);
        assert_eq!(
            env,
            vec![
                ("LANG".to_string(), "C.UTF-8".to_string()),
                ("HOME".to_string(), "/home/mud".to_string()),
            ]
        );
    }

    #[test]
    fn split_utf8_waits_for_the_rest() {
        let mut bytes = "aé".as_bytes()[..2].to_vec();
        assert_eq!(take_text(&mut bytes, false), "a");
        assert_eq!(bytes.len(), 1);
        bytes.push("é".as_bytes()[1]);
        assert_eq!(take_text(&mut bytes, false), "é");
        bytes.push(0xff);
        assert_eq!(take_text(&mut bytes, true), "\u{fffd}");
    }
}
