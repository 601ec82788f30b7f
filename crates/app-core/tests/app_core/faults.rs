#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! The app under faults: the service vanishing in the middle of a step, a
//! keychain that is locked, a data folder that cannot be written. Each gives
//! staff a plain message and a way on, and the wizard goes on where it was
//! once the fault is gone.

use crate::{code_in, newest_to, practice_core_and_mode};
use kaigo_api::office::AdminRegistrationRequest;
use kaigo_app_core::keychain::{MemorySecrets, SecretStore};
use kaigo_app_core::progress::Step;
use kaigo_app_core::wizard::plan::{Notice, Screen};
use kaigo_app_core::wizard::UserLoginView;
use kaigo_app_core::{AppCore, AppError, AppResult};
use kaigo_domain::{DeliveryChannel, ErrorCode};
use secrecy::SecretString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A keychain that can be locked (the OS asks for the login password
/// again, or its service is not running).
#[derive(Default)]
struct LockableSecrets {
    inner: MemorySecrets,
    locked: AtomicBool,
}

impl LockableSecrets {
    fn check(&self) -> AppResult<()> {
        if self.locked.load(Ordering::Relaxed) {
            Err(AppError::new(ErrorCode::KeychainUnavailable))
        } else {
            Ok(())
        }
    }
}

impl SecretStore for LockableSecrets {
    fn get(&self, key: &str) -> AppResult<Option<SecretString>> {
        self.check()?;
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &SecretString) -> AppResult<()> {
        self.check()?;
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> AppResult<()> {
        self.check()?;
        self.inner.delete(key)
    }
}

fn request(user_id: &str) -> AdminRegistrationRequest {
    AdminRegistrationRequest {
        name: "介護 花子".into(),
        email: Some(format!("{user_id}@example.jp")),
        phone: None,
        service_types: vec!["43".into()],
        job_category: "01".into(),
        user_id: user_id.into(),
    }
}

/// Through 3-1 to the admin form.
async fn to_admin_form(core: &AppCore) {
    let practice = core.start().await.unwrap().practice.unwrap();
    let certs = core.list_certificates().await.unwrap();
    core.choose_certificate(&certs[0].id).await.unwrap();
    core.office_login(&practice.electronic_billing_id, &SecretString::from(practice.password.clone()), false).await.unwrap();
    let code = code_in(&newest_to(core, &practice.office_email, 0).await);
    core.office_verify(&code, Some(&practice.security_code)).await.unwrap();
}

fn is_plain_japanese(e: &AppError) {
    assert!(!e.0.message.is_empty() && !e.0.message.is_ascii(), "{:?}", e.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_vanishing_mid_step_is_explained_and_the_step_goes_on_when_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let (core, practice) = practice_core_and_mode(dir.path(), Arc::new(MemorySecrets::default()));
    to_admin_form(&core).await;

    // The service goes away between the form and its sending.
    practice.stop().await;
    let e = core.register_admin(request("vanish01")).await.unwrap_err();
    assert_eq!(e.0.code, ErrorCode::ServiceUnreachable);
    is_plain_japanese(&e);
    let status = core.status().await;
    assert_eq!((status.step, status.screen), (Step::AdminRegistration, Screen::AdminForm), "nothing lost, nothing skipped");

    // Sent again, the service is there again (started anew on the same
    // database): the office's session holds, the registration is made once.
    let progress = core.register_admin(request("vanish01")).await.unwrap();
    assert_eq!(progress.step, Step::AdminLogin);
    newest_to(&core, "vanish01@example.jp", 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails = core.mailbox().await.unwrap().into_iter().filter(|m| m.recipient == "vanish01@example.jp").count();
    assert_eq!(mails, 1, "one registration, one initial password");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_keychain_and_an_unwritable_data_folder_are_said_and_the_wizard_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(LockableSecrets::default());
    let (core, _practice) = practice_core_and_mode(dir.path(), secrets.clone());

    // A keychain locked before the first call: the certificate's password
    // cannot be read; said plainly, and once it is unlocked the same login
    // works.
    let practice = core.start().await.unwrap().practice.unwrap();
    let certs = core.list_certificates().await.unwrap();
    core.choose_certificate(&certs[0].id).await.unwrap();
    let password = SecretString::from(practice.password.clone());
    secrets.locked.store(true, Ordering::Relaxed);
    let e = core.office_login(&practice.electronic_billing_id, &password, false).await.unwrap_err();
    assert_eq!(e.0.code, ErrorCode::KeychainUnavailable);
    is_plain_japanese(&e);
    secrets.locked.store(false, Ordering::Relaxed);
    core.office_login(&practice.electronic_billing_id, &password, false).await.unwrap();

    // Locked again at the office login with "keep the password": the login
    // goes on, and staff are told nothing was kept.
    let mails = core.mailbox().await.unwrap().into_iter().filter(|m| m.recipient == practice.office_email).count();
    secrets.locked.store(true, Ordering::Relaxed);
    core.office_login(&practice.electronic_billing_id, &password, true).await.unwrap();
    assert_eq!(core.status().await.notice.map(|n| n.code), Some(Notice::KeychainNotUsed));
    let code = code_in(&newest_to(&core, &practice.office_email, mails.max(1)).await);
    core.office_verify(&code, Some(&practice.security_code)).await.unwrap();

    // The data folder cannot be written (its progress file cannot be
    // replaced): the registration the service made is not undone.
    let blocker = dir.path().join("progress.tmp");
    std::fs::create_dir(&blocker).unwrap();
    let progress = core.register_admin(request("fault01")).await.unwrap();
    assert_eq!(progress.step, Step::AdminLogin);
    let status = core.status().await;
    assert_eq!((status.screen, status.notice.as_ref().map(|n| n.code)), (Screen::AdminDone, Some(Notice::ProgressNotSaved)));
    assert!(status.notice.unwrap().said.message.contains("保存できません"));

    // 3-3 with the keychain still locked: no remembered PC is read, none is
    // kept; the login itself goes on.
    let mail = newest_to(&core, "fault01@example.jp", 0).await;
    let initial = mail.split("初期パスワード：").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let UserLoginView::CodeRequired { .. } = core.user_login("fault01", &SecretString::from(initial)).await.unwrap() else { panic!() };
    core.send_user_code(DeliveryChannel::Email).await.unwrap();
    let code = code_in(&newest_to(&core, "fault01@example.jp", 1).await);
    let view = core.user_verify(&code, true).await.unwrap();
    assert!(matches!(view, UserLoginView::LoggedIn { must_change_password: true }));

    // The faults go away: the next step saves everything, and only the
    // keychain's notice is left.
    std::fs::remove_dir(&blocker).unwrap();
    secrets.locked.store(false, Ordering::Relaxed);
    let pw = SecretString::from("Fault-2026-kaigo".to_owned());
    let progress = core.change_password(&pw, &pw).await.unwrap();
    assert_eq!(progress.step, Step::Terminal);
    assert_eq!(core.status().await.notice.map(|n| n.code), Some(Notice::KeychainNotUsed));
    assert!(secrets.inner.get("device-trust:fault01").unwrap().is_none(), "nothing was kept while locked");

    // Closed and opened again: it resumes at the step reached.
    drop(core);
    let (core, _practice) = practice_core_and_mode(dir.path(), secrets.clone());
    let status = core.start().await.unwrap();
    assert_eq!(status.step, Step::Terminal);
}
