//! Terminal pre-setup: the key proves the terminal, nothing else does.

use crate::harness::*;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use kaigo_api::terminal::terminal_link_message;
use kaigo_client::ErrorCode;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn key() -> SigningKey {
    SigningKey::from_bytes(&rand::random::<[u8; 32]>())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_is_linked_only_by_a_signature_of_its_own_key() {
    let app = spawn_app().await;
    let session = app.ready_admin(&app.b, "termadmin1", "Term-pass-2026").await;
    let client = app.client(&app.b);
    let t = session.session_token;
    let k = key();
    let reg = client.register_terminal(&t, "受付PC1", &B64.encode(k.verifying_key().as_bytes())).await.unwrap();
    let id = reg.terminal.terminal_id.clone();
    // Signed by another key, or over another message: refused.
    let other = key().sign(&terminal_link_message(&id, &reg.challenge.challenge));
    expect_code(client.verify_terminal(&t, &id, &B64.encode(other.to_bytes())).await, ErrorCode::TerminalSignatureInvalid);
    let wrong_msg = k.sign(b"something else");
    expect_code(client.verify_terminal(&t, &id, &B64.encode(wrong_msg.to_bytes())).await, ErrorCode::TerminalSignatureInvalid);
    expect_code(client.verify_terminal(&t, &id, "not base64!").await, ErrorCode::TerminalSignatureInvalid);
    // The challenge expires; a renewed one works.
    app.clock.advance(time::Duration::minutes(11));
    let sig = k.sign(&terminal_link_message(&id, &reg.challenge.challenge));
    expect_code(client.verify_terminal(&t, &id, &B64.encode(sig.to_bytes())).await, ErrorCode::TerminalChallengeExpired);
    let fresh = client.renew_terminal_challenge(&t, &id).await.unwrap();
    let sig = k.sign(&terminal_link_message(&id, &fresh.challenge));
    let linked = client.verify_terminal(&t, &id, &B64.encode(sig.to_bytes())).await.unwrap();
    assert_eq!(linked.status, kaigo_api::terminal::TerminalStatus::Linked);
    // Unlinked terminals disappear from the list, and their name is free again.
    client.unlink_terminal(&t, &id).await.unwrap();
    assert!(client.terminals(&t).await.unwrap().is_empty());
    expect_code(client.unlink_terminal(&t, &id).await, ErrorCode::TerminalNotFound);
    client.register_terminal(&t, "受付PC1", &B64.encode(key().verifying_key().as_bytes())).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_terminal_input_is_refused() {
    let app = spawn_app().await;
    let session = app.ready_admin(&app.b, "termadmin2", "Term-pass-2026").await;
    let client = app.client(&app.b);
    let t = session.session_token;
    expect_code(client.register_terminal(&t, "", &B64.encode(key().verifying_key().as_bytes())).await, ErrorCode::TerminalNameInvalid);
    expect_code(client.register_terminal(&t, "PC", "AAAA").await, ErrorCode::TerminalKeyInvalid);
    expect_code(client.register_terminal(&t, "PC", &B64.encode([0u8; 32])).await, ErrorCode::TerminalKeyInvalid);
    client.register_terminal(&t, "PC", &B64.encode(key().verifying_key().as_bytes())).await.unwrap();
    expect_code(client.register_terminal(&t, "PC", &B64.encode(key().verifying_key().as_bytes())).await, ErrorCode::TerminalNameTaken);
    expect_code(client.verify_terminal(&t, "no-such-terminal", "AAAA").await, ErrorCode::TerminalNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_offices_admin_cannot_see_or_touch_a_terminal() {
    let app = spawn_app().await;
    let a = app.ready_admin(&app.a, "termadminA", "Term-pass-2026").await;
    let b = app.ready_admin(&app.b, "termadminB", "Term-pass-2026").await;
    let reg = app.client(&app.a).register_terminal(&a.session_token, "PC-A", &B64.encode(key().verifying_key().as_bytes())).await.unwrap();
    let cb = app.client(&app.b);
    assert!(cb.terminals(&b.session_token).await.unwrap().is_empty());
    expect_code(cb.unlink_terminal(&b.session_token, &reg.terminal.terminal_id).await, ErrorCode::TerminalNotFound);
}
