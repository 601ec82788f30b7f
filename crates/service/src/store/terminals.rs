//! 資格確認端末 linked to an office, with the activation code that links them
//! (kept only as a MAC).

use super::{corrupt, instant, millis, on_unique, Conn, StoreResult};
use kaigo_domain::terminal::{Activation, TerminalKind, TerminalLink};
use time::OffsetDateTime;

/// A terminal that is not unlinked.
#[derive(Debug, Clone)]
pub struct Terminal {
    pub id: String,
    pub office_id: String,
    pub name: String,
    pub kind: TerminalKind,
    pub public_key: Option<String>,
    pub link: TerminalLink,
    pub activation_mac: Option<String>,
    pub challenge: Option<String>,
    pub created_at: OffsetDateTime,
    pub linked_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct TerminalRow {
    id: String,
    office_id: String,
    name: String,
    kind: String,
    public_key: Option<String>,
    status: String,
    activation_mac: Option<String>,
    activation_expires_at: Option<i64>,
    activation_wrong_entries: i64,
    challenge: Option<String>,
    challenge_expires_at: Option<i64>,
    created_at: i64,
    linked_at: Option<i64>,
}

impl TryFrom<TerminalRow> for Terminal {
    type Error = super::StoreError;

    fn try_from(r: TerminalRow) -> StoreResult<Terminal> {
        let link = match r.status.as_str() {
            "awaiting_device" => TerminalLink::AwaitingDevice(Activation {
                expires_at: instant(r.activation_expires_at.ok_or_else(|| corrupt("terminal activation", "no expiry"))?),
                wrong_entries: u32::try_from(r.activation_wrong_entries).unwrap_or(u32::MAX),
            }),
            "pending" => TerminalLink::Pending { challenge_expires_at: r.challenge_expires_at.map(instant) },
            "linked" => TerminalLink::Linked,
            other => return Err(corrupt("terminal status", other)),
        };
        Ok(Terminal {
            link,
            kind: TerminalKind::parse(&r.kind).map_err(|_| corrupt("terminal kind", &r.kind))?,
            id: r.id,
            office_id: r.office_id,
            name: r.name,
            public_key: r.public_key,
            activation_mac: r.activation_mac,
            challenge: r.challenge,
            created_at: instant(r.created_at),
            linked_at: r.linked_at.map(instant),
        })
    }
}

const COLUMNS: &str = "id, office_id, name, kind, public_key, status, activation_mac, activation_expires_at, activation_wrong_entries, challenge, challenge_expires_at, created_at, linked_at";

pub struct NewTerminal<'a> {
    pub id: &'a str,
    pub office_id: &'a str,
    pub name: &'a str,
    pub kind: TerminalKind,
    pub activation_mac: &'a str,
    pub activation_expires_at: OffsetDateTime,
    pub registered_by: &'a str,
    pub now: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn, t: NewTerminal<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO terminals (id, office_id, name, kind, status, activation_mac, activation_expires_at, activation_wrong_entries, registered_by, created_at)
         VALUES ($1, $2, $3, $4, 'awaiting_device', $5, $6, 0, $7, $8)",
    )
    .bind(t.id)
    .bind(t.office_id)
    .bind(t.name)
    .bind(t.kind.as_str())
    .bind(t.activation_mac)
    .bind(millis(t.activation_expires_at))
    .bind(t.registered_by)
    .bind(millis(t.now))
    .execute(conn)
    .await
    .map_err(on_unique)?;
    Ok(())
}

/// A terminal of this office that is not unlinked.
pub async fn find_active(conn: &mut Conn, office_id: &str, id: &str) -> StoreResult<Option<Terminal>> {
    let row: Option<TerminalRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM terminals WHERE id = $1 AND office_id = $2 AND unlinked_at IS NULL"))
            .bind(id)
            .bind(office_id)
            .fetch_optional(conn)
            .await?;
    row.map(Terminal::try_from).transpose()
}

/// A terminal that is not unlinked, whichever office it belongs to: the
/// device asking knows only the terminal ID.
pub async fn find_by_id(conn: &mut Conn, id: &str) -> StoreResult<Option<Terminal>> {
    let row: Option<TerminalRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM terminals WHERE id = $1 AND unlinked_at IS NULL"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(Terminal::try_from).transpose()
}

