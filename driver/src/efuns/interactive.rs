//! Users: the connection lifecycle (master `connect`, `logon`, input lines
//! to `input_to` / `process_input` / the command parser, `net_dead`) and
//! the efuns about players, their connections and the messages sent to them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Instant;

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, charsets, int_arg, str_arg};
use crate::backend::top_level;
use crate::net::telnet::{self, Input, Telnet};
use crate::net::{Command, Conn, ConnId, Event, PendingInput, PortKind};
use crate::runtime;
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("this_player", this_player);
    m.insert("set_this_player", set_this_player);
    // Aliases the specs declare; the argument's default differs per name.
    m.insert("this_interactive", this_interactive);
    m.insert("this_user", this_player);
    m.insert("set_this_user", set_this_player);
    m.insert("write", write);
    m.insert("tell_object", tell_object_efun);
    m.insert("say", say);
    m.insert("tell_room", tell_room);
    m.insert("shout", shout);
    m.insert("message", message);
    m.insert("receive", receive);
    m.insert("send_nullbyte", send_nullbyte);
    m.insert("input_to", input_to);
    m.insert("get_char", get_char);
    m.insert("users", users);
    m.insert("interactive", interactive);
    m.insert("userp", userp);
    m.insert("query_ip_number", query_ip_number);
    m.insert("query_ip_name", query_ip_number);
    m.insert("query_ip_port", query_ip_port);
    m.insert("query_idle", query_idle);
    m.insert("exec", exec);
    m.insert("snoop", snoop);
    m.insert("query_snoop", query_snoop);
    m.insert("query_snooping", query_snooping);
    m.insert("remove_interactive", remove_interactive);
    m.insert("set_encoding", set_encoding);
    m.insert("query_encoding", query_encoding);
    m.insert("in_input", in_input);
    // This driver has no line editor, so nobody is ever editing a file.
    m.insert("resolve", resolve);
    m.insert("send_gmcp", send_gmcp);
    m.insert("has_gmcp", |vm, base, argc| {
        agreed(vm, base, argc, |t| t.gmcp)
    });
    m.insert("has_mxp", |vm, base, argc| {
        agreed(vm, base, argc, |t| t.mxp)
    });
    m.insert("has_zmp", |vm, base, argc| {
        agreed(vm, base, argc, |t| t.zmp)
    });
    m.insert("has_msp", |vm, base, argc| {
        agreed(vm, base, argc, |t| t.msp)
    });
    m.insert("has_msdp", |vm, base, argc| {
        agreed(vm, base, argc, |t| t.msdp)
    });
    m.insert("send_msdp_variable", send_msdp_variable);
    m.insert("send_zmp", send_zmp);
    m.insert("act_mxp", act_mxp);
    m.insert("telnet_nop", |vm, _, _| {
        to_own_client(vm, "telnet_nop", |_| Some(telnet::nop().to_vec()))
    });
    m.insert("telnet_ga", |vm, _, _| {
        to_own_client(vm, "telnet_ga", |_| Some(telnet::go_ahead().to_vec()))
    });
    m.insert("telnet_msp_oob", telnet_msp_oob);
    m.insert("request_term_type", |vm, _, _| {
        to_own_client(vm, "request_term_type", |_| {
            Some(telnet::subnegotiation(telnet::TTYPE, &[1]))
        })
    });
    m.insert("start_request_term_type", start_request_term_type);
    m.insert("request_term_size", request_term_size);
    m.insert("query_charmode", query_charmode);
    m.insert("remove_charmode", remove_charmode);
    m.insert("network_stats", network_stats);
    m.insert("sys_network_ports", sys_network_ports);
    m.insert("sys_reload_tls", sys_reload_tls);
    // Output goes to the network task as soon as it is written.
    m.insert("flush_messages", |_, _, _| Ok(Value::Int(0)));
    m.insert("query_host_name", query_host_name);
    m.insert("remove_get_char", remove_get_char);
}

/// `input_to` flag: do not echo the line (passwords).
const NO_ECHO: i64 = 1;
/// `input_to` flag: a line starting with `!` may not escape to a command.
const NO_ESCAPE: i64 = 2;

// ---------------------------------------------------------------------------
// The connection lifecycle, driven by the backend's network events.

/// A new connection as the network task reports it.
pub struct Link {
    pub port: u16,
    /// The protocol spoken (a websocket's subprotocol).
    pub kind: PortKind,
    pub websocket: bool,
    pub peer: SocketAddr,
    pub out: runtime::Sender<Command>,
    pub queued: Arc<AtomicUsize>,
}

/// A new connection: master `connect(port)` names its user object, which
/// becomes interactive and gets `logon()`.
pub fn accept(vm: &mut Vm, id: ConnId, link: Link) -> Result<(), Unwind> {
    let Link {
        port,
        kind,
        websocket,
        peer,
        out,
        queued,
    } = link;
    let mut offers = vm.backend.net.offers;
    // Websocket frames carry no MCCP stream.
    offers.mccp &= !websocket;
    let protocols = vm.backend.net.protocols;
    let telnet = (kind == PortKind::Telnet).then(|| Telnet::with_protocols(offers, protocols));
    let mut conn = Conn::new(port, kind, peer, out, queued, telnet);
    conn.traffic = vm.backend.net.traffic.clone();
    let max = vm.backend.net.max_users;
    if max > 0 && vm.backend.net.conns.len() >= max {
        conn.send_text("The game is full; please try again later.\n");
        conn.close();
        return Ok(());
    }
    if let Some(t) = &conn.telnet {
        conn.send_raw(t.greeting());
    }
    let Some(master) = vm.master else {
        conn.close();
        return Ok(());
    };
    vm.backend.net.conns.insert(id, conn);
    let connected = top_level(vm, None, |vm| {
        vm.apply(master, "connect", vec![Value::Int(port as i64)], true)
    })?;
    let user = match connected {
        Some(Some(Value::Object(r)))
            if vm.objects.alive(r) && !vm.backend.net.by_object.contains_key(&r) =>
        {
            r
        }
        _ => {
            if let Some(mut conn) = vm.backend.net.conns.remove(&id) {
                conn.close();
            }
            return Ok(());
        }
    };
    let Some(conn) = vm.backend.net.conns.get_mut(&id) else {
        return Ok(());
    };
    conn.object = Some(user);
    vm.backend.net.by_object.insert(user, id);
    vm.backend.net.once_interactive.insert(user);
    let logged_on = top_level(vm, Some(user), |vm| {
        vm.apply(user, "logon", Vec::new(), true)
    })?;
    if !matches!(logged_on, Some(Some(_))) && vm.objects.alive(user) {
        vm.debug_message(&format!(
            "logon() on object {} has failed, the user is disconnected.",
            vm.object_name(user).as_deref().unwrap_or("?")
        ));
        drop_user(vm, user, false)?;
    }
    Ok(())
}

