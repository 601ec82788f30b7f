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
use kaigo_domain::Refusal;
use kaigo_domain::{DeliveryChannel, ErrorCode, OneTimeCode};

/// Makes a new code for the login (voiding any earlier one) and queues the
/// message carrying it, in one transaction.
pub(crate) async fn issue_code(
    ob: &Onboarding, challenge: &Challenge, channel: DeliveryChannel, recipient: &str, masked: String,
    message: impl FnOnce(&str, time::OffsetDateTime) -> Message,
) -> OnboardingResult<CodeDelivery> {
    let times = challenge.judged(true).send_code(&ob.policy, ob.now())?;
    let code = random_code();
    let text = message(code.expose(), times.expires_at);
    let mut tx = ob.db.begin().await?;
    challenges::set_code(
        &mut tx,
        &challenge.id,
        channel,
        &ob.code_key.code_hash(&challenge.id, code.expose()),
        times.sent_at,
        times.expires_at,
    )
    .await?;
    ob.queue_message(&mut tx, &challenge.office_id, channel, recipient, &text.subject, &text.body, times.sent_at).await?;
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    ob.outbox_wakeup.notify_one();
    Ok(CodeDelivery { channel, masked_destination: masked, code_expires_at: times.expires_at, resend_allowed_at: times.resend_allowed_at })
}

/// Checks a typed code against the login's current one; a refusal is
/// recorded as `on_refusal`. Each entry takes one of the code's tries
/// before it is compared (so entries sent at once are judged one after
/// another, each against the tries the one before it left); a wrong code
/// is answered by the tries it used, and the last try voids the code.
/// Returns the tries used with this entry, for a second factor judged with
/// it (the security code).
pub(crate) async fn check_code(
    ob: &Onboarding, conn: &mut Conn, challenge: &Challenge, code: &OneTimeCode, on_refusal: AuditEvent<'_>,
) -> OnboardingResult<u32> {
    let verdict = async {
        let now = ob.now();
        let mut judged = challenge.clone();
        for _ in 0..CODE_RACES {
            // Owned by the caller: `open_challenge` found it so. Judged again
            // after a lost race, it may have been completed meanwhile.
            judged.judged(true).open(now)?;
            judged.judged(true).code_checkable(&ob.policy, now)?;
            let (Some(stored), Some(pending)) = (judged.code_hash.as_deref(), judged.code) else {
                return Err(ErrorCode::CodeNotSent.into());
            };
            let tries = pending.wrong_tries.saturating_add(1);
            if !challenges::claim_code_try(&mut *conn, &judged.id, stored, pending.wrong_tries, tries).await? {
                judged = challenges::find(&mut *conn, &judged.id).await?.ok_or(ErrorCode::ChallengeNotFound)?;
                continue;
            }
            if same(&ob.code_key.code_hash(&judged.id, code.expose()), stored) {
                return Ok(tries);
            }
            return Err(Failure::field(wrong_code(tries, &ob.policy), "code"));
        }
        Err(Failure::from(Refusal::wait(ErrorCode::RateLimited, time::Duration::SECOND)))
    }
    .await;
    if verdict.is_err() {
        ob.audit(conn, on_refusal).await?;
    }
    verdict
}

/// How often an entry is judged again after losing to a simultaneous one
/// before it is turned away. Each loss is another try used (or a resend,
/// allowed once a minute), so the code's own limit comes first; this only
/// bounds the loop.
const CODE_RACES: usize = 32;

/// Consumes the login; a second use of the same code fails here.
pub(crate) async fn consume(ob: &Onboarding, conn: &mut Conn, challenge: &Challenge) -> OnboardingResult<()> {
    if challenges::complete(conn, &challenge.id, ob.now()).await? {
        Ok(())
    } else {
        Err(ErrorCode::ChallengeNotFound.into())
    }
}
