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
        match r.retry_after {
            Some(wait) => Failure::Refused { code: r.code, field: None, retry_after: Some(wait) },
            None => Failure::from(r.code),
        }
    }
}

impl From<ErrorCode> for Failure {
    fn from(code: ErrorCode) -> Self {
        Failure::Refused { code, field: None, retry_after: None }
    }
}

impl Failure {
    pub fn field(code: ErrorCode, field: &'static str) -> Self {
        Failure::Refused { code, field: Some(field), retry_after: None }
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
