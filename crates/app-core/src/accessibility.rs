//! アクセシビリティ方針: the statement in the repository (ACCESSIBILITY.md),
//! shown from 設定 in the language chosen: one text, read as it is built.

use kaigo_domain::Language;

const STATEMENT: &str = include_str!("../../../ACCESSIBILITY.md");

/// The statement's part in `language` (its `## 日本語` or `## English`
/// section), without the heading.
pub fn statement(language: Language) -> &'static str {
    let heading = match language {
        Language::Japanese => "## 日本語\n",
        Language::English => "## English\n",
    };
    let Some(start) = STATEMENT.find(heading) else { return "" };
    let rest = &STATEMENT[start + heading.len()..];
    rest.split("\n## ").next().unwrap_or(rest).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_has_both_parts_each_saying_what_was_and_was_not_tested() {
        let ja = statement(Language::Japanese);
        let en = statement(Language::English);
        assert!(ja.contains("対応度") && ja.contains("まだ確かめていないこと") && ja.contains("NVDA"), "{ja}");
        assert!(en.contains("Conformance") && en.contains("Not yet checked") && en.contains("NVDA"), "{en}");
        assert!(!ja.contains("## English") && !en.contains("## 日本語"));
    }
}
