//! A language server running in this process, spoken to over a socket pair
//! with the same framing as over stdio, with a deadline on every answer.

use std::collections::HashMap;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any one answer may take: `LPC_PROPTEST_DEADLINE` seconds, 20
/// by default (generous for debug builds on a busy machine). A request
/// that takes longer is taken to hang.
fn deadline() -> Duration {
    let seconds = std::env::var("LPC_PROPTEST_DEADLINE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    Duration::from_secs(seconds)
}

/// A server stuck in a request goes on using memory in its thread, where
/// nothing can stop it: past a deadline the whole test process ends, after
/// saying which request hung, instead of shrinking the case with more
/// stuck servers.
fn hung(waiting_for: &str) -> ! {
    let case = CASE.lock().map(|c| c.clone()).unwrap_or_default();
    eprintln!(
        "no answer within {:?} waiting for {waiting_for}\nin the case {case}",
        deadline()
    );
    std::process::exit(101)
}

/// The case being run, for the report of a hang.
static CASE: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Notes the case about to run.
pub fn note_case(case: String) {
    if let Ok(mut c) = CASE.lock() {
        *c = case;
    }
}

/// A mudlib the documents come from, and how the editor would configure it.
#[derive(Clone, Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub options: Value,
}

pub struct Session {
    socket: UnixStream,
    messages: mpsc::Receiver<Value>,
    next_id: i64,
    /// The latest diagnostics published for each URI, with their version.
    pub diagnostics: HashMap<String, (i64, Value)>,
    indexed: bool,
}

/// What a request got back.
pub enum Answer {
    Result(Value),
    Error(Value),
}

fn write_message(socket: &mut UnixStream, message: &Value) {
    crate::common::write_framed(socket, message).expect("the server reads its socket");
}

pub fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Session {
    /// A server initialised on `workspace` that has finished indexing it.
    pub fn start(workspace: &Workspace) -> Session {
        let (ours, theirs) = UnixStream::pair().expect("a socket pair");
        std::thread::spawn(move || {
            let stream = async_std::os::unix::net::UnixStream::from(theirs);
            lpc_lsp::runtime::block_on(lpc_lsp::server::serve(stream.clone(), stream));
        });
        let messages = crate::common::reader(ours.try_clone().expect("the socket clones"));
        let mut session = Session {
            socket: ours,
            messages,
            next_id: 0,
            diagnostics: HashMap::new(),
            indexed: false,
        };
        let init = session.request(
            "initialize",
            json!({"processId": null, "rootUri": uri_of(&workspace.root),
                "initializationOptions": workspace.options,
                "capabilities": {"window": {"workDoneProgress": true}}}),
        );
        let Answer::Result(init) = init else {
            panic!("initialize failed");
        };
        assert_eq!(
            init["capabilities"]["textDocumentSync"]["change"], 2,
            "changes are incremental"
        );
        session.notify("initialized", json!({}));
        let deadline = Instant::now() + deadline();
        while !session.indexed {
            session.pump(deadline, "the workspace index");
        }
        session
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        write_message(
            &mut self.socket,
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        );
    }

    /// Handles the next message from the server: answers its own requests
    /// (progress tokens), keeps diagnostics, notes the end of indexing.
    /// Returns a response to one of our requests.
    fn pump(&mut self, deadline: Instant, waiting_for: &str) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = match self.messages.recv_timeout(left) {
            Ok(message) => message,
            Err(mpsc::RecvTimeoutError::Timeout) => hung(waiting_for),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("the server went away waiting for {waiting_for}")
            }
        };
        let method = message["method"].as_str().unwrap_or("");
        if !method.is_empty() && message.get("id").is_some() {
            write_message(
                &mut self.socket,
                &json!({"jsonrpc": "2.0", "id": message["id"], "result": null}),
            );
            return None;
        }
        match method {
            "textDocument/publishDiagnostics" => {
                let params = &message["params"];
                let uri = params["uri"].as_str().unwrap_or("").to_string();
                let version = params["version"].as_i64().unwrap_or(-1);
                let newer = self
                    .diagnostics
                    .get(&uri)
                    .is_none_or(|(v, _)| *v <= version);
                if newer {
                    self.diagnostics
                        .insert(uri, (version, params["diagnostics"].clone()));
                }
                None
            }
            "window/logMessage" => {
                let text = message["params"]["message"].as_str().unwrap_or("");
                if text.starts_with("lpc-lsp: indexed") {
                    self.indexed = true;
                }
                None
            }
            "" => Some(message),
            _ => None,
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Answer {
        self.next_id += 1;
        let id = self.next_id;
        write_message(
            &mut self.socket,
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        let deadline = Instant::now() + deadline();
        let waiting_for = format!("{method} {params}");
        loop {
            let Some(response) = self.pump(deadline, &waiting_for) else {
                continue;
            };
            if response["id"] != id {
                continue;
            }
            return match response.get("error") {
                Some(error) => Answer::Error(error.clone()),
                None => Answer::Result(response["result"].clone()),
            };
        }
    }

    /// The answer to a request that must not fail: an internal error is a
    /// panic the server caught. Refusals (invalid params) are answers too.
    pub fn ask(&mut self, method: &str, params: Value) -> Value {
        match self.request(method, params.clone()) {
            Answer::Result(value) => value,
            Answer::Error(error) if error["code"] == -32602 => error,
            Answer::Error(error) => panic!("{method} {params} failed: {error}"),
        }
    }

    /// The diagnostics published for `version` of the document at `uri`.
    pub fn diagnostics_of(&mut self, uri: &str, version: i64) -> Value {
        let deadline = Instant::now() + deadline();
        loop {
            if let Some((v, diagnostics)) = self.diagnostics.get(uri)
                && *v == version
            {
                return diagnostics.clone();
            }
            if let Some(response) = self.pump(deadline, "diagnostics") {
                panic!("an answer nobody waits for: {response}");
            }
        }
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "lpc", "version": 1, "text": text}}),
        );
    }

    /// Ends the server. A server stuck in a request cannot be waited for;
    /// its thread is left behind and the test has already failed.
    pub fn shutdown(mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
    }
}
