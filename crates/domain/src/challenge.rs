//! The one-time-code step of a login (ワンタイム認証): whether the login is
//! still open, whether a code may be sent now, and whether a typed code may
//! still be checked. Pure: the caller loads, asks, writes.

use crate::error::ErrorCode;
use crate::one_time_code::SecurityCode;
use crate::policy::Policy;
use crate::refusal::Refusal;
use time::OffsetDateTime;

/// A login whose password was accepted and whose code is pending, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginChallenge {
    /// Opened by this caller (same kind of login, same client certificate).
    pub owned_by_caller: bool,
    pub completed: bool,
    pub expires_at: OffsetDateTime,
    pub code: Option<PendingCode>,
}

/// The code last sent for a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingCode {
    pub sent_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// Wrong entries so far.
    pub wrong_tries: u32,
}

/// When a code being sent now stops working and when another may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeTimes {
    pub sent_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub resend_allowed_at: OffsetDateTime,
}

impl LoginChallenge {
    /// Anything but an open login of this caller reads as "not found", so a
    /// challenge id is of no use to anyone but its owner.
    pub fn open(&self, now: OffsetDateTime) -> Result<(), ErrorCode> {
        if self.owned_by_caller && !self.completed && self.expires_at > now {
            Ok(())
        } else {
            Err(ErrorCode::ChallengeNotFound)
        }
    }

    /// May a (new) code be sent now? A resend voids the earlier code, so
    /// resends are spaced.
    pub fn send_code(&self, policy: &Policy, now: OffsetDateTime) -> Result<CodeTimes, Refusal> {
        if let Some(code) = self.code {
            let allowed = code.sent_at.saturating_add(policy.one_time_code_resend_interval);
            if allowed > now {
                return Err(Refusal::wait(ErrorCode::CodeResendTooSoon, allowed - now));
            }
        }
        Ok(CodeTimes {
            sent_at: now,
            expires_at: now.saturating_add(policy.one_time_code_lifetime),
            resend_allowed_at: now.saturating_add(policy.one_time_code_resend_interval),
        })
    }

    /// May a typed code be compared with the pending one?
    pub fn code_checkable(&self, policy: &Policy, now: OffsetDateTime) -> Result<(), ErrorCode> {
        let code = self.code.ok_or(ErrorCode::CodeNotSent)?;
        if code.expires_at <= now {
            Err(ErrorCode::CodeExpired)
        } else if code.wrong_tries >= policy.one_time_code_max_attempts {
            Err(ErrorCode::CodeAttemptsExhausted)
        } else {
            Ok(())
        }
    }
}

/// The answer to a wrong code (or a wrong security code typed with it), once
/// counted: `tries` wrong entries now. The last allowed try voids the code.
pub fn wrong_code(tries: u32, policy: &Policy) -> ErrorCode {
    if tries >= policy.one_time_code_max_attempts {
        ErrorCode::CodeAttemptsExhausted
    } else {
        ErrorCode::CodeIncorrect
    }
}

/// The security code an office that set one must type beside the one-time
/// code: blank is "required", anything else must have its format.
pub fn required_security_code(given: Option<&str>) -> Result<SecurityCode, ErrorCode> {
    match given.filter(|s| !s.trim().is_empty()) {
        None => Err(ErrorCode::SecurityCodeRequired),
        Some(s) => SecurityCode::parse(s),
    }
}

/// The answer to a wrong security code typed with a right one-time code:
/// the entry's try was already spent by the code's check (`tries` now), so
/// the last allowed try voids the code as a wrong code would.
pub fn wrong_security_code(tries: u32, policy: &Policy) -> ErrorCode {
    match wrong_code(tries, policy) {
        ErrorCode::CodeIncorrect => ErrorCode::SecurityCodeIncorrect,
        exhausted => exhausted,
    }
}

