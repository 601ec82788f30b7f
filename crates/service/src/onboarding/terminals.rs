//! 3-4 マイナ資格確認アプリの事前設定: the admin issues a terminal and its
//! one-time activation code; the device redeems the code with the public
//! half of a key pair it made, and proves it holds the private half by
//! signing a server challenge. The device needs no client certificate and
//! no session: the code is its authority, once.

use super::error::parse_field;
use super::sessions::Session;
use super::{Caller, Failure, Onboarding, OnboardingResult};
use crate::store::audit::{AuditAction, AuditEvent, AuditFailure, AuditOutcome};
use crate::store::terminals::{self, Terminal as StoredTerminal};
use crate::store::{new_id, offices, Conn, StoreError};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::Verifier;
use kaigo_api::terminal::{
    parse_terminal_public_key, parse_terminal_signature, terminal_link_message, ActivationLink, Terminal, TerminalActivation,
    TerminalChallenge, TerminalIssued, TerminalSettings, TerminalStatus,
};
use kaigo_domain::terminal::{
    terminal_activation_expiry, terminal_challenge_expiry, unknown_terminal, wrong_activation_code, TerminalKind, TerminalLink,
};
use kaigo_domain::{ActivationCode, ErrorCode, TerminalName};
use rand::RngCore;
use time::OffsetDateTime;

/// How long the wrong codes sent for an unknown terminal ID are counted:
/// well past an activation code's lifetime, over which a real terminal's
/// answers say "expired" too.
const UNKNOWN_TRIES_KEPT: time::Duration = time::Duration::days(30);

/// Sync interval written into the terminal's settings.
const SYNC_INTERVAL_SECONDS: u32 = 300;

fn new_challenge() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    B64.encode(bytes)
}

fn new_activation_code() -> ActivationCode {
    let mut bytes = [0u8; ActivationCode::LEN];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    ActivationCode::from_random(bytes)
}

/// Who did a terminal step: the admin's session, or a device by its code.
enum Actor<'a> {
    Admin(&'a Caller, &'a Session),
    Device(Option<&'a Caller>),
}

impl Onboarding {
    fn activation_mac(&self, terminal_id: &str, code: &ActivationCode) -> String {
        self.code_key.code_hash(&format!("terminal-activation:{terminal_id}"), code.as_str())
    }

    fn activation(&self, terminal_id: &str, code: &ActivationCode, expires_at: time::OffsetDateTime) -> TerminalActivation {
        let link = ActivationLink { service_url: self.public_url.clone(), terminal_id: terminal_id.to_owned(), code: code.grouped() };
        TerminalActivation { code: code.grouped(), expires_at, link: link.to_uri() }
    }

    /// The admin issues a terminal: its ID, and an activation code for the device.
    pub async fn issue_terminal(
        &self, caller: &Caller, session: &Session, name: &str, kind: TerminalKind,
    ) -> OnboardingResult<TerminalIssued> {
        session.require_full()?;
        let name = parse_field("name", TerminalName::parse(name))?;
        let now = self.now();
        let id = new_id();
        let code = new_activation_code();
        let expires_at = terminal_activation_expiry(&self.policy, now);
        let mut conn = self.db.acquire().await?;
        let inserted = terminals::insert(
            &mut conn,
            terminals::NewTerminal {
                id: &id,
                office_id: &session.office_id,
                name: name.as_str(),
                kind,
                activation_mac: &self.activation_mac(&id, &code),
                activation_expires_at: expires_at,
                registered_by: session.user_row_id()?,
                now,
            },
        )
        .await;
        match inserted {
            Err(StoreError::Conflict(_)) => return Err(Failure::field(ErrorCode::TerminalNameTaken, "name")),
            other => other?,
        }
        self.audit(&mut conn, terminal_event(AuditAction::TerminalIssued, AuditOutcome::Success, Actor::Admin(caller, session), &id))
            .await?;
        let row = terminals::find_active(&mut conn, &session.office_id, &id).await?.ok_or(ErrorCode::TerminalNotFound)?;
        let terminal = self.terminal_view(&mut conn, &row).await?;
        Ok(TerminalIssued { terminal, activation: self.activation(&id, &code, expires_at) })
    }

