//! The screen's words that state a number of the rules (code digits, how
//! long "remember this PC" lasts, the password rules), formatted from the
//! policy of the service in use, so the screen and the service agree.
//! `ui/index.html` marks each place with `data-text="<key>"`.

use kaigo_domain::texts::{fill, Language};
use kaigo_domain::Policy;
use std::collections::BTreeMap;

/// key, Japanese, English.
const TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "caps_lock",
        "Caps Lock（大文字固定）がオンになっています。パスワードは大文字と小文字を区別します。",
        "Caps Lock is on. Passwords are case-sensitive.",
    ),
    ("kj_rule", "（「KJ」から始まる{kj_short}桁または{kj_long}桁）", "({kj_short} or {kj_long} characters starting with KJ)"),
    ("code_label", "ワンタイム認証コード（{code_digits}桁）", "One-time code ({code_digits} digits)"),
    (
        "code_hint",
        "届いた{code_digits}桁の数字を入力してください。有効期限は{code_lifetime}です。",
        "Enter the {code_digits} digits you received. The code works for {code_lifetime}.",
    ),
    (
        "remember_device",
        "このPCを{device_trust_lifetime}記憶する（次回はコード入力を省略）",
        "Remember this PC for {device_trust_lifetime} (no code next time)",
    ),
    ("password_rule_length", "{password_min}文字以上", "At least {password_min} characters"),
    (
        "password_rule_kinds",
        "英大文字・英小文字・数字・記号のうち{password_kinds}種類以上",
        "At least {password_kinds} of: upper-case, lower-case, digits, symbols",
    ),
    (
        "user_id_label",
        "ユーザID（{user_id_min}〜{user_id_max}文字の半角英数字）",
        "User ID ({user_id_min}–{user_id_max} half-width letters and digits)",
    ),
    (
        "activation_hint",
        "利用開始コードの有効期限は{activation_lifetime}です。{activation_max_attempts}回まちがえると使えなくなります。",
        "The activation code works for {activation_lifetime} and is void after {activation_max_attempts} wrong entries.",
    ),
];

/// Every text by its key, for the policy in force, in `language`.
pub fn screen_texts(policy: &Policy, language: Language) -> BTreeMap<&'static str, String> {
    let mut texts: BTreeMap<&'static str, String> =
        TEMPLATES.iter().map(|(key, ja, en)| (*key, fill(if language == Language::English { en } else { ja }, policy, language))).collect();
    // The countdown's starting value, as the clock shows it (30:00).
    let secs = policy.one_time_code_lifetime.whole_seconds().max(0);
    texts.insert("code_countdown_full", format!("{:02}:{:02}", secs / 60, secs % 60));
    texts
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::Duration;

    #[test]
    fn texts_follow_the_policy_in_force() {
        let default = screen_texts(&Policy::default(), Language::Japanese);
        assert_eq!(default["remember_device"], "このPCを24時間記憶する（次回はコード入力を省略）");
        assert_eq!(default["code_countdown_full"], "30:00");
        assert_eq!(default["kj_rule"], "（「KJ」から始まる12桁または14桁）");
        assert!(default["code_hint"].contains("6桁") && default["code_hint"].contains("30分間"));
        assert!(default["password_rule_length"].starts_with("8文字以上"));

        let operator =
            Policy { device_trust_lifetime: Duration::hours(12), one_time_code_lifetime: Duration::minutes(10), ..Policy::default() };
        let changed = screen_texts(&operator, Language::Japanese);
        assert_eq!(changed["remember_device"], "このPCを12時間記憶する（次回はコード入力を省略）");
        assert_eq!(changed["code_countdown_full"], "10:00");
        assert!(changed["code_hint"].contains("10分間"));
        // No placeholder is left unfilled.
        assert!(changed.values().all(|t| !t.contains('{')), "{changed:?}");
        let english = screen_texts(&operator, Language::English);
        assert_eq!(english["remember_device"], "Remember this PC for 12 hours (no code next time)");
        assert_eq!(english.keys().collect::<Vec<_>>(), changed.keys().collect::<Vec<_>>());
        assert!(english.values().all(|t| !t.contains('{') && !t.contains('の')), "{english:?}");
    }
}
