//! The password step of a login — one algorithm for the office user
//! (事業所ユーザ, 3-1) and for admin and general users (3-3): whether a
//! password may be judged now, what a wrong one leads to, and whether an
//! initial password still works. Pure: the caller loads, asks, writes.

use crate::error::ErrorCode;
use crate::policy::Policy;
use crate::refusal::Refusal;
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

/// Whether a login attempt may be judged now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginGate {
    Open,
    /// Locked or throttled until the given instant.
    WaitUntil(OffsetDateTime),
    /// Locked until someone unlocks the account.
    Locked,
}

impl Policy {
    /// 事業所ユーザ: locked for 30 minutes once 3 logins in a row have failed.
    pub fn office_gate(&self, failures: u32, last_failure: Option<OffsetDateTime>, now: OffsetDateTime) -> LoginGate {
        match last_failure {
            Some(at) if failures >= self.office_max_failures => {
                let until = at.saturating_add(self.office_lock_duration);
                if now < until {
                    LoginGate::WaitUntil(until)
                } else {
                    LoginGate::Open
                }
            }
            _ => LoginGate::Open,
        }
    }

    /// Whether the office's failure count starts afresh (the lock has run out).
    pub fn office_lock_expired(&self, failures: u32, last_failure: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        failures >= self.office_max_failures && self.office_gate(failures, last_failure, now) == LoginGate::Open
    }

    /// 管理者・一般ユーザ: after a few free failures each further one doubles
    /// the wait (1 s, 2 s, 4 s … up to 15 min); at 100 the account locks.
    pub fn user_gate(&self, failures: u32, last_failure: Option<OffsetDateTime>, now: OffsetDateTime) -> LoginGate {
        if failures >= self.user_max_failures {
            return LoginGate::Locked;
        }
        let Some(at) = last_failure else { return LoginGate::Open };
        if failures < self.user_free_failures {
            return LoginGate::Open;
        }
        let exponent = (failures - self.user_free_failures).min(20);
        let delay = Duration::seconds(1i64 << exponent).min(self.user_max_delay);
        let until = at.saturating_add(delay);
        if now < until {
            LoginGate::WaitUntil(until)
        } else {
            LoginGate::Open
        }
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

/// Whose account a login ID names, seen from the client certificate the
/// login came with. Only the certificate's own office's accounts are
/// judged as such: the answers must tell nothing about which IDs exist
/// elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdHolder {
    /// An account of the certificate's own office.
    OwnOffice,
    /// An account of another office.
    OtherOffice,
    /// Nobody has this ID.
    Nobody,
}

/// Whose failure record a try counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedAgainst {
    /// The account the ID names.
    Holder,
    /// The stand-in (for the office login, the certificate's own office),
    /// or nobody where there is none: one office must never lock another out.
    StandIn,
}

pub fn counted_against(holder: IdHolder) -> CountedAgainst {
    match holder {
        IdHolder::OwnOffice => CountedAgainst::Holder,
        IdHolder::OtherOffice | IdHolder::Nobody => CountedAgainst::StandIn,
    }
}

/// Why a login's password step failed, as the audit trail records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrongLogin {
    /// The own office's account, a wrong password.
    InvalidPassword,
    /// Another office's account, a wrong password.
    OtherOfficeId,
    /// No such ID.
    UnknownId,
}

/// The password step's outcome, once the password was compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordVerdict {
    Accepted,
    /// The right password of another office's account: said plainly
    /// (`certificate_office_mismatch`), and no failure of anyone's.
    OtherOfficesAccount,
    Wrong(WrongLogin),
}

pub fn password_verdict(holder: IdHolder, right: bool) -> PasswordVerdict {
    match (holder, right) {
        (IdHolder::OwnOffice, true) => PasswordVerdict::Accepted,
        (IdHolder::OtherOffice, true) => PasswordVerdict::OtherOfficesAccount,
        (IdHolder::OwnOffice, false) => PasswordVerdict::Wrong(WrongLogin::InvalidPassword),
        (IdHolder::OtherOffice, false) => PasswordVerdict::Wrong(WrongLogin::OtherOfficeId),
        (IdHolder::Nobody, _) => PasswordVerdict::Wrong(WrongLogin::UnknownId),
    }
}

