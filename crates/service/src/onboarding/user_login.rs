//! 3-3 管理者ユーザの認証: user ID and password with the office's certificate,
//! then a one-time code by mail or SMS (the user chooses), with "remember this
//! PC" for a while. A login with the initial password opens a session that
//! can do nothing but change the password.

use super::challenge::{check_code, consume, issue_code};
use super::error::parse_field;
use super::login::require_password;
use super::sessions::SessionKind;
use super::{messages, Caller, Failure, Onboarding, OnboardingResult};
use crate::secrets::{random_token, same, token_hash};
use crate::store::audit::{AuditAction, AuditEvent, AuditFailure, AuditOutcome};
use crate::store::challenges::Challenge;
use crate::store::users::{self, User};
use crate::store::{sessions, Conn};
use kaigo_api::office::CodeDelivery;
use kaigo_api::user::{DeviceTrust, UserLoginOutcome, UserSession, UserVerified};
use kaigo_domain::contact::code_channels;
use kaigo_domain::login::initial_password_usable;
use kaigo_domain::session::{device_trust_expiry, DeviceTrustRecord};
use kaigo_domain::{Account, DeliveryChannel, EmailAddress, ErrorCode, OneTimeCode, PhoneNumber, UserId};
use secrecy::{ExposeSecret, SecretString};

/// The channels a user can receive codes on.
pub(crate) fn channels_of(user: &User) -> Vec<DeliveryChannel> {
    code_channels(user.email.as_deref(), user.phone.as_deref())
}

impl Onboarding {
    pub async fn user_login(
        &self, caller: &Caller, user_id: &str, password: &SecretString, device_trust_token: Option<&SecretString>,
    ) -> OnboardingResult<UserLoginOutcome> {
        let user_id = parse_field("user_id", UserId::parse(user_id))?;
        require_password(password)?;
        // User IDs are unique per office: only the certificate's office's
        // users can be found, so another office's ID is simply unknown.
        let found = {
            let mut conn = self.db.acquire().await?;
            match crate::store::offices::office_of_certificate(&mut conn, &caller.cert_fingerprint).await? {
                Some(office_id) => users::find_by_user_id(&mut conn, &office_id, user_id.as_str()).await?,
                None => None,
            }
        };
        let user = self.password_step(caller, AuditAction::UserLogin, user_id.as_str(), found, None, password).await?;
        let now = self.now();
        let event = |outcome| caller.event(AuditAction::UserLogin, outcome, &user.office_id, user_id.as_str());
        let mut conn = self.db.acquire().await?;
        if let Err(code) = initial_password_usable(user.must_change_password, user.initial_password_issued_at, &self.policy, now) {
            self.audit(&mut conn, event(AuditOutcome::Failure(AuditFailure::InitialPasswordExpired))).await?;
            return Err(code.into());
        }
        if let Some(token) = device_trust_token {
            let trust = sessions::find_device_trust(&mut conn, &token_hash(token.expose_secret())).await?;
            let trusted = trust.is_some_and(|t| {
                let owned_by_caller = t.user_row_id == user.id && same(&t.cert_fingerprint, &caller.cert_fingerprint);
                DeviceTrustRecord { owned_by_caller, revoked: t.revoked, expires_at: t.expires_at }.trusted(now)
            });
            if trusted {
                let session = self.user_session(&mut conn, caller, &user).await?;
                self.audit(&mut conn, event(AuditOutcome::DeviceTrusted)).await?;
                return Ok(UserLoginOutcome::LoggedIn { session });
            }
            self.audit(&mut conn, event(AuditOutcome::Failure(AuditFailure::DeviceTrustInvalid))).await?;
        }
        let challenge = self.open_login(&mut conn, caller, Account::User, &user.office_id, Some(&user.id)).await?;
        Ok(UserLoginOutcome::CodeRequired { challenge_id: challenge.id, channels: channels_of(&user) })
    }

