//! The operator CLI and the demo folder, as README tells people to use them.

use crate::harness::*;
use kaigo_client::{ClientIdentity, ErrorCode, OnboardingClient, ServerTrust};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_kaigo-onboard-service");

async fn newest_code(client: &OnboardingClient, to: &str) -> String {
    for _ in 0..200 {
        if let Some(m) = client.practice_mailbox(Some(to)).await.unwrap().first() {
            return code_in(&m.body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail to {to}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_cli_makes_a_ca_and_an_office_whose_p12_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let db_file = dir.path().join("cli.db");
    let db = db_file.to_str().unwrap();
    let cli = |args: &[&str]| {
        std::process::Command::new(BIN)
            .args(args)
            .env("KAIGO_OFFICE_PASSWORD", "Cli-office-1")
            .env("KAIGO_OFFICE_SECURITY_CODE", "2468")
            .env("KAIGO_P12_PASSWORD", "cli-p12")
            .output()
            .unwrap()
    };
    let succeeds = |args: &[&str]| {
        let out = cli(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let (pki_dir, out_dir) = (pki.to_str().unwrap(), dir.path().to_str().unwrap());
    let add_office = |number: &'static str, name: &'static str, email: &'static str| {
        let kj = "KJ1234567890";
        [
            "add-office",
            "--database-url",
            db,
            "--ca-dir",
            pki_dir,
            "--office-number",
            number,
            "--name",
            name,
            "--kj-id",
            kj,
            "--email",
            email,
            "--out",
            out_dir,
        ]
    };
    succeeds(&["init-ca", "--dir", pki_dir, "--host", "127.0.0.1"]);
    succeeds(&add_office("1312345678", "CLI介護事業所", "cli@example.jp"));
    // A second office with the same KJ ID is refused.
    assert!(!cli(&add_office("1312345679", "x", "x@example.jp")).status.success());

    let mut service = start_service_process(&pki, &db_file, &["--practice-mailbox"]).await;
    let url = service.url.clone();

    let p12 = std::fs::read(dir.path().join("KJ1234567890.p12")).unwrap();
    let identity = ClientIdentity::from_pkcs12(&p12, "cli-p12").unwrap();
    assert_eq!(identity.info().unwrap().serial_number.as_deref(), Some("1312345678"));
    let client =
        OnboardingClient::new(&url, &ServerTrust::CaPem(std::fs::read_to_string(pki.join("ca.pem")).unwrap()), Some(&identity)).unwrap();
    let ch = client.office_login("KJ1234567890", "Cli-office-1").await.unwrap();
    assert!(ch.security_code_required);
    let code = newest_code(&client, "cli@example.jp").await;
    let session = client.office_verify(&ch.challenge_id, &code, Some("2468")).await.unwrap();
    assert_eq!(session.office.name, "CLI介護事業所");
    service.child.start_kill().unwrap();
    let _ = service.child.wait().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_folder_serves_a_working_practice_office_and_is_reused() {
    use kaigo_service::demo;
    let dir = tempfile::tempdir().unwrap();
    let files = demo::prepare(dir.path()).await.unwrap();
    let again = demo::prepare(dir.path()).await.unwrap();
    assert_eq!(std::fs::read(&files.client_p12).unwrap(), std::fs::read(&again.client_p12).unwrap(), "a prepared folder is kept");
    let app = kaigo_service::Application::build(demo::config(&files, "127.0.0.1:0".parse().unwrap()).unwrap(), demo::clock())
        .await
        .unwrap()
        .spawn();
    let identity = ClientIdentity::from_pkcs12(&std::fs::read(&files.client_p12).unwrap(), demo::P12_PASSWORD).unwrap();
    let client =
        OnboardingClient::new(&app.url(), &ServerTrust::CaPem(std::fs::read_to_string(&files.ca_cert).unwrap()), Some(&identity)).unwrap();
    assert!(client.health().await.unwrap().practice_mode);
    let ch = client.office_login(demo::ELECTRONIC_BILLING_ID, demo::PASSWORD).await.unwrap();
    let code = newest_code(&client, demo::OFFICE_EMAIL).await;
    expect_code(client.office_verify(&ch.challenge_id, &code, None).await, ErrorCode::SecurityCodeRequired);
    let session = client.office_verify(&ch.challenge_id, &code, Some(demo::SECURITY_CODE)).await.unwrap();
    assert_eq!(session.office.office_number, demo::OFFICE_NUMBER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_certificate_is_rate_limited_and_others_are_not() {
    let app =
        spawn_with(Options { rate_limit: kaigo_service::http::rate_limit::RateLimit { per_second: 2, burst: 5 }, ..Options::default() })
            .await
            .unwrap();
    let a = app.client(&app.a);
    let mut limited = None;
    for _ in 0..20 {
        if let Err(e) = a.health().await {
            limited = Some(e);
            break;
        }
    }
    let e = limited.expect("the flood was not limited");
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert!(e.retry_after_seconds().is_some());
    assert!(app.client(&app.b).health().await.is_ok(), "another office is not affected");
}

#[test]
fn open_class_refuses_a_length_that_is_not_hours_and_a_public_trainer_page_before_opening_anything() {
    let dir = tempfile::tempdir().unwrap();
    let class_dir = dir.path().join("class");
    let open_class = |extra: &[&str]| {
        let out = std::process::Command::new(BIN)
            .args(["open-class", "--dir", class_dir.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .args(extra)
            .output()
            .unwrap();
        (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    for hours in ["nan", "inf", "-1", "0", "9000", "three"] {
        let hours = &format!("--hours={hours}");
        let (status, said) = open_class(&[hours]);
        assert!(!status.success(), "--hours {hours} accepted");
        assert!(!said.contains("panicked"), "--hours {hours}: {said}");
        assert!(said.contains("the class's length in hours"), "--hours {hours}: {said}");
    }
    let (status, said) = open_class(&["--hours", "1", "--trainer-listen", "0.0.0.0:0"]);
    assert!(!status.success());
    assert!(said.contains("loopback address only"), "{said}");
    assert!(!class_dir.exists(), "a refused start made nothing: {:?}", std::fs::read_dir(&class_dir).map(|d| d.count()));
}
