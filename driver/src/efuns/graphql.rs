//! The graphql efuns: `graphql_serve` (an endpoint whose schema comes from
//! SDL and whose fields LPC functions resolve, see `web::graphql`) and
//! `graphql_query` (a client over `http_request`'s client). Values cross
//! between LPC and GraphQL as JSON-like trees.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Name, Number, Value as Gql};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{arg, bad_arg, str_arg};
use crate::asyncwork::{self, Id};
use crate::backend::top_level;
use crate::runtime;
use crate::vm::object::ObjRef;
use crate::vm::value::{Value, ValueMap};
use crate::vm::{Efun, Unwind, Vm, error};
use crate::web::{graphql, http_client, http_server};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("graphql_serve", graphql_serve);
    m.insert("graphql_query", graphql_query);
}

/// How deep LPC values may nest on their way out; deeper (or cyclic)
/// values are refused.
const MAX_DEPTH: usize = 64;

/// An LPC value as GraphQL (and JSON) sees it.
pub fn to_gql(vm: &Vm, v: &Value, depth: usize) -> Result<Gql, String> {
    if depth > MAX_DEPTH {
        return Err("the value nests too deeply (or contains itself)".into());
    }
    Ok(match v {
        Value::Undefined => Gql::Null,
        Value::Int(n) => Gql::Number(Number::from(*n)),
        Value::Float(f) => Number::from_f64(f.get()).map_or(Gql::Null, Gql::Number),
        Value::Str(s) => Gql::String(s.text.to_string()),
        Value::Buffer(b) => Gql::Binary(b.borrow().clone().into()),
        Value::Object(o) => vm
            .object_name(*o)
            .map_or(Gql::Null, |name| Gql::String(format!("/{name}"))),
        Value::Array(items) => Gql::List(
            items
                .borrow()
                .iter()
                .map(|item| to_gql(vm, item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(m) => {
            let mut entries = async_graphql::indexmap::IndexMap::new();
            for (key, value) in m.borrow().iter() {
                let key = match key {
                    Value::Str(s) => s.text.to_string(),
                    Value::Int(n) => n.to_string(),
                    other => return Err(format!("a {} mapping key", other.type_name())),
                };
                entries.insert(Name::new(key), to_gql(vm, value, depth + 1)?);
            }
            Gql::Object(entries)
        }
        Value::Ref(r) => to_gql(vm, &r.borrow(), depth + 1)?,
        Value::Function(_) | Value::Class(_) => {
            return Err(format!("a {} cannot be sent", v.type_name()));
        }
    })
}

/// A GraphQL (or JSON) value for LPC: null is 0, booleans are 1 and 0.
pub fn from_gql(v: Gql) -> Value {
    match v {
        Gql::Null => Value::Int(0),
        Gql::Boolean(b) => Value::Int(b as i64),
        Gql::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::float(n.as_f64().unwrap_or(0.0)),
        },
        Gql::String(s) => Value::str(s),
        Gql::Enum(name) => Value::str(name.to_string()),
        Gql::Binary(bytes) => Value::Buffer(Rc::new(RefCell::new(bytes.to_vec()))),
        Gql::List(items) => Value::array(items.into_iter().map(from_gql).collect()),
        Gql::Object(entries) => {
            let mut map = ValueMap::default();
            for (key, value) in entries {
                map.insert(Value::str(key.to_string()), from_gql(value));
            }
            Value::Mapping(Rc::new(RefCell::new(map)))
        }
    }
}

/// The resolver object of a `graphql_serve` endpoint, and its server's
/// hold on the accept loop.
struct Endpoint {
    resolver: ObjRef,
    _listening: super::http::Listening,
}

/// `graphql_serve(port, path, schema, resolver, options)`.
fn graphql_serve(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "graphql_serve";
    let port = super::int_arg(vm, base, argc, 0, EFUN)?;
    let Some(port) = u16::try_from(port).ok().filter(|&p| p != 0) else {
        return Err(error(format!("{EFUN}(): bad port {port}")));
    };
    let path = str_arg(vm, base, argc, 1, EFUN)?.text.to_string();
    if !path.starts_with('/') {
        return Err(error(format!("{EFUN}(): the path must start with '/'")));
    }
    let sdl = str_arg(vm, base, argc, 2, EFUN)?.text.to_string();
    let resolver = match arg(vm, base, argc, 3) {
        Value::Object(o) if vm.objects.alive(o) => o,
        other => return Err(bad_arg(EFUN, 3, &other)),
    };
    let options = super::http::Options::read(
        arg(vm, base, argc, 4),
        EFUN,
        4,
        &["connections_per_address"],
    )?;
    let per_address = options.per_address(vm)?;
    let (document, outline) =
        graphql::outline(&sdl).map_err(|e| error(format!("{EFUN}(): {e}")))?;
    let public: FxHashSet<String> = match vm.objects.get(resolver) {
        Some(object) => object
            .linked
            .public
            .keys()
            .map(|name| name.to_string())
            .collect(),
        None => FxHashSet::default(),
    };
    let mut functions = FxHashSet::default();
    for (ty, field) in &outline.fields {
        let function = format!("{ty}_{field}");
        let root = *ty == outline.query || outline.mutation.as_ref() == Some(ty);
        if public.contains(&function) {
            functions.insert(function);
        } else if root {
            return Err(error(format!(
                "{EFUN}(): {ty}.{field} needs a public function {function}() in the resolver"
            )));
        }
    }
    let host = vm.backend.bind_ip.clone();
    let Some(listener) = super::http::bind(vm, EFUN, port, &host)? else {
        return Ok(Value::Int(0));
    };
    let (listening, stop) = runtime::channel();
    let state: Box<dyn std::any::Any> = Box::new(Endpoint {
        resolver,
        _listening: super::http::Listening { _stop: listening },
    });
    let Some(server) = asyncwork::begin(vm, Vec::new(), Some(state)) else {
        return Ok(Value::Int(0));
    };
    let notifier = asyncwork::notifier(vm);
    let resolve: graphql::Resolve = Arc::new(move |call| {
        let (answer, answers) = runtime::channel();
        let sent = notifier.run(move |vm| {
            let result = resolve_on_vm(vm, server, call)?;
            let _ = answer.try_send(result);
            Ok(())
        });
        sent.then_some(answers)
    });
    let schema = graphql::build(&document, &outline, &functions, resolve);
    let schema = match schema {
        Ok(schema) => schema,
        Err(e) => {
            vm.backend.work.end(server);
            return Err(error(format!("{EFUN}(): {e}")));
        }
    };
    let deliver: http_server::Deliver = Arc::new(move |request, reply| {
        let schema = schema.clone();
        let path = path.clone();
        runtime::spawn(async move {
            let response = graphql::execute(&schema, &path, request).await;
            let _ = reply.answer.try_send(response);
        });
        true
    });
    let config = http_server::Config {
        max_body: 1 << 20,
        max_header: 16 << 10,
        header_timeout: Duration::from_secs(30),
        response_timeout: Duration::from_secs(30),
        keep_alive: true,
        per_address,
        static_dir: None,
        tls: None,
    };
    let abandon: http_server::Abandon = Arc::new(|_| {});
    runtime::spawn(http_server::serve(
        listener,
        Arc::new(config),
        deliver,
        abandon,
        stop,
    ));
    Ok(Value::Int(server))
}

/// Calls one resolver function for a field; its error, if any, becomes
/// the field's error in the GraphQL answer.
fn resolve_on_vm(
    vm: &mut Vm,
    server: Id,
    call: graphql::Call,
) -> Result<Result<Gql, String>, Unwind> {
    let Some(endpoint) = vm.backend.work.state::<Endpoint>(server) else {
        return Ok(Err("the endpoint is closed".into()));
    };
    let resolver = endpoint.resolver;
    if !vm.objects.alive(resolver) {
        return Ok(Err("the resolver object is gone".into()));
    }
    let args = vec![from_gql(call.args), from_gql(call.parent)];
    let outcome = top_level(vm, None, |vm| {
        Ok(vm.apply(resolver, &call.function, args, false))
    })?;
    Ok(match outcome {
        Some(Ok(Some(value))) => to_gql(vm, &value, 0),
        Some(Ok(None)) => Err(format!("the resolver has no function {}()", call.function)),
        Some(Err(Unwind::Error(info))) => Err(info.message),
        Some(Err(Unwind::Throw(value))) => Err(format!(
            "thrown: {}",
            to_gql(vm, &value, 0).map_or_else(|e| e, |v| v.to_string())
        )),
        Some(Err(Unwind::EvalCost)) => Err("too long evaluation".into()),
        Some(Err(Unwind::Shutdown(code))) => return Err(Unwind::Shutdown(code)),
        None => Err("the resolver failed".into()),
    })
}

/// `graphql_query(url, query, variables, callback)`: the callback gets the
/// answer's data and errors, or an error string.
fn graphql_query(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "graphql_query";
    let url = str_arg(vm, base, argc, 0, EFUN)?.text.to_string();
    http_client::parse_url(&url).map_err(|e| error(format!("{EFUN}(): {e}")))?;
    let query = str_arg(vm, base, argc, 1, EFUN)?.text.to_string();
    let variables = match arg(vm, base, argc, 2) {
        Value::Undefined | Value::Int(0) => Gql::Object(Default::default()),
        v @ Value::Mapping(_) => {
            to_gql(vm, &v, 0).map_err(|e| error(format!("{EFUN}(): variables: {e}")))?
        }
        other => return Err(bad_arg(EFUN, 2, &other)),
    };
    let callback = asyncwork::callback_arg(arg(vm, base, argc, 3), EFUN, 3)?;
    let variables = variables
        .into_json()
        .map_err(|e| error(format!("{EFUN}(): variables: {e}")))?;
    let body = serde_json::json!({ "query": query, "variables": variables });
    let request = http_client::Request {
        method: "POST".into(),
        url,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("accept".into(), "application/json".into()),
        ],
        body: body.to_string().into_bytes(),
        timeout: Duration::from_secs(30),
        max_redirects: 5,
        max_size: 8 << 20,
        extra_roots: Vec::new(),
    };
    let Some(id) = asyncwork::begin(vm, vec![callback], None) else {
        return Ok(Value::Int(0));
    };
    let notifier = asyncwork::notifier(vm);
    runtime::spawn(async move {
        let answer = http_client::fetch(request).await.and_then(|response| {
            let json: serde_json::Value = serde_json::from_slice(&response.body).map_err(|_| {
                format!(
                    "HTTP {}: {}",
                    response.status,
                    String::from_utf8_lossy(&response.body)
                )
            })?;
            let mut answer = Gql::from_json(json).map_err(|e| e.to_string())?;
            let mut part = |key: &str| match &mut answer {
                Gql::Object(entries) => entries.shift_remove(key).unwrap_or(Gql::Null),
                _ => Gql::Null,
            };
            Ok((part("data"), part("errors")))
        });
        notifier.run(move |vm| {
            let args = match answer {
                Ok((data, errors)) => vec![from_gql(data), from_gql(errors)],
                Err(message) => vec![Value::str(message)],
            };
            asyncwork::finish(vm, id, 0, args)
        });
    });
    Ok(Value::Int(id))
}
