//! The http efuns: `http_serve` and `http_respond` (a server whose requests
//! LPC answers) and `http_request` (a client). The network work runs in
//! `web::http_server` and `web::http_client`; requests and answers cross
//! to the VM thread as plain data through `asyncwork`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::asyncwork::{self, Id};
use crate::net::Inflow;
use crate::runtime::{self, Sender};
use crate::vm::value::{Value, ValueMap};
use crate::vm::{Efun, Unwind, Vm, error};
use crate::web::{http_client, http_server};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("http_serve", http_serve);
    m.insert("http_respond", http_respond);
    m.insert("http_request", http_request);
}

/// The options mapping of an efun, checked against the keys it knows so a
/// misspelt option is an error rather than silently ignored.
pub struct Options {
    efun: &'static str,
    entries: FxHashMap<String, Value>,
}

impl Options {
    pub fn read(v: Value, efun: &'static str, i: usize, known: &[&str]) -> Result<Options, Unwind> {
        let mut entries = FxHashMap::default();
        match v {
            Value::Undefined | Value::Int(0) => {}
            Value::Mapping(m) => {
                for (key, value) in m.borrow().iter() {
                    let Value::Str(key) = key else {
                        return Err(error(format!("{efun}(): option names must be strings")));
                    };
                    if !known.contains(&key.text.as_str()) {
                        return Err(error(format!(
                            "{efun}(): unknown option '{}' (known: {})",
                            key.text,
                            known.join(", ")
                        )));
                    }
                    entries.insert(key.text.to_string(), value.clone());
                }
            }
            other => return Err(bad_arg(efun, i, &other)),
        }
        Ok(Options { efun, entries })
    }

    fn bad(&self, key: &str, want: &str) -> Unwind {
        error(format!("{}(): option '{key}' must be {want}", self.efun))
    }

    pub fn int(&self, key: &str, default: i64) -> Result<i64, Unwind> {
        match self.entries.get(key) {
            None => Ok(default),
            Some(Value::Int(n)) => Ok(*n),
            Some(_) => Err(self.bad(key, "an int")),
        }
    }

    /// A size in bytes, at least 1.
    pub fn size(&self, key: &str, default: usize) -> Result<usize, Unwind> {
        match self.int(key, default as i64)? {
            n if n >= 1 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            _ => Err(self.bad(key, "a positive number of bytes")),
        }
    }

    /// A duration given in seconds, int or float, more than zero.
    pub fn seconds(&self, key: &str, default: Duration) -> Result<Duration, Unwind> {
        let seconds = match self.entries.get(key) {
            None => return Ok(default),
            Some(Value::Int(n)) => *n as f64,
            Some(Value::Float(f)) => f.get(),
            Some(_) => return Err(self.bad(key, "a number of seconds")),
        };
        Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| self.bad(key, "a positive number of seconds"))
    }

    /// Option `connections_per_address` of a server: how many connections
    /// one address may have open at once (0: no limit), by default the
    /// config's `connections per address`.
    pub fn per_address(&self, vm: &Vm) -> Result<usize, Unwind> {
        const KEY: &str = "connections_per_address";
        let default = vm.backend.net.guards.per_address;
        match self.int(KEY, i64::try_from(default).unwrap_or(i64::MAX))? {
            n if n >= 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            _ => Err(self.bad(KEY, "a number of connections, 0 for no limit")),
        }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, Unwind> {
        match self.entries.get(key) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.text.to_string())),
            Some(_) => Err(self.bad(key, "a string")),
        }
    }

    pub fn value(&self, key: &str) -> Option<&Value> {
        self.entries.get(key)
    }

    /// Certificates to trust from the mudlib PEM file under `key`.
    pub fn certificates(
        &self,
        vm: &Vm,
        key: &str,
    ) -> Result<Vec<futures_rustls::rustls::pki_types::CertificateDer<'static>>, Unwind> {
        let Some(path) = self.string(key)? else {
            return Ok(Vec::new());
        };
        let host = vm.compiler.provider.host_path(&path);
        crate::web::read_certificates(&host).map_err(|e| error(format!("{}(): {e}", self.efun)))
    }
}

