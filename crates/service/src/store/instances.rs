//! Which service instances are alive, so that a message leased by one that
//! has died is taken over at once instead of when its lease runs out.
//!
//! On PostgreSQL each instance holds a session advisory lock named after it
//! for as long as it runs: when its process dies the connection closes and
//! the lock goes with it, so whoever can take that lock knows the instance
//! is gone. SQLite is served by one process at a time (several instances
//! need PostgreSQL), so at start every lease left in the file is an earlier
//! process's.

use super::{outbox, Backend, Db, StoreResult};
use sha2::{Digest as _, Sha256};

/// Held while the instance runs; dropping it (or the process dying) lets
/// the others take over its leases.
pub struct InstanceLock {
    _session: Option<sqlx::AnyConnection>,
}

fn lock_key(instance: &str) -> i64 {
    let digest = Sha256::digest(format!("kaigo-onboard instance {instance}"));
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

impl InstanceLock {
    /// Whether the lock is still held: its session may have died with a
    /// PostgreSQL restart, and then the others take this instance for dead
    /// until it takes the lock again.
    pub async fn still_held(&mut self) -> bool {
        match &mut self._session {
            None => true,
            Some(session) => sqlx::query("SELECT 1").execute(session).await.is_ok(),
        }
    }
}

/// Announces `instance` as alive until the returned lock is dropped.
pub async fn hold(db: &Db, instance: &str) -> StoreResult<InstanceLock> {
    match db.backend() {
        Backend::Sqlite => Ok(InstanceLock { _session: None }),
        Backend::Postgres => {
            // A connection of its own, outside the pool: the lock lives
            // exactly as long as this session.
            let mut session = db.acquire().await?.detach();
            sqlx::query("SELECT pg_advisory_lock($1)").bind(lock_key(instance)).execute(&mut session).await?;
            Ok(InstanceLock { _session: Some(session) })
        }
    }
}

/// Gives back the leases of instances that no longer run; returns how many
/// messages were freed. With SQLite only `at_start` (see above).
pub async fn free_leases_of_the_dead(db: &Db, me: &str, at_start: bool) -> StoreResult<u64> {
    let mut conn = db.acquire().await?;
    let mut freed = 0;
    for holder in outbox::lease_holders(&mut conn, me).await? {
        match db.backend() {
            Backend::Sqlite if at_start => freed += outbox::release_leases_of(&mut conn, &holder).await?,
            Backend::Sqlite => {}
            Backend::Postgres => {
                let key = lock_key(&holder);
                let dead: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(key).fetch_one(&mut *conn).await?;
                if dead {
                    let released = outbox::release_leases_of(&mut conn, &holder).await;
                    sqlx::query("SELECT pg_advisory_unlock($1)").bind(key).execute(&mut *conn).await?;
                    freed += released?;
                }
            }
        }
    }
    Ok(freed)
}
