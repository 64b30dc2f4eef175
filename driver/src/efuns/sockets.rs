//! The sockets package: LPC-owned TCP and UDP sockets driven by callbacks
//! (MUD, STREAM, DATAGRAM, STREAM_TLS and their binary forms). Binding
//! happens at once on the VM thread; accepting, connecting, TLS handshakes
//! and reading run as network tasks whose results come back as backend
//! events.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustc_hash::FxHashMap;

use futures_lite::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use futures_rustls::TlsConnector;
use futures_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use futures_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use futures_rustls::rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

use super::{arg, bad_arg, int_arg};
use crate::backend::top_level;
use crate::net::stats::Direction;
use crate::net::{Credit, Event, Inflow, OUTGOING_WINDOW, PARCEL_COST};
use crate::runtime;
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("socket_create", socket_create);
    m.insert("socket_bind", socket_bind);
    m.insert("socket_listen", socket_listen);
    m.insert("socket_accept", socket_accept);
    m.insert("socket_connect", socket_connect);
    m.insert("socket_write", socket_write);
    m.insert("socket_close", socket_close);
    m.insert("socket_release", socket_release);
    m.insert("socket_acquire", socket_acquire);
    m.insert("socket_error", socket_error);
    m.insert("socket_address", socket_address);
    m.insert("socket_status", socket_status);
    m.insert("socket_set_option", socket_set_option);
    m.insert("socket_get_option", socket_get_option);
}

// Error codes of <socket_err.h>.
const EESUCCESS: i64 = 1;
const EESOCKET: i64 = -1;
const EEFDRANGE: i64 = -5;
const EEBADF: i64 = -6;
const EESECURITY: i64 = -7;
const EEISBOUND: i64 = -8;
const EEADDRINUSE: i64 = -9;
const EEBIND: i64 = -10;
const EEMODENOTSUPP: i64 = -12;
const EENOADDR: i64 = -13;
const EEISCONN: i64 = -14;
const EELISTEN: i64 = -15;
const EENOTLISTN: i64 = -16;
const EEWOULDBLOCK: i64 = -17;
const EEALREADY: i64 = -22;
const EEACCEPT: i64 = -19;
const EEISLISTEN: i64 = -20;
const EEBADADDR: i64 = -21;
const EENOTCONN: i64 = -25;
const EETYPENOTSUPP: i64 = -26;
const EESENDTO: i64 = -27;
const EECALLBACK: i64 = -29;
const EESOCKRLSD: i64 = -30;
const EESOCKNOTRLSD: i64 = -31;
const EEBADDATA: i64 = -32;

/// Our own wording of each error, by its negated code.
const ERRORS: [&str; 33] = [
    "no error",
    "could not create the socket",
    "could not set a socket option",
    "could not make the socket non-blocking",
    "no more sockets",
    "socket descriptor out of range",
    "invalid socket descriptor",
    "security violation",
    "socket already bound",
    "address already in use",
    "could not bind the socket",
    "could not read the socket's address",
    "socket mode not supported",
    "socket not bound to an address",
    "socket already connected",
    "could not listen on the socket",
    "socket not listening",
    "operation would block",
    "interrupted system call",
    "could not accept a connection",
    "socket is listening",
    "bad address format",
    "operation already in progress",
    "connection refused",
    "could not connect",
    "socket not connected",
    "value type not supported",
    "could not send the datagram",
    "could not send the data",
    "wait for the callback",
    "socket already released",
    "socket not released",
    "data nested too deeply",
];

/// The most sockets open at once.
const MAX_SOCKETS: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Mud,
    Stream,
    Datagram,
    StreamBinary,
    DatagramBinary,
    StreamTls,
    StreamTlsBinary,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Mud => "MUD",
            Mode::Stream => "STREAM",
            Mode::Datagram => "DATAGRAM",
            Mode::StreamBinary => "STREAM_BINARY",
            Mode::DatagramBinary => "DATAGRAM_BINARY",
            Mode::StreamTls => "STREAM_TLS",
            Mode::StreamTlsBinary => "STREAM_TLS_BINARY",
        }
    }

    fn datagram(self) -> bool {
        matches!(self, Mode::Datagram | Mode::DatagramBinary)
    }

    fn binary(self) -> bool {
        matches!(
            self,
            Mode::StreamBinary | Mode::DatagramBinary | Mode::StreamTlsBinary
        )
    }

    fn tls(self) -> bool {
        matches!(self, Mode::StreamTls | Mode::StreamTlsBinary)
    }
}

// Options of `socket_set_option`, from <socket.h>.
const SO_TLS_VERIFY_PEER: i64 = 1;
const SO_TLS_SNI_HOSTNAME: i64 = 2;
const SO_TLS_CERT: i64 = 3;
const SO_TLS_KEY: i64 = 4;

/// What `socket_set_option` stored; each is 0 until set.
#[derive(Clone, Debug, Default)]
struct Options {
    verify_peer: bool,
    sni_hostname: Option<String>,
    /// A listening socket's certificate chain; for a client, a certificate
    /// to trust beside the public roots (a private CA or a test server's).
    cert: Option<String>,
    key: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Unbound,
    Bound,
    Listening,
    Connecting,
    /// Connected, with the TLS handshake still going.
    Handshake,
    Connected,
}

/// One LPC socket.
pub struct Socket {
    mode: Mode,
    state: State,
    owner: ObjRef,
    read_cb: Value,
    write_cb: Value,
    close_cb: Value,
    listen_cb: Value,
    local: Option<SocketAddr>,
    remote: Option<SocketAddr>,
    /// A bound stream socket waiting for `socket_listen`.
    listener: Option<std::net::TcpListener>,
    /// A datagram socket once bound or first written.
    udp: Option<std::net::UdpSocket>,
    /// Stops the task that accepts or receives for this socket.
    stop: Option<runtime::Sender<()>>,
    /// The writer of a connected stream.
    out: Option<Writer>,
    /// Connections accepted but not yet taken by `socket_accept`.
    pending: VecDeque<(runtime::TcpStream, SocketAddr)>,
    /// Being handed to this object by `socket_release`.
    releasing_to: Option<ObjRef>,
    options: Options,
    /// The TLS side of a listening STREAM_TLS socket with a certificate.
    acceptor: Option<futures_rustls::TlsAcceptor>,
}

