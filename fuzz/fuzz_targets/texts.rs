//! Texts that state the policy's numbers (`texts::fill`, `span`,
//! `placeholders`), every error code's messages, and the JSON of error
//! codes, error bodies and the policy as they cross the wire.
#![no_main]

use arbitrary::Arbitrary;
use kaigo_api::ErrorBody;
use kaigo_domain::messages::{all_known, fill, placeholders, span};
use kaigo_domain::Language;
use kaigo_domain::{ErrorCode, Policy};
use kaigo_fuzz::{json_string, ArbPolicy};
use libfuzzer_sys::fuzz_target;
use time::Duration;

#[derive(Debug, Arbitrary)]
struct Input {
    template: String,
    english: bool,
    policy: ArbPolicy,
    code: u16,
    span_seconds: i64,
    json: String,
}

fn language(english: bool) -> Language {
    if english {
        Language::English
    } else {
        Language::Japanese
    }
}

fuzz_target!(|input: Input| {
    let lang = language(input.english);
    let p = &input.policy.0;

    // Filling writes numbers in and nothing else: a template without a
    // brace is unchanged, the numbers never make a new placeholder (so
    // filling again changes nothing), and every name is listed.
    let filled = fill(&input.template, p, lang);
    if !input.template.contains('{') {
        assert_eq!(filled, input.template);
    }
    assert_eq!(fill(&filled, p, lang), filled, "filling {:?} twice differs", input.template);
    let names = placeholders(&input.template);
    assert!(names.len() <= input.template.matches('{').count());
    if all_known(&input.template) {
        for name in &names {
            assert!(!filled.contains(&format!("{{{name}}}")), "{{{name}}} left in {filled:?}");
        }
    }

    // A span reads back as the number of seconds it is.
    let d = Duration::seconds(input.span_seconds);
    check_span(d, Language::Japanese);
    check_span(d, Language::English);

    // Every code's messages, under any policy, with every number written in.
    let code = ErrorCode::ALL[input.code as usize % ErrorCode::ALL.len()];
    for text in [code.message_ja(p), code.message_en(p)] {
        assert!(!text.is_empty() && !text.contains('{') && !text.contains('}'), "{code:?}: {text:?}");
    }
    let body = ErrorBody::new(code, p);
    assert_eq!(serde_json::from_value::<ErrorBody>(serde_json::to_value(&body).expect("serialises")).ok(), Some(body));

    // An error code from the wire: its own name, or `unknown`.
    let s = &input.json;
    match serde_json::from_str::<ErrorCode>(&json_string(s)) {
        Ok(ErrorCode::Unknown) => assert!(ErrorCode::ALL.iter().all(|c| c.as_str() != s), "{s:?} is a known code"),
        Ok(c) => assert_eq!(c.as_str(), s),
        Err(e) => panic!("{s:?} not read as a code: {e}"),
    }
    // An error body or a policy from the wire reads back the same once written.
    if let Ok(body) = serde_json::from_str::<ErrorBody>(s) {
        let again = serde_json::to_string(&body).expect("serialises");
        assert_eq!(serde_json::from_str::<ErrorBody>(&again).ok(), Some(body));
    }
    if let Ok(policy) = serde_json::from_str::<Policy>(s) {
        let again = serde_json::to_string(&policy).expect("serialises");
        assert_eq!(serde_json::from_str::<Policy>(&again).ok(), Some(policy));
    }
    let written = serde_json::to_string(p).expect("serialises");
    let read: Policy = serde_json::from_str(&written).expect("a policy reads back");
    // Durations travel as whole seconds.
    assert_eq!(read.one_time_code_lifetime, Duration::seconds(p.one_time_code_lifetime.whole_seconds()));
    assert_eq!(read.office_max_failures, p.office_max_failures);
});

fn check_span(d: Duration, lang: Language) {
    let text = span(d, lang);
    let (number, unit) = match lang {
        Language::Japanese => {
            let unit = [("日間", 86_400), ("時間", 3_600), ("分間", 60), ("秒間", 1)].into_iter().find(|(u, _)| text.ends_with(u));
            let (u, secs) = unit.unwrap_or_else(|| panic!("{text:?} has no unit"));
            (&text[..text.len() - u.len()], secs)
        }
        Language::English => {
            let (n, u) = text.split_once(' ').unwrap_or_else(|| panic!("{text:?} has no unit"));
            let secs = match u.trim_end_matches('s') {
                "day" => 86_400,
                "hour" => 3_600,
                "minute" => 60,
                "second" => 1,
                other => panic!("{text:?}: unit {other:?}"),
            };
            assert_eq!(u.ends_with('s'), n != "1", "{text:?}: singular and plural");
            (n, secs)
        }
    };
    let n: i64 = number.parse().unwrap_or_else(|_| panic!("{text:?}: {number:?} is not a number"));
    assert_eq!(n.checked_mul(unit), Some(d.whole_seconds()), "{text:?} is not {d}");
}
