//! 3-1 事業所ユーザの認証 and 3-2 管理者ユーザの登録.

use kaigo_domain::{AdminApplication, DeliveryChannel};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficeLoginRequest {
    /// 電子請求受付システムのユーザID (KJ + 10 or 12 alphanumerics).
    #[schema(example = "KJ0000000001")]
    pub electronic_billing_id: String,
    pub password: String,
}

/// Where a one-time code went, masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CodeDelivery {
    pub channel: DeliveryChannel,
    #[schema(example = "ka***@example.jp")]
    pub masked_destination: String,
    /// When the code stops working (30 minutes after sending by default).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub code_expires_at: time::OffsetDateTime,
    /// Earliest time another code may be asked for.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub resend_allowed_at: time::OffsetDateTime,
}

/// Password accepted; a code was mailed to the office's registered address.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficeChallenge {
    pub challenge_id: String,
    pub delivery: CodeDelivery,
    /// True when the office set a セキュリティコード: send it with the code.
    pub security_code_required: bool,
}

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficeVerifyRequest {
    /// The 6-digit ワンタイム認証コード.
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficeSummary {
    pub office_number: String,
    pub name: String,
    pub electronic_billing_id: String,
}

#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficeSession {
    /// Bearer token for the office user's menu.
    pub session_token: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: time::OffsetDateTime,
    pub office: OfficeSummary,
}

/// 管理者ユーザ新規登録. Send an `Idempotency-Key` header: a retry with the
/// same key and body returns the first answer and never creates a second account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdminRegistrationRequest {
    /// 氏名.
    pub name: String,
    /// 連絡先メールアドレス. At least one of `email` and `phone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// 連絡先電話番号 (a mobile number can receive SMS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// サービス種類 codes from `/v1/reference-lists`.
    pub service_types: Vec<String>,
    /// 職種区分 code from `/v1/reference-lists`.
    pub job_category: String,
    /// The admin's user ID: 6 to 32 half-width alphanumerics, unique.
    pub user_id: String,
}

impl AdminRegistrationRequest {
    /// The request as the domain's application checks read it.
    pub fn application(&self) -> AdminApplication<'_> {
        AdminApplication {
            name: &self.name,
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
            service_types: &self.service_types,
            job_category: &self.job_category,
            user_id: &self.user_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdminRegistration {
    pub user_id: String,
    /// How the initial password (初期パスワード) was sent, and to where (masked).
    pub initial_password_channel: DeliveryChannel,
    pub initial_password_sent_to: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub registered_at: time::OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserIdAvailability {
    pub user_id: String,
    pub available: bool,
}

/// A new initial password was sent (初期パスワードの再発行).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InitialPasswordReissued {
    pub user_id: String,
    pub initial_password_channel: DeliveryChannel,
    pub initial_password_sent_to: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub issued_at: time::OffsetDateTime,
}
