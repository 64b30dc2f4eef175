//! The driver on the network: starts it on free loopback ports with the
//! test mudlib of `tests/net`, talks to it as a telnet client would, and
//! checks what comes back. Every wait is bounded.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

mod common;
use common::{copy_dir, free_port};

const IAC: u8 = 255;
const WILL: u8 = 251;
const WONT: u8 = 252;
const DO: u8 = 253;
const SB: u8 = 250;
const SE: u8 = 240;
const ECHO: u8 = 1;
const NAWS: u8 = 31;
const TTYPE: u8 = 24;
const GMCP: u8 = 201;
const MSSP: u8 = 70;
const MSDP: u8 = 69;
const MSP: u8 = 90;
const MXP: u8 = 91;
const ZMP: u8 = 93;
const DONT: u8 = 254;
const NOP: u8 = 241;

/// How long any one expected answer may take.
const PATIENCE: Duration = Duration::from_secs(10);

/// A driver running the network test mudlib; killed when dropped.
struct Driver {
    child: Option<Child>,
    port: u16,
    ascii_port: u16,
    ws_port: u16,
    tls_port: u16,
    mud_port: u16,
    /// The DER of the TLS port's self-signed certificate.
    cert: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl Driver {
    fn start(flags: &[&str]) -> Driver {
        Driver::start_with(flags, "")
    }

    /// A driver whose config has `extra` lines at its end.
    fn start_with(flags: &[&str], extra: &str) -> Driver {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/net");
        let dir = tempfile::tempdir().expect("temporary directory");
        copy_dir(&source, dir.path());
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
        std::fs::write(dir.path().join("cert.pem"), certified.cert.pem()).expect("write cert");
        std::fs::write(
            dir.path().join("key.pem"),
            certified.signing_key.serialize_pem(),
        )
        .expect("write key");
        let cert = certified.cert.der().to_vec();
        let [port, ascii_port, ws_port, tls_port, mud_port] = [(); 5].map(|()| free_port());
        let config = std::fs::read_to_string(dir.path().join("config.test"))
            .expect("config")
            .replace("PORT2", &ascii_port.to_string())
            .replace("PORT3", &ws_port.to_string())
            .replace("PORT4", &tls_port.to_string())
            .replace("PORT5", &mud_port.to_string())
            .replace("PORT", &port.to_string())
            + extra;
        std::fs::write(dir.path().join("config.test"), config).expect("write config");
        let child = common::spawn_driver(dir.path(), flags);
        Driver {
            child: Some(child),
            port,
            ascii_port,
            ws_port,
            tls_port,
            mud_port,
            cert,
            _dir: dir,
        }
    }

    /// A socket to `port`, retried while the driver boots.
    fn socket(&self, port: u16) -> TcpStream {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(Duration::from_millis(100)))
                        .expect("read timeout");
                    return stream;
                }
                Err(e) if Instant::now() > deadline => panic!("cannot connect: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    fn connect_to(&self, port: u16) -> Client {
        Client {
            stream: Box::new(self.socket(port)),
            raw: Vec::new(),
        }
    }

    /// A TLS client of the TLS telnet port, trusting its certificate.
    fn connect_tls(&self) -> Client {
        let conn = self.tls_session(&self.cert);
        let socket = self.socket(self.tls_port);
        Client {
            stream: Box::new(rustls::StreamOwned::new(conn, socket)),
            raw: Vec::new(),
        }
    }

