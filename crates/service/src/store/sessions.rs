//! Sessions and device trust, stored by the SHA-256 of their tokens.

use super::{corrupt, flag, instant, millis, Conn, StoreResult};
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// 事業所ユーザ.
    Office,
    /// 管理者ユーザ or 一般ユーザ.
    User,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Office => "office",
            SessionKind::User => "user",
        }
    }
}

/// A session as stored.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub token_hash: String,
    pub kind: SessionKind,
    pub office_id: String,
    pub user_row_id: Option<String>,
    pub cert_fingerprint: String,
    /// Opened with the initial password: may only change the password.
    pub restricted: bool,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked: bool,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    token_hash: String,
    kind: String,
    office_id: String,
    user_row_id: Option<String>,
    cert_fingerprint: String,
    restricted: i64,
    last_seen_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<SessionRow> for StoredSession {
    type Error = super::StoreError;

    fn try_from(r: SessionRow) -> StoreResult<StoredSession> {
        let kind = match r.kind.as_str() {
            "office" => SessionKind::Office,
            "user" => SessionKind::User,
            other => return Err(corrupt("session kind", other)),
        };
        Ok(StoredSession {
            kind,
            token_hash: r.token_hash,
            office_id: r.office_id,
            user_row_id: r.user_row_id,
            cert_fingerprint: r.cert_fingerprint,
            restricted: r.restricted != 0,
            last_seen_at: instant(r.last_seen_at),
            expires_at: instant(r.expires_at),
            revoked: r.revoked_at.is_some(),
        })
    }
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub kind: SessionKind,
    pub office_id: &'a str,
    pub user_row_id: Option<&'a str>,
    pub cert_fingerprint: &'a str,
    pub restricted: bool,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn, s: NewSession<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, kind, office_id, user_row_id, cert_fingerprint, restricted, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
    )
    .bind(s.token_hash)
    .bind(s.kind.as_str())
    .bind(s.office_id)
    .bind(s.user_row_id)
    .bind(s.cert_fingerprint)
    .bind(flag(s.restricted))
    .bind(millis(s.now))
    .bind(millis(s.expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, token_hash: &str) -> StoreResult<Option<StoredSession>> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT token_hash, kind, office_id, user_row_id, cert_fingerprint, restricted, last_seen_at, expires_at, revoked_at
         FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(StoredSession::try_from).transpose()
}

pub async fn touch(conn: &mut Conn, token_hash: &str, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(millis(now)).bind(token_hash).execute(conn).await?;
    Ok(())
}

pub async fn revoke(conn: &mut Conn, token_hash: &str, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
        .bind(millis(now))
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn revoke_all_for_user(conn: &mut Conn, user_row_id: &str, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_row_id = $2 AND revoked_at IS NULL")
        .bind(millis(now))
        .bind(user_row_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A remembered PC (「このPCを記憶する」), as stored.
#[derive(Debug, Clone)]
pub struct StoredDeviceTrust {
    pub user_row_id: String,
    pub cert_fingerprint: String,
    pub expires_at: OffsetDateTime,
    pub revoked: bool,
}

pub async fn insert_device_trust(
    conn: &mut Conn, token_hash: &str, user_row_id: &str, cert_fingerprint: &str, now: OffsetDateTime, expires_at: OffsetDateTime,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO device_trusts (token_hash, user_row_id, cert_fingerprint, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_row_id)
    .bind(cert_fingerprint)
    .bind(millis(now))
    .bind(millis(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_device_trust(conn: &mut Conn, token_hash: &str) -> StoreResult<Option<StoredDeviceTrust>> {
    let row: Option<(String, String, i64, Option<i64>)> =
        sqlx::query_as("SELECT user_row_id, cert_fingerprint, expires_at, revoked_at FROM device_trusts WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(user_row_id, cert_fingerprint, expires_at, revoked_at)| StoredDeviceTrust {
        user_row_id,
        cert_fingerprint,
        expires_at: instant(expires_at),
        revoked: revoked_at.is_some(),
    }))
}

pub async fn revoke_device_trusts(conn: &mut Conn, user_row_id: &str, now: OffsetDateTime) -> StoreResult<u64> {
    let r = sqlx::query("UPDATE device_trusts SET revoked_at = $1 WHERE user_row_id = $2 AND revoked_at IS NULL")
        .bind(millis(now))
        .bind(user_row_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected())
}
