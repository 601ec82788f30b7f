//! The words of the rules: every message that states a number takes it from
//! the rule itself — the policy in force (which an operator may change) or
//! the fixed formats. A template names the number (`{office_lock}`); [`fill`]
//! writes it in, so what staff read and what the service does can never
//! disagree. This module sits above the rules it quotes; none of them uses it.

use crate::activation::ActivationCode;
use crate::error::ErrorCode;
use crate::ids::{ElectronicBillingId, UserId};
use crate::language::Language;
use crate::names::{ClassName, PersonName, TerminalName};
use crate::one_time_code::OneTimeCode;
use crate::password;
use crate::policy::Policy;
use time::{Duration, UtcOffset};

/// 日本標準時: the times and dates staff read (in mails, on screen, in the
/// completion report), whatever the zone of the PC or the server.
pub const JAPAN_TIME: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// A span of time as a sentence uses it: 「30分間」「24時間」「7日間」,
/// "30 minutes", "24 hours", "7 days" (one day is said as 24 hours).
pub fn span(d: Duration, language: Language) -> String {
    let s = d.whole_seconds();
    let (n, ja, en) = if s % 86_400 == 0 && s >= 2 * 86_400 {
        (s / 86_400, "日間", "day")
    } else if s % 3_600 == 0 && s >= 3_600 {
        (s / 3_600, "時間", "hour")
    } else if s % 60 == 0 && s >= 60 {
        (s / 60, "分間", "minute")
    } else {
        (s, "秒間", "second")
    };
    match language {
        Language::Japanese => format!("{n}{ja}"),
        Language::English if n == 1 => format!("1 {en}"),
        Language::English => format!("{n} {en}s"),
    }
}

/// The number a placeholder stands for, or `None` for an unknown name.
fn value(name: &str, policy: &Policy, language: Language) -> Option<String> {
    let count = |n: usize| Some(n.to_string());
    match name {
        "office_max_failures" => count(policy.office_max_failures as usize),
        "office_lock" => Some(span(policy.office_lock_duration, language)),
        "user_max_failures" => count(policy.user_max_failures as usize),
        "code_lifetime" => Some(span(policy.one_time_code_lifetime, language)),
        "code_max_attempts" => count(policy.one_time_code_max_attempts as usize),
        "code_resend_interval" => Some(span(policy.one_time_code_resend_interval, language)),
        "code_digits" => count(OneTimeCode::DIGITS),
        "kj_short" => count(ElectronicBillingId::LENGTHS[0]),
        "kj_long" => count(ElectronicBillingId::LENGTHS[1]),
        "device_trust_lifetime" => Some(span(policy.device_trust_lifetime, language)),
        "initial_password_lifetime" => Some(span(policy.initial_password_lifetime, language)),
        "password_min" => count(password::MIN_LEN),
        "password_max" => count(password::MAX_LEN),
        "password_kinds" => count(password::MIN_KINDS),
        "user_id_min" => count(UserId::MIN_LEN),
        "user_id_max" => count(UserId::MAX_LEN),
        "name_max" => count(PersonName::MAX_CHARS),
        "terminal_name_max" => count(TerminalName::MAX_CHARS),
        "terminal_id_max" => count(crate::RealTerminalId::MAX_LEN),
        "class_name_max" => count(ClassName::MAX_CHARS),
        "class_seats_max" => count(crate::policy::CLASS_MAX_SEATS as usize),
        "class_length_max" => Some(span(crate::policy::CLASS_MAX_LENGTH, language)),
        "activation_lifetime" => Some(span(policy.terminal_activation_lifetime, language)),
        "activation_max_attempts" => count(policy.terminal_activation_max_attempts as usize),
        "activation_code_len" => count(ActivationCode::LEN),
        _ => None,
    }
}

/// Writes the numbers into `template`. A `{name}` it does not know is left
/// as it is (a test keeps every template's names known).
pub fn fill(template: &str, policy: &Policy, language: Language) -> String {
    let mut out = String::with_capacity(template.len() + 8);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}').and_then(|end| value(&after[..end], policy, language).map(|v| (end, v))) {
            Some((end, v)) => {
                out.push_str(&v);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names a template uses, known or not.
pub fn placeholders(template: &str) -> Vec<&str> {
    template.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name)).collect()
}

/// Whether every placeholder of `template` has a value.
pub fn all_known(template: &str) -> bool {
    placeholders(template).iter().all(|name| value(name, &Policy::default(), Language::Japanese).is_some())
}

impl ErrorCode {
    /// What to tell office staff, in plain Japanese, including what to do,
    /// with the numbers of `policy` (the one in force where the rule applies).
    pub fn message_ja(self, policy: &Policy) -> String {
        fill(self.template_ja(), policy, Language::Japanese)
    }

