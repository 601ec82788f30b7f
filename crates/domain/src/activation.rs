//! 利用開始コード: the one-time activation code a terminal redeems to be
//! linked to its office (3-4). The service makes it, the admin reads it off
//! the screen or shows it as a QR code, the device types or scans it.

use crate::error::ErrorCode;
use crate::normalize::half_width;
use serde::{Deserialize, Serialize};

/// A code of [`ActivationCode::LEN`] characters from [`ActivationCode::ALPHABET`],
/// shown in groups of four (`ABCD-EFGH-JKLM`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ActivationCode(String);

impl ActivationCode {
    /// Upper-case letters and digits without the ones read alike (0/O, 1/I):
    /// 32 symbols, 5 bits each, so 12 of them carry 60 bits.
    pub const ALPHABET: &'static [u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    pub const LEN: usize = 12;
    /// Symbols per group in the form shown (`ABCD-EFGH-JKLM`).
    pub const GROUP: usize = 4;

    /// Accepts the code as people type it: lower case, full-width, spaces
    /// and hyphens between the groups.
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let s: String = half_width(input).chars().filter(|c| !matches!(c, '-' | ' ' | 'ー')).map(|c| c.to_ascii_uppercase()).collect();
        let ok = s.len() == Self::LEN && s.bytes().all(|b| Self::ALPHABET.contains(&b));
        if ok {
            Ok(Self(s))
        } else {
            Err(ErrorCode::ActivationCodeInvalid)
        }
    }

    /// Makes a code from random bytes (one per character; the service draws them).
    pub fn from_random(bytes: [u8; Self::LEN]) -> Self {
        Self(bytes.iter().map(|b| Self::ALPHABET[(*b as usize) % Self::ALPHABET.len()] as char).collect())
    }

    /// The canonical form: the one that is stored (as a MAC) and compared.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `ABCD-EFGH-JKLM`, for reading aloud and typing.
    pub fn grouped(&self) -> String {
        self.0.as_bytes().chunks(Self::GROUP).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect::<Vec<_>>().join("-")
    }
}

impl std::fmt::Debug for ActivationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivationCode(…)")
    }
}

impl TryFrom<String> for ActivationCode {
    type Error = ErrorCode;
    fn try_from(s: String) -> Result<Self, ErrorCode> {
        Self::parse(&s)
    }
}

impl From<ActivationCode> for String {
    fn from(c: ActivationCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_people_type_them() {
        let c = ActivationCode::parse("abcd-efgh-jkl2").unwrap();
        assert_eq!(c.as_str(), "ABCDEFGHJKL2");
        assert_eq!(c.grouped(), "ABCD-EFGH-JKL2");
        assert_eq!(ActivationCode::parse("ＡＢＣＤ　ＥＦＧＨ　ＪＫＬ２").unwrap(), c);
        assert_eq!(ActivationCode::parse(" ABCDEFGHJKL2 ").unwrap(), c);
        assert_eq!(ActivationCode::parse("ＡＢＣＤ－ＥＦＧＨーＪＫＬ２").unwrap(), c, "full-width hyphen, long-vowel mark");
    }

    #[test]
    fn near_misses_are_refused() {
        for bad in ["", "ABCD-EFGH-JKL", "ABCD-EFGH-JKLMN", "ABCD-EFGH-JKL0", "ABCD-EFGH-JKLI", "ABCD-EFGH-JKL!"] {
            assert_eq!(ActivationCode::parse(bad), Err(ErrorCode::ActivationCodeInvalid), "{bad}");
        }
    }

    #[test]
    fn random_bytes_make_valid_codes() {
        let c = ActivationCode::from_random([0, 31, 32, 255, 7, 8, 9, 10, 11, 12, 13, 14]);
        assert_eq!(ActivationCode::parse(c.as_str()).unwrap(), c);
        assert!(!format!("{c:?}").contains(c.as_str()), "the code is not logged");
    }
}
