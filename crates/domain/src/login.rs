//! The password step of a login — one algorithm for the office user
//! (事業所ユーザ, 3-1) and for admin and general users (3-3): whether a
//! password may be judged now, what a wrong one leads to, and whether an
//! initial password still works. Pure: the caller loads, asks, writes.

use crate::{ErrorCode, LoginGate, Policy};
use time::{Duration, OffsetDateTime};

/// Whose login it is: their lockout rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    /// 事業所ユーザ: locked for a while after a few failures (the electronic
    /// billing system's rule).
    Office,
    /// 管理者・一般ユーザ: growing delays, then locked until an office user
    /// unlocks the account.
    User,
}

/// An account's recent failed logins, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailureRecord {
    pub count: u32,
    pub last: Option<OffsetDateTime>,
}

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

/// Before the password is hashed: may it be judged now?
pub fn password_gate(account: Account, failures: FailureRecord, policy: &Policy, now: OffsetDateTime) -> Result<(), Refusal> {
    let gate = match account {
        Account::Office => policy.office_gate(failures.count, failures.last, now),
        Account::User => policy.user_gate(failures.count, failures.last, now),
    };
    match (gate, account) {
        (LoginGate::Open, _) => Ok(()),
        (LoginGate::Locked, _) => Err(Refusal::new(ErrorCode::UserLocked)),
        (LoginGate::WaitUntil(until), Account::Office) => Err(Refusal::wait(ErrorCode::OfficeLocked, until - now)),
        (LoginGate::WaitUntil(until), Account::User) => Err(Refusal::wait(ErrorCode::LoginThrottled, until - now)),
    }
}

/// Whether a wrong password starts the count afresh rather than adding to
/// it: for an office whose earlier lock has run out.
pub fn failure_count_restarts(account: Account, failures: FailureRecord, policy: &Policy, now: OffsetDateTime) -> bool {
    account == Account::Office && policy.office_lock_expired(failures.count, failures.last, now)
}

/// The failed logins in a row once one more try is wrong: one more, or the
/// first of a new count when an earlier lock has run out.
pub fn failures_after_wrong(account: Account, failures: FailureRecord, policy: &Policy, now: OffsetDateTime) -> u32 {
    if failure_count_restarts(account, failures, policy, now) {
        1
    } else {
        failures.count.saturating_add(1)
    }
}

/// The answer to a wrong password, once it is counted (`count` failures in
/// a row now): the lock when that was one too many, else "wrong password" —
/// for the office account with the tries left before its lock (the
/// commonest cause of a failed first login is running into it unawares).
pub fn wrong_password(account: Account, count: u32, policy: &Policy) -> Refusal {
    match account {
        Account::Office if count >= policy.office_max_failures => Refusal::wait(ErrorCode::OfficeLocked, policy.office_lock_duration),
        Account::Office => Refusal::new(ErrorCode::InvalidCredentials).with_tries_left(policy.office_max_failures - count),
        Account::User if count >= policy.user_max_failures => Refusal::new(ErrorCode::UserLocked),
        Account::User => Refusal::new(ErrorCode::InvalidCredentials),
    }
}