/// Bytes from a client: decoded by its protocol, then handled one input
/// at a time, so a callback that switches modes affects the next byte.
pub fn received(vm: &mut Vm, id: ConnId, bytes: &[u8]) -> Result<(), Unwind> {
    let Some(conn) = vm.backend.net.conns.get_mut(&id) else {
        return Ok(());
    };
    conn.last_input = Instant::now();
    conn.traffic
        .player(conn.port, crate::net::stats::Direction::In, bytes.len());
    if conn.mud.is_some() {
        return received_mud(vm, id, bytes);
    }
    if conn.telnet.is_none() {
        return received_plain(vm, id, bytes);
    }
    let mut inputs = Vec::new();
    let mut reply = Vec::new();
    for &b in bytes {
        let Some(conn) = vm.backend.net.conns.get_mut(&id) else {
            return Ok(());
        };
        let Some(t) = &mut conn.telnet else {
            return Ok(());
        };
        t.feed(&[b], &mut inputs, &mut reply);
        if !reply.is_empty() {
            conn.send_raw(std::mem::take(&mut reply));
        }
        for input in inputs.drain(..) {
            dispatch(vm, id, input)?;
        }
    }
    Ok(())
}

/// Input of ascii and binary ports: lines split at LF (CR dropped), or
/// for binary ports each read as a buffer to `process_input`.
fn received_plain(vm: &mut Vm, id: ConnId, bytes: &[u8]) -> Result<(), Unwind> {
    let Some(conn) = vm.backend.net.conns.get_mut(&id) else {
        return Ok(());
    };
    if conn.kind == PortKind::Binary {
        let Some(user) = conn.object else {
            return Ok(());
        };
        let data = Value::Buffer(std::rc::Rc::new(std::cell::RefCell::new(bytes.to_vec())));
        top_level(vm, Some(user), |vm| {
            vm.apply(user, "process_input", vec![data], true)
        })?;
        return Ok(());
    }
    let mut lines = Vec::new();
    for &b in bytes {
        match b {
            b'\n' => lines.push(std::mem::take(&mut conn.partial)),
            b'\r' => {}
            _ if conn.partial.len() < telnet::MAX_LINE => conn.partial.push(b),
            _ => {}
        }
    }
    for line in lines {
        dispatch(vm, id, Input::Line(line))?;
    }
    Ok(())
}

/// Input of MUD ports: each packet's value goes to `process_input`; a
/// packet of impossible length ends the connection.
fn received_mud(vm: &mut Vm, id: ConnId, bytes: &[u8]) -> Result<(), Unwind> {
    let Some(conn) = vm.backend.net.conns.get_mut(&id) else {
        return Ok(());
    };
    let user = conn.object;
    let Some(decoder) = &mut conn.mud else {
        return Ok(());
    };
    let mut packets = Vec::new();
    let fed = decoder.feed(bytes, &mut packets);
    for packet in packets {
        let Some(user) = user.filter(|&u| vm.objects.alive(u)) else {
            break;
        };
        let value = super::sockets::mud_value(vm, &packet);
        top_level(vm, Some(user), |vm| {
            vm.apply(user, "process_input", vec![value], true)
        })?;
    }
    if fed.is_err() {
        match user {
            Some(user) => {
                drop_user(vm, user, false)?;
            }
            None => {
                if let Some(mut conn) = vm.backend.net.conns.remove(&id) {
                    conn.close();
                }
            }
        }
    }
    Ok(())
}

fn dispatch(vm: &mut Vm, id: ConnId, input: Input) -> Result<(), Unwind> {
    let Some(conn) = vm.backend.net.conns.get_mut(&id) else {
        return Ok(());
    };
    let Some(user) = conn.object else {
        return Ok(());
    };
    let call = |vm: &mut Vm, name: &str, args: Vec<Value>| -> Result<(), Unwind> {
        top_level(vm, Some(user), |vm| vm.apply(user, name, args, true)).map(|_| ())
    };
    match input {
        Input::Line(bytes) => {
            let text = conn.decode(&bytes);
            line(vm, id, user, text)
        }
        Input::Char(b) => {
            conn.partial.push(b);
            let text = match std::str::from_utf8(&conn.partial) {
                Ok(s) => s.to_string(),
                // Wait for the rest of a multi-byte character.
                Err(e) if e.error_len().is_none() && conn.partial.len() < 4 => return Ok(()),
                Err(_) => String::from_utf8_lossy(&conn.partial).into_owned(),
            };
            conn.partial.clear();
            character(vm, id, user, text)
        }
        Input::WindowSize(w, h) => call(
            vm,
            "window_size",
            vec![Value::Int(w as i64), Value::Int(h as i64)],
        ),
        Input::TerminalType(t) => call(
            vm,
            "terminal_type",
            vec![Value::str(String::from_utf8_lossy(&t))],
        ),
        Input::Environ(k, v) => call(
            vm,
            "receive_environ",
            vec![
                Value::str(String::from_utf8_lossy(&k)),
                Value::str(String::from_utf8_lossy(&v)),
            ],
        ),
        Input::GmcpEnabled => call(vm, "gmcp_enable", Vec::new()),
        Input::Gmcp(data) => {
            let text = conn.decode(&data);
            call(vm, "gmcp", vec![Value::str(text)])
        }
        Input::MsspRequested => send_mssp(vm, id),
        Input::StartCompression => {
            conn.start_compression();
            Ok(())
        }
        Input::Charset(name) => {
            let label = String::from_utf8_lossy(&name);
            if let Some(c) = charsets::lookup(label.trim()) {
                conn.encoding = c.encoding;
                conn.encoding_name = c.name;
            } else if let Some(e) = encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
                conn.encoding = e;
                conn.encoding_name = charsets::name_of(e);
            }
            Ok(())
        }
        Input::MxpEnabled => call(vm, "mxp_enable", Vec::new()),
        Input::MsdpEnabled => call(vm, "msdp_enable", Vec::new()),
        Input::MspEnabled => call(vm, "msp_enable", Vec::new()),
        Input::Msdp(data) => {
            let text = conn.decode(&data);
            call(vm, "msdp", vec![Value::str(text)])
        }
        Input::Zmp(command, args) => {
            let command = Value::str(conn.decode(&command));
            let args = args.iter().map(|a| Value::str(conn.decode(a))).collect();
            call(vm, "zmp_command", vec![command, Value::array(args)])
        }
        Input::Suboption(option, data) => {
            let mut raw = vec![option];
            raw.extend(data);
            call(
                vm,
                "telnet_suboption",
                vec![Value::str(String::from_utf8_lossy(&raw))],
            )
        }
    }
}

