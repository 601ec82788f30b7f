use crate::store::StoreError;
use kaigo_domain::ErrorCode;
use time::Duration;

/// Why a call did not succeed: a refusal the caller can act on, or a fault.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("refused: {}", code.as_str())]
    Refused {
        code: ErrorCode,
        /// The request field at fault, when one is.
        field: Option<&'static str>,
        retry_after: Option<Duration>,
        /// Wrong entries still allowed before a lock or a void code.
        tries_left: Option<u32>,
    },
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(#[from] anyhow::Error),
}

pub type OnboardingResult<T> = Result<T, Failure>;

/// A rule's refusal, with its wait when waiting helps.
impl From<kaigo_domain::Refusal> for Failure {
    fn from(r: kaigo_domain::Refusal) -> Self {
        Failure::Refused { code: r.code, field: None, retry_after: r.retry_after, tries_left: r.tries_left }
    }
}

impl From<ErrorCode> for Failure {
    fn from(code: ErrorCode) -> Self {
        Failure::Refused { code, field: None, retry_after: None, tries_left: None }
    }
}

impl Failure {
    pub fn field(code: ErrorCode, field: &'static str) -> Self {
        Failure::Refused { code, field: Some(field), retry_after: None, tries_left: None }
    }

    /// Names the request field at fault.
    pub fn on_field(self, name: &'static str) -> Self {
        match self {
            Failure::Refused { code, retry_after, tries_left, .. } => Failure::Refused { code, field: Some(name), retry_after, tries_left },
            other => other,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Failure::Refused { code, .. } => *code,
            _ => ErrorCode::Internal,
        }
    }
}

/// Parses an input field, naming the field when it is refused.
pub(crate) fn parse_field<T>(field: &'static str, r: Result<T, ErrorCode>) -> Result<T, Failure> {
    r.map_err(|code| Failure::field(code, field))
}
