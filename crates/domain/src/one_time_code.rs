//! ワンタイム認証コード and セキュリティコード as typed by staff.

use crate::error::ErrorCode;
use crate::normalize::half_width;
use serde::{Deserialize, Serialize};

/// A 6-digit one-time code, valid once and for a limited time ([`crate::Policy`]).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OneTimeCode(String);

impl OneTimeCode {
    pub const DIGITS: usize = 6;

    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let s: String = half_width(input).chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if s.len() == Self::DIGITS && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err(ErrorCode::OneTimeCodeFormat)
        }
    }

    /// Makes a code from a uniformly random number (the caller owns the RNG,
    /// so this crate stays free of I/O).
    pub fn from_random(n: u32) -> Self {
        Self(format!("{:06}", n % 1_000_000))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode(<redacted>)")
    }
}

impl TryFrom<String> for OneTimeCode {
    type Error = ErrorCode;
    fn try_from(value: String) -> Result<Self, ErrorCode> {
        Self::parse(&value)
    }
}

impl From<OneTimeCode> for String {
    fn from(value: OneTimeCode) -> String {
        value.0
    }
}

/// The optional セキュリティコード an office set in the electronic billing
/// system: 4 to 16 half-width alphanumerics.
#[derive(Clone, PartialEq, Eq)]
pub struct SecurityCode(String);

impl SecurityCode {
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let s = half_width(input);
        if (4..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(s))
        } else {
            Err(ErrorCode::SecurityCodeFormat)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecurityCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecurityCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_code_is_six_digits_typed_any_width() {
        assert_eq!(OneTimeCode::parse("１２３ ４５６").unwrap().expose(), "123456");
        for bad in ["12345", "1234567", "12a456", ""] {
            assert_eq!(OneTimeCode::parse(bad), Err(ErrorCode::OneTimeCodeFormat), "{bad}");
        }
    }

    #[test]
    fn random_codes_keep_leading_zeros() {
        assert_eq!(OneTimeCode::from_random(42).expose(), "000042");
        assert_eq!(OneTimeCode::from_random(4_000_123).expose(), "000123");
    }

    #[test]
    fn codes_never_print_in_debug_output() {
        assert!(!format!("{:?}", OneTimeCode::from_random(123456)).contains("123456"));
        assert!(!format!("{:?}", SecurityCode::parse("abcd12").unwrap()).contains("abcd12"));
    }

    #[test]
    fn security_code_is_four_to_sixteen_alphanumerics() {
        assert!(SecurityCode::parse("ab12").is_ok());
        assert_eq!(SecurityCode::parse("ab1"), Err(ErrorCode::SecurityCodeFormat));
        assert_eq!(SecurityCode::parse("ab12!"), Err(ErrorCode::SecurityCodeFormat));
    }
}
