//! One place where failures become HTTP answers: a status per error code, a
//! `{code, message, message_en}` body, and `Retry-After` when waiting helps.

use crate::onboarding::Failure;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kaigo_api::ErrorBody;
use kaigo_domain::ErrorCode;

pub struct ApiError(pub Failure);

impl<E: Into<Failure>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The status each code is answered with.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        InvalidRequest | IdempotencyKeyInvalid => StatusCode::BAD_REQUEST,
        ClientCertificateRequired | ClientCertificateRejected | ClientCertificateExpired | InvalidCredentials | Unauthenticated
        | DeviceTrustInvalid | CodeIncorrect | SecurityCodeIncorrect => StatusCode::UNAUTHORIZED,
        CertificateOfficeMismatch | PasswordChangeRequired => StatusCode::FORBIDDEN,
        NotFound | ChallengeNotFound | TerminalNotFound | PracticeModeOnly => StatusCode::NOT_FOUND,
        UserIdTaken | TerminalNameTaken | CodeNotSent => StatusCode::CONFLICT,
        CodeExpired | CodeAttemptsExhausted | TerminalChallengeExpired | InitialPasswordExpired => StatusCode::GONE,
        OfficeLocked | UserLocked => StatusCode::LOCKED,
        LoginThrottled | RateLimited | CodeResendTooSoon => StatusCode::TOO_MANY_REQUESTS,
        ServiceUnavailable | ServiceUnreachable | ServerCertificateUntrusted => StatusCode::SERVICE_UNAVAILABLE,
        Internal | Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        // Everything else is input that does not meet a rule.
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

pub fn error_response(code: ErrorCode, field: Option<&str>, retry_after: Option<time::Duration>) -> Response {
    let mut body = ErrorBody::new(code);
    body.field = field.map(str::to_owned);
    body.retry_after_seconds = retry_after.map(|d| d.whole_seconds().max(1) as u64);
    let mut resp = (status_of(code), Json(&body)).into_response();
    if let Some(secs) = body.retry_after_seconds {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            Failure::Refused { code, field, retry_after } => error_response(code, field, retry_after),
            Failure::Store(e) => {
                tracing::error!(error = %e, "storage failure");
                error_response(ErrorCode::ServiceUnavailable, None, Some(time::Duration::seconds(5)))
            }
            Failure::Internal(e) => {
                tracing::error!(error = %e, "internal failure");
                error_response(ErrorCode::Internal, None, None)
            }
        }
    }
}
