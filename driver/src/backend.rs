//! The driver's main loop after boot, on the VM thread: runs due
//! call_outs, heart beats, `reset` and `clean_up`, and handles network
//! events, waiting on the event channel until the next timer. Input is
//! queued per connection and taken round-robin, a line at a time, so a
//! client that floods waits its turn like everybody else. It returns
//! when `shutdown()` is called, or when nothing could ever happen again
//! (no port, no connection and no pending call_out).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use lpcc::config::ConfigFile;
use rustc_hash::FxHashMap;

use crate::efuns::timers::{Target, Timers};
use crate::net::{ConnId, Event, Inflow, Net, PortKind};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Origin, Unwind, Vm};

/// Everything the backend schedules, kept on the VM.
pub struct Backend {
    pub timers: Timers,
    pub net: Net,
    pub lifecycle: Lifecycle,
    pub commands: crate::efuns::commands::Commands,
    pub sockets: crate::efuns::sockets::Sockets,
    /// The config's "default fail message" for commands nobody took.
    pub fail_message: String,
    /// "this_player in call_out": call_outs and lookups keep the player.
    pub player_in_call_out: bool,
    /// "interactive catch tell": users hear through `catch_tell()` too.
    pub interactive_catch_tell: bool,
    /// Async operations (HTTP requests, websocket connections, servers).
    pub work: crate::asyncwork::AsyncWork,
    /// Input received and not yet handled, per connection.
    pub inputs: Inputs,
    /// The config's "mud ip": the address every listening socket binds
    /// unless told otherwise (all addresses when the config leaves it out).
    pub bind_ip: String,
}

impl Default for Backend {
    fn default() -> Backend {
        Backend {
            timers: Timers::default(),
            net: Net::default(),
            lifecycle: Lifecycle::default(),
            commands: Default::default(),
            sockets: Default::default(),
            fail_message: "What?\n".into(),
            player_in_call_out: true,
            interactive_catch_tell: false,
            work: Default::default(),
            inputs: Inputs::default(),
            bind_ip: "0.0.0.0".into(),
        }
    }
}

impl Backend {
    /// Forgets a destructed object: its timers, its connection.
    pub fn forget(&mut self, object: ObjRef) {
        self.timers.forget(object);
        self.net.object_destructed(object);
        self.lifecycle.due.remove(&object);
        self.commands.forget(object);
        self.sockets.forget(object);
        self.work.forget(object);
    }

    /// Reads the timing keys of the config file.
    pub fn configure(&mut self, file: &ConfigFile) {
        self.bind_ip = match file.get("mud ip") {
            Some(ip) if !ip.trim().is_empty() => ip.trim().to_string(),
            _ => "0.0.0.0".to_string(),
        };
        let ms = |key: &str| file.get_int(key).ok().flatten().filter(|&v| v >= 0);
        if let Some(v) = ms("gametick msec").filter(|&v| v > 0) {
            self.timers.gametick = Duration::from_millis(v as u64);
        }
        if let Some(v) = ms("heartbeat interval msec").filter(|&v| v > 0) {
            self.timers.heartbeat_interval = Duration::from_millis(v as u64);
        }
        if let Some(v) = ms("call_out(0) nest level") {
            self.timers.zero_nest_limit = v.min(u32::MAX as i64) as u32;
        }
        let seconds = |v: i64| (v > 0).then(|| Duration::from_secs(v as u64));
        self.lifecycle.reset = seconds(ms("time to reset").unwrap_or(900));
        if ms("no resets").unwrap_or(0) != 0 {
            self.lifecycle.reset = None;
        }
        self.lifecycle.randomized = ms("randomized resets").unwrap_or(1) != 0;
        self.lifecycle.clean_up = seconds(ms("time to clean up").unwrap_or(600));
        let mut fail = file.get("default fail message").unwrap_or("").to_string();
        if fail.is_empty() {
            fail = "What?".into();
        }
        fail.push('\n');
        self.fail_message = fail;
        let on = |key: &str, default: i64| file.get_int(key).ok().flatten().unwrap_or(default) != 0;
        self.player_in_call_out = on("this_player in call_out", 1);
        self.interactive_catch_tell = on("interactive catch tell", 0);
        self.net.offers.gmcp = on("enable gmcp", 0);
        self.net.offers.mssp = on("enable mssp", 1);
        self.net.configure(file);
        if let Some(n) = ms("connections per address") {
            self.net.guards.per_address = n as usize;
        }
        if let Some(s) = ms("login timeout") {
            self.net.guards.login_timeout = (s > 0).then(|| Duration::from_secs(s as u64));
        }
        if let Some(s) = ms("idle timeout") {
            self.net.guards.idle_timeout = (s > 0).then(|| Duration::from_secs(s as u64));
        }
        if let Some(n) = ms("websocket max message").filter(|&n| n > 0) {
            self.net.guards.websocket_max_message = usize::try_from(n).unwrap_or(usize::MAX);
        }
    }

