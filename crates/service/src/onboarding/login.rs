//! The password step of a login — the same for the office user (3-1) and
//! for admin and general users (3-3): load the account, ask the rules
//! (`kaigo_domain::login`), hash, write the outcome, and open the code step.

use super::{Caller, Failure, Onboarding, OnboardingResult};
use crate::secrets::same;
use crate::store::audit::{AuditAction, AuditEvent, AuditFailure, AuditOutcome};
use crate::store::challenges::{self, Challenge};
use crate::store::offices::Office;
use crate::store::users::User;
use crate::store::{self as store, new_id, offices, Conn};
use kaigo_domain::challenge::login_challenge_expiry;
use kaigo_domain::login::{
    counted_against, failures_after_wrong, password_gate, password_verdict, CountedAgainst, IdHolder, PasswordVerdict,
};
use kaigo_domain::Refusal;
use kaigo_domain::{Account, ErrorCode, FailureRecord};
use secrecy::{ExposeSecret, SecretString};

/// What the password step needs of an account, office or user.
pub(crate) trait LoginAccount {
    const ACCOUNT: Account;
    /// The row whose failures are counted.
    fn row_id(&self) -> &str;
    fn office_id(&self) -> &str;
    fn password_hash(&self) -> &str;
}

impl LoginAccount for Office {
    const ACCOUNT: Account = Account::Office;
    fn row_id(&self) -> &str {
        &self.id
    }
    fn office_id(&self) -> &str {
        &self.id
    }
    fn password_hash(&self) -> &str {
        &self.password_hash
    }
}

impl LoginAccount for User {
    const ACCOUNT: Account = Account::User;
    fn row_id(&self) -> &str {
        &self.id
    }
    fn office_id(&self) -> &str {
        &self.office_id
    }
    fn password_hash(&self) -> &str {
        &self.password_hash
    }
}

