//! 3-4 「カードの読み取りテスト」: does the reader see a card, and does the
//! card answer as a マイナンバーカード? One command, SELECT of the JPKI
//! application by its AID (as OpenSC's jpki driver does); no PIN, nothing
//! read or kept. Deciding ([`judge`]) is apart from the PC/SC calls.

use crate::catalogue::{Said, Text};
use serde::Serialize;

/// JPKI AP (公的個人認証サービスの利用者証明用・署名用電子証明書のAP).
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

/// SELECT FILE by DF name, no response data wanted (P2 = 0C), as OpenSC's
/// `jpki_select_ap` sends it.
pub fn select_jpki_apdu() -> Vec<u8> {
    let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, JPKI_AID.len() as u8];
    apdu.extend_from_slice(&JPKI_AID);
    apdu
}

/// What the test found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardOutcome {
    /// The card answered the JPKI SELECT with 90 00.
    MyNumberCard,
    /// A card is there, but it does not have the JPKI application.
    NotMyNumberCard,
    /// A reader, but no card on it.
    NoCard,
    /// No card reader (or the smart-card service is not running).
    NoReader,
    /// The card was there but could not be talked to (moved while reading).
    CardUnreadable,
}

/// What the PC/SC calls saw, for [`judge`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderObservation {
    NoService,
    NoReaders,
    NoCard,
    Unreadable,
    /// The status word the card answered the SELECT with.
    Answered([u8; 2]),
}

/// Pure: what an observation means for staff.
pub fn judge(observation: &ReaderObservation) -> CardOutcome {
    match observation {
        ReaderObservation::NoService | ReaderObservation::NoReaders => CardOutcome::NoReader,
        ReaderObservation::NoCard => CardOutcome::NoCard,
        ReaderObservation::Unreadable => CardOutcome::CardUnreadable,
        ReaderObservation::Answered([0x90, 0x00]) => CardOutcome::MyNumberCard,
        ReaderObservation::Answered(_) => CardOutcome::NotMyNumberCard,
    }
}

impl CardOutcome {
    pub fn passed(self) -> bool {
        self == CardOutcome::MyNumberCard
    }

    /// What staff read, and what to do.
    pub fn text(self) -> Text {
        match self {
            CardOutcome::MyNumberCard => Text::CardMyNumberCard,
            CardOutcome::NotMyNumberCard => Text::CardNotMyNumberCard,
            CardOutcome::NoCard => Text::CardNoCard,
            CardOutcome::NoReader => Text::CardNoReader,
            CardOutcome::CardUnreadable => Text::CardUnreadable,
        }
    }
}

/// The outcome, with the reader it was found on.
#[derive(Debug, Clone, Serialize)]
pub struct CardCheck {
    pub outcome: CardOutcome,
    pub passed: bool,
    pub reader: Option<String>,
    #[serde(flatten)]
    pub said: Said,
}

/// Looks at the readers through PC/SC: the first reader with a card is
/// asked; with none, the first reader tells "no card".
pub fn observe() -> (ReaderObservation, Option<String>) {
    let ctx = match pcsc::Context::establish(pcsc::Scope::User) {
        Ok(c) => c,
        Err(e) => {
            tracing::info!(error = %e, "no PC/SC service");
            return (ReaderObservation::NoService, None);
        }
    };
    let readers = match ctx.list_readers_owned() {
        Ok(r) if !r.is_empty() => r,
        Ok(_) | Err(pcsc::Error::NoReadersAvailable) => return (ReaderObservation::NoReaders, None),
        Err(e) => {
            tracing::info!(error = %e, "readers not listed");
            return (ReaderObservation::NoService, None);
        }
    };
    let mut first_empty = None;
    for reader in &readers {
        let name = reader.to_string_lossy().into_owned();
        let card = match ctx.connect(reader, pcsc::ShareMode::Shared, pcsc::Protocols::ANY) {
            Ok(card) => card,
            Err(pcsc::Error::NoSmartcard) | Err(pcsc::Error::RemovedCard) => {
                first_empty.get_or_insert(name);
                continue;
            }
            Err(e) => {
                tracing::info!(error = %e, reader = %name, "card not connected");
                return (ReaderObservation::Unreadable, Some(name));
            }
        };
        let mut response = [0u8; pcsc::MAX_BUFFER_SIZE];
        let observation = match card.transmit(&select_jpki_apdu(), &mut response) {
            Ok(r) if r.len() >= 2 => ReaderObservation::Answered([r[r.len() - 2], r[r.len() - 1]]),
            Ok(_) => ReaderObservation::Unreadable,
            Err(e) => {
                tracing::info!(error = %e, reader = %name, "SELECT not answered");
                ReaderObservation::Unreadable
            }
        };
        let _ = card.disconnect(pcsc::Disposition::LeaveCard);
        return (observation, Some(name));
    }
    (ReaderObservation::NoCard, first_empty)
}

/// Runs the test once.
pub fn check_card() -> CardCheck {
    let (observation, reader) = observe();
    let outcome = judge(&observation);
    CardCheck { outcome, passed: outcome.passed(), reader, said: outcome.text().said(&kaigo_domain::Policy::default(), &[]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_select_is_the_one_opensc_sends() {
        assert_eq!(select_jpki_apdu(), [0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);
    }

    #[test]
    fn only_90_00_is_a_my_number_card() {
        assert_eq!(judge(&ReaderObservation::Answered([0x90, 0x00])), CardOutcome::MyNumberCard);
        for sw in [[0x6A, 0x82], [0x6D, 0x00], [0x90, 0x01], [0x61, 0x10]] {
            assert_eq!(judge(&ReaderObservation::Answered(sw)), CardOutcome::NotMyNumberCard, "{sw:02X?}");
        }
        assert_eq!(judge(&ReaderObservation::NoService), CardOutcome::NoReader);
        assert_eq!(judge(&ReaderObservation::NoReaders), CardOutcome::NoReader);
        assert_eq!(judge(&ReaderObservation::NoCard), CardOutcome::NoCard);
        assert_eq!(judge(&ReaderObservation::Unreadable), CardOutcome::CardUnreadable);
    }
}
