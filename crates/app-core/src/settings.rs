//! The app's settings: practice mode (the default) or a real service.
//! Nothing secret is kept here.

use crate::paths::write_atomic;
use crate::wizard::FormField;
use crate::{AppError, AppResult};
use kaigo_domain::ErrorCode;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ServiceSetting {
    /// 練習モード: the embedded service with a demo office.
    #[default]
    Practice,
    /// A real onboarding service.
    Remote {
        url: String,
        /// CA of the service's certificate (PEM), when it is not a public one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ca_pem: Option<String>,
    },
    /// 研修: a trainer's class, its CA pinned when this PC joined.
    Class { url: String, ca_pem: String },
}

/// 文字の大きさ: the app's own text size, on top of the system's (the
/// window follows Windows' 「テキストのサイズ」 by itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    /// 標準
    #[default]
    Standard,
    /// 大 (150 %)
    Large,
    /// 特大 (200 %)
    ExtraLarge,
}

impl TextSize {
    pub const ALL: [TextSize; 3] = [TextSize::Standard, TextSize::Large, TextSize::ExtraLarge];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Settings {
    #[serde(default)]
    pub service: ServiceSetting,
    /// 表示言語: what every screen, message and the report are shown in.
    #[serde(default)]
    pub language: kaigo_domain::Language,
    /// プロキシ: how the app's calls leave the office network.
    #[serde(default)]
    pub proxy: kaigo_domain::proxy::ProxyChoice,
    /// 更新の確認先: an operator's own update server, in place of the one
    /// the build names (`None`: the build's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_endpoint: Option<String>,
    /// 文字の大きさ
    #[serde(default)]
    pub text_size: TextSize,
}

/// A service's address as staff type it (settings, a class's 接続先):
/// HTTPS, something after the scheme, no spaces.
pub fn check_service_url(url: &str) -> AppResult<()> {
    let ok = url.starts_with("https://") && url.len() > "https://".len() && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(AppError::field(ErrorCode::ServiceUrlInvalid, FormField::Url))
    }
}

/// An update server's manifest address: HTTPS, read by the same URL rules
/// the updater's client follows. A development build also takes plain HTTP
/// to this PC itself (a test's own server), with nothing before the host;
/// a release build never does (the updater refuses it as well).
pub fn check_update_endpoint(endpoint: &str) -> AppResult<()> {
    let invalid = || AppError::field(ErrorCode::UpdateEndpointInvalid, FormField::UpdateEndpoint);
    let url = url::Url::parse(endpoint).map_err(|_| invalid())?;
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(invalid)?;
    let this_pc = url.scheme() == "http"
        && cfg!(debug_assertions)
        && url.username().is_empty()
        && url.password().is_none()
        && kaigo_domain::proxy::is_loopback_host(host);
    if url.scheme() == "https" || this_pc {
        Ok(())
    } else {
        Err(invalid())
    }
}

impl Settings {
    /// Reads the settings; a missing or unreadable file gives the defaults.
    pub fn load(path: &Path) -> Settings {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "settings unreadable, using defaults");
                Settings::default()
            }),
            Err(_) => Settings::default(),
        }
    }

    pub fn save(&self, path: &Path) -> AppResult<()> {
        let json = serde_json::to_vec_pretty(self).map_err(AppError::internal)?;
        Ok(write_atomic(path, &json)?)
    }

    pub fn validate(&self) -> AppResult<()> {
        if let ServiceSetting::Remote { url, .. } = &self.service {
            check_service_url(url)?;
        }
        if let Some(endpoint) = &self.update_endpoint {
            check_update_endpoint(endpoint)?;
        }
        Ok(())
    }
}