    /// Whether anything can still happen: a port, a connection, a lookup,
    /// async work or a call_out. Heart beats alone never end, so they do not count.
    fn alive(&self) -> bool {
        !self.net.bound.is_empty()
            || !self.net.conns.is_empty()
            || !self.net.lookups.is_empty()
            || self.sockets.open()
            || self.work.count() > 0
            || self.timers.pending() > 0
    }
}

/// Input waiting for the VM, per connection, and the connections that
/// have some, in the order they get their next turn.
#[derive(Default)]
pub struct Inputs {
    queues: FxHashMap<ConnId, InputQueue>,
    ready: VecDeque<ConnId>,
}

struct InputQueue {
    /// Reads as they arrived; `offset` bytes of the first are handled.
    reads: VecDeque<Vec<u8>>,
    offset: usize,
    /// Binary ports hand each read to `process_input` whole.
    whole_reads: bool,
    /// The connection ended; handled once its input is.
    closed: bool,
    /// Listed in `ready`.
    listed: bool,
    inflow: Arc<Inflow>,
}

/// Reads a connection's queue keeps room for once it has run dry.
const IDLE_READS: usize = 4;

/// What one turn of a connection does.
enum Turn {
    Input(Vec<u8>),
    Close,
}

impl Inputs {
    fn opened(&mut self, conn: ConnId, kind: PortKind, inflow: Arc<Inflow>) {
        let queue = InputQueue {
            reads: VecDeque::new(),
            offset: 0,
            whole_reads: kind == PortKind::Binary,
            closed: false,
            listed: false,
            inflow,
        };
        self.queues.insert(conn, queue);
    }

    /// Queues a read; gives it back for a connection never seen open.
    fn data(&mut self, conn: ConnId, bytes: Vec<u8>) -> Result<(), Vec<u8>> {
        let Some(queue) = self.queues.get_mut(&conn) else {
            return Err(bytes);
        };
        queue.reads.push_back(bytes);
        if !std::mem::replace(&mut queue.listed, true) {
            self.ready.push_back(conn);
        }
        Ok(())
    }

    /// Notes the end of a connection; false when it was never seen open.
    fn closed(&mut self, conn: ConnId) -> bool {
        let Some(queue) = self.queues.get_mut(&conn) else {
            return false;
        };
        queue.closed = true;
        if !std::mem::replace(&mut queue.listed, true) {
            self.ready.push_back(conn);
        }
        true
    }

    /// The next connection's turn: a line of its input (or a read, on a
    /// binary port), or its end once all input is handled.
    fn next(&mut self) -> Option<(ConnId, Turn)> {
        let conn = loop {
            let conn = self.ready.pop_front()?;
            if self.queues.contains_key(&conn) {
                break conn;
            }
        };
        let queue = self.queues.get_mut(&conn)?;
        let Some(read) = queue.reads.front_mut() else {
            self.queues.remove(&conn);
            return Some((conn, Turn::Close));
        };
        let rest = read.get(queue.offset..).unwrap_or_default();
        let end = match rest.iter().position(|&b| b == b'\n') {
            Some(at) if !queue.whole_reads => at + 1,
            _ => rest.len(),
        };
        let piece = if queue.offset == 0 && end == read.len() {
            std::mem::take(read)
        } else {
            rest.get(..end).unwrap_or_default().to_vec()
        };
        queue.offset += end;
        if queue.offset >= read.len() {
            queue.reads.pop_front();
            queue.offset = 0;
        }
        queue.inflow.taken(piece.len());
        if queue.reads.is_empty() && !queue.closed {
            // A burst of tiny reads can leave room for thousands; a live
            // connection should not keep it.
            queue.reads.shrink_to(IDLE_READS);
            queue.listed = false;
        } else {
            self.ready.push_back(conn);
        }
        Some((conn, Turn::Input(piece)))
    }