/// The master's `get_mud_stats()` mapping as MSSP.
fn send_mssp(vm: &mut Vm, id: ConnId) -> Result<(), Unwind> {
    let Some(master) = vm.master else {
        return Ok(());
    };
    let stats = top_level(vm, None, |vm| {
        vm.apply(master, "get_mud_stats", Vec::new(), true)
    })?;
    let Some(Some(Value::Mapping(m))) = stats else {
        return Ok(());
    };
    let text = |v: &Value| match v {
        Value::Str(s) => Some(s.text.as_bytes().to_vec()),
        Value::Int(i) => Some(i.to_string().into_bytes()),
        _ => None,
    };
    let mut table = Vec::new();
    for (k, v) in m.borrow().iter() {
        let Some(name) = text(k) else { continue };
        let values = match v {
            Value::Array(a) => a.borrow().iter().filter_map(text).collect(),
            other => text(other).into_iter().collect(),
        };
        table.push((name, values));
    }
    if let Some(conn) = vm.backend.net.conns.get(&id) {
        conn.send_raw(telnet::mssp(&table));
    }
    Ok(())
}

/// One input line: to a pending `input_to`, else `process_input` and the
/// command parser; then the prompt.
fn line(vm: &mut Vm, id: ConnId, user: ObjRef, text: String) -> Result<(), Unwind> {
    let Some(conn) = vm.backend.net.conns.get_mut(&id) else {
        return Ok(());
    };
    let escape = text.starts_with('!')
        && conn
            .input
            .as_ref()
            .is_some_and(|p| !p.no_escape && !p.char_mode);
    let pending = if escape { None } else { conn.input.take() };
    let hidden = pending.as_ref().is_some_and(|p| p.no_echo);
    let mxp = conn.telnet.as_ref().is_some_and(|t| t.mxp);
    if let Some(snooper) = conn.snooped_by
        && !hidden
    {
        let _ = tell_object(vm, snooper, &format!("%{text}\n"));
    }
    vm.backend.net.current_interactive = Some(user);
    if mxp && pending.is_none() && is_mxp_tag(&text) {
        // The client reports an MXP element; `mxp_tag` may take it whole.
        let taken = top_level(vm, Some(user), |vm| {
            vm.apply(user, "mxp_tag", vec![Value::str(text.clone())], true)
        });
        let taken = taken.inspect_err(|_| vm.backend.net.current_interactive = None)?;
        if matches!(taken, Some(Some(Value::Int(n))) if n != 0) {
            vm.backend.net.current_interactive = None;
            return prompt(vm, user);
        }
    }
    // A user in the line editor types to it; `!` escapes to a command.
    let editing = pending.is_none() && vm.ed.is_interactive(user);
    let result = match pending {
        None if editing && !text.starts_with('!') => top_level(vm, Some(user), |vm| {
            crate::ed::interactive_input(vm, user, &text)
        })
        .map(|_| ()),
        Some(p) => {
            if p.no_echo {
                set_echo(vm, user, true);
            }
            run_input(vm, user, p, text)
        }
        None => {
            let command = if escape || editing {
                text.get(1..).unwrap_or("").to_string()
            } else {
                text
            };
            top_level(vm, Some(user), |vm| {
                super::commands::clear_notify(vm, user);
                process_input(vm, user, &command)
            })
            .map(|_| ())
        }
    };
    vm.backend.net.current_interactive = None;
    result?;
    prompt(vm, user)
}

/// An MXP line from the client: ESC (or the space it may have become),
/// `[`, one character, `z`.
fn is_mxp_tag(text: &str) -> bool {
    matches!(text.as_bytes(), [b'\x1b' | b' ', b'[', _, b'z', ..])
}

/// A character for a pending `get_char`.
fn character(vm: &mut Vm, id: ConnId, user: ObjRef, text: String) -> Result<(), Unwind> {
    let Some(conn) = vm.backend.net.conns.get_mut(&id) else {
        return Ok(());
    };
    let Some(pending) = conn.input.take() else {
        // Char mode outlived its get_char: back to lines.
        set_char_mode(vm, user, false);
        return Ok(());
    };
    if pending.no_echo {
        set_echo(vm, user, true);
    }
    let was_char = pending.char_mode;
    vm.backend.net.current_interactive = Some(user);
    let result = run_input(vm, user, pending, text);
    vm.backend.net.current_interactive = None;
    let rearmed = vm
        .backend
        .net
        .of(user)
        .and_then(|c| c.input.as_ref())
        .is_some_and(|p| p.char_mode);
    if was_char && !rearmed {
        set_char_mode(vm, user, false);
    }
    result
}

fn run_input(vm: &mut Vm, user: ObjRef, p: PendingInput, text: String) -> Result<(), Unwind> {
    let mut args = vec![Value::str(text)];
    args.extend(p.args);
    top_level(vm, Some(user), |vm| match &p.callback {
        Value::Str(name) => vm.apply(p.owner, &name.text, args, true).map(|_| ()),
        f => vm.call_value(f, &args).map(|_| ()),
    })
    .map(|_| ())
}

/// The `process_input` apply may replace the line or take it whole.
fn process_input(vm: &mut Vm, user: ObjRef, text: &str) -> Result<(), Unwind> {
    crate::metrics::COMMANDS.bump();
    let replaced = vm.apply(user, "process_input", vec![Value::str(text)], true)?;
    if !vm.objects.alive(user) {
        return Ok(());
    }
    match replaced {
        None => super::commands::parse(vm, user, text).map(|_| ()),
        Some(Value::Str(s)) => super::commands::parse(vm, user, &s.text).map(|_| ()),
        Some(v) if !v.truthy() => super::commands::parse(vm, user, text).map(|_| ()),
        Some(_) => Ok(()),
    }
}

