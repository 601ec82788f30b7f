//! Mail by SMTP (lettre). The server is given as a URL: `smtp://host:25`
//! (plain, for a local relay), `smtp://host:587?tls=required` (STARTTLS) or
//! `smtps://host:465` (implicit TLS), with `user:password@` when needed.

use super::DeliveryError;
#[cfg(feature = "smtp")]
use lettre::message::{header::ContentType, Mailbox};
#[cfg(feature = "smtp")]
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;

#[async_trait::async_trait]
pub trait MailSender: Send + Sync {
    /// `id` is the outbox message's: the same on every retry, so the mail's
    /// `Message-ID` lets a receiver drop a copy sent twice (an answer lost
    /// after the server had taken the mail).
    async fn send(&self, id: &str, to: &str, subject: &str, body: &str) -> Result<(), DeliveryError>;
}

/// The `Message-ID` of the outbox message `id` sent from `from`'s domain.
pub fn message_id(id: &str, from: &str) -> String {
    let domain = from.rsplit_once('@').map_or("kaigo-onboard.invalid", |(_, d)| d.trim_end_matches('>').trim());
    format!("<{id}@{domain}>")
}

/// The mail sender for an SMTP URL. A build without the `smtp` feature (the
/// desktop app's practice service) refuses the setting instead of dropping mail.
pub fn smtp_sender(url: &str, from: &str) -> anyhow::Result<Arc<dyn MailSender>> {
    #[cfg(feature = "smtp")]
    return Ok(Arc::new(SmtpMailer::new(url, from)?));
    #[cfg(not(feature = "smtp"))]
    {
        let _ = (url, from);
        anyhow::bail!("this build of the service cannot send mail by SMTP (built without the `smtp` feature)")
    }
}

#[cfg(feature = "smtp")]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

#[cfg(feature = "smtp")]
impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.timeout(Some(std::time::Duration::from_secs(20))).build();
        Ok(Self { transport, from: from.parse()? })
    }
}

#[cfg(feature = "smtp")]
#[async_trait::async_trait]
impl MailSender for SmtpMailer {
    async fn send(&self, id: &str, to: &str, subject: &str, body: &str) -> Result<(), DeliveryError> {
        let to: Mailbox = to.parse().map_err(|e: lettre::address::AddressError| DeliveryError::Permanent(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(message_id(id, self.from.email.as_ref())))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(DeliveryError::Permanent(e.to_string())),
            Err(e) => Err(DeliveryError::Temporary(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_id_is_the_outbox_ids_at_the_senders_domain() {
        assert_eq!(super::message_id("0b1c", "no-reply@example.jp"), "<0b1c@example.jp>");
        assert_eq!(super::message_id("0b1c", "nobody"), "<0b1c@kaigo-onboard.invalid>");
    }
}
