//! 3-4 マイナ資格確認アプリの事前設定: the admin issues terminals and their
//! activation codes; the device redeems its code and proves its key.

use super::error::ApiResult;
use super::extract::{ApiJson, MaybeCaller, UserAuth};
use super::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kaigo_api::terminal::*;

/// Issues a card-reading terminal: its ID, settings, and a one-time
/// activation code (利用開始コード) with the link its QR code holds.
#[utoipa::path(operation_id = "terminal_issue", post, path = "/v1/terminals", tag = "3-4 terminal pre-setup", request_body = TerminalIssueRequest,
    security(("user_session" = [])),
    responses(
        (status = 201, body = TerminalIssued)))]
pub async fn issue(
    State(s): State<AppState>, UserAuth(caller, session): UserAuth, ApiJson(req): ApiJson<TerminalIssueRequest>,
) -> ApiResult<(StatusCode, Json<TerminalIssued>)> {
    Ok((StatusCode::CREATED, Json(s.ob.issue_terminal(&caller, &session, &req.name, req.kind).await?)))
}

/// A new activation code for a terminal not yet linked; the old code, and
/// any key redeemed with it, are void.
#[utoipa::path(operation_id = "terminal_reissue_activation", post, path = "/v1/terminals/{terminal_id}/activation", tag = "3-4 terminal pre-setup",
    params(("terminal_id" = String, Path)), security(("user_session" = [])),
    responses(
        (status = 201, body = TerminalIssued)))]
pub async fn reissue_activation(
    State(s): State<AppState>, UserAuth(caller, session): UserAuth, Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<TerminalIssued>)> {
    Ok((StatusCode::CREATED, Json(s.ob.reissue_terminal_activation(&caller, &session, &id).await?)))
}

/// The device redeems its activation code with its Ed25519 public key and
/// gets a challenge to sign. No client certificate or session is needed;
/// wrong codes are counted (`tries_left` in the error) and a code works once.
#[utoipa::path(operation_id = "terminal_activation_redeem", post, path = "/v1/terminal-activations", tag = "3-4 terminal pre-setup",
    request_body = ActivationRedeemRequest,
    responses(
        (status = 201, body = TerminalChallenge)))]
pub async fn redeem(
    State(s): State<AppState>, MaybeCaller(caller): MaybeCaller, ApiJson(req): ApiJson<ActivationRedeemRequest>,
) -> ApiResult<(StatusCode, Json<TerminalChallenge>)> {
    let challenge = s.ob.redeem_terminal_activation(caller.as_ref(), &req.terminal_id, &req.activation_code, &req.public_key).await?;
    Ok((StatusCode::CREATED, Json(challenge)))
}

/// The device's signature over `terminal_link_message(terminal_id,
/// challenge)`: the terminal is linked and the device gets its settings.
#[utoipa::path(operation_id = "terminal_activation_prove", post, path = "/v1/terminal-activations/{terminal_id}/proof", tag = "3-4 terminal pre-setup",
    params(("terminal_id" = String, Path)), request_body = TerminalProofRequest,
    responses(
        (status = 200, body = TerminalSettings)))]
pub async fn prove(
    State(s): State<AppState>, MaybeCaller(caller): MaybeCaller, Path(id): Path<String>, ApiJson(req): ApiJson<TerminalProofRequest>,
) -> ApiResult<Json<TerminalSettings>> {
    Ok(Json(s.ob.prove_terminal(caller.as_ref(), &id, &req.signature).await?))
}

/// The office's terminals (awaiting their device, pending and linked).
#[utoipa::path(operation_id = "terminal_list", get, path = "/v1/terminals", tag = "3-4 terminal pre-setup", security(("user_session" = [])),
    responses((status = 200, body = Vec<Terminal>)))]
pub async fn list(State(s): State<AppState>, UserAuth(_, session): UserAuth) -> ApiResult<Json<Vec<Terminal>>> {
    Ok(Json(s.ob.list_terminals(&session).await?))
}

/// Unlinks a terminal.
#[utoipa::path(operation_id = "terminal_unlink", delete, path = "/v1/terminals/{terminal_id}", tag = "3-4 terminal pre-setup",
    params(("terminal_id" = String, Path)), security(("user_session" = [])),
    responses(
        (status = 204, description = "Unlinked")))]
pub async fn unlink(State(s): State<AppState>, UserAuth(caller, session): UserAuth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    s.ob.unlink_terminal(&caller, &session, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
