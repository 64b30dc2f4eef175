//! The grpc efuns: `grpc_load_proto` (services and messages from .proto
//! files), `grpc_call` (calls whose requests are known at once),
//! `grpc_stream` with `grpc_send` and `grpc_close_send` (calls whose
//! requests are sent over time, and the answers of served bidirectional
//! streams) and `grpc_serve` (a service whose methods are functions of an
//! LPC object). Messages are LPC mappings in the proto3 JSON shape; the
//! transport is in `web::grpc`.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_graphql::Value as Gql;
use prost::Message;
use prost_reflect::{DynamicMessage, MessageDescriptor, MethodDescriptor};
use rustc_hash::FxHashMap;

use super::graphql::{from_gql, to_gql};
use super::http::Options;
use super::{arg, bad_arg, int_arg, str_arg};
use crate::asyncwork::{self, Id};
use crate::backend::top_level;
use crate::net::{Credit, Inflow, OUTGOING_WINDOW};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};
use crate::web::Sent;
use crate::web::grpc::{self, Reply, Requests};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("grpc_load_proto", grpc_load_proto);
    m.insert("grpc_call", grpc_call);
    m.insert("grpc_serve", grpc_serve);
    m.insert("grpc_stream", grpc_stream);
    m.insert("grpc_send", grpc_send);
    m.insert("grpc_close_send", grpc_close_send);
}

/// An LPC value as a message of type `descriptor`.
fn message_of(vm: &Vm, v: &Value, descriptor: MessageDescriptor) -> Result<DynamicMessage, String> {
    let json = to_gql(vm, v, 0)?.into_json().map_err(|e| e.to_string())?;
    grpc::message_from_json(descriptor, json)
}

/// A message as an LPC mapping.
fn value_of(message: &DynamicMessage) -> Result<Value, String> {
    let json = grpc::message_to_json(message)?;
    Ok(from_gql(Gql::from_json(json).map_err(|e| e.to_string())?))
}

/// `grpc_load_proto(path)`: imports are looked up from the mudlib root.
fn grpc_load_proto(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let path = str_arg(vm, base, argc, 0, "grpc_load_proto")?
        .text
        .to_string();
    let relative = path.trim_start_matches('/');
    if relative.split('/').any(|part| part == "..") {
        return Err(error(format!("grpc_load_proto(): bad path '{path}'")));
    }
    let root = vm.compiler.provider.host_path("/");
    grpc::load(&root, relative).map_err(|e| error(format!("grpc_load_proto(): {e}")))?;
    Ok(Value::Int(1))
}

