//! 3-4 マイナ資格確認アプリの事前設定: the admin issues a terminal with a
//! one-time activation code (利用開始コード); the device — this PC, or a
//! phone or tablet that scanned the code's QR — redeems it with its public
//! key and signs a challenge to prove it holds the private half.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use kaigo_domain::terminal::TerminalKind;
use kaigo_domain::ErrorCode;
use serde::{Deserialize, Serialize};

/// The admin's request for a new terminal.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TerminalIssueRequest {
    /// 端末名, e.g. 受付PC1.
    pub name: String,
    pub kind: TerminalKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TerminalStatus {
    /// Issued; its activation code waits for the device.
    AwaitingDevice,
    /// The device redeemed the code; waiting for its signed challenge.
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
    pub kind: TerminalKind,
    pub status: TerminalStatus,
    pub settings: TerminalSettings,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub registered_at: time::OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub linked_at: Option<time::OffsetDateTime>,
}

/// A terminal's one-time activation code, shown to the admin once.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TerminalActivation {
    /// 利用開始コード, grouped for reading (`ABCD-EFGH-JKLM`).
    pub code: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: time::OffsetDateTime,
    /// What the QR code holds: see [`ActivationLink`].
    pub link: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TerminalIssued {
    pub terminal: Terminal,
    pub activation: TerminalActivation,
}

/// The device's redemption of its activation code (no client certificate
/// needed: the code is the device's authority, once).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActivationRedeemRequest {
    pub terminal_id: String,
    pub activation_code: String,
    /// The device's Ed25519 public key, 32 bytes, base64 (standard, padded).
    pub public_key: String,
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
pub struct TerminalProofRequest {
    /// Ed25519 signature (64 bytes, base64) of the link message.
    pub signature: String,
}

/// The exact bytes a terminal signs: domain-separated so that a signature
/// made for this purpose can never be replayed for another.
pub fn terminal_link_message(terminal_id: &str, challenge_b64: &str) -> Vec<u8> {
    format!("kaigo-onboard/terminal-link/v1\n{terminal_id}\n{challenge_b64}").into_bytes()
}

/// A device's Ed25519 public key as sent with its activation code: 32 bytes,
/// standard padded base64. Points off the curve and the weak small-order
/// keys are refused.
pub fn parse_terminal_public_key(b64: &str) -> Result<ed25519_dalek::VerifyingKey, ErrorCode> {
    let bytes = B64.decode(b64.trim()).map_err(|_| ErrorCode::TerminalKeyInvalid)?;
    let arr: [u8; 32] = bytes.try_into().map_err(|_| ErrorCode::TerminalKeyInvalid)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&arr).map_err(|_| ErrorCode::TerminalKeyInvalid)?;
    if key.is_weak() {
        Err(ErrorCode::TerminalKeyInvalid)
    } else {
        Ok(key)
    }
}

/// A terminal's signature as sent in its proof: 64 bytes, standard padded
/// base64.
pub fn parse_terminal_signature(b64: &str) -> Result<ed25519_dalek::Signature, ErrorCode> {
    B64.decode(b64.trim()).ok().and_then(|b| ed25519_dalek::Signature::from_slice(&b).ok()).ok_or(ErrorCode::TerminalSignatureInvalid)
}

/// What an activation QR code holds: where to redeem, which terminal, and
/// the code — `kaigo-onboard:activate?v=1&service=…&terminal=…&code=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationLink {
    pub service_url: String,
    pub terminal_id: String,
    pub code: String,
}

impl ActivationLink {
    const BASE: &'static str = "kaigo-onboard:activate";

    pub fn to_uri(&self) -> String {
        let mut u = url::Url::parse(Self::BASE).expect("constant URI");
        u.query_pairs_mut()
            .append_pair("v", "1")
            .append_pair("service", &self.service_url)
            .append_pair("terminal", &self.terminal_id)
            .append_pair("code", &self.code);
        u.into()
    }

    /// Reads a scanned QR code; `None` when it is not an activation link.
    pub fn parse(uri: &str) -> Option<Self> {
        let u = url::Url::parse(uri.trim()).ok()?;
        if u.scheme() != "kaigo-onboard" || u.path() != "activate" {
            return None;
        }
        let get = |k: &str| u.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
        (get("v")? == "1").then_some(())?;
        Some(Self { service_url: get("service")?, terminal_id: get("terminal")?, code: get("code")? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activation_link_round_trips_and_others_are_not_read() {
        let l = ActivationLink {
            service_url: "https://127.0.0.1:8443/base?x=1&y=2".into(),
            terminal_id: "t-1".into(),
            code: "ABCD-EFGH-JKLM".into(),
        };
        let uri = l.to_uri();
        assert!(uri.starts_with("kaigo-onboard:activate?v=1&service=https%3A%2F%2F127.0.0.1"), "{uri}");
        assert_eq!(ActivationLink::parse(&uri), Some(l));
        assert_eq!(ActivationLink::parse("https://example.com/activate?v=1"), None);
        assert_eq!(ActivationLink::parse("kaigo-onboard:activate?v=2&service=a&terminal=b&code=c"), None);
        assert_eq!(ActivationLink::parse("kaigo-onboard:activate?v=1&service=a&code=c"), None);
    }
}