/// When a login opened now must be finished by.
pub fn login_challenge_expiry(policy: &Policy, now: OffsetDateTime) -> OffsetDateTime {
    now.saturating_add(policy.login_challenge_lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    const T0: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    fn login(code: Option<PendingCode>) -> LoginChallenge {
        LoginChallenge { owned_by_caller: true, completed: false, expires_at: T0 + Duration::minutes(40), code }
    }

    fn sent_at(at: OffsetDateTime, wrong_tries: u32) -> Option<PendingCode> {
        Some(PendingCode { sent_at: at, expires_at: at + Duration::minutes(30), wrong_tries })
    }

    #[test]
    fn a_login_is_open_to_its_owner_until_done_or_past_its_end() {
        let l = login(None);
        assert_eq!(l.open(T0), Ok(()));
        assert_eq!(l.open(T0 + Duration::minutes(40) - Duration::SECOND), Ok(()));
        assert_eq!(l.open(T0 + Duration::minutes(40)), Err(ErrorCode::ChallengeNotFound));
        assert_eq!(LoginChallenge { completed: true, ..l }.open(T0), Err(ErrorCode::ChallengeNotFound));
        assert_eq!(LoginChallenge { owned_by_caller: false, ..l }.open(T0), Err(ErrorCode::ChallengeNotFound));
        assert_eq!(login_challenge_expiry(&Policy::default(), T0), T0 + Duration::minutes(40));
    }

    #[test]
    fn a_first_code_goes_at_once_and_a_resend_waits_a_minute() {
        let p = Policy::default();
        let first = login(None).send_code(&p, T0).unwrap();
        assert_eq!(first, CodeTimes { sent_at: T0, expires_at: T0 + Duration::minutes(30), resend_allowed_at: T0 + Duration::minutes(1) });
        let l = login(sent_at(T0, 0));
        assert_eq!(l.send_code(&p, T0 + Duration::seconds(20)), Err(Refusal::wait(ErrorCode::CodeResendTooSoon, Duration::seconds(40))));
        assert_eq!(l.send_code(&p, T0 + Duration::minutes(1)).map(|t| t.sent_at), Ok(T0 + Duration::minutes(1)));
    }

    #[test]
    fn a_code_is_checkable_for_thirty_minutes_and_five_wrong_tries() {
        let p = Policy::default();
        assert_eq!(login(None).code_checkable(&p, T0), Err(ErrorCode::CodeNotSent));
        assert_eq!(login(sent_at(T0, 4)).code_checkable(&p, T0 + Duration::minutes(30) - Duration::SECOND), Ok(()));
        assert_eq!(login(sent_at(T0, 0)).code_checkable(&p, T0 + Duration::minutes(30)), Err(ErrorCode::CodeExpired));
        assert_eq!(login(sent_at(T0, 5)).code_checkable(&p, T0), Err(ErrorCode::CodeAttemptsExhausted));
        assert_eq!(wrong_code(4, &p), ErrorCode::CodeIncorrect);
        assert_eq!(wrong_code(5, &p), ErrorCode::CodeAttemptsExhausted);
    }

    #[test]
    fn a_security_code_is_required_when_set_and_a_wrong_one_spends_the_entrys_try() {
        let p = Policy::default();
        assert_eq!(required_security_code(None).err(), Some(ErrorCode::SecurityCodeRequired));
        assert_eq!(required_security_code(Some("  ")).err(), Some(ErrorCode::SecurityCodeRequired));
        assert_eq!(required_security_code(Some("ab!")).err(), Some(ErrorCode::SecurityCodeFormat));
        assert_eq!(required_security_code(Some("１２３４")).map(|c| c.expose().to_owned()), Ok("1234".to_owned()));
        assert_eq!(wrong_security_code(1, &p), ErrorCode::SecurityCodeIncorrect);
        assert_eq!(wrong_security_code(p.one_time_code_max_attempts, &p), ErrorCode::CodeAttemptsExhausted);
    }
}
