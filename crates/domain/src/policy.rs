//! The time limits and counts of Step 3 (the policy in force). Only the
//! numbers live here; the rules that use them are in their own modules.

use serde::{Deserialize, Serialize};
use time::Duration;

/// 研修: the most seats a class may have (`class::ClassPolicy`).
pub const CLASS_MAX_SEATS: u32 = 1000;
/// 研修: the longest a class may run before it is deleted.
pub const CLASS_MAX_LENGTH: Duration = Duration::days(7);
/// 本番の日: how long a value copied by its copy button stays on the
/// clipboard — time to switch to Edge and paste it, not to linger.
pub const COPIED_VALUE_LIFETIME: Duration = Duration::seconds(60);

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
    use crate::login::LoginGate;
    use time::macros::datetime;
    use time::OffsetDateTime;

    const T0: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

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
}
