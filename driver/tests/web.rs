//! The web efuns against real peers on loopback: the driver runs the test
//! mudlib of `tests/web`, whose master turns each `-fNAME=ARG` flag into a
//! call of `/web`'s NAME(ARG). Its HTTP server is spoken to with a plain
//! HTTP/1.1 client; its HTTP and websocket clients talk to small servers
//! started here, and log what they get to `log.txt`. Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
mod web_driver;
use common::free_port;
use web_driver::{Driver, PATIENCE, line_of};

/// One HTTP/1.1 response.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A keep-alive HTTP/1.1 client connection.
struct Http {
    reader: BufReader<TcpStream>,
}

impl Http {
    fn connect(port: u16) -> Http {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(PATIENCE))
                        .expect("read timeout");
                    return Http {
                        reader: BufReader::new(stream),
                    };
                }
                Err(e) if Instant::now() > deadline => panic!("cannot connect: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    fn send(&mut self, request: &str) -> Response {
        self.reader
            .get_mut()
            .write_all(request.as_bytes())
            .expect("send");
        read_response(&mut self.reader)
    }

    fn get(&mut self, path: &str) -> Response {
        self.send(&format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n"))
    }
}

fn read_response(reader: &mut impl BufRead) -> Response {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("header");
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().expect("length"));
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).expect("body");
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

#[test]
fn http_serve_answers_through_lpc() {
    let port = free_port();
    let refused = free_port();
    let mut driver = Driver::start(&[format!("serve={port}"), format!("refuse={refused}")], &[]);
    driver.expect_log(&[
        "serve 1",
        "serve bad limit *http_serve(): option 'connections_per_address' must be an int",
        "refused 0",
    ]);
    let mut idle = Http::connect(port);
    let idle_since = Instant::now();
    let mut http = Http::connect(port);
    let hello = http.get("/hello?x=1");
    assert_eq!(hello.status, 200, "{hello:?}");
    assert_eq!(hello.body, "hello GET x=1");
    assert_eq!(hello.header("x-test"), Some("yes"));
    // The same connection again: keep-alive.
    let echo = http
        .send("POST /echo HTTP/1.1\r\nHost: test\r\nX-Name: bob\r\nContent-Length: 3\r\n\r\nabc");
    assert_eq!(echo.status, 201, "{echo:?}");
    assert_eq!(echo.body, "abc|bob|127.0.0.1");
    let later = http.get("/later");
    assert_eq!((later.status, later.body.as_str()), (202, "later"));
    let missing = http.get("/nothing");
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (404, "no page /nothing")
    );
    // Only the handler's object may answer a request.
    let kept = http.get("/stolen");
    assert_eq!((kept.status, kept.body.as_str()), (200, "kept"));
    let log = driver.expect_log(&["serve 1"]);
    assert_refused_named(
        &log,
        "respond stolen ",
        &["http_respond"],
        "request",
        "/web",
        "/other",
    );
    let failed = http.get("/error");
    assert_eq!(failed.status, 500);
    let bad = http.get("/bad");
    assert_eq!(bad.status, 500);
    let started = Instant::now();
    let never = http.get("/never");
    assert_eq!(never.status, 504);
    assert!(started.elapsed() >= Duration::from_millis(900));
    let page = http.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(page.body, "<p>static page</p>\n");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let climb = http.get("/../config.test");
    assert_ne!(
        climb.body,
        std::fs::read_to_string(driver.dir.path().join("config.test")).unwrap_or_default()
    );
    let big = http.send(&format!(
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n{}",
        "x".repeat(100)
    ));
    assert_eq!(big.status, 413);
    let mut huge = Http::connect(port);
    let long = huge.send(&format!(
        "GET /hello HTTP/1.1\r\nHost: test\r\nX-Long: {}\r\n\r\n",
        "y".repeat(40_000)
    ));
    assert_eq!(long.status, 431);
    driver.expect_log(&["respond 1 0"]);
    // Nothing listens on the refused port.
    assert!(TcpStream::connect(("127.0.0.1", refused)).is_err());
    // A connection that sends nothing is closed after the header timeout.
    let mut byte = [0u8; 1];
    let read = idle.reader.read(&mut byte);
    assert!(matches!(read, Ok(0)), "{read:?}");
    let waited = idle_since.elapsed();
    assert!(
        waited >= Duration::from_millis(1900) && waited < PATIENCE,
        "{waited:?}"
    );
}