/// The prompt after a command: `write_prompt()`, or "> " without it.
fn prompt(vm: &mut Vm, user: ObjRef) -> Result<(), Unwind> {
    let waiting = match vm.backend.net.of(user) {
        Some(conn) => conn.input.is_some(),
        None => return Ok(()),
    };
    if let Some(text) = vm.ed.prompt(user).filter(|_| !waiting) {
        // The editor's own prompt, even for users with `write_prompt`.
        tell_object(vm, user, text)?;
    } else if !waiting {
        let written = top_level(vm, Some(user), |vm| {
            vm.apply(user, "write_prompt", Vec::new(), true)
        })?;
        if matches!(written, Some(None)) {
            tell_object(vm, user, "> ")?;
        }
    }
    if let Some(conn) = vm.backend.net.of(user)
        && conn.telnet.is_some()
    {
        conn.send_raw(telnet::go_ahead().to_vec());
    }
    Ok(())
}

/// The client went away: the object stays, no longer interactive, and
/// hears `net_dead()`.
pub fn disconnected(vm: &mut Vm, id: ConnId) -> Result<(), Unwind> {
    let Some(conn) = vm.backend.net.conns.remove(&id) else {
        return Ok(());
    };
    let Some(user) = conn.object else {
        return Ok(());
    };
    vm.backend.net.by_object.remove(&user);
    // An open editor saves its buffer where the master says, then closes.
    top_level(vm, Some(user), |vm| {
        crate::ed::disconnect(vm, user);
        Ok(())
    })?;
    top_level(vm, Some(user), |vm| {
        vm.apply(user, "net_dead", Vec::new(), true)
    })?;
    Ok(())
}

/// Closes the connection of `user`; `net_dead()` unless it was destructed.
fn drop_user(vm: &mut Vm, user: ObjRef, destructed: bool) -> Result<bool, Unwind> {
    let Some(id) = vm.backend.net.by_object.remove(&user) else {
        return Ok(false);
    };
    if let Some(mut conn) = vm.backend.net.conns.remove(&id) {
        conn.close();
    }
    if !destructed {
        top_level(vm, Some(user), |vm| {
            vm.apply(user, "net_dead", Vec::new(), true)
        })?;
    }
    Ok(true)
}

/// A `resolve()` lookup came back: the callback hears it on this thread.
pub fn resolved(
    vm: &mut Vm,
    key: i64,
    query: String,
    address: Option<String>,
) -> Result<(), Unwind> {
    let Some(pending) = vm.backend.net.lookups.remove(&key) else {
        return Ok(());
    };
    if !vm.objects.alive(pending.owner) {
        return Ok(());
    }
    let args = vec![
        Value::str(query),
        address.map_or(Value::Int(0), Value::str),
        Value::Int(key),
    ];
    let owner = pending.owner;
    top_level(vm, pending.player, |vm| match &pending.callback {
        Value::Str(name) => vm.apply(owner, &name.text, args, true).map(|_| ()),
        f => vm.call_value(f, &args).map(|_| ()),
    })?;
    Ok(())
}

fn set_echo(vm: &mut Vm, user: ObjRef, on: bool) {
    if let Some(conn) = vm.backend.net.of_mut(user)
        && let Some(t) = &mut conn.telnet
    {
        let bytes = t.set_echo(on);
        conn.send_raw(bytes);
    }
}

fn set_char_mode(vm: &mut Vm, user: ObjRef, on: bool) {
    if let Some(conn) = vm.backend.net.of_mut(user)
        && let Some(t) = &mut conn.telnet
    {
        let bytes = t.set_char_mode(on);
        conn.send_raw(bytes);
    }
}

// ---------------------------------------------------------------------------
// Messages.

/// Text for an object: on the screen of an interactive one, else through
/// its `catch_tell()`.
pub fn tell_object(vm: &mut Vm, object: ObjRef, text: &str) -> Result<(), Unwind> {
    if vm.backend.interactive_catch_tell && vm.objects.alive(object) {
        vm.apply(object, "catch_tell", vec![Value::str(text)], true)?;
        return Ok(());
    }
    if let Some(conn) = vm.backend.net.of(object) {
        conn.send_text(text);
        if let Some(snooper) = conn.snooped_by {
            tell_object(vm, snooper, &format!("%{text}"))?;
        }
        return Ok(());
    }
    if vm.objects.alive(object) {
        vm.apply(object, "catch_tell", vec![Value::str(text)], true)?;
    }
    Ok(())
}

/// How `write` and `tell_room` show a value.
fn printable(vm: &mut Vm, v: &Value) -> String {
    match v {
        Value::Str(s) => s.text.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Object(r) => format!("OBJ({})", vm.object_name(*r).as_deref().unwrap_or("?")),
        other => super::strings::describe(vm, other),
    }
}

fn to_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Text for `this_player()`, or the driver's standard output without one.
fn write_text(vm: &mut Vm, text: &str) -> Result<(), Unwind> {
    match vm.command_giver.filter(|&p| vm.objects.alive(p)) {
        Some(player) => tell_object(vm, player, text),
        None => {
            to_stdout(text);
            Ok(())
        }
    }
}

fn write(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let value = arg(vm, base, argc, 0);
    let text = printable(vm, &value);
    write_text(vm, &text)?;
    Ok(Value::Int(0))
}

fn object_arg(vm: &Vm, base: usize, argc: usize, i: usize, efun: &str) -> Result<ObjRef, Unwind> {
    match arg(vm, base, argc, i) {
        Value::Object(r) if vm.objects.alive(r) => Ok(r),
        other => Err(bad_arg(efun, i, &other)),
    }
}

/// An object argument that defaults to `this_player()`.
fn player_arg(vm: &Vm, base: usize, argc: usize, efun: &str) -> Result<Option<ObjRef>, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Object(r) => Ok(vm.objects.alive(r).then_some(r)),
        Value::Undefined | Value::Int(0) if argc == 0 || argc == 1 => Ok(vm.command_giver),
        other => Err(bad_arg(efun, 0, &other)),
    }
}

fn tell_object_efun(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let target = object_arg(vm, base, argc, 0, "tell_object")?;
    let text = str_arg(vm, base, argc, 1, "tell_object")?;
    tell_object(vm, target, &text.text)?;
    Ok(Value::Int(0))
}

