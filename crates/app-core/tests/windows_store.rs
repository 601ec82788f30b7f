#![cfg(windows)]
#![allow(clippy::unwrap_used, clippy::disallowed_methods)] // tests: failing loudly is right; certificates are checked against the real clock
//! The current user's personal certificate store (「個人」) as a certificate
//! source: an office's PKCS#12 file is put there with the Windows API, as
//! the certificate import wizard does; the app lists it and logs in to the
//! practice service over mutual TLS with the key signing inside Windows.

use kaigo_app_core::certificates::{CertificateSource, WindowsStore};
use kaigo_app_core::paths::AppPaths;
use kaigo_app_core::practice::PracticeService;
use kaigo_client::{ClientIdentity, OnboardingClient, ServerTrust};
use kaigo_domain::ErrorCode;
use rustls_cng::store::{CertStore, CertStoreType, Pkcs12Flags};

/// What the import wizard does with a .p12: decode it into a temporary
/// store (PFXImportCertStore, the key going to the key storage provider),
/// then add the office's own certificate to the personal store.
fn import_into_personal_store(p12: &[u8], password: &str, fingerprint: &str) {
    let file = CertStore::from_pkcs12(p12, password, Pkcs12Flags::default()).expect("PFXImportCertStore");
    let leaf = file
        .find_all()
        .unwrap()
        .into_iter()
        .find(|c| kaigo_client::describe(c.as_der()).unwrap().fingerprint == fingerprint)
        .expect("the office certificate is in the file");
    let personal = CertStore::open(CertStoreType::CurrentUser, "My").expect("open the personal store");
    // SAFETY: both handles are alive for the call; Windows copies the
    // context (with its key-provider property) into the store.
    #[allow(unsafe_code)]
    let added = unsafe {
        windows_sys::Win32::Security::Cryptography::CertAddCertificateContextToStore(
            personal.inner(),
            leaf.inner(),
            windows_sys::Win32::Security::Cryptography::CERT_STORE_ADD_REPLACE_EXISTING,
            std::ptr::null_mut(),
        )
    };
    assert_ne!(added, 0, "CertAddCertificateContextToStore: {}", std::io::Error::last_os_error());
}

/// Takes the certificate out again, so the user's store is left as found.
fn remove_from_personal_store(fingerprint: &str) {
    let personal = CertStore::open(CertStoreType::CurrentUser, "My").unwrap();
    for c in personal.find_all().unwrap() {
        if kaigo_client::describe(c.as_der()).is_ok_and(|i| i.fingerprint == fingerprint) {
            // SAFETY: the context is a live duplicate that the call frees.
            #[allow(unsafe_code)]
            let ok = unsafe {
                windows_sys::Win32::Security::Cryptography::CertDeleteCertificateFromStore(windows_sys::Win32::Security::Cryptography::CertDuplicateCertificateContext(c.inner()))
            };
            assert_ne!(ok, 0, "CertDeleteCertificateFromStore: {}", std::io::Error::last_os_error());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_certificate_in_the_personal_store_is_listed_and_its_key_signs_a_mutual_tls_login_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let practice = PracticeService::start(&AppPaths::new(dir.path()).unwrap()).await.unwrap();
    let p12 = std::fs::read(&practice.files.client_p12).unwrap();
    let expected = ClientIdentity::from_pkcs12(&p12, kaigo_service::demo::P12_PASSWORD).unwrap().info().unwrap();
    let now = time::OffsetDateTime::now_utc();

    import_into_personal_store(&p12, kaigo_service::demo::P12_PASSWORD, &expected.fingerprint);
    let fingerprint = expected.fingerprint.clone();
    // In a task of its own, so that the store is cleaned up even if it fails.
    let outcome = tokio::spawn(async move {
        let store = WindowsStore;
        let listed = store.list(now).unwrap();
        let ours = listed.iter().find(|c| c.id == expected.fingerprint).unwrap_or_else(|| panic!("not listed: {listed:?}"));
        assert_eq!(ours.source, "windows_store", "staff see where it is kept");
        assert_eq!(ours.label, kaigo_service::demo::OFFICE_NAME);
        assert_eq!(ours.office_number.as_deref(), Some(kaigo_service::demo::OFFICE_NUMBER));
        assert_eq!(ours.issuer, expected.issuer);
        assert_eq!(ours.not_after, expected.not_after);

        let identity = store.identity(&expected.fingerprint).expect("the key is reachable through CNG");
        assert_eq!(identity.info().unwrap().fingerprint, expected.fingerprint);
        let client = OnboardingClient::new(&practice.url(), &ServerTrust::CaPem(practice.ca_pem().unwrap()), Some(&identity)).unwrap();
        client.server_time().await.expect("CNG signs the handshake with the office's key");
        let e = client.office_login(kaigo_service::demo::ELECTRONIC_BILLING_ID, "Wrong-pass-1").await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidCredentials, "the service saw the office's certificate");

        assert_eq!(store.identity("00ff").unwrap_err().code, ErrorCode::CertificateNotFound);
        drop(practice);
    })
    .await;
    remove_from_personal_store(&fingerprint);
    assert!(!WindowsStore.list(now).unwrap().iter().any(|c| c.id == fingerprint), "removed again");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