/// Asserts that the log line starting with `prefix` lists, split by "|",
/// the error of each of `efuns` refusing `user` a handle of `owner`.
fn assert_refused(log: &str, prefix: &str, efuns: &[&str], owner: &str, user: &str) {
    assert_refused_named(log, prefix, efuns, "handle", owner, user);
}

/// [`assert_refused`] where LPC calls the handle `noun`.
fn assert_refused_named(
    log: &str,
    prefix: &str,
    efuns: &[&str],
    noun: &str,
    owner: &str,
    user: &str,
) {
    let line = line_of(log, prefix);
    let errors: Vec<&str> = line
        .strip_prefix(prefix)
        .unwrap_or_default()
        .split('|')
        .collect();
    assert_eq!(errors.len(), efuns.len(), "{log}");
    for (error, efun) in errors.iter().zip(efuns) {
        assert!(
            error.starts_with(&format!("*{efun}(): {noun} "))
                && error.ends_with(&format!(" belongs to {owner}, not to {user}")),
            "{efun}: {log}"
        );
    }
}

/// A request belongs to the object of the handler function it reached,
/// not to the object that started the server.
#[test]
fn http_request_belongs_to_its_handler_functions_object() {
    let port = free_port();
    let mut driver = Driver::start(&[format!("serve_other={port}")], &[]);
    driver.expect_log(&["serve other 1"]);
    let answer = Http::connect(port).get("/x");
    assert_eq!((answer.status, answer.body.as_str()), (200, "from other"));
    let log = driver.log();
    assert_refused_named(
        &log,
        "other takes ",
        &["http_respond"],
        "request",
        "/other",
        "/web",
    );
}

/// An HTTPS server: a connection over the address's limit (one here) is
/// answered 503 after the handshake, then closed; the one let in goes on.
#[test]
fn http_serve_speaks_tls() {
    let port = free_port();
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let cert = certified.cert.pem();
    let key = certified.signing_key.serialize_pem();
    let config = web_config("connections per address : 1\n");
    let mut driver = Driver::start(
        &[format!("serve_tls={port}")],
        &[
            ("cert.pem", cert.as_bytes()),
            ("key.pem", key.as_bytes()),
            ("config.test", config.as_bytes()),
        ],
    );
    driver.expect_log(&["serve tls 1"]);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(certified.cert.der().clone())
        .expect("trust the test certificate");
    let config = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    let ask = |tls: &mut BufReader<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>| {
        tls.get_mut()
            .write_all(b"GET /hello?tls=1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .expect("send");
        read_response(tls)
    };
    let connect = || {
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("server name");
        let conn = rustls::ClientConnection::new(config.clone(), name).expect("TLS client");
        let socket = Http::connect(port).reader.into_inner();
        BufReader::new(rustls::StreamOwned::new(conn, socket))
    };
    let mut tls = connect();
    let response = ask(&mut tls);
    assert_eq!(
        (response.status, response.body.as_str()),
        (200, "hello GET tls=1")
    );
    let mut refused = connect();
    let response = ask(&mut refused);
    assert_eq!(response.status, 503, "{response:?}");
    assert_eq!(response.header("retry-after"), Some("1"), "{response:?}");
    assert_eq!(response.header("connection"), Some("close"), "{response:?}");
    assert!(
        response.body.contains("Too many connections"),
        "{response:?}"
    );
    let mut rest = Vec::new();
    // The end comes as TLS's close_notify or as the socket's close.
    let _ = refused.read_to_end(&mut rest);
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(ask(&mut tls).status, 200);
}

/// Answers one request of the LPC client; every answer closes.
fn answer(stream: &mut (impl Read + Write)) {
    let mut reader = BufReader::new(&mut *stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    drop(reader);
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let asked = head.to_ascii_lowercase().contains("x-ask: me");
    let (status, extra, body) = match target.as_str() {
        "/plain" if asked => (200, "", "pong asked".to_string()),
        "/plain" => (200, "", "pong".to_string()),
        "/post" => (200, "", String::from_utf8_lossy(&body).into_owned()),
        "/redirect" => (302, "Location: /plain\r\n", String::new()),
        "/big" => (200, "", "a".repeat(2000)),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            (200, "", "late".to_string())
        }
        _ => (404, "", String::new()),
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\nX-Peer: rust\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

/// A plain HTTP server on a free port, for as long as the test runs.
fn http_peer() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(&mut stream));
        }
    });
    port
}

