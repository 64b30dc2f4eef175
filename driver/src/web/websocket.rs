//! The websocket client of `websocket_connect`: one task per connection
//! that connects (TLS for `wss://`), does the handshake, then both sends
//! what the VM queues and reports each message it receives, until either
//! side closes.

use std::time::Duration;

use async_tungstenite::tungstenite::Message;
use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::http::HeaderValue;
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use futures_rustls::rustls::pki_types::CertificateDer;
use futures_util::StreamExt;

use super::timeout;
use crate::net::{Credit, Inflow};
use crate::runtime::Receiver;

pub struct Options {
    pub headers: Vec<(String, String)>,
    pub subprotocols: Vec<String>,
    /// For the connection and the handshake together.
    pub connect_timeout: Duration,
    pub max_message: usize,
    pub extra_roots: Vec<CertificateDer<'static>>,
}

/// What the VM thread asks of a connection. A message holds its share of
/// the connection's outgoing window until the socket has taken it.
pub enum Outgoing {
    Text(String, Credit),
    Binary(Vec<u8>, Credit),
    Close,
}

/// A message received.
pub enum Incoming {
    Text(String),
    Binary(Vec<u8>),
}

/// How a connection ended.
pub enum Ending {
    Closed { code: u16, reason: String },
    Failed(String),
}

/// How long a close may wait for the server's answer.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// How long one message may wait for a server that takes none of it: a
/// server that keeps its window shut would otherwise hold the connection,
/// even one LPC has closed, for good.
const SEND_STALL: Duration = Duration::from_secs(30);

/// Sends `message`; the connection's ending when that fails or stalls.
async fn send(socket: &mut Socket, message: Message) -> Option<Ending> {
    match timeout(SEND_STALL, socket.send(message)).await {
        Some(Ok(())) => None,
        Some(Err(e)) => Some(Ending::Failed(e.to_string())),
        None => Some(Ending::Failed(format!(
            "the server took nothing for {} s",
            SEND_STALL.as_secs()
        ))),
    }
}

/// Checks that `url` is a ws or wss address; gives host, port and TLS.
pub fn parse_url(url: &str) -> Result<(String, u16, bool), String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("bad URL '{url}': {e}"))?;
    let secure = match uri.scheme_str() {
        Some("ws") => false,
        Some("wss") => true,
        _ => return Err(format!("bad URL '{url}': not ws:// or wss://")),
    };
    let host = uri.host().filter(|h| !h.is_empty());
    let Some(host) = host else {
        return Err(format!("bad URL '{url}': no host"));
    };
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    Ok((host.to_string(), port, secure))
}

/// Runs one connection to its end: `on_message` hears each message
/// (false from it stops the connection); the ending is returned. The next
/// frame is read only when `flow` has room, so a server that floods waits
/// until the VM has taken the messages it has.
pub async fn run(
    url: String,
    options: Options,
    commands: Receiver<Outgoing>,
    on_message: impl Fn(Incoming) -> bool,
    flow: &Inflow,
) -> Ending {
    let limit = options.connect_timeout;
    let connected = timeout(limit, connect(&url, &options)).await;
    let mut socket = match connected {
        Some(Ok(socket)) => socket,
        Some(Err(e)) => return Ending::Failed(e),
        None => {
            return Ending::Failed(format!(
                "connecting timed out after {} ms",
                limit.as_millis()
            ));
        }
    };
    let socket = &mut socket;
    let mut close: Option<(u16, String)> = None;
    loop {
        let step =
            futures_lite::future::or(async { Step::Command(commands.recv().await.ok()) }, async {
                flow.room().await;
                Step::Frame(socket.next().await)
            })
            .await;
        match step {
            Step::Command(Some(Outgoing::Text(text, _credit))) => {
                if let Some(ending) = send(socket, Message::text(text)).await {
                    return ending;
                }
            }
            Step::Command(Some(Outgoing::Binary(bytes, _credit))) => {
                if let Some(ending) = send(socket, Message::binary(bytes)).await {
                    return ending;
                }
            }
            Step::Command(Some(Outgoing::Close) | None) => {
                let _ = timeout(CLOSE_WAIT, socket.send(Message::Close(None))).await;
                // Wait for the server's close frame, a little.
                let drained = timeout(CLOSE_WAIT, async {
                    while let Some(Ok(message)) = socket.next().await {
                        if let Message::Close(Some(frame)) = message {
                            return Some((u16::from(frame.code), frame.reason.to_string()));
                        }
                    }
                    None
                })
                .await
                .flatten();
                let (code, reason) = drained.unwrap_or((1000, String::new()));
                return Ending::Closed { code, reason };
            }
            Step::Frame(Some(Ok(message))) => match message {
                Message::Text(text) => {
                    if !on_message(Incoming::Text(text.to_string())) {
                        return Ending::Failed("the driver is shutting down".into());
                    }
                }
                Message::Binary(bytes) => {
                    if !on_message(Incoming::Binary(bytes.to_vec())) {
                        return Ending::Failed("the driver is shutting down".into());
                    }
                }
                Message::Close(frame) => {
                    // 1005: the server gave no status code.
                    close = Some(frame.map_or((1005, String::new()), |f| {
                        (u16::from(f.code), f.reason.to_string())
                    }));
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            },
            Step::Frame(Some(Err(e))) => {
                return match close {
                    Some((code, reason)) => Ending::Closed { code, reason },
                    None => Ending::Failed(e.to_string()),
                };
            }
            Step::Frame(None) => {
                // 1006: the connection ended without a close frame.
                let (code, reason) = close.unwrap_or((1006, String::new()));
                return Ending::Closed { code, reason };
            }
        }
    }
}

enum Step {
    Command(Option<Outgoing>),
    Frame(Option<Result<Message, async_tungstenite::tungstenite::Error>>),
}

type Socket = async_tungstenite::WebSocketStream<super::Stream>;

/// Connects and shakes hands.
async fn connect(url: &str, options: &Options) -> Result<Socket, String> {
    let (host, port, secure) = parse_url(url)?;
    let tls = if secure {
        Some(super::tls_client(&options.extra_roots)?)
    } else {
        None
    };
    let stream = super::connect(&host, port, tls).await?;
    let mut request = url
        .into_client_request()
        .map_err(|e| format!("bad URL '{url}': {e}"))?;
    for (name, value) in &options.headers {
        let name = async_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| format!("bad header name '{name}': {e}"))?;
        let value =
            HeaderValue::from_str(value).map_err(|e| format!("bad header value '{value}': {e}"))?;
        request.headers_mut().append(name, value);
    }
    if !options.subprotocols.is_empty() {
        let list = options.subprotocols.join(", ");
        let value =
            HeaderValue::from_str(&list).map_err(|e| format!("bad subprotocols '{list}': {e}"))?;
        request
            .headers_mut()
            .insert("sec-websocket-protocol", value);
    }
    let config = WebSocketConfig::default().max_message_size(Some(options.max_message));
    let (socket, _) = async_tungstenite::client_async_with_config(request, stream, Some(config))
        .await
        .map_err(|e| format!("websocket handshake with {url}: {e}"))?;
    Ok(socket)
}