/// Objects named by an exclusion argument: one object or an array.
fn exclusions(v: &Value) -> Vec<ObjRef> {
    match v {
        Value::Object(r) => vec![*r],
        Value::Array(a) => a
            .borrow()
            .iter()
            .filter_map(|v| match v {
                Value::Object(r) => Some(*r),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether messages reach `object`: users and living objects hear.
fn listens(vm: &mut Vm, object: ObjRef) -> bool {
    vm.backend.net.by_object.contains_key(&object) || super::commands::is_living(vm, object)
}

fn say(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "say")?;
    let excluded = exclusions(&arg(vm, base, argc, 1));
    let Some(origin) = vm.command_giver.or(vm.this_object()) else {
        return Ok(Value::Int(0));
    };
    let mut targets = Vec::new();
    if let Some(room) = super::commands::environment(vm, origin) {
        targets.push(room);
        targets.extend(
            super::commands::inventory(vm, room)
                .into_iter()
                .filter(|&o| o != origin),
        );
    }
    targets.extend(super::commands::inventory(vm, origin));
    for target in targets {
        if excluded.contains(&target) || !vm.objects.alive(target) || !listens(vm, target) {
            continue;
        }
        tell_object(vm, target, &text.text)?;
    }
    Ok(Value::Int(0))
}

fn tell_room(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let room = match arg(vm, base, argc, 0) {
        Value::Object(r) if vm.objects.alive(r) => r,
        Value::Str(s) => vm.find_or_load(&s.text)?,
        other => return Err(bad_arg("tell_room", 0, &other)),
    };
    let text = match arg(vm, base, argc, 1) {
        // An object is told by its name alone, without the leading slash.
        Value::Object(r) => vm
            .object_name(r)
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_default(),
        v @ (Value::Str(_) | Value::Int(_) | Value::Float(_)) => printable(vm, &v),
        other => return Err(bad_arg("tell_room", 1, &other)),
    };
    let excluded = exclusions(&arg(vm, base, argc, 2));
    for target in super::commands::inventory(vm, room) {
        if excluded.contains(&target) || !vm.objects.alive(target) || !listens(vm, target) {
            continue;
        }
        tell_object(vm, target, &text)?;
    }
    Ok(Value::Int(0))
}

fn shout(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "shout")?;
    let me = vm.command_giver;
    let all: Vec<ObjRef> = vm.objects.refs().collect();
    for object in all {
        if Some(object) == me || !vm.objects.alive(object) || !listens(vm, object) {
            continue;
        }
        if super::commands::environment(vm, object).is_none() {
            continue;
        }
        tell_object(vm, object, &text.text)?;
    }
    Ok(Value::Int(0))
}

/// `message(type, text, targets, exclude)`: `receive_message(type, text)`
/// in each living target, and in what a non-living target contains.
fn message(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let kind = arg(vm, base, argc, 0);
    let text = match arg(vm, base, argc, 1) {
        Value::Str(s) => Value::Str(s),
        other => return Err(bad_arg("message", 1, &other)),
    };
    let excluded = exclusions(&arg(vm, base, argc, 3));
    let mut named = Vec::new();
    let mut add = |vm: &mut Vm, v: &Value| -> Result<(), Unwind> {
        match v {
            Value::Object(r) if vm.objects.alive(*r) => named.push(*r),
            Value::Str(s) => named.push(vm.find_or_load(&s.text)?),
            _ => {}
        }
        Ok(())
    };
    match arg(vm, base, argc, 2) {
        Value::Array(a) => {
            let items = a.borrow().clone();
            for v in &items {
                add(vm, v)?;
            }
        }
        v @ (Value::Object(_) | Value::Str(_)) => add(vm, &v)?,
        other => return Err(bad_arg("message", 2, &other)),
    }
    let mut targets = Vec::new();
    for object in named {
        if listens(vm, object) {
            targets.push(object);
        } else {
            for inside in super::commands::inventory(vm, object) {
                if listens(vm, inside) {
                    targets.push(inside);
                }
            }
        }
    }
    let mut seen = rustc_hash::FxHashSet::default();
    for target in targets {
        if excluded.contains(&target) || !seen.insert(target) || !vm.objects.alive(target) {
            continue;
        }
        vm.apply(
            target,
            "receive_message",
            vec![kind.clone(), text.clone()],
            true,
        )?;
    }
    Ok(Value::Int(0))
}

/// `receive(text)`: straight to this object's connection, no `catch_tell`.
fn receive(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Some(me) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    match arg(vm, base, argc, 0) {
        Value::Str(s) => match vm.backend.net.of(me) {
            Some(conn) => conn.send_text(&s.text),
            None => to_stdout(&s.text),
        },
        Value::Buffer(b) => {
            if let Some(conn) = vm.backend.net.of(me) {
                conn.send_raw(b.borrow().clone());
            }
        }
        other => return Err(bad_arg("receive", 0, &other)),
    }
    Ok(Value::Int(0))
}

/// `send_nullbyte(ob)`: one NUL byte to the user's client (some clients
/// use it as a keep-alive); 1 when sent, -2 when `ob` has no connection.
fn send_nullbyte(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let who = match arg(vm, base, argc, 0) {
        Value::Object(r) => r,
        other => return Err(bad_arg("send_nullbyte", 0, &other)),
    };
    let conn = vm.backend.net.of(who).filter(|_| vm.objects.alive(who));
    match conn {
        Some(conn) => {
            conn.send_raw(vec![0]);
            Ok(Value::Int(1))
        }
        None => Ok(Value::Int(-2)),
    }
}

fn send_gmcp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "send_gmcp")?;
    let target = vm.this_object().filter(|&o| vm.backend.net.of(o).is_some());
    let Some(target) = target.or(vm.command_giver) else {
        return Ok(Value::Int(0));
    };
    if let Some(conn) = vm.backend.net.of(target)
        && conn.telnet.as_ref().is_some_and(|t| t.gmcp)
    {
        conn.send_raw(telnet::subnegotiation(telnet::GMCP, text.text.as_bytes()));
    }
    Ok(Value::Int(0))
}

/// `has_gmcp(ob)` and its kin: whether `ob`'s client agreed to a protocol.
fn agreed(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    which: fn(&Telnet) -> bool,
) -> Result<Value, Unwind> {
    let who = match arg(vm, base, argc, 0) {
        Value::Object(r) => Some(r),
        _ => vm.this_object(),
    };
    let on = who
        .and_then(|o| vm.backend.net.of(o))
        .and_then(|c| c.telnet.as_ref())
        .is_some_and(which);
    Ok(Value::Int(on as i64))
}

