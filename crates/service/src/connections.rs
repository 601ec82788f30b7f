//! How many connections the service holds and for how long: the TLS accept
//! loop with its caps and timeouts, and the graceful stop that lets the
//! requests in flight finish.
//!
//! A connection costs a file descriptor whatever it carries, so each one is
//! bounded in time (handshake, then the headers of each request, which also
//! bounds an idle keep-alive) and in number (in total, per client
//! certificate, and without one). A client over its share is answered —
//! `rate_limited` with a Retry-After — and the connection closed, so one
//! office's runaway script cannot starve the others.

use crate::http::extract::{PeerAddress, PeerCertificate};
use crate::pki::fingerprint;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;
use tracing::{debug, info, warn};

#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    /// Connections open at once; beyond it new ones wait in the listen
    /// backlog. Lowered at start to fit the open-file limit.
    pub max_connections: usize,
    /// Connections one client certificate may hold at once.
    pub max_per_certificate: usize,
    /// Connections without a client certificate (a phone redeeming its
    /// activation code) held at once, all together.
    pub max_without_certificate: usize,
    /// From accept to the end of the TLS handshake.
    pub handshake_timeout: Duration,
    /// For the headers of each request, counted from when the connection is
    /// ready for one: bounds slow headers and idle keep-alive connections.
    pub header_timeout: Duration,
    /// For the rest of a request once its headers are in: reading its body
    /// and answering it. A body sent too slowly is answered
    /// `request_timeout`.
    pub request_timeout: Duration,
    /// How long a stop waits for the requests in flight.
    pub drain_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            max_per_certificate: 16,
            max_without_certificate: 64,
            handshake_timeout: Duration::from_secs(5),
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(20),
        }
    }
}

/// Descriptors kept back for the database, the log and the mail server.
const RESERVED_FILES: u64 = 128;

/// Raises the open-file soft limit to the hard limit (a common default of
/// 1024 would otherwise cap the service far below its memory) and fits the
/// connection cap under it.
pub fn fit_to_open_file_limit(limits: &mut ConnectionLimits) {
    #[cfg(unix)]
    {
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(soft) => {
                let room = usize::try_from(soft.saturating_sub(RESERVED_FILES).max(16)).unwrap_or(usize::MAX);
                if room < limits.max_connections {
                    warn!(open_file_limit = soft, max_connections = room, "the open-file limit caps the connections");
                    limits.max_connections = room;
                }
            }
            Err(e) => warn!(error = %e, "could not raise the open-file limit"),
        }
    }
    #[cfg(not(unix))]
    let _ = (limits, RESERVED_FILES);
}

/// Who holds how many connections.
#[derive(Clone, Default)]
struct Holders(Arc<Mutex<HashMap<Option<String>, usize>>>);

/// One held connection; counted down when the connection ends.
struct Hold {
    holders: Holders,
    key: Option<String>,
}

impl Holders {
    /// A hold for `key` (a certificate fingerprint, or `None` for no
    /// certificate) unless it already holds `cap`.
    fn take(&self, key: Option<String>, cap: usize) -> Option<Hold> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = map.entry(key.clone()).or_default();
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(Hold { holders: self.clone(), key })
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mut map = self.holders.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// Accept errors (out of descriptors, mostly) are waited out with a growing
/// pause and logged at most once per interval with how many there were.
struct AcceptErrors {
    pause: Duration,
    since_log: u64,
    last_log: Option<Instant>,
}

impl AcceptErrors {
    const FIRST_PAUSE: Duration = Duration::from_millis(10);
    const MAX_PAUSE: Duration = Duration::from_secs(1);
    const LOG_EVERY: Duration = Duration::from_secs(10);

    fn new() -> Self {
        Self { pause: Self::FIRST_PAUSE, since_log: 0, last_log: None }
    }

    fn failed(&mut self, e: &std::io::Error) -> Duration {
        self.since_log += 1;
        if self.last_log.is_none_or(|t| t.elapsed() >= Self::LOG_EVERY) {
            warn!(error = %e, failures = self.since_log, "accept failed; pausing");
            self.since_log = 0;
            self.last_log = Some(Instant::now());
        }
        let pause = self.pause;
        self.pause = (self.pause * 2).min(Self::MAX_PAUSE);
        pause
    }

    fn succeeded(&mut self) {
        self.pause = Self::FIRST_PAUSE;
    }
}

/// What the accept loop serves: the API, and the answer given on a
/// connection over its share.
pub struct Served {
    pub app: axum::Router,
    pub over_share: axum::Router,
}

/// Accepts until `stop` turns true, then lets the connections in flight
/// finish their requests (at most `drain_timeout`) and returns.
pub async fn serve(
    listener: TcpListener, acceptor: TlsAcceptor, served: Served, limits: ConnectionLimits, mut stop: watch::Receiver<bool>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let holders = Holders::default();
    let graceful = GracefulShutdown::new();
    let mut errors = AcceptErrors::new();
    let served = Arc::new(served);
    // Every connection's task, so that those still open after the drain
    // time can be cut rather than left running beside a stopped service
    // (the practice service stops inside a process that goes on).
    let mut tasks = JoinSet::new();
    loop {
        while tasks.try_join_next().is_some() {}
        let permit = tokio::select! {
            p = open.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = until_stopped(&mut stop) => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => { errors.succeeded(); c }
                Err(e) => {
                    let pause = errors.failed(&e);
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => continue,
                        _ = until_stopped(&mut stop) => break,
                    }
                }
            },
            _ = until_stopped(&mut stop) => break,
        };
        let connection = Connection {
            acceptor: acceptor.clone(),
            served: served.clone(),
            holders: holders.clone(),
            limits: limits.clone(),
            watcher: graceful.watcher(),
            stop: stop.clone(),
        };
        tasks.spawn(async move {
            connection.run(tcp, PeerAddress(peer.ip())).await;
            drop(permit);
        });
    }
    // Closing the listener refuses new connections from here on.
    drop(listener);
    let in_flight = graceful.count();
    let started = Instant::now();
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown()).await.is_err() {
        let cut = tasks.len();
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        warn!(
            drain_timeout_ms = limits.drain_timeout.as_millis() as u64,
            connections = cut,
            "stopping: connections still open after the drain time were cut"
        );
    } else {
        info!(connections = in_flight, drained_ms = started.elapsed().as_millis() as u64, "stopping: connections drained");
    }
}

