//! The app's own certificate store: PKCS#12 files imported by the user, kept
//! as they are (named by fingerprint), their passwords in the keychain.

use super::{CertificateSource, CertificateSummary};
use crate::keychain::SecretStore;
use crate::wizard::FormField;
use crate::{AppError, AppResult};
use kaigo_client::ClientIdentity;
use kaigo_domain::ErrorCode;
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

pub struct AppStore {
    dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
}

fn password_key(id: &str) -> String {
    format!("p12-password:{id}")
}

impl AppStore {
    pub fn new(dir: PathBuf, secrets: Arc<dyn SecretStore>) -> Self {
        Self { dir, secrets }
    }

    fn file(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.p12"))
    }

    /// The leaf certificate beside the file: public, so listing needs neither
    /// the keychain nor a PKCS#12 decryption.
    fn certificate_file(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.der"))
    }

    /// Checks the file's contents open with the password, then keeps both.
    pub fn import(&self, bytes: &[u8], password: &SecretString, now: OffsetDateTime) -> AppResult<CertificateSummary> {
        let identity = ClientIdentity::from_pkcs12(bytes, password.expose_secret()).map_err(|e| {
            let field = if e.code() == ErrorCode::CertificatePasswordIncorrect { FormField::Password } else { FormField::File };
            AppError::field(e.code(), field)
        })?;
        let info = identity.info().map_err(AppError::of_client)?;
        let id = &info.fingerprint;
        let kept =
            self.file(id).is_file() && self.secrets.get(&password_key(id))?.is_some_and(|p| p.expose_secret() == password.expose_secret());
        if !kept {
            self.secrets.set(&password_key(id), password)?;
            crate::paths::write_atomic(&self.file(id), bytes)?;
        }
        crate::paths::write_atomic(&self.certificate_file(id), identity.leaf_der())?;
        Ok(CertificateSummary::new(self.name(), &info, now))
    }

    /// Takes a certificate out of the store: its file and its password.
    pub fn remove(&self, id: &str) -> AppResult<()> {
        for file in [self.file(id), self.certificate_file(id)] {
            match std::fs::remove_file(file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        self.secrets.delete(&password_key(id))
    }
}

impl CertificateSource for AppStore {
    fn name(&self) -> &'static str {
        super::source::APP_STORE
    }

    fn list(&self, now: OffsetDateTime) -> AppResult<Vec<CertificateSummary>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let path = entry?.path();
            let Some(id) = path.file_stem().and_then(|s| s.to_str()).filter(|_| path.extension().is_some_and(|e| e == "p12")) else {
                continue;
            };
            let info = match std::fs::read(self.certificate_file(id)) {
                Ok(der) => kaigo_client::describe(&der).map_err(AppError::of_client),
                Err(_) => self.identity(id).and_then(|i| i.info().map_err(AppError::of_client)), // imported by an older version
            };
            match info {
                Ok(info) => out.push(CertificateSummary::new(self.name(), &info, now)),
                Err(e) => tracing::warn!(id, code = e.code.as_str(), "stored certificate skipped"),
            }
        }
        out.sort_by(|a, b| a.label.cmp(&b.label).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    fn identity(&self, id: &str) -> AppResult<ClientIdentity> {
        let bytes = std::fs::read(self.file(id)).map_err(|_| AppError::new(ErrorCode::CertificateNotFound))?;
        let password = self.secrets.get(&password_key(id))?.ok_or(AppError::new(ErrorCode::CertificateNotFound))?;
        ClientIdentity::from_pkcs12(&bytes, password.expose_secret()).map_err(AppError::of_client)
    }
}