    /// Whether a TLS handshake with the TLS port succeeds for a client
    /// trusting only the certificate `der`.
    fn tls_handshake_trusting(&self, der: &[u8]) -> Result<(), String> {
        let mut conn = self.tls_session(der);
        let mut socket = self.socket(self.tls_port);
        let deadline = Instant::now() + PATIENCE;
        while conn.is_handshaking() {
            assert!(Instant::now() < deadline, "TLS handshake timed out");
            match conn.complete_io(&mut socket) {
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(())
    }

    /// A client TLS session trusting only the certificate `der`.
    fn tls_session(&self, der: &[u8]) -> rustls::ClientConnection {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from(der.to_vec()))
            .expect("trust the test certificate");
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("server name");
        rustls::ClientConnection::new(std::sync::Arc::new(config), name).expect("TLS client")
    }

    fn connect(&self) -> Client {
        self.connect_to(self.port)
    }

    /// Stops the driver and returns what it printed.
    fn output(mut self) -> String {
        common::stop_and_collect(self.child.take())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        common::stop(&mut self.child);
    }
}

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

struct Client {
    stream: Box<dyn Stream>,
    /// Every byte received and not yet consumed by an expectation.
    raw: Vec<u8>,
}

/// The text of telnet bytes: commands and sub-negotiations left out.
fn text_of(raw: &[u8]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == IAC && i + 1 < raw.len() {
            match raw[i + 1] {
                IAC => {
                    out.push(IAC);
                    i += 2;
                }
                SB => {
                    let end = raw[i..]
                        .windows(2)
                        .position(|w| w == [IAC, SE])
                        .map_or(raw.len(), |p| i + p + 2);
                    i = end;
                }
                WILL | WONT | DO | 254 => i += 3,
                _ => i += 2,
            }
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Client {
    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    fn line(&mut self, text: &str) {
        self.send(format!("{text}\r\n").as_bytes());
    }

    /// Reads until `done` finds what it waits for in the bytes so far, and
    /// consumes them up to where it ends; returns the consumed bytes.
    fn read_until(&mut self, what: &str, done: impl Fn(&[u8]) -> Option<usize>) -> Vec<u8> {
        let deadline = Instant::now() + PATIENCE;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(end) = done(&self.raw) {
                let rest = self.raw.split_off(end);
                return std::mem::replace(&mut self.raw, rest);
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; got {:?}",
                text_of(&self.raw)
            );
            match self.stream.read(&mut buf) {
                Ok(0) => panic!(
                    "connection closed waiting for {what}; got {:?}",
                    text_of(&self.raw)
                ),
                Ok(n) => self.raw.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("read error waiting for {what}: {e}"),
            }
        }
    }

    /// Reads until the text contains `needle`; returns the text up to and
    /// including it.
    fn expect(&mut self, needle: &str) -> String {
        let raw = self.read_until(needle, |raw| {
            if !text_of(raw).contains(needle) {
                return None;
            }
            // The shortest prefix whose text holds the needle.
            let (mut lo, mut hi) = (0, raw.len());
            while lo < hi {
                let mid = (lo + hi) / 2;
                if text_of(&raw[..mid]).contains(needle) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            Some(lo)
        });
        text_of(&raw)
    }

    fn expect_bytes(&mut self, needle: &[u8]) -> Vec<u8> {
        self.read_until(&format!("{needle:?}"), |raw| {
            raw.windows(needle.len())
                .position(|w| w == needle)
                .map(|p| p + needle.len())
        })
    }

    /// Waits for the server to close the connection.
    fn expect_closed(&mut self) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut buf = [0u8; 4096];
        loop {
            assert!(Instant::now() < deadline, "connection stayed open");
            match self.stream.read(&mut buf) {
                Ok(0) => return text_of(&std::mem::take(&mut self.raw)),
                Ok(n) => self.raw.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return text_of(&std::mem::take(&mut self.raw)),
            }
        }
    }

    fn login(&mut self, name: &str) {
        self.expect("What is your name?");
        self.line(name);
        self.expect(&format!("Hello {name}."));
        self.expect("> ");
    }
}

#[test]
fn logon_input_to_and_commands() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    let greeting = c.expect("What is your name?");
    assert!(
        greeting.contains(&format!("Welcome on port {}.", driver.port)),
        "{greeting}"
    );
    c.line("bob");
    c.expect("Hello bob.");
    // After each command the default prompt.
    c.expect("> ");
    c.line("echo hi there");
    let text = c.expect("> ");
    assert!(text.contains("ECHO: hi there\r\n"), "{text:?}");
    c.line("xyzzy");
    c.expect("What?\r\n");
    c.line("fail");
    c.expect("No way.\r\n");
    // Flag 2: a prefix verb needs no space; the verb is what follows it.
    c.line("'hello");
    c.expect("SAY[hello]: hello");
    // Flag 1: the typed word starts with the verb and is the verb.
    c.line("shout loud");
    c.expect("SAY[shout]: loud");
    c.line("users");
    c.expect("USERS 1 interactive");
    c.line("lambda x");
    c.expect("LAMBDA x");
    c.line("cmd again");
    let text = c.expect("COMMAND ");
    assert!(text.contains("ECHO: again"), "{text:?}");
    c.expect("\r\n");
    // A call_out keeps this_player().
    c.line("tick");
    c.expect("ticking");
    c.expect("TOCK 7 me");
    // Backspace edits the line before the driver sees it.
    c.send(b"echo abx\x08c\r\n");
    c.expect("ECHO: abc");
    c.line("quit");
    let rest = c.expect_closed();
    assert!(rest.contains("Bye."), "{rest:?}");
}

#[test]
fn input_to_without_echo_switches_echo() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    c.login("ann");
    c.line("secret");
    c.expect_bytes(&[IAC, WILL, ECHO]);
    c.line("pw");
    c.expect_bytes(&[IAC, WONT, ECHO]);
    c.expect("SECRET 2 extra");
}

