//! The office's client identity: a certificate chain and a key that signs
//! for it, read from a PKCS#12 file (as offices receive them) or PEM, or
//! handed over by a platform store whose key never leaves it (Windows CNG,
//! the macOS keychain).

use crate::ClientError;
use kaigo_domain::ErrorCode;
use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use rustls::sign::SigningKey;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Clone)]
pub struct ClientIdentity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: Arc<dyn SigningKey>,
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
    /// The issuer's common name, read from its attributes (not the text).
    pub issuer_common_name: Option<String>,
    pub serial_number: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER certificate, hex.
    pub fingerprint: String,
    /// Whether it may log in to a site (client authentication): its
    /// extended key usage names that or any use, or it has none.
    pub client_auth: bool,
}

impl ClientIdentity {
    /// Reads a PKCS#12 file in DER, or in BER as Firefox and NSS's
    /// `pk12util` write it (see `pkcs12_ber`).
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self, ClientError> {
        use p12_keystore::error::Error;
        let read = |bytes: &[u8]| KeyStore::from_pkcs12(bytes, password, Pkcs12ImportPolicy::Strict);
        let store = match read(der) {
            Err(Error::DerError(not_der)) => match crate::pkcs12_ber::reencode(der) {
                // The password against the original MAC first; past it, the
                // BER contents fail as DER and the re-encoded file is read.
                Ok(ber) => match read(&ber.mac_check) {
                    Err(Error::DerError(_)) => read(&ber.contents),
                    checked => checked,
                },
                Err(_) => Err(Error::DerError(not_der)),
            },
            read => read,
        }
        .map_err(|e| match e {
            Error::MacError(_) => ClientError::local(ErrorCode::CertificatePasswordIncorrect, "PKCS#12 MAC check failed"),
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
        Self::from_key_der(certs, key)
    }

    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, ClientError> {
        let invalid = |m: String| ClientError::local(ErrorCode::CertificateFileInvalid, m);
        let chain = rustls_pemfile::certs(&mut cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>().map_err(|e| invalid(e.to_string()))?;
        if chain.is_empty() {
            return Err(invalid("no certificate in PEM".into()));
        }
        let key = rustls_pemfile::private_key(&mut key_pem.as_bytes())
            .map_err(|e| invalid(e.to_string()))?
            .ok_or_else(|| invalid("no private key in PEM".into()))?;
        Self::from_key_der(chain, key)
    }

    fn from_key_der(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<Self, ClientError> {
        // Also checks the key is the certificate's: a mismatch would only fail later, in the handshake.
        let certified = rustls::sign::CertifiedKey::from_der(chain, key, &rustls::crypto::ring::default_provider())
            .map_err(|e| ClientError::local(ErrorCode::CertificateFileInvalid, format!("unusable private key: {e}")))?;
        Ok(Self { chain: certified.cert, key: certified.key })
    }

    /// A chain whose key is held elsewhere (a platform store signs for it).
    pub fn from_signing_key(chain: Vec<CertificateDer<'static>>, key: Arc<dyn SigningKey>) -> Result<Self, ClientError> {
        if chain.is_empty() {
            return Err(ClientError::local(ErrorCode::CertificateFileInvalid, "no certificate"));
        }
        Ok(Self { chain, key })
    }

    /// The leaf certificate, DER.
    pub fn leaf_der(&self) -> &[u8] {
        self.chain[0].as_ref()
    }

    /// Subject, issuer and validity of the leaf certificate.
    pub fn info(&self) -> Result<CertificateInfo, ClientError> {
        describe(self.chain[0].as_ref())
    }
}

/// Subject, issuer, validity and fingerprint of one DER certificate.
pub fn describe(der: &[u8]) -> Result<CertificateInfo, ClientError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|e| ClientError::local(ErrorCode::CertificateFileInvalid, e.to_string()))?;
    let common_name = cert.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok()).map(str::to_owned);
    let issuer_common_name = cert.issuer().iter_common_name().next().and_then(|cn| cn.as_str().ok()).map(str::to_owned);
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
        issuer_common_name,
        serial_number,
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        fingerprint: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(der)),
        client_auth: match cert.extended_key_usage() {
            Ok(Some(usage)) => usage.value.client_auth || usage.value.any,
            Ok(None) => true,
            Err(_) => false,
        },
    })
}

/// The kind of key a certificate certifies, which decides the TLS signature
/// schemes a platform store must be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKeyKind {
    Rsa,
    EcdsaP256,
    EcdsaP384,
}

impl PublicKeyKind {
    /// The TLS signature schemes this kind of key signs, preferred first.
    pub fn schemes(self) -> &'static [rustls::SignatureScheme] {
        use rustls::SignatureScheme as S;
        match self {
            PublicKeyKind::EcdsaP256 => &[S::ECDSA_NISTP256_SHA256],
            PublicKeyKind::EcdsaP384 => &[S::ECDSA_NISTP384_SHA384],
            PublicKeyKind::Rsa => &[S::RSA_PSS_SHA256, S::RSA_PKCS1_SHA256],
        }
    }

    pub fn algorithm(self) -> rustls::SignatureAlgorithm {
        match self {
            PublicKeyKind::Rsa => rustls::SignatureAlgorithm::RSA,
            PublicKeyKind::EcdsaP256 | PublicKeyKind::EcdsaP384 => rustls::SignatureAlgorithm::ECDSA,
        }
    }

    /// The first of our schemes the server offers.
    pub fn choose(self, offered: &[rustls::SignatureScheme]) -> Option<rustls::SignatureScheme> {
        self.schemes().iter().copied().find(|s| offered.contains(s))
    }
}

pub fn public_key_kind(der: &[u8]) -> Option<PublicKeyKind> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    match cert.public_key().parsed().ok()? {
        x509_parser::public_key::PublicKey::RSA(_) => Some(PublicKeyKind::Rsa),
        x509_parser::public_key::PublicKey::EC(point) => match point.key_size() {
            256 => Some(PublicKeyKind::EcdsaP256),
            384 => Some(PublicKeyKind::EcdsaP384),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{public_key_kind, PublicKeyKind};

    fn certificate(alg: &'static rcgen::SignatureAlgorithm) -> Vec<u8> {
        let key = rcgen::KeyPair::generate_for(alg).unwrap();
        rcgen::CertificateParams::new(vec!["office.example".into()]).unwrap().self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn the_key_kind_picks_the_signature_schemes_a_platform_store_is_asked_for() {
        assert_eq!(public_key_kind(&certificate(&rcgen::PKCS_ECDSA_P256_SHA256)), Some(PublicKeyKind::EcdsaP256));
        assert_eq!(public_key_kind(&certificate(&rcgen::PKCS_ECDSA_P384_SHA384)), Some(PublicKeyKind::EcdsaP384));
        assert_eq!(public_key_kind(&certificate(&rcgen::PKCS_ED25519)), None);
        assert_eq!(public_key_kind(b"garbage"), None);
        use rustls::SignatureScheme as S;
        assert_eq!(PublicKeyKind::Rsa.choose(&[S::RSA_PKCS1_SHA256, S::RSA_PSS_SHA256]), Some(S::RSA_PSS_SHA256));
        assert_eq!(PublicKeyKind::EcdsaP256.choose(&[S::ECDSA_NISTP384_SHA384]), None);
    }
}
