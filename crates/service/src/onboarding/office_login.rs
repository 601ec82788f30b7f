//! 3-1 事業所ユーザの認証: KJ ID and password with the office's certificate,
//! then the one-time code mailed to the office's registered address (and the
//! security code if the office set one).

use super::challenge::{check_code, consume, count_wrong, issue_code, open_challenge};
use super::error::parse_field;
use super::sessions::SessionKind;
use super::{messages, Caller, Failure, Onboarding, OnboardingResult};
use crate::clock::{from_ms, to_ms};
use crate::store::audit::AuditEvent;
use crate::store::{challenges, new_id, offices};
use kaigo_api::office::{OfficeChallenge, OfficeSession, OfficeSummary};
use kaigo_domain::{DeliveryChannel, ElectronicBillingId, EmailAddress, ErrorCode, LoginGate, OneTimeCode, SecurityCode};
use secrecy::{ExposeSecret, SecretString};

const KIND: &str = "office";

impl Onboarding {
    pub async fn office_login(&self, caller: &Caller, electronic_billing_id: &str, password: &SecretString) -> OnboardingResult<OfficeChallenge> {
        let id = parse_field("electronic_billing_id", ElectronicBillingId::parse(electronic_billing_id))?;
        if password.expose_secret().is_empty() {
            return Err(Failure::field(ErrorCode::PasswordMissing, "password"));
        }
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let office = offices::find_by_billing_id(&mut conn, id.as_str()).await?;
        let cert_office = offices::office_of_certificate(&mut conn, &caller.cert_fingerprint).await?;
        let event = |outcome, office_id| AuditEvent {
            event: "office_login",
            outcome,
            office_id,
            user_id: Some(id.as_str()),
            cert_fingerprint: Some(&caller.cert_fingerprint),
            detail: None,
        };
        let Some(office) = office else {
            drop(conn);
            return Err(self.refuse_unknown_id(password, event("failure:unknown_id", None)).await);
        };
        // A certificate of another office: refused before the password is
        // judged, and not counted, so one office cannot lock out another.
        if cert_office.as_deref() != Some(office.id.as_str()) {
            self.audit(&mut conn, event("failure:certificate_office_mismatch", Some(&office.id))).await?;
            return Err(ErrorCode::CertificateOfficeMismatch.into());
        }
        let last_failed = office.last_failed_at.map(from_ms);
        let failures = office.failed_logins as u32;
        if let LoginGate::WaitUntil(until) = self.policy.office_gate(failures, last_failed, now) {
            self.audit(&mut conn, event("failure:locked", Some(&office.id))).await?;
            return Err(Failure::wait(ErrorCode::OfficeLocked, until - now));
        }
        drop(conn);
        let ok = self.hasher.verify(password, Some(&office.password_hash)).await?;
        let mut conn = self.db.acquire().await?;
        if !ok {
            let restart = self.policy.office_lock_expired(failures, last_failed, now);
            let count = offices::count_failure(&mut conn, &office.id, restart, to_ms(now)).await?;
            self.audit(&mut conn, event("failure:invalid_password", Some(&office.id))).await?;
            return Err(if count >= i64::from(self.policy.office_max_failures) {
                Failure::wait(ErrorCode::OfficeLocked, self.policy.office_lock_duration)
            } else {
                ErrorCode::InvalidCredentials.into()
            });
        }
        offices::set_failures(&mut conn, &office.id, 0, None).await?;
        let challenge_id = new_id();
        challenges::insert(
            &mut conn,
            challenges::NewChallenge {
                id: &challenge_id,
                kind: KIND,
                office_id: &office.id,
                user_row_id: None,
                cert_fingerprint: &caller.cert_fingerprint,
                now_ms: to_ms(now),
                expires_at_ms: to_ms(now + self.policy.login_challenge_lifetime),
            },
        )
        .await?;
        self.audit(&mut conn, event("password_accepted", Some(&office.id))).await?;
        let row = challenges::find(&mut conn, &challenge_id).await?.ok_or(ErrorCode::ChallengeNotFound)?;
        drop(conn);
        let delivery = self.send_office_code(&row, &office).await?;
        Ok(OfficeChallenge { challenge_id, delivery, security_code_required: office.security_code_hash.is_some() })
    }

    /// 「コードを再送する」: a new code (the old one stops working).
    pub async fn office_resend_code(&self, caller: &Caller, challenge_id: &str) -> OnboardingResult<kaigo_api::office::CodeDelivery> {
        let mut conn = self.db.acquire().await?;
        let row = open_challenge(self, &mut conn, caller, challenge_id, KIND).await?;
        let office = offices::find(&mut conn, &row.office_id).await?.ok_or(ErrorCode::ChallengeNotFound)?;
        drop(conn);
        self.send_office_code(&row, &office).await
    }

    async fn send_office_code(&self, row: &challenges::ChallengeRow, office: &offices::OfficeRow) -> OnboardingResult<kaigo_api::office::CodeDelivery> {
        let masked = EmailAddress::parse(&office.email).map(|e| e.masked()).unwrap_or_else(|_| "***".into());
        issue_code(self, row, DeliveryChannel::Email, &office.email, masked, |code, expires| {
            messages::office_code(&office.name, code, expires)
        })
        .await
    }

    pub async fn office_verify(&self, caller: &Caller, challenge_id: &str, code: &str, security_code: Option<&str>) -> OnboardingResult<OfficeSession> {
        let code = parse_field("code", OneTimeCode::parse(code))?;
        let mut conn = self.db.acquire().await?;
        let row = open_challenge(self, &mut conn, caller, challenge_id, KIND).await?;
        let office = offices::find(&mut conn, &row.office_id).await?.ok_or(ErrorCode::ChallengeNotFound)?;
        let event = |outcome| AuditEvent {
            event: "office_code",
            outcome,
            office_id: Some(&office.id),
            user_id: Some(&office.electronic_billing_id),
            cert_fingerprint: Some(&caller.cert_fingerprint),
            detail: None,
        };
        if let Err(e) = check_code(self, &mut conn, &row, &code).await {
            self.audit(&mut conn, event("failure:code")).await?;
            return Err(e);
        }
        if let Some(stored) = office.security_code_hash.as_deref() {
            let given = security_code.filter(|s| !s.trim().is_empty()).ok_or(Failure::field(ErrorCode::SecurityCodeRequired, "security_code"))?;
            let given = parse_field("security_code", SecurityCode::parse(given))?;
            drop(conn);
            let ok = self.hasher.verify(&SecretString::from(given.expose()), Some(stored)).await?;
            conn = self.db.acquire().await?;
            if !ok {
                let exhausted = count_wrong(self, &mut conn, &row).await?;
                self.audit(&mut conn, event("failure:security_code")).await?;
                let code = if exhausted { ErrorCode::CodeAttemptsExhausted } else { ErrorCode::SecurityCodeIncorrect };
                return Err(Failure::field(code, "security_code"));
            }
        }
        drop(conn);
        let mut tx = self.db.begin().await?;
        consume(self, &mut tx, &row).await?;
        let session = self.open_session(&mut tx, caller, SessionKind::Office, &office.id, None, false).await?;
        self.audit(&mut tx, event("success")).await?;
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(OfficeSession {
            session_token: session.token.expose_secret().to_owned(),
            expires_at: session.expires_at,
            office: OfficeSummary { office_number: office.office_number, name: office.name, electronic_billing_id: office.electronic_billing_id },
        })
    }
}
