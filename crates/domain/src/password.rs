//! The password policy of the 介護WEBサービス: at least 8 characters using at
//! least 3 of the 4 kinds (upper-case, lower-case, digits, symbols), plus what
//! NIST SP 800-63B and OWASP ASVS ask on top: a block of common passwords and
//! of the user's own ID, and a generous maximum length.

use crate::error::ErrorCode;
use serde::Serialize;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;
pub const MIN_KINDS: usize = 3;

const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Each item of the policy, checked separately, for the app's live checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PasswordReport {
    pub long_enough: bool,
    pub not_too_long: bool,
    pub only_allowed_characters: bool,
    pub has_upper: bool,
    pub has_lower: bool,
    pub has_digit: bool,
    pub has_symbol: bool,
    pub enough_kinds: bool,
    pub not_common: bool,
    pub not_containing_user_id: bool,
}

impl PasswordReport {
    pub fn new(candidate: &str, user_id: Option<&str>) -> Self {
        let len = candidate.chars().count();
        let has_upper = candidate.chars().any(|c| c.is_ascii_uppercase());
        let has_lower = candidate.chars().any(|c| c.is_ascii_lowercase());
        let has_digit = candidate.chars().any(|c| c.is_ascii_digit());
        let has_symbol = candidate.chars().any(|c| c.is_ascii_punctuation());
        let kinds = [has_upper, has_lower, has_digit, has_symbol].iter().filter(|k| **k).count();
        let lower = candidate.to_ascii_lowercase();
        Self {
            long_enough: len >= MIN_LEN,
            not_too_long: len <= MAX_LEN,
            only_allowed_characters: candidate.chars().all(|c| c.is_ascii_graphic()),
            has_upper,
            has_lower,
            has_digit,
            has_symbol,
            enough_kinds: kinds >= MIN_KINDS,
            not_common: !is_common(&lower),
            not_containing_user_id: user_id.map(|id| id.is_empty() || !lower.contains(&id.to_ascii_lowercase())).unwrap_or(true),
        }
    }

    /// The first rule broken, in the order staff should fix them.
    pub fn first_violation(&self) -> Option<ErrorCode> {
        [
            (self.only_allowed_characters, ErrorCode::PasswordInvalidCharacters),
            (self.long_enough, ErrorCode::PasswordTooShort),
            (self.not_too_long, ErrorCode::PasswordTooLong),
            (self.enough_kinds, ErrorCode::PasswordTooFewKinds),
            (self.not_containing_user_id, ErrorCode::PasswordContainsUserId),
            (self.not_common, ErrorCode::PasswordTooCommon),
        ]
        .into_iter()
        .find(|(ok, _)| !ok)
        .map(|(_, code)| code)
    }
}

/// Checks a new password (at first login, or any later change).
pub fn check_new_password(candidate: &str, user_id: Option<&str>) -> Result<(), ErrorCode> {
    if candidate.is_empty() {
        return Err(ErrorCode::PasswordMissing);
    }
    match PasswordReport::new(candidate, user_id).first_violation() {
        Some(code) => Err(code),
        None => Ok(()),
    }
}

/// A password is common when it, or its letters once leetspeak and the
/// digits/symbols around them are taken away, is on the list.
fn is_common(lower: &str) -> bool {
    let listed = |s: &str| COMMON.lines().any(|l| !l.is_empty() && !l.starts_with('#') && l == s);
    if listed(lower) {
        return true;
    }
    let unleet: String = lower
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            _ => c,
        })
        .collect();
    let core = lower.trim_matches(|c: char| !c.is_ascii_alphabetic());
    let unleet_core = unleet.trim_matches(|c: char| !c.is_ascii_alphabetic());
    [unleet.as_str(), core, unleet_core].iter().any(|s| s.len() >= 4 && listed(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_of_three_kinds_and_eight_characters_passes() {
        assert_eq!(check_new_password("Hana-2026x", Some("kaigo01")), Ok(()));
        assert_eq!(check_new_password("sakura#blossom9", None), Ok(()));
    }

    #[test]
    fn each_rule_reports_its_own_code() {
        let cases = [
            ("", ErrorCode::PasswordMissing),
            ("Ab1!", ErrorCode::PasswordTooShort),
            ("abcdefgh12", ErrorCode::PasswordTooFewKinds),
            ("ABCDEFGH", ErrorCode::PasswordTooFewKinds),
            ("Pässword12", ErrorCode::PasswordInvalidCharacters),
            ("Abc 12345", ErrorCode::PasswordInvalidCharacters),
            ("パスワード1234Ab", ErrorCode::PasswordInvalidCharacters),
            ("Kaigo01-xyz", ErrorCode::PasswordContainsUserId),
        ];
        for (pw, code) in cases {
            assert_eq!(check_new_password(pw, Some("kaigo01")), Err(code), "{pw}");
        }
        assert_eq!(check_new_password(&format!("Aa1{}", "x".repeat(126)), None), Err(ErrorCode::PasswordTooLong));
    }

    #[test]
    fn common_passwords_are_refused_even_when_they_meet_the_kinds_rule() {
        for pw in ["Password1", "P@ssw0rd", "Passw0rd!", "Qwerty123", "Welcome1!", "!Password2026"] {
            assert_eq!(check_new_password(pw, None), Err(ErrorCode::PasswordTooCommon), "{pw}");
        }
    }

    #[test]
    fn the_report_lists_each_kind_for_the_live_checklist() {
        let r = PasswordReport::new("abcDEF12", None);
        assert!(r.long_enough && r.has_upper && r.has_lower && r.has_digit && !r.has_symbol && r.enough_kinds);
        assert_eq!(r.first_violation(), None);
    }
}