#[test]
fn get_char_delivers_one_character() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    c.login("kim");
    c.line("key");
    c.send(b"z");
    c.expect("KEY[z]");
    // Back in line mode afterwards.
    c.line("echo line");
    c.expect("ECHO: line");
}

#[test]
fn telnet_options_reach_the_user_object() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    // The server asks for the terminal type and the window size.
    c.expect_bytes(&[IAC, DO, TTYPE]);
    c.expect("What is your name?");
    c.send(&[IAC, WILL, TTYPE]);
    c.expect_bytes(&[IAC, SB, TTYPE, 1, IAC, SE]);
    let mut answer = vec![IAC, SB, TTYPE, 0];
    answer.extend(b"xterm-256color");
    answer.extend([IAC, SE, IAC, SB, NAWS, 0, 120, 0, 40, IAC, SE]);
    c.send(&answer);
    c.line("sam");
    c.expect("Hello sam.");
    c.line("size");
    c.expect("SIZE 120x40 xterm-256color");
    // GMCP both ways.
    c.send(&[IAC, DO, GMCP]);
    let mut message = vec![IAC, SB, GMCP];
    message.extend(b"Core.Ping");
    message.extend([IAC, SE]);
    c.send(&message);
    let mut reply = vec![IAC, SB, GMCP];
    reply.extend(b"Echo Core.Ping 1");
    reply.extend([IAC, SE]);
    c.expect_bytes(&reply);
    // MSSP from the master's get_mud_stats().
    c.send(&[IAC, DO, MSSP]);
    let raw = c.expect_bytes(&[IAC, SE]);
    let table = String::from_utf8_lossy(&raw).into_owned();
    assert!(table.contains("\u{1}NAME\u{2}NetTests"), "{table:?}");
    assert!(table.contains("\u{1}CODEBASE\u{2}one\u{2}two"), "{table:?}");
}

