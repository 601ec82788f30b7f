//! 3-2 管理者ユーザの登録: under an office session, create the admin account
//! and send its initial password to the admin's contact, exactly once.

use super::error::parse_field;
use super::sessions::Session;
use super::{messages, Caller, Failure, Onboarding, OnboardingResult};
use crate::secrets::initial_password;
use crate::store::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::store::users::Role;
use crate::store::{self as store, idempotency, new_id, offices, sessions, users, StoreError};
use kaigo_api::office::{AdminRegistration, AdminRegistrationRequest, InitialPasswordReissued, UserIdAvailability};
use kaigo_domain::{check_admin_application, initial_password_destination, Account, EmailAddress, ErrorCode, PhoneNumber, UserId};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

/// A registration answer, and whether it is a replay of an earlier one.
pub struct Registered {
    pub registration: AdminRegistration,
    pub replayed: bool,
}

/// How long an `Idempotency-Key` may be (its characters: [A-Za-z0-9_-]).
pub const IDEMPOTENCY_KEY_LEN: std::ops::RangeInclusive<usize> = 8..=64;

fn check_idempotency_key(key: &str) -> OnboardingResult<()> {
    let ok = IDEMPOTENCY_KEY_LEN.contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ErrorCode::IdempotencyKeyInvalid.into())
    }
}

