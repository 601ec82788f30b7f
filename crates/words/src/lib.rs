//! Every word the app and the trainer's pages show, in Japanese and in
//! English, defined once: the app page's texts (served with the status,
//! placed by key), the sentences Rust composes (check results, notices,
//! advice after a refusal) and the trainer's pages' words (served to them
//! by the class service, `trainer_words`). The domain's messages (every
//! error code) are the other half; together they are all the app says. A text that states a number of the rules names it
//! (`{code_lifetime}`) and takes it from the policy in force; a value of the
//! moment (`{name}`, `{path}`) is written in by whoever shows it.
//!
//! `**…**` marks words the page shows in bold: text, never markup, so no
//! text can inject anything into the page.

mod texts;

use kaigo_domain::messages::fill;
use kaigo_domain::{Language, Policy};
use serde::Serialize;
use std::collections::BTreeMap;
pub use texts::{Text, VALUES_OF_THE_MOMENT};

/// A sentence in both languages, for answers the page shows in whichever
/// language staff chose (as the API's error bodies carry both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Said {
    pub message: String,
    pub message_en: String,
}

impl Text {
    /// In `language`, with the numbers of `policy` written in.
    pub fn render(self, policy: &Policy, language: Language) -> String {
        fill(self.template(language), policy, language)
    }

    /// In `language`, with the numbers of `policy` and the values of the
    /// moment (`{name}` → value) written in.
    pub fn render_with(self, policy: &Policy, language: Language, values: &[(&str, &str)]) -> String {
        let mut text = self.render(policy, language);
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// In both languages: a text whose words differ between them only in
    /// its values takes them the same in both.
    pub fn said(self, policy: &Policy, values: &[(&str, &str)]) -> Said {
        Said {
            message: self.render_with(policy, Language::Japanese, values),
            message_en: self.render_with(policy, Language::English, values),
        }
    }
}

/// The page's texts by key, in `language`, for the policy in force (the
/// countdown's starting value among them, as the clock shows it: 30:00).
pub fn page_texts(policy: &Policy, language: Language) -> BTreeMap<&'static str, String> {
    let mut texts: BTreeMap<&'static str, String> = Text::PAGE.iter().map(|t| (t.key(), t.render(policy, language))).collect();
    let secs = policy.one_time_code_lifetime.whole_seconds().max(0);
    texts.insert(COUNTDOWN_FULL, format!("{:02}:{:02}", secs / 60, secs % 60));
    texts
}

/// The trainer's pages' words by key, as `[Japanese, English]`, for the
/// policy in force: the pages switch language without asking again.
pub fn trainer_words(policy: &Policy) -> BTreeMap<&'static str, [String; 2]> {
    Text::TRAINER.iter().map(|t| (t.key(), [t.render(policy, Language::Japanese), t.render(policy, Language::English)])).collect()
}

/// The key of the code's full lifetime as a countdown shows it.
pub const COUNTDOWN_FULL: &str = "code_countdown_full";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::Duration;

    #[test]
    fn texts_follow_the_policy_in_force() {
        let default = page_texts(&Policy::default(), Language::Japanese);
        assert_eq!(default["remember_device"], "このPCを24時間記憶する（次回はコード入力を省略）");
        assert_eq!(default["code_countdown_full"], "30:00");
        assert_eq!(default["kj_rule"], "（「KJ」から始まる12桁または14桁）");
        assert!(default["code_hint"].contains("6桁") && default["code_hint"].contains("30分間"));
        assert!(default["password_rule_length"].starts_with("8文字以上"));

        let operator =
            Policy { device_trust_lifetime: Duration::hours(12), one_time_code_lifetime: Duration::minutes(10), ..Policy::default() };
        let changed = page_texts(&operator, Language::Japanese);
        assert_eq!(changed["remember_device"], "このPCを12時間記憶する（次回はコード入力を省略）");
        assert_eq!(changed["code_countdown_full"], "10:00");
        assert!(changed["code_hint"].contains("10分間"));
        // No number of the rules is left unfilled (values of the moment are the page's).
        for (key, text) in &changed {
            for name in kaigo_domain::messages::placeholders(text) {
                assert!(
                    texts::VALUES_OF_THE_MOMENT.contains(&name),
                    "{key}: {{{name}}} is neither a rule's number nor a value of the moment"
                );
            }
        }
        let english = page_texts(&operator, Language::English);
        assert_eq!(english["remember_device"], "Remember this PC for 12 hours (no code next time)");
        assert_eq!(english.keys().collect::<Vec<_>>(), changed.keys().collect::<Vec<_>>());
        // English has no hiragana; a Japanese name (介護WEBサービス) may stay.
        for (key, text) in &english {
            assert!(!text.chars().any(|c| ('\u{3040}'..='\u{309f}').contains(&c)), "{key} is not English: {text}");
        }
    }

    #[test]
    fn every_text_has_both_languages_and_a_unique_key() {
        let mut keys = std::collections::BTreeSet::new();
        for text in Text::PAGE.iter().chain(Text::COMPOSED).chain(Text::TRAINER) {
            assert!(keys.insert(text.key()), "{} twice", text.key());
            assert!(!text.template(Language::Japanese).is_empty() && !text.template(Language::English).is_empty(), "{}", text.key());
        }
        assert!(!keys.contains(COUNTDOWN_FULL));
    }

    #[test]
    fn values_of_the_moment_are_written_in_both_languages() {
        let said = Text::TerminalLinked.said(&Policy::default(), &[("name", "受付PC1")]);
        assert_eq!(said.message, "「受付PC1」を利用開始しました。");
        assert_eq!(said.message_en, "\"受付PC1\" is linked.");
    }
}
