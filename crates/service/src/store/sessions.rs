//! Sessions and device trust, stored by the SHA-256 of their tokens.

use super::{flag, Conn, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub kind: String,
    pub office_id: String,
    pub user_row_id: Option<String>,
    pub cert_fingerprint: String,
    pub restricted: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub kind: &'a str,
    pub office_id: &'a str,
    pub user_row_id: Option<&'a str>,
    pub cert_fingerprint: &'a str,
    pub restricted: bool,
    pub now_ms: i64,
    pub expires_at_ms: i64,
}

pub async fn insert(conn: &mut Conn, s: NewSession<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, kind, office_id, user_row_id, cert_fingerprint, restricted, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
    )
    .bind(s.token_hash)
    .bind(s.kind)
    .bind(s.office_id)
    .bind(s.user_row_id)
    .bind(s.cert_fingerprint)
    .bind(flag(s.restricted))
    .bind(s.now_ms)
    .bind(s.expires_at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, token_hash: &str) -> StoreResult<Option<SessionRow>> {
    Ok(sqlx::query_as(
        "SELECT token_hash, kind, office_id, user_row_id, cert_fingerprint, restricted, created_at, last_seen_at, expires_at, revoked_at
         FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?)
}

pub async fn touch(conn: &mut Conn, token_hash: &str, now_ms: i64) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(now_ms).bind(token_hash).execute(conn).await?;
    Ok(())
}

pub async fn revoke(conn: &mut Conn, token_hash: &str, now_ms: i64) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
        .bind(now_ms)
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn revoke_all_for_user(conn: &mut Conn, user_row_id: &str, now_ms: i64) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_row_id = $2 AND revoked_at IS NULL")
        .bind(now_ms)
        .bind(user_row_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_device_trust(conn: &mut Conn, token_hash: &str, user_row_id: &str, cert_fingerprint: &str, now_ms: i64, expires_at_ms: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO device_trusts (token_hash, user_row_id, cert_fingerprint, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash)
        .bind(user_row_id)
        .bind(cert_fingerprint)
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// True when the token trusts this PC (same certificate) for this user now.
pub async fn device_trusted(conn: &mut Conn, token_hash: &str, user_row_id: &str, cert_fingerprint: &str, now_ms: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM device_trusts
         WHERE token_hash = $1 AND user_row_id = $2 AND cert_fingerprint = $3 AND revoked_at IS NULL AND expires_at > $4",
    )
    .bind(token_hash)
    .bind(user_row_id)
    .bind(cert_fingerprint)
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn revoke_device_trusts(conn: &mut Conn, user_row_id: &str, now_ms: i64) -> StoreResult<u64> {
    let r = sqlx::query("UPDATE device_trusts SET revoked_at = $1 WHERE user_row_id = $2 AND revoked_at IS NULL")
        .bind(now_ms)
        .bind(user_row_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected())
}
