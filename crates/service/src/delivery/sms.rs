//! SMS through a gateway. The one shipped posts JSON to an HTTP webhook
//! (`{"to": "+8190…", "body": "…"}`), which most SMS providers or a small
//! relay in front of them accept; other gateways implement the same trait.

use super::DeliveryError;
use std::sync::Arc;

#[async_trait::async_trait]
pub trait SmsGateway: Send + Sync {
    /// `to` is an E.164 number (+81…); `id` the outbox message's, the same
    /// on every retry (the webhook gets it as `Idempotency-Key`).
    async fn send(&self, id: &str, to: &str, body: &str) -> Result<(), DeliveryError>;
}

/// The SMS gateway for a webhook URL. A build without the `sms-webhook`
/// feature refuses the setting instead of dropping messages.
pub fn webhook_gateway(url: &str, bearer: Option<String>) -> anyhow::Result<Arc<dyn SmsGateway>> {
    #[cfg(feature = "sms-webhook")]
    return Ok(Arc::new(WebhookSms::new(url, bearer)?));
    #[cfg(not(feature = "sms-webhook"))]
    {
        let _ = (url, bearer);
        anyhow::bail!("this build of the service cannot send SMS (built without the `sms-webhook` feature)")
    }
}

#[cfg(feature = "sms-webhook")]
pub struct WebhookSms {
    client: reqwest::Client,
    url: String,
    bearer: Option<String>,
}

#[cfg(feature = "sms-webhook")]
impl WebhookSms {
    pub fn new(url: &str, bearer: Option<String>) -> anyhow::Result<Self> {
        let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() })
            .with_no_client_auth();
        let client = reqwest::Client::builder().use_preconfigured_tls(tls).timeout(std::time::Duration::from_secs(20)).build()?;
        Ok(Self { client, url: url.to_owned(), bearer })
    }
}

#[cfg(feature = "sms-webhook")]
#[async_trait::async_trait]
impl SmsGateway for WebhookSms {
    async fn send(&self, id: &str, to: &str, body: &str) -> Result<(), DeliveryError> {
        let mut req = self.client.post(&self.url).header("Idempotency-Key", id).json(&serde_json::json!({ "to": to, "body": body }));
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.map_err(|e| DeliveryError::Temporary(e.without_url().to_string()))?;
        let status = resp.status();
        if status.is_success() {
            Ok(())
        } else if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
            Err(DeliveryError::Permanent(format!("gateway answered {status}")))
        } else {
            Err(DeliveryError::Temporary(format!("gateway answered {status}")))
        }
    }
}
