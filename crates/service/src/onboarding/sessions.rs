//! Bearer sessions, bound to the client certificate they were opened with.

use super::{Caller, Failure, Onboarding, OnboardingResult};
use crate::secrets::{random_token, same, token_hash};
use crate::store::{sessions, Conn};
use kaigo_domain::session::{session_expiry, SessionRecord};
use kaigo_domain::ErrorCode;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

pub use crate::store::sessions::SessionKind;

/// A session that passed authentication.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub kind: SessionKind,
    pub office_id: String,
    pub user_row_id: Option<String>,
    /// Opened with the initial password: may only change the password.
    pub restricted: bool,
}

pub struct NewSession {
    pub token: SecretString,
    pub expires_at: OffsetDateTime,
}

impl Onboarding {
    pub(crate) async fn open_session(
        &self, conn: &mut Conn, caller: &Caller, kind: SessionKind, office_id: &str, user_row_id: Option<&str>, restricted: bool,
    ) -> OnboardingResult<NewSession> {
        let now = self.now();
        let token = random_token();
        let expires_at = session_expiry(&self.policy, now);
        sessions::insert(
            conn,
            sessions::NewSession {
                token_hash: &token_hash(token.expose_secret()),
                kind,
                office_id,
                user_row_id,
                cert_fingerprint: &caller.cert_fingerprint,
                restricted,
                now,
                expires_at,
            },
        )
        .await?;
        Ok(NewSession { token, expires_at })
    }

    /// Checks a bearer token: known, not revoked, not idle or past its end,
    /// of the right kind, and presented over the same client certificate.
    pub async fn authenticate(&self, caller: &Caller, token: &str, kind: SessionKind) -> OnboardingResult<Session> {
        let now = self.now();
        let hash = token_hash(token);
        let mut conn = self.db.acquire().await?;
        let row = sessions::find(&mut conn, &hash).await?.ok_or(ErrorCode::Unauthenticated)?;
        let owned_by_caller = row.kind == kind && same(&row.cert_fingerprint, &caller.cert_fingerprint);
        let record = SessionRecord { owned_by_caller, revoked: row.revoked, last_seen: row.last_seen_at, expires_at: row.expires_at };
        if record.in_force(&self.policy, now)? {
            sessions::touch(&mut conn, &hash, now).await?;
        }
        Ok(Session { token_hash: row.token_hash, kind, office_id: row.office_id, user_row_id: row.user_row_id, restricted: row.restricted })
    }

    pub async fn logout(&self, session: &Session) -> OnboardingResult<()> {
        let mut conn = self.db.acquire().await?;
        sessions::revoke(&mut conn, &session.token_hash, self.now()).await?;
        Ok(())
    }
}

impl Session {
    /// Refuses a session opened with the initial password.
    pub fn require_full(&self) -> OnboardingResult<&Self> {
        if self.restricted {
            Err(Failure::from(ErrorCode::PasswordChangeRequired))
        } else {
            Ok(self)
        }
    }

    pub fn user_row_id(&self) -> OnboardingResult<&str> {
        self.user_row_id.as_deref().ok_or(Failure::from(ErrorCode::Unauthenticated))
    }
}
