//! Several instances, and instances that stop: what one instance starts
//! another finishes, each message is sent once, a lockout holds across
//! instances, and a message leased by an instance that died is sent at once
//! by the next rather than when its lease runs out.

use crate::harness::*;
use crate::smtp::SmtpServer;
use kaigo_client::{OnboardingClient, ServerTrust};
use kaigo_domain::DeliveryChannel;
use kaigo_service::store::{instances, outbox, Db};
use kaigo_service::{Application, RunningService};
use std::time::{Duration, Instant};

/// Another instance of `app`'s service: same database, key and settings.
async fn second_instance(app: &TestApp) -> RunningService {
    Application::build(app.config.clone(), app.clock.clone()).await.unwrap().spawn()
}

/// Queues a message to `recipient` as the service would (sealed body).
async fn queue(app: &TestApp, db: &Db, recipient: &str) -> String {
    let id = outbox::new_message_id();
    let sealed = app.config.code_key.seal(&id, "本文");
    let mut conn = db.acquire().await.unwrap();
    let m = outbox::NewMessage { office_id: "none", channel: DeliveryChannel::Email, recipient, subject: "件名", sealed_body: &sealed };
    outbox::enqueue(&mut conn, &id, m, now()).await.unwrap();
    id
}

async fn delivered(db: &Db, id: &str) -> bool {
    let mut conn = db.acquire().await.unwrap();
    outbox::status(&mut conn).await.unwrap().iter().any(|m| m.id == id && m.delivered_at.is_some())
}

/// How long until `id` is delivered, if within `limit`.
async fn time_to_delivery(db: &Db, id: &str, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if delivered(db, id).await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

async fn a_message_leased_by_a_dead_instance_is_sent_at_once_by_the_next(backend: Backend) {
    let Some(app) = spawn_with(Options { backend, ..Options::default() }).await else { return };
    let db = app.service.onboarding.db.clone();
    // The running instance dies (its tasks end as in a crash) …
    app.service.stop();
    // … holding a message it had leased for the usual 30 s.
    let id = queue(&app, &db, "lease@example.jp").await;
    let mut conn = db.acquire().await.unwrap();
    let leased = outbox::claim_due(&mut conn, now(), now() + time::Duration::seconds(30), "instance-that-died").await.unwrap();
    assert_eq!(leased.map(|m| m.id), Some(id.clone()));
    drop(conn);

    let _next = second_instance(&app).await;
    let waited = time_to_delivery(&db, &id, Duration::from_secs(10)).await;
    eprintln!("{backend:?}: sent {waited:?} after the restart (lease: 30 s)");
    assert!(waited.is_some(), "{backend:?}: the message waited for the dead instance's lease");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_leased_by_a_dead_process_is_sent_at_once_after_restart_sqlite() {
    a_message_leased_by_a_dead_instance_is_sent_at_once_by_the_next(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_leased_by_a_dead_instance_is_sent_at_once_by_another_postgres() {
    a_message_leased_by_a_dead_instance_is_sent_at_once_by_the_next(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_a_lease_of_a_living_instance_is_respected_until_it_dies() {
    let Some(app) = spawn_with(Options { backend: Backend::Postgres, ..Options::default() }).await else { return };
    let db = app.service.onboarding.db.clone();
    app.service.stop();
    // Another instance, alive, holds a message …
    let alive = instances::hold(&db, "instance-still-alive").await.unwrap();
    let id = queue(&app, &db, "alive@example.jp").await;
    let mut conn = db.acquire().await.unwrap();
    assert!(outbox::claim_due(&mut conn, now(), now() + time::Duration::seconds(30), "instance-still-alive").await.unwrap().is_some());
    drop(conn);
    // … which a newly started one leaves alone until that one dies.
    let _next = second_instance(&app).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!delivered(&db, &id).await, "the lease of a living instance was taken over");
    drop(alive);
    assert!(time_to_delivery(&db, &id, Duration::from_secs(10)).await.is_some(), "not sent after its instance died");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgresql_share_codes_and_lockouts_and_send_each_message_once() {
    let smtp = SmtpServer::start();
    let Some(app) = spawn_with(Options { backend: Backend::Postgres, delivery: Delivery::Smtp(smtp.url()), ..Options::default() }).await
    else {
        return;
    };
    let other = second_instance(&app).await;
    let via = |service_url: &str, office: &TestOffice| {
        OnboardingClient::new(service_url, &ServerTrust::CaPem(app.pki.ca_pem.clone()), Some(&identity(&office.cert))).unwrap()
    };
    let (one, two) = (via(&app.url(), &app.b), via(&other.url(), &app.b));

    // A code issued by one instance is verified by the other.
    let challenge = one.office_login(&app.b.kj, &app.b.password).await.unwrap();
    let mail = smtp.wait_for(&app.b.email, 1, Duration::from_secs(15)).await;
    let session = two.office_verify(&challenge.challenge_id, &code_in(&mail[0].text()), None).await.unwrap();
    assert!(!session.session_token.is_empty());

    // Failed logins count across instances: the third locks, on both.
    let (a_one, a_two) = (via(&app.url(), &app.a), via(&other.url(), &app.a));
    expect_code(a_one.office_login(&app.a.kj, "wrong-1").await, kaigo_client::ErrorCode::InvalidCredentials);
    expect_code(a_two.office_login(&app.a.kj, "wrong-2").await, kaigo_client::ErrorCode::InvalidCredentials);
    expect_code(a_one.office_login(&app.a.kj, "wrong-3").await, kaigo_client::ErrorCode::OfficeLocked);
    expect_code(a_two.office_login(&app.a.kj, &app.a.password).await, kaigo_client::ErrorCode::OfficeLocked);

    // Both delivery workers run over one outbox: each message goes out once.
    let db = app.service.onboarding.db.clone();
    let recipients: Vec<String> = (0..30).map(|i| format!("once{i:02}@example.jp")).collect();
    for r in &recipients {
        queue(&app, &db, r).await;
    }
    for r in &recipients {
        // Generous: a send cut off mid-way (the SMTP client gives up after
        // 60 s) waits out its lease before it is tried again.
        assert_eq!(smtp.wait_for(r, 1, Duration::from_secs(120)).await.len(), 1, "no mail to {r}");
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for r in &recipients {
        assert_eq!(smtp.to(r).len(), 1, "{r} got the message more than once");
    }
}
