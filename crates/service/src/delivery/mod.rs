//! Delivery of queued messages: a worker takes due rows from the outbox and
//! hands them to the mail server, the SMS gateway, or (in practice mode) the
//! practice mailbox. A failure leaves the row queued with a later retry time,
//! so a server that is down delays messages and loses none.

pub mod mail;
pub mod sms;

use crate::clock::SharedClock;
use crate::store::{instances, outbox, Db};
use kaigo_domain::DeliveryChannel;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tracing::{info, warn};

#[cfg(feature = "smtp")]
pub use mail::SmtpMailer;
pub use mail::{smtp_sender, MailSender};
#[cfg(feature = "sms-webhook")]
pub use sms::WebhookSms;
pub use sms::{webhook_gateway, SmsGateway};

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("no {0} transport is configured")]
    NotConfigured(&'static str),
    #[error("the recipient was refused permanently: {0}")]
    Permanent(String),
    #[error("temporary failure: {0}")]
    Temporary(String),
    #[error("the message body does not open with this service key")]
    Unsealable,
}

/// Where messages go.
#[derive(Clone)]
pub enum Channels {
    /// 練習モード: kept in the practice mailbox, readable through the API.
    Practice,
    Real {
        mail: Option<Arc<dyn MailSender>>,
        sms: Option<Arc<dyn SmsGateway>>,
    },
}

pub struct Worker {
    pub db: Db,
    /// This process's name on the leases it takes (`store::instances`).
    pub instance: String,
    /// Opens the sealed bodies.
    pub code_key: crate::secrets::CodeKey,
    pub clock: SharedClock,
    pub channels: Channels,
    pub wakeup: Arc<Notify>,
    /// First retry delay; doubles per attempt up to `max_retry`.
    pub retry_base: Duration,
    pub max_retry: Duration,
    /// How often the outbox is looked at when nothing wakes the worker
    /// (messages queued by another instance, retries falling due).
    pub poll: Duration,
    /// A claim whose answer was lost (the database went away mid-call) may
    /// have taken a row: this instance's leases are given back as soon as
    /// the database answers, so the message goes out then rather than when
    /// the lease runs out minutes later.
    pub lease_to_give_back: std::sync::atomic::AtomicBool,
    /// A message whose fate is known (sent, or failed) but could not be
    /// written (the database went away, its disk filled): written first
    /// at every round until it is, so a mail that went out is not sent again.
    pub unrecorded: std::sync::Mutex<Option<(outbox::Outgoing, Result<(), DeliveryError>)>>,
}

/// How long one attempt to send may take in all (connection, every SMTP
/// command or the webhook call); past it the attempt counts as failed.
const SEND_BUDGET: Duration = Duration::from_secs(60);

/// How long a worker may hold a message before another may take it over:
/// well past the send budget, so a slow send is never taken over (and sent
/// a second time) while it is still under way. A dead instance's leases are
/// freed at once (`store::instances`), so this is only the last resort.
const LEASE: time::Duration = time::Duration::minutes(5);

