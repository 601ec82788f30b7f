//! Storage: one set of portable SQL statements over sqlx's `Any` driver, so the
//! same code and migrations serve SQLite (the default, one file) and
//! PostgreSQL (several instances sharing the load). One module per table group.

pub mod audit;
pub mod challenges;
pub mod idempotency;
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

/// Turns a unique-constraint violation into [`StoreError::Conflict`].
pub(crate) fn on_unique(e: sqlx::Error) -> StoreError {
    match e.as_database_error() {
        Some(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
            StoreError::Conflict(db.constraint().unwrap_or_else(|| db.message()).to_owned())
        }
        _ => StoreError::Sqlx(e),
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
        let url = location.driver_url().map_err(|e| StoreError::Sqlx(sqlx::Error::Configuration(e.into())))?;
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
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

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Counts one failed login of an office or a user (starting again from 1
/// when `restart`, i.e. an earlier lock has run out); returns the new count.
async fn count_failure(conn: &mut Conn, table: &'static str, id: &str, restart: bool, now_ms: i64) -> StoreResult<i64> {
    sqlx::query(&format!(
        "UPDATE {table} SET failed_logins = CASE WHEN $1 = 1 THEN 1 ELSE failed_logins + 1 END, last_failed_at = $2 WHERE id = $3"
    ))
    .bind(flag(restart))
    .bind(now_ms)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar(&format!("SELECT failed_logins FROM {table} WHERE id = $1")).bind(id).fetch_one(conn).await?)
}
