//! Errors as the page sees them: the API's own error body (`{code, message,
//! message_en, field, retry_after_seconds, tries_left}`), whether the
//! refusal came from the service or the app found it itself. The words are
//! written in one place, [`explain`]: the code's message for the policy in
//! force, then what to do next — the tries left before a lock, until when a
//! lock lasts, or how long to wait.

use crate::catalogue::Text;
use kaigo_api::ErrorBody;
use kaigo_client::ClientError;
use kaigo_domain::messages::JAPAN_TIME;
use kaigo_domain::{ErrorCode, Policy};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// A refusal or fault, with its words written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(transparent)]
#[error("{}: {}", .0.code.as_str(), .0.message_en)]
pub struct AppError(pub ErrorBody);

pub type AppResult<T> = Result<T, AppError>;

impl std::ops::Deref for AppError {
    type Target = ErrorBody;
    fn deref(&self) -> &ErrorBody {
        &self.0
    }
}

/// What a refusal says beyond its code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refused {
    pub field: Option<String>,
    pub retry_after_seconds: Option<u64>,
    pub tries_left: Option<u32>,
    /// The service's own words, kept for a code this build does not know.
    pub service_words: Option<(String, String)>,
}

/// The one place a refusal's words are written: the code's message with the
/// numbers of `policy`, then what to do next. `now`, when known, turns an
/// office lock's wait into the time of day it ends.
pub fn explain(code: ErrorCode, refused: Refused, policy: &Policy, now: Option<OffsetDateTime>) -> ErrorBody {
    let (message, message_en) = match (code, refused.service_words) {
        (ErrorCode::Unknown, Some(words)) => words,
        _ => (code.message_ja(policy), code.message_en(policy)),
    };
    let next = match (code, refused.tries_left, refused.retry_after_seconds, now) {
        (ErrorCode::InvalidCredentials, Some(1), _, _) => Some(Text::AdviceOfficeLastTry.said(policy, &[])),
        (ErrorCode::InvalidCredentials, Some(n), _, _) => Some(Text::AdviceOfficeTriesLeft.said(policy, &[("tries_left", &n.to_string())])),
        (ErrorCode::JoinCodeWrong, Some(n), _, _) => Some(Text::AdviceJoinTriesLeft.said(policy, &[("tries_left", &n.to_string())])),
        (ErrorCode::OfficeLocked, _, Some(secs), Some(now)) => Some(until_said(Text::AdviceOfficeLockedUntil, now, secs, policy)),
        (ErrorCode::JoinTriesExhausted, _, Some(secs), Some(now)) => Some(until_said(Text::AdviceJoinLockedUntil, now, secs, policy)),
        (_, _, Some(secs), _) if secs < 60 => Some(Text::RetryInSeconds.said(policy, &[("seconds", &secs.to_string())])),
        (_, _, Some(secs), _) => Some(Text::RetryInMinutes.said(policy, &[("minutes", &secs.div_ceil(60).to_string())])),
        _ => None,
    };
    let (message, message_en) = match next {
        // Japanese sentences follow each other without a space; English ones with one.
        Some(next) => (format!("{message}{}", next.message), format!("{message_en} {}", next.message_en)),
        None => (message, message_en),
    };
    ErrorBody {
        code,
        message,
        message_en,
        retry_after_seconds: refused.retry_after_seconds,
        tries_left: refused.tries_left,
        field: refused.field,
    }
}

/// `text` with `{until}`: the time of day, in Japan, `secs` after `now`,
/// to the next whole minute (at the minute said, the wait is over).
fn until_said(text: Text, now: OffsetDateTime, secs: u64, policy: &Policy) -> crate::catalogue::Said {
    let end = now + Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2));
    let into_minute = Duration::seconds(i64::from(end.second())) + Duration::nanoseconds(i64::from(end.nanosecond()));
    let until = if into_minute.is_zero() { end } else { end - into_minute + Duration::MINUTE };
    let until = until.to_offset(JAPAN_TIME);
    let (hour, minute) = (until.hour().to_string(), format!("{:02}", until.minute()));
    let at = Text::TimeOfDay.said(policy, &[("hour", &hour), ("minute", &minute)]);
    crate::catalogue::Said {
        message: text.render_with(policy, kaigo_domain::Language::Japanese, &[("until", &at.message)]),
        message_en: text.render_with(policy, kaigo_domain::Language::English, &[("until", &at.message_en)]),
    }
}

