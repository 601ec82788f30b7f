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
use kaigo_domain::pc_certificates::{pc_certificate_warnings, PcCertificate, PcCertificateWarning};
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
    /// The issuer's common name (how a rehearsal's CA is known).
    pub issuer_common_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    pub days_left: i64,
    pub status: CertificateStatus,
    /// Whether it may log in to a site (client authentication).
    pub client_auth: bool,
}

impl CertificateSummary {
    pub fn new(source: &'static str, info: &CertificateInfo, now: OffsetDateTime) -> Self {
        Self {
            id: info.fingerprint.clone(),
            source,
            label: info.common_name.clone().unwrap_or_else(|| info.subject.clone()),
            office_number: info.serial_number.clone(),
            issuer: info.issuer.clone(),
            issuer_common_name: info.issuer_common_name.clone(),
            not_after: info.not_after,
            days_left: (info.not_after - now).whole_days(),
            status: certificate_status(info.not_before, info.not_after, now),
            client_auth: info.client_auth,
        }
    }
}

/// The PC's certificates checked before the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PcCertificateCheck {
    pub certificates: Vec<CertificateSummary>,
    pub warnings: Vec<PcWarning>,
    /// Whether a store of the platform's own could be read (none: nothing
    /// was checked, rather than nothing found).
    pub platform_store: bool,
}

/// A warning and the guide's hint that says what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PcWarning {
    #[serde(flatten)]
    pub warning: PcCertificateWarning,
    pub hint: Option<&'static str>,
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

    /// 本番の日の前に: the certificates a browser on this PC offers a site
    /// (the platform's own store, not the app's: Edge never sees that one)
    /// that can log in, and what needs doing about them. A store that
    /// fails is logged and left out, as in [`Self::list`].
    pub fn pc_check(&self, now: OffsetDateTime) -> PcCertificateCheck {
        let mut certificates: Vec<CertificateSummary> = Vec::new();
        let mut read_any = false;
        for source in &self.platform {
            match source.list(now) {
                Ok(found) => {
                    read_any = true;
                    for c in found {
                        if c.client_auth && !certificates.iter().any(|o| o.id == c.id) {
                            certificates.push(c);
                        }
                    }
                }
                Err(e) => tracing::warn!(source = source.name(), code = e.code.as_str(), "certificate source skipped"),
            }
        }
        let read: Vec<PcCertificate> = certificates
            .iter()
            .map(|c| PcCertificate { holder: c.label.clone(), issuer_common_name: c.issuer_common_name.clone(), not_after: c.not_after })
            .collect();
        let warnings = pc_certificate_warnings(&read, now).into_iter().map(|warning| PcWarning { hint: warning.hint(), warning }).collect();
        PcCertificateCheck { certificates, warnings, platform_store: read_any }
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

    /// A platform store holding these certificates.
    struct Listed(Vec<Vec<u8>>);
    impl CertificateSource for Listed {
        fn name(&self) -> &'static str {
            "platform"
        }
        fn list(&self, now: OffsetDateTime) -> AppResult<Vec<CertificateSummary>> {
            Ok(self.0.iter().map(|der| CertificateSummary::new(self.name(), &kaigo_client::describe(der).unwrap(), now)).collect())
        }
        fn identity(&self, _: &str) -> AppResult<ClientIdentity> {
            Err(AppError::new(ErrorCode::CertificateNotFound))
        }
    }

    #[test]
    fn the_pc_check_reads_the_platform_s_client_certificates_and_warns_of_several_expiring_and_rehearsal_ones() {
        use kaigo_domain::pc_certificates::{rehearsal_ca, PcCertificateWarning};
        use kaigo_service::pki::CertificateAuthority;
        use time::Duration;
        // Whole seconds, as certificates keep time: the days left are exact.
        let now = time::macros::datetime!(2026-12-08 01:00 UTC);
        let real = CertificateAuthority::create("介護保険証明書 テスト用CA", now - Duration::days(400)).unwrap();
        let practice = CertificateAuthority::create(rehearsal_ca::PRACTICE, now - Duration::days(1)).unwrap();
        let office = |ca: &CertificateAuthority, name: &str, days: i64| {
            ca.issue_office_client("1312345678", name, now - Duration::days(1), now + Duration::days(days)).unwrap().cert_der
        };
        let dir = tempfile::tempdir().unwrap();
        let app_store = || AppStore::new(dir.path().to_owned(), Arc::new(NoSecrets));
        let certificates = Certificates::new(
            app_store(),
            vec![Box::new(Listed(vec![
                office(&real, "介護事業所", 365),
                office(&real, "もうすぐ切れる事業所", 30),
                office(&practice, "練習用事業所", 365),
                // A site's certificate (server authentication only): not one to log in with.
                real.issue_server(&["office.example"], now).unwrap().cert_der,
            ]))],
        );
        let check = certificates.pc_check(now);
        let holders: Vec<&str> = check.certificates.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(holders, ["介護事業所", "もうすぐ切れる事業所", "練習用事業所"]);
        let warnings: Vec<(&PcCertificateWarning, Option<&str>)> = check.warnings.iter().map(|w| (&w.warning, w.hint)).collect();
        assert_eq!(
            warnings,
            [
                (&PcCertificateWarning::Several { count: 3 }, Some("several_certificates")),
                (&PcCertificateWarning::ExpiringSoon { holder: "もうすぐ切れる事業所".into(), days_left: 30 }, Some("expired_certificate")),
                (&PcCertificateWarning::Rehearsal { holder: "練習用事業所".into() }, Some("rehearsal_certificate")),
            ]
        );
        assert!(check.platform_store);
        // The page reads it as JSON: the warning's kind beside its fields and hint.
        let json = serde_json::to_value(&check.warnings[1]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "expiring_soon", "holder": "もうすぐ切れる事業所", "days_left": 30, "hint": "expired_certificate"})
        );
        // The app's own store is not the PC's: Edge never sees it.
        let alone = Certificates::new(app_store(), Vec::new()).pc_check(now);
        assert_eq!((alone.certificates.len(), alone.platform_store), (0, false));
        // A store that fails is left out, the others still read.
        let failing =
            Certificates::new(app_store(), vec![Box::new(OneIdentity(None)), Box::new(Listed(vec![office(&real, "介護事業所", 365)]))]);
        let check = failing.pc_check(now);
        assert_eq!((check.certificates.len(), check.platform_store, check.warnings.len()), (1, true, 0));
        let only_failing = Certificates::new(app_store(), vec![Box::new(OneIdentity(None))]).pc_check(now);
        assert!(!only_failing.platform_store, "nothing was read: not said as nothing found");
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