/// Header pairs from an LPC mapping of names to strings (or ints, or
/// arrays of strings for a repeated header).
pub fn headers_of(v: &Value, efun: &str) -> Result<Vec<(String, String)>, Unwind> {
    let map = match v {
        Value::Undefined | Value::Int(0) => return Ok(Vec::new()),
        Value::Mapping(m) => m,
        _ => return Err(error(format!("{efun}(): headers must be a mapping"))),
    };
    let mut pairs = Vec::new();
    for (name, value) in map.borrow().iter() {
        let Value::Str(name) = name else {
            return Err(error(format!("{efun}(): header names must be strings")));
        };
        let valid_name = !name.text.is_empty()
            && name
                .text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !valid_name {
            return Err(error(format!("{efun}(): bad header name '{}'", name.text)));
        }
        let values = match value {
            Value::Array(items) => items.borrow().clone(),
            one => vec![one.clone()],
        };
        for value in values {
            let text = match value {
                Value::Str(s) => s.text.to_string(),
                Value::Int(n) => n.to_string(),
                _ => {
                    return Err(error(format!(
                        "{efun}(): header '{}' must be a string",
                        name.text
                    )));
                }
            };
            if text.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
                return Err(error(format!(
                    "{efun}(): header '{}' holds a line break",
                    name.text
                )));
            }
            pairs.push((name.text.to_string(), text));
        }
    }
    Ok(pairs)
}

/// Header pairs as an LPC mapping; a repeated header's values are joined
/// with ", " as HTTP allows.
pub fn headers_value(pairs: Vec<(String, String)>) -> Value {
    let mut joined: Vec<(String, String)> = Vec::new();
    for (name, value) in pairs {
        let name = name.to_ascii_lowercase();
        match joined.iter_mut().find(|(n, _)| *n == name) {
            Some((_, all)) => {
                all.push_str(", ");
                all.push_str(&value);
            }
            None => joined.push((name, value)),
        }
    }
    let mut map = ValueMap::default();
    for (name, value) in joined {
        map.insert(Value::str(name), Value::str(value));
    }
    Value::Mapping(Rc::new(RefCell::new(map)))
}

/// Bytes as LPC sees them: a string when they are UTF-8, else a buffer.
pub fn bytes_value(bytes: Vec<u8>) -> Value {
    match String::from_utf8(bytes) {
        Ok(text) => Value::str(text),
        Err(e) => Value::Buffer(Rc::new(RefCell::new(e.into_bytes()))),
    }
}

/// The bytes of a string or buffer argument (0 for none).
pub fn body_of(v: &Value, efun: &str, what: &str) -> Result<Vec<u8>, Unwind> {
    match v {
        Value::Undefined | Value::Int(0) => Ok(Vec::new()),
        Value::Str(s) => Ok(s.text.as_bytes().to_vec()),
        Value::Buffer(b) => Ok(b.borrow().clone()),
        _ => Err(error(format!(
            "{efun}(): {what} must be a string or buffer"
        ))),
    }
}

fn mapping(entries: Vec<(&str, Value)>) -> Value {
    let mut map = ValueMap::default();
    for (key, value) in entries {
        map.insert(Value::str(key), value);
    }
    Value::Mapping(Rc::new(RefCell::new(map)))
}

/// A server's hold on its accept loop, which stops when this is dropped.
pub struct Listening {
    pub _stop: Sender<()>,
}

/// A request of `http_serve` waiting for its answer.
struct Waiting(Sender<http_server::Response>);

/// Whether master `valid_http(port, caller)` lets the running object serve
/// on `port` (a master without that apply refuses nothing).
pub fn permitted(vm: &mut Vm, port: u16) -> Result<bool, Unwind> {
    let Some(caller) = vm.this_object() else {
        return Ok(false);
    };
    let Some(master) = vm.master else {
        return Ok(true);
    };
    let args = vec![Value::Int(i64::from(port)), Value::Object(caller)];
    let answer = vm.apply(master, "valid_http", args, true)?;
    Ok(answer.is_none_or(|allowed| allowed.truthy()))
}

/// A listening socket for an HTTP server on `host:port`, when master
/// `valid_http(port, caller)` does not refuse it and the port is free.
pub fn bind(
    vm: &mut Vm,
    efun: &str,
    port: u16,
    host: &str,
) -> Result<Option<runtime::TcpListener>, Unwind> {
    if !permitted(vm, port)? {
        return Ok(None);
    }
    let address = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    match runtime::block_on(runtime::listen(&address)) {
        Ok(listener) => Ok(Some(listener)),
        Err(e) => {
            vm.debug_message(&format!("{efun}(): cannot listen on {address}: {e}"));
            Ok(None)
        }
    }
}

