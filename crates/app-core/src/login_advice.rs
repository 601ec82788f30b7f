//! What staff read after a refused office login (3-1), beyond the service's
//! message: how many tries are left before the lock, or until when the lock
//! lasts and what to check meanwhile. Pure: the caller passes the answer,
//! `now` and the policy.

use kaigo_domain::texts::{fill, Language, JAPAN_TIME};
use kaigo_domain::{ErrorCode, Policy};
use time::{Duration, OffsetDateTime};

/// The sentence to add to the service's message, if any.
pub fn office_login_advice(
    code: ErrorCode,
    tries_left: Option<u32>,
    retry_after_seconds: Option<u64>,
    now: OffsetDateTime,
    policy: &Policy,
    language: Language,
) -> Option<String> {
    match (code, tries_left, retry_after_seconds, language) {
        (ErrorCode::InvalidCredentials, Some(n), _, Language::Japanese) => Some(fill(
            &format!("あと{n}回まちがえると、{{office_lock}}ログインできなくなります。Caps Lock（大文字固定）がオフか、全角になっていないかを確かめてから入力してください。"),
            policy,
            language,
        )),
        (ErrorCode::InvalidCredentials, Some(n), _, Language::English) => Some(fill(
            &format!(" {n} more wrong {} and the login is locked for {{office_lock}}. Check that Caps Lock is off and that you are not typing full-width characters.", if n == 1 { "try" } else { "tries" }),
            policy,
            language,
        )),
        (ErrorCode::OfficeLocked, _, Some(secs), _) => {
            let until = (now + Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2))).to_offset(JAPAN_TIME);
            Some(match language {
                Language::Japanese => format!(
                    "{}時{:02}分まで待ってから、もう一度ログインしてください。待つ間に、「KJ」から始まるユーザIDと、電子請求受付システムで使っているパスワードを確かめてください。仮のパスワードや期限切れのパスワードは、先に電子請求受付システムで変更が必要です。",
                    until.hour(),
                    until.minute()
                ),
                Language::English => format!(
                    " Wait until {}:{:02} (Japan time), then log in again. Meanwhile check the user ID starting with KJ and the password you use in the electronic-billing system; a temporary or expired password must first be changed there.",
                    until.hour(),
                    until.minute()
                ),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_wrong_password_says_how_many_tries_are_left_and_a_lock_until_when() {
        let p = Policy::default();
        let now = datetime!(2026-11-25 01:10 UTC);
        let ja = Language::Japanese;
        let wrong = office_login_advice(ErrorCode::InvalidCredentials, Some(2), None, now, &p, ja).unwrap();
        assert!(wrong.starts_with("あと2回まちがえると、30分間ログインできなくなります。"), "{wrong}");
        let locked = office_login_advice(ErrorCode::OfficeLocked, None, Some(30 * 60), now, &p, ja).unwrap();
        assert!(locked.starts_with("10時40分まで待ってから"), "JST: {locked}");
        assert!(locked.contains("仮のパスワード"));
        assert_eq!(office_login_advice(ErrorCode::InvalidCredentials, None, None, now, &p, ja), None);
        assert_eq!(office_login_advice(ErrorCode::CodeIncorrect, Some(3), None, now, &p, ja), None);
        let en = Language::English;
        assert_eq!(
            office_login_advice(ErrorCode::InvalidCredentials, Some(1), None, now, &p, en).unwrap().trim_start().split('.').next(),
            Some("1 more wrong try and the login is locked for 30 minutes")
        );
        assert!(office_login_advice(ErrorCode::OfficeLocked, None, Some(30 * 60), now, &p, en)
            .unwrap()
            .contains("until 10:40 (Japan time)"));
    }
}
