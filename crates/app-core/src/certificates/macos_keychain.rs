//! Identities (a certificate with its private key) in the user's macOS
//! keychains. The key never leaves the keychain: it signs for us, and macOS
//! may ask the user to allow that.

use super::{CertificateSource, CertificateSummary};
use crate::{AppError, AppResult};
use kaigo_client::rustls::pki_types::CertificateDer;
use kaigo_client::rustls::sign::{Signer, SigningKey};
use kaigo_client::rustls::{SignatureAlgorithm, SignatureScheme};
use kaigo_client::{ClientIdentity, PublicKeyKind};
use kaigo_domain::ErrorCode;
use security_framework::identity::SecIdentity;
use security_framework::item::{ItemClass, ItemSearchOptions, Limit, Reference, SearchResult};
use security_framework::key::{Algorithm, SecKey};
use std::sync::Arc;
use time::OffsetDateTime;

pub struct MacKeychain;

fn identities() -> Vec<(SecIdentity, Vec<u8>)> {
    let found = ItemSearchOptions::new().class(ItemClass::identity()).load_refs(true).limit(Limit::All).search();
    let Ok(found) = found else { return Vec::new() }; // "no items" is an error to the Security framework
    found
        .into_iter()
        .filter_map(|r| match r {
            SearchResult::Ref(Reference::Identity(id)) => {
                let der = id.certificate().ok()?.to_der();
                Some((id, der))
            }
            _ => None,
        })
        .collect()
}

impl CertificateSource for MacKeychain {
    fn name(&self) -> &'static str {
        super::source::MACOS_KEYCHAIN
    }

    fn list(&self, now: OffsetDateTime) -> AppResult<Vec<CertificateSummary>> {
        Ok(identities()
            .iter()
            .filter_map(|(_, der)| kaigo_client::describe(der).ok())
            .map(|info| CertificateSummary::new(self.name(), &info, now))
            .collect())
    }

    fn identity(&self, id: &str) -> AppResult<ClientIdentity> {
        let not_found = || AppError::new(ErrorCode::CertificateNotFound);
        let (identity, der) = identities()
            .into_iter()
            .find(|(_, der)| kaigo_client::describe(der).is_ok_and(|i| i.fingerprint == id))
            .ok_or_else(not_found)?;
        let kind = kaigo_client::public_key_kind(&der).ok_or_else(|| AppError::new(ErrorCode::CertificateFileInvalid))?;
        let key = identity.private_key().map_err(|_| not_found())?;
        ClientIdentity::from_signing_key(vec![CertificateDer::from(der)], Arc::new(KeychainKey { key, kind })).map_err(AppError::of_client)
    }
}

#[derive(Debug)]
struct KeychainKey {
    key: SecKey,
    kind: PublicKeyKind,
}

impl SigningKey for KeychainKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let scheme = self.kind.choose(offered)?;
        let algorithm = match scheme {
            SignatureScheme::ECDSA_NISTP256_SHA256 => Algorithm::ECDSASignatureMessageX962SHA256,
            SignatureScheme::ECDSA_NISTP384_SHA384 => Algorithm::ECDSASignatureMessageX962SHA384,
            SignatureScheme::RSA_PSS_SHA256 => Algorithm::RSASignatureMessagePSSSHA256,
            SignatureScheme::RSA_PKCS1_SHA256 => Algorithm::RSASignatureMessagePKCS1v15SHA256,
            _ => return None,
        };
        Some(Box::new(KeychainSigner { key: self.key.clone(), scheme, algorithm }))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.kind.algorithm()
    }
}

struct KeychainSigner {
    key: SecKey,
    scheme: SignatureScheme,
    algorithm: Algorithm,
}

impl std::fmt::Debug for KeychainSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeychainSigner").field("scheme", &self.scheme).finish_non_exhaustive()
    }
}

impl Signer for KeychainSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, kaigo_client::rustls::Error> {
        self.key
            .create_signature(self.algorithm, message)
            .map_err(|e| kaigo_client::rustls::Error::General(format!("the keychain did not sign: {e}")))
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}
