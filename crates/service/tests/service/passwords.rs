//! The forced password change: the policy, checked by the service too.

use crate::harness::*;
use kaigo_client::{ClientError, ErrorCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_new_passwords_are_refused_with_the_rule_they_break() {
    let app = spawn_app().await;
    let initial = app.register_admin(&app.b, "pwadmin01").await;
    let verified = app.user_session(&app.b, "pwadmin01", &initial, false).await;
    let token = verified.session.session_token;
    let client = app.client(&app.b);
    for (pw, code) in [
        ("Ab1!", ErrorCode::PasswordTooShort),
        ("abcdefgh1", ErrorCode::PasswordTooFewKinds),
        ("Password1", ErrorCode::PasswordTooCommon),
        ("Pwadmin01-x", ErrorCode::PasswordContainsUserId),
        ("パスワードAb12", ErrorCode::PasswordInvalidCharacters),
    ] {
        let e = expect_code(client.change_password(&token, &initial, pw).await, code);
        let ClientError::Api { body, .. } = e else { panic!() };
        assert_eq!(body.field.as_deref(), Some("new_password"));
    }
    expect_code(client.change_password(&token, &initial, &initial).await, ErrorCode::PasswordUnchanged);
    expect_code(client.change_password(&token, "Not-the-initial-1", "Good-pass-2026").await, ErrorCode::InvalidCredentials);
    // Still restricted, still able to change it properly.
    expect_code(client.terminals(&token).await, ErrorCode::PasswordChangeRequired);
    let full = client.change_password(&token, &initial, "Good-pass-2026").await.unwrap();
    assert!(!full.must_change_password);
    // The initial password no longer works.
    expect_code(client.user_login("pwadmin01", &initial, None).await, ErrorCode::InvalidCredentials);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_initial_password_is_random_and_meets_the_policy() {
    let app = spawn_app().await;
    let a = app.register_admin(&app.b, "initadmin1").await;
    let b = app.register_admin(&app.b, "initadmin2").await;
    assert_ne!(a, b);
    assert_eq!(kaigo_domain::check_new_password(&a, Some("initadmin1")), Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unused_initial_password_expires_after_7_days_and_the_office_reissues_it() {
    let app = spawn_app().await;
    let old = app.register_admin(&app.b, "expireadm").await;
    app.clock.advance(time::Duration::days(7));
    let client = app.client(&app.b);
    expect_code(client.user_login("expireadm", &old, None).await, ErrorCode::InitialPasswordExpired);
    // A wrong password still reads as wrong, not as expired.
    expect_code(client.user_login("expireadm", "Not-it-2026", None).await, ErrorCode::InvalidCredentials);

    let (office, session) = app.office_session(&app.b).await;
    let seen = app.mailbox_count("expireadm@example.jp").await;
    let reissued = office.reissue_initial_password(&session.session_token, "expireadm").await.unwrap();
    assert_eq!(reissued.initial_password_sent_to, "ex***@example.jp");
    let new = value_after(&app.message_to("expireadm@example.jp", seen).await.body, "初期パスワード：");
    assert_ne!(new, old);
    expect_code(client.user_login("expireadm", &old, None).await, ErrorCode::InvalidCredentials);
    let verified = app.user_session(&app.b, "expireadm", &new, false).await;
    assert!(verified.session.must_change_password);
    // Another office cannot reissue it.
    let (other, other_session) = app.office_session(&app.a).await;
    expect_code(other.reissue_initial_password(&other_session.session_token, "expireadm").await, ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_the_current_password_meets_the_login_throttle() {
    let app = spawn_app().await;
    let initial = app.register_admin(&app.b, "pwguess01").await;
    let verified = app.user_session(&app.b, "pwguess01", &initial, false).await;
    let token = verified.session.session_token;
    let client = app.client(&app.b);
    let policy = kaigo_domain::Policy::default();
    // The free failures answer "wrong" at once …
    for _ in 0..policy.user_free_failures {
        let e = expect_code(client.change_password(&token, "Wrong-guess-2026", "Good-pass-2026").await, ErrorCode::InvalidCredentials);
        let ClientError::Api { body, .. } = e else { panic!() };
        assert_eq!(body.field.as_deref(), Some("current_password"));
    }
    // … then each guess waits, as a login would.
    let e = expect_code(client.change_password(&token, "Wrong-guess-2026", "Good-pass-2026").await, ErrorCode::LoginThrottled);
    assert_eq!(e.retry_after_seconds(), Some(1));
    expect_code(client.user_login("pwguess01", &initial, None).await, ErrorCode::LoginThrottled);
    // After the wait, the right current password still works and clears the count.
    app.clock.advance(time::Duration::seconds(2));
    client.change_password(&token, &initial, "Good-pass-2026").await.unwrap();
    app.user_session(&app.b, "pwguess01", "Good-pass-2026", false).await;
}
