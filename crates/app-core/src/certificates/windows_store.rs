//! The current user's personal certificate store (「個人」, `My`) on Windows.
//! The key stays in CNG, which signs for us (rustls-cng), so certificates
//! with non-exportable keys and smart cards work too.

use super::{CertificateSource, CertificateSummary};
use crate::{AppError, AppResult};
use kaigo_client::rustls::pki_types::CertificateDer;
use kaigo_client::ClientIdentity;
use kaigo_domain::ErrorCode;
use rustls_cng::cert::CertContext;
use rustls_cng::error::CngError;
use rustls_cng::key::NCryptKey;
use rustls_cng::signer::CngSigningKey;
use rustls_cng::store::{CertStore, CertStoreType};
use std::sync::Arc;
use time::OffsetDateTime;

pub struct WindowsStore;

/// The personal store, or `None` for a user who has never had one.
fn personal_store() -> AppResult<Option<CertStore>> {
    const ERROR_FILE_NOT_FOUND: u32 = 2;
    match CertStore::open(CertStoreType::CurrentUser, "My") {
        Ok(store) => Ok(Some(store)),
        Err(CngError::WindowsError(ERROR_FILE_NOT_FOUND)) => Ok(None),
        Err(e) => {
            tracing::warn!(error = ?e, "personal certificate store not readable");
            Err(AppError::new(ErrorCode::CertificateNotFound))
        }
    }
}

impl WindowsStore {
    /// The certificate listed as `id` (our SHA-256 fingerprint of it). Matched
    /// by hashing each certificate: the store's cached SHA-256 property is
    /// not kept by every Windows version (nor by Wine).
    pub fn find(&self, id: &str) -> AppResult<CertContext> {
        let not_found = || AppError::new(ErrorCode::CertificateNotFound);
        let all = personal_store()?.ok_or_else(not_found)?.find_all().map_err(|_| not_found())?;
        all.into_iter().find(|c| kaigo_client::describe(c.as_der()).is_ok_and(|info| info.fingerprint == id)).ok_or_else(not_found)
    }

    /// The identity of `context` whose key CNG holds: the key signs the
    /// handshake inside Windows and never leaves it.
    pub fn signing_identity(context: &CertContext, key: NCryptKey) -> AppResult<ClientIdentity> {
        let signing_key = CngSigningKey::new(key).map_err(|e| {
            tracing::warn!(error = ?e, "CNG key not usable for signing");
            AppError::new(ErrorCode::CertificateKeyUnavailable)
        })?;
        let chain = context
            .as_chain_der()
            .map_err(|_| AppError::new(ErrorCode::CertificateNotFound))?
            .into_iter()
            .map(CertificateDer::from)
            .collect();
        ClientIdentity::from_signing_key(chain, Arc::new(signing_key)).map_err(AppError::of_client)
    }
}

impl CertificateSource for WindowsStore {
    fn name(&self) -> &'static str {
        super::source::WINDOWS_STORE
    }

    fn list(&self, now: OffsetDateTime) -> AppResult<Vec<CertificateSummary>> {
        let Some(Ok(all)) = personal_store()?.map(|store| store.find_all()) else { return Ok(Vec::new()) };
        Ok(all
            .iter()
            .filter_map(|c| kaigo_client::describe(c.as_der()).ok())
            .map(|info| CertificateSummary::new(self.name(), &info, now))
            .collect())
    }

    fn identity(&self, id: &str) -> AppResult<ClientIdentity> {
        let context = self.find(id)?;
        // Not silent: Windows may ask for a smart card's PIN or the key's consent.
        let key = context.acquire_key(false).map_err(|e| {
            tracing::warn!(error = ?e, "no CNG key for the chosen certificate");
            AppError::new(ErrorCode::CertificateKeyUnavailable)
        })?;
        Self::signing_identity(&context, key)
    }
}
