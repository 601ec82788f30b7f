//! Bearer sessions, bound to the client certificate they were opened with.

use super::{Caller, Failure, Onboarding, OnboardingResult};
use crate::clock::{from_ms, to_ms};
use crate::secrets::{random_token, token_hash};
use crate::store::{sessions, Conn};
use kaigo_domain::ErrorCode;
use secrecy::{ExposeSecret, SecretString};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// 事業所ユーザ.
    Office,
    /// 管理者ユーザ or 一般ユーザ.
    User,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Office => "office",
            SessionKind::User => "user",
        }
    }
}

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
        &self,
        conn: &mut Conn,
        caller: &Caller,
        kind: SessionKind,
        office_id: &str,
        user_row_id: Option<&str>,
        restricted: bool,
    ) -> OnboardingResult<NewSession> {
        let now = self.now();
        let token = random_token();
        let expires_at = now + self.policy.session_absolute_lifetime;
        sessions::insert(
            conn,
            sessions::NewSession {
                token_hash: &token_hash(token.expose_secret()),
                kind: kind.as_str(),
                office_id,
                user_row_id,
                cert_fingerprint: &caller.cert_fingerprint,
                restricted,
                now_ms: to_ms(now),
                expires_at_ms: to_ms(expires_at),
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
        let idle_end = from_ms(row.last_seen_at) + self.policy.session_idle_lifetime;
        let valid = row.revoked_at.is_none()
            && from_ms(row.expires_at) > now
            && idle_end > now
            && row.kind == kind.as_str()
            && crate::secrets::same(&row.cert_fingerprint, &caller.cert_fingerprint);
        if !valid {
            return Err(Failure::from(ErrorCode::Unauthenticated));
        }
        // Write the idle timestamp at most once a minute: reads stay reads.
        if now - from_ms(row.last_seen_at) > Duration::minutes(1) {
            sessions::touch(&mut conn, &hash, to_ms(now)).await?;
        }
        Ok(Session {
            token_hash: row.token_hash,
            kind,
            office_id: row.office_id,
            user_row_id: row.user_row_id,
            restricted: row.restricted != 0,
        })
    }

    pub async fn logout(&self, session: &Session) -> OnboardingResult<()> {
        let mut conn = self.db.acquire().await?;
        sessions::revoke(&mut conn, &session.token_hash, to_ms(self.now())).await?;
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
