//! Sessions and remembered PCs: whether a presented one is still in force.
//! Pure: the caller loads, asks, writes.

use crate::error::ErrorCode;
use crate::policy::Policy;
use time::{Duration, OffsetDateTime};

/// A bearer session, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRecord {
    /// Presented for the right kind of call, over the certificate it was
    /// opened with.
    pub owned_by_caller: bool,
    pub revoked: bool,
    pub last_seen: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// The idle time is written at most this often, so reads stay reads.
pub const SESSION_TOUCH_INTERVAL: Duration = Duration::minutes(1);

impl SessionRecord {
    /// In force: owned, not revoked, neither idle too long nor past its end.
    /// `Ok(true)` when its last-seen time should be written now.
    pub fn in_force(&self, policy: &Policy, now: OffsetDateTime) -> Result<bool, ErrorCode> {
        let idle_end = self.last_seen.saturating_add(policy.session_idle_lifetime);
        if self.owned_by_caller && !self.revoked && self.expires_at > now && idle_end > now {
            Ok(now - self.last_seen > SESSION_TOUCH_INTERVAL)
        } else {
            Err(ErrorCode::Unauthenticated)
        }
    }
}

/// When a session opened now ends, however busy.
pub fn session_expiry(policy: &Policy, now: OffsetDateTime) -> OffsetDateTime {
    now.saturating_add(policy.session_absolute_lifetime)
}

/// 「このPCを記憶する」: a PC trusted to skip the code for a while, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceTrustRecord {
    /// Issued to this user, for the certificate presented now.
    pub owned_by_caller: bool,
    pub revoked: bool,
    pub expires_at: OffsetDateTime,
}

impl DeviceTrustRecord {
    pub fn trusted(&self, now: OffsetDateTime) -> bool {
        self.owned_by_caller && !self.revoked && self.expires_at > now
    }
}

pub fn device_trust_expiry(policy: &Policy, now: OffsetDateTime) -> OffsetDateTime {
    now.saturating_add(policy.device_trust_lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    fn session(last_seen: OffsetDateTime) -> SessionRecord {
        SessionRecord { owned_by_caller: true, revoked: false, last_seen, expires_at: T0 + Duration::hours(8) }
    }

    #[test]
    fn a_session_ends_after_thirty_idle_minutes_or_eight_hours() {
        let p = Policy::default();
        assert_eq!(session_expiry(&p, T0), T0 + Duration::hours(8));
        assert_eq!(session(T0).in_force(&p, T0 + Duration::minutes(30) - Duration::SECOND), Ok(true));
        assert_eq!(session(T0).in_force(&p, T0 + Duration::minutes(30)), Err(ErrorCode::Unauthenticated));
        let busy = session(T0 + Duration::hours(8) - Duration::minutes(1));
        assert_eq!(busy.in_force(&p, T0 + Duration::hours(8) - Duration::SECOND), Ok(false));
        assert_eq!(busy.in_force(&p, T0 + Duration::hours(8)), Err(ErrorCode::Unauthenticated));
    }

    #[test]
    fn a_session_is_refused_to_anyone_but_its_owner_and_after_revocation() {
        let p = Policy::default();
        assert_eq!(SessionRecord { owned_by_caller: false, ..session(T0) }.in_force(&p, T0), Err(ErrorCode::Unauthenticated));
        assert_eq!(SessionRecord { revoked: true, ..session(T0) }.in_force(&p, T0), Err(ErrorCode::Unauthenticated));
    }

    #[test]
    fn the_last_seen_time_is_written_at_most_once_a_minute() {
        let p = Policy::default();
        assert_eq!(session(T0).in_force(&p, T0 + Duration::minutes(1)), Ok(false));
        assert_eq!(session(T0).in_force(&p, T0 + Duration::minutes(1) + Duration::MILLISECOND), Ok(true));
    }

    #[test]
    fn a_remembered_pc_is_trusted_for_twenty_four_hours_unless_revoked() {
        let p = Policy::default();
        let trust = DeviceTrustRecord { owned_by_caller: true, revoked: false, expires_at: device_trust_expiry(&p, T0) };
        assert!(trust.trusted(T0 + Duration::hours(24) - Duration::SECOND));
        assert!(!trust.trusted(T0 + Duration::hours(24)));
        assert!(!DeviceTrustRecord { revoked: true, ..trust }.trusted(T0));
        assert!(!DeviceTrustRecord { owned_by_caller: false, ..trust }.trusted(T0));
    }
}
