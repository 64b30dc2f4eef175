//! Async work that finishes on the VM thread. An efun that starts work on
//! the runtime's threads registers its LPC callbacks here under a fresh id
//! and hands the task a [`Notifier`]; the task never sees an LPC value.
//! When the task has news it sends a closure over plain data (bytes,
//! strings, the id) as [`Event::Done`]; the backend runs that closure on
//! the VM thread, where it looks its callbacks up by id and calls them
//! through [`call`]. Every registered operation counts as pending and keeps
//! the backend loop alive until [`AsyncWork::end`] removes it.

use std::any::Any;
use std::sync::{Arc, mpsc};

use rustc_hash::FxHashMap;

use crate::backend::top_level;
use crate::net::{Event, Inflow};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Unwind, Vm};

/// Work to run on the VM thread, sent by a task through [`Notifier::run`].
pub type Job = Box<dyn FnOnce(&mut Vm) -> Result<(), Unwind> + Send>;

/// The id of one async operation: a request, a connection, a server.
pub type Id = i64;

/// One outstanding operation as the VM thread keeps it.
pub struct Pending {
    /// The object that started it: callbacks given by name are called in
    /// it, and nothing is called once it is destructed.
    pub owner: ObjRef,
    /// `this_player()` when it started, restored for the callbacks.
    pub player: Option<ObjRef>,
    /// Function values or function names, in an order the package defines.
    pub callbacks: Vec<Value>,
    /// Package state that lives on the VM thread, such as the sender that
    /// answers an HTTP request. Packages downcast it to their own type.
    pub state: Option<Box<dyn Any>>,
}

/// The table of outstanding operations, on the VM (`vm.backend.work`).
#[derive(Default)]
pub struct AsyncWork {
    last_id: Id,
    pending: FxHashMap<Id, Pending>,
}

impl AsyncWork {
    /// Registers an operation; it keeps the backend alive until `end`.
    pub fn begin(&mut self, pending: Pending) -> Id {
        self.last_id += 1;
        let id = self.last_id;
        self.pending.insert(id, pending);
        id
    }

    /// Removes a finished operation and gives back what it held.
    pub fn end(&mut self, id: Id) -> Option<Pending> {
        self.pending.remove(&id)
    }

    pub fn get(&self, id: Id) -> Option<&Pending> {
        self.pending.get(&id)
    }

    /// The package state of `id`, when it is of type `T`.
    pub fn state<T: 'static>(&self, id: Id) -> Option<&T> {
        self.pending.get(&id)?.state.as_ref()?.downcast_ref()
    }

    /// Drops every operation a destructed object started. Their state goes
    /// with them, which tells their tasks to stop (a dropped sender closes
    /// the task's channel); news from tasks still running finds nothing.
    pub fn forget(&mut self, owner: ObjRef) {
        self.pending.retain(|_, p| p.owner != owner);
    }

    /// How many operations are outstanding.
    pub fn count(&self) -> usize {
        self.pending.len()
    }
}

/// Jobs of one producer that may wait for the VM thread at once. Past
/// this a producer that streams (a websocket or MQTT client, a gRPC
/// stream) stops reading its peer until the VM catches up, so a peer that
/// floods waits in its own socket buffer, not in the driver's memory.
pub const JOB_WINDOW: usize = 64;

/// The way back to the VM thread, for tasks: cheap to clone, `Send`.
/// Every job sent counts in the notifier's window until it has run.
#[derive(Clone)]
pub struct Notifier {
    events: mpsc::Sender<Event>,
    flow: Arc<Inflow>,
}

impl Notifier {
    /// Queues `job` to run on the VM thread; false once the VM is gone.
    /// This never waits: a producer that sends more than once waits for
    /// [`Notifier::room`] before it reads what it will send next.
    pub fn run(&self, job: impl FnOnce(&mut Vm) -> Result<(), Unwind> + Send + 'static) -> bool {
        let credit = self.flow.credit(1);
        let job = move |vm: &mut Vm| {
            // Held until the job has run, then dropped: that makes room.
            let _credit = credit;
            job(vm)
        };
        self.events.send(Event::Done(Box::new(job))).is_ok()
    }

    /// Waits until fewer than [`JOB_WINDOW`] of this notifier's jobs wait
    /// for the VM thread.
    pub async fn room(&self) {
        self.flow.room().await
    }

    /// The window this notifier's jobs count in, for a task that waits
    /// for room where it reads.
    pub fn flow(&self) -> Arc<Inflow> {
        self.flow.clone()
    }

