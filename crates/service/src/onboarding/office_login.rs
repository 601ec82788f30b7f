//! 3-1 事業所ユーザの認証: KJ ID and password with the office's certificate,
//! then the one-time code mailed to the office's registered address (and the
//! security code if the office set one).

use super::challenge::{check_code, consume, issue_code};
use super::error::parse_field;
use super::login::require_password;
use super::sessions::SessionKind;
use super::{messages, Caller, Failure, Onboarding, OnboardingResult};
use crate::store::audit::{AuditAction, AuditFailure, AuditOutcome};
use crate::store::challenges::Challenge;
use crate::store::offices::{self, Office};
use kaigo_api::office::{CodeDelivery, OfficeChallenge, OfficeSession, OfficeSummary};
use kaigo_domain::challenge::{required_security_code, wrong_security_code};
use kaigo_domain::{Account, DeliveryChannel, ElectronicBillingId, EmailAddress, ErrorCode, OneTimeCode};
use secrecy::{ExposeSecret, SecretString};

impl Onboarding {
    pub async fn office_login(
        &self, caller: &Caller, electronic_billing_id: &str, password: &SecretString,
    ) -> OnboardingResult<OfficeChallenge> {
        let id = parse_field("electronic_billing_id", ElectronicBillingId::parse(electronic_billing_id))?;
        require_password(password)?;
        let (found, own) = {
            let mut conn = self.db.acquire().await?;
            let found = offices::find_by_billing_id(&mut conn, id.as_str()).await?;
            let own = match offices::office_of_certificate(&mut conn, &caller.cert_fingerprint).await? {
                Some(office_id) => offices::find(&mut conn, &office_id).await?,
                None => None,
            };
            (found, own)
        };
        let office = self.password_step(caller, AuditAction::OfficeLogin, id.as_str(), found, own, password).await?;
        let challenge = self.open_login(&mut *self.db.acquire().await?, caller, Account::Office, &office.id, None).await?;
        let delivery = self.send_office_code(&challenge, &office).await?;
        Ok(OfficeChallenge { challenge_id: challenge.id, delivery, security_code_required: office.security_code_hash.is_some() })
    }

    /// 「コードを再送する」: a new code (the old one stops working).
    pub async fn office_resend_code(&self, caller: &Caller, challenge_id: &str) -> OnboardingResult<CodeDelivery> {
        let mut conn = self.db.acquire().await?;
        let challenge = self.open_challenge(&mut conn, caller, challenge_id, Account::Office).await?;
        let office = offices::find(&mut conn, &challenge.office_id).await?.ok_or(ErrorCode::ChallengeNotFound)?;
        drop(conn);
        self.send_office_code(&challenge, &office).await
    }

    async fn send_office_code(&self, challenge: &Challenge, office: &Office) -> OnboardingResult<CodeDelivery> {
        let masked = EmailAddress::parse(&office.email).map(|e| e.masked()).unwrap_or_else(|_| "***".into());
        issue_code(self, challenge, DeliveryChannel::Email, &office.email, masked, |code, expires| {
            messages::office_code(&office.name, code, expires, &self.policy)
        })
        .await
    }

    pub async fn office_verify(
        &self, caller: &Caller, challenge_id: &str, code: &str, security_code: Option<&str>,
    ) -> OnboardingResult<OfficeSession> {
        let code = parse_field("code", OneTimeCode::parse(code))?;
        let mut conn = self.db.acquire().await?;
        let challenge = self.open_challenge(&mut conn, caller, challenge_id, Account::Office).await?;
        let office = offices::find(&mut conn, &challenge.office_id).await?.ok_or(ErrorCode::ChallengeNotFound)?;
        let event = |outcome| caller.event(AuditAction::OfficeCode, outcome, &office.id, &office.electronic_billing_id);
        let tries = check_code(self, &mut conn, &challenge, &code, event(AuditOutcome::Failure(AuditFailure::Code))).await?;
        if let Some(stored) = office.security_code_hash.as_deref() {
            let given = parse_field("security_code", required_security_code(security_code))?;
            drop(conn);
            let right = self.hasher.verify(&SecretString::from(given.expose()), Some(stored)).await?;
            conn = self.db.acquire().await?;
            if !right {
                self.audit(&mut conn, event(AuditOutcome::Failure(AuditFailure::SecurityCode))).await?;
                return Err(Failure::field(wrong_security_code(tries, &self.policy), "security_code"));
            }
        }
        drop(conn);
        let mut tx = self.db.begin().await?;
        consume(self, &mut tx, &challenge).await?;
        let session = self.open_session(&mut tx, caller, SessionKind::Office, &office.id, None, false).await?;
        self.audit(&mut tx, event(AuditOutcome::Success)).await?;
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(OfficeSession {
            session_token: session.token.expose_secret().to_owned(),
            expires_at: session.expires_at,
            office: OfficeSummary {
                office_number: office.office_number,
                name: office.name,
                electronic_billing_id: office.electronic_billing_id,
            },
        })
    }
}