/// TLS server settings with a fresh self-signed certificate for
/// "localhost", and the certificate's PEM.
fn tls_server() -> (Arc<rustls::ServerConfig>, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let pem = certified.cert.pem();
    let chain = vec![certified.cert.der().clone()];
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    (Arc::new(config), pem)
}

/// An HTTPS server; gives its port and the certificate's PEM.
fn https_peer() -> (u16, String) {
    let (config, pem) = tls_server();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(PATIENCE));
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, stream);
                answer(&mut tls);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (port, pem)
}

/// The numbers of a Prometheus page by sample name (labels included).
fn metrics(http: &mut Http) -> std::collections::HashMap<String, f64> {
    let page = http.get("/metrics");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{page:?}"
    );
    page.body
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// The test mudlib's config with `extra` lines added.
fn web_config(extra: &str) -> String {
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/web/config.test"),
    )
    .expect("config");
    base + extra
}

#[test]
fn metrics_page_counts_what_the_driver_does() {
    let port = free_port();
    let telnet = free_port();
    let config = web_config(&format!(
        "metrics path : /metrics\nexternal_port_1 : telnet {telnet}\n"
    ));
    let mut driver = Driver::start(
        &[format!("serve={port}")],
        &[("config.test", config.as_bytes())],
    );
    driver.expect_log(&["serve 1"]);
    let mut http = Http::connect(port);
    let before = metrics(&mut http);
    let value = |m: &std::collections::HashMap<String, f64>, name: &str| {
        *m.get(name).unwrap_or_else(|| panic!("no {name} in {m:?}"))
    };
    assert!(value(&before, "lpc_resident_memory_bytes") > 0.0);
    assert!(
        value(&before, "lpc_objects_loaded_total") >= 2.0,
        "{before:?}"
    );
    // Two scrapes in a row: a scrape is not a request the page counts.
    let again = metrics(&mut http);
    assert_eq!(
        value(&again, "lpc_http_requests_total"),
        value(&before, "lpc_http_requests_total")
    );
    for _ in 0..3 {
        assert_eq!(http.get("/hello").status, 200);
    }
    assert_eq!(http.get("/clone").body, "cloned");
    let mut user = TcpStream::connect(("127.0.0.1", telnet)).expect("telnet port");
    user.set_read_timeout(Some(PATIENCE)).expect("timeout");
    let mut reader = BufReader::new(user.try_clone().expect("clone"));
    // Lines as bytes: telnet negotiation comes before the greeting.
    let mut wait_for = |text: &str| {
        let mut line = Vec::new();
        while !String::from_utf8_lossy(&line).contains(text) {
            line.clear();
            assert!(reader.read_until(b'\n', &mut line).expect("line") > 0);
        }
    };
    wait_for("welcome");
    user.write_all(b"look\r\n").expect("send");
    wait_for("echo look");
    // The gauges are sampled by the VM: each request wakes it.
    let deadline = Instant::now() + PATIENCE;
    let after = loop {
        let after = metrics(&mut http);
        if value(&after, "lpc_connections_open{kind=\"telnet\"}") == 1.0 {
            break after;
        }
        assert!(Instant::now() < deadline, "{after:?}");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(http.get("/hello").status, 200);
    };
    let grew = |name: &str| value(&after, name) - value(&before, name);
    assert!(grew("lpc_http_requests_total") >= 4.0, "{after:?}");
    // One for /clone, one for the telnet user master connect() made.
    assert_eq!(grew("lpc_clones_total"), 2.0, "{after:?}");
    assert_eq!(grew("lpc_connections_total{kind=\"telnet\"}"), 1.0);
    assert_eq!(grew("lpc_commands_total"), 1.0);
    assert!(grew("lpc_bytes_in_total") >= 6.0, "{after:?}");
    assert!(grew("lpc_bytes_out_total") >= 18.0, "{after:?}");
    // Each LPC handler call is a top-level call, and lands in a bucket.
    assert!(grew("lpc_top_level_call_seconds_count") >= 5.0, "{after:?}");
    assert_eq!(
        value(&after, "lpc_top_level_call_seconds_bucket{le=\"+Inf\"}"),
        value(&after, "lpc_top_level_call_seconds_count")
    );
    assert!(value(&after, "lpc_objects") >= 3.0, "{after:?}");
}

