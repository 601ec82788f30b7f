//! Identifiers typed by office staff, parsed once into types that cannot hold
//! an invalid value.

use crate::error::ErrorCode;
use crate::newtype::string_newtype;
use crate::normalize::half_width;
use serde::{Deserialize, Serialize};

/// 電子請求受付システムのユーザID: `KJ` followed by 10 or 12 half-width
/// alphanumerics (12 or 14 characters). The office user logs in with it.
/// Public sources disagree on the length (「KJから始まる12桁」 in the seed
/// column, 「KJで始まる14桁」 in a set-up vendor's guide): refusing a real ID
/// would be worse than accepting both.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ElectronicBillingId(String);
string_newtype!(ElectronicBillingId);

impl ElectronicBillingId {
    /// The two lengths in use, shorter first.
    pub const LENGTHS: [usize; 2] = [12, 14];

    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let s = half_width(input);
        let ok = Self::LENGTHS.contains(&s.len()) && s.starts_with("KJ") && s.bytes().all(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(Self(s))
        } else {
            Err(ErrorCode::ElectronicBillingIdInvalid)
        }
    }
}

/// 管理者ユーザ・一般ユーザのユーザID: 6 or more half-width alphanumerics
/// (at most 32, so that it fits every screen and mail).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);
string_newtype!(UserId);

impl UserId {
    pub const MIN_LEN: usize = 6;
    pub const MAX_LEN: usize = 32;

    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let s = half_width(input);
        let ok = (Self::MIN_LEN..=Self::MAX_LEN).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(Self(s))
        } else {
            Err(ErrorCode::UserIdInvalid)
        }
    }
}

/// 端末ID: the ID the card-reading app shows for a terminal of the real
/// service, kept in 本番の日's record. Its form is not published: half-width
/// letters, digits and `-`, `_`, `.`, up to 64.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RealTerminalId(String);
string_newtype!(RealTerminalId);

impl RealTerminalId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let s = half_width(input.trim());
        let ok = (1..=Self::MAX_LEN).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if ok {
            Ok(Self(s))
        } else {
            Err(ErrorCode::TerminalIdInvalid)
        }
    }
}

/// 事業所番号: the 10-digit number of a long-term-care office.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OfficeNumber(String);
string_newtype!(OfficeNumber);

impl OfficeNumber {
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let s: String = half_width(input).chars().filter(|c| *c != '-').collect();
        if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err(ErrorCode::OfficeNumberInvalid)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn electronic_billing_id_accepts_kj_and_ten_or_twelve_alphanumerics() {
        assert_eq!(ElectronicBillingId::parse("KJ12345678AB").unwrap().as_str(), "KJ12345678AB");
        assert_eq!(ElectronicBillingId::parse("KJ123456789012").unwrap().as_str(), "KJ123456789012");
        assert_eq!(ElectronicBillingId::parse("ＫＪ１２３４５６７８９０１２").unwrap().as_str(), "KJ123456789012");
    }

    #[test]
    fn electronic_billing_id_accepts_full_width_input_and_stores_half_width() {
        assert_eq!(ElectronicBillingId::parse(" ＫＪ１２３４５６７８９０ ").unwrap().as_str(), "KJ1234567890");
    }

    #[test]
    fn electronic_billing_id_rejects_wrong_prefix_length_and_symbols() {
        let near_misses = [
            "KA1234567890",
            "kj1234567890",
            "kj123456789012",
            "KJ123456789",
            "KJ12345678901",
            "KJ1234567890123",
            "KJ12345-7890",
            "KJ 1234567890",
            "KJ12345 678901",
            "",
            "KJ",
            "KJ１２３４５６７８９あ",
        ];
        for bad in near_misses {
            assert_eq!(ElectronicBillingId::parse(bad), Err(ErrorCode::ElectronicBillingIdInvalid), "{bad}");
        }
    }

    #[test]
    fn a_real_terminal_id_is_half_width_letters_digits_and_dashes_up_to_64() {
        assert_eq!(RealTerminalId::parse(" ＴＭ-0012_a.b ").unwrap().as_str(), "TM-0012_a.b");
        assert!(RealTerminalId::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "  ", "端末1", "a b", &"a".repeat(65), "id;drop"] {
            assert_eq!(RealTerminalId::parse(bad), Err(ErrorCode::TerminalIdInvalid), "{bad}");
        }
    }

    #[test]
    fn user_id_needs_six_to_thirty_two_alphanumerics() {
        assert!(UserId::parse("admin1").is_ok());
        assert!(UserId::parse(&"a".repeat(32)).is_ok());
        for bad in ["admin", "admin_1", "管理者ユーザ01", &"a".repeat(33)] {
            assert_eq!(UserId::parse(bad), Err(ErrorCode::UserIdInvalid), "{bad}");
        }
    }

    #[test]
    fn office_number_is_ten_digits_with_optional_hyphens() {
        assert_eq!(OfficeNumber::parse("13-1234-5678").unwrap().as_str(), "1312345678");
        assert_eq!(OfficeNumber::parse("131234567"), Err(ErrorCode::OfficeNumberInvalid));
    }

    #[test]
    fn ids_deserialize_only_when_valid() {
        assert!(serde_json::from_str::<UserId>("\"kaigo01\"").is_ok());
        assert!(serde_json::from_str::<UserId>("\"x\"").is_err());
    }
}
