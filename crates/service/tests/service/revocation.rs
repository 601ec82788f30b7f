//! 失効: an office's certificate revoked by the operator (a lost or stolen
//! PC) is refused at the next call on every instance sharing the database,
//! its sessions included, with the reason the app explains; a certificate on
//! the CA's revocation list is refused in the handshake, and a new list is
//! read without a restart.

use crate::harness::*;
use kaigo_client::ErrorCode;
use kaigo_service::{Application, RunningService};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kaigo-onboard-service");

/// The operator's command, as README tells it, against `database`.
fn revoke(database: &str, which: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .args(["revoke-certificate", "--database-url", database, "--reason", "PC stolen (test)"])
        .args(which)
        .output()
        .unwrap()
}

fn database_url(app: &TestApp) -> String {
    match &app.config.database {
        kaigo_service::store::DatabaseLocation::Url(url) => url.clone(),
        kaigo_service::store::DatabaseLocation::SqliteFile(path) => path.to_str().unwrap().to_owned(),
    }
}

async fn an_operator_revokes_an_office_certificate_on_every_instance(backend: Backend) {
    let Some(app) = spawn_with(Options { backend, ..Options::default() }).await else { return };
    let second: RunningService = Application::build(app.config.clone(), app.clock.clone()).await.unwrap().spawn();
    let on_second = |office: &TestOffice| {
        kaigo_client::OnboardingClient::new(
            &second.url(),
            &kaigo_client::ServerTrust::CaPem(app.pki.ca_pem.clone()),
            Some(&identity(&office.cert)),
        )
        .unwrap()
    };
    // Office B is signed in on the first instance, its client connected to both.
    let (b_first, session) = app.office_session(&app.b).await;
    let b_second = on_second(&app.b);
    b_second.health().await.unwrap();

    let out = revoke(&database_url(&app), &["--office", &app.b.kj]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&app.b.cert.fingerprint()), "{said}");
    let revoked_at = Instant::now();

    // At once, on both instances, on connections opened before: every call,
    // the session's too, is refused with the reason.
    for (client, instance) in [(&b_first, "first"), (&b_second, "second")] {
        let e = expect_code(client.health().await, ErrorCode::ClientCertificateRevoked);
        assert_eq!(e.message_ja(), ErrorCode::ClientCertificateRevoked.message_ja(&app.config.policy), "{instance}");
        assert!(e.message_ja().starts_with("この証明書は失効しています"), "{}", e.message_ja());
    }
    expect_code(b_first.office_logout(&session.session_token).await, ErrorCode::ClientCertificateRevoked);
    expect_code(app.client(&app.b).office_login(&app.b.kj, &app.b.password).await, ErrorCode::ClientCertificateRevoked);
    eprintln!("{backend:?}: refused on both instances {:?} after the command returned", revoked_at.elapsed());
    // The session ended with it; the other office is untouched.
    let mut conn = app.service.onboarding.db.acquire().await.unwrap();
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE cert_fingerprint = $1 AND revoked_at IS NULL")
        .bind(app.b.cert.fingerprint())
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(open, 0, "the revoked certificate's sessions are ended");
    drop(conn);
    app.client(&app.a).office_login(&app.a.kj, &app.a.password).await.unwrap();
    on_second(&app.a).health().await.unwrap();

    // Again: nothing left to revoke is said, not done quietly; so is an
    // office that does not exist.
    for which in [["--office", app.b.kj.as_str()], ["--office", "KJ9999999999"]] {
        let out = revoke(&database_url(&app), &which);
        assert!(!out.status.success(), "{which:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
    }
    second.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_revokes_an_office_certificate_on_sqlite() {
    an_operator_revokes_an_office_certificate_on_every_instance(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_revokes_an_office_certificate_on_two_instances_over_postgres() {
    an_operator_revokes_an_office_certificate_on_every_instance(Backend::Postgres).await;
}

/// A revocation by one certificate (its PEM file) leaves the office's other
/// certificates in force.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_certificate_revoked_by_its_file_leaves_the_others() {
    let app = spawn_app().await;
    let spare = app.pki.office_cert(&app.a.number, &app.a.name);
    kaigo_service::offices::add_certificate(&app.service.onboarding.db, &app.a.kj, &spare.cert_der, &app.a.name, spare.not_after, now())
        .await
        .unwrap();
    let pem = app.dir.path().join("lost.pem");
    std::fs::write(&pem, &app.a.cert.cert_pem).unwrap();
    let out = revoke(&database_url(&app), &["--certificate", pem.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    expect_code(app.client(&app.a).health().await, ErrorCode::ClientCertificateRevoked);
    app.client_with(Some(&identity(&spare))).health().await.unwrap();
}

/// The CA's CRL: a listed certificate is refused in the handshake (the app
/// hears `certificate_revoked` from the TLS alert); a new list is read
/// without a restart; a damaged file keeps the list read before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_on_the_crl_is_refused_and_a_new_list_is_read_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let crl = dir.path().join("ca.crl.pem");
    // At start, a list by another CA of the same name (its signature does
    // not verify): the first list the test's own CA signs replaces it.
    std::fs::write(&crl, TestPki::new().ca.revocation_list(&[], 1, now(), 7).unwrap()).unwrap();
    let app = spawn_with(Options { client_crl: Some(crl.clone()), ..Options::default() }).await.unwrap();
    std::fs::write(&crl, app.pki.ca.revocation_list(&[], 1, now(), 7).unwrap()).unwrap();
    let started = Instant::now();
    while let Err(e) = app.client(&app.b).health().await {
        assert!(started.elapsed() < Duration::from_secs(10), "{e}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    std::fs::write(&crl, app.pki.ca.revocation_list(&[&app.b.cert.cert_der], 2, now(), 7).unwrap()).unwrap();
    let started = Instant::now();
    let refused = loop {
        match app.client(&app.b).health().await {
            Err(e) if e.code() == ErrorCode::ClientCertificateRevoked => break started.elapsed(),
            other => {
                assert!(started.elapsed() < Duration::from_secs(10), "still {other:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    eprintln!("the new CRL was in force {refused:?} after it was written");
    app.client(&app.a).health().await.unwrap();

    // A damaged copy: the list read before stays in force.
    std::fs::write(&crl, "-----BEGIN X509 CRL-----\nbroken\n-----END X509 CRL-----\n").unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    expect_code(app.client(&app.b).health().await, ErrorCode::ClientCertificateRevoked);
    app.client(&app.a).health().await.unwrap();
}

/// A CRL file that cannot be read stops the start, with its name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_crl_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.crl");
    let pki = TestPki::new();
    let database = fresh_database(Backend::Sqlite, dir.path()).await.unwrap();
    let config = test_config(&pki, database, &Options { client_crl: Some(missing), ..Options::default() });
    let e = Application::build(config, std::sync::Arc::new(kaigo_service::clock::OffsetClock::default())).await.err().unwrap();
    assert!(format!("{e:#}").contains("missing.crl"), "{e:#}");
}