/// `grpc_call(target, method, request, callback, options)`.
fn grpc_call(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "grpc_call";
    let target = str_arg(vm, base, argc, 0, EFUN)?.text.to_string();
    let name = str_arg(vm, base, argc, 1, EFUN)?.text.to_string();
    let method = grpc::method(&name).map_err(|e| error(format!("{EFUN}(): {e}")))?;
    // A client-streaming method takes its whole stream as an array.
    let requests = match (arg(vm, base, argc, 2), method.is_client_streaming()) {
        (v @ Value::Mapping(_), _) => vec![v],
        (Value::Array(items), true) => items.borrow().clone(),
        (other, _) => return Err(bad_arg(EFUN, 2, &other)),
    };
    let requests = requests
        .iter()
        .map(|v| message_of(vm, v, method.input()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| error(format!("{EFUN}(): bad request: {e}")))?;
    let callback = asyncwork::callback_arg(arg(vm, base, argc, 3), EFUN, 3)?;
    let options = call_options(arg(vm, base, argc, 4), EFUN, 4, Duration::from_secs(30))?;
    let Some(id) = asyncwork::begin(vm, vec![callback], None) else {
        return Ok(Value::Int(0));
    };
    let requests = Requests::Listed(requests);
    start_call(vm, id, EFUN, target, method, requests, options)
}

/// What a call's options say besides its requests.
struct CallOptions {
    metadata: Vec<(String, String)>,
    deadline: Duration,
}

/// The options mapping of a call, argument `i`: "deadline" (seconds) and
/// "metadata" (a mapping of strings).
fn call_options(
    v: Value,
    efun: &'static str,
    i: usize,
    deadline: Duration,
) -> Result<CallOptions, Unwind> {
    let options = Options::read(v, efun, i, &["deadline", "metadata"])?;
    let deadline = options.seconds("deadline", deadline)?;
    let metadata =
        super::http::headers_of(options.value("metadata").unwrap_or(&Value::Undefined), efun)?;
    Ok(CallOptions { metadata, deadline })
}

/// Starts call `id` on the gRPC thread; its callback hears each response
/// with the id, or a status code, its message and the id.
fn start_call(
    vm: &mut Vm,
    id: Id,
    efun: &str,
    target: String,
    method: MethodDescriptor,
    requests: Requests,
    options: CallOptions,
) -> Result<Value, Unwind> {
    crate::metrics::GRPC_CALLS.bump();
    let notifier = asyncwork::notifier(vm);
    let replies = notifier.clone();
    let on_reply = move |reply: Reply| {
        replies.run(move |vm| {
            let args = match reply {
                Reply::Message(message) => match value_of(&message) {
                    Ok(value) => vec![value, Value::Int(id)],
                    Err(e) => vec![
                        Value::Int(tonic::Code::Internal as i64),
                        Value::str(e),
                        Value::Int(id),
                    ],
                },
                Reply::Status(code, message) => {
                    vec![Value::Int(code as i64), Value::str(message), Value::Int(id)]
                }
            };
            asyncwork::call(vm, id, 0, args)?;
            Ok(())
        });
    };
    let CallOptions { metadata, deadline } = options;
    let flow = notifier.flow();
    let started = grpc::spawn(async move {
        grpc::call(target, method, requests, metadata, deadline, on_reply, flow).await;
        notifier.end(id);
    });
    if let Err(e) = started {
        vm.backend.work.end(id);
        return Err(error(format!("{efun}(): {e}")));
    }
    Ok(Value::Int(id))
}

/// A call of `grpc_stream`: where `grpc_send` puts its requests, until
/// `grpc_close_send` drops the sender, and the window of those the server
/// has not yet taken.
struct Sending {
    sender: RefCell<Option<tokio::sync::mpsc::UnboundedSender<(DynamicMessage, Credit)>>>,
    input: MessageDescriptor,
    flow: Arc<Inflow>,
}

/// `grpc_stream(target, method, callback, options)`.
fn grpc_stream(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "grpc_stream";
    let target = str_arg(vm, base, argc, 0, EFUN)?.text.to_string();
    let name = str_arg(vm, base, argc, 1, EFUN)?.text.clone();
    let method = grpc::method(&name).map_err(|e| error(format!("{EFUN}(): {e}")))?;
    if !method.is_client_streaming() {
        return Err(error(format!(
            "{EFUN}(): {name} takes one request; call it with grpc_call()"
        )));
    }
    let callback = asyncwork::callback_arg(arg(vm, base, argc, 2), EFUN, 2)?;
    // A conversation may last: no deadline unless one is asked for.
    let options = call_options(arg(vm, base, argc, 3), EFUN, 3, Duration::MAX)?;
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    let state: Box<dyn std::any::Any> = Box::new(Sending {
        sender: RefCell::new(Some(sender)),
        input: method.input(),
        flow: Inflow::with_window(OUTGOING_WINDOW),
    });
    let Some(id) = asyncwork::begin(vm, vec![callback], Some(state)) else {
        return Ok(Value::Int(0));
    };
    let requests = Requests::Fed(receiver);
    start_call(vm, id, EFUN, target, method, requests, options)
}

/// One bidirectional stream of a served method: where its answers go.
struct Answering {
    outbox: grpc::Outbox,
    method: MethodDescriptor,
    /// Whether the stream was ended on purpose; otherwise (the handler
    /// object was destructed) dropping it tells the client so.
    ended: Cell<bool>,
    /// Whether the handler has had its end call (a 0 request).
    end_heard: Cell<bool>,
}

impl Drop for Answering {
    fn drop(&mut self) {
        if !self.ended.get() {
            let gone = tonic::Status::unavailable("the handler is gone");
            let _ = self.outbox.send(Err(gone));
        }
    }
}

/// Ends served stream `id` on purpose: with status 0 unless an error
/// status was sent first.
fn end_stream(vm: &mut Vm, id: Id) {
    if let Some(answering) = vm.backend.work.state::<Answering>(id) {
        answering.ended.set(true);
    }
    vm.backend.work.end(id);
}

/// `grpc_send(handle, message)`: a request of a `grpc_stream` call, or an
/// answer of a served bidirectional stream.
fn grpc_send(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "grpc_send";
    let handle = int_arg(vm, base, argc, 0, EFUN)?;
    let message = match arg(vm, base, argc, 1) {
        m @ Value::Mapping(_) => m,
        other => return Err(bad_arg(EFUN, 1, &other)),
    };
    let bad = |e: String| error(format!("{EFUN}(): bad message: {e}"));
    if let Some(sending) = asyncwork::owned_state::<Sending>(vm, handle, EFUN)? {
        let message = message_of(vm, &message, sending.input.clone()).map_err(bad)?;
        let sender = sending.sender.borrow();
        let Some(sender) = sender.as_ref().filter(|s| !s.is_closed()) else {
            return Ok(Value::Int(Sent::Closed.code()));
        };
        let sent = crate::web::offer(&sending.flow, message.encoded_len(), |credit| {
            sender.send((message, credit)).is_ok()
        });
        return Ok(Value::Int(sent.code()));
    }
    if let Some(answering) = asyncwork::owned_state::<Answering>(vm, handle, EFUN)? {
        let message = message_of(vm, &message, answering.method.output()).map_err(bad)?;
        return Ok(Value::Int(answering.outbox.offer(message).code()));
    }
    Ok(Value::Int(0))
}

/// `grpc_close_send(handle)`: ends the requests of a `grpc_stream` call
/// (its answers still come), or a served bidirectional stream.
fn grpc_close_send(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "grpc_close_send";
    let handle = int_arg(vm, base, argc, 0, EFUN)?;
    if let Some(sending) = asyncwork::owned_state::<Sending>(vm, handle, EFUN)? {
        return Ok(Value::Int(i64::from(
            sending.sender.borrow_mut().take().is_some(),
        )));
    }
    if asyncwork::owned_state::<Answering>(vm, handle, EFUN)?.is_some() {
        end_stream(vm, handle);
        return Ok(Value::Int(1));
    }
    Ok(Value::Int(0))
}

/// A `grpc_serve` service: the object implementing its methods, and the
/// server's hold on its accept loop.
struct Served {
    handler: ObjRef,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// How long a served bidirectional stream stays open after the client's
/// end while its handler neither sends nor ends it, unless the options of
/// `grpc_serve` say otherwise.
const LINGER: Duration = Duration::from_secs(60);

/// `grpc_serve(port, service, handler, options)`.
fn grpc_serve(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "grpc_serve";
    let port = int_arg(vm, base, argc, 0, EFUN)?;
    let Some(port) = u16::try_from(port).ok().filter(|&p| p != 0) else {
        return Err(error(format!("{EFUN}(): bad port {port}")));
    };
    let name = str_arg(vm, base, argc, 1, EFUN)?.text.to_string();
    let handler = match arg(vm, base, argc, 2) {
        Value::Object(o) if vm.objects.alive(o) => o,
        other => return Err(bad_arg(EFUN, 2, &other)),
    };
    let options = Options::read(
        arg(vm, base, argc, 3),
        EFUN,
        3,
        &["linger", "connections_per_address"],
    )?;
    let linger = options.seconds("linger", LINGER)?;
    let per_address = options.per_address(vm)?;
    let service = grpc::service(&name).map_err(|e| error(format!("{EFUN}(): {e}")))?;
    if let Some(object) = vm.objects.get(handler) {
        let public = &object.linked.public;
        for method in service.methods() {
            if !public.contains_key(method.name()) {
                return Err(error(format!(
                    "{EFUN}(): the handler has no public function {}()",
                    method.name()
                )));
            }
        }
    }
    if !super::http::permitted(vm, port)? {
        return Ok(Value::Int(0));
    }
    let listener = std::net::TcpListener::bind((vm.backend.bind_ip.as_str(), port))
        .and_then(|l| l.set_nonblocking(true).map(|()| l));
    let listener = match listener {
        Ok(listener) => listener,
        Err(e) => {
            vm.debug_message(&format!("{EFUN}(): cannot listen on port {port}: {e}"));
            return Ok(Value::Int(0));
        }
    };
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let state: Box<dyn std::any::Any> = Box::new(Served {
        handler,
        _stop: stop,
    });
    let Some(server) = asyncwork::begin(vm, Vec::new(), Some(state)) else {
        return Ok(Value::Int(0));
    };
    let notifier = asyncwork::notifier(vm);
    let flow = notifier.flow();
    let asks = notifier.clone();
    let handle: grpc::Handle = Arc::new(move |method, messages| {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let sent = asks.run(move |vm| {
            let result = handle_on_vm(vm, server, &method, &messages)?;
            let _ = answer.send(result);
            Ok(())
        });
        Box::pin(async move {
            if !sent {
                return Err(tonic::Status::unavailable("the driver is shutting down"));
            }
            answered
                .await
                .unwrap_or_else(|_| Err(tonic::Status::unavailable("the service is closed")))
        })
    });
    let open: grpc::Open =
        Arc::new(move |method, outbox| open_stream(&notifier, server, method, outbox));
    let hooks = grpc::Hooks {
        handle,
        open,
        linger,
        flow,
    };
    if let Err(e) = grpc::spawn(grpc::serve(listener, service, hooks, per_address, stopped)) {
        vm.backend.work.end(server);
        return Err(error(format!("{EFUN}(): {e}")));
    }
    Ok(Value::Int(server))
}

/// Runs a method's function in the handler object, which gets the request
/// mapping, or for a client-streaming method the array of every request in
/// the stream; a mapping answers, or for a server-streaming method an
/// array of mappings.
fn handle_on_vm(
    vm: &mut Vm,
    server: Id,
    method: &MethodDescriptor,
    messages: &[DynamicMessage],
) -> Result<Result<Vec<DynamicMessage>, tonic::Status>, Unwind> {
    let Some(served) = vm.backend.work.state::<Served>(server) else {
        return Ok(Err(tonic::Status::unavailable("the service is closed")));
    };
    let handler = served.handler;
    if !vm.objects.alive(handler) {
        return Ok(Err(tonic::Status::unavailable("the handler is gone")));
    }
    let requests = match messages.iter().map(value_of).collect::<Result<Vec<_>, _>>() {
        Ok(requests) => requests,
        Err(e) => return Ok(Err(tonic::Status::invalid_argument(e))),
    };
    let request = match (method.is_client_streaming(), requests.first()) {
        (true, _) => Value::array(requests),
        (false, Some(request)) => request.clone(),
        (false, None) => return Ok(Err(tonic::Status::invalid_argument("no request"))),
    };
    crate::metrics::GRPC_CALLS.bump();
    let outcome = top_level(vm, None, |vm| {
        Ok(vm.apply(handler, method.name(), vec![request], false))
    })?;
    let answer = match outcome {
        Some(Ok(Some(answer))) => answer,
        Some(Ok(None)) => {
            return Ok(Err(tonic::Status::unimplemented(format!(
                "the handler has no function {}()",
                method.name()
            ))));
        }
        Some(Err(Unwind::Error(info))) => return Ok(Err(tonic::Status::unknown(info.message))),
        Some(Err(Unwind::Shutdown(code))) => return Err(Unwind::Shutdown(code)),
        Some(Err(_)) | None => return Ok(Err(tonic::Status::unknown("the handler failed"))),
    };
    let answers = match (method.is_server_streaming(), answer) {
        (false, m @ Value::Mapping(_)) => vec![m],
        (true, Value::Array(items)) => items.borrow().clone(),
        (streaming, other) => {
            let want = if streaming {
                "an array of mappings"
            } else {
                "a mapping"
            };
            return Ok(Err(tonic::Status::internal(format!(
                "{}() returned a {}, not {want}",
                method.name(),
                other.type_name()
            ))));
        }
    };
    let mut messages = Vec::with_capacity(answers.len());
    for answer in &answers {
        match message_of(vm, answer, method.output()) {
            Ok(message) => messages.push(message),
            Err(e) => return Ok(Err(tonic::Status::internal(format!("bad answer: {e}")))),
        }
    }
    Ok(Ok(messages))
}

/// Opens a served bidirectional stream on the VM thread: it becomes an
/// operation of the handler object, whose id the handler's function gets
/// with each request. The notifier keeps its jobs in order, so the stream
/// is registered before its first request is heard.
fn open_stream(
    notifier: &asyncwork::Notifier,
    server: Id,
    method: MethodDescriptor,
    outbox: grpc::Outbox,
) -> grpc::Ear {
    let stream = Arc::new(AtomicI64::new(0));
    let opened = stream.clone();
    let refused = outbox.clone();
    let sent = notifier.run(move |vm| {
        let handler = vm.backend.work.state::<Served>(server).map(|s| s.handler);
        let Some(handler) = handler.filter(|&h| vm.objects.alive(h)) else {
            let _ = refused.send(Err(tonic::Status::unavailable("the service is closed")));
            return Ok(());
        };
        crate::metrics::GRPC_CALLS.bump();
        let id = vm.backend.work.begin(asyncwork::Pending {
            owner: handler,
            player: None,
            callbacks: Vec::new(),
            state: Some(Box::new(Answering {
                outbox,
                method,
                ended: Cell::new(false),
                end_heard: Cell::new(false),
            })),
        });
        opened.store(id, Ordering::SeqCst);
        Ok(())
    });
    let notifier = notifier.clone();
    Arc::new(move |heard| {
        if !sent {
            return;
        }
        let stream = stream.clone();
        notifier.run(move |vm| {
            let id = stream.load(Ordering::SeqCst);
            match heard {
                grpc::Heard::Request(message) => hear_on_vm(vm, id, Some(message)),
                grpc::Heard::End(heard) => {
                    let result = hear_on_vm(vm, id, None);
                    drop(heard);
                    result
                }
                grpc::Heard::Gone => {
                    // A client that cancels the call may be gone before its
                    // end reached the VM: the handler still hears the end.
                    let unheard = vm
                        .backend
                        .work
                        .state::<Answering>(id)
                        .is_some_and(|a| !a.end_heard.get());
                    if unheard {
                        hear_on_vm(vm, id, None)?;
                    }
                    end_stream(vm, id);
                    Ok(())
                }
            }
        });
    })
}

/// Gives a request of served stream `id` (or its end, as 0) to the
/// handler's function with the stream's id; what it returns (a mapping, an
/// array of them, or 0 for nothing yet) is sent. An error ends the stream
/// with status 2. At the end of the client's requests an answer (even an
/// empty array) is the last and ends the stream with status 0; 0 leaves it
/// open for `grpc_send` until `grpc_close_send` or the linger time, which
/// starts only once this end call has returned. A client that cancels the
/// call gets no more answers, but the handler still has its end call.
fn hear_on_vm(vm: &mut Vm, id: Id, message: Option<DynamicMessage>) -> Result<(), Unwind> {
    let Some(pending) = vm.backend.work.get(id) else {
        return Ok(());
    };
    let handler = pending.owner;
    let Some(answering) = vm.backend.work.state::<Answering>(id) else {
        return Ok(());
    };
    if message.is_none() {
        answering.end_heard.set(true);
    }
    let method = answering.method.clone();
    let outbox = answering.outbox.clone();
    let request = match message.as_ref().map(value_of).transpose() {
        Ok(request) => request.unwrap_or(Value::Int(0)),
        Err(e) => {
            let _ = outbox.send(Err(tonic::Status::invalid_argument(e)));
            end_stream(vm, id);
            return Ok(());
        }
    };
    let outcome = top_level(vm, None, |vm| {
        Ok(vm.apply(handler, method.name(), vec![request, Value::Int(id)], false))
    })?;
    let answer = match outcome {
        Some(Ok(Some(answer))) => answer,
        Some(Ok(None)) => Value::Int(0),
        Some(Err(Unwind::Shutdown(code))) => return Err(Unwind::Shutdown(code)),
        Some(Err(Unwind::Error(info))) => {
            let _ = outbox.send(Err(tonic::Status::unknown(info.message)));
            end_stream(vm, id);
            return Ok(());
        }
        Some(Err(_)) | None => {
            let _ = outbox.send(Err(tonic::Status::unknown("the handler failed")));
            end_stream(vm, id);
            return Ok(());
        }
    };
    let last = !matches!(answer, Value::Int(0) | Value::Undefined);
    let answers = match answer {
        Value::Array(items) => items.borrow().clone(),
        m @ Value::Mapping(_) => vec![m],
        Value::Int(0) | Value::Undefined => Vec::new(),
        other => {
            let _ = outbox.send(Err(tonic::Status::internal(format!(
                "{}() returned a {}, not a mapping, an array of them or 0",
                method.name(),
                other.type_name()
            ))));
            end_stream(vm, id);
            return Ok(());
        }
    };
    for answer in &answers {
        match message_of(vm, answer, method.output()) {
            Ok(reply) => {
                let _ = outbox.send(Ok(reply));
            }
            Err(e) => {
                let _ = outbox.send(Err(tonic::Status::internal(format!("bad answer: {e}"))));
                end_stream(vm, id);
                return Ok(());
            }
        }
    }
    if message.is_none() && last {
        end_stream(vm, id);
    }
    Ok(())
}
