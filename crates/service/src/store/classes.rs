//! 研修: classes, their seats (each a practice office), wrong join codes
//! per address, and trainer sessions.

use super::{count, failure_record, instant, millis, on_unique, Conn, StoreResult};
use kaigo_domain::class::{ClassState, PendingCode, SeatFacts};
use kaigo_domain::FailureRecord;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct Class {
    pub id: String,
    pub name: String,
    pub seats: u32,
    pub created_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub closed: bool,
    pub join_code_sealed: String,
}

impl Class {
    pub fn state(&self) -> ClassState {
        ClassState { ends_at: self.ends_at, closed: self.closed }
    }
}

#[derive(sqlx::FromRow)]
struct ClassRow {
    id: String,
    name: String,
    seats: i64,
    created_at: i64,
    ends_at: i64,
    closed_at: Option<i64>,
    join_code_sealed: String,
}

impl From<ClassRow> for Class {
    fn from(r: ClassRow) -> Self {
        Class {
            id: r.id,
            name: r.name,
            seats: count(r.seats),
            created_at: instant(r.created_at),
            ends_at: instant(r.ends_at),
            closed: r.closed_at.is_some(),
            join_code_sealed: r.join_code_sealed,
        }
    }
}

const CLASS_COLUMNS: &str = "id, name, seats, created_at, ends_at, closed_at, join_code_sealed";

pub struct NewClass<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub seats: u32,
    pub join_code_mac: &'a str,
    pub join_code_sealed: &'a str,
    pub trainer_secret_mac: &'a str,
    pub now: OffsetDateTime,
    pub ends_at: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn, c: NewClass<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO classes (id, name, seats, join_code_mac, join_code_sealed, trainer_secret_mac, created_at, ends_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(c.id)
    .bind(c.name)
    .bind(i64::from(c.seats))
    .bind(c.join_code_mac)
    .bind(c.join_code_sealed)
    .bind(c.trainer_secret_mac)
    .bind(millis(c.now))
    .bind(millis(c.ends_at))
    .execute(conn)
    .await
    .map_err(on_unique)?;
    Ok(())
}

pub async fn insert_seat(conn: &mut Conn, class_id: &str, seat: u32, office_id: &str, sealed_credentials: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO class_seats (class_id, seat_number, office_id, sealed_credentials) VALUES ($1, $2, $3, $4)")
        .bind(class_id)
        .bind(i64::from(seat))
        .bind(office_id)
        .bind(sealed_credentials)
        .execute(conn)
        .await
        .map_err(on_unique)?;
    Ok(())
}

async fn find_where(conn: &mut Conn, column: &str, value: &str) -> StoreResult<Option<Class>> {
    let row: Option<ClassRow> =
        sqlx::query_as(&format!("SELECT {CLASS_COLUMNS} FROM classes WHERE {column} = $1")).bind(value).fetch_optional(conn).await?;
    Ok(row.map(Class::from))
}

pub async fn find(conn: &mut Conn, id: &str) -> StoreResult<Option<Class>> {
    find_where(conn, "id", id).await
}

pub async fn find_by_join_code(conn: &mut Conn, join_code_mac: &str) -> StoreResult<Option<Class>> {
    find_where(conn, "join_code_mac", join_code_mac).await
}

pub async fn find_by_trainer_secret(conn: &mut Conn, trainer_secret_mac: &str) -> StoreResult<Option<Class>> {
    find_where(conn, "trainer_secret_mac", trainer_secret_mac).await
}

/// Classes that have ended or were closed by `now`: to be deleted.
pub async fn over(conn: &mut Conn, now: OffsetDateTime) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT id FROM classes WHERE ends_at <= $1 OR closed_at IS NOT NULL").bind(millis(now)).fetch_all(conn).await?)
}

