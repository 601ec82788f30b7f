//! The password policy: each rule reported on its own, the first broken one
//! answered, and an accepted password really meeting every rule.
//! Input: `user_id` NEWLINE `candidate`, or only a candidate (no user ID).
#![no_main]

use kaigo_domain::password::{MAX_LEN, MIN_KINDS, MIN_LEN};
use kaigo_domain::{check_new_password, ErrorCode, PasswordReport};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The domain's list of common passwords, read here on its own.
fn common() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../crates/domain/data/common-passwords.txt").lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
    })
}

fuzz_target!(|input: &str| {
    let (user_id, candidate) = match input.split_once('\n') {
        Some((id, pw)) => (Some(id), pw),
        None => (None, input),
    };
    let report = PasswordReport::new(candidate, user_id);
    let answer = check_new_password(candidate, user_id);

    // Each item of the live checklist, recomputed from the rule's wording.
    let len = candidate.chars().count();
    assert_eq!(report.long_enough, len >= MIN_LEN);
    assert_eq!(report.not_too_long, len <= MAX_LEN);
    assert_eq!(report.only_allowed_characters, candidate.bytes().all(|b| b.is_ascii_graphic()));
    assert_eq!(report.has_upper, candidate.bytes().any(|b| b.is_ascii_uppercase()));
    assert_eq!(report.has_lower, candidate.bytes().any(|b| b.is_ascii_lowercase()));
    assert_eq!(report.has_digit, candidate.bytes().any(|b| b.is_ascii_digit()));
    assert_eq!(report.has_symbol, candidate.bytes().any(|b| b.is_ascii_punctuation()));
    let kinds = [report.has_upper, report.has_lower, report.has_digit, report.has_symbol].into_iter().filter(|k| *k).count();
    assert_eq!(report.enough_kinds, kinds >= MIN_KINDS);
    let lower = candidate.to_ascii_lowercase();
    let contains_id = user_id.is_some_and(|id| !id.is_empty() && lower.contains(&id.to_ascii_lowercase()));
    assert_eq!(report.not_containing_user_id, !contains_id);
    if common().contains(lower.as_str()) {
        assert!(!report.not_common, "{candidate:?} is on the list");
    }

    // The answer is the first broken rule, in the order staff fix them.
    let expected = if candidate.is_empty() {
        Some(ErrorCode::PasswordMissing)
    } else {
        [
            (report.only_allowed_characters, ErrorCode::PasswordInvalidCharacters),
            (report.long_enough, ErrorCode::PasswordTooShort),
            (report.not_too_long, ErrorCode::PasswordTooLong),
            (report.enough_kinds, ErrorCode::PasswordTooFewKinds),
            (report.not_containing_user_id, ErrorCode::PasswordContainsUserId),
            (report.not_common, ErrorCode::PasswordTooCommon),
        ]
        .into_iter()
        .find(|(ok, _)| !ok)
        .map(|(_, code)| code)
    };
    assert_eq!(answer.err(), expected, "{candidate:?}");
    if !candidate.is_empty() {
        assert_eq!(report.first_violation(), expected);
    }

    if answer.is_ok() {
        assert!((MIN_LEN..=MAX_LEN).contains(&len) && candidate.bytes().all(|b| b.is_ascii_graphic()) && kinds >= MIN_KINDS);
        assert!(!common().contains(lower.as_str()) && !contains_id, "{candidate:?}");
        // Without a user ID there is one rule less: still accepted.
        assert_eq!(check_new_password(candidate, None), Ok(()));
        // Case does not hide a common password or the user's ID.
        assert_eq!(
            check_new_password(&candidate.to_ascii_lowercase(), user_id)
                .err()
                .filter(|c| *c == ErrorCode::PasswordTooCommon || *c == ErrorCode::PasswordContainsUserId),
            None
        );
    }
});
