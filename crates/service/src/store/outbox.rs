//! Messages waiting to be sent, and the practice mailbox.

use super::{corrupt, count, instant, millis, new_id, Conn, StoreResult};
use kaigo_domain::DeliveryChannel;
use time::OffsetDateTime;

fn channel(name: &str) -> StoreResult<DeliveryChannel> {
    match name {
        "email" => Ok(DeliveryChannel::Email),
        "sms" => Ok(DeliveryChannel::Sms),
        other => Err(corrupt("channel", other)),
    }
}

/// A message leased for sending.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: String,
    pub office_id: Option<String>,
    pub channel: DeliveryChannel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: u32,
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: String,
    office_id: Option<String>,
    channel: String,
    recipient: String,
    subject: String,
    body: String,
    attempts: i64,
}

pub struct NewMessage<'a> {
    /// The office the message concerns (whose practice mailbox shows it).
    pub office_id: &'a str,
    pub channel: DeliveryChannel,
    pub recipient: &'a str,
    pub subject: &'a str,
    /// Sealed (`CodeKey::seal`) with `id`: the store keeps no plain text.
    pub sealed_body: &'a str,
}

/// A fresh id for a message, to seal its body with before it is enqueued.
pub fn new_message_id() -> String {
    new_id()
}

pub async fn enqueue(conn: &mut Conn, id: &str, m: NewMessage<'_>, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (id, office_id, channel, recipient, subject, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(m.office_id)
    .bind(m.channel.as_str())
    .bind(m.recipient)
    .bind(m.subject)
    .bind(m.sealed_body)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Leases the oldest due message to `instance` until `lease_until`. With
/// several instances only one wins the row: the UPDATE re-checks the lease.
pub async fn claim_due(conn: &mut Conn, now: OffsetDateTime, lease_until: OffsetDateTime, instance: &str) -> StoreResult<Option<Outgoing>> {
    let (now_ms, lease_until_ms) = (millis(now), millis(lease_until));
    let candidate: Option<String> = sqlx::query_scalar(
        "SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
         ORDER BY next_attempt_at, created_at LIMIT 1",
    )
    .bind(now_ms)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = candidate else { return Ok(None) };
    let claimed = sqlx::query(
        "UPDATE outbox SET locked_until = $1, leased_by = $4, attempts = attempts + 1
         WHERE id = $2 AND delivered_at IS NULL AND (locked_until IS NULL OR locked_until <= $3)",
    )
    .bind(lease_until_ms)
    .bind(&id)
    .bind(now_ms)
    .bind(instance)
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(None);
    }
    let row: Option<OutboxRow> =
        sqlx::query_as("SELECT id, office_id, channel, recipient, subject, body, attempts FROM outbox WHERE id = $1")
            .bind(&id)
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        Ok(Outgoing {
            channel: channel(&r.channel)?,
            attempts: count(r.attempts),
            id: r.id,
            office_id: r.office_id,
            recipient: r.recipient,
            subject: r.subject,
            body: r.body,
        })
    })
    .transpose()
}

/// Marks a message sent and blanks its body: it may hold an initial password
/// or a code, which must not outlive the delivery.
pub async fn mark_delivered(conn: &mut Conn, id: &str, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query("UPDATE outbox SET delivered_at = $1, locked_until = NULL, leased_by = NULL, body = '', last_error = NULL WHERE id = $2")
        .bind(millis(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A failed attempt of `instance`'s: retried at `next_attempt`. A lease
/// taken over since (by another instance, after this one seemed dead) is
/// left to its new holder.
pub async fn mark_failed(conn: &mut Conn, id: &str, instance: &str, next_attempt: OffsetDateTime, error: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1, locked_until = NULL, leased_by = NULL, last_error = $2
         WHERE id = $3 AND (leased_by = $4 OR leased_by IS NULL) AND delivered_at IS NULL",
    )
    .bind(millis(next_attempt))
    .bind(error)
    .bind(id)
    .bind(instance)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives back the leases `instance` holds on messages not yet sent: it is
/// stopping, or it has died (`store::instances`). The attempt stays counted.
pub async fn release_leases_of(conn: &mut Conn, instance: &str) -> StoreResult<u64> {
    let r = sqlx::query("UPDATE outbox SET locked_until = NULL, leased_by = NULL WHERE leased_by = $1 AND delivered_at IS NULL")
        .bind(instance)
        .execute(conn)
        .await?;
    Ok(r.rows_affected())
}

/// The instances holding leases on messages not yet sent, but `me`.
pub async fn lease_holders(conn: &mut Conn, me: &str) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT DISTINCT leased_by FROM outbox WHERE leased_by IS NOT NULL AND leased_by <> $1 AND delivered_at IS NULL")
        .bind(me)
        .fetch_all(conn)
        .await?)
}

/// Where a message stands, for operators and tests.
#[derive(Debug, Clone)]
pub struct OutboxStatus {
    pub id: String,
    pub channel: DeliveryChannel,
    pub recipient: String,
    pub attempts: u32,
    pub delivered_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
}

/// id, channel, recipient, attempts, delivered_at, last_error.
type StatusRow = (String, String, String, i64, Option<i64>, Option<String>);

pub async fn status(conn: &mut Conn) -> StoreResult<Vec<OutboxStatus>> {
    let rows: Vec<StatusRow> =
        sqlx::query_as("SELECT id, channel, recipient, attempts, delivered_at, last_error FROM outbox ORDER BY created_at")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, ch, recipient, attempts, delivered_at, last_error)| {
            Ok(OutboxStatus {
                id,
                channel: channel(&ch)?,
                recipient,
                attempts: count(attempts),
                delivered_at: delivered_at.map(instant),
                last_error,
            })
        })
        .collect()
}

/// A message practice mode kept instead of sending.
#[derive(Debug, Clone)]
pub struct MailboxEntry {
    pub id: String,
    pub channel: DeliveryChannel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub delivered_at: OffsetDateTime,
}

pub async fn put_in_mailbox(conn: &mut Conn, m: &Outgoing, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO practice_mailbox (id, office_id, channel, recipient, subject, body, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&m.id)
    .bind(&m.office_id)
    .bind(m.channel.as_str())
    .bind(&m.recipient)
    .bind(&m.subject)
    .bind(&m.body)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The messages kept for one office, newest first.
pub async fn mailbox(conn: &mut Conn, office_id: &str, recipient: Option<&str>) -> StoreResult<Vec<MailboxEntry>> {
    let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, channel, recipient, subject, body, delivered_at FROM practice_mailbox
         WHERE office_id = $1 AND ($2 IS NULL OR recipient = $2) ORDER BY delivered_at DESC, id",
    )
    .bind(office_id)
    .bind(recipient)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, ch, recipient, subject, body, delivered_at)| {
            Ok(MailboxEntry { id, channel: channel(&ch)?, recipient, subject, body, delivered_at: instant(delivered_at) })
        })
        .collect()
}
