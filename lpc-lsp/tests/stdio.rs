//! End to end: the `lpc-lsp` binary over stdio on the sample mudlib:
//! initialize, open a file, receive its diagnostics, hover, shut down.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

fn send(stdin: &mut ChildStdin, message: &Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("server reads stdin");
    stdin.flush().expect("server reads stdin");
}

/// Reads framed messages from the server into a channel.
fn reader(stdout: impl Read + Send + 'static) -> mpsc::Receiver<Value> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        loop {
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length:") {
                    length = n.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if stdout.read_exact(&mut body).is_err() {
                return;
            }
            let Ok(value) = serde_json::from_slice(&body) else {
                return;
            };
            if tx.send(value).is_err() {
                return;
            }
        }
    });
    rx
}

#[test]
fn initialize_open_diagnose_hover_shutdown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/sample-mudlib")
        .canonicalize()
        .expect("the sample mudlib exists");
    let root_uri = format!("file://{}", root.display());
    let file_uri = format!("{root_uri}/cmds/go.c");
    let text = std::fs::read_to_string(root.join("cmds/go.c")).expect("go.c exists");

    let mut child = Command::new(env!("CARGO_BIN_EXE_lpc-lsp"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let messages = reader(child.stdout.take().expect("piped stdout"));
    let next = |want: &dyn Fn(&Value) -> bool, stdin: &mut ChildStdin| -> Value {
        loop {
            let message = messages
                .recv_timeout(Duration::from_secs(30))
                .expect("the server answers in time");
            // Server-to-client requests (progress tokens) get an empty answer.
            if message.get("method").is_some() && message.get("id").is_some() {
                send(
                    stdin,
                    &json!({"jsonrpc": "2.0", "id": message["id"], "result": null}),
                );
                continue;
            }
            if want(&message) {
                return message;
            }
        }
    };

    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": root_uri, "capabilities": {
            "window": {"workDoneProgress": true}}}}),
    );
    let init = next(&|m| m["id"] == 1, &mut stdin);
    assert_eq!(init["result"]["serverInfo"]["name"], "lpc-lsp");
    assert_eq!(init["result"]["capabilities"]["hoverProvider"], true);
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );

    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": file_uri, "languageId": "lpc", "version": 1, "text": text}}}),
    );
    let published = next(
        &|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == file_uri.as_str()
        },
        &mut stdin,
    );
    assert_eq!(published["params"]["version"], 1);
    assert!(published["params"]["diagnostics"].is_array());

    // `environment` on line 4.
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": file_uri}, "position": {"line": 3, "character": 22}}}),
    );
    let hover = next(&|m| m["id"] == 2, &mut stdin);
    let value = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(value.contains("environment("), "{hover}");

    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
    );
    let shutdown = next(&|m| m["id"] == 3, &mut stdin);
    assert!(shutdown.get("error").is_none(), "{shutdown}");
    send(&mut stdin, &json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    let status = child.wait().expect("the server exits");
    assert!(status.success(), "{status}");
}
