//! 3-3 管理者ユーザの認証: user ID and password with the office's certificate,
//! then a one-time code by mail or SMS (the user chooses), with "remember this
//! PC" for 24 hours. A login with the initial password opens a session that
//! can do nothing but change the password.

use super::challenge::{check_code, consume, issue_code, open_challenge};
use super::error::parse_field;
use super::sessions::SessionKind;
use super::{messages, Caller, Failure, Onboarding, OnboardingResult};
use crate::clock::{from_ms, to_ms};
use crate::secrets::{random_token, token_hash};
use crate::store::audit::AuditEvent;
use crate::store::users::UserRow;
use crate::store::{challenges, new_id, offices, sessions, users, Conn};
use kaigo_api::office::CodeDelivery;
use kaigo_api::user::{DeviceTrust, UserLoginOutcome, UserSession, UserVerified};
use kaigo_domain::{DeliveryChannel, EmailAddress, ErrorCode, LoginGate, OneTimeCode, PhoneNumber, UserId};
use secrecy::{ExposeSecret, SecretString};

const KIND: &str = "user";

/// The channels a user can receive codes on: mail if they gave an address,
/// SMS if they gave a mobile number.
pub(crate) fn channels_of(user: &UserRow) -> Vec<DeliveryChannel> {
    let mut v = Vec::new();
    if user.email.is_some() {
        v.push(DeliveryChannel::Email);
    }
    if user.phone.as_deref().and_then(|p| PhoneNumber::parse(p).ok()).is_some_and(|p| p.is_mobile()) {
        v.push(DeliveryChannel::Sms);
    }
    v
}

impl Onboarding {
    pub async fn user_login(
        &self,
        caller: &Caller,
        user_id: &str,
        password: &SecretString,
        device_trust_token: Option<&SecretString>,
    ) -> OnboardingResult<UserLoginOutcome> {
        let user_id = parse_field("user_id", UserId::parse(user_id))?;
        if password.expose_secret().is_empty() {
            return Err(Failure::field(ErrorCode::PasswordMissing, "password"));
        }
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let user = users::find_by_user_id(&mut conn, user_id.as_str()).await?;
        let event = |outcome, office_id| AuditEvent {
            event: "user_login",
            outcome,
            office_id,
            user_id: Some(user_id.as_str()),
            cert_fingerprint: Some(&caller.cert_fingerprint),
            detail: None,
        };
        let Some(user) = user else {
            drop(conn);
            return Err(self.refuse_unknown_id(password, event("failure:unknown_id", None)).await);
        };
        let cert_office = offices::office_of_certificate(&mut conn, &caller.cert_fingerprint).await?;
        if cert_office.as_deref() != Some(user.office_id.as_str()) {
            self.audit(&mut conn, event("failure:certificate_office_mismatch", Some(&user.office_id))).await?;
            return Err(ErrorCode::CertificateOfficeMismatch.into());
        }
        match self.policy.user_gate(user.failed_logins as u32, user.last_failed_at.map(from_ms), now) {
            LoginGate::Open => {}
            LoginGate::Locked => {
                self.audit(&mut conn, event("failure:locked", Some(&user.office_id))).await?;
                return Err(ErrorCode::UserLocked.into());
            }
            LoginGate::WaitUntil(until) => {
                self.audit(&mut conn, event("failure:throttled", Some(&user.office_id))).await?;
                return Err(Failure::wait(ErrorCode::LoginThrottled, until - now));
            }
        }
        drop(conn);
        let ok = self.hasher.verify(password, Some(&user.password_hash)).await?;
        let mut conn = self.db.acquire().await?;
        if !ok {
            let count = users::count_failure(&mut conn, &user.id, false, to_ms(now)).await?;
            self.audit(&mut conn, event("failure:invalid_password", Some(&user.office_id))).await?;
            return Err(if count >= i64::from(self.policy.user_max_failures) {
                ErrorCode::UserLocked.into()
            } else {
                ErrorCode::InvalidCredentials.into()
            });
        }
        if user.failed_logins != 0 {
            users::set_failures(&mut conn, &user.id, 0, None).await?;
        }
        let issued = user.initial_password_issued_at.map(from_ms);
        if user.must_change_password != 0 && issued.is_some_and(|t| t + self.policy.initial_password_lifetime <= now) {
            self.audit(&mut conn, event("failure:initial_password_expired", Some(&user.office_id))).await?;
            return Err(ErrorCode::InitialPasswordExpired.into());
        }
        if let Some(token) = device_trust_token {
            let trusted = sessions::device_trusted(&mut conn, &token_hash(token.expose_secret()), &user.id, &caller.cert_fingerprint, to_ms(now)).await?;
            if trusted {
                let session = self.user_session(&mut conn, caller, &user).await?;
                self.audit(&mut conn, event("success:device_trusted", Some(&user.office_id))).await?;
                return Ok(UserLoginOutcome::LoggedIn { session });
            }
            self.audit(&mut conn, event("device_trust_invalid", Some(&user.office_id))).await?;
        }
        let challenge_id = new_id();
        challenges::insert(
            &mut conn,
            challenges::NewChallenge {
                id: &challenge_id,
                kind: KIND,
                office_id: &user.office_id,
                user_row_id: Some(&user.id),
                cert_fingerprint: &caller.cert_fingerprint,
                now_ms: to_ms(now),
                expires_at_ms: to_ms(now + self.policy.login_challenge_lifetime),
            },
        )
        .await?;
        self.audit(&mut conn, event("password_accepted", Some(&user.office_id))).await?;
        Ok(UserLoginOutcome::CodeRequired { challenge_id, channels: channels_of(&user) })
    }

