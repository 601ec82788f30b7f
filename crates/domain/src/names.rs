//! Free-text fields that still have limits: names shown on screens and in mail.

use crate::error::ErrorCode;
use crate::newtype::string_newtype;
use serde::{Deserialize, Serialize};

fn bounded_text(input: &str, max_chars: usize) -> Option<String> {
    let s = input.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    let n = s.chars().count();
    let ok = n >= 1 && n <= max_chars && !s.chars().any(char::is_control);
    ok.then(|| s.to_owned())
}

/// 氏名 of an admin or general user, as written in Japanese (e.g. 介護 花子).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);
string_newtype!(PersonName);

impl PersonName {
    pub const MAX_CHARS: usize = 50;

    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        bounded_text(input, Self::MAX_CHARS).map(Self).ok_or(ErrorCode::NameInvalid)
    }
}

/// 端末名: how the office calls the card-reading PC (資格確認端末), e.g. 受付PC1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TerminalName(String);
string_newtype!(TerminalName);

impl TerminalName {
    pub const MAX_CHARS: usize = 40;

    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        bounded_text(input, Self::MAX_CHARS).map(Self).ok_or(ErrorCode::TerminalNameInvalid)
    }
}

/// 研修の名前: what the trainer calls a class (shown on the projector and
/// to every attendee), e.g. 介護WEBサービス 初期設定の研修.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClassName(String);
string_newtype!(ClassName);

impl ClassName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, ErrorCode> {
        bounded_text(input, Self::MAX_CHARS).map(Self).ok_or(ErrorCode::ClassNameInvalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("　介護 花子 ").unwrap().as_str(), "介護 花子");
        assert_eq!(PersonName::parse("   "), Err(ErrorCode::NameInvalid));
        assert_eq!(PersonName::parse(&"あ".repeat(51)), Err(ErrorCode::NameInvalid));
        assert_eq!(PersonName::parse("a\u{7}b"), Err(ErrorCode::NameInvalid));
        assert_eq!(TerminalName::parse("受付PC1").unwrap().as_str(), "受付PC1");
        assert_eq!(ClassName::parse(" 初期設定の研修 ").unwrap().as_str(), "初期設定の研修");
        // A class's name is not a person's: its own message says what to fix.
        assert_eq!(ClassName::parse(""), Err(ErrorCode::ClassNameInvalid));
        assert_eq!(ClassName::parse(&"研".repeat(101)), Err(ErrorCode::ClassNameInvalid));
    }
}
