//! Failed logins: the office locks for 30 minutes after 3; users get longer
//! and longer waits and lock for good at 100.

use crate::harness::*;
use kaigo_client::ErrorCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_is_locked_for_30_minutes_after_3_failed_logins() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    // Each wrong password says how many tries are left before the lock.
    let e = expect_code(client.office_login(&app.b.kj, "wrong-1").await, ErrorCode::InvalidCredentials);
    assert_eq!(e.tries_left(), Some(2));
    let e = expect_code(client.office_login(&app.b.kj, "wrong-2").await, ErrorCode::InvalidCredentials);
    assert_eq!(e.tries_left(), Some(1));
    let e = expect_code(client.office_login(&app.b.kj, "wrong-3").await, ErrorCode::OfficeLocked);
    assert_eq!(e.retry_after_seconds(), Some(30 * 60));
    assert_eq!(e.tries_left(), None);
    // Locked even with the right password.
    expect_code(client.office_login(&app.b.kj, &app.b.password).await, ErrorCode::OfficeLocked);
    app.clock.advance(time::Duration::minutes(29));
    expect_code(client.office_login(&app.b.kj, &app.b.password).await, ErrorCode::OfficeLocked);
    app.clock.advance(time::Duration::minutes(1) + time::Duration::seconds(1));
    assert!(client.office_login(&app.b.kj, &app.b.password).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistyped_kj_id_over_the_offices_certificate_counts_like_a_wrong_password() {
    // Were it not counted, the missing "tries left" would tell that the ID
    // does not exist; so the answer is the same either way.
    let app = spawn_app().await;
    let client = app.client(&app.b);
    let e = expect_code(client.office_login("KJ0000000000", "wrong").await, ErrorCode::InvalidCredentials);
    assert_eq!(e.tries_left(), Some(2));
    let e = expect_code(client.office_login(&app.b.kj, "wrong").await, ErrorCode::InvalidCredentials);
    assert_eq!(e.tries_left(), Some(1));
    let e = expect_code(client.office_login("KJ000000000000", "wrong").await, ErrorCode::OfficeLocked);
    assert_eq!(e.retry_after_seconds(), Some(30 * 60));
    expect_code(client.office_login(&app.b.kj, &app.b.password).await, ErrorCode::OfficeLocked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_lock_runs_out_the_office_again_has_3_tries() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    for _ in 0..3 {
        let _ = client.office_login(&app.b.kj, "wrong").await;
    }
    app.clock.advance(time::Duration::minutes(31));
    expect_code(client.office_login(&app.b.kj, "wrong").await, ErrorCode::InvalidCredentials);
    expect_code(client.office_login(&app.b.kj, "wrong").await, ErrorCode::InvalidCredentials);
    expect_code(client.office_login(&app.b.kj, "wrong").await, ErrorCode::OfficeLocked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_login_resets_the_office_failure_count() {
    let app = spawn_app().await;
    let client = app.client(&app.b);
    for _ in 0..2 {
        expect_code(client.office_login(&app.b.kj, "wrong").await, ErrorCode::InvalidCredentials);
    }
    client.office_login(&app.b.kj, &app.b.password).await.unwrap();
    for _ in 0..2 {
        expect_code(client.office_login(&app.b.kj, "wrong").await, ErrorCode::InvalidCredentials);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_office_id_reads_like_a_wrong_password() {
    let app = spawn_app().await;
    expect_code(app.client(&app.b).office_login("KJ9999999999", "whatever1").await, ErrorCode::InvalidCredentials);
    expect_code(app.client(&app.b).office_login("KJ12", "whatever1").await, ErrorCode::ElectronicBillingIdInvalid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_logins_are_throttled_with_growing_waits_then_locked_at_100() {
    let app = spawn_app().await;
    let initial = app.register_admin(&app.b, "lockuser1").await;
    let client = app.client(&app.b);
    for _ in 0..3 {
        expect_code(client.user_login("lockuser1", "Wrong-pass-1", None).await, ErrorCode::InvalidCredentials);
    }
    let e = expect_code(client.user_login("lockuser1", &initial, None).await, ErrorCode::LoginThrottled);
    assert_eq!(e.retry_after_seconds(), Some(1));
    // Fail on up to the lock, stepping the clock past each wait.
    let mut last = ErrorCode::InvalidCredentials;
    for _ in 3..100 {
        app.clock.advance(time::Duration::minutes(16));
        last = client.user_login("lockuser1", "Wrong-pass-1", None).await.map(|_| ()).unwrap_err().code();
    }
    assert_eq!(last, ErrorCode::UserLocked);
    app.clock.advance(time::Duration::days(2));
    expect_code(client.user_login("lockuser1", &initial, None).await, ErrorCode::UserLocked);

    // The office user unlocks it.
    let (office_client, session) = app.office_session(&app.b).await;
    office_client.unlock_user(&session.session_token, "lockuser1").await.unwrap();
    assert!(client.user_login("lockuser1", &initial, None).await.is_ok());
}

/// Sends `n` logins of office B at once with `password`; the error codes
/// of the answers, in no particular order.
async fn office_logins_at_once(app: &TestApp, kj: &str, password: &str, n: usize) -> Vec<Result<(), ErrorCode>> {
    let client = app.client(&app.b);
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (client, kj, password, start) = (client.clone(), kj.to_owned(), password.to_owned(), start.clone());
        set.spawn(async move {
            start.wait().await;
            client.office_login(&kj, &password).await.map(drop).map_err(|e| e.code())
        });
    }
    let mut answers = Vec::new();
    while let Some(a) = set.join_next().await {
        answers.push(a.unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_sent_at_once_get_no_more_tries_than_one_after_another() {
    let app = spawn_app().await;
    let answers = office_logins_at_once(&app, &app.b.kj, "wrong-at-once", 12).await;
    let judged = answers.iter().filter(|a| **a == Err(ErrorCode::InvalidCredentials)).count();
    let locked = answers.iter().filter(|a| **a == Err(ErrorCode::OfficeLocked)).count();
    // Two answered "wrong", the third locked the office, the rest found it locked …
    assert_eq!((judged, locked), (2, 10), "{answers:?}");
    // … and only those three were judged: three failures are on record, not twelve.
    let mut conn = app.service.onboarding.db.acquire().await.unwrap();
    let office = kaigo_service::store::offices::find_by_billing_id(&mut conn, &app.b.kj).await.unwrap().unwrap();
    assert_eq!(office.failures.count, 3, "passwords judged past the lock");
    drop(conn);
    // The right password, sent at once by many, meets the lock too.
    let answers = office_logins_at_once(&app, &app.b.kj, &app.b.password, 6).await;
    assert!(answers.iter().all(|a| *a == Err(ErrorCode::OfficeLocked)), "{answers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_password_sent_twice_at_once_logs_in_twice_and_leaves_no_failure() {
    let app = spawn_app().await;
    let answers = office_logins_at_once(&app, &app.b.kj, &app.b.password, 2).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    // The tries taken before the hash were given back: three tries remain.
    let e = expect_code(app.client(&app.b).office_login(&app.b.kj, "wrong").await, ErrorCode::InvalidCredentials);
    assert_eq!(e.tries_left(), Some(2));
}
