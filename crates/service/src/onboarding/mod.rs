//! The rules of each Step-3 call, free of HTTP: handlers only translate.
//! One module per step of SPEC.md.

pub mod challenge;
pub mod error;
mod login;
pub mod messages;
pub mod office_login;
pub mod password_change;
pub mod registration;
pub mod sessions;
pub mod terminals;
mod turns;
pub mod user_login;

pub use error::{Failure, OnboardingResult};
pub use turns::PasswordTurns;

use crate::clock::SharedClock;
use crate::secrets::{CodeKey, PasswordHasher};
use crate::store::{audit, Conn, Db};
use kaigo_domain::{Policy, ReferenceLists};
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::Notify;

/// Who is calling, as proven by the TLS handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// SHA-256 (hex) of the client certificate's DER.
    pub cert_fingerprint: String,
}

impl Caller {
    /// An audit record of this caller's `event` concerning an office's account.
    pub(crate) fn event<'a>(
        &'a self, action: audit::AuditAction, outcome: audit::AuditOutcome, office_id: &'a str, account_id: &'a str,
    ) -> audit::AuditEvent<'a> {
        audit::AuditEvent {
            action,
            outcome,
            office_id: Some(office_id),
            user_id: Some(account_id),
            cert_fingerprint: Some(&self.cert_fingerprint),
            detail: None,
        }
    }
}

/// Everything the rules need, shared by all requests.
#[derive(Clone)]
pub struct Onboarding {
    pub db: Db,
    pub clock: SharedClock,
    pub hasher: PasswordHasher,
    pub code_key: CodeKey,
    pub policy: Policy,
    pub lists: Arc<ReferenceLists>,
    /// Wakes the delivery worker when a message is queued.
    pub outbox_wakeup: Arc<Notify>,
    /// Base URL given to linked terminals.
    pub public_url: String,
    pub practice_mode: bool,
    /// One password try at a time per account (`turns`).
    pub password_turns: PasswordTurns,
    /// 研修: the CA that certifies the seats of classes, when the service
    /// runs classes.
    pub classes: Option<Arc<crate::classes::ClassAuthority>>,
    pub class_policy: kaigo_domain::class::ClassPolicy,
    /// 研修: one-time tickets to the trainer's pages (`classes::TrainerTickets`).
    pub trainer_tickets: crate::classes::TrainerTickets,
}

impl Onboarding {
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Queues a message about `office_id` in the caller's transaction, its
    /// body sealed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn queue_message(
        &self, conn: &mut Conn, office_id: &str, channel: kaigo_domain::DeliveryChannel, recipient: &str, subject: &str, body: &str,
        now: OffsetDateTime,
    ) -> Result<(), Failure> {
        let id = crate::store::outbox::new_message_id();
        let sealed = self.code_key.seal(&id, body);
        crate::store::outbox::enqueue(
            conn,
            &id,
            crate::store::outbox::NewMessage { office_id, channel, recipient, subject, sealed_body: &sealed },
            now,
        )
        .await?;
        Ok(())
    }

    /// Refuses a certificate an operator has revoked (失効): asked at every
    /// call that needs one, so a revocation holds at once on every instance.
    pub async fn certificate_in_force(&self, caller: &Caller) -> Result<(), Failure> {
        let mut conn = self.db.acquire().await?;
        if crate::store::offices::certificate_revoked(&mut conn, &caller.cert_fingerprint).await? {
            return Err(kaigo_domain::ErrorCode::ClientCertificateRevoked.into());
        }
        Ok(())
    }

    pub(crate) async fn audit(&self, conn: &mut Conn, event: audit::AuditEvent<'_>) -> Result<(), Failure> {
        audit::record(conn, event, self.now()).await?;
        Ok(())
    }
}
