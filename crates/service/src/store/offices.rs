//! 事業所 and the client certificates that prove them.

use super::{failure_record, instant, millis, on_unique, Conn, StoreResult};
use kaigo_domain::FailureRecord;
use time::OffsetDateTime;

/// An office of the electronic billing system (事業所ユーザ).
#[derive(Debug, Clone)]
pub struct Office {
    pub id: String,
    pub office_number: String,
    pub name: String,
    pub electronic_billing_id: String,
    pub password_hash: String,
    pub security_code_hash: Option<String>,
    pub email: String,
    pub failures: FailureRecord,
}

#[derive(sqlx::FromRow)]
struct OfficeRow {
    id: String,
    office_number: String,
    name: String,
    electronic_billing_id: String,
    password_hash: String,
    security_code_hash: Option<String>,
    email: String,
    failed_logins: i64,
    last_failed_at: Option<i64>,
}

impl From<OfficeRow> for Office {
    fn from(r: OfficeRow) -> Self {
        Office {
            failures: failure_record(r.failed_logins, r.last_failed_at),
            id: r.id,
            office_number: r.office_number,
            name: r.name,
            electronic_billing_id: r.electronic_billing_id,
            password_hash: r.password_hash,
            security_code_hash: r.security_code_hash,
            email: r.email,
        }
    }
}

pub struct NewOffice<'a> {
    pub id: &'a str,
    pub office_number: &'a str,
    pub name: &'a str,
    pub electronic_billing_id: &'a str,
    pub password_hash: &'a str,
    pub security_code_hash: Option<&'a str>,
    pub email: &'a str,
    pub now: OffsetDateTime,
}

const COLUMNS: &str =
    "id, office_number, name, electronic_billing_id, password_hash, security_code_hash, email, failed_logins, last_failed_at";

pub async fn insert(conn: &mut Conn, o: NewOffice<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO offices (id, office_number, name, electronic_billing_id, password_hash, security_code_hash, email, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(o.id)
    .bind(o.office_number)
    .bind(o.name)
    .bind(o.electronic_billing_id)
    .bind(o.password_hash)
    .bind(o.security_code_hash)
    .bind(o.email)
    .bind(millis(o.now))
    .execute(conn)
    .await
    .map_err(on_unique)?;
    Ok(())
}

pub async fn add_certificate(
    conn: &mut Conn, office_id: &str, fingerprint: &str, subject: &str, not_after: OffsetDateTime, now: OffsetDateTime,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO office_certificates (fingerprint, office_id, subject, not_after, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(fingerprint)
        .bind(office_id)
        .bind(subject)
        .bind(millis(not_after))
        .bind(millis(now))
        .execute(conn)
        .await
        .map_err(on_unique)?;
    Ok(())
}

/// Revokes one certificate (a lost or stolen PC) and ends the sessions
/// opened with it. False: unknown, or revoked already.
pub async fn revoke_certificate(conn: &mut Conn, fingerprint: &str, reason: &str, now: OffsetDateTime) -> StoreResult<bool> {
    let r =
        sqlx::query("UPDATE office_certificates SET revoked_at = $1, revocation_reason = $2 WHERE fingerprint = $3 AND revoked_at IS NULL")
            .bind(millis(now))
            .bind(reason)
            .bind(fingerprint)
            .execute(&mut *conn)
            .await?;
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE cert_fingerprint = $2 AND revoked_at IS NULL")
        .bind(millis(now))
        .bind(fingerprint)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE device_trusts SET revoked_at = $1 WHERE cert_fingerprint = $2 AND revoked_at IS NULL")
        .bind(millis(now))
        .bind(fingerprint)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A client certificate of an office, as registered.
#[derive(Debug, Clone)]
pub struct OfficeCertificate {
    pub fingerprint: String,
    pub subject: String,
    pub not_after: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// fingerprint, subject, not_after, revoked_at.
type CertificateRow = (String, String, i64, Option<i64>);

impl From<CertificateRow> for OfficeCertificate {
    fn from((fingerprint, subject, not_after, revoked_at): CertificateRow) -> Self {
        OfficeCertificate { fingerprint, subject, not_after: instant(not_after), revoked_at: revoked_at.map(instant) }
    }
}

/// The certificates registered for an office, revoked ones too.
pub async fn certificates_of(conn: &mut Conn, office_id: &str) -> StoreResult<Vec<OfficeCertificate>> {
    let rows: Vec<CertificateRow> = sqlx::query_as(
        "SELECT fingerprint, subject, not_after, revoked_at FROM office_certificates WHERE office_id = $1 ORDER BY created_at, fingerprint",
    )
    .bind(office_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(OfficeCertificate::from).collect())
}

/// One registered certificate, by fingerprint.
pub async fn certificate(conn: &mut Conn, fingerprint: &str) -> StoreResult<Option<OfficeCertificate>> {
    let row: Option<CertificateRow> =
        sqlx::query_as("SELECT fingerprint, subject, not_after, revoked_at FROM office_certificates WHERE fingerprint = $1")
            .bind(fingerprint)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(OfficeCertificate::from))
}

/// Whether a certificate is registered and revoked: asked at every call
/// that needs a certificate, so a revocation holds at once on every
/// instance sharing the database.
pub async fn certificate_revoked(conn: &mut Conn, fingerprint: &str) -> StoreResult<bool> {
    let revoked: Option<Option<i64>> = sqlx::query_scalar("SELECT revoked_at FROM office_certificates WHERE fingerprint = $1")
        .bind(fingerprint)
        .fetch_optional(conn)
        .await?;
    Ok(matches!(revoked, Some(Some(_))))
}

/// The office a (not revoked) client certificate belongs to.
pub async fn office_of_certificate(conn: &mut Conn, fingerprint: &str) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT office_id FROM office_certificates WHERE fingerprint = $1 AND revoked_at IS NULL")
        .bind(fingerprint)
        .fetch_optional(conn)
        .await?)
}

pub async fn find_by_billing_id(conn: &mut Conn, electronic_billing_id: &str) -> StoreResult<Option<Office>> {
    let row: Option<OfficeRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM offices WHERE electronic_billing_id = $1"))
        .bind(electronic_billing_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Office::from))
}

pub async fn find(conn: &mut Conn, id: &str) -> StoreResult<Option<Office>> {
    let row: Option<OfficeRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM offices WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(Office::from))
}

pub async fn find_by_number(conn: &mut Conn, office_number: &str) -> StoreResult<Option<Office>> {
    let row: Option<OfficeRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM offices WHERE office_number = $1")).bind(office_number).fetch_optional(conn).await?;
    Ok(row.map(Office::from))
}

pub async fn number_taken(conn: &mut Conn, office_number: &str) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offices WHERE office_number = $1").bind(office_number).fetch_one(conn).await?;
    Ok(n > 0)
}
