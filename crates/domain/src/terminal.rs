//! 3-4 マイナ資格確認アプリの事前設定: a terminal is issued with a one-time
//! activation code (利用開始コード); the device redeems it with its public
//! key, then proves it holds the private half by signing a challenge.
//! Pure: the caller loads, asks, writes.

use crate::error::ErrorCode;
use crate::policy::Policy;
use crate::refusal::Refusal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// 資格確認端末の種類: where the マイナ資格確認アプリ runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TerminalKind {
    /// このPC: the Windows PC the onboarding app runs on (app from the Microsoft Store).
    ThisPc,
    /// スマートフォン・タブレット: an iPhone or Android device (NFC or a reader).
    Mobile,
}

impl TerminalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TerminalKind::ThisPc => "this_pc",
            TerminalKind::Mobile => "mobile",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ErrorCode> {
        match s {
            "this_pc" => Ok(TerminalKind::ThisPc),
            "mobile" => Ok(TerminalKind::Mobile),
            _ => Err(ErrorCode::TerminalKindInvalid),
        }
    }
}

/// An activation code's state, as stored (the code itself only as a MAC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activation {
    pub expires_at: OffsetDateTime,
    pub wrong_entries: u32,
}

/// Where a terminal stands, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalLink {
    /// Issued: its activation code waits for the device.
    AwaitingDevice(Activation),
    /// The device redeemed the code with its key; it has yet to sign.
    Pending {
        challenge_expires_at: Option<OffsetDateTime>,
    },
    Linked,
}

impl TerminalLink {
    /// May a device redeem this terminal's activation code now?
    pub fn activation_redeemable(&self, policy: &Policy, now: OffsetDateTime) -> Result<(), ErrorCode> {
        match self {
            TerminalLink::AwaitingDevice(a) if a.wrong_entries >= policy.terminal_activation_max_attempts || a.expires_at <= now => {
                Err(ErrorCode::ActivationCodeExpired)
            }
            TerminalLink::AwaitingDevice(_) => Ok(()),
            TerminalLink::Pending { .. } | TerminalLink::Linked => Err(ErrorCode::ActivationCodeUsed),
        }
    }

    /// A new activation code is issued for any terminal not yet linked (the
    /// old code, key and challenge are then void).
    pub fn activation_reissuable(&self) -> Result<(), ErrorCode> {
        match self {
            TerminalLink::Linked => Err(ErrorCode::TerminalAlreadyLinked),
            _ => Ok(()),
        }
    }

    /// May the device's signature be judged now? A terminal already linked
    /// says so; otherwise its challenge must still be open.
    pub fn proof_acceptable(&self, now: OffsetDateTime) -> Result<(), ErrorCode> {
        match self {
            TerminalLink::Linked => Err(ErrorCode::TerminalAlreadyLinked),
            _ => self.challenge_answerable(now),
        }
    }

    /// May the terminal answer its challenge now?
    pub fn challenge_answerable(&self, now: OffsetDateTime) -> Result<(), ErrorCode> {
        match self {
            TerminalLink::Pending { challenge_expires_at: Some(t) } if *t > now => Ok(()),
            _ => Err(ErrorCode::TerminalChallengeExpired),
        }
    }
}

/// The answer to a wrong activation code, once counted (`wrong_entries` now):
/// how many tries are left, or that the code is void.
pub fn wrong_activation_code(wrong_entries: u32, policy: &Policy) -> Refusal {
    let left = policy.terminal_activation_max_attempts.saturating_sub(wrong_entries);
    if left == 0 {
        Refusal::new(ErrorCode::ActivationCodeExpired)
    } else {
        Refusal::new(ErrorCode::ActivationCodeIncorrect).with_tries_left(left)
    }
}

/// An ID no terminal has, judged as a terminal waiting for its device since
/// the first wrong code sent for it (`first_try`, or `now` for the first):
/// its answers count down and expire as a real one's do, so they never tell
/// which IDs exist.
pub fn unknown_terminal(first_try: Option<OffsetDateTime>, wrong_entries: u32, policy: &Policy, now: OffsetDateTime) -> TerminalLink {
    TerminalLink::AwaitingDevice(Activation { expires_at: terminal_activation_expiry(policy, first_try.unwrap_or(now)), wrong_entries })
}

pub fn terminal_activation_expiry(policy: &Policy, now: OffsetDateTime) -> OffsetDateTime {
    now.saturating_add(policy.terminal_activation_lifetime)
}