pub async fn list_active(conn: &mut Conn, office_id: &str) -> StoreResult<Vec<Terminal>> {
    let rows: Vec<TerminalRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM terminals WHERE office_id = $1 AND unlinked_at IS NULL ORDER BY created_at, id"))
            .bind(office_id)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(Terminal::try_from).collect()
}

/// A fresh activation code for a terminal not yet linked: any key, challenge
/// and count of wrong entries from before are dropped.
pub async fn reissue_activation(conn: &mut Conn, id: &str, activation_mac: &str, expires_at: OffsetDateTime) -> StoreResult<bool> {
    let r = sqlx::query(
        "UPDATE terminals SET status = 'awaiting_device', activation_mac = $1, activation_expires_at = $2, activation_wrong_entries = 0,
                public_key = NULL, challenge = NULL, challenge_expires_at = NULL
         WHERE id = $3 AND status IN ('awaiting_device', 'pending') AND unlinked_at IS NULL",
    )
    .bind(activation_mac)
    .bind(millis(expires_at))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Counts a wrong activation code; returns the count now.
pub async fn count_wrong_activation(conn: &mut Conn, id: &str) -> StoreResult<u32> {
    let (n,): (i64,) = sqlx::query_as(
        "UPDATE terminals SET activation_wrong_entries = activation_wrong_entries + 1
         WHERE id = $1 AND status = 'awaiting_device' RETURNING activation_wrong_entries",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The wrong codes sent for an ID no terminal has (`unknown_terminal_tries`):
/// how many, and when the first came.
#[derive(Debug, Clone, Copy)]
pub struct UnknownTries {
    pub wrong_entries: u32,
    pub first_at: OffsetDateTime,
}

/// The wrong codes counted for an unknown ID, forgetting first every
/// record begun before `forget_before`.
pub async fn unknown_tries(conn: &mut Conn, id: &str, forget_before: OffsetDateTime) -> StoreResult<Option<UnknownTries>> {
    sqlx::query("DELETE FROM unknown_terminal_tries WHERE first_at < $1").bind(millis(forget_before)).execute(&mut *conn).await?;
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT wrong_entries, first_at FROM unknown_terminal_tries WHERE terminal_id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(n, first)| UnknownTries { wrong_entries: u32::try_from(n).unwrap_or(u32::MAX), first_at: instant(first) }))
}

/// Counts a wrong code sent for an unknown ID; returns the count now.
pub async fn count_wrong_unknown(conn: &mut Conn, id: &str, now: OffsetDateTime) -> StoreResult<u32> {
    let (n,): (i64,) = sqlx::query_as(
        "INSERT INTO unknown_terminal_tries (terminal_id, wrong_entries, first_at) VALUES ($1, 1, $2)
         ON CONFLICT (terminal_id) DO UPDATE SET wrong_entries = unknown_terminal_tries.wrong_entries + 1
         RETURNING wrong_entries",
    )
    .bind(id)
    .bind(millis(now))
    .fetch_one(conn)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Redeems the activation code (once: only the request that still finds
/// the same code does it) and sets the device's key and challenge.
pub async fn redeem_activation(
    conn: &mut Conn, id: &str, activation_mac: &str, public_key: &str, challenge: &str, challenge_expires_at: OffsetDateTime,
) -> StoreResult<bool> {
    let r = sqlx::query(
        "UPDATE terminals SET status = 'pending', activation_mac = NULL, activation_expires_at = NULL,
                public_key = $1, challenge = $2, challenge_expires_at = $3
         WHERE id = $4 AND status = 'awaiting_device' AND activation_mac = $5",
    )
    .bind(public_key)
    .bind(challenge)
    .bind(millis(challenge_expires_at))
    .bind(id)
    .bind(activation_mac)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
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

pub async fn unlink(conn: &mut Conn, office_id: &str, id: &str, now: OffsetDateTime) -> StoreResult<bool> {
    let r = sqlx::query(
        "UPDATE terminals SET unlinked_at = $1, status = 'unlinked', challenge = NULL, activation_mac = NULL
         WHERE id = $2 AND office_id = $3 AND unlinked_at IS NULL",
    )
    .bind(millis(now))
    .bind(id)
    .bind(office_id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}
