//! Client certificates the user can pick, from wherever the platform keeps
//! them. Each source sits behind [`CertificateSource`]: everywhere the app's
//! own store of imported PKCS#12 files, plus the user's NSS database on
//! Linux, the personal store on Windows and the keychain on macOS.

mod app_store;
#[cfg(target_os = "macos")]
mod macos_keychain;
#[cfg(target_os = "linux")]
mod nss_db;
#[cfg(windows)]
mod windows_store;

pub use app_store::AppStore;
#[cfg(target_os = "linux")]
pub use nss_db::NssDatabase;
#[cfg(windows)]
pub use windows_store::WindowsStore;

use crate::{AppError, AppResult};
use kaigo_client::{CertificateInfo, ClientIdentity};
use kaigo_domain::ErrorCode;
use kaigo_domain::{certificate_status, CertificateStatus};
use serde::Serialize;
use time::OffsetDateTime;

/// Where a certificate was found, as the list names it (`source`): one name
/// per source, whichever the platform has.
pub mod source {
    pub const APP_STORE: &str = "app_store";
    pub const NSS: &str = "nss";
    pub const WINDOWS_STORE: &str = "windows_store";
    pub const MACOS_KEYCHAIN: &str = "macos_keychain";
    /// Every source of every platform.
    pub const ALL: [&str; 4] = [APP_STORE, NSS, WINDOWS_STORE, MACOS_KEYCHAIN];
}

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
    /// Shown beside each certificate so staff know where it was found.
    fn name(&self) -> &'static str;
    fn list(&self, now: OffsetDateTime) -> AppResult<Vec<CertificateSummary>>;
    /// `Err(CertificateNotFound)` when this source does not hold `id`.
    fn identity(&self, id: &str) -> AppResult<ClientIdentity>;
}

/// Every source of this platform, the app's own store first.
pub struct Certificates {
    app_store: AppStore,
    platform: Vec<Box<dyn CertificateSource>>,
}

impl Certificates {
    pub fn new(app_store: AppStore, platform: Vec<Box<dyn CertificateSource>>) -> Self {
        Self { app_store, platform }
    }

    /// The app's store and the platform's own store. `home` is the user's
    /// home folder, where Linux keeps the NSS database.
    pub fn for_platform(app_store: AppStore, home: Option<&std::path::Path>) -> Self {
        let mut platform: Vec<Box<dyn CertificateSource>> = Vec::new();
        #[cfg(target_os = "linux")]
        if let Some(home) = home {
            platform.push(Box::new(nss_db::user_database(home)));
        }
        #[cfg(not(target_os = "linux"))]
        let _ = home;
        #[cfg(windows)]
        platform.push(Box::new(windows_store::WindowsStore));
        #[cfg(target_os = "macos")]
        platform.push(Box::new(macos_keychain::MacKeychain));
        Self::new(app_store, platform)
    }

    pub fn app_store(&self) -> &AppStore {
        &self.app_store
    }

    fn sources(&self) -> impl Iterator<Item = &dyn CertificateSource> {
        std::iter::once(&self.app_store as &dyn CertificateSource).chain(self.platform.iter().map(|s| s.as_ref()))
    }

    /// All identities, each once (the first source holding it wins). A
    /// source that fails is logged and skipped: the others still show.
    pub fn list(&self, now: OffsetDateTime) -> Vec<CertificateSummary> {
        let mut out: Vec<CertificateSummary> = Vec::new();
        for source in self.sources() {
            match source.list(now) {
                Ok(found) => {
                    for c in found {
                        if !out.iter().any(|o| o.id == c.id) {
                            out.push(c);
                        }
                    }
                }
                Err(e) => tracing::warn!(source = source.name(), code = e.code.as_str(), "certificate source skipped"),
            }
        }
        out
    }

    pub fn identity(&self, id: &str) -> AppResult<ClientIdentity> {
        let mut last = AppError::new(ErrorCode::CertificateNotFound);
        for source in self.sources() {
            match source.identity(id) {
                Ok(identity) => return Ok(identity),
                Err(e) if e.code == ErrorCode::CertificateNotFound => {}
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

#[cfg(test)]
mod tests {
    use super::{AppStore, CertificateSource, CertificateSummary, Certificates};
    use crate::keychain::SecretStore;
    use crate::{AppError, AppResult};
    use kaigo_client::ClientIdentity;
    use kaigo_domain::ErrorCode;
    use secrecy::SecretString;
    use std::sync::Arc;
    use time::OffsetDateTime;

    struct NoSecrets;
    impl SecretStore for NoSecrets {
        fn get(&self, _: &str) -> AppResult<Option<SecretString>> {
            Ok(None)
        }
        fn set(&self, _: &str, _: &SecretString) -> AppResult<()> {
            Ok(())
        }
        fn delete(&self, _: &str) -> AppResult<()> {
            Ok(())
        }
    }

    /// A platform store holding one self-signed identity, or failing outright.
    struct OneIdentity(Option<ClientIdentity>);
    impl CertificateSource for OneIdentity {
        fn name(&self) -> &'static str {
            "platform"
        }
        fn list(&self, now: OffsetDateTime) -> AppResult<Vec<CertificateSummary>> {
            let id = self.0.as_ref().ok_or(AppError::new(ErrorCode::KeychainUnavailable))?;
            let info = id.info().map_err(AppError::of_client)?;
            Ok(vec![CertificateSummary::new(self.name(), &info, now), CertificateSummary::new(self.name(), &info, now)])
        }
        fn identity(&self, id: &str) -> AppResult<ClientIdentity> {
            let held = self.0.clone().ok_or(AppError::new(ErrorCode::KeychainUnavailable))?;
            if held.info().map_err(AppError::of_client)?.fingerprint == id {
                Ok(held)
            } else {
                Err(AppError::new(ErrorCode::CertificateNotFound))
            }
        }
    }

    fn identity() -> ClientIdentity {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["office.example".into()]).unwrap().self_signed(&key).unwrap();
        ClientIdentity::from_pem(&cert.pem(), &key.serialize_pem()).unwrap()
    }

    #[test]
    fn every_source_is_asked_each_identity_is_listed_once_and_a_failing_source_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let held = identity();
        let id = held.info().unwrap().fingerprint;
        let certificates = Certificates::new(
            AppStore::new(dir.path().to_owned(), Arc::new(NoSecrets)),
            vec![Box::new(OneIdentity(None)), Box::new(OneIdentity(Some(held)))],
        );
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let listed = certificates.list(now);
        assert_eq!(listed.iter().map(|c| (c.id.as_str(), c.source)).collect::<Vec<_>>(), vec![(id.as_str(), "platform")]);
        // The failing source's own error wins over "not found" so staff see the real cause...
        assert_eq!(certificates.identity("00ff").unwrap_err().code, ErrorCode::KeychainUnavailable);
        // ...but a source that holds the identity is still reached.
        assert_eq!(certificates.identity(&id).unwrap().info().unwrap().fingerprint, id);
    }
}