#[test]
fn messages_between_users_and_net_dead() {
    let driver = Driver::start(&[]);
    let mut a = driver.connect();
    a.login("alice");
    let mut b = driver.connect();
    b.login("bert");
    b.line("who");
    b.expect("USERS 2");
    a.line("tell good day");
    b.expect("alice tells you: good day");
    drop(b);
    // Once the driver has seen the close, only one user is left.
    let deadline = Instant::now() + PATIENCE;
    loop {
        a.line("who");
        if a.expect("> ").contains("USERS 1") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed connection stayed a user"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = driver.output();
    assert!(output.contains("NETDEAD bert"), "{output}");
}

#[test]
fn ascii_ports_take_plain_lines() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect_to(driver.ascii_port);
    let greeting = c.expect("What is your name?");
    assert!(
        greeting.contains(&format!("port {}", driver.ascii_port)),
        "{greeting}"
    );
    c.send(b"zed\n");
    c.expect("Hello zed.");
    c.send(b"echo plain\n");
    c.expect("ECHO: plain");
}

#[test]
fn find_player_and_send_nullbyte_need_a_connection() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    c.expect("What is your name?");
    c.line("fay");
    c.expect("Hello fay.");
    c.expect("> ");
    c.line("findme fay");
    let raw = c.expect_bytes(b"NUL 1");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("PLAYER me LIVING me\r\n\0NUL 1"), "{text:?}");
}

#[test]
fn a_client_that_never_reads_blocks_nobody() {
    let driver = Driver::start(&[]);
    let mut quiet = driver.connect();
    quiet.login("slow");
    let mut busy = driver.connect();
    busy.login("fast");
    // Flood the silent client with more than its output limit.
    let line = "x".repeat(1000);
    for _ in 0..3000 {
        busy.line(&format!("tell {line}"));
    }
    busy.line("echo still here");
    busy.expect("ECHO: still here");
}

/// Runs a flag whose test ends the driver; returns its output.
fn run_until_shutdown(flag: &str) -> String {
    let mut driver = Driver::start(&[flag]);
    let deadline = Instant::now() + PATIENCE;
    while let Some(child) = driver.child.as_mut() {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        assert!(Instant::now() < deadline, "the driver did not shut down");
        std::thread::sleep(Duration::from_millis(50));
    }
    driver.output()
}

#[test]
fn sockets_talk_stream_and_datagram() {
    let output = run_until_shutdown("sockets");
    assert!(output.contains("PASS sockets"), "{output}");
}

#[test]
fn call_outs_and_heart_beats_run_over_time() {
    let mut driver = Driver::start(&["timers"]);
    // timers.c ends the driver with shutdown() once its checks ran.
    let deadline = Instant::now() + PATIENCE;
    while let Some(child) = driver.child.as_mut() {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        assert!(Instant::now() < deadline, "the driver did not shut down");
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = driver.output();
    assert!(output.contains("PASS timers"), "{output}");
}

#[test]
fn tls_ports_speak_telnet_inside_tls() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect_tls();
    c.login("tess");
    c.line("echo secure");
    c.expect("ECHO: secure");
}

/// Writes a fresh self-signed certificate and key where the config points
/// the TLS port; returns the certificate's DER.
fn write_new_certificate(dir: &Path) -> Vec<u8> {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    std::fs::write(dir.join("cert.pem"), certified.cert.pem()).expect("write cert");
    std::fs::write(dir.join("key.pem"), certified.signing_key.serialize_pem()).expect("write key");
    certified.cert.der().to_vec()
}

