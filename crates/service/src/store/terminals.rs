//! 資格確認端末 linked to an office.

use super::{on_unique, Conn, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TerminalRow {
    pub id: String,
    pub office_id: String,
    pub name: String,
    pub public_key: String,
    pub status: String,
    pub challenge: Option<String>,
    pub challenge_expires_at: Option<i64>,
    pub created_at: i64,
    pub linked_at: Option<i64>,
}

const COLUMNS: &str = "id, office_id, name, public_key, status, challenge, challenge_expires_at, created_at, linked_at";

pub struct NewTerminal<'a> {
    pub id: &'a str,
    pub office_id: &'a str,
    pub name: &'a str,
    pub public_key: &'a str,
    pub challenge: &'a str,
    pub challenge_expires_at_ms: i64,
    pub registered_by: &'a str,
    pub now_ms: i64,
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
    .bind(t.challenge_expires_at_ms)
    .bind(t.registered_by)
    .bind(t.now_ms)
    .execute(conn)
    .await
    .map_err(on_unique)?;
    Ok(())
}

/// A terminal of this office that is not unlinked.
pub async fn find_active(conn: &mut Conn, office_id: &str, id: &str) -> StoreResult<Option<TerminalRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM terminals WHERE id = $1 AND office_id = $2 AND unlinked_at IS NULL"))
        .bind(id)
        .bind(office_id)
        .fetch_optional(conn)
        .await?)
}

pub async fn list_active(conn: &mut Conn, office_id: &str) -> StoreResult<Vec<TerminalRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM terminals WHERE office_id = $1 AND unlinked_at IS NULL ORDER BY created_at, id"))
        .bind(office_id)
        .fetch_all(conn)
        .await?)
}

/// Links the terminal, consuming its challenge. False if the challenge was
/// already used.
pub async fn link(conn: &mut Conn, id: &str, challenge: &str, now_ms: i64) -> StoreResult<bool> {
    let r = sqlx::query(
        "UPDATE terminals SET status = 'linked', linked_at = $1, challenge = NULL, challenge_expires_at = NULL
         WHERE id = $2 AND status = 'pending' AND challenge = $3",
    )
    .bind(now_ms)
    .bind(id)
    .bind(challenge)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_challenge(conn: &mut Conn, id: &str, challenge: &str, expires_at_ms: i64) -> StoreResult<()> {
    sqlx::query("UPDATE terminals SET challenge = $1, challenge_expires_at = $2 WHERE id = $3 AND status = 'pending'")
        .bind(challenge)
        .bind(expires_at_ms)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn unlink(conn: &mut Conn, office_id: &str, id: &str, now_ms: i64) -> StoreResult<bool> {
    let r = sqlx::query("UPDATE terminals SET unlinked_at = $1, status = 'unlinked', challenge = NULL WHERE id = $2 AND office_id = $3 AND unlinked_at IS NULL")
        .bind(now_ms)
        .bind(id)
        .bind(office_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}
