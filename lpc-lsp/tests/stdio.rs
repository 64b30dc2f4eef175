//! End to end: the `lpc-lsp` binary over stdio on the sample mudlib:
//! initialize, open a file, receive its diagnostics, hover, shut down.

use std::path::Path;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

mod common;

use common::reader;

fn send(stdin: &mut ChildStdin, message: &Value) {
    common::write_framed(stdin, message).expect("server reads stdin");
}

/// A running server and the messages it sends.
struct Session {
    child: std::process::Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
}

impl Session {
    fn start() -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lpc-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let messages = reader(child.stdout.take().expect("piped stdout"));
        Session {
            child,
            stdin,
            messages,
        }
    }

    fn send(&mut self, message: Value) {
        send(&mut self.stdin, &message);
    }

    /// The next message `want` accepts; requests from the server (progress
    /// tokens, watcher registration) get an empty answer on the way.
    fn next(&mut self, want: &dyn Fn(&Value) -> bool) -> Value {
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(30))
                .expect("the server answers in time");
            if message.get("method").is_some() && message.get("id").is_some() {
                send(
                    &mut self.stdin,
                    &json!({"jsonrpc": "2.0", "id": message["id"], "result": null}),
                );
                continue;
            }
            if want(&message) {
                return message;
            }
        }
    }

    fn initialize(&mut self, root_uri: &str, options: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": root_uri, "initializationOptions": options,
            "capabilities": {"window": {"workDoneProgress": true}}}}));
        let init = self.next(&|m| m["id"] == 1);
        self.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        init
    }

    fn open(&mut self, uri: &str, text: &str) -> Value {
        self.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "lpc", "version": 1, "text": text}}}));
        self.next(&|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })
    }

    fn shutdown(mut self) {
        self.send(json!({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}));
        let shutdown = self.next(&|m| m["id"] == 99);
        assert!(shutdown.get("error").is_none(), "{shutdown}");
        self.send(json!({"jsonrpc": "2.0", "method": "exit"}));
        drop(self.stdin);
        let status = self.child.wait().expect("the server exits");
        assert!(status.success(), "{status}");
    }
}

fn sample_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/sample-mudlib")
        .canonicalize()
        .expect("the sample mudlib exists")
}

#[test]
fn initialize_open_diagnose_hover_shutdown() {
    let root = sample_root();
    let root_uri = format!("file://{}", root.display());
    let file_uri = format!("{root_uri}/cmds/go.c");
    let text = std::fs::read_to_string(root.join("cmds/go.c")).expect("go.c exists");

    let mut session = Session::start();
    let init = session.initialize(&root_uri, Value::Null);
    assert_eq!(init["result"]["serverInfo"]["name"], "lpc-lsp");
    assert_eq!(init["result"]["capabilities"]["hoverProvider"], true);
    assert_eq!(
        init["result"]["capabilities"]["documentFormattingProvider"],
        true
    );

    let published = session.open(&file_uri, &text);
    assert_eq!(published["params"]["version"], 1);
    assert!(published["params"]["diagnostics"].is_array());

    // `environment` on line 4.
    session.send(
        json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": file_uri}, "position": {"line": 3, "character": 22}}}),
    );
    let hover = session.next(&|m| m["id"] == 2);
    let value = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(value.contains("environment("), "{hover}");
    session.shutdown();
}

/// The VS Code client resolves the driver config, passes it at start-up,
/// then syncs its settings, where `driverConfig` is empty: the server must
/// keep the config it was given.
#[test]
fn a_settings_sync_keeps_the_driver_config_from_start_up() {
    let root = sample_root();
    let repo = root
        .join("../..")
        .canonicalize()
        .expect("the repository root");
    let config = root.join("etc/config.sample");
    let file_uri = format!("file://{}/cmds/look.c", root.display());
    let text = std::fs::read_to_string(root.join("cmds/look.c")).expect("look.c exists");

    let mut session = Session::start();
    session.initialize(
        &format!("file://{}", repo.display()),
        json!({"driverConfig": config.display().to_string(), "includeDirs": [], "defines": {}}),
    );
    session.send(
        json!({"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
        "params": {"settings": {"lpc": {"driverConfig": "", "defines": {"SAMPLE_FLAG": "1"}}}}}),
    );
    let published = session.open(&file_uri, &text);
    // `look.c` uses TELL from the global include file the config names.
    assert_eq!(published["params"]["diagnostics"], json!([]), "{published}");
    session.shutdown();
}
