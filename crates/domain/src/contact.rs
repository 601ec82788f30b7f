//! 連絡先: where an admin user's initial password and one-time codes go.

use crate::error::ErrorCode;
use crate::newtype::string_newtype;
use crate::normalize::half_width;
use serde::{Deserialize, Serialize};

/// An e-mail address, checked for the shape mail servers accept
/// (no attempt at full RFC 5322: quoted local parts are refused).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);
string_newtype!(EmailAddress);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let s = half_width(input);
        let (local, domain) = s.rsplit_once('@').ok_or(ErrorCode::EmailInvalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok && s.len() <= 254 {
            Ok(Self(s))
        } else {
            Err(ErrorCode::EmailInvalid)
        }
    }

    /// `ka***@example.jp`: enough for staff to recognise where mail went.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let shown: String = local.chars().take(2).collect();
        format!("{shown}***@{domain}")
    }
}

/// A Japanese phone number, stored as digits only (e.g. `09012345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);
string_newtype!(PhoneNumber);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        let s = half_width(input);
        let digits: String = s.chars().filter(|c| !matches!(c, '-' | ' ' | '(' | ')' | 'ー' | '−')).collect();
        let digits = match digits.strip_prefix("+81") {
            Some(rest) => format!("0{rest}"),
            None => digits,
        };
        let all_digits = digits.bytes().all(|b| b.is_ascii_digit());
        let ok = all_digits
            && digits.starts_with('0')
            && !digits.starts_with("00")
            && match &digits[..digits.len().min(3)] {
                // mobile (070/080/090), IP phone (050) and 020 are 11 digits
                "070" | "080" | "090" | "050" | "020" => digits.len() == 11,
                _ => digits.len() == 10,
            };
        if ok {
            Ok(Self(digits))
        } else {
            Err(ErrorCode::PhoneInvalid)
        }
    }

    /// Only mobile numbers can receive SMS.
    pub fn is_mobile(&self) -> bool {
        ["070", "080", "090"].iter().any(|p| self.0.starts_with(p))
    }

    /// `+819012345678`, the form SMS gateways expect.
    pub fn e164(&self) -> String {
        format!("+81{}", &self.0[1..])
    }

    /// `090-****-5678`.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!("{}-****-{}", &self.0[..3], &self.0[n - 4..])
    }
}

/// The contact given at admin registration: e-mail address or phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Contact {
    Email(EmailAddress),
    Phone(PhoneNumber),
}

impl Contact {
    /// Reads what staff typed in one box: an address if it has `@`, else a number.
    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        if input.contains('@') || input.contains('＠') {
            EmailAddress::parse(input).map(Contact::Email)
        } else {
            PhoneNumber::parse(input).map(Contact::Phone)
        }
    }

    pub fn masked(&self) -> String {
        match self {
            Contact::Email(e) => e.masked(),
            Contact::Phone(p) => p.masked(),
        }
    }

    /// The channel a message to this contact goes by.
    pub fn channel(&self) -> DeliveryChannel {
        match self {
            Contact::Email(_) => DeliveryChannel::Email,
            Contact::Phone(_) => DeliveryChannel::Sms,
        }
    }
}

/// How a one-time code or the initial password is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryChannel {
    Email,
    Sms,
}

impl DeliveryChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryChannel::Email => "email",
            DeliveryChannel::Sms => "sms",
        }
    }
}

/// The channels a user can receive one-time codes on: mail if they gave an
/// address, SMS if they gave a mobile number (a landline takes no SMS).
pub fn code_channels(email: Option<&str>, phone: Option<&str>) -> Vec<DeliveryChannel> {
    let mut channels = Vec::new();
    if email.is_some() {
        channels.push(DeliveryChannel::Email);
    }
    if phone.and_then(|p| PhoneNumber::parse(p).ok()).is_some_and(|p| p.is_mobile()) {
        channels.push(DeliveryChannel::Sms);
    }
    channels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_of_ordinary_shape_are_accepted() {
        for ok in ["kaigo@example.jp", "a.b+c@mail.example.co.jp", "ｋａｉｇｏ＠example.jp"] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_email_addresses_are_refused() {
        for bad in [
            "kaigo",
            "kaigo@",
            "@example.jp",
            "kaigo@localhost",
            "ka..igo@example.jp",
            "kaigo@ex_ample.jp",
            "介護@example.jp",
            "a b@example.jp",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(ErrorCode::EmailInvalid), "{bad}");
        }
    }

    #[test]
    fn phone_numbers_accept_hyphens_full_width_and_country_code() {
        assert_eq!(PhoneNumber::parse("090-1234-5678").unwrap().as_str(), "09012345678");
        assert_eq!(PhoneNumber::parse("０３－１２３４－５６７８").unwrap().as_str(), "0312345678");
        assert_eq!(PhoneNumber::parse("+81 90 1234 5678").unwrap().as_str(), "09012345678");
    }

    #[test]
    fn phone_numbers_of_wrong_length_or_prefix_are_refused() {
        for bad in ["0901234567", "031234567", "003112345678", "1234567890", "090-1234-567a", ""] {
            assert_eq!(PhoneNumber::parse(bad), Err(ErrorCode::PhoneInvalid), "{bad}");
        }
    }

    #[test]
    fn only_mobile_numbers_take_sms() {
        assert!(PhoneNumber::parse("08012345678").unwrap().is_mobile());
        assert!(!PhoneNumber::parse("0312345678").unwrap().is_mobile());
        assert_eq!(PhoneNumber::parse("09012345678").unwrap().e164(), "+819012345678");
    }

    #[test]
    fn contact_reads_address_or_number_from_one_box() {
        assert!(matches!(Contact::parse("kaigo@example.jp"), Ok(Contact::Email(_))));
        assert!(matches!(Contact::parse("090-1234-5678"), Ok(Contact::Phone(_))));
        assert_eq!(Contact::parse("kaigo@example.jp").unwrap().masked(), "ka***@example.jp");
        assert_eq!(Contact::parse("09012345678").unwrap().masked(), "090-****-5678");
    }

    #[test]
    fn codes_go_by_mail_to_an_address_and_by_sms_only_to_a_mobile() {
        use DeliveryChannel::*;
        assert_eq!(code_channels(Some("a@example.jp"), Some("090-1234-5678")), vec![Email, Sms]);
        assert_eq!(code_channels(Some("a@example.jp"), Some("03-1234-5678")), vec![Email]);
        assert_eq!(code_channels(None, Some("09012345678")), vec![Sms]);
        assert_eq!(code_channels(None, Some("not a number")), Vec::<DeliveryChannel>::new());
    }
}
