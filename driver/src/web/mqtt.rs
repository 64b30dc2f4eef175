//! The MQTT 5 client of `mqtt_connect`: one task keeps the connection to
//! the broker (TLS when asked), reconnecting with a growing pause after a
//! loss; a second task turns the VM's requests into client calls.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_lite::io::{AsyncRead, AsyncWrite};

use futures_rustls::rustls::ClientConfig;
use mqrstt::packets::{Packet, QoS};
use mqrstt::{AsyncEventHandler, ConnectOptions, NetworkBuilder, NetworkStatus};

use super::{Stream, timeout};
use crate::runtime::{self, Receiver};

pub struct Settings {
    pub host: String,
    pub port: u16,
    pub tls: Option<Arc<ClientConfig>>,
    pub options: ConnectOptions,
    pub reconnect: bool,
    /// For the connection and the broker's acknowledgement together.
    pub connect_timeout: Duration,
}

/// What the VM thread asks of a client.
pub enum Request {
    Subscribe(String, QoS),
    Unsubscribe(String),
    Publish {
        topic: String,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
    },
    Disconnect,
}

/// What a client tells the VM thread.
pub enum News {
    Connected,
    /// The connection failed or was lost, and why.
    Disconnected(String),
    /// The pause before the next attempt.
    Reconnecting(Duration),
    Message {
        topic: String,
        payload: Vec<u8>,
    },
}

/// The broker's bytes handed to mqrstt one packet per read. mqrstt parses
/// a single packet after each read, so two packets arriving together would
/// leave the second waiting for more bytes; and it must never see more of
/// an unfinished packet than its remaining length.
pub struct Framed<S> {
    inner: S,
    /// Bytes read from the broker and not handed on yet.
    pending: Vec<u8>,
    /// The packet being handed on, once its fixed header is in.
    current: Option<Current>,
}

#[derive(Clone, Copy)]
struct Current {
    /// The whole packet, fixed header included.
    size: usize,
    /// Its remaining length (the size less the fixed header).
    remaining: usize,
    /// How much of it went out.
    sent: usize,
}

impl<S> Framed<S> {
    pub fn new(inner: S) -> Framed<S> {
        Framed {
            inner,
            pending: Vec::new(),
            current: None,
        }
    }
}

/// The size and remaining length of the packet starting `bytes`; `None`
/// while its fixed header is incomplete.
fn packet_size(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut remaining = 0usize;
    for i in 0..4 {
        let byte = *bytes.get(1 + i)?;
        remaining |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((2 + i + remaining, remaining));
        }
    }
    // A malformed length: hand the bytes on and let mqrstt refuse them.
    Some((bytes.len(), bytes.len()))
}

