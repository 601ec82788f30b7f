//! 氏名 and 端末名: free text with limits, kept as written (only trimmed).
#![no_main]

use kaigo_domain::{ErrorCode, PersonName, TerminalName};
use kaigo_fuzz::{check_parser, check_serde_newtype};
use libfuzzer_sys::fuzz_target;

fn blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn check_name(input: &str, s: Option<&str>, max: usize) {
    let Some(s) = s else { return };
    let n = s.chars().count();
    assert!(n >= 1 && n <= max, "{s:?}: {n} characters");
    assert!(!s.chars().any(char::is_control), "{s:?} has a control character");
    assert!(!s.starts_with(blank) && !s.ends_with(blank), "{s:?} is not trimmed");
    // Nothing but the surrounding blanks is changed: no width or case folding.
    assert_eq!(s, input.trim_matches(blank), "{input:?}");
}

fn surrounded(input: &str) -> String {
    format!(" \u{3000}\t{input}\u{3000} \n")
}

fuzz_target!(|input: &str| {
    let person = check_parser(input, PersonName::parse, |v| v.as_str().to_owned(), ErrorCode::NameInvalid, false);
    check_serde_newtype(input, person.as_ref(), |v| v.as_str().to_owned());
    check_name(input, person.as_ref().map(PersonName::as_str), PersonName::MAX_CHARS);
    assert_eq!(PersonName::parse(&surrounded(input)).ok(), person, "blanks around {input:?} change the answer");

    let terminal = check_parser(input, TerminalName::parse, |v| v.as_str().to_owned(), ErrorCode::TerminalNameInvalid, false);
    check_serde_newtype(input, terminal.as_ref(), |v| v.as_str().to_owned());
    check_name(input, terminal.as_ref().map(TerminalName::as_str), TerminalName::MAX_CHARS);
    assert_eq!(TerminalName::parse(&surrounded(input)).ok(), terminal, "blanks around {input:?} change the answer");

    // The limits nest: a terminal name fits as a person's name.
    if let Some(t) = &terminal {
        assert!(PersonName::parse(t.as_str()).is_ok(), "{t:?}");
    }
});
