//! 電子請求受付システムのユーザID, user IDs and office numbers as staff type them.
#![no_main]

use kaigo_domain::{ElectronicBillingId, ErrorCode, OfficeNumber, UserId};
use kaigo_fuzz::{check_parser, check_serde_newtype};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let canon = |s: &str| s.to_owned();

    let kj = check_parser(input, ElectronicBillingId::parse, |v| v.as_str().to_owned(), ErrorCode::ElectronicBillingIdInvalid, true);
    check_serde_newtype(input, kj.as_ref(), |v| canon(v.as_str()));
    if let Some(id) = &kj {
        let s = id.as_str();
        assert!(ElectronicBillingId::LENGTHS.contains(&s.len()), "{s:?}");
        assert!(s.starts_with("KJ") && s.bytes().all(|b| b.is_ascii_alphanumeric()), "{s:?}");
        assert_eq!(id.to_string(), s);
        assert_eq!(String::from(id.clone()), s);
    }

    let user = check_parser(input, UserId::parse, |v| v.as_str().to_owned(), ErrorCode::UserIdInvalid, true);
    check_serde_newtype(input, user.as_ref(), |v| canon(v.as_str()));
    if let Some(id) = &user {
        let s = id.as_str();
        assert!((UserId::MIN_LEN..=UserId::MAX_LEN).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()), "{s:?}");
    }

    let office = check_parser(input, OfficeNumber::parse, |v| v.as_str().to_owned(), ErrorCode::OfficeNumberInvalid, true);
    check_serde_newtype(input, office.as_ref(), |v| canon(v.as_str()));
    if let Some(n) = &office {
        let s = n.as_str();
        assert!(s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()), "{s:?}");
        // Written the way it is printed (13-1234-5678), it reads the same.
        let printed = format!("{}-{}-{}", &s[..2], &s[2..6], &s[6..]);
        assert_eq!(OfficeNumber::parse(&printed).as_ref(), Ok(n));
    }
});