/// `metrics port` serves the page with no LPC code; each scrape has the
/// VM sample its gauges first, so a new connection shows at once. It
/// holds each address to `connections per address`, counted apart from
/// the ports.
#[test]
fn metrics_port_serves_the_page_without_lpc() {
    let port = free_port();
    let telnet = free_port();
    let config = web_config(&format!(
        "metrics port : {port}\nmetrics path : /stats\nexternal_port_1 : telnet {telnet}\nconnections per address : 1\n"
    ));
    let _driver = Driver::start(&[], &[("config.test", config.as_bytes())]);
    let mut http = Http::connect(port);
    let page = http.get("/stats");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{page:?}"
    );
    assert!(page.body.contains("# TYPE lpc_objects gauge"), "{page:?}");
    assert_eq!(http.get("/metrics").status, 404);
    assert_eq!(http.get("/").status, 404);
    let sample = |http: &mut Http, name: &str| -> f64 {
        let page = http.get("/stats");
        page.body
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {}", page.body))
    };
    assert!(sample(&mut http, "lpc_objects") >= 1.0);
    let mut second = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    second.set_read_timeout(Some(PATIENCE)).expect("timeout");
    let mut seen = Vec::new();
    assert_eq!(second.read_to_end(&mut seen).ok(), Some(0), "{seen:?}");
    assert_eq!(sample(&mut http, "lpc_connections_refused_total"), 1.0);
    let open = "lpc_connections_open{kind=\"telnet\"}";
    assert_eq!(sample(&mut http, open), 0.0);
    let mut user = TcpStream::connect(("127.0.0.1", telnet)).expect("telnet port");
    user.set_read_timeout(Some(PATIENCE)).expect("timeout");
    let mut greeting = [0u8; 64];
    assert!(user.read(&mut greeting).expect("greeting") > 0);
    // The sample is at most a quarter second old.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sample(&mut http, open), 1.0);
}

#[test]
fn http_request_reaches_servers() {
    let port = http_peer();
    let (tls_port, pem) = https_peer();
    let nobody = free_port();
    let mut driver = Driver::start(
        &[
            format!("client=http://127.0.0.1:{port}"),
            format!("tls_client=https://localhost:{tls_port}"),
            format!("refused_client=http://127.0.0.1:{nobody}"),
            "bad_calls=".to_string(),
        ],
        &[("cert.pem", pem.as_bytes())],
    );
    let log = driver.expect_log(&[
        "get 200 rust pong asked",
        "post 200 rust posted body",
        "redirect 200 rust pong",
        "big error response larger than 100 bytes",
        "slow error timed out after 1000 ms",
        "noredirect 302 rust ",
        "tls 200 rust pong",
        "badrespond 0",
    ]);
    let line = |prefix: &str| line_of(&log, prefix);
    assert!(line("untrusted error").contains("TLS"), "{log}");
    assert!(line("nobody error").contains("cannot connect"), "{log}");
    assert!(line("badurl ").contains("not http:// or https://"), "{log}");
    assert!(
        line("badoption ").contains("unknown option 'timeut'"),
        "{log}"
    );
}

