//! The request bodies of 3-3 as the service reads them: arbitrary bytes
//! through serde_json into `UserLoginRequest`, `SendCodeRequest`,
//! `UserVerifyRequest` and `ChangePasswordRequest`, then the domain checks
//! the service runs (crates/service/src/onboarding/{user_login,password_change}.rs).
#![no_main]

use kaigo_api::user::{ChangePasswordRequest, SendCodeRequest, UserLoginRequest, UserVerifyRequest};
use kaigo_domain::{check_new_password, DeliveryChannel, ErrorCode, OneTimeCode, UserId};
use kaigo_fuzz::check_json_round_trip;
use libfuzzer_sys::fuzz_target;

/// The demo admin of practice mode: whose password is being changed.
const USER_ID: &str = "kaigo01";

/// A field of a body as sent: by name in an object, or by position in an
/// array (serde reads a struct from either, and so does the service).
fn field<'a>(body: Option<&'a serde_json::Value>, name: &str, position: usize) -> Option<&'a serde_json::Value> {
    match body? {
        serde_json::Value::Object(o) => o.get(name),
        serde_json::Value::Array(a) => a.get(position),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    // The body as plain JSON, to compare the typed reading with. (None when
    // it is not JSON the `Value` reader takes, e.g. invalid UTF-8 inside the
    // string of an unknown field: serde skips such a field unchecked.)
    let value = serde_json::from_slice::<serde_json::Value>(data).ok();

    // POST /v1/user/login
    if let Ok(req) = serde_json::from_slice::<UserLoginRequest>(data) {
        check_json_round_trip(&req);
        match UserId::parse(&req.user_id) {
            Ok(id) => {
                assert_eq!(UserId::parse(id.as_str()).as_ref(), Ok(&id));
                assert_eq!(serde_json::from_value::<UserId>(serde_json::Value::String(req.user_id.clone())).ok(), Some(id));
            }
            Err(code) => assert_eq!(code, ErrorCode::UserIdInvalid),
        }
    }

    // POST /v1/user/login/{id}/send: only the two channels, by name.
    if let Ok(req) = serde_json::from_slice::<SendCodeRequest>(data) {
        check_json_round_trip(&req);
        if value.is_some() {
            // By name: `"email"`, or serde's other form of a unit variant,
            // `{"email": null}`.
            let named = field(value.as_ref(), "channel", 0).and_then(|c| match c {
                serde_json::Value::String(s) => Some(s.as_str()),
                serde_json::Value::Object(o) if o.len() == 1 => o.keys().next().map(String::as_str),
                _ => None,
            });
            assert_eq!(named, Some(req.channel.as_str()));
        }
        assert!(matches!(req.channel, DeliveryChannel::Email | DeliveryChannel::Sms));
    }

    // POST /v1/user/login/{id}/verify: "remember this PC" only when asked.
    if let Ok(req) = serde_json::from_slice::<UserVerifyRequest>(data) {
        check_json_round_trip(&req);
        if value.is_some() {
            let asked = field(value.as_ref(), "remember_device", 1).and_then(|r| r.as_bool()).unwrap_or(false);
            assert_eq!(req.remember_device, asked);
        }
        match OneTimeCode::parse(&req.code) {
            Ok(c) => assert_eq!(OneTimeCode::parse(c.expose()).as_ref(), Ok(&c)),
            Err(code) => assert_eq!(code, ErrorCode::OneTimeCodeFormat),
        }
    }

    // POST /v1/user/password: the new password meets the policy (with the
    // user's ID), then must differ from the current one.
    if let Ok(req) = serde_json::from_slice::<ChangePasswordRequest>(data) {
        check_json_round_trip(&req);
        let answer = check_new_password(&req.new_password, Some(USER_ID));
        if answer.is_ok() {
            let n = req.new_password.chars().count();
            assert!((8..=128).contains(&n) && req.new_password.bytes().all(|b| b.is_ascii_graphic()));
            assert!(!req.new_password.to_ascii_lowercase().contains(USER_ID));
            assert_eq!(check_new_password(&req.new_password, None), Ok(()));
        }
        if req.new_password.is_empty() {
            assert_eq!(answer, Err(ErrorCode::PasswordMissing));
        }
    }
});