    /// Sends (or re-sends) the code by the channel the user chose.
    pub async fn user_send_code(&self, caller: &Caller, challenge_id: &str, channel: DeliveryChannel) -> OnboardingResult<CodeDelivery> {
        let mut conn = self.db.acquire().await?;
        let challenge = self.open_challenge(&mut conn, caller, challenge_id, Account::User).await?;
        let user = self.challenge_user(&mut conn, &challenge).await?;
        drop(conn);
        if !channels_of(&user).contains(&channel) {
            return Err(Failure::field(ErrorCode::DeliveryChannelUnavailable, "channel"));
        }
        let (recipient, masked) = match channel {
            DeliveryChannel::Email => {
                let email = user.email.clone().unwrap_or_default();
                let masked = EmailAddress::parse(&email).map(|e| e.masked()).unwrap_or_default();
                (email, masked)
            }
            DeliveryChannel::Sms => {
                let phone = PhoneNumber::parse(user.phone.as_deref().unwrap_or_default()).map_err(Failure::from)?;
                (phone.e164(), phone.masked())
            }
        };
        issue_code(self, &challenge, channel, &recipient, masked, |code, expires| messages::user_code(channel, code, expires)).await
    }

    pub async fn user_verify(
        &self, caller: &Caller, challenge_id: &str, code: &str, remember_device: bool,
    ) -> OnboardingResult<UserVerified> {
        let code = parse_field("code", OneTimeCode::parse(code))?;
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let challenge = self.open_challenge(&mut conn, caller, challenge_id, Account::User).await?;
        let user = self.challenge_user(&mut conn, &challenge).await?;
        let event = |outcome| caller.event(AuditAction::UserCode, outcome, &user.office_id, &user.user_id);
        check_code(self, &mut conn, &challenge, &code, event(AuditOutcome::Failure(AuditFailure::Code))).await?;
        drop(conn);
        let mut tx = self.db.begin().await?;
        consume(self, &mut tx, &challenge).await?;
        let session = self.user_session(&mut tx, caller, &user).await?;
        let device_trust = if remember_device {
            let token = random_token();
            let expires_at = device_trust_expiry(&self.policy, now);
            sessions::insert_device_trust(&mut tx, &token_hash(token.expose_secret()), &user.id, &caller.cert_fingerprint, now, expires_at)
                .await?;
            Some(DeviceTrust { token: token.expose_secret().to_owned(), expires_at })
        } else {
            None
        };
        self.audit(&mut tx, event(if remember_device { AuditOutcome::DeviceRemembered } else { AuditOutcome::Success })).await?;
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(UserVerified { session, device_trust })
    }

    /// Forgets every PC this user asked to be remembered.
    pub async fn revoke_device_trust(&self, caller: &Caller, session: &super::sessions::Session) -> OnboardingResult<u64> {
        let user_row_id = session.user_row_id()?;
        let mut conn = self.db.acquire().await?;
        let n = sessions::revoke_device_trusts(&mut conn, user_row_id, self.now()).await?;
        self.audit(
            &mut conn,
            AuditEvent {
                action: AuditAction::DeviceTrustRevoked,
                outcome: AuditOutcome::Success,
                office_id: Some(&session.office_id),
                user_id: None,
                cert_fingerprint: Some(&caller.cert_fingerprint),
                detail: None,
            },
        )
        .await?;
        Ok(n)
    }

    async fn challenge_user(&self, conn: &mut Conn, challenge: &Challenge) -> OnboardingResult<User> {
        let id = challenge.user_row_id.as_deref().ok_or(ErrorCode::ChallengeNotFound)?;
        Ok(users::find(conn, id).await?.ok_or(ErrorCode::ChallengeNotFound)?)
    }

    pub(crate) async fn user_session(&self, conn: &mut Conn, caller: &Caller, user: &User) -> OnboardingResult<UserSession> {
        let restricted = user.must_change_password;
        let s = self.open_session(conn, caller, SessionKind::User, &user.office_id, Some(&user.id), restricted).await?;
        Ok(UserSession {
            session_token: s.token.expose_secret().to_owned(),
            expires_at: s.expires_at,
            user_id: user.user_id.clone(),
            must_change_password: restricted,
        })
    }
}
