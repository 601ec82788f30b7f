//! Client certificates the user can pick, from wherever the platform keeps
//! them. Each source sits behind [`CertificateSource`]; on Linux that is the
//! app's own store of imported PKCS#12 files.

mod app_store;

pub use app_store::AppStore;

use crate::AppResult;
use kaigo_client::{CertificateInfo, ClientIdentity};
use kaigo_domain::{certificate_status, CertificateStatus};
use serde::Serialize;
use time::OffsetDateTime;

/// What the certificate list shows for one identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// Stable id within its source (the SHA-256 fingerprint).
    pub id: String,
    pub source: &'static str,
    /// Usually the office name (the subject's common name).
    pub label: String,
    /// 事業所番号, when the subject carries it.
    pub office_number: Option<String>,
    pub issuer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    pub days_left: i64,
    pub status: CertificateStatus,
}

impl CertificateSummary {
    pub fn new(source: &'static str, info: &CertificateInfo, now: OffsetDateTime) -> Self {
        Self {
            id: info.fingerprint.clone(),
            source,
            label: info.common_name.clone().unwrap_or_else(|| info.subject.clone()),
            office_number: info.serial_number.clone(),
            issuer: info.issuer.clone(),
            not_after: info.not_after,
            days_left: (info.not_after - now).whole_days(),
            status: certificate_status(info.not_before, info.not_after, now),
        }
    }
}

/// A place client identities come from.
pub trait CertificateSource: Send + Sync {
    fn list(&self, now: OffsetDateTime) -> AppResult<Vec<CertificateSummary>>;
    fn identity(&self, id: &str) -> AppResult<ClientIdentity>;
}
