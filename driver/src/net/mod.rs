//! Network connections. Tasks on the runtime's threads accept sockets and
//! move bytes; they send [`Event`]s to the VM thread and take [`Command`]s
//! from it. The VM side ([`Net`]) keeps each connection's protocol state
//! and the user object it belongs to. Only bytes cross threads.

pub mod mud;
pub mod stats;
pub mod telnet;
pub mod tls;
pub mod ws;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use lpcc::config::ConfigFile;
use rustc_hash::FxHashMap;

use futures_lite::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use futures_util::StreamExt;

use crate::runtime::{self, Receiver, Sender, TcpListener, TcpStream};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;

pub type ConnId = u64;

/// Bytes queued for one connection beyond which new output is dropped, so
/// a client that stops reading costs bounded memory and blocks nobody.
pub const OUTPUT_LIMIT: usize = 1 << 20;

/// `resolve()` lookups that run at once; each takes a thread of the
/// runtime's blocking pool while it waits for the system's resolver.
pub const LOOKUP_WINDOW: usize = 32;

/// How long a client of a websocket port has to take a plain HTTP answer
/// (a file of the http directory, or a refusal).
const ANSWER_TIME: Duration = Duration::from_secs(60);

/// Input bytes of one connection that may wait for the VM thread; past
/// this its reader stops reading until the VM catches up, so a client that
/// floods waits in its own socket buffer, not in the driver's memory.
pub const INPUT_WINDOW: usize = 8 << 10;

/// The flow of one producer's news to the VM: what it has handed over and
/// the VM has not yet taken, against a window. A connection's reader
/// counts input bytes; other producers (sockets of the sockets package,
/// async work) count what their events carry. The VM side never blocks;
/// the producer waits for room before it reads more. The same counts what
/// LPC queues toward a peer (see [`OUTGOING_WINDOW`]), with the VM as the
/// producer: it never waits, it is refused ([`Inflow::offer`]).
pub struct Inflow {
    pending: AtomicUsize,
    window: usize,
    resume_tx: Sender<()>,
    resume: Receiver<()>,
}

impl Inflow {
    fn new() -> Arc<Inflow> {
        Inflow::with_window(INPUT_WINDOW)
    }

    /// A flow that lets `window` units wait for the VM.
    pub fn with_window(window: usize) -> Arc<Inflow> {
        // One token is enough: a waiter looks at `pending` again after
        // each wake-up and passes the token on when room is left, and a
        // token left over only costs that look.
        let (resume_tx, resume) = runtime::bounded(1);
        Arc::new(Inflow {
            pending: AtomicUsize::new(0),
            window,
            resume_tx,
            resume,
        })
    }

    /// Waits until the VM has room for more.
    pub async fn room(&self) {
        let mut waited = false;
        while self.pending.load(Ordering::Acquire) >= self.window {
            waited = true;
            if self.resume.recv().await.is_err() {
                return;
            }
        }
        // Several tasks of one producer may wait at once (the output and
        // error readers of a process): the one woken wakes the next.
        if waited {
            let _ = self.resume_tx.try_send(());
        }
    }

    fn sent(&self, len: usize) {
        self.pending.fetch_add(len, Ordering::AcqRel);
    }

    /// The VM took `len`; wakes the producer when that made room.
    pub fn taken(&self, len: usize) {
        let before = self.pending.fetch_sub(len, Ordering::AcqRel);
        if before >= self.window && before.saturating_sub(len) < self.window {
            let _ = self.resume_tx.try_send(());
        }
    }

    /// Counts `len` units on their way to the VM; they are taken when the
    /// credit is dropped, after the VM has handled the event holding it.
    pub fn credit(self: &Arc<Inflow>, len: usize) -> Credit {
        self.sent(len);
        Credit {
            flow: self.clone(),
            len,
        }
    }
}

impl Inflow {
    /// Units counted and not yet given back.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    /// Counts `len` units when they fit in the window, or when nothing is
    /// pending (so one unit larger than the window still goes, alone);
    /// `None` when the consumer is not keeping up. For queues LPC fills
    /// toward a peer: refusing there, rather than waiting, lets the LPC
    /// code learn that the peer is slow without blocking the VM.
    pub fn offer(self: &Arc<Inflow>, len: usize) -> Option<Credit> {
        let pending = self.pending();
        if pending > 0 && pending.saturating_add(len) > self.window {
            return None;
        }
        Some(self.credit(len))
    }
}

