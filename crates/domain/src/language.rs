//! 表示言語: the language staff read the app in (Japanese first).

/// Japanese for staff, English for operators and for staff who ask for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Language {
    #[default]
    #[serde(rename = "ja")]
    Japanese,
    #[serde(rename = "en")]
    English,
}