#[test]
fn sys_reload_tls_serves_new_connections_with_the_new_certificate() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect_tls();
    c.login("rena");
    let old = driver.cert.clone();
    let new = write_new_certificate(driver._dir.path());
    // Until the reload, new connections still get the old certificate.
    assert!(driver.tls_handshake_trusting(&old).is_ok());
    c.line("reload 4");
    c.expect("RELOADED");
    // The open connection goes on with its own session.
    c.line("echo still here");
    c.expect("ECHO: still here");
    assert!(driver.tls_handshake_trusting(&new).is_ok());
    assert!(driver.tls_handshake_trusting(&old).is_err());

    // Unusable files are an error and the port keeps what it had.
    std::fs::write(driver._dir.path().join("cert.pem"), "not a certificate").expect("write");
    c.line("reload 4");
    c.expect("RELOAD FAILED *Failed to reload TLS context for port");
    assert!(driver.tls_handshake_trusting(&new).is_ok());
    std::fs::remove_file(driver._dir.path().join("key.pem")).expect("remove key");
    c.line("reload 4");
    c.expect("RELOAD FAILED *Failed to reload TLS context for port");

    c.line("reload 2");
    c.expect("RELOAD FAILED *Port 2 is not TLS enabled");
    c.line("reload 3");
    c.expect(&format!(
        "RELOAD FAILED *Reloading websocket TLS config is not supported for port {}.",
        driver.ws_port
    ));
    c.line("reload 9");
    c.expect("RELOAD FAILED *Invalid port index: 9");
    c.line("reload 0");
    c.expect("RELOAD FAILED *Invalid port index: 0");
    let reloaded = format!("Reloading TLS config for port {}.", driver.tls_port);
    let output = driver.output();
    assert!(output.contains(&reloaded), "{output}");
}

/// Reads websocket messages until their text contains `needle`.
fn ws_expect(socket: &mut tungstenite::WebSocket<TcpStream>, seen: &mut String, needle: &str) {
    let deadline = Instant::now() + PATIENCE;
    while !seen.contains(needle) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {needle}; got {seen:?}"
        );
        match socket.read() {
            Ok(tungstenite::Message::Text(t)) => seen.push_str(t.as_str()),
            Ok(tungstenite::Message::Binary(b)) => seen.push_str(&text_of(&b)),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("websocket error waiting for {needle}: {e}; got {seen:?}"),
        }
    }
    seen.clear();
}

fn ws_client(driver: &Driver, subprotocol: &str) -> tungstenite::WebSocket<TcpStream> {
    let socket = driver.socket(driver.ws_port);
    let uri: tungstenite::http::Uri = format!("ws://127.0.0.1:{}/", driver.ws_port)
        .parse()
        .expect("uri");
    let request = tungstenite::ClientRequestBuilder::new(uri).with_sub_protocol(subprotocol);
    let (ws, response) = tungstenite::client(request, socket).expect("websocket handshake");
    let chosen = response
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok());
    assert_eq!(chosen, Some(subprotocol));
    ws
}

#[test]
fn websocket_ports_take_telnet_and_ascii_subprotocols() {
    let driver = Driver::start(&[]);
    let mut seen = String::new();
    let mut ws = ws_client(&driver, "ascii");
    ws_expect(&mut ws, &mut seen, "What is your name?");
    ws.send(tungstenite::Message::text("wendy\n"))
        .expect("send");
    ws_expect(&mut ws, &mut seen, "Hello wendy.");
    ws.send(tungstenite::Message::text("echo over ws\n"))
        .expect("send");
    ws_expect(&mut ws, &mut seen, "ECHO: over ws");

    let mut ws = ws_client(&driver, "telnet");
    ws_expect(&mut ws, &mut seen, "What is your name?");
    ws.send(tungstenite::Message::binary(b"tom\r\n".to_vec()))
        .expect("send");
    ws_expect(&mut ws, &mut seen, "Hello tom.");
    ws.send(tungstenite::Message::binary(b"users\r\n".to_vec()))
        .expect("send");
    ws_expect(&mut ws, &mut seen, "USERS 2");
}

