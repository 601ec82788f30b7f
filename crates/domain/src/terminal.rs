//! 3-4: a terminal's link challenge — whether it can still be answered or
//! renewed. Pure: the caller loads, asks, writes.

use crate::{ErrorCode, Policy};
use time::OffsetDateTime;

/// Where a terminal stands, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalLink {
    /// Registered; it has yet to prove it holds its key.
    Pending { challenge_expires_at: Option<OffsetDateTime> },
    Linked,
}

impl TerminalLink {
    /// May the terminal answer its challenge now?
    pub fn challenge_answerable(&self, now: OffsetDateTime) -> Result<(), ErrorCode> {
        match self {
            TerminalLink::Pending { challenge_expires_at: Some(t) } if *t > now => Ok(()),
            _ => Err(ErrorCode::TerminalChallengeExpired),
        }
    }

    /// Only a terminal still proving itself gets a new challenge.
    pub fn challenge_renewable(&self) -> Result<(), ErrorCode> {
        match self {
            TerminalLink::Pending { .. } => Ok(()),
            TerminalLink::Linked => Err(ErrorCode::TerminalChallengeExpired),
        }
    }
}

pub fn terminal_challenge_expiry(policy: &Policy, now: OffsetDateTime) -> OffsetDateTime {
    now + policy.terminal_challenge_lifetime
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    const T0: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    #[test]
    fn a_challenge_is_answerable_for_ten_minutes_and_only_while_pending() {
        let p = Policy::default();
        let pending = TerminalLink::Pending { challenge_expires_at: Some(terminal_challenge_expiry(&p, T0)) };
        assert_eq!(pending.challenge_answerable(T0 + Duration::minutes(10) - Duration::SECOND), Ok(()));
        assert_eq!(pending.challenge_answerable(T0 + Duration::minutes(10)), Err(ErrorCode::TerminalChallengeExpired));
        assert_eq!(TerminalLink::Pending { challenge_expires_at: None }.challenge_answerable(T0), Err(ErrorCode::TerminalChallengeExpired));
        assert_eq!(TerminalLink::Linked.challenge_answerable(T0), Err(ErrorCode::TerminalChallengeExpired));
    }

    #[test]
    fn only_a_pending_terminal_gets_a_new_challenge() {
        assert_eq!(TerminalLink::Pending { challenge_expires_at: None }.challenge_renewable(), Ok(()));
        assert_eq!(TerminalLink::Linked.challenge_renewable(), Err(ErrorCode::TerminalChallengeExpired));
    }
}