    /// Sends (or re-sends) the code by the channel the user chose.
    pub async fn user_send_code(&self, caller: &Caller, challenge_id: &str, channel: DeliveryChannel) -> OnboardingResult<CodeDelivery> {
        let mut conn = self.db.acquire().await?;
        let row = open_challenge(self, &mut conn, caller, challenge_id, KIND).await?;
        let user = self.challenge_user(&mut conn, &row).await?;
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
        issue_code(self, &row, channel, &recipient, masked, |code, expires| messages::user_code(channel, code, expires)).await
    }

    pub async fn user_verify(&self, caller: &Caller, challenge_id: &str, code: &str, remember_device: bool) -> OnboardingResult<UserVerified> {
        let code = parse_field("code", OneTimeCode::parse(code))?;
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let row = open_challenge(self, &mut conn, caller, challenge_id, KIND).await?;
        let user = self.challenge_user(&mut conn, &row).await?;
        let event = |outcome| AuditEvent {
            event: "user_code",
            outcome,
            office_id: Some(&user.office_id),
            user_id: Some(&user.user_id),
            cert_fingerprint: Some(&caller.cert_fingerprint),
            detail: None,
        };
        if let Err(e) = check_code(self, &mut conn, &row, &code).await {
            self.audit(&mut conn, event("failure:code")).await?;
            return Err(e);
        }
        drop(conn);
        let mut tx = self.db.begin().await?;
        consume(self, &mut tx, &row).await?;
        let session = self.user_session(&mut tx, caller, &user).await?;
        let device_trust = if remember_device {
            let token = random_token();
            let expires_at = now + self.policy.device_trust_lifetime;
            sessions::insert_device_trust(&mut tx, &token_hash(token.expose_secret()), &user.id, &caller.cert_fingerprint, to_ms(now), to_ms(expires_at)).await?;
            Some(DeviceTrust { token: token.expose_secret().to_owned(), expires_at })
        } else {
            None
        };
        self.audit(&mut tx, event(if remember_device { "success:device_remembered" } else { "success" })).await?;
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(UserVerified { session, device_trust })
    }

    /// Forgets every PC this user asked to be remembered.
    pub async fn revoke_device_trust(&self, caller: &Caller, session: &super::sessions::Session) -> OnboardingResult<u64> {
        let user_row_id = session.user_row_id()?;
        let mut conn = self.db.acquire().await?;
        let n = sessions::revoke_device_trusts(&mut conn, user_row_id, to_ms(self.now())).await?;
        self.audit(
            &mut conn,
            AuditEvent { event: "device_trust_revoked", outcome: "success", office_id: Some(&session.office_id), user_id: None, cert_fingerprint: Some(&caller.cert_fingerprint), detail: None },
        )
        .await?;
        Ok(n)
    }

    async fn challenge_user(&self, conn: &mut Conn, row: &challenges::ChallengeRow) -> OnboardingResult<UserRow> {
        let id = row.user_row_id.as_deref().ok_or(ErrorCode::ChallengeNotFound)?;
        Ok(users::find(conn, id).await?.ok_or(ErrorCode::ChallengeNotFound)?)
    }

    pub(crate) async fn user_session(&self, conn: &mut Conn, caller: &Caller, user: &UserRow) -> OnboardingResult<UserSession> {
        let restricted = user.must_change_password != 0;
        let s = self.open_session(conn, caller, SessionKind::User, &user.office_id, Some(&user.id), restricted).await?;
        Ok(UserSession { session_token: s.token.expose_secret().to_owned(), expires_at: s.expires_at, user_id: user.user_id.clone(), must_change_password: restricted })
    }
}