/// A try of an account's login, taken before its password is hashed and
/// recorded as the `count`th failure in a row until the password proves
/// right (`seen`: the record before it). The account's turn (`turns`)
/// lasts as long as the try.
#[derive(Debug)]
pub(crate) struct LoginTry {
    pub seen: FailureRecord,
    pub count: u32,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

/// How often a try is judged again after losing to a simultaneous one
/// before it is turned away. Each loss is another try counted, so the gate
/// closes long before this (at the office's third failure, after the
/// user's free ones); this only bounds the loop.
const TRY_RACES: usize = 32;

/// An empty password is refused before anything is looked up.
pub(crate) fn require_password(password: &SecretString) -> OnboardingResult<()> {
    if password.expose_secret().is_empty() {
        Err(Failure::field(ErrorCode::PasswordMissing, "password"))
    } else {
        Ok(())
    }
}

impl Onboarding {
    /// Judges `password` for the account found under `login_id` (`None`:
    /// nobody has that ID) and returns the account when it is right.
    ///
    /// Only an account of the certificate's own office is judged as such.
    /// An ID that does not exist, or belongs to another office, is answered
    /// alike after the same work (one hash) — unless the password is right
    /// for that other office's account, which earns the plain
    /// `certificate_office_mismatch`: so the answers tell nothing about which
    /// IDs exist. Such a wrong try counts against `stand_in` (the office
    /// login: the certificate's own office, whose tries left are then told)
    /// and never against another office's account, so one office cannot
    /// lock another out.
    pub(crate) async fn password_step<A: LoginAccount>(
        &self, caller: &Caller, action: AuditAction, login_id: &str, found: Option<A>, stand_in: Option<A>, password: &SecretString,
    ) -> OnboardingResult<A> {
        // A function, not a closure: each call borrows its office ID for itself.
        fn login_event<'a>(
            action: AuditAction, outcome: AuditOutcome, office_id: Option<&'a str>, login_id: &'a str, caller: &'a Caller,
        ) -> AuditEvent<'a> {
            AuditEvent {
                action,
                outcome,
                office_id,
                user_id: Some(login_id),
                cert_fingerprint: Some(&caller.cert_fingerprint),
                detail: None,
            }
        }
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let cert_office = offices::office_of_certificate(&mut conn, &caller.cert_fingerprint).await?;
        let holder = match &found {
            Some(account) if cert_office.as_deref() == Some(account.office_id()) => IdHolder::OwnOffice,
            Some(_) => IdHolder::OtherOffice,
            None => IdHolder::Nobody,
        };
        // Whose failures count: the account itself, or the stand-in. Its try
        // is taken before the hash, so that guesses sent at once are judged
        // one after another.
        let judged = match counted_against(holder) {
            CountedAgainst::Holder => found.as_ref(),
            CountedAgainst::StandIn => stand_in.as_ref(),
        };
        // Not held while waiting for the account's turn: the try before it
        // needs a connection to finish.
        drop(conn);
        let taken = match judged {
            Some(account) => match self.take_login_try(A::ACCOUNT, account.row_id(), now).await? {
                Ok(taken) => Some(taken),
                Err(refusal) => {
                    let why = if matches!(refusal.code, ErrorCode::OfficeLocked | ErrorCode::UserLocked) {
                        AuditFailure::Locked
                    } else {
                        AuditFailure::Throttled
                    };
                    let mut conn = self.db.acquire().await?;
                    let event = login_event(action, AuditOutcome::Failure(why), Some(account.office_id()), login_id, caller);
                    self.audit(&mut conn, event).await?;
                    return Err(refusal.into());
                }
            },
            None => None,
        };
        // The connection goes back to the pool while the password is hashed:
        // a hash takes a core for ~15 ms (far longer in a burst), and a pool
        // of four SQLite connections held through it would queue every other
        // request behind the hasher.
        let right = self.hasher.verify(password, found.as_ref().map(|o| o.password_hash())).await?;
        let verdict = password_verdict(holder, right);
        let judged_office = judged.map(|a| a.office_id().to_owned());
        let mut conn = self.db.acquire().await?;
        let refusal = verdict.refusal(A::ACCOUNT, taken.as_ref().map(|t| t.count), &self.policy);
        match (verdict, found) {
            (PasswordVerdict::Accepted, Some(account)) => {
                store::clear_login_failures(&mut conn, A::ACCOUNT, account.row_id()).await?;
                let event = login_event(action, AuditOutcome::PasswordAccepted, Some(account.office_id()), login_id, caller);
                self.audit(&mut conn, event).await?;
                Ok(account)
            }
            (PasswordVerdict::OtherOfficesAccount, Some(other)) => {
                // The right password of another office's account is no
                // failure of the stand-in's.
                if let (Some(stand_in), Some(taken)) = (&stand_in, &taken) {
                    store::release_login_try(&mut conn, A::ACCOUNT, stand_in.row_id(), taken.seen, taken.count, now).await?;
                }
                let outcome = AuditOutcome::Failure(AuditFailure::CertificateOfficeMismatch);
                self.audit(&mut conn, login_event(action, outcome, Some(other.office_id()), login_id, caller)).await?;
                Err(refusal.unwrap_or(Refusal::new(ErrorCode::CertificateOfficeMismatch)).into())
            }
            (verdict, _) => {
                let why = match verdict {
                    PasswordVerdict::Wrong(why) => why.into(),
                    // Accepted or another office's account, with no account found: cannot be.
                    _ => AuditFailure::UnknownId,
                };
                self.audit(&mut conn, login_event(action, AuditOutcome::Failure(why), judged_office.as_deref(), login_id, caller)).await?;
                Err(refusal.unwrap_or(Refusal::new(ErrorCode::InvalidCredentials)).into())
            }
        }
    }

    /// Waits for the account's turn (row `row_id`), asks the gate whether
    /// it may try now on its record as stored and, if so, takes the try —
    /// judging again with the record as it is whenever a simultaneous try
    /// at another instance came first.
    pub(crate) async fn take_login_try(
        &self, account: Account, row_id: &str, now: time::OffsetDateTime,
    ) -> OnboardingResult<Result<LoginTry, Refusal>> {
        let turn = self.password_turns.turn(row_id).await;
        let mut conn = self.db.acquire().await?;
        for _ in 0..TRY_RACES {
            let seen = store::login_failures(&mut conn, account, row_id).await?;
            if let Err(refusal) = password_gate(account, seen, &self.policy, now) {
                return Ok(Err(refusal));
            }
            let count = failures_after_wrong(account, seen, &self.policy, now);
            if store::claim_login_try(&mut conn, account, row_id, seen, count, now).await? {
                return Ok(Ok(LoginTry { seen, count, _turn: turn }));
            }
        }
        Ok(Err(Refusal::wait(ErrorCode::RateLimited, time::Duration::SECOND)))
    }

    /// Opens the code step of a login whose password was accepted.
    pub(crate) async fn open_login(
        &self, conn: &mut Conn, caller: &Caller, account: Account, office_id: &str, user_row_id: Option<&str>,
    ) -> OnboardingResult<Challenge> {
        let now = self.now();
        let id = new_id();
        challenges::insert(
            &mut *conn,
            challenges::NewChallenge {
                id: &id,
                account,
                office_id,
                user_row_id,
                cert_fingerprint: &caller.cert_fingerprint,
                now,
                expires_at: login_challenge_expiry(&self.policy, now),
            },
        )
        .await?;
        Ok(challenges::find(conn, &id).await?.ok_or(ErrorCode::ChallengeNotFound)?)
    }

    /// A login still open for this caller: the right kind, the same client
    /// certificate, not finished and not past its end.
    pub(crate) async fn open_challenge(&self, conn: &mut Conn, caller: &Caller, id: &str, account: Account) -> OnboardingResult<Challenge> {
        let challenge = challenges::find(conn, id).await?.ok_or(ErrorCode::ChallengeNotFound)?;
        let owned = challenge.account == account && same(&challenge.cert_fingerprint, &caller.cert_fingerprint);
        challenge.judged(owned).open(self.now())?;
        Ok(challenge)
    }
}
