//! Storage: one set of portable SQL statements over sqlx's `Any` driver, so the
//! same code and migrations serve SQLite (the default, one file) and
//! PostgreSQL (several instances sharing the load). One module per table group.
//!
//! Rows come back typed — instants as `OffsetDateTime`, flags as `bool`,
//! kinds and states as enums — so the rules never see how they are stored.

pub mod audit;
pub mod challenges;
pub mod classes;
pub mod idempotency;
pub mod instances;
mod location;
pub mod offices;
pub mod outbox;
pub mod sessions;
pub mod terminals;
pub mod users;

pub use location::{DatabaseLocation, NonUnicodePath};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use time::OffsetDateTime;

pub type Conn = sqlx::AnyConnection;
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a unique value is already taken ({0})")]
    Conflict(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// The database's disk is full (SQLite's SQLITE_FULL, PostgreSQL's
    /// `disk_full`): nothing was written, and an operator must free space.
    pub fn is_disk_full(&self) -> bool {
        match self {
            StoreError::Sqlx(e) => match e.as_database_error() {
                Some(db) => matches!(db.code().as_deref(), Some("13" | "53100")) || db.message().contains("database or disk is full"),
                None => false,
            },
            _ => false,
        }
    }
}

/// Turns a unique-constraint violation into [`StoreError::Conflict`].
pub(crate) fn on_unique(e: sqlx::Error) -> StoreError {
    match e.as_database_error() {
        Some(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
            StoreError::Conflict(db.constraint().unwrap_or_else(|| db.message()).to_owned())
        }
        _ => StoreError::Sqlx(e),
    }
}