/// Sends what `bytes` makes of the telnet state of the running object's
/// own connection. Called by an object without a connection, it only
/// warns; a connection that is not telnet gets nothing.
fn to_own_client(
    vm: &mut Vm,
    efun: &str,
    bytes: impl FnOnce(&Telnet) -> Option<Vec<u8>>,
) -> Result<Value, Unwind> {
    to_client(vm, vm.this_object(), efun, bytes)
}

fn to_client(
    vm: &mut Vm,
    who: Option<ObjRef>,
    efun: &str,
    bytes: impl FnOnce(&Telnet) -> Option<Vec<u8>>,
) -> Result<Value, Unwind> {
    let Some(conn) = who.and_then(|o| vm.backend.net.of(o)) else {
        vm.debug_message(&format!(
            "Warning: {efun}() is for an object with a connection (a user object)."
        ));
        return Ok(Value::Int(0));
    };
    if let Some(data) = conn.telnet.as_ref().and_then(bytes) {
        conn.send_raw(data);
    }
    Ok(Value::Int(0))
}

fn telnet_msp_oob(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "telnet_msp_oob")?;
    to_own_client(vm, "telnet_msp_oob", |t| {
        t.msp
            .then(|| telnet::subnegotiation(telnet::MSP, text.text.as_bytes()))
    })
}

fn act_mxp(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    to_own_client(vm, "act_mxp", |t| t.mxp.then(telnet::start_mxp))
}

/// `send_msdp_variable(name, value)`: a string, number or buffer.
fn send_msdp_variable(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "send_msdp_variable")?;
    let value = match arg(vm, base, argc, 1) {
        Value::Str(s) => s.text.as_bytes().to_vec(),
        Value::Int(n) => n.to_string().into_bytes(),
        Value::Float(f) => format!("{:.6}", f.get()).into_bytes(),
        Value::Buffer(b) => b.borrow().clone(),
        other => return Err(bad_arg("send_msdp_variable", 1, &other)),
    };
    to_own_client(vm, "send_msdp_variable", |t| {
        t.msdp
            .then(|| telnet::msdp_variable(name.text.as_bytes(), &value))
    })
}

/// `send_zmp(command, args)` to `this_player()`; arguments that are not
/// strings are left out.
fn send_zmp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let command = str_arg(vm, base, argc, 0, "send_zmp")?;
    let args: Vec<Value> = match arg(vm, base, argc, 1) {
        Value::Array(a) => a.borrow().clone(),
        other => return Err(bad_arg("send_zmp", 1, &other)),
    };
    let args: Vec<&[u8]> = args
        .iter()
        .filter_map(|v| match v {
            Value::Str(s) => Some(s.text.as_bytes()),
            _ => None,
        })
        .collect();
    let player = vm.command_giver;
    to_client(vm, player, "send_zmp", |t| {
        t.zmp.then(|| telnet::zmp(command.text.as_bytes(), &args))
    })
}

fn start_request_term_type(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let player = vm.command_giver;
    to_client(vm, player, "start_request_term_type", |_| {
        Some(vec![telnet::IAC, telnet::DO, telnet::TTYPE])
    })
}

/// `request_term_size()` asks for window sizes; `request_term_size(0)`
/// asks the client to stop sending them.
fn request_term_size(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let stop = argc > 0 && int_arg(vm, base, argc, 0, "request_term_size")? == 0;
    let verb = if stop { telnet::DONT } else { telnet::DO };
    to_own_client(vm, "request_term_size", |_| {
        Some(vec![telnet::IAC, verb, telnet::NAWS])
    })
}

/// The value `query_charmode` reports for a user in character mode.
const CHAR_MODE: i64 = 4;

/// `query_charmode(ob)`: -1 without an argument, -2 for an object without
/// a connection, else non-zero in character mode.
fn query_charmode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    if argc == 0 {
        return Ok(Value::Int(-1));
    }
    let conn = match arg(vm, base, argc, 0) {
        Value::Object(r) if vm.objects.alive(r) => vm.backend.net.of(r),
        _ => None,
    };
    Ok(Value::Int(match conn {
        None => -2,
        Some(c) if char_mode(c) => CHAR_MODE,
        Some(_) => 0,
    }))
}

fn char_mode(conn: &Conn) -> bool {
    conn.input.as_ref().is_some_and(|p| p.char_mode)
        || conn.telnet.as_ref().is_some_and(|t| t.char_mode)
}

/// `remove_charmode(ob)`: back to whole lines; a pending `get_char` now
/// gets the next line. Reports as `query_charmode` does, after the change.
fn remove_charmode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    if argc == 0 {
        return Ok(Value::Int(-1));
    }
    let who = match arg(vm, base, argc, 0) {
        Value::Object(r) if vm.objects.alive(r) && vm.backend.net.of(r).is_some() => r,
        _ => return Ok(Value::Int(-2)),
    };
    if let Some(pending) = vm.backend.net.of_mut(who).and_then(|c| c.input.as_mut()) {
        pending.char_mode = false;
    }
    set_char_mode(vm, who, false);
    Ok(Value::Int(0))
}

/// `network_stats()`: packets and bytes in and out, in total, per port and
/// for the sockets package.
fn network_stats(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let net = &vm.backend.net;
    let ports: Vec<u16> = net.ports.iter().map(|p| p.number).collect();
    let report = net.traffic.report(&ports);
    let out = crate::vm::ops::new_mapping(report.len());
    if let Value::Mapping(m) = &out {
        let mut m = m.borrow_mut();
        for (name, count) in report {
            m.insert(
                Value::str(name),
                Value::Int(i64::try_from(count).unwrap_or(i64::MAX)),
            );
        }
    }
    Ok(out)
}

/// `sys_network_ports()`: `({ index, kind, port, tls })` per configured port.
fn sys_network_ports(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let rows = vm
        .backend
        .net
        .ports
        .iter()
        .map(|p| {
            let kind = match p.kind {
                PortKind::Mud => "mud",
                other => other.name(),
            };
            Value::array(vec![
                Value::Int(i64::from(p.index)),
                Value::str(kind),
                Value::Int(i64::from(p.number)),
                Value::Int(p.tls.is_some() as i64),
            ])
        })
        .collect();
    Ok(Value::array(rows))
}