impl Socket {
    fn new(mode: Mode, owner: ObjRef) -> Socket {
        Socket {
            mode,
            state: State::Unbound,
            owner,
            read_cb: Value::Int(0),
            write_cb: Value::Int(0),
            close_cb: Value::Int(0),
            listen_cb: Value::Int(0),
            local: None,
            remote: None,
            listener: None,
            udp: None,
            stop: None,
            out: None,
            pending: VecDeque::new(),
            releasing_to: None,
            options: Options::default(),
            acceptor: None,
        }
    }
}

/// Every open socket by descriptor.
#[derive(Default)]
pub struct Sockets {
    table: FxHashMap<i64, Socket>,
    last: i64,
    /// The listening socket whose listen callback runs now.
    in_listen_callback: Option<i64>,
}

impl Sockets {
    /// Whether some socket can still report anything: listening,
    /// receiving datagrams, connecting or connected.
    pub fn open(&self) -> bool {
        self.table.values().any(|s| {
            s.stop.is_some()
                || s.out.is_some()
                || matches!(s.state, State::Connecting | State::Handshake)
        })
    }

    /// Closes the sockets of a destructed object.
    pub fn forget(&mut self, object: ObjRef) {
        let mine: Vec<i64> = self
            .table
            .iter()
            .filter(|(_, s)| s.owner == object)
            .map(|(&fd, _)| fd)
            .collect();
        for fd in mine {
            self.close(fd);
        }
    }

    fn close(&mut self, fd: i64) {
        if let Some(s) = self.table.remove(&fd)
            && let Some(out) = &s.out
        {
            let _ = out.queue.try_send(Out::Close);
        }
    }
}

/// What the VM asks of a connected stream's writer.
enum Out {
    /// Bytes to send, holding their share of the socket's outgoing window
    /// until they are written.
    Write(Vec<u8>, Credit),
    Close,
}

/// What a connected stream socket has queued for its peer and the peer has
/// not yet taken, and whether LPC was told `EECALLBACK`: then the writer
/// reports when the queue is empty, and the write callback runs.
struct Outbound {
    flow: Arc<Inflow>,
    blocked: AtomicBool,
}

impl Outbound {
    /// Whether the queue just emptied while LPC waits for the callback;
    /// clears the wait.
    fn drained(&self) -> bool {
        self.flow.pending() == 0 && self.blocked.swap(false, Ordering::SeqCst)
    }
}

/// The VM's end of a connected stream's writer.
struct Writer {
    queue: runtime::Sender<Out>,
    outbound: Arc<Outbound>,
    /// Dropped with the socket's entry: tells the writer LPC has let go.
    _open: runtime::Sender<()>,
}

/// The writer task's end.
struct Writing {
    commands: runtime::Receiver<Out>,
    outbound: Arc<Outbound>,
    /// Ends (its sender dropped) once the socket is closed or its owner
    /// destructed.
    open: runtime::Receiver<()>,
}

/// How long the output of a closed socket may still wait for its peer:
/// a peer that keeps its window shut would otherwise hold the connection
/// and its queue for good.
const CLOSE_LINGER: std::time::Duration = std::time::Duration::from_secs(30);

/// A connected stream's queue, LPC's side and the writer's.
fn writer() -> (Writer, Writing) {
    let (queue, commands) = runtime::channel();
    let (open_sender, open) = runtime::bounded(1);
    let outbound = Arc::new(Outbound {
        flow: Inflow::with_window(OUTGOING_WINDOW),
        blocked: AtomicBool::new(false),
    });
    let writing = Writing {
        commands,
        outbound: outbound.clone(),
        open,
    };
    let writer = Writer {
        queue,
        outbound,
        _open: open_sender,
    };
    (writer, writing)
}

/// What a socket task reports.
pub enum SocketEvent {
    Accepted {
        fd: i64,
        stream: runtime::TcpStream,
        peer: SocketAddr,
        /// Its place in the listener's [`ACCEPT_WINDOW`].
        credit: Credit,
    },
    /// A connection (and its TLS handshake, if any) is ready for data, or
    /// failed.
    Connected {
        fd: i64,
        local: Option<SocketAddr>,
        ok: bool,
    },
    Data {
        fd: i64,
        bytes: Vec<u8>,
        from: Option<SocketAddr>,
        /// Its place in the socket's [`DATA_WINDOW`].
        credit: Credit,
    },
    Closed {
        fd: i64,
    },
    /// Everything queued after an `EECALLBACK` was written.
    Drained {
        fd: i64,
    },
}

/// What a socket's reader may have handed to the VM and the VM not yet
/// handled, in bytes with [`EVENT_COST`] for each read or datagram. Past
/// it the reader stops reading: a TCP peer that floods is held back by
/// TCP itself, datagrams beyond the kernel's buffer are lost as UDP loses
/// them, and the driver's memory stays bounded either way.
const DATA_WINDOW: usize = 64 << 10;

/// What one data event counts beyond its bytes, so that a flood of empty
/// datagrams fills the window too.
const EVENT_COST: usize = 64;

/// Connections a listening socket may have accepted and the VM not yet
/// offered to the listen callback; the rest wait in the kernel's backlog.
const ACCEPT_WINDOW: usize = 64;

fn callback_arg(v: Value) -> Value {
    match v {
        v @ (Value::Str(_) | Value::Function(_)) => v,
        _ => Value::Int(0),
    }
}