pub async fn close(conn: &mut Conn, class_id: &str, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query("UPDATE classes SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
        .bind(millis(now))
        .bind(class_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A seat and its practice office.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Seat {
    pub seat_number: i64,
    pub office_id: String,
    pub office_number: String,
    pub office_name: String,
    pub electronic_billing_id: String,
    pub email: String,
    pub sealed_credentials: String,
    pub key_fingerprint: Option<String>,
}

const SEAT_SELECT: &str = "SELECT s.seat_number, s.office_id, o.office_number, o.name AS office_name, o.electronic_billing_id, o.email,
    s.sealed_credentials, s.key_fingerprint FROM class_seats s JOIN offices o ON o.id = s.office_id";

pub async fn seat(conn: &mut Conn, class_id: &str, seat: u32) -> StoreResult<Option<Seat>> {
    Ok(sqlx::query_as(&format!("{SEAT_SELECT} WHERE s.class_id = $1 AND s.seat_number = $2"))
        .bind(class_id)
        .bind(i64::from(seat))
        .fetch_optional(conn)
        .await?)
}

pub async fn seats(conn: &mut Conn, class_id: &str) -> StoreResult<Vec<Seat>> {
    Ok(sqlx::query_as(&format!("{SEAT_SELECT} WHERE s.class_id = $1 ORDER BY s.seat_number")).bind(class_id).fetch_all(conn).await?)
}

/// The class and seat of a practice office, if it is one.
pub async fn seat_of_office(conn: &mut Conn, office_id: &str) -> StoreResult<Option<(String, u32)>> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT class_id, seat_number FROM class_seats WHERE office_id = $1").bind(office_id).fetch_optional(conn).await?;
    Ok(row.map(|(c, n)| (c, count(n))))
}

/// The seat a PC's key holds in a class.
pub async fn seat_of_key(conn: &mut Conn, class_id: &str, key_fingerprint: &str) -> StoreResult<Option<u32>> {
    let n: Option<i64> = sqlx::query_scalar("SELECT seat_number FROM class_seats WHERE class_id = $1 AND key_fingerprint = $2")
        .bind(class_id)
        .bind(key_fingerprint)
        .fetch_optional(conn)
        .await?;
    Ok(n.map(count))
}

/// Makes the joins of a class take turns until the transaction ends: the
/// class's row is written first, which holds PostgreSQL's lock on that row
/// and SQLite's write lock. The free seat read next is then still free when
/// it is taken (else simultaneous joins all reach for the same seat and all
/// but one look again, a few times at most), and SQLite never has to turn a
/// reading transaction into a writing one — which it refuses at once
/// (`database is locked`) while another connection writes, without waiting
/// out its busy timeout.
pub async fn take_turn(conn: &mut Conn, class_id: &str) -> StoreResult<()> {
    sqlx::query("UPDATE classes SET seats = seats WHERE id = $1").bind(class_id).execute(conn).await?;
    Ok(())
}

pub async fn first_free_seat(conn: &mut Conn, class_id: &str) -> StoreResult<Option<u32>> {
    let n: Option<i64> = sqlx::query_scalar("SELECT MIN(seat_number) FROM class_seats WHERE class_id = $1 AND key_fingerprint IS NULL")
        .bind(class_id)
        .fetch_one(conn)
        .await?;
    Ok(n.map(count))
}

/// Gives a free seat to a PC's key. False: another PC took it first.
pub async fn take_seat(conn: &mut Conn, class_id: &str, seat: u32, key_fingerprint: &str, now: OffsetDateTime) -> StoreResult<bool> {
    let r = sqlx::query(
        "UPDATE class_seats SET key_fingerprint = $1, joined_at = $2, last_activity_at = $2
         WHERE class_id = $3 AND seat_number = $4 AND key_fingerprint IS NULL",
    )
    .bind(key_fingerprint)
    .bind(millis(now))
    .bind(class_id)
    .bind(i64::from(seat))
    .execute(conn)
    .await
    .map_err(on_unique)?;
    Ok(r.rows_affected() == 1)
}

/// What the trainer's grid shows of each seat, by seat number.
pub async fn seat_facts(conn: &mut Conn, class_id: &str) -> StoreResult<Vec<(u32, SeatFacts, Option<String>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        seat_number: i64,
        joined_at: Option<i64>,
        last_activity_at: Option<i64>,
        office_failed: i64,
        office_last_failed: Option<i64>,
        office_signed_in: i64,
        office_code_expires: Option<i64>,
        admin_registered: i64,
        admin_failed: Option<i64>,
        admin_last_failed: Option<i64>,
        admin_password_changed: Option<i64>,
        admin_code_expires: Option<i64>,
        terminal_linked: i64,
        last_event_at: Option<i64>,
        last_failure: Option<String>,
    }
    // One row a seat; the sub-selects are each bounded by the seat's office.
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.seat_number, s.joined_at, s.last_activity_at,
            o.failed_logins AS office_failed, o.last_failed_at AS office_last_failed,
            (SELECT COUNT(*) FROM sessions x WHERE x.office_id = s.office_id AND x.kind = 'office') AS office_signed_in,
            (SELECT MAX(c.code_expires_at) FROM login_challenges c WHERE c.office_id = s.office_id AND c.kind = 'office'
                AND c.completed_at IS NULL AND c.code_expires_at IS NOT NULL) AS office_code_expires,
            (SELECT COUNT(*) FROM users u WHERE u.office_id = s.office_id AND u.role = 'admin') AS admin_registered,
            (SELECT MAX(u.failed_logins) FROM users u WHERE u.office_id = s.office_id AND u.role = 'admin') AS admin_failed,
            (SELECT MAX(u.last_failed_at) FROM users u WHERE u.office_id = s.office_id AND u.role = 'admin') AS admin_last_failed,
            (SELECT MAX(u.password_changed_at) FROM users u WHERE u.office_id = s.office_id AND u.role = 'admin') AS admin_password_changed,
            (SELECT MAX(c.code_expires_at) FROM login_challenges c WHERE c.office_id = s.office_id AND c.kind = 'user'
                AND c.completed_at IS NULL AND c.code_expires_at IS NOT NULL) AS admin_code_expires,
            (SELECT COUNT(*) FROM terminals t WHERE t.office_id = s.office_id AND t.status = 'linked') AS terminal_linked,
            (SELECT MAX(a.at) FROM audit_events a WHERE a.office_id = s.office_id) AS last_event_at,
            (SELECT a.outcome FROM audit_events a WHERE a.office_id = s.office_id AND a.outcome LIKE 'failure:%'
                ORDER BY a.at DESC LIMIT 1) AS last_failure
         FROM class_seats s JOIN offices o ON o.id = s.office_id WHERE s.class_id = $1 ORDER BY s.seat_number",
    )
    .bind(class_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let facts = SeatFacts {
                joined: r.joined_at.is_some(),
                office_signed_in: r.office_signed_in > 0,
                office_code: r.office_code_expires.map(|at| PendingCode { expires_at: instant(at) }),
                office_failures: failure_record(r.office_failed, r.office_last_failed),
                admin_registered: r.admin_registered > 0,
                admin_code: r.admin_code_expires.map(|at| PendingCode { expires_at: instant(at) }),
                admin_failures: failure_record(r.admin_failed.unwrap_or(0), r.admin_last_failed),
                admin_password_changed: r.admin_password_changed.is_some(),
                terminal_linked: r.terminal_linked > 0,
                last_activity: r.last_event_at.max(r.last_activity_at).map(instant),
            };
            (count(r.seat_number), facts, r.last_failure)
        })
        .collect())
}

