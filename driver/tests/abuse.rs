//! Abuse of the driver, from LPC code and from the network: each attack
//! must end within the configured limits while the driver keeps serving
//! other users. Every wait is bounded, every client is on loopback, and
//! the round trips and memory seen are printed (`--nocapture`).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;

mod common;
mod tonic_peer;
use common::free_port;

/// How long any one expected answer may take.
const PATIENCE: Duration = Duration::from_secs(20);

/// Held by each test while it runs: the tests measure round trips and
/// evaluation times against wall-clock limits, and a flood in one test
/// would eat the time another measures.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs tests one after the other, even after one of them failed.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// The evaluation limit of `tests/abuse/config.test`.
const EVAL_LIMIT: Duration = Duration::from_millis(500);

/// A driver running the abuse mudlib; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Driver {
    /// Starts the driver with `extra` config lines added.
    fn start(extra: &str) -> Driver {
        Driver::start_with(extra, &[])
    }

    /// Starts the driver with `extra` config lines and environment `env`.
    fn start_with(extra: &str, env: &[(&str, &str)]) -> Driver {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/abuse");
        let dir = tempfile::tempdir().expect("temporary directory");
        for entry in std::fs::read_dir(&source).expect("abuse mudlib exists") {
            let entry = entry.expect("directory entry");
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
        }
        let port = free_port();
        let config = std::fs::read_to_string(dir.path().join("config.test"))
            .expect("config")
            .replace("PORT", &port.to_string())
            + extra;
        std::fs::write(dir.path().join("config.test"), config).expect("write config");
        let child = Command::new(env!("CARGO_BIN_EXE_driver"))
            .arg("config.test")
            .envs(env.iter().copied())
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("driver starts");
        Driver { child, port, dir }
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("debug.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Waits until the debug log, past its first `from` bytes, holds
    /// `needle`.
    fn expect_log(&self, from: usize, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let log = self.log();
            let new = log.get(from..).unwrap_or("");
            if new.contains(needle) {
                return new.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?} in the debug log; it has {new:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The driver's resident memory in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn socket(&self) -> TcpStream {
        connect_to(self.port)
    }

    /// A user that got its welcome.
    fn user(&self) -> Client {
        let mut client = Client {
            stream: self.socket(),
            raw: Vec::new(),
        };
        client.expect("Welcome.");
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    stream: TcpStream,
    /// Bytes received and not yet consumed by an expectation.
    raw: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl Client {
    fn line(&mut self, text: &str) {
        self.stream
            .write_all(format!("{text}\r\n").as_bytes())
            .expect("send");
    }

    /// Reads until `needle` arrives, within `patience`; consumes the bytes
    /// up to its end and returns them.
    fn expect_within(&mut self, needle: &str, patience: Duration) -> String {
        let deadline = Instant::now() + patience;
        let mut buf = [0u8; 8192];
        loop {
            if let Some(at) = find(&self.raw, needle.as_bytes()) {
                let seen: Vec<u8> = self.raw.drain(..at + needle.len()).collect();
                return String::from_utf8_lossy(&seen).into_owned();
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; got {:?}",
                String::from_utf8_lossy(&self.raw)
            );
            match self.stream.read(&mut buf) {
                Ok(0) => panic!(
                    "connection closed waiting for {needle:?}; got {:?}",
                    String::from_utf8_lossy(&self.raw)
                ),
                Ok(n) => self.raw.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("read error waiting for {needle:?}: {e}"),
            }
        }
    }

    fn expect(&mut self, needle: &str) -> String {
        self.expect_within(needle, PATIENCE)
    }

    /// The time an `echo` takes to come back.
    fn round_trip(&mut self, tag: &str) -> Duration {
        let start = Instant::now();
        self.line(&format!("echo {tag}"));
        self.expect(&format!("ECHO: {tag}"));
        start.elapsed()
    }

    /// Whether the server has closed the connection, waiting up to `patience`.
    fn closed_within(&mut self, patience: Duration) -> bool {
        let deadline = Instant::now() + patience;
        let mut buf = [0u8; 8192];
        while Instant::now() < deadline {
            match self.stream.read(&mut buf) {
                Ok(0) => return true,
                Ok(n) => self.raw.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return true,
            }
        }
        false
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One LPC attack: the function of `/abuse` it runs and what the debug
/// log must then show.
struct Attack {
    function: &'static str,
    expected: &'static str,
    /// What the debug log shows once the attack is under way, when it
    /// starts later than its command.
    started: Option<&'static str>,
}

const ATTACKS: &[Attack] = &[
    Attack {
        function: "loop",
        expected: "Too long evaluation. Execution aborted.",
        started: None,
    },
    Attack {
        function: "deep",
        expected: "Too deep recursion.",
        started: None,
    },
    Attack {
        function: "string_doubling",
        expected: "Maximum string size exceeded",
        started: None,
    },
    Attack {
        function: "array_doubling",
        expected: "Maximum array size exceeded",
        started: None,
    },
    Attack {
        function: "mapping_growth",
        expected: "Mapping too large",
        started: None,
    },
    Attack {
        function: "buffer_doubling",
        expected: "Maximum buffer size exceeded",
        started: None,
    },
    Attack {
        function: "huge_array",
        expected: "Illegal array size",
        started: None,
    },
    Attack {
        function: "huge_buffer",
        expected: "allocate_buffer(): bad size",
        started: None,
    },
    Attack {
        function: "huge_repeat",
        expected: "REPEATED 200000",
        started: None,
    },
    Attack {
        function: "clone_flood",
        expected: "CLONED 10000",
        started: None,
    },
    Attack {
        function: "call_out_flood",
        expected: "CALL_OUTS DONE 100000",
        started: None,
    },
    Attack {
        function: "runaway_heart_beat",
        expected: "Too long evaluation. Execution aborted.",
        started: Some("HEART_BEAT STARTS"),
    },
];

#[test]
fn lpc_abuse_ends_in_errors_and_the_driver_keeps_serving() {
    let _turn = one_at_a_time();
    let mut driver = Driver::start("");
    let mut watcher = driver.user();
    let mut abuser = driver.user();
    let rss_start = driver.rss_kib();
    for (n, attack) in ATTACKS.iter().enumerate() {
        let before = watcher.round_trip(&format!("before-{n}"));
        let from = driver.log().len();
        let started = Instant::now();
        abuser.line(&format!("abuse {}", attack.function));
        abuser.expect(&format!("ABUSING {}", attack.function));
        if let Some(marker) = attack.started {
            driver.expect_log(from, marker);
        }
        // The watcher speaks while the attack runs.
        let during = watcher.round_trip(&format!("during-{n}"));
        let log = driver.expect_log(from, attack.expected);
        let ended = started.elapsed();
        let after = watcher.round_trip(&format!("after-{n}"));
        println!(
            "{:20} ended in {:7.1} ms; echo before {:6.1} ms, during {:7.1} ms, after {:6.1} ms; RSS {} KiB",
            attack.function,
            ms(ended),
            ms(before),
            ms(during),
            ms(after),
            driver.rss_kib()
        );
        assert!(driver.alive(), "the driver died of {}", attack.function);
        // An attack holds the VM thread for one evaluation at most, plus
        // slack for a loaded machine.
        assert!(
            during < EVAL_LIMIT * 2 + Duration::from_secs(2),
            "{}: echo took {during:?} during the attack; log: {log}",
            attack.function
        );
        // The abuser is still served too.
        abuser.round_trip(&format!("abuser-{n}"));
    }
    println!(
        "RSS at start {rss_start} KiB, at end {} KiB",
        driver.rss_kib()
    );
}

#[test]
fn a_panicking_efun_is_an_lpc_error_and_the_driver_keeps_serving() {
    let _turn = one_at_a_time();
    let mut driver = Driver::start_with("", &[("LPC_DRIVER_TEST_PANIC_EFUN", "upper_case")]);
    let mut watcher = driver.user();
    let mut victim = driver.user();
    for round in 0..3 {
        let from = driver.log().len();
        victim.line("abuse efun_panic");
        victim.expect("ABUSING efun_panic");
        let log = driver.expect_log(from, "ERROR *Internal error in efun upper_case()");
        assert!(
            log.contains("CAUGHT *Internal error in efun upper_case(): injected"),
            "round {round}: catch() sees the panic as an error string; log: {log}"
        );
        // The uncaught one ended the command before it could go on.
        victim.line(&format!("echo victim-{round}"));
        let seen = victim.expect(&format!("ECHO: victim-{round}"));
        assert!(
            !seen.contains("SURVIVED"),
            "round {round}: the command went on after the panic: {seen:?}"
        );
        watcher.round_trip(&format!("watcher-{round}"));
        assert!(
            driver.alive(),
            "round {round}: the driver died of the panic"
        );
    }
}

/// The middle of five echo round trips.
fn median_round_trip(client: &mut Client, tag: &str) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|i| client.round_trip(&format!("{tag}-{i}")))
        .collect();
    times.sort();
    times[2]
}

/// Bytes that look like telnet negotiation gone wrong, the same every
/// run; never the MCCP option, which would compress the answers.
fn garbage(len: usize) -> Vec<u8> {
    const PICKS: &[u8] = &[
        255, 250, 240, 251, 252, 253, 254, 24, 31, 39, 42, 70, 201, 0, 1, 2,
    ];
    let mut state: u32 = 0x2545_f491;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            if state.is_multiple_of(3) {
                (state >> 8) as u8 & 0x7f | 0x20
            } else {
                PICKS[(state >> 16) as usize % PICKS.len()]
            }
        })
        .collect()
}

#[test]
fn network_abuse_leaves_other_users_served() {
    let _turn = one_at_a_time();
    let login_timeout = Duration::from_secs(3);
    let per_address = 40;
    let mut driver = Driver::start(&format!(
        "login timeout : {}\nconnections per address : {per_address}\n",
        login_timeout.as_secs()
    ));
    let mut watcher = driver.user();
    let rss_before = driver.rss_kib();
    let quiet = median_round_trip(&mut watcher, "quiet");
    println!("quiet: echo {:.2} ms, RSS {rss_before} KiB", ms(quiet));

    // A client that asks for output and never reads it.
    let mut sink = driver.user();
    sink.stream
        .set_write_timeout(Some(Duration::from_millis(200)))
        .expect("write timeout");
    let filler = format!("echo {}\r\n", "x".repeat(2000));
    // First at a steady pace, past the output limit: about 1 MB a second.
    let paced_end = Instant::now() + Duration::from_secs(2);
    let mut paced_worst = Duration::ZERO;
    let mut paced_sent = 0usize;
    while Instant::now() < paced_end {
        for _ in 0..5 {
            if sink.stream.write_all(filler.as_bytes()).is_ok() {
                paced_sent += filler.len();
            }
        }
        paced_worst = paced_worst.max(watcher.round_trip("paced"));
        std::thread::sleep(Duration::from_millis(10));
    }
    println!(
        "non-reading client asking {paced_sent} bytes of output at ~1 MB/s: worst echo {:.2} ms, RSS {} KiB",
        ms(paced_worst),
        driver.rss_kib()
    );
    assert!(
        paced_worst < Duration::from_secs(1),
        "echo took {paced_worst:?}"
    );
    // Then as fast as the socket takes commands.
    let flood_end = Instant::now() + Duration::from_secs(3);
    let mut sent = 0usize;
    let mut worst = Duration::ZERO;
    while Instant::now() < flood_end {
        for _ in 0..50 {
            if sink.stream.write_all(filler.as_bytes()).is_ok() {
                sent += filler.len();
            }
        }
        worst = worst.max(watcher.round_trip("non-reader"));
    }
    let rss_during = driver.rss_kib();
    println!(
        "non-reading client flooding {sent} bytes of commands: worst echo {:.2} ms, RSS {rss_during} KiB",
        ms(worst)
    );
    assert!(worst < Duration::from_secs(2), "echo took {worst:?}");
    drop(sink);

    // A client that floods short commands as fast as it can write: its
    // lines take turns with everybody else's instead of going first.
    let flooder = driver.user();
    let mut flood_stream = flooder.stream.try_clone().expect("clone the flooder");
    flood_stream
        .set_write_timeout(Some(Duration::from_millis(200)))
        .expect("write timeout");
    let flood_end = Instant::now() + Duration::from_secs(3);
    let flood = std::thread::spawn(move || {
        let burst = "echo f\r\n".repeat(8192);
        let mut lines = 0usize;
        while Instant::now() < flood_end {
            if flood_stream.write_all(burst.as_bytes()).is_ok() {
                lines += 8192;
            }
        }
        lines
    });
    let mut flood_worst = Duration::ZERO;
    let mut flood_echoes = Vec::new();
    while Instant::now() < flood_end {
        let echo = watcher.round_trip("beside-flood");
        flood_worst = flood_worst.max(echo);
        flood_echoes.push(echo);
    }
    let flooded = flood.join().expect("flood thread");
    flood_echoes.sort();
    let flood_median = flood_echoes[flood_echoes.len() / 2];
    println!(
        "client flooding {flooded} short commands: echo median {:.2} ms, worst {:.2} ms, RSS {} KiB",
        ms(flood_median),
        ms(flood_worst),
        driver.rss_kib()
    );
    assert!(
        flood_worst < Duration::from_millis(500),
        "echo took {flood_worst:?} beside a flood"
    );
    drop(flooder);

    // Negotiation garbage, then a clean end of line and a command.
    let mut noisy = driver.user();
    noisy
        .stream
        .write_all(&garbage(64 * 1024))
        .expect("send garbage");
    noisy
        .stream
        .write_all(&[255, 240, b'\r', b'\n'])
        .expect("send end");
    let survived = noisy.round_trip("after-garbage");
    let garbage_echo = watcher.round_trip("garbage");
    println!(
        "garbage negotiation: the client still answers in {:.2} ms; others {:.2} ms",
        ms(survived),
        ms(garbage_echo)
    );

    // One line of a megabyte: cut to the cap, and the connection goes on.
    let mut long = driver.user();
    long.stream
        .write_all(&vec![b'y'; 1 << 20])
        .expect("send a long line");
    long.stream.write_all(b"\r\n").expect("end the line");
    long.expect("What?");
    let long_echo = long.round_trip("after-long-line");
    println!(
        "1 MiB line: the client still answers in {:.2} ms; RSS {} KiB",
        ms(long_echo),
        driver.rss_kib()
    );
    drop(long);
    drop(noisy);

    // Connection churn.
    let started = Instant::now();
    let port = driver.port;
    let churners: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(move || {
                let mut made = 0;
                for _ in 0..1000 {
                    if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
                        made += 1;
                        let _ = s.shutdown(Shutdown::Both);
                    }
                }
                made
            })
        })
        .collect();
    let mut churn_worst = Duration::ZERO;
    while churners.iter().any(|t| !t.is_finished()) {
        churn_worst = churn_worst.max(watcher.round_trip("churn"));
    }
    let made: usize = churners
        .into_iter()
        .map(|t| t.join().expect("churn thread"))
        .sum();
    let churn_time = started.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let after_churn = median_round_trip(&mut watcher, "after-churn");
    println!(
        "churn: {made} connections opened and closed in {:.0} ms; worst echo during {:.2} ms, after {:.2} ms; RSS {} KiB",
        ms(churn_time),
        ms(churn_worst),
        ms(after_churn),
        driver.rss_kib()
    );
    assert_eq!(made, 2000);
    assert!(
        churn_worst < Duration::from_secs(2),
        "echo took {churn_worst:?}"
    );

    // Half-open connections: connected, silent, closed by the login timeout.
    let mut silent: Vec<Client> = (0..20)
        .map(|_| Client {
            stream: driver.socket(),
            raw: Vec::new(),
        })
        .collect();
    let opened = Instant::now();
    let silent_echo = watcher.round_trip("half-open");
    for client in &mut silent {
        assert!(
            client.closed_within(login_timeout * 3),
            "a silent connection stayed open past the login timeout"
        );
    }
    println!(
        "20 silent connections closed after {:.0} ms (login timeout {} s); echo meanwhile {:.2} ms",
        ms(opened.elapsed()),
        login_timeout.as_secs(),
        ms(silent_echo)
    );
    // The watcher has sent lines: the login timeout does not apply to it.
    watcher.round_trip("still-here");

    // The per-address limit: the watcher holds one slot already.
    std::thread::sleep(Duration::from_millis(300));
    let mut crowd: Vec<Client> = (0..per_address + 5)
        .map(|_| Client {
            stream: driver.socket(),
            raw: Vec::new(),
        })
        .collect();
    let mut refused = 0;
    for client in &mut crowd {
        if client.closed_within(Duration::from_millis(100))
            && find(&client.raw, b"Too many connections").is_some()
        {
            refused += 1;
        }
    }
    println!("{} connections at once: {refused} refused", crowd.len());
    assert!(
        (5..=6).contains(&refused),
        "expected 6 connections over the limit, {refused} were refused"
    );
    drop(crowd);
    let rss_after = driver.rss_kib();
    let final_echo = median_round_trip(&mut watcher, "final");
    println!(
        "after: echo {:.2} ms, RSS {rss_after} KiB (before {rss_before}, during {rss_during})",
        ms(final_echo)
    );
    assert!(driver.alive());
}

