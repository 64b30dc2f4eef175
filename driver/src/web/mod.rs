//! The async side of the web efuns: an HTTP server and client (hyper over
//! the runtime's sockets), a websocket client, GraphQL endpoints, gRPC
//! and an MQTT client; and the dedicated metrics port.
//! Nothing here touches an LPC value; the efuns (`efuns/http.rs`,
//! `efuns/websocket.rs`, `efuns/graphql.rs`, `efuns/grpc.rs`,
//! `efuns/mqtt.rs`) turn what these tasks
//! produce into values on the VM thread.

pub mod graphql;
pub mod grpc;
pub mod http_client;
pub mod http_server;
pub mod metrics_port;
pub mod mqtt;
pub mod refusal;
pub mod websocket;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_lite::io::{AsyncRead, AsyncWrite};
use futures_rustls::rustls::ClientConfig;
use futures_rustls::rustls::crypto::ring;
use futures_rustls::rustls::pki_types::CertificateDer;

use crate::runtime;

/// A runtime stream as hyper's I/O traits want it.
pub struct Io<T> {
    stream: T,
    /// How long output may wait for the peer to take any of it before the
    /// connection fails: a server's answer to a client that stopped
    /// reading is not held for ever.
    write_stall: Option<Duration>,
    /// Running while output waits for the peer.
    stalled: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl<T> Io<T> {
    pub fn new(stream: T) -> Io<T> {
        Io {
            stream,
            write_stall: None,
            stalled: None,
        }
    }

    /// A stream whose writes fail with `TimedOut` once the peer has taken
    /// nothing for `limit`.
    pub fn with_write_stall(stream: T, limit: Duration) -> Io<T> {
        Io {
            write_stall: Some(limit),
            ..Io::new(stream)
        }
    }

    /// Called when a write or flush must wait: fails once the wait has
    /// lasted the stall limit; progress clears it.
    fn stall<R>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let Some(limit) = self.write_stall else {
            return Poll::Pending;
        };
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(runtime::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the peer took no output for too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // hyper's cursor hands out uninitialised memory only through
        // unsafe code, so the bytes take a detour through this buffer.
        let mut chunk = [0u8; 8192];
        let room = buf.remaining().min(chunk.len());
        let Some(window) = chunk.get_mut(..room) else {
            return Poll::Ready(Ok(()));
        };
        match Pin::new(&mut self.get_mut().stream).poll_read(cx, window) {
            Poll::Ready(Ok(n)) => {
                buf.put_slice(window.get(..n).unwrap_or_default());
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for Io<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.stall(cx, poll)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_flush(cx);
        this.stall(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_close(cx);
        this.stall(cx, poll)
    }
}

/// hyper's timer (header read timeouts) on the runtime's sleep.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timer;

/// A runtime sleep made `Sync`, as hyper requires of its timers.
struct Sleep(Mutex<Pin<Box<dyn Future<Output = ()> + Send>>>);

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.get_mut().0.get_mut() {
            Ok(sleep) => sleep.as_mut().poll(cx),
            Err(_) => Poll::Ready(()),
        }
    }
}

impl hyper::rt::Sleep for Sleep {}

impl hyper::rt::Timer for Timer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Sleep(Mutex::new(Box::pin(runtime::sleep(duration)))))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep(deadline.saturating_duration_since(Instant::now()))
    }
}

/// `future`'s output, or `None` when `limit` passes first.
pub async fn timeout<T>(limit: Duration, future: impl Future<Output = T>) -> Option<T> {
    futures_lite::future::or(async { Some(future.await) }, async {
        runtime::sleep(limit).await;
        None
    })
    .await
}

/// The TLS client settings: the public roots, plus `extra` roots (a test
/// server's or a private CA's certificate) when given.
pub fn tls_client(extra: &[CertificateDer<'static>]) -> Result<Arc<ClientConfig>, String> {
    static PUBLIC: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    if extra.is_empty()
        && let Some(config) = PUBLIC.get()
    {
        return Ok(config.clone());
    }
    let mut roots = futures_rustls::rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in extra {
        roots
            .add(cert.clone())
            .map_err(|e| format!("bad certificate: {e}"))?;
    }
    let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let config = Arc::new(config);
    if extra.is_empty() {
        let _ = PUBLIC.set(config.clone());
    }
    Ok(config)
}

/// Certificates from a PEM file, to trust beside the public roots.
pub fn read_certificates(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, String> {
    use futures_rustls::rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{} holds no certificate", path.display()));
    }
    Ok(certs)
}

/// A TCP connection to `host:port`, wrapped in TLS when `tls` is given.
pub async fn connect(
    host: &str,
    port: u16,
    tls: Option<Arc<ClientConfig>>,
) -> Result<Stream, String> {
    // An IPv6 literal comes bracketed out of a URL.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let tcp = runtime::TcpStream::connect((bare, port))
        .await
        .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let Some(config) = tls else {
        return Ok(Stream::Plain(tcp));
    };
    let name = futures_rustls::rustls::pki_types::ServerName::try_from(bare.to_string())
        .map_err(|e| format!("bad server name {host}: {e}"))?;
    let stream = futures_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with {host}: {e}"))?;
    Ok(Stream::Tls(Box::new(stream)))
}

/// A client connection, plain or TLS.
pub enum Stream {
    Plain(runtime::TcpStream),
    Tls(Box<futures_rustls::client::TlsStream<runtime::TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_close(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_close(cx),
        }
    }
}

/// Name and value pairs of a header map; values that are not text are
/// decoded leniently.
pub fn header_pairs(headers: &hyper::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// What became of a message LPC sent toward a peer (`websocket_send`,
/// `mqtt_publish`, `grpc_send`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    Queued,
    /// Not sent: what was queued before still waits for the peer, and
    /// this would pass [`crate::net::OUTGOING_WINDOW`].
    Full,
    /// Not sent: the connection or stream is over.
    Closed,
}

impl Sent {
    /// The efuns' answer: 1 queued, 0 closed, -1 full (try again later).
    pub fn code(self) -> i64 {
        match self {
            Sent::Queued => 1,
            Sent::Closed => 0,
            Sent::Full => -1,
        }
    }
}

/// Queues a message of `len` bytes with `send` (false when its channel is
/// closed) if `flow`, the window of its queue, has room for it.
pub fn offer(
    flow: &Arc<crate::net::Inflow>,
    len: usize,
    send: impl FnOnce(crate::net::Credit) -> bool,
) -> Sent {
    let Some(credit) = flow.offer(len.saturating_add(crate::net::PARCEL_COST)) else {
        return Sent::Full;
    };
    if send(credit) {
        Sent::Queued
    } else {
        Sent::Closed
    }
}
