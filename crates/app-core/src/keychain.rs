//! Secrets live only in the OS keychain (Secret Service on Linux, Keychain
//! on macOS, Credential Manager on Windows) through `keyring`.

use crate::{AppError, AppResult};
use kaigo_domain::ErrorCode;
use secrecy::{ExposeSecret, SecretString};

/// The service name entries are filed under.
pub const SERVICE: &str = "jp.kaigo-onboard";

/// A place for secrets. `get` maps "no entry" to `None`.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> AppResult<Option<SecretString>>;
    fn set(&self, key: &str, value: &SecretString) -> AppResult<()>;
    fn delete(&self, key: &str) -> AppResult<()>;
}

/// Secrets in this process's memory: for tests of the wizard's rules that
/// need no real keychain (those of the keychain itself use the real one).
#[derive(Default)]
pub struct MemorySecrets {
    entries: std::sync::Mutex<std::collections::HashMap<String, SecretString>>,
}

impl SecretStore for MemorySecrets {
    fn get(&self, key: &str) -> AppResult<Option<SecretString>> {
        Ok(self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned())
    }

    fn set(&self, key: &str, value: &SecretString) -> AppResult<()> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_owned(), value.clone());
        Ok(())
    }

    fn delete(&self, key: &str) -> AppResult<()> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        Ok(())
    }
}

/// The OS keychain.
pub struct Keychain {
    service: String,
}

impl Keychain {
    pub fn new(service: &str) -> Self {
        Self { service: service.to_owned() }
    }

    fn entry(&self, key: &str) -> AppResult<keyring::Entry> {
        keyring::Entry::new(&self.service, key).map_err(unavailable)
    }
}

fn unavailable(e: keyring::Error) -> AppError {
    tracing::warn!(error = %e, "keychain unavailable");
    AppError::new(ErrorCode::KeychainUnavailable)
}

impl SecretStore for Keychain {
    fn get(&self, key: &str) -> AppResult<Option<SecretString>> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, key: &str, value: &SecretString) -> AppResult<()> {
        self.entry(key)?.set_password(value.expose_secret()).map_err(unavailable)
    }

    fn delete(&self, key: &str) -> AppResult<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}