/// Asks the master's `valid_socket(object, operation, info)`; allowed when
/// the master has no such function.
fn allowed(vm: &mut Vm, operation: &str, fd: i64) -> Result<bool, Unwind> {
    let (Some(master), Some(me)) = (vm.master, vm.this_object()) else {
        return Ok(true);
    };
    let info = match vm.backend.sockets.table.get(&fd) {
        Some(s) => vec![
            Value::Int(fd),
            Value::Object(s.owner),
            Value::str(s.remote.map_or(String::new(), |a| a.ip().to_string())),
            Value::Int(s.remote.map_or(0, |a| a.port() as i64)),
        ],
        None => vec![Value::Int(fd), Value::Int(0), Value::str(""), Value::Int(0)],
    };
    let answer = vm.apply(
        master,
        "valid_socket",
        vec![Value::Object(me), Value::str(operation), Value::array(info)],
        true,
    )?;
    Ok(answer.is_none_or(|v| v.truthy()))
}

/// The socket `fd` if the running object owns it, else the error code.
fn owned(vm: &Vm, fd: i64) -> Result<(), i64> {
    if !(0..=i64::from(u32::MAX)).contains(&fd) {
        return Err(EEFDRANGE);
    }
    let Some(s) = vm.backend.sockets.table.get(&fd) else {
        return Err(EEBADF);
    };
    if Some(s.owner) != vm.this_object() {
        return Err(EESECURITY);
    }
    Ok(())
}

macro_rules! try_code {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(code) => return Ok(Value::Int(code)),
        }
    };
}

fn socket_create(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let mode = match int_arg(vm, base, argc, 0, "socket_create")? {
        0 => Mode::Mud,
        1 => Mode::Stream,
        2 => Mode::Datagram,
        3 => Mode::StreamBinary,
        4 => Mode::DatagramBinary,
        5 => Mode::StreamTls,
        6 => Mode::StreamTlsBinary,
        _ => return Ok(Value::Int(EEMODENOTSUPP)),
    };
    let read_cb = callback_arg(arg(vm, base, argc, 1));
    let close_cb = callback_arg(arg(vm, base, argc, 2));
    let Some(owner) = vm.this_object() else {
        return Ok(Value::Int(EESOCKET));
    };
    if !allowed(vm, "create", -1)? {
        return Ok(Value::Int(EESECURITY));
    }
    let sockets = &mut vm.backend.sockets;
    if sockets.table.len() >= MAX_SOCKETS {
        return Ok(Value::Int(-4));
    }
    sockets.last += 1;
    let fd = sockets.last;
    let mut socket = Socket::new(mode, owner);
    socket.read_cb = read_cb;
    socket.close_cb = close_cb;
    sockets.table.insert(fd, socket);
    Ok(Value::Int(fd))
}

fn socket_bind(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_bind")?;
    let port = int_arg(vm, base, argc, 1, "socket_bind")?;
    let host = match arg(vm, base, argc, 2) {
        Value::Str(s) => s.text.to_string(),
        _ => "0.0.0.0".to_string(),
    };
    try_code!(owned(vm, fd));
    if !allowed(vm, "bind", fd)? {
        return Ok(Value::Int(EESECURITY));
    }
    let Ok(port) = u16::try_from(port) else {
        return Ok(Value::Int(EEBADADDR));
    };
    let Ok(ip) = host.trim().parse::<std::net::IpAddr>() else {
        return Ok(Value::Int(EEBADADDR));
    };
    let address = SocketAddr::new(ip, port);
    let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
        return Ok(Value::Int(EEBADF));
    };
    if s.state != State::Unbound || s.udp.is_some() {
        return Ok(Value::Int(EEISBOUND));
    }
    let code_of = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            EEADDRINUSE
        } else {
            EEBIND
        }
    };
    if s.mode.datagram() {
        let udp = try_code!(std::net::UdpSocket::bind(address).map_err(code_of));
        s.local = udp.local_addr().ok();
        let Ok(reader) = udp.try_clone() else {
            return Ok(Value::Int(EEBIND));
        };
        s.udp = Some(udp);
        s.state = State::Bound;
        let (stop, stopped) = runtime::channel();
        s.stop = Some(stop);
        let events = vm.backend.net.events_tx.clone();
        runtime::spawn(receive_datagrams(fd, reader, stopped, events));
    } else {
        let listener = try_code!(std::net::TcpListener::bind(address).map_err(code_of));
        s.local = listener.local_addr().ok();
        s.listener = Some(listener);
        s.state = State::Bound;
    }
    Ok(Value::Int(EESUCCESS))
}

/// The stream socket `fd`, free to listen or to connect; else the error
/// code: it is gone, a datagram socket, already listening or connected, or
/// (to listen, `bound` set) not bound to an address yet.
fn idle_stream_socket(
    table: &mut FxHashMap<i64, Socket>,
    fd: i64,
    bound: bool,
) -> Result<&mut Socket, i64> {
    let s = table.get_mut(&fd).ok_or(EEBADF)?;
    if s.mode.datagram() {
        return Err(EEMODENOTSUPP);
    }
    match s.state {
        State::Listening => Err(EEISLISTEN),
        State::Connected | State::Connecting | State::Handshake => Err(EEISCONN),
        State::Unbound if bound => Err(EENOADDR),
        State::Unbound | State::Bound => Ok(s),
    }
}

fn socket_listen(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_listen")?;
    let listen_cb = callback_arg(arg(vm, base, argc, 1));
    try_code!(owned(vm, fd));
    if !allowed(vm, "listen", fd)? {
        return Ok(Value::Int(EESECURITY));
    }
    let events = vm.backend.net.events_tx.clone();
    let s = try_code!(idle_stream_socket(&mut vm.backend.sockets.table, fd, true));
    if s.mode.tls()
        && let (Some(cert), Some(key)) = (s.options.cert.clone(), s.options.key.clone())
    {
        let Some(acceptor) = tls_acceptor(vm, &cert, &key)? else {
            return Ok(Value::Int(EELISTEN));
        };
        if let Some(s) = vm.backend.sockets.table.get_mut(&fd) {
            s.acceptor = Some(acceptor);
        }
    }
    let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
        return Ok(Value::Int(EEBADF));
    };
    let Some(listener) = s.listener.take() else {
        return Ok(Value::Int(EENOADDR));
    };
    let Ok(listener) = runtime::tcp_listener(listener) else {
        return Ok(Value::Int(EELISTEN));
    };
    let (stop, stopped) = runtime::channel();
    s.stop = Some(stop);
    s.listen_cb = listen_cb;
    s.state = State::Listening;
    runtime::spawn(accept_connections(fd, listener, stopped, events));
    Ok(Value::Int(EESUCCESS))
}

