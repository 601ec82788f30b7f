//! What the fuzz targets share: the properties every parser of typed input
//! must have, and generators of times and policies.

use arbitrary::{Arbitrary, Unstructured};
use kaigo_domain::{ErrorCode, Policy};
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;
use time::{Duration, OffsetDateTime, UtcOffset};

/// What staff type with a Japanese IME left in full-width mode: every
/// printable ASCII character as its full-width form (U+FF01..=U+FF5E) and
/// the space as the ideographic space (U+3000). Anything else is kept.
pub fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            ' ' => '\u{3000}',
            _ => c,
        })
        .collect()
}

/// No full-width ASCII variant and no ideographic space left.
pub fn is_half_width(s: &str) -> bool {
    !s.chars().any(|c| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}'))
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a str always serialises")
}

/// The properties of a parser of one typed field (`parse`, canonical form
/// `canon`, the one error code it may answer):
///
/// * it answers the value or its own error code, nothing else;
/// * a value's canonical form parses to the same value (a fixed point), so
///   what is stored reads back the same;
/// * when `normalises` (the field goes through the domain's half-width
///   normalisation), the canonical form is half-width and the same input
///   typed in full-width gives the same answer.
pub fn check_parser<T: PartialEq + Debug>(
    input: &str, parse: impl Fn(&str) -> Result<T, ErrorCode>, canon: impl Fn(&T) -> String, refusal: ErrorCode, normalises: bool,
) -> Option<T> {
    let parsed = parse(input);
    if let Err(code) = &parsed {
        assert_eq!(*code, refusal, "{input:?} refused with a foreign code");
    }
    if normalises {
        let wide = full_width(input);
        assert_eq!(parse(&wide), parsed, "{input:?} typed full-width ({wide:?}) reads differently");
    }
    let value = parsed.ok()?;
    let c = canon(&value);
    assert_eq!(parse(&c).as_ref(), Ok(&value), "{input:?}: canonical form {c:?} does not read back");
    if normalises {
        assert!(is_half_width(&c), "{input:?}: canonical form {c:?} is not half-width");
    }
    Some(value)
}

/// For a domain newtype read from JSON (`#[serde(try_from = "String")]`):
/// deserialising the JSON string of `input` gives exactly what `parse`
/// gives, and a value serialises as its canonical form and reads back.
pub fn check_serde_newtype<T: PartialEq + Debug + Serialize + DeserializeOwned>(
    input: &str, parsed: Option<&T>, canon: impl Fn(&T) -> String,
) {
    let from_json = serde_json::from_str::<T>(&json_string(input)).ok();
    assert_eq!(from_json.as_ref(), parsed, "{input:?}: JSON and parse disagree");
    if let Some(v) = parsed {
        let json = serde_json::to_string(v).expect("serialises");
        assert_eq!(json, json_string(&canon(v)), "{input:?}: serialised form is not the canonical string");
        assert_eq!(serde_json::from_str::<T>(&json).ok().as_ref(), Some(v), "{input:?}: does not read back from JSON");
    }
}

/// Serialising a request body and reading it back gives the same JSON (the
/// service hashes `serde_json::to_vec(request)` for idempotent retries and
/// relies on it being the same for the same request).
pub fn check_json_round_trip<T: Serialize + DeserializeOwned>(value: &T) -> serde_json::Value {
    let first = serde_json::to_vec(value).expect("a request body serialises");
    let again: T = serde_json::from_slice(&first).expect("a serialised request body reads back");
    let second = serde_json::to_vec(&again).expect("serialises");
    assert_eq!(first, second, "a request body does not round-trip through JSON");
    serde_json::from_slice(&first).expect("valid JSON")
}

