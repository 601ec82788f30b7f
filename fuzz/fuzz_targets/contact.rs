//! 連絡先: e-mail addresses, Japanese phone numbers and the one-box contact.
#![no_main]

use kaigo_domain::{Contact, DeliveryChannel, EmailAddress, ErrorCode, PhoneNumber};
use kaigo_fuzz::{check_parser, check_serde_newtype, json_string};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let email = check_parser(input, EmailAddress::parse, |v| v.as_str().to_owned(), ErrorCode::EmailInvalid, true);
    check_serde_newtype(input, email.as_ref(), |v| v.as_str().to_owned());
    if let Some(e) = &email {
        let s = e.as_str();
        assert!(s.is_ascii() && s.len() <= 254, "{s:?}");
        let (local, domain) = s.split_once('@').expect("an address has an @");
        assert!(!domain.contains('@') && !local.is_empty() && local.len() <= 64, "{s:?}");
        assert!(domain.split('.').count() >= 2 && domain.split('.').all(|l| !l.is_empty() && l.len() <= 63), "{s:?}");
        let masked = e.masked();
        assert!(masked.ends_with(&format!("***@{domain}")), "{s:?} masked as {masked:?}");
        assert!(local.starts_with(masked.split("***@").next().unwrap_or_default()), "{s:?} masked as {masked:?}");
        assert!(masked.len() - domain.len() <= 6, "{s:?}: masking shows more than two characters: {masked:?}");
    }

    let phone = check_parser(input, PhoneNumber::parse, |v| v.as_str().to_owned(), ErrorCode::PhoneInvalid, true);
    check_serde_newtype(input, phone.as_ref(), |v| v.as_str().to_owned());
    if let Some(p) = &phone {
        let s = p.as_str();
        assert!(s.bytes().all(|b| b.is_ascii_digit()) && s.starts_with('0') && !s.starts_with("00"), "{s:?}");
        let eleven = ["070", "080", "090", "050", "020"].iter().any(|pre| s.starts_with(pre));
        assert_eq!(s.len(), if eleven { 11 } else { 10 }, "{s:?}");
        assert_eq!(p.is_mobile(), ["070", "080", "090"].iter().any(|pre| s.starts_with(pre)), "{s:?}");
        // The E.164 form (+81…) reads back as the same number.
        let e164 = p.e164();
        assert!(e164.starts_with("+81") && !e164[3..].starts_with('0'), "{e164:?}");
        assert_eq!(PhoneNumber::parse(&e164).as_ref(), Ok(p), "{e164:?}");
        // So does the masked form's frame: first three, last four digits.
        let masked = p.masked();
        assert_eq!(masked, format!("{}-****-{}", &s[..3], &s[s.len() - 4..]));
        // And the number written with hyphens, as on a business card.
        let split = format!("{}-{}-{}", &s[..3], &s[3..s.len() - 4], &s[s.len() - 4..]);
        assert_eq!(PhoneNumber::parse(&split).as_ref(), Ok(p), "{split:?}");
    }

    // One box: an address when there is an @ (either width), else a number.
    let contact = check_parser(
        input,
        Contact::parse,
        |c| match c {
            Contact::Email(e) => e.as_str().to_owned(),
            Contact::Phone(p) => p.as_str().to_owned(),
        },
        if input.contains('@') || input.contains('＠') { ErrorCode::EmailInvalid } else { ErrorCode::PhoneInvalid },
        true,
    );
    if input.contains('@') || input.contains('＠') {
        assert_eq!(
            contact.clone().map(|c| match c {
                Contact::Email(e) => Some(e),
                Contact::Phone(_) => None,
            }),
            email.clone().map(Some)
        );
    } else {
        assert_eq!(
            contact.clone().map(|c| match c {
                Contact::Phone(p) => Some(p),
                Contact::Email(_) => None,
            }),
            phone.clone().map(Some)
        );
    }
    if let Some(c) = &contact {
        match c {
            Contact::Email(e) => {
                assert_eq!(c.channel(), DeliveryChannel::Email);
                assert_eq!(c.masked(), e.masked());
            }
            Contact::Phone(p) => {
                assert_eq!(c.channel(), DeliveryChannel::Sms);
                assert_eq!(c.masked(), p.masked());
            }
        }
        let json = serde_json::to_string(c).expect("serialises");
        assert_eq!(serde_json::from_str::<Contact>(&json).ok().as_ref(), Some(c), "{json}");
    }
    // A tagged contact from the wire is checked like one typed.
    for (kind, expected) in [("email", email.clone().map(Contact::Email)), ("phone", phone.clone().map(Contact::Phone))] {
        let json = format!(r#"{{"kind":"{kind}","value":{}}}"#, json_string(input));
        assert_eq!(serde_json::from_str::<Contact>(&json).ok(), expected, "{json}");
    }
});
