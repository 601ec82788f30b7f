//! Health, server time, policy and reference lists.

use super::error::ApiResult;
use super::AppState;
use axum::extract::State;
use axum::Json;
use kaigo_api::service::{Health, ServerTime};
use kaigo_domain::{Policy, ReferenceLists};

/// Whether the service and its database answer.
#[utoipa::path(operation_id = "health", get, path = "/v1/health", tag = "service", responses((status = 200, body = Health)))]
pub async fn health(State(s): State<AppState>) -> ApiResult<Json<Health>> {
    s.ob.db.ping().await?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into(), practice_mode: s.ob.practice_mode }))
}

/// The server's clock, for the app's check of the PC clock.
#[utoipa::path(operation_id = "server_time", get, path = "/v1/time", tag = "service", responses((status = 200, body = ServerTime)))]
pub async fn server_time(State(s): State<AppState>) -> Json<ServerTime> {
    let now = s.ob.now();
    Json(ServerTime { now, unix_ms: (now.unix_timestamp_nanos() / 1_000_000) as i64 })
}

/// サービス種類 and 職種区分, each entry marked confirmed / secondary / unconfirmed.
#[utoipa::path(operation_id = "reference_lists", get, path = "/v1/reference-lists", tag = "service", responses((status = 200, body = ReferenceLists)))]
pub async fn reference_lists(State(s): State<AppState>) -> Json<ReferenceLists> {
    Json((*s.ob.lists).clone())
}

/// Code lifetime, tries, lockouts and trust durations (seconds).
#[utoipa::path(operation_id = "policy", get, path = "/v1/policy", tag = "service", responses((status = 200, body = Policy)))]
pub async fn policy(State(s): State<AppState>) -> Json<Policy> {
    Json(s.ob.policy.clone())
}
