//! 3-1 事業所ユーザの認証: the office's login with its password (typed, or
//! the one this PC keeps when staff asked) and the mailed one-time code.

use super::plan::{self, KeptPasswordPlan, PasswordSource};
use super::AppCore;
use crate::progress::{Progress, Step};
use crate::wizard::FormField;
use crate::{AppError, AppResult};
use kaigo_api::office::{CodeDelivery, OfficeChallenge};
use kaigo_domain::ErrorCode;
use secrecy::{ExposeSecret, SecretString};

/// Keychain entry naming the office whose password is kept.
const KEPT_OFFICE_ID: &str = "office-login:id";

fn office_password_key(electronic_billing_id: &str) -> String {
    format!("office-password:{electronic_billing_id}")
}

impl AppCore {
    /// The office ID whose password this PC keeps (only if staff asked).
    pub fn saved_office_login(&self) -> AppResult<Option<String>> {
        Ok(self.secrets.get(KEPT_OFFICE_ID)?.map(|id| id.expose_secret().to_owned()))
    }

    /// 3-1 ログイン. An empty password means "the one this PC keeps"; with
    /// `remember` the password is kept in the keychain, without it forgotten.
    pub async fn office_login(&self, electronic_billing_id: &str, password: &SecretString, remember: bool) -> AppResult<OfficeChallenge> {
        kaigo_domain::ElectronicBillingId::parse(electronic_billing_id).map_err(|c| AppError::field(c, FormField::ElectronicBillingId))?;
        let typed_is_empty = password.expose_secret().is_empty();
        let kept = if typed_is_empty { self.secrets.get(&office_password_key(electronic_billing_id))? } else { None };
        let source = plan::office_password_source(typed_is_empty, kept.is_some()).map_err(|c| AppError::field(c, FormField::Password))?;
        let password = match (source, kept) {
            (PasswordSource::Kept, Some(kept)) => kept,
            _ => password.clone(),
        };
        let client = self.client().await?;
        let answer = client.office_login(electronic_billing_id, password.expose_secret()).await;
        let refused = answer.as_ref().err().map(|e| e.code());
        // Keeping (or forgetting) the password only saves typing: a keychain
        // that fails here is said, and the login goes on.
        let kept = self.saved_office_login().and_then(|kept_for| {
            let keep = plan::kept_password_plan(refused, source, remember, electronic_billing_id, kept_for.as_deref());
            self.apply_kept_password_plan(&keep, electronic_billing_id, &password, kept_for.as_deref())
        });
        if let Err(e) = kept {
            self.keychain_not_used(&e);
        }
        let challenge = answer.map_err(|e| self.refused(e))?;
        self.conn.lock().await.office_challenge = Some(challenge.clone());
        Ok(challenge)
    }

    /// `kept_for`: the office whose password was kept before this login.
    fn apply_kept_password_plan(
        &self, keep: &KeptPasswordPlan, electronic_billing_id: &str, password: &SecretString, kept_for: Option<&str>,
    ) -> AppResult<()> {
        if let Some(other) = &keep.forget_other {
            self.secrets.delete(&office_password_key(other))?;
        }
        if keep.keep {
            self.secrets.set(&office_password_key(electronic_billing_id), password)?;
            self.secrets.set(KEPT_OFFICE_ID, &SecretString::from(electronic_billing_id))?;
        }
        if keep.forget {
            self.secrets.delete(&office_password_key(electronic_billing_id))?;
            if kept_for == Some(electronic_billing_id) {
                self.secrets.delete(KEPT_OFFICE_ID)?;
            }
        }
        Ok(())
    }

    pub async fn office_resend_code(&self) -> AppResult<CodeDelivery> {
        let id = self.office_challenge_id().await?;
        let client = self.client().await?;
        let delivery = self.call(client.office_resend_code(&id)).await?;
        if let Some(open) = self.conn.lock().await.office_challenge.as_mut().filter(|c| c.challenge_id == id) {
            open.delivery = delivery.clone();
        }
        Ok(delivery)
    }

    async fn office_challenge_id(&self) -> AppResult<String> {
        let conn = self.conn.lock().await;
        conn.office_challenge.as_ref().map(|c| c.challenge_id.clone()).ok_or(AppError::new(ErrorCode::StepOutOfOrder))
    }

    pub async fn office_verify(&self, code: &str, security_code: Option<&str>) -> AppResult<Progress> {
        kaigo_domain::OneTimeCode::parse(code).map_err(|c| AppError::field(c, FormField::Code))?;
        let id = self.office_challenge_id().await?;
        let client = self.client().await?;
        let session = self.call(client.office_verify(&id, code, security_code)).await?;
        {
            let mut conn = self.conn.lock().await;
            conn.office_token = Some(SecretString::from(session.session_token));
            conn.office_challenge = None;
        }
        self.update_progress(|p| {
            p.office = Some(session.office);
            p.reach(Step::AdminRegistration);
        })
    }

    pub(super) async fn office_token(&self) -> AppResult<SecretString> {
        self.conn.lock().await.office_token.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))
    }
}
