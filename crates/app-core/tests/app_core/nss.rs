#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::disallowed_methods)] // tests: failing loudly is right; certificates are checked against the real clock
//! The user's NSS database as a certificate source: a certificate imported
//! with NSS's own tools is listed, and its key, which stays in NSS, signs a
//! real mutual-TLS login to the practice service. One test function: NSS
//! opens one database per process at a time.

use kaigo_app_core::certificates::{CertificateSource, NssDatabase};
use kaigo_app_core::paths::AppPaths;
use kaigo_client::{OnboardingClient, ServerTrust};
use kaigo_domain::ErrorCode;
use kaigo_practice::PracticeService;
use std::path::Path;
use std::process::Command;

/// A fresh NSS database holding `p12`, locked by `db_password` if given.
fn nss_database(dir: &Path, p12: &Path, db_password: Option<&str>) {
    std::fs::create_dir_all(dir).unwrap();
    let db = format!("sql:{}", dir.display());
    let pwfile = dir.with_extension("pw");
    std::fs::write(&pwfile, db_password.unwrap_or("")).unwrap();
    let mut new = Command::new("certutil");
    new.args(["-N", "-d", &db]);
    match db_password {
        Some(_) => new.arg("-f").arg(&pwfile),
        None => new.arg("--empty-password"),
    };
    assert!(new.status().expect("certutil (libnss3-tools) is installed by scripts/setup-tests.sh").success());
    let imported = Command::new("pk12util")
        .arg("-i")
        .arg(p12)
        .args(["-d", &db, "-W", kaigo_service::demo::P12_PASSWORD, "-k"])
        .arg(&pwfile)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    std::fs::remove_file(pwfile).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_in_the_nss_database_logs_in_over_mutual_tls_without_leaving_it() {
    let dir = tempfile::tempdir().unwrap();
    let paths = AppPaths::new(dir.path().join("app")).unwrap();
    let practice = PracticeService::start(paths.practice()).await.unwrap();
    let now = time::OffsetDateTime::now_utc();

    // No database: nothing offered, nothing fails.
    assert!(NssDatabase::new(dir.path().join("none")).list(now).unwrap().is_empty());

    {
        let nssdb = dir.path().join("home/.pki/nssdb");
        nss_database(&nssdb, &practice.files.client_p12, None);
        let source = NssDatabase::new(&nssdb);
        let listed = source.list(now).unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].source, "nss");
        assert_eq!(listed[0].office_number.as_deref(), Some(kaigo_service::demo::OFFICE_NUMBER));

        let identity = source.identity(&listed[0].id).unwrap();
        assert_eq!(identity.info().unwrap().fingerprint, listed[0].id);
        let client = OnboardingClient::new(&practice.url(), &ServerTrust::CaPem(practice.ca_pem().unwrap()), Some(&identity)).unwrap();
        client.server_time().await.expect("NSS signs the handshake with the office's key");
        let e = client.office_login(kaigo_service::demo::ELECTRONIC_BILLING_ID, "Wrong-pass-1").await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidCredentials, "the service saw the office's certificate");

        assert_eq!(source.identity("00ff").unwrap_err().code, ErrorCode::CertificateNotFound);
    }

    // A database with a password shows no keys without it: nothing is offered.
    let locked = dir.path().join("locked");
    nss_database(&locked, &practice.files.client_p12, Some("db-secret-1"));
    assert!(NssDatabase::new(&locked).list(now).unwrap().is_empty());
}