/// `http_serve(port, handler, options)`.
fn http_serve(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "http_serve";
    let port = int_arg(vm, base, argc, 0, EFUN)?;
    let Some(port) = u16::try_from(port).ok().filter(|&p| p != 0) else {
        return Err(error(format!("{EFUN}(): bad port {port}")));
    };
    let handler = asyncwork::callback_arg(arg(vm, base, argc, 1), EFUN, 1)?;
    let options = Options::read(
        arg(vm, base, argc, 2),
        EFUN,
        2,
        &[
            "host",
            "max_body",
            "max_header",
            "header_timeout",
            "timeout",
            "keep_alive",
            "connections_per_address",
            "static",
            "cert",
            "key",
        ],
    )?;
    let static_dir = match options.string("static")? {
        Some(dir) => {
            let host = vm.compiler.provider.host_path(&dir);
            if !host.is_dir() {
                return Err(error(format!("{EFUN}(): '{dir}' is not a directory")));
            }
            Some(host)
        }
        None => None,
    };
    let tls = match (options.string("cert")?, options.string("key")?) {
        (Some(cert), Some(key)) => {
            let cert = vm.compiler.provider.host_path(&cert);
            let key = vm.compiler.provider.host_path(&key);
            let acceptor =
                crate::net::tls::acceptor(&cert.to_string_lossy(), &key.to_string_lossy())
                    .map_err(|e| error(format!("{EFUN}(): {e}")))?;
            Some(acceptor)
        }
        (None, None) => None,
        _ => return Err(error(format!("{EFUN}(): TLS needs both 'cert' and 'key'"))),
    };
    let config = http_server::Config {
        max_body: options.size("max_body", 1 << 20)?,
        max_header: options.size("max_header", 16 << 10)?,
        header_timeout: options.seconds("header_timeout", Duration::from_secs(30))?,
        response_timeout: options.seconds("timeout", Duration::from_secs(30))?,
        keep_alive: options.int("keep_alive", 1)? != 0,
        per_address: options.per_address(vm)?,
        static_dir,
        tls,
    };
    let host = options
        .string("host")?
        .unwrap_or_else(|| vm.backend.bind_ip.clone());
    let Some(listener) = bind(vm, EFUN, port, &host)? else {
        return Ok(Value::Int(0));
    };
    let (listening, stop) = runtime::channel();
    let state: Box<dyn std::any::Any> = Box::new(Listening { _stop: listening });
    let Some(server) = asyncwork::begin(vm, vec![handler], Some(state)) else {
        return Ok(Value::Int(0));
    };
    let notifier = asyncwork::notifier(vm);
    let to_vm = notifier.clone();
    let deliver: http_server::Deliver = Arc::new(move |request, reply| {
        to_vm.run(move |vm| request_arrived(vm, server, request, reply))
    });
    let abandon: http_server::Abandon = Arc::new(move |request| notifier.end(request));
    runtime::spawn(http_server::serve(
        listener,
        Arc::new(config),
        deliver,
        abandon,
        stop,
    ));
    Ok(Value::Int(server))
}

/// A request reached the VM thread: the handler hears it, and answers now
/// by returning a response mapping or later through `http_respond`.
fn request_arrived(
    vm: &mut Vm,
    server: Id,
    request: http_server::Request,
    reply: http_server::Reply,
) -> Result<(), Unwind> {
    if reply.answer.is_closed() {
        // The client's wait ran out before the VM got here.
        return Ok(());
    }
    let unavailable = || http_server::Response {
        status: 503,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: b"Service unavailable\n".to_vec(),
    };
    let Some((owner, handler)) = vm
        .backend
        .work
        .get(server)
        .and_then(|s| Some((s.owner, s.callbacks.first()?.clone())))
        .filter(|(owner, _)| vm.objects.alive(*owner))
    else {
        let _ = reply.answer.try_send(unavailable());
        return Ok(());
    };
    // The request belongs to the object whose code answers it.
    let answerer = match &handler {
        Value::Function(f) => f.owner,
        _ => owner,
    };
    let id = vm.backend.work.begin(asyncwork::Pending {
        owner: answerer,
        player: None,
        callbacks: Vec::new(),
        state: Some(Box::new(Waiting(reply.answer))),
    });
    reply.id.store(id, Ordering::Release);
    let remote = request.remote;
    let fields = mapping(vec![
        ("id", Value::Int(id)),
        ("method", Value::str(request.method)),
        ("path", Value::str(request.path)),
        ("query", Value::str(request.query)),
        ("headers", headers_value(request.headers)),
        ("body", bytes_value(request.body)),
        ("remote", Value::str(remote.ip().to_string())),
        ("remote_port", Value::Int(i64::from(remote.port()))),
    ]);
    let returned = asyncwork::call_with(vm, owner, None, &handler, vec![fields])?;
    let response = match returned {
        // Answered already, or to be answered by `http_respond`.
        _ if vm.backend.work.state::<Waiting>(id).is_none() => return Ok(()),
        Some(Value::Mapping(m)) => match response_of(&Value::Mapping(m)) {
            Ok(response) => response,
            Err(message) => {
                vm.debug_message(&format!("http_serve(): bad response: {message}"));
                http_server::Response {
                    status: 500,
                    headers: Vec::new(),
                    body: b"Internal server error\n".to_vec(),
                }
            }
        },
        Some(v) if !v.truthy() => return Ok(()),
        // The handler failed (its error is reported) or returned nonsense.
        _ => http_server::Response {
            status: 500,
            headers: Vec::new(),
            body: b"Internal server error\n".to_vec(),
        },
    };
    if let Some(pending) = vm.backend.work.end(id)
        && let Some(Ok(waiting)) = pending.state.map(|s| s.downcast::<Waiting>())
    {
        let _ = waiting.0.try_send(response);
    }
    Ok(())
}