/// Wrong join codes sent from an address.
pub async fn wrong_joins(conn: &mut Conn, address: &str) -> StoreResult<FailureRecord> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT count, last_at FROM wrong_joins WHERE address = $1").bind(address).fetch_optional(conn).await?;
    Ok(row.map(|(n, at)| failure_record(n, Some(at))).unwrap_or_default())
}

/// The address's turn at a join code, inside the caller's transaction: its
/// row is written first (made if missing), which holds PostgreSQL's row lock
/// and SQLite's write lock until the transaction ends, then read. Joins sent
/// at once from one address are judged one after another, each with the
/// count the one before left (read outside a turn, 30 wrong codes sent at
/// once were judged 12 to 18 times against a limit of 10).
pub async fn join_turn(conn: &mut Conn, address: &str, now: OffsetDateTime) -> StoreResult<FailureRecord> {
    sqlx::query(
        "INSERT INTO wrong_joins (address, count, last_at) VALUES ($1, 0, $2)
         ON CONFLICT (address) DO UPDATE SET count = wrong_joins.count",
    )
    .bind(address)
    .bind(millis(now))
    .execute(&mut *conn)
    .await?;
    wrong_joins(conn, address).await
}

/// A wrong code's count, written (the row made when there is none: a
/// PC's row is made only by a wrong code).
pub async fn record_wrong_join(conn: &mut Conn, address: &str, count: u32, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO wrong_joins (address, count, last_at) VALUES ($1, $2, $3)
         ON CONFLICT (address) DO UPDATE SET count = excluded.count, last_at = excluded.last_at",
    )
    .bind(address)
    .bind(i64::from(count))
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Wrong-join counts whose last wrong code is older than `before`: they
/// hold nothing back any more (a count past its window starts again), and
/// name a PC (its address and key). Returns how many were deleted.
pub async fn forget_wrong_joins_before(conn: &mut Conn, before: OffsetDateTime) -> StoreResult<u64> {
    Ok(sqlx::query("DELETE FROM wrong_joins WHERE last_at < $1").bind(millis(before)).execute(conn).await?.rows_affected())
}