/// Any instant `OffsetDateTime` can hold (years -9999..=9999, any offset,
/// nanoseconds), biased towards the present when the fuzzer gives a small
/// number.
pub fn datetime(u: &mut Unstructured<'_>) -> arbitrary::Result<OffsetDateTime> {
    const T0: i64 = 1_795_597_200; // 2026-11-25 09:00 UTC
    let min = OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT).unix_timestamp();
    let max = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT).unix_timestamp();
    let secs = match u.int_in_range(0..=3u8)? {
        0 => u.int_in_range(min..=max)?,
        _ => T0 + i64::from(u.arbitrary::<i32>()?),
    };
    let nanos = if u.arbitrary()? { u.int_in_range(0..=999_999_999i64)? } else { 0 };
    let t = OffsetDateTime::from_unix_timestamp(secs.clamp(min, max)).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    let t = t.replace_nanosecond(nanos as u32).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    let offset = if u.arbitrary()? {
        UtcOffset::from_whole_seconds(u.int_in_range(-86_399..=86_399)?).unwrap_or(UtcOffset::UTC)
    } else {
        UtcOffset::UTC
    };
    // Near the ends of the calendar an offset can take the local date out of range.
    Ok(t.checked_to_offset(offset).unwrap_or(t))
}

/// A span as a policy holds it: whole seconds on the wire, any i64, biased
/// towards everyday spans.
pub fn duration(u: &mut Unstructured<'_>) -> arbitrary::Result<Duration> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => Duration::seconds(u.arbitrary()?),
        1 => Duration::new(u.arbitrary::<i32>()?.into(), u.int_in_range(0..=999_999_999)?),
        _ => Duration::seconds(u.int_in_range(0..=30 * 86_400)?),
    })
}

/// The service's own policy, or one an operator (or a peer on the wire)
/// could give: every field arbitrary.
pub fn policy(u: &mut Unstructured<'_>) -> arbitrary::Result<Policy> {
    if u.ratio(1, 4)? {
        return Ok(Policy::default());
    }
    let count = |u: &mut Unstructured<'_>| -> arbitrary::Result<u32> {
        if u.arbitrary()? {
            u.arbitrary()
        } else {
            u.int_in_range(0..=200)
        }
    };
    Ok(Policy {
        one_time_code_lifetime: duration(u)?,
        one_time_code_max_attempts: count(u)?,
        one_time_code_resend_interval: duration(u)?,
        device_trust_lifetime: duration(u)?,
        initial_password_lifetime: duration(u)?,
        office_max_failures: count(u)?,
        office_lock_duration: duration(u)?,
        user_max_failures: count(u)?,
        user_free_failures: count(u)?,
        user_max_delay: duration(u)?,
        login_challenge_lifetime: duration(u)?,
        session_idle_lifetime: duration(u)?,
        session_absolute_lifetime: duration(u)?,
        terminal_challenge_lifetime: duration(u)?,
        terminal_activation_lifetime: duration(u)?,
        terminal_activation_max_attempts: count(u)?,
    })
}

/// A wrapper to take a policy with `#[derive(Arbitrary)]` fields.
#[derive(Debug)]
pub struct ArbPolicy(pub Policy);

impl<'a> Arbitrary<'a> for ArbPolicy {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        policy(u).map(ArbPolicy)
    }
}

/// A wrapper to take an instant with `#[derive(Arbitrary)]` fields.
#[derive(Debug, Clone, Copy)]
pub struct ArbTime(pub OffsetDateTime);

impl<'a> Arbitrary<'a> for ArbTime {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        datetime(u).map(ArbTime)
    }
}

/// A count of tries or failures: mostly the small numbers the rules are
/// about, sometimes anything a `u32` holds.
#[derive(Debug, Clone, Copy)]
pub struct ArbCount(pub u32);

impl<'a> Arbitrary<'a> for ArbCount {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(ArbCount(if u.ratio(1, 8)? { u.arbitrary()? } else { u.int_in_range(0..=120)? }))
    }
}

/// The wait the service tells in `Retry-After` and `retry_after_seconds`.
pub fn told_wait(d: Duration) -> Duration {
    Duration::seconds(i64::try_from(kaigo_domain::refusal::retry_after_seconds(d)).unwrap_or(i64::MAX))
}
