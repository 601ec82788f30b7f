//! The practice mailbox (練習モード): messages the service would have sent.

use super::error::ApiResult;
use super::AppState;
use crate::store::outbox;
use axum::extract::{Query, State};
use axum::Json;
use kaigo_api::service::MailboxMessage;
use kaigo_domain::ErrorCode;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MailboxQuery {
    /// Only messages to this address or number (E.164 for SMS).
    pub recipient: Option<String>,
}

/// The messages about the caller's office, newest first. Only in practice mode.
#[utoipa::path(operation_id = "practice_mailbox", get, path = "/v1/practice/mailbox", tag = "practice", params(MailboxQuery),
    responses((status = 200, body = Vec<MailboxMessage>)))]
pub async fn mailbox(
    State(s): State<AppState>, caller: crate::onboarding::Caller, Query(q): Query<MailboxQuery>,
) -> ApiResult<Json<Vec<MailboxMessage>>> {
    if !s.ob.practice_mode {
        return Err(ErrorCode::PracticeModeOnly.into());
    }
    let mut conn = s.ob.db.acquire().await?;
    // A certificate of no office has no messages.
    let Some(office_id) = crate::store::offices::office_of_certificate(&mut conn, &caller.cert_fingerprint).await? else {
        return Ok(Json(Vec::new()));
    };
    let rows = outbox::mailbox(&mut conn, &office_id, q.recipient.as_deref()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| MailboxMessage {
                // Kept sealed like the outbox; opened only to be shown here.
                body: s.ob.code_key.open(&r.id, &r.body).unwrap_or(r.body),
                id: r.id,
                channel: r.channel,
                recipient: r.recipient,
                subject: r.subject,
                delivered_at: r.delivered_at,
            })
            .collect(),
    ))
}