/// How long a request waits for a database connection before it is
/// answered 503 `service_unavailable` with `Retry-After`: well inside the
/// request timeout (30 s), so that a PostgreSQL server gone away is said
/// as such, not as a request that timed out. (sqlx's default, 30 s, equal
/// to the request timeout, made every such answer a 408.) SQLite, a local
/// file, waits longer: its only wait is for the one writer.
pub fn acquire_timeout(backend: Backend) -> std::time::Duration {
    match backend {
        Backend::Sqlite => std::time::Duration::from_secs(10),
        Backend::Postgres => std::time::Duration::from_secs(5),
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Db {
    /// Connects (creating a SQLite file if needed) and runs the migrations.
    pub async fn connect(location: &DatabaseLocation) -> StoreResult<Db> {
        sqlx::any::install_default_drivers();
        let backend = if location.is_postgres() { Backend::Postgres } else { Backend::Sqlite };
        if backend == Backend::Postgres && !cfg!(feature = "postgres") {
            let why = "this build of the service has no PostgreSQL driver (built without the `postgres` feature)";
            return Err(StoreError::Sqlx(sqlx::Error::Configuration(why.into())));
        }
        let url = location.driver_url().map_err(|e| StoreError::Sqlx(sqlx::Error::Configuration(e.into())))?;
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .acquire_timeout(acquire_timeout(backend))
            .after_release(move |conn, _meta| {
                Box::pin(async move {
                    // A transaction whose COMMIT failed (SQLite on a full
                    // disk rolls it back itself, so sqlx's ROLLBACK fails
                    // too) leaves sqlx counting a transaction that is not
                    // there: the connection's next "transaction" would be a
                    // savepoint whose writes were never committed, while the
                    // caller was told they were. Such a connection is closed,
                    // never reused. (SQLite's rollback is queued to its
                    // worker thread: the ping waits for it first.)
                    if backend == Backend::Sqlite {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(!sqlx::Connection::is_in_transaction(conn))
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the single writer; a busy
                        // writer is waited for instead of failing the request.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        // Freed pages are zeroed: a blanked or deleted row
                        // leaves nothing behind in the file.
                        conn.execute("PRAGMA secure_delete = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await.map_err(|e| StoreError::Sqlx(e.into()))?;
        Ok(Db { pool, backend })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn begin(&self) -> StoreResult<Tx<'static>> {
        Ok(self.pool.begin().await?)
    }

    pub async fn acquire(&self) -> StoreResult<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Empties SQLite's write-ahead log into the database file (whose
    /// freed pages `secure_delete` zeroes), so rows just deleted are in
    /// neither file. PostgreSQL keeps its own files; nothing to do.
    pub async fn truncate_log(&self) -> StoreResult<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Flags are stored as 0/1 (portable to both databases).
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Instants are stored as Unix milliseconds; these two are the only
/// conversions.
pub(crate) fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn instant(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A stored count (never negative) as the rules count.
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// A stored name of a kind or state that this version does not know.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} {value:?}"))
}

/// The failed-login columns an office row and a user row share.
pub(crate) fn failure_record(failed_logins: i64, last_failed_at: Option<i64>) -> kaigo_domain::FailureRecord {
    kaigo_domain::FailureRecord { count: count(failed_logins), last: last_failed_at.map(instant) }
}

/// The table of the accounts whose logins fail: offices or users.
fn account_table(account: kaigo_domain::Account) -> &'static str {
    match account {
        kaigo_domain::Account::Office => "offices",
        kaigo_domain::Account::User => "users",
    }
}

/// An office's or a user's failed logins as stored now (`id` is the
/// account's row id).
pub async fn login_failures(conn: &mut Conn, account: kaigo_domain::Account, id: &str) -> StoreResult<kaigo_domain::FailureRecord> {
    let table = account_table(account);
    let (n, last): (i64, Option<i64>) =
        sqlx::query_as(&format!("SELECT failed_logins, last_failed_at FROM {table} WHERE id = $1")).bind(id).fetch_one(conn).await?;
    Ok(failure_record(n, last))
}

/// Takes one try of an account's logins before its password is hashed,
/// recorded as a failure (`count` in a row, at `now`) until the password
/// proves right — but only while the record is still `seen`, the one the
/// rules judged. So simultaneous tries are judged one after another, each
/// against the count the one before it left, and a burst of guesses gets
/// no more tries than one guess after another would. False: another try
/// came first; load the record and judge again.
pub async fn claim_login_try(
    conn: &mut Conn, account: kaigo_domain::Account, id: &str, seen: kaigo_domain::FailureRecord, count: u32, now: OffsetDateTime,
) -> StoreResult<bool> {
    let table = account_table(account);
    let r = sqlx::query(&format!("UPDATE {table} SET failed_logins = $1, last_failed_at = $2 WHERE id = $3 AND failed_logins = $4 AND COALESCE(last_failed_at, -1) = $5"))
        .bind(i64::from(count))
        .bind(millis(now))
        .bind(id)
        .bind(i64::from(seen.count))
        .bind(seen.last.map_or(-1, millis))
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Gives back a try taken by [`claim_login_try`] that was no failure of
/// this account after all (the right password of another office's
/// account): the record returns to `seen` unless another try has changed
/// it since, in which case it is left as it is (a count too high by one
/// errs on the safe side).
pub async fn release_login_try(
    conn: &mut Conn, account: kaigo_domain::Account, id: &str, seen: kaigo_domain::FailureRecord, count: u32, now: OffsetDateTime,
) -> StoreResult<()> {
    let table = account_table(account);
    sqlx::query(&format!(
        "UPDATE {table} SET failed_logins = $1, last_failed_at = $2 WHERE id = $3 AND failed_logins = $4 AND last_failed_at = $5"
    ))
    .bind(i64::from(seen.count))
    .bind(seen.last.map(millis))
    .bind(id)
    .bind(i64::from(count))
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Clears the failed-login count of an office or a user.
pub async fn clear_login_failures(conn: &mut Conn, account: kaigo_domain::Account, id: &str) -> StoreResult<()> {
    let table = account_table(account);
    sqlx::query(&format!("UPDATE {table} SET failed_logins = 0, last_failed_at = NULL WHERE id = $1")).bind(id).execute(conn).await?;
    Ok(())
}
