//! The dedicated metrics port of `metrics port : N`: an HTTP server that
//! answers only `GET` of the metrics page, so that a scraper needs no LPC
//! code. Each scrape asks the VM thread to sample its gauges first and
//! waits a moment for it, since an idle VM samples them rarely. Each
//! address may have `connections per address` connections open at once;
//! one more is answered 503 (see [`super::refusal`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use lpcc::config::ConfigFile;

use super::{Io, Timer, timeout};
use crate::asyncwork::Notifier;
use crate::net::Peers;
use crate::runtime;

/// How long a scrape waits for the VM to sample its gauges; a busy VM
/// gets the page with the gauges of its last sample.
const SAMPLE_PATIENCE: Duration = Duration::from_secs(1);

/// How long a connection may take to send its request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// What the config asks for: the address to listen on, the page's path
/// and the connections one address may have open (0: no limit).
struct Settings {
    address: SocketAddr,
    path: String,
    per_address: usize,
}

/// Reads `metrics port`, `metrics address` (loopback unless given) and
/// `metrics path` (default `/metrics`); `Ok(None)` without a port.
fn settings(file: &ConfigFile) -> Result<Option<Settings>, String> {
    let port = match file.get_int("metrics port") {
        Ok(None) => return Ok(None),
        Ok(Some(port)) => port,
        Err(e) => return Err(e.message),
    };
    let Some(port) = u16::try_from(port).ok().filter(|&p| p != 0) else {
        return Err(format!("metrics port: {port} is not a TCP port"));
    };
    let host = file.get("metrics address").map_or("127.0.0.1", str::trim);
    let ip = host
        .parse()
        .map_err(|_| format!("metrics address: '{host}' is not an IP address"))?;
    let path = file
        .get("metrics path")
        .map(str::trim)
        .filter(|p| p.starts_with('/'))
        .unwrap_or("/metrics")
        .to_string();
    let per_address = match file.get_int("connections per address") {
        Ok(Some(n)) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => crate::net::Guards::default().per_address,
    };
    Ok(Some(Settings {
        address: SocketAddr::new(ip, port),
        path,
        per_address,
    }))
}

/// Starts the metrics port when the config has one; gives a line for the
/// debug log saying where it listens or why it does not.
pub fn start(file: &ConfigFile, notifier: Notifier) -> Option<String> {
    let settings = match settings(file) {
        Ok(settings) => settings?,
        Err(e) => return Some(e),
    };
    let listener =
        match std::net::TcpListener::bind(settings.address).and_then(runtime::tcp_listener) {
            Ok(listener) => listener,
            Err(e) => {
                return Some(format!("cannot serve metrics on {}: {e}", settings.address));
            }
        };
    let line = format!(
        "Serving metrics at http://{}{}",
        settings.address, settings.path
    );
    runtime::spawn(accept(listener, settings, notifier));
    Some(line)
}

async fn accept(listener: runtime::TcpListener, settings: Settings, notifier: Notifier) {
    let peers = Peers::default();
    loop {
        let Ok((stream, remote)) = listener.accept().await else {
            // Out of descriptors: wait a little rather than spin.
            runtime::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Some(slot) = peers.take(remote.ip(), settings.per_address) else {
            super::refusal::refuse(stream, None);
            continue;
        };
        let path = settings.path.clone();
        let notifier = notifier.clone();
        runtime::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                answer(request, path.clone(), notifier.clone())
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(Timer)
                .header_read_timeout(Some(HEADER_TIMEOUT));
            let _ = builder
                .serve_connection(Io::with_write_stall(stream, HEADER_TIMEOUT), service)
                .await;
            drop(slot);
        });
    }
}

async fn answer(
    request: hyper::Request<hyper::body::Incoming>,
    path: String,
    notifier: Notifier,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let wanted = request.method() == hyper::Method::GET && request.uri().path() == path;
    if !wanted {
        let mut response = hyper::Response::new(Full::new(Bytes::from_static(b"Not found\n")));
        *response.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(response);
    }
    let (sampled, done) = runtime::bounded::<()>(1);
    let asked = notifier.run(move |vm| {
        crate::metrics::sample(vm);
        let _ = sampled.try_send(());
        Ok(())
    });
    if asked {
        let _ = timeout(SAMPLE_PATIENCE, done.recv()).await;
    }
    let mut page = hyper::Response::new(Full::new(Bytes::from(crate::metrics::render())));
    page.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(page)
}