    /// Gives back the room a crowd of connections left (see
    /// [`crate::net::shrink_sparse`]).
    fn compact(&mut self) {
        crate::net::shrink_sparse(&mut self.queues);
    }

    /// Whether any input waits.
    fn waiting(&self) -> bool {
        !self.ready.is_empty()
    }
}

/// When each object is next due for `reset` and `clean_up`.
#[derive(Debug, Default)]
pub struct Lifecycle {
    pub reset: Option<Duration>,
    pub clean_up: Option<Duration>,
    pub randomized: bool,
    due: FxHashMap<ObjRef, ObjectTimes>,
    next_scan: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct ObjectTimes {
    reset: Option<Instant>,
    clean_up: Option<Instant>,
}

/// How often the object table is walked for resets and clean-ups: a
/// quarter of the shorter interval, between these bounds.
const SCAN_MIN: Duration = Duration::from_millis(100);
const SCAN_MAX: Duration = Duration::from_secs(5);

impl Lifecycle {
    fn scan_interval(&self) -> Duration {
        let shortest = match (self.reset, self.clean_up) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => SCAN_MAX,
        };
        (shortest / 4).clamp(SCAN_MIN, SCAN_MAX)
    }
}

/// How long input may be handled before the timers get their turn; the
/// rest is handled right after them.
const INPUT_SLICE: Duration = Duration::from_millis(20);