fn socket_accept(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_accept")?;
    let read_cb = callback_arg(arg(vm, base, argc, 1));
    let write_cb = callback_arg(arg(vm, base, argc, 2));
    try_code!(owned(vm, fd));
    if !allowed(vm, "accept", fd)? {
        return Ok(Value::Int(EESECURITY));
    }
    let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
        return Ok(Value::Int(EEBADF));
    };
    if s.state != State::Listening {
        return Ok(Value::Int(EENOTLISTN));
    }
    // A connection is there to take only while the listen callback runs.
    if vm.backend.sockets.in_listen_callback != Some(fd) {
        return Ok(Value::Int(EEWOULDBLOCK));
    }
    let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
        return Ok(Value::Int(EEBADF));
    };
    if s.mode.tls() && s.acceptor.is_none() {
        // A TLS listener without a certificate cannot serve anyone.
        s.pending.pop_front();
        return Ok(Value::Int(EEACCEPT));
    }
    let Some((stream, peer)) = s.pending.pop_front() else {
        return Ok(Value::Int(EEWOULDBLOCK));
    };
    let mut socket = Socket::new(s.mode, s.owner);
    socket.close_cb = s.close_cb.clone();
    socket.local = s.local;
    socket.read_cb = read_cb;
    socket.write_cb = write_cb;
    socket.remote = Some(peer);
    let acceptor = s.acceptor.clone();
    let sockets = &mut vm.backend.sockets;
    sockets.last += 1;
    let new_fd = sockets.last;
    let events = vm.backend.net.events_tx.clone();
    let (out, commands) = writer();
    let mud = socket.mode == Mode::Mud;
    match acceptor {
        Some(acceptor) => {
            socket.state = State::Handshake;
            runtime::spawn(async move {
                let closer = stream.clone();
                match acceptor.accept(stream).await {
                    Ok(tls) => {
                        let ready = SocketEvent::Connected {
                            fd: new_fd,
                            local: None,
                            ok: true,
                        };
                        if events.send(Event::Socket(ready)).is_ok() {
                            run_stream(new_fd, tls, closer, commands, events, mud).await;
                        }
                    }
                    Err(_) => {
                        let _ = closer.shutdown(std::net::Shutdown::Both);
                        let failed = SocketEvent::Connected {
                            fd: new_fd,
                            local: None,
                            ok: false,
                        };
                        let _ = events.send(Event::Socket(failed));
                    }
                }
            });
        }
        None => {
            socket.state = State::Connected;
            runtime::spawn(run_stream(
                new_fd,
                stream.clone(),
                stream,
                commands,
                events,
                mud,
            ));
        }
    }
    socket.out = Some(out);
    vm.backend.sockets.table.insert(new_fd, socket);
    Ok(Value::Int(new_fd))
}

/// "ip port" as LPC writes addresses.
fn parse_address(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.trim().rsplit_once(' ')?;
    Some(SocketAddr::new(
        ip.trim().parse().ok()?,
        port.trim().parse().ok()?,
    ))
}

fn socket_connect(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_connect")?;
    let address = match arg(vm, base, argc, 1) {
        Value::Str(s) => s.text.to_string(),
        other => return Err(bad_arg("socket_connect", 1, &other)),
    };
    let read_cb = callback_arg(arg(vm, base, argc, 2));
    let write_cb = callback_arg(arg(vm, base, argc, 3));
    try_code!(owned(vm, fd));
    let Some(target) = parse_address(&address) else {
        return Ok(Value::Int(EEBADADDR));
    };
    if !allowed(vm, "connect", fd)? {
        return Ok(Value::Int(EESECURITY));
    }
    let events = vm.backend.net.events_tx.clone();
    let s = try_code!(idle_stream_socket(&mut vm.backend.sockets.table, fd, false));
    let tls = if s.mode.tls() {
        let options = s.options.clone();
        match tls_client(vm, &options, target)? {
            Ok(tls) => Some(tls),
            Err(message) => {
                vm.debug_message(&format!("socket_connect: {message}"));
                return Ok(Value::Int(EESOCKET));
            }
        }
    } else {
        None
    };
    let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
        return Ok(Value::Int(EEBADF));
    };
    s.listener = None;
    s.read_cb = read_cb;
    s.write_cb = write_cb;
    s.remote = Some(target);
    s.state = State::Connecting;
    let (out, commands) = writer();
    s.out = Some(out);
    let mud = s.mode == Mode::Mud;
    runtime::spawn(connect_stream(fd, target, tls, commands, events, mud));
    Ok(Value::Int(EESUCCESS))
}

