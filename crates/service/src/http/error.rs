//! One place where failures become HTTP answers: a status per error code, a
//! `{code, message, message_en}` body, and `Retry-After` when waiting helps.
//! The body is written by [`explain`], the outermost layer, which knows the
//! policy in force: the messages state its numbers.

use crate::onboarding::Failure;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kaigo_api::ErrorBody;
use kaigo_domain::{ApiErrorCode, ErrorCode, Policy};
use std::sync::Arc;

pub struct ApiError(pub Failure);

impl<E: Into<Failure>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The status each of the API's codes is answered with. Every code is
/// named: a new one must be given its status here, never one by default.
/// The desktop app's own codes have none: the service cannot send them.
#[rustfmt::skip] // one line a status, as a table reads
pub fn status_of(code: ApiErrorCode) -> StatusCode {
    use ApiErrorCode::*;
    match code {
        InvalidRequest | IdempotencyKeyInvalid => StatusCode::BAD_REQUEST,
        ClientCertificateRequired | JoinCodeWrong | TrainerSignInRequired | ClientCertificateRevoked | InvalidCredentials | Unauthenticated | CodeIncorrect | SecurityCodeIncorrect | ActivationCodeIncorrect => StatusCode::UNAUTHORIZED,
        CertificateOfficeMismatch | PasswordChangeRequired | CsrfTokenInvalid => StatusCode::FORBIDDEN,
        NotFound | ChallengeNotFound | TerminalNotFound | PracticeModeOnly | ClassesNotOffered => StatusCode::NOT_FOUND,
        MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        UserIdTaken | TerminalNameTaken | CodeNotSent | TerminalAlreadyLinked | ClassFull => StatusCode::CONFLICT,
        CodeExpired | CodeAttemptsExhausted | TerminalChallengeExpired | InitialPasswordExpired | ActivationCodeExpired | ActivationCodeUsed | ClassClosed => StatusCode::GONE,
        OfficeLocked | UserLocked => StatusCode::LOCKED,
        LoginThrottled | RateLimited | CodeResendTooSoon | JoinTriesExhausted => StatusCode::TOO_MANY_REQUESTS,
        ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
        // Input that does not meet a rule.
        ElectronicBillingIdInvalid | UserIdInvalid | PasswordMissing | PasswordTooShort | PasswordTooLong | PasswordInvalidCharacters | PasswordTooFewKinds | PasswordTooCommon | PasswordContainsUserId | PasswordUnchanged | EmailInvalid | PhoneInvalid | ContactMissing | NameInvalid | ServiceTypesMissing | ServiceTypeUnknown | ServiceTypePast | JobCategoryUnknown | OneTimeCodeFormat | SecurityCodeFormat | TerminalNameInvalid | TerminalKeyInvalid | ActivationCodeInvalid | TerminalKindInvalid | DeliveryChannelUnavailable | SecurityCodeRequired | IdempotencyKeyReused | TerminalSignatureInvalid | JoinCodeFormat | CertificateRequestInvalid | CertificateRequestKeyWeak => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A refusal on its way out, its body still to be written by [`explain`].
#[derive(Debug, Clone)]
struct Refusal {
    code: ApiErrorCode,
    field: Option<String>,
    retry_after_seconds: Option<u64>,
    tries_left: Option<u32>,
}

pub fn error_response(code: ErrorCode, field: Option<&str>, retry_after: Option<time::Duration>) -> Response {
    refusal_response(code, field, retry_after, None)
}

fn refusal_response(code: ErrorCode, field: Option<&str>, retry_after: Option<time::Duration>, tries_left: Option<u32>) -> Response {
    let Some(code) = code.api() else {
        // A rule shared with the app answered with the app's own code: a
        // fault of the service, never an answer the API documents.
        tracing::error!(code = code.as_str(), "a desktop app's code reached an answer of the service");
        return refusal_response(ErrorCode::Internal, None, None, None);
    };
    let retry_after_seconds = retry_after.map(kaigo_domain::refusal::retry_after_seconds);
    let mut resp = status_of(code).into_response();
    if let Some(secs) = retry_after_seconds {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp.extensions_mut().insert(Refusal { code, field: field.map(str::to_owned), retry_after_seconds, tries_left });
    resp
}

/// The code for an error answered by a layer below ours (axum's own
/// rejections, the body limit, the timeout), by its status.
fn code_for_status(status: StatusCode) -> ApiErrorCode {
    match status {
        StatusCode::UNAUTHORIZED => ApiErrorCode::Unauthenticated,
        StatusCode::NOT_FOUND => ApiErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiErrorCode::MethodNotAllowed,
        StatusCode::REQUEST_TIMEOUT => ApiErrorCode::RequestTimeout,
        StatusCode::PAYLOAD_TOO_LARGE => ApiErrorCode::PayloadTooLarge,
        StatusCode::TOO_MANY_REQUESTS => ApiErrorCode::RateLimited,
        StatusCode::SERVICE_UNAVAILABLE => ApiErrorCode::ServiceUnavailable,
        s if s.is_server_error() => ApiErrorCode::Internal,
        _ => ApiErrorCode::InvalidRequest,
    }
}

/// The outermost layer: every error leaves as the API's JSON body —
/// refusals with the numbers of the policy in force, and whatever a layer
/// below answered in its own words (their text, which may quote what was
/// sent, is dropped). An error to a request that came with a body closes
/// the connection: the body may be unread, and the next request on it
/// would read its rest.
pub async fn explain(State(policy): State<Arc<Policy>>, req: Request, next: Next) -> Response {
    let had_body = req.headers().get(header::CONTENT_LENGTH).is_some_and(|v| v.as_bytes() != b"0")
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    let mut resp = next.run(req).await;
    let status = resp.status();
    if !status.is_client_error() && !status.is_server_error() {
        return resp;
    }
    let body = match resp.extensions_mut().remove::<Refusal>() {
        Some(refusal) => {
            let mut body = ErrorBody::new(refusal.code.into(), &policy);
            body.field = refusal.field;
            body.retry_after_seconds = refusal.retry_after_seconds;
            body.tries_left = refusal.tries_left;
            body
        }
        None => {
            tracing::debug!(%status, "error answered below the API layer");
            ErrorBody::new(code_for_status(status).into(), &policy)
        }
    };
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    if had_body {
        parts.headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    (parts, Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            Failure::Refused { code, field, retry_after, tries_left } => refusal_response(code, field, retry_after, tries_left),
            Failure::Store(e) => {
                if e.is_disk_full() {
                    tracing::error!(error = %e, "storage failure: the database's disk is full; nothing was written — free space, the service goes on by itself");
                } else {
                    tracing::error!(error = %e, "storage failure");
                }
                error_response(ErrorCode::ServiceUnavailable, None, Some(time::Duration::seconds(5)))
            }
            Failure::Internal(e) => {
                tracing::error!(error = %e, "internal failure");
                error_response(ErrorCode::Internal, None, None)
            }
        }
    }
}
