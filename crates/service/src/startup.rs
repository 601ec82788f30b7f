//! Building and running the service: database, delivery worker, the TLS
//! accept loop (`connections`), and stopping them in order.

use crate::clock::SharedClock;
use crate::config::Config;
use crate::connections::{self, ConnectionLimits};
use crate::delivery::{self, Channels};
#[cfg(feature = "rate-limit")]
use crate::http::rate_limit;
use crate::http::{over_share_router, router, AppState};
use crate::onboarding::Onboarding;
use crate::secrets::PasswordHasher;
use crate::store::Db;
use crate::tls::server_config;
use anyhow::Context as _;
use kaigo_domain::ReferenceLists;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tracing::{info, warn};

/// Connections the kernel queues before they are accepted. Tokio's (and
/// std's) 128 made a burst of new connections — a class of PCs starting at
/// once — wait a second each for a SYN retry once the queue was full; the
/// kernel caps the number at `net.core.somaxconn` (4096 on current Linux).
pub const LISTEN_BACKLOG: u32 = 4096;

/// A listening socket with [`LISTEN_BACKLOG`].
pub fn listen(at: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if at.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    // As tokio's own `bind`: a restarted service rebinds at once; on
    // Windows the flag would let another program take the port over.
    #[cfg(not(windows))]
    socket.set_reuseaddr(true)?;
    socket.bind(at)?;
    socket.listen(LISTEN_BACKLOG)
}

pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    acceptor: TlsAcceptor,
    app: axum::Router,
    /// The answer on a connection over its client's share.
    over_share: axum::Router,
    connections: ConnectionLimits,
    pub onboarding: Onboarding,
    worker: delivery::Worker,
    #[cfg(feature = "rate-limit")]
    limiter: rate_limit::Limiter,
    /// 研修: the trainer's pages on a loopback address, when asked for.
    trainer: Option<(TcpListener, axum::Router)>,
}

