//! Before 3-1: the client certificate (imported, chosen) and the pre-flight
//! checks (certificate, service, PC clock, keychain, card reader).

use super::{lock, AppCore, Connection};
use crate::catalogue::Text;
use crate::certificates::CertificateSummary;
use crate::preflight::{
    card_reader_check, certificate_check, clock_check, keychain_check, signature_check, Check, CheckStatus, PreflightReport,
};
use crate::progress::Step;
use crate::wizard::FormField;
use crate::{AppError, AppResult};
use kaigo_domain::certificate::{certificate_choosable, class_certificate_status};
use kaigo_domain::{ErrorCode, Policy};
use secrecy::SecretString;

impl AppCore {
    pub async fn list_certificates(&self) -> AppResult<Vec<CertificateSummary>> {
        self.service().await?;
        Ok(self.certificate_list())
    }

    /// Every certificate found, a class seat's marked as the class's.
    fn certificate_list(&self) -> Vec<CertificateSummary> {
        let mut list = self.certificates.list(self.now());
        if let Some(seat) = self.class_seat() {
            for c in list.iter_mut().filter(|c| c.id == seat.certificate_id) {
                c.status = class_certificate_status(c.status);
            }
        }
        list
    }

    /// Keeps a PKCS#12 file's contents in the app's store, its password in the keychain.
    pub async fn import_certificate(&self, contents: &[u8], password: &SecretString) -> AppResult<CertificateSummary> {
        if contents.is_empty() {
            return Err(AppError::field(ErrorCode::CertificateFileMissing, FormField::File));
        }
        self.certificates.app_store().import(contents, password, self.now())
    }

    /// 「クライアント証明書の選択」: refuses an expired certificate.
    pub async fn choose_certificate(&self, id: &str) -> AppResult<CertificateSummary> {
        let chosen = self.certificate_list().into_iter().find(|c| c.id == id).ok_or(AppError::new(ErrorCode::CertificateNotFound))?;
        certificate_choosable(chosen.status)?;
        self.update_progress(|p| p.certificate_id = Some(id.to_owned()))?;
        *self.conn.lock().await = Connection::default();
        Ok(chosen)
    }

    pub async fn preflight(&self) -> AppResult<PreflightReport> {
        // The update server is asked alongside, never holding the rest up.
        let (checks, update) = tokio::join!(self.preflight_checks(), self.update_preflight());
        let mut checks = checks?;
        checks.extend(update);
        let report = PreflightReport::new(checks);
        if report.can_continue {
            self.update_progress(|p| p.reach(Step::OfficeLogin))?;
        }
        Ok(report)
    }

    async fn preflight_checks(&self) -> AppResult<Vec<Check>> {
        let mut checks = Vec::new();
        let chosen = lock(&self.progress).certificate_id.clone();
        let summary = chosen.as_deref().and_then(|id| self.certificate_list().into_iter().find(|c| c.id == id));
        let certificate = certificate_check(chosen.is_some(), summary.as_ref());
        let certificate_ok = certificate.status != CheckStatus::Error;
        checks.push(certificate);
        if let Ok(endpoint) = self.service().await {
            checks.extend(self.proxy_checks(&endpoint.url));
        }
        if certificate_ok {
            let client = self.client().await?;
            let before = self.now();
            match client.server_time().await {
                Ok(t) => {
                    let local = before + (self.now() - before) / 2;
                    checks.push(Check::new("service", CheckStatus::Ok, Text::CheckServiceConnected.said(&Policy::default(), &[])));
                    checks.push(clock_check(local - t.now));
                }
                Err(e) => checks.push(Check::failed("service", self.refused(e))),
            }
        }
        checks.push(keychain_check(self.secrets.as_ref()));
        checks.extend(signature_check(&crate::program_signature::running_program()));
        checks.push(card_reader_check());
        Ok(checks)
    }
}
