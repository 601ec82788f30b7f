use kaigo_domain::{ErrorCode, Policy};
use serde::{Deserialize, Serialize};

/// Every error response: a stable code, a Japanese message for staff and an
/// English one for operators. `retry_after_seconds` is set when waiting helps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The app's IPC carries its own codes too; the service sends only the
    /// API's, which are what the document lists.
    #[schema(value_type = kaigo_domain::ApiErrorCode)]
    pub code: ErrorCode,
    pub message: String,
    pub message_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Wrong entries still allowed before a lock or a void code, when the
    /// rule has a limit (the office login, an activation code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u32>,
    /// Which request field is at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    /// The messages state the numbers of `policy`, the one the service enforces.
    pub fn new(code: ErrorCode, policy: &Policy) -> Self {
        Self {
            code,
            message: code.message_ja(policy),
            message_en: code.message_en(policy),
            retry_after_seconds: None,
            tries_left: None,
            field: None,
        }
    }
}