/// Whether a right password still works: an initial password (初期パスワード)
/// expires when unused for its lifetime; a chosen one does not.
pub fn initial_password_usable(
    must_change: bool,
    issued_at: Option<OffsetDateTime>,
    policy: &Policy,
    now: OffsetDateTime,
) -> Result<(), ErrorCode> {
    match issued_at {
        Some(issued) if must_change && issued.saturating_add(policy.initial_password_lifetime) <= now => {
            Err(ErrorCode::InitialPasswordExpired)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    #[test]
    fn a_wait_is_at_least_one_second() {
        assert_eq!(Refusal::wait(ErrorCode::LoginThrottled, Duration::milliseconds(300)).retry_after, Some(Duration::seconds(1)));
        assert_eq!(Refusal::wait(ErrorCode::LoginThrottled, Duration::ZERO).retry_after, Some(Duration::seconds(1)));
        assert_eq!(Refusal::wait(ErrorCode::OfficeLocked, Duration::minutes(30)).retry_after, Some(Duration::minutes(30)));
        assert_eq!(Refusal::wait(ErrorCode::CodeResendTooSoon, Duration::milliseconds(59_400)).retry_after, Some(Duration::seconds(60)));
        assert_eq!(Refusal::wait(ErrorCode::LoginThrottled, Duration::MAX).retry_after, Some(Duration::seconds(i64::MAX)));
        assert_eq!(Refusal::wait(ErrorCode::LoginThrottled, Duration::MIN).retry_after, Some(Duration::SECOND));
    }

    /// Found by fuzzing (fuzz/fuzz_targets/rules.rs): the wait was told to
    /// the nanosecond and the service sends its whole seconds (Retry-After),
    /// so staff who waited exactly as told were refused again.
    #[test]
    fn waiting_the_whole_seconds_told_is_enough() {
        let p = Policy::default();
        let locked = failed(3, T0);
        let now = T0 + Duration::minutes(10) + Duration::milliseconds(200);
        let refusal = password_gate(Account::Office, locked, &p, now).unwrap_err();
        assert_eq!(refusal.retry_after, Some(Duration::seconds(20 * 60)));
        let told = Duration::seconds(refusal.retry_after.unwrap().whole_seconds());
        assert_eq!(password_gate(Account::Office, locked, &p, now + told), Ok(()));
        let throttled = failed(5, T0);
        let refusal = password_gate(Account::User, throttled, &p, T0 + Duration::milliseconds(1_500)).unwrap_err();
        assert_eq!(refusal.retry_after, Some(Duration::seconds(3)));
    }

    fn failed(count: u32, at: OffsetDateTime) -> FailureRecord {
        FailureRecord { count, last: Some(at) }
    }

    #[test]
    fn an_office_may_try_until_its_third_failure_then_waits_thirty_minutes() {
        let p = Policy::default();
        assert_eq!(password_gate(Account::Office, FailureRecord::default(), &p, T0), Ok(()));
        assert_eq!(password_gate(Account::Office, failed(2, T0), &p, T0), Ok(()));
        let locked = password_gate(Account::Office, failed(3, T0), &p, T0 + Duration::minutes(10));
        assert_eq!(locked, Err(Refusal::wait(ErrorCode::OfficeLocked, Duration::minutes(20))));
        assert_eq!(
            password_gate(Account::Office, failed(3, T0), &p, T0 + Duration::minutes(30) - Duration::SECOND).map_err(|r| r.code),
            Err(ErrorCode::OfficeLocked)
        );
        assert_eq!(password_gate(Account::Office, failed(3, T0), &p, T0 + Duration::minutes(30)), Ok(()));
    }

    #[test]
    fn the_third_wrong_office_password_locks_and_says_for_how_long() {
        let p = Policy::default();
        assert_eq!(wrong_password(Account::Office, 1, &p), Refusal::new(ErrorCode::InvalidCredentials).with_tries_left(2));
        assert_eq!(wrong_password(Account::Office, 2, &p), Refusal::new(ErrorCode::InvalidCredentials).with_tries_left(1));
        assert_eq!(wrong_password(Account::Office, 3, &p), Refusal::wait(ErrorCode::OfficeLocked, Duration::minutes(30)));
    }

    #[test]
    fn an_office_count_starts_afresh_once_its_lock_has_run_out_and_only_then() {
        let p = Policy::default();
        assert!(!failure_count_restarts(Account::Office, failed(2, T0), &p, T0 + Duration::hours(1)), "no lock yet: keep counting");
        assert!(!failure_count_restarts(Account::Office, failed(3, T0), &p, T0 + Duration::minutes(29)));
        assert!(failure_count_restarts(Account::Office, failed(3, T0), &p, T0 + Duration::minutes(30)));
        assert!(!failure_count_restarts(Account::User, failed(3, T0), &p, T0 + Duration::days(1)), "users never start afresh");
        assert_eq!(failures_after_wrong(Account::Office, FailureRecord::default(), &p, T0), 1);
        assert_eq!(failures_after_wrong(Account::Office, failed(2, T0), &p, T0 + Duration::hours(1)), 3);
        assert_eq!(failures_after_wrong(Account::Office, failed(3, T0), &p, T0 + Duration::minutes(30)), 1, "a lock run out starts afresh");
        assert_eq!(failures_after_wrong(Account::User, failed(3, T0), &p, T0 + Duration::days(1)), 4);
        assert_eq!(failures_after_wrong(Account::User, failed(u32::MAX, T0), &p, T0), u32::MAX, "saturates");
    }

    #[test]
    fn user_delays_grow_from_the_fourth_failure_and_the_hundredth_locks() {
        let p = Policy::default();
        assert_eq!(password_gate(Account::User, failed(2, T0), &p, T0), Ok(()));
        assert_eq!(password_gate(Account::User, failed(3, T0), &p, T0), Err(Refusal::wait(ErrorCode::LoginThrottled, Duration::SECOND)));
        assert_eq!(password_gate(Account::User, failed(3, T0), &p, T0 + Duration::SECOND), Ok(()));
        assert_eq!(password_gate(Account::User, failed(99, T0), &p, T0 + Duration::minutes(15)), Ok(()));
        assert_eq!(password_gate(Account::User, failed(100, T0), &p, T0 + Duration::days(30)), Err(Refusal::new(ErrorCode::UserLocked)));
        assert_eq!(wrong_password(Account::User, 99, &p), Refusal::new(ErrorCode::InvalidCredentials));
        assert_eq!(wrong_password(Account::User, 100, &p), Refusal::new(ErrorCode::UserLocked));
    }

    #[test]
    fn an_unused_initial_password_works_for_seven_days_a_chosen_one_for_ever() {
        let p = Policy::default();
        let edge = T0 + Duration::days(7);
        assert_eq!(initial_password_usable(true, Some(T0), &p, edge - Duration::SECOND), Ok(()));
        assert_eq!(initial_password_usable(true, Some(T0), &p, edge), Err(ErrorCode::InitialPasswordExpired));
        assert_eq!(initial_password_usable(false, Some(T0), &p, edge + Duration::days(100)), Ok(()));
        assert_eq!(initial_password_usable(true, None, &p, edge), Ok(()), "no issue time recorded: nothing to expire");
    }
}
