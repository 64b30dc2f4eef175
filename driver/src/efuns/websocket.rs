//! The websocket client efuns: `websocket_connect`, `websocket_send` and
//! `websocket_close`. Each connection is an `asyncwork` operation whose
//! callbacks are the message and close handlers; its task lives in
//! `web::websocket`. A handle belongs to the object that opened it: only
//! that object may send on it or close it.

use std::sync::Arc;
use std::time::Duration;

use rustc_hash::FxHashMap;

use super::http::{Options, headers_of};
use super::{arg, bad_arg, int_arg, str_arg};
use crate::asyncwork;
use crate::net::{Inflow, OUTGOING_WINDOW};
use crate::runtime::{self, Sender};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};
use crate::web::Sent;
use crate::web::websocket::{self, Ending, Incoming, Outgoing};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("websocket_connect", websocket_connect);
    m.insert("websocket_send", websocket_send);
    m.insert("websocket_close", websocket_close);
}

/// The VM side of an open connection: the queue to its task, and the
/// window of what that queue holds.
struct Connection(Sender<Outgoing>, Arc<Inflow>);

/// Callback numbers in the connection's `asyncwork` entry.
const ON_MESSAGE: usize = 0;
const ON_CLOSE: usize = 1;

/// `websocket_connect(url, on_message, on_close, options)`.
fn websocket_connect(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "websocket_connect";
    let url = str_arg(vm, base, argc, 0, EFUN)?.text.to_string();
    websocket::parse_url(&url).map_err(|e| error(format!("{EFUN}(): {e}")))?;
    let on_message = asyncwork::callback_arg(arg(vm, base, argc, 1), EFUN, 1)?;
    let on_close = asyncwork::callback_arg(arg(vm, base, argc, 2), EFUN, 2)?;
    let options = Options::read(
        arg(vm, base, argc, 3),
        EFUN,
        3,
        &["headers", "protocols", "timeout", "max_message", "ca"],
    )?;
    let headers = headers_of(options.value("headers").unwrap_or(&Value::Undefined), EFUN)?;
    let subprotocols = match options.value("protocols") {
        None => Vec::new(),
        Some(Value::Str(s)) => vec![s.text.to_string()],
        Some(Value::Array(items)) => {
            let mut names = Vec::new();
            for item in items.borrow().iter() {
                match item {
                    Value::Str(s) => names.push(s.text.to_string()),
                    _ => return Err(error(format!("{EFUN}(): protocols must be strings"))),
                }
            }
            names
        }
        Some(_) => return Err(error(format!("{EFUN}(): protocols must be strings"))),
    };
    let settings = websocket::Options {
        headers,
        subprotocols,
        connect_timeout: options.seconds("timeout", Duration::from_secs(30))?,
        max_message: options.size("max_message", 16 << 20)?,
        extra_roots: options.certificates(vm, "ca")?,
    };
    let (out, commands) = runtime::channel();
    let flow = Inflow::with_window(OUTGOING_WINDOW);
    let state: Box<dyn std::any::Any> = Box::new(Connection(out, flow));
    let Some(id) = asyncwork::begin(vm, vec![on_message, on_close], Some(state)) else {
        return Ok(Value::Int(0));
    };
    let notifier = asyncwork::notifier(vm);
    runtime::spawn(async move {
        let messages = notifier.clone();
        let on_message = move |incoming: Incoming| {
            messages.run(move |vm| {
                let message = match incoming {
                    Incoming::Text(text) => Value::str(text),
                    Incoming::Binary(bytes) => {
                        Value::Buffer(std::rc::Rc::new(std::cell::RefCell::new(bytes)))
                    }
                };
                asyncwork::call(vm, id, ON_MESSAGE, vec![message, Value::Int(id)])?;
                Ok(())
            })
        };
        let flow = notifier.flow();
        let ending = websocket::run(url, settings, commands, on_message, &flow).await;
        notifier.run(move |vm| {
            let args = match ending {
                Ending::Closed { code, reason } => {
                    vec![
                        Value::Int(i64::from(code)),
                        Value::str(reason),
                        Value::Int(id),
                    ]
                }
                Ending::Failed(message) => vec![Value::str(message), Value::Int(0), Value::Int(id)],
            };
            asyncwork::finish(vm, id, ON_CLOSE, args)
        });
    });
    Ok(Value::Int(id))
}

/// `websocket_send(handle, message)`: 1 when queued, -1 when the server
/// has not yet taken what was queued before (nothing is sent), 0 when the
/// connection is closed.
fn websocket_send(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let id = int_arg(vm, base, argc, 0, "websocket_send")?;
    let message = arg(vm, base, argc, 1);
    let len = match &message {
        Value::Str(s) => s.text.len(),
        Value::Buffer(b) => b.borrow().len(),
        other => return Err(bad_arg("websocket_send", 1, other)),
    };
    let Some(Connection(out, flow)) =
        asyncwork::owned_state::<Connection>(vm, id, "websocket_send")?
    else {
        return Ok(Value::Int(Sent::Closed.code()));
    };
    if out.is_closed() {
        return Ok(Value::Int(Sent::Closed.code()));
    }
    let sent = crate::web::offer(flow, len, |credit| {
        let outgoing = match &message {
            Value::Buffer(b) => Outgoing::Binary(b.borrow().clone(), credit),
            Value::Str(s) => Outgoing::Text(s.text.to_string(), credit),
            _ => return false,
        };
        out.try_send(outgoing).is_ok()
    });
    Ok(Value::Int(sent.code()))
}

/// `websocket_close(handle)`: the close callback runs once the server
/// answers (or a few seconds later).
fn websocket_close(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let id = int_arg(vm, base, argc, 0, "websocket_close")?;
    if let Some(Connection(out, _)) =
        asyncwork::owned_state::<Connection>(vm, id, "websocket_close")?
    {
        let _ = out.try_send(Outgoing::Close);
    }
    Ok(Value::Undefined)
}
