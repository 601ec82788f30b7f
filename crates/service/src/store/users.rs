//! 管理者ユーザ and 一般ユーザ.

use super::{corrupt, failure_record, instant, millis, on_unique, Conn, StoreResult};
use kaigo_domain::FailureRecord;
use time::OffsetDateTime;

/// 管理者ユーザ (creates the others, sees the access log) or 一般ユーザ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    General,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::General => "general",
        }
    }
}

/// An admin or general user of an office.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub office_id: String,
    pub user_id: String,
    pub role: Role,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password_hash: String,
    /// Still on the initial password: the next login must change it.
    pub must_change_password: bool,
    pub failures: FailureRecord,
    pub initial_password_issued_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    office_id: String,
    user_id: String,
    role: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    password_hash: String,
    must_change_password: i64,
    failed_logins: i64,
    last_failed_at: Option<i64>,
    initial_password_issued_at: Option<i64>,
}

impl TryFrom<UserRow> for User {
    type Error = super::StoreError;

    fn try_from(r: UserRow) -> StoreResult<User> {
        let role = match r.role.as_str() {
            "admin" => Role::Admin,
            "general" => Role::General,
            other => return Err(corrupt("role", other)),
        };
        Ok(User {
            role,
            must_change_password: r.must_change_password != 0,
            failures: failure_record(r.failed_logins, r.last_failed_at),
            initial_password_issued_at: r.initial_password_issued_at.map(instant),
            id: r.id,
            office_id: r.office_id,
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            phone: r.phone,
            password_hash: r.password_hash,
        })
    }
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub office_id: &'a str,
    pub user_id: &'a str,
    pub role: Role,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub service_types_json: &'a str,
    pub job_category: &'a str,
    pub password_hash: &'a str,
    pub now: OffsetDateTime,
}

const COLUMNS: &str = "id, office_id, user_id, role, name, email, phone, password_hash, must_change_password, failed_logins, last_failed_at, initial_password_issued_at";

/// Inserts with `must_change_password` set: the first login must change it.
pub async fn insert(conn: &mut Conn, u: NewUser<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, office_id, user_id, office_user_key, role, name, email, phone, service_types, job_category, password_hash, must_change_password, created_at, initial_password_issued_at)
         VALUES ($1, $2, $3, $2 || '/' || $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
    )
    .bind(u.id)
    .bind(u.office_id)
    .bind(u.user_id)
    .bind(u.role.as_str())
    .bind(u.name)
    .bind(u.email)
    .bind(u.phone)
    .bind(u.service_types_json)
    .bind(u.job_category)
    .bind(u.password_hash)
    .bind(millis(u.now))
    .execute(conn)
    .await
    .map_err(on_unique)?;
    Ok(())
}

/// User IDs are unique within an office only.
pub async fn find_by_user_id(conn: &mut Conn, office_id: &str, user_id: &str) -> StoreResult<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE office_id = $1 AND user_id = $2"))
        .bind(office_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    row.map(User::try_from).transpose()
}

pub async fn find(conn: &mut Conn, id: &str) -> StoreResult<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(User::try_from).transpose()
}

pub async fn user_id_taken(conn: &mut Conn, office_id: &str, user_id: &str) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE office_id = $1 AND user_id = $2")
        .bind(office_id)
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// Replaces the password with a new initial one: the next login must change
/// it, and the failure count starts afresh.
pub async fn reset_initial_password(conn: &mut Conn, id: &str, password_hash: &str, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 1, initial_password_issued_at = $2, failed_logins = 0, last_failed_at = NULL WHERE id = $3",
    )
    .bind(password_hash)
    .bind(millis(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a password chosen by the user (clears the first-login flag).
pub async fn set_password(conn: &mut Conn, id: &str, password_hash: &str, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0, password_changed_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(millis(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
