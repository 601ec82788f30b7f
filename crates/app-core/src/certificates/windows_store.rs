//! The current user's personal certificate store (「個人」, `My`) on Windows.
//! The key stays in CNG, which signs for us (rustls-cng), so certificates
//! with non-exportable keys and smart cards work too.

use super::{CertificateSource, CertificateSummary};
use crate::{AppError, AppResult};
use kaigo_client::rustls::pki_types::CertificateDer;
use kaigo_client::ClientIdentity;
use kaigo_domain::ErrorCode;
use rustls_cng::signer::CngSigningKey;
use rustls_cng::store::{CertStore, CertStoreType};
use std::sync::Arc;
use time::OffsetDateTime;

pub struct WindowsStore;

fn personal_store() -> AppResult<CertStore> {
    CertStore::open(CertStoreType::CurrentUser, "My").map_err(|e| {
        tracing::warn!(error = ?e, "personal certificate store not readable");
        AppError::new(ErrorCode::CertificateNotFound)
    })
}

impl CertificateSource for WindowsStore {
    fn name(&self) -> &'static str {
        "windows_store"
    }

    fn list(&self, now: OffsetDateTime) -> AppResult<Vec<CertificateSummary>> {
        let Ok(all) = personal_store()?.find_all() else { return Ok(Vec::new()) };
        Ok(all.iter().filter_map(|c| kaigo_client::describe(c.as_der()).ok()).map(|info| CertificateSummary::new(self.name(), &info, now)).collect())
    }

    fn identity(&self, id: &str) -> AppResult<ClientIdentity> {
        let not_found = || AppError::new(ErrorCode::CertificateNotFound);
        // Matched by our own fingerprint of each certificate, the same one the
        // list shows: the store's cached SHA-256 property is not kept by every
        // Windows version (nor by Wine).
        let store = personal_store()?;
        let all = store.find_all().map_err(|_| not_found())?;
        let context = all.into_iter().find(|c| kaigo_client::describe(c.as_der()).is_ok_and(|info| info.fingerprint == id)).ok_or_else(not_found)?;
        // Not silent: Windows may ask for a smart card's PIN or the key's consent.
        let key = context.acquire_key(false).map_err(|_| not_found())?;
        let signing_key = CngSigningKey::new(key).map_err(|_| AppError::new(ErrorCode::CertificateFileInvalid))?;
        let chain = context.as_chain_der().map_err(|_| not_found())?.into_iter().map(CertificateDer::from).collect();
        ClientIdentity::from_signing_key(chain, Arc::new(signing_key)).map_err(AppError::from)
    }
}
