//! Logins whose password was accepted and whose one-time code is pending.

use super::{corrupt, count, instant, millis, Conn, StoreResult};
use kaigo_domain::challenge::{LoginChallenge, PendingCode};
use kaigo_domain::{Account, DeliveryChannel};
use time::OffsetDateTime;

/// A login of an office user or a user, between password and code.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub id: String,
    pub account: Account,
    pub office_id: String,
    pub user_row_id: Option<String>,
    pub cert_fingerprint: String,
    pub channel: Option<DeliveryChannel>,
    pub code_hash: Option<String>,
    pub code: Option<PendingCode>,
    pub expires_at: OffsetDateTime,
    pub completed: bool,
}

impl Challenge {
    /// What the rules judge, for a caller who does or does not own it.
    pub fn judged(&self, owned_by_caller: bool) -> LoginChallenge {
        LoginChallenge { owned_by_caller, completed: self.completed, expires_at: self.expires_at, code: self.code }
    }
}

fn account_name(a: Account) -> &'static str {
    match a {
        Account::Office => "office",
        Account::User => "user",
    }
}

#[derive(sqlx::FromRow)]
struct ChallengeRow {
    id: String,
    kind: String,
    office_id: String,
    user_row_id: Option<String>,
    cert_fingerprint: String,
    channel: Option<String>,
    code_hash: Option<String>,
    code_sent_at: Option<i64>,
    code_expires_at: Option<i64>,
    code_attempts: i64,
    expires_at: i64,
    completed_at: Option<i64>,
}

impl TryFrom<ChallengeRow> for Challenge {
    type Error = super::StoreError;

    fn try_from(r: ChallengeRow) -> StoreResult<Challenge> {
        let account = match r.kind.as_str() {
            "office" => Account::Office,
            "user" => Account::User,
            other => return Err(corrupt("login kind", other)),
        };
        let channel = match r.channel.as_deref() {
            None => None,
            Some("email") => Some(DeliveryChannel::Email),
            Some("sms") => Some(DeliveryChannel::Sms),
            Some(other) => return Err(corrupt("channel", other)),
        };
        let code = match (r.code_sent_at, r.code_expires_at, &r.code_hash) {
            (Some(sent), Some(expires), Some(_)) => {
                Some(PendingCode { sent_at: instant(sent), expires_at: instant(expires), wrong_tries: count(r.code_attempts) })
            }
            _ => None,
        };
        Ok(Challenge {
            id: r.id,
            account,
            office_id: r.office_id,
            user_row_id: r.user_row_id,
            cert_fingerprint: r.cert_fingerprint,
            channel,
            code_hash: r.code_hash,
            code,
            expires_at: instant(r.expires_at),
            completed: r.completed_at.is_some(),
        })
    }
}

pub struct NewChallenge<'a> {
    pub id: &'a str,
    pub account: Account,
    pub office_id: &'a str,
    pub user_row_id: Option<&'a str>,
    pub cert_fingerprint: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn, c: NewChallenge<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO login_challenges (id, kind, office_id, user_row_id, cert_fingerprint, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.id)
    .bind(account_name(c.account))
    .bind(c.office_id)
    .bind(c.user_row_id)
    .bind(c.cert_fingerprint)
    .bind(millis(c.now))
    .bind(millis(c.expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, id: &str) -> StoreResult<Option<Challenge>> {
    let row: Option<ChallengeRow> = sqlx::query_as(
        "SELECT id, kind, office_id, user_row_id, cert_fingerprint, channel, code_hash, code_sent_at, code_expires_at, code_attempts, expires_at, completed_at
         FROM login_challenges WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(Challenge::try_from).transpose()
}

/// Replaces the pending code (a resend voids the previous one).
pub async fn set_code(
    conn: &mut Conn, id: &str, channel: DeliveryChannel, code_hash: &str, sent_at: OffsetDateTime, expires_at: OffsetDateTime,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE login_challenges SET channel = $1, code_hash = $2, code_sent_at = $3, code_expires_at = $4, code_attempts = 0 WHERE id = $5",
    )
    .bind(channel.as_str())
    .bind(code_hash)
    .bind(millis(sent_at))
    .bind(millis(expires_at))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes one try of the pending code before the typed one is compared,
/// counted as wrong (`tries` now) unless the login then completes — only
/// while the code is still the one judged (`code_hash`) with `seen` tries,
/// so that simultaneous entries are judged one after another. False:
/// another entry or a resend came first; load the login and judge again.
pub async fn claim_code_try(conn: &mut Conn, id: &str, code_hash: &str, seen: u32, tries: u32) -> StoreResult<bool> {
    let r = sqlx::query(
        "UPDATE login_challenges SET code_attempts = $1 WHERE id = $2 AND code_hash = $3 AND code_attempts = $4 AND completed_at IS NULL",
    )
    .bind(i64::from(tries))
    .bind(id)
    .bind(code_hash)
    .bind(i64::from(seen))
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks the login done. False if it already was (the code is single use,
/// even under two simultaneous requests).
pub async fn complete(conn: &mut Conn, id: &str, now: OffsetDateTime) -> StoreResult<bool> {
    let r = sqlx::query("UPDATE login_challenges SET completed_at = $1, code_hash = NULL WHERE id = $2 AND completed_at IS NULL")
        .bind(millis(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}
