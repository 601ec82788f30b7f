//! The audit trail of every authentication event. Never holds a secret.

use super::{instant, millis, Conn, StoreResult};
use time::OffsetDateTime;

#[derive(Debug, Clone, Default)]
pub struct AuditEvent<'a> {
    pub event: &'a str,
    pub outcome: &'a str,
    pub office_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub cert_fingerprint: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub async fn record(conn: &mut Conn, e: AuditEvent<'_>, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, event, outcome, office_id, user_id, cert_fingerprint, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(millis(now))
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

#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub at: OffsetDateTime,
    pub event: String,
    pub outcome: String,
    pub office_id: Option<String>,
    pub user_id: Option<String>,
    pub cert_fingerprint: Option<String>,
    pub detail: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    at: i64,
    event: String,
    outcome: String,
    office_id: Option<String>,
    user_id: Option<String>,
    cert_fingerprint: Option<String>,
    detail: Option<String>,
}

pub async fn recent(conn: &mut Conn, limit: i64) -> StoreResult<Vec<AuditRecord>> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT at, event, outcome, office_id, user_id, cert_fingerprint, detail FROM audit_events ORDER BY at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditRecord {
            at: instant(r.at),
            event: r.event,
            outcome: r.outcome,
            office_id: r.office_id,
            user_id: r.user_id,
            cert_fingerprint: r.cert_fingerprint,
            detail: r.detail,
        })
        .collect())
}
