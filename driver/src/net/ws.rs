//! Websocket ports: one HTTP request decides between the websocket
//! handshake (subprotocol "telnet", "ascii" or "binary") and a static file
//! from the config's `websocket http dir`, so a browser page and its game
//! connection share one port.

use std::path::{Component, Path, PathBuf};

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::handshake::derive_accept_key;
use async_tungstenite::tungstenite::protocol::{Message, Role, WebSocketConfig};
use futures_lite::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::PortKind;
use crate::runtime;

/// The longest request head read before giving up on a client.
const MAX_HEAD: usize = 16 * 1024;

/// What the HTTP request on a websocket port asked for.
pub enum Request {
    /// An upgrade: the key, and the subprotocol chosen with its protocol.
    Upgrade {
        key: String,
        subprotocol: Option<(&'static str, PortKind)>,
    },
    /// A plain GET of a path.
    File(String),
    Bad,
}

/// Reads the request head; `None` when the client went away.
pub async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Request> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so nothing after the head (the first frame) is taken.
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HEAD {
            return Some(Request::Bad);
        }
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(parse_request(&String::from_utf8_lossy(&head)))
}

/// Parses a request head.
pub fn parse_request(head: &str) -> Request {
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let (Some("GET"), Some(target)) = (first.next(), first.next()) else {
        return Request::Bad;
    };
    let mut upgrade = false;
    let mut key = None;
    let mut offered = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "upgrade" => upgrade = value.eq_ignore_ascii_case("websocket"),
            "sec-websocket-key" => key = Some(value.to_string()),
            "sec-websocket-protocol" => {
                offered.extend(value.split(',').map(|p| p.trim().to_ascii_lowercase()))
            }
            _ => {}
        }
    }
    match (upgrade, key) {
        (true, Some(key)) => {
            let subprotocol = offered.iter().find_map(|p| match p.as_str() {
                "telnet" => Some(("telnet", PortKind::Telnet)),
                "ascii" => Some(("ascii", PortKind::Ascii)),
                "binary" => Some(("binary", PortKind::Binary)),
                _ => None,
            });
            Request::Upgrade { key, subprotocol }
        }
        (true, None) => Request::Bad,
        (false, _) => Request::File(target.to_string()),
    }
}

/// Completes the handshake; the connection then speaks `kind` in frames.
pub async fn accept<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    key: &str,
    subprotocol: Option<(&'static str, PortKind)>,
    max_message: usize,
) -> std::io::Result<(WebSocketStream<S>, PortKind)> {
    let mut response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n",
        derive_accept_key(key.as_bytes())
    );
    if let Some((name, _)) = subprotocol {
        response.push_str(&format!("Sec-WebSocket-Protocol: {name}\r\n"));
    }
    response.push_str("\r\n");
    stream.write_all(response.as_bytes()).await?;
    stream.flush().await?;
    // Without a subprotocol the page gets text, as the ascii protocol.
    let kind = subprotocol.map_or(PortKind::Ascii, |(_, k)| k);
    Ok((
        WebSocketStream::from_raw_socket(stream, Role::Server, Some(limits(max_message))).await,
        kind,
    ))
}

/// The largest message (and frame) a client may send unless the config's
/// `websocket max message` says otherwise. A game sends lines and short
/// packets; the library's own limit of many megabytes would let each
/// connection make the driver hold that much.
pub const MAX_MESSAGE: usize = 64 << 10;

/// The read buffer of each connection. The library's default of 128 KiB
/// is allocated and filled at once, for every connection, where a game
/// client's input fits a few KiB; a larger message is read in several
/// pieces.
const READ_BUFFER: usize = 4 << 10;

fn limits(max_message: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(max_message))
        .max_frame_size(Some(max_message))
        .read_buffer_size(READ_BUFFER)
}

/// The frame that carries output bytes for a connection of `kind`.
pub fn frame(kind: PortKind, bytes: Vec<u8>) -> Message {
    match kind {
        PortKind::Ascii => Message::text(String::from_utf8_lossy(&bytes).into_owned()),
        _ => Message::binary(bytes),
    }
}

/// The input bytes of a frame, `None` for control frames.
pub fn payload(message: Message) -> Option<Vec<u8>> {
    match message {
        Message::Text(t) => Some(t.as_bytes().to_vec()),
        Message::Binary(b) => Some(b.to_vec()),
        _ => None,
    }
}

/// Answers a plain GET with a file of the http directory, or 404.
pub async fn serve_file<S: AsyncWrite + Unpin>(mut stream: S, dir: Option<&Path>, target: &str) {
    let found = match dir.and_then(|d| file_path(d, target)) {
        Some(path) => runtime::read_file(&path)
            .await
            .ok()
            .map(|body| (path, body)),
        None => None,
    };
    let response = match found {
        Some((path, body)) => {
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                content_type(&path),
                body.len()
            )
            .into_bytes();
            r.extend(body);
            r
        }
        None => b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nNot found\n"
            .to_vec(),
    };
    let _ = stream.write_all(&response).await;
    let _ = stream.flush().await;
    let _ = stream.close().await;
}

/// The file a request target names inside `dir`; never outside it.
pub fn file_path(dir: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut out = dir.to_path_buf();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if path.ends_with('/') || out == dir {
        out.push("index.html");
    }
    Some(out)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "wasm" => "application/wasm",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrade_requests_pick_a_known_subprotocol() {
        let head = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: chat, ascii, telnet\r\n\r\n";
        let Request::Upgrade { key, subprotocol } = parse_request(head) else {
            panic!("not an upgrade");
        };
        assert_eq!(key, "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(subprotocol.map(|s| s.0), Some("ascii"));
        assert_eq!(
            derive_accept_key(key.as_bytes()),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn plain_gets_are_files_and_others_are_bad() {
        assert!(
            matches!(parse_request("GET /a.js HTTP/1.1\r\n\r\n"), Request::File(t) if t == "/a.js")
        );
        assert!(matches!(
            parse_request("POST / HTTP/1.1\r\n\r\n"),
            Request::Bad
        ));
    }

    #[test]
    fn file_paths_stay_inside_the_directory() {
        let dir = Path::new("/www");
        assert_eq!(file_path(dir, "/"), Some(PathBuf::from("/www/index.html")));
        assert_eq!(
            file_path(dir, "/client.js?v=2"),
            Some(PathBuf::from("/www/client.js"))
        );
        assert_eq!(
            file_path(dir, "/sub/"),
            Some(PathBuf::from("/www/sub/index.html"))
        );
        assert_eq!(file_path(dir, "/../etc/passwd"), None);
        assert_eq!(file_path(dir, "/a/../../b"), None);
    }
}
