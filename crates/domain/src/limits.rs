//! Lifetimes, attempt counts and lockouts. Every function takes `now`.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The time limits and counts of Step 3. `Default` is the real service's rule;
/// operators may change the code lifetime (see SECURITY.md for why 30 min).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Policy {
    /// ワンタイム認証コードの有効期間 (30 minutes in the seed).
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub one_time_code_lifetime: Duration,
    /// Wrong entries allowed for one code before it is void.
    pub one_time_code_max_attempts: u32,
    /// Minimum wait before another code may be sent for the same login.
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub one_time_code_resend_interval: Duration,
    /// How long a PC stays trusted after "remember this PC" (24 h).
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub device_trust_lifetime: Duration,
    /// How long an unused initial password (初期パスワード) works; after that
    /// an office user reissues it.
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub initial_password_lifetime: Duration,
    /// Failed office logins (事業所ユーザ) before the lock.
    pub office_max_failures: u32,
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub office_lock_duration: Duration,
    /// Consecutive failed user logins after which the account is locked
    /// until an office user unlocks it (NIST SP 800-63B: at most 100).
    pub user_max_failures: u32,
    /// Failures allowed before delays start for user logins.
    pub user_free_failures: u32,
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub user_max_delay: Duration,
    /// Time a login (password accepted, code pending) may stay open.
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub login_challenge_lifetime: Duration,
    /// Idle and absolute lifetime of a session.
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub session_idle_lifetime: Duration,
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub session_absolute_lifetime: Duration,
    /// Time a terminal has to sign its link challenge.
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub terminal_challenge_lifetime: Duration,
    /// How long a terminal's activation code (利用開始コード) can be redeemed.
    #[schema(value_type = i64)]
    #[serde(with = "seconds")]
    pub terminal_activation_lifetime: Duration,
    /// Wrong activation codes allowed for one terminal before its code is void.
    pub terminal_activation_max_attempts: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            one_time_code_lifetime: Duration::minutes(30),
            one_time_code_max_attempts: 5,
            one_time_code_resend_interval: Duration::seconds(60),
            device_trust_lifetime: Duration::hours(24),
            initial_password_lifetime: Duration::days(7),
            office_max_failures: 3,
            office_lock_duration: Duration::minutes(30),
            user_max_failures: 100,
            user_free_failures: 3,
            user_max_delay: Duration::minutes(15),
            login_challenge_lifetime: Duration::minutes(40),
            session_idle_lifetime: Duration::minutes(30),
            session_absolute_lifetime: Duration::hours(8),
            terminal_challenge_lifetime: Duration::minutes(10),
            terminal_activation_lifetime: Duration::minutes(15),
            terminal_activation_max_attempts: 5,
        }
    }
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

/// How usable a client certificate is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    /// Less than [`CERTIFICATE_WARNING_DAYS`] left: renew it soon.
    ExpiresSoon,
    NotYetValid,
    Expired,
}

/// Days before expiry from which the app warns.
pub const CERTIFICATE_WARNING_DAYS: i64 = 90;

pub fn certificate_status(not_before: OffsetDateTime, not_after: OffsetDateTime, now: OffsetDateTime) -> CertificateStatus {
    if now < not_before {
        CertificateStatus::NotYetValid
    } else if now >= not_after {
        CertificateStatus::Expired
    } else if not_after - now < Duration::days(CERTIFICATE_WARNING_DAYS) {
        CertificateStatus::ExpiresSoon
    } else {
        CertificateStatus::Valid
    }
}

