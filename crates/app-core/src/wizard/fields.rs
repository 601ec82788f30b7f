//! The form fields the page has, named once, and the checks of one field as
//! it is typed, by the rules the service applies. A test holds the page's
//! `name=` and `data-for=` attributes and these lists to each other.

use crate::{AppError, AppResult};
use kaigo_domain::ErrorCode;
use serde::{Deserialize, Serialize};

macro_rules! names {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $wire:literal, )+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vdoc])* #[serde(rename = $wire)] $variant, )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $wire, )+ }
            }
        }
    };
}

names! {
    /// A field of a form, as an error names it (`field`) and the page knows
    /// it (`name=`, `data-for=`).
    FormField {
        File = "file",
        Password = "password",
        ElectronicBillingId = "electronic_billing_id",
        SecurityCode = "security_code",
        Code = "code",
        Name = "name",
        Email = "email",
        Phone = "phone",
        ServiceTypes = "service_types",
        JobCategory = "job_category",
        UserId = "user_id",
        NewPassword = "new_password",
        Url = "url",
        /// 研修: 参加コード, 確認コード, 参加用リンク.
        JoinCode = "join_code",
        CheckCode = "check_code",
        JoinLink = "join_link",
        /// 設定 →「プロキシ」.
        ProxyAddress = "proxy_address",
        /// 設定 →「更新」: the update server.
        UpdateEndpoint = "update_endpoint",
        /// 研修を開く: the seats, the length in hours and the network
        /// (the class's name is `Name`).
        Seats = "seats",
        Hours = "hours",
        Address = "address",
        /// 本番の日: values prepared before the day (the others are
        /// ElectronicBillingId, Name, Email and Phone).
        OfficeNumber = "office_number",
        OfficeName = "office_name",
        /// 本番の日: the terminal's ID, written down on the day (the admin's
        /// is `UserId`).
        TerminalId = "terminal_id",
    }
}

impl AsRef<str> for FormField {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

names! {
    /// What a live check is asked to check.
    FieldKind {
        ElectronicBillingId = "electronic_billing_id",
        UserId = "user_id",
        Email = "email",
        Phone = "phone",
        Name = "name",
        Code = "code",
        SecurityCode = "security_code",
        TerminalName = "terminal_name",
        /// Only a warning while a password is typed: full-width characters
        /// or spaces, the usual sign of the wrong input mode.
        PasswordCharacters = "password_characters",
    }
}

/// Checks one value as staff type it.
pub fn check_field(kind: FieldKind, value: &str) -> AppResult<()> {
    use kaigo_domain as d;
    let result = match kind {
        FieldKind::ElectronicBillingId => d::ElectronicBillingId::parse(value).map(drop),
        FieldKind::UserId => d::UserId::parse(value).map(drop),
        FieldKind::Email => d::EmailAddress::parse(value).map(drop),
        FieldKind::Phone => d::PhoneNumber::parse(value).map(drop),
        FieldKind::Name => d::PersonName::parse(value).map(drop),
        FieldKind::Code => d::OneTimeCode::parse(value).map(drop),
        FieldKind::SecurityCode => d::SecurityCode::parse(value).map(drop),
        FieldKind::TerminalName => d::TerminalName::parse(value).map(drop),
        FieldKind::PasswordCharacters if !d::PasswordReport::new(value, None).only_allowed_characters => {
            Err(ErrorCode::PasswordInvalidCharacters)
        }
        FieldKind::PasswordCharacters => Ok(()),
    };
    result.map_err(|code| AppError::field(code, kind.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_typed_in_full_width_is_flagged() {
        assert!(check_field(FieldKind::PasswordCharacters, "Demo-pass-2026").is_ok());
        let e = check_field(FieldKind::PasswordCharacters, "Ｄｅｍｏ-pass").err().map(|e| (e.code, e.field.clone()));
        assert_eq!(e, Some((ErrorCode::PasswordInvalidCharacters, Some("password_characters".into()))));
        assert!(check_field(FieldKind::PasswordCharacters, "pass word").is_err());
        // A kind the page names wrongly is refused where it crosses IPC.
        assert!(serde_json::from_str::<FieldKind>("\"no_such_field\"").is_err());
    }

    #[test]
    fn names_read_back_as_themselves() {
        for f in FormField::ALL {
            assert_eq!(serde_json::to_value(f).unwrap_or_default(), f.as_str());
        }
        for k in FieldKind::ALL {
            assert_eq!(serde_json::from_value::<FieldKind>(k.as_str().into()).ok(), Some(*k));
        }
    }
}
