#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! 研修に参加する: the app joins a class run by a service of its own (not
//! the embedded practice service), trusting it only by the check code,
//! walks 3-1 on its seat and leaves the class, taking its certificate out.

use crate::{code_in, practice_core};
use kaigo_app_core::keychain::{MemorySecrets, SecretStore};
use kaigo_app_core::settings::ServiceSetting;
use kaigo_app_core::wizard::{FormField, JoinForm};
use kaigo_domain::class::CaPin;
use kaigo_domain::ErrorCode;
use kaigo_service::classes::{open_class, ClassRequest, OpenedClass};
use kaigo_service::clock::{Clock as _, SystemClock};
use kaigo_service::config::ClassesConfig;
use kaigo_service::pki::CertificateAuthority;
use kaigo_service::{Application, RunningService};
use secrecy::SecretString;
use std::sync::Arc;

struct ClassService {
    service: RunningService,
    class: OpenedClass,
    short_pin: String,
    _dir: tempfile::TempDir,
}

async fn class_service() -> ClassService {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemClock.now();
    let ca = CertificateAuthority::create("Class CA", now).unwrap();
    let server = ca.issue_server(&["127.0.0.1"], now).unwrap();
    let mut config = kaigo_service::demo::config_for(
        kaigo_service::store::DatabaseLocation::sqlite_file(dir.path().join("class.db")),
        kaigo_service::tls::TlsMaterial {
            server_cert_chain_pem: server.cert_pem,
            server_key_pem: server.key_pem,
            client_ca_pem: ca.cert_pem(),
            client_crl: None,
        },
        ([127, 0, 0, 1], 0).into(),
    );
    config.classes = Some(ClassesConfig { ca_cert_pem: ca.cert_pem(), ca_key_pem: ca.key_pem(), trainer_listen: None });
    let app = Application::build(config, Arc::new(SystemClock)).await.unwrap();
    let ob = app.onboarding.clone();
    let req = ClassRequest { name: "アプリの研修".into(), seats: 2, ends_at: now + time::Duration::hours(1) };
    let class = open_class(&ob.db, &ob.hasher, &ob.code_key, &ob.class_policy, &req, now).await.unwrap();
    let short_pin = ob.classes.as_ref().unwrap().short_pin();
    ClassService { service: app.spawn(), class, short_pin, _dir: dir }
}

fn form(s: &ClassService, pin: &str) -> JoinForm {
    JoinForm { url: s.service.url(), join_code: s.class.join_code.display(), check_code: pin.to_owned() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_joins_a_class_by_its_codes_signs_in_on_its_seat_and_leaves_it_clean() {
    let class = class_service().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    let core = practice_core(dir.path(), secrets.clone());

    // Typed wrong: each field is named.
    let mut bad = form(&class, &class.short_pin);
    bad.join_code = "12".into();
    let e = core.join_class(bad).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::JoinCodeFormat, Some(FormField::JoinCode.as_str())));
    let e = core.join_class(form(&class, "AB")).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ClassPinFormat, Some(FormField::CheckCode.as_str())));
    // A service whose CA is not the one the trainer shows: refused, nothing kept.
    let other = CaPin::short_of(&[9; 32]);
    let e = core.join_class(form(&class, &other)).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ClassPinMismatch, Some(FormField::CheckCode.as_str())));
    assert_eq!(core.status().await.class, None);
    // An address where no class is open: said as such, at the address, with
    // what to tell the trainer.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = JoinForm { url: format!("https://127.0.0.1:{closed_port}"), ..form(&class, &class.short_pin) };
    let e = core.join_class(nowhere).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ClassRefused, Some(FormField::Url.as_str())));
    assert!(e.message.contains("講師"), "{}", e.message);
    assert_eq!(core.status().await.class, None);
    // A join code of the right shape but not the class's: said at its field.
    let mut wrong = form(&class, &class.short_pin);
    wrong.join_code = "ZZZZ-ZZZZ".into();
    let e = core.join_class(wrong).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::JoinCodeWrong, Some(FormField::JoinCode.as_str())));

    let status = core.join_class(form(&class, &class.short_pin.to_lowercase())).await.unwrap();
    let joined = status.class.clone().expect("in the class");
    assert_eq!((joined.class_name.as_str(), joined.seat_number), ("アプリの研修", 1));
    assert!(matches!(status.settings.service, ServiceSetting::Class { .. }));
    let sign_in = status.practice.clone().expect("the seat's sign-in shown like practice mode's");
    assert!(sign_in.electronic_billing_id.starts_with("KJ99"));
    // The seat's certificate is in the app's own store, and chosen.
    let certificates = core.list_certificates().await.unwrap();
    assert_eq!(certificates.len(), 1, "{certificates:?}");
    assert_eq!(status.progress.certificate_id.as_deref(), Some(certificates[0].id.as_str()));
    // It lasts until the class ends: no renewal warning, marked as the class's.
    assert_eq!(certificates[0].status, kaigo_domain::CertificateStatus::ForClass);
    let report = core.preflight().await.unwrap();
    assert!(report.can_continue);
    assert!(
        report.checks.iter().all(|c| c.status != kaigo_app_core::preflight::CheckStatus::Warning || c.id != "certificate"),
        "{report:?}"
    );
    // 3-2 offers the seat's made-up admin, which passes every check of the form.
    assert_eq!(joined.made_up_admin, kaigo_domain::class::made_up_admin(joined.seat_number));

    // 3-1 on the seat, the code from the class's practice mailbox.
    core.office_login(&sign_in.electronic_billing_id, &SecretString::from(sign_in.password.clone()), false).await.unwrap();
    let mut code = None;
    for _ in 0..100 {
        if let Some(m) = core.mailbox().await.unwrap().into_iter().find(|m| m.recipient == sign_in.office_email) {
            code = Some(code_in(&m.body));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let security = (!sign_in.security_code.is_empty()).then_some(sign_in.security_code.as_str());
    core.office_verify(&code.expect("the office's code"), security).await.unwrap();

    // Joining again from this PC keeps the seat.
    let again = core.join_class(form(&class, &class.short_pin)).await.unwrap();
    assert_eq!(again.class.unwrap().seat_number, 1);
    let certificates = core.list_certificates().await.unwrap();
    assert_eq!(certificates.len(), 1, "the seat's new certificate replaced the old one");

    // Leaving: practice mode again, and no certificate, key or seat left.
    let left = core.leave_class().await.unwrap();
    assert_eq!((left.class, left.settings.service), (None, ServiceSetting::Practice));
    assert!(core.list_certificates().await.unwrap().iter().all(|c| c.id != certificates[0].id));
    assert!(secrets.get("class-seat").unwrap().is_none());
    assert!(secrets.get(&format!("class-key:{}", class.service.url())).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_link_fills_in_all_three() {
    let link = kaigo_api::class::join_link("https://192.0.2.1:8443", "7KQM-4XPR", &"0f".repeat(32));
    let form = JoinForm::from_link(&link).unwrap();
    assert_eq!((form.url.as_str(), form.join_code.as_str(), form.check_code.len()), ("https://192.0.2.1:8443", "7KQM-4XPR", 64));
    let e = JoinForm::from_link("https://example.com/").unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ClassLinkInvalid, Some("join_link")));
}
