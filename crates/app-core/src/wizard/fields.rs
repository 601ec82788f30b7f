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
        _ => Err(ErrorCode::InvalidRequest),
    };
    result.map_err(|code| AppError::field(code, kind))
}
