//! Health, server time, policy and the practice mailbox.

use kaigo_domain::DeliveryChannel;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    pub version: String,
    /// True when the service runs as the app's practice mode (練習モード).
    pub practice_mode: bool,
}

/// Server time, for the app's check of the PC clock.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServerTime {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub now: time::OffsetDateTime,
    pub unix_ms: i64,
}

/// A message the service sent, as kept by the practice mailbox.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MailboxMessage {
    pub id: String,
    pub channel: DeliveryChannel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub delivered_at: time::OffsetDateTime,
}
