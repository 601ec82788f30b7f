//! Which servers the client trusts, and the rustls configuration presenting
//! the office's identity.

use crate::{ClientError, ClientIdentity};
use kaigo_domain::ErrorCode;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, RootCertStore, SignatureScheme};
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
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let root_names: Vec<Vec<u8>> = roots.roots.iter().map(|r| r.subject.as_ref().to_vec()).collect();
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| ClientError::local(ErrorCode::Internal, e.to_string()))?;
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| ClientError::local(ErrorCode::Internal, e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NamesInspection { webpki, root_names }));
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

/// The server's certificate names the very host asked for, but chains to a
/// root nobody expected: what a firewall decrypting HTTPS (TLS inspection)
/// presents. Told apart from other untrusted certificates so that staff
/// can be told what to ask their IT contact.
#[derive(Debug)]
pub(crate) struct InspectedBy {
    pub issuer: String,
}

impl std::fmt::Display for InspectedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the server's certificate for this host is issued by an unexpected authority ({}): TLS inspection", self.issuer)
    }
}

impl std::error::Error for InspectedBy {}

/// webpki's verification, naming TLS inspection when it is what failed.
#[derive(Debug)]
struct NamesInspection {
    webpki: Arc<WebPkiServerVerifier>,
    /// The distinguished names of the roots trusted (DER, without the
    /// outer SEQUENCE, as rustls keeps them).
    root_names: Vec<Vec<u8>>,
}

impl NamesInspection {
    /// The issuer of a certificate valid for `server_name` whose issuer is
    /// none of the trusted roots' names.
    fn foreign_issuer(
        &self, end_entity: &CertificateDer<'_>, intermediates: &[CertificateDer<'_>], server_name: &ServerName<'_>,
    ) -> Option<String> {
        let (_, leaf) = x509_parser::parse_x509_certificate(end_entity.as_ref()).ok()?;
        let names_host = match server_name {
            ServerName::DnsName(dns) => {
                let host = dns.as_ref().to_ascii_lowercase();
                let sans = leaf.subject_alternative_name().ok().flatten();
                sans.is_some_and(|san| {
                    san.value.general_names.iter().any(|n| match n {
                        x509_parser::extensions::GeneralName::DNSName(d) => {
                            let d = d.to_ascii_lowercase();
                            d == host || d.strip_prefix("*.").is_some_and(|s| host.split_once('.').is_some_and(|(_, rest)| rest == s))
                        }
                        _ => false,
                    })
                })
            }
            ServerName::IpAddress(_) => true,
            _ => false,
        };
        if !names_host {
            return None;
        }
        // The top of the chain presented: the last intermediate, else the leaf.
        let top = match intermediates.last() {
            Some(der) => x509_parser::parse_x509_certificate(der.as_ref()).ok()?.1,
            None => leaf,
        };
        let issuer = top.issuer();
        let known = self.root_names.iter().any(|n| n.as_slice() == strip_sequence(issuer.as_raw()));
        (!known).then(|| issuer.to_string())
    }
}

/// The contents of a DER SEQUENCE (rustls keeps names without the tag).
fn strip_sequence(der: &[u8]) -> &[u8] {
    let Some((&0x30, rest)) = der.split_first() else { return der };
    let Some((&len, rest)) = rest.split_first() else { return der };
    if len < 0x80 {
        return rest;
    }
    let n = usize::from(len & 0x7f);
    rest.get(n..).unwrap_or(der)
}

impl ServerCertVerifier for NamesInspection {
    fn verify_server_cert(
        &self, end_entity: &CertificateDer<'_>, intermediates: &[CertificateDer<'_>], server_name: &ServerName<'_>, ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
                match self.foreign_issuer(end_entity, intermediates, server_name) {
                    Some(issuer) => {
                        Err(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(InspectedBy { issuer })))))
                    }
                    None => Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)),
                }
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}
