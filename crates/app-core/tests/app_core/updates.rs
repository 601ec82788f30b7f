#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! 「アプリの更新」's rules: where an update may come from, and that an
//! update never interrupts a step in progress. (Finding, verifying and
//! installing through tauri-plugin-updater: the shell's `updates.rs` tests.)

use crate::practice_core;
use kaigo_app_core::keychain::MemorySecrets;
use kaigo_app_core::settings::{check_update_endpoint, Settings};
use kaigo_app_core::updates::may_install_now;
use kaigo_app_core::wizard::plan::{OpenInThisRun, SignedIn};
use kaigo_domain::ErrorCode;
use secrecy::SecretString;
use std::sync::Arc;

#[test]
fn an_update_address_is_https_or_this_pc() {
    for ok in [
        "https://updates.example.jp/kaigo/latest.json",
        "https://h/{{target}}/{{current_version}}",
        "http://127.0.0.1:8080/latest.json",
        "http://localhost/u.json",
        "http://[::1]:9/x",
    ] {
        assert!(check_update_endpoint(ok).is_ok(), "{ok}");
    }
    for bad in [
        "http://updates.example.jp/latest.json",
        "https://",
        "ftp://x/y",
        "updates.example.jp",
        "https://a b/c",
        "http://127.0.0.1.example.jp/x",
        // `\` reads as `/` in an http URL: the host is evil.example.
        "http://evil.example\\@127.0.0.1/latest.json",
        "http://user:pw@127.0.0.1/latest.json",
        "",
    ] {
        let e = check_update_endpoint(bad).unwrap_err();
        assert_eq!((e.code(), e.0.field.as_deref()), (ErrorCode::UpdateEndpointInvalid, Some("update_endpoint")), "{bad}");
    }
    let bad = Settings { update_endpoint: Some("http://updates.example.jp/".into()), ..Settings::default() };
    assert_eq!(bad.validate().unwrap_err().code(), ErrorCode::UpdateEndpointInvalid);
}

#[test]
fn installing_waits_for_any_sign_in_or_open_step() {
    assert_eq!(may_install_now(SignedIn::default(), OpenInThisRun::default()), Ok(()));
    let waits = Err(ErrorCode::UpdateWaitsForStep);
    assert_eq!(may_install_now(SignedIn { office: true, ..SignedIn::default() }, OpenInThisRun::default()), waits);
    assert_eq!(may_install_now(SignedIn { admin: true, ..SignedIn::default() }, OpenInThisRun::default()), waits);
    for open in [
        OpenInThisRun { office_code: true, ..OpenInThisRun::default() },
        OpenInThisRun { review: true, ..OpenInThisRun::default() },
        OpenInThisRun { registration_unseen: true, ..OpenInThisRun::default() },
        OpenInThisRun { admin_code: true, ..OpenInThisRun::default() },
    ] {
        assert_eq!(may_install_now(SignedIn::default(), open), waits, "{open:?}");
    }
}

/// With the office's code on its way (3-1 half done), 「いま更新する」 is
/// answered with the wait, before anything is asked of an update server;
/// at rest, a build with no updater says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_is_not_installed_in_the_middle_of_a_login() {
    let dir = tempfile::tempdir().unwrap();
    let core = practice_core(dir.path(), Arc::new(MemorySecrets::default()));
    let practice = core.start().await.unwrap().practice.unwrap();
    assert_eq!(core.install_update("9.9.9").await.unwrap_err().code(), ErrorCode::UpdateNotConfigured, "at rest");
    let certs = core.list_certificates().await.unwrap();
    core.choose_certificate(&certs[0].id).await.unwrap();
    core.office_login(&practice.electronic_billing_id, &SecretString::from(practice.password.clone()), false).await.unwrap();
    let e = core.install_update("9.9.9").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::UpdateWaitsForStep);
    assert!(e.0.message.contains("ログイン中"), "{}", e.0.message);
}
