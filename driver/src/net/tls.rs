//! TLS for ports with `external_port_N_tls : cert=PATH key=PATH`: the
//! certificate chain and key are read when the port opens, and again when
//! `sys_reload_tls` asks for it.

use std::sync::{Arc, RwLock};

use futures_rustls::TlsAcceptor;
use futures_rustls::rustls::ServerConfig;
use futures_rustls::rustls::crypto::ring;
use futures_rustls::rustls::pki_types::pem::PemObject;
use futures_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// An acceptor for the certificate chain and key in these PEM files.
pub fn acceptor(cert: &str, key: &str) -> Result<TlsAcceptor, String> {
    let cert_pem = std::fs::read(cert).map_err(|e| format!("cannot read {cert}: {e}"))?;
    let key_pem = std::fs::read(key).map_err(|e| format!("cannot read {key}: {e}"))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{cert}: {e}"))?;
    if chain.is_empty() {
        return Err(format!("{cert} holds no certificate"));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| format!("{key}: {e}"))?;
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("{cert}: {e}"))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A port's acceptor, shared between its listener and the VM thread so a
/// reload reaches the next handshake while open connections keep the
/// configuration they were made with.
#[derive(Clone)]
pub struct Shared(Arc<RwLock<TlsAcceptor>>);

impl Shared {
    pub fn new(acceptor: TlsAcceptor) -> Shared {
        Shared(Arc::new(RwLock::new(acceptor)))
    }

    /// The acceptor for the next handshake.
    pub fn current(&self) -> TlsAcceptor {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Makes `acceptor` the one new connections get.
    pub fn replace(&self, acceptor: TlsAcceptor) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = acceptor;
    }
}
