//! The audit trail of every authentication event. Never holds a secret.

use super::{instant, millis, Conn, StoreResult};
use time::OffsetDateTime;

/// What an audit record is about (its `event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// 3-1: the office's KJ ID and password.
    OfficeLogin,
    /// 3-1: the mailed one-time code (and the security code).
    OfficeCode,
    /// 3-2: an admin user registered.
    AdminRegistered,
    InitialPasswordReissued,
    UserUnlocked,
    /// 3-3: a user's ID and password.
    UserLogin,
    /// 3-3: the code by mail or SMS.
    UserCode,
    PasswordChange,
    DeviceTrustRevoked,
    /// 3-4: the admin issued a terminal and its activation code.
    TerminalIssued,
    TerminalActivationReissued,
    /// 3-4: a device redeemed an activation code.
    TerminalActivation,
    /// 3-4: a device signed its challenge.
    TerminalLink,
    TerminalUnlinked,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::OfficeLogin => "office_login",
            AuditAction::OfficeCode => "office_code",
            AuditAction::AdminRegistered => "admin_registered",
            AuditAction::InitialPasswordReissued => "initial_password_reissued",
            AuditAction::UserUnlocked => "user_unlocked",
            AuditAction::UserLogin => "user_login",
            AuditAction::UserCode => "user_code",
            AuditAction::PasswordChange => "password_change",
            AuditAction::DeviceTrustRevoked => "device_trust_revoked",
            AuditAction::TerminalIssued => "terminal_issued",
            AuditAction::TerminalActivationReissued => "terminal_activation_reissued",
            AuditAction::TerminalActivation => "terminal_activation",
            AuditAction::TerminalLink => "terminal_link",
            AuditAction::TerminalUnlinked => "terminal_unlinked",
        }
    }
}

/// How it ended (its `outcome`): `success`, `success:<how>` or `failure:<why>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    Success,
    /// The password step of a login passed; the code step follows.
    PasswordAccepted,
    /// A remembered PC skipped the code.
    DeviceTrusted,
    /// The code passed and the PC is remembered from now on.
    DeviceRemembered,
    Failure(AuditFailure),
}

macro_rules! failures {
    ($( $(#[$m:meta])* $variant:ident = $why:literal, )+) => {
        /// Why a step was refused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum AuditFailure {
            $( $(#[$m])* $variant, )+
        }

        impl AuditFailure {
            pub const ALL: &'static [AuditFailure] = &[ $( AuditFailure::$variant, )+ ];

            /// The outcome's text: `failure:<why>`.
            pub fn as_str(self) -> &'static str {
                match self { $( AuditFailure::$variant => concat!("failure:", $why), )+ }
            }

            /// Why, alone: the trainer's grid names it (`refusal_<why>`
            /// in the words crate).
            pub fn why(self) -> &'static str {
                match self { $( AuditFailure::$variant => $why, )+ }
            }
        }
    };
}

failures! {
    Locked = "locked",
    Throttled = "throttled",
    CertificateOfficeMismatch = "certificate_office_mismatch",
    InvalidPassword = "invalid_password",
    OtherOfficeId = "other_office_id",
    UnknownId = "unknown_id",
    InitialPasswordExpired = "initial_password_expired",
    /// A remembered PC's token no longer works (the login asks for a code).
    DeviceTrustInvalid = "device_trust_invalid",
    Code = "code",
    SecurityCode = "security_code",
    Signature = "signature",
}

impl AuditFailure {
    /// The failure an outcome's text names, if it names one.
    pub fn from_outcome(outcome: &str) -> Option<AuditFailure> {
        AuditFailure::ALL.iter().copied().find(|f| f.as_str() == outcome)
    }
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::PasswordAccepted => "success:password_accepted",
            AuditOutcome::DeviceTrusted => "success:device_trusted",
            AuditOutcome::DeviceRemembered => "success:device_remembered",
            AuditOutcome::Failure(why) => why.as_str(),
        }
    }
}

impl From<kaigo_domain::login::WrongLogin> for AuditFailure {
    fn from(why: kaigo_domain::login::WrongLogin) -> Self {
        use kaigo_domain::login::WrongLogin;
        match why {
            WrongLogin::InvalidPassword => AuditFailure::InvalidPassword,
            WrongLogin::OtherOfficeId => AuditFailure::OtherOfficeId,
            WrongLogin::UnknownId => AuditFailure::UnknownId,
        }
    }
}

/// One audit record, as written.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub office_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub cert_fingerprint: Option<&'a str>,
    pub detail: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    pub fn new(action: AuditAction, outcome: AuditOutcome) -> Self {
        Self { action, outcome, office_id: None, user_id: None, cert_fingerprint: None, detail: None }
    }
}

pub async fn record(conn: &mut Conn, e: AuditEvent<'_>, now: OffsetDateTime) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, event, outcome, office_id, user_id, cert_fingerprint, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(millis(now))
    .bind(e.action.as_str())
    .bind(e.outcome.as_str())
    .bind(e.office_id)
    .bind(e.user_id)
    .bind(e.cert_fingerprint)
    .bind(e.detail)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub at: OffsetDateTime,
    pub event: String,
    pub outcome: String,
    pub office_id: Option<String>,
    pub user_id: Option<String>,
    pub cert_fingerprint: Option<String>,
    pub detail: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    at: i64,
    event: String,
    outcome: String,
    office_id: Option<String>,
    user_id: Option<String>,
    cert_fingerprint: Option<String>,
    detail: Option<String>,
}

pub async fn recent(conn: &mut Conn, limit: i64) -> StoreResult<Vec<AuditRecord>> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT at, event, outcome, office_id, user_id, cert_fingerprint, detail FROM audit_events ORDER BY at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditRecord {
            at: instant(r.at),
            event: r.event,
            outcome: r.outcome,
            office_id: r.office_id,
            user_id: r.user_id,
            cert_fingerprint: r.cert_fingerprint,
            detail: r.detail,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_outcome_says_failure_and_every_other_success() {
        let said: std::collections::BTreeSet<&str> = AuditFailure::ALL.iter().map(|why| AuditOutcome::Failure(*why).as_str()).collect();
        assert_eq!(said.len(), AuditFailure::ALL.len(), "each failure says its own reason");
        assert!(said.iter().all(|s| s.starts_with("failure:")));
        for ok in [AuditOutcome::Success, AuditOutcome::PasswordAccepted, AuditOutcome::DeviceTrusted, AuditOutcome::DeviceRemembered] {
            assert!(ok.as_str().starts_with("success"), "{ok:?}");
        }
    }
}