/// What LPC may have queued toward one peer of a socket, websocket client,
/// gRPC stream or MQTT client and the peer has not yet taken, in bytes
/// (with [`PARCEL_COST`] for each message). Past it a send is refused, so
/// an LPC loop sending to a peer that never reads costs bounded memory.
pub const OUTGOING_WINDOW: usize = 256 << 10;

/// What one queued message counts beyond its bytes, so that a flood of
/// empty messages fills [`OUTGOING_WINDOW`] too.
pub const PARCEL_COST: usize = 64;

/// A producer's share of its window held by one event; dropping it (the
/// VM is done with the event, or the event was never delivered) gives the
/// room back.
pub struct Credit {
    flow: Arc<Inflow>,
    len: usize,
}

impl Drop for Credit {
    fn drop(&mut self) {
        self.flow.taken(self.len);
    }
}

/// Limits on what clients may hold without using it, from the config.
#[derive(Clone, Copy, Debug)]
pub struct Guards {
    /// Connections one address may have open at once; 0 for no limit.
    pub per_address: usize,
    /// How long a connection may stay before its first line of input (or,
    /// on a websocket or TLS port, before its handshake ends); `None`
    /// waits forever.
    pub login_timeout: Option<Duration>,
    /// How long a connection that has logged in may send nothing at all
    /// before it is closed; `None` (the default) leaves idle players to
    /// the mudlib.
    pub idle_timeout: Option<Duration>,
    /// The largest websocket message (and frame) a client may send.
    pub websocket_max_message: usize,
}

impl Default for Guards {
    fn default() -> Guards {
        Guards {
            per_address: 100,
            login_timeout: Some(Duration::from_secs(300)),
            idle_timeout: None,
            websocket_max_message: ws::MAX_MESSAGE,
        }
    }
}

/// What network tasks tell the VM thread.
pub enum Event {
    Accepted {
        port: u16,
        /// The protocol spoken: for a websocket, its subprotocol's.
        kind: PortKind,
        websocket: bool,
        conn: ConnId,
        peer: SocketAddr,
        out: Sender<Command>,
        queued: Arc<AtomicUsize>,
        /// Released by the VM as it takes the connection's input.
        inflow: Arc<Inflow>,
    },
    /// Input of a connection; its reader counts it in the connection's
    /// [`Inflow`] and waits while the VM is [`INPUT_WINDOW`] behind.
    Data {
        conn: ConnId,
        bytes: Vec<u8>,
    },
    Closed {
        conn: ConnId,
    },
    /// A socket of the sockets package has news.
    Socket(crate::efuns::sockets::SocketEvent),
    /// A `resolve()` lookup finished.
    Resolved {
        key: i64,
        query: String,
        address: Option<String>,
        /// Its place in [`Net::resolving`], held until it is handled.
        credit: Credit,
    },
    /// Async work finishing on the VM thread (see `asyncwork`).
    Done(crate::asyncwork::Job),
}

/// What the VM thread tells one connection's writer task.
pub enum Command {
    Write(Vec<u8>),
    /// Compress all later output (MCCP2).
    Compress,
    Close,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortKind {
    Telnet,
    Ascii,
    Binary,
    Websocket,
    Mud,
}

impl PortKind {
    pub fn name(self) -> &'static str {
        match self {
            PortKind::Telnet => "telnet",
            PortKind::Ascii => "ascii",
            PortKind::Binary => "binary",
            PortKind::Websocket => "websocket",
            PortKind::Mud => "MUD",
        }
    }
}

/// One listening port from the config file.
#[derive(Clone, Debug)]
pub struct Port {
    /// N of `external_port_N` (1 for `port number`).
    pub index: u8,
    pub number: u16,
    pub kind: PortKind,
    /// Certificate and key files when the port speaks TLS.
    pub tls: Option<(String, String)>,
}

