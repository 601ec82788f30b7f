//! 研修: reaching a trainer's service before anything of it is trusted.
//! As EST (RFC 7030) bootstraps, the class's CA is fetched over a TLS
//! connection whose server is not yet verified, and then checked against
//! the pin the trainer shows (out of band). Only a CA that matches is
//! trusted, and every later connection verifies the server against it.

use crate::{ClientError, Network, OnboardingClient, ServerTrust};
use kaigo_api::class::{ClassAuthority, JoinRequest, JoinedClass};
use kaigo_domain::class::CaPin;
use kaigo_domain::ErrorCode;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest as _, Sha256};
use std::sync::Arc;

/// Accepts any server certificate, still checking that the server holds
/// its key: for the one request whose answer is checked by the pin.
#[derive(Debug)]
struct NotYetTrusted(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NotYetTrusted {
    fn verify_server_cert(
        &self, _end_entity: &CertificateDer<'_>, _intermediates: &[CertificateDer<'_>], _server_name: &ServerName<'_>, _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The class's CA from the service at `base_url`, if it is the one `pin`
/// names; `class_pin_mismatch` otherwise (the service is not the trainer's).
pub async fn fetch_class_authority(base_url: &str, pin: &CaPin) -> Result<String, ClientError> {
    fetch_class_authority_via(base_url, pin, &Network::Direct).await
}

/// As [`fetch_class_authority`], going out by `network`.
pub async fn fetch_class_authority_via(base_url: &str, pin: &CaPin, network: &Network) -> Result<String, ClientError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| ClientError::local(ErrorCode::Internal, e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NotYetTrusted(provider)))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let http = network
        .apply(reqwest::Client::builder())?
        .use_preconfigured_tls(tls)
        .https_only(true)
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| ClientError::local(ErrorCode::Internal, e.to_string()))?;
    let url = format!("{}/v1/class/authority", base_url.trim_end_matches('/'));
    let resp = http.get(url).send().await.map_err(|e| ClientError::from_transport_via(e, network.is_proxied()))?;
    let authority: ClassAuthority = crate::methods::read_json(crate::methods::answered(resp).await?).await?;
    let certs: Vec<_> = rustls_pemfile::certs(&mut authority.ca_pem.as_bytes()).collect::<Result<_, _>>().unwrap_or_default();
    let pinned = matches!(certs.as_slice(), [only] if pin.matches(&Sha256::digest(only.as_ref()).into()));
    if !pinned {
        return Err(ClientError::local(ErrorCode::ClassPinMismatch, "the service's CA is not the one the trainer showed"));
    }
    Ok(authority.ca_pem)
}

impl OnboardingClient {
    /// A client of the class's service, trusting only its pinned CA and
    /// showing no certificate (the PC has none yet).
    pub fn for_joining(base_url: &str, ca_pem: &str) -> Result<OnboardingClient, ClientError> {
        Self::for_joining_via(base_url, ca_pem, &Network::Direct)
    }

    /// As [`Self::for_joining`], going out by `network`.
    pub fn for_joining_via(base_url: &str, ca_pem: &str, network: &Network) -> Result<OnboardingClient, ClientError> {
        OnboardingClient::new_via(base_url, &ServerTrust::CaPem(ca_pem.to_owned()), None, network)
    }

    /// Takes a seat with the join code and a PKCS#10 request for the PC's key.
    pub async fn join_class(&self, join_code: &str, certificate_request_pem: &str) -> Result<JoinedClass, ClientError> {
        let body = JoinRequest { join_code: join_code.into(), certificate_request_pem: certificate_request_pem.into() };
        self.post_json("/v1/class/join", &body).await
    }
}
