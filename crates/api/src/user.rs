//! 3-3 管理者ユーザの認証 and the forced password change.

use kaigo_domain::DeliveryChannel;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserLoginRequest {
    pub user_id: String,
    pub password: String,
    /// The token from an earlier "remember this PC": skips the one-time code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_trust_token: Option<String>,
}

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserSession {
    pub session_token: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: time::OffsetDateTime,
    pub user_id: String,
    /// True after a login with the initial password: the session can do
    /// nothing but `POST /v1/user/password`.
    pub must_change_password: bool,
}

/// Result of a password login.
#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum UserLoginOutcome {
    /// Password accepted; choose how to receive the one-time code.
    CodeRequired {
        challenge_id: String,
        /// Channels this user can receive codes on (email, sms).
        channels: Vec<DeliveryChannel>,
    },
    /// This PC is trusted (24 h): logged in without a code.
    LoggedIn { session: UserSession },
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SendCodeRequest {
    pub channel: DeliveryChannel,
}

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserVerifyRequest {
    pub code: String,
    /// このPCを24時間記憶する.
    #[serde(default)]
    pub remember_device: bool,
}

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceTrust {
    /// Keep in the OS keychain; send with the next password login.
    pub token: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: time::OffsetDateTime,
}

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserVerified {
    pub session: UserSession,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_trust: Option<DeviceTrust>,
}

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}