/// The ports a config file asks for: `port number` (telnet) and
/// `external_port_1` .. `external_port_5`, each with an optional `_tls`.
pub fn ports_from_config(file: &ConfigFile) -> (Vec<Port>, Vec<String>) {
    let mut ports = Vec::new();
    let mut problems = Vec::new();
    let mut first = 1;
    if let Ok(Some(n)) = file.get_int("port number") {
        match u16::try_from(n) {
            Ok(number) => ports.push(Port {
                index: 1,
                number,
                kind: PortKind::Telnet,
                tls: None,
            }),
            Err(_) => problems.push(format!("port number {n} is out of range")),
        }
        first = 2;
        if file.get("external_port_1").is_some() {
            problems.push("external_port_1 is ignored: 'port number' already sets it".into());
        }
    }
    for i in first..=5u8 {
        let Some(spec) = file.get(&format!("external_port_{i}")) else {
            continue;
        };
        let mut words = spec.split_whitespace();
        let (Some(kind), Some(number)) = (words.next(), words.next()) else {
            problems.push(format!(
                "external_port_{i}: expected 'KIND PORT', got '{spec}'"
            ));
            continue;
        };
        let kind = match kind {
            "telnet" => PortKind::Telnet,
            "ascii" => PortKind::Ascii,
            "binary" => PortKind::Binary,
            "websocket" => PortKind::Websocket,
            "MUD" => PortKind::Mud,
            other => {
                problems.push(format!("external_port_{i}: unknown kind of port '{other}'"));
                continue;
            }
        };
        let Ok(number) = number.parse::<u16>() else {
            problems.push(format!("external_port_{i}: bad port number '{number}'"));
            continue;
        };
        let tls = file.get(&format!("external_port_{i}_tls")).and_then(|t| {
            let mut cert = None;
            let mut key = None;
            for word in t.split_whitespace() {
                if let Some(c) = word.strip_prefix("cert=") {
                    cert = Some(c.to_string());
                } else if let Some(k) = word.strip_prefix("key=") {
                    key = Some(k.to_string());
                }
            }
            cert.zip(key)
        });
        ports.push(Port {
            index: i,
            number,
            kind,
            tls,
        });
    }
    (ports, problems)
}

/// A pending `input_to` or `get_char`.
#[derive(Clone, Debug)]
pub struct PendingInput {
    pub callback: Value,
    /// The object a callback given by name is called in.
    pub owner: ObjRef,
    pub args: Vec<Value>,
    pub no_echo: bool,
    /// A line starting with `!` may not escape to the command parser.
    pub no_escape: bool,
    pub char_mode: bool,
}

/// A pending `resolve()`.
#[derive(Clone, Debug)]
pub struct Lookup {
    pub callback: Value,
    pub owner: ObjRef,
    /// `this_player()` when it was asked, for the callback.
    pub player: Option<ObjRef>,
}

/// One connection as the VM sees it.
pub struct Conn {
    pub port: u16,
    pub kind: PortKind,
    pub peer: SocketAddr,
    out: Sender<Command>,
    queued: Arc<AtomicUsize>,
    pub telnet: Option<telnet::Telnet>,
    pub object: Option<ObjRef>,
    pub input: Option<PendingInput>,
    pub last_input: Instant,
    pub snooped_by: Option<ObjRef>,
    pub encoding: &'static encoding_rs::Encoding,
    /// The name `query_encoding` reports for `encoding`.
    pub encoding_name: &'static str,
    /// Set once the connection is being closed: it takes no more output.
    pub closing: bool,
    /// A line being assembled (plain ports) or the start of a multi-byte
    /// character (character mode).
    pub partial: Vec<u8>,
    /// The packets being cut from a MUD port's input.
    pub mud: Option<mud::Decoder>,
    /// Where this connection's bytes are counted.
    pub traffic: std::rc::Rc<stats::Traffic>,
}

impl Conn {
    pub fn new(
        port: u16,
        kind: PortKind,
        peer: SocketAddr,
        out: Sender<Command>,
        queued: Arc<AtomicUsize>,
        telnet: Option<telnet::Telnet>,
    ) -> Conn {
        Conn {
            port,
            kind,
            peer,
            out,
            queued,
            telnet,
            object: None,
            input: None,
            last_input: Instant::now(),
            snooped_by: None,
            encoding: encoding_rs::UTF_8,
            encoding_name: crate::efuns::charsets::DEFAULT,
            closing: false,
            partial: Vec::new(),
            mud: (kind == PortKind::Mud).then(|| mud::Decoder::new(mud::DEFAULT_LIMIT)),
            traffic: Default::default(),
        }
    }

    /// Queues raw bytes, or drops them past the output limit.
    pub fn send_raw(&self, bytes: Vec<u8>) {
        if self.closing || bytes.is_empty() {
            return;
        }
        let len = bytes.len();
        if self.queued.load(Ordering::Relaxed) + len > OUTPUT_LIMIT {
            return;
        }
        self.queued.fetch_add(len, Ordering::Relaxed);
        if self.out.try_send(Command::Write(bytes)).is_err() {
            self.queued.fetch_sub(len, Ordering::Relaxed);
            return;
        }
        self.traffic.player(self.port, stats::Direction::Out, len);
    }