impl Driver {
    /// How many descriptors the driver has open.
    fn descriptors(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .map(|entries| entries.count())
            .unwrap_or(0)
    }

    /// Waits until the driver has at most `baseline` descriptors open;
    /// the count it ended with.
    fn descriptors_back_to(&self, baseline: usize, patience: Duration) -> usize {
        let deadline = Instant::now() + patience;
        loop {
            let now = self.descriptors();
            if now <= baseline || Instant::now() > deadline {
                return now;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A connection to `port` on loopback that reads with a short timeout.
fn connect_to(port: u16) -> TcpStream {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => {
                stream
                    .set_read_timeout(Some(Duration::from_millis(50)))
                    .expect("read timeout");
                return stream;
            }
            Err(e) if Instant::now() > deadline => panic!("cannot connect to {port}: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The head of a websocket upgrade without a subprotocol (the ascii
/// protocol in text frames).
const UPGRADE: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// A plain request head for an HTTP server.
const HTTP_GET: &[u8] =
    b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nAccept: */*\r\n\r\n";

/// A user on a websocket port that got its welcome.
fn websocket_user(port: u16) -> Client {
    let mut client = Client {
        stream: connect_to(port),
        raw: Vec::new(),
    };
    client.stream.write_all(UPGRADE).expect("send upgrade");
    client.expect("101 Switching Protocols");
    client.expect("Welcome.");
    client
}

/// The time an `echo` takes to come back over a websocket. The frame is
/// masked with zeros, as a client must mask and any mask will do; the
/// answer is found in the raw frames, whose text is not masked.
fn websocket_round_trip(client: &mut Client, tag: &str) -> Duration {
    let start = Instant::now();
    let text = format!("echo {tag}\n");
    let len = u8::try_from(text.len()).expect("a short command");
    assert!(len < 126, "one-byte frame length");
    let mut frame = vec![0x81, 0x80 | len, 0, 0, 0, 0];
    frame.extend_from_slice(text.as_bytes());
    client.stream.write_all(&frame).expect("send frame");
    client.expect(&format!("ECHO: {tag}"));
    start.elapsed()
}

/// The time a fresh connection to an HTTP server takes to get "pong".
fn http_round_trip(port: u16) -> Duration {
    let start = Instant::now();
    let mut stream = connect_to(port);
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("read timeout");
    stream
        .write_all(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .expect("send request");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(
        find(&answer, b"pong").is_some(),
        "no answer from the HTTP server: {:?}",
        String::from_utf8_lossy(&answer)
    );
    start.elapsed()
}

/// What a crowd of slow clients saw: how long each connection stayed
/// open before the server closed it (`None`: it never did).
struct Crowd {
    lifetimes: Vec<Option<Duration>>,
}

impl Crowd {
    fn closed(&self) -> usize {
        self.lifetimes.iter().flatten().count()
    }

    fn shortest(&self) -> Duration {
        self.lifetimes
            .iter()
            .flatten()
            .min()
            .copied()
            .unwrap_or_default()
    }

    fn longest(&self) -> Duration {
        self.lifetimes
            .iter()
            .flatten()
            .max()
            .copied()
            .unwrap_or_default()
    }
}

/// Opens `slow` connections to `port` that send `request` one byte per
/// `pace` and never its last byte, and `silent` ones that send nothing;
/// watches until the server has closed them all or `give_up` has passed.
fn slowloris(
    port: u16,
    request: &'static [u8],
    slow: usize,
    silent: usize,
    pace: Duration,
    give_up: Duration,
) -> std::thread::JoinHandle<Crowd> {
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut crowd: Vec<(TcpStream, usize, Option<Duration>)> = (0..slow + silent)
            .map(|i| {
                let stream = connect_to(port);
                stream.set_nonblocking(true).expect("non-blocking");
                // Silent clients count as having sent everything.
                let sent = if i < slow { 0 } else { request.len() };
                (stream, sent, None)
            })
            .collect();
        let mut buf = [0u8; 1024];
        while started.elapsed() < give_up && crowd.iter().any(|c| c.2.is_none()) {
            for (stream, sent, closed) in crowd.iter_mut().filter(|c| c.2.is_none()) {
                let gone = match stream.read(&mut buf) {
                    Ok(0) => true,
                    Ok(_) => false,
                    Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
                };
                let next = request
                    .get(*sent..*sent + 1)
                    .filter(|_| *sent + 1 < request.len());
                let write_failed = next.is_some_and(|byte| stream.write(byte).is_err());
                if next.is_some() && !write_failed {
                    *sent += 1;
                }
                if gone || write_failed {
                    *closed = Some(started.elapsed());
                }
            }
            std::thread::sleep(pace);
        }
        Crowd {
            lifetimes: crowd.into_iter().map(|c| c.2).collect(),
        }
    })
}

/// Slow requests and silent connections on an HTTP server and on a
/// websocket port: each is closed by its header or handshake timeout,
/// normal users on telnet, websocket and HTTP keep getting answers, and
/// the driver's descriptors come back to where they were.
#[test]
fn slowloris_is_timed_out_and_others_are_served() {
    let _turn = one_at_a_time();
    let timeout = Duration::from_secs(2);
    let websocket_port = free_port();
    let http_port = free_port();
    let driver = Driver::start(&format!(
        "login timeout : {}\nconnections per address : 0\nexternal_port_2 : websocket {websocket_port}\n",
        timeout.as_secs()
    ));
    let mut watcher = driver.user();
    watcher.line(&format!("serve {http_port}"));
    watcher.expect("SERVING");
    let mut web_watcher = websocket_user(websocket_port);
    // A keep-alive HTTP client that asks once and then idles.
    let mut idle_http = connect_to(http_port);
    idle_http
        .write_all(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("send request");
    let mut idle_client = Client {
        stream: idle_http.try_clone().expect("clone"),
        raw: Vec::new(),
    };
    idle_client.expect("pong");
    let idle_since = Instant::now();
    let quiet = (
        median_round_trip(&mut watcher, "quiet"),
        websocket_round_trip(&mut web_watcher, "quiet"),
        http_round_trip(http_port),
    );
    std::thread::sleep(Duration::from_millis(200));
    let baseline = driver.descriptors();
    let rss_before = driver.rss_kib();
    println!(
        "quiet: telnet {:.2} ms, websocket {:.2} ms, HTTP {:.2} ms; {baseline} descriptors, RSS {rss_before} KiB",
        ms(quiet.0),
        ms(quiet.1),
        ms(quiet.2)
    );

    // Websocket connections that finish the handshake and then say
    // nothing are held to the same deadline as their handshake.
    let mut mute: Vec<Client> = (0..20)
        .map(|_| {
            let mut client = Client {
                stream: connect_to(websocket_port),
                raw: Vec::new(),
            };
            client.stream.write_all(UPGRADE).expect("send upgrade");
            client
        })
        .collect();
    let mute_since = Instant::now();
    for client in &mut mute {
        assert!(
            client.closed_within(timeout * 4),
            "a websocket connection stayed open without a message"
        );
        assert!(find(&client.raw, b"101 Switching").is_some());
    }
    println!(
        "20 websocket connections silent after their handshake closed after {:.0} ms",
        ms(mute_since.elapsed())
    );
    drop(mute);

    let pace = Duration::from_millis(300);
    let give_up = Duration::from_secs(15);
    let crowds = [
        (
            "HTTP",
            slowloris(http_port, HTTP_GET, 150, 50, pace, give_up),
        ),
        (
            "websocket",
            slowloris(websocket_port, UPGRADE, 150, 50, pace, give_up),
        ),
    ];
    let mut times: [Vec<Duration>; 3] = Default::default();
    let mut peak = baseline;
    while crowds.iter().any(|(_, c)| !c.is_finished()) {
        times[0].push(watcher.round_trip("telnet"));
        times[1].push(websocket_round_trip(&mut web_watcher, "ws"));
        times[2].push(http_round_trip(http_port));
        peak = peak.max(driver.descriptors());
        std::thread::sleep(Duration::from_millis(20));
    }
    for (name, crowd) in crowds {
        let crowd = crowd.join().expect("crowd thread");
        println!(
            "{name} slowloris: {} of {} connections closed after {:.0} to {:.0} ms (timeout {} s)",
            crowd.closed(),
            crowd.lifetimes.len(),
            ms(crowd.shortest()),
            ms(crowd.longest()),
            timeout.as_secs()
        );
        assert_eq!(
            crowd.closed(),
            crowd.lifetimes.len(),
            "{name}: slow connections outlived the timeout"
        );
        assert!(
            crowd.shortest() >= timeout.mul_f32(0.9),
            "{name}: a connection was closed before its timeout"
        );
    }
    for (kind, mut samples) in ["telnet", "websocket", "HTTP"].into_iter().zip(times) {
        samples.sort();
        let worst = samples.last().copied().unwrap_or_default();
        println!(
            "{kind} round trips during the attack: {} samples, median {:.2} ms, worst {:.2} ms",
            samples.len(),
            ms(samples[samples.len() / 2]),
            ms(worst)
        );
        assert!(
            worst < Duration::from_secs(2),
            "{kind}: a round trip took {worst:?}"
        );
    }
    // An idle keep-alive connection waits for its next request head under
    // the same timeout.
    assert!(
        idle_client.closed_within(give_up),
        "an idle keep-alive HTTP connection stayed open"
    );
    println!(
        "idle keep-alive HTTP connection found closed {:.0} ms after its answer",
        ms(idle_since.elapsed())
    );
    drop(idle_client);
    drop(idle_http);
    let after = driver.descriptors_back_to(baseline, Duration::from_secs(10));
    println!(
        "descriptors: {baseline} before, {peak} at the peak, {after} after; RSS {} KiB (before {rss_before})",
        driver.rss_kib()
    );
    assert!(peak > baseline + 300, "the crowd did not reach the driver");
    assert!(
        after <= baseline,
        "descriptors did not come back: {after} after, {baseline} before"
    );
    watcher.round_trip("after");
    websocket_round_trip(&mut web_watcher, "after");

    // A websocket message over the cap ends its connection.
    let mut big = websocket_user(websocket_port);
    let len = 70_000u64;
    let mut frame = vec![0x82, 0x80 | 127];
    frame.extend(len.to_be_bytes());
    frame.extend([0, 0, 0, 0]);
    frame.extend(vec![b'b'; len as usize]);
    // The driver may close before it has read the whole frame.
    let _ = big.stream.write_all(&frame);
    assert!(
        big.closed_within(PATIENCE),
        "a websocket message of 70,000 bytes was taken"
    );
    websocket_round_trip(&mut web_watcher, "after-big");
}

impl Client {
    /// What `/flood` has received: bytes and reads.
    fn flood_count(&mut self) -> (u64, u64) {
        self.line("flood count");
        self.expect("COUNT ");
        let text = self.expect(".");
        let mut numbers = text
            .trim_end_matches('.')
            .split_whitespace()
            .map(|n| n.parse().unwrap_or(0));
        (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
    }
}

/// The first connection to `listener`, which must come within `patience`.
fn accept_within(listener: &std::net::TcpListener, patience: Duration) -> TcpStream {
    listener.set_nonblocking(true).expect("non-blocking");
    let deadline = Instant::now() + patience;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).expect("blocking");
                return stream;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "nobody connected");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// Echo round trips of `watcher` while `flood` runs: they stay prompt,
/// and the driver's memory flat. Prints what was seen under `what`.
fn served_beside<T>(
    driver: &Driver,
    watcher: &mut Client,
    what: &str,
    flood: std::thread::JoinHandle<T>,
) -> T {
    let mut echoes = Vec::new();
    let rss_start = driver.rss_kib();
    let mut rss_peak = rss_start;
    while !flood.is_finished() {
        echoes.push(watcher.round_trip("beside-flood"));
        rss_peak = rss_peak.max(driver.rss_kib());
        std::thread::sleep(Duration::from_millis(10));
    }
    echoes.sort();
    let worst = echoes.last().copied().unwrap_or_default();
    println!(
        "{what}: echo median {:.2} ms, worst {:.2} ms; RSS {rss_start} KiB before, {rss_peak} KiB at the peak",
        ms(echoes.get(echoes.len() / 2).copied().unwrap_or_default()),
        ms(worst)
    );
    // Most echoes stay prompt; slow ones on a loaded machine are the
    // scheduler, but a flood holding the VM delays them by many seconds.
    let p90 = echoes
        .get(echoes.len() * 9 / 10)
        .copied()
        .unwrap_or_default();
    assert!(
        p90 < Duration::from_secs(1) && worst < Duration::from_secs(5),
        "{what}: echoes took {p90:?} at the 90th percentile, {worst:?} at worst"
    );
    assert!(
        rss_peak < rss_start + 48 * 1024,
        "{what}: memory grew from {rss_start} KiB to {rss_peak} KiB"
    );
    flood.join().expect("flood thread")
}

/// A peer of the sockets package that sends faster than the VM reads: over
/// TCP it is held back (the driver's memory stays flat and no byte is
/// lost), over UDP the datagrams the driver cannot take are lost in the
/// kernel; a user is answered promptly throughout.
#[test]
fn a_flooding_socket_peer_is_held_back_and_others_are_served() {
    let _turn = one_at_a_time();
    let driver = Driver::start("");
    let mut watcher = driver.user();
    let mut operator = driver.user();
    let flood_time = Duration::from_secs(3);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    operator.line(&format!("flood tcp {port}"));
    operator.expect("TCP 1");
    let mut peer = accept_within(&listener, PATIENCE);
    peer.set_write_timeout(Some(Duration::from_millis(100)))
        .expect("write timeout");
    let flood_end = Instant::now() + flood_time;
    let sender = std::thread::spawn(move || {
        let chunk = vec![b'z'; 64 << 10];
        let mut sent = 0u64;
        while Instant::now() < flood_end {
            if let Ok(n) = peer.write(&chunk) {
                sent += n as u64;
            }
        }
        sent
    });
    let sent = served_beside(&driver, &mut watcher, "TCP peer flooding", sender);
    // Every byte the peer got rid of reaches LPC, in time.
    let deadline = Instant::now() + PATIENCE;
    let (got, reads) = loop {
        let (got, reads) = operator.flood_count();
        if got >= sent || Instant::now() > deadline {
            break (got, reads);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    println!(
        "TCP peer flooding for {} s: {sent} bytes sent, {got} read by LPC in {reads} reads",
        flood_time.as_secs()
    );
    assert_eq!(got, sent, "bytes were lost on the way to LPC");

    let udp_port = free_port();
    operator.line(&format!("flood udp {udp_port}"));
    operator.expect("UDP 1");
    let (bytes_before, reads_before) = operator.flood_count();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket
        .connect(("127.0.0.1", udp_port))
        .expect("connect the datagram socket");
    let flood_end = Instant::now() + flood_time;
    let sender = std::thread::spawn(move || {
        let datagram = [b'u'; 1024];
        let mut sent = 0u64;
        while Instant::now() < flood_end {
            if socket.send(&datagram).is_ok() {
                sent += 1;
            }
        }
        sent
    });
    let sent = served_beside(&driver, &mut watcher, "UDP peer flooding", sender);
    std::thread::sleep(Duration::from_millis(500));
    let (bytes, reads) = operator.flood_count();
    let delivered = reads - reads_before;
    println!(
        "UDP peer flooding for {} s: {sent} datagrams sent, {delivered} read by LPC ({} bytes)",
        flood_time.as_secs(),
        bytes - bytes_before
    );
    assert!(delivered > 0 && delivered <= sent);

    // A websocket server that floods an LPC websocket client.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let (bytes_before, _) = operator.flood_count();
    operator.line(&format!("flood ws {port}"));
    operator.expect("WS 1");
    let mut server = websocket_server(&listener);
    let flood_end = Instant::now() + flood_time;
    let sender = std::thread::spawn(move || {
        // Binary frames of 1 KiB, unmasked as a server sends them.
        let mut frame = vec![0x82, 126, 4, 0];
        frame.extend([b'w'; 1024]);
        let mut sent = 0u64;
        while Instant::now() < flood_end && server.write_all(&frame).is_ok() {
            sent += 1;
        }
        (sent, server)
    });
    let (sent, _server) = served_beside(&driver, &mut watcher, "websocket server flooding", sender);
    let deadline = Instant::now() + PATIENCE;
    let got = loop {
        let got = operator.flood_count().0 - bytes_before;
        if got >= sent * 1024 || Instant::now() > deadline {
            break got;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    println!(
        "websocket server flooding for {} s: {sent} messages of 1 KiB sent, {} read by LPC",
        flood_time.as_secs(),
        got / 1024
    );
    assert_eq!(got, sent * 1024, "messages were lost on the way to LPC");
    watcher.round_trip("after");
}

/// The first websocket client of `listener`, its handshake answered by
/// hand; reads and writes time out after [`PATIENCE`].
fn websocket_server(listener: &std::net::TcpListener) -> TcpStream {
    let mut server = accept_within(listener, PATIENCE);
    server
        .set_read_timeout(Some(PATIENCE))
        .expect("read timeout");
    server
        .set_write_timeout(Some(PATIENCE))
        .expect("write timeout");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        server.read_exact(&mut byte).expect("read the upgrade");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let key = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(name, _)| name.eq_ignore_ascii_case("sec-websocket-key"))
        })
        .map(|(_, value)| value.trim().to_string())
        .expect("a key");
    let accept = async_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    server
        .write_all(format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n").as_bytes())
        .expect("answer the upgrade");
    server
}

/// A Mosquitto broker of its own on a loopback port, open to anonymous
/// clients and keeping every QoS 1 message for a slow subscriber; killed
/// when dropped.
struct Broker {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Broker {
    fn start() -> Broker {
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = free_port();
        let config = format!(
            "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\nuser root\n"
        );
        let path = dir.path().join("mosquitto.conf");
        std::fs::write(&path, config).expect("write the broker's config");
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto runs (apt-get install mosquitto)");
        let broker = Broker {
            child,
            port,
            _dir: dir,
        };
        drop(connect_to(port));
        broker
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An MQTT control packet: its first byte, the remaining length and `body`.
fn mqtt_packet(first: u8, body: &[u8]) -> Vec<u8> {
    let mut packet = vec![first];
    let mut len = body.len();
    loop {
        let digit = (len % 128) as u8;
        len /= 128;
        packet.push(if len > 0 { digit | 0x80 } else { digit });
        if len == 0 {
            break;
        }
    }
    packet.extend_from_slice(body);
    packet
}

/// An MQTT string: its length in two bytes, then its bytes.
fn mqtt_string(text: &[u8]) -> Vec<u8> {
    let mut out = u16::try_from(text.len())
        .expect("a short string")
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(text);
    out
}

/// Publishes `count` QoS 1 messages of `payload` to `topic` as fast as the
/// broker takes them, speaking MQTT 3.1.1 itself; returns how many the
/// broker acknowledged.
fn mqtt_flood(port: u16, topic: &str, payload: &[u8], count: u16) -> u64 {
    let mut stream = connect_to(port);
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("read timeout");
    let mut connect = mqtt_string(b"MQTT");
    // Level 4 (3.1.1), a clean session, a keep-alive of 60 seconds.
    connect.extend([4, 0x02, 0, 60]);
    connect.extend(mqtt_string(b"flooder"));
    stream
        .write_all(&mqtt_packet(0x10, &connect))
        .expect("send CONNECT");
    let mut connack = [0u8; 4];
    stream.read_exact(&mut connack).expect("read CONNACK");
    assert_eq!(connack, [0x20, 2, 0, 0], "the broker refused the publisher");
    // PUBACKs are counted as they come, so the broker never waits on them.
    let mut acks = stream.try_clone().expect("clone");
    let counter = std::thread::spawn(move || {
        let want = u64::from(count) * 4;
        let mut got = 0u64;
        let mut buf = [0u8; 4096];
        while got < want {
            match acks.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n as u64,
            }
        }
        got / 4
    });
    let topic = mqtt_string(topic.as_bytes());
    for id in 1..=count {
        let mut body = topic.clone();
        body.extend(id.to_be_bytes());
        body.extend_from_slice(payload);
        stream
            .write_all(&mqtt_packet(0x32, &body))
            .expect("send PUBLISH");
    }
    let acknowledged = counter.join().expect("counter thread");
    let _ = stream.write_all(&[0xe0, 0]);
    acknowledged
}

/// A publisher floods a topic that an LPC MQTT client subscribes to at QoS
/// 1, far faster than the VM handles messages: the client's window holds
/// the flood back in the broker, the driver's memory stays flat, a user's
/// round trips stay prompt, and every message reaches LPC.
#[test]
fn an_mqtt_flood_is_held_back_and_every_message_arrives() {
    let _turn = one_at_a_time();
    let broker = Broker::start();
    let driver = Driver::start("");
    let mut watcher = driver.user();
    let mut operator = driver.user();
    operator.line(&format!("flood mqtt {}", broker.port));
    operator.expect("MQTT 1");
    let deadline = Instant::now() + PATIENCE;
    loop {
        operator.line("flood mqready");
        if operator.expect(".").contains("MQREADY 1") {
            break;
        }
        assert!(Instant::now() < deadline, "the subscriber never got ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    const MESSAGES: u16 = 40_000;
    let payload = [b'm'; 200];
    let port = broker.port;
    let flood = std::thread::spawn(move || {
        let started = Instant::now();
        let acknowledged = mqtt_flood(port, "flood/x", &payload, MESSAGES);
        let published = started.elapsed();
        let deadline = Instant::now() + Duration::from_secs(60);
        let (bytes, reads) = loop {
            let (bytes, reads) = operator.flood_count();
            if reads >= acknowledged || Instant::now() > deadline {
                break (bytes, reads);
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        (acknowledged, published, started.elapsed(), bytes, reads)
    });
    let (acknowledged, published, drained, bytes, reads) =
        served_beside(&driver, &mut watcher, "MQTT publisher flooding", flood);
    println!(
        "MQTT flood: {acknowledged} messages of {} bytes acknowledged by the broker in {:.0} ms; LPC handled {reads} ({bytes} bytes) after {:.0} ms",
        payload.len(),
        ms(published),
        ms(drained)
    );
    assert_eq!(
        acknowledged,
        u64::from(MESSAGES),
        "the broker lost messages"
    );
    assert_eq!(reads, acknowledged, "messages were lost on the way to LPC");
    assert_eq!(bytes, acknowledged * payload.len() as u64);
    watcher.round_trip("after");
}

/// Many telnet and websocket users connect, each sends a line of 4 KiB,
/// and all leave at once; twice. Prints the memory each connection costs
/// and what stays after they leave, and checks that the second crowd
/// reuses the memory of the first instead of adding to it, and that
/// descriptors come back to the baseline.
#[test]
fn memory_is_reused_and_returned_after_a_mass_disconnect() {
    let _turn = one_at_a_time();
    let websocket_port = free_port();
    let driver = Driver::start(&format!(
        "connections per address : 0\nexternal_port_2 : websocket {websocket_port}\n"
    ));
    let mut watcher = driver.user();
    let http_port = free_port();
    watcher.line(&format!("serve {http_port}"));
    watcher.expect("SERVING");
    let crowd = 300;
    let line = "l".repeat(4096);
    let baseline_fds = driver.descriptors();
    let rss_start = driver.rss_kib();
    let mut peaks = Vec::new();
    for round in 0..2 {
        let rss_before = driver.rss_kib();
        let mut telnet: Vec<Client> = (0..crowd).map(|_| driver.user()).collect();
        let rss_telnet = driver.rss_kib();
        for client in &mut telnet {
            client.round_trip(&line);
        }
        let rss_telnet_lines = driver.rss_kib();
        let mut websocket: Vec<Client> =
            (0..crowd).map(|_| websocket_user(websocket_port)).collect();
        let rss_websocket = driver.rss_kib();
        for client in &mut websocket {
            websocket_round_trip(client, &line[..100]);
        }
        let rss_websocket_lines = driver.rss_kib();
        // Keep-alive HTTP clients that asked once.
        let http: Vec<Client> = (0..crowd).map(|_| http_client(http_port)).collect();
        let rss_peak = driver.rss_kib();
        drop(telnet);
        drop(websocket);
        drop(http);
        let fds = driver.descriptors_back_to(baseline_fds, Duration::from_secs(10));
        // Give the VM time to see every disconnect.
        watcher.round_trip("after-crowd");
        std::thread::sleep(Duration::from_millis(500));
        let rss_after = driver.rss_kib();
        let each = |from: u64, to: u64| to.saturating_sub(from) as f64 / crowd as f64;
        println!(
            "round {round}: RSS {rss_before} KiB before; {crowd} telnet users {:.1} KiB each, {:.1} KiB more each after a 4 KiB line; {crowd} websocket users {:.1} KiB each, {:.1} KiB more each after a line; {crowd} HTTP clients {:.1} KiB each; peak {rss_peak} KiB; {rss_after} KiB after they left ({fds} descriptors, {baseline_fds} before)",
            each(rss_before, rss_telnet),
            each(rss_telnet, rss_telnet_lines),
            each(rss_telnet_lines, rss_websocket),
            each(rss_websocket, rss_websocket_lines),
            each(rss_websocket_lines, rss_peak),
        );
        assert!(fds <= baseline_fds, "descriptors did not come back");
        peaks.push(rss_peak);
    }
    // Users whose client accepts MCCP: each has a compressor of its own.
    let mut compressing: Vec<Client> = (0..100).map(|_| driver.user()).collect();
    let rss_users = driver.rss_kib();
    for client in &mut compressing {
        client
            .stream
            .write_all(&[255, 253, 86])
            .expect("accept MCCP2");
        client.line("echo compressed");
    }
    // The answers come compressed: wait for the last compressor to start.
    watcher.round_trip("after-mccp");
    std::thread::sleep(Duration::from_millis(300));
    println!(
        "100 users accepting MCCP2: {:.1} KiB more each once compressing",
        driver.rss_kib().saturating_sub(rss_users) as f64 / 100.0
    );
    drop(compressing);
    let growth = peaks[1].saturating_sub(peaks[0]);
    assert!(
        growth < peaks[0].saturating_sub(rss_start) / 4 + 2048,
        "the second crowd added {growth} KiB to the first one's peak"
    );
    // The allocator gives freed pages back within seconds (it decays them
    // over ten), so most of what the crowds cost is returned; pages that
    // still hold a live block stay.
    let crowd_cost = peaks[1].saturating_sub(rss_start);
    let allowed = rss_start + crowd_cost / 2;
    let started = std::time::Instant::now();
    let mut rss = driver.rss_kib();
    while rss > allowed && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(500));
        rss = driver.rss_kib();
    }
    println!(
        "after everyone left: {rss} KiB in {:.1?} (started at {rss_start} KiB, peak {} KiB)",
        started.elapsed(),
        peaks[1]
    );
    assert!(
        rss <= allowed,
        "memory stayed at {rss} KiB after the crowds left (started at {rss_start} KiB)"
    );
}

/// A keep-alive HTTP client that asked once and got its answer.
fn http_client(port: u16) -> Client {
    let mut client = Client {
        stream: connect_to(port),
        raw: Vec::new(),
    };
    client
        .stream
        .write_all(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("send request");
    client.expect("pong");
    client
}

/// A connection to `port` over its address's limit that sends nothing:
/// the server closes it at the refusal's timeout, having sent nothing.
fn refused_at(port: u16) {
    let mut client = Client {
        stream: connect_to(port),
        raw: Vec::new(),
    };
    let started = Instant::now();
    assert!(
        client.closed_within(REFUSAL_PATIENCE + Duration::from_secs(2)),
        "a connection over the address's limit stayed open"
    );
    assert!(
        client.raw.is_empty(),
        "a silent refused connection got an answer"
    );
    println!(
        "port {port}: one connection over the limit closed after {:.1} ms",
        ms(started.elapsed())
    );
}

/// HTTP servers hold each address to its limit: the config's `connections
/// per address` by default, the server's option when given. The
/// connection beyond it is refused and counted in the metrics; once
/// one of the others leaves, the address is let in again.
#[test]
fn http_servers_limit_connections_per_address() {
    let _turn = one_at_a_time();
    let driver = Driver::start("connections per address : 3\nmetrics path : /metrics\n");
    let mut watcher = driver.user();
    let by_config = free_port();
    let by_option = free_port();
    watcher.line(&format!("serve {by_config} default"));
    watcher.expect("SERVING");
    watcher.line(&format!("serve {by_option} 5"));
    watcher.expect("SERVING");
    for (port, limit) in [(by_config, 3), (by_option, 5)] {
        let mut open: Vec<Client> = (0..limit).map(|_| http_client(port)).collect();
        refused_at(port);
        // Whatever is open still gets answers.
        open[0]
            .stream
            .write_all(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .expect("send request");
        open[0].expect("pong");
        drop(open.pop());
        // The server sees the close a moment later.
        let deadline = Instant::now() + PATIENCE;
        loop {
            let mut client = Client {
                stream: connect_to(port),
                raw: Vec::new(),
            };
            let _ = client
                .stream
                .write_all(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            if !client.closed_within(Duration::from_millis(200))
                || find(&client.raw, b"pong").is_some()
            {
                client.expect("pong");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "port {port}: the address was not let in again after a connection left"
            );
        }
    }
    // The limit of the second server leaves room to ask for the metrics.
    let mut scrape = Client {
        stream: connect_to(by_option),
        raw: Vec::new(),
    };
    scrape
        .stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .expect("send request");
    let page = scrape.expect("\nlpc_connections_refused_total ");
    let count = scrape.expect("\n");
    assert!(page.contains("HTTP/1.1 200"), "{page}");
    let refused: u64 = count.trim().parse().unwrap_or(0);
    assert!(
        refused >= 2,
        "the refusals were not counted: lpc_connections_refused_total {count}"
    );
    watcher.round_trip("after");
}

/// A websocket frame from a client (masked with zeros) holding `payload`.
fn websocket_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        len @ 0..=125 => frame.push(0x80 | len as u8),
        len @ 126..=0xffff => {
            frame.push(0x80 | 126);
            frame.extend((len as u16).to_be_bytes());
        }
        len => {
            frame.push(0x80 | 127);
            frame.extend((len as u64).to_be_bytes());
        }
    }
    frame.extend([0, 0, 0, 0]);
    frame.extend_from_slice(payload);
    frame
}

/// `websocket max message` sets the cap on a client's messages: one just
/// under it is taken, one over it ends the connection.
#[test]
fn the_websocket_message_cap_is_configurable() {
    let _turn = one_at_a_time();
    let websocket_port = free_port();
    let driver = Driver::start(&format!(
        "websocket max message : 1024\nexternal_port_2 : websocket {websocket_port}\n"
    ));
    let mut watcher = driver.user();
    let mut near = websocket_user(websocket_port);
    let text = format!("echo {}\n", "n".repeat(1000));
    near.stream
        .write_all(&websocket_frame(1, text.as_bytes()))
        .expect("send frame");
    near.expect("ECHO: nnnn");
    let mut over = websocket_user(websocket_port);
    let text = format!("echo {}\n", "o".repeat(1100));
    let _ = over.stream.write_all(&websocket_frame(1, text.as_bytes()));
    assert!(
        over.closed_within(PATIENCE),
        "a websocket message of 1,106 bytes was taken under a cap of 1,024"
    );
    assert!(find(&over.raw, b"ECHO: o").is_none());
    websocket_round_trip(&mut near, "still-here");
    watcher.round_trip("after");
}

/// A connection that sends `request` and reads until the server closes
/// it, within `patience`: what came, and when it closed.
fn answered_and_closed(port: u16, request: &[u8], patience: Duration) -> (String, Duration) {
    let mut client = Client {
        stream: connect_to(port),
        raw: Vec::new(),
    };
    let started = Instant::now();
    client.stream.write_all(request).expect("send request");
    assert!(
        client.closed_within(patience),
        "port {port}: a refused connection stayed open after its answer: {:?}",
        String::from_utf8_lossy(&client.raw)
    );
    (
        String::from_utf8_lossy(&client.raw).into_owned(),
        started.elapsed(),
    )
}

/// How long a refused connection has for its request head (the driver's
/// `web::refusal::PATIENCE`), and how many refusals it answers at once.
const REFUSAL_PATIENCE: Duration = Duration::from_secs(2);
const REFUSALS_ANSWERED: usize = 32;

/// Holds the address to a limit of two on the server at `port`, where
/// `request` gets an answer holding `answer`: the third connection gets a
/// 503 and is closed, one that says nothing is closed at the refusal's
/// timeout, and a crowd of 200 is closed too, most of it at once; the two
/// held connections keep their answers, and the driver's descriptors come
/// back to where they were.
fn refusals_are_answered(driver: &Driver, what: &str, port: u16, request: &[u8], answer: &str) {
    let mut held: Vec<Client> = (0..2)
        .map(|_| {
            let mut client = Client {
                stream: connect_to(port),
                raw: Vec::new(),
            };
            client.stream.write_all(request).expect("send request");
            client.expect(answer);
            client
        })
        .collect();
    let baseline = driver.descriptors();

    let (text, took) = answered_and_closed(port, request, PATIENCE);
    let head = text.to_ascii_lowercase();
    assert!(
        head.starts_with("http/1.1 503 service unavailable\r\n"),
        "{what}: {text:?}"
    );
    assert!(head.contains("\r\nretry-after: 1\r\n"), "{what}: {text:?}");
    assert!(
        head.contains("\r\nconnection: close\r\n"),
        "{what}: {text:?}"
    );
    assert!(text.contains("Too many connections"), "{what}: {text:?}");
    println!(
        "{what}: the connection over the limit was answered 503 and closed after {:.1} ms",
        ms(took)
    );
    // A request whose body never comes: answered, and closed all the same.
    let (text, took) = answered_and_closed(
        port,
        b"POST /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n",
        PATIENCE,
    );
    assert!(text.starts_with("HTTP/1.1 503 "), "{what}: {text:?}");
    println!(
        "{what}: a refused request whose body never came was answered 503 and closed after {:.1} ms",
        ms(took)
    );
    for client in &mut held {
        client.stream.write_all(request).expect("send request");
        client.expect(answer);
    }

    let mut silent = Client {
        stream: connect_to(port),
        raw: Vec::new(),
    };
    let started = Instant::now();
    assert!(
        silent.closed_within(PATIENCE),
        "{what}: a silent refused connection stayed open"
    );
    let took = started.elapsed();
    assert!(
        silent.raw.is_empty(),
        "{what}: a silent connection got {:?}",
        silent.raw
    );
    assert!(
        took < REFUSAL_PATIENCE + Duration::from_millis(1500),
        "{what}: a silent refused connection was closed only after {took:?}"
    );
    println!(
        "{what}: a silent refused connection was closed after {:.1} ms",
        ms(took)
    );

    // A crowd that says nothing: only a few are kept waiting for their
    // request head; the others are closed at once.
    let crowd = 200;
    let mut open: Vec<(usize, TcpStream)> = Vec::new();
    let mut connected = Vec::with_capacity(crowd);
    let mut closed: Vec<Option<Instant>> = vec![None; crowd];
    // The open ones are looked at after each connect too, as connecting
    // them all may take a while on a busy machine.
    let mut look = |open: &mut Vec<(usize, TcpStream)>| {
        open.retain_mut(|(n, stream)| {
            let gone = match stream.read(&mut [0u8; 512]) {
                Ok(0) => true,
                Ok(_) => false,
                Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
            };
            if gone {
                closed[*n] = Some(Instant::now());
            }
            !gone
        });
    };
    for n in 0..crowd {
        let stream = connect_to(port);
        stream.set_nonblocking(true).expect("non-blocking");
        connected.push(Instant::now());
        open.push((n, stream));
        look(&mut open);
    }
    let give_up = Instant::now() + PATIENCE;
    while !open.is_empty() && Instant::now() < give_up {
        look(&mut open);
        std::thread::sleep(Duration::from_millis(10));
    }
    let spans: Vec<(Instant, Instant)> = connected
        .iter()
        .zip(&closed)
        .filter_map(|(&from, &to)| Some((from, to?)))
        .collect();
    let crowd_seen = Crowd {
        lifetimes: spans.iter().map(|(from, to)| Some(*to - *from)).collect(),
    };
    // The ones kept for their request head, and the most of them kept at
    // once; a close is seen up to a look late, hence the margin.
    let margin = Duration::from_millis(100);
    let kept: Vec<(Instant, Instant)> = spans
        .iter()
        .filter(|(from, to)| *to - *from > REFUSAL_PATIENCE / 2)
        .map(|&(from, to)| (from, to - margin))
        .collect();
    let most_kept = kept
        .iter()
        .map(|&(at, _)| {
            kept.iter()
                .filter(|(from, to)| *from <= at && at < *to)
                .count()
        })
        .max()
        .unwrap_or(0);
    println!(
        "{what}: {crowd} silent refused connections: {} closed, the first after {:.1} ms, the last after {:.1} ms; {} kept for their request head, at most {most_kept} at once",
        crowd_seen.closed(),
        ms(crowd_seen.shortest()),
        ms(crowd_seen.longest()),
        kept.len()
    );
    assert_eq!(
        crowd_seen.closed(),
        crowd,
        "{what}: refused connections stayed open"
    );
    assert!(
        (1..=REFUSALS_ANSWERED).contains(&most_kept),
        "{what}: {most_kept} refused connections were kept at once"
    );
    let fds = driver.descriptors_back_to(baseline, Duration::from_secs(10));
    assert!(
        fds <= baseline,
        "{what}: {fds} descriptors open, {baseline} before the refusals"
    );
    for client in &mut held {
        client.stream.write_all(request).expect("send request");
        client.expect(answer);
    }
}

/// With `connections per address` at 2, the third connection of an
/// address to a server of `http_serve`, of `graphql_serve` or to the
/// metrics port is answered 503 with Retry-After and closed, as a proxy's
/// connection limit does; the refusals are counted in the metrics.
#[test]
fn refused_http_connections_are_answered_503_and_closed() {
    let _turn = one_at_a_time();
    let metrics_port = free_port();
    let driver = Driver::start(&format!(
        "connections per address : 2\nmetrics port : {metrics_port}\n"
    ));
    let mut watcher = driver.user();
    let (http_port, graphql_port) = (free_port(), free_port());
    for command in [
        format!("serve {http_port} 2"),
        format!("graphql {graphql_port} 2"),
    ] {
        watcher.line(&command);
        watcher.expect("SERVING");
    }
    refusals_are_answered(&driver, "http_serve", http_port, HTTP_GET, "pong");
    refusals_are_answered(
        &driver,
        "graphql_serve",
        graphql_port,
        b"GET /graphql?query=%7Bping%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "{\"data\":{\"ping\":\"pong\"}}",
    );
    refusals_are_answered(
        &driver,
        "metrics port",
        metrics_port,
        b"GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "Not found",
    );
    watcher.round_trip("after");
    let refused = refused_total(metrics_port);
    assert!(
        refused >= 3 * 202,
        "the refusals were not counted: lpc_connections_refused_total {refused}"
    );
}

/// `lpc_connections_refused_total` of the metrics page on `metrics_port`.
fn refused_total(metrics_port: u16) -> u64 {
    let (page, _) = answered_and_closed(
        metrics_port,
        b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        PATIENCE,
    );
    page.lines()
        .find_map(|l| l.strip_prefix("lpc_connections_refused_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// With `idle timeout` set, a connection that has logged in and then
/// sends nothing for that long is closed, on telnet and websocket ports;
/// one that keeps talking stays.
#[test]
fn idle_connections_are_closed_when_configured() {
    let _turn = one_at_a_time();
    let websocket_port = free_port();
    let driver = Driver::start(&format!(
        "idle timeout : 2\nexternal_port_2 : websocket {websocket_port}\n"
    ));
    let mut talker = driver.user();
    let mut quiet = driver.user();
    quiet.round_trip("hello");
    let mut quiet_web = websocket_user(websocket_port);
    websocket_round_trip(&mut quiet_web, "hello");
    let started = Instant::now();
    // The talker speaks every half second for longer than the timeout.
    while started.elapsed() < Duration::from_secs(3) {
        talker.round_trip("still here");
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        quiet.closed_within(Duration::from_secs(2)),
        "a quiet telnet user stayed"
    );
    assert!(
        quiet_web.closed_within(Duration::from_secs(2)),
        "a quiet websocket user stayed"
    );
    let took = started.elapsed();
    println!(
        "idle timeout 2 s: quiet users closed by {:.1} s, a talking one stayed",
        took.as_secs_f64()
    );
    talker.round_trip("after");
}

/// A websocket port turns the connection over an address's limit away as
/// an HTTP server does, since a browser sent it: a 503 it can show, then
/// the close; a telnet port keeps its notice in plain text.
#[test]
fn a_websocket_port_answers_refusals_503() {
    let _turn = one_at_a_time();
    let websocket_port = free_port();
    let driver = Driver::start(&format!(
        "connections per address : 2\nexternal_port_2 : websocket {websocket_port}\n"
    ));
    let mut held: Vec<Client> = (0..2).map(|_| websocket_user(websocket_port)).collect();
    let (text, took) = answered_and_closed(websocket_port, UPGRADE, PATIENCE);
    let head = text.to_ascii_lowercase();
    assert!(
        head.starts_with("http/1.1 503 service unavailable\r\n"),
        "{text:?}"
    );
    assert!(head.contains("\r\nretry-after: 1\r\n"), "{text:?}");
    assert!(!head.contains("101 switching"), "{text:?}");
    println!(
        "websocket port: the upgrade over the limit was answered 503 and closed after {:.1} ms",
        ms(took)
    );
    for (n, client) in held.iter_mut().enumerate() {
        websocket_round_trip(client, &format!("held-{n}"));
    }
    // The telnet port shares the address's count: its refusal is text.
    let mut refused = Client {
        stream: connect_to(driver.port),
        raw: Vec::new(),
    };
    assert!(
        refused.closed_within(PATIENCE),
        "a refused telnet user stayed"
    );
    let notice = String::from_utf8_lossy(&refused.raw).into_owned();
    assert!(notice.contains("Too many connections"), "{notice:?}");
}

/// A client that asks for many big answers at once and never reads them
/// is dropped once the server's output has waited `header_timeout` (2 s
/// here) for it, instead of holding its connection and an answer for
/// ever; others are served meanwhile.
#[test]
fn an_http_client_that_never_reads_its_answer_is_dropped() {
    let _turn = one_at_a_time();
    let driver = Driver::start("connections per address : 0\n");
    let mut watcher = driver.user();
    let port = free_port();
    watcher.line(&format!("serve {port}"));
    watcher.expect("SERVING");
    let baseline = driver.descriptors();
    let rss_before = driver.rss_kib();
    let stalled: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut stream = connect_to(port);
            // 15 MB of answers, more than the sockets between hold.
            let requests = b"GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(100);
            stream.write_all(&requests).expect("send requests");
            stream
        })
        .collect();
    let started = Instant::now();
    let mut worst = Duration::ZERO;
    while started.elapsed() < Duration::from_secs(1) {
        worst = worst.max(http_round_trip(port));
    }
    let rss_held = driver.rss_kib();
    let fds = driver.descriptors_back_to(baseline, Duration::from_secs(10));
    let took = started.elapsed();
    println!(
        "4 clients not reading 100 answers of 150 KB each: dropped after {:.1} s; others' worst HTTP round trip {:.1} ms meanwhile; RSS {rss_before} KiB before, {rss_held} KiB while held",
        took.as_secs_f64(),
        ms(worst)
    );
    assert!(
        fds <= baseline,
        "clients that never read were kept: {fds} descriptors, {baseline} before"
    );
    assert!(
        took >= Duration::from_millis(1500),
        "dropped before their stall lasted the timeout ({took:?})"
    );
    drop(stalled);
    watcher.round_trip("after");
}

/// An item of `flood.Flood` (`tests/abuse/flood.proto`).
#[derive(Clone, PartialEq, prost::Message)]
struct Item {
    #[prost(int64, tag = "1")]
    seq: i64,
    #[prost(string, tag = "2")]
    text: String,
}

/// How many items a gRPC flood pours, and the length of each one's text.
const GRPC_ITEMS: i64 = 40_000;
const GRPC_TEXT: usize = 200;

type Items = std::pin::Pin<Box<dyn futures_util::Stream<Item = Item> + Send>>;

/// Items 1 to [`GRPC_ITEMS`], made as fast as they are taken; `poured`
/// counts those taken.
fn pour(poured: std::sync::Arc<std::sync::atomic::AtomicI64>) -> Items {
    let text = "g".repeat(GRPC_TEXT);
    Box::pin(futures_util::stream::iter((1..=GRPC_ITEMS).map(
        move |seq| {
            poured.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Item {
                seq,
                text: text.clone(),
            }
        },
    )))
}

/// `Pour` of the tonic server: every item, as fast as the client takes
/// them.
#[derive(Clone, Default)]
struct Pourer(std::sync::Arc<std::sync::atomic::AtomicI64>);

type Boxed<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;
type Poured =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Item, tonic::Status>> + Send>>;

impl tonic::server::ServerStreamingService<Item> for Pourer {
    type Response = Item;
    type ResponseStream = Poured;
    type Future = Boxed<Result<tonic::Response<Poured>, tonic::Status>>;

    fn call(&mut self, _: tonic::Request<Item>) -> Self::Future {
        let items: Poured = Box::pin(pour(self.0.clone()).map(Ok));
        Box::pin(async move { Ok(tonic::Response::new(items)) })
    }
}

impl Client {
    /// Checks that `/flood` read every item of a gRPC flood, whole.
    fn read_every_grpc_item(&mut self) {
        let (bytes, reads) = self.flood_count();
        assert_eq!(
            reads, GRPC_ITEMS as u64,
            "items were lost on the way to LPC"
        );
        assert_eq!(bytes, reads * GRPC_TEXT as u64);
    }

    /// What `/flood` has seen of gRPC items: the last sequence number,
    /// the first one out of turn (0: none) and the call's status (-1:
    /// none yet).
    fn grpc_state(&mut self) -> (i64, i64, i64) {
        self.line("flood grpcstate");
        self.expect("GRPCSTATE ");
        let text = self.expect(".");
        let numbers: Vec<i64> = text
            .trim_end_matches('.')
            .split_whitespace()
            .map(|n| n.parse().unwrap_or(i64::MIN))
            .collect();
        match numbers[..] {
            [seen, disorder, status] => (seen, disorder, status),
            _ => panic!("bad state {text:?}"),
        }
    }
}

/// Follows what LPC reads while a gRPC peer pours items, until `done`
/// (given the reads so far) or a minute has passed: the most items that
/// were poured and not yet read, and the reads.
fn follow(
    operator: &mut Client,
    poured: &std::sync::atomic::AtomicI64,
    done: impl Fn(u64) -> bool,
) -> (i64, u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut behind = 0;
    loop {
        let (_, reads) = operator.flood_count();
        let reads_now = i64::try_from(reads).unwrap_or(i64::MAX);
        behind = behind.max(poured.load(std::sync::atomic::Ordering::Relaxed) - reads_now);
        if done(reads) || Instant::now() > deadline {
            return (behind, reads);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Prints what a gRPC flood did and checks that it stayed in bounds.
fn grpc_flood_report(driver: &Driver, what: &str, took: Duration, behind: i64, rss_before: u64) {
    let rss = (rss_before, driver.rss_kib());
    let grew = rss.1.saturating_sub(rss.0);
    println!(
        "{what}: {GRPC_ITEMS} items of {GRPC_TEXT} bytes in {:.0} ms ({:.0} items/s); at most {behind} poured and not yet read by LPC; RSS {} KiB before, {} KiB after (+{} KiB)",
        ms(took),
        GRPC_ITEMS as f64 / took.as_secs_f64(),
        rss.0,
        rss.1,
        grew
    );
    // The windows of HTTP/2 flow control and of the VM's jobs hold about
    // 1,700 items; one the driver took in without limit held thousands
    // more, and 20 MiB of memory.
    assert!(
        behind < 4000,
        "{what}: {behind} items were poured ahead of LPC"
    );
    assert!(grew < 12 * 1024, "{what}: memory grew by {grew} KiB");
}

/// A tonic server pours items into an LPC `grpc_call` of a
/// server-streaming method far faster than the VM handles them: the call
/// reads the next one only when the VM has room, so the flood waits in
/// HTTP/2 flow control, memory stays flat, a user's echoes stay prompt,
/// and every item arrives, in order, followed by status OK.
#[test]
fn a_grpc_server_stream_flood_is_held_back_and_every_item_arrives() {
    let _turn = one_at_a_time();
    let poured = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let pourer = Pourer(poured.clone());
    let port = flood_server(pourer, Sipper::default());
    let driver = Driver::start("");
    let mut watcher = driver.user();
    let mut operator = driver.user();
    // Serving starts the driver's gRPC thread, which the memory measured
    // before the flood should include.
    operator.line(&format!("flood grpcserve {}", free_port()));
    operator.expect("GRPCSERVE 1");
    let rss_before = driver.rss_kib();
    let flood = std::thread::spawn(move || {
        let started = Instant::now();
        operator.line(&format!("flood grpcpull {port}"));
        operator.expect("GRPC 1");
        let all = u64::try_from(GRPC_ITEMS).unwrap_or(0);
        let (behind, _) = follow(&mut operator, &poured, |reads| reads >= all);
        let took = started.elapsed();
        let deadline = Instant::now() + PATIENCE;
        let state = loop {
            let state = operator.grpc_state();
            if state.2 != -1 || Instant::now() > deadline {
                break state;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        (took, behind, state, operator)
    });
    let (took, behind, state, mut operator) =
        served_beside(&driver, &mut watcher, "gRPC server pouring", flood);
    grpc_flood_report(
        &driver,
        "gRPC server pouring into grpc_call",
        took,
        behind,
        rss_before,
    );
    assert_eq!(
        state,
        (GRPC_ITEMS, 0, 0),
        "(last item, first out of turn, status)"
    );
    operator.read_every_grpc_item();
    watcher.round_trip("after");
}

/// A tonic client pours items into an LPC handler of a bidirectional
/// method of `grpc_serve` far faster than the VM handles them: the server
/// reads the next request only when the VM has room, so memory stays flat
/// and a user's echoes prompt; the handler hears every item in order and
/// answers the end with their count. Then a client-streaming call of the
/// most items a stream may hold is gathered and handled whole, and one
/// more item, or more bytes than a stream may hold, fail the call.
#[test]
fn a_grpc_client_stream_flood_is_held_back_and_every_item_arrives() {
    let _turn = one_at_a_time();
    let driver = Driver::start("");
    let mut watcher = driver.user();
    let mut operator = driver.user();
    let port = free_port();
    operator.line(&format!("flood grpcserve {port}"));
    operator.expect("GRPCSERVE 1");
    let rss_before = driver.rss_kib();
    let poured = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let flood = std::thread::spawn(move || {
        let started = Instant::now();
        let items = pour(poured.clone());
        let client = std::thread::spawn(move || {
            tonic_peer::runtime().block_on(async move {
                let mut answers = drink(port, items).await;
                let wait = Duration::from_secs(90);
                let last = tokio::time::timeout(wait, answers.message()).await;
                let end = tokio::time::timeout(PATIENCE, answers.message()).await;
                (last, end)
            })
        });
        let (behind, _) = follow(&mut operator, &poured, |_| client.is_finished());
        let answers = client.join().expect("client thread");
        (started.elapsed(), behind, answers, operator)
    });
    let (took, behind, (last, end), mut operator) =
        served_beside(&driver, &mut watcher, "gRPC client pouring", flood);
    grpc_flood_report(
        &driver,
        "gRPC client pouring into a grpc_serve stream",
        took,
        behind,
        rss_before,
    );
    let last = last.expect("the handler's answer in time");
    assert_eq!(
        last.expect("no failure"),
        Some(Item {
            seq: GRPC_ITEMS,
            text: "in order".into()
        })
    );
    let end = end.expect("the stream's end in time");
    assert_eq!(end.expect("status OK"), None);
    operator.read_every_grpc_item();

    // The most a client-streaming call may hold, gathered and handed to
    // the handler in one array.
    operator.line("flood grpcreset");
    operator.expect("GRPCRESET");
    let started = Instant::now();
    let gulped = gulp(port, pour(Default::default()).take(10_000));
    println!(
        "gRPC client streaming 10000 items to Gulp: answered after {:.0} ms",
        ms(started.elapsed())
    );
    assert_eq!(
        gulped.expect("Gulp answers"),
        Item {
            seq: 10_000,
            text: "in order".into()
        }
    );
    // One more, or more bytes than a stream may hold, fails the call.
    let exhausted = |items: Items, why: &str| {
        let status = gulp(port, items).expect_err("too much for one stream");
        assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
        assert!(status.message().contains(why), "{status:?}");
    };
    exhausted(
        Box::pin(pour(Default::default()).take(10_001)),
        "more than 10000 messages",
    );
    let big = Item {
        seq: 1,
        text: "b".repeat(3 << 20),
    };
    exhausted(
        Box::pin(futures_util::stream::iter(vec![big; 3])),
        "more than 8 MiB",
    );
    watcher.round_trip("after");
}

/// Opens `Drink` of the driver's `grpc_serve` at `port` with `items` as
/// its requests; gives the answers.
async fn drink(
    port: u16,
    items: impl futures_util::Stream<Item = Item> + Send + 'static,
) -> tonic::Streaming<Item> {
    let path = "/flood.Flood/Drink".parse().expect("path");
    let codec = tonic_peer::ProstCodec::<Item, Item>::new();
    let mut client = grpc_client(port).await;
    let opened = client.streaming(tonic::Request::new(items), path, codec);
    opened.await.expect("Drink opens").into_inner()
}

/// Streams `items` to `Gulp` of the driver's `grpc_serve` at `port`.
fn gulp(
    port: u16,
    items: impl futures_util::Stream<Item = Item> + Send + 'static,
) -> Result<Item, tonic::Status> {
    tonic_peer::runtime().block_on(async move {
        let mut client = grpc_client(port).await;
        client
            .client_streaming(
                tonic::Request::new(items),
                "/flood.Flood/Gulp".parse().expect("path"),
                tonic_peer::ProstCodec::<Item, Item>::new(),
            )
            .await
            .map(tonic::Response::into_inner)
    })
}

/// A tonic client of the driver's `grpc_serve` at `port`, ready to call.
async fn grpc_client(port: u16) -> tonic::client::Grpc<tonic::transport::Channel> {
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
        .expect("endpoint");
    let channel = endpoint.connect().await.expect("connect to grpc_serve");
    let mut client = tonic::client::Grpc::new(channel);
    client.ready().await.expect("ready");
    client
}

/// What `/stall` has done: messages taken, sends refused, write callbacks
/// run, and how often the sending efun gave each answer.
#[derive(Debug, Clone, Default)]
struct Stall {
    taken: i64,
    refused: i64,
    callbacks: i64,
    answers: Vec<(i64, i64)>,
}

impl Stall {
    fn answered(&self, answer: i64) -> bool {
        self.answers.iter().any(|&(a, n)| a == answer && n > 0)
    }
}

impl Client {
    /// Runs `stall COMMAND` and reads the state it answers with.
    fn stall(&mut self, command: &str) -> Stall {
        self.line(&format!("stall {command}"));
        self.expect("STATE ");
        let text = self.expect(".");
        let mut words = text.trim_end_matches('.').split_whitespace();
        let mut number = || {
            words
                .next()
                .and_then(|w| w.parse().ok())
                .unwrap_or(i64::MIN)
        };
        let (taken, refused, callbacks) = (number(), number(), number());
        let answers = text
            .trim_end_matches('.')
            .split_whitespace()
            .skip(3)
            .filter_map(|pair| {
                let (answer, count) = pair.split_once(':')?;
                Some((answer.parse().ok()?, count.parse().ok()?))
            })
            .collect();
        Stall {
            taken,
            refused,
            callbacks,
            answers,
        }
    }
}

/// The numbers of the messages a peer has read from `/stall`, in order.
type Heard = std::sync::Arc<std::sync::Mutex<Vec<i64>>>;

/// The number at the head of a message of `/stall`.
fn stall_number(message: &[u8]) -> i64 {
    std::str::from_utf8(message.get(..8).unwrap_or_default())
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(-1)
}

/// How long LPC may send to a peer that does not read before the sending
/// efun must take nothing more: the kernel's socket buffers, which grow
/// while they fill, take their share first.
const STALL_TIME: Duration = Duration::from_secs(15);

/// Waits until `/stall`'s sends are refused and nothing more is taken for
/// half a second; gives the state then. Fails after [`STALL_TIME`].
fn until_stalled(operator: &mut Client, what: &str) -> Stall {
    let started = Instant::now();
    let mut before = operator.stall("state");
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = operator.stall("state");
        if now.taken == before.taken && now.refused > before.refused {
            return now;
        }
        assert!(
            started.elapsed() < STALL_TIME,
            "{what}: a peer that does not read still took messages after {} s: {now:?}",
            STALL_TIME.as_secs()
        );
        before = now;
    }
}

/// The heart of the stalled-peer tests. `/stall` has been started toward
/// a peer that does not read (the driver's memory was `rss_before` KiB
/// before): LPC keeps sending until the efun answers `full` and takes
/// nothing more for half a second, and the driver's memory must stay flat.
/// Then `resume`, on a thread of its own, lets the peer read, noting each
/// message's number in `heard`: LPC's sends are taken again, and once LPC stops, the peer must have had every
/// message taken, in order. Gives the state once stalled and at the end.
fn stalled_peer_is_bounded(
    driver: &Driver,
    operator: &mut Client,
    what: &str,
    rss_before: u64,
    full: i64,
    heard: &Heard,
    resume: impl FnOnce(Heard) + Send + 'static,
) -> (Stall, Stall) {
    let started = Instant::now();
    let still = until_stalled(operator, what);
    let rss_after = driver.rss_kib();
    let grew = rss_after.saturating_sub(rss_before);
    println!(
        "{what}: a peer that does not read took {} messages of 1 KiB, then none for 0.5 s ({:.1} s in all; answers {:?}); RSS {rss_before} KiB before, {rss_after} KiB after (+{grew} KiB)",
        still.taken,
        started.elapsed().as_secs_f64(),
        still.answers,
    );
    assert!(
        still.answered(full),
        "{what}: no send was answered {full}: {still:?}"
    );
    // The outgoing window is 256 KiB; queues that grew without bound
    // took in tens of MiB over the same time.
    assert!(grew < 8 * 1024, "{what}: memory grew by {grew} KiB");

    let list = heard.clone();
    std::thread::spawn(move || resume(list));
    let deadline = Instant::now() + PATIENCE;
    while operator.stall("state").taken <= still.taken {
        assert!(
            Instant::now() < deadline,
            "{what}: LPC's sends were not taken again once the peer read"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let end = operator.stall("stop");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let got = heard.lock().map(|h| h.len()).unwrap_or(0);
        if got as i64 >= end.taken || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut heard = heard.lock().map(|h| h.clone()).unwrap_or_default();
    // HTTP requests each have a connection of their own: their order is
    // the network's.
    if what == "http_request" {
        heard.sort_unstable();
    }
    println!(
        "{what}: once the peer read, LPC sent on: {} messages taken in all, {} read by the peer",
        end.taken,
        heard.len()
    );
    let expected: Vec<i64> = (1..=end.taken).collect();
    assert!(
        heard == expected,
        "{what}: the peer read {} messages, not 1 to {} in order (first differences: {:?})",
        heard.len(),
        end.taken,
        heard
            .iter()
            .zip(&expected)
            .filter(|(a, b)| a != b)
            .take(3)
            .collect::<Vec<_>>()
    );
    (still, end)
}

/// A driver whose `/stall` sends as `kind` toward a listener of the test;
/// gives the operator that started it, the driver's memory in KiB before,
/// and the listener, where LPC's connection waits.
fn stall_toward_listener(kind: &str) -> (Driver, Client, u64, std::net::TcpListener) {
    let driver = Driver::start("");
    let mut operator = driver.user();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let rss_before = driver.rss_kib();
    operator.line(&format!("stall start {kind} {port}"));
    operator.expect("STARTED 1");
    (driver, operator, rss_before, listener)
}

/// An LPC STREAM socket whose peer never reads: `socket_write` takes
/// what fits in the socket's queue, answers EECALLBACK (-29) for the write
/// that fills it and EEALREADY (-22) until the queue has drained; the
/// write callback then runs, and the peer gets every byte taken, in order.
#[test]
fn a_socket_peer_that_never_reads_holds_socket_write_back() {
    let _turn = one_at_a_time();
    let (driver, mut operator, rss_before, listener) = stall_toward_listener("sock");
    let mut peer = accept_within(&listener, PATIENCE);
    let heard = Heard::default();
    let (stalled, end) = stalled_peer_is_bounded(
        &driver,
        &mut operator,
        "socket_write",
        rss_before,
        -22,
        &heard,
        move |heard| {
            let mut pending = Vec::new();
            let mut buf = vec![0u8; 64 << 10];
            while let Ok(n) = peer.read(&mut buf) {
                if n == 0 {
                    break;
                }
                pending.extend_from_slice(&buf[..n]);
                while pending.len() >= 1024 {
                    let record: Vec<u8> = pending.drain(..1024).collect();
                    if let Ok(mut heard) = heard.lock() {
                        heard.push(stall_number(&record));
                    }
                }
            }
        },
    );
    assert!(
        stalled.answered(-29),
        "the write that filled the queue was not answered EECALLBACK: {stalled:?}"
    );
    assert!(
        !stalled.answered(-17),
        "EEWOULDBLOCK while a callback was promised: {stalled:?}"
    );
    // The first callback is the connection's; later ones are drains.
    assert!(
        end.callbacks >= 2,
        "the write callback did not run once the queue drained: {end:?}"
    );
}

/// A socket LPC closes while its peer reads nothing keeps its queued
/// output for the linger time only (30 s), then its connection goes: a
/// peer holding its window shut cannot keep the descriptor for good.
#[test]
fn a_closed_socket_whose_peer_never_reads_is_let_go() {
    let _turn = one_at_a_time();
    let (driver, mut operator, _, listener) = stall_toward_listener("sock");
    let peer = accept_within(&listener, PATIENCE);
    closed_while_stalled_is_let_go(&driver, &mut operator, "socket");
    drop(peer);
}

/// The same for a websocket client: a message the server takes none of
/// for 30 s ends the connection, also one LPC has closed.
#[test]
fn a_closed_websocket_whose_server_never_reads_is_let_go() {
    let _turn = one_at_a_time();
    let (driver, mut operator, _, listener) = stall_toward_listener("ws");
    let server = websocket_server(&listener);
    closed_while_stalled_is_let_go(&driver, &mut operator, "websocket");
    drop(server);
}

/// Lets `/stall` fill its connection toward a peer that reads nothing,
/// closes it, and checks that the driver lets the connection go after
/// its 30 s of patience, not before and not never.
fn closed_while_stalled_is_let_go(driver: &Driver, operator: &mut Client, what: &str) {
    until_stalled(operator, what);
    let open = driver.descriptors();
    operator.line("stall close");
    operator.expect("CLOSED 1");
    let closed = Instant::now();
    let left = driver.descriptors_back_to(open - 1, Duration::from_secs(45));
    let took = closed.elapsed();
    println!(
        "a closed {what} whose peer reads nothing: let go after {:.1} s ({open} descriptors before, {left} after)",
        took.as_secs_f64()
    );
    assert!(left < open, "{what}: the closed connection stayed");
    assert!(
        took >= Duration::from_secs(1),
        "{what}: queued output was dropped at once ({took:?})"
    );
}

/// An LPC websocket client whose server never reads: `websocket_send`
/// answers -1 once 256 KiB wait, and the server gets every message taken,
/// in order, once it reads.
#[test]
fn a_websocket_server_that_never_reads_holds_websocket_send_back() {
    let _turn = one_at_a_time();
    let (driver, mut operator, rss_before, listener) = stall_toward_listener("ws");
    let server = websocket_server(&listener);
    server.set_read_timeout(None).expect("no read timeout");
    let heard = Heard::default();
    stalled_peer_is_bounded(
        &driver,
        &mut operator,
        "websocket_send",
        rss_before,
        -1,
        &heard,
        move |heard| {
            let mut socket = tungstenite::WebSocket::from_raw_socket(
                server,
                tungstenite::protocol::Role::Server,
                None,
            );
            while let Ok(message) = socket.read() {
                if let tungstenite::Message::Text(text) = message
                    && let Ok(mut heard) = heard.lock()
                {
                    heard.push(stall_number(text.as_bytes()));
                }
            }
        },
    );
}

/// A tonic server of `flood.Flood` on a free loopback port: `Pour` by
/// `pourer`, `Drink` by `sipper`.
fn flood_server(pourer: Pourer, sipper: Sipper) -> u16 {
    tonic_peer::serve(move |request: hyper::http::Request<tonic::body::Body>| {
        let (pourer, sipper) = (pourer.clone(), sipper.clone());
        async move {
            let mut grpc = tonic::server::Grpc::new(tonic_peer::ProstCodec::<Item, Item>::new());
            match request.uri().path() {
                "/flood.Flood/Pour" => grpc.server_streaming(pourer, request).await,
                "/flood.Flood/Drink" => grpc.streaming(sipper, request).await,
                path => tonic::Status::unimplemented(path.to_string()).into_http(),
            }
        }
    })
}

/// `Drink` of a tonic server that reads none of the client's requests
/// until `go` is set, then hears every one.
#[derive(Clone, Default)]
struct Sipper {
    go: std::sync::Arc<std::sync::atomic::AtomicBool>,
    heard: Heard,
}

impl tonic::server::StreamingService<Item> for Sipper {
    type Response = Item;
    type ResponseStream = Poured;
    type Future = Boxed<Result<tonic::Response<Poured>, tonic::Status>>;

    fn call(&mut self, request: tonic::Request<tonic::Streaming<Item>>) -> Self::Future {
        let Sipper { go, heard } = self.clone();
        let mut requests = request.into_inner();
        let answers: Poured = Box::pin(futures_util::stream::once(async move {
            while !go.load(std::sync::atomic::Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            while let Ok(Some(item)) = requests.message().await {
                if let Ok(mut heard) = heard.lock() {
                    heard.push(item.seq);
                }
            }
            Ok(Item {
                seq: 0,
                text: "drunk".into(),
            })
        }));
        Box::pin(async move { Ok(tonic::Response::new(answers)) })
    }
}

/// An LPC `grpc_stream` call whose server does not read its requests:
/// `grpc_send` answers -1 once the call's window is full, and the server
/// hears every request taken, in order, once it reads.
#[test]
fn a_grpc_server_that_never_reads_holds_grpc_send_back() {
    let _turn = one_at_a_time();
    let go = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let heard = Heard::default();
    let sipper = Sipper {
        go: go.clone(),
        heard: heard.clone(),
    };
    let port = flood_server(Pourer::default(), sipper);
    let driver = Driver::start("");
    let mut operator = driver.user();
    // Serving starts the driver's gRPC thread, which the memory measured
    // before should include.
    operator.line(&format!("flood grpcserve {}", free_port()));
    operator.expect("GRPCSERVE 1");
    let rss_before = driver.rss_kib();
    operator.line(&format!("stall start grpc {port}"));
    operator.expect("STARTED 1");
    stalled_peer_is_bounded(
        &driver,
        &mut operator,
        "grpc_send on a grpc_stream call",
        rss_before,
        -1,
        &heard,
        move |_| go.store(true, std::sync::atomic::Ordering::SeqCst),
    );
}

/// A user of `driver` that gave `command` a free port and was answered
/// `answer`; gives the user and the port.
fn started_on_a_free_port(driver: &Driver, command: &str, answer: &str) -> (Client, u16) {
    let mut user = driver.user();
    let port = free_port();
    user.line(&format!("{command} {port}"));
    user.expect(answer);
    (user, port)
}

/// A tonic client of a bidirectional method of `grpc_serve` that does not
/// read the answers: `grpc_send` on the served stream answers -1 once its
/// window is full, and the client gets every answer taken, in order, once
/// it reads.
#[test]
fn a_grpc_client_that_never_reads_holds_served_grpc_send_back() {
    let _turn = one_at_a_time();
    let driver = Driver::start("");
    let (mut operator, port) = started_on_a_free_port(&driver, "stall start serve", "STARTED 1");
    let rss_before = driver.rss_kib();
    let go = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let heard = Heard::default();
    let (client_go, client_heard) = (go.clone(), heard.clone());
    std::thread::spawn(move || {
        tonic_peer::runtime().block_on(async move {
            // One request starts the handler; the stream stays open.
            let first = Item {
                seq: 1,
                text: "start".into(),
            };
            let requests =
                futures_util::stream::iter([first]).chain(futures_util::stream::pending());
            let mut answers = drink(port, requests).await;
            while !client_go.load(std::sync::atomic::Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            while let Ok(Some(item)) = answers.message().await {
                if let Ok(mut heard) = client_heard.lock() {
                    heard.push(item.seq);
                }
            }
        });
    });
    stalled_peer_is_bounded(
        &driver,
        &mut operator,
        "grpc_send on a served stream",
        rss_before,
        -1,
        &heard,
        move |_| go.store(true, std::sync::atomic::Ordering::SeqCst),
    );
}

/// Reads one MQTT control packet: its first byte and its body.
fn read_mqtt_packet(stream: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut byte = [0u8; 1];
    stream.read_exact(&mut byte).ok()?;
    let first = byte[0];
    let (mut len, mut shift) = (0usize, 0);
    loop {
        stream.read_exact(&mut byte).ok()?;
        len |= usize::from(byte[0] & 0x7f) << shift;
        if byte[0] & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    Some((first, body))
}

/// An LPC MQTT client publishing at QoS 1 to a broker that accepted it
/// and then reads nothing: `mqtt_publish` answers -1 once the messages
/// not yet acknowledged fill the client's window, and the broker gets
/// every message taken, in order, once it reads (and acknowledges).
#[test]
fn an_mqtt_broker_that_never_reads_holds_mqtt_publish_back() {
    let _turn = one_at_a_time();
    let (driver, mut operator, rss_before, listener) = stall_toward_listener("mqtt");
    let broker = broker_accepts(&listener);
    let heard = Heard::default();
    stalled_peer_is_bounded(
        &driver,
        &mut operator,
        "mqtt_publish",
        rss_before,
        -1,
        &heard,
        move |heard| broker_reads(broker, &heard),
    );
}

/// A broker that reads what the client sends on `broker`: notes each
/// PUBLISH's number in `heard`, acknowledges those at QoS 1 and answers
/// pings.
fn broker_reads(mut broker: TcpStream, heard: &Heard) {
    while let Some((first, body)) = read_mqtt_packet(&mut broker) {
        match first >> 4 {
            // PUBLISH: topic, the packet id at QoS 1, payload.
            3 => {
                let topic = usize::from(u16::from_be_bytes([body[0], body[1]]));
                let id = (first & 0x06 != 0).then(|| body[2 + topic..4 + topic].to_vec());
                let payload = &body[2 + topic + id.as_ref().map_or(0, Vec::len)..];
                if let Ok(mut heard) = heard.lock() {
                    heard.push(stall_number(payload));
                }
                if let Some(id) = id
                    && broker.write_all(&mqtt_packet(0x40, &id)).is_err()
                {
                    break;
                }
            }
            // PINGREQ.
            12 => {
                let _ = broker.write_all(&mqtt_packet(0xd0, &[]));
            }
            _ => {}
        }
    }
}

/// The broker's side of a client's connection: reads its CONNECT and
/// accepts it.
fn broker_accepts(listener: &std::net::TcpListener) -> TcpStream {
    let mut broker = accept_within(listener, PATIENCE);
    let (first, _) = read_mqtt_packet(&mut broker).expect("CONNECT");
    assert_eq!(first >> 4, 1, "CONNECT comes first");
    broker
        .write_all(&mqtt_packet(0x20, &[0, 0]))
        .expect("CONNACK");
    broker
}

/// An LPC MQTT client publishing at QoS 0 while its broker is down: the
/// messages waiting for the connection fill the client's window and
/// `mqtt_publish` answers -1; once the broker is up, the client reconnects
/// and the broker gets every message taken, in order.
#[test]
fn mqtt_publish_is_held_back_while_the_broker_is_down() {
    let _turn = one_at_a_time();
    let driver = Driver::start("");
    let mut operator = driver.user();
    let rss_before = driver.rss_kib();
    // Nothing listens on the port yet.
    let port = free_port();
    operator.line(&format!("stall start mqtt0 {port}"));
    operator.expect("STARTED 1");
    let heard = Heard::default();
    stalled_peer_is_bounded(
        &driver,
        &mut operator,
        "mqtt_publish, broker down",
        rss_before,
        -1,
        &heard,
        move |heard| {
            let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("listen");
            broker_reads(broker_accepts(&listener), &heard);
        },
    );
}

/// `grpc_serve`'s `connections_per_address`: one connection over the
/// limit is closed at once and counted as a refusal, and one more is let
/// in once another leaves.
#[test]
fn grpc_serve_limits_connections_per_address() {
    let _turn = one_at_a_time();
    let metrics_port = free_port();
    let driver = Driver::start(&format!(
        "connections per address : 2\nmetrics port : {metrics_port}\n"
    ));
    let (_operator, port) = started_on_a_free_port(&driver, "flood grpcserve", "GRPCSERVE 1");
    let kept: Vec<TcpStream> = (0..2).map(|_| connect_to(port)).collect();
    // Let the server count them before the next one comes.
    std::thread::sleep(Duration::from_millis(300));
    let mut over = connect_to(port);
    over.set_read_timeout(Some(PATIENCE)).expect("read timeout");
    let mut buf = [0u8; 64];
    let closed = matches!(over.read(&mut buf), Ok(0) | Err(_));
    assert!(closed, "the connection over the limit was not closed");
    assert_eq!(
        refused_total(metrics_port),
        1,
        "the refusal was not counted"
    );
    drop(kept);
    std::thread::sleep(Duration::from_millis(300));
    let answered = tonic_peer::runtime().block_on(async move {
        let mut client = grpc_client(port).await;
        client
            .client_streaming(
                tonic::Request::new(futures_util::stream::iter([Item {
                    seq: 1,
                    text: "one".into(),
                }])),
                "/flood.Flood/Gulp".parse().expect("path"),
                tonic_peer::ProstCodec::<Item, Item>::new(),
            )
            .await
            .map(tonic::Response::into_inner)
    });
    assert_eq!(answered.expect("Gulp answers").seq, 1);
}

/// Reads one HTTP request from `stream`: gives the number at the head of
/// its body.
fn read_posted_number(stream: &mut TcpStream) -> Option<i64> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).ok()?;
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse().ok())?;
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    Some(stall_number(&body))
}

/// `http_request` toward a server that accepts nothing: the requests in
/// flight fill the driver's window and the next is refused with -1; once
/// the server answers, every request taken reaches it and is answered.
#[test]
fn a_server_that_never_answers_holds_http_request_back() {
    let _turn = one_at_a_time();
    let (driver, mut operator, rss_before, listener) = stall_toward_listener("http");
    listener.set_nonblocking(false).expect("blocking");
    let heard = Heard::default();
    let (_, end) = stalled_peer_is_bounded(
        &driver,
        &mut operator,
        "http_request",
        rss_before,
        -1,
        &heard,
        move |heard| {
            while let Ok((mut stream, _)) = listener.accept() {
                let _ = stream.set_read_timeout(Some(PATIENCE));
                let Some(number) = read_posted_number(&mut stream) else {
                    continue;
                };
                if let Ok(mut heard) = heard.lock() {
                    heard.push(number);
                }
                let answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                let _ = stream.write_all(answer.as_bytes());
            }
        },
    );
    let deadline = Instant::now() + PATIENCE;
    while operator.stall("state").callbacks < end.taken {
        assert!(
            Instant::now() < deadline,
            "not every request taken was answered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
