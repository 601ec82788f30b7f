//! TLS for the service: TLS 1.2 and 1.3 only; a client certificate, when
//! sent, verified against the configured CA in the handshake. Every route
//! but the device's redemption of its activation code (3-4) then refuses a
//! connection without one (`http::extract::require_certificate`). Which
//! office a certificate proves is decided later, from the database.

use anyhow::Context as _;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub fn certs_from_pem(pem: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = rustls_pemfile::certs(&mut pem.as_bytes()).collect::<Result<Vec<_>, _>>()?;
    anyhow::ensure!(!certs.is_empty(), "no certificate found in PEM");
    Ok(certs)
}

pub fn key_from_pem(pem: &str) -> anyhow::Result<PrivateKeyDer<'static>> {
    rustls_pemfile::private_key(&mut pem.as_bytes())?.context("no private key found in PEM")
}

/// The PEM material the service needs.
#[derive(Clone)]
pub struct TlsMaterial {
    pub server_cert_chain_pem: String,
    pub server_key_pem: String,
    /// CA(s) whose client certificates are accepted.
    pub client_ca_pem: String,
    /// A CRL file of that CA (PEM or DER), read again when it changes.
    pub client_crl: Option<std::path::PathBuf>,
}

pub fn server_config(m: &TlsMaterial) -> anyhow::Result<ServerConfig> {
    let mut roots = RootCertStore::empty();
    for ca in certs_from_pem(&m.client_ca_pem).context("client CA")? {
        roots.add(ca)?;
    }
    // A phone or tablet redeeming its activation code has no office
    // certificate; a certificate that is sent must still verify.
    let verifier = crate::revocation::client_verifier(Arc::new(roots), m.client_crl.as_deref())?;
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs_from_pem(&m.server_cert_chain_pem).context("server certificate")?, key_from_pem(&m.server_key_pem)?)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    if m.client_crl.is_some() {
        // A resumed session skips the client certificate's check: with a
        // revocation list every connection is verified against it anew.
        config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    }
    Ok(config)
}
