//! Building and running the service: database, delivery worker, and the TLS
//! accept loop that puts each connection's client certificate on its requests.

use crate::clock::SharedClock;
use crate::config::Config;
use crate::delivery::{self, Channels};
use crate::http::extract::{PeerAddress, PeerCertificate};
#[cfg(feature = "rate-limit")]
use crate::http::rate_limit;
use crate::http::{router, AppState};
use crate::onboarding::Onboarding;
use crate::pki::fingerprint;
use crate::secrets::PasswordHasher;
use crate::store::Db;
use crate::tls::server_config;
use anyhow::Context as _;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use kaigo_domain::ReferenceLists;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;
use tracing::{debug, info, warn};

pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    acceptor: TlsAcceptor,
    app: axum::Router,
    pub onboarding: Onboarding,
    worker: delivery::Worker,
    #[cfg(feature = "rate-limit")]
    limiter: rate_limit::Limiter,
}

impl Application {
    pub async fn build(config: Config, clock: SharedClock) -> anyhow::Result<Application> {
        let db = Db::connect(&config.database).await.context("opening the database")?;
        let listener = TcpListener::bind(config.listen).await.with_context(|| format!("listening on {}", config.listen))?;
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
        };
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
        let worker = delivery::Worker { db, code_key: config.code_key.clone(), clock, channels, wakeup, retry_base: d.retry_base, max_retry: d.max_retry, poll: d.poll };
        #[cfg(feature = "rate-limit")]
        let limiter = rate_limit::limiter(config.rate_limit);
        let app = router(AppState {
            ob: onboarding.clone(),
            #[cfg(feature = "rate-limit")]
            limiter: limiter.clone(),
        });
        Ok(Application {
            listener,
            addr,
            acceptor,
            app,
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

    /// Starts the service in the background; dropping the handle stops it.
    pub fn spawn(self) -> RunningService {
        let addr = self.addr;
        let onboarding = self.onboarding.clone();
        let tasks = self.start();
        RunningService { addr, onboarding, tasks }
    }

    /// Runs until the process is stopped.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let tasks = self.start();
        tokio::signal::ctrl_c().await?;
        info!("stopping");
        for t in tasks {
            t.abort();
        }
        Ok(())
    }

    fn start(self) -> Vec<JoinHandle<()>> {
        let mut tasks = Vec::new();
        #[cfg(feature = "rate-limit")]
        {
            let limiter = self.limiter.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    limiter.retain_recent();
                }
            }));
        }
        tasks.push(tokio::spawn(self.worker.run()));
        tasks.push(tokio::spawn(accept_loop(self.listener, self.acceptor, self.app)));
        tasks
    }
}

async fn accept_loop(listener: TcpListener, acceptor: TlsAcceptor, app: axum::Router) {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let _ = tcp.set_nodelay(true);
            let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp).into_fallible()).await {
                Ok(Ok(tls)) => tls,
                Ok(Err((e, tcp))) => {
                    // No certificate, an unknown CA or an expired one end here.
                    debug!(%peer, error = %e, "TLS handshake refused");
                    linger(tcp).await;
                    return;
                }
                Err(_) => return,
            };
            // Verified against the CA by the handshake when present; only the
            // device routes of 3-4 serve a connection without one.
            let peer_cert = tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|cert| PeerCertificate { fingerprint: fingerprint(cert.as_ref()) });
            let peer_address = PeerAddress(peer.ip());
            let svc = app.map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                if let Some(c) = &peer_cert {
                    req.extensions_mut().insert(c.clone());
                }
                req.extensions_mut().insert(peer_address);
                req
            });
            // HTTP/1.1 only: it is the one protocol the TLS handshake offers (ALPN).
            let conn = hyper::server::conn::http1::Builder::new();
            if let Err(e) = conn.serve_connection(TokioIo::new(tls), TowerToHyperService::new(svc)).await {
                debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
}

/// Closes a refused connection gently. Under TLS 1.3 the client may already
/// be sending its request when our alert ("unknown CA", "certificate
/// expired") goes out; closing at once would reset the connection and the
/// client would see a reset instead of the reason. So: send FIN, read and
/// drop what still comes for a moment, then close.
async fn linger(mut tcp: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let _ = tcp.shutdown().await;
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// A service running in the background of this process.
pub struct RunningService {
    pub addr: SocketAddr,
    pub onboarding: Onboarding,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningService {
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn stop(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Drop for RunningService {
    fn drop(&mut self) {
        self.stop();
    }
}
