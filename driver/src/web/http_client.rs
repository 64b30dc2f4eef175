//! The HTTP/1.1 client of `http_request`: one connection per request
//! (plain or TLS), redirects followed up to a limit, the whole exchange
//! under one deadline and the response body under a size cap.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_rustls::rustls::ClientConfig;
use futures_rustls::rustls::pki_types::CertificateDer;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Uri;

use super::{Io, timeout};
use crate::runtime;

/// What to fetch and within which limits.
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub timeout: Duration,
    pub max_redirects: u32,
    pub max_size: usize,
    /// Certificates trusted beside the public roots.
    pub extra_roots: Vec<CertificateDer<'static>>,
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Checks that `url` is an absolute http or https address.
pub fn parse_url(url: &str) -> Result<Uri, String> {
    let uri: Uri = url.parse().map_err(|e| format!("bad URL '{url}': {e}"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(format!("bad URL '{url}': not http:// or https://")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("bad URL '{url}': no host"));
    }
    Ok(uri)
}

/// Performs the request; the error is a message for LPC.
pub async fn fetch(request: Request) -> Result<Response, String> {
    let limit = request.timeout;
    timeout(limit, follow(request))
        .await
        .unwrap_or_else(|| Err(format!("timed out after {} ms", limit.as_millis())))
}

async fn follow(request: Request) -> Result<Response, String> {
    let mut method = request.method.clone();
    let mut uri = parse_url(&request.url)?;
    let mut body = request.body.clone();
    let mut redirects = 0;
    loop {
        let response = once(&method, &uri, &request, body.clone()).await?;
        let location = response
            .headers
            .iter()
            .find(|(name, _)| name == "location")
            .map(|(_, value)| value.clone());
        let redirect = matches!(response.status, 301 | 302 | 303 | 307 | 308);
        let (true, Some(location)) = (redirect, location) else {
            return Ok(response);
        };
        if redirects >= request.max_redirects {
            return Ok(response);
        }
        redirects += 1;
        uri = resolve(&uri, &location)?;
        // A 303, and the 301 or 302 answers to a POST that clients have
        // always followed with GET, drop the body.
        if response.status == 303 || (matches!(response.status, 301 | 302) && method == "POST") {
            method = "GET".into();
            body.clear();
        }
    }
}

/// A redirect target against the address that gave it.
fn resolve(base: &Uri, location: &str) -> Result<Uri, String> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return parse_url(location);
    }
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map_or("", |a| a.as_str());
    let path = if location.starts_with('/') {
        location.to_string()
    } else {
        let dir = base.path().rsplit_once('/').map_or("", |(dir, _)| dir);
        format!("{dir}/{location}")
    };
    parse_url(&format!("{scheme}://{authority}{path}"))
}

async fn once(
    method: &str,
    uri: &Uri,
    request: &Request,
    body: Vec<u8>,
) -> Result<Response, String> {
    let https = uri.scheme_str() == Some("https");
    let host = uri.host().unwrap_or_default();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let tls: Option<Arc<ClientConfig>> = if https {
        Some(super::tls_client(&request.extra_roots)?)
    } else {
        None
    };
    let stream = super::connect(host, port, tls).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(Io::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake: {e}"))?;
    runtime::spawn(async move {
        let _ = connection.await;
    });
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut builder = hyper::Request::builder().method(method).uri(target);
    let mut has_host = false;
    for (name, value) in &request.headers {
        has_host |= name.eq_ignore_ascii_case("host");
        builder = builder.header(name.as_str(), value.as_str());
    }
    if !has_host {
        let authority = uri.authority().map_or(host, |a| a.as_str());
        builder = builder.header(hyper::header::HOST, authority);
    }
    let outgoing = builder
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("bad request: {e}"))?;
    let response = sender
        .send_request(outgoing)
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = response.status().as_u16();
    let headers = super::header_pairs(response.headers());
    let body = Limited::new(response.into_body(), request.max_size)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                format!("response larger than {} bytes", request.max_size)
            } else {
                format!("reading the response: {e}")
            }
        })?
        .to_bytes()
        .to_vec();
    Ok(Response {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_resolve_against_the_base() {
        let base = parse_url("http://h:81/a/b?x=1").expect("valid");
        let absolute = resolve(&base, "https://other/x").expect("valid");
        assert_eq!(absolute.to_string(), "https://other/x");
        let rooted = resolve(&base, "/c").expect("valid");
        assert_eq!(rooted.to_string(), "http://h:81/c");
        let relative = resolve(&base, "d?y=2").expect("valid");
        assert_eq!(relative.to_string(), "http://h:81/a/d?y=2");
    }

    #[test]
    fn only_http_urls_are_taken() {
        assert!(parse_url("ftp://h/").is_err());
        assert!(parse_url("/relative").is_err());
        assert!(parse_url("http://127.0.0.1:8080/x").is_ok());
    }
}
