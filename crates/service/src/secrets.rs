//! Hashing and comparing secrets. Passwords: see `password_hashing`;
//! high-entropy tokens use SHA-256; one-time codes use HMAC with
//! the service key, bound to their login, so a stolen database does not give
//! the codes away.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

pub use crate::password_hashing::PasswordHasher;

/// A random bearer token (session, device trust): 32 bytes, base64url.
pub fn random_token() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a high-entropy token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Key for one-time codes, initial-password-free: 32 random bytes per
/// deployment, shared by all instances.
#[derive(Clone)]
pub struct CodeKey(Arc<[u8; 32]>);

impl CodeKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(Arc::new(bytes))
    }

    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self::new(bytes)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(*self.0)
    }

    pub fn from_hex(s: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(s.trim())?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| anyhow::anyhow!("the service key must be 32 bytes (64 hex digits)"))?;
        Ok(Self::new(arr))
    }

    /// HMAC-SHA256 of the code, bound to the login it was sent for.
    pub fn code_hash(&self, challenge_id: &str, code: &str) -> String {
        #[allow(clippy::expect_used)] // HMAC accepts keys of any length
        let mut mac = Hmac::<Sha256>::new_from_slice(&*self.0).expect("hmac key");
        mac.update(challenge_id.as_bytes());
        mac.update(b"\n");
        mac.update(code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Compares two stored hashes in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A uniformly random one-time code.
pub fn random_code() -> kaigo_domain::OneTimeCode {
    use rand::Rng;
    kaigo_domain::OneTimeCode::from_random(rand::rngs::OsRng.gen_range(0..1_000_000))
}

/// An initial password that meets the policy: 16 characters from an
/// unambiguous alphabet of upper, lower and digits, plus one symbol.
pub fn initial_password() -> SecretString {
    use rand::seq::SliceRandom;
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"#%+-=@";
    let mut rng = rand::rngs::OsRng;
    loop {
        let mut chars: Vec<u8> = Vec::with_capacity(16);
        for set in [UPPER, LOWER, DIGIT, SYMBOL] {
            chars.extend(set.choose(&mut rng));
        }
        let all: Vec<u8> = [UPPER, LOWER, DIGIT].concat();
        while chars.len() < 16 {
            chars.extend(all.choose(&mut rng));
        }
        chars.shuffle(&mut rng);
        let pw = String::from_utf8_lossy(&chars).into_owned();
        if kaigo_domain::check_new_password(&pw, None).is_ok() {
            return SecretString::from(pw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn code_hashes_are_bound_to_their_login() {
        let key = CodeKey::generate();
        assert_ne!(key.code_hash("a", "123456"), key.code_hash("b", "123456"));
        assert!(same(&key.code_hash("a", "123456"), &key.code_hash("a", "123456")));
    }

    #[test]
    fn initial_passwords_meet_the_policy() {
        for _ in 0..50 {
            let pw = initial_password();
            assert_eq!(kaigo_domain::check_new_password(pw.expose_secret(), None), Ok(()));
            assert_eq!(pw.expose_secret().len(), 16);
        }
    }
}
