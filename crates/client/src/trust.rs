//! Which servers the client trusts, and the rustls configuration presenting
//! the office's identity.

use crate::{ClientError, ClientIdentity};
use kaigo_domain::ErrorCode;
use rustls::RootCertStore;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub enum ServerTrust {
    /// Only servers certified by this CA (PEM): practice mode and tests.
    CaPem(String),
    /// The public web PKI (the Mozilla root list).
    PublicRoots,
}

pub(crate) fn tls_config(trust: &ServerTrust, identity: Option<&ClientIdentity>) -> Result<rustls::ClientConfig, ClientError> {
    let mut roots = RootCertStore::empty();
    match trust {
        ServerTrust::CaPem(pem) => {
            for cert in rustls_pemfile::certs(&mut pem.as_bytes()) {
                let cert = cert.map_err(|e| ClientError::local(ErrorCode::ServerCertificateUntrusted, e.to_string()))?;
                roots.add(cert).map_err(|e| ClientError::local(ErrorCode::ServerCertificateUntrusted, e.to_string()))?;
            }
        }
        ServerTrust::PublicRoots => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| ClientError::local(ErrorCode::Internal, e.to_string()))?
        .with_root_certificates(roots);
    let mut config = match identity {
        Some(id) => {
            let certified = rustls::sign::CertifiedKey::new(id.chain.clone(), id.key.clone());
            builder.with_client_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(certified)))
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
