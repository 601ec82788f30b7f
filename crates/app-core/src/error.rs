//! Errors as the UI sees them: `{code, message}` with a stable code shared
//! with the service (`ErrorCode`) and a Japanese message saying what to do.

use kaigo_client::ClientError;
use kaigo_domain::{ErrorCode, Policy};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The same in English (the app's language switch).
    pub message_en: String,
    /// The form field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error the app finds itself: a form field, the PC, the connection.
    /// Such codes state only fixed rules (formats, lengths), never a number
    /// of the service's policy: refusals that do arrive from the service
    /// with its own message (see `From<ClientError>`).
    pub fn new(code: ErrorCode) -> Self {
        debug_assert!(!code.depends_on_policy(), "{code:?} states the service's policy: it comes from the service");
        let policy = Policy::default();
        Self { code, message: code.message_ja(&policy), message_en: code.message_en(&policy), field: None, retry_after_seconds: None }
    }

    pub fn field(code: ErrorCode, field: &str) -> Self {
        Self { field: Some(field.to_owned()), ..Self::new(code) }
    }

    /// A fault with no better code; the detail goes to the log, not the UI.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(ErrorCode::Internal)
    }
}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        Self::new(code)
    }
}

impl From<ClientError> for AppError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Api { body, .. } => {
                let (message, message_en) = match body.retry_after_seconds {
                    Some(secs) => (format!("{}{}", body.message, retry_hint(secs)), format!("{} {}", body.message_en, retry_hint_en(secs))),
                    None => (body.message, body.message_en),
                };
                Self { code: body.code, message, message_en, field: body.field, retry_after_seconds: body.retry_after_seconds }
            }
            ClientError::Local { code, detail } => {
                tracing::warn!(code = code.as_str(), %detail, "request failed");
                Self::new(code)
            }
        }
    }
}

/// 「（約3分後にお試しください）」: a wait in whole minutes, rounded up.
fn retry_hint_en(seconds: u64) -> String {
    if seconds < 60 {
        format!("(try again in about {seconds} seconds)")
    } else {
        format!("(try again in about {} minutes)", seconds.div_ceil(60))
    }
}

fn retry_hint(seconds: u64) -> String {
    if seconds < 60 {
        format!("（約{seconds}秒後にお試しください）")
    } else {
        format!("（約{}分後にお試しください）", seconds.div_ceil(60))
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        Self::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_said_in_minutes_rounded_up_or_in_seconds_when_short() {
        assert_eq!(retry_hint(30), "（約30秒後にお試しください）");
        assert_eq!(retry_hint(60), "（約1分後にお試しください）");
        assert_eq!(retry_hint(1_799), "（約30分後にお試しください）");
    }
}
