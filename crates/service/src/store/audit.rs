//! The audit trail of every authentication event. Never holds a secret.

use super::{Conn, StoreResult};

#[derive(Debug, Clone, Default)]
pub struct AuditEvent<'a> {
    pub event: &'a str,
    pub outcome: &'a str,
    pub office_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub cert_fingerprint: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub async fn record(conn: &mut Conn, e: AuditEvent<'_>, now_ms: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, event, outcome, office_id, user_id, cert_fingerprint, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(now_ms)
    .bind(e.event)
    .bind(e.outcome)
    .bind(e.office_id)
    .bind(e.user_id)
    .bind(e.cert_fingerprint)
    .bind(e.detail)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub at: i64,
    pub event: String,
    pub outcome: String,
    pub office_id: Option<String>,
    pub user_id: Option<String>,
    pub cert_fingerprint: Option<String>,
    pub detail: Option<String>,
}

pub async fn recent(conn: &mut Conn, limit: i64) -> StoreResult<Vec<AuditRow>> {
    Ok(sqlx::query_as(
        "SELECT at, event, outcome, office_id, user_id, cert_fingerprint, detail FROM audit_events ORDER BY at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
