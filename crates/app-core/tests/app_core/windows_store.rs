#![cfg(windows)]
#![allow(clippy::unwrap_used, clippy::disallowed_methods, unsafe_code)]
// tests: failing loudly is right; certificates are checked against the real clock; the Windows API calls that put a certificate where an installer would
//! The current user's personal certificate store (「個人」) as a certificate
//! source, with the certificate put there by the Windows API as an
//! installer would: the app lists it (office name, issuer, expiry, where it
//! is kept) and logs in to the practice service over mutual TLS with the key
//! signing inside Windows (CNG).
//!
//! Under Wine 8 three calls of that path do not work, each checked by hand
//! (WINEDEBUG=+crypt,+ncrypt), so those parts run on Windows only:
//! - `PFXImportCertStore` refuses the import wizard's flags
//!   (`PKCS12_INCLUDE_EXTENDED_PROPERTIES | PKCS12_PREFER_CNG_KSP`: "flags
//!   00000111 not supported") and EC keys ("key algorithm 4 not supported");
//! - `CryptAcquireCertificatePrivateKey` ignores
//!   `CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG` and hands back a CryptoAPI handle,
//!   on which `NCryptGetProperty` faults.
//!
//! What Wine does do is tested under it: RSA keys made and kept by CNG,
//! their signatures (PKCS#1 and PSS), the personal store, and our code from
//! the found certificate and its CNG key to a mutual-TLS login.

use kaigo_app_core::certificates::{CertificateSource, WindowsStore};
use kaigo_app_core::paths::AppPaths;
use kaigo_client::{ClientIdentity, OnboardingClient};
use kaigo_domain::ErrorCode;
use kaigo_practice::PracticeService;
use kaigo_service::demo;
use rustls_cng::key::NCryptKey;
use rustls_cng::store::{CertStore, CertStoreType, Pkcs12Flags};
use std::ptr::{null, null_mut};
use time::{Duration, OffsetDateTime};
use windows_sys::Win32::Security::Cryptography as wincrypt;

fn under_wine() -> bool {
    std::env::var_os("KAIGO_UNDER_WINE").is_some()
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

const KEY_STORAGE_PROVIDER: &str = "Microsoft Software Key Storage Provider";

/// An RSA key made and kept by Windows (CNG), as for a certificate whose key
/// cannot be exported or sits on a smart card.
struct CngKey {
    handle: wincrypt::NCRYPT_KEY_HANDLE,
    container: String,
}

impl CngKey {
    fn create_rsa_2048(container: &str) -> CngKey {
        unsafe {
            let mut provider = 0;
            assert_eq!(wincrypt::NCryptOpenStorageProvider(&mut provider, wide(KEY_STORAGE_PROVIDER).as_ptr(), 0), 0);
            let mut handle = 0;
            assert_eq!(wincrypt::NCryptCreatePersistedKey(provider, &mut handle, wide("RSA").as_ptr(), wide(container).as_ptr(), 0, 0), 0);
            let bits: u32 = 2048;
            assert_eq!(wincrypt::NCryptSetProperty(handle, wide("Length").as_ptr(), (&bits as *const u32).cast(), 4, 0), 0);
            assert_eq!(wincrypt::NCryptFinalizeKey(handle, 0), 0);
            wincrypt::NCryptFreeObject(provider);
            CngKey { handle, container: container.to_owned() }
        }
    }

    /// The public half as PKCS#1 `RSAPublicKey` DER, from CNG's public blob
    /// (a BCRYPT_RSAKEY_BLOB header, then exponent and modulus, big-endian).
    fn rsa_public_key_der(&self) -> Vec<u8> {
        let blob_type = wide("RSAPUBLICBLOB");
        let mut size = 0u32;
        let mut blob = vec![0u8; 1024];
        let status = unsafe {
            wincrypt::NCryptExportKey(self.handle, 0, blob_type.as_ptr(), null(), blob.as_mut_ptr(), blob.len() as u32, &mut size, 0)
        };
        assert_eq!(status, 0, "NCryptExportKey");
        let field = |i: usize| u32::from_le_bytes(blob[4 * i..4 * i + 4].try_into().unwrap()) as usize;
        let (exponent_len, modulus_len) = (field(2), field(3));
        let exponent = &blob[24..24 + exponent_len];
        let modulus = &blob[24 + exponent_len..24 + exponent_len + modulus_len];
        der::Encode::to_der(&RsaPublicKey {
            modulus: der::asn1::UintRef::new(modulus).unwrap(),
            public_exponent: der::asn1::UintRef::new(exponent).unwrap(),
        })
        .unwrap()
    }

    /// A handle for rustls-cng that leaves freeing to us.
    fn borrowed(&self) -> NCryptKey {
        NCryptKey::new_borrowed(self.handle)
    }
}

impl Drop for CngKey {
    fn drop(&mut self) {
        unsafe { wincrypt::NCryptDeleteKey(self.handle, 0) };
    }
}

#[derive(der::Sequence)]
struct RsaPublicKey<'a> {
    modulus: der::asn1::UintRef<'a>,
    public_exponent: der::asn1::UintRef<'a>,
}