/// What a seat's office did in Step 3, deleted; the seat and its
/// certificate stay, its failed logins are forgotten.
pub async fn reset_office(conn: &mut Conn, office_id: &str, now: OffsetDateTime) -> StoreResult<()> {
    for statement in OFFICE_ACTIVITY {
        sqlx::query(statement).bind(office_id).execute(&mut *conn).await?;
    }
    super::clear_login_failures(&mut *conn, kaigo_domain::Account::Office, office_id).await?;
    sqlx::query("UPDATE class_seats SET last_activity_at = $1 WHERE office_id = $2")
        .bind(millis(now))
        .bind(office_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Everything an office did, child rows first.
const OFFICE_ACTIVITY: [&str; 9] = [
    "DELETE FROM device_trusts WHERE user_row_id IN (SELECT id FROM users WHERE office_id = $1)",
    "DELETE FROM terminals WHERE office_id = $1",
    "DELETE FROM sessions WHERE office_id = $1",
    "DELETE FROM login_challenges WHERE office_id = $1",
    "DELETE FROM idempotency_keys WHERE office_id = $1",
    "DELETE FROM outbox WHERE office_id = $1",
    "DELETE FROM practice_mailbox WHERE office_id = $1",
    "DELETE FROM audit_events WHERE office_id = $1",
    // Last: the rows above refer to the users.
    "DELETE FROM users WHERE office_id = $1",
];

/// A seat's office and its users may log in again at once.
pub async fn unlock_office(conn: &mut Conn, office_id: &str) -> StoreResult<()> {
    super::clear_login_failures(&mut *conn, kaigo_domain::Account::Office, office_id).await?;
    // Every user of the office (clear_login_failures takes one by its id).
    sqlx::query("UPDATE users SET failed_logins = 0, last_failed_at = NULL WHERE office_id = $1").bind(office_id).execute(conn).await?;
    Ok(())
}

/// Deletes a class and everything in it: its offices with all they did,
/// their certificates, the trainer's sessions.
pub async fn delete(conn: &mut Conn, class_id: &str) -> StoreResult<()> {
    let offices: Vec<String> =
        sqlx::query_scalar("SELECT office_id FROM class_seats WHERE class_id = $1").bind(class_id).fetch_all(&mut *conn).await?;
    for office_id in &offices {
        for statement in OFFICE_ACTIVITY {
            sqlx::query(statement).bind(office_id).execute(&mut *conn).await?;
        }
        // What was recorded over a seat's certificate without naming its
        // office: an ID that is no one's, perhaps the attendee's real KJ ID.
        sqlx::query(
            "DELETE FROM audit_events WHERE cert_fingerprint IN (SELECT fingerprint FROM office_certificates WHERE office_id = $1)",
        )
        .bind(office_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM office_certificates WHERE office_id = $1").bind(office_id).execute(&mut *conn).await?;
    }
    sqlx::query("DELETE FROM trainer_sessions WHERE class_id = $1").bind(class_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM class_seats WHERE class_id = $1").bind(class_id).execute(&mut *conn).await?;
    for office_id in &offices {
        sqlx::query("DELETE FROM offices WHERE id = $1").bind(office_id).execute(&mut *conn).await?;
    }
    sqlx::query("DELETE FROM classes WHERE id = $1").bind(class_id).execute(&mut *conn).await?;
    // The addresses PCs joined from, once no class is left to join.
    sqlx::query("DELETE FROM wrong_joins WHERE NOT EXISTS (SELECT 1 FROM classes)").execute(conn).await?;
    Ok(())
}

/// A trainer's signed-in browser.
#[derive(Debug, Clone)]
pub struct TrainerSession {
    pub class_id: String,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_trainer_session(
    conn: &mut Conn, token_hash: &str, class_id: &str, csrf_token: &str, now: OffsetDateTime, expires_at: OffsetDateTime,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO trainer_sessions (token_hash, class_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash)
        .bind(class_id)
        .bind(csrf_token)
        .bind(millis(now))
        .bind(millis(expires_at))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn trainer_session(conn: &mut Conn, token_hash: &str) -> StoreResult<Option<TrainerSession>> {
    let row: Option<(String, String, i64)> =
        sqlx::query_as("SELECT class_id, csrf_token, expires_at FROM trainer_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(class_id, csrf_token, at)| TrainerSession { class_id, csrf_token, expires_at: instant(at) }))
}
