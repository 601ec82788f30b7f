//! The repository contract, run against SQLite and PostgreSQL alike.

use crate::harness::*;
use kaigo_domain::terminal::{Activation, TerminalKind, TerminalLink};
use kaigo_domain::{Account, DeliveryChannel, FailureRecord};
use kaigo_service::store::{self as store, audit, challenges, idempotency, offices, outbox, sessions, terminals, users, Db, StoreError};
use time::{Duration, OffsetDateTime};

/// An instant `ms` milliseconds after the epoch: small numbers keep the order plain.
fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::milliseconds(ms)
}

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
        now: at(1),
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
        now: at(1),
    };
    assert!(matches!(offices::insert(c, dup).await, Err(StoreError::Conflict(_))), "office number is unique");

    // Certificates map to their office until revoked.
    offices::add_certificate(c, "office-1", "fp1", "CN=x", at(10), at(1)).await.unwrap();
    assert!(matches!(offices::add_certificate(c, "office-1", "fp1", "CN=x", at(10), at(1)).await, Err(StoreError::Conflict(_))));
    assert_eq!(offices::office_of_certificate(c, "fp1").await.unwrap().as_deref(), Some("office-1"));
    assert!(!offices::certificate_revoked(c, "fp1").await.unwrap());
    assert!(offices::revoke_certificate(c, "fp1", "lost PC", at(2)).await.unwrap());
    assert!(!offices::revoke_certificate(c, "fp1", "lost PC", at(3)).await.unwrap(), "once");
    assert_eq!(offices::office_of_certificate(c, "fp1").await.unwrap(), None);
    assert!(offices::certificate_revoked(c, "fp1").await.unwrap());
    assert!(!offices::certificate_revoked(c, "unknown").await.unwrap());
    let certs = offices::certificates_of(c, "office-1").await.unwrap();
    assert_eq!((certs.len(), certs[0].revoked_at), (1, Some(at(2))));

    // A try is taken only from the record it was judged on.
    let fresh = FailureRecord::default();
    assert!(store::claim_login_try(c, Account::Office, "office-1", fresh, 1, at(5)).await.unwrap());
    assert!(
        !store::claim_login_try(c, Account::Office, "office-1", fresh, 1, at(5)).await.unwrap(),
        "a second try judged on the same record"
    );
    let one = FailureRecord { count: 1, last: Some(at(5)) };
    assert_eq!(store::login_failures(c, Account::Office, "office-1").await.unwrap(), one);
    assert!(store::claim_login_try(c, Account::Office, "office-1", one, 2, at(6)).await.unwrap());
    let two = FailureRecord { count: 2, last: Some(at(6)) };
    // Given back only while nothing else has changed it.
    store::release_login_try(c, Account::Office, "office-1", one, 2, at(6)).await.unwrap();
    assert_eq!(store::login_failures(c, Account::Office, "office-1").await.unwrap(), one);
    assert!(store::claim_login_try(c, Account::Office, "office-1", one, 2, at(6)).await.unwrap());
    assert!(store::claim_login_try(c, Account::Office, "office-1", two, 1, at(7)).await.unwrap(), "a count started afresh");
    store::release_login_try(c, Account::Office, "office-1", one, 2, at(6)).await.unwrap();
    let row = offices::find_by_billing_id(c, "KJ0000000001").await.unwrap().unwrap();
    assert_eq!(row.failures, FailureRecord { count: 1, last: Some(at(7)) }, "a release after another try leaves it");
    store::clear_login_failures(c, Account::Office, "office-1").await.unwrap();
    assert_eq!(offices::find(c, "office-1").await.unwrap().unwrap().failures, FailureRecord::default());

    // Users: unique user ID.
    let user = |id: &'static str, user_id: &'static str| users::NewUser {
        id,
        office_id: "office-1",
        user_id,
        role: users::Role::Admin,
        name: "花子",
        email: Some("h@example.jp"),
        phone: None,
        service_types_json: "[\"43\"]",
        job_category: "01",
        password_hash: "h",
        now: at(1),
    };
    users::insert(c, user("u1", "admin01")).await.unwrap();
    assert!(matches!(users::insert(c, user("u2", "admin01")).await, Err(StoreError::Conflict(_))));
    assert!(users::user_id_taken(c, "office-1", "admin01").await.unwrap());
    assert!(!users::user_id_taken(c, "office-2", "admin01").await.unwrap(), "user IDs are unique per office");
    let u = users::find_by_user_id(c, "office-1", "admin01").await.unwrap().unwrap();
    assert!(users::find_by_user_id(c, "office-2", "admin01").await.unwrap().is_none());
    assert_eq!((u.must_change_password, u.phone, u.role), (true, None, users::Role::Admin));
    users::set_password(c, "u1", "h2", at(3)).await.unwrap();
    assert!(!users::find(c, "u1").await.unwrap().unwrap().must_change_password);

    // A challenge completes once.
    challenges::insert(
        c,
        challenges::NewChallenge {
            id: "ch1",
            account: Account::Office,
            office_id: "office-1",
            user_row_id: None,
            cert_fingerprint: "fp",
            now: at(1),
            expires_at: at(100),
        },
    )
    .await
    .unwrap();
    challenges::set_code(c, "ch1", DeliveryChannel::Email, "hash", at(2), at(50)).await.unwrap();
    assert!(challenges::claim_code_try(c, "ch1", "hash", 0, 1).await.unwrap());
    assert!(!challenges::claim_code_try(c, "ch1", "hash", 0, 1).await.unwrap(), "a second entry judged on the same tries");
    assert!(!challenges::claim_code_try(c, "ch1", "other", 1, 2).await.unwrap(), "an entry judged on a code since replaced");
    assert_eq!(challenges::find(c, "ch1").await.unwrap().unwrap().code.unwrap().wrong_tries, 1);
    challenges::set_code(c, "ch1", DeliveryChannel::Email, "hash2", at(3), at(60)).await.unwrap();
    let ch = challenges::find(c, "ch1").await.unwrap().unwrap();
    let code = ch.code.unwrap();
    assert_eq!((code.wrong_tries, ch.code_hash.as_deref(), code.sent_at, code.expires_at), (0, Some("hash2"), at(3), at(60)));
    assert_eq!((ch.account, ch.channel, ch.expires_at, ch.completed), (Account::Office, Some(DeliveryChannel::Email), at(100), false));
    assert!(challenges::complete(c, "ch1", at(4)).await.unwrap());
    assert!(!challenges::complete(c, "ch1", at(5)).await.unwrap());
    assert!(challenges::find(c, "ch1").await.unwrap().unwrap().completed);

    // Sessions and device trust.
    let session = sessions::NewSession {
        token_hash: "t1",
        kind: sessions::SessionKind::User,
        office_id: "office-1",
        user_row_id: Some("u1"),
        cert_fingerprint: "fp",
        restricted: true,
        now: at(1),
        expires_at: at(100),
    };
    sessions::insert(c, session).await.unwrap();
    let s = sessions::find(c, "t1").await.unwrap().unwrap();
    assert_eq!((s.kind, s.restricted, s.last_seen_at, s.expires_at, s.revoked), (sessions::SessionKind::User, true, at(1), at(100), false));
    sessions::touch(c, "t1", at(2)).await.unwrap();
    sessions::revoke_all_for_user(c, "u1", at(2)).await.unwrap();
    let s = sessions::find(c, "t1").await.unwrap().unwrap();
    assert_eq!((s.last_seen_at, s.revoked), (at(2), true));
    sessions::insert_device_trust(c, "d1", "u1", "fp", at(1), at(100)).await.unwrap();
    let trust = sessions::find_device_trust(c, "d1").await.unwrap().unwrap();
    assert_eq!(
        (trust.user_row_id.as_str(), trust.cert_fingerprint.as_str(), trust.expires_at, trust.revoked),
        ("u1", "fp", at(100), false)
    );
    assert!(sessions::find_device_trust(c, "other").await.unwrap().is_none());
    assert_eq!(sessions::revoke_device_trusts(c, "u1", at(60)).await.unwrap(), 1);
    assert!(sessions::find_device_trust(c, "d1").await.unwrap().unwrap().revoked);

    // Idempotency keys are unique per office.
    idempotency::insert(c, "office-1", "key-00000001", "rh", "{}", at(1)).await.unwrap();
    assert!(matches!(idempotency::insert(c, "office-1", "key-00000001", "rh", "{}", at(1)).await, Err(StoreError::Conflict(_))));
    assert_eq!(idempotency::find(c, "office-1", "key-00000001").await.unwrap().unwrap().request_hash, "rh");

    // The outbox leases a message to one worker at a time.
    let id = outbox::new_message_id();
    outbox::enqueue(
        c,
        &id,
        outbox::NewMessage {
            office_id: "office-1",
            channel: DeliveryChannel::Email,
            recipient: "h@example.jp",
            subject: "件名",
            sealed_body: "本文",
        },
        at(10),
    )
    .await
    .unwrap();
    assert!(outbox::claim_due(c, at(9), at(100), "i1").await.unwrap().is_none(), "not due yet");
    let m = outbox::claim_due(c, at(10), at(100), "i1").await.unwrap().unwrap();
    assert_eq!((m.id.as_str(), m.attempts, m.body.as_str(), m.channel), (id.as_str(), 1, "本文", DeliveryChannel::Email));
    assert!(outbox::claim_due(c, at(50), at(150), "i2").await.unwrap().is_none(), "leased");
    outbox::mark_failed(c, &id, "i2", at(120), "late").await.unwrap();
    assert!(outbox::claim_due(c, at(50), at(150), "i2").await.unwrap().is_none(), "another's failure leaves i1's lease");
    outbox::mark_failed(c, &id, "i1", at(200), "451").await.unwrap();
    assert!(outbox::claim_due(c, at(199), at(300), "i1").await.unwrap().is_none(), "waits for its retry time");
    let m = outbox::claim_due(c, at(200), at(300), "i1").await.unwrap().unwrap();
    assert_eq!(m.attempts, 2);
    outbox::put_in_mailbox(c, &m, at(210)).await.unwrap();
    outbox::mark_delivered(c, &id, at(210)).await.unwrap();
    assert!(outbox::claim_due(c, at(10_000), at(20_000), "i1").await.unwrap().is_none());
    let kept = &outbox::mailbox(c, "office-1", Some("h@example.jp")).await.unwrap()[0];
    assert_eq!((kept.body.as_str(), kept.channel, kept.delivered_at), ("本文", DeliveryChannel::Email, at(210)));
    assert!(outbox::mailbox(c, "office-1", Some("other@example.jp")).await.unwrap().is_empty());
    assert_eq!(outbox::mailbox(c, "office-1", None).await.unwrap().len(), 1);
    assert!(outbox::mailbox(c, "office-2", None).await.unwrap().is_empty(), "each office sees its own messages only");

    // Terminal names are unique among terminals not unlinked.
    let t = |id: &'static str| terminals::NewTerminal {
        id,
        office_id: "office-1",
        name: "PC1",
        kind: TerminalKind::Mobile,
        activation_mac: "m",
        activation_expires_at: at(100),
        registered_by: "u1",
        now: at(1),
    };
    terminals::insert(c, t("t1")).await.unwrap();
    assert!(matches!(terminals::insert(c, t("t2")).await, Err(StoreError::Conflict(_))));
    let issued = terminals::find_by_id(c, "t1").await.unwrap().unwrap();
    assert_eq!(
        (issued.kind, issued.link, issued.public_key),
        (TerminalKind::Mobile, TerminalLink::AwaitingDevice(Activation { expires_at: at(100), wrong_entries: 0 }), None)
    );
    // Wrong codes are counted; a redemption needs the code still stored, once.
    assert_eq!(terminals::count_wrong_activation(c, "t1").await.unwrap(), 1);
    assert_eq!(terminals::count_wrong_activation(c, "t1").await.unwrap(), 2);
    assert!(!terminals::redeem_activation(c, "t1", "other-mac", "k", "c", at(50)).await.unwrap());
    assert!(terminals::redeem_activation(c, "t1", "m", "k", "c", at(50)).await.unwrap());
    assert!(!terminals::redeem_activation(c, "t1", "m", "k2", "c2", at(50)).await.unwrap(), "a code is redeemed once");
    let pending = terminals::find_active(c, "office-1", "t1").await.unwrap().unwrap();
    assert_eq!(
        (pending.link, pending.challenge.as_deref(), pending.public_key.as_deref()),
        (TerminalLink::Pending { challenge_expires_at: Some(at(50)) }, Some("c"), Some("k"))
    );
    assert!(!terminals::link(c, "t1", "wrong-challenge", at(5)).await.unwrap());
    assert!(terminals::link(c, "t1", "c", at(5)).await.unwrap());
    let linked = terminals::find_active(c, "office-1", "t1").await.unwrap().unwrap();
    assert_eq!((linked.link, linked.linked_at), (TerminalLink::Linked, Some(at(5))));
    assert!(!terminals::reissue_activation(c, "t1", "m2", at(200)).await.unwrap(), "no new code once linked");
    assert!(terminals::unlink(c, "office-1", "t1", at(6)).await.unwrap());
    assert!(terminals::find_by_id(c, "t1").await.unwrap().is_none());
    terminals::insert(c, t("t2")).await.unwrap();
    assert_eq!(terminals::count_wrong_activation(c, "t2").await.unwrap(), 1);
    assert!(terminals::reissue_activation(c, "t2", "m2", at(200)).await.unwrap());
    let reissued = terminals::find_active(c, "office-1", "t2").await.unwrap().unwrap();
    assert_eq!(reissued.link, TerminalLink::AwaitingDevice(Activation { expires_at: at(200), wrong_entries: 0 }));
    assert_eq!(terminals::list_active(c, "office-1").await.unwrap().len(), 1);

    audit::record(c, audit::AuditEvent::new(audit::AuditAction::UserUnlocked, audit::AuditOutcome::Success), at(1)).await.unwrap();
    let recorded = &audit::recent(c, 10).await.unwrap()[0];
    assert_eq!((recorded.event.as_str(), recorded.outcome.as_str(), recorded.at), ("user_unlocked", "success", at(1)));
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

