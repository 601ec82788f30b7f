//! Messages waiting to be sent, and the practice mailbox.

use super::{new_id, Conn, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

pub struct NewMessage<'a> {
    pub channel: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

pub async fn enqueue(conn: &mut Conn, m: NewMessage<'_>, now_ms: i64) -> StoreResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO outbox (id, channel, recipient, subject, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(m.channel)
    .bind(m.recipient)
    .bind(m.subject)
    .bind(m.body)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Leases the oldest due message to this worker until `lease_until`. With
/// several instances only one wins the row: the UPDATE re-checks the lease.
pub async fn claim_due(conn: &mut Conn, now_ms: i64, lease_until_ms: i64) -> StoreResult<Option<OutboxRow>> {
    let candidate: Option<String> = sqlx::query_scalar(
        "SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
         ORDER BY next_attempt_at, created_at LIMIT 1",
    )
    .bind(now_ms)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = candidate else { return Ok(None) };
    let claimed = sqlx::query(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1
         WHERE id = $2 AND delivered_at IS NULL AND (locked_until IS NULL OR locked_until <= $3)",
    )
    .bind(lease_until_ms)
    .bind(&id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(None);
    }
    Ok(sqlx::query_as("SELECT id, channel, recipient, subject, body, attempts FROM outbox WHERE id = $1")
        .bind(&id)
        .fetch_optional(conn)
        .await?)
}

/// Marks a message sent and blanks its body: it may hold an initial password
/// or a code, which must not outlive the delivery.
pub async fn mark_delivered(conn: &mut Conn, id: &str, now_ms: i64) -> StoreResult<()> {
    sqlx::query("UPDATE outbox SET delivered_at = $1, locked_until = NULL, body = '', last_error = NULL WHERE id = $2")
        .bind(now_ms)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_failed(conn: &mut Conn, id: &str, next_attempt_ms: i64, error: &str) -> StoreResult<()> {
    sqlx::query("UPDATE outbox SET next_attempt_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
        .bind(next_attempt_ms)
        .bind(error)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxStatus {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    pub last_error: Option<String>,
}

pub async fn status(conn: &mut Conn) -> StoreResult<Vec<OutboxStatus>> {
    Ok(sqlx::query_as("SELECT id, channel, recipient, attempts, delivered_at, last_error FROM outbox ORDER BY created_at")
        .fetch_all(conn)
        .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailboxRow {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub delivered_at: i64,
}

pub async fn put_in_mailbox(conn: &mut Conn, m: &OutboxRow, now_ms: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO practice_mailbox (id, channel, recipient, subject, body, delivered_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&m.id)
        .bind(&m.channel)
        .bind(&m.recipient)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mailbox(conn: &mut Conn, recipient: Option<&str>) -> StoreResult<Vec<MailboxRow>> {
    Ok(sqlx::query_as(
        "SELECT id, channel, recipient, subject, body, delivered_at FROM practice_mailbox
         WHERE ($1 IS NULL OR recipient = $1) ORDER BY delivered_at DESC, id",
    )
    .bind(recipient)
    .fetch_all(conn)
    .await?)
}