fn socket_write(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_write")?;
    try_code!(owned(vm, fd));
    let mode = vm.backend.sockets.table.get(&fd).map(|s| s.mode);
    let message = arg(vm, base, argc, 1);
    // What cannot be sent is only reported after the checks of the
    // socket's state.
    let bytes: Result<Vec<u8>, i64> = match (mode, &message) {
        (Some(Mode::Mud), Value::Object(_)) => Err(EETYPENOTSUPP),
        (Some(Mode::Mud), v) => {
            let mut text = String::new();
            match crate::efuns::save::format::encode(v, &mut text) {
                Ok(()) => Ok(crate::net::mud::encode(text.as_bytes())),
                Err(_) => Err(EEBADDATA),
            }
        }
        (_, Value::Str(s)) => Ok(s.text.as_bytes().to_vec()),
        (_, Value::Buffer(b)) => Ok(b.borrow().clone()),
        (Some(m), Value::Array(a)) if !m.datagram() => {
            Ok(a.borrow().iter().flat_map(word).collect())
        }
        _ => Err(EETYPENOTSUPP),
    };
    if !allowed(vm, "write", fd)? {
        return Ok(Value::Int(EESECURITY));
    }
    let to = match arg(vm, base, argc, 2) {
        Value::Str(s) => Some(s.text.to_string()),
        _ => None,
    };
    let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
        return Ok(Value::Int(EEBADF));
    };
    if s.mode.datagram() {
        let Some(target) = to.as_deref().and_then(parse_address) else {
            return Ok(Value::Int(EEBADADDR));
        };
        let bytes = try_code!(bytes);
        // An unbound datagram socket gets an address of the right family
        // for each destination.
        let fresh;
        let udp = match &s.udp {
            Some(u)
                if u.local_addr()
                    .is_ok_and(|a| a.is_ipv4() == target.is_ipv4()) =>
            {
                u
            }
            _ => {
                let any: SocketAddr = if target.is_ipv4() {
                    ([0, 0, 0, 0], 0).into()
                } else {
                    (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
                };
                fresh = try_code!(std::net::UdpSocket::bind(any).map_err(|_| EESENDTO));
                &fresh
            }
        };
        return Ok(Value::Int(match udp.send_to(&bytes, target) {
            Ok(n) => {
                vm.backend.net.traffic.socket(Direction::Out, n);
                EESUCCESS
            }
            Err(_) => EESENDTO,
        }));
    }
    if s.state != State::Connected {
        return Ok(Value::Int(EENOTCONN));
    }
    let Some(out) = &s.out else {
        return Ok(Value::Int(EENOTCONN));
    };
    // A write the callback was promised for is still going out.
    let outbound = &out.outbound;
    if outbound.blocked.load(Ordering::SeqCst) {
        return Ok(Value::Int(EEALREADY));
    }
    let bytes = try_code!(bytes);
    // Nothing to send is done at once.
    if bytes.is_empty() {
        return Ok(Value::Int(EESUCCESS));
    }
    let len = bytes.len();
    // The queue is the socket's send buffer: a full one takes nothing, and
    // a write that fills it is taken whole, with the write callback to
    // come once everything queued has gone out.
    let pending = outbound.flow.pending();
    if pending >= OUTGOING_WINDOW {
        return Ok(Value::Int(EEWOULDBLOCK));
    }
    let cost = len + PARCEL_COST;
    let fills = pending + cost > OUTGOING_WINDOW;
    let credit = outbound.flow.credit(cost);
    // Set before the bytes are queued, so the writer cannot empty the
    // queue unseen in between.
    if fills {
        outbound.blocked.store(true, Ordering::SeqCst);
    }
    if out.queue.try_send(Out::Write(bytes, credit)).is_err() {
        outbound.blocked.store(false, Ordering::SeqCst);
        return Ok(Value::Int(EENOTCONN));
    }
    vm.backend.net.traffic.socket(Direction::Out, len);
    Ok(Value::Int(if fills { EECALLBACK } else { EESUCCESS }))
}

/// An array element as a STREAM socket sends it: four bytes in the
/// machine's order, from an int or the first four bytes of a float; 0
/// for anything else.
fn word(v: &Value) -> [u8; 4] {
    match v {
        Value::Int(n) => (*n as i32).to_ne_bytes(),
        Value::Float(f) => {
            let b = f.get().to_ne_bytes();
            [b[0], b[1], b[2], b[3]]
        }
        _ => [0; 4],
    }
}

fn socket_close(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_close")?;
    try_code!(owned(vm, fd));
    if !allowed(vm, "close", fd)? {
        return Ok(Value::Int(EESECURITY));
    }
    vm.backend.sockets.close(fd);
    Ok(Value::Int(EESUCCESS))
}

/// `socket_release(fd, ob, callback)`: offers the socket to `ob`, whose
/// callback must call `socket_acquire` for the transfer to happen.
fn socket_release(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_release")?;
    let to = match arg(vm, base, argc, 1) {
        Value::Object(r) if vm.objects.alive(r) => r,
        other => return Err(bad_arg("socket_release", 1, &other)),
    };
    let callback = callback_arg(arg(vm, base, argc, 2));
    try_code!(owned(vm, fd));
    if !allowed(vm, "release", fd)? {
        return Ok(Value::Int(EESECURITY));
    }
    let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
        return Ok(Value::Int(EEBADF));
    };
    if s.releasing_to.is_some() {
        return Ok(Value::Int(EESOCKRLSD));
    }
    let from = s.owner;
    s.releasing_to = Some(to);
    let args = vec![Value::Int(fd), Value::Object(from)];
    let result = match &callback {
        Value::Str(name) => vm.apply(to, &name.text, args, true).map(|_| ()),
        f @ Value::Function(_) => vm.call_value(f, &args).map(|_| ()),
        _ => Ok(()),
    };
    let acquired = match vm.backend.sockets.table.get_mut(&fd) {
        Some(s) => {
            s.releasing_to = None;
            s.owner == to
        }
        None => false,
    };
    result?;
    Ok(Value::Int(if acquired { EESUCCESS } else { EESOCKNOTRLSD }))
}

fn socket_acquire(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_acquire")?;
    let read_cb = callback_arg(arg(vm, base, argc, 1));
    let write_cb = callback_arg(arg(vm, base, argc, 2));
    let close_cb = callback_arg(arg(vm, base, argc, 3));
    let me = vm.this_object();
    let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
        return Ok(Value::Int(if fd < 0 { EEFDRANGE } else { EEBADF }));
    };
    if s.releasing_to.is_none() || s.releasing_to != me {
        return Ok(Value::Int(EESOCKNOTRLSD));
    }
    let Some(me) = me else {
        return Ok(Value::Int(EESECURITY));
    };
    s.owner = me;
    s.read_cb = read_cb;
    s.write_cb = write_cb;
    s.close_cb = close_cb;
    Ok(Value::Int(EESUCCESS))
}

