//! One-time codes: single use, bound to their login, 30 minutes, 5 tries.

use crate::harness::*;
use kaigo_client::ErrorCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_code_is_refused_and_the_fifth_wrong_one_voids_the_code() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    let ch = client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let code = code_in(&app.message_to(&app.b.email, 0).await.body);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        expect_code(client.office_verify(&ch.challenge_id, wrong, None).await, ErrorCode::CodeIncorrect);
    }
    expect_code(client.office_verify(&ch.challenge_id, wrong, None).await, ErrorCode::CodeAttemptsExhausted);
    // Even the right code no longer works.
    expect_code(client.office_verify(&ch.challenge_id, &code, None).await, ErrorCode::CodeAttemptsExhausted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_expires_after_30_minutes() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    let ch = client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let code = code_in(&app.message_to(&app.b.email, 0).await.body);
    app.clock.advance(time::Duration::minutes(30) + time::Duration::seconds(1));
    expect_code(client.office_verify(&ch.challenge_id, &code, None).await, ErrorCode::CodeExpired);
    // A resend gives a fresh code that works.
    client.office_resend_code(&ch.challenge_id).await.unwrap();
    let fresh = code_in(&app.message_to(&app.b.email, 1).await.body);
    assert!(client.office_verify(&ch.challenge_id, &fresh, None).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_just_inside_30_minutes_still_works() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    let ch = client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let code = code_in(&app.message_to(&app.b.email, 0).await.body);
    app.clock.advance(time::Duration::minutes(29));
    assert!(client.office_verify(&ch.challenge_id, &code, None).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_code_cannot_be_used_again() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    let ch = client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let code = code_in(&app.message_to(&app.b.email, 0).await.body);
    client.office_verify(&ch.challenge_id, &code, None).await.unwrap();
    expect_code(client.office_verify(&ch.challenge_id, &code, None).await, ErrorCode::ChallengeNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_only_works_for_the_login_it_was_sent_for() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    let first = client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let code = code_in(&app.message_to(&app.b.email, 0).await.body);
    let second = client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let second_code = code_in(&app.message_to(&app.b.email, 1).await.body);
    if code != second_code {
        expect_code(client.office_verify(&second.challenge_id, &code, None).await, ErrorCode::CodeIncorrect);
    }
    assert!(client.office_verify(&first.challenge_id, &code, None).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_voids_the_earlier_code_and_is_not_allowed_twice_a_minute() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    let ch = client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let old = code_in(&app.message_to(&app.b.email, 0).await.body);
    let e = expect_code(client.office_resend_code(&ch.challenge_id).await, ErrorCode::CodeResendTooSoon);
    assert!(e.retry_after_seconds().unwrap() <= 60);
    app.clock.advance(time::Duration::seconds(61));
    client.office_resend_code(&ch.challenge_id).await.unwrap();
    let new = code_in(&app.message_to(&app.b.email, 1).await.body);
    if old != new {
        expect_code(client.office_verify(&ch.challenge_id, &old, None).await, ErrorCode::CodeIncorrect);
    }
    assert!(client.office_verify(&ch.challenge_id, &new, None).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_security_code_is_required_and_checked_when_the_office_has_one() {
    let app = spawn_app().await;
    let client = app.client(&app.a);
    let ch = client.office_login(&app.a.kj, &app.a.password).await.unwrap();
    let code = code_in(&app.message_to(&app.a.email, 0).await.body);
    expect_code(client.office_verify(&ch.challenge_id, &code, None).await, ErrorCode::SecurityCodeRequired);
    expect_code(client.office_verify(&ch.challenge_id, &code, Some("9999")).await, ErrorCode::SecurityCodeIncorrect);
    assert!(client.office_verify(&ch.challenge_id, &code, Some("5678")).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_codes_are_refused_before_they_count() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    let ch = client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let e = expect_code(client.office_verify(&ch.challenge_id, "12ab", None).await, ErrorCode::OneTimeCodeFormat);
    assert!(matches!(e, kaigo_client::ClientError::Api { status: 422, .. }));
    // Full-width digits typed through an IME are accepted.
    let code = code_in(&app.message_to(&app.b.email, 0).await.body);
    let wide: String = code.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
    assert!(client.office_verify(&ch.challenge_id, &wide, None).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_is_offered_only_to_a_user_with_a_mobile_number() {
    let app = spawn_app().await;
    let (client, session) = app.office_session(&app.b).await;
    let mut req = admin_request("mailonly1");
    req.phone = Some("03-1234-5678".into());
    client.register_admin(&session.session_token, "key-mailonly-0001", &req).await.unwrap();
    let initial = value_after(&app.message_to("mailonly1@example.jp", 0).await.body, "初期パスワード：");
    let kaigo_api::user::UserLoginOutcome::CodeRequired { challenge_id, channels } =
        client.user_login("mailonly1", &initial, None).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(channels, vec![kaigo_domain::DeliveryChannel::Email]);
    expect_code(client.send_user_code(&challenge_id, kaigo_domain::DeliveryChannel::Sms).await, ErrorCode::DeliveryChannelUnavailable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_sent_at_once_get_no_more_tries_than_one_after_another() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    let ch = client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let code = code_in(&app.message_to(&app.b.email, 0).await.body);
    // Twelve different wrong codes at once (none of them the right one).
    let guesses: Vec<String> = (0..13u32).map(|i| format!("{:06}", i * 76_543 % 1_000_000)).filter(|g| *g != code).take(12).collect();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(guesses.len()));
    let mut set = tokio::task::JoinSet::new();
    for guess in guesses {
        let (client, id, start) = (client.clone(), ch.challenge_id.clone(), start.clone());
        set.spawn(async move {
            start.wait().await;
            client.office_verify(&id, &guess, None).await.map(drop).map_err(|e| e.code())
        });
    }
    let mut answers = Vec::new();
    while let Some(a) = set.join_next().await {
        answers.push(a.unwrap());
    }
    let wrong = answers.iter().filter(|a| **a == Err(ErrorCode::CodeIncorrect)).count();
    let voided = answers.iter().filter(|a| **a == Err(ErrorCode::CodeAttemptsExhausted)).count();
    // Four answered "wrong", the fifth voided the code, the rest found it void …
    assert_eq!((wrong, voided), (4, 8), "{answers:?}");
    // … and only those five were compared.
    let mut conn = app.service.onboarding.db.acquire().await.unwrap();
    let stored = kaigo_service::store::challenges::find(&mut conn, &ch.challenge_id).await.unwrap().unwrap();
    assert_eq!(stored.code.unwrap().wrong_tries, 5, "codes compared past the code's tries");
    drop(conn);
    expect_code(client.office_verify(&ch.challenge_id, &code, None).await, ErrorCode::CodeAttemptsExhausted);
}