#[tokio::test]
async fn on_sqlite_a_deleted_row_leaves_nothing_readable_in_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(Backend::Sqlite, dir.path()).await.unwrap();
    let db = Db::connect(&url).await.unwrap();
    let marker = "deleted-secret-".repeat(40);
    {
        let mut c = db.acquire().await.unwrap();
        for sql in ["CREATE TABLE probe (body TEXT NOT NULL)", "INSERT INTO probe (body) VALUES ('kept')"] {
            sqlx::query(sql).execute(&mut *c).await.unwrap();
        }
        sqlx::query("INSERT INTO probe (body) VALUES ($1)").bind(&marker).execute(&mut *c).await.unwrap();
        sqlx::query("DELETE FROM probe WHERE body <> 'kept'").execute(&mut *c).await.unwrap();
        // The log's frames copied into the main file, the log emptied: what
        // is left of the row is what the main file's pages kept.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *c).await.unwrap();
    }
    db.close().await;
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        // Closing removes the WAL and its index; on Windows that may happen
        // between listing the folder and reading the file.
        let bytes = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            read => read.unwrap(),
        };
        files += 1;
        assert!(!bytes.windows(marker.len()).any(|w| w == marker.as_bytes()), "a deleted row is readable in {}", path.display());
        assert!(!bytes.windows(15).any(|w| w == b"deleted-secret-"), "part of a deleted row is readable in {}", path.display());
    }
    assert!(files >= 1);
}
