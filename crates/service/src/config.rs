//! What a running service is told: where to listen, its TLS material, its
//! database, how to deliver messages, and the policy.

use crate::connections::ConnectionLimits;
use crate::http::rate_limit::RateLimit;
use crate::secrets::CodeKey;
use crate::store::DatabaseLocation;
use crate::tls::TlsMaterial;
use kaigo_domain::Policy;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// A SQLite file (the default) or `postgres://…`.
    pub database: DatabaseLocation,
    pub tls: TlsMaterial,
    /// Keys the one-time code hashes; the same for every instance.
    pub code_key: CodeKey,
    pub delivery: DeliveryConfig,
    pub policy: Policy,
    pub rate_limit: RateLimit,
    /// Caps and timeouts of the connections.
    pub connections: ConnectionLimits,
    /// Password hashes computed at once (defaults to the core count).
    pub hashing_concurrency: usize,
    /// Base URL given to terminals; defaults to `https://<listen address>`.
    pub public_url: Option<String>,
    /// 研修: run classes (their messages stay in the practice mailbox).
    pub classes: Option<ClassesConfig>,
}

/// What a service running classes needs.
#[derive(Clone)]
pub struct ClassesConfig {
    /// The CA (PEM) that signed the server's certificate; it signs the seats'.
    pub ca_cert_pem: String,
    pub ca_key_pem: String,
    /// A loopback address where the trainer's page is also served over
    /// plain HTTP, so a browser on the same machine opens it without a
    /// certificate warning.
    pub trainer_listen: Option<SocketAddr>,
}

#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    /// Keep messages in the practice mailbox instead of sending them.
    pub practice_mailbox: bool,
    /// `smtp://host:25`, `smtp://host:587?tls=required`, `smtps://host:465`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// SMS webhook URL and its optional bearer token.
    pub sms_webhook_url: Option<String>,
    pub sms_webhook_token: Option<String>,
    pub retry_base: Duration,
    pub max_retry: Duration,
    pub poll: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            practice_mailbox: false,
            smtp_url: None,
            mail_from: "介護WEBサービス 初期設定 <no-reply@kaigo-onboard.invalid>".into(),
            sms_webhook_url: None,
            sms_webhook_token: None,
            retry_base: Duration::from_secs(5),
            max_retry: Duration::from_secs(300),
            poll: Duration::from_secs(2),
        }
    }
}

pub fn default_hashing_concurrency() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}