    /// Sends text in the connection's encoding and protocol.
    pub fn send_text(&self, text: &str) {
        let bytes = if self.encoding == encoding_rs::UTF_8 {
            text.as_bytes().to_vec()
        } else {
            self.encoding.encode(text).0.into_owned()
        };
        let bytes = match self.kind {
            PortKind::Telnet => telnet::text(&bytes),
            _ => bytes,
        };
        self.send_raw(bytes);
    }

    /// Decodes input bytes from the connection's encoding.
    pub fn decode(&self, bytes: &[u8]) -> String {
        self.encoding
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    }

    pub fn start_compression(&self) {
        let _ = self.out.try_send(Command::Compress);
    }

    pub fn close(&mut self) {
        if !self.closing {
            self.closing = true;
            let _ = self.out.try_send(Command::Close);
        }
    }
}

/// Every connection and listener, owned by the VM thread.
pub struct Net {
    pub events_tx: mpsc::Sender<Event>,
    pub events: mpsc::Receiver<Event>,
    /// The port numbers bound.
    pub bound: Vec<u16>,
    pub conns: FxHashMap<ConnId, Conn>,
    pub by_object: FxHashMap<ObjRef, ConnId>,
    pub offers: telnet::Offers,
    /// `resolve()` lookups not answered yet.
    pub lookups: FxHashMap<i64, Lookup>,
    pub last_resolve: i64,
    /// Lookups running or answered and not yet handled, at most
    /// [`LOOKUP_WINDOW`]; more wait for a place before they start.
    pub resolving: Arc<Inflow>,
    /// Objects that ever had a connection (`userp`).
    pub once_interactive: rustc_hash::FxHashSet<ObjRef>,
    /// Objects that have snooped someone, so a destruct looks for snoops to
    /// end only when it can find one (a mass logout stays linear).
    pub snoopers: rustc_hash::FxHashSet<ObjRef>,
    /// The user whose input is being handled (`this_interactive`).
    pub current_interactive: Option<ObjRef>,
    pub guards: Guards,
    /// The MUD client protocols offered on telnet connections.
    pub protocols: telnet::Protocols,
    /// The ports the config asks for, bound or not (`sys_network_ports`,
    /// `network_stats`).
    pub ports: Vec<Port>,
    /// The TLS acceptors of the listening ports, by port index, for
    /// `sys_reload_tls`.
    pub tls: FxHashMap<u8, tls::Shared>,
    pub traffic: std::rc::Rc<stats::Traffic>,
    /// The config's "maximum users": connections beyond it are turned
    /// away before the master hears of them; 0 for no limit.
    pub max_users: usize,
}

impl Default for Net {
    fn default() -> Net {
        let (events_tx, events) = mpsc::channel();
        Net {
            events_tx,
            events,
            bound: Vec::new(),
            conns: FxHashMap::default(),
            by_object: FxHashMap::default(),
            offers: telnet::Offers {
                gmcp: false,
                mssp: true,
                mccp: true,
            },
            lookups: FxHashMap::default(),
            last_resolve: 0,
            resolving: Inflow::with_window(LOOKUP_WINDOW),
            once_interactive: Default::default(),
            snoopers: Default::default(),
            current_interactive: None,
            guards: Guards::default(),
            protocols: telnet::Protocols {
                msp: true,
                ..Default::default()
            },
            ports: Vec::new(),
            tls: FxHashMap::default(),
            traffic: Default::default(),
            max_users: 0,
        }
    }
}

impl Net {
    /// Reads the config keys about what connections are offered and how
    /// many are let in.
    pub fn configure(&mut self, file: &ConfigFile) {
        let int = |key: &str| file.get_int(key).ok().flatten();
        let on = |key: &str, default: bool| int(key).map_or(default, |v| v != 0);
        self.protocols = telnet::Protocols {
            mxp: on("enable mxp", false),
            msdp: on("enable msdp", false),
            zmp: on("enable zmp", false),
            msp: on("enable msp", true),
        };
        self.max_users = int("maximum users").map_or(0, |n| usize::try_from(n).unwrap_or(0));
        // Known from boot on, before the ports open.
        self.ports = ports_from_config(file).0;
    }

    /// Gives back the room of the connection tables once a crowd has
    /// left, so a mass disconnect does not keep it for good.
    pub fn compact(&mut self) {
        shrink_sparse(&mut self.conns);
        shrink_sparse(&mut self.by_object);
    }

    /// The connection of an interactive object.
    pub fn of(&self, object: ObjRef) -> Option<&Conn> {
        self.conns.get(self.by_object.get(&object)?)
    }

