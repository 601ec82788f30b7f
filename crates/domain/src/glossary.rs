//! ことばの説明: every technical word of the screens, the report and the
//! trainer's page, explained in plain words in both languages. The words
//! and explanations are data (`data/glossary.json`); the app shows those
//! found on the screen in front of staff, the trainer's page its own.

use crate::language::Language;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const GLOSSARY: &str = include_str!("../data/glossary.json");

/// One word and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: String,
    /// The word as screens write it.
    pub term: String,
    pub term_en: String,
    /// Other forms screens use (shorter, or with a word added).
    #[serde(default)]
    pub also: Vec<String>,
    #[serde(default)]
    pub also_en: Vec<String>,
    /// The explanation, in Japanese and in English.
    pub ja: String,
    pub en: String,
}

impl Term {
    /// Every form of the word in `language`, the longest first (so that
    /// ワンタイム認証コード is found before ワンタイム認証).
    pub fn forms(&self, language: Language) -> Vec<&str> {
        let (main, also) = match language {
            Language::Japanese => (&self.term, &self.also),
            Language::English => (&self.term_en, &self.also_en),
        };
        let mut forms: Vec<&str> = std::iter::once(main.as_str()).chain(also.iter().map(String::as_str)).collect();
        forms.sort_by_key(|f| std::cmp::Reverse(f.chars().count()));
        forms
    }

    pub fn explanation(&self, language: Language) -> &str {
        match language {
            Language::Japanese => &self.ja,
            Language::English => &self.en,
        }
    }
}

#[derive(Deserialize)]
struct Glossary {
    terms: Vec<Term>,
}

/// Every word explained, in the file's order.
pub fn glossary() -> &'static [Term] {
    static TERMS: OnceLock<Vec<Term>> = OnceLock::new();
    TERMS.get_or_init(|| match serde_json::from_str::<Glossary>(GLOSSARY) {
        Ok(g) => g.terms,
        // The file is part of the build; a test reads it.
        Err(_) => Vec::new(),
    })
}

/// The words of the glossary found in `text` (each once, in the
/// glossary's order).
pub fn terms_in<'a>(text: &str, language: Language) -> Vec<&'a Term> {
    glossary().iter().filter(|t| t.forms(language).iter().any(|f| !f.is_empty() && text.contains(f))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glossary_reads_and_every_word_is_explained_in_both_languages_once() {
        let terms = glossary();
        assert!(terms.len() >= 20, "{}", terms.len());
        let mut ids = std::collections::BTreeSet::new();
        for t in terms {
            assert!(ids.insert(t.id.as_str()), "{} twice", t.id);
            for (word, explanation) in [(&t.term, &t.ja), (&t.term_en, &t.en)] {
                assert!(!word.is_empty() && !explanation.is_empty(), "{}", t.id);
                assert!(
                    !explanation.contains(word.as_str()) || explanation.chars().count() > word.chars().count() + 10,
                    "{}: explained by itself",
                    t.id
                );
            }
            // Short: two sentences at most, each within the screens' limit.
            for sentence in t.ja.split('。').filter(|s| !s.is_empty()) {
                assert!(sentence.chars().count() <= 60, "{}: {sentence}", t.id);
            }
            assert!(t.ja.matches('。').count() <= 3, "{}", t.id);
        }
    }

    #[test]
    fn the_longest_form_is_found_and_each_word_once() {
        let found = terms_in("ワンタイム認証コードとセキュリティコードを入力します。ワンタイム認証コード", Language::Japanese);
        let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["one_time_code", "security_code", "authentication"]);
        assert_eq!(glossary()[1].forms(Language::Japanese)[0], "ワンタイム認証コード");
        assert!(terms_in("the client certificate", Language::English).iter().any(|t| t.id == "client_certificate"));
    }
}
