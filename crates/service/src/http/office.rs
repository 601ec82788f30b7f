//! 3-1 事業所ユーザの認証 and 3-2 管理者ユーザの登録.

use super::error::ApiResult;
use super::extract::{ApiJson, OfficeAuth};
use super::AppState;
use crate::onboarding::Caller;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kaigo_api::office::*;
use kaigo_api::{IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED};
use kaigo_domain::ErrorCode;
use secrecy::SecretString;

/// Office user login: KJ ID and password. Mails a one-time code.
#[utoipa::path(operation_id = "office_login", post, path = "/v1/office/login", tag = "3-1 office user", request_body = OfficeLoginRequest,
    responses(
        (status = 201, description = "Password accepted; a code was mailed", body = OfficeChallenge)))]
pub async fn login(
    State(s): State<AppState>, caller: Caller, ApiJson(req): ApiJson<OfficeLoginRequest>,
) -> ApiResult<(StatusCode, Json<OfficeChallenge>)> {
    let out = s.ob.office_login(&caller, &req.electronic_billing_id, &SecretString::from(req.password)).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Sends a new code for the login; the previous one stops working.
#[utoipa::path(operation_id = "office_resend", post, path = "/v1/office/login/{challenge_id}/resend", tag = "3-1 office user",
    params(("challenge_id" = String, Path)),
    responses(
        (status = 202, body = CodeDelivery)))]
pub async fn resend(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<(StatusCode, Json<CodeDelivery>)> {
    Ok((StatusCode::ACCEPTED, Json(s.ob.office_resend_code(&caller, &id).await?)))
}

/// Checks the one-time code (and the security code when the office has one).
#[utoipa::path(operation_id = "office_verify", post, path = "/v1/office/login/{challenge_id}/verify", tag = "3-1 office user",
    params(("challenge_id" = String, Path)), request_body = OfficeVerifyRequest,
    responses(
        (status = 200, body = OfficeSession)))]
pub async fn verify(
    State(s): State<AppState>, caller: Caller, Path(id): Path<String>, ApiJson(req): ApiJson<OfficeVerifyRequest>,
) -> ApiResult<Json<OfficeSession>> {
    Ok(Json(s.ob.office_verify(&caller, &id, &req.code, req.security_code.as_deref()).await?))
}

/// 管理者ユーザ新規登録. Requires an `Idempotency-Key` header (8-64 of
/// `[A-Za-z0-9_-]`); a retry with the same key and body returns the first
/// answer with `Idempotent-Replayed: true`.
#[utoipa::path(operation_id = "office_register_admin", post, path = "/v1/office/admin-users", tag = "3-2 admin registration", request_body = AdminRegistrationRequest,
    params(("Idempotency-Key" = String, Header, description = "Unique per registration attempt")),
    security(("office_session" = [])),
    responses(
        (status = 201, description = "Registered; initial password sent", body = AdminRegistration)))]
pub async fn register_admin(
    State(s): State<AppState>, OfficeAuth(caller, session): OfficeAuth, headers: HeaderMap, ApiJson(req): ApiJson<AdminRegistrationRequest>,
) -> ApiResult<Response> {
    let key = headers.get(IDEMPOTENCY_KEY).and_then(|v| v.to_str().ok()).ok_or(ErrorCode::IdempotencyKeyInvalid)?;
    let done = s.ob.register_admin(&caller, &session, key, &req).await?;
    let mut resp = (StatusCode::CREATED, Json(done.registration)).into_response();
    if done.replayed {
        resp.headers_mut().insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(resp)
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    pub user_id: String,
}

/// Whether a user ID is still free in this office (for checking it while it
/// is typed). User IDs are unique per office; other offices' are not told.
#[utoipa::path(operation_id = "office_user_id_availability", get, path = "/v1/office/user-id-availability", tag = "3-2 admin registration",
    params(AvailabilityQuery), security(("office_session" = [])),
    responses((status = 200, body = UserIdAvailability)))]
pub async fn user_id_availability(
    State(s): State<AppState>, OfficeAuth(_, session): OfficeAuth, Query(q): Query<AvailabilityQuery>,
) -> ApiResult<Json<UserIdAvailability>> {
    Ok(Json(s.ob.user_id_availability(&session, &q.user_id).await?))
}

/// Unlocks a user of this office after too many failed logins.
#[utoipa::path(operation_id = "office_unlock_user", post, path = "/v1/office/users/{user_id}/unlock", tag = "3-2 admin registration",
    params(("user_id" = String, Path)), security(("office_session" = [])),
    responses((status = 204, description = "Unlocked")))]
pub async fn unlock_user(
    State(s): State<AppState>, OfficeAuth(caller, session): OfficeAuth, Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    s.ob.unlock_user(&caller, &session, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 初期パスワードの再発行: sends a new initial password to a user of this
/// office; the old one, the user's sessions and remembered PCs stop working.
#[utoipa::path(operation_id = "office_reissue_initial_password", post, path = "/v1/office/users/{user_id}/initial-password", tag = "3-2 admin registration",
    params(("user_id" = String, Path)), security(("office_session" = [])),
    responses((status = 201, body = InitialPasswordReissued)))]
pub async fn reissue_initial_password(
    State(s): State<AppState>, OfficeAuth(caller, session): OfficeAuth, Path(user_id): Path<String>,
) -> ApiResult<(StatusCode, Json<InitialPasswordReissued>)> {
    Ok((StatusCode::CREATED, Json(s.ob.reissue_initial_password(&caller, &session, &user_id).await?)))
}

/// Ends the office session.
#[utoipa::path(operation_id = "office_logout", post, path = "/v1/office/logout", tag = "3-1 office user", security(("office_session" = [])),
    responses((status = 204, description = "Logged out")))]
pub async fn logout(State(s): State<AppState>, OfficeAuth(_, session): OfficeAuth) -> ApiResult<StatusCode> {
    s.ob.logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}
