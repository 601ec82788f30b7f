//! Where the office is in Step 3, saved after every step so that a closed or
//! crashed app resumes there. Nothing secret: tokens and passwords stay in
//! memory or in the keychain.

use crate::paths::write_atomic;
use crate::{AppError, AppResult};
use kaigo_api::office::{AdminRegistrationRequest, OfficeSummary};
use kaigo_api::terminal::TerminalSettings;
use kaigo_domain::DeliveryChannel;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// PC clock, service, certificate, card reader.
    #[default]
    Preflight,
    /// 3-1 事業所ユーザの認証.
    OfficeLogin,
    /// 3-2 管理者ユーザの登録.
    AdminRegistration,
    /// 3-3 管理者ユーザの認証.
    AdminLogin,
    /// 3-3 (5) 初回パスワード変更.
    PasswordChange,
    /// 3-4 マイナ資格確認アプリの事前設定.
    Terminal,
    Finished,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminProgress {
    pub user_id: String,
    pub initial_password_channel: DeliveryChannel,
    pub initial_password_sent_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalProgress {
    pub terminal_id: String,
    pub name: String,
    pub linked: bool,
    pub settings: TerminalSettings,
    /// Keychain entry holding the terminal's private key.
    pub key_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Progress {
    pub step: Step,
    /// Fingerprint of the chosen client certificate.
    #[serde(default)]
    pub certificate_id: Option<String>,
    #[serde(default)]
    pub office: Option<OfficeSummary>,
    /// A registration sent but not known to be answered: retried with the
    /// same key after a crash, so it is never made twice.
    #[serde(default)]
    pub pending_registration: Option<(String, AdminRegistrationRequest)>,
    #[serde(default)]
    pub admin: Option<AdminProgress>,
    /// This PC as a terminal (its key is in the keychain).
    #[serde(default)]
    pub terminal: Option<TerminalProgress>,
    /// Every linked terminal of the office as last listed, this PC's and
    /// other devices': what the completion report names.
    #[serde(default)]
    pub linked_terminals: Vec<LinkedTerminal>,
    /// When Step 3 was finished (the report's date).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub finished_at: Option<time::OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedTerminal {
    pub terminal_id: String,
    pub name: String,
    pub kind: kaigo_domain::terminal::TerminalKind,
}

impl Progress {
    pub fn load(path: &Path) -> Progress {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "progress unreadable, starting over");
                Progress::default()
            }),
            Err(_) => Progress::default(),
        }
    }

    pub fn save(&self, path: &Path) -> AppResult<()> {
        let json = serde_json::to_vec_pretty(self).map_err(AppError::internal)?;
        Ok(write_atomic(path, &json)?)
    }

    /// Moves forward (never back) to `step`.
    pub fn reach(&mut self, step: Step) {
        if step > self.step {
            self.step = step;
        }
    }
}
