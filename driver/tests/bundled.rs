//! The bundled mudlib end to end: a copy of `driver/mudlib` served on free
//! loopback ports; a newcomer creates a character, looks, walks, talks and
//! quits, then logs in again with the password and is back where they left.
//! Every wait is bounded.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{copy_dir, free_port};

/// How long any one expected answer may take.
const PATIENCE: Duration = Duration::from_secs(15);

struct Driver {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Driver {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("mudlib");
    let dir = tempfile::tempdir().expect("temporary directory");
    copy_dir(&source, dir.path());
    // Save files of a local run must not make the test's newcomer a returning player.
    let _ = std::fs::remove_dir_all(dir.path().join("data/players"));
    std::fs::create_dir_all(dir.path().join("data/players")).expect("players directory");
    let (port, ws_port) = (free_port(), free_port());
    let config = std::fs::read_to_string(dir.path().join("config.default"))
        .expect("config")
        .replace("telnet 4000", &format!("telnet {port}"))
        .replace("websocket 4001", &format!("websocket {ws_port}"));
    std::fs::write(dir.path().join("config.default"), config).expect("write config");
    let child = Command::new(env!("CARGO_BIN_EXE_driver"))
        .arg("config.default")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("driver runs");
    Driver {
        child,
        port,
        _dir: dir,
    }
}

/// A telnet client that refuses every option and keeps the plain text.
struct Client {
    stream: TcpStream,
    text: String,
}

impl Client {
    fn connect(port: u16) -> Client {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(Duration::from_millis(100)))
                        .expect("timeout");
                    return Client {
                        stream,
                        text: String::new(),
                    };
                }
                Err(e) if Instant::now() > deadline => panic!("cannot connect: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Reads until `needle` has arrived; returns everything read so far and
    /// forgets it.
    fn expect(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut buf = [0u8; 4096];
        while !self.text.contains(needle) {
            assert!(
                Instant::now() < deadline,
                "waited for {needle:?}, got {:?}",
                self.text
            );
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("closed while waiting for {needle:?}: {:?}", self.text),
                Ok(n) => self.text.push_str(&strip_telnet(&buf[..n])),
                Err(_) => {}
            }
        }
        std::mem::take(&mut self.text)
    }

    fn send(&mut self, line: &str) {
        self.stream
            .write_all(format!("{line}\r\n").as_bytes())
            .expect("send");
    }
}

/// The text of a telnet stream without its option negotiation.
fn strip_telnet(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            255 if i + 1 < bytes.len() => match bytes[i + 1] {
                251..=254 => i += 3,
                250 => {
                    let end = bytes[i..].windows(2).position(|w| w == [255, 240]);
                    i = end.map_or(bytes.len(), |e| i + e + 2);
                }
                _ => i += 2,
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_newcomer_creates_a_character_plays_and_comes_back() {
    let driver = start();
    let mut c = Client::connect(driver.port);
    c.expect("What is your name?");
    c.send("alice");
    c.expect("Create it?");
    c.send("y");
    c.expect("password");
    c.send("sesame42");
    c.expect("again");
    c.send("sesame42");
    let welcome = c.expect("Obvious exits");
    assert!(welcome.contains("Welcome, Alice"), "{welcome}");
    assert!(welcome.contains("Crossroads Square"), "{welcome}");
    c.send("say hello there");
    c.expect("You say: hello there");
    c.send("who");
    c.expect("Alice");
    c.send("n");
    c.expect("The Old Library");
    c.send("quit");
    c.expect("Goodbye");

    // The password is checked, and the character comes back where it left.
    let mut c = Client::connect(driver.port);
    c.expect("What is your name?");
    c.send("alice");
    c.expect("Password");
    c.send("wrong-one");
    c.expect("Wrong password");
    c.send("sesame42");
    let back = c.expect("The Old Library");
    assert!(back.contains("Welcome back, Alice"), "{back}");

    // A second player sees the first one's words.
    let mut b = Client::connect(driver.port);
    b.expect("What is your name?");
    b.send("bob");
    b.expect("Create it?");
    b.send("y");
    b.expect("password");
    b.send("hunter22");
    b.expect("again");
    b.send("hunter22");
    b.expect("Obvious exits");
    b.send("n");
    b.expect("The Old Library");
    c.send("say hi bob");
    b.expect("Alice says: hi bob");
    b.send("quit");
    b.expect("Goodbye");
    c.send("quit");
    c.expect("Goodbye");
}