/// A websocket server: to "hi" it answers with a text naming the client's
/// x-who header, then a binary message; to "bye" it closes with 4000;
/// anything else it echoes.
// tungstenite's handshake callback has a large error type of its own.
#[allow(clippy::result_large_err)]
fn websocket_peer() -> u16 {
    use tungstenite::Message;
    use tungstenite::protocol::CloseFrame;
    use tungstenite::protocol::frame::coding::CloseCode;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(PATIENCE));
                let mut who = String::new();
                let callback =
                    |request: &tungstenite::handshake::server::Request,
                     mut response: tungstenite::handshake::server::Response| {
                        who = request
                            .headers()
                            .get("x-who")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        let offered = request
                            .headers()
                            .get("sec-websocket-protocol")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("");
                        if offered.contains("chat") {
                            response.headers_mut().insert(
                                "sec-websocket-protocol",
                                tungstenite::http::HeaderValue::from_static("chat"),
                            );
                        }
                        Ok(response)
                    };
                let Ok(mut socket) = tungstenite::accept_hdr(stream, callback) else {
                    return;
                };
                while let Ok(message) = socket.read() {
                    match message {
                        Message::Text(text) if text.as_str() == "hi" => {
                            let _ = socket.send(Message::text(format!("echo:hi:{who}")));
                            let _ = socket.send(Message::binary(vec![1u8, 2, 3]));
                        }
                        Message::Text(text) if text.as_str() == "bye" => {
                            let _ = socket.close(Some(CloseFrame {
                                code: CloseCode::from(4000),
                                reason: "done".into(),
                            }));
                        }
                        Message::Text(text) => {
                            let _ = socket.send(Message::text(text));
                        }
                        _ => {}
                    }
                }
            });
        }
    });
    port
}

#[test]
fn websocket_client_talks_and_closes() {
    let port = websocket_peer();
    let nobody = free_port();
    let mut driver = Driver::start(
        &[
            format!("websocket=ws://127.0.0.1:{port}/chat"),
            format!("websocket_close_test=ws://127.0.0.1:{port}/"),
            format!("websocket_fail=ws://127.0.0.1:{nobody}/"),
        ],
        &[],
    );
    driver.expect_log(&[
        "ws queued 1",
        "ws text echo:hi:lpc",
        "ws buffer 3",
        "ws closed 4000 done 1",
        "ws send after close 0",
        "wsl text first",
        "wsl closed 1000",
        "wsf error",
    ]);
    // Another object may neither send on the connection nor close it:
    // the connection went on, and the peer never heard "stolen".
    let log = driver.log();
    let efuns = ["websocket_send", "websocket_close"];
    assert_refused(&log, "ws stolen ", &efuns, "/web", "/other");
    assert!(!log.contains("ws text stolen"), "{log}");
}

