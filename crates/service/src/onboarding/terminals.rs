//! 3-4 マイナ資格確認アプリの事前設定: the card-reading PC registers the
//! public half of a key pair it made, gets its terminal ID and settings, and
//! proves it holds the private half by signing a server challenge.

use super::error::parse_field;
use super::sessions::Session;
use super::{Caller, Failure, Onboarding, OnboardingResult};
use crate::store::audit::AuditEvent;
use crate::store::terminals::{self, Terminal as StoredTerminal};
use crate::store::{new_id, offices, Conn, StoreError};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use kaigo_api::terminal::{terminal_link_message, Terminal, TerminalChallenge, TerminalRegistered, TerminalSettings, TerminalStatus};
use kaigo_domain::terminal::{terminal_challenge_expiry, TerminalLink};
use kaigo_domain::{ErrorCode, TerminalName};
use rand::RngCore;

/// Sync interval written into the terminal's settings.
const SYNC_INTERVAL_SECONDS: u32 = 300;

fn new_challenge() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    B64.encode(bytes)
}

fn parse_public_key(b64: &str) -> Result<VerifyingKey, ErrorCode> {
    let bytes = B64.decode(b64.trim()).map_err(|_| ErrorCode::TerminalKeyInvalid)?;
    let arr: [u8; 32] = bytes.try_into().map_err(|_| ErrorCode::TerminalKeyInvalid)?;
    // Refuses points not on the curve and the weak small-order keys.
    let key = VerifyingKey::from_bytes(&arr).map_err(|_| ErrorCode::TerminalKeyInvalid)?;
    if key.is_weak() { Err(ErrorCode::TerminalKeyInvalid) } else { Ok(key) }
}

impl Onboarding {
    pub async fn register_terminal(&self, caller: &Caller, session: &Session, name: &str, public_key: &str) -> OnboardingResult<TerminalRegistered> {
        session.require_full()?;
        let name = parse_field("name", TerminalName::parse(name))?;
        parse_field("public_key", parse_public_key(public_key))?;
        let now = self.now();
        let id = new_id();
        let challenge = new_challenge();
        let expires_at = terminal_challenge_expiry(&self.policy, now);
        let mut conn = self.db.acquire().await?;
        let inserted = terminals::insert(
            &mut conn,
            terminals::NewTerminal {
                id: &id,
                office_id: &session.office_id,
                name: name.as_str(),
                public_key: public_key.trim(),
                challenge: &challenge,
                challenge_expires_at: expires_at,
                registered_by: session.user_row_id()?,
                now,
            },
        )
        .await;
        match inserted {
            Err(StoreError::Conflict(_)) => return Err(Failure::field(ErrorCode::TerminalNameTaken, "name")),
            other => other?,
        }
        self.audit(&mut conn, self.terminal_event("terminal_registered", "success", caller, session, &id)).await?;
        let row = terminals::find_active(&mut conn, &session.office_id, &id).await?.ok_or(ErrorCode::TerminalNotFound)?;
        let terminal = self.terminal_view(&mut conn, &row).await?;
        Ok(TerminalRegistered { terminal, challenge: TerminalChallenge { challenge, expires_at } })
    }

    /// A fresh challenge for a terminal that has not proven itself yet.
    pub async fn renew_terminal_challenge(&self, session: &Session, terminal_id: &str) -> OnboardingResult<TerminalChallenge> {
        session.require_full()?;
        let mut conn = self.db.acquire().await?;
        let row = terminals::find_active(&mut conn, &session.office_id, terminal_id).await?.ok_or(ErrorCode::TerminalNotFound)?;
        row.link.challenge_renewable()?;
        let challenge = new_challenge();
        let expires_at = terminal_challenge_expiry(&self.policy, self.now());
        terminals::set_challenge(&mut conn, &row.id, &challenge, expires_at).await?;
        Ok(TerminalChallenge { challenge, expires_at })
    }

    pub async fn verify_terminal(&self, caller: &Caller, session: &Session, terminal_id: &str, signature: &str) -> OnboardingResult<Terminal> {
        session.require_full()?;
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let row = terminals::find_active(&mut conn, &session.office_id, terminal_id).await?.ok_or(ErrorCode::TerminalNotFound)?;
        if row.link == TerminalLink::Linked {
            return self.terminal_view(&mut conn, &row).await;
        }
        row.link.challenge_answerable(now)?;
        let challenge = row.challenge.clone().ok_or(ErrorCode::TerminalChallengeExpired)?;
        let key = parse_public_key(&row.public_key).map_err(Failure::from)?;
        let signature = B64
            .decode(signature.trim())
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or(Failure::field(ErrorCode::TerminalSignatureInvalid, "signature"))?;
        if key.verify(&terminal_link_message(&row.id, &challenge), &signature).is_err() {
            self.audit(&mut conn, self.terminal_event("terminal_link", "failure:signature", caller, session, &row.id)).await?;
            return Err(Failure::field(ErrorCode::TerminalSignatureInvalid, "signature"));
        }
        if !terminals::link(&mut conn, &row.id, &challenge, now).await? {
            return Err(ErrorCode::TerminalChallengeExpired.into());
        }
        self.audit(&mut conn, self.terminal_event("terminal_link", "success", caller, session, &row.id)).await?;
        let row = terminals::find_active(&mut conn, &session.office_id, &row.id).await?.ok_or(ErrorCode::TerminalNotFound)?;
        self.terminal_view(&mut conn, &row).await
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
        self.audit(&mut conn, self.terminal_event("terminal_unlinked", "success", caller, session, terminal_id)).await?;
        Ok(())
    }

    fn terminal_event<'a>(&self, event: &'a str, outcome: &'a str, caller: &'a Caller, session: &'a Session, terminal_id: &'a str) -> AuditEvent<'a> {
        AuditEvent { event, outcome, office_id: Some(&session.office_id), user_id: None, cert_fingerprint: Some(&caller.cert_fingerprint), detail: Some(terminal_id) }
    }

    async fn terminal_view(&self, conn: &mut Conn, row: &StoredTerminal) -> OnboardingResult<Terminal> {
        let office = offices::find(conn, &row.office_id).await?.ok_or(ErrorCode::TerminalNotFound)?;
        Ok(Terminal {
            terminal_id: row.id.clone(),
            name: row.name.clone(),
            status: match row.link {
                TerminalLink::Linked => TerminalStatus::Linked,
                TerminalLink::Pending { .. } => TerminalStatus::Pending,
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