    /// Queues the end of operation `id` without calling anything, for a
    /// task that stops without news (its peer vanished, it was cancelled).
    pub fn end(&self, id: Id) {
        self.run(move |vm| {
            vm.backend.work.end(id);
            Ok(())
        });
    }
}

/// A notifier for the tasks an efun is about to start, with a window of
/// its own.
pub fn notifier(vm: &Vm) -> Notifier {
    Notifier {
        events: vm.backend.net.events_tx.clone(),
        flow: Inflow::with_window(JOB_WINDOW),
    }
}

/// Registers an operation started by the running object, with
/// `this_player()` kept for its callbacks.
pub fn begin(vm: &mut Vm, callbacks: Vec<Value>, state: Option<Box<dyn Any>>) -> Option<Id> {
    let owner = vm.this_object()?;
    let player = vm.command_giver.filter(|_| vm.backend.player_in_call_out);
    Some(vm.backend.work.begin(Pending {
        owner,
        player,
        callbacks,
        state,
    }))
}

/// The package state of operation `id` for an efun that only the object
/// owning the operation may use: `None` when the operation is over or of
/// another kind; an error when another object asks.
pub fn owned_state<'a, T: 'static>(
    vm: &'a Vm,
    id: Id,
    efun: &str,
) -> Result<Option<&'a T>, Unwind> {
    owned_state_named(vm, id, efun, "handle")
}

/// [`owned_state`] for operations LPC knows by another name than
/// "handle", such as the request ids of `http_respond`.
pub fn owned_state_named<'a, T: 'static>(
    vm: &'a Vm,
    id: Id,
    efun: &str,
    noun: &str,
) -> Result<Option<&'a T>, Unwind> {
    let Some(state) = vm.backend.work.state::<T>(id) else {
        return Ok(None);
    };
    let owner = vm.backend.work.get(id).map(|p| p.owner);
    let caller = vm.this_object();
    if owner.is_some() && owner == caller {
        return Ok(Some(state));
    }
    let name = |o: Option<ObjRef>| o.and_then(|o| vm.object_name(o)).map(|n| n.to_string());
    Err(crate::vm::error(format!(
        "{efun}(): {noun} {id} belongs to {}, not to {}",
        name(owner).unwrap_or_else(|| "another object".into()),
        name(caller).unwrap_or_else(|| "this object".into())
    )))
}

/// Calls callback number `which` of operation `id` with `args` as a
/// top-level evaluation: errors are reported, not raised. `None` when the
/// operation, the callback or its owner is gone, or the call failed.
pub fn call(vm: &mut Vm, id: Id, which: usize, args: Vec<Value>) -> Result<Option<Value>, Unwind> {
    let Some(pending) = vm.backend.work.get(id) else {
        return Ok(None);
    };
    let Some(callback) = pending.callbacks.get(which).cloned() else {
        return Ok(None);
    };
    call_with(vm, pending.owner, pending.player, &callback, args)
}

/// Calls `callback` (a function, or a function name in `owner`) as a
/// top-level evaluation; for operations already removed from the table.
pub fn call_with(
    vm: &mut Vm,
    owner: ObjRef,
    player: Option<ObjRef>,
    callback: &Value,
    args: Vec<Value>,
) -> Result<Option<Value>, Unwind> {
    if !vm.objects.alive(owner) {
        return Ok(None);
    }
    let result = top_level(vm, player, |vm| match callback {
        Value::Str(name) => vm
            .apply(owner, &name.text, args, true)
            .map(Option::unwrap_or_default),
        f => vm.call_value(f, &args),
    })?;
    Ok(result)
}

/// Ends operation `id` and calls its callback number `which` with `args`;
/// nothing happens when the operation is gone.
pub fn finish(vm: &mut Vm, id: Id, which: usize, args: Vec<Value>) -> Result<(), Unwind> {
    let Some(pending) = vm.backend.work.end(id) else {
        return Ok(());
    };
    if let Some(callback) = pending.callbacks.get(which) {
        call_with(vm, pending.owner, pending.player, callback, args)?;
    }
    Ok(())
}

/// A callback argument: a function value or the name of a function in the
/// calling object.
pub fn callback_arg(v: Value, efun: &str, i: usize) -> Result<Value, Unwind> {
    match v {
        f @ (Value::Str(_) | Value::Function(_)) => Ok(f),
        other => Err(crate::efuns::bad_arg(efun, i, &other)),
    }
}
