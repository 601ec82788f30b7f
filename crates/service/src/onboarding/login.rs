//! The password step of a login — the same for the office user (3-1) and
//! for admin and general users (3-3): load the account, ask the rules
//! (`kaigo_domain::login`), hash, write the outcome, and open the code step.

use super::{Caller, Failure, Onboarding, OnboardingResult};
use crate::secrets::same;
use crate::store::audit::AuditEvent;
use crate::store::challenges::{self, Challenge};
use crate::store::offices::Office;
use crate::store::users::User;
use crate::store::{self as store, new_id, offices, Conn};
use kaigo_domain::challenge::login_challenge_expiry;
use kaigo_domain::login::{failure_count_restarts, password_gate, wrong_password};
use kaigo_domain::{Account, ErrorCode, FailureRecord};
use secrecy::{ExposeSecret, SecretString};

/// What the password step needs of an account, office or user.
pub(crate) trait LoginAccount {
    const ACCOUNT: Account;
    /// The row whose failures are counted.
    fn row_id(&self) -> &str;
    fn office_id(&self) -> &str;
    fn password_hash(&self) -> &str;
    fn failures(&self) -> FailureRecord;
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
    fn failures(&self) -> FailureRecord {
        self.failures
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
    fn failures(&self) -> FailureRecord {
        self.failures
    }
}

/// The account a wrong try counts against: the one judged when it is the
/// certificate's own office's, else the stand-in.
fn counted_account_of<A>(owner: Option<A>, counted: bool, stand_in: Option<A>) -> Option<A> {
    if counted { owner } else { stand_in }
}

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
        &self,
        caller: &Caller,
        event: &'static str,
        login_id: &str,
        found: Option<A>,
        stand_in: Option<A>,
        password: &SecretString,
    ) -> OnboardingResult<A> {
        // A function, not a closure: each call borrows its office ID for itself.
        fn login_event<'a>(event: &'a str, outcome: &'a str, office_id: Option<&'a str>, login_id: &'a str, caller: &'a Caller) -> AuditEvent<'a> {
            AuditEvent { event, outcome, office_id, user_id: Some(login_id), cert_fingerprint: Some(&caller.cert_fingerprint), detail: None }
        }
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let cert_office = offices::office_of_certificate(&mut conn, &caller.cert_fingerprint).await?;
        let (owner, counted) = match found {
            Some(own) if cert_office.as_deref() == Some(own.office_id()) => (Some(own), true),
            elsewhere => (elsewhere, false),
        };
        // Whose failures count: the account itself, or the stand-in.
        if let Some(account) = if counted { owner.as_ref() } else { stand_in.as_ref() } {
            if let Err(refusal) = password_gate(A::ACCOUNT, account.failures(), &self.policy, now) {
                let outcome = if refusal.code == ErrorCode::LoginThrottled { "failure:throttled" } else { "failure:locked" };
                self.audit(&mut conn, login_event(event, outcome, Some(account.office_id()), login_id, caller)).await?;
                return Err(refusal.into());
            }
        }
        // The connection goes back to the pool while the password is hashed:
        // a hash takes a core for ~15 ms (far longer in a burst), and a pool
        // of four SQLite connections held through it would queue every other
        // request behind the hasher.
        drop(conn);
        let right = self.hasher.verify(password, owner.as_ref().map(|o| o.password_hash())).await?;
        let mut conn = self.db.acquire().await?;
        match (owner, counted, right) {
            (Some(account), true, true) => {
                if account.failures().count != 0 {
                    store::clear_login_failures(&mut conn, A::ACCOUNT, account.row_id()).await?;
                }
                self.audit(&mut conn, login_event(event, "password_accepted", Some(account.office_id()), login_id, caller)).await?;
                Ok(account)
            }
            (Some(other), false, true) => {
                self.audit(&mut conn, login_event(event, "failure:certificate_office_mismatch", Some(other.office_id()), login_id, caller)).await?;
                Err(ErrorCode::CertificateOfficeMismatch.into())
            }
            (owner, counted, _) => {
                let outcome = match (&owner, counted) {
                    (Some(_), true) => "failure:invalid_password",
                    (Some(_), false) => "failure:other_office_id",
                    (None, _) => "failure:unknown_id",
                };
                let Some(account) = counted_account_of(owner, counted, stand_in) else {
                    self.audit(&mut conn, login_event(event, outcome, None, login_id, caller)).await?;
                    return Err(ErrorCode::InvalidCredentials.into());
                };
                let restart = failure_count_restarts(A::ACCOUNT, account.failures(), &self.policy, now);
                let count = store::count_login_failure(&mut conn, A::ACCOUNT, account.row_id(), restart, now).await?;
                self.audit(&mut conn, login_event(event, outcome, Some(account.office_id()), login_id, caller)).await?;
                Err(wrong_password(A::ACCOUNT, count, &self.policy).into())
            }
        }
    }

    /// Opens the code step of a login whose password was accepted.
    pub(crate) async fn open_login(&self, conn: &mut Conn, caller: &Caller, account: Account, office_id: &str, user_row_id: Option<&str>) -> OnboardingResult<Challenge> {
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
