//! The repository contract, run against SQLite and PostgreSQL alike.

use crate::harness::*;
use kaigo_service::store::{audit, challenges, idempotency, offices, outbox, sessions, terminals, users, Db, StoreError};

async fn contract(db: Db) {
    let mut c = db.acquire().await.unwrap();
    let c = &mut *c;
    let o = offices::NewOffice {
        id: "office-1",
        office_number: "1300000001",
        name: "事業所",
        electronic_billing_id: "KJ0000000001",
        password_hash: "h",
        security_code_hash: None,
        email: "a@example.jp",
        now_ms: 1,
    };
    offices::insert(c, o).await.unwrap();
    let dup = offices::NewOffice {
        id: "office-2",
        office_number: "1300000001",
        name: "x",
        electronic_billing_id: "KJ0000000002",
        password_hash: "h",
        security_code_hash: None,
        email: "b@example.jp",
        now_ms: 1,
    };
    assert!(matches!(offices::insert(c, dup).await, Err(StoreError::Conflict(_))), "office number is unique");

    // Certificates map to their office until revoked.
    offices::add_certificate(c, "office-1", "fp1", "CN=x", 10, 1).await.unwrap();
    assert!(matches!(offices::add_certificate(c, "office-1", "fp1", "CN=x", 10, 1).await, Err(StoreError::Conflict(_))));
    assert_eq!(offices::office_of_certificate(c, "fp1").await.unwrap().as_deref(), Some("office-1"));
    assert!(offices::revoke_certificate(c, "fp1", 2).await.unwrap());
    assert_eq!(offices::office_of_certificate(c, "fp1").await.unwrap(), None);

    // Failure counting is atomic and restartable.
    assert_eq!(offices::count_failure(c, "office-1", false, 5).await.unwrap(), 1);
    assert_eq!(offices::count_failure(c, "office-1", false, 6).await.unwrap(), 2);
    assert_eq!(offices::count_failure(c, "office-1", true, 7).await.unwrap(), 1);
    let row = offices::find_by_billing_id(c, "KJ0000000001").await.unwrap().unwrap();
    assert_eq!((row.failed_logins, row.last_failed_at), (1, Some(7)));

    // Users: unique user ID.
    let user = |id: &'static str, user_id: &'static str| users::NewUser {
        id,
        office_id: "office-1",
        user_id,
        role: "admin",
        name: "花子",
        email: Some("h@example.jp"),
        phone: None,
        service_types_json: "[\"43\"]",
        job_category: "01",
        password_hash: "h",
        now_ms: 1,
    };
    users::insert(c, user("u1", "admin01")).await.unwrap();
    assert!(matches!(users::insert(c, user("u2", "admin01")).await, Err(StoreError::Conflict(_))));
    assert!(users::user_id_taken(c, "admin01").await.unwrap());
    let u = users::find_by_user_id(c, "admin01").await.unwrap().unwrap();
    assert_eq!((u.must_change_password, u.phone), (1, None));
    users::set_password(c, "u1", "h2", 3).await.unwrap();
    assert_eq!(users::find(c, "u1").await.unwrap().unwrap().must_change_password, 0);

    // A challenge completes once.
    challenges::insert(c, challenges::NewChallenge { id: "ch1", kind: "office", office_id: "office-1", user_row_id: None, cert_fingerprint: "fp", now_ms: 1, expires_at_ms: 100 })
        .await
        .unwrap();
    challenges::set_code(c, "ch1", "email", "hash", 2, 50).await.unwrap();
    assert_eq!(challenges::count_wrong_code(c, "ch1").await.unwrap(), 1);
    challenges::set_code(c, "ch1", "email", "hash2", 3, 60).await.unwrap();
    let ch = challenges::find(c, "ch1").await.unwrap().unwrap();
    assert_eq!((ch.code_attempts, ch.code_hash.as_deref()), (0, Some("hash2")));
    assert!(challenges::complete(c, "ch1", 4).await.unwrap());
    assert!(!challenges::complete(c, "ch1", 5).await.unwrap());

    // Sessions and device trust.
    sessions::insert(c, sessions::NewSession { token_hash: "t1", kind: "user", office_id: "office-1", user_row_id: Some("u1"), cert_fingerprint: "fp", restricted: true, now_ms: 1, expires_at_ms: 100 })
        .await
        .unwrap();
    sessions::revoke_all_for_user(c, "u1", 2).await.unwrap();
    assert_eq!(sessions::find(c, "t1").await.unwrap().unwrap().revoked_at, Some(2));
    sessions::insert_device_trust(c, "d1", "u1", "fp", 1, 100).await.unwrap();
    assert!(sessions::device_trusted(c, "d1", "u1", "fp", 50).await.unwrap());
    assert!(!sessions::device_trusted(c, "d1", "u1", "other-fp", 50).await.unwrap());
    assert!(!sessions::device_trusted(c, "d1", "u1", "fp", 100).await.unwrap());
    assert_eq!(sessions::revoke_device_trusts(c, "u1", 60).await.unwrap(), 1);
    assert!(!sessions::device_trusted(c, "d1", "u1", "fp", 61).await.unwrap());

    // Idempotency keys are unique per office.
    idempotency::insert(c, "office-1", "key-00000001", "rh", "{}", 1).await.unwrap();
    assert!(matches!(idempotency::insert(c, "office-1", "key-00000001", "rh", "{}", 1).await, Err(StoreError::Conflict(_))));
    assert_eq!(idempotency::find(c, "office-1", "key-00000001").await.unwrap().unwrap().request_hash, "rh");

    // The outbox leases a message to one worker at a time.
    let id = outbox::enqueue(c, outbox::NewMessage { channel: "email", recipient: "h@example.jp", subject: "件名", body: "本文" }, 10).await.unwrap();
    assert!(outbox::claim_due(c, 9, 100).await.unwrap().is_none(), "not due yet");
    let m = outbox::claim_due(c, 10, 100).await.unwrap().unwrap();
    assert_eq!((m.id.as_str(), m.attempts, m.body.as_str()), (id.as_str(), 1, "本文"));
    assert!(outbox::claim_due(c, 50, 150).await.unwrap().is_none(), "leased");
    outbox::mark_failed(c, &id, 200, "451").await.unwrap();
    assert!(outbox::claim_due(c, 199, 300).await.unwrap().is_none(), "waits for its retry time");
    let m = outbox::claim_due(c, 200, 300).await.unwrap().unwrap();
    assert_eq!(m.attempts, 2);
    outbox::put_in_mailbox(c, &m, 210).await.unwrap();
    outbox::mark_delivered(c, &id, 210).await.unwrap();
    assert!(outbox::claim_due(c, 10_000, 20_000).await.unwrap().is_none());
    assert_eq!(outbox::mailbox(c, Some("h@example.jp")).await.unwrap()[0].body, "本文");
    assert!(outbox::mailbox(c, Some("other@example.jp")).await.unwrap().is_empty());
    assert_eq!(outbox::mailbox(c, None).await.unwrap().len(), 1);

    // Terminal names are unique among terminals not unlinked.
    let t = |id: &'static str| terminals::NewTerminal { id, office_id: "office-1", name: "PC1", public_key: "k", challenge: "c", challenge_expires_at_ms: 100, registered_by: "u1", now_ms: 1 };
    terminals::insert(c, t("t1")).await.unwrap();
    assert!(matches!(terminals::insert(c, t("t2")).await, Err(StoreError::Conflict(_))));
    assert!(!terminals::link(c, "t1", "wrong-challenge", 5).await.unwrap());
    assert!(terminals::link(c, "t1", "c", 5).await.unwrap());
    assert!(terminals::unlink(c, "office-1", "t1", 6).await.unwrap());
    terminals::insert(c, t("t2")).await.unwrap();
    assert_eq!(terminals::list_active(c, "office-1").await.unwrap().len(), 1);

    audit::record(c, audit::AuditEvent { event: "e", outcome: "success", ..Default::default() }, 1).await.unwrap();
    assert_eq!(audit::recent(c, 10).await.unwrap()[0].event, "e");
}

#[tokio::test]
async fn the_repository_contract_holds_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Sqlite, dir.path()).await.unwrap();
    contract(Db::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn the_repository_contract_holds_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = fresh_database(Backend::Postgres, dir.path()).await else { return };
    contract(Db::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn migrations_run_again_without_harm() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Sqlite, dir.path()).await.unwrap();
    Db::connect(&url).await.unwrap().close().await;
    let db = Db::connect(&url).await.unwrap();
    db.ping().await.unwrap();
}
