//! The mqtt efuns: an MQTT 3.1.1 or 5 client per `mqtt_connect`, an `asyncwork`
//! operation whose callbacks hear messages and connection events; its
//! tasks live in `web::mqtt`.

use std::sync::Arc;
use std::time::Duration;

use rustc_hash::FxHashMap;

use super::http::{Options, body_of, bytes_value};
use super::{arg, int_arg, str_arg};
use crate::asyncwork;
use crate::net::{Credit, Inflow, OUTGOING_WINDOW};
use crate::runtime::{self, Sender};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};
use crate::web::Sent;
use crate::web::mqtt::{self, News, Qos, Request, Version, Will};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("mqtt_connect", mqtt_connect);
    m.insert("mqtt_subscribe", mqtt_subscribe);
    m.insert("mqtt_unsubscribe", mqtt_unsubscribe);
    m.insert("mqtt_publish", mqtt_publish);
    m.insert("mqtt_disconnect", mqtt_disconnect);
}

/// The VM side of a client: the queue to its request task, and the window
/// of the messages published and not yet sent (or, at QoS 1 and 2, not
/// yet acknowledged).
struct Client(Sender<Request>, Arc<Inflow>);

/// Callback numbers in the client's `asyncwork` entry.
const ON_MESSAGE: usize = 0;
const ON_EVENT: usize = 1;

fn qos_of(n: i64, efun: &str) -> Result<Qos, Unwind> {
    match n {
        0 => Ok(Qos::AtMostOnce),
        1 => Ok(Qos::AtLeastOnce),
        2 => Ok(Qos::ExactlyOnce),
        _ => Err(error(format!("{efun}(): qos must be 0, 1 or 2, not {n}"))),
    }
}

/// The last will from its mapping: topic, payload, qos, retain.
fn last_will(v: &Value) -> Result<Will, Unwind> {
    const EFUN: &str = "mqtt_connect";
    let Value::Mapping(m) = v else {
        return Err(error(format!("{EFUN}(): option 'will' must be a mapping")));
    };
    let m = m.borrow();
    let field = |name: &str| m.get(&Value::str(name)).cloned().unwrap_or_default();
    let Value::Str(topic) = field("topic") else {
        return Err(error(format!("{EFUN}(): the will needs a topic")));
    };
    let payload = body_of(&field("payload"), EFUN, "the will's payload")?;
    let qos = qos_of(field("qos").as_int().unwrap_or(0), EFUN)?;
    let retain = field("retain").truthy();
    Ok(Will {
        topic: topic.text.to_string(),
        payload,
        qos,
        retain,
    })
}

/// `mqtt_connect(host, port, options, on_message, on_event)`.
fn mqtt_connect(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "mqtt_connect";
    let host = str_arg(vm, base, argc, 0, EFUN)?.text.to_string();
    if host.is_empty() {
        return Err(error(format!("{EFUN}(): no host")));
    }
    let port = int_arg(vm, base, argc, 1, EFUN)?;
    let Some(port) = u16::try_from(port).ok().filter(|&p| p != 0) else {
        return Err(error(format!("{EFUN}(): bad port {port}")));
    };
    let options = Options::read(
        arg(vm, base, argc, 2),
        EFUN,
        2,
        &[
            "client_id",
            "username",
            "password",
            "keep_alive",
            "clean_session",
            "will",
            "tls",
            "ca",
            "reconnect",
            "timeout",
            "protocol",
        ],
    )?;
    let on_message = asyncwork::callback_arg(arg(vm, base, argc, 3), EFUN, 3)?;
    let on_event = asyncwork::callback_arg(arg(vm, base, argc, 4), EFUN, 4)?;
    let client_id = match options.string("client_id")? {
        Some(id) => id,
        None => format!("lpc-{}-{}", std::process::id(), vm.backend.work.count()),
    };
    let version = match options.string("protocol")?.as_deref() {
        None | Some("5") | Some("5.0") => Version::V5_0,
        Some("3.1.1") => Version::V3_1_1,
        Some(other) => {
            return Err(error(format!(
                "{EFUN}(): protocol must be \"3.1.1\" or \"5\", not \"{other}\""
            )));
        }
    };
    let keep_alive = options.seconds("keep_alive", Duration::from_secs(60))?;
    let will = match options.value("will") {
        Some(will) => Some(last_will(will)?),
        None => None,
    };
    let extra_roots = options.certificates(vm, "ca")?;
    let tls = if options.int("tls", 0)? != 0 {
        Some(crate::web::tls_client(&extra_roots).map_err(|e| error(format!("{EFUN}(): {e}")))?)
    } else {
        None
    };
    let settings = mqtt::Settings {
        host,
        port,
        tls,
        version,
        client_id,
        username: options.string("username")?,
        password: options.string("password")?.map(String::into_bytes),
        keep_alive: u16::try_from(keep_alive.as_secs()).unwrap_or(u16::MAX),
        clean: options.int("clean_session", 1)? != 0,
        will,
        reconnect: options.int("reconnect", 1)? != 0,
        connect_timeout: options.seconds("timeout", Duration::from_secs(10))?,
    };
    let (requests, pending) = runtime::channel();
    let flow = Inflow::with_window(OUTGOING_WINDOW);
    let state: Box<dyn std::any::Any> = Box::new(Client(requests, flow));
    let Some(id) = asyncwork::begin(vm, vec![on_message, on_event], Some(state)) else {
        return Ok(Value::Int(0));
    };
    let notifier = asyncwork::notifier(vm);
    runtime::spawn(async move {
        let to_vm = notifier.clone();
        let news = move |news: News| {
            to_vm.run(move |vm| {
                // What comes after the handle was added later, so that
                // callbacks written for fewer arguments still work.
                let (which, args, after) = match news {
                    News::Message {
                        topic,
                        payload,
                        qos,
                        retain,
                    } => {
                        crate::metrics::MQTT_RECEIVED.bump();
                        (
                            ON_MESSAGE,
                            vec![Value::str(topic), bytes_value(payload)],
                            vec![Value::Int(qos as i64), Value::Int(i64::from(retain))],
                        )
                    }
                    News::Refused { topic, code } => (
                        ON_EVENT,
                        vec![Value::str("refused"), Value::str(topic)],
                        vec![Value::Int(i64::from(code))],
                    ),
                    News::Connected => (
                        ON_EVENT,
                        vec![Value::str("connected"), Value::Int(0)],
                        Vec::new(),
                    ),
                    News::Disconnected(reason) => (
                        ON_EVENT,
                        vec![Value::str("disconnected"), Value::str(reason)],
                        Vec::new(),
                    ),
                    News::Reconnecting(pause) => (
                        ON_EVENT,
                        vec![
                            Value::str("reconnecting"),
                            Value::Int(pause.as_millis().min(i64::MAX as u128) as i64),
                        ],
                        Vec::new(),
                    ),
                };
                let mut args = args;
                args.push(Value::Int(id));
                args.extend(after);
                asyncwork::call(vm, id, which, args)?;
                Ok(())
            })
        };
        let flow = notifier.flow();
        let reason = mqtt::run(settings, pending, news, &flow).await;
        notifier.run(move |vm| {
            let args = vec![Value::str("closed"), Value::str(reason), Value::Int(id)];
            asyncwork::finish(vm, id, ON_EVENT, args)
        });
    });
    Ok(Value::Int(id))
}

