//! ワンタイム認証コード, セキュリティコード, 利用開始コード and 端末の種類.
#![no_main]

use kaigo_domain::terminal::TerminalKind;
use kaigo_domain::{ActivationCode, ErrorCode, OneTimeCode, SecurityCode};
use kaigo_fuzz::{check_parser, check_serde_newtype, json_string};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let bytes = input.as_bytes();

    // One-time code: six digits, typed any width, with spaces or hyphens.
    let otc = check_parser(input, OneTimeCode::parse, |c| c.expose().to_owned(), ErrorCode::OneTimeCodeFormat, true);
    check_serde_newtype(input, otc.as_ref(), |c| c.expose().to_owned());
    if let Some(c) = &otc {
        let s = c.expose();
        assert!(s.len() == OneTimeCode::DIGITS && s.bytes().all(|b| b.is_ascii_digit()), "{s:?}");
        assert_eq!(format!("{c:?}"), format!("{:?}", OneTimeCode::from_random(0)), "a one-time code shows in Debug output");
        // Read aloud in two groups: 123 456.
        assert_eq!(OneTimeCode::parse(&format!("{} {}", &s[..3], &s[3..])).as_ref(), Ok(c));
    }
    let mut n = [0u8; 4];
    n.iter_mut().zip(bytes).for_each(|(d, s)| *d = *s);
    let random = OneTimeCode::from_random(u32::from_le_bytes(n));
    assert_eq!(OneTimeCode::parse(random.expose()).as_ref(), Ok(&random), "a made code does not read back");
    assert_eq!(random.expose().parse::<u32>().ok(), Some(u32::from_le_bytes(n) % 1_000_000));

    // Security code: 4 to 16 alphanumerics; never in Debug output.
    let sec = check_parser(input, SecurityCode::parse, |c| c.expose().to_owned(), ErrorCode::SecurityCodeFormat, true);
    if let Some(c) = &sec {
        let s = c.expose();
        assert!((4..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()), "{s:?}");
        let other = SecurityCode::parse("0000").expect("a code");
        assert_eq!(format!("{c:?}"), format!("{other:?}"), "a security code shows in Debug output");
    }

    // Activation code: 12 symbols of the alphabet, read in any case, width
    // and grouping; shown grouped, stored canonical.
    let act = check_parser(input, ActivationCode::parse, |c| c.as_str().to_owned(), ErrorCode::ActivationCodeInvalid, true);
    check_serde_newtype(input, act.as_ref(), |c| c.as_str().to_owned());
    if let Some(c) = &act {
        check_activation_code(c);
        assert_eq!(ActivationCode::parse(&input.to_lowercase()).as_ref(), Ok(c), "{input:?} in lower case");
    }
    let mut r = [0u8; ActivationCode::LEN];
    r.iter_mut().zip(bytes.iter().rev()).for_each(|(d, s)| *d = *s);
    let made = ActivationCode::from_random(r);
    check_activation_code(&made);
    assert_eq!(ActivationCode::parse(made.as_str()).as_ref(), Ok(&made));

    // Terminal kind: exactly its two names, the same from JSON.
    let kind = TerminalKind::parse(input);
    match kind {
        Ok(k) => assert_eq!(k.as_str(), input),
        Err(code) => assert_eq!(code, ErrorCode::TerminalKindInvalid),
    }
    assert_eq!(serde_json::from_str::<TerminalKind>(&json_string(input)).ok(), kind.ok(), "{input:?}");
});

fn check_activation_code(c: &ActivationCode) {
    let s = c.as_str();
    assert!(s.len() == ActivationCode::LEN && s.bytes().all(|b| ActivationCode::ALPHABET.contains(&b)), "{s:?}");
    assert!(!s.contains(['0', 'O', '1', 'I']), "{s:?} has a character read alike");
    let grouped = c.grouped();
    assert_eq!(grouped.len(), 14, "{grouped:?}");
    assert_eq!(grouped.split('-').collect::<Vec<_>>(), [&s[..4], &s[4..8], &s[8..]], "{grouped:?}");
    for typed in
        [grouped.clone(), grouped.to_lowercase(), grouped.replace('-', " "), grouped.replace('-', "ー"), kaigo_fuzz::full_width(&grouped)]
    {
        assert_eq!(ActivationCode::parse(&typed).as_ref(), Ok(c), "{typed:?}");
    }
    assert_eq!(format!("{c:?}"), format!("{:?}", ActivationCode::from_random([0; 12])), "an activation code shows in Debug output");
}