/// `sys_reload_tls(index)`: reads the certificate and key of a TLS port
/// again; connections made from now on use them, open ones keep theirs. A
/// file that cannot be used leaves the port as it was.
fn sys_reload_tls(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let index = int_arg(vm, base, argc, 0, "sys_reload_tls")?;
    let net = &vm.backend.net;
    let Some(port) = net.ports.iter().find(|p| i64::from(p.index) == index) else {
        return Err(error(format!("Invalid port index: {index}")));
    };
    if port.kind == PortKind::Websocket {
        return Err(error(format!(
            "Reloading websocket TLS config is not supported for port {}.",
            port.number
        )));
    }
    let Some((cert, key)) = &port.tls else {
        return Err(error(format!("Port {index} is not TLS enabled")));
    };
    let (number, slot) = (port.number, port.index);
    let acceptor = match crate::net::tls::acceptor(cert, key) {
        Ok(acceptor) => acceptor,
        Err(why) => {
            vm.debug_message(&format!("TLS reload for port {number}: {why}"));
            return Err(error(format!(
                "Failed to reload TLS context for port {number}"
            )));
        }
    };
    // A port whose listener never started has nothing to hand it to; the
    // files were still checked.
    if let Some(shared) = vm.backend.net.tls.get(&slot) {
        shared.replace(acceptor);
    }
    vm.debug_message(&format!("Reloading TLS config for port {number}."));
    Ok(Value::Int(0))
}

/// The machine's host name, "" when it cannot be read.
fn query_host_name(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    Ok(Value::str(name.trim()))
}

// ---------------------------------------------------------------------------
// Input.

/// Cancels a pending `input_to` or `get_char`: 1 when one was pending, -1
/// when none was, -2 for an object without a connection.
fn remove_get_char(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let who = match arg(vm, base, argc, 0) {
        Value::Object(r) if vm.objects.alive(r) => r,
        Value::Object(_) => return Ok(Value::Int(-2)),
        _ if argc == 0 => return Ok(Value::Int(-3)),
        other => return Err(bad_arg("remove_get_char", 0, &other)),
    };
    let Some(conn) = vm.backend.net.of_mut(who) else {
        return Ok(Value::Int(-2));
    };
    let Some(pending) = conn.input.take() else {
        return Ok(Value::Int(-1));
    };
    if pending.no_echo {
        set_echo(vm, who, true);
    }
    if pending.char_mode {
        set_char_mode(vm, who, false);
    }
    Ok(Value::Int(1))
}

fn request_input(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    efun: &str,
    char_mode: bool,
) -> Result<Value, Unwind> {
    let callback = match arg(vm, base, argc, 0) {
        f @ (Value::Str(_) | Value::Function(_)) => f,
        other => return Err(bad_arg(efun, 0, &other)),
    };
    let flags = int_arg(vm, base, argc, 1, efun)?;
    let args: Vec<Value> = (2..argc).map(|i| arg(vm, base, argc, i)).collect();
    let Some(owner) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    let Some(player) = vm.command_giver else {
        return Ok(Value::Int(0));
    };
    let Some(conn) = vm.backend.net.of_mut(player) else {
        return Ok(Value::Int(0));
    };
    // Only the first request of one evaluation counts.
    if conn.input.is_some() {
        return Ok(Value::Int(0));
    }
    conn.input = Some(PendingInput {
        callback,
        owner,
        args,
        no_echo: flags & NO_ECHO != 0,
        no_escape: flags & NO_ESCAPE != 0,
        char_mode,
    });
    if flags & NO_ECHO != 0 {
        set_echo(vm, player, false);
    }
    if char_mode {
        set_char_mode(vm, player, true);
    }
    Ok(Value::Int(1))
}

fn input_to(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    request_input(vm, base, argc, "input_to", false)
}

fn get_char(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    request_input(vm, base, argc, "get_char", true)
}

fn in_input(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let object = match arg(vm, base, argc, 0) {
        Value::Object(r) => Some(r),
        _ => vm.this_object(),
    };
    let waiting = object
        .and_then(|o| vm.backend.net.of(o))
        .is_some_and(|c| c.input.is_some());
    Ok(Value::Int(waiting as i64))
}

// ---------------------------------------------------------------------------
// Players and connections.

/// `this_player()`, or with a non-zero argument `this_interactive()`.
fn this_player(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let interactive = int_arg(vm, base, argc, 0, "this_player")? != 0;
    Ok(current_player(vm, interactive))
}

/// The command giver, or with `interactive` the user whose input is running.
fn current_player(vm: &Vm, interactive: bool) -> Value {
    let who = if interactive {
        vm.backend.net.current_interactive
    } else {
        vm.command_giver
    };
    who.filter(|&r| vm.objects.alive(r))
        .map_or(Value::Int(0), Value::Object)
}

/// `this_interactive()`: `this_player(1)` unless told otherwise.
fn this_interactive(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let interactive = argc == 0 || int_arg(vm, base, argc, 0, "this_interactive")? != 0;
    Ok(current_player(vm, interactive))
}

fn set_this_player(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    vm.command_giver = match arg(vm, base, argc, 0) {
        Value::Object(r) if vm.objects.alive(r) => Some(r),
        Value::Int(0) | Value::Undefined => None,
        other => return Err(bad_arg("set_this_player", 0, &other)),
    };
    Ok(Value::Int(0))
}

fn users(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let mut ids: Vec<(&ConnId, ObjRef)> = vm
        .backend
        .net
        .conns
        .iter()
        .filter_map(|(id, c)| c.object.map(|o| (id, o)))
        .collect();
    ids.sort_by_key(|(id, _)| **id);
    Ok(Value::array(
        ids.into_iter().map(|(_, o)| Value::Object(o)).collect(),
    ))
}

fn interactive(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let yes = match arg(vm, base, argc, 0) {
        Value::Object(r) => vm.backend.net.of(r).is_some(),
        _ => false,
    };
    Ok(Value::Int(yes as i64))
}

fn userp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let yes = match arg(vm, base, argc, 0) {
        Value::Object(r) => vm.objects.alive(r) && vm.backend.net.once_interactive.contains(&r),
        _ => false,
    };
    Ok(Value::Int(yes as i64))
}

fn query_ip_number(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let who = player_arg(vm, base, argc, "query_ip_number")?;
    Ok(who
        .and_then(|o| vm.backend.net.of(o))
        .map_or(Value::Int(0), |c| Value::str(c.peer.ip().to_string())))
}

fn query_ip_port(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let who = player_arg(vm, base, argc, "query_ip_port")?;
    Ok(who
        .and_then(|o| vm.backend.net.of(o))
        .map_or(Value::Int(0), |c| Value::Int(c.port as i64)))
}

