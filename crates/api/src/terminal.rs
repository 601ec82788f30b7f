//! 3-4 マイナ資格確認アプリの事前設定: linking the card-reading PC.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TerminalRegistrationRequest {
    /// 端末名, e.g. 受付PC1.
    pub name: String,
    /// The terminal's Ed25519 public key, 32 bytes, base64 (standard, padded).
    pub public_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TerminalStatus {
    /// Registered; waiting for the signed challenge.
    Pending,
    /// Proven and linked: the マイナ資格確認アプリ may be used on it.
    Linked,
}

/// What the マイナ資格確認アプリ on the terminal needs to be set up with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TerminalSettings {
    pub terminal_id: String,
    pub office_number: String,
    pub office_name: String,
    /// Base URL the app on the terminal talks to.
    pub service_url: String,
    /// How often (seconds) the app checks for updated eligibility data.
    pub sync_interval_seconds: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Terminal {
    pub terminal_id: String,
    pub name: String,
    pub status: TerminalStatus,
    pub settings: TerminalSettings,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub registered_at: time::OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub linked_at: Option<time::OffsetDateTime>,
}

/// The challenge the terminal signs to prove it holds its private key.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TerminalChallenge {
    /// Random bytes, base64. Sign `terminal_link_message(terminal_id, challenge)`.
    pub challenge: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: time::OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TerminalRegistered {
    pub terminal: Terminal,
    pub challenge: TerminalChallenge,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TerminalVerifyRequest {
    /// Ed25519 signature (64 bytes, base64) of the link message.
    pub signature: String,
}

/// The exact bytes a terminal signs: domain-separated so that a signature
/// made for this purpose can never be replayed for another.
pub fn terminal_link_message(terminal_id: &str, challenge_b64: &str) -> Vec<u8> {
    format!("kaigo-onboard/terminal-link/v1\n{terminal_id}\n{challenge_b64}").into_bytes()
}
