//! Messages reach a real SMTP server (and the SMS webhook) exactly once,
//! even when the server is down for a while or the service is killed.

use crate::harness::*;
use crate::smtp::SmtpServer;
use kaigo_client::{OnboardingClient, ServerTrust};
use kaigo_service::store::outbox;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

async fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// 3-1 through SMTP: the code is read from the mail the server received.
async fn office_session_by_smtp(client: &OnboardingClient, smtp: &SmtpServer, office: &TestOffice) -> String {
    let seen = smtp.to(&office.email).len();
    let ch = client.office_login(&office.kj, &office.password).await.unwrap();
    let mails = smtp.wait_for(&office.email, seen + 1, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), seen + 1, "the office code mail did not arrive");
    let mail = mails.last().unwrap();
    assert_eq!(mail.subject(), "【介護WEBサービス】ワンタイム認証コードのお知らせ");
    client.office_verify(&ch.challenge_id, &code_in(&mail.text()), office.security_code.as_deref()).await.unwrap().session_token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_queued_while_the_smtp_server_refuses_arrives_once_it_accepts() {
    let smtp = SmtpServer::start();
    let app = spawn_with(Options { delivery: Delivery::Smtp(smtp.url()), ..Options::default() }).await.unwrap();
    let client = app.client(&app.b);
    let token = office_session_by_smtp(&client, &smtp, &app.b).await;

    smtp.set_accepting(false);
    let before = smtp.refused();
    client.register_admin(&token, &OnboardingClient::new_idempotency_key(), &admin_request("downadmin")).await.unwrap();
    wait_until("two refused attempts", Duration::from_secs(15), || smtp.refused() >= before + 2).await;
    assert!(smtp.to("downadmin@example.jp").is_empty());

    smtp.set_accepting(true);
    let got = smtp.wait_for("downadmin@example.jp", 1, Duration::from_secs(15)).await;
    assert_eq!(got.len(), 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = smtp.to("downadmin@example.jp");
    assert_eq!(got.len(), 1, "the mail arrived more than once");
    assert_eq!(got[0].subject(), "【介護WEBサービス】管理者ユーザ登録完了のお知らせ");
    assert!(got[0].text().contains("ユーザID：downadmin"));

    // Delivered rows keep no body: the initial password does not outlive delivery.
    let mut conn = app.service.onboarding.db.acquire().await.unwrap();
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM outbox WHERE delivered_at IS NOT NULL").fetch_all(&mut *conn).await.unwrap();
    assert!(!bodies.is_empty() && bodies.iter().all(String::is_empty));
    let status = outbox::status(&mut conn).await.unwrap();
    assert!(status.iter().all(|s| s.delivered_at.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_goes_out_through_the_webhook_gateway() {
    use axum::{routing::post, Json, Router};
    let received: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let sink = received.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hook = Router::new().route(
        "/sms",
        post(move |Json(v): Json<serde_json::Value>| async move {
            sink.lock().unwrap().push(v);
            "ok"
        }),
    );
    tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });

    let smtp = SmtpServer::start();
    let app = spawn_with(Options {
        delivery: Delivery::Smtp(smtp.url()),
        sms_webhook: Some(format!("http://127.0.0.1:{port}/sms")),
        ..Options::default()
    })
    .await
    .unwrap();
    let client = app.client(&app.b);
    let token = office_session_by_smtp(&client, &smtp, &app.b).await;
    let mut req = admin_request("smshook01");
    req.email = None;
    client.register_admin(&token, &OnboardingClient::new_idempotency_key(), &req).await.unwrap();
    wait_until("the SMS webhook call", Duration::from_secs(15), || !received.lock().unwrap().is_empty()).await;
    let sms = received.lock().unwrap()[0].clone();
    assert_eq!(sms["to"], "+819012345678");
    assert!(sms["body"].as_str().unwrap().contains("smshook01"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_killed_between_registration_and_delivery_still_sends_the_mail() {
    let pki = TestPki::new();
    let (dir, database, office) = service_folder(&pki, 3).await;

    let smtp = SmtpServer::start();
    let mut first = start_service_process(dir.path(), &database, &["--smtp-url", &smtp.url(), "--delivery-retry-ms", "200"]).await;
    let client = OnboardingClient::new(&first.url, &ServerTrust::CaPem(pki.ca_pem.clone()), Some(&identity(&office.cert))).unwrap();
    let token = office_session_by_smtp(&client, &smtp, &office).await;

    smtp.set_accepting(false);
    let before = smtp.refused();
    client.register_admin(&token, &OnboardingClient::new_idempotency_key(), &admin_request("killadmin")).await.unwrap();
    wait_until("a refused delivery", Duration::from_secs(15), || smtp.refused() > before).await;
    first.child.start_kill().unwrap();
    first.child.wait().await.unwrap();

    smtp.set_accepting(true);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(smtp.to("killadmin@example.jp").is_empty(), "nothing can send while the service is down");

    let mut second = start_service_process(dir.path(), &database, &["--smtp-url", &smtp.url(), "--delivery-retry-ms", "200"]).await;
    let got = smtp.wait_for("killadmin@example.jp", 1, Duration::from_secs(60)).await;
    assert_eq!(got.len(), 1, "the queued mail was not sent after the restart");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.to("killadmin@example.jp").len(), 1);
    assert!(got[0].text().contains("初期パスワード："));
    second.child.start_kill().unwrap();
    let _ = second.child.wait().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_code_or_initial_password_can_be_read_from_the_database_files() {
    let app = spawn_app().await;
    // A one-time code and an initial password go out (and stay in the
    // practice mailbox, sealed like the outbox).
    let code_mail = {
        let client = app.client(&app.b);
        client.office_login(&app.b.kj, &app.b.password).await.unwrap();
        app.message_to(&app.b.email, 0).await.body
    };
    let code = kaigo_e2e_free_code(&code_mail);
    let initial = app.register_admin(&app.b, "sealadmin1").await;
    // Main file, write-ahead log and its index: none holds either, in any form.
    let mut files = 0;
    for entry in std::fs::read_dir(app.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if !path.file_name().unwrap().to_string_lossy().starts_with("test.db") {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&path).unwrap();
        for secret in [code.as_str(), initial.as_str()] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} readable in {}", path.display());
        }
    }
    assert!(files >= 2, "the database and its WAL were read");
}

/// The six digits of a code mail.
fn kaigo_e2e_free_code(body: &str) -> String {
    body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("a 6-digit code").to_owned()
}