impl Onboarding {
    pub async fn register_admin(
        &self, caller: &Caller, session: &Session, key: &str, req: &AdminRegistrationRequest,
    ) -> OnboardingResult<Registered> {
        check_idempotency_key(key)?;
        let request_hash = hex::encode(Sha256::digest(serde_json::to_vec(req).map_err(anyhow::Error::from)?));
        let mut conn = self.db.acquire().await?;
        if let Some(done) = self.replay(&mut conn, &session.office_id, key, &request_hash).await? {
            return Ok(done);
        }

        let admin = check_admin_application(&req.application(), &self.lists).map_err(|r| Failure::field(r.code, r.field))?;
        if users::user_id_taken(&mut conn, &session.office_id, admin.user_id.as_str()).await? {
            return Err(Failure::field(ErrorCode::UserIdTaken, "user_id"));
        }
        let office = offices::find(&mut conn, &session.office_id).await?.ok_or(ErrorCode::Unauthenticated)?;
        drop(conn);

        let password = initial_password();
        let hash = self.hasher.hash(&password).await?;
        let now = self.now();
        let registration = AdminRegistration {
            user_id: admin.user_id.as_str().to_owned(),
            initial_password_channel: admin.destination.channel,
            initial_password_sent_to: admin.destination.masked.clone(),
            registered_at: now,
        };
        let stored = serde_json::to_string(&registration).map_err(anyhow::Error::from)?;
        let text = messages::initial_password(
            admin.destination.channel,
            &office.name,
            admin.name.as_str(),
            admin.user_id.as_str(),
            password.expose_secret(),
            &self.policy,
        );

        // Key, account, message and audit commit together or not at all.
        let mut tx = self.db.begin().await?;
        match idempotency::insert(&mut tx, &office.id, key, &request_hash, &stored, now).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                // A simultaneous retry won the key: answer as it did.
                drop(tx);
                let mut conn = self.db.acquire().await?;
                return self.replay(&mut conn, &office.id, key, &request_hash).await?.ok_or(Failure::from(ErrorCode::IdempotencyKeyReused));
            }
            Err(e) => return Err(e.into()),
        }
        let user_row_id = new_id();
        let services_json = serde_json::to_string(&admin.service_types).map_err(anyhow::Error::from)?;
        match users::insert(
            &mut tx,
            users::NewUser {
                id: &user_row_id,
                office_id: &office.id,
                user_id: admin.user_id.as_str(),
                role: Role::Admin,
                name: admin.name.as_str(),
                email: admin.email.as_ref().map(|e| e.as_str()),
                phone: admin.phone.as_ref().map(|p| p.as_str()),
                service_types_json: &services_json,
                job_category: &req.job_category,
                password_hash: &hash,
                now,
            },
        )
        .await
        {
            Err(StoreError::Conflict(_)) => return Err(Failure::field(ErrorCode::UserIdTaken, "user_id")),
            other => other?,
        }
        self.queue_message(&mut tx, &office.id, admin.destination.channel, &admin.destination.recipient, &text.subject, &text.body, now)
            .await?;
        self.audit(
            &mut tx,
            AuditEvent {
                action: AuditAction::AdminRegistered,
                outcome: AuditOutcome::Success,
                office_id: Some(&office.id),
                user_id: Some(admin.user_id.as_str()),
                cert_fingerprint: Some(&caller.cert_fingerprint),
                detail: Some(admin.destination.channel.as_str()),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.outbox_wakeup.notify_one();
        Ok(Registered { registration, replayed: false })
    }

    async fn replay(
        &self, conn: &mut crate::store::Conn, office_id: &str, key: &str, request_hash: &str,
    ) -> OnboardingResult<Option<Registered>> {
        let Some(found) = idempotency::find(conn, office_id, key).await? else { return Ok(None) };
        if found.request_hash != request_hash {
            return Err(ErrorCode::IdempotencyKeyReused.into());
        }
        let registration = serde_json::from_str(&found.response).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(Registered { registration, replayed: true }))
    }

    /// For checking a user ID while it is typed: within the session's office
    /// (user IDs are unique per office; other offices' are not told).
    pub async fn user_id_availability(&self, session: &Session, user_id: &str) -> OnboardingResult<UserIdAvailability> {
        let id = parse_field("user_id", UserId::parse(user_id))?;
        let mut conn = self.db.acquire().await?;
        let taken = users::user_id_taken(&mut conn, &session.office_id, id.as_str()).await?;
        Ok(UserIdAvailability { user_id: id.as_str().to_owned(), available: !taken })
    }

    /// 初期パスワードの再発行: a new initial password for a user of this office
    /// (the old one, and every session and remembered PC of the user, stop
    /// working), sent to the user's contact.
    pub async fn reissue_initial_password(
        &self, caller: &Caller, session: &Session, user_id: &str,
    ) -> OnboardingResult<InitialPasswordReissued> {
        let id = parse_field("user_id", UserId::parse(user_id))?;
        let mut conn = self.db.acquire().await?;
        let user = users::find_by_user_id(&mut conn, &session.office_id, id.as_str()).await?.ok_or(ErrorCode::NotFound)?;
        let office = offices::find(&mut conn, &session.office_id).await?.ok_or(ErrorCode::Unauthenticated)?;
        drop(conn);
        let email = user.email.as_deref().and_then(|e| EmailAddress::parse(e).ok());
        let phone = user.phone.as_deref().and_then(|p| PhoneNumber::parse(p).ok());
        let destination = initial_password_destination(email.as_ref(), phone.as_ref()).map_err(|r| Failure::field(r.code, r.field))?;
        let (channel, recipient, masked) = (destination.channel, destination.recipient, destination.masked);
        let password = initial_password();
        let hash = self.hasher.hash(&password).await?;
        let now = self.now();
        let text = messages::initial_password(channel, &office.name, &user.name, &user.user_id, password.expose_secret(), &self.policy);
        let mut tx = self.db.begin().await?;
        users::reset_initial_password(&mut tx, &user.id, &hash, now).await?;
        sessions::revoke_all_for_user(&mut tx, &user.id, now).await?;
        sessions::revoke_device_trusts(&mut tx, &user.id, now).await?;
        self.queue_message(&mut tx, &office.id, channel, &recipient, &text.subject, &text.body, now).await?;
        self.audit(
            &mut tx,
            AuditEvent {
                action: AuditAction::InitialPasswordReissued,
                outcome: AuditOutcome::Success,
                office_id: Some(&office.id),
                user_id: Some(&user.user_id),
                cert_fingerprint: Some(&caller.cert_fingerprint),
                detail: Some(channel.as_str()),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.outbox_wakeup.notify_one();
        Ok(InitialPasswordReissued {
            user_id: user.user_id,
            initial_password_channel: channel,
            initial_password_sent_to: masked,
            issued_at: now,
        })
    }

    /// Lets an office user unlock one of the office's users after lockout.
    pub async fn unlock_user(&self, caller: &Caller, session: &Session, user_id: &str) -> OnboardingResult<()> {
        let id = parse_field("user_id", UserId::parse(user_id))?;
        let mut conn = self.db.acquire().await?;
        let user = users::find_by_user_id(&mut conn, &session.office_id, id.as_str()).await?.ok_or(ErrorCode::NotFound)?;
        store::clear_login_failures(&mut conn, Account::User, &user.id).await?;
        self.audit(
            &mut conn,
            AuditEvent {
                action: AuditAction::UserUnlocked,
                outcome: AuditOutcome::Success,
                office_id: Some(&session.office_id),
                user_id: Some(id.as_str()),
                cert_fingerprint: Some(&caller.cert_fingerprint),
                detail: None,
            },
        )
        .await?;
        Ok(())
    }
}
