//! Logins whose password was accepted and whose one-time code is pending.

use super::{Conn, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChallengeRow {
    pub id: String,
    pub kind: String,
    pub office_id: String,
    pub user_row_id: Option<String>,
    pub cert_fingerprint: String,
    pub channel: Option<String>,
    pub code_hash: Option<String>,
    pub code_sent_at: Option<i64>,
    pub code_expires_at: Option<i64>,
    pub code_attempts: i64,
    pub expires_at: i64,
    pub completed_at: Option<i64>,
}

pub struct NewChallenge<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub office_id: &'a str,
    pub user_row_id: Option<&'a str>,
    pub cert_fingerprint: &'a str,
    pub now_ms: i64,
    pub expires_at_ms: i64,
}

pub async fn insert(conn: &mut Conn, c: NewChallenge<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO login_challenges (id, kind, office_id, user_row_id, cert_fingerprint, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.id)
    .bind(c.kind)
    .bind(c.office_id)
    .bind(c.user_row_id)
    .bind(c.cert_fingerprint)
    .bind(c.now_ms)
    .bind(c.expires_at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, id: &str) -> StoreResult<Option<ChallengeRow>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, office_id, user_row_id, cert_fingerprint, channel, code_hash, code_sent_at, code_expires_at, code_attempts, expires_at, completed_at
         FROM login_challenges WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Replaces the pending code (a resend voids the previous one).
pub async fn set_code(conn: &mut Conn, id: &str, channel: &str, code_hash: &str, sent_at_ms: i64, expires_at_ms: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE login_challenges SET channel = $1, code_hash = $2, code_sent_at = $3, code_expires_at = $4, code_attempts = 0 WHERE id = $5",
    )
    .bind(channel)
    .bind(code_hash)
    .bind(sent_at_ms)
    .bind(expires_at_ms)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts one wrong entry; returns the new count.
pub async fn count_wrong_code(conn: &mut Conn, id: &str) -> StoreResult<i64> {
    sqlx::query("UPDATE login_challenges SET code_attempts = code_attempts + 1 WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(sqlx::query_scalar("SELECT code_attempts FROM login_challenges WHERE id = $1").bind(id).fetch_one(conn).await?)
}

/// Marks the login done. False if it already was (the code is single use,
/// even under two simultaneous requests).
pub async fn complete(conn: &mut Conn, id: &str, now_ms: i64) -> StoreResult<bool> {
    let r = sqlx::query("UPDATE login_challenges SET completed_at = $1, code_hash = NULL WHERE id = $2 AND completed_at IS NULL")
        .bind(now_ms)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}