/// Posts a GraphQL request and gives the JSON answer.
fn graphql(http: &mut Http, query: &str, variables: serde_json::Value) -> serde_json::Value {
    let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
    let response = http.send(&format!(
        "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    assert_eq!(response.status, 200, "{response:?}");
    serde_json::from_str(&response.body).expect("JSON answer")
}

#[test]
fn graphql_serve_resolves_through_lpc() {
    use serde_json::json;
    let port = free_port();
    let limited = free_port();
    let mut driver = Driver::start(&[format!("graphql={port},{limited}")], &[]);
    let log = driver.expect_log(&["graphql 1", "graphql limited 1"]);
    assert!(
        log.contains("graphql bad schema *graphql_serve(): Query.x needs a public function Query_x() in the resolver"),
        "{log}"
    );
    assert!(
        log.contains("graphql bad limit *graphql_serve(): option 'connections_per_address' must be a number of connections, 0 for no limit"),
        "{log}"
    );
    // One connection per address: a second one that sends nothing is
    // closed without a word once its patience for a request head is
    // over, and one is let in once the first has gone.
    let first = TcpStream::connect(("127.0.0.1", limited)).expect("connect");
    let mut second = TcpStream::connect(("127.0.0.1", limited)).expect("connect");
    second
        .set_read_timeout(Some(PATIENCE))
        .expect("read timeout");
    let mut seen = Vec::new();
    assert_eq!(second.read_to_end(&mut seen).ok(), Some(0), "{seen:?}");
    drop(first);
    // Until the server has seen the first one go, a newcomer is still
    // over the limit and gets a 503.
    let deadline = Instant::now() + PATIENCE;
    let mut http = loop {
        let mut http = Http::connect(limited);
        let response = http.send("GET /graphql?query=%7Bcount%7D HTTP/1.1\r\nHost: test\r\n\r\n");
        if response.status == 200 {
            break http;
        }
        assert_eq!(response.status, 503, "{response:?}");
        assert!(
            Instant::now() < deadline,
            "the address was not let in again"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let count = graphql(&mut http, "{ count }", json!({}));
    assert!(count["data"]["count"].is_number(), "{count}");
    drop(http);
    let mut http = Http::connect(port);
    let ann = graphql(
        &mut http,
        "{ player(name: \"ann\") { name level title kind friends { name title } } }",
        json!({}),
    );
    assert_eq!(
        ann,
        json!({ "data": { "player": {
            "name": "ann", "level": 5, "title": null, "kind": "ELF",
            "friends": [ { "name": "bob", "title": "the brave" } ] } } })
    );
    let nobody = graphql(&mut http, "{ player(name: \"zed\") { name } }", json!({}));
    assert_eq!(nobody, json!({ "data": { "player": null } }));
    let added = graphql(
        &mut http,
        "mutation Add($p: NewPlayer!) { addPlayer(input: $p) { name level } }",
        json!({ "p": { "name": "cid" } }),
    );
    assert_eq!(
        added,
        json!({ "data": { "addPlayer": { "name": "cid", "level": 1 } } })
    );
    let counted = graphql(&mut http, "{ count online }", json!({}));
    assert_eq!(counted, json!({ "data": { "count": 3, "online": true } }));
    let broken = graphql(&mut http, "{ count broken }", json!({}));
    // The failed field is null (async-graphql leaves it out altogether).
    assert_eq!(broken["data"]["count"], json!(3));
    assert!(broken["data"]["broken"].is_null(), "{broken}");
    let error = &broken["errors"][0];
    assert_eq!(error["path"], json!(["broken"]));
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("no luck today"),
        "{broken}"
    );
    let invalid = graphql(&mut http, "{ nosuch }", json!({}));
    assert!(
        invalid["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("nosuch")
    );
    let schema = graphql(
        &mut http,
        "{ __schema { queryType { name } mutationType { name } } __type(name: \"Kind\") { enumValues { name } } }",
        json!({}),
    );
    assert_eq!(
        schema["data"],
        json!({
            "__schema": { "queryType": { "name": "Query" }, "mutationType": { "name": "Mutation" } },
            "__type": { "enumValues": [ { "name": "HUMAN" }, { "name": "ELF" } ] }
        })
    );
    let by_get = http.get("/graphql?query=%7B%20count%20%7D");
    assert_eq!(by_get.body, r#"{"data":{"count":3}}"#);
    let elsewhere = http.get("/other");
    assert_eq!(elsewhere.status, 404);
}

#[test]
fn graphql_query_asks_an_endpoint() {
    let port = free_port();
    let mut driver = Driver::start(
        &[
            format!("graphql={port}"),
            format!("gql_client=http://127.0.0.1:{port}/graphql"),
        ],
        &[],
    );
    let log = driver.expect_log(&["gqlc ann:5,bob:2", "gqlerr no luck today at broken"]);
    let nobody = log
        .lines()
        .find(|l| l.starts_with("gqlnobody"))
        .unwrap_or_default();
    assert!(
        nobody.starts_with("gqlnobody error cannot connect"),
        "{log}"
    );
}

#[test]
fn a_destructed_owner_closes_its_server_and_the_driver_ends() {
    let port = free_port();
    let mut driver = Driver::start(&[format!("temporary={port}")], &[]);
    let mut http = Http::connect(port);
    assert_eq!(http.get("/").body, "temporary");
    let deadline = Instant::now() + PATIENCE;
    let mut child = driver.child.take().expect("driver runs");
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "the driver did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

/// A Mosquitto broker of its own on a loopback port, with one user
/// (`mud`, password `secret`) and no anonymous access; killed when dropped.
struct Mosquitto {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Mosquitto {
    fn start() -> Mosquitto {
        let dir = tempfile::tempdir().expect("temporary directory");
        let passwords = dir.path().join("passwd");
        let made = Command::new("mosquitto_passwd")
            .args(["-b", "-c"])
            .arg(&passwords)
            .args(["mud", "secret"])
            .status()
            .expect("mosquitto_passwd runs (apt-get install mosquitto)");
        assert!(made.success());
        let access = format!(
            "allow_anonymous false\npassword_file {}\n",
            passwords.display()
        );
        Mosquitto::start_in(dir, &access)
    }

    /// A broker open to anonymous clients whose dynamic security plugin
    /// refuses subscriptions to `forbidden/#` (an ACL file cannot: it only
    /// filters what is delivered).
    fn start_refusing() -> Mosquitto {
        let dir = tempfile::tempdir().expect("temporary directory");
        let rules = dir.path().join("dynamic-security.json");
        let json = serde_json::json!({
            "defaultACLAccess": {
                "publishClientSend": true,
                "publishClientReceive": true,
                "subscribe": true,
                "unsubscribe": true
            },
            "clients": [],
            "groups": [ { "groupname": "anonymous", "roles": [ { "rolename": "guest" } ] } ],
            "roles": [ {
                "rolename": "guest",
                "acls": [ {
                    "acltype": "subscribePattern",
                    "topic": "forbidden/#",
                    "priority": 1,
                    "allow": false
                } ]
            } ],
            "anonymousGroup": "anonymous"
        });
        std::fs::write(&rules, json.to_string()).expect("write the plugin's rules");
        let plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
        let access = format!(
            "allow_anonymous true\nplugin {plugin}\nplugin_opt_config_file {}\n",
            rules.display()
        );
        Mosquitto::start_in(dir, &access)
    }

    /// Writes a config with these access settings into `dir` and starts
    /// the broker on a free port.
    fn start_in(dir: tempfile::TempDir, access: &str) -> Mosquitto {
        let port = free_port();
        let config = format!(
            "listener {port} 127.0.0.1\n\
             {access}\
             persistence false\n\
             user root\n"
        );
        std::fs::write(dir.path().join("mosquitto.conf"), config).expect("write config");
        let child = Mosquitto::spawn(dir.path());
        Mosquitto { child, dir, port }
    }

    fn spawn(dir: &Path) -> Child {
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(dir.join("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto runs (apt-get install mosquitto)");
        let port = config_port(dir);
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        child
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the broker again on the same port.
    fn restart(&mut self) {
        self.stop();
        self.child = Mosquitto::spawn(self.dir.path());
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The port of the `listener` line of a broker's config.
fn config_port(dir: &Path) -> u16 {
    let config = std::fs::read_to_string(dir.join("mosquitto.conf")).expect("config");
    config
        .lines()
        .find_map(|l| l.strip_prefix("listener "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|port| port.parse().ok())
        .expect("listener port")
}

/// One client subscribes, publishes a retained message and sees it, a
/// second one publishes at each QoS and vanishes so its will arrives, a
/// third is refused for its password.
fn mqtt_round_trip(protocol: &str) {
    let broker = Mosquitto::start();
    let mut driver = Driver::start(&[format!("mqtt={}:{protocol}", broker.port)], &[]);
    let log = driver.expect_log(&[
        "mqtt event connected",
        "mqtt got mud/motd welcome",
        "mqtt got mud/ready 1",
        "mqtt got aside/one first",
        "mqtt unsubscribe 1",
        "mqtt got mud/after aside",
        "mqtt got mud/room/chat q0",
        "mqtt got mud/room/chat q1",
        "mqtt got mud/room/chat q2",
        "mqtt got mud/status gone",
        "mqtt event closed",
        "mqtt closed because disconnected",
        "mqtt publish after close 0",
    ]);
    assert!(
        log.contains("mqtt bad option *mqtt_connect(): unknown option 'nonsense'"),
        "{log}"
    );
    assert!(
        log.contains("mqtt bad protocol *mqtt_connect(): protocol must be \"3.1.1\" or \"5\""),
        "{log}"
    );
    let refusal = log
        .lines()
        .find(|l| l.starts_with("mqtt bad password "))
        .unwrap_or_default();
    assert!(refusal.contains("refused"), "{log}");
    // Another object may not use the client: each efun is refused.
    let efuns = [
        "mqtt_publish",
        "mqtt_subscribe",
        "mqtt_unsubscribe",
        "mqtt_disconnect",
    ];
    assert_refused(&log, "mqtt stolen ", &efuns, "/web", "/other");
    // Each message once, in the order sent.
    let chat: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("mud/room/chat"))
        .collect();
    assert_eq!(
        chat,
        [
            "mqtt got mud/room/chat q0",
            "mqtt got mud/room/chat q1",
            "mqtt got mud/room/chat q2"
        ],
        "{log}"
    );
    assert!(!log.contains("mqtt event disconnected"), "{log}");
    assert!(!log.contains("aside/two"), "{log}");
}

#[test]
fn mqtt_5_against_mosquitto() {
    mqtt_round_trip("5");
}

#[test]
fn mqtt_3_1_1_against_mosquitto() {
    mqtt_round_trip("3.1.1");
}

/// Messages come with their QoS and retain flag; a subscription the
/// broker refuses is reported with its topic filter and reason code.
fn mqtt_flags_and_refusals(protocol: &str, refusal: u8) {
    let broker = Mosquitto::start_refusing();
    let mut driver = Driver::start(&[format!("mqtt_flags={}:{protocol}", broker.port)], &[]);
    let log = driver.expect_log(&[
        &format!("mqtt refused forbidden/# {refusal}"),
        "mqtt flags open/kept kept qos 1 retain 1",
        "mqtt flags open/low low qos 0 retain 0",
        "mqtt flags open/live now qos 1 retain 0",
        "mqtt flags closed",
    ]);
    assert_eq!(log.matches("mqtt refused").count(), 1, "{log}");
}

#[test]
fn mqtt_5_reports_flags_and_refusals() {
    // 0x87: not authorized.
    mqtt_flags_and_refusals("5", 0x87);
}

#[test]
fn mqtt_3_1_1_reports_flags_and_refusals() {
    // A 3.1.1 SUBACK only says failure: 0x80.
    mqtt_flags_and_refusals("3.1.1", 0x80);
}

/// The broker goes away: the client reports the loss and each pause before
/// it tries again, growing, and carries on once the broker is back.
#[test]
fn mqtt_reconnects_with_backoff() {
    let mut broker = Mosquitto::start();
    let mut driver = Driver::start(&[format!("mqtt_reconnect={}:3.1.1", broker.port)], &[]);
    driver.expect_log(&["mqtt got mud/ready 1"]);
    broker.stop();
    driver.expect_log(&[
        "mqtt event disconnected",
        "mqtt event reconnecting 500",
        "mqtt event reconnecting 1000",
    ]);
    broker.restart();
    let log = driver.expect_log(&[
        "mqtt got mud/ready 2",
        "mqtt got mud/back again",
        "mqtt closed because disconnected",
    ]);
    assert_eq!(log.matches("mqtt event connected").count(), 2, "{log}");
}

#[test]
fn websocket_client_speaks_tls() {
    let (config, pem) = tls_server();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(PATIENCE));
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let tls = rustls::StreamOwned::new(conn, stream);
                let Ok(mut socket) = tungstenite::accept(tls) else {
                    return;
                };
                while let Ok(message) = socket.read() {
                    if let tungstenite::Message::Text(text) = message {
                        let _ = socket.send(tungstenite::Message::text(format!("tls:{text}")));
                    }
                }
            });
        }
    });
    let mut driver = Driver::start(
        &[format!("wss=wss://localhost:{port}/")],
        &[("cert.pem", pem.as_bytes())],
    );
    driver.expect_log(&["wss text tls:secret", "wss closed 1000"]);
}