impl Refused {
    /// What the service's answer said, or for a failure before any answer
    /// (TLS, network) nothing but the code, whose words state no number of
    /// the policy. The failure's detail goes to the log.
    pub fn from_client(e: ClientError) -> (ErrorCode, Refused) {
        match e {
            ClientError::Api { body, .. } => (
                body.code,
                Refused {
                    field: body.field,
                    retry_after_seconds: body.retry_after_seconds,
                    tries_left: body.tries_left,
                    service_words: Some((body.message, body.message_en)),
                },
            ),
            ClientError::Local { code, detail, .. } => {
                tracing::warn!(code = code.as_str(), %detail, "request failed");
                (code, Refused::default())
            }
        }
    }
}

impl AppError {
    /// An error the app finds itself: a form field, the PC, the connection.
    /// Such codes state only fixed rules (formats, lengths), never a number
    /// of the service's policy: refusals that do come from the service, and
    /// are explained with the policy it stated (`AppCore::refused`).
    pub fn new(code: ErrorCode) -> Self {
        debug_assert!(!code.depends_on_policy(), "{code:?} states the service's policy: it comes from the service");
        AppError(explain(code, Refused::default(), &Policy::default(), None))
    }

    /// An error of one form field (`FormField`, or a name the rules give).
    pub fn field(code: ErrorCode, field: impl AsRef<str>) -> Self {
        AppError(explain(code, Refused { field: Some(field.as_ref().to_owned()), ..Refused::default() }, &Policy::default(), None))
    }

    /// A fault with no better code; the detail goes to the log, not the UI.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(ErrorCode::Internal)
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The same error, shown at `field` when its code is one of `codes`
    /// (a refusal of what was typed there, which the service could not
    /// place on the app's form).
    pub fn at_field_if(mut self, codes: &[ErrorCode], field: impl AsRef<str>) -> Self {
        if self.0.field.is_none() && codes.contains(&self.0.code) {
            self.0.field = Some(field.as_ref().to_owned());
        }
        self
    }
}

