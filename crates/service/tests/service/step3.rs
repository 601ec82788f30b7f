//! The whole of Step 3, as an office goes through it.

use crate::harness::*;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use kaigo_api::terminal::{terminal_link_message, TerminalStatus};
use kaigo_api::user::UserLoginOutcome;
use kaigo_client::ErrorCode;
use kaigo_domain::terminal::TerminalKind;
use kaigo_domain::DeliveryChannel;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

async fn walk_step3(app: &TestApp) {
    let office = &app.a;
    let client = app.client(office);

    // Pre-flight: health, time, lists.
    assert_eq!(client.health().await.unwrap().status, "ok");
    let t = client.server_time().await.unwrap();
    assert!((t.now - now()).abs() < time::Duration::seconds(5));
    let lists = client.reference_lists().await.unwrap();
    assert!(lists.service_types.iter().any(|s| s.code == "43"));

    // 3-1: office login, code mailed to the office's address, security code.
    let ch = client.office_login(&office.kj, &office.password).await.unwrap();
    assert!(ch.security_code_required);
    assert_eq!(ch.delivery.masked_destination, "of***@example.jp");
    assert!(ch.delivery.code_expires_at - now() > time::Duration::minutes(29));
    let mail = app.message_to(&office.email, 0).await;
    assert!(mail.subject.contains("ワンタイム認証コード"));
    let session = client.office_verify(&ch.challenge_id, &code_in(&mail.body), office.security_code.as_deref()).await.unwrap();
    assert_eq!(session.office.office_number, office.number);

    // 3-2: admin registration; the initial password goes to the contact.
    assert!(client.user_id_availability(&session.session_token, "kaigoadmin1").await.unwrap().available);
    let req = admin_request("kaigoadmin1");
    let reg = client.register_admin(&session.session_token, &kaigo_client::OnboardingClient::new_idempotency_key(), &req).await.unwrap();
    assert!(!reg.replayed);
    assert_eq!(reg.registration.initial_password_channel, DeliveryChannel::Email);
    assert_eq!(reg.registration.initial_password_sent_to, "ka***@example.jp");
    assert!(!client.user_id_availability(&session.session_token, "kaigoadmin1").await.unwrap().available);
    let mail = app.message_to("kaigoadmin1@example.jp", 0).await;
    assert!(mail.body.contains("ユーザID：kaigoadmin1"));
    let initial = value_after(&mail.body, "初期パスワード：");

    // 3-3: admin first login, code by SMS this time, remember this PC.
    let UserLoginOutcome::CodeRequired { challenge_id, channels } = client.user_login("kaigoadmin1", &initial, None).await.unwrap() else {
        panic!("a first login must ask for a code");
    };
    assert_eq!(channels, vec![DeliveryChannel::Email, DeliveryChannel::Sms]);
    let delivery = client.send_user_code(&challenge_id, DeliveryChannel::Sms).await.unwrap();
    assert_eq!(delivery.masked_destination, "090-****-5678");
    let sms = app.message_to("+819012345678", 0).await;
    assert_eq!(sms.channel, DeliveryChannel::Sms);
    let verified = client.user_verify(&challenge_id, &code_in(&sms.body), true).await.unwrap();
    assert!(verified.session.must_change_password);
    let trust = verified.device_trust.expect("remember this PC gives a token");
    assert!(trust.expires_at - now() > time::Duration::hours(23));

    // The initial-password session can do nothing but change the password.
    let restricted = verified.session.session_token.clone();
    expect_code(client.terminals(&restricted).await, ErrorCode::PasswordChangeRequired);
    let full = client.change_password(&restricted, &initial, "Hana-2026-kaigo").await.unwrap();
    assert!(!full.must_change_password);
    expect_code(client.terminals(&restricted).await, ErrorCode::Unauthenticated);

    // Next login on this PC skips the code (device trust).
    let UserLoginOutcome::LoggedIn { session } = client.user_login("kaigoadmin1", "Hana-2026-kaigo", Some(&trust.token)).await.unwrap()
    else {
        panic!("a trusted PC must skip the code");
    };
    assert!(!session.must_change_password);

    // 3-4: the admin issues a terminal; the device redeems its activation
    // code with a key pair it made and signs the challenge.
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let issued = client.issue_terminal(&session.session_token, "受付PC1", TerminalKind::ThisPc).await.unwrap();
    assert_eq!(issued.terminal.status, TerminalStatus::AwaitingDevice);
    let id = issued.terminal.terminal_id.clone();
    let challenge =
        client.redeem_terminal_activation(&id, &issued.activation.code, &B64.encode(key.verifying_key().as_bytes())).await.unwrap();
    let sig = key.sign(&terminal_link_message(&id, &challenge.challenge));
    let settings = client.prove_terminal(&id, &B64.encode(sig.to_bytes())).await.unwrap();
    assert_eq!(settings.office_number, office.number);
    assert_eq!(settings.terminal_id, id);
    let listed = client.terminals(&session.session_token).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, TerminalStatus::Linked);

    // Every step left an audit record, and no secret in it.
    let mut conn = app.service.onboarding.db.acquire().await.unwrap();
    let audit = kaigo_service::store::audit::recent(&mut conn, 100).await.unwrap();
    for event in
        ["office_code", "admin_registered", "user_code", "password_change", "terminal_issued", "terminal_activation", "terminal_link"]
    {
        assert!(audit.iter().any(|e| e.event == event && e.outcome.starts_with("success")), "no {event} in audit");
    }
    let dump = format!("{audit:?}");
    assert!(!dump.contains(&initial) && !dump.contains("Hana-2026-kaigo") && !dump.contains(&trust.token));
    assert!(!dump.contains(&issued.activation.code) && !dump.contains(&issued.activation.code.replace('-', "")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_completes_step_3_on_sqlite() {
    walk_step3(&spawn_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_completes_step_3_on_postgres() {
    let Some(app) = spawn_with(Options { backend: Backend::Postgres, ..Options::default() }).await else { return };
    walk_step3(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_trust_token_is_bound_to_its_user_and_expires_after_24_hours() {
    let app = spawn_app().await;
    let initial = app.register_admin(&app.a, "trustuser1").await;
    let verified = app.user_session(&app.a, "trustuser1", &initial, true).await;
    let client = app.client(&app.a);
    let full = client.change_password(&verified.session.session_token, &initial, "Sakura-2026-x").await.unwrap();
    let token = verified.device_trust.unwrap().token;
    assert!(matches!(client.user_login("trustuser1", "Sakura-2026-x", Some(&token)).await.unwrap(), UserLoginOutcome::LoggedIn { .. }));
    // A made-up token does not skip the code.
    assert!(matches!(
        client.user_login("trustuser1", "Sakura-2026-x", Some("forged")).await.unwrap(),
        UserLoginOutcome::CodeRequired { .. }
    ));
    // Revoked: the code is asked again.
    client.revoke_device_trust(&full.session_token).await.unwrap();
    assert!(matches!(client.user_login("trustuser1", "Sakura-2026-x", Some(&token)).await.unwrap(), UserLoginOutcome::CodeRequired { .. }));

    let verified = app.user_session(&app.a, "trustuser1", "Sakura-2026-x", true).await;
    let token = verified.device_trust.unwrap().token;
    app.clock.advance(time::Duration::hours(24) + time::Duration::seconds(1));
    assert!(matches!(client.user_login("trustuser1", "Sakura-2026-x", Some(&token)).await.unwrap(), UserLoginOutcome::CodeRequired { .. }));
}
