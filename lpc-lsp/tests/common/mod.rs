//! The LSP wire framing the tests speak: `Content-Length` headers and a
//! JSON body, in both directions.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc;

use serde_json::Value;

/// Writes `message` framed as the server reads it.
pub fn write_framed(to: &mut impl Write, message: &Value) -> std::io::Result<()> {
    let body = message.to_string();
    write!(to, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    to.flush()
}

/// Reads the server's framed messages into a channel until it stops
/// sending or sends something that is not JSON.
pub fn reader(from: impl Read + Send + 'static) -> mpsc::Receiver<Value> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut from = BufReader::new(from);
        loop {
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if from.read_line(&mut line).unwrap_or(0) == 0 {
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
            if from.read_exact(&mut body).is_err() {
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