/// A response mapping (status, headers, body) as plain data.
fn response_of(v: &Value) -> Result<http_server::Response, String> {
    let Value::Mapping(m) = v else {
        return Err("a response must be a mapping".into());
    };
    let m = m.borrow();
    let field = |name: &str| m.get(&Value::str(name)).cloned().unwrap_or_default();
    let status = match field("status") {
        Value::Undefined => 200,
        Value::Int(n) if (100..=999).contains(&n) => n as u16,
        other => return Err(format!("bad status {other:?}")),
    };
    let headers = headers_of(&field("headers"), "http_respond").map_err(unwind_text)?;
    let body = body_of(&field("body"), "http_respond", "the body").map_err(unwind_text)?;
    Ok(http_server::Response {
        status,
        headers,
        body,
    })
}

fn unwind_text(e: Unwind) -> String {
    match e {
        Unwind::Error(info) => info.message,
        other => format!("{other:?}"),
    }
}

/// `http_respond(request_id, response)`.
fn http_respond(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let id = int_arg(vm, base, argc, 0, "http_respond")?;
    let response = arg(vm, base, argc, 1);
    if !matches!(response, Value::Mapping(_)) {
        return Err(bad_arg("http_respond", 1, &response));
    }
    if asyncwork::owned_state_named::<Waiting>(vm, id, "http_respond", "request")?.is_none() {
        return Ok(Value::Int(0));
    }
    let response = response_of(&response).map_err(|e| error(format!("http_respond(): {e}")))?;
    let Some(pending) = vm.backend.work.end(id) else {
        return Ok(Value::Int(0));
    };
    let Some(Ok(waiting)) = pending.state.map(|s| s.downcast::<Waiting>()) else {
        return Ok(Value::Int(0));
    };
    Ok(Value::Int(waiting.0.try_send(response).is_ok() as i64))
}

/// What the requests of `http_request` still going may hold together: the
/// bodies they send, and [`REQUEST_COST`] for each (its connection's
/// buffers). Past it a request is not started, so LPC that keeps asking a
/// server that never answers costs bounded memory and connections.
const REQUEST_WINDOW: usize = 16 << 20;
const REQUEST_COST: usize = 64 << 10;

/// The window of every `http_request` of the driver.
fn requests_in_flight() -> &'static Arc<Inflow> {
    static FLOW: OnceLock<Arc<Inflow>> = OnceLock::new();
    FLOW.get_or_init(|| Inflow::with_window(REQUEST_WINDOW))
}

/// `http_request(method, url, headers, body, callback, options)`.
fn http_request(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "http_request";
    let method = str_arg(vm, base, argc, 0, EFUN)?.text.to_ascii_uppercase();
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(error(format!("{EFUN}(): bad method '{method}'")));
    }
    let url = str_arg(vm, base, argc, 1, EFUN)?.text.to_string();
    http_client::parse_url(&url).map_err(|e| error(format!("{EFUN}(): {e}")))?;
    let headers = headers_of(&arg(vm, base, argc, 2), EFUN)?;
    let body = body_of(&arg(vm, base, argc, 3), EFUN, "the body")?;
    let callback = asyncwork::callback_arg(arg(vm, base, argc, 4), EFUN, 4)?;
    let options = Options::read(
        arg(vm, base, argc, 5),
        EFUN,
        5,
        &["timeout", "max_redirects", "max_size", "ca"],
    )?;
    let Some(credit) = requests_in_flight().offer(body.len() + REQUEST_COST) else {
        return Ok(Value::Int(-1));
    };
    let request = http_client::Request {
        method,
        url,
        headers,
        body,
        timeout: options.seconds("timeout", Duration::from_secs(30))?,
        max_redirects: u32::try_from(options.int("max_redirects", 5)?)
            .map_err(|_| error(format!("{EFUN}(): 'max_redirects' must not be negative")))?,
        max_size: options.size("max_size", 8 << 20)?,
        extra_roots: options.certificates(vm, "ca")?,
    };
    let Some(id) = asyncwork::begin(vm, vec![callback], None) else {
        return Ok(Value::Int(0));
    };
    let notifier = asyncwork::notifier(vm);
    runtime::spawn(async move {
        let result = http_client::fetch(request).await;
        drop(credit);
        notifier.run(move |vm| {
            let args = match result {
                Ok(response) => vec![
                    Value::Int(i64::from(response.status)),
                    headers_value(response.headers),
                    bytes_value(response.body),
                ],
                Err(message) => vec![Value::str(message)],
            };
            asyncwork::finish(vm, id, 0, args)
        });
    });
    Ok(Value::Int(id))
}
