//! 3-4 マイナ資格確認アプリの事前設定.

use super::error::ApiResult;
use super::extract::{ApiJson, UserAuth};
use super::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kaigo_api::terminal::*;
use kaigo_api::ErrorBody;

/// Registers a card-reading terminal by its Ed25519 public key. Returns its
/// ID, settings and the challenge to sign.
#[utoipa::path(operation_id = "terminal_register", post, path = "/v1/terminals", tag = "3-4 terminal pre-setup", request_body = TerminalRegistrationRequest,
    security(("user_session" = [])),
    responses(
        (status = 201, body = TerminalRegistered),
        (status = 403, description = "password_change_required", body = ErrorBody),
        (status = 409, description = "terminal_name_taken", body = ErrorBody),
        (status = 422, description = "terminal_name_invalid, terminal_key_invalid", body = ErrorBody)))]
pub async fn register(State(s): State<AppState>, UserAuth(caller, session): UserAuth, ApiJson(req): ApiJson<TerminalRegistrationRequest>) -> ApiResult<(StatusCode, Json<TerminalRegistered>)> {
    Ok((StatusCode::CREATED, Json(s.ob.register_terminal(&caller, &session, &req.name, &req.public_key).await?)))
}

/// Proves the terminal holds its private key: links it.
#[utoipa::path(operation_id = "terminal_verify", post, path = "/v1/terminals/{terminal_id}/verify", tag = "3-4 terminal pre-setup",
    params(("terminal_id" = String, Path)), request_body = TerminalVerifyRequest, security(("user_session" = [])),
    responses(
        (status = 200, body = Terminal),
        (status = 404, description = "terminal_not_found", body = ErrorBody),
        (status = 410, description = "terminal_challenge_expired", body = ErrorBody),
        (status = 422, description = "terminal_signature_invalid", body = ErrorBody)))]
pub async fn verify(State(s): State<AppState>, UserAuth(caller, session): UserAuth, Path(id): Path<String>, ApiJson(req): ApiJson<TerminalVerifyRequest>) -> ApiResult<Json<Terminal>> {
    Ok(Json(s.ob.verify_terminal(&caller, &session, &id, &req.signature).await?))
}

/// A new challenge for a terminal still pending (the first one expired).
#[utoipa::path(operation_id = "terminal_renew_challenge", post, path = "/v1/terminals/{terminal_id}/challenge", tag = "3-4 terminal pre-setup",
    params(("terminal_id" = String, Path)), security(("user_session" = [])),
    responses((status = 201, body = TerminalChallenge), (status = 404, description = "terminal_not_found", body = ErrorBody)))]
pub async fn renew_challenge(State(s): State<AppState>, UserAuth(_, session): UserAuth, Path(id): Path<String>) -> ApiResult<(StatusCode, Json<TerminalChallenge>)> {
    Ok((StatusCode::CREATED, Json(s.ob.renew_terminal_challenge(&session, &id).await?)))
}

/// The office's terminals (pending and linked).
#[utoipa::path(operation_id = "terminal_list", get, path = "/v1/terminals", tag = "3-4 terminal pre-setup", security(("user_session" = [])),
    responses((status = 200, body = Vec<Terminal>)))]
pub async fn list(State(s): State<AppState>, UserAuth(_, session): UserAuth) -> ApiResult<Json<Vec<Terminal>>> {
    Ok(Json(s.ob.list_terminals(&session).await?))
}

/// Unlinks a terminal.
#[utoipa::path(operation_id = "terminal_unlink", delete, path = "/v1/terminals/{terminal_id}", tag = "3-4 terminal pre-setup",
    params(("terminal_id" = String, Path)), security(("user_session" = [])),
    responses((status = 204, description = "Unlinked"), (status = 404, description = "terminal_not_found", body = ErrorBody)))]
pub async fn unlink(State(s): State<AppState>, UserAuth(caller, session): UserAuth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.ob.unlink_terminal(&caller, &session, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