impl PasswordVerdict {
    /// The answer to staff: none when accepted; for a wrong try counted as
    /// the `counted`th failure in a row, what that count leads to.
    pub fn refusal(self, account: Account, counted: Option<u32>, policy: &Policy) -> Option<Refusal> {
        match (self, counted) {
            (PasswordVerdict::Accepted, _) => None,
            (PasswordVerdict::OtherOfficesAccount, _) => Some(Refusal::new(ErrorCode::CertificateOfficeMismatch)),
            (PasswordVerdict::Wrong(_), Some(count)) => Some(wrong_password(account, count, policy)),
            (PasswordVerdict::Wrong(_), None) => Some(Refusal::new(ErrorCode::InvalidCredentials)),
        }
    }
}

/// Whether a right password still works: an initial password (初期パスワード)
/// expires when unused for its lifetime; a chosen one does not.
pub fn initial_password_usable(
    must_change: bool, issued_at: Option<OffsetDateTime>, policy: &Policy, now: OffsetDateTime,
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

    #[test]
    fn office_locks_for_thirty_minutes_after_the_third_failure() {
        let p = Policy::default();
        assert_eq!(p.office_gate(2, Some(T0), T0), LoginGate::Open);
        assert_eq!(p.office_gate(3, Some(T0), T0 + Duration::minutes(29)), LoginGate::WaitUntil(T0 + Duration::minutes(30)));
        assert_eq!(p.office_gate(3, Some(T0), T0 + Duration::minutes(30)), LoginGate::Open);
        assert!(p.office_lock_expired(3, Some(T0), T0 + Duration::minutes(30)));
        assert!(!p.office_lock_expired(2, Some(T0), T0 + Duration::minutes(30)));
    }

    /// Found by fuzzing (fuzz/fuzz_targets/rules.rs): a span beyond the
    /// calendar (`KAIGO_CODE_LIFETIME_MINUTES=10000000000`, or a policy read

    #[test]
    fn user_delays_double_then_cap_then_lock_at_one_hundred() {
        let p = Policy::default();
        assert_eq!(p.user_gate(2, Some(T0), T0), LoginGate::Open);
        assert_eq!(p.user_gate(3, Some(T0), T0), LoginGate::WaitUntil(T0 + Duration::seconds(1)));
        assert_eq!(p.user_gate(6, Some(T0), T0), LoginGate::WaitUntil(T0 + Duration::seconds(8)));
        assert_eq!(p.user_gate(6, Some(T0), T0 + Duration::seconds(8)), LoginGate::Open);
        assert_eq!(p.user_gate(60, Some(T0), T0), LoginGate::WaitUntil(T0 + Duration::minutes(15)));
        assert_eq!(p.user_gate(100, Some(T0), T0 + Duration::days(1)), LoginGate::Locked);
    }

    #[test]
    fn only_the_own_offices_accounts_are_judged_and_a_wrong_try_never_counts_against_another_office() {
        use IdHolder::*;
        assert_eq!(counted_against(OwnOffice), CountedAgainst::Holder);
        assert_eq!(counted_against(OtherOffice), CountedAgainst::StandIn);
        assert_eq!(counted_against(Nobody), CountedAgainst::StandIn);
        assert_eq!(password_verdict(OwnOffice, true), PasswordVerdict::Accepted);
        assert_eq!(password_verdict(OtherOffice, true), PasswordVerdict::OtherOfficesAccount);
        assert_eq!(password_verdict(OwnOffice, false), PasswordVerdict::Wrong(WrongLogin::InvalidPassword));
        assert_eq!(password_verdict(OtherOffice, false), PasswordVerdict::Wrong(WrongLogin::OtherOfficeId));
        assert_eq!(password_verdict(Nobody, false), PasswordVerdict::Wrong(WrongLogin::UnknownId));
        assert_eq!(password_verdict(Nobody, true), PasswordVerdict::Wrong(WrongLogin::UnknownId), "no account, nothing to accept");
    }

    #[test]
    fn a_wrong_try_is_answered_by_its_count_and_another_offices_right_password_plainly() {
        let p = Policy::default();
        let wrong = PasswordVerdict::Wrong(WrongLogin::UnknownId);
        assert_eq!(PasswordVerdict::Accepted.refusal(Account::Office, Some(1), &p), None);
        assert_eq!(wrong.refusal(Account::Office, Some(1), &p), Some(Refusal::new(ErrorCode::InvalidCredentials).with_tries_left(2)));
        assert_eq!(wrong.refusal(Account::Office, Some(3), &p).map(|r| r.code), Some(ErrorCode::OfficeLocked));
        assert_eq!(wrong.refusal(Account::User, None, &p), Some(Refusal::new(ErrorCode::InvalidCredentials)), "counted against nobody");
        assert_eq!(
            PasswordVerdict::OtherOfficesAccount.refusal(Account::User, Some(1), &p),
            Some(Refusal::new(ErrorCode::CertificateOfficeMismatch))
        );
    }
}
