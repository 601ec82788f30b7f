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

/// Whose password a login judges.
pub(crate) enum LoginTarget<A> {
    /// The account with the ID typed.
    Found(A),
    /// Nobody has the ID typed; its failure counts against this account.
    CountedAs(A),
    /// Nobody has the ID typed, and no account answers for it.
    Unknown,
}

impl<A> From<Option<A>> for LoginTarget<A> {
    fn from(found: Option<A>) -> Self {
        found.map_or(LoginTarget::Unknown, LoginTarget::Found)
    }
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
    /// Judges `password` for the account found under `login_id` and returns
    /// the account when it is right.
    ///
    /// `LoginTarget::Unknown` (nobody has that ID) is answered like a wrong
    /// password after the same work; `CountedAs` (an unknown office ID over
    /// an office's own certificate) is a wrong password of that office. A
    /// certificate of another office is refused before the password is
    /// judged and not counted, so one office cannot lock another out.
    pub(crate) async fn password_step<A: LoginAccount>(
        &self,
        caller: &Caller,
        event: &'static str,
        login_id: &str,
        target: LoginTarget<A>,
        password: &SecretString,
    ) -> OnboardingResult<A> {
        let audit = |outcome, office_id| AuditEvent { event, outcome, office_id, user_id: Some(login_id), cert_fingerprint: Some(&caller.cert_fingerprint), detail: None };
        let (account, id_known) = match target {
            LoginTarget::Found(a) => (a, true),
            LoginTarget::CountedAs(a) => (a, false),
            LoginTarget::Unknown => return Err(self.refuse_unknown_id(password, audit("failure:unknown_id", None)).await),
        };
        let office_id = account.office_id();
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let cert_office = offices::office_of_certificate(&mut conn, &caller.cert_fingerprint).await?;
        if cert_office.as_deref() != Some(office_id) {
            self.audit(&mut conn, audit("failure:certificate_office_mismatch", Some(office_id))).await?;
            return Err(ErrorCode::CertificateOfficeMismatch.into());
        }
        if let Err(refusal) = password_gate(A::ACCOUNT, account.failures(), &self.policy, now) {
            let outcome = if refusal.code == ErrorCode::LoginThrottled { "failure:throttled" } else { "failure:locked" };
            self.audit(&mut conn, audit(outcome, Some(office_id))).await?;
            return Err(refusal.into());
        }
        // The connection goes back to the pool while the password is hashed:
        // a hash takes a core for ~15 ms (far longer in a burst), and a pool
        // of four SQLite connections held through it would queue every other
        // request behind the hasher.
        drop(conn);
        let right = self.hasher.verify(password, Some(account.password_hash())).await? && id_known;
        let mut conn = self.db.acquire().await?;
        if !right {
            let restart = failure_count_restarts(A::ACCOUNT, account.failures(), &self.policy, now);
            let count = store::count_login_failure(&mut conn, A::ACCOUNT, account.row_id(), restart, now).await?;
            let outcome = if id_known { "failure:invalid_password" } else { "failure:unknown_id" };
            self.audit(&mut conn, audit(outcome, Some(office_id))).await?;
            return Err(wrong_password(A::ACCOUNT, count, &self.policy).into());
        }
        if account.failures().count != 0 {
            store::clear_login_failures(&mut conn, A::ACCOUNT, account.row_id()).await?;
        }
        self.audit(&mut conn, audit("password_accepted", Some(office_id))).await?;
        Ok(account)
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
