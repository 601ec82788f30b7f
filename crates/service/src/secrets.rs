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

/// A message body sealed for the database: nothing sent (a one-time code,
/// an initial password) lies there in plain text, not even in pages SQLite
/// frees or its write-ahead log keeps. AES-256-GCM under a key derived from
/// the service key (HKDF-SHA256); the message id is the associated data, so
/// a sealed body cannot be moved to another row.
impl CodeKey {
    const SEALED_PREFIX: &'static str = "sealed:v1:";

    fn sealing_cipher(&self) -> aes_gcm::Aes256Gcm {
        use aes_gcm::KeyInit as _;
        let mut key = [0u8; 32];
        #[allow(clippy::expect_used)] // 32 bytes is within HKDF-SHA256's output range
        hkdf::Hkdf::<Sha256>::new(None, &*self.0).expand(b"kaigo-onboard/outbox-body/v1", &mut key).expect("HKDF output length");
        aes_gcm::Aes256Gcm::new(&key.into())
    }

    pub fn seal(&self, message_id: &str, plaintext: &str) -> String {
        use aes_gcm::aead::{Aead as _, AeadCore as _, Payload};
        use base64::Engine as _;
        let nonce = aes_gcm::Aes256Gcm::generate_nonce(&mut rand::rngs::OsRng);
        #[allow(clippy::expect_used)] // encryption fails only for inputs over 64 GiB
        let sealed =
            self.sealing_cipher().encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: message_id.as_bytes() }).expect("AES-GCM seal");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{}{}", Self::SEALED_PREFIX, base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// Whether a stored body was sealed (rows queued before sealing was
    /// introduced hold plain text, and are still delivered).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(Self::SEALED_PREFIX)
    }

    /// `None` when the body was sealed under another key or for another row.
    pub fn open(&self, message_id: &str, sealed: &str) -> Option<String> {
        use aes_gcm::aead::{Aead as _, Payload};
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD.decode(sealed.strip_prefix(Self::SEALED_PREFIX)?).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain =
            self.sealing_cipher().decrypt(aes_gcm::Nonce::from_slice(nonce), Payload { msg: ct, aad: message_id.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
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

#[cfg(test)]
mod sealing_tests {
    use super::CodeKey;

    #[test]
    fn a_sealed_body_opens_only_with_its_key_and_for_its_row() {
        let key = CodeKey::generate();
        let sealed = key.seal("m1", "コード 123456");
        assert!(!sealed.contains("123456"));
        assert_eq!(key.open("m1", &sealed).as_deref(), Some("コード 123456"));
        assert_eq!(key.open("m2", &sealed), None, "bound to its row");
        assert_eq!(CodeKey::generate().open("m1", &sealed), None, "bound to its key");
        assert_ne!(key.seal("m1", "x"), key.seal("m1", "x"), "a fresh nonce each time");
        assert_eq!(key.open("m1", "plain text"), None);
    }
}