impl Application {
    pub async fn build(config: Config, clock: SharedClock) -> anyhow::Result<Application> {
        let db = Db::connect(&config.database).await.context("opening the database")?;
        let listener = listen(config.listen).with_context(|| format!("listening on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(Arc::new(server_config(&config.tls)?));
        let wakeup = Arc::new(Notify::new());
        let onboarding = Onboarding {
            db: db.clone(),
            clock: clock.clone(),
            hasher: PasswordHasher::new(config.hashing_concurrency),
            code_key: config.code_key.clone(),
            policy: config.policy.clone(),
            lists: Arc::new(ReferenceLists::built_in().clone()),
            outbox_wakeup: wakeup.clone(),
            public_url: config.public_url.clone().unwrap_or_else(|| format!("https://{addr}")),
            practice_mode: config.delivery.practice_mailbox,
            password_turns: Default::default(),
            classes: match &config.classes {
                Some(c) => {
                    Some(Arc::new(crate::classes::ClassAuthority::from_pem(&c.ca_cert_pem, &c.ca_key_pem).context("the classes' CA")?))
                }
                None => None,
            },
            class_policy: Default::default(),
            trainer_tickets: Default::default(),
        };
        anyhow::ensure!(
            config.classes.is_none() || config.delivery.practice_mailbox,
            "a service running classes keeps every message in the practice mailbox: turn it on"
        );
        let d = &config.delivery;
        let channels = if d.practice_mailbox {
            Channels::Practice
        } else {
            let mail = match &d.smtp_url {
                Some(url) => Some(delivery::smtp_sender(url, &d.mail_from).context("SMTP settings")?),
                None => {
                    warn!("no SMTP server configured: mail stays queued until one is");
                    None
                }
            };
            let sms = match &d.sms_webhook_url {
                Some(url) => Some(delivery::webhook_gateway(url, d.sms_webhook_token.clone()).context("SMS webhook settings")?),
                None => None,
            };
            Channels::Real { mail, sms }
        };
        let worker = delivery::Worker {
            db,
            instance: uuid::Uuid::new_v4().to_string(),
            code_key: config.code_key.clone(),
            clock,
            channels,
            wakeup,
            retry_base: d.retry_base,
            max_retry: d.max_retry,
            poll: d.poll,
            lease_to_give_back: Default::default(),
            unrecorded: Default::default(),
        };
        #[cfg(feature = "rate-limit")]
        let limiter = rate_limit::limiter(config.rate_limit);
        // Before anything is served: the caps must fit the limit in force.
        let mut connections = config.connections.clone();
        connections::fit_to_open_file_limit(&mut connections);
        let over_share = over_share_router(Arc::new(config.policy.clone()));
        let app = router(
            AppState {
                ob: onboarding.clone(),
                #[cfg(feature = "rate-limit")]
                limiter: limiter.clone(),
            },
            connections.request_timeout,
        );
        let trainer = match config.classes.as_ref().and_then(|c| c.trainer_listen) {
            Some(at) => {
                anyhow::ensure!(at.ip().is_loopback(), "the trainer's plain-HTTP page listens on a loopback address only, not {at}");
                let listener = listen(at).with_context(|| format!("listening on {at} for the trainer's page"))?;
                let router = crate::http::trainer_router(AppState {
                    ob: onboarding.clone(),
                    #[cfg(feature = "rate-limit")]
                    limiter: limiter.clone(),
                });
                Some((listener, router))
            }
            None => None,
        };
        Ok(Application {
            trainer,
            listener,
            addr,
            acceptor,
            app,
            over_share,
            connections,
            onboarding,
            worker,
            #[cfg(feature = "rate-limit")]
            limiter,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Where the trainer's page is served over plain HTTP, if it is.
    pub fn trainer_addr(&self) -> Option<SocketAddr> {
        self.trainer.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    /// Starts the service in the background; dropping the handle stops it
    /// at once, [`RunningService::shutdown`] gracefully.
    pub fn spawn(self) -> RunningService {
        let addr = self.addr;
        let trainer_addr = self.trainer_addr();
        let onboarding = self.onboarding.clone();
        let running = self.start();
        RunningService { addr, trainer_addr, onboarding, running: Some(running) }
    }

    /// Runs until SIGTERM or Ctrl-C, then stops gracefully: no new
    /// connections, the requests in flight finished, the due messages sent.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let running = self.start();
        stop_signal().await?;
        info!("stopping");
        running.shutdown().await;
        info!("stopped");
        Ok(())
    }

    fn start(self) -> Running {
        // Two signals: the worker stops only after the connections have
        // drained, so the messages of the last requests are sent.
        let (stop, stopped) = watch::channel(false);
        let (stop_worker, worker_stopped) = watch::channel(false);
        #[cfg(feature = "rate-limit")]
        let background = {
            let limiter = self.limiter.clone();
            vec![tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    limiter.retain_recent();
                }
            })]
        };
        #[cfg(not(feature = "rate-limit"))]
        let background = Vec::new();
        let mut background = background;
        if self.onboarding.classes.is_some() {
            // 研修: a class past its end is deleted within the minute, and a
            // wrong-join count once its window has passed.
            let (db, clock, policy) = (self.onboarding.db.clone(), self.onboarding.clock.clone(), self.onboarding.class_policy.clone());
            background.push(tokio::spawn(async move {
                loop {
                    if let Err(e) = crate::classes::delete_over(&db, &policy, clock.now()).await {
                        warn!(error = %e, "deleting ended classes failed; trying again");
                    }
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            }));
        }
        if let Some((listener, router)) = self.trainer {
            background.push(tokio::spawn(connections::serve_loopback(listener, router, self.connections.header_timeout)));
        }
        let drain_timeout = self.connections.drain_timeout;
        let worker = tokio::spawn(self.worker.run(worker_stopped));
        let served = connections::Served { app: self.app, over_share: self.over_share };
        let accept = tokio::spawn(connections::serve(self.listener, self.acceptor, served, self.connections, stopped));
        Running { stop, stop_worker, accept, worker, background, drain_timeout }
    }
}

/// SIGTERM (how service managers stop a process) or Ctrl-C.
async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await
}

/// The tasks of a started service.
struct Running {
    stop: watch::Sender<bool>,
    stop_worker: watch::Sender<bool>,
    accept: JoinHandle<()>,
    worker: JoinHandle<()>,
    background: Vec<JoinHandle<()>>,
    drain_timeout: Duration,
}

impl Running {
    /// Stops accepting, drains the connections, then lets the delivery
    /// worker send what is due and give back its leases — each bounded by
    /// the drain time.
    async fn shutdown(self) {
        let _ = self.stop.send(true);
        let Running { accept, worker, background, drain_timeout, stop_worker, .. } = self;
        for t in &background {
            t.abort();
        }
        // The accept loop bounds its own drain.
        let _ = accept.await;
        let _ = stop_worker.send(true);
        let abort = worker.abort_handle();
        if tokio::time::timeout(drain_timeout, worker).await.is_err() {
            warn!("stopping: the delivery worker did not finish in the drain time; its messages stay queued");
            abort.abort();
        }
    }

    fn abort(&self) {
        self.accept.abort();
        self.worker.abort();
        for t in &self.background {
            t.abort();
        }
    }
}

/// A service running in the background of this process.
pub struct RunningService {
    pub addr: SocketAddr,
    /// The trainer's plain-HTTP page (研修), when it is served.
    pub trainer_addr: Option<SocketAddr>,
    pub onboarding: Onboarding,
    running: Option<Running>,
}

impl RunningService {
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Stops at once, as a crash would: requests in flight are cut and
    /// leased messages stay leased.
    pub fn stop(&self) {
        if let Some(r) = &self.running {
            r.abort();
        }
    }

    /// Stops as on SIGTERM.
    pub async fn shutdown(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
    }
}

impl Drop for RunningService {
    fn drop(&mut self) {
        self.stop();
    }
}
