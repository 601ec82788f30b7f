//! The trainer's pages: HTML with their words written in from the words
//! crate (Japanese; the script switches to English from
//! `/trainer/assets/words.json`), one script and one style sheet, under a
//! strict Content-Security-Policy; what they show comes from the trainer
//! API (`classes`).

use super::AppState;
use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use kaigo_domain::Policy;
use std::collections::BTreeMap;

pub const GRID: &str = include_str!("../../trainer/grid.html");
pub const PROJECTOR: &str = include_str!("../../trainer/projector.html");
pub const SUMMARY: &str = include_str!("../../trainer/summary.html");
pub const SIGNED_IN: &str = include_str!("../../trainer/signed-in.html");
const SCRIPT: &str = include_str!("../../trainer/trainer.js");
const STYLE: &str = include_str!("../../trainer/trainer.css");

/// No inline script or style, nothing from elsewhere, no framing, no
/// form posting anywhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; \
     form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The headers of every trainer page and asset: the sign-in link's secret
/// never leaves in a Referer, nothing is cached.
pub async fn protect(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    resp
}

/// The trainer's words: `[Japanese, English]` by key.
pub type TrainerWords = BTreeMap<&'static str, [String; 2]>;

/// `html` with its words written in: `{{key}}` in Japanese, `{{en:key}}`
/// in English. A key the words crate lacks stays visible as `{{key}}`
/// (the words test finds it before any trainer does).
pub fn with_words(html: &str, words: &TrainerWords) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 2);
    let mut rest = html;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        let name = &rest[start + 2..start + len];
        let (key, language) = match name.strip_prefix("en:") {
            Some(key) => (key, 1),
            None => (name, 0),
        };
        out.push_str(&rest[..start]);
        match words.get(key) {
            Some(both) => out.push_str(&escape(&both[language])),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// Words are text, never markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn words_of(policy: &Policy) -> TrainerWords {
    kaigo_words::trainer_words(policy)
}

pub fn page(html: &str, policy: &Policy) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], with_words(html, &words_of(policy))).into_response()
}

/// The page a sign-in goes on to: the grid, or the projector's page when
/// asked for (`next=projector`); nothing else, so that a link cannot send
/// the trainer's window elsewhere.
pub fn signed_in(next: Option<&str>, policy: &Policy) -> Response {
    let to = match next {
        Some("projector") => "/trainer/projector",
        _ => "/trainer",
    };
    page(&SIGNED_IN.replace("{{next}}", to), policy)
}

pub async fn grid(State(s): State<AppState>) -> Response {
    page(GRID, &s.ob.policy)
}

pub async fn projector(State(s): State<AppState>) -> Response {
    page(PROJECTOR, &s.ob.policy)
}

pub async fn summary(State(s): State<AppState>) -> Response {
    page(SUMMARY, &s.ob.policy)
}

/// The pages' words in both languages, for the language switch.
pub async fn words(State(s): State<AppState>) -> Response {
    axum::Json(words_of(&s.ob.policy)).into_response()
}

pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

/// ことばの説明: the app's glossary (kaigo_domain), both languages; the
/// page lists the words it shows.
pub async fn glossary() -> Response {
    axum::Json(kaigo_domain::glossary::glossary()).into_response()
}

pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use kaigo_words::Text;
    use std::collections::BTreeSet;

    const PAGES: [(&str, &str); 4] =
        [("grid.html", GRID), ("projector.html", PROJECTOR), ("summary.html", SUMMARY), ("signed-in.html", SIGNED_IN)];

    /// Every key a page or the script names: `{{key}}`, `data-t…="key"`,
    /// `data-title="key"`, and the quoted keys inside `say(…)`.
    fn keys_named(file: &str) -> BTreeSet<String> {
        let placeholder = regex::Regex::new(r"\{\{(?:en:)?([a-z_]+)\}\}").unwrap();
        let attribute = regex::Regex::new(r#"data-(?:t|t-alt|t-label|title)="([a-z_]+)""#).unwrap();
        let said = regex::Regex::new(r"say\(([^()]*)").unwrap();
        let quoted = regex::Regex::new(r#""([a-z_]+)""#).unwrap();
        let mut keys: BTreeSet<String> =
            placeholder.captures_iter(file).chain(attribute.captures_iter(file)).map(|c| c[1].to_owned()).collect();
        for call in said.captures_iter(file) {
            keys.extend(quoted.captures_iter(&call[1]).map(|c| c[1].to_owned()));
        }
        keys.remove("next");
        keys
    }

    /// The keys `files` name that the words crate lacks.
    fn unknown_keys(files: &[&str]) -> Vec<String> {
        let known: BTreeSet<&str> = Text::TRAINER.iter().map(|t| t.key()).collect();
        files.iter().flat_map(|f| keys_named(f)).filter(|k| !known.contains(k.as_str())).collect()
    }

    /// Japanese outside comments: words written here instead of in the
    /// words crate.
    fn japanese_outside_comments(file: &str) -> Vec<String> {
        let comments = regex::Regex::new(r"(?s)<!--.*?-->|//[^\n]*").unwrap();
        let japanese = |c: char| ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c);
        comments.replace_all(file, "").lines().filter(|l| l.chars().any(japanese)).map(str::to_owned).collect()
    }

    #[test]
    fn the_trainers_pages_name_only_words_of_the_words_crate_and_use_them_all() {
        let files: Vec<&str> = PAGES.iter().map(|(_, f)| *f).chain([SCRIPT]).collect();
        assert_eq!(unknown_keys(&files), Vec::<String>::new());
        // Used: named, quoted anywhere in the script (a list of keys), or
        // named by a prefix the grid's values complete (`grid_step_${…}`:
        // the classes' test holds those to what the grid sends).
        let mut used: BTreeSet<String> = files.iter().flat_map(|f| keys_named(f)).collect();
        used.extend(regex::Regex::new(r#""([a-z_]+)""#).unwrap().captures_iter(SCRIPT).map(|c| c[1].to_owned()));
        let prefixes: Vec<String> =
            regex::Regex::new(r"say\(`([a-z_]+)\$\{").unwrap().captures_iter(SCRIPT).map(|c| c[1].to_owned()).collect();
        assert!(prefixes.len() >= 3, "the script names steps, conditions and refusals by prefix: {prefixes:?}");
        let unused: Vec<&str> = Text::TRAINER
            .iter()
            .map(|t| t.key())
            .filter(|k| !used.contains(*k) && !prefixes.iter().any(|p| k.starts_with(p.as_str())))
            .collect();
        assert_eq!(unused, Vec::<&str>::new(), "trainer words no page or script uses");
        for (name, file) in PAGES.iter().copied().chain([("trainer.js", SCRIPT)]) {
            assert_eq!(japanese_outside_comments(file), Vec::<String>::new(), "{name} writes its own words");
        }
        // Served, every placeholder is filled.
        let words = words_of(&Policy::default());
        for (name, html) in PAGES {
            let served = with_words(&html.replace("{{next}}", "/trainer"), &words);
            assert!(!served.contains("{{"), "{name}: {served}");
        }
    }

    #[test]
    fn the_words_check_finds_a_word_written_in_a_page_and_an_unknown_key() {
        let spoilt =
            GRID.replace("{{grid_title}}</span>", "{{grid_titel}}</span>").replace("data-t=\"end\">{{end}}", "data-t=\"end\">研修を終える");
        assert_eq!(unknown_keys(&[&spoilt]), ["grid_titel"]);
        assert_eq!(japanese_outside_comments(&spoilt).len(), 1, "{spoilt}");
        assert_eq!(
            unknown_keys(&["confirm(say(\"reset_confirm\", { seat_number: n })) || say(x ? \"unlocked\" : \"undone\")"]),
            ["undone"]
        );
        assert!(japanese_outside_comments("// ことば\n<!-- 言葉 -->\nconst a = 1;").is_empty());
    }

    #[test]
    fn words_are_written_in_as_text_and_a_missing_key_stays_visible() {
        let words: TrainerWords = [("a", ["<b>\"x\" & y</b>".to_owned(), "en".to_owned()])].into_iter().collect();
        assert_eq!(with_words("<p>{{a}}|{{en:a}}|{{b}}|{{", &words), "<p>&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;|en|{{b}}|{{");
    }
}
