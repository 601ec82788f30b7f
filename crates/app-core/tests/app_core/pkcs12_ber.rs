#![allow(clippy::unwrap_used, clippy::disallowed_methods)] // tests: failing loudly is right; certificates are checked against the real clock
//! Office certificates as Firefox and NSS's `pk12util -o` export them: PKCS#12
//! in BER with indefinite lengths, not DER. `openssl asn1parse -inform DER`
//! on such a file starts
//!
//! ```text
//!     0:d=0  hl=2 l=inf  cons: SEQUENCE
//!     2:d=1  hl=2 l=   1 prim:  INTEGER           :03
//!     5:d=1  hl=2 l=inf  cons:  SEQUENCE
//!    18:d=2  hl=2 l=inf  cons:   cont [ 0 ]
//!    20:d=3  hl=2 l=inf  cons:    OCTET STRING
//! ```
//!
//! (`l=inf`: indefinite length, bytes `30 80`; the OCTET STRING in pieces),
//! and the authenticated contents inside are BER the same way. They import
//! through the app's own store as the wizard does, with the certificate
//! unchanged, the key usable in a mutual-TLS handshake, and a wrong password
//! refused as a wrong password (not as an unreadable file).
//!
//! Two files: one exported by pk12util while the test runs (Linux), and one
//! committed (`fixtures/nss-ber-office.p12`, made by
//! `fixtures/make-nss-ber-p12.sh`), so the Windows build under Wine reads a
//! real pk12util file too.

use kaigo_app_core::certificates::{AppStore, CertificateSource, CertificateSummary};
use kaigo_app_core::keychain::MemorySecrets;
use kaigo_app_core::AppError;
use kaigo_client::rustls::pki_types::pem::PemObject;
use kaigo_client::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use kaigo_client::{rustls, ClientIdentity, OnboardingClient, ServerTrust};
use kaigo_domain::ErrorCode;
use secrecy::SecretString;
use std::sync::Arc;
use time::OffsetDateTime;

/// The BER mark: an outer SEQUENCE of indefinite length.
fn assert_ber(p12: &[u8]) {
    assert_eq!(p12.get(..2), Some(&[0x30, 0x80][..]), "not the BER file pk12util writes (SEQUENCE, indefinite length)");
}

/// A wrong password is refused as one — in Japanese first, on the password
/// field — and nothing is kept; then the right one imports.
fn import(store: &AppStore, p12: &[u8], password: &str) -> CertificateSummary {
    let now = OffsetDateTime::now_utc();
    let wrong: AppError = store.import(p12, &SecretString::from("Wrong-pass-1"), now).unwrap_err();
    assert_eq!(wrong.code, ErrorCode::CertificatePasswordIncorrect, "{wrong:?}");
    assert_eq!(wrong.field.as_deref(), Some("password"));
    assert!(wrong.message.starts_with("証明書のパスワードが違います"), "{}", wrong.message);
    assert_eq!(wrong.message_en, "The certificate file's password is incorrect.");
    assert!(store.list(now).unwrap().is_empty(), "nothing kept on a wrong password");

    let summary = store.import(p12, &SecretString::from(password), now).unwrap();
    assert_eq!(store.list(now).unwrap(), vec![summary.clone()]);
    summary
}

/// The client certificate a server requiring one from `client_ca` received
/// over a mutual-TLS handshake with `identity`: the server accepts the
/// handshake only once the client's signature (CertificateVerify) checks.
async fn certificate_seen_in_handshake(identity: &ClientIdentity, client_ca: CertificateDer<'static>) -> Result<Vec<u8>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(client_ca).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().self_signed(&server_key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![server_cert.der().clone()], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())))
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut tcp, _) = listener.accept().map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
        let mut tls = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        while tls.is_handshaking() {
            tls.complete_io(&mut tcp).map_err(|e| format!("handshake refused: {e}"))?;
        }
        let seen = tls.peer_certificates().and_then(|c| c.first()).map(|c| c.to_vec()).ok_or("no client certificate")?;
        Ok(seen)
    });
    let client =
        OnboardingClient::new(&format!("https://127.0.0.1:{port}"), &ServerTrust::CaPem(server_cert.pem()), Some(identity)).unwrap();
    let _ = client.server_time().await; // no HTTP behind the handshake
    server.join().unwrap()
}

fn pem_certificate(pem: &str) -> CertificateDer<'static> {
    CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()
}