    /// A new activation code for a terminal not yet linked (the old one is void).
    pub async fn reissue_terminal_activation(
        &self, caller: &Caller, session: &Session, terminal_id: &str,
    ) -> OnboardingResult<TerminalIssued> {
        session.require_full()?;
        let mut conn = self.db.acquire().await?;
        let row = terminals::find_active(&mut conn, &session.office_id, terminal_id).await?.ok_or(ErrorCode::TerminalNotFound)?;
        row.link.activation_reissuable()?;
        let code = new_activation_code();
        let expires_at = terminal_activation_expiry(&self.policy, self.now());
        if !terminals::reissue_activation(&mut conn, &row.id, &self.activation_mac(&row.id, &code), expires_at).await? {
            return Err(ErrorCode::TerminalAlreadyLinked.into());
        }
        self.audit(
            &mut conn,
            terminal_event(AuditAction::TerminalActivationReissued, AuditOutcome::Success, Actor::Admin(caller, session), &row.id),
        )
        .await?;
        let row = terminals::find_active(&mut conn, &session.office_id, &row.id).await?.ok_or(ErrorCode::TerminalNotFound)?;
        let terminal = self.terminal_view(&mut conn, &row).await?;
        Ok(TerminalIssued { terminal, activation: self.activation(&row.id, &code, expires_at) })
    }

    /// The device redeems its activation code with its public key and gets
    /// the challenge to sign. A wrong code is counted; a code works once.
    pub async fn redeem_terminal_activation(
        &self, caller: Option<&Caller>, terminal_id: &str, code: &str, public_key: &str,
    ) -> OnboardingResult<TerminalChallenge> {
        let code = parse_field("activation_code", ActivationCode::parse(code))?;
        parse_field("public_key", parse_terminal_public_key(public_key))?;
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        // An unknown terminal reads like a waiting one given a wrong code:
        // IDs are not for probing.
        let Some(row) = terminals::find_by_id(&mut conn, terminal_id).await? else {
            return Err(self.refuse_unknown_terminal(&mut conn, terminal_id, now).await?);
        };
        row.link.activation_redeemable(&self.policy, now)?;
        let mac = self.activation_mac(&row.id, &code);
        let right = row.activation_mac.as_deref().is_some_and(|stored| crate::secrets::same(stored, &mac));
        if !right {
            let count = terminals::count_wrong_activation(&mut conn, &row.id).await?;
            self.audit(
                &mut conn,
                terminal_event(AuditAction::TerminalActivation, AuditOutcome::Failure(AuditFailure::Code), Actor::Device(caller), &row.id)
                    .of_office(&row.office_id),
            )
            .await?;
            let refusal = wrong_activation_code(count, &self.policy);
            return Err(Failure::from(refusal).on_field("activation_code"));
        }
        let challenge = new_challenge();
        let expires_at = terminal_challenge_expiry(&self.policy, now);
        if !terminals::redeem_activation(&mut conn, &row.id, &mac, public_key.trim(), &challenge, expires_at).await? {
            return Err(ErrorCode::ActivationCodeUsed.into());
        }
        self.audit(
            &mut conn,
            terminal_event(AuditAction::TerminalActivation, AuditOutcome::Success, Actor::Device(caller), &row.id)
                .of_office(&row.office_id),
        )
        .await?;
        Ok(TerminalChallenge { challenge, expires_at })
    }

    /// The answer to a code sent for an ID no terminal has: the one a
    /// terminal waiting since the first such code would give.
    async fn refuse_unknown_terminal(&self, conn: &mut Conn, terminal_id: &str, now: OffsetDateTime) -> OnboardingResult<Failure> {
        // Not an ID the service could have issued (a UUID): judged afresh,
        // never stored, so junk cannot fill the table.
        let tracked = uuid::Uuid::try_parse(terminal_id).is_ok();
        let tries = if tracked { terminals::unknown_tries(conn, terminal_id, now - UNKNOWN_TRIES_KEPT).await? } else { None };
        let link = unknown_terminal(tries.map(|t| t.first_at), tries.map_or(0, |t| t.wrong_entries), &self.policy, now);
        if let Err(code) = link.activation_redeemable(&self.policy, now) {
            return Ok(code.into());
        }
        let count = if tracked { terminals::count_wrong_unknown(conn, terminal_id, now).await? } else { 1 };
        Ok(Failure::from(wrong_activation_code(count, &self.policy)).on_field("activation_code"))
    }

