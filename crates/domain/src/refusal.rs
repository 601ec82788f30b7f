//! A refusal of a rule: what went wrong, and how long to wait or how many
//! tries are left when saying so helps staff. Shared by the logins, the
//! one-time codes and the terminals.

use crate::error::ErrorCode;
use time::Duration;

/// What `Retry-After` (and `retry_after_seconds`) tells for a wait: whole
/// seconds, never less than one. A `Refusal`'s wait is whole already.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    wait.whole_seconds().max(1).unsigned_abs()
}

/// A refusal: what went wrong, and how long to wait when waiting helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub retry_after: Option<Duration>,
    /// Wrong entries still allowed before a lock or a void code, when the
    /// rule has such a limit and saying it helps staff stop in time.
    pub tries_left: Option<u32>,
}

impl Refusal {
    pub fn new(code: ErrorCode) -> Self {
        Self { code, retry_after: None, tries_left: None }
    }

    /// A wait is told in whole seconds (Retry-After), rounded up and never
    /// less than one: a wait told short — "try again in 0 seconds", or 59
    /// seconds when 59.4 are left — would only bring the refusal back.
    pub fn wait(code: ErrorCode, for_: Duration) -> Self {
        let secs = for_.whole_seconds().saturating_add(i64::from(for_.subsec_nanoseconds() > 0));
        Self { code, retry_after: Some(Duration::seconds(secs.max(1))), tries_left: None }
    }

    pub fn with_tries_left(self, n: u32) -> Self {
        Self { tries_left: Some(n), ..self }
    }
}

impl From<ErrorCode> for Refusal {
    fn from(code: ErrorCode) -> Self {
        Self::new(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_at_least_one_second() {
        assert_eq!(Refusal::wait(ErrorCode::LoginThrottled, Duration::milliseconds(300)).retry_after, Some(Duration::seconds(1)));
        assert_eq!(Refusal::wait(ErrorCode::LoginThrottled, Duration::ZERO).retry_after, Some(Duration::seconds(1)));
        assert_eq!(Refusal::wait(ErrorCode::OfficeLocked, Duration::minutes(30)).retry_after, Some(Duration::minutes(30)));
        assert_eq!(Refusal::wait(ErrorCode::CodeResendTooSoon, Duration::milliseconds(59_400)).retry_after, Some(Duration::seconds(60)));
        assert_eq!(Refusal::wait(ErrorCode::LoginThrottled, Duration::MAX).retry_after, Some(Duration::seconds(i64::MAX)));
        assert_eq!(Refusal::wait(ErrorCode::LoginThrottled, Duration::MIN).retry_after, Some(Duration::SECOND));
    }
}
