//! Generates the text catalogue's `Text` enum from `data/texts.json` — the
//! texts are data, one file to read and translate; their keys are a type,
//! so that Rust can name only texts that exist. A text missing a language
//! fails the build.

use std::fmt::Write as _;

fn camel(key: &str) -> String {
    key.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

fn main() {
    println!("cargo:rerun-if-changed=data/texts.json");
    let json = std::fs::read_to_string("data/texts.json").expect("data/texts.json is readable");
    let data: serde_json::Value = serde_json::from_str(&json).expect("data/texts.json is JSON");
    let mut variants = String::new();
    let mut lists = String::new();
    let mut keys = String::new();
    let mut templates = String::new();
    for group in ["page", "composed", "trainer"] {
        let texts = data[group].as_object().unwrap_or_else(|| panic!("data/texts.json has no {group}"));
        let mut list = String::new();
        for (key, text) in texts {
            let name = camel(key);
            let (ja, en) = (text["ja"].as_str(), text["en"].as_str());
            let (Some(ja), Some(en)) = (ja.filter(|t| !t.is_empty()), en.filter(|t| !t.is_empty())) else {
                panic!("data/texts.json: {key} lacks its Japanese or its English")
            };
            let _ = writeln!(variants, "    #[serde(rename = {key:?})]\n    {name},");
            let _ = write!(list, "Text::{name}, ");
            let _ = writeln!(keys, "            Text::{name} => {key:?},");
            let _ = writeln!(
                templates,
                "            (Text::{name}, Language::Japanese) => {ja:?},\n            (Text::{name}, Language::English) => {en:?},"
            );
        }
        let _ = writeln!(lists, "    pub const {}: &'static [Text] = &[{list}];", group.to_uppercase());
    }
    let code = format!(
        "/// One text of the app, by its key (`data/texts.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Text {{
{variants}}}

impl Text {{
{lists}
    pub fn key(self) -> &'static str {{
        match self {{
{keys}        }}
    }}

    /// The template, its numbers and values still named.
    pub fn template(self, language: Language) -> &'static str {{
        match (self, language) {{
{templates}        }}
    }}
}}
"
    );
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("texts.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