#[test]
fn websocket_ports_serve_the_http_directory() {
    let driver = Driver::start(&[]);
    let get = |path: &str| {
        let mut socket = driver.socket(driver.ws_port);
        socket
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .expect("send request");
        let mut response = Vec::new();
        let deadline = Instant::now() + PATIENCE;
        let mut buf = [0u8; 4096];
        loop {
            assert!(Instant::now() < deadline, "no end of response");
            match socket.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => response.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
        String::from_utf8_lossy(&response).into_owned()
    };
    let page = get("/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("text/html"), "{page}");
    assert!(
        page.contains("The page of the network test mudlib."),
        "{page}"
    );
    let missing = get("/nothing.js");
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    let escape = get("/../config.test");
    assert!(escape.starts_with("HTTP/1.1 404"), "{escape}");
}

#[test]
fn mccp_compresses_output_once_the_client_agrees() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    c.login("max");
    c.send(&[IAC, DO, 86]);
    c.expect_bytes(&[IAC, SB, 86, IAC, SE]);
    c.line("echo squeezed squeezed squeezed");
    // Everything after the marker is one zlib stream.
    let deadline = Instant::now() + PATIENCE;
    let mut inflater = flate2::Decompress::new(true);
    let mut plain = Vec::with_capacity(1 << 16);
    let mut buf = [0u8; 4096];
    let mut wire = std::mem::take(&mut c.raw);
    loop {
        let before = inflater.total_in() as usize;
        let _ = inflater.decompress_vec(&wire, &mut plain, flate2::FlushDecompress::Sync);
        wire.drain(..inflater.total_in() as usize - before);
        if text_of(&plain).contains("ECHO: squeezed squeezed squeezed") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no compressed echo; got {:?}",
            text_of(&plain)
        );
        match c.stream.read(&mut buf) {
            Ok(0) => panic!("closed"),
            Ok(n) => wire.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
}

#[test]
fn resolve_answers_on_the_vm_thread() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    c.login("rita");
    c.line("resolve localhost");
    let key = c.expect("\r\n");
    let key = key.trim().trim_start_matches("KEY ").to_string();
    assert!(key.parse::<i64>().is_ok_and(|k| k > 0), "{key:?}");
    c.expect(&format!("RESOLVED localhost 127.0.0.1 {key}"));
}

#[test]
fn exec_moves_the_connection_and_snoop_copies_output() {
    let driver = Driver::start(&[]);
    let mut watcher = driver.connect();
    watcher.login("wanda");
    let mut c = driver.connect();
    c.login("ed");
    watcher.line("snoop ed");
    watcher.expect("SNOOP on");
    watcher.line("snoops");
    watcher.expect("SNOOPS watching=ed watched_by=none");
    c.line("snoops");
    c.expect("SNOOPS watching=none watched_by=wanda");
    c.line("echo seen");
    c.expect("ECHO: seen");
    watcher.expect("%ECHO: seen");
    c.line("body");
    c.expect("BODY interactive gone");
    // The new body takes every line through process_input().
    c.line("anything at all");
    c.expect("BODY HEARD anything at all");
}

#[test]
fn connection_queries_input_state_and_raw_output() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    c.login("nina");
    c.line("netinfo");
    let info = c.expect("\r\n");
    assert!(info.contains("NETINFO ip=127.0.0.1 name="), "{info:?}");
    // The name is the address until a reverse lookup answers.
    assert!(
        info.contains("name=127.0.0.1 ") || info.contains("name=localhost "),
        "{info:?}"
    );
    assert!(
        info.contains(&format!(" port={} idle=0 input=0", driver.port)),
        "{info:?}"
    );
    c.line("pending");
    c.expect("PENDING input=1");
    c.line("answer");
    c.expect("GOT answer input=0");
    c.line("pending cancel");
    c.expect("CANCEL 1 1 -1 0");
    c.line("raw stuff");
    c.expect("RAW stuff\r\n");
    c.expect("BYTES\n");
    c.line("encoding GBK");
    let answer = c.expect_bytes(b"\r\n");
    // U+4E2D in GBK.
    assert!(answer.windows(2).any(|w| w == [0xD6, 0xD0]), "{answer:?}");
    let text = String::from_utf8_lossy(&answer);
    // Encodings are reported by ICU's names for its converters.
    assert!(
        text.contains("ENCODING windows-936-2000 windows-936-2000"),
        "{text:?}"
    );
    c.line("encoding nosuch");
    c.expect("ENCODING REFUSED windows-936-2000");
    c.line("encoding reset");
    c.expect("ENCODING utf-8 utf-8 \u{4e2d}");
    // ICU's aliases are matched as ICU matches them; a spelling of UTF-8
    // needs no converter.
    c.line("encoding Latin-1");
    c.expect("ENCODING ISO-8859-1 ISO-8859-1");
    c.line("encoding cp_1251");
    c.expect("ENCODING ibm-5347_P100-1998 ibm-5347_P100-1998");
    c.line("encoding UTF8");
    c.expect("ENCODING utf-8 utf-8 \u{4e2d}");
    c.line("term type");
    c.expect_bytes(&[IAC, SB, TTYPE, 1, IAC, SE]);
    c.expect("TERM type");
    c.line("term restart");
    c.expect_bytes(&[IAC, DO, TTYPE]);
    c.line("term nosize");
    c.expect_bytes(&[IAC, DONT, NAWS]);
    c.line("term size");
    c.expect_bytes(&[IAC, DO, NAWS]);
    c.expect("TERM size");
    c.line("drop");
    let rest = c.expect_closed();
    assert!(rest.contains("DROPPING"), "{rest:?}");
    // The close can reach us before the command has finished: a second
    // login is served only after it, so its log line is out by then.
    driver.connect().login("probe");
    let output = driver.output();
    assert!(output.contains("DROPPED 1 0 0"), "{output}");
}