    /// The device's signature over its challenge: the terminal is linked
    /// and the device gets its settings.
    pub async fn prove_terminal(&self, caller: Option<&Caller>, terminal_id: &str, signature: &str) -> OnboardingResult<TerminalSettings> {
        // A signature that is not one is refused as such before anything is
        // looked up, whatever the terminal's state.
        let signature = parse_field("signature", parse_terminal_signature(signature))?;
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        // An unknown terminal answers as one whose device has not redeemed
        // its code yet: no challenge open.
        let Some(row) = terminals::find_by_id(&mut conn, terminal_id).await? else {
            unknown_terminal(None, 0, &self.policy, now).proof_acceptable(now)?;
            return Err(ErrorCode::TerminalChallengeExpired.into());
        };
        row.link.proof_acceptable(now)?;
        let challenge = row.challenge.clone().ok_or(ErrorCode::TerminalChallengeExpired)?;
        let key = parse_terminal_public_key(row.public_key.as_deref().unwrap_or_default()).map_err(Failure::from)?;
        if key.verify(&terminal_link_message(&row.id, &challenge), &signature).is_err() {
            self.audit(
                &mut conn,
                terminal_event(AuditAction::TerminalLink, AuditOutcome::Failure(AuditFailure::Signature), Actor::Device(caller), &row.id)
                    .of_office(&row.office_id),
            )
            .await?;
            return Err(Failure::field(ErrorCode::TerminalSignatureInvalid, "signature"));
        }
        if !terminals::link(&mut conn, &row.id, &challenge, now).await? {
            return Err(ErrorCode::TerminalChallengeExpired.into());
        }
        self.audit(
            &mut conn,
            terminal_event(AuditAction::TerminalLink, AuditOutcome::Success, Actor::Device(caller), &row.id).of_office(&row.office_id),
        )
        .await?;
        Ok(self.terminal_view(&mut conn, &row).await?.settings)
    }

    pub async fn list_terminals(&self, session: &Session) -> OnboardingResult<Vec<Terminal>> {
        session.require_full()?;
        let mut conn = self.db.acquire().await?;
        let rows = terminals::list_active(&mut conn, &session.office_id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.terminal_view(&mut conn, row).await?);
        }
        Ok(out)
    }

    pub async fn unlink_terminal(&self, caller: &Caller, session: &Session, terminal_id: &str) -> OnboardingResult<()> {
        session.require_full()?;
        let mut conn = self.db.acquire().await?;
        if !terminals::unlink(&mut conn, &session.office_id, terminal_id, self.now()).await? {
            return Err(ErrorCode::TerminalNotFound.into());
        }
        self.audit(
            &mut conn,
            terminal_event(AuditAction::TerminalUnlinked, AuditOutcome::Success, Actor::Admin(caller, session), terminal_id),
        )
        .await?;
        Ok(())
    }

    async fn terminal_view(&self, conn: &mut Conn, row: &StoredTerminal) -> OnboardingResult<Terminal> {
        let office = offices::find(conn, &row.office_id).await?.ok_or(ErrorCode::TerminalNotFound)?;
        Ok(Terminal {
            terminal_id: row.id.clone(),
            name: row.name.clone(),
            kind: row.kind,
            status: match row.link {
                TerminalLink::Linked => TerminalStatus::Linked,
                TerminalLink::Pending { .. } => TerminalStatus::Pending,
                TerminalLink::AwaitingDevice(_) => TerminalStatus::AwaitingDevice,
            },
            settings: TerminalSettings {
                terminal_id: row.id.clone(),
                office_number: office.office_number,
                office_name: office.name,
                service_url: self.public_url.clone(),
                sync_interval_seconds: SYNC_INTERVAL_SECONDS,
            },
            registered_at: row.created_at,
            linked_at: row.linked_at,
        })
    }
}

fn terminal_event<'a>(action: AuditAction, outcome: AuditOutcome, actor: Actor<'a>, terminal_id: &'a str) -> AuditEvent<'a> {
    let (office_id, cert_fingerprint) = match actor {
        Actor::Admin(caller, session) => (Some(session.office_id.as_str()), Some(caller.cert_fingerprint.as_str())),
        Actor::Device(caller) => (None, caller.map(|c| c.cert_fingerprint.as_str())),
    };
    AuditEvent { action, outcome, office_id, user_id: None, cert_fingerprint, detail: Some(terminal_id) }
}

impl<'a> AuditEvent<'a> {
    fn of_office(self, office_id: &'a str) -> Self {
        Self { office_id: Some(office_id), ..self }
    }
}