    pub fn message_en(self, policy: &Policy) -> String {
        fill(self.template_en(), policy, Language::English)
    }

    /// Whether the message states a number an operator may change (a
    /// lifetime, a count of tries) rather than only fixed formats.
    pub fn depends_on_policy(self) -> bool {
        use time::Duration;
        let odd = Duration::seconds(4_321);
        // Every field written out: a new one must be thought about here.
        let varied = Policy {
            one_time_code_lifetime: odd,
            one_time_code_max_attempts: 97,
            one_time_code_resend_interval: odd,
            device_trust_lifetime: odd,
            initial_password_lifetime: odd,
            office_max_failures: 97,
            office_lock_duration: odd,
            user_max_failures: 97,
            user_free_failures: 97,
            user_max_delay: odd,
            login_challenge_lifetime: odd,
            session_idle_lifetime: odd,
            session_absolute_lifetime: odd,
            terminal_challenge_lifetime: odd,
            terminal_activation_lifetime: odd,
            terminal_activation_max_attempts: 97,
        };
        self.message_ja(&varied) != self.message_ja(&Policy::default())
    }
}

/// For logs and operators: the English message under the default policy.
impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_en(&Policy::default()))
    }
}

impl std::error::Error for ErrorCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_a_sentence_says_them() {
        use Language::*;
        assert_eq!(span(Duration::minutes(30), Japanese), "30分間");
        assert_eq!(span(Duration::hours(24), Japanese), "24時間");
        assert_eq!(span(Duration::days(7), Japanese), "7日間");
        assert_eq!(span(Duration::seconds(90), Japanese), "90秒間");
        assert_eq!(span(Duration::minutes(1), English), "1 minute");
        assert_eq!(span(Duration::hours(24), English), "24 hours");
        assert_eq!(span(Duration::hours(48), English), "2 days");
    }

    #[test]
    fn numbers_come_from_the_policy_in_force() {
        let template = "{office_max_failures}回失敗で{office_lock}、コードは{code_lifetime}・{code_max_attempts}回まで";
        assert_eq!(fill(template, &Policy::default(), Language::Japanese), "3回失敗で30分間、コードは30分間・5回まで");
        let p = Policy {
            office_max_failures: 5,
            office_lock_duration: Duration::hours(1),
            one_time_code_lifetime: Duration::minutes(10),
            ..Policy::default()
        };
        assert_eq!(fill(template, &p, Language::Japanese), "5回失敗で1時間、コードは10分間・5回まで");
    }

    #[test]
    fn unknown_names_and_lone_braces_are_left_as_they_are() {
        assert_eq!(fill("{nothing} {password_min} {", &Policy::default(), Language::English), "{nothing} 8 {");
        assert_eq!(placeholders("a {x} b {y}"), vec!["x", "y"]);
        assert!(!all_known("{x}") && all_known("{password_min}"));
    }

    #[test]
    fn every_code_has_messages_in_both_languages_whose_numbers_are_all_known() {
        for code in ErrorCode::ALL {
            assert!(!code.template_ja().is_empty() && !code.template_en().is_empty(), "{code:?}");
            assert!(code.template_ja().chars().any(|c| c > '\u{3000}'), "{code:?} ja is not Japanese");
            assert!(all_known(code.template_ja()) && all_known(code.template_en()), "{code:?}");
        }
    }

    #[test]
    fn messages_state_the_numbers_of_the_policy_in_force() {
        use time::Duration;
        let p = Policy::default();
        assert_eq!(
            ErrorCode::OfficeLocked.message_ja(&p),
            "ログインに3回続けて失敗したため、30分間ログインできません。時間をおいてからお試しください。"
        );
        let changed = Policy {
            office_max_failures: 5,
            office_lock_duration: Duration::hours(1),
            one_time_code_lifetime: Duration::minutes(10),
            initial_password_lifetime: Duration::days(3),
            ..p.clone()
        };
        assert!(ErrorCode::OfficeLocked.message_ja(&changed).contains("5回続けて失敗したため、1時間ログインできません"));
        assert!(ErrorCode::OfficeLocked.message_en(&changed).contains("locked for 1 hour after 5 failed logins"));
        assert!(ErrorCode::CodeExpired.message_ja(&changed).contains("有効期限（10分間）"));
        assert!(ErrorCode::InitialPasswordExpired.message_ja(&changed).contains("（3日間）"));
        assert!(ErrorCode::PasswordTooShort.message_ja(&changed).contains(&format!("{}文字以上", crate::password::MIN_LEN)));
        assert!(ErrorCode::OfficeLocked.depends_on_policy() && ErrorCode::CodeResendTooSoon.depends_on_policy());
        assert!(!ErrorCode::PasswordTooShort.depends_on_policy() && !ErrorCode::UserIdInvalid.depends_on_policy());
    }
}
