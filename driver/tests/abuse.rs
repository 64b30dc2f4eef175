//! Abuse of the driver, from LPC code and from the network: each attack
//! must end within the configured limits while the driver keeps serving
//! other users. Every wait is bounded, every client is on loopback, and
//! the round trips and memory seen are printed (`--nocapture`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long any one expected answer may take.
const PATIENCE: Duration = Duration::from_secs(20);

/// The evaluation limit of `tests/abuse/config.test`.
const EVAL_LIMIT: Duration = Duration::from_millis(500);

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// A driver running the abuse mudlib; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Driver {
    /// Starts the driver with `extra` config lines added.
    fn start(extra: &str) -> Driver {
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
        let deadline = Instant::now() + PATIENCE;
        loop {
            match TcpStream::connect(("127.0.0.1", self.port)) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(Duration::from_millis(50)))
                        .expect("read timeout");
                    return stream;
                }
                Err(e) if Instant::now() > deadline => panic!("cannot connect: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
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
    /// up to its end.
    fn expect_within(&mut self, needle: &str, patience: Duration) {
        let deadline = Instant::now() + patience;
        let mut buf = [0u8; 8192];
        loop {
            if let Some(at) = find(&self.raw, needle.as_bytes()) {
                self.raw.drain(..at + needle.len());
                return;
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

    fn expect(&mut self, needle: &str) {
        self.expect_within(needle, PATIENCE);
    }

    /// The time an `echo` takes to come back.
    fn round_trip(&mut self, tag: &str) -> Duration {
        let start = Instant::now();
        self.line(&format!("echo {tag}"));
        self.expect(&format!("ECHO: {tag}"));
        start.elapsed()
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
