//! Terminal pre-setup: an activation code issued by the admin lets a device
//! (no office certificate needed) register its key once; only a signature
//! of that key links it.

use crate::harness::*;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use kaigo_api::terminal::{terminal_link_message, ActivationLink, TerminalStatus};
use kaigo_client::ErrorCode;
use kaigo_domain::terminal::TerminalKind;
use kaigo_service::clock::Clock as _;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn key() -> SigningKey {
    SigningKey::from_bytes(&rand::random::<[u8; 32]>())
}

fn public(k: &SigningKey) -> String {
    B64.encode(k.verifying_key().as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_redeems_its_code_without_a_certificate_and_is_linked_by_its_signature() {
    let app = spawn_app().await;
    let session = app.ready_admin(&app.b, "termadmin1", "Term-pass-2026").await;
    let admin = app.client(&app.b);
    let t = session.session_token;
    let issued = admin.issue_terminal(&t, "職員スマホ1", TerminalKind::Mobile).await.unwrap();
    assert_eq!((issued.terminal.kind, issued.terminal.status), (TerminalKind::Mobile, TerminalStatus::AwaitingDevice));
    let life = issued.activation.expires_at - app.clock.now();
    let policy_life = kaigo_domain::Policy::default().terminal_activation_lifetime;
    assert!(life <= policy_life && life > policy_life - time::Duration::seconds(5), "the code lives as long as the policy says: {life}");
    // What the QR code holds is all the phone needs.
    let link = ActivationLink::parse(&issued.activation.link).expect("an activation link");
    assert_eq!((link.terminal_id.as_str(), link.code.as_str()), (issued.terminal.terminal_id.as_str(), issued.activation.code.as_str()));
    let phone = app.client_with(None);
    let k = key();
    // Typed in lower case without hyphens, it still works.
    let typed = link.code.replace('-', "").to_lowercase();
    let ch = phone.redeem_terminal_activation(&link.terminal_id, &typed, &public(&k)).await.unwrap();
    let id = link.terminal_id.clone();
    // Signed by another key, or over another message: refused.
    let other = key().sign(&terminal_link_message(&id, &ch.challenge));
    expect_code(phone.prove_terminal(&id, &B64.encode(other.to_bytes())).await, ErrorCode::TerminalSignatureInvalid);
    expect_code(phone.prove_terminal(&id, &B64.encode(k.sign(b"something else").to_bytes())).await, ErrorCode::TerminalSignatureInvalid);
    expect_code(phone.prove_terminal(&id, "not base64!").await, ErrorCode::TerminalSignatureInvalid);
    assert_eq!(admin.terminals(&t).await.unwrap()[0].status, TerminalStatus::Pending);
    let settings = phone.prove_terminal(&id, &B64.encode(k.sign(&terminal_link_message(&id, &ch.challenge)).to_bytes())).await.unwrap();
    assert_eq!(settings.terminal_id, id);
    assert_eq!(admin.terminals(&t).await.unwrap()[0].status, TerminalStatus::Linked);
    // Once linked, nothing more: not the code again, not another proof, not a new code.
    expect_code(phone.redeem_terminal_activation(&id, &link.code, &public(&key())).await, ErrorCode::ActivationCodeUsed);
    expect_code(phone.prove_terminal(&id, &B64.encode([0u8; 64])).await, ErrorCode::TerminalAlreadyLinked);
    expect_code(admin.reissue_terminal_activation(&t, &id).await, ErrorCode::TerminalAlreadyLinked);
    // A phone can do nothing else without the office's certificate.
    expect_code(phone.terminals(&t).await, ErrorCode::ClientCertificateRequired);
    expect_code(phone.health().await, ErrorCode::ClientCertificateRequired);
    // Unlinked terminals disappear from the list, and their name is free again.
    admin.unlink_terminal(&t, &id).await.unwrap();
    assert!(admin.terminals(&t).await.unwrap().is_empty());
    expect_code(admin.unlink_terminal(&t, &id).await, ErrorCode::TerminalNotFound);
    admin.issue_terminal(&t, "職員スマホ1", TerminalKind::Mobile).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activation_code_works_once_within_its_lifetime_and_wrong_ones_count_down() {
    let app = spawn_app().await;
    let session = app.ready_admin(&app.b, "termadmin2", "Term-pass-2026").await;
    let admin = app.client(&app.b);
    let t = session.session_token;
    let phone = app.client_with(None);
    let policy = kaigo_domain::Policy::default();

    // Expired: one second after its lifetime, refused; a new code works.
    let issued = admin.issue_terminal(&t, "受付PC1", TerminalKind::ThisPc).await.unwrap();
    let id = issued.terminal.terminal_id.clone();
    app.clock.advance(policy.terminal_activation_lifetime + time::Duration::SECOND);
    expect_code(phone.redeem_terminal_activation(&id, &issued.activation.code, &public(&key())).await, ErrorCode::ActivationCodeExpired);
    let again = admin.reissue_terminal_activation(&t, &id).await.unwrap();
    assert_ne!(again.activation.code, issued.activation.code);
    expect_code(phone.redeem_terminal_activation(&id, &issued.activation.code, &public(&key())).await, ErrorCode::ActivationCodeIncorrect);

    // Wrong codes: each answer says how many tries are left, then the code is void.
    let mut left = Vec::new();
    for _ in 1..policy.terminal_activation_max_attempts - 1 {
        let e = phone.redeem_terminal_activation(&id, "AAAA-AAAA-AAAA", &public(&key())).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::ActivationCodeIncorrect);
        left.push(e.tries_left().unwrap());
    }
    assert_eq!(left, vec![3, 2, 1], "the old code's miss counted first");
    expect_code(phone.redeem_terminal_activation(&id, "AAAA-AAAA-AAAA", &public(&key())).await, ErrorCode::ActivationCodeExpired);
    expect_code(phone.redeem_terminal_activation(&id, &again.activation.code, &public(&key())).await, ErrorCode::ActivationCodeExpired);

    // Single use: two devices racing with the right code — one wins.
    let fresh = admin.reissue_terminal_activation(&t, &id).await.unwrap();
    let (k1, k2) = (public(&key()), public(&key()));
    let (a, b) = tokio::join!(
        phone.redeem_terminal_activation(&id, &fresh.activation.code, &k1),
        phone.redeem_terminal_activation(&id, &fresh.activation.code, &k2),
    );
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert!(matches!(loser.unwrap_err().code(), ErrorCode::ActivationCodeUsed), "the second redemption is refused as used");

    // Malformed input is named by field.
    let e = phone.redeem_terminal_activation(&id, "ABC", &public(&key())).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ActivationCodeInvalid);
    expect_code(phone.redeem_terminal_activation(&id, &fresh.activation.code, "AAAA").await, ErrorCode::TerminalKeyInvalid);
    expect_code(phone.redeem_terminal_activation(&id, &fresh.activation.code, &B64.encode([0u8; 32])).await, ErrorCode::TerminalKeyInvalid);
    // An unknown terminal reads like a wrong code.
    expect_code(
        phone.redeem_terminal_activation("no-such-terminal", &fresh.activation.code, &public(&key())).await,
        ErrorCode::ActivationCodeIncorrect,
    );
    expect_code(phone.prove_terminal("no-such-terminal", &B64.encode([0u8; 64])).await, ErrorCode::TerminalChallengeExpired);
}

/// SECURITY.md: whether a terminal exists and waits for its device cannot
/// be told from the answers. Wrong codes for a waiting terminal and for an
/// ID no terminal has get the same answers, try for try — the same codes,
/// fields and tries left — down to "expired", and again after the
/// activation code's lifetime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_terminal_answers_as_a_waiting_one_does() {
    let app = spawn_app().await;
    let session = app.ready_admin(&app.b, "termadmin9", "Term-pass-2026").await;
    let admin = app.client(&app.b);
    let phone = app.client_with(None);
    let policy = kaigo_domain::Policy::default();
    let waiting = admin.issue_terminal(&session.session_token, "受付PC9", TerminalKind::ThisPc).await.unwrap().terminal.terminal_id;
    let unknown = uuid::Uuid::new_v4().to_string();
    let answer = |r: Result<kaigo_api::terminal::TerminalChallenge, kaigo_client::ClientError>| {
        let e = r.unwrap_err();
        (e.code(), e.field().map(str::to_owned), e.tries_left())
    };
    let mut seen = Vec::new();
    for _ in 0..policy.terminal_activation_max_attempts + 2 {
        let w = answer(phone.redeem_terminal_activation(&waiting, "AAAA-AAAA-AAAA", &public(&key())).await);
        let u = answer(phone.redeem_terminal_activation(&unknown, "AAAA-AAAA-AAAA", &public(&key())).await);
        assert_eq!(w, u, "try {}", seen.len() + 1);
        seen.push(w);
    }
    assert_eq!(
        seen[0],
        (ErrorCode::ActivationCodeIncorrect, Some("activation_code".to_owned()), Some(policy.terminal_activation_max_attempts - 1))
    );
    assert_eq!(seen.last().unwrap().0, ErrorCode::ActivationCodeExpired);

    // A fresh pair, past the code's lifetime: both expired.
    let waiting = admin.issue_terminal(&session.session_token, "受付PC10", TerminalKind::ThisPc).await.unwrap().terminal.terminal_id;
    let unknown = uuid::Uuid::new_v4().to_string();
    let w = answer(phone.redeem_terminal_activation(&waiting, "AAAA-AAAA-AAAA", &public(&key())).await);
    let u = answer(phone.redeem_terminal_activation(&unknown, "AAAA-AAAA-AAAA", &public(&key())).await);
    assert_eq!(w, u);
    app.clock.advance(policy.terminal_activation_lifetime + time::Duration::SECOND);
    let w = answer(phone.redeem_terminal_activation(&waiting, "AAAA-AAAA-AAAA", &public(&key())).await);
    let u = answer(phone.redeem_terminal_activation(&unknown, "AAAA-AAAA-AAAA", &public(&key())).await);
    assert_eq!(w, u);
    assert_eq!(u, (ErrorCode::ActivationCodeExpired, None, None));

    // The device's proof: a waiting terminal and an unknown one alike.
    let proof = |id: String| {
        let phone = &phone;
        async move { phone.prove_terminal(&id, &B64.encode([0u8; 64])).await.unwrap_err().code() }
    };
    assert_eq!(proof(waiting).await, proof(unknown).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_challenge_expires_and_a_reissued_code_starts_over() {
    let app = spawn_app().await;
    let session = app.ready_admin(&app.b, "termadmin3", "Term-pass-2026").await;
    let admin = app.client(&app.b);
    let t = session.session_token;
    let phone = app.client_with(None);
    let issued = admin.issue_terminal(&t, "受付PC2", TerminalKind::ThisPc).await.unwrap();
    let id = issued.terminal.terminal_id.clone();
    let k = key();
    let ch = phone.redeem_terminal_activation(&id, &issued.activation.code, &public(&k)).await.unwrap();
    app.clock.advance(time::Duration::minutes(11));
    let sig = B64.encode(k.sign(&terminal_link_message(&id, &ch.challenge)).to_bytes());
    expect_code(phone.prove_terminal(&id, &sig).await, ErrorCode::TerminalChallengeExpired);
    let again = admin.reissue_terminal_activation(&t, &id).await.unwrap();
    assert_eq!(again.terminal.status, TerminalStatus::AwaitingDevice);
    // The old key is gone with the old code: its signature no longer counts.
    let ch2 = phone.redeem_terminal_activation(&id, &again.activation.code, &public(&k)).await.unwrap();
    phone.prove_terminal(&id, &B64.encode(k.sign(&terminal_link_message(&id, &ch2.challenge)).to_bytes())).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_terminal_input_is_refused() {
    let app = spawn_app().await;
    let session = app.ready_admin(&app.b, "termadmin4", "Term-pass-2026").await;
    let client = app.client(&app.b);
    let t = session.session_token;
    expect_code(client.issue_terminal(&t, "", TerminalKind::ThisPc).await, ErrorCode::TerminalNameInvalid);
    client.issue_terminal(&t, "PC", TerminalKind::ThisPc).await.unwrap();
    expect_code(client.issue_terminal(&t, "PC", TerminalKind::Mobile).await, ErrorCode::TerminalNameTaken);
    expect_code(client.reissue_terminal_activation(&t, "no-such-terminal").await, ErrorCode::TerminalNotFound);
    // A signature that is not one is named as such first, whatever the
    // terminal's state (found by schemathesis: a terminal awaiting its
    // device answered "challenge expired" to a malformed signature).
    let awaiting = client.issue_terminal(&t, "Phone", TerminalKind::Mobile).await.unwrap();
    for id in [awaiting.terminal.terminal_id.as_str(), "no-such-terminal"] {
        let e = expect_code(client.prove_terminal(id, "not base64 *").await, ErrorCode::TerminalSignatureInvalid);
        assert!(matches!(&e, kaigo_client::ClientError::Api { body, .. } if body.field.as_deref() == Some("signature")), "{e:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_offices_admin_cannot_see_or_touch_a_terminal() {
    let app = spawn_app().await;
    let a = app.ready_admin(&app.a, "termadminA", "Term-pass-2026").await;
    let b = app.ready_admin(&app.b, "termadminB", "Term-pass-2026").await;
    let issued = app.client(&app.a).issue_terminal(&a.session_token, "PC-A", TerminalKind::ThisPc).await.unwrap();
    let cb = app.client(&app.b);
    assert!(cb.terminals(&b.session_token).await.unwrap().is_empty());
    expect_code(cb.unlink_terminal(&b.session_token, &issued.terminal.terminal_id).await, ErrorCode::TerminalNotFound);
    expect_code(cb.reissue_terminal_activation(&b.session_token, &issued.terminal.terminal_id).await, ErrorCode::TerminalNotFound);
}
