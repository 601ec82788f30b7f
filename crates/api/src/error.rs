use kaigo_domain::ErrorCode;
use serde::{Deserialize, Serialize};

/// Every error response: a stable code, a Japanese message for staff and an
/// English one for operators. `retry_after_seconds` is set when waiting helps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    pub message_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Which request field is at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode) -> Self {
        Self { code, message: code.message_ja().into(), message_en: code.message_en().into(), retry_after_seconds: None, field: None }
    }
}