fn query_idle(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let who = object_arg(vm, base, argc, 0, "query_idle")?;
    let Some(conn) = vm.backend.net.of(who) else {
        return Err(error("query_idle() of non-interactive object."));
    };
    Ok(Value::Int(conn.last_input.elapsed().as_secs() as i64))
}

/// `exec(to, from)`: moves the connection of `from` to `to`.
fn exec(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let to = object_arg(vm, base, argc, 0, "exec")?;
    let from = object_arg(vm, base, argc, 1, "exec")?;
    if to == from {
        return Ok(Value::Int(0));
    }
    let net = &mut vm.backend.net;
    if net.by_object.contains_key(&to) {
        return Ok(Value::Int(0));
    }
    let Some(id) = net.by_object.remove(&from) else {
        return Ok(Value::Int(0));
    };
    net.by_object.insert(to, id);
    net.once_interactive.insert(to);
    if let Some(conn) = net.conns.get_mut(&id) {
        conn.object = Some(to);
    }
    if vm.command_giver == Some(from) {
        vm.command_giver = Some(to);
    }
    if vm.backend.net.current_interactive == Some(from) {
        vm.backend.net.current_interactive = Some(to);
    }
    Ok(Value::Int(1))
}

/// `snoop(snooper, victim)` starts snooping; `snoop(snooper)` stops all
/// snooping by it.
fn snoop(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let snooper = object_arg(vm, base, argc, 0, "snoop")?;
    if argc < 2 {
        for conn in vm.backend.net.conns.values_mut() {
            if conn.snooped_by == Some(snooper) {
                conn.snooped_by = None;
            }
        }
        return Ok(Value::Object(snooper));
    }
    let victim = object_arg(vm, base, argc, 1, "snoop")?;
    if victim == snooper {
        return Ok(Value::Int(0));
    }
    // No loops: the victim must not be snooping the snooper, at any depth.
    let mut at = Some(snooper);
    while let Some(o) = at {
        if o == victim {
            return Ok(Value::Int(0));
        }
        at = vm.backend.net.of(o).and_then(|c| c.snooped_by);
    }
    match vm.backend.net.of_mut(victim) {
        Some(conn) if conn.snooped_by.is_none() => {
            conn.snooped_by = Some(snooper);
            vm.backend.net.snoopers.insert(snooper);
            Ok(Value::Object(victim))
        }
        _ => Ok(Value::Int(0)),
    }
}

fn query_snoop(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let who = object_arg(vm, base, argc, 0, "query_snoop")?;
    Ok(vm
        .backend
        .net
        .of(who)
        .and_then(|c| c.snooped_by)
        .filter(|&s| vm.objects.alive(s))
        .map_or(Value::Int(0), Value::Object))
}

fn query_snooping(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let who = object_arg(vm, base, argc, 0, "query_snooping")?;
    Ok(vm
        .backend
        .net
        .conns
        .values()
        .find(|c| c.snooped_by == Some(who))
        .and_then(|c| c.object)
        .map_or(Value::Int(0), Value::Object))
}

fn remove_interactive(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let who = match arg(vm, base, argc, 0) {
        Value::Object(r) if vm.objects.alive(r) => r,
        _ => return Ok(Value::Int(0)),
    };
    Ok(Value::Int(drop_user(vm, who, false)? as i64))
}

/// `set_encoding(name)` for this player's connection, by any name ICU
/// knows the character set by; no name, or any spelling of UTF-8, means
/// UTF-8. Reports ICU's name for the converter, or "utf-8" when there is
/// none to convert. Without an interactive player nothing changes and
/// "utf-8" is reported.
fn set_encoding(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let requested = arg(vm, base, argc, 0);
    let Some(player) = vm.command_giver.filter(|&p| vm.backend.net.of(p).is_some()) else {
        return Ok(Value::str(charsets::DEFAULT));
    };
    let (encoding, name) = match requested {
        Value::Str(s) if charsets::same_name(&s.text, charsets::DEFAULT) => {
            (encoding_rs::UTF_8, charsets::DEFAULT)
        }
        Value::Str(s) => match charsets::lookup(&s.text) {
            Some(c) => (c.encoding, c.name),
            None => {
                return Err(error(format!(
                    "Fail to set encoding to '{}': no such encoding.",
                    s.text
                )));
            }
        },
        Value::Undefined | Value::Int(0) => (encoding_rs::UTF_8, charsets::DEFAULT),
        other => return Err(bad_arg("set_encoding", 0, &other)),
    };
    if let Some(conn) = vm.backend.net.of_mut(player) {
        conn.encoding = encoding;
        conn.encoding_name = name;
    }
    Ok(Value::str(name))
}

fn query_encoding(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let name = vm
        .command_giver
        .and_then(|p| vm.backend.net.of(p))
        .map_or(charsets::DEFAULT, |c| c.encoding_name);
    Ok(Value::str(name))
}

/// `resolve(address, callback)`: a host name to its address, on the
/// runtime's threads; the callback runs later on the VM thread with
/// `(name, address or 0, key)`. Reverse lookups are not available, so
/// an address literal is refused.
fn resolve(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let query = str_arg(vm, base, argc, 0, "resolve")?.text.to_string();
    let callback = match arg(vm, base, argc, 1) {
        f @ (Value::Str(_) | Value::Function(_)) => f,
        other => return Err(bad_arg("resolve", 1, &other)),
    };
    if query.parse::<std::net::IpAddr>().is_ok() {
        return Err(error(
            "resolve(): looking up the name of an address is not supported by this driver",
        ));
    }
    let Some(owner) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    let net = &mut vm.backend.net;
    net.last_resolve += 1;
    let key = net.last_resolve;
    net.lookups.insert(
        key,
        crate::net::Lookup {
            callback,
            owner,
            player: vm.command_giver.filter(|_| vm.backend.player_in_call_out),
        },
    );
    let events = net.events_tx.clone();
    let flow = net.resolving.clone();
    runtime::spawn(async move {
        flow.room().await;
        let credit = flow.credit(1);
        let address = runtime::lookup(&query)
            .await
            .ok()
            .and_then(|list| {
                // IPv4 first, as MUD clients and logs expect dotted quads.
                list.iter().find(|a| a.is_ipv4()).or(list.first()).copied()
            })
            .map(|a| a.ip().to_string());
        let _ = events.send(Event::Resolved {
            key,
            query,
            address,
            credit,
        });
    });
    Ok(Value::Int(key))
}
