#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! The whole of Step 3 through the app's core, in practice mode. Secrets go
//! to a keychain in memory here; `keychain` tests the OS's own.

use crate::{code_in, newest_to, practice_core, practice_core_at};
use kaigo_api::office::AdminRegistrationRequest;
use kaigo_app_core::keychain::{MemorySecrets, SecretStore};
use kaigo_app_core::progress::Step;
use kaigo_app_core::settings::{ServiceSetting, Settings};
use kaigo_app_core::wizard::plan::Screen;
use kaigo_app_core::wizard::UserLoginView;
use kaigo_domain::{DeliveryChannel, ErrorCode};
use secrecy::SecretString;
use std::sync::Arc;

fn keychain() -> Arc<MemorySecrets> {
    Arc::new(MemorySecrets::default())
}

fn request() -> AdminRegistrationRequest {
    AdminRegistrationRequest {
        name: "介護 花子".into(),
        email: Some("hanako@example.jp".into()),
        phone: None,
        service_types: vec!["43".into()],
        job_category: "01".into(),
        user_id: "hanako01".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_goes_through_step_3_in_practice_mode_and_resumes_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = keychain();
    let core = practice_core(dir.path(), secrets.clone());
    let status = core.start().await.unwrap();
    assert_eq!(status.step, Step::Preflight);
    let practice = status.practice.expect("practice mode by default");

    // The demo certificate is offered; choosing it passes the pre-flight.
    let certs = core.list_certificates().await.unwrap();
    assert_eq!(certs.len(), 1);
    assert!(!core.preflight().await.unwrap().can_continue, "no certificate chosen yet");
    core.choose_certificate(&certs[0].id).await.unwrap();
    let report = core.preflight().await.unwrap();
    assert!(report.can_continue, "{report:?}");
    assert!(report.checks.iter().any(|c| c.id == "clock"));

    // 3-1
    let e = core.office_login("KJ12", &SecretString::from("x"), false).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ElectronicBillingIdInvalid, Some("electronic_billing_id")));
    // A wrong password: the tries left before the lock are said.
    let e = core.office_login(&practice.electronic_billing_id, &SecretString::from("wrong-password"), false).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidCredentials);
    assert!(e.message.contains("あと2回まちがえると、30分間ログインできなくなります"), "{}", e.message);
    core.office_login(&practice.electronic_billing_id, &SecretString::from(practice.password.clone()), false).await.unwrap();
    assert_eq!(core.saved_office_login().unwrap(), None, "kept only when asked");
    let code = code_in(&newest_to(&core, &practice.office_email, 0).await);
    let progress = core.office_verify(&code, Some(&practice.security_code)).await.unwrap();
    assert_eq!(progress.step, Step::AdminRegistration);

    // 3-2, with the registration answered once even if sent twice.
    let mut careless = request();
    careless.email = None;
    let e = core.review_registration(&careless).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ContactMissing, Some("email")));
    let review = core.review_registration(&request()).await.unwrap();
    let lines: Vec<String> = review.rows.iter().map(|r| format!("{} {}", r.label, r.value)).collect();
    assert!(lines.contains(&"ユーザID hanako01".to_owned()) && lines.iter().any(|l| l.contains("居宅介護支援")), "{lines:?}");
    let progress = core.register_admin(request()).await.unwrap();
    assert_eq!(progress.admin.as_ref().unwrap().initial_password_sent_to, "ha***@example.jp");
    let mail = newest_to(&core, "hanako@example.jp", 0).await;
    let initial = mail.split("初期パスワード：").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let e = core.review_registration(&request()).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::UserIdTaken, Some("user_id")), "the ID is now taken");

    // The app is closed here and opened again: it resumes at 3-3.
    drop(core);
    let core = practice_core(dir.path(), secrets.clone());
    let status = core.start().await.unwrap();
    assert_eq!(status.step, Step::AdminLogin);
    assert_eq!((status.screen, status.notice.is_none()), (Screen::AdminLogin, true));

    // 3-3: code by mail, remember this PC, forced password change.
    let UserLoginView::CodeRequired { channels } = core.user_login("hanako01", &SecretString::from(initial.clone())).await.unwrap() else {
        panic!()
    };
    assert_eq!(channels, vec![DeliveryChannel::Email]);
    core.send_user_code(DeliveryChannel::Email).await.unwrap();
    let code = code_in(&newest_to(&core, "hanako@example.jp", 1).await);
    let view = core.user_verify(&code, true).await.unwrap();
    assert!(matches!(view, UserLoginView::LoggedIn { must_change_password: true }));
    assert!(secrets.get("device-trust:hanako01").unwrap().is_some(), "the trust token is in the keychain");
    assert_eq!(core.status().await.screen, Screen::PasswordChange);
    let twice = |a: &str, b: &str| (SecretString::from(a.to_owned()), SecretString::from(b.to_owned()));
    let (new, again) = twice("Hana-2026-kaigo", "Hana-2026-kaigO");
    let e = core.change_password(&new, &again).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::PasswordConfirmationMismatch, Some("new_password")));
    let (new, again) = twice("password1", "password1");
    assert_eq!(core.change_password(&new, &again).await.unwrap_err().code, ErrorCode::PasswordTooFewKinds);
    // The current password is the one the admin logged in with: the app kept it.
    let (new, again) = twice("Hana-2026-kaigo", "Hana-2026-kaigo");
    let progress = core.change_password(&new, &again).await.unwrap();
    assert_eq!(progress.step, Step::Terminal);

    // A remembered PC logs in without a code.
    let view = core.user_login("hanako01", &SecretString::from("Hana-2026-kaigo")).await.unwrap();
    assert!(matches!(view, UserLoginView::LoggedIn { must_change_password: false }));
    assert_eq!(core.status().await.screen, Screen::Terminal);

    // 3-4: nothing linked yet, so the step cannot be finished.
    assert_eq!(core.finish_terminals().await.unwrap_err().code, ErrorCode::NoTerminalLinked);
    // This PC: issued, redeemed and signed by the app itself.
    let progress = core.setup_terminal("受付PC1").await.unwrap();
    let terminal = progress.terminal.unwrap();
    assert!(terminal.linked);
    assert_eq!(progress.step, Step::Terminal, "more devices may follow");
    assert!(secrets.get(&terminal.key_name).unwrap().is_some(), "the private key is in the keychain");
    // Asked again, a linked terminal is left as it is: no second registration.
    let again = core.setup_terminal("受付PC1").await.unwrap();
    assert_eq!(again.terminal.unwrap().terminal_id, terminal.terminal_id);
    // A phone: a code and its QR code; the simulated phone scans it.
    let shown = core.issue_device_terminal("職員スマホ1").await.unwrap();
    assert!(shown.qr_svg.starts_with("<?xml") && shown.qr_svg.contains("<svg"), "an SVG QR code");
    let lifetime = kaigo_domain::Policy::default().terminal_activation_lifetime.whole_seconds();
    assert!(shown.seconds_left <= lifetime && shown.seconds_left > lifetime - 30, "{}", shown.seconds_left);
    assert_eq!(core.practice_device_scan("https://example.com/not-a-link").await.unwrap_err().code, ErrorCode::ActivationLinkInvalid);
    let settings = core.practice_device_scan(&shown.link).await.unwrap();
    assert_eq!(settings.terminal_id, shown.terminal.terminal_id);
    assert_eq!(core.practice_device_scan(&shown.link).await.unwrap_err().code, ErrorCode::ActivationCodeUsed);
    // A second phone never scanned, then unlinked: the list keeps the two linked.
    let unused = core.issue_device_terminal("予備タブレット").await.unwrap();
    let listed = core.unlink_terminal(&unused.terminal.terminal_id).await.unwrap();
    assert_eq!(listed.len(), 2);
    let progress = core.finish_terminals().await.unwrap();
    assert_eq!(progress.step, Step::Finished);
    let names: Vec<&str> = progress.linked_terminals.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["受付PC1", "職員スマホ1"]);
    assert!(progress.finished_at.is_some());

    // Nothing secret reached the files on disk.
    let files = std::fs::read_to_string(dir.path().join("progress.json")).unwrap();
    for secret in ["Hana-2026-kaigo", practice.password.as_str()] {
        assert!(!files.contains(secret));
    }
    for key in [terminal.key_name.as_str(), "device-trust:hanako01"] {
        secrets.delete(key).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_certificate_password_and_a_bad_service_address_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let core = practice_core(dir.path(), keychain());
    core.start().await.unwrap();
    let p12 = std::fs::read(dir.path().join("practice/demo-office.p12")).unwrap();
    let e = core.import_certificate(&p12, &SecretString::from("wrong")).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::CertificatePasswordIncorrect, Some("password")));
    assert!(e.message.contains("パスワード"));
    let e = core.import_certificate(b"not a certificate", &SecretString::from("x")).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::CertificateFileInvalid, Some("file")));
    assert!(e.message.contains(".p12"));
    let e = core
        .save_settings(Settings {
            service: ServiceSetting::Remote { url: "http://example.jp".into(), ca_pem: None },
            ..Settings::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ServiceUrlInvalid);
    assert!(e.message_en.contains("https"), "every message has its English: {}", e.message_en);
    // English (表示言語): the screen's words follow, the service stays as it was.
    let english = Settings { language: kaigo_domain::Language::English, ..Settings::default() };
    core.save_settings(english.clone()).await.unwrap();
    let status = core.status().await;
    assert_eq!(status.settings, english);
    assert!(status.texts["code_hint"].starts_with("Enter the 6 digits"), "{}", status.texts["code_hint"]);
    let reloaded = practice_core(dir.path(), keychain());
    assert_eq!(reloaded.status().await.settings.language, kaigo_domain::Language::English, "the choice is kept");
    let e = core.office_verify("123456", None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::StepOutOfOrder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_support_bundle_holds_settings_and_logs_without_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let core = practice_core(dir.path(), keychain());
    std::fs::write(dir.path().join("logs/app.log"), "sent code 123456 to hanako@example.jp\n").unwrap();
    let dest = core.support_bundle().unwrap();
    assert_eq!(dest, dir.path().join("kaigo-onboard-support.zip"), "no Downloads folder given: the app's own");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&dest).unwrap()).unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("logs/app.log").unwrap(), &mut log).unwrap();
    assert!(log.contains("sent code") && !log.contains("123456") && !log.contains("hanako@example.jp"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_password_is_kept_in_the_keychain_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = keychain();
    let core = practice_core(dir.path(), secrets.clone());
    let practice = core.start().await.unwrap().practice.unwrap();
    let id = practice.electronic_billing_id.as_str();
    let certs = core.list_certificates().await.unwrap();
    core.choose_certificate(&certs[0].id).await.unwrap();
    let empty = SecretString::from("");

    let e = core.office_login(id, &empty, true).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::PasswordMissing, Some("password")), "nothing kept yet");
    core.office_login(id, &SecretString::from(practice.password.clone()), true).await.unwrap();
    assert_eq!(core.saved_office_login().unwrap().as_deref(), Some(id));
    assert!(secrets.get(&format!("office-password:{id}")).unwrap().is_some());
    assert!(!std::fs::read_dir(dir.path())
        .unwrap()
        .any(|f| std::fs::read(f.unwrap().path()).is_ok_and(|b| String::from_utf8_lossy(&b).contains(&practice.password))));

    // The kept password logs in without being typed; unticking forgets it.
    core.office_login(id, &empty, true).await.unwrap();
    core.office_login(id, &empty, false).await.unwrap();
    assert_eq!(core.saved_office_login().unwrap(), None);
    assert!(secrets.get(&format!("office-password:{id}")).unwrap().is_none());
    assert_eq!(core.office_login(id, &empty, false).await.unwrap_err().code, ErrorCode::PasswordMissing);
}

/// The app's own clock, moved past the demo certificate's end: it is shown
/// expired, cannot be chosen, and the pre-flight says so. No keychain needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_past_its_end_by_the_app_clock_is_refused() {
    use kaigo_domain::CertificateStatus;
    #[allow(clippy::disallowed_methods)] // a test's fixed point in time
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(3_650);
    let dir = tempfile::tempdir().unwrap();
    let core = practice_core_at(dir.path(), Arc::new(MemorySecrets::default()), Arc::new(move || later));
    core.start().await.unwrap();
    let certs = core.list_certificates().await.unwrap();
    assert_eq!(certs[0].status, CertificateStatus::Expired);
    assert_eq!(core.choose_certificate(&certs[0].id).await.unwrap_err().code, ErrorCode::ClientCertificateExpired);
    let report = core.preflight().await.unwrap();
    assert!(!report.can_continue);
    assert!(report.checks.iter().any(|c| c.id == "keychain" && c.status == kaigo_app_core::preflight::CheckStatus::Ok));
}