#[test]
fn mud_client_protocols_are_negotiated_both_ways() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    // Enabled in the config: MXP is asked for, the others offered.
    for offer in [
        [IAC, DO, MXP],
        [IAC, WILL, MSDP],
        [IAC, WILL, ZMP],
        [IAC, WILL, MSP],
    ] {
        c.expect_bytes(&offer);
    }
    c.login("pat");
    c.line("protocols");
    c.expect("PROTOCOLS mxp=0 msdp=0 zmp=0 msp=0 charmode=0");
    c.send(&[IAC, WILL, MXP, IAC, DO, MSDP, IAC, DO, ZMP, IAC, DO, MSP]);
    c.line("protocols");
    c.expect("PROTOCOLS mxp=1 msdp=1 zmp=1 msp=1 charmode=0");
    c.line("send msdp");
    c.expect_bytes(&[IAC, SB, MSDP, 1, b'H', b'P', 2, b'4', b'2', IAC, SE]);
    c.line("send msdp float");
    c.expect_bytes(&[&[IAC, SB, MSDP, 1][..], b"RATE\x021.500000", &[IAC, SE]].concat());
    c.line("send zmp");
    c.expect_bytes(&[&[IAC, SB, ZMP][..], b"zmp.ping\0a\0b\0", &[IAC, SE]].concat());
    c.line("send oob");
    c.expect_bytes(&[&[IAC, SB, MSP][..], b"!!SOUND(cow.wav)", &[IAC, SE]].concat());
    c.line("send nop");
    c.expect_bytes(&[IAC, NOP]);
    c.line("send mxp");
    c.expect_bytes(&[IAC, SB, MXP, IAC, SE]);
    // From the client: MSDP and ZMP reach their applies, an MXP line `mxp_tag`.
    c.send(&[&[IAC, SB, MSDP, 1][..], b"REPORT\x02HP", &[IAC, SE]].concat());
    c.expect("MSDP[<v>REPORT<=>HP]");
    c.send(&[&[IAC, SB, ZMP][..], b"zmp.ident\0mud\0x\0", &[IAC, SE]].concat());
    c.expect("ZMP zmp.ident(mud,x)");
    c.line("\x1b[1z<VERSION MXP=1.0>");
    c.expect("MXPTAG [1z<VERSION MXP=1.0>");
    // Refusing MSP is confirmed, and switches it off.
    c.send(&[IAC, DONT, MSP]);
    c.expect_bytes(&[IAC, WONT, MSP]);
    c.line("protocols");
    c.expect("PROTOCOLS mxp=1 msdp=1 zmp=1 msp=0");
    let output = driver.output();
    for applied in ["MXP ON pat", "MSDP ON", "MSP ON"] {
        assert!(output.contains(applied), "{applied} missing from {output}");
    }
}

