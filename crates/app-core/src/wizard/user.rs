//! 3-3 管理者ユーザの認証: the admin's login, the code by mail or SMS,
//! "remember this PC", and the forced change of the initial password.

use super::{plan, AppCore, UserChallenge};
use crate::progress::{Progress, Step};
use crate::wizard::FormField;
use crate::{AppError, AppResult};
use kaigo_api::office::CodeDelivery;
use kaigo_api::user::{UserLoginOutcome, UserSession};
use kaigo_domain::{DeliveryChannel, ErrorCode, PasswordReport};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum UserLoginView {
    CodeRequired { channels: Vec<DeliveryChannel> },
    LoggedIn { must_change_password: bool },
}

/// The live checklist under the new password: each rule of the policy,
/// and the confirmation.
#[derive(Debug, Clone, Serialize)]
pub struct PasswordChecklist {
    #[serde(flatten)]
    pub report: PasswordReport,
    pub same: bool,
}

/// The checklist's lines, in the order the screen shows them (`data-rule`).
pub const CHECKLIST_RULES: [&str; 6] =
    ["long_enough", "enough_kinds", "only_allowed_characters", "not_containing_user_id", "not_common", "same"];

fn device_trust_key(user_id: &str) -> String {
    format!("device-trust:{user_id}")
}

impl AppCore {
    pub async fn user_login(&self, user_id: &str, password: &SecretString) -> AppResult<UserLoginView> {
        kaigo_domain::UserId::parse(user_id).map_err(|c| AppError::field(c, FormField::UserId))?;
        // A keychain that cannot be read: no remembered PC, a code instead.
        let trust = self.secrets.get(&device_trust_key(user_id)).unwrap_or_else(|e| {
            self.keychain_not_used(&e);
            None
        });
        let client = self.client().await?;
        let outcome = self.call(client.user_login(user_id, password.expose_secret(), trust.as_ref().map(|t| t.expose_secret()))).await?;
        self.conn.lock().await.admin_password = Some(password.clone());
        match outcome {
            UserLoginOutcome::CodeRequired { challenge_id, channels } => {
                let open = UserChallenge { id: challenge_id, user_id: user_id.to_owned(), channels: channels.clone(), delivery: None };
                self.conn.lock().await.user_challenge = Some(open);
                Ok(UserLoginView::CodeRequired { channels })
            }
            UserLoginOutcome::LoggedIn { session } => {
                let must = session.must_change_password;
                self.logged_in(session).await?;
                Ok(UserLoginView::LoggedIn { must_change_password: must })
            }
        }
    }

    pub async fn send_user_code(&self, channel: DeliveryChannel) -> AppResult<CodeDelivery> {
        let id = self.user_challenge().await?.id;
        let client = self.client().await?;
        let delivery = self.call(client.send_user_code(&id, channel)).await?;
        if let Some(open) = self.conn.lock().await.user_challenge.as_mut().filter(|c| c.id == id) {
            open.delivery = Some(delivery.clone());
        }
        Ok(delivery)
    }

    /// Checks the code; "remember this PC" keeps the trust token in the keychain.
    pub async fn user_verify(&self, code: &str, remember_device: bool) -> AppResult<UserLoginView> {
        kaigo_domain::OneTimeCode::parse(code).map_err(|c| AppError::field(c, FormField::Code))?;
        let UserChallenge { id, user_id, .. } = self.user_challenge().await?;
        let client = self.client().await?;
        let verified = self.call(client.user_verify(&id, code, remember_device)).await?;
        // The code is spent: a keychain that fails now must not undo the
        // login; this PC is just not remembered.
        if let Some(trust) = verified.device_trust {
            if let Err(e) = self.secrets.set(&device_trust_key(&user_id), &SecretString::from(trust.token)) {
                self.keychain_not_used(&e);
            }
        }
        let must = verified.session.must_change_password;
        self.conn.lock().await.user_challenge = None;
        self.logged_in(verified.session).await?;
        Ok(UserLoginView::LoggedIn { must_change_password: must })
    }

    async fn logged_in(&self, session: UserSession) -> AppResult<()> {
        {
            let mut conn = self.conn.lock().await;
            conn.must_change_password = session.must_change_password;
            conn.user_token = Some(SecretString::from(session.session_token));
            if !session.must_change_password {
                conn.admin_password = None;
            }
        }
        self.update_progress(|p| p.reach(plan::step_after_admin_login(session.must_change_password)))?;
        Ok(())
    }

    /// The live checklist of the password policy; with `again`, whether
    /// the confirmation matches.
    pub fn password_report(candidate: &str, again: Option<&str>, user_id: Option<&str>) -> PasswordChecklist {
        PasswordChecklist { same: !candidate.is_empty() && again == Some(candidate), report: PasswordReport::new(candidate, user_id) }
    }

    /// 初回パスワード変更: the new password typed twice; the current one is
    /// the one the admin just logged in with, kept by the app.
    pub async fn change_password(&self, new: &SecretString, again: &SecretString) -> AppResult<Progress> {
        if new.expose_secret() != again.expose_secret() {
            return Err(AppError::field(ErrorCode::PasswordConfirmationMismatch, FormField::NewPassword));
        }
        let user_id = super::lock(&self.progress).admin.as_ref().map(|a| a.user_id.clone());
        kaigo_domain::check_new_password(new.expose_secret(), user_id.as_deref())
            .map_err(|c| AppError::field(c, FormField::NewPassword))?;
        let (token, current) = {
            let conn = self.conn.lock().await;
            (conn.user_token.clone(), conn.admin_password.clone())
        };
        let (Some(token), Some(current)) = (token, current) else { return Err(AppError::new(ErrorCode::Unauthenticated)) };
        let client = self.client().await?;
        let session = self.call(client.change_password(token.expose_secret(), current.expose_secret(), new.expose_secret())).await?;
        {
            let mut conn = self.conn.lock().await;
            conn.user_token = Some(SecretString::from(session.session_token));
            conn.must_change_password = false;
            conn.admin_password = None;
        }
        self.update_progress(|p| p.reach(Step::Terminal))
    }

    async fn user_challenge(&self) -> AppResult<UserChallenge> {
        self.conn.lock().await.user_challenge.clone().ok_or(AppError::new(ErrorCode::StepOutOfOrder))
    }

    pub(super) async fn user_token(&self) -> AppResult<SecretString> {
        self.conn.lock().await.user_token.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))
    }
}