/// Runs until shutdown or until nothing is left to do.
pub fn run(vm: &mut Vm) -> Result<(), Unwind> {
    loop {
        tick(vm)?;
        if !vm.backend.alive() {
            return Ok(());
        }
        if serve_input(vm)? {
            continue;
        }
        let wake = next_wake(vm);
        let received = match wake {
            Some(at) => {
                let wait = at.saturating_duration_since(Instant::now());
                vm.backend.net.events.recv_timeout(wait)
            }
            None => vm
                .backend
                .net
                .events
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(event) => {
                vm.backend.timers.now = Instant::now();
                handle(vm, event)?;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}

/// Events handled between two turns of input. A producer whose window
/// the VM keeps freeing (an MQTT or websocket client flooded by its peer)
/// refills the queue as fast as it is emptied; without a bound, taking
/// "every event that has arrived" would starve the players' input.
const EVENT_BURST: usize = 64;

/// Takes the events that have arrived, up to [`EVENT_BURST`], then gives
/// the connections with input their turns, one line each round, for up
/// to [`INPUT_SLICE`]. New events join between turns. True when input is
/// left over.
fn serve_input(vm: &mut Vm) -> Result<bool, Unwind> {
    let stop = Instant::now() + INPUT_SLICE;
    loop {
        for _ in 0..EVENT_BURST {
            let Ok(event) = vm.backend.net.events.try_recv() else {
                break;
            };
            vm.backend.timers.now = Instant::now();
            handle(vm, event)?;
        }
        let Some((conn, turn)) = vm.backend.inputs.next() else {
            return Ok(false);
        };
        vm.backend.timers.now = Instant::now();
        match turn {
            Turn::Input(bytes) => crate::efuns::interactive::received(vm, conn, &bytes)?,
            Turn::Close => {
                crate::efuns::interactive::disconnected(vm, conn)?;
                vm.backend.net.compact();
                vm.backend.inputs.compact();
            }
        }
        if Instant::now() >= stop {
            return Ok(vm.backend.inputs.waiting());
        }
    }
}

/// One pass over every timer that is due.
fn tick(vm: &mut Vm) -> Result<(), Unwind> {
    let now = Instant::now();
    vm.backend.timers.now = now;
    crate::metrics::sample(vm);
    run_call_outs(vm, now)?;
    if !vm.backend.timers.heart_beats.is_empty() && vm.backend.timers.next_heart_beat <= now {
        let interval = vm.backend.timers.heartbeat_interval;
        vm.backend.timers.next_heart_beat = now + interval;
        run_heart_beats(vm)?;
    }
    let scan_due = vm.backend.lifecycle.next_scan.is_none_or(|at| at <= now);
    if scan_due {
        vm.backend.lifecycle.next_scan = Some(now + vm.backend.lifecycle.scan_interval());
        run_lifecycle(vm, now)?;
    }
    Ok(())
}

fn next_wake(vm: &Vm) -> Option<Instant> {
    let b = &vm.backend;
    let mut wake = b.timers.next_due();
    let mut consider = |at: Instant| wake = Some(wake.map_or(at, |w| w.min(at)));
    if !b.timers.heart_beats.is_empty() {
        consider(b.timers.next_heart_beat);
    }
    if let Some(at) = b.lifecycle.next_scan {
        consider(at);
    }
    wake
}

/// Calls `f` as a top-level evaluation with `player` as `this_player()`;
/// errors are reported and swallowed, shutdown goes on up.
pub fn top_level<T>(
    vm: &mut Vm,
    player: Option<ObjRef>,
    f: impl FnOnce(&mut Vm) -> Result<T, Unwind>,
) -> Result<Option<T>, Unwind> {
    let _timer = crate::metrics::time_top_level();
    let saved = vm.command_giver;
    vm.command_giver = player.filter(|&p| vm.objects.alive(p));
    let outer = vm.deadline;
    if outer.is_none() {
        vm.deadline = Some(Instant::now() + vm.limits.eval_time);
    }
    let result = f(vm);
    if outer.is_none() {
        vm.deadline = None;
    }
    vm.command_giver = saved;
    match result {
        Ok(v) => Ok(Some(v)),
        Err(Unwind::Shutdown(code)) => Err(Unwind::Shutdown(code)),
        Err(e) => {
            crate::boot::report(vm, &e);
            Ok(None)
        }
    }
}

/// How long one pass over the due call_outs may run before network input
/// gets its turn; the rest run on the next pass, at once.
const CALL_OUT_SLICE: Duration = Duration::from_millis(50);

fn run_call_outs(vm: &mut Vm, now: Instant) -> Result<(), Unwind> {
    let stop = Instant::now() + CALL_OUT_SLICE;
    while Instant::now() < stop
        && let Some(call) = vm.backend.timers.pop_due(now)
    {
        if !vm.objects.alive(call.owner) {
            continue;
        }
        crate::metrics::CALL_OUTS.bump();
        vm.backend.timers.running_depth = call.depth;
        let owner = call.owner;
        let result = top_level(vm, call.player, |vm| match &call.target {
            Target::Name(name) => vm
                .apply_from(Origin::Internal, owner, name, call.args.clone(), true)
                .map(|_| ()),
            Target::Function(f) => vm.call_value(f, &call.args).map(|_| ()),
        });
        vm.backend.timers.running_depth = 0;
        result?;
    }
    Ok(())
}

fn run_heart_beats(vm: &mut Vm) -> Result<(), Unwind> {
    let beats = vm.backend.timers.heart_beats.clone();
    for beat in beats {
        if !vm.objects.alive(beat.object) {
            vm.backend.timers.forget(beat.object);
            continue;
        }
        let Some(entry) = vm
            .backend
            .timers
            .heart_beats
            .iter_mut()
            .find(|h| h.object == beat.object)
        else {
            continue;
        };
        entry.left -= 1;
        if entry.left > 0 {
            continue;
        }
        entry.left = entry.interval;
        let object = beat.object;
        let player = crate::efuns::commands::is_living(vm, object).then_some(object);
        crate::metrics::HEART_BEATS.bump();
        let ok = top_level(vm, player, |vm| {
            vm.apply(object, "heart_beat", Vec::new(), true).map(|_| ())
        })?;
        if ok.is_none() {
            // A heart beat that fails would fail again every beat.
            vm.backend.timers.heart_beats.retain(|h| h.object != object);
        }
    }
    Ok(())
}

fn run_lifecycle(vm: &mut Vm, now: Instant) -> Result<(), Unwind> {
    let (reset, clean_up, randomized) = {
        let l = &vm.backend.lifecycle;
        (l.reset, l.clean_up, l.randomized)
    };
    if reset.is_none() && clean_up.is_none() {
        return Ok(());
    }
    let objects: Vec<ObjRef> = vm.objects.refs().collect();
    let mut due_reset = Vec::new();
    let mut due_clean = Vec::new();
    for (n, &object) in objects.iter().enumerate() {
        let times = vm.backend.lifecycle.due.entry(object).or_insert_with(|| {
            let first_reset = reset.map(|t| now + spread(t, randomized, n));
            ObjectTimes {
                reset: first_reset,
                clean_up: clean_up.map(|t| now + t),
            }
        });
        if times.reset.is_some_and(|at| at <= now) {
            times.reset = reset.map(|t| now + spread(t, randomized, n));
            due_reset.push(object);
        }
        if times.clean_up.is_some_and(|at| at <= now) {
            times.clean_up = clean_up.map(|t| now + t);
            due_clean.push(object);
        }
    }
    let live: rustc_hash::FxHashSet<ObjRef> = objects.into_iter().collect();
    vm.backend.lifecycle.due.retain(|o, _| live.contains(o));
    for object in due_reset {
        if vm.objects.alive(object) {
            top_level(vm, None, |vm| vm.apply(object, "reset", Vec::new(), true))?;
        }
    }
    for object in due_clean {
        let Some(name) = vm.object_name(object) else {
            continue;
        };
        let clone = name.contains('#');
        let arg = Value::Int(if clone { 0 } else { 1 });
        let kept = top_level(vm, None, |vm| vm.apply(object, "clean_up", vec![arg], true))?;
        // A clean_up that returns 0 (or does not exist) is never called again.
        let again = matches!(kept, Some(Some(v)) if v.truthy());
        if !again && let Some(t) = vm.backend.lifecycle.due.get_mut(&object) {
            t.clean_up = None;
        }
    }
    Ok(())
}

/// Spreads resets over the second half of the interval, so objects loaded
/// together do not all reset in the same tick.
fn spread(t: Duration, randomized: bool, n: usize) -> Duration {
    if !randomized {
        return t;
    }
    let half = t / 2;
    let step = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) % 1000;
    half + half.mul_f64(step as f64 / 1000.0)
}

fn handle(vm: &mut Vm, event: Event) -> Result<(), Unwind> {
    match event {
        Event::Accepted {
            port,
            kind,
            websocket,
            conn,
            peer,
            out,
            queued,
            inflow,
        } => {
            crate::metrics::connected(kind);
            vm.backend.inputs.opened(conn, kind, inflow);
            let link = crate::efuns::interactive::Link {
                port,
                kind,
                websocket,
                peer,
                out,
                queued,
            };
            crate::efuns::interactive::accept(vm, conn, link)
        }
        Event::Socket(event) => crate::efuns::sockets::handle(vm, event),
        Event::Data { conn, bytes } => {
            crate::metrics::BYTES_IN.add(bytes.len() as u64);
            match vm.backend.inputs.data(conn, bytes) {
                Ok(()) => Ok(()),
                Err(bytes) => crate::efuns::interactive::received(vm, conn, &bytes),
            }
        }
        Event::Closed { conn } => {
            if vm.backend.inputs.closed(conn) {
                return Ok(());
            }
            crate::efuns::interactive::disconnected(vm, conn)
        }
        Event::Resolved {
            key,
            query,
            address,
            ..
        } => crate::efuns::interactive::resolved(vm, key, query, address),
        Event::Done(job) => job(vm),
    }
}
