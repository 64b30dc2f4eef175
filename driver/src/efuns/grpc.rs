//! The grpc efuns: `grpc_load_proto` (services and messages from .proto
//! files), `grpc_call` (unary and server-streaming calls) and `grpc_serve`
//! (a service whose methods are functions of an LPC object). Messages are
//! LPC mappings in the proto3 JSON shape; the transport is in `web::grpc`.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::Value as Gql;
use prost_reflect::{DynamicMessage, MessageDescriptor, MethodDescriptor};
use rustc_hash::FxHashMap;

use super::graphql::{from_gql, to_gql};
use super::http::Options;
use super::{arg, bad_arg, int_arg, str_arg};
use crate::asyncwork::{self, Id};
use crate::backend::top_level;
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};
use crate::web::grpc::{self, Reply};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("grpc_load_proto", grpc_load_proto);
    m.insert("grpc_call", grpc_call);
    m.insert("grpc_serve", grpc_serve);
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
    let path = str_arg(vm, base, argc, 0, "grpc_load_proto")?.text.clone();
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
    let target = str_arg(vm, base, argc, 0, EFUN)?.text.clone();
    let name = str_arg(vm, base, argc, 1, EFUN)?.text.clone();
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
    let options = Options::read(arg(vm, base, argc, 4), EFUN, 4, &["deadline", "metadata"])?;
    let deadline = options.seconds("deadline", Duration::from_secs(30))?;
    let metadata =
        super::http::headers_of(options.value("metadata").unwrap_or(&Value::Undefined), EFUN)?;
    let Some(id) = asyncwork::begin(vm, vec![callback], None) else {
        return Ok(Value::Int(0));
    };
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
    let flow = notifier.flow();
    let started = grpc::spawn(async move {
        grpc::call(target, method, requests, metadata, deadline, on_reply, flow).await;
        notifier.end(id);
    });
    if let Err(e) = started {
        vm.backend.work.end(id);
        return Err(error(format!("{EFUN}(): {e}")));
    }
    Ok(Value::Int(id))
}

/// A `grpc_serve` service: the object implementing its methods, and the
/// server's hold on its accept loop.
struct Served {
    handler: ObjRef,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// `grpc_serve(port, service, handler)`.
fn grpc_serve(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "grpc_serve";
    let port = int_arg(vm, base, argc, 0, EFUN)?;
    let Some(port) = u16::try_from(port).ok().filter(|&p| p != 0) else {
        return Err(error(format!("{EFUN}(): bad port {port}")));
    };
    let name = str_arg(vm, base, argc, 1, EFUN)?.text.clone();
    let handler = match arg(vm, base, argc, 2) {
        Value::Object(o) if vm.objects.alive(o) => o,
        other => return Err(bad_arg(EFUN, 2, &other)),
    };
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
    let handle: grpc::Handle = Arc::new(move |method, messages| {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let sent = notifier.run(move |vm| {
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
    if let Err(e) = grpc::spawn(grpc::serve(listener, service, handle, stopped)) {
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
