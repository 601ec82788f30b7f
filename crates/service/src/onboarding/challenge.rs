//! One-time codes of a login: issue (and re-issue), check, consume. Shared by
//! the office login (3-1) and the user login (3-3).

use super::messages::Message;
use super::{Caller, Failure, Onboarding, OnboardingResult};
use crate::clock::{from_ms, to_ms};
use crate::secrets::{random_code, same};
use crate::store::challenges::{self, ChallengeRow};
use crate::store::outbox::{self, NewMessage};
use crate::store::Conn;
use kaigo_api::office::CodeDelivery;
use kaigo_domain::{DeliveryChannel, ErrorCode, OneTimeCode};

/// A login still open for this caller: right kind, same client certificate,
/// not finished and not past its end. Anything else reads as "not found", so
/// a challenge id is useless to anyone but its owner.
pub(crate) async fn open_challenge(ob: &Onboarding, conn: &mut Conn, caller: &Caller, id: &str, kind: &str) -> OnboardingResult<ChallengeRow> {
    let row = challenges::find(conn, id).await?.ok_or(ErrorCode::ChallengeNotFound)?;
    let usable = row.kind == kind
        && same(&row.cert_fingerprint, &caller.cert_fingerprint)
        && row.completed_at.is_none()
        && from_ms(row.expires_at) > ob.now();
    if usable { Ok(row) } else { Err(ErrorCode::ChallengeNotFound.into()) }
}

/// Makes a new code for the login (voiding any earlier one) and queues the
/// message carrying it, in one transaction.
pub(crate) async fn issue_code(
    ob: &Onboarding,
    row: &ChallengeRow,
    channel: DeliveryChannel,
    recipient: &str,
    masked: String,
    message: impl FnOnce(&str, time::OffsetDateTime) -> Message,
) -> OnboardingResult<CodeDelivery> {
    let now = ob.now();
    if let Some(sent) = row.code_sent_at.map(from_ms) {
        let allowed = sent + ob.policy.one_time_code_resend_interval;
        if allowed > now {
            return Err(Failure::wait(ErrorCode::CodeResendTooSoon, allowed - now));
        }
    }
    let code = random_code();
    let expires_at = now + ob.policy.one_time_code_lifetime;
    let text = message(code.expose(), expires_at);
    let mut tx = ob.db.begin().await?;
    challenges::set_code(&mut tx, &row.id, channel.as_str(), &ob.code_key.code_hash(&row.id, code.expose()), to_ms(now), to_ms(expires_at)).await?;
    outbox::enqueue(
        &mut tx,
        NewMessage { channel: channel.as_str(), recipient, subject: &text.subject, body: &text.body },
        to_ms(now),
    )
    .await?;
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    ob.outbox_wakeup.notify_one();
    Ok(CodeDelivery {
        channel,
        masked_destination: masked,
        code_expires_at: expires_at,
        resend_allowed_at: now + ob.policy.one_time_code_resend_interval,
    })
}

/// Checks a typed code against the login's current one. A wrong code counts
/// toward the code's tries; the last try voids it.
pub(crate) async fn check_code(ob: &Onboarding, conn: &mut Conn, row: &ChallengeRow, code: &OneTimeCode) -> OnboardingResult<()> {
    let Some(stored) = row.code_hash.as_deref() else { return Err(ErrorCode::CodeNotSent.into()) };
    if row.code_expires_at.map(from_ms).is_none_or(|t| t <= ob.now()) {
        return Err(ErrorCode::CodeExpired.into());
    }
    let max = i64::from(ob.policy.one_time_code_max_attempts);
    if row.code_attempts >= max {
        return Err(ErrorCode::CodeAttemptsExhausted.into());
    }
    if same(&ob.code_key.code_hash(&row.id, code.expose()), stored) {
        return Ok(());
    }
    let tries = challenges::count_wrong_code(conn, &row.id).await?;
    Err(Failure::field(if tries >= max { ErrorCode::CodeAttemptsExhausted } else { ErrorCode::CodeIncorrect }, "code"))
}

/// Counts a wrong secret entered alongside a right code (the security code)
/// toward the same tries.
pub(crate) async fn count_wrong(ob: &Onboarding, conn: &mut Conn, row: &ChallengeRow) -> OnboardingResult<bool> {
    let tries = challenges::count_wrong_code(conn, &row.id).await?;
    Ok(tries >= i64::from(ob.policy.one_time_code_max_attempts))
}

/// Consumes the login; a second use of the same code fails here.
pub(crate) async fn consume(ob: &Onboarding, conn: &mut Conn, row: &ChallengeRow) -> OnboardingResult<()> {
    if challenges::complete(conn, &row.id, to_ms(ob.now())).await? {
        Ok(())
    } else {
        Err(ErrorCode::ChallengeNotFound.into())
    }
}
