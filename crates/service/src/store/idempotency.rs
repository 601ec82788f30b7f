//! Stored answers to requests sent with an `Idempotency-Key`.

use super::{millis, on_unique, Conn, StoreResult};
use time::OffsetDateTime;

pub struct StoredResponse {
    pub request_hash: String,
    pub response: String,
}

pub async fn find(conn: &mut Conn, office_id: &str, key: &str) -> StoreResult<Option<StoredResponse>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT request_hash, response FROM idempotency_keys WHERE office_id = $1 AND idempotency_key = $2")
            .bind(office_id)
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(request_hash, response)| StoredResponse { request_hash, response }))
}

/// Fails with `Conflict` when another request took the key first.
pub async fn insert(
    conn: &mut Conn, office_id: &str, key: &str, request_hash: &str, response: &str, now: OffsetDateTime,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (office_id, idempotency_key, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(office_id)
    .bind(key)
    .bind(request_hash)
    .bind(response)
    .bind(millis(now))
    .execute(conn)
    .await
    .map_err(on_unique)?;
    Ok(())
}