fn socket_error(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let code = int_arg(vm, base, argc, 0, "socket_error")?;
    let text = usize::try_from(-code)
        .ok()
        .and_then(|i| ERRORS.get(i))
        .map_or("socket_error: invalid error code", |t| t);
    Ok(Value::str(text))
}

fn address_text(a: Option<SocketAddr>) -> String {
    match a {
        Some(a) => format!("{} {}", a.ip(), a.port()),
        None => "0.0.0.0 0".to_string(),
    }
}

/// `socket_address(fd, local)`: "ip port" of the peer (or of this end);
/// for an interactive object, its user's address.
fn socket_address(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let local = int_arg(vm, base, argc, 1, "socket_address")? != 0;
    match arg(vm, base, argc, 0) {
        Value::Object(r) => Ok(vm
            .backend
            .net
            .of(r)
            .map_or(Value::Int(0), |c| Value::str(address_text(Some(c.peer))))),
        Value::Int(fd) => Ok(Value::str(
            vm.backend
                .sockets
                .table
                .get(&fd)
                .map_or(String::new(), |s| {
                    address_text(if local { s.local } else { s.remote })
                }),
        )),
        other => Err(bad_arg("socket_address", 0, &other)),
    }
}

fn status_of(fd: i64, s: &Socket) -> Value {
    let state = match s.state {
        State::Unbound => "UNBOUND",
        State::Bound => "BOUND",
        State::Listening => "LISTEN",
        State::Connecting => "CONNECTING",
        State::Handshake => "HANDSHAKE",
        State::Connected => "DATA_XFER",
    };
    Value::array(vec![
        Value::Int(fd),
        Value::str(state),
        Value::str(s.mode.name()),
        Value::str(address_text(s.local)),
        Value::str(address_text(s.remote)),
        Value::Object(s.owner),
    ])
}

fn socket_status(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let sockets = &vm.backend.sockets;
    if argc > 0 {
        let fd = int_arg(vm, base, argc, 0, "socket_status")?;
        return Ok(sockets
            .table
            .get(&fd)
            .map_or(Value::Int(0), |s| status_of(fd, s)));
    }
    let mut fds: Vec<&i64> = sockets.table.keys().collect();
    fds.sort();
    Ok(Value::array(
        fds.into_iter()
            .filter_map(|fd| sockets.table.get(fd).map(|s| status_of(*fd, s)))
            .collect(),
    ))
}

// ---------------------------------------------------------------------------
// Tasks and their events.

/// Moves a connected socket's bytes: what arrives goes to the VM as
/// socket events (whole packets in MUD mode), commands are written out.
/// `closer` is the TCP socket underneath, shut when either side ends so
/// the other half stops too.
async fn run_stream<S>(
    fd: i64,
    stream: S,
    closer: runtime::TcpStream,
    writing: Writing,
    events: std::sync::mpsc::Sender<Event>,
    mud: bool,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut reader, mut writer) = futures_lite::io::split(stream);
    let reader_events = events.clone();
    let reader_closer = closer.clone();
    runtime::spawn(async move {
        let mut decoder =
            mud.then(|| crate::net::mud::Decoder::new(crate::net::mud::DEFAULT_LIMIT));
        let mut buf = vec![0u8; 4096];
        let flow = Inflow::with_window(DATA_WINDOW);
        let send = |bytes: Vec<u8>| {
            let event = SocketEvent::Data {
                fd,
                credit: flow.credit(bytes.len() + EVENT_COST),
                bytes,
                from: None,
            };
            reader_events.send(Event::Socket(event)).is_ok()
        };
        loop {
            flow.room().await;
            let n = match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let bytes = buf.get(..n).unwrap_or_default();
            let Some(decoder) = &mut decoder else {
                if !send(bytes.to_vec()) {
                    return;
                }
                continue;
            };
            let mut packets = Vec::new();
            let fed = decoder.feed(bytes, &mut packets);
            for packet in packets {
                if !send(packet) {
                    return;
                }
            }
            if fed.is_err() {
                // The stream is out of step for good: end it.
                let _ = reader_closer.shutdown(std::net::Shutdown::Both);
                break;
            }
        }
        let _ = reader_events.send(Event::Socket(SocketEvent::Closed { fd }));
    });
    let Writing {
        commands,
        outbound,
        open,
    } = writing;
    // Resolves CLOSE_LINGER after LPC let go of the socket.
    let lingered = async {
        let _ = open.recv().await;
        runtime::sleep(CLOSE_LINGER).await;
    };
    let mut lingered = std::pin::pin!(lingered);
    while let Ok(command) = commands.recv().await {
        match command {
            Out::Write(bytes, credit) => {
                let send = async {
                    writer.write_all(&bytes).await?;
                    writer.flush().await
                };
                let sent = futures_lite::future::or(async { Some(send.await) }, async {
                    lingered.as_mut().await;
                    None
                })
                .await;
                if !matches!(sent, Some(Ok(()))) {
                    break;
                }
                drop(credit);
                if outbound.drained() {
                    let drained = SocketEvent::Drained { fd };
                    let _ = events.send(Event::Socket(drained));
                }
            }
            Out::Close => break,
        }
    }
    let _ = writer.close().await;
    let _ = closer.shutdown(std::net::Shutdown::Both);
}

