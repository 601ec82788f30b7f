//! The HTTP face of the service: routes that only translate between JSON and
//! the onboarding rules. One module per step.

pub mod classes;
pub mod error;
pub mod extract;
mod meta;
mod office;
#[cfg(feature = "openapi")]
pub mod openapi;
#[cfg(feature = "openapi")]
mod openapi_common;
pub mod operations;
mod practice;
pub mod rate_limit;
mod terminals;
pub mod trainer_page;
mod user;

use crate::onboarding::Onboarding;
use axum::routing::{delete, get, post};
use axum::Router;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The largest request body taken (413 `payload_too_large` above it).
pub const MAX_REQUEST_BODY_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub ob: Onboarding,
    /// Requests per client certificate; the practice service the desktop app
    /// embeds (one user, loopback only) is built without it.
    #[cfg(feature = "rate-limit")]
    pub limiter: rate_limit::Limiter,
}

#[cfg(feature = "openapi")]
async fn openapi_json() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], openapi::json())
}

/// Every request on a connection over its client's share (see
/// `connections`) is answered `rate_limited`, and the connection closed.
pub fn over_share_router(policy: std::sync::Arc<kaigo_domain::Policy>) -> Router {
    Router::new()
        .fallback(|| async { error::error_response(kaigo_domain::ErrorCode::RateLimited, None, Some(time::Duration::seconds(1))) })
        .layer(axum::middleware::from_fn_with_state(policy, error::explain))
}

/// The API. `request_timeout` bounds each request once its headers are in
/// (`ConnectionLimits::request_timeout`).
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    let policy = std::sync::Arc::new(state.ob.policy.clone());
    #[cfg(feature = "rate-limit")]
    let limiter = state.limiter.clone();
    let routes = Router::new();
    #[cfg(feature = "openapi")]
    let routes = routes.route("/openapi.json", get(openapi_json));
    let routes = routes
        .route("/v1/health", get(meta::health))
        .route("/v1/time", get(meta::server_time))
        .route("/v1/reference-lists", get(meta::reference_lists))
        .route("/v1/policy", get(meta::policy))
        .route("/v1/office/login", post(office::login))
        .route("/v1/office/login/{challenge_id}/resend", post(office::resend))
        .route("/v1/office/login/{challenge_id}/verify", post(office::verify))
        .route("/v1/office/admin-users", post(office::register_admin))
        .route("/v1/office/user-id-availability", get(office::user_id_availability))
        .route("/v1/office/users/{user_id}/unlock", post(office::unlock_user))
        .route("/v1/office/users/{user_id}/initial-password", post(office::reissue_initial_password))
        .route("/v1/office/logout", post(office::logout))
        .route("/v1/user/login", post(user::login))
        .route("/v1/user/login/{challenge_id}/send", post(user::send_code))
        .route("/v1/user/login/{challenge_id}/verify", post(user::verify))
        .route("/v1/user/password", post(user::change_password))
        .route("/v1/user/device-trust", delete(user::revoke_device_trust))
        .route("/v1/user/logout", post(user::logout))
        .route("/v1/terminals", post(terminals::issue).get(terminals::list))
        .route("/v1/terminals/{terminal_id}", delete(terminals::unlink))
        .route("/v1/terminals/{terminal_id}/activation", post(terminals::reissue_activation))
        .route("/v1/practice/mailbox", get(practice::mailbox))
        // Everything above needs the office's client certificate …
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), extract::require_certificate))
        // … the device redeeming its activation code does not.
        .route("/v1/terminal-activations", post(terminals::redeem))
        .route("/v1/terminal-activations/{terminal_id}/proof", post(terminals::prove))
        // Joining a class: the join code, not a certificate, lets a PC in.
        .route("/v1/class/authority", get(classes::authority))
        .route("/v1/class/join", post(classes::join))
        .merge(trainer_routes())
        .fallback(|| async { error::error_response(kaigo_domain::ErrorCode::NotFound, None, None) })
        .method_not_allowed_fallback(|| async { error::error_response(kaigo_domain::ErrorCode::MethodNotAllowed, None, None) })
        .with_state(state);
    // Inside `explain`, so that a refusal for too many requests is worded too.
    #[cfg(feature = "rate-limit")]
    let routes = routes.layer(axum::middleware::from_fn_with_state(limiter, rate_limit::per_certificate));
    routes
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, request_timeout))
        // Outside the body limit and the timeout, so that their answers are
        // the API's error body too.
        .layer(axum::middleware::from_fn_with_state(policy, error::explain))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
}

/// The trainer's pages and calls: served with the API, and alone over
/// plain HTTP on a loopback address ([`trainer_router`]).
fn trainer_routes() -> Router<AppState> {
    Router::new()
        .route("/trainer", get(trainer_page::grid))
        .route("/trainer/projector", get(trainer_page::projector))
        .route("/trainer/summary", get(trainer_page::summary))
        .route("/trainer/assets/trainer.js", get(trainer_page::script))
        .route("/trainer/assets/trainer.css", get(trainer_page::style))
        .route("/trainer/assets/glossary.json", get(trainer_page::glossary))
        .route("/trainer/assets/words.json", get(trainer_page::words))
        .route("/trainer/sign-in", get(classes::sign_in))
        .route("/v1/trainer/session", get(classes::session))
        .route("/v1/trainer/grid", get(classes::grid))
        .route("/v1/trainer/join-qr.svg", get(classes::join_qr))
        .route("/v1/trainer/events", get(classes::events))
        .route("/v1/trainer/summary.csv", get(classes::summary_csv))
        .route("/v1/trainer/seats/{seat}/unlock", post(classes::unlock_seat))
        .route("/v1/trainer/seats/{seat}/reset", post(classes::reset_seat))
        .route("/v1/trainer/close", post(classes::close_class))
        .layer(axum::middleware::from_fn(trainer_page::protect))
}

/// Marks a request that came over the loopback listener's plain HTTP.
#[derive(Clone, Copy, Debug)]
pub struct PlainLoopback;

/// The trainer's pages alone, for a loopback listener: a browser or the
/// app's window on the machine running the class opens
/// `http://127.0.0.1:…/trainer` with no certificate warning. Its session
/// cookie goes without the Secure flag: WebKitGTK (the app's window on
/// Linux) keeps no Secure cookie from plain HTTP, loopback or not, and
/// the cookie never leaves the machine.
pub fn trainer_router(state: AppState) -> Router {
    let policy = std::sync::Arc::new(state.ob.policy.clone());
    trainer_routes()
        .layer(axum::Extension(PlainLoopback))
        .fallback(|| async { error::error_response(kaigo_domain::ErrorCode::NotFound, None, None) })
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(policy, error::explain))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
}

/// A request's log span: its method and path, never its query string (a
/// mail address or a user ID to look up) nor its headers (the session).
fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
}
