//! 資格確認端末 linked to an office.

use super::{corrupt, instant, millis, on_unique, Conn, StoreResult};
use kaigo_domain::terminal::TerminalLink;
use time::OffsetDateTime;

/// A terminal of an office that is not unlinked.
#[derive(Debug, Clone)]
pub struct Terminal {
    pub id: String,
    pub office_id: String,
    pub name: String,
    pub public_key: String,
    pub link: TerminalLink,
    pub challenge: Option<String>,
    pub created_at: OffsetDateTime,
    pub linked_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct TerminalRow {
    id: String,
    office_id: String,
    name: String,
    public_key: String,
    status: String,
    challenge: Option<String>,
    challenge_expires_at: Option<i64>,
    created_at: i64,
    linked_at: Option<i64>,
}

impl TryFrom<TerminalRow> for Terminal {
    type Error = super::StoreError;

    fn try_from(r: TerminalRow) -> StoreResult<Terminal> {
        let link = match r.status.as_str() {
            "pending" => TerminalLink::Pending { challenge_expires_at: r.challenge_expires_at.map(instant) },
            "linked" => TerminalLink::Linked,
            other => return Err(corrupt("terminal status", other)),
        };
        Ok(Terminal {
            link,
            id: r.id,
            office_id: r.office_id,
            name: r.name,
            public_key: r.public_key,
            challenge: r.challenge,
            created_at: instant(r.created_at),
            linked_at: r.linked_at.map(instant),
        })
    }
}

const COLUMNS: &str = "id, office_id, name, public_key, status, challenge, challenge_expires_at, created_at, linked_at";

pub struct NewTerminal<'a> {
    pub id: &'a str,
    pub office_id: &'a str,
    pub name: &'a str,
    pub public_key: &'a str,
    pub challenge: &'a str,
    pub challenge_expires_at: OffsetDateTime,
    pub registered_by: &'a str,
    pub now: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn, t: NewTerminal<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO terminals (id, office_id, name, public_key, status, challenge, challenge_expires_at, registered_by, created_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8)",
    )
    .bind(t.id)
    .bind(t.office_id)
    .bind(t.name)
    .bind(t.public_key)
    .bind(t.challenge)
    .bind(millis(t.challenge_expires_at))
    .bind(t.registered_by)
    .bind(millis(t.now))
    .execute(conn)
    .await
    .map_err(on_unique)?;
    Ok(())
}

/// A terminal of this office that is not unlinked.
pub async fn find_active(conn: &mut Conn, office_id: &str, id: &str) -> StoreResult<Option<Terminal>> {
    let row: Option<TerminalRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM terminals WHERE id = $1 AND office_id = $2 AND unlinked_at IS NULL"))
        .bind(id)
        .bind(office_id)
        .fetch_optional(conn)
        .await?;
    row.map(Terminal::try_from).transpose()
}

pub async fn list_active(conn: &mut Conn, office_id: &str) -> StoreResult<Vec<Terminal>> {
    let rows: Vec<TerminalRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM terminals WHERE office_id = $1 AND unlinked_at IS NULL ORDER BY created_at, id"))
        .bind(office_id)
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(Terminal::try_from).collect()
}

/// Links the terminal, consuming its challenge. False if the challenge was
/// already used.
pub async fn link(conn: &mut Conn, id: &str, challenge: &str, now: OffsetDateTime) -> StoreResult<bool> {
    let r = sqlx::query(
        "UPDATE terminals SET status = 'linked', linked_at = $1, challenge = NULL, challenge_expires_at = NULL
         WHERE id = $2 AND status = 'pending' AND challenge = $3",
    )
    .bind(millis(now))
    .bind(id)
    .bind(challenge)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_challenge(conn: &mut Conn, id: &str, challenge: &str, expires_at: OffsetDateTime) -> StoreResult<()> {
    sqlx::query("UPDATE terminals SET challenge = $1, challenge_expires_at = $2 WHERE id = $3 AND status = 'pending'")
        .bind(challenge)
        .bind(millis(expires_at))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn unlink(conn: &mut Conn, office_id: &str, id: &str, now: OffsetDateTime) -> StoreResult<bool> {
    let r = sqlx::query("UPDATE terminals SET unlinked_at = $1, status = 'unlinked', challenge = NULL WHERE id = $2 AND office_id = $3 AND unlinked_at IS NULL")
        .bind(millis(now))
        .bind(id)
        .bind(office_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}
