//! The HTTP/1.1 server of `http_serve`: accepts connections, lets hyper
//! parse requests (keep-alive, header limits, header read timeout), serves
//! static files itself and hands every other request, body read and
//! bounded, to the VM thread through a [`Deliver`] function, then waits a
//! bounded time for the answer. Each server limits the connections one
//! address may have open at once; one more is answered 503 (see
//! [`super::refusal`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

use super::{Io, Timer, timeout};
use crate::net::Peers;
use crate::runtime::{self, Receiver, Sender, TcpListener};

/// A request as the VM thread gets it: plain data only.
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub remote: SocketAddr,
}

/// An answer from LPC.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Where a request's answer goes, and the slot in which the VM thread
/// writes the request's id so the task can end it after a timeout.
pub struct Reply {
    pub answer: Sender<Response>,
    pub id: Arc<AtomicI64>,
}

/// Hands a request to the VM thread; false once the VM is gone.
pub type Deliver = Arc<dyn Fn(Request, Reply) -> bool + Send + Sync>;

/// Ends a request on the VM thread that timed out here.
pub type Abandon = Arc<dyn Fn(i64) + Send + Sync>;

/// The limits and features of one server.
pub struct Config {
    pub max_body: usize,
    pub max_header: usize,
    pub header_timeout: Duration,
    pub response_timeout: Duration,
    pub keep_alive: bool,
    /// Connections one address may have open at once; 0 for no limit.
    pub per_address: usize,
    pub static_dir: Option<PathBuf>,
    pub tls: Option<futures_rustls::TlsAcceptor>,
}

/// hyper refuses a read buffer smaller than this.
const MIN_BUFFER: usize = 8192;

/// Accepts connections until every sender of `stop` is gone; connections
/// already open live on.
pub async fn serve(
    listener: TcpListener,
    config: Arc<Config>,
    deliver: Deliver,
    abandon: Abandon,
    stop: Receiver<()>,
) {
    let peers = Peers::default();
    loop {
        let accepted = futures_lite::future::or(async { Some(listener.accept().await) }, async {
            let _ = stop.recv().await;
            None
        })
        .await;
        let Some(accepted) = accepted else {
            return;
        };
        let (stream, remote) = match accepted {
            Ok(pair) => pair,
            Err(_) => {
                // Out of descriptors or a reset before accept: wait a
                // little rather than spin.
                runtime::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(slot) = peers.take(remote.ip(), config.per_address) else {
            super::refusal::refuse(stream, config.tls.clone());
            continue;
        };
        let _ = stream.set_nodelay(true);
        let config = config.clone();
        let deliver = deliver.clone();
        let abandon = abandon.clone();
        runtime::spawn(async move {
            match config.tls.clone() {
                // Boxed: the TLS state is large, and plain connections
                // need not each carry room for it.
                Some(acceptor) => {
                    Box::pin(async move {
                        let handshake =
                            timeout(config.header_timeout, acceptor.accept(stream)).await;
                        if let Some(Ok(tls)) = handshake {
                            connection(tls, remote, config.clone(), deliver, abandon).await;
                        }
                    })
                    .await
                }
                None => connection(stream, remote, config.clone(), deliver, abandon).await,
            }
            drop(slot);
        });
    }
}

async fn connection<S>(
    stream: S,
    remote: SocketAddr,
    config: Arc<Config>,
    deliver: Deliver,
    abandon: Abandon,
) where
    S: futures_lite::io::AsyncRead + futures_lite::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(Timer)
        .keep_alive(config.keep_alive)
        .header_read_timeout(Some(config.header_timeout))
        .max_buf_size(config.max_header.max(MIN_BUFFER));
    let stall = config.header_timeout;
    let service = hyper::service::service_fn(move |request| {
        answer(
            request,
            remote,
            config.clone(),
            deliver.clone(),
            abandon.clone(),
        )
    });
    let _ = builder
        .serve_connection(Io::with_write_stall(stream, stall), service)
        .await;
}

fn plain(status: u16, text: &str) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(text.to_string())));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

async fn answer(
    request: hyper::Request<Incoming>,
    remote: SocketAddr,
    config: Arc<Config>,
    deliver: Deliver,
    abandon: Abandon,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    if crate::metrics::is_page(&method, &path) {
        let mut page = plain(200, &crate::metrics::render());
        page.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        return Ok(page);
    }
    crate::metrics::HTTP_REQUESTS.bump();
    if let Some(dir) = &config.static_dir
        && (method == "GET" || method == "HEAD")
        && let Some(file) = static_file(dir, &path).await
    {
        return Ok(file);
    }
    let headers = super::header_pairs(request.headers());
    let body = match Limited::new(request.into_body(), config.max_body)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return Ok(plain(413, "Request body too large\n"));
        }
        Err(_) => return Ok(plain(400, "Bad request body\n")),
    };
    let (answer, answers): (Sender<Response>, Receiver<Response>) = runtime::channel();
    let id = Arc::new(AtomicI64::new(0));
    let request = Request {
        method,
        path,
        query,
        headers,
        body,
        remote,
    };
    let reply = Reply {
        answer,
        id: id.clone(),
    };
    if !deliver(request, reply) {
        return Ok(plain(503, "Server shutting down\n"));
    }
    let Some(Ok(response)) = timeout(config.response_timeout, answers.recv()).await else {
        // Closing the receiver tells a VM thread that has not seen the
        // request yet to drop it; one that has is told by its id.
        answers.close();
        let id = id.load(Ordering::Acquire);
        if id != 0 {
            abandon(id);
        }
        return Ok(plain(504, "No response from the handler\n"));
    };
    Ok(build(response))
}

/// A hyper response from LPC's answer; bad header names or values are
/// left out, as the efun checked them already.
fn build(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut out = hyper::Response::new(Full::new(Bytes::from(response.body)));
    *out.status_mut() =
        hyper::StatusCode::from_u16(response.status).unwrap_or(hyper::StatusCode::OK);
    for (name, value) in response.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            out.headers_mut().append(name, value);
        }
    }
    out
}

/// The file under `dir` that `path` names, if it exists; `index.html`
/// stands for a directory. Paths that climb out of `dir` find nothing.
async fn static_file(dir: &Path, path: &str) -> Option<hyper::Response<Full<Bytes>>> {
    let mut file = dir.to_path_buf();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains('\\') || p.contains('\0') => return None,
            p => file.push(p),
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let bytes = runtime::read_file(&file).await.ok()?;
    let mut response = hyper::Response::new(Full::new(Bytes::from(bytes)));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type(&file)),
    );
    Some(response)
}

fn content_type(file: &Path) -> &'static str {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}