/// `fixtures/nss-ber-office.p12`: a certificate and RSA key made by openssl,
/// put into an NSS database and exported by `pk12util -o` (NSS 3.87), with
/// its CA; see `fixtures/make-nss-ber-p12.sh` for the commands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committed_pk12util_export_imports_with_its_certificate_and_key() {
    let p12 = include_bytes!("fixtures/nss-ber-office.p12");
    assert_ber(p12);
    let office = pem_certificate(include_str!("fixtures/nss-ber-office.pem"));
    let ca = pem_certificate(include_str!("fixtures/nss-ber-ca.pem"));
    let original = kaigo_client::describe(&office).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store = AppStore::new(dir.path().to_owned(), Arc::new(MemorySecrets::default()));
    // Cut short, it is an unreadable file, not a wrong password.
    let cut = store.import(&p12[..p12.len() / 2], &SecretString::from("Nss-p12-テスト1"), OffsetDateTime::now_utc()).unwrap_err();
    assert_eq!((cut.code, cut.field.as_deref()), (ErrorCode::CertificateFileInvalid, Some("file")));
    let summary = import(&store, p12, "Nss-p12-テスト1");
    assert_eq!(summary.id, original.fingerprint);
    assert_eq!(summary.label, "さくら介護センター");
    assert_eq!(summary.office_number.as_deref(), Some("1310000001"));

    // Read back from the kept file with the kept password, as when logging in.
    let identity = store.identity(&summary.id).unwrap();
    assert_eq!(identity.info().unwrap(), original);
    assert_eq!(identity.leaf_der(), office.as_ref());
    let seen = certificate_seen_in_handshake(&identity, ca).await.expect("the imported key signs the handshake");
    assert_eq!(seen, office.to_vec());
}

/// pk12util is there, or the test is skipped with a notice — except in the
/// full suite (`KAIGO_FULL_SUITE`), where it must be.
#[cfg(target_os = "linux")]
fn pk12util_installed() -> bool {
    let found = std::process::Command::new("pk12util").output().is_ok(); // no arguments: usage, exit 1
    if !found {
        crate::missing("pk12util", "libnss3-tools; scripts/setup-tests.sh installs it");
    }
    found
}

#[cfg(target_os = "linux")]
fn run(command: &mut std::process::Command) -> String {
    let out = command.output().unwrap();
    assert!(out.status.success(), "{command:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The practice office's certificate (ECDSA; written as DER by p12-keystore)
/// goes into a fresh NSS database and comes out of `pk12util -o` as BER; the
/// app imports that, and logs in to the practice service with it.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_certificate_exported_by_pk12util_now_imports_and_logs_in() {
    use kaigo_app_core::paths::AppPaths;
    use kaigo_practice::{PracticeService, P12_PASSWORD};
    use std::process::Command;
    if !pk12util_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let practice = PracticeService::start(AppPaths::new(dir.path().join("app")).unwrap().practice()).await.unwrap();
    let original = ClientIdentity::from_pkcs12(&std::fs::read(&practice.files.client_p12).unwrap(), P12_PASSWORD).unwrap().info().unwrap();

    let nssdb = dir.path().join("nssdb");
    std::fs::create_dir(&nssdb).unwrap();
    let db = format!("sql:{}", nssdb.display());
    run(Command::new("certutil").args(["-N", "-d", &db, "--empty-password"]));
    run(Command::new("pk12util").arg("-i").arg(&practice.files.client_p12).args(["-d", &db, "-W", P12_PASSWORD]));
    // The nickname NSS gave it: the one certificate with a key ("u,u,u").
    let listed = run(Command::new("certutil").args(["-L", "-d", &db]));
    let nickname = listed.lines().find_map(|l| l.trim_end().strip_suffix("u,u,u")).expect(&listed).trim_end().to_owned();
    let exported = dir.path().join("exported.p12");
    let password = "Firefox-バックアップ-1";
    run(Command::new("pk12util").arg("-o").arg(&exported).args(["-n", &nickname, "-d", &db, "-W", password]));
    let p12 = std::fs::read(&exported).unwrap();
    assert_ber(&p12);

    std::fs::create_dir(dir.path().join("certificates")).unwrap();
    let store = AppStore::new(dir.path().join("certificates"), Arc::new(MemorySecrets::default()));
    let summary = import(&store, &p12, password);
    assert_eq!(summary.id, original.fingerprint);
    assert_eq!(summary.office_number.as_deref(), Some(kaigo_service::demo::OFFICE_NUMBER));
    let identity = store.identity(&summary.id).unwrap();
    assert_eq!(identity.info().unwrap(), original);

    let client = OnboardingClient::new(&practice.url(), &ServerTrust::CaPem(practice.ca_pem().unwrap()), Some(&identity)).unwrap();
    client.server_time().await.expect("the key from pk12util's file signs the handshake");
    let e = client.office_login(kaigo_service::demo::ELECTRONIC_BILLING_ID, "Wrong-pass-1").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidCredentials, "the service saw the office's certificate");
}