#[test]
fn ports_and_traffic_are_reported() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect();
    c.login("ona");
    c.line("ports");
    c.expect(&format!(
        "PORTS 1:telnet:{}:0 2:ascii:{}:0 3:websocket:{}:0 4:telnet:{}:1 5:mud:{}:0",
        driver.port, driver.ascii_port, driver.ws_port, driver.tls_port, driver.mud_port
    ));
    c.line("stats");
    c.expect("STATS");
    let stats = c.expect("\r\n");
    let numbers: Vec<u64> = stats
        .split(|ch: char| !ch.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    // in, out and in on this port: every one counted something.
    assert_eq!(numbers.len(), 3, "{stats}");
    assert!(numbers.iter().all(|&n| n > 0), "{stats}");
    // Only this connection read anything, so its port saw all the input.
    assert_eq!(numbers[0], numbers[2], "{stats}");
}

/// A MUD mode packet: the value's save text, NUL-terminated, after its
/// big-endian length.
fn mud_packet(text: &str) -> Vec<u8> {
    let mut out = ((text.len() + 1) as u32).to_be_bytes().to_vec();
    out.extend(text.as_bytes());
    out.push(0);
    out
}

#[test]
fn mud_ports_take_whole_values() {
    let driver = Driver::start(&[]);
    let mut c = driver.connect_to(driver.mud_port);
    c.expect("MUD READY");
    let mut two = mud_packet("({1,\"a b\",([\"k\":2,]),})");
    two.extend(mud_packet("3.500000"));
    c.send(&two);
    let got = c.expect("3.5");
    assert!(got.contains("GOT ({"), "{got}");
    assert!(got.contains("\"a b\""), "{got}");
    // A packet split over writes is put together again.
    let packet = mud_packet("\"split\"");
    c.send(&packet[..3]);
    std::thread::sleep(Duration::from_millis(50));
    c.send(&packet[3..]);
    c.expect("GOT \"split\"");
    // A length of zero can never be right: the connection ends.
    c.send(&[0, 0, 0, 0]);
    c.expect_closed();
    std::thread::sleep(Duration::from_millis(300));
    let output = driver.output();
    assert!(output.contains("MUD NETDEAD"), "{output}");
}

#[test]
fn maximum_users_turns_the_rest_away() {
    let driver = Driver::start_with(&[], "maximum users : 2\n");
    let mut a = driver.connect();
    a.expect("What is your name?");
    let mut b = driver.connect();
    b.expect("What is your name?");
    let mut c = driver.connect();
    let refused = c.expect_closed();
    assert!(refused.contains("full"), "{refused}");
    drop(a);
    // Once the driver has seen the close, there is room again.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut d = driver.connect();
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        let welcome = loop {
            match d.stream.read(&mut buf) {
                Ok(0) => break false,
                Ok(n) => {
                    seen.extend_from_slice(&buf[..n]);
                    if text_of(&seen).contains("What is your name?") {
                        break true;
                    }
                }
                Err(_) if Instant::now() > deadline => break false,
                Err(_) => {}
            }
        };
        if welcome {
            break;
        }
        assert!(Instant::now() < deadline, "no room after a user left");
        std::thread::sleep(Duration::from_millis(50));
    }
    b.line("bea");
    b.expect("Hello bea.");
}

#[test]
fn tls_sockets_serve_and_check_certificates() {
    let output = run_until_shutdown("tls_sockets");
    assert!(output.contains("PASS tls_sockets"), "{output}");
}

#[test]
fn mud_sockets_carry_values() {
    let output = run_until_shutdown("mud_sockets");
    assert!(output.contains("PASS mud_sockets"), "{output}");
}