    pub fn of_mut(&mut self, object: ObjRef) -> Option<&mut Conn> {
        let id = *self.by_object.get(&object)?;
        self.conns.get_mut(&id)
    }

    pub fn is_listening(&self, port: u16) -> bool {
        self.bound.contains(&port)
    }

    /// Closes the connection of a destructed object.
    pub fn object_destructed(&mut self, object: ObjRef) {
        if let Some(id) = self.by_object.remove(&object)
            && let Some(mut conn) = self.conns.remove(&id)
        {
            conn.close();
        }
        self.once_interactive.remove(&object);
        if self.current_interactive == Some(object) {
            self.current_interactive = None;
        }
        if self.snoopers.remove(&object) {
            for conn in self.conns.values_mut() {
                if conn.snooped_by == Some(object) {
                    conn.snooped_by = None;
                }
            }
        }
    }

    /// Binds each port on `ip` and starts accepting; returns one message
    /// per port that could not be used.
    pub fn start(&mut self, ports: &[Port], ip: &str, http_dir: Option<PathBuf>) -> Vec<String> {
        let mut problems = Vec::new();
        let ids = Arc::new(AtomicU64::new(0));
        let peers = Peers::default();
        for port in ports {
            let tls = match &port.tls {
                Some((cert, key)) => match tls::acceptor(cert, key) {
                    Ok(a) => Some(tls::Shared::new(a)),
                    Err(e) => {
                        problems.push(format!("port {}: TLS: {e}", port.number));
                        continue;
                    }
                },
                None => None,
            };
            let address = format!("{ip}:{}", port.number);
            let bound = runtime::block_on(runtime::lookup(ip)).and_then(|found| {
                let mut at = found.into_iter().next().ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no such address")
                })?;
                at.set_port(port.number);
                runtime::listen_backlogged(at)
            });
            match bound {
                Ok(listener) => {
                    self.bound.push(port.number);
                    if let Some(shared) = &tls {
                        self.tls.insert(port.index, shared.clone());
                    }
                    let setup = Arc::new(PortSetup {
                        port: port.number,
                        kind: port.kind,
                        tls,
                        http_dir: http_dir.clone(),
                        events: self.events_tx.clone(),
                        ids: ids.clone(),
                        guards: self.guards,
                        peers: peers.clone(),
                    });
                    runtime::spawn(accept_loop(listener, setup));
                }
                Err(e) => problems.push(format!("cannot listen on {address}: {e}")),
            }
        }
        problems
    }
}

/// Shrinks `map` when at most a quarter of its room is used, to twice
/// what it holds; small maps are left alone. Each shrink costs a pass over
/// what is left, and the next one needs half of that to go first.
pub fn shrink_sparse<K: std::hash::Hash + Eq, V>(map: &mut FxHashMap<K, V>) {
    const SMALL: usize = 64;
    if map.capacity() > SMALL && map.len() < map.capacity() / 4 {
        map.shrink_to(map.len() * 2);
    }
}

/// What every connection of one port needs to get going.
struct PortSetup {
    port: u16,
    kind: PortKind,
    tls: Option<tls::Shared>,
    http_dir: Option<PathBuf>,
    events: mpsc::Sender<Event>,
    ids: Arc<AtomicU64>,
    guards: Guards,
    /// Open connections per address, over every port.
    peers: Peers,
}

/// Open connections per address, for a set of listeners that share a
/// limit.
#[derive(Clone, Default)]
pub struct Peers(Arc<Mutex<FxHashMap<IpAddr, usize>>>);

impl Peers {
    /// A slot for `ip`, unless it has `limit` connections already (0: no
    /// limit); a refusal is counted in the metrics.
    pub fn take(&self, ip: IpAddr, limit: usize) -> Option<PeerSlot> {
        let mut peers = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = peers.entry(ip).or_insert(0);
        if limit > 0 && *count >= limit {
            crate::metrics::CONNECTIONS_REFUSED.bump();
            return None;
        }
        *count += 1;
        Some(PeerSlot {
            peers: self.clone(),
            ip,
        })
    }
}

/// One address's claim on a connection; released when dropped.
pub struct PeerSlot {
    peers: Peers,
    ip: IpAddr,
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut peers = self.peers.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = peers.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                peers.remove(&self.ip);
            }
        }
    }
}

/// `task`'s output, or `None` once `deadline` has passed.
async fn before<T>(deadline: Option<Instant>, task: impl Future<Output = T>) -> Option<T> {
    let Some(deadline) = deadline else {
        return Some(task.await);
    };
    let expire = async {
        runtime::sleep(deadline.saturating_duration_since(Instant::now())).await;
        None
    };
    futures_lite::future::or(async { Some(task.await) }, expire).await
}

