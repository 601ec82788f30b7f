//! One-time codes of a login: issue (and re-issue), check, consume. Shared by
//! the office login (3-1) and the user login (3-3); the rules are
//! `kaigo_domain::challenge`.

use super::messages::Message;
use super::{Failure, Onboarding, OnboardingResult};
use crate::secrets::{random_code, same};
use crate::store::audit::AuditEvent;
use crate::store::challenges::{self, Challenge};
use crate::store::Conn;
use kaigo_api::office::CodeDelivery;
use kaigo_domain::challenge::wrong_code;
use kaigo_domain::{DeliveryChannel, ErrorCode, OneTimeCode};

/// Makes a new code for the login (voiding any earlier one) and queues the
/// message carrying it, in one transaction.
pub(crate) async fn issue_code(
    ob: &Onboarding,
    challenge: &Challenge,
    channel: DeliveryChannel,
    recipient: &str,
    masked: String,
    message: impl FnOnce(&str, time::OffsetDateTime) -> Message,
) -> OnboardingResult<CodeDelivery> {
    let times = challenge.judged(true).send_code(&ob.policy, ob.now())?;
    let code = random_code();
    let text = message(code.expose(), times.expires_at);
    let mut tx = ob.db.begin().await?;
    challenges::set_code(&mut tx, &challenge.id, channel, &ob.code_key.code_hash(&challenge.id, code.expose()), times.sent_at, times.expires_at).await?;
    ob.queue_message(&mut tx, &challenge.office_id, channel, recipient, &text.subject, &text.body, times.sent_at).await?;
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    ob.outbox_wakeup.notify_one();
    Ok(CodeDelivery { channel, masked_destination: masked, code_expires_at: times.expires_at, resend_allowed_at: times.resend_allowed_at })
}

/// Checks a typed code against the login's current one; a refusal is
/// recorded as `on_refusal`. A wrong code counts toward the code's tries;
/// the last try voids it.
pub(crate) async fn check_code(ob: &Onboarding, conn: &mut Conn, challenge: &Challenge, code: &OneTimeCode, on_refusal: AuditEvent<'_>) -> OnboardingResult<()> {
    let verdict = async {
        challenge.judged(true).code_checkable(&ob.policy, ob.now())?;
        let stored = challenge.code_hash.as_deref().ok_or(ErrorCode::CodeNotSent)?;
        if same(&ob.code_key.code_hash(&challenge.id, code.expose()), stored) {
            return Ok(());
        }
        Err(Failure::field(count_wrong(ob, &mut *conn, challenge).await?, "code"))
    }
    .await;
    if verdict.is_err() {
        ob.audit(conn, on_refusal).await?;
    }
    verdict
}

/// Counts a wrong entry — a code, or a security code typed with a right
/// code — toward the code's tries; returns what to answer.
pub(crate) async fn count_wrong(ob: &Onboarding, conn: &mut Conn, challenge: &Challenge) -> OnboardingResult<ErrorCode> {
    let tries = challenges::count_wrong_code(conn, &challenge.id).await?;
    Ok(wrong_code(tries, &ob.policy))
}

/// Consumes the login; a second use of the same code fails here.
pub(crate) async fn consume(ob: &Onboarding, conn: &mut Conn, challenge: &Challenge) -> OnboardingResult<()> {
    if challenges::complete(conn, &challenge.id, ob.now()).await? {
        Ok(())
    } else {
        Err(ErrorCode::ChallengeNotFound.into())
    }
}