/// Resolves once the service is told to stop (or its stopper is gone).
pub(crate) async fn until_stopped(stop: &mut watch::Receiver<bool>) {
    // The borrow `wait_for` returns is dropped here: it may not be held
    // across an await of a spawned task.
    let _ = stop.wait_for(|s| *s).await;
}

struct Connection {
    acceptor: TlsAcceptor,
    served: Arc<Served>,
    holders: Holders,
    limits: ConnectionLimits,
    watcher: Watcher,
    stop: watch::Receiver<bool>,
}

impl Connection {
    async fn run(mut self, tcp: tokio::net::TcpStream, peer: PeerAddress) {
        let _ = tcp.set_nodelay(true);
        let handshake = tokio::time::timeout(self.limits.handshake_timeout, self.acceptor.accept(tcp).into_fallible());
        let tls = tokio::select! {
            done = handshake => match done {
                Ok(Ok(tls)) => tls,
                Ok(Err((e, tcp))) => {
                    // No certificate, an unknown CA or an expired one end here.
                    debug!(peer = %peer.0, error = %e, "TLS handshake refused");
                    linger(tcp).await;
                    return;
                }
                Err(_) => {
                    debug!(peer = %peer.0, "TLS handshake timed out");
                    return;
                }
            },
            _ = until_stopped(&mut self.stop) => return,
        };
        // Verified against the CA by the handshake when present; only the
        // device routes of 3-4 serve a connection without one.
        let cert =
            tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| PeerCertificate { fingerprint: fingerprint(c.as_ref()) });
        let key = cert.as_ref().map(|c| c.fingerprint.clone());
        let cap = if key.is_some() { self.limits.max_per_certificate } else { self.limits.max_without_certificate };
        let hold = self.holders.take(key, cap);
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(self.limits.header_timeout);
        let router = if hold.is_some() {
            self.served.app.clone()
        } else {
            debug!(peer = %peer.0, "connection over its share refused");
            http.keep_alive(false);
            self.served.over_share.clone()
        };
        let svc = router.map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            if let Some(c) = &cert {
                req.extensions_mut().insert(c.clone());
            }
            req.extensions_mut().insert(peer);
            req
        });
        // HTTP/1.1 only: it is the one protocol the TLS handshake offers (ALPN).
        let conn = http.serve_connection(TokioIo::new(tls), TowerToHyperService::new(svc));
        if let Err(e) = self.watcher.watch(conn).await {
            debug!(peer = %peer.0, error = %e, "connection ended with an error");
        }
        drop(hold);
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
    let _ = tokio::time::timeout(Duration::from_secs(2), async { while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {} }).await;
}

/// Serves the trainer's pages over plain HTTP on a loopback listener (see
/// `http::trainer_router`): few connections, one person's browser, so no
/// caps beyond the header timeout. Ends when the task is aborted.
pub async fn serve_loopback(listener: TcpListener, router: axum::Router, header_timeout: Duration) {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                warn!(error = %e, "trainer page: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let peer = PeerAddress(peer.ip());
        let svc = router.clone().map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(peer);
            req
        });
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
            if let Err(e) = http.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(svc)).await {
                debug!(peer = %peer.0, error = %e, "trainer page connection ended with an error");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_gets_its_share_and_no_more_and_gets_it_back() {
        let holders = Holders::default();
        let a = Some("a".to_string());
        let first = holders.take(a.clone(), 2).unwrap();
        let _second = holders.take(a.clone(), 2).unwrap();
        assert!(holders.take(a.clone(), 2).is_none(), "a third over a cap of two");
        assert!(holders.take(Some("b".into()), 2).is_some(), "another certificate has its own share");
        assert!(holders.take(None, 1).is_some(), "so do connections without one");
        drop(first);
        assert!(holders.take(a, 2).is_some(), "a closed connection gives its place back");
    }

    #[test]
    fn accept_errors_back_off_and_log_once_per_interval() {
        let mut errors = AcceptErrors::new();
        let e = std::io::Error::other("too many open files");
        let pauses: Vec<Duration> = (0..10).map(|_| errors.failed(&e)).collect();
        assert_eq!(pauses[0], AcceptErrors::FIRST_PAUSE);
        assert!(pauses.windows(2).all(|w| w[1] >= w[0]), "pauses only grow: {pauses:?}");
        assert_eq!(*pauses.last().unwrap(), AcceptErrors::MAX_PAUSE);
        assert_eq!(errors.since_log, 9, "one line for the first failure, the next nine counted for the next line");
        errors.succeeded();
        assert_eq!(errors.failed(&e), AcceptErrors::FIRST_PAUSE);
    }
}
