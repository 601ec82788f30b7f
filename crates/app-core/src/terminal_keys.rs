//! The card-reading terminal's Ed25519 key pair: made on this PC, the
//! private half kept only in the keychain.

use crate::keychain::SecretStore;
use crate::{AppError, AppResult};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey};
use kaigo_domain::ErrorCode;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretString};

pub struct TerminalKey {
    key: SigningKey,
    /// Keychain entry name.
    pub name: String,
}

impl TerminalKey {
    /// Makes a new key pair and stores the private key.
    pub fn create(secrets: &dyn SecretStore) -> AppResult<TerminalKey> {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let key = SigningKey::from_bytes(&seed);
        let public = B64.encode(key.verifying_key().as_bytes());
        let name = format!("terminal-key:{}", &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(public.as_bytes()))[..16]);
        secrets.set(&name, &SecretString::from(B64.encode(seed)))?;
        Ok(TerminalKey { key, name })
    }

    /// A key kept nowhere: the practice mode's simulated phone holds its own.
    pub fn ephemeral() -> TerminalKey {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        TerminalKey { key: SigningKey::from_bytes(&seed), name: String::new() }
    }

    pub fn load(secrets: &dyn SecretStore, name: &str) -> AppResult<TerminalKey> {
        let seed = secrets.get(name)?.ok_or(AppError::new(ErrorCode::StepOutOfOrder))?;
        let bytes = B64.decode(seed.expose_secret()).map_err(AppError::internal)?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| AppError::internal("terminal key has the wrong length"))?;
        Ok(TerminalKey { key: SigningKey::from_bytes(&seed), name: name.to_owned() })
    }

    pub fn public_key_b64(&self) -> String {
        B64.encode(self.key.verifying_key().as_bytes())
    }

    pub fn sign_b64(&self, message: &[u8]) -> String {
        B64.encode(self.key.sign(message).to_bytes())
    }
}