/// The CNG key's public half, for the CA to certify (only the CA signs here).
struct CngPublicKey(Vec<u8>);

impl rcgen::RemoteKeyPair for CngPublicKey {
    fn public_key(&self) -> &[u8] {
        &self.0
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        Err(rcgen::Error::RemoteKeyError)
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

/// Adds `cert_der` to the personal store, linked to the CNG key in
/// `container` the way Windows links them (CERT_KEY_PROV_INFO_PROP_ID).
fn add_to_personal_store(cert_der: &[u8], container: &str) {
    let personal = personal_store_made_if_missing();
    let (container, provider) = (wide(container), wide(KEY_STORAGE_PROVIDER));
    unsafe {
        let mut context = null_mut();
        let added = wincrypt::CertAddEncodedCertificateToStore(
            personal.inner(),
            wincrypt::X509_ASN_ENCODING | wincrypt::PKCS_7_ASN_ENCODING,
            cert_der.as_ptr(),
            cert_der.len() as u32,
            wincrypt::CERT_STORE_ADD_REPLACE_EXISTING,
            &mut context,
        );
        assert_ne!(added, 0, "CertAddEncodedCertificateToStore: {}", std::io::Error::last_os_error());
        let info = wincrypt::CRYPT_KEY_PROV_INFO {
            pwszContainerName: container.as_ptr() as *mut u16,
            pwszProvName: provider.as_ptr() as *mut u16,
            dwProvType: 0, // a CNG key storage provider
            dwFlags: 0,
            cProvParam: 0,
            rgProvParam: null_mut(),
            dwKeySpec: 0,
        };
        let linked = wincrypt::CertSetCertificateContextProperty(
            context,
            wincrypt::CERT_KEY_PROV_INFO_PROP_ID,
            0,
            (&info as *const wincrypt::CRYPT_KEY_PROV_INFO).cast(),
        );
        assert_ne!(linked, 0, "CertSetCertificateContextProperty: {}", std::io::Error::last_os_error());
        wincrypt::CertFreeCertificateContext(context);
    }
}

/// 「個人」 as certificate installers open it: made if this user has none
/// yet (a fresh Wine prefix; every real Windows profile has one).
fn personal_store_made_if_missing() -> CertStore {
    let name = wide("My");
    let flags = wincrypt::CERT_SYSTEM_STORE_CURRENT_USER_ID << wincrypt::CERT_SYSTEM_STORE_LOCATION_SHIFT;
    let handle = unsafe { wincrypt::CertOpenStore(wincrypt::CERT_STORE_PROV_SYSTEM_W, 0, 0, flags, name.as_ptr().cast()) };
    assert!(!handle.is_null(), "CertOpenStore(My): {}", std::io::Error::last_os_error());
    unsafe { wincrypt::CertCloseStore(handle, 0) };
    CertStore::open(CertStoreType::CurrentUser, "My").expect("open the personal store")
}

/// Takes the certificate out again, so the user's store is left as found.
fn remove_from_personal_store(fingerprint: &str) {
    let personal = CertStore::open(CertStoreType::CurrentUser, "My").unwrap();
    let mut context: *const wincrypt::CERT_CONTEXT = null();
    loop {
        // Walks the store's own contexts: deleting one ends its walk.
        context = unsafe { wincrypt::CertEnumCertificatesInStore(personal.inner(), context) };
        if context.is_null() {
            break;
        }
        let der = unsafe { std::slice::from_raw_parts((*context).pbCertEncoded, (*context).cbCertEncoded as usize) };
        if kaigo_client::describe(der).is_ok_and(|i| i.fingerprint == fingerprint) {
            let deleted = unsafe { wincrypt::CertDeleteCertificateFromStore(context) };
            assert_ne!(deleted, 0, "CertDeleteCertificateFromStore: {}", std::io::Error::last_os_error());
            break;
        }
    }
    // Written now, not when the last handle on the store goes.
    let committed = unsafe { wincrypt::CertControlStore(personal.inner(), 0, wincrypt::CERT_STORE_CTRL_COMMIT, null()) };
    assert_ne!(committed, 0, "CertControlStore(COMMIT): {}", std::io::Error::last_os_error());
}

/// The practice service, and a client talking to it with `identity`.
fn client_for(practice: &PracticeService, identity: &ClientIdentity) -> OnboardingClient {
    OnboardingClient::new(&practice.url(), &kaigo_client::ServerTrust::CaPem(practice.ca_pem().unwrap()), Some(identity)).unwrap()
}

async fn logs_in_as_the_demo_office(client: &OnboardingClient) {
    client.server_time().await.expect("CNG signs the handshake with the office's key");
    let e = client.office_login(demo::ELECTRONIC_BILLING_ID, "Wrong-pass-1").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidCredentials, "the service saw the office's certificate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_certificate_whose_key_windows_keeps_is_listed_and_signs_a_mutual_tls_login_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let practice = PracticeService::start(AppPaths::new(dir.path()).unwrap().practice()).await.unwrap();
    let now = OffsetDateTime::now_utc();

    // A 2048-bit RSA key made by Windows, certified for the demo office by
    // the practice CA, which the practice service then accepts for it.
    let key = CngKey::create_rsa_2048(&format!("kaigo-onboard-test-{}", uuid::Uuid::new_v4().simple()));
    let public = rcgen::KeyPair::from_remote(Box::new(CngPublicKey(key.rsa_public_key_der()))).unwrap();
    let files = &practice.files;
    let ca = kaigo_service::pki::CertificateAuthority::from_pem(
        &std::fs::read_to_string(&files.ca_cert).unwrap(),
        &std::fs::read_to_string(files.dir.join("ca-key.pem")).unwrap(),
    )
    .unwrap();
    let cert = ca
        .issue_office_client_for(&public, demo::OFFICE_NUMBER, "RSA鍵の介護事業所", now - Duration::hours(1), now + Duration::days(30))
        .unwrap();
    let db = kaigo_service::store::Db::connect(&files.database).await.unwrap();
    kaigo_service::offices::add_certificate(&db, demo::ELECTRONIC_BILLING_ID, &cert.cert_der, "RSA鍵の介護事業所", cert.not_after, now)
        .await
        .unwrap();
    db.close().await;
    let expected = kaigo_client::describe(&cert.cert_der).unwrap();

    add_to_personal_store(&cert.cert_der, &key.container);
    let fingerprint = expected.fingerprint.clone();
    let key_handle = key.borrowed();
    // In a task of its own, so that the store is cleaned up even if it fails.
    let outcome = tokio::spawn(async move {
        let store = WindowsStore;
        let listed = store.list(now).unwrap();
        let ours = listed.iter().find(|c| c.id == expected.fingerprint).unwrap_or_else(|| panic!("not listed: {listed:?}"));
        assert_eq!(ours.source, "windows_store", "staff see where it is kept");
        assert_eq!(ours.label, "RSA鍵の介護事業所");
        assert_eq!(ours.office_number.as_deref(), Some(demo::OFFICE_NUMBER));
        assert_eq!(ours.issuer, expected.issuer);
        assert_eq!(ours.not_after, expected.not_after);
        assert_eq!(ours.days_left, (expected.not_after - now).whole_days());

        let identity = if under_wine() {
            // Wine cannot acquire the certificate's CNG key (see the top of
            // this file): the rest of the path runs with the key Windows holds.
            WindowsStore::signing_identity(&store.find(&expected.fingerprint).unwrap(), key_handle).unwrap()
        } else {
            store.identity(&expected.fingerprint).expect("the key is reachable through CNG")
        };
        assert_eq!(identity.info().unwrap().fingerprint, expected.fingerprint);
        logs_in_as_the_demo_office(&client_for(&practice, &identity)).await;

        assert_eq!(store.identity("00ff").unwrap_err().code, ErrorCode::CertificateNotFound);
    })
    .await;
    remove_from_personal_store(&fingerprint);
    assert!(!WindowsStore.list(now).unwrap().iter().any(|c| c.id == fingerprint), "removed again");
    drop(key);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A certificate alone (no key), put in 「個人」 as a certificate file
/// double-clicked would put it; its fingerprint.
fn add_certificate_only(cert_der: &[u8]) -> String {
    let personal = personal_store_made_if_missing();
    let added = unsafe {
        wincrypt::CertAddEncodedCertificateToStore(
            personal.inner(),
            wincrypt::X509_ASN_ENCODING | wincrypt::PKCS_7_ASN_ENCODING,
            cert_der.as_ptr(),
            cert_der.len() as u32,
            wincrypt::CERT_STORE_ADD_REPLACE_EXISTING,
            null_mut(),
        )
    };
    assert_ne!(added, 0, "CertAddEncodedCertificateToStore: {}", std::io::Error::last_os_error());
    kaigo_client::describe(cert_der).unwrap().fingerprint
}

/// 本番の日の前に: the personal store read as Edge reads it — an office's
/// certificate made for the test, one expiring within 90 days and one our
/// practice CA issued — listed with holder, issuer and expiry, and the
/// three warnings: several, expiring soon, a rehearsal's.
#[test]
fn the_pc_check_lists_the_personal_store_s_certificates_with_its_three_warnings() {
    use kaigo_app_core::certificates::{AppStore, Certificates};
    use kaigo_app_core::keychain::MemorySecrets;
    use kaigo_domain::pc_certificates::{rehearsal_ca, PcCertificateWarning};
    use kaigo_service::pki::CertificateAuthority;
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let real = CertificateAuthority::create("介護保険証明書 テスト用CA", now - Duration::days(400)).unwrap();
    let practice = CertificateAuthority::create(rehearsal_ca::PRACTICE, now - Duration::days(1)).unwrap();
    let office = |ca: &CertificateAuthority, name: &str, days: i64| {
        ca.issue_office_client("1312345678", name, now - Duration::days(1), now + Duration::days(days)).unwrap().cert_der
    };
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let names = [format!("本番前テスト事業所 {tag}"), format!("期限間近の事業所 {tag}"), format!("練習用の事業所 {tag}")];
    let added = [
        add_certificate_only(&office(&real, &names[0], 365)),
        add_certificate_only(&office(&real, &names[1], 30)),
        add_certificate_only(&office(&practice, &names[2], 365)),
    ];
    let dir = tempfile::tempdir().unwrap();
    let checked = std::panic::catch_unwind(|| {
        let certificates =
            Certificates::for_platform(AppStore::new(dir.path().to_owned(), std::sync::Arc::new(MemorySecrets::default())), None);
        certificates.pc_check(now)
    });
    for fingerprint in &added {
        remove_from_personal_store(fingerprint);
    }
    let check = checked.unwrap_or_else(|e| std::panic::resume_unwind(e));
    // Other tests may hold certificates of their own in the store meanwhile.
    for (name, fingerprint) in names.iter().zip(&added) {
        let listed = check
            .certificates
            .iter()
            .find(|c| &c.id == fingerprint)
            .unwrap_or_else(|| panic!("{name} not listed: {:?}", check.certificates));
        assert_eq!((listed.label.as_str(), listed.source), (name.as_str(), "windows_store"));
        assert!(listed.issuer.contains("CN="), "{}", listed.issuer);
    }
    let warnings: Vec<&PcCertificateWarning> = check.warnings.iter().map(|w| &w.warning).collect();
    assert!(warnings.iter().any(|w| matches!(w, PcCertificateWarning::Several { count } if *count >= 3)), "{warnings:?}");
    assert!(warnings.contains(&&PcCertificateWarning::ExpiringSoon { holder: names[1].clone(), days_left: 30 }), "{warnings:?}");
    assert!(warnings.contains(&&PcCertificateWarning::Rehearsal { holder: names[2].clone() }), "{warnings:?}");
    assert!(!warnings.iter().any(|w| matches!(w, PcCertificateWarning::ExpiringSoon { holder, .. } | PcCertificateWarning::Rehearsal { holder } if holder == &names[0])), "{warnings:?}");
    assert!(check.platform_store);
}

/// The import wizard's way: the office's .p12 file decoded by Windows, its
/// key handed to the key storage provider, its certificate put in 「個人」.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_pkcs12_imported_as_the_wizard_does_logs_in_with_its_key_left_in_windows() {
    // Wine cannot run it (see the top of this file): scripts/test-windows.sh
    // leaves it out by name, so it is reported as filtered out, not passed.
    assert!(!under_wine(), "runs on real Windows only (PFXImportCertStore, CryptAcquireCertificatePrivateKey): skip it by name under Wine");
    let dir = tempfile::tempdir().unwrap();
    let practice = PracticeService::start(AppPaths::new(dir.path()).unwrap().practice()).await.unwrap();
    let p12 = std::fs::read(&practice.files.client_p12).unwrap();
    let expected = ClientIdentity::from_pkcs12(&p12, demo::P12_PASSWORD).unwrap().info().unwrap();
    let file = CertStore::from_pkcs12(&p12, demo::P12_PASSWORD, Pkcs12Flags::default()).expect("PFXImportCertStore");
    let leaf = file
        .find_all()
        .unwrap()
        .into_iter()
        .find(|c| kaigo_client::describe(c.as_der()).unwrap().fingerprint == expected.fingerprint)
        .unwrap();
    let personal = personal_store_made_if_missing();
    let added = unsafe {
        wincrypt::CertAddCertificateContextToStore(personal.inner(), leaf.inner(), wincrypt::CERT_STORE_ADD_REPLACE_EXISTING, null_mut())
    };
    assert_ne!(added, 0, "CertAddCertificateContextToStore: {}", std::io::Error::last_os_error());

    let fingerprint = expected.fingerprint.clone();
    let outcome = tokio::spawn(async move {
        let identity = WindowsStore.identity(&expected.fingerprint).expect("the imported key is reachable through CNG");
        logs_in_as_the_demo_office(&client_for(&practice, &identity)).await;
    })
    .await;
    remove_from_personal_store(&fingerprint);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
