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

/// How long the OS keychain may take to answer. Windows' Credential Manager
/// answers at once; a Linux or macOS keychain may first ask staff to unlock
/// it, which takes a person some seconds. Beyond this the keychain counts
/// as unavailable (said plainly; the wizard goes on without it) instead of
/// holding the step for ever.
pub const KEYCHAIN_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The OS keychain.
pub struct Keychain {
    service: String,
    wait: std::time::Duration,
}

impl Keychain {
    pub fn new(service: &str) -> Self {
        Self { service: service.to_owned(), wait: KEYCHAIN_WAIT }
    }

    /// Runs `op` on the entry `key`, on a thread of its own, waiting at
    /// most `self.wait`: a keychain that never answers leaves that thread
    /// waiting, not the caller.
    fn with_entry<T: Send + 'static>(
        &self, key: &str, op: impl FnOnce(keyring::Entry) -> Result<T, keyring::Error> + Send + 'static,
    ) -> AppResult<T> {
        let (service, key) = (self.service.clone(), key.to_owned());
        bounded(self.wait, move || op(keyring::Entry::new(&service, &key)?))
    }
}

/// `op`'s answer if it comes within `wait`; otherwise the keychain is
/// unavailable.
fn bounded<T: Send + 'static>(wait: std::time::Duration, op: impl FnOnce() -> Result<T, keyring::Error> + Send + 'static) -> AppResult<T> {
    let (answer, answered) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("keychain".into())
        .spawn(move || {
            let _ = answer.send(op());
        })
        .map_err(|e| {
            tracing::warn!(error = %e, "keychain thread not started");
            AppError::new(ErrorCode::KeychainUnavailable)
        })?;
    match answered.recv_timeout(wait) {
        Ok(result) => result.map_err(unavailable),
        Err(_) => {
            tracing::warn!(seconds = wait.as_secs(), "keychain did not answer in time");
            Err(AppError::new(ErrorCode::KeychainUnavailable))
        }
    }
}

fn unavailable(e: keyring::Error) -> AppError {
    tracing::warn!(error = %e, "keychain unavailable");
    AppError::new(ErrorCode::KeychainUnavailable)
}

impl SecretStore for Keychain {
    fn get(&self, key: &str) -> AppResult<Option<SecretString>> {
        self.with_entry(key, |entry| match entry.get_password() {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
    }

    fn set(&self, key: &str, value: &SecretString) -> AppResult<()> {
        let value = value.clone();
        self.with_entry(key, move |entry| entry.set_password(value.expose_secret()))
    }

    fn delete(&self, key: &str) -> AppResult<()> {
        self.with_entry(key, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_keychain_that_never_answers_counts_as_unavailable_after_the_wait() {
        let started = Instant::now();
        let hung = bounded(Duration::from_millis(100), || -> Result<(), keyring::Error> {
            std::thread::sleep(Duration::from_secs(3600));
            Ok(())
        });
        assert_eq!(hung.unwrap_err().0.code, ErrorCode::KeychainUnavailable);
        assert!(started.elapsed() < Duration::from_secs(30), "the caller was let go");
    }

    #[test]
    fn a_keychain_that_answers_in_time_is_heard() {
        assert_eq!(bounded(Duration::from_secs(30), || Ok(7)).unwrap(), 7);
        let refused = bounded(Duration::from_secs(30), || -> Result<(), _> { Err(keyring::Error::NoStorageAccess("locked".into())) });
        assert_eq!(refused.unwrap_err().0.code, ErrorCode::KeychainUnavailable);
    }
}