/// Durations travel as whole seconds.
mod seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.whole_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        i64::deserialize(d).map(Duration::seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    #[test]
    fn certificates_warn_from_90_days_and_refuse_when_expired() {
        let from = T0 - Duration::days(300);
        assert_eq!(certificate_status(from, T0 + Duration::days(91), T0), CertificateStatus::Valid);
        assert_eq!(certificate_status(from, T0 + Duration::days(89), T0), CertificateStatus::ExpiresSoon);
        assert_eq!(certificate_status(from, T0, T0), CertificateStatus::Expired);
        assert_eq!(certificate_status(T0 + Duration::days(1), T0 + Duration::days(400), T0), CertificateStatus::NotYetValid);
    }

    #[test]
    fn a_policy_travels_as_seconds_and_arrives_the_same() {
        let p = Policy { one_time_code_lifetime: Duration::minutes(10), ..Policy::default() };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["one_time_code_lifetime"], 600);
        assert_eq!(serde_json::from_value::<Policy>(json).unwrap(), p);
    }

    #[test]
    fn defaults_are_the_services_rules() {
        let p = Policy::default();
        assert_eq!(p.one_time_code_lifetime, Duration::minutes(30));
        assert_eq!(p.one_time_code_max_attempts, 5);
        assert_eq!(p.device_trust_lifetime, Duration::hours(24));
        assert_eq!((p.office_max_failures, p.office_lock_duration), (3, Duration::minutes(30)));
        assert!(p.user_max_failures <= 100);
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
    /// from the wire) made `now + span` panic in every rule that sets a deadline.
    #[test]
    fn spans_beyond_the_calendar_end_at_its_last_instant_instead_of_panicking() {
        use crate::challenge::{login_challenge_expiry, LoginChallenge, PendingCode};
        use crate::login::{initial_password_usable, password_gate, Account, FailureRecord};
        use crate::session::{device_trust_expiry, session_expiry, SessionRecord};
        use crate::terminal::{terminal_activation_expiry, terminal_challenge_expiry};
        use crate::ErrorCode;
        let forever = Duration::minutes(10_000_000_000);
        let p = Policy {
            one_time_code_lifetime: forever,
            one_time_code_resend_interval: forever,
            device_trust_lifetime: forever,
            initial_password_lifetime: forever,
            office_lock_duration: forever,
            user_max_delay: forever,
            login_challenge_lifetime: forever,
            session_idle_lifetime: forever,
            session_absolute_lifetime: forever,
            terminal_challenge_lifetime: forever,
            terminal_activation_lifetime: forever,
            ..Policy::default()
        };
        let end = datetime!(9999-12-31 23:59:59.999_999_999 UTC);
        let login = LoginChallenge { owned_by_caller: true, completed: false, expires_at: end, code: None };
        let times = login.send_code(&p, T0).unwrap();
        assert_eq!((times.expires_at, times.resend_allowed_at), (end, end));
        let sent = LoginChallenge { code: Some(PendingCode { sent_at: T0, expires_at: end, wrong_tries: 0 }), ..login };
        assert_eq!(sent.send_code(&p, T0).unwrap_err().code, ErrorCode::CodeResendTooSoon);
        assert_eq!(login_challenge_expiry(&p, T0), end);
        assert_eq!(p.office_gate(3, Some(T0), T0), LoginGate::WaitUntil(end));
        assert_eq!(
            password_gate(Account::Office, FailureRecord { count: 3, last: Some(T0) }, &p, T0).unwrap_err().code,
            ErrorCode::OfficeLocked
        );
        assert_eq!(p.user_gate(60, Some(end), end - Duration::SECOND), LoginGate::WaitUntil(end));
        assert_eq!(initial_password_usable(true, Some(T0), &p, T0), Ok(()));
        assert_eq!(
            SessionRecord { owned_by_caller: true, revoked: false, last_seen: T0, expires_at: session_expiry(&p, T0) }.in_force(&p, T0),
            Ok(false)
        );
        assert_eq!([device_trust_expiry(&p, T0), terminal_activation_expiry(&p, T0), terminal_challenge_expiry(&p, T0)], [end, end, end]);
        // And a span as far back: the deadline is already past.
        let past = Policy { one_time_code_lifetime: -forever, ..Policy::default() };
        assert_eq!(login.send_code(&past, T0).unwrap().expires_at, datetime!(-9999-01-01 0:00 UTC));
    }

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
}