pub fn terminal_challenge_expiry(policy: &Policy, now: OffsetDateTime) -> OffsetDateTime {
    now.saturating_add(policy.terminal_challenge_lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    const T0: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    fn awaiting(p: &Policy, wrong_entries: u32) -> TerminalLink {
        TerminalLink::AwaitingDevice(Activation { expires_at: terminal_activation_expiry(p, T0), wrong_entries })
    }

    #[test]
    fn an_activation_code_works_for_its_lifetime_and_only_once() {
        let p = Policy::default();
        let life = p.terminal_activation_lifetime;
        assert_eq!(awaiting(&p, 0).activation_redeemable(&p, T0 + life - Duration::SECOND), Ok(()));
        assert_eq!(awaiting(&p, 0).activation_redeemable(&p, T0 + life), Err(ErrorCode::ActivationCodeExpired));
        assert_eq!(awaiting(&p, 0).activation_redeemable(&p, T0 + life + Duration::SECOND), Err(ErrorCode::ActivationCodeExpired));
        let redeemed = TerminalLink::Pending { challenge_expires_at: Some(terminal_challenge_expiry(&p, T0)) };
        assert_eq!(redeemed.activation_redeemable(&p, T0), Err(ErrorCode::ActivationCodeUsed));
        assert_eq!(TerminalLink::Linked.activation_redeemable(&p, T0), Err(ErrorCode::ActivationCodeUsed));
    }

    #[test]
    fn wrong_codes_count_down_to_a_void_code() {
        let p = Policy::default();
        let max = p.terminal_activation_max_attempts;
        assert_eq!(wrong_activation_code(1, &p), Refusal::new(ErrorCode::ActivationCodeIncorrect).with_tries_left(max - 1));
        assert_eq!(wrong_activation_code(max - 1, &p).tries_left, Some(1));
        assert_eq!(wrong_activation_code(max, &p), Refusal::new(ErrorCode::ActivationCodeExpired));
        assert_eq!(awaiting(&p, max - 1).activation_redeemable(&p, T0), Ok(()));
        assert_eq!(awaiting(&p, max).activation_redeemable(&p, T0), Err(ErrorCode::ActivationCodeExpired));
    }

    #[test]
    fn a_new_code_is_issued_for_any_terminal_not_yet_linked() {
        let p = Policy::default();
        assert_eq!(awaiting(&p, 5).activation_reissuable(), Ok(()));
        assert_eq!(TerminalLink::Pending { challenge_expires_at: None }.activation_reissuable(), Ok(()));
        assert_eq!(TerminalLink::Linked.activation_reissuable(), Err(ErrorCode::TerminalAlreadyLinked));
    }

    #[test]
    fn a_challenge_is_answerable_for_ten_minutes_and_only_while_pending() {
        let p = Policy::default();
        let pending = TerminalLink::Pending { challenge_expires_at: Some(terminal_challenge_expiry(&p, T0)) };
        assert_eq!(pending.challenge_answerable(T0 + Duration::minutes(10) - Duration::SECOND), Ok(()));
        assert_eq!(pending.challenge_answerable(T0 + Duration::minutes(10)), Err(ErrorCode::TerminalChallengeExpired));
        assert_eq!(TerminalLink::Pending { challenge_expires_at: None }.challenge_answerable(T0), Err(ErrorCode::TerminalChallengeExpired));
        assert_eq!(TerminalLink::Linked.challenge_answerable(T0), Err(ErrorCode::TerminalChallengeExpired));
        assert_eq!(awaiting(&p, 0).challenge_answerable(T0), Err(ErrorCode::TerminalChallengeExpired));
    }

    #[test]
    fn kinds_round_trip_and_others_are_refused() {
        for k in [TerminalKind::ThisPc, TerminalKind::Mobile] {
            assert_eq!(TerminalKind::parse(k.as_str()), Ok(k));
        }
        assert_eq!(TerminalKind::parse("tablet"), Err(ErrorCode::TerminalKindInvalid));
    }

    #[test]
    fn a_proof_for_a_linked_terminal_says_it_is_linked() {
        let p = Policy::default();
        let pending = TerminalLink::Pending { challenge_expires_at: Some(terminal_challenge_expiry(&p, T0)) };
        assert_eq!(pending.proof_acceptable(T0), Ok(()));
        assert_eq!(pending.proof_acceptable(T0 + Duration::minutes(10)), Err(ErrorCode::TerminalChallengeExpired));
        assert_eq!(TerminalLink::Linked.proof_acceptable(T0), Err(ErrorCode::TerminalAlreadyLinked));
        assert_eq!(awaiting(&p, 0).proof_acceptable(T0), Err(ErrorCode::TerminalChallengeExpired));
    }
}