/// Queues the request `make` gives for client `handle`, of `len` bytes,
/// if the client's window has room; only the object that connected it may
/// use it.
fn queue(
    vm: &Vm,
    handle: i64,
    len: usize,
    make: impl FnOnce(Credit) -> Request,
    efun: &str,
) -> Result<Sent, Unwind> {
    let Some(Client(requests, flow)) = asyncwork::owned_state::<Client>(vm, handle, efun)? else {
        return Ok(Sent::Closed);
    };
    if requests.is_closed() {
        return Ok(Sent::Closed);
    }
    Ok(crate::web::offer(flow, len, |credit| {
        requests.try_send(make(credit)).is_ok()
    }))
}

fn topic_arg(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<String, Unwind> {
    let topic = str_arg(vm, base, argc, 1, efun)?.text.to_string();
    if topic.is_empty() {
        return Err(error(format!("{efun}(): empty topic")));
    }
    Ok(topic)
}

/// `mqtt_subscribe(handle, topic, qos)`.
fn mqtt_subscribe(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "mqtt_subscribe";
    let handle = int_arg(vm, base, argc, 0, EFUN)?;
    let topic = topic_arg(vm, base, argc, EFUN)?;
    let qos = qos_of(int_arg(vm, base, argc, 2, EFUN)?, EFUN)?;
    let len = topic.len();
    let make = |credit| Request::Subscribe(topic, qos, Some(credit));
    Ok(Value::Int(queue(vm, handle, len, make, EFUN)?.code()))
}

/// `mqtt_unsubscribe(handle, topic)`.
fn mqtt_unsubscribe(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "mqtt_unsubscribe";
    let handle = int_arg(vm, base, argc, 0, EFUN)?;
    let topic = topic_arg(vm, base, argc, EFUN)?;
    let len = topic.len();
    let make = |credit| Request::Unsubscribe(topic, Some(credit));
    Ok(Value::Int(queue(vm, handle, len, make, EFUN)?.code()))
}

/// `mqtt_publish(handle, topic, payload, qos, retain)`.
fn mqtt_publish(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "mqtt_publish";
    let handle = int_arg(vm, base, argc, 0, EFUN)?;
    let topic = topic_arg(vm, base, argc, EFUN)?;
    if topic.contains(['+', '#']) {
        return Err(error(format!(
            "{EFUN}(): wildcards are for subscriptions, not '{topic}'"
        )));
    }
    let payload = body_of(&arg(vm, base, argc, 2), EFUN, "the payload")?;
    let qos = qos_of(int_arg(vm, base, argc, 3, EFUN)?, EFUN)?;
    let retain = int_arg(vm, base, argc, 4, EFUN)? != 0;
    let len = topic.len() + payload.len();
    let make = |credit| Request::Publish {
        topic,
        payload,
        qos,
        retain,
        credit: Some(credit),
    };
    let sent = queue(vm, handle, len, make, EFUN)?;
    if sent == Sent::Queued {
        crate::metrics::MQTT_SENT.bump();
    }
    Ok(Value::Int(sent.code()))
}

/// `mqtt_disconnect(handle)`: the "closed" event follows.
fn mqtt_disconnect(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    const EFUN: &str = "mqtt_disconnect";
    let handle = int_arg(vm, base, argc, 0, EFUN)?;
    // Never refused: it ends what waits.
    if let Some(Client(requests, _)) = asyncwork::owned_state::<Client>(vm, handle, EFUN)? {
        let _ = requests.try_send(Request::Disconnect);
    }
    Ok(Value::Undefined)
}
