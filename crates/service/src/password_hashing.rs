//! Argon2id password hashing at OWASP's parameters (19 MiB, t=2, p=1) on a
//! small pool of threads, one per core by default.
//!
//! Each pool thread keeps its 19 MiB work area for reuse. Allocating it per
//! hash on tokio's blocking threads let glibc's per-thread arenas keep
//! hundreds of MiB after a burst of logins; with the pool, memory is bounded
//! at `threads × 19 MiB`, and a flood of logins queues instead of starving
//! the rest of the service. The PHC strings are those of the `argon2` crate,
//! which the tests check both ways.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

fn owasp_params() -> Params {
    #[allow(clippy::expect_used)] // constant, valid parameters
    Params::new(19 * 1024, 2, 1, Some(32)).expect("valid argon2 parameters")
}

/// Fills `out` with the Argon2id hash, using (and growing) `memory`.
fn compute(params: &Params, password: &[u8], salt: &[u8], out: &mut [u8], memory: &mut Vec<Block>) -> argon2::Result<()> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()).hash_password_into_with_memory(
        password,
        salt,
        out,
        &mut memory[..blocks],
    )
}

fn hash_phc(password: &[u8], memory: &mut Vec<Block>) -> anyhow::Result<String> {
    let params = owasp_params();
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.decode_b64(&mut salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = [0u8; 32];
    compute(&params, password, salt_raw, &mut out, memory).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("params: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("output: {e}"))?),
    };
    Ok(phc.to_string())
}

fn verify_phc(password: &[u8], phc: &str, memory: &mut Vec<Block>) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(phc).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    anyhow::ensure!(parsed.algorithm == argon2::ARGON2ID_IDENT, "stored hash is not argon2id");
    let params = Params::try_from(&parsed).map_err(|e| anyhow::anyhow!("stored hash params: {e}"))?;
    let expected = parsed.hash.ok_or_else(|| anyhow::anyhow!("stored hash has no output"))?;
    let mut salt_bytes = [0u8; 64];
    let salt = parsed
        .salt
        .ok_or_else(|| anyhow::anyhow!("stored hash has no salt"))?
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = vec![0u8; expected.len()];
    compute(&params, password, salt, &mut out, memory).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    // `Output` compares in constant time.
    Ok(Output::new(&out).map_err(|e| anyhow::anyhow!("output: {e}"))? == expected)
}

#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
}

impl PasswordHasher {
    /// Starts `threads` hashing threads; they end when the last clone is dropped.
    pub fn new(threads: usize) -> Self {
        let (jobs, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
                let mut memory: Vec<Block> = Vec::new();
                loop {
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(&mut memory),
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        Self { jobs }
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> anyhow::Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |memory| {
                // A caller gone while its job queued (its request timed out,
                // or its client left) waits for nothing: the hash is not
                // computed, so an overload does not grow by the work of
                // requests already answered.
                if tx.is_closed() {
                    return;
                }
                let _ = tx.send(f(memory));
            }))
            .map_err(|_| anyhow::anyhow!("the password hashing threads have stopped"))?;
        Ok(rx.await?)
    }

    pub async fn hash(&self, password: &SecretString) -> anyhow::Result<String> {
        let password = password.clone();
        self.run(move |memory| hash_phc(password.expose_secret().as_bytes(), memory)).await?
    }

    /// Verifies; with `None` (no such user) it still costs one full hash, so
    /// the answer takes as long as for a real user, and is `false`.
    pub async fn verify(&self, password: &SecretString, hash: Option<&str>) -> anyhow::Result<bool> {
        let password = password.clone();
        let hash = hash.map(str::to_owned);
        self.run(move |memory| match hash {
            Some(h) => verify_phc(password.expose_secret().as_bytes(), &h, memory),
            None => hash_phc(password.expose_secret().as_bytes(), memory).map(|_| false),
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let h = PasswordHasher::new(2);
        let pw = SecretString::from("Hana-2026x");
        let hash = h.hash(&pw).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(h.verify(&pw, Some(&hash)).await.unwrap());
        assert!(!h.verify(&SecretString::from("hana-2026x"), Some(&hash)).await.unwrap());
        assert!(!h.verify(&pw, None).await.unwrap());
        assert!(h.verify(&pw, Some("not a hash")).await.is_err());
    }

    #[tokio::test]
    async fn a_job_whose_caller_has_gone_is_not_computed() {
        let h = PasswordHasher::new(1);
        // The one thread is kept busy until told to go on.
        let (go, wait) = mpsc::channel::<()>();
        let busy = {
            let h = h.clone();
            tokio::spawn(async move { h.run(move |_| wait.recv().is_ok()).await })
        };
        let computed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let abandoned = {
            let (h, computed) = (h.clone(), computed.clone());
            tokio::spawn(async move { h.run(move |_| computed.store(true, std::sync::atomic::Ordering::SeqCst)).await })
        };
        // Queued behind the busy job, then its caller gives up.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        abandoned.abort();
        assert!(abandoned.await.unwrap_err().is_cancelled());
        go.send(()).unwrap();
        assert!(busy.await.unwrap().unwrap());
        // A job queued after it is done, so the abandoned one was taken.
        h.run(|_| ()).await.unwrap();
        assert!(!computed.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crates_own_hashing_and_verifying() {
        let h = PasswordHasher::new(1);
        let pw = SecretString::from("Sakura#2026");
        let ours = h.hash(&pw).await.unwrap();
        let lib = Argon2::new(Algorithm::Argon2id, Version::V0x13, owasp_params());
        assert!(lib.verify_password(b"Sakura#2026", &PasswordHash::new(&ours).unwrap()).is_ok());
        assert!(lib.verify_password(b"sakura#2026", &PasswordHash::new(&ours).unwrap()).is_err());
        let theirs = lib.hash_password(b"Sakura#2026", &SaltString::generate(&mut rand::rngs::OsRng)).unwrap().to_string();
        assert!(h.verify(&pw, Some(&theirs)).await.unwrap());
    }
}
