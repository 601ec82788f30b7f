//! 管理者ユーザ and 一般ユーザ.

use super::{on_unique, Conn, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub office_id: String,
    pub user_id: String,
    pub role: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password_hash: String,
    pub must_change_password: i64,
    pub failed_logins: i64,
    pub last_failed_at: Option<i64>,
    pub initial_password_issued_at: Option<i64>,
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub office_id: &'a str,
    pub user_id: &'a str,
    pub role: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub service_types_json: &'a str,
    pub job_category: &'a str,
    pub password_hash: &'a str,
    pub now_ms: i64,
}

const COLUMNS: &str = "id, office_id, user_id, role, name, email, phone, password_hash, must_change_password, failed_logins, last_failed_at, initial_password_issued_at";

/// Inserts with `must_change_password` set: the first login must change it.
pub async fn insert(conn: &mut Conn, u: NewUser<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, office_id, user_id, role, name, email, phone, service_types, job_category, password_hash, must_change_password, created_at, initial_password_issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
    )
    .bind(u.id)
    .bind(u.office_id)
    .bind(u.user_id)
    .bind(u.role)
    .bind(u.name)
    .bind(u.email)
    .bind(u.phone)
    .bind(u.service_types_json)
    .bind(u.job_category)
    .bind(u.password_hash)
    .bind(u.now_ms)
    .execute(conn)
    .await
    .map_err(on_unique)?;
    Ok(())
}

pub async fn find_by_user_id(conn: &mut Conn, user_id: &str) -> StoreResult<Option<UserRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE user_id = $1"))
        .bind(user_id)
        .fetch_optional(conn)
        .await?)
}

pub async fn find(conn: &mut Conn, id: &str) -> StoreResult<Option<UserRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(conn).await?)
}

pub async fn user_id_taken(conn: &mut Conn, user_id: &str) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE user_id = $1").bind(user_id).fetch_one(conn).await?;
    Ok(n > 0)
}

pub async fn set_failures(conn: &mut Conn, id: &str, failures: i64, last_failed_at: Option<i64>) -> StoreResult<()> {
    sqlx::query("UPDATE users SET failed_logins = $1, last_failed_at = $2 WHERE id = $3")
        .bind(failures)
        .bind(last_failed_at)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the password with a new initial one: the next login must change
/// it, and the failure count starts afresh.
pub async fn reset_initial_password(conn: &mut Conn, id: &str, password_hash: &str, now_ms: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 1, initial_password_issued_at = $2, failed_logins = 0, last_failed_at = NULL WHERE id = $3",
    )
    .bind(password_hash)
    .bind(now_ms)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a password chosen by the user (clears the first-login flag).
pub async fn set_password(conn: &mut Conn, id: &str, password_hash: &str, now_ms: i64) -> StoreResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0, password_changed_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now_ms)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts one failed login; returns the new count. See [`super::count_failure`].
pub async fn count_failure(conn: &mut Conn, id: &str, restart: bool, now_ms: i64) -> StoreResult<i64> {
    super::count_failure(conn, "users", id, restart, now_ms).await
}
