//! The forced password change at first login (and any later change).

use super::sessions::Session;
use super::{Caller, Failure, Onboarding, OnboardingResult};
use crate::store::audit::{AuditAction, AuditFailure, AuditOutcome};
use crate::store::{self as store, sessions, users};
use kaigo_api::user::UserSession;
use kaigo_domain::login::wrong_password;
use kaigo_domain::{check_new_password, Account, ErrorCode};
use secrecy::{ExposeSecret, SecretString};

impl Onboarding {
    /// Changes the password; every other session of the user ends and a new,
    /// unrestricted session replaces the current one.
    pub async fn change_password(
        &self, caller: &Caller, session: &Session, current: &SecretString, new: &SecretString,
    ) -> OnboardingResult<UserSession> {
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let user = users::find(&mut conn, session.user_row_id()?).await?.ok_or(ErrorCode::Unauthenticated)?;
        drop(conn);
        check_new_password(new.expose_secret(), Some(&user.user_id)).map_err(|c| Failure::field(c, "new_password"))?;
        if current.expose_secret() == new.expose_secret() {
            return Err(Failure::field(ErrorCode::PasswordUnchanged, "new_password"));
        }
        let event = |outcome| caller.event(AuditAction::PasswordChange, outcome, &user.office_id, &user.user_id);
        // Guessing the current password meets the login's throttle: the
        // same count, the same growing waits, the same lock — the try taken
        // before the hash, as a login's is.
        let taken = match self.take_login_try(Account::User, &user.id, now).await? {
            Ok(taken) => taken,
            Err(refusal) => {
                let mut conn = self.db.acquire().await?;
                self.audit(&mut conn, event(AuditOutcome::Failure(AuditFailure::Throttled))).await?;
                return Err(Failure::from(refusal).on_field("current_password"));
            }
        };
        if !self.hasher.verify(current, Some(&user.password_hash)).await? {
            let mut conn = self.db.acquire().await?;
            self.audit(&mut conn, event(AuditOutcome::Failure(AuditFailure::InvalidPassword))).await?;
            return Err(Failure::from(wrong_password(Account::User, taken.count, &self.policy)).on_field("current_password"));
        }
        let hash = self.hasher.hash(new).await?;
        let mut tx = self.db.begin().await?;
        users::set_password(&mut tx, &user.id, &hash, now).await?;
        store::clear_login_failures(&mut tx, Account::User, &user.id).await?;
        sessions::revoke_all_for_user(&mut tx, &user.id, now).await?;
        let user = users::find(&mut tx, &user.id).await?.ok_or(ErrorCode::Unauthenticated)?;
        let new_session = self.user_session(&mut tx, caller, &user).await?;
        self.audit(&mut tx, event(AuditOutcome::Success)).await?;
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(new_session)
    }
}