/// Connects a client socket, with its TLS handshake when `tls` is given,
/// reports the outcome and then moves its bytes.
async fn connect_stream(
    fd: i64,
    target: SocketAddr,
    tls: Option<(std::sync::Arc<ClientConfig>, ServerName<'static>)>,
    commands: Writing,
    events: std::sync::mpsc::Sender<Event>,
    mud: bool,
) {
    let report = |local: Option<SocketAddr>, ok: bool| {
        events
            .send(Event::Socket(SocketEvent::Connected { fd, local, ok }))
            .is_ok()
    };
    let Ok(tcp) = runtime::connect(target).await else {
        report(None, false);
        return;
    };
    let _ = tcp.set_nodelay(true);
    let local = tcp.local_addr().ok();
    let closer = tcp.clone();
    match tls {
        None => {
            if report(local, true) {
                run_stream(fd, tcp, closer, commands, events, mud).await;
            }
        }
        Some((config, name)) => match TlsConnector::from(config).connect(name, tcp).await {
            Ok(stream) => {
                if report(local, true) {
                    run_stream(fd, stream, closer, commands, events, mud).await;
                }
            }
            Err(_) => {
                let _ = closer.shutdown(std::net::Shutdown::Both);
                report(local, false);
            }
        },
    }
}

/// The TLS server side of a listening socket, from certificate and key
/// files named by mudlib paths (read as the running object may read).
fn tls_acceptor(
    vm: &mut Vm,
    cert: &str,
    key: &str,
) -> Result<Option<futures_rustls::TlsAcceptor>, Unwind> {
    let readable = |vm: &mut Vm, path: &str| {
        crate::jail::check(vm, path, "socket_listen", crate::jail::Access::Read)
            .map(|c| c.map(|c| c.host.to_string_lossy().into_owned()))
    };
    let (Some(cert), Some(key)) = (readable(vm, cert)?, readable(vm, key)?) else {
        vm.debug_message("socket_listen: the TLS certificate or key may not be read");
        return Ok(None);
    };
    match crate::net::tls::acceptor(&cert, &key) {
        Ok(acceptor) => Ok(Some(acceptor)),
        Err(e) => {
            vm.debug_message(&format!("socket_listen: {e}"));
            Ok(None)
        }
    }
}

/// The TLS client settings of a socket: checking the server's
/// certificate only when SO_TLS_VERIFY_PEER is set (against the public
/// roots and the SO_TLS_CERT file), and the name to ask for.
#[allow(clippy::type_complexity)]
fn tls_client(
    vm: &mut Vm,
    options: &Options,
    target: SocketAddr,
) -> Result<Result<(std::sync::Arc<ClientConfig>, ServerName<'static>), String>, Unwind> {
    let name = match &options.sni_hostname {
        Some(host) => match ServerName::try_from(host.clone()) {
            Ok(name) => name,
            Err(e) => return Ok(Err(format!("bad TLS server name {host}: {e}"))),
        },
        None => ServerName::IpAddress(target.ip().into()),
    };
    if !options.verify_peer {
        return Ok(unverified_client().map(|config| (config, name)));
    }
    let mut extra = Vec::new();
    if let Some(path) = &options.cert {
        let checked = crate::jail::check(vm, path, "socket_connect", crate::jail::Access::Read)?;
        let Some(checked) = checked else {
            return Ok(Err(format!("{path} may not be read")));
        };
        match crate::web::read_certificates(&checked.host) {
            Ok(certs) => extra = certs,
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(crate::web::tls_client(&extra).map(|config| (config, name)))
}

/// Client settings that take any server certificate, as a socket without
/// SO_TLS_VERIFY_PEER does; the handshake's signatures are still checked.
fn unverified_client() -> Result<std::sync::Arc<ClientConfig>, String> {
    use futures_rustls::rustls::crypto::ring;
    static CONFIG: std::sync::OnceLock<std::sync::Arc<ClientConfig>> = std::sync::OnceLock::new();
    if let Some(config) = CONFIG.get() {
        return Ok(config.clone());
    }
    let provider = std::sync::Arc::new(ring::default_provider());
    let verifier = std::sync::Arc::new(AnyCertificate(provider.clone()));
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(CONFIG.get_or_init(|| std::sync::Arc::new(config)).clone())
}

/// A certificate check that takes any certificate but still verifies the
/// signatures made with it.
#[derive(Debug)]
struct AnyCertificate(std::sync::Arc<futures_rustls::rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, futures_rustls::rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, futures_rustls::rustls::Error> {
        futures_rustls::rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, futures_rustls::rustls::Error> {
        futures_rustls::rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The LPC value a MUD mode packet carries, read as `restore_variable`
/// reads; text that is no value gives undefined.
pub fn mud_value(vm: &Vm, packet: &[u8]) -> Value {
    let text = String::from_utf8_lossy(packet);
    let reader = crate::efuns::save::format::Reader {
        max_array: vm.limits.array_size,
        max_mapping: vm.limits.mapping_size,
        layouts: &[],
        hint: None,
    };
    reader.read(&text).unwrap_or(Value::Undefined)
}

/// `socket_set_option(fd, option, value)`.
fn socket_set_option(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_set_option")?;
    let option = int_arg(vm, base, argc, 1, "socket_set_option")?;
    let value = arg(vm, base, argc, 2);
    let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
        return Err(error(format!("Bad socket descriptor: {fd}")));
    };
    let text = |v: &Value| match v {
        Value::Str(t) => Ok(Some(t.text.to_string())),
        other => Err(bad_arg("socket_set_option", 2, other)),
    };
    match option {
        SO_TLS_VERIFY_PEER => match value {
            Value::Int(n @ (0 | 1)) => s.options.verify_peer = n == 1,
            Value::Int(n) => {
                return Err(error(format!(
                    "Bad socket option value: {n}, only 0 or 1 is accepted."
                )));
            }
            other => return Err(bad_arg("socket_set_option", 2, &other)),
        },
        SO_TLS_SNI_HOSTNAME => s.options.sni_hostname = text(&value)?,
        SO_TLS_CERT => s.options.cert = text(&value)?,
        SO_TLS_KEY => s.options.key = text(&value)?,
        _ => return Err(error(format!("Unknown socket option: {option}"))),
    }
    Ok(Value::Int(0))
}

/// `socket_get_option(fd, option)`: what was set, else 0.
fn socket_get_option(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let fd = int_arg(vm, base, argc, 0, "socket_get_option")?;
    let option = int_arg(vm, base, argc, 1, "socket_get_option")?;
    let Some(s) = vm.backend.sockets.table.get(&fd) else {
        return Err(error(format!("Bad socket descriptor: {fd}")));
    };
    let text = |t: &Option<String>| t.as_ref().map_or(Value::Int(0), |t| Value::str(t.clone()));
    Ok(match option {
        SO_TLS_VERIFY_PEER => Value::Int(s.options.verify_peer as i64),
        SO_TLS_SNI_HOSTNAME => text(&s.options.sni_hostname),
        SO_TLS_CERT => text(&s.options.cert),
        SO_TLS_KEY => text(&s.options.key),
        _ => return Err(error(format!("Unknown socket option: {option}"))),
    })
}

async fn accept_connections(
    fd: i64,
    listener: runtime::TcpListener,
    stopped: runtime::Receiver<()>,
    events: std::sync::mpsc::Sender<Event>,
) {
    let flow = Inflow::with_window(ACCEPT_WINDOW);
    loop {
        let accepted = futures_lite::future::or(
            async {
                flow.room().await;
                Some(listener.accept().await)
            },
            async {
                let _ = stopped.recv().await;
                None
            },
        )
        .await;
        match accepted {
            None => return,
            Some(Ok((stream, peer))) => {
                let credit = flow.credit(1);
                let event = SocketEvent::Accepted {
                    fd,
                    stream,
                    peer,
                    credit,
                };
                if events.send(Event::Socket(event)).is_err() {
                    return;
                }
            }
            Some(Err(_)) => runtime::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

async fn receive_datagrams(
    fd: i64,
    socket: std::net::UdpSocket,
    stopped: runtime::Receiver<()>,
    events: std::sync::mpsc::Sender<Event>,
) {
    let Ok(socket) = runtime::udp_socket(socket) else {
        return;
    };
    let mut buf = vec![0u8; 65536];
    let flow = Inflow::with_window(DATA_WINDOW);
    loop {
        let received = futures_lite::future::or(
            async {
                flow.room().await;
                Some(socket.recv_from(&mut buf).await)
            },
            async {
                let _ = stopped.recv().await;
                None
            },
        )
        .await;
        match received {
            None => return,
            Some(Ok((n, from))) => {
                let bytes = buf.get(..n).unwrap_or_default().to_vec();
                let event = SocketEvent::Data {
                    fd,
                    credit: flow.credit(n + EVENT_COST),
                    bytes,
                    from: Some(from),
                };
                if events.send(Event::Socket(event)).is_err() {
                    return;
                }
            }
            Some(Err(_)) => runtime::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

/// Runs a socket callback in its owner: the first argument is the fd.
fn call_back(
    vm: &mut Vm,
    fd: i64,
    which: fn(&Socket) -> &Value,
    rest: Vec<Value>,
) -> Result<(), Unwind> {
    let Some(s) = vm.backend.sockets.table.get(&fd) else {
        return Ok(());
    };
    let owner = s.owner;
    let callback = which(s).clone();
    if !vm.objects.alive(owner) {
        return Ok(());
    }
    let mut args = vec![Value::Int(fd)];
    args.extend(rest);
    top_level(vm, None, |vm| match &callback {
        Value::Str(name) => vm.apply(owner, &name.text, args, true).map(|_| ()),
        f @ Value::Function(_) => vm.call_value(f, &args).map(|_| ()),
        _ => Ok(()),
    })?;
    Ok(())
}

/// Handles what a socket task reported, on the VM thread.
pub fn handle(vm: &mut Vm, event: SocketEvent) -> Result<(), Unwind> {
    match event {
        // A credit stays in the event until the callback has run.
        SocketEvent::Accepted {
            fd, stream, peer, ..
        } => {
            let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
                return Ok(());
            };
            s.pending.push_back((stream, peer));
            let saved = vm.backend.sockets.in_listen_callback.replace(fd);
            let result = call_back(vm, fd, |s| &s.listen_cb, Vec::new());
            vm.backend.sockets.in_listen_callback = saved;
            // Connections the callback did not take are refused.
            if let Some(s) = vm.backend.sockets.table.get_mut(&fd) {
                s.pending.clear();
            }
            result
        }
        SocketEvent::Connected { fd, local, ok } => {
            let Some(s) = vm.backend.sockets.table.get_mut(&fd) else {
                return Ok(());
            };
            if !ok {
                let r = call_back(vm, fd, |s| &s.close_cb, Vec::new());
                vm.backend.sockets.table.remove(&fd);
                return r;
            }
            if local.is_some() {
                s.local = local;
            }
            s.state = State::Connected;
            call_back(vm, fd, |s| &s.write_cb, Vec::new())
        }
        SocketEvent::Data {
            fd, bytes, from, ..
        } => {
            let Some(s) = vm.backend.sockets.table.get(&fd) else {
                return Ok(());
            };
            vm.backend.net.traffic.socket(Direction::In, bytes.len());
            let message = if s.mode == Mode::Mud {
                mud_value(vm, &bytes)
            } else if s.mode.binary() {
                Value::Buffer(std::rc::Rc::new(std::cell::RefCell::new(bytes)))
            } else {
                Value::str(String::from_utf8_lossy(&bytes).into_owned())
            };
            let mut rest = vec![message];
            if let Some(from) = from {
                rest.push(Value::str(address_text(Some(from))));
            }
            call_back(vm, fd, |s| &s.read_cb, rest)
        }
        SocketEvent::Drained { fd } => call_back(vm, fd, |s| &s.write_cb, Vec::new()),
        SocketEvent::Closed { fd } => {
            // Only a close from the other end reaches here: socket_close
            // removed the socket first.
            let r = call_back(vm, fd, |s| &s.close_cb, Vec::new());
            vm.backend.sockets.table.remove(&fd);
            r
        }
    }
}