impl<S: AsyncRead + Unpin> AsyncRead for Framed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            if this.current.is_none() {
                this.current = packet_size(&this.pending).map(|(size, remaining)| Current {
                    size,
                    remaining,
                    sent: 0,
                });
            }
            if let Some(mut current) = this.current {
                let left = current.size - current.sent;
                let available = this.pending.len().min(left);
                let n = if left <= buf.len() {
                    // A packet that fits goes out whole.
                    if available == left { left } else { 0 }
                } else {
                    // A larger one goes in pieces; until the last, what
                    // went out stays within its remaining length.
                    let cap = if current.sent < current.remaining {
                        current.remaining - current.sent
                    } else {
                        left
                    };
                    cap.min(buf.len()).min(available)
                };
                if n > 0 {
                    if let (Some(to), Some(from)) = (buf.get_mut(..n), this.pending.get(..n)) {
                        to.copy_from_slice(from);
                    }
                    this.pending.drain(..n);
                    current.sent += n;
                    this.current = (current.sent < current.size).then_some(current);
                    return Poll::Ready(Ok(n));
                }
            }
            let mut chunk = [0u8; 4096];
            match Pin::new(&mut this.inner).poll_read(cx, &mut chunk) {
                // A packet cut short by the end is of no use: the end it is.
                Poll::Ready(Ok(0)) => return Poll::Ready(Ok(0)),
                Poll::Ready(Ok(n)) => {
                    this.pending
                        .extend_from_slice(chunk.get(..n).unwrap_or_default());
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Framed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}

/// The pauses between attempts grow from the first to the last.
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const LAST_PAUSE: Duration = Duration::from_secs(30);

/// Hands incoming messages on; acknowledgements are mqrstt's business.
struct Handler<F> {
    news: F,
}

impl<F: Fn(News) -> bool + Send + Sync> AsyncEventHandler for Handler<F> {
    fn handle(&mut self, packet: Packet) -> impl std::future::Future<Output = ()> + Send + Sync {
        if let Packet::Publish(publish) = packet {
            (self.news)(News::Message {
                topic: publish.topic.to_string(),
                payload: publish.payload,
            });
        }
        std::future::ready(())
    }
}

/// Runs a client until it is disconnected on request, its requests stop
/// (the VM dropped it), or a loss when reconnecting is off. Returns why.
pub async fn run(
    settings: Settings,
    requests: Receiver<Request>,
    news: impl Fn(News) -> bool + Send + Sync + 'static,
) -> String {
    let (mut network, client) =
        NetworkBuilder::<Handler<_>, Framed<Stream>>::new_from_options(settings.options.clone())
            .smol_network();
    // The network hands packet ids back to the client as acknowledgements
    // come; with every client gone it fails, so one stays until the end.
    let _client = client.clone();
    let stopping = Arc::new(AtomicBool::new(false));
    let stop = stopping.clone();
    runtime::spawn(async move {
        while let Ok(request) = requests.recv().await {
            let sent = match request {
                Request::Subscribe(topic, qos) => client.subscribe((topic.as_str(), qos)).await,
                Request::Unsubscribe(topic) => client.unsubscribe(topic.as_str()).await,
                Request::Publish {
                    topic,
                    payload,
                    qos,
                    retain,
                } => client.publish(topic.as_str(), qos, retain, payload).await,
                Request::Disconnect => break,
            };
            if sent.is_err() {
                break;
            }
        }
        stop.store(true, Ordering::Release);
        let _ = client.disconnect().await;
    });
    let mut handler = Handler { news };
    let mut pause = FIRST_PAUSE;
    loop {
        let (connected, outcome) = attempt(&settings, &mut network, &mut handler).await;
        let reason = match outcome {
            Ok(NetworkStatus::OutgoingDisconnect) => return "disconnected".into(),
            Ok(status) => format!("{status:?}"),
            Err(e) => e,
        };
        // A connection that worked starts the pauses over.
        if connected {
            pause = FIRST_PAUSE;
        }
        if stopping.load(Ordering::Acquire) {
            return "disconnected".into();
        }
        (handler.news)(News::Disconnected(reason.clone()));
        if !settings.reconnect {
            return reason;
        }
        (handler.news)(News::Reconnecting(pause));
        let mut waited = Duration::ZERO;
        while waited < pause {
            if stopping.load(Ordering::Acquire) {
                return "disconnected".into();
            }
            runtime::sleep(Duration::from_millis(100)).await;
            waited += Duration::from_millis(100);
        }
        pause = (pause * 2).min(LAST_PAUSE);
    }
}

/// One connection: connects, then runs until it ends. Tells whether the
/// broker took the connection, and how it ended.
async fn attempt<F: Fn(News) -> bool + Send + Sync>(
    settings: &Settings,
    network: &mut mqrstt::smol::Network<Handler<F>, Framed<Stream>>,
    handler: &mut Handler<F>,
) -> (bool, Result<NetworkStatus, String>) {
    let limit = settings.connect_timeout;
    let connected = timeout(limit, async {
        let stream = super::connect(&settings.host, settings.port, settings.tls.clone()).await?;
        network
            .connect(Framed::new(stream), handler)
            .await
            .map_err(|e| e.to_string())
    })
    .await;
    match connected {
        Some(Ok(())) => {}
        Some(Err(e)) => return (false, Err(e)),
        None => {
            let message = format!("connecting timed out after {} ms", limit.as_millis());
            return (false, Err(message));
        }
    }
    (handler.news)(News::Connected);
    (true, network.run(handler).await.map_err(|e| e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads everything through `Framed` with reads of `size` bytes.
    fn reads(bytes: &[u8], size: usize) -> Vec<Vec<u8>> {
        let mut framed = Framed::new(futures_lite::io::Cursor::new(bytes.to_vec()));
        let mut out = Vec::new();
        crate::runtime::block_on(async {
            use futures_lite::io::AsyncReadExt;
            let mut buf = vec![0u8; size];
            while let Ok(n) = framed.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                out.push(buf.get(..n).unwrap_or_default().to_vec());
            }
        });
        out
    }

    #[test]
    fn packets_go_out_one_per_read() {
        let puback = [0x40, 2, 0, 1];
        let publish = [0x30, 5, 0, 1, b't', b'h', b'i'];
        let both: Vec<u8> = puback.iter().chain(publish.iter()).copied().collect();
        assert_eq!(reads(&both, 4096), vec![puback.to_vec(), publish.to_vec()]);
    }

    #[test]
    fn a_large_packet_goes_in_pieces_within_its_remaining_length() {
        let mut packet = vec![0x30, 0x8a, 0x01];
        packet.extend(vec![7u8; 138]);
        let pieces = reads(&packet, 100);
        assert_eq!(pieces.concat(), packet);
        let mut sent = 0;
        for piece in &pieces[..pieces.len() - 1] {
            sent += piece.len();
            assert!(sent <= 138, "{sent}");
        }
    }
}
