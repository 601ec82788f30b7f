//! Request extractors: the caller proven by TLS, JSON bodies whose errors
//! answer in the API's error format, and bearer sessions.

use super::error::{error_response, ApiError};
use super::AppState;
use crate::onboarding::sessions::{Session, SessionKind};
use crate::onboarding::Caller;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use kaigo_domain::ErrorCode;

/// The client certificate of the TLS connection, put on every request by
/// the accept loop.
#[derive(Debug, Clone)]
pub struct PeerCertificate {
    pub fingerprint: String,
}

/// The address the connection came from: what the device routes of 3-4,
/// which need no certificate, are rate-limited by.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddress(pub std::net::IpAddr);

/// Refuses every request of a connection without a client certificate, or
/// with one an operator has revoked: put on all routes but the device's
/// redemption of its activation code.
pub async fn require_certificate(
    axum::extract::State(state): axum::extract::State<AppState>, req: axum::extract::Request, next: axum::middleware::Next,
) -> Response {
    let Some(peer) = req.extensions().get::<PeerCertificate>() else {
        return error_response(ErrorCode::ClientCertificateRequired, None, None);
    };
    if let Err(refused) = state.ob.certificate_in_force(&Caller { cert_fingerprint: peer.fingerprint.clone() }).await {
        return ApiError(refused).into_response();
    }
    next.run(req).await
}

/// The caller's certificate when the connection has one (device routes).
pub struct MaybeCaller(pub Option<Caller>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeCaller(parts.extensions.get::<PeerCertificate>().map(|p| Caller { cert_fingerprint: p.fingerprint.clone() })))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<PeerCertificate>() {
            Some(p) => Ok(Caller { cert_fingerprint: p.fingerprint.clone() }),
            None => Err(error_response(ErrorCode::ClientCertificateRequired, None, None)),
        }
    }
}

/// `Json` whose rejections use the API's error body.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => {
                let e: JsonRejection = e;
                // Not its text: serde's message may quote what was sent (a password).
                tracing::debug!(status = %e.status(), "unreadable request body");
                let code = if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ErrorCode::PayloadTooLarge
                } else {
                    ErrorCode::InvalidRequest
                };
                Err(error_response(code, None, None))
            }
        }
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

async fn session_of(parts: &mut Parts, state: &AppState, kind: SessionKind) -> Result<(Caller, Session), Response> {
    let caller = Caller::from_request_parts(parts, state).await?;
    let token = bearer(parts).ok_or_else(|| error_response(ErrorCode::Unauthenticated, None, None))?;
    let session = state.ob.authenticate(&caller, token, kind).await.map_err(|e| ApiError(e).into_response())?;
    Ok((caller, session))
}

/// An office user's session (事業所ユーザ).
pub struct OfficeAuth(pub Caller, pub Session);

impl FromRequestParts<AppState> for OfficeAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (c, s) = session_of(parts, state, SessionKind::Office).await?;
        Ok(OfficeAuth(c, s))
    }
}

/// An admin or general user's session, possibly restricted to changing the
/// initial password (the handler decides with `Session::require_full`).
pub struct UserAuth(pub Caller, pub Session);

impl FromRequestParts<AppState> for UserAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (c, s) = session_of(parts, state, SessionKind::User).await?;
        Ok(UserAuth(c, s))
    }
}
