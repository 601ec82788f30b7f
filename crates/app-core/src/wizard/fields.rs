//! Checks of one form field as it is typed, by the rules the service applies.

use crate::{AppError, AppResult};
use kaigo_domain::ErrorCode;

/// `kind` names the field.
pub fn check_field(kind: &str, value: &str) -> AppResult<()> {
    use kaigo_domain as d;
    let result = match kind {
        "electronic_billing_id" => d::ElectronicBillingId::parse(value).map(drop),
        "user_id" => d::UserId::parse(value).map(drop),
        "email" => d::EmailAddress::parse(value).map(drop),
        "phone" => d::PhoneNumber::parse(value).map(drop),
        "name" => d::PersonName::parse(value).map(drop),
        "code" => d::OneTimeCode::parse(value).map(drop),
        "security_code" => d::SecurityCode::parse(value).map(drop),
        "terminal_name" => d::TerminalName::parse(value).map(drop),
        // Only a warning while a password is typed: full-width characters or
        // spaces, the usual sign of the wrong input mode.
        "password_characters" if !d::PasswordReport::new(value, None).only_allowed_characters => Err(ErrorCode::PasswordInvalidCharacters),
        "password_characters" => Ok(()),
        _ => Err(ErrorCode::InvalidRequest),
    };
    result.map_err(|code| AppError::field(code, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_typed_in_full_width_is_flagged() {
        assert!(check_field("password_characters", "Demo-pass-2026").is_ok());
        let e = check_field("password_characters", "Ｄｅｍｏ-pass").err().map(|e| (e.code, e.field));
        assert_eq!(e, Some((ErrorCode::PasswordInvalidCharacters, Some("password_characters".into()))));
        assert!(check_field("password_characters", "pass word").is_err());
        assert_eq!(check_field("no_such_field", "x").err().map(|e| e.code), Some(ErrorCode::InvalidRequest));
    }
}