impl Worker {
    /// Delivers until `stop` turns true; then sends what is due once more
    /// (the service is stopping: mail queued by its last requests goes out
    /// now rather than at the next start) and returns.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut alive = loop {
            match instances::hold(&self.db, &self.instance).await {
                Ok(lock) => break lock,
                Err(e) => {
                    warn!(error = %e, "outbox: storage error");
                    tokio::select! {
                        _ = tokio::time::sleep(self.poll) => continue,
                        _ = crate::connections::until_stopped(&mut stop) => return,
                    }
                }
            }
        };
        let mut at_start = true;
        loop {
            if !alive.still_held().await {
                match instances::hold(&self.db, &self.instance).await {
                    Ok(lock) => {
                        alive = lock;
                        info!("outbox: this instance is announced alive again (its database session had ended)");
                    }
                    Err(e) => warn!(error = %e, "outbox: storage error"),
                }
            }
            match instances::free_leases_of_the_dead(&self.db, &self.instance, at_start).await {
                Ok(0) => {}
                Ok(n) => info!(messages = n, "outbox: took over the messages of a stopped instance"),
                Err(e) => warn!(error = %e, "outbox: storage error"),
            }
            at_start = false;
            self.deliver_due().await;
            if *stop.borrow() {
                break;
            }
            tokio::select! {
                _ = self.wakeup.notified() => {}
                _ = tokio::time::sleep(self.poll) => {}
                _ = crate::connections::until_stopped(&mut stop) => {}
            }
        }
        // Whatever is still leased (a send that failed just now is not)
        // goes back for the next instance or start.
        if let Ok(mut conn) = self.db.acquire().await {
            let _ = outbox::release_leases_of(&mut conn, &self.instance).await;
        }
        info!("outbox: delivery worker stopped");
    }

    /// Delivers every message due now.
    async fn deliver_due(&self) {
        let pending = self.unrecorded.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some((msg, result)) = pending {
            if let Err(e) = self.record(&msg, &result).await {
                *self.unrecorded.lock().unwrap_or_else(|e| e.into_inner()) = Some((msg, result));
                return warn!(error = %e, "outbox: storage error");
            }
        }
        if self.lease_to_give_back.load(Ordering::Relaxed) {
            // One message at a time: no lease of ours is in use now.
            match self.db.acquire().await {
                Ok(mut conn) => match outbox::release_leases_of(&mut conn, &self.instance).await {
                    Ok(_) => self.lease_to_give_back.store(false, Ordering::Relaxed),
                    Err(e) => return warn!(error = %e, "outbox: storage error"),
                },
                Err(e) => return warn!(error = %e, "outbox: storage error"),
            }
        }
        loop {
            match self.deliver_one().await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    warn!(error = %e, "outbox: storage error");
                    break;
                }
            }
        }
    }

    /// Delivers the next due message, if any. Returns whether one was taken.
    pub async fn deliver_one(&self) -> Result<bool, crate::store::StoreError> {
        let now = self.clock.now();
        let mut conn = self.db.acquire().await?;
        // A claim whose answer was lost on the way back may still have
        // taken a row: until the row's fate is written, our leases are
        // given back at the next round.
        self.lease_to_give_back.store(true, Ordering::Relaxed);
        let claimed = outbox::claim_due(&mut conn, now, now + LEASE, &self.instance).await?;
        // The claim's answer came: which row is ours (if any) is known.
        self.lease_to_give_back.store(false, Ordering::Relaxed);
        let Some(msg) = claimed else { return Ok(false) };
        drop(conn);
        // A body sealed under another key stays queued (and is logged): the
        // operator has the wrong service key, and fixing it loses nothing.
        let body = if crate::secrets::CodeKey::is_sealed(&msg.body) {
            self.code_key.open(&msg.id, &msg.body).ok_or(DeliveryError::Unsealable)
        } else {
            Ok(msg.body.clone())
        };
        let attempt = async {
            match (&self.channels, body) {
                (_, Err(e)) => Err(e),
                (Channels::Practice, Ok(_)) => Ok(()),
                (Channels::Real { mail, sms }, Ok(body)) => match msg.channel {
                    DeliveryChannel::Email => match mail {
                        Some(m) => m.send(&msg.id, &msg.recipient, &msg.subject, &body).await,
                        None => Err(DeliveryError::NotConfigured("mail")),
                    },
                    DeliveryChannel::Sms => match sms {
                        Some(s) => s.send(&msg.id, &msg.recipient, &body).await,
                        None => Err(DeliveryError::NotConfigured("SMS")),
                    },
                },
            }
        };
        let result = tokio::time::timeout(SEND_BUDGET, attempt)
            .await
            .unwrap_or_else(|_| Err(DeliveryError::Temporary(format!("no answer within {} s", SEND_BUDGET.as_secs()))));
        if let Err(e) = self.record(&msg, &result).await {
            *self.unrecorded.lock().unwrap_or_else(|e| e.into_inner()) = Some((msg, result));
            return Err(e);
        }
        Ok(true)
    }

    /// Writes what became of a message taken for sending.
    async fn record(&self, msg: &outbox::Outgoing, result: &Result<(), DeliveryError>) -> Result<(), crate::store::StoreError> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        match result {
            Ok(()) => {
                if matches!(self.channels, Channels::Practice) {
                    outbox::put_in_mailbox(&mut tx, msg, now).await?;
                }
                outbox::mark_delivered(&mut tx, &msg.id, now).await?;
                // Recipient and body are personal data or secrets: only the id is logged.
                info!(message = %msg.id, channel = msg.channel.as_str(), attempts = msg.attempts, "outbox: delivered");
            }
            Err(e) => {
                let delay = self.retry_delay(msg.attempts);
                let next_attempt = now + time::Duration::try_from(delay).unwrap_or(time::Duration::MAX);
                outbox::mark_failed(&mut tx, &msg.id, &self.instance, next_attempt, &e.to_string()).await?;
                warn!(message = %msg.id, channel = msg.channel.as_str(), attempts = msg.attempts, retry_in_ms = delay.as_millis() as u64, error = %e, "outbox: delivery failed, will retry");
            }
        }
        tx.commit().await?;
        Ok(())
    }

    fn retry_delay(&self, attempts: u32) -> Duration {
        let exp = attempts.saturating_sub(1).min(16);
        self.retry_base.saturating_mul(1 << exp).min(self.max_retry)
    }
}
