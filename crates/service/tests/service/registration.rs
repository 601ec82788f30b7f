//! Admin registration: checked input, unique user IDs, and exactly one
//! account per registration however often it is retried.

use crate::harness::*;
use kaigo_client::{ClientError, ErrorCode, OnboardingClient};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_registration_creates_one_account_and_sends_one_mail() {
    let app = spawn_app().await;
    let (client, session) = app.office_session(&app.b).await;
    let req = admin_request("retryadmin");
    let key = OnboardingClient::new_idempotency_key();
    let first = client.register_admin(&session.session_token, &key, &req).await.unwrap();
    let again = client.register_admin(&session.session_token, &key, &req).await.unwrap();
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.registration, again.registration);
    // Concurrent retries of a new key: still one account.
    let req2 = admin_request("retryadmin2");
    let key2 = OnboardingClient::new_idempotency_key();
    let (r1, r2, r3) = tokio::join!(
        client.register_admin(&session.session_token, &key2, &req2),
        client.register_admin(&session.session_token, &key2, &req2),
        client.register_admin(&session.session_token, &key2, &req2),
    );
    let results = [r1.unwrap(), r2.unwrap(), r3.unwrap()];
    assert_eq!(results.iter().filter(|r| !r.replayed).count(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.mailbox_count("retryadmin@example.jp").await, 1);
    assert_eq!(app.mailbox_count("retryadmin2@example.jp").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_reused_with_a_different_body_is_refused() {
    let app = spawn_app().await;
    let (client, session) = app.office_session(&app.b).await;
    let key = OnboardingClient::new_idempotency_key();
    client.register_admin(&session.session_token, &key, &admin_request("firstadmin")).await.unwrap();
    expect_code(client.register_admin(&session.session_token, &key, &admin_request("otheradmin")).await, ErrorCode::IdempotencyKeyReused);
    expect_code(
        client.register_admin(&session.session_token, "short", &admin_request("otheradmin")).await,
        ErrorCode::IdempotencyKeyInvalid,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_user_id_gets_a_clear_409() {
    let app = spawn_app().await;
    let (client, session) = app.office_session(&app.b).await;
    client.register_admin(&session.session_token, &OnboardingClient::new_idempotency_key(), &admin_request("sameadmin")).await.unwrap();
    let e = expect_code(
        client.register_admin(&session.session_token, &OnboardingClient::new_idempotency_key(), &admin_request("sameadmin")).await,
        ErrorCode::UserIdTaken,
    );
    let ClientError::Api { status, body } = e else { panic!() };
    assert_eq!(status, 409);
    assert_eq!(body.field.as_deref(), Some("user_id"));
    assert!(body.message.contains("すでに使われています"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bad_field_is_named_with_its_code() {
    let app = spawn_app().await;
    let (client, session) = app.office_session(&app.b).await;
    type Change = Box<dyn Fn(&mut kaigo_api::office::AdminRegistrationRequest)>;
    let cases: Vec<(Change, ErrorCode, &str)> = vec![
        (Box::new(|r| r.name = " ".into()), ErrorCode::NameInvalid, "name"),
        (Box::new(|r| r.email = Some("kaigo@".into())), ErrorCode::EmailInvalid, "email"),
        (Box::new(|r| r.phone = Some("12345".into())), ErrorCode::PhoneInvalid, "phone"),
        (
            Box::new(|r| {
                r.email = None;
                r.phone = None;
            }),
            ErrorCode::ContactMissing,
            "email",
        ),
        (
            Box::new(|r| {
                r.email = None;
                r.phone = Some("0312345678".into());
            }),
            ErrorCode::DeliveryChannelUnavailable,
            "phone",
        ),
        (Box::new(|r| r.service_types = vec![]), ErrorCode::ServiceTypesMissing, "service_types"),
        (Box::new(|r| r.service_types = vec!["訪問介護".into()]), ErrorCode::ServiceTypeUnknown, "service_types"),
        (Box::new(|r| r.job_category = "ヘルパー".into()), ErrorCode::JobCategoryUnknown, "job_category"),
        (Box::new(|r| r.user_id = "abc".into()), ErrorCode::UserIdInvalid, "user_id"),
    ];
    for (change, code, field) in cases {
        let mut req = admin_request("fieldadmin");
        change(&mut req);
        let e = expect_code(client.register_admin(&session.session_token, &OnboardingClient::new_idempotency_key(), &req).await, code);
        let ClientError::Api { body, .. } = e else { panic!() };
        assert_eq!(body.field.as_deref(), Some(field), "{code:?}");
    }
    // Nothing was half-created.
    assert!(client.user_id_availability(&session.session_token, "fieldadmin").await.unwrap().available);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_only_admin_gets_the_initial_password_by_sms() {
    let app = spawn_app().await;
    let (client, session) = app.office_session(&app.b).await;
    let mut req = admin_request("smsadmin1");
    req.email = None;
    let reg = client.register_admin(&session.session_token, &OnboardingClient::new_idempotency_key(), &req).await.unwrap();
    assert_eq!(reg.registration.initial_password_channel, kaigo_domain::DeliveryChannel::Sms);
    let sms = app.message_to("+819012345678", 0).await;
    assert!(sms.body.contains("smsadmin1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_needs_an_office_session() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    expect_code(
        client.register_admin("made-up-token", &OnboardingClient::new_idempotency_key(), &admin_request("nosession")).await,
        ErrorCode::Unauthenticated,
    );
    // A session ends after 30 idle minutes.
    let (client, session) = app.office_session(&app.b).await;
    app.clock.advance(time::Duration::minutes(31));
    expect_code(client.user_id_availability(&session.session_token, "abcdef").await, ErrorCode::Unauthenticated);
}