/// Turns away a connection over its address's limit.
async fn refuse(mut stream: TcpStream) {
    let notice = b"Too many connections from your address.\r\n";
    let _ = before(
        Some(Instant::now() + Duration::from_secs(5)),
        stream.write_all(notice),
    )
    .await;
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

async fn accept_loop(listener: TcpListener, setup: Arc<PortSetup>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(pair) => pair,
            Err(_) => {
                // Out of descriptors or a reset before accept: wait a
                // little rather than spin.
                runtime::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(slot) = setup.peers.take(peer.ip(), setup.guards.per_address) else {
            match setup.kind {
                // A browser asked for the upgrade: it understands a 503.
                PortKind::Websocket => crate::web::refusal::refuse(
                    stream,
                    setup.tls.as_ref().map(tls::Shared::current),
                ),
                // A MUD peer reads only framed values: a notice would be
                // a malformed one.
                PortKind::Mud => {
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                }
                PortKind::Telnet | PortKind::Ascii | PortKind::Binary => {
                    runtime::spawn(refuse(stream));
                }
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        runtime::spawn(open(stream, peer, setup.clone(), slot));
    }
}

/// The TLS handshake when the port has one, then the port's protocol.
async fn open(stream: TcpStream, peer: SocketAddr, setup: Arc<PortSetup>, slot: PeerSlot) {
    // Closing a stream only flushes it: the socket itself must be shut
    // down so the client sees the end, and the reader task stops.
    let closer = stream.clone();
    let deadline = setup.guards.login_timeout.map(|t| Instant::now() + t);
    match setup.tls.as_ref().map(tls::Shared::current) {
        // The TLS state is large: boxed, so that plain connections do not
        // each carry room for it.
        Some(acceptor) => {
            Box::pin(async move {
                if let Some(Ok(tls)) = before(deadline, acceptor.accept(stream)).await {
                    serve(tls, peer, setup, deadline).await;
                }
            })
            .await
        }
        None => serve(stream, peer, setup, deadline).await,
    }
    let _ = closer.shutdown(std::net::Shutdown::Both);
    drop(slot);
}

/// A registered connection's ends: its id, the commands from the VM, the
/// count of output bytes queued and the flow of its input.
struct Registered {
    conn: ConnId,
    commands: Receiver<Command>,
    queued: Arc<AtomicUsize>,
    inflow: Arc<Inflow>,
}

/// Tells the VM about a new connection.
fn register(
    setup: &PortSetup,
    peer: SocketAddr,
    kind: PortKind,
    websocket: bool,
) -> Option<Registered> {
    let conn = setup.ids.fetch_add(1, Ordering::Relaxed) + 1;
    let (out, commands) = runtime::channel();
    let queued = Arc::new(AtomicUsize::new(0));
    let inflow = Inflow::new();
    let accepted = Event::Accepted {
        port: setup.port,
        kind,
        websocket,
        conn,
        peer,
        out,
        queued: queued.clone(),
        inflow: inflow.clone(),
    };
    setup.events.send(accepted).ok()?;
    Some(Registered {
        conn,
        commands,
        queued,
        inflow,
    })
}

async fn serve<S>(stream: S, peer: SocketAddr, setup: Arc<PortSetup>, deadline: Option<Instant>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    if setup.kind == PortKind::Websocket {
        // Boxed for the same reason as TLS: only websocket connections
        // carry the websocket's state.
        Box::pin(serve_websocket_port(stream, peer, &setup, deadline)).await;
        return;
    }
    let Some(link) = register(&setup, peer, setup.kind, false) else {
        return;
    };
    let (reader, writer) = futures_lite::io::split(stream);
    let input = Input {
        conn: link.conn,
        events: setup.events.clone(),
        inflow: link.inflow,
    };
    let idle = setup.guards.idle_timeout;
    runtime::spawn(read_loop(reader, input, deadline, idle));
    write_loop(writer, link.commands, link.queued).await;
}

/// A websocket port's connection: one HTTP request, then the websocket
/// or a plain answer.
async fn serve_websocket_port<S>(
    mut stream: S,
    peer: SocketAddr,
    setup: &PortSetup,
    deadline: Option<Instant>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // A plain HTTP answer must be taken within its own bound even when
    // logins may wait forever, so a client that never reads a large
    // file does not hold its connection.
    let answer_by = Some(Instant::now() + ANSWER_TIME);
    match before(deadline, ws::read_request(&mut stream))
        .await
        .flatten()
    {
        Some(ws::Request::Upgrade { key, subprotocol }) => {
            let accepted = before(
                deadline,
                ws::accept(
                    stream,
                    &key,
                    subprotocol,
                    setup.guards.websocket_max_message,
                ),
            )
            .await;
            if let Some(Ok((socket, kind))) = accepted {
                serve_websocket(socket, kind, peer, setup, deadline).await;
            }
        }
        Some(ws::Request::File(target)) => {
            let dir = setup.http_dir.as_deref();
            before(answer_by, ws::serve_file(stream, dir, &target)).await;
        }
        Some(ws::Request::Bad) => {
            before(answer_by, async {
                let _ = stream
                    .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
                let _ = stream.close().await;
            })
            .await;
        }
        None => {}
    }
}

/// Until its first message, a websocket connection is held to the same
/// `deadline` as its handshake, as a telnet connection is until its first
/// line.
async fn serve_websocket<S>(
    socket: async_tungstenite::WebSocketStream<S>,
    kind: PortKind,
    peer: SocketAddr,
    setup: &PortSetup,
    mut deadline: Option<Instant>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Some(Registered {
        conn,
        commands,
        queued,
        inflow,
    }) = register(setup, peer, kind, true)
    else {
        return;
    };
    let (mut sink, mut frames) = socket.split();
    let input = Input {
        conn,
        events: setup.events.clone(),
        inflow,
    };
    let idle = setup.guards.idle_timeout;
    runtime::spawn(async move {
        loop {
            input.inflow.room().await;
            let Some(Some(Ok(message))) = before(deadline, frames.next()).await else {
                break;
            };
            let Some(bytes) = ws::payload(message) else {
                continue;
            };
            deadline = idle.map(|t| Instant::now() + t);
            if !input.send(bytes) {
                return;
            }
        }
        input.closed();
    });
    while let Ok(command) = commands.recv().await {
        match command {
            Command::Write(bytes) => {
                let len = bytes.len();
                let sent = sink.send(ws::frame(kind, bytes)).await;
                crate::metrics::BYTES_OUT.add(len as u64);
                queued.fetch_sub(len, Ordering::Relaxed);
                if sent.is_err() {
                    break;
                }
            }
            // Websocket frames are not compressed by MCCP (never offered).
            Command::Compress => {}
            Command::Close => break,
        }
    }
    let _ = sink.close(None).await;
}

/// Where a connection's reader hands its input.
struct Input {
    conn: ConnId,
    events: mpsc::Sender<Event>,
    inflow: Arc<Inflow>,
}

impl Input {
    /// Hands `bytes` to the VM; false once the VM is gone.
    fn send(&self, bytes: Vec<u8>) -> bool {
        self.inflow.sent(bytes.len());
        let conn = self.conn;
        self.events.send(Event::Data { conn, bytes }).is_ok()
    }

    fn closed(&self) {
        let _ = self.events.send(Event::Closed { conn: self.conn });
    }
}

/// Moves a connection's bytes to the VM while it keeps up; until the first
/// end of line arrives, only until `deadline`; after it, only while input
/// comes at least every `idle` when that is given.
async fn read_loop<R: AsyncRead + Unpin>(
    mut stream: R,
    input: Input,
    mut deadline: Option<Instant>,
    idle: Option<Duration>,
) {
    let mut logged_in = false;
    let mut buf = vec![0u8; 4096];
    loop {
        input.inflow.room().await;
        let Some(read) = before(deadline, stream.read(&mut buf)).await else {
            break;
        };
        match read {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let bytes = buf.get(..n).unwrap_or_default().to_vec();
                logged_in = logged_in || bytes.iter().any(|&b| b == b'\n' || b == b'\r');
                if logged_in {
                    deadline = idle.map(|t| Instant::now() + t);
                }
                if !input.send(bytes) {
                    return;
                }
            }
        }
    }
    input.closed();
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut stream: W,
    commands: Receiver<Command>,
    queued: Arc<AtomicUsize>,
) {
    let mut compressor: Option<flate2::Compress> = None;
    while let Ok(command) = commands.recv().await {
        match command {
            Command::Write(bytes) => {
                let len = bytes.len();
                let data = match &mut compressor {
                    Some(c) => deflate(c, &bytes, flate2::FlushCompress::Sync),
                    None => bytes,
                };
                let written = stream.write_all(&data).await;
                crate::metrics::BYTES_OUT.add(data.len() as u64);
                queued.fetch_sub(len, Ordering::Relaxed);
                if written.is_err() {
                    break;
                }
            }
            Command::Compress => {
                compressor = Some(flate2::Compress::new(flate2::Compression::default(), true));
            }
            Command::Close => {
                if let Some(c) = &mut compressor {
                    let tail = deflate(c, &[], flate2::FlushCompress::Finish);
                    let _ = stream.write_all(&tail).await;
                }
                break;
            }
        }
    }
    let _ = stream.flush().await;
    let _ = stream.close().await;
}

/// Compresses `input` and flushes, so the client can show it at once.
fn deflate(c: &mut flate2::Compress, input: &[u8], flush: flate2::FlushCompress) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 64);
    let mut consumed = 0usize;
    loop {
        if out.capacity() - out.len() < 64 {
            out.reserve(4096);
        }
        let before = c.total_in();
        let status = c.compress_vec(input.get(consumed..).unwrap_or_default(), &mut out, flush);
        consumed += (c.total_in() - before) as usize;
        match status {
            Ok(flate2::Status::StreamEnd) | Err(_) => break,
            Ok(_) if consumed >= input.len() && out.len() < out.capacity() => break,
            Ok(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_read_from_the_config() {
        let (file, _) = ConfigFile::parse(
            "port number : 4000\nexternal_port_2 : websocket 4001\nexternal_port_2_tls : cert=a.pem key=b.pem\nexternal_port_3 : ascii 4002\nexternal_port_4 : bogus 1\n",
        );
        let (ports, problems) = ports_from_config(&file);
        let summary: Vec<(u16, PortKind, bool)> = ports
            .iter()
            .map(|p| (p.number, p.kind, p.tls.is_some()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (4000, PortKind::Telnet, false),
                (4001, PortKind::Websocket, true),
                (4002, PortKind::Ascii, false),
            ]
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn compressed_output_inflates_back() {
        let mut c = flate2::Compress::new(flate2::Compression::default(), true);
        let mut wire = deflate(
            &mut c,
            b"hello hello hello\r\n",
            flate2::FlushCompress::Sync,
        );
        wire.extend(deflate(&mut c, b"again\r\n", flate2::FlushCompress::Sync));
        let mut d = flate2::Decompress::new(true);
        let mut out = Vec::with_capacity(256);
        let _ = d.decompress_vec(&wire, &mut out, flate2::FlushDecompress::Sync);
        assert_eq!(out, b"hello hello hello\r\nagain\r\n".to_vec());
    }

    /// Every connection's task is allocated at its full size: a plain
    /// connection must not pay for the TLS and websocket states it does
    /// not use (they once made it 24 KiB).
    #[test]
    fn a_plain_connection_task_is_small() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
        let at = listener.local_addr().expect("address");
        let stream = TcpStream::from(std::net::TcpStream::connect(at).expect("connect"));
        let (events, _events) = mpsc::channel();
        let setup = Arc::new(PortSetup {
            port: at.port(),
            kind: PortKind::Telnet,
            tls: None,
            http_dir: None,
            events,
            ids: Default::default(),
            guards: Guards::default(),
            peers: Default::default(),
        });
        let slot = setup.peers.take(at.ip(), 0).expect("a slot");
        let task = open(stream, at, setup, slot);
        assert!(
            std::mem::size_of_val(&task) < 2048,
            "{} bytes",
            std::mem::size_of_val(&task)
        );
    }

    /// Many tasks waiting on one small window all get their turn as the
    /// VM hands room back: no wake-up is lost.
    #[test]
    fn every_waiter_gets_room_in_turn() {
        let flow = Inflow::with_window(2);
        let (credits_tx, credits) = mpsc::channel();
        let waiters = 50;
        for _ in 0..waiters {
            let (flow, credits_tx) = (flow.clone(), credits_tx.clone());
            runtime::spawn(async move {
                flow.room().await;
                let _ = credits_tx.send(flow.credit(1));
            });
        }
        // The VM takes a whole window's worth before it hands room back,
        // so one wake-up must reach two waiters.
        for _ in 0..waiters / 2 {
            let pair: Vec<Credit> = (0..2)
                .map(|_| {
                    credits
                        .recv_timeout(Duration::from_secs(10))
                        .expect("a waiter was never woken")
                })
                .collect();
            assert!(flow.pending.load(Ordering::Acquire) <= 4);
            drop(pair);
        }
        assert_eq!(flow.pending.load(Ordering::Acquire), 0);
    }
}
