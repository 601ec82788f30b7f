//! The request bodies of 3-1 and 3-2 as the service reads them: arbitrary
//! bytes through serde_json into `OfficeLoginRequest`, `OfficeVerifyRequest`
//! and `AdminRegistrationRequest`, then the domain checks the service runs
//! on each (crates/service/src/onboarding/{office_login,registration}.rs).
#![no_main]

use kaigo_api::office::{AdminRegistrationRequest, OfficeLoginRequest, OfficeVerifyRequest};
use kaigo_domain::{
    check_admin_application, DeliveryChannel, ElectronicBillingId, EmailAddress, ErrorCode, OneTimeCode, PhoneNumber, ReferenceLists,
    SecurityCode,
};
use kaigo_fuzz::check_json_round_trip;
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

/// The same body read with the domain's own types: what `parse` accepts
/// and what serde's `try_from` accepts must be the same.
#[derive(Deserialize)]
struct TypedLogin {
    electronic_billing_id: ElectronicBillingId,
}

fuzz_target!(|data: &[u8]| {
    // POST /v1/office/login
    if let Ok(req) = serde_json::from_slice::<OfficeLoginRequest>(data) {
        check_json_round_trip(&req);
        // office_login: the KJ ID parsed, then the password required.
        let id = ElectronicBillingId::parse(&req.electronic_billing_id);
        if let Err(code) = &id {
            assert_eq!(*code, ErrorCode::ElectronicBillingIdInvalid);
        }
        let typed = serde_json::from_slice::<TypedLogin>(data).map(|t| t.electronic_billing_id);
        assert_eq!(typed.ok(), id.clone().ok());
        if let Ok(id) = id {
            assert_eq!(ElectronicBillingId::parse(id.as_str()), Ok(id.clone()));
        }
    }

    // POST /v1/office/login/{id}/verify
    if let Ok(req) = serde_json::from_slice::<OfficeVerifyRequest>(data) {
        check_json_round_trip(&req);
        if let Ok(code) = OneTimeCode::parse(&req.code) {
            assert!(code.expose().len() == 6 && code.expose().bytes().all(|b| b.is_ascii_digit()));
        }
        // office_verify: a blank security code counts as not given.
        match req.security_code.as_deref().filter(|s| !s.trim().is_empty()) {
            None => {}
            Some(given) => match SecurityCode::parse(given) {
                Ok(c) => assert!((4..=16).contains(&c.expose().len()) && c.expose().bytes().all(|b| b.is_ascii_alphanumeric())),
                Err(code) => assert_eq!(code, ErrorCode::SecurityCodeFormat),
            },
        }
    }

    // POST /v1/office/admin-users
    if let Ok(req) = serde_json::from_slice::<AdminRegistrationRequest>(data) {
        let json = check_json_round_trip(&req);
        let lists = ReferenceLists::built_in();
        let answer = check_admin_application(&req.application(), lists);
        // A retry of the same request (the idempotency replay compares the
        // hash of the re-serialised body) gets the same answer.
        let again: AdminRegistrationRequest = serde_json::from_value(json).expect("reads back");
        assert_eq!(again, req);
        assert_eq!(check_admin_application(&again.application(), lists), answer);
        match answer {
            Ok(admin) => {
                // What is stored is the checked, canonical form.
                assert_eq!(admin.user_id.as_str(), kaigo_domain::UserId::parse(admin.user_id.as_str()).expect("canonical").as_str());
                assert!(admin.email.is_some() || admin.phone.as_ref().is_some_and(PhoneNumber::is_mobile));
                match admin.destination.channel {
                    DeliveryChannel::Email => {
                        assert_eq!(Some(admin.destination.recipient.as_str()), admin.email.as_ref().map(EmailAddress::as_str))
                    }
                    DeliveryChannel::Sms => assert_eq!(Some(admin.destination.recipient), admin.phone.as_ref().map(PhoneNumber::e164)),
                }
                assert!(!admin.service_types.is_empty() && admin.service_types.iter().all(|c| req.service_types.contains(c)));
                assert!(lists.job_category(&admin.job_category).is_some());
                // The checked values serialise (they are stored as JSON).
                serde_json::to_string(&admin.service_types).expect("serialises");
            }
            Err(r) => assert!(["name", "email", "phone", "service_types", "job_category", "user_id"].contains(&r.field), "{r:?}"),
        }
    }
});
