//! The office's client identity: a certificate chain and its private key,
//! read from a PKCS#12 file (as offices receive them) or from PEM.

use crate::ClientError;
use kaigo_domain::ErrorCode;
use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::OffsetDateTime;

#[derive(Clone)]
pub struct ClientIdentity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: std::sync::Arc<PrivateKeyDer<'static>>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity").field("certificates", &self.chain.len()).field("key", &"<redacted>").finish()
    }
}

/// What staff see when choosing a certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertificateInfo {
    pub subject: String,
    /// The subject's common name: usually the office name.
    pub common_name: Option<String>,
    pub issuer: String,
    pub serial_number: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER certificate, hex.
    pub fingerprint: String,
}

impl ClientIdentity {
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self, ClientError> {
        let store = KeyStore::from_pkcs12(der, password, Pkcs12ImportPolicy::Strict).map_err(|e| match e {
            p12_keystore::error::Error::MacError(_) => ClientError::local(ErrorCode::CertificatePasswordIncorrect, "PKCS#12 MAC check failed"),
            other => ClientError::local(ErrorCode::CertificateFileInvalid, other.to_string()),
        })?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| ClientError::local(ErrorCode::CertificateFileInvalid, "no private key with certificate in the file"))?;
        let certs: Vec<CertificateDer<'static>> = chain.certs().iter().map(|c| CertificateDer::from(c.as_der().to_vec())).collect();
        if certs.is_empty() {
            return Err(ClientError::local(ErrorCode::CertificateFileInvalid, "no certificate in the file"));
        }
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec()));
        Ok(Self { chain: certs, key: std::sync::Arc::new(key) })
    }

    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, ClientError> {
        let invalid = |m: String| ClientError::local(ErrorCode::CertificateFileInvalid, m);
        let chain = rustls_pemfile::certs(&mut cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>().map_err(|e| invalid(e.to_string()))?;
        if chain.is_empty() {
            return Err(invalid("no certificate in PEM".into()));
        }
        let key = rustls_pemfile::private_key(&mut key_pem.as_bytes()).map_err(|e| invalid(e.to_string()))?.ok_or_else(|| invalid("no private key in PEM".into()))?;
        Ok(Self { chain, key: std::sync::Arc::new(key) })
    }

    /// Subject, issuer and validity of the leaf certificate.
    pub fn info(&self) -> Result<CertificateInfo, ClientError> {
        describe(self.chain[0].as_ref())
    }
}

pub(crate) fn describe(der: &[u8]) -> Result<CertificateInfo, ClientError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| ClientError::local(ErrorCode::CertificateFileInvalid, e.to_string()))?;
    let common_name = cert.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok()).map(str::to_owned);
    let serial_number = cert
        .subject()
        .iter_by_oid(&x509_parser::oid_registry::OID_X509_SERIALNUMBER)
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_owned);
    Ok(CertificateInfo {
        subject: cert.subject().to_string(),
        common_name,
        issuer: cert.issuer().to_string(),
        serial_number,
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        fingerprint: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(der)),
    })
}
