//! The async package: `async_read`, `async_write`, `async_getdir` and
//! `async_db_exec`. Paths and handles are checked on the VM thread when the
//! efun is called; the file or database work runs on the runtime's threads,
//! and the callback runs on the VM thread in a later backend tick with
//! `this_player()` as it was at the call.

use std::io::Write;
use std::path::PathBuf;

use rustc_hash::FxHashMap;

use super::{arg, int_arg, str_arg};
use crate::asyncwork;
use crate::jail::{self, Access};
use crate::runtime;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("async_read", async_read);
    m.insert("async_write", async_write);
    m.insert("async_getdir", async_getdir);
    m.insert("async_db_exec", async_db_exec);
}

/// `async_write` flag bit: replace the file instead of appending.
const OVERWRITE: i64 = 1;
/// `async_write` flag bit: gzip the text before writing it.
const GZIP: i64 = 2;

/// The callback argument: only a function value, because the callback runs
/// long after the call, when a name would have nothing to be looked up in.
fn function_arg(vm: &Vm, base: usize, argc: usize, i: usize, efun: &str) -> Result<Value, Unwind> {
    match arg(vm, base, argc, i) {
        f @ Value::Function(_) => Ok(f),
        Value::Str(_) => Err(error(format!(
            "{efun}(): the callback must be a function, not a function name"
        ))),
        other => Err(super::bad_arg(efun, i, &other)),
    }
}

/// The host path of `path` for `efun`, or the error FluffOS raises when the
/// master or the jail refuses it.
fn checked_path(vm: &mut Vm, path: &str, efun: &str, access: Access) -> Result<PathBuf, Unwind> {
    match jail::check(vm, path, efun, access)? {
        Some(checked) => Ok(checked.host),
        None => Err(error(format!("{path}: permission denied"))),
    }
}

/// Registers `callback`, then runs `work` off the VM thread; the value it
/// builds on the VM thread is the callback's argument.
fn start<W, F>(vm: &mut Vm, efun: &str, callback: Value, work: W) -> Result<Value, Unwind>
where
    W: std::future::Future<Output = F> + Send + 'static,
    F: FnOnce(&mut Vm) -> Value + Send + 'static,
{
    let Some(id) = asyncwork::begin(vm, vec![callback], None) else {
        return Err(error(format!("{efun}() needs a current object")));
    };
    let notifier = asyncwork::notifier(vm);
    runtime::spawn(async move {
        let make = work.await;
        notifier.run(move |vm| {
            let result = make(vm);
            asyncwork::finish(vm, id, 0, vec![result])
        });
    });
    Ok(Value::Int(0))
}

fn async_read(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let path = str_arg(vm, base, argc, 0, "async_read")?;
    let callback = function_arg(vm, base, argc, 1, "async_read")?;
    let host = checked_path(vm, &path.text, "read_file", Access::Read)?;
    let limit = vm.limits.string_length;
    start(vm, "async_read", callback, async move {
        let read = runtime::read_file(&host).await;
        move |_: &mut Vm| match read {
            // A file longer than the longest string cannot be returned.
            Ok(bytes) if bytes.len() <= limit => {
                Value::str(String::from_utf8_lossy(&bytes).into_owned())
            }
            _ => Value::Int(-1),
        }
    })
}

fn async_write(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let path = str_arg(vm, base, argc, 0, "async_write")?;
    let text = str_arg(vm, base, argc, 1, "async_write")?;
    let flags = int_arg(vm, base, argc, 2, "async_write")?;
    let callback = function_arg(vm, base, argc, 3, "async_write")?;
    let host = checked_path(vm, &path.text, "write_file", Access::Write)?;
    let mut bytes = text.text.as_bytes().to_vec();
    if flags & GZIP != 0 {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        bytes = match encoder.write_all(&bytes).and_then(|()| encoder.finish()) {
            Ok(compressed) => compressed,
            Err(e) => return Err(error(format!("async_write(): {e}"))),
        };
    }
    let append = flags & OVERWRITE == 0;
    start(vm, "async_write", callback, async move {
        let written = runtime::write_file(&host, &bytes, append).await;
        move |_: &mut Vm| match written {
            Ok(()) => Value::Int(0),
            Err(_) => Value::Int(-1),
        }
    })
}

fn async_getdir(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let path = str_arg(vm, base, argc, 0, "async_getdir")?;
    let callback = function_arg(vm, base, argc, 1, "async_getdir")?;
    let host = checked_path(vm, &path.text, "get_dir", Access::Read)?;
    let limit = vm.limits.array_size;
    start(vm, "async_getdir", callback, async move {
        // A path that is not a directory lists as empty.
        let mut names = runtime::dir_names(&host).await.unwrap_or_default();
        names.sort_unstable();
        names.truncate(limit);
        move |_: &mut Vm| Value::array(names.into_iter().map(Value::str).collect())
    })
}

fn async_db_exec(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let handle = int_arg(vm, base, argc, 0, "async_db_exec")?;
    let sql = str_arg(vm, base, argc, 1, "async_db_exec")?;
    let callback = function_arg(vm, base, argc, 2, "async_db_exec")?;
    // Arguments after the callback are passed to it after the result.
    let bound: Vec<Value> = (3..argc).map(|i| arg(vm, base, argc, i)).collect();
    let mut callbacks = vec![callback];
    callbacks.extend(bound);
    let Some(id) = asyncwork::begin(vm, callbacks, None) else {
        return Err(error("async_db_exec() needs a current object"));
    };
    let job = match super::db::start_background(vm, handle, &sql.text) {
        Ok(job) => job,
        Err(e) => {
            vm.backend.work.end(id);
            return Err(e);
        }
    };
    let notifier = asyncwork::notifier(vm);
    runtime::spawn(async move {
        let finished = job.run().await;
        notifier.run(move |vm| {
            let result = finished.finish();
            let Some(pending) = vm.backend.work.end(id) else {
                return Ok(());
            };
            let mut callbacks = pending.callbacks.into_iter();
            let Some(callback) = callbacks.next() else {
                return Ok(());
            };
            let mut args = vec![result];
            args.extend(callbacks);
            asyncwork::call_with(vm, pending.owner, pending.player, &callback, args)?;
            Ok(())
        });
    });
    Ok(Value::Int(0))
}
