//! The answer an HTTP server gives a connection over its address's limit:
//! `503 Service Unavailable` with `Retry-After` and `Connection: close`,
//! as a proxy's connection limit answers, so that a browser or a load
//! balancer sees why it was turned away. Answering costs a task and a
//! little memory per refused connection, so only a few are answered at
//! once; the others are closed without a word, as before.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;

use super::{Io, Timer, timeout};
use crate::runtime::{self, TcpStream};

/// Refused connections answered at once, over every server: beyond this
/// the refusals themselves would become the load an attacker wants.
const MAX_ANSWERING: usize = 32;

/// How long a refused connection has for its TLS handshake, and then for
/// its request head.
const PATIENCE: Duration = Duration::from_secs(2);

/// How long answering one refused connection may take in all, writing
/// the answer included.
const LIMIT: Duration = Duration::from_secs(5);

/// Seconds a client is asked to wait before it tries again.
const RETRY_AFTER: &str = "1";

/// hyper's smallest read buffer, which is ample for the head of a request
/// that only gets a refusal.
const BUFFER: usize = 8192;

/// Refused connections being answered now.
static ANSWERING: AtomicUsize = AtomicUsize::new(0);

/// A place among the [`MAX_ANSWERING`]; given back when dropped.
struct Place;

impl Place {
    fn take() -> Option<Place> {
        ANSWERING
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_ANSWERING).then_some(n + 1)
            })
            .ok()
            .map(|_| Place)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        ANSWERING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Turns `stream` away: answers its requests with 503 (after the TLS
/// handshake when `tls` is given) and closes it, or closes it at once
/// when [`MAX_ANSWERING`] refusals are being answered already.
pub fn refuse(stream: TcpStream, tls: Option<futures_rustls::TlsAcceptor>) {
    let Some(place) = Place::take() else {
        let _ = stream.shutdown(std::net::Shutdown::Both);
        return;
    };
    runtime::spawn(async move {
        let closer = stream.clone();
        let answered = async move {
            let Some(acceptor) = tls else {
                return answer(stream).await;
            };
            // Boxed: the TLS state is large, and plain refusals need not
            // carry room for it.
            Box::pin(async move {
                if let Some(Ok(tls)) = timeout(PATIENCE, acceptor.accept(stream)).await {
                    answer(tls).await;
                }
            })
            .await
        };
        let _ = timeout(LIMIT, answered).await;
        let _ = closer.shutdown(std::net::Shutdown::Both);
        drop(place);
    });
}

/// Serves `stream` until its first request is answered, or its head is
/// late.
async fn answer<S>(stream: S)
where
    S: futures_lite::io::AsyncRead + futures_lite::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(Timer)
        .keep_alive(false)
        .header_read_timeout(Some(PATIENCE))
        .max_buf_size(BUFFER);
    let service =
        hyper::service::service_fn(|_request| async { Ok::<_, Infallible>(unavailable()) });
    let _ = builder
        .serve_connection(Io::with_write_stall(stream, PATIENCE), service)
        .await;
}

fn unavailable() -> hyper::Response<Full<Bytes>> {
    use hyper::header::{CONNECTION, CONTENT_TYPE, HeaderValue, RETRY_AFTER as RETRY};
    let text = "Too many connections from your address; try again shortly.\n";
    let mut response = hyper::Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = hyper::StatusCode::SERVICE_UNAVAILABLE;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(RETRY, HeaderValue::from_static(RETRY_AFTER));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}
