//! 3-3 管理者ユーザの認証 and the forced password change.

use super::error::ApiResult;
use super::extract::{ApiJson, UserAuth};
use super::AppState;
use crate::onboarding::Caller;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kaigo_api::office::CodeDelivery;
use kaigo_api::user::*;
use secrecy::SecretString;

/// User login (管理者または一般ユーザ): user ID and password. Either asks for a
/// one-time code or, with a valid device-trust token, logs in at once.
#[utoipa::path(operation_id = "user_login", post, path = "/v1/user/login", tag = "3-3 user login", request_body = UserLoginRequest,
    responses(
        (status = 200, body = UserLoginOutcome)))]
pub async fn login(
    State(s): State<AppState>, caller: Caller, ApiJson(req): ApiJson<UserLoginRequest>,
) -> ApiResult<Json<UserLoginOutcome>> {
    let trust = req.device_trust_token.map(SecretString::from);
    Ok(Json(s.ob.user_login(&caller, &req.user_id, &SecretString::from(req.password), trust.as_ref()).await?))
}

/// Sends the one-time code by the chosen channel (mail or SMS); also resends.
#[utoipa::path(operation_id = "user_send_code", post, path = "/v1/user/login/{challenge_id}/send", tag = "3-3 user login",
    params(("challenge_id" = String, Path)), request_body = SendCodeRequest,
    responses(
        (status = 202, body = CodeDelivery)))]
pub async fn send_code(
    State(s): State<AppState>, caller: Caller, Path(id): Path<String>, ApiJson(req): ApiJson<SendCodeRequest>,
) -> ApiResult<(StatusCode, Json<CodeDelivery>)> {
    Ok((StatusCode::ACCEPTED, Json(s.ob.user_send_code(&caller, &id, req.channel).await?)))
}

/// Checks the code; with `remember_device` also returns a 24-hour device-trust token.
#[utoipa::path(operation_id = "user_verify", post, path = "/v1/user/login/{challenge_id}/verify", tag = "3-3 user login",
    params(("challenge_id" = String, Path)), request_body = UserVerifyRequest,
    responses(
        (status = 200, body = UserVerified)))]
pub async fn verify(
    State(s): State<AppState>, caller: Caller, Path(id): Path<String>, ApiJson(req): ApiJson<UserVerifyRequest>,
) -> ApiResult<Json<UserVerified>> {
    Ok(Json(s.ob.user_verify(&caller, &id, &req.code, req.remember_device).await?))
}

/// Changes the password. The only call a session opened with the initial
/// password may make. Returns a new session; all others of the user end.
#[utoipa::path(operation_id = "user_change_password", post, path = "/v1/user/password", tag = "3-3 user login", request_body = ChangePasswordRequest,
    security(("user_session" = [])),
    responses(
        (status = 200, body = UserSession)))]
pub async fn change_password(
    State(s): State<AppState>, UserAuth(caller, session): UserAuth, ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<Json<UserSession>> {
    let (current, new) = (SecretString::from(req.current_password), SecretString::from(req.new_password));
    Ok(Json(s.ob.change_password(&caller, &session, &current, &new).await?))
}

/// Forgets every PC this user asked to be remembered.
#[utoipa::path(operation_id = "user_revoke_device_trust", delete, path = "/v1/user/device-trust", tag = "3-3 user login", security(("user_session" = [])),
    responses((status = 204, description = "Revoked")))]
pub async fn revoke_device_trust(State(s): State<AppState>, UserAuth(caller, session): UserAuth) -> ApiResult<StatusCode> {
    session.require_full()?;
    s.ob.revoke_device_trust(&caller, &session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends the user session.
#[utoipa::path(operation_id = "user_logout", post, path = "/v1/user/logout", tag = "3-3 user login", security(("user_session" = [])),
    responses((status = 204, description = "Logged out")))]
pub async fn logout(State(s): State<AppState>, UserAuth(_, session): UserAuth) -> ApiResult<StatusCode> {
    s.ob.logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}