impl AppError {
    /// A failure of the client's own parts (a certificate file, a key), which
    /// no service answered: its code's words, the detail in the log.
    pub fn of_client(e: ClientError) -> Self {
        let (code, refused) = Refused::from_client(e);
        AppError(explain(code, refused, &Policy::default(), None))
    }
}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        Self::new(code)
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        Self::internal(e)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::datetime;

    fn waited(code: ErrorCode, seconds: u64) -> ErrorBody {
        explain(code, Refused { retry_after_seconds: Some(seconds), ..Refused::default() }, &Policy::default(), None)
    }

    #[test]
    fn a_wait_is_said_in_minutes_rounded_up_or_in_seconds_when_short() {
        assert!(waited(ErrorCode::LoginThrottled, 30).message.ends_with("（約30秒後にお試しください）"));
        assert!(waited(ErrorCode::LoginThrottled, 60).message.ends_with("（約1分後にお試しください）"));
        assert!(waited(ErrorCode::LoginThrottled, 1_799).message.ends_with("（約30分後にお試しください）"));
        assert!(waited(ErrorCode::LoginThrottled, 1_799).message_en.ends_with(" (try again in about 30 minutes)"));
    }

    #[test]
    fn a_wrong_password_says_how_many_tries_are_left_and_a_lock_until_when() {
        let p = Policy::default();
        let now = datetime!(2026-11-25 01:10 UTC);
        let tries = |n| explain(ErrorCode::InvalidCredentials, Refused { tries_left: Some(n), ..Refused::default() }, &p, Some(now));
        let wrong = tries(2);
        let base = ErrorCode::InvalidCredentials.message_ja(&p);
        assert!(wrong.message.starts_with(&base), "{}", wrong.message);
        assert!(wrong.message[base.len()..].starts_with("あと2回まちがえると、30分間ログインできなくなります。"), "{}", wrong.message);
        assert_eq!(wrong.tries_left, Some(2));
        let locked = explain(ErrorCode::OfficeLocked, Refused { retry_after_seconds: Some(30 * 60), ..Refused::default() }, &p, Some(now));
        let base = ErrorCode::OfficeLocked.message_ja(&p);
        assert!(locked.message[base.len()..].starts_with("10時40分まで待ってから"), "JST: {}", locked.message);
        assert!(locked.message.contains("仮のパスワード"));
        assert!(!locked.message.contains("お試しください）"), "the lock's end replaces the wait hint");
        let plain = explain(ErrorCode::InvalidCredentials, Refused::default(), &p, Some(now));
        assert_eq!(plain.message, ErrorCode::InvalidCredentials.message_ja(&p));
        let code = explain(ErrorCode::CodeIncorrect, Refused { tries_left: Some(3), ..Refused::default() }, &p, Some(now));
        assert_eq!(code.message, ErrorCode::CodeIncorrect.message_ja(&p));
        let last = tries(1).message_en;
        let after = last.strip_prefix(ErrorCode::InvalidCredentials.message_en(&p).as_str()).unwrap();
        assert_eq!(after.trim_start().split('.').next(), Some("1 more wrong try and the login is locked for 30 minutes"));
        let locked_en =
            explain(ErrorCode::OfficeLocked, Refused { retry_after_seconds: Some(30 * 60), ..Refused::default() }, &p, Some(now));
        assert!(locked_en.message_en.contains("until 10:40 (Japan time)"));
    }

    #[test]
    fn a_wrong_join_code_says_the_tries_left_and_a_pc_kept_out_until_when_never_a_while() {
        let p = Policy::default();
        let now = datetime!(2026-11-25 01:10 UTC);
        let wrong = explain(ErrorCode::JoinCodeWrong, Refused { tries_left: Some(3), ..Refused::default() }, &p, Some(now));
        let base = ErrorCode::JoinCodeWrong.message_ja(&p);
        assert!(wrong.message[base.len()..].starts_with("あと3回まちがえると、このPCからは参加できなくなります。"), "{}", wrong.message);
        assert!(wrong.message_en.contains("3 more wrong codes and this PC is kept out."), "{}", wrong.message_en);
        let out =
            explain(ErrorCode::JoinTriesExhausted, Refused { retry_after_seconds: Some(9 * 60 + 30), ..Refused::default() }, &p, Some(now));
        let base = ErrorCode::JoinTriesExhausted.message_ja(&p);
        assert_eq!(&out.message[base.len()..], "10時20分から、もう一度参加できます。", "JST, to the next minute: {}", out.message);
        assert!(out.message_en.ends_with("This PC can join again from 10:20 (Japan time)."), "{}", out.message_en);
        for said in [&wrong.message, &out.message] {
            assert!(!said.contains("しばらく"), "{said}");
        }
    }

    #[test]
    fn a_code_from_a_newer_service_keeps_the_services_words() {
        let words = Some(("新しい理由".to_owned(), "A new reason".to_owned()));
        let body = explain(ErrorCode::Unknown, Refused { service_words: words, ..Refused::default() }, &Policy::default(), None);
        assert_eq!((body.message.as_str(), body.message_en.as_str()), ("新しい理由", "A new reason"));
    }

    #[test]
    fn the_error_crosses_ipc_as_the_apis_body() {
        let e = AppError::field(ErrorCode::UserIdInvalid, "user_id");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "user_id_invalid");
        assert_eq!(json["field"], "user_id");
        assert!(json["message"].as_str().unwrap().contains("6文字以上"));
        assert_eq!(serde_json::from_value::<ErrorBody>(json).unwrap(), e.0);
    }
}
